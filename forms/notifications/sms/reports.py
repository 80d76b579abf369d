"""Delivery reports: what the provider tells us later about a message it accepted.

`parse_report()` turns the body of a callback request into a `DeliveryReport` (the provider's
id of the message, and "sent", "delivered" or "failed"), after checking the shared secret.

The secret (settings.SMS_WEBHOOK_SECRET) travels in the callback URL the provider is given
with each message: the Brevo backend sends `webUrl` = settings.SMS_CALLBACK_URL with
`?secret=<SMS_WEBHOOK_SECRET>` added (Brevo calls that URL back as given, and signs nothing),
so the callback request carries it in its query string. A proxy or another provider may send
it in the `X-Sms-Webhook-Secret` header instead. It is compared in constant time; without a
configured secret no report is accepted. Serve the callback over HTTPS only (the secret is
in the URL) and keep it out of access logs where you can.

Formats:
- "brevo": Brevo's transactional SMS webhook, one JSON object per event: `messageId` (our
  SmsResult.provider_id), `msg_status` (sent, delivered, soft_bounce, hard_bounce, ...),
  `ts_event` (UTC epoch seconds) or `date` ("YYYY-MM-DD HH:MM:SS", Paris time), `tag`
  (our reference), `description`/`reason` for a bounce, and `to` (the number: never logged).
  The statistics API spells the events in camelCase (softBounce, hardBounces): both are read.
- "locmem", "console", "filebased" (development, tests, tests/fake_sms_provider.py):
  JSON {"id": provider_id, "status": "sent" | "delivered" | "failed", "error": "..."}.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from services.schedule import PARIS

SENT, DELIVERED, FAILED = "sent", "delivered", "failed"
STATUSES = (SENT, DELIVERED, FAILED)
SECRET_QUERY_KEY = "secret"
SECRET_HEADER = "X-Sms-Webhook-Secret"

# Brevo's events (webhook msg_status and statistics API spellings, normalised by _event_key).
BREVO_EVENTS = {
    "sent": SENT,
    "accepted": SENT,
    "delivered": DELIVERED,
    "softbounce": FAILED,  # the operator gave up (phone off or unreachable for too long)
    "hardbounce": FAILED,  # the number does not exist or cannot receive text messages
    "bounce": FAILED,
    "rejected": FAILED,
    "blocked": FAILED,  # blacklisted at Brevo (the number answered STOP to this sender)
    "skip": FAILED,
    "skipped": FAILED,
    "error": FAILED,
}
# Events that say nothing about delivery (a reply, a STOP): accepted and ignored.
BREVO_IGNORED = {"replied", "subscribe", "unsubscribe", "click"}
# The statistics API's plural spellings.
BREVO_ALIASES = {
    "softbounces": "softbounce",
    "hardbounces": "hardbounce",
    "bounces": "bounce",
    "replies": "replied",
    "reply": "replied",
    "unsubscription": "unsubscribe",
}


@dataclass
class DeliveryReport:
    provider_id: str
    status: str  # one of STATUSES
    at: datetime | None = None
    error: str = ""


class ForgedReport(Exception):
    """The callback did not carry the shared secret: not from our provider. Answer 403."""


class UnknownReport(ValueError):
    """The body is not a delivery report we can read (garbage, no message id, unknown event)."""


class IgnoredReport(UnknownReport):
    """A genuine event that is not about delivery (a reply, a STOP): answer 2xx, change nothing."""


def check_secret(headers: Mapping, query: Mapping) -> None:
    """Raise ForgedReport unless the request carries settings.SMS_WEBHOOK_SECRET."""
    expected = settings.SMS_WEBHOOK_SECRET or ""
    given = query.get(SECRET_QUERY_KEY) or _header(headers, SECRET_HEADER) or ""
    if isinstance(given, list | tuple):
        given = given[-1] if given else ""
    if not expected or not hmac.compare_digest(str(given).encode(), expected.encode()):
        raise ForgedReport("delivery report without the shared secret")


def parse_report(backend_name: str, request_body: bytes, headers: Mapping, query: Mapping) -> DeliveryReport:
    """The report in a callback request for `backend_name` ("brevo", "locmem", ...).

    Raises ForgedReport (bad or missing secret, checked first), UnknownReport (unreadable),
    IgnoredReport (an UnknownReport: a genuine event that is not about delivery)."""
    check_secret(headers, query)
    parser = PARSERS.get(backend_name)
    if parser is None:
        raise UnknownReport(f"no delivery reports for backend {backend_name!r}")
    try:
        data = json.loads(request_body or b"")
    except (ValueError, UnicodeDecodeError) as error:
        raise UnknownReport("body is not JSON") from error
    if not isinstance(data, dict):
        raise UnknownReport("body is not a JSON object")
    return parser(data)


def parse_brevo(data: dict) -> DeliveryReport:
    provider_id = _text(data.get("messageId", data.get("message_id")))
    if not provider_id:
        raise UnknownReport("Brevo report without messageId")
    event = _event_key(data.get("msg_status") or data.get("event") or data.get("status"))
    if event in BREVO_IGNORED:
        raise IgnoredReport(f"Brevo event {event!r} is not about delivery")
    status = BREVO_EVENTS.get(event)
    if status is None:
        raise UnknownReport(f"unknown Brevo event {event!r}")
    error = ""
    if status == FAILED:
        error = _text(data.get("description") or data.get("reason") or data.get("bounce_type")) or event
    return DeliveryReport(provider_id=provider_id, status=status, at=_brevo_time(data), error=error[:200])


def parse_simple(data: dict) -> DeliveryReport:
    provider_id, status = _text(data.get("id")), _text(data.get("status")).lower()
    if not provider_id or status not in STATUSES:
        raise UnknownReport("expected {'id': ..., 'status': 'sent' | 'delivered' | 'failed'}")
    at = None
    if data.get("at"):
        try:
            at = datetime.fromisoformat(_text(data["at"]))
        except ValueError as error:
            raise UnknownReport("'at' is not an ISO date-time") from error
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
    error = _text(data.get("error")) or ("failed" if status == FAILED else "")
    return DeliveryReport(provider_id=provider_id, status=status, at=at, error=error[:200])


PARSERS = {"brevo": parse_brevo, "locmem": parse_simple, "console": parse_simple, "filebased": parse_simple}


def _brevo_time(data: dict) -> datetime | None:
    ts = data.get("ts_event") or data.get("ts")
    if isinstance(ts, int | float) and not isinstance(ts, bool) and ts > 0:
        try:
            return datetime.fromtimestamp(ts, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    date = _text(data.get("date"))
    if date:
        try:
            parsed = datetime.fromisoformat(date)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)  # Brevo: CET/CEST
    return None


def _event_key(value) -> str:
    """One spelling per event: "soft_bounce", "softBounce" and "softBounces" -> "softbounce"."""
    key = re.sub(r"[^a-z]", "", _text(value).lower())
    return BREVO_ALIASES.get(key, key)


def _text(value) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()


def _header(headers: Mapping, name: str):
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is not None:
            return value
    lowered = name.lower()
    for key, value in dict(headers).items():
        if str(key).lower() == lowered:
            return value
    return None
