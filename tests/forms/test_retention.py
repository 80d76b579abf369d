"""The purge anonymises exactly the requests closed longer ago than the retention period."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from forms.models import AppointmentRequest, Notification, RequestEvent
from forms.records import operations
from forms.records.retention import months_before
from forms.records.stats import compute_statistics
from tests.factories import AppointmentRequestFactory, BookingSettingsFactory, NotificationFactory
from tests.helpers import login_staff

Status, Kind = AppointmentRequest.Status, RequestEvent.Kind
PERSONAL = ["parent_name", "phone", "email", "child_first_name", "child_class", "message", "availabilities", "place"]


def ago(months, days=0):
    return months_before(timezone.now(), months) - timedelta(days=days)


@pytest.fixture
def requests(world):
    def closed(months, days=0, status=Status.DONE, anonymised_at=None, **fields):
        request = AppointmentRequestFactory(
            school=world.school, assigned_worker=world.leroy, status=status, closed_at=ago(months, days), **fields
        )
        operations.add_note(request, world.worker, "La mère a perdu son emploi")
        request.record(Kind.CANCELLED, user=world.worker, reason="Hébergée chez sa sœur")
        NotificationFactory(kind=Notification.Kind.PARENT_SCHEDULED, request=request)
        if anonymised_at:
            AppointmentRequest.objects.filter(pk=request.pk).update(anonymised_at=anonymised_at)
            request.refresh_from_db()
        return request

    return {
        "expired_done": closed(25, place="12 rue des Lilas", mode=AppointmentRequest.Mode.HOME),
        "expired_cancelled": closed(24, days=2, status=Status.CANCELLED_FAMILY),
        "recent": closed(23),
        "active_old": AppointmentRequestFactory(school=world.school, assigned_worker=world.leroy, created_at=ago(30)),
        "already": closed(30, anonymised_at=ago(2)),
    }


def purge(*args):
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_the_purge_anonymises_exactly_the_expired_requests(requests):
    before = {key: AppointmentRequest.objects.get(pk=r.pk) for key, r in requests.items()}

    output = purge()

    assert "2 request(s)" in output
    for key, request in requests.items():
        request.refresh_from_db()
        if key.startswith("expired"):
            assert all(getattr(request, field) == "" for field in PERSONAL), key
            assert request.anonymised_at is not None
            assert request.events.filter(kind=Kind.ANONYMISED).count() == 1
            texts = [
                e.data.get("text") or e.data.get("reason")
                for e in request.events.filter(kind__in=[Kind.NOTE, Kind.CANCELLED])
            ]
            assert texts and not any(texts)
            assert set(request.notifications.values_list("recipient", flat=True)) == {""}
            assert ModelLogEntry.objects.filter(object_id=str(request.pk), action="forms.request.anonymised").exists()
        else:
            unchanged = before[key]
            assert [getattr(request, f) for f in PERSONAL] == [getattr(unchanged, f) for f in PERSONAL], key
            assert request.anonymised_at == unchanged.anonymised_at
            assert not request.events.filter(kind=Kind.ANONYMISED).exists()


def test_the_purge_keeps_what_the_statistics_need(requests):
    before = compute_statistics(AppointmentRequest.objects.all())
    kept = {
        r.pk: (r.school_id, r.reason, r.mode, r.language, r.status, r.created_at, r.closed_at)
        for r in requests.values()
    }

    purge()

    after = compute_statistics(AppointmentRequest.objects.all())
    for request in AppointmentRequest.objects.filter(pk__in=kept):
        assert (
            request.school_id,
            request.reason,
            request.mode,
            request.language,
            request.status,
            request.created_at,
            request.closed_at,
        ) == kept[request.pk]
    assert [b.rows for b in after.breakdowns] == [b.rows for b in before.breakdowns]


def test_dry_run_counts_and_changes_nothing(requests):
    output = purge("--dry-run")

    assert "2 request(s)" in output and "dry run" in output
    assert not AppointmentRequest.objects.filter(anonymised_at__isnull=False).exclude(pk=requests["already"].pk)
    assert (
        requests["expired_done"].parent_name
        == AppointmentRequest.objects.get(pk=requests["expired_done"].pk).parent_name
    )


def test_the_retention_period_is_a_setting(requests):
    BookingSettingsFactory(retention_months=12)

    output = purge()

    assert "3 request(s)" in output  # the request closed 23 months ago goes too
    assert AppointmentRequest.objects.get(pk=requests["recent"].pk).parent_name == ""


def test_months_are_counted_on_the_calendar():
    assert months_before(datetime(2026, 3, 31, 12), 1) == datetime(2026, 2, 28, 12)
    assert months_before(datetime(2026, 1, 15), 24) == datetime(2024, 1, 15)


def test_an_anonymised_request_still_opens_for_its_worker(client, world, requests):
    purge()
    login_staff(client, world.worker)

    response = client.get(f"/admin/demandes/{requests['expired_done'].pk}/")

    assert response.status_code == 200
    assert "anonymisée" in response.content.decode()
