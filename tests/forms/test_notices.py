"""Notices: the site-wide banner and a school's notices (shown on the school page, its booking
steps and the API, gone after their last day); a notice that cancels a permanence day removes its
slots (services.availability) and lists the families booked for the manager, with one step to
tell them and offer another slot (forms.admin.cancelled_day)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from forms.booking.slots import free_slots
from forms.models import AppointmentRequest, Notification
from forms.records.permissions import MANAGER
from home.models import HomePage, SiteNotice
from services.availability import next_occurrences
from services.records import SchoolNotice
from services.roles import COMMUNICATION
from services.schedule import PARIS
from tests.factories import (
    AppointmentRequestFactory,
    UserFactory,
    make_index,
    make_school,
    make_site,
    make_worker,
    permanence,
    translate_page,
)
from tests.helpers import login_staff, parse

pytestmark = pytest.mark.usefixtures("fresh_cache")

TODAY = date.today()


def paris(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


# Monday 2 November 2026, 10:00; the school's permanence is on Tuesdays 8:30-10:00.
NOW = paris(date(2026, 11, 2), 10)
CANCELLED = date(2026, 11, 10)


@pytest.fixture
def leroy(db):
    return make_worker("Mme Leroy")


@pytest.fixture
def school(db, leroy):
    index = make_index(make_site(), publish=True)
    page = make_school(
        index,
        "École Jules-Ferry",
        referent=leroy,
        permanences=[permanence(weekday=2, start="08:30", end="10:00")],
        publish=True,
    )
    translate_page(page, "ar", title="مدرسة جول فيري")
    return page


def school_notice(school, text="La permanence du 10 novembre est annulée.", first=None, last=None, cancelled=None):
    notice = SchoolNotice(
        school=school,
        text=text,
        first_day=first or TODAY - timedelta(days=1),
        last_day=last or TODAY + timedelta(days=3),
        cancelled_day=cancelled,
        locale=Locale.get_default(),
    )
    notice.full_clean()
    notice.save()
    return notice


def main_text(response):
    assert response.status_code == 200
    return parse(response).find("main").get_text(" ", strip=True)


def test_a_school_notice_shows_on_the_school_page_in_every_language_until_its_last_day(client, school):
    notice = school_notice(school)
    assert notice.text in main_text(client.get(school.get_url()))
    arabic = school.get_translation(Locale.objects.get(language_code="ar"))
    response = client.get(arabic.get_url())
    item = parse(response).find(class_="school-notices").find("li")
    assert item.get_text(strip=True) == notice.text
    assert item["lang"] == "fr"  # not translated yet: the French text, marked

    notice.last_day = TODAY - timedelta(days=1)
    notice.first_day = TODAY - timedelta(days=5)
    notice.save()
    assert notice.text not in main_text(client.get(school.get_url()))


def test_a_notice_not_started_yet_is_not_shown(client, school):
    notice = school_notice(school, first=TODAY + timedelta(days=2), last=TODAY + timedelta(days=4))
    assert notice.text not in main_text(client.get(school.get_url()))


def test_a_translated_notice_shows_its_translation(client, school):
    notice = school_notice(school)
    arabic = notice.copy_for_translation(Locale.objects.get(language_code="ar"))
    arabic.text = "أُلغي الدوام يوم 10 نوفمبر."
    arabic.save()
    page = school.get_translation(Locale.objects.get(language_code="ar"))
    assert "أُلغي الدوام يوم 10 نوفمبر." in main_text(client.get(page.get_url()))


def test_the_notice_shows_on_the_booking_steps_of_that_school_and_in_the_api(client, school):
    notice = school_notice(school, cancelled=TODAY + timedelta(days=2))
    response = client.get(reverse("booking_start"), {"ecole": school.pk}, follow=True)
    assert notice.text in main_text(response)
    [item] = client.get("/api/v1/schools/").json()["items"]
    assert item["notices"] == [
        {
            "text": notice.text,
            "until": notice.last_day.isoformat(),
            "cancelled_day": (TODAY + timedelta(days=2)).isoformat(),
        }
    ]


def test_a_notice_ending_before_it_starts_is_refused(school):
    with pytest.raises(ValidationError) as error:
        school_notice(school, first=TODAY, last=TODAY - timedelta(days=1))
    assert "last_day" in error.value.message_dict
    banner = SiteNotice(text="Grève", starts_at=timezone.now(), ends_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        banner.full_clean()
    assert "ends_at" in error.value.message_dict


def test_a_cancelled_day_offers_no_slot_and_no_permanence(school):
    before = {s.start.date() for s in free_slots(school, now=NOW)}
    assert CANCELLED in before
    school_notice(school, cancelled=CANCELLED)
    after = {s.start.date() for s in free_slots(school, now=NOW)}
    assert after == before - {CANCELLED}
    # The same for the school page's next permanences, in any language.
    arabic = school.get_translation(Locale.objects.get(language_code="ar"))
    days = [o.day for o in next_occurrences(arabic, count=3, now=NOW)]
    assert CANCELLED not in days and len(days) == 3


def test_the_manager_sees_the_families_booked_that_day_and_tells_them_in_one_step(client, school, leroy):
    booked = AppointmentRequestFactory(
        school=school,
        assigned_worker=leroy,
        slot_start=paris(CANCELLED, 8, 30),
        status=AppointmentRequest.Status.SCHEDULED,
    )
    other_day = AppointmentRequestFactory(
        school=school,
        assigned_worker=leroy,
        slot_start=paris(CANCELLED + timedelta(days=7), 8, 30),
        status=AppointmentRequest.Status.SCHEDULED,
    )
    notice = school_notice(school, cancelled=CANCELLED)
    url = reverse("forms_admin:cancelled_day", args=[notice.pk])

    login_staff(client, UserFactory(groups=[COMMUNICATION]))
    assert client.get(url).status_code == 403

    login_staff(client, UserFactory(groups=[MANAGER]))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert booked.reference in page and other_day.reference not in page
    assert booked.parent_name not in page  # the reference and the time, not the family

    response = client.post(url, follow=True)
    assert "1 famille prévenue" in response.content.decode()
    booked.refresh_from_db()
    other_day.refresh_from_db()
    assert booked.status == AppointmentRequest.Status.CANCELLED_SERVICE
    assert other_day.status == AppointmentRequest.Status.SCHEDULED
    assert Notification.objects.filter(request=booked, kind=Notification.Kind.PARENT_CANCELLED).exists()


def test_the_site_banner_shows_on_every_page_between_its_dates_in_the_visitors_language(client, school):
    now = timezone.now()
    banner = SiteNotice.objects.create(
        text="Le CCAS est fermé le 24 décembre.",
        level=SiteNotice.Level.WARNING,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        locale=Locale.get_default(),
    )
    english = banner.copy_for_translation(Locale.objects.get(language_code="en"))
    english.text = "The CCAS is closed on 24 December."
    english.save()
    for url in ("/", school.get_url(), "/plan-du-site/"):
        assert banner.text in client.get(url).content.decode(), url
    translate_page(HomePage.objects.get(locale__language_code="fr"), "en")
    assert "The CCAS is closed on 24 December." in client.get("/en/").content.decode()

    SiteNotice.objects.filter(pk=banner.pk).update(ends_at=now - timedelta(minutes=1))
    cache.clear()  # the page cache keeps a page PAGE_CACHE_TIMEOUT (10 min) at most
    assert banner.text not in client.get("/").content.decode()
