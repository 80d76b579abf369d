"""The access log (forms.records.audit): every listing of families' data is recorded once per
view with who, what and the filters (never a search's words); refused attempts on another
queue's request are recorded; the manager alone reads the log, filtered and exported; rows
older than a year are deleted by the retention command."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forms.models import AccessRecord
from forms.records.retention import ACCESS_LOG_MONTHS, months_before, purge_personal_data
from tests.factories import AppointmentRequestFactory
from tests.helpers import login_staff

What = AccessRecord.What
LOG = reverse("forms_admin:access_log")


def records(user=None):
    rows = AccessRecord.objects.order_by("pk")
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows.values_list("what", "detail"))


def test_the_queue_is_recorded_with_its_filters_and_a_search_without_its_words(client, world):
    login_staff(client, world.manager)
    client.get(reverse("forms_admin:index"), {"queue": "service", "status": ["new", "acknowledged"], "p": "2"})
    client.get(reverse("forms_admin:index"), {"q": "Amina Benali 06 12 34 56 78"})
    [(what, detail), (search, search_detail)] = records(world.manager)
    assert what == What.QUEUE and detail == {"filters": {"queue": "service", "status": ["new", "acknowledged"]}}
    assert search == What.SEARCH
    assert "Amina" not in str(search_detail) and "06 12" not in str(search_detail)


def test_agenda_dashboard_statistics_and_exports_are_recorded(client, world):
    login_staff(client, world.manager)
    client.get(reverse("forms_admin:agenda"), {"worker": world.leroy.pk})
    client.get(reverse("wagtailadmin_home"))
    client.get(reverse("forms_admin:statistics"), {"year": "2026"})
    client.get(reverse("forms_admin:statistics"), {"export": "csv"})
    whats = [what for what, _detail in records(world.manager)]
    assert whats == [What.AGENDA, What.DASHBOARD, What.STATISTICS, What.EXPORT]
    agenda = AccessRecord.objects.get(what=What.AGENDA)
    assert agenda.detail["worker"] == world.leroy.pk and agenda.username == "responsable"
    assert AccessRecord.objects.get(what=What.EXPORT).detail == {"filters": {}, "format": "csv"}


def test_a_communication_users_dashboard_records_nothing(client, world):
    login_staff(client, world.communication)
    client.get(reverse("wagtailadmin_home"))
    assert records() == []


def test_an_attempt_on_another_queues_request_is_recorded_and_still_a_404(client, world):
    login_staff(client, world.worker)
    other = world.other_request.pk
    assert client.get(reverse("forms_admin:detail", args=[other])).status_code == 404
    assert client.get(reverse("forms_admin:history", args=[other])).status_code == 404
    assert client.post(reverse("forms_admin:action", args=[other, "acknowledge"])).status_code == 404
    refused = AccessRecord.objects.filter(what=What.REFUSED, user=world.worker)
    assert refused.count() == 3 and {r.detail["request"] for r in refused} == {other}
    # A request that does not exist is an ordinary 404, not an attempt on someone's file.
    assert client.get(reverse("forms_admin:detail", args=[999999])).status_code == 404
    assert refused.count() == 3


def test_opening_an_evenings_names_is_recorded(client, world):
    from tests.factories import make_evening, make_evening_index

    evening = make_evening(make_evening_index(world.home, publish=True), publish=True)
    login_staff(client, world.assistant)
    client.get(reverse("forms_evenings:detail", args=[evening.pk]))
    assert records(world.assistant) == [(What.EVENING, {"evening": evening.pk})]


@pytest.mark.parametrize("who", ["worker", "assistant", "communication"])
def test_only_the_manager_reads_the_log(client, world, who):
    login_staff(client, world.users()[who])
    assert client.get(LOG).status_code == 403
    assert client.get(LOG + "?export=csv").status_code == 403


def test_the_manager_filters_and_exports_the_log(client, world):
    login_staff(client, world.worker)
    client.get(reverse("forms_admin:index"))
    client.get(reverse("forms_admin:detail", args=[world.other_request.pk]))
    login_staff(client, world.manager)
    response = client.get(LOG, {"username": "referente", "what": What.REFUSED})
    assert response.status_code == 200
    assert [r.what for r in response.context["object_list"]] == [What.REFUSED]
    export = client.get(LOG, {"username": "referente", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Le", "Compte", "Consultation", "Détail"]
    assert {row[2] for row in rows[1:]} == {"File de demandes", "Accès refusé à une demande"}
    assert any(f"request={world.other_request.pk}" in row[3] for row in rows[1:])


def test_the_retention_command_deletes_the_log_after_a_year(world):
    now = timezone.now()
    old = AccessRecord.objects.create(
        username="x", what=What.QUEUE, at=months_before(now, ACCESS_LOG_MONTHS) - timedelta(days=1)
    )
    recent = AccessRecord.objects.create(username="x", what=What.QUEUE, at=now - timedelta(days=30))
    AppointmentRequestFactory()
    purge_personal_data(now)
    assert not AccessRecord.objects.filter(pk=old.pk).exists()
    assert AccessRecord.objects.filter(pk=recent.pk).exists()


def test_control_characters_in_a_filter_are_dropped_never_a_500(client, world):
    login_staff(client, world.manager)
    response = client.get(
        reverse("forms_admin:index"), {"queue": "all", "school": "1\x00", "\x00": "x", "reason": "\x07"}
    )
    assert response.status_code == 200
    [(what, detail)] = records(world.manager)
    assert what == What.QUEUE and detail == {"filters": {"queue": "all", "school": "1"}}
