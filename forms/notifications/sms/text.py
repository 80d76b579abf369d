"""What a text message says, and what it costs: rendering, GSM-7 folding and segment counts.

Each kind of message has one template per kind, `forms/sms/<kind>.txt`, its sentences
written with `{% translate %}` / `{% blocktranslate trimmed %}` (the catalogues hold one entry
per sentence and language). `render_sms()` renders it in the family's language, collapses
whitespace and, for the languages written in the Latin alphabet without letters of their own
(French, English, Portuguese), folds the accents the GSM-7 alphabet lacks (ê -> e, ç -> c):
the message then costs 160 characters a segment instead of 70. Arabic and Turkish are sent
as Unicode (UCS-2) and their texts are kept to one short sentence and the link.

Lengths (3GPP TS 23.038): GSM-7 holds 160 septets in one segment, 153 per segment of a longer
message; the extension characters (€ [ ] { } \\ ^ ~ | and form feed) take two septets.
UCS-2 holds 70 UTF-16 code units in one segment, 67 per segment otherwise; a character
outside the Basic Multilingual Plane (an emoji) takes two. Neither an escape pair nor a
surrogate pair is split across segments, as phones do.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.dateformat import format as format_date

from services.schedule import PARIS

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
_BASIC, _EXTENSION = frozenset(GSM7_BASIC), frozenset(GSM7_EXTENSION)

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Characters with no GSM-7 form, and what they become. Letters not listed here lose their
# accent when the bare letter is GSM-7 (unicodedata decomposition), see fold_to_gsm().
FOLDS = {
    "ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c",
    "ã": "a", "õ": "o", "á": "a", "í": "i", "ó": "o", "ú": "u", "ÿ": "y",
    "Ê": "E", "Ë": "E", "È": "E", "Â": "A", "À": "A", "Á": "A", "Ã": "A", "Î": "I", "Ï": "I",
    "Í": "I", "Ì": "I", "Ô": "O", "Ó": "O", "Ò": "O", "Õ": "O", "Û": "U", "Ú": "U", "Ù": "U",
    "œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "‚": "'", "«": '"', "»": '"', "“": '"', "”": '"',
    "„": '"', "\u00a0": " ", "\u202f": " ", "\u2009": " ", "–": "-", "—": "-", "‑": "-", "…": "...",
    "·": ".", "\t": " ",
}  # fmt: skip

_GUILLEMETS = re.compile(r"«[ \u00a0\u202f]*|[ \u00a0\u202f]*»")

# Languages whose texts are folded to GSM-7 (when the folded text is then GSM-7 throughout).
FOLDED_LANGUAGES = {"fr", "en", "pt"}

# The short date of a text message, per language (Django date format, Paris time).
SHORT_WHEN_FORMATS = {
    "fr": r"D. j N G\hi",  # mar. 9 déc. 14h30
    "en": "D j M H:i",  # Tue 9 Dec 14:30
    "pt": r"D. j N G\hi",  # ter. 9 dez. 14h30
    "ar": "D j/n H:i",  # ثلاثاء 9/12 14:30: Latin digits, shorter than the month's name
    "tr": "j M D H:i",  # 9 Ara Sal 14:30
}
LOWERCASE_WHEN = {"fr", "pt"}


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the GSM-7 alphabet (basic or extension table)."""
    return all(char in _BASIC or char in _EXTENSION for char in text)


def encoding(text: str) -> str:
    """The encoding the message is sent in: "GSM-7" if every character fits, else "UCS-2"."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def _units(text: str) -> tuple[list[int], int, int]:
    """The length of each character in the message's encoding, and that encoding's limits."""
    if is_gsm7(text):
        return [2 if char in _EXTENSION else 1 for char in text], GSM7_SINGLE, GSM7_PART
    return [2 if ord(char) > 0xFFFF else 1 for char in text], UCS2_SINGLE, UCS2_PART


def segments(text: str) -> int:
    """How many segments the message is sent (and billed) as; at least 1."""
    units, single, part = _units(text)
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for size in units:  # an escape or surrogate pair is never split across two segments
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


def fold_to_gsm(text: str) -> str:
    """`text` with the characters GSM-7 lacks replaced by their nearest GSM-7 form (ê -> e,
    œ -> oe, « » -> ", non-breaking spaces -> space, other accented letters by their bare
    letter). Characters with no such form (Arabic, Turkish ı) are kept: check is_gsm7() on
    the result. render_sms() folds only the languages of FOLDED_LANGUAGES."""
    text = _GUILLEMETS.sub('"', text)  # « titre » -> "titre", the inner spaces dropped
    out = []
    for char in text:
        if char in _BASIC or char in _EXTENSION:
            out.append(char)
        elif char in FOLDS:
            out.append(FOLDS[char])
        else:
            base = unicodedata.normalize("NFD", char)[0]
            out.append(base if base in _BASIC and base != char else char)
    return "".join(out)


def short_when(start: datetime | None, end: datetime | None = None, language: str | None = None) -> str:
    """A short date and start time in Paris time for a text message: "mar. 9 déc. 14h30" in
    French, "Tue 9 Dec 14:30" in English, "" without a date. `end` is accepted for the callers'
    convenience and left out of the text: the page behind the link gives the end time."""
    if start is None:
        return ""
    language = _language(language)
    with translation.override(language):
        text = format_date(start.astimezone(PARIS), SHORT_WHEN_FORMATS.get(language, SHORT_WHEN_FORMATS["en"]))
    return text.lower() if language in LOWERCASE_WHEN else text


def render_sms(kind: str, context: dict, language: str) -> str:
    """The text of a message of `kind` (`forms/sms/<kind>.txt`) in `language`, on one line.

    `context` holds the kind's keys (see the templates); `service` defaults to
    settings.SMS_SERVICE_NAME. Rendered without HTML escaping: this is plain text."""
    language = _language(language)
    values = {"service": settings.SMS_SERVICE_NAME, **context}
    template = get_template(f"forms/sms/{kind}.txt")
    with translation.override(language):
        raw = template.template.render(Context(values, autoescape=False))
    text = " ".join(raw.split())
    if language in FOLDED_LANGUAGES:
        folded = fold_to_gsm(text)
        if is_gsm7(folded):
            text = folded
    return text


def _language(language: str | None) -> str:
    code = (language or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
