"""Delivery reports: the shared secret, Brevo's events mapped to sent/delivered/failed, and
bodies that are not reports. Real callbacks from the fake provider server where it matters."""

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from forms.notifications.sms import SmsMessage, send_sms
from forms.notifications.sms.reports import (
    DeliveryReport,
    ForgedReport,
    IgnoredReport,
    UnknownReport,
    parse_report,
)

SECRET = {"secret": "test-sms-webhook-secret"}
SECRET_HEADER = {"x-sms-webhook-secret": "test-sms-webhook-secret"}


def brevo(body: dict, query=SECRET, headers=None):
    return parse_report("brevo", json.dumps(body).encode(), headers or {}, query)


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ("sent", "sent"),
        ("accepted", "sent"),
        ("delivered", "delivered"),
        ("soft_bounce", "failed"),
        ("hard_bounce", "failed"),
        ("softBounce", "failed"),
        ("hardBounces", "failed"),
        ("rejected", "failed"),
        ("blocked", "failed"),
        ("skip", "failed"),
    ],
)
def test_brevo_events_map_to_three_statuses(event, status):
    at = datetime(2026, 12, 9, 16, 0, tzinfo=UTC)
    report = brevo({"messageId": 1234, "msg_status": event, "ts_event": int(at.timestamp())})
    assert (report.provider_id, report.status) == ("1234", status)
    assert report.at == at
    assert bool(report.error) == (status == "failed")


def test_brevo_failure_keeps_the_reason():
    report = brevo({"messageId": 7, "msg_status": "hard_bounce", "description": "Unknown number"})
    assert report.error == "Unknown number" and report.at is None


def test_brevo_local_date_is_paris_time():
    report = brevo({"messageId": 7, "msg_status": "delivered", "date": "2026-12-09 17:00:00"})
    assert report.at == datetime(2026, 12, 9, 16, 0, tzinfo=UTC)


def test_the_secret_may_come_in_a_header():
    report = brevo({"messageId": 7, "msg_status": "delivered"}, query={}, headers=SECRET_HEADER)
    assert report.status == "delivered"


@pytest.mark.parametrize(
    ("query", "headers"),
    [({}, {}), ({"secret": "guess"}, {}), ({"secret": ""}, {}), ({}, {"X-Sms-Webhook-Secret": "test-sms-webhook"})],
)
def test_a_report_without_the_secret_is_forged(query, headers):
    with pytest.raises(ForgedReport):
        brevo({"messageId": 7, "msg_status": "delivered"}, query=query, headers=headers)


def test_without_a_configured_secret_every_report_is_refused(settings):
    settings.SMS_WEBHOOK_SECRET = ""
    with pytest.raises(ForgedReport):
        brevo({"messageId": 7, "msg_status": "delivered"}, query={"secret": ""})


def test_the_secret_is_checked_before_the_body_is_read():
    with pytest.raises(ForgedReport):
        parse_report("brevo", b"\xff garbage", {}, {})


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe garbage",
        b"not json",
        b"[1, 2]",
        b'"delivered"',
        b"{}",
        b'{"msg_status": "delivered"}',
        b'{"messageId": 7, "msg_status": "teleported"}',
        b'{"messageId": {"nested": 1}, "msg_status": "delivered"}',
        b'{"messageId": 7}',
    ],
)
def test_garbage_is_an_unknown_report(body):
    with pytest.raises(UnknownReport):
        parse_report("brevo", body, {}, SECRET)


def test_replies_and_stops_are_ignored_not_errors():
    for event in ("replied", "unsubscribe", "replies"):
        with pytest.raises(IgnoredReport):
            brevo({"messageId": 7, "msg_status": event})


def test_unknown_backend_is_an_unknown_report():
    with pytest.raises(UnknownReport):
        parse_report("carrier-pigeon", b'{"id": "x", "status": "sent"}', {}, SECRET)


def test_local_report_format():
    body = json.dumps({"id": "locmem-abc", "status": "failed", "error": "no signal"}).encode()
    assert parse_report("locmem", body, {}, SECRET) == DeliveryReport("locmem-abc", "failed", None, "no signal")
    body = json.dumps({"id": "console-1", "status": "delivered", "at": "2026-12-09T17:00:00+01:00"}).encode()
    assert parse_report("console", body, {}, SECRET).at == datetime(2026, 12, 9, 16, 0, tzinfo=UTC)
    with pytest.raises(UnknownReport):
        parse_report("locmem", b'{"id": "x", "status": "lost"}', {}, SECRET)


class Callback:
    """A stand-in for our callback endpoint: parses what it receives, answers as a view would."""

    def __init__(self):
        self.reports, self.answers = [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                query = dict(parse_qsl(urlsplit(self.path).query))
                try:
                    outer.reports.append(parse_report("brevo", body, self.headers, query))
                    status = 204
                except ForgedReport:
                    status = 403
                except IgnoredReport:
                    status = 204
                except UnknownReport:
                    status = 400
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/reports/brevo/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callback():
    endpoint = Callback()
    yield endpoint
    endpoint.close()


def test_fake_provider_reports_reach_the_callback_url_it_was_given(fake_sms_provider, settings, callback):
    settings.SMS_CALLBACK_URL = callback.url
    result = send_sms(SmsMessage(to="+33612345678", text="Bonjour", reference="n5"))
    web_url = fake_sms_provider.requests[0].json["webUrl"]

    assert fake_sms_provider.report(result.provider_id, "delivered", web_url) == 204
    assert fake_sms_provider.report(result.provider_id, "hard_bounce", web_url) == 204
    assert fake_sms_provider.report(result.provider_id, "delivered", callback.url + "?secret=forged") == 403
    assert [(r.provider_id, r.status) for r in callback.reports] == [
        (result.provider_id, "delivered"),
        (result.provider_id, "failed"),
    ]
