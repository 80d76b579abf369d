"""In the Arabic booking steps, a place of the school's permanences that has no Arabic
wording yet is French text: it carries `lang="fr" dir="ltr"`; a translated place does not."""

import pytest

from tests.booking_walk import submit, walk_to
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
