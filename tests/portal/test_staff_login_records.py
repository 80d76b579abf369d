"""Staff login records (django-axes' access logs) are personal data: the daily retention
command deletes those older than STAFF_LOGIN_LOG_DAYS."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_successful_staff_login_is_recorded_then_deleted_after_the_retention_days(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    UserFactory(username="agent", password="correct-horse-battery", is_staff=True)
    client.post("/admin/login/", {"username": "agent", "password": "wrong"})
    client.post("/admin/login/", {"username": "agent", "password": "correct-horse-battery"})
    assert AccessLog.objects.filter(username="agent").count() == 1
    assert AccessFailureLog.objects.filter(username="agent").count() == 1
    old = timezone.now() - timedelta(days=settings.STAFF_LOGIN_LOG_DAYS + 1)
    for model in (AccessLog, AccessFailureLog):
        record = model.objects.create(username="agent", ip_address="192.0.2.1", user_agent="old")
        model.objects.filter(pk=record.pk).update(attempt_time=old)  # attempt_time is auto_now_add

    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)

    assert "2 staff login record(s) deleted." in out.getvalue()
    assert AccessLog.objects.count() == 1 and not AccessLog.objects.filter(user_agent="old").exists()
    assert AccessFailureLog.objects.count() == 1 and not AccessFailureLog.objects.filter(user_agent="old").exists()
