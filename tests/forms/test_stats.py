"""The statistics equal counts made independently here, and the exports carry no personal data."""

import csv
import io
import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from forms.models import AppointmentRequest
from forms.phone import same_number_key
from forms.records.stats import bar_chart, compute_statistics
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, translate_page
from tests.helpers import login_staff

AR = AppointmentRequest
Status = AR.Status


@pytest.fixture
def requests_made(world):
    """A varied set of requests over two years, built from a seeded random generator."""
    rng = random.Random(7)
    schools = [world.school, world.other_school, None]
    made = [world.request, world.other_request, world.service_request]
    for n in range(60):
        school = rng.choice(schools)
        worker = {world.school: world.leroy, world.other_school: world.benali}.get(school)
        created = datetime(2025 + n % 2, rng.randint(1, 12), rng.randint(1, 28), 10, tzinfo=PARIS)
        status = rng.choice(Status.values)
        made.append(
            AppointmentRequestFactory(
                school=school,
                assigned_worker=worker,
                created_at=created,
                status=status,
                mode=rng.choice(AR.Mode.values),
                reason=rng.choice(AR.Reason.values),
                requester=rng.choice(AR.Requester.values),
                language=rng.choice([c for c, _n in settings.LANGUAGES]),
                routed_as=rng.choice(AR.Routing.values),
                interpreter_needed=rng.random() < 0.3,
                phone=rng.choice(["06 11 22 33 44", "+33 6 11 22 33 44", "0611223345", f"07 00 00 00 {n:02d}"]),
                slot_start=(created + timedelta(days=5)) if status != Status.NEW else None,
            )
        )
    return made


def rows_of(statistics, name):
    breakdown = next(b for b in [statistics.annual, *statistics.breakdowns] if b.name == name)
    return {row.key: row.count for row in breakdown.rows}


def test_breakdowns_equal_independent_counts(requests_made):
    statistics = compute_statistics(AR.objects.all())

    assert statistics.total == len(requests_made)
    for name, field in [
        ("reason", "reason"),
        ("mode", "mode"),
        ("requester", "requester"),
        ("language", "language"),
        ("origin", "routed_as"),
    ]:
        expected = Counter(getattr(r, field) for r in requests_made)
        counted = {key: count for key, count in rows_of(statistics, name).items() if count}
        assert counted == dict(expected), name
    months = Counter(r.created_at.astimezone(PARIS).strftime("%Y-%m") for r in requests_made)
    assert rows_of(statistics, "month") == dict(months)


def test_outcomes_and_annual_report_figures_equal_independent_counts(requests_made):
    statistics = compute_statistics(AR.objects.all())
    statuses = Counter(r.status for r in requests_made)

    outcome = rows_of(statistics, "outcome")
    assert outcome["done"] == statuses[Status.DONE]
    assert outcome["no_show"] == statuses[Status.NO_SHOW]
    assert outcome["cancelled_family"] + outcome["cancelled_service"] == (
        statuses[Status.CANCELLED_FAMILY] + statuses[Status.CANCELLED_SERVICE]
    )
    annual = rows_of(statistics, "annual")
    assert annual["interviews"] == statuses[Status.DONE]
    assert annual["home_visits"] == sum(1 for r in requests_made if r.status == Status.DONE and r.mode == AR.Mode.HOME)
    assert annual["families"] == len({same_number_key(r.phone) for r in requests_made})
    origins = Counter(r.routed_as for r in requests_made)
    assert annual["origin_service"] == round(100 * origins[AR.Routing.SERVICE] / len(requests_made), 1)


def test_one_phone_number_written_three_ways_is_one_family():
    assert same_number_key("06 11 22 33 44") == same_number_key("+33 6 11 22 33 44") == same_number_key("0611223344")


def test_a_school_counts_once_whatever_the_language_of_the_request(world):
    arabic = translate_page(world.school, "ar")
    AppointmentRequestFactory(school=arabic, assigned_worker=world.leroy)  # a request stored with the translated page

    schools = rows_of(compute_statistics(AR.objects.all()), "school")

    assert schools[str(world.school.translation_key)] == 2
    assert len(schools) == 3  # the two schools and "not given"


def test_the_report_filters_by_year(client, world, requests_made):
    login_staff(client, world.manager)

    response = client.get(reverse("forms_admin:statistics") + "?year=2025")

    expected = sum(1 for r in requests_made if r.created_at.astimezone(PARIS).year == 2025)
    assert response.context["statistics"].total == expected


def test_the_report_draws_svg_bars_without_javascript(client, world, requests_made):
    login_staff(client, world.assistant)

    content = client.get(reverse("forms_admin:statistics")).content.decode()

    assert content.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 8
    assert 'role="img"' in content


def test_bars_are_proportional_to_counts():
    from forms.records.stats import Breakdown, Row

    chart = bar_chart(Breakdown("x", "X", [Row("a", "A", 10), Row("b", "B", 5)]))

    assert chart["bars"][0]["width"] == 2 * chart["bars"][1]["width"]


def personal_values(requests):
    return [v for r in requests for v in (r.reference, r.parent_name, r.phone, r.email, r.child_first_name, r.message)]


def test_csv_export_holds_the_figures_and_no_personal_data(client, world, requests_made):
    login_staff(client, world.manager)

    response = client.get(reverse("forms_admin:statistics") + "?export=csv")

    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs to read UTF-8
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Rubrique", "Libellé", "Nombre", "Part (%)"]
    assert ["Chiffres du rapport d'activité", "Demandes reçues", str(len(requests_made)), ""] in rows
    assert not [v for v in personal_values(requests_made) if v in text]


def test_xlsx_export_holds_the_same_figures(client, world, requests_made):
    login_staff(client, world.manager)

    response = client.get(reverse("forms_admin:statistics") + "?export=xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Rubrique", "Libellé", "Nombre", "Part (%)"]
    assert [
        "Chiffres du rapport d'activité",
        "Entretiens réalisés",
        sum(1 for r in requests_made if r.status == Status.DONE),
        None,
    ] in values
    flat = " ".join(str(v) for row in values for v in row)
    assert not [v for v in personal_values(requests_made) if v in flat]
