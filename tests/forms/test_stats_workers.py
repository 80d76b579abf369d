"""Per-worker figures, lead times and no-shows per school (issue 15), on a data set counted here
by hand; who may read them ("Mes chiffres" is a worker's own row only); their CSV exports and
their lines in the access log."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse

from forms.models import AccessRecord, AppointmentRequest, RequestEvent
from forms.records.stats import worker_statistics
from services.schedule import PARIS
from tests.factories import AppointmentRequestFactory, SocialWorkerFactory
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

AR = AppointmentRequest
Kind, Status = RequestEvent.Kind, AR.Status
WORKERS_URL = reverse("forms_admin:worker_statistics")
MINE_URL = reverse("forms_admin:my_figures")
# The report's queries (measured: 16), the same with three workers or eleven: session, user,
# permissions, two-factor device, the access log's insert, the year choices, the requests with
# their first contact (one query), the workers' names, the schools' titles, the admin's menu.
VIEW_QUERIES = 16


def at(month, day, hour=10):
    return datetime(2025, month, day, hour, tzinfo=PARIS)


@pytest.fixture
def known_year(world):
    """Seven requests of 2025 (World's three are of today, outside the year):

    leroy (École Jules-Ferry)
      L1  3 Mar, acknowledged 5 Mar, scheduled 6 Mar for 10 Mar, held: contact 2 d, appointment 7 d
      L2  4 Mar, recorded by the service, appointment 8 Mar, missed: contact 0 d, appointment 4 d
      L3  1 Apr, cancelled by the family (its time 5 Apr is no appointment), never contacted
      L4  2 Apr, acknowledged 3 Apr, no appointment yet: contact 1 d
    benali (École Jean-Jaurès)
      B1  5 May, viewed 5 May, note 6 May, scheduled 10 May for 12 May, missed: contact 5 d, appointment 7 d
      B2  6 May, cancelled by the service, never contacted
    service queue
      S1  2 Jun, reassigned and viewed the same day, never contacted
    """

    def make(worker, school, created, status, slot=None, staff=None, events=()):
        request = AppointmentRequestFactory(
            school=school,
            assigned_worker=worker,
            created_at=created,
            status=status,
            slot_start=slot,
            history=False,
        )
        request.events.create(kind=Kind.CREATED, at=created, user=staff)
        for kind, when in events:
            request.events.create(kind=kind, at=when, user=world.worker)
        return request

    leroy, benali, school, other = world.leroy, world.benali, world.school, world.other_school
    make(
        leroy,
        school,
        at(3, 3),
        Status.DONE,
        slot=at(3, 10),
        events=[(Kind.ACKNOWLEDGED, at(3, 5)), (Kind.SCHEDULED, at(3, 6)), (Kind.DONE, at(3, 10, 11))],
    )
    make(leroy, school, at(3, 4), Status.NO_SHOW, slot=at(3, 8), staff=world.worker)
    make(leroy, school, at(4, 1), Status.CANCELLED_FAMILY, slot=at(4, 5))
    make(leroy, school, at(4, 2), Status.ACKNOWLEDGED, events=[(Kind.ACKNOWLEDGED, at(4, 3))])
    make(
        benali,
        other,
        at(5, 5),
        Status.NO_SHOW,
        slot=at(5, 12),
        events=[(Kind.VIEWED, at(5, 5, 11)), (Kind.NOTE, at(5, 6)), (Kind.SCHEDULED, at(5, 10))],
    )
    make(benali, other, at(5, 6), Status.CANCELLED_SERVICE)
    make(None, None, at(6, 2), Status.NEW, events=[(Kind.REASSIGNED, at(6, 2, 11)), (Kind.VIEWED, at(6, 2, 12))])


def figures_2025(**kwargs):
    return worker_statistics(AR.objects.filter(created_at__year=2025), **kwargs)


def worker_rows(figures):
    return {
        row.worker: (
            row.requests,
            row.contacted,
            row.appointments,
            row.done,
            row.no_show,
            row.cancelled,
            row.days_to_contact,
            row.days_to_appointment,
        )
        for row in figures.workers
    }


def test_the_figures_per_worker_equal_the_hand_count(known_year, world):
    assert worker_rows(figures_2025()) == {
        # requests, contacted, appointments, held, missed, cancelled, median days to contact, to appointment
        "Mme Claire Leroy": (4, 3, 2, 1, 1, 1, 1.0, 5.5),
        "M. Karim Benali": (2, 1, 1, 0, 1, 1, 5.0, 7.0),
        "File du service": (1, 0, 0, 0, 0, 0, None, None),
    }


def test_the_service_queue_comes_last(known_year):
    assert [row.worker for row in figures_2025().workers][-1] == "File du service"


def test_the_lead_times_are_the_median_and_mean_of_each_leg(known_year):
    legs = {row.key: (row.count, row.median, row.mean) for row in figures_2025().lead_times}

    assert legs == {
        "request_to_contact": (4, 1.5, 2.0),  # 2, 0, 1, 5
        "contact_to_appointment": (3, 4.0, 3.7),  # 5 (L1), 4 (L2), 2 (B1)
        "request_to_appointment": (3, 7.0, 6.0),  # 7, 4, 7
    }


def test_viewing_a_note_or_a_reassignment_is_no_first_contact(known_year):
    service_queue = next(row for row in figures_2025().workers if row.worker_id is None)

    assert service_queue.contacted == 0


def test_the_no_show_rate_per_school_counts_appointments_whose_outcome_is_known(known_year):
    schools = {row.school: (row.done, row.no_show, row.rate) for row in figures_2025().schools}

    assert schools == {"École Jean-Jaurès": (0, 1, 100.0), "École Jules-Ferry": (1, 1, 50.0)}
    assert [row.school for row in figures_2025().schools] == ["École Jean-Jaurès", "École Jules-Ferry"]


def test_a_worker_without_request_in_the_period_gets_a_row_of_zeros_when_asked(world):
    figures = worker_statistics(AR.objects.filter(created_at__year=2025), include=[world.leroy])

    assert worker_rows(figures) == {"Mme Claire Leroy": (0, 0, 0, 0, 0, 0, None, None)}
    assert [(row.count, row.median, row.mean) for row in figures.lead_times] == [(0, None, None)] * 3


def test_the_manager_reads_every_worker_for_the_chosen_year(client, world, known_year):
    login_staff(client, world.manager)

    response = client.get(WORKERS_URL + "?year=2025")

    assert response.status_code == 200
    assert worker_rows(response.context["figures"]) == worker_rows(figures_2025())
    content = response.content.decode()
    assert "Mme Claire Leroy" in content and "M. Karim Benali" in content and "100,0" in content


def test_the_worker_table_never_shows_a_familys_data(client, world, known_year):
    login_staff(client, world.manager)

    content = client.get(WORKERS_URL).content.decode()

    for request in AR.objects.all():
        assert request.parent_name not in content and request.reference not in content


def test_the_report_query_count_does_not_grow_with_workers(client, world, known_year, django_assert_max_num_queries):
    login_staff(client, world.manager)
    with django_assert_max_num_queries(VIEW_QUERIES):
        client.get(WORKERS_URL + "?year=2025")
    for n in range(8):
        worker = SocialWorkerFactory(public_name=f"Travailleur {n}")
        AppointmentRequestFactory(assigned_worker=worker, created_at=at(7, n + 1), status=Status.DONE)

    with django_assert_max_num_queries(VIEW_QUERIES):
        response = client.get(WORKERS_URL + "?year=2025")

    assert len(response.context["figures"].workers) == 11


def test_a_worker_reads_only_her_own_figures(client, world, known_year):
    login_staff(client, world.worker)

    response = client.get(MINE_URL + "?year=2025")

    assert response.status_code == 200
    assert worker_rows(response.context["figures"]) == {"Mme Claire Leroy": (4, 3, 2, 1, 1, 1, 1.0, 5.5)}
    assert [row.school for row in response.context["figures"].schools] == ["École Jules-Ferry"]
    content = response.content.decode()
    assert "Karim Benali" not in content and "Jean-Jaurès" not in content


def test_a_worker_cannot_widen_her_figures_with_parameters(client, world, known_year):
    login_staff(client, world.other_worker)

    response = client.get(MINE_URL + f"?year=2025&worker={world.leroy.pk}&assigned_worker={world.leroy.pk}")

    assert worker_rows(response.context["figures"]) == {"M. Karim Benali": (2, 1, 1, 0, 1, 1, 5.0, 7.0)}


@pytest.mark.parametrize("role", ["worker", "assistant"])
def test_only_the_manager_reads_the_table_of_every_worker(client, world, known_year, role):
    login_staff(client, getattr(world, role))

    assert client.get(WORKERS_URL).status_code == 403
    assert client.get(WORKERS_URL + "?export=csv&table=workers").status_code == 403
    assert WORKERS_URL not in client.get(reverse("forms_admin:statistics")).content.decode()


def test_the_managers_statistics_page_links_to_the_table_of_every_worker(client, world):
    login_staff(client, world.manager)

    assert WORKERS_URL in client.get(reverse("forms_admin:statistics")).content.decode()


@pytest.mark.parametrize("url", [WORKERS_URL, MINE_URL, MINE_URL + "?export=csv", WORKERS_URL + "?export=csv"])
def test_communication_staff_read_no_figures(client, world, known_year, url):
    login_staff(client, world.communication)

    assert client.get(url).status_code == 403
    assert not AccessRecord.objects.exists()


def test_the_manager_has_no_own_figures_without_a_queue(client, world):
    login_staff(client, world.manager)

    assert client.get(MINE_URL).status_code == 403


def csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\xef\xbb\xbf") == 1
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_each_table_exports_alone_as_csv_with_a_byte_order_mark(client, world, known_year):
    login_staff(client, world.manager)

    workers = csv_rows(client.get(WORKERS_URL + "?year=2025&export=csv&table=workers"))
    lead_times = csv_rows(client.get(WORKERS_URL + "?year=2025&export=csv&table=lead_times"))
    schools = csv_rows(client.get(WORKERS_URL + "?year=2025&export=csv&table=schools"))

    assert workers[0][:3] == ["Travailleur social", "Demandes reçues", "Premier contact établi"]
    assert workers[1:] == [
        ["M. Karim Benali", "2", "1", "1", "0", "1", "1", "5.0", "7.0"],
        ["Mme Claire Leroy", "4", "3", "2", "1", "1", "1", "1.0", "5.5"],
        ["File du service", "1", "0", "0", "0", "0", "0", "", ""],
    ]
    assert lead_times[1:] == [
        ["De la demande au premier contact", "4", "1.5", "2.0"],
        ["Du premier contact au rendez-vous", "3", "4.0", "3.7"],
        ["De la demande au rendez-vous", "3", "7.0", "6.0"],
    ]
    assert schools == [
        ["École", "Rendez-vous honorés", "Absences au rendez-vous", "Taux d'absence (%)"],
        ["École Jean-Jaurès", "0", "1", "100.0"],
        ["École Jules-Ferry", "1", "1", "50.0"],
    ]


def test_each_table_exports_as_xlsx_too(client, world, known_year):
    from openpyxl import load_workbook

    login_staff(client, world.manager)

    response = client.get(WORKERS_URL + "?year=2025&export=xlsx&table=lead_times")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Délai", "Demandes comptées", "Médiane (jours)", "Moyenne (jours)"]
    assert rows[1] == ["De la demande au premier contact", 4, 1.5, 2.0]


def test_a_workers_export_is_her_own_row(client, world, known_year):
    login_staff(client, world.worker)

    rows = csv_rows(client.get(MINE_URL + "?year=2025&export=csv&table=workers"))

    assert [row[0] for row in rows[1:]] == ["Mme Claire Leroy"]


@pytest.mark.parametrize(
    "query", ["?table=nope", "?year=abc", "?year=1999&export=csv&table=nope", "?created_at_after=notadate", "?year="]
)
def test_bad_parameters_never_give_a_server_error(client, world, known_year, query):
    login_staff(client, world.manager)

    assert client.get(WORKERS_URL + query).status_code == 200


def test_every_view_and_export_of_the_figures_is_in_the_access_log(client, world, known_year):
    login_staff(client, world.manager)
    client.get(WORKERS_URL + "?year=2025")
    client.get(WORKERS_URL + "?year=2025&export=csv&table=schools")
    login_staff(client, world.worker)
    client.get(MINE_URL)

    records = list(AccessRecord.objects.order_by("pk").values_list("username", "what", "detail"))

    assert records == [
        ("responsable", "statistics", {"report": "workers", "filters": {"year": "2025"}}),
        (
            "responsable",
            "export",
            {"report": "workers", "format": "csv", "filters": {"table": "schools", "year": "2025"}},
        ),
        ("referente", "statistics", {"report": "mine", "filters": {}}),
    ]


def test_the_menu_offers_my_figures_to_workers_only(client, world):
    for user, shown in [(world.worker, True), (world.manager, False), (world.communication, False)]:
        login_staff(client, user)
        assert (MINE_URL in client.get("/admin/").content.decode()) is shown
