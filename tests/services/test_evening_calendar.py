"""Thematic evenings: the pages, the .ics file of one evening and the feed of upcoming ones."""

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from services.schedule import PARIS, today
from tests.factories import make_evening, make_evening_index, translate_page


@pytest.fixture
def evenings_index(home):
    return make_evening_index(home)


def next_year(month, day):
    return date(today().year + 1, month, day)


def parse(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return calendar.walk("VEVENT")


@pytest.mark.parametrize(
    ("day", "utc_offset"),
    [(next_year(1, 14), timedelta(hours=1)), (next_year(6, 10), timedelta(hours=2))],
    ids=["winter", "summer"],
)
def test_evening_ics_has_the_paris_wall_clock_time(client, evenings_index, day, utc_offset):
    evening = make_evening(evenings_index, "Les écrans et le sommeil", day=day, start="18:30", end="20:30")
    response = client.get(f"/agenda/soiree-{evening.pk}.ics")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = parse(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    [event] = events(calendar)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(day.year, day.month, day.day, 18, 30, tzinfo=PARIS)
    assert start.utcoffset() == utc_offset
    assert str(start.tzinfo) == "Europe/Paris"
    assert end - start == timedelta(hours=2)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"


def test_evening_ics_describes_the_evening(client, evenings_index):
    evening = make_evening(
        evenings_index,
        "Harcèlement en ligne : en parler",
        day=next_year(2, 4),
        place="Centre social Émile-Zola",
        address="4 rue Émile-Zola, 92000 Nanterre",
        intro="Comprendre le cyberharcèlement et savoir réagir.",
    )
    [event] = events(parse(client.get(f"/agenda/soiree-{evening.pk}.ics")))

    assert event["UID"] == f"evening-{evening.translation_key}@testserver"
    assert event["SUMMARY"] == "Harcèlement en ligne : en parler"
    assert event["LOCATION"] == "Centre social Émile-Zola, 4 rue Émile-Zola, 92000 Nanterre"
    assert "Comprendre le cyberharcèlement" in event["DESCRIPTION"]
    assert event["URL"] == f"http://testserver{evening.url}"
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_translated_evening_is_the_same_event_in_its_own_language(client, evenings_index):
    evening = make_evening(evenings_index, "Le sommeil de l'enfant", day=next_year(3, 11))
    arabic = translate_page(evening, "ar", title="نوم الطفل")
    [french_event] = events(parse(client.get(f"/agenda/soiree-{evening.pk}.ics")))
    [arabic_event] = events(parse(client.get(f"/agenda/soiree-{arabic.pk}.ics")))

    assert arabic_event["UID"] == french_event["UID"]
    assert arabic_event["SUMMARY"] == "نوم الطفل"
    assert arabic_event["URL"].startswith("http://testserver/ar/")
    assert arabic_event.decoded("DTSTART") == french_event.decoded("DTSTART")


def test_evening_ics_is_404_unless_live(client, evenings_index):
    draft = make_evening(evenings_index, day=next_year(1, 20))
    draft.unpublish()
    assert client.get(f"/agenda/soiree-{draft.pk}.ics").status_code == 404
    assert client.get("/agenda/soiree-999999.ics").status_code == 404
    assert client.get(f"/agenda/soiree-{evenings_index.pk}.ics").status_code == 404


def test_feed_lists_only_upcoming_evenings_in_date_order(client, evenings_index):
    make_evening(evenings_index, "Passée", day=today() - timedelta(days=1))
    make_evening(evenings_index, "Plus tard", day=today() + timedelta(days=30))
    make_evening(evenings_index, "Ce soir", day=today(), start="20:00", end="21:30")
    make_evening(evenings_index, "Brouillon", day=today() + timedelta(days=3)).unpublish()

    response = client.get("/agenda/soirees.ics")

    assert response.status_code == 200
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["Cache-Control"] == "public, max-age=300"
    assert [str(e["SUMMARY"]) for e in events(parse(response))] == ["Ce soir", "Plus tard"]


def test_feed_of_a_language_lists_that_language_only(client, evenings_index):
    evening = make_evening(evenings_index, "Les écrans", day=today() + timedelta(days=10))
    make_evening(evenings_index, "Pas encore traduite", day=today() + timedelta(days=12))
    translate_page(evening, "ar", title="الشاشات")

    assert [str(e["SUMMARY"]) for e in events(parse(client.get("/agenda/soirees.ics?lang=ar")))] == ["الشاشات"]
    assert [str(e["SUMMARY"]) for e in events(parse(client.get("/agenda/soirees.ics")))] == [
        "Les écrans",
        "Pas encore traduite",
    ]


def test_empty_feed_is_still_a_calendar(client, home):
    calendar = parse(client.get("/agenda/soirees.ics?lang=tr"))
    assert events(calendar) == []
    assert calendar["VERSION"] == "2.0"


def test_feed_with_an_unknown_language_is_a_bad_request(client, home):
    assert client.get("/agenda/soirees.ics?lang=xx").status_code == 400


def test_calendar_urls_are_read_only(client, evenings_index):
    evening = make_evening(evenings_index, day=next_year(1, 20))
    assert client.post("/agenda/soirees.ics").status_code == 405
    assert client.post(f"/agenda/soiree-{evening.pk}.ics").status_code == 405


def test_evening_page_shows_the_facts_and_the_calendar_link(client, evenings_index):
    evening = make_evening(
        evenings_index,
        "Les écrans et le sommeil",
        day=next_year(1, 14),
        start="18:30",
        end="20:00",
        theme="Écrans",
        capacity=25,
    )
    html = client.get(evening.url).content.decode()

    assert "<h1>Les écrans et le sommeil</h1>" in html
    assert "14 janvier" in html
    assert "18 h 30</time> – <time" in html
    assert "20 h</time>" in html
    assert "Salle polyvalente" in html
    assert "Écrans" in html
    assert "Parents" in html
    assert "25 places" in html
    assert f'href="/agenda/soiree-{evening.pk}.ics"' in html
    assert "Ajouter à mon agenda (.ics)" in html


def test_evening_index_lists_upcoming_and_past_and_links_the_feed(client, evenings_index):
    make_evening(evenings_index, "Soirée à venir", day=today() + timedelta(days=5))
    make_evening(evenings_index, "Soirée passée", day=today() - timedelta(days=5))
    html = client.get(evenings_index.url).content.decode()

    upcoming, past = html.split('id="past-title"')
    assert "Soirée à venir" in upcoming and "Soirée passée" not in upcoming
    assert "Soirée passée" in past
    assert 'href="/agenda/soirees.ics?lang=fr"' in html
    assert 'type="text/calendar"' in html
