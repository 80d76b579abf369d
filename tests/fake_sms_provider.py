"""Test doubles for the outside world of text messages: the in-memory outbox and a fake Brevo.

The fixtures are imported by tests/forms/conftest.py, so every test under tests/forms/ can ask
for `sms_outbox` and `fake_sms_provider`; elsewhere import them from here.

`FakeSmsProvider` is a local HTTP server (a thread, a free port) that answers
POST /transactionalSMS/send as Brevo does, records every request, can be told to fail
(500, 400 invalid number, 429, 402) or to hang past the client's timeout, and sends Brevo-shaped
delivery reports to a callback URL:

    fake_sms_provider.answer_next(500)          # the next request gets a 500, then back to 201
    fake_sms_provider.always(429)               # every request until reset()
    fake_sms_provider.fail_for("+33699999999", 400)
    fake_sms_provider.hang_next()               # the next request waits past SMS_TIMEOUT
    fake_sms_provider.report(provider_id, "delivered", callback_url)   # -> HTTP status
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

import pytest

from forms.notifications.sms.backends import locmem
from services.schedule import PARIS

API_KEY = "test-sms-api-key"
HANG = "hang"

ERRORS = {
    400: {"code": "invalid_parameter", "message": "Invalid phone number"},
    401: {"code": "unauthorized", "message": "Key not found"},
    402: {"code": "not_enough_credits", "message": "Not enough credits"},
    429: {"code": "too_many_requests", "message": "Too many requests"},
    500: {"code": "internal_error", "message": "Internal server error"},
    502: {"code": "bad_gateway", "message": "Bad gateway"},
    503: {"code": "service_unavailable", "message": "Service unavailable"},
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict  # lower-cased names
    body: bytes

    @property
    def json(self):
        return json.loads(self.body or b"null")


class FakeSmsProvider:
    def __init__(self, api_key: str = API_KEY, hang_seconds: float = 5.0):
        self.api_key = api_key
        self.hang_seconds = hang_seconds
        self.requests: list[RecordedRequest] = []
        self.accepted: dict[str, dict] = {}  # messageId -> the JSON body Brevo accepted
        self._ids = count(1001)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.reset()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The API root, for settings.SMS_API_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # What the next answers are.
    def reset(self):
        with self._lock:
            self._script: deque = deque()
            self._default: int | str = 201
            self._per_recipient: dict[str, int] = {}

    def answer_next(self, *statuses):
        """The next requests get these answers (an HTTP status or HANG), in order, then the default."""
        with self._lock:
            self._script.extend(statuses)

    def always(self, status):
        with self._lock:
            self._default = status

    def hang_next(self):
        self.answer_next(HANG)

    def fail_for(self, e164: str, status: int = 400):
        """Messages to this number get `status` (e.g. 400: invalid number)."""
        with self._lock:
            self._per_recipient[e164.lstrip("+")] = status

    @property
    def sent(self) -> list[dict]:
        """The JSON bodies of the messages accepted, in order."""
        return list(self.accepted.values())

    # Delivery reports.
    def report_body(self, provider_id, event: str, **extra) -> bytes:
        """The JSON Brevo posts to webUrl when message `provider_id` reaches `event`
        (sent, delivered, soft_bounce, hard_bounce, ...)."""
        accepted = self.accepted.get(str(provider_id), {})
        now = datetime.now(tz=UTC)
        body = {
            "id": 26570,
            "to": accepted.get("recipient", "33600000000"),
            "sms_count": 1,
            "credits_used": 1.0,
            "messageId": int(provider_id) if str(provider_id).isdigit() else provider_id,
            "remaining_credit": 1000.0,
            "msg_status": event,
            "date": now.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S"),
            "ts_event": int(now.timestamp()),
            "type": "transactional",
            "reference": f"ref-{provider_id}",
            "tag": accepted.get("tag", ""),
        }
        if event in {"soft_bounce", "hard_bounce"}:
            body["description"] = "Unreachable" if event == "soft_bounce" else "Unknown number"
        body.update(extra)
        return json.dumps(body).encode()

    def report(self, provider_id, event: str, url: str, **extra) -> int:
        """POST a delivery report to `url` (the webUrl, with its ?secret=); the HTTP status."""
        request = urllib.request.Request(
            url, data=self.report_body(provider_id, event, **extra), method="POST",
            headers={"content-type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def close(self):
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    # The server side.
    def _next_status(self, recipient: str):
        with self._lock:
            if self._script:
                return self._script.popleft()
            return self._per_recipient.get(recipient, self._default)

    def _handle(self, handler: BaseHTTPRequestHandler):
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.requests.append(RecordedRequest(handler.command, handler.path, headers, body))
        if handler.command != "POST" or handler.path != "/transactionalSMS/send":
            return 404, {"code": "not_found", "message": "Not found"}
        if headers.get("api-key") != self.api_key:
            return 401, ERRORS[401]
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"code": "bad_request", "message": "Invalid JSON"}
        if not isinstance(data, dict) or not all(data.get(k) for k in ("sender", "recipient", "content")):
            return 400, {"code": "missing_parameter", "message": "sender, recipient and content are required"}
        recipient = str(data["recipient"])
        if not recipient.isdigit():
            return 400, ERRORS[400]
        status = self._next_status(recipient)
        if status == HANG:
            self._release.wait(self.hang_seconds)
            status = 201
        if status != 201:
            return status, ERRORS.get(status, {"code": "error", "message": "Error"})
        message_id = next(self._ids)
        self.accepted[str(message_id)] = data
        sms_count = _brevo_sms_count(data["content"], bool(data.get("unicodeEnabled")))
        return 201, {
            "reference": f"ref-{message_id}",
            "messageId": message_id,
            "smsCount": sms_count,
            "usedCredits": float(sms_count),
            "remainingCredits": 1000.0 - sms_count,
        }

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self._answer()

            def do_GET(self):
                self._answer()

            def _answer(self):
                status, payload = fake._handle(self)
                raw = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def log_message(self, format, *args):
                pass

        return Handler


def _brevo_sms_count(content: str, unicode: bool) -> int:
    single, part = (70, 67) if unicode else (160, 153)
    return 1 if len(content) <= single else -(-len(content) // part)


@pytest.fixture
def sms_outbox(settings):
    """The locmem backend's outbox, emptied before and after the test; SMS_BACKEND set to it."""
    settings.SMS_BACKEND = "forms.notifications.sms.backends.locmem.SmsBackend"
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


@pytest.fixture
def fake_sms_provider(settings):
    """A fake Brevo on a local port; settings point the Brevo backend at it (1 s timeout)."""
    fake = FakeSmsProvider(api_key=API_KEY)
    settings.SMS_BACKEND = "forms.notifications.sms.backends.brevo.SmsBackend"
    settings.SMS_API_URL = fake.url
    settings.SMS_API_KEY = API_KEY
    settings.SMS_TIMEOUT = 1.0
    fake.hang_seconds = 3.0
    try:
        yield fake
    finally:
        fake.close()
