"""In the Arabic booking steps, a place of the school's permanences that has no Arabic
wording yet is French text: it carries `lang="fr" dir="ltr"`; a translated place does not."""

import pytest

from tests.booking_walk import submit, url, walk_to
from tests.factories import SchoolPageFactory, translate_page
from tests.helpers import parse

pytestmark = pytest.mark.usefixtures("fresh_cache")

FRENCH_PLACE = "Bureau du rez-de-chaussée"  # the factory's place


def spans_with(soup, text):
    return [span for span in soup.select("main span") if span.get_text(strip=True) == text]


@pytest.fixture
def school(db):
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.mark.django_db
def test_untranslated_place_is_marked_french_on_the_slot_recap_and_confirmation_steps(client, school):
    translate_page(school, "ar", title="مدرسة جول فيري")  # places left in French
    client.get(f"/ar/rendez-vous/?ecole={school.pk}")
    slots = parse(walk_to(client, "creneau", school, language="ar"))
    marked = spans_with(slots, FRENCH_PLACE)
    assert marked and all((span.get("lang"), span.get("dir")) == ("fr", "ltr") for span in marked)

    recap = parse(walk_to(client, "recapitulatif", school, language="ar", details={"language": "ar"}))
    assert [(s.get("lang"), s.get("dir")) for s in spans_with(recap, FRENCH_PLACE)] == [("fr", "ltr")]

    done = parse(client.get(submit(client, "ar")["Location"]))
    assert [(s.get("lang"), s.get("dir")) for s in spans_with(done, FRENCH_PLACE)] == [("fr", "ltr")]


@pytest.mark.django_db
def test_translated_place_and_school_name_carry_no_french_mark(client, school):
    translate_page(school, "ar", title="مدرسة جول فيري", places=["مكتب الطابق الأرضي"] * 5)
    client.get(f"/ar/rendez-vous/?ecole={school.pk}")
    slots = parse(walk_to(client, "creneau", school, language="ar"))
    main = slots.find("main")
    assert "مكتب الطابق الأرضي" in main.get_text() and "مدرسة جول فيري" in main.get_text()
    assert not [
        element for element in main.select("[lang]") if "مكتب" in element.get_text() or "مدرسة" in element.get_text()
    ]


@pytest.mark.django_db
def test_school_without_an_arabic_page_is_named_in_french(client, school):
    # The school's link opens the mode step with the school in its address (no session yet).
    step = parse(client.get(f"/ar/rendez-vous/?ecole={school.pk}", follow=True))
    name = spans_with(step, school.title)
    assert [(s.get("lang"), s.get("dir")) for s in name] == [("fr", "ltr")]


@pytest.mark.django_db
def test_arabic_page_that_keeps_the_french_name_is_marked_french(client, school):
    arabic = translate_page(school, "ar", title=school.title)
    step = parse(client.get(f"/ar/rendez-vous/?ecole={arabic.pk}", follow=True))
    assert [(s.get("lang"), s.get("dir")) for s in spans_with(step, school.title)] == [("fr", "ltr")]


@pytest.mark.django_db
def test_school_options_still_in_french_are_marked_french_on_the_first_step(client, school):
    translated = SchoolPageFactory(title="École maternelle Les Tilleuls", bookable_every_weekday=True)
    translate_page(translated, "ar", title="مدرسة الزيزفون")
    same_words = SchoolPageFactory(title="École Jacques Prévert", bookable_every_weekday=True)
    translate_page(same_words, "ar", title=same_words.title)
    options = {option["value"]: option for option in parse(client.get(url("ecole", "ar"))).select("select option")}

    def marks(page):
        return options[str(page.pk)].get("lang"), options[str(page.pk)].get("dir")

    assert marks(school) == ("fr", "ltr")  # no Arabic page: named in French
    assert marks(same_words) == ("fr", "ltr")  # an Arabic page that keeps the French name
    assert options[str(translated.pk)].get_text() == "مدرسة الزيزفون"
    assert marks(translated) == (None, None)
    assert options[""].get("lang") is None  # the translated prompt and "I don't know"


@pytest.mark.django_db
def test_school_options_carry_no_french_mark_on_the_french_page(client, school):
    options = parse(client.get(url("ecole"))).select("select option")
    assert options and not [option for option in options if option.get("lang")]
