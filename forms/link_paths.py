"""Where a family link's token sits in a URL, and how logs hide it (issue 17).

The links of forms.links are capabilities: whoever holds the URL may cancel or move the
appointment. The access log (portal.access_log) and Django's log records (the `redact_tokens`
filter in settings.LOGGING) write paths through `redact_tokens()`, so that a log file or a log
service never holds a usable link. The shapes follow forms/urls.py, under any language prefix;
tests/forms/test_link_privacy.py checks every kind of link against it. No model import: the
gunicorn logger and the logging configuration load this before Django's apps."""

from __future__ import annotations

import logging
import re

REDACTED = "[lien]"

# /annuler/<t>/, /annuler/<t>/deplacer/, /soirees/annuler/<t>/, /orientation/<t>/ and
# /orientation/<t>/creneau/ (with /en/, /ar/...), /rendez-vous/<t>.ics, /r/<t>, a worker's
# private feed /agenda/prive/<t>.ics; and the SMS provider's ?secret= (forms.notifications.views).
# A token is whatever sits between the slashes: the opaque tokens of forms.links (URL-safe
# base64) as well as the signed ones sent before them (with ":" and ".").
_TOKEN = re.compile(
    r"(?P<prefix>/(?:[a-z]{2}(?:-[a-z]+)?/)?(?:(?:soirees/)?annuler|orientation)/)[^/?#\s\"]+"
    r"|(?P<ics>/(?:rendez-vous|agenda/prive)/)[^/?#\s\"]+(?=\.ics)"
    r"|(?P<short>/r/)[^/?#\s\"]+"
    r"|(?P<secret>(?:^|[?&])secret=)[^&#\s\"]+"
)


def redact_tokens(text: str) -> str:
    """The text with every link token (and webhook secret) replaced by REDACTED."""
    if not text:
        return text
    return _TOKEN.sub(lambda match: next(group for group in match.groups() if group) + REDACTED, text)


class RedactTokens(logging.Filter):
    """A logging filter: the record's message with the tokens hidden (Django logs the path of
    every 4xx and 5xx answer, e.g. "Gone: /annuler/<token>/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
