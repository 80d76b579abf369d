"""Synchronised data never drifts (DESIGN.md rule 9): a French publish reaches every language at
once, texts stay translated (services.sync)."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text
from wagtail_localize.models import TranslationSource

from services.models import Permanence, SchoolPage, ThematicEveningPage
from tests.factories import (
    UserFactory,
    make_evening,
    make_evening_index,
    make_school,
    make_worker,
    permanence,
    translate_page,
)
from tests.helpers import login_staff, parse

pytestmark = pytest.mark.usefixtures("fresh_cache")

OTHER_LANGUAGES = ("en", "ar", "pt", "tr")
PLACES = {
    "en": "Ground-floor office",
    "ar": "مكتب الطابق الأرضي",
    "pt": "Gabinete do rés-do-chão",
    "tr": "Zemin kat ofisi",
}


@pytest.fixture
def ferry(index, leroy, centre):
    school = make_school(
        index,
        "École Jules-Ferry",
        SchoolPage.Kind.ELEMENTARY,
        leroy,
        permanences=[permanence(weekday=2, start="13:30", end="16:30", place="Bureau du rez-de-chaussée")],
        address="12 rue de la République",
        postcode="92000",
        city="Nanterre",
        uai="0921234A",
        social_centre=centre,
        publish=True,
    )
    for code in OTHER_LANGUAGES:
        translate_page(school, code, title=f"Jules-Ferry [{code}]", places=[PLACES[code]])
    # wagtail-localize's snapshot of the source, as "Traduire cette page" leaves it.
    TranslationSource.update_or_create_from_instance(school)
    return school


def publish(page):
    page.save_revision().publish()


def translations_of(page):
    return {
        p.locale.language_code: p
        for p in type(page).objects.filter(translation_key=page.translation_key).select_related("locale")
    }


def school_page_text(client, page):
    response = client.get(page.get_url())
    assert response.status_code == 200
    return parse(response).find("main").get_text(" ", strip=True)


def test_a_permanence_time_changed_in_french_reaches_every_language_page_and_the_api(client, ferry):
    [row] = ferry.permanences.all()
    row.start_time = time(14)
    ferry.permanences = [row]
    publish(ferry)

    for code, page in translations_of(ferry).items():
        [translated] = page.permanences.all()
        assert translated.start_time == time(14), code
        text = school_page_text(client, page)
        assert "13:30" not in text and "13 h 30" not in text, code
        body = client.get("/api/v1/schools/", {"lang": code}).json()
        assert body["items"][0]["permanences"][0]["start"] == "14:00", code
        if code != "fr":
            # The translated place is the translator's, untouched.
            assert translated.place == PLACES[code]
            assert PLACES[code] in text


def test_a_new_referent_in_french_is_every_languages_referent_at_publish(client, ferry):
    garcia = make_worker("M. Garcia")
    ferry.referent = garcia
    publish(ferry)

    for code, page in translations_of(ferry).items():
        assert page.referent_id == garcia.pk, code
        assert "M. Garcia" in school_page_text(client, page), code
        assert client.get("/api/v1/schools/", {"lang": code}).json()["items"][0]["referent"]["name"] == "M. Garcia"


def test_translated_texts_stay_when_french_texts_change(ferry):
    ferry.intro = "Un nouveau chapeau, pas encore traduit."
    ferry.address = "14 rue de la République"
    publish(ferry)

    for code, page in translations_of(ferry).items():
        assert page.address == "14 rue de la République", code
        if code != "fr":
            assert page.title == f"Jules-Ferry [{code}]"
            assert page.intro == ""
            assert "14 rue de la republique" in page.search_text


def test_permanences_added_and_removed_in_french_are_added_and_removed_everywhere(client, ferry):
    [tuesday] = ferry.permanences.all()
    thursday = permanence(weekday=4, start="08:30", end="11:30", place="Salle des parents")
    ferry.permanences = [thursday]
    publish(ferry)

    for code, page in translations_of(ferry).items():
        rows = list(page.permanences.all())
        assert [(r.weekday, r.start_time) for r in rows] == [(4, time(8, 30))], code
        assert rows[0].locale_id == page.locale_id
        # Not translated yet: the French place, which the page marks lang="fr".
        assert rows[0].place == "Salle des parents"
    assert not Permanence.objects.filter(translation_key=tuesday.translation_key).exists()


def test_the_wagtail_localize_snapshot_follows_the_publish_so_a_later_translation_publish_keeps_it(ferry):
    [row] = ferry.permanences.all()
    row.start_time = time(14)
    ferry.permanences = [row]
    publish(ferry)

    source = TranslationSource.objects.get(object_id=ferry.translation_key, locale=ferry.locale)
    english = translations_of(ferry)["en"]
    # What wagtail-localize's editor does when a translator publishes.
    source.create_or_update_translation(english.locale, fallback=True)
    english = SchoolPage.objects.get(pk=english.pk)
    assert [p.start_time for p in english.permanences.all()] == [time(14)]


def test_a_worker_renamed_is_renamed_in_every_language(client, ferry, leroy):
    leroy.public_name = "Mme Leroy-Martin"
    leroy.save()
    for code, page in translations_of(ferry).items():
        assert "Mme Leroy-Martin" in school_page_text(client, page), code


def test_publishing_a_translation_does_not_touch_the_source_or_the_other_languages(ferry):
    english = translations_of(ferry)["en"]
    english.address = "changed in English"
    publish(english)
    pages = translations_of(ferry)
    assert pages["fr"].address == "12 rue de la République"
    assert pages["ar"].address == "12 rue de la République"


def test_an_evening_date_time_and_capacity_changed_in_french_reach_every_language(client, home):
    index = make_evening_index(home, publish=True)
    day = date.today() + timedelta(days=20)
    evening = make_evening(index, "Le sommeil des enfants", day=day, capacity=30, publish=True)
    for code in OTHER_LANGUAGES:
        translate_page(evening, code)
    evening.date = day + timedelta(days=7)
    evening.start_time = time(19)
    evening.capacity = 45
    publish(evening)

    for code, page in translations_of(evening).items():
        assert (page.date, page.start_time, page.capacity) == (day + timedelta(days=7), time(19), 45), code
        if code != "fr":
            assert page.title.endswith(f"[{code}]")
        assert client.get(page.get_url()).status_code == 200


def test_publish_through_the_admin_as_communication_staff_reaches_arabic(client, ferry):
    user = UserFactory(groups=["Communication"])
    login_staff(client, user)
    [row] = ferry.permanences.all()
    data = nested_form_data(
        {
            "title": ferry.title,
            "slug": ferry.slug,
            "intro": ferry.intro,
            "kind": ferry.kind,
            "priority_network": ferry.priority_network,
            "uai": ferry.uai,
            "address": ferry.address,
            "postcode": ferry.postcode,
            "city": ferry.city,
            "neighbourhood": "",
            "latitude": "",
            "longitude": "",
            "social_centre": ferry.social_centre_id,
            "referent": ferry.referent_id,
            "families_info": rich_text(""),
            "permanences": inline_formset(
                [
                    {
                        "id": row.pk,
                        "weekday": 2,
                        "start_time": "14:00",
                        "end_time": "16:30",
                        "place": row.place,
                        "recurrence": "weekly",
                        "valid_from": "",
                        "valid_until": "",
                        "bookable": "on",
                        "slot_minutes": 30,
                    }
                ],
                initial=1,
            ),
            "action-publish": "publish",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[ferry.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    arabic = translations_of(ferry)["ar"]
    assert [p.start_time for p in arabic.permanences.all()] == [time(14)]
    text = school_page_text(client, arabic)
    assert PLACES["ar"] in text


def test_publish_queries_do_not_grow_with_the_number_of_permanences(ferry, django_assert_max_num_queries):
    rows = [permanence(weekday=d, start="08:30", end="11:30", place=f"Salle {d}") for d in (1, 2, 4, 5)]
    ferry.permanences = rows
    publish(ferry)
    from services.sync import synchronise_translations

    ferry = SchoolPage.objects.get(pk=ferry.pk)
    with django_assert_max_num_queries(60):
        synchronise_translations(ferry)


def test_an_evening_without_translations_publishes_as_before(home):
    index = make_evening_index(home, publish=True)
    evening = make_evening(index, "Seule", day=date.today() + timedelta(days=3), publish=True)
    evening.capacity = 10
    publish(evening)
    assert ThematicEveningPage.objects.get(pk=evening.pk).capacity == 10
