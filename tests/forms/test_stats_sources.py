"""Statistics by source and the annual report (issue 14), on a known data set: every figure is
counted here by hand."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from forms.models import AppointmentRequest, RequestEvent
from forms.records.stats import compute_statistics, first_contact_days
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, translate_page
from tests.helpers import login_staff, parse

pytestmark = pytest.mark.django_db

AR = AppointmentRequest
Source, Status = AR.Source, AR.Status


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=PARIS)


@pytest.fixture
def known_year(world):
    """World's three requests (parents, today) moved to 2025, and eight in 2026."""
    AR.objects.update(created_at=at(1, 1).replace(year=2025))
    made = []

    def make(source, school, month, status=Status.NEW, mode=AR.Mode.CCAS, contact_after=None, staff=None, **fields):
        worker = {world.school: world.leroy, world.other_school: world.benali}.get(school)
        request = AppointmentRequestFactory(
            school=school,
            assigned_worker=worker,
            source=source,
            status=status,
            mode=mode,
            created_at=at(month, 3),
            history=False,
            **fields,
        )
        request.events.create(kind=RequestEvent.Kind.CREATED, at=request.created_at, user=staff)
        if contact_after is not None:
            request.events.create(kind=RequestEvent.Kind.ACKNOWLEDGED, at=request.created_at + contact_after)
        made.append(request)
        return request

    make(Source.TEACHER, world.school, 9, contact_after=timedelta(days=2))
    make(Source.TEACHER, world.school, 9, status=Status.DONE, contact_after=timedelta(days=4))
    make(Source.DIRECTOR, world.other_school, 10, contact_after=timedelta(days=1))
    make(Source.PARTNER, None, 10)
    make(Source.PARENT, world.school, 10, status=Status.DONE, mode=AR.Mode.HOME, contact_after=timedelta(days=6))
    make(Source.RELATIVE, world.other_school, 11)
    make(Source.PERMANENCE, world.school, 11, status=Status.DONE, staff=world.worker)
    make(Source.PHONE, world.other_school, 11, staff=world.assistant, slot_start=at(11, 20), interpreter_needed=True)
    return made


def rows(breakdown):
    return {row.key: row.count for row in breakdown.rows}


def stats_2026():
    return compute_statistics(AR.objects.filter(created_at__year=2026))


def named(statistics, name):
    return next(b for b in [statistics.annual, *statistics.breakdowns] if b.name == name)


def table(statistics, name):
    found = next(t for t in statistics.tables if t.name == name)
    return {
        label: dict(zip([key for key, _l in found.columns], counts, strict=True)) for _k, label, counts in found.rows
    }


def test_requests_by_source_group_and_by_source(known_year):
    statistics = stats_2026()

    assert rows(named(statistics, "source_group")) == {
        "teachers": 3,
        "parents": 2,
        "partners": 1,
        "own_initiative": 2,
    }
    detailed = {key: count for key, count in rows(named(statistics, "source")).items() if count}
    assert detailed == {
        "teacher": 2,
        "director": 1,
        "partner": 1,
        "parent": 1,
        "relative": 1,
        "permanence": 1,
        "phone": 1,
    }


def test_sources_by_month(known_year):
    by_month = table(stats_2026(), "source_by_month")

    assert by_month == {
        "septembre 2026": {"teachers": 2, "parents": 0, "partners": 0, "own_initiative": 0},
        "octobre 2026": {"teachers": 1, "parents": 1, "partners": 1, "own_initiative": 0},
        "novembre 2026": {"teachers": 0, "parents": 1, "partners": 0, "own_initiative": 2},
    }


def test_sources_by_school_count_a_school_once_whatever_the_language(known_year, world):
    arabic = translate_page(world.school, "ar")
    AppointmentRequestFactory(school=arabic, assigned_worker=world.leroy, source=Source.TEACHER, created_at=at(12, 1))

    by_school = table(stats_2026(), "source_by_school")

    assert by_school["École Jules-Ferry"] == {"teachers": 3, "parents": 1, "partners": 0, "own_initiative": 1}
    assert by_school["École Jean-Jaurès"] == {"teachers": 1, "parents": 1, "partners": 0, "own_initiative": 1}
    assert by_school["École non précisée"] == {"teachers": 0, "parents": 0, "partners": 1, "own_initiative": 0}


def test_lead_time_to_first_contact_counts_staff_recorded_requests_as_immediate(known_year):
    days = sorted(first_contact_days(AR.objects.filter(created_at__year=2026)))

    # Four acknowledged after 1, 2, 4 and 6 days; two recorded by staff (0); two never contacted.
    assert days == [0.0, 0.0, 1.0, 2.0, 4.0, 6.0]
    assert rows(named(stats_2026(), "annual"))["lead_time"] == 1.5


def test_the_annual_figures_on_the_known_year(known_year):
    annual = rows(named(stats_2026(), "annual"))

    assert annual["requests"] == 8
    assert annual["interviews"] == 3
    assert annual["home_visits"] == 1
    assert annual["source_teachers"] == 37.5
    assert annual["source_own_initiative"] == 25.0


def test_the_exports_carry_the_sources_by_month_and_school(client, world, known_year):
    login_staff(client, world.manager)

    response = client.get(reverse("forms_admin:statistics") + "?export=csv&year=2026")

    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["Origine des demandes", "Enseignants et directions d'école", "3", "37.5"] in lines
    assert ["Origine des demandes par mois", "novembre 2026 — Partenaires", "0", ""] in lines
    assert ["Origine des demandes par école", "École Jules-Ferry — Enseignants et directions d'école", "2", ""] in lines


def test_the_statistics_page_shows_the_source_tables(client, world, known_year):
    login_staff(client, world.assistant)

    page = parse(client.get(reverse("forms_admin:statistics") + "?year=2026"))

    assert page.select_one("#stats-source_by_month") is not None
    assert page.select_one("#stats-source_by_school") is not None
    assert page.select_one(f'a[href="{reverse("forms_admin:annual_report")}?year=2026"]') is not None


def test_the_annual_report_is_a_printable_page_of_the_years_figures(client, world, known_year):
    login_staff(client, world.manager)

    response = client.get(reverse("forms_admin:annual_report") + "?year=2026")

    assert response.status_code == 200
    page = parse(response)
    assert "rapport d'activité 2026" in page.title.get_text()
    assert "@media print" in response.content.decode()
    school_rows = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in page.find("h2", string="Par école").find_next("table").select("tbody tr")
    }
    assert school_rows["École Jules-Ferry"] == ["4", "0", "3"]
    assert school_rows["École Jean-Jaurès"] == ["3", "1", "0"]
    figures = page.select_one(".figures").get_text(" ", strip=True)
    assert "8 Demandes reçues" in figures
    assert "0 Entretiens avec interprète" in figures  # the interpreter request was not held
    assert "1,5 Délai médian" in figures
    for request in known_year:
        assert request.parent_name not in response.content.decode()


@pytest.mark.parametrize(
    "role, status",
    [("worker", 403), ("other_worker", 403), ("manager", 200), ("assistant", 200), ("communication", 403)],
)
def test_the_annual_report_is_for_the_roles_that_read_statistics(client, world, role, status):
    login_staff(client, world.users()[role])

    assert client.get(reverse("forms_admin:annual_report")).status_code == status


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(reverse("forms_admin:annual_report"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
