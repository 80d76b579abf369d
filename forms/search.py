"""Finding a family's request from what the family says on the phone: its name, its phone
number in any format, the child's first name, its e-mail address or its reference.

One rule for the queue's search and the admin's search area (forms.admin.queue). Each request
keeps a `search_text` (written by AppointmentRequest.save, blanked by the retention command
with the rest of the family's data): its words lower-cased without accents (services.text.
normalize, which also drops Arabic short vowels), the reference without its dash, and the
phone number's digits in national and international form. A query matches a request when each
of its words is part of that text, so "benali", "Bénali", "BENALI amina", "06 12 34 56 78",
"+33 6 12 34 56 78" and "abc-def" all find it; the scope is always the queryset the caller
passes (forms.records.permissions.visible_requests).

Thousands of requests: one LIKE per word over one column, measured in bench/queue_search.py."""

from __future__ import annotations

import re

from forms.phone import to_e164
from services.text import normalize

# A longer query is cut, and only its first words count: the search stays bounded.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 6
PHONE_LIKE = re.compile(r"^[\d\s.+()/-]{6,}$")


def phone_keys(phone: str) -> list[str]:
    """The digits a number can be typed with: 0612345678 and 33612345678 for +33612345678."""
    e164 = to_e164(phone) or ""
    if not e164:
        digits = re.sub(r"\D", "", phone or "")
        return [digits] if digits else []
    digits = e164.lstrip("+")
    keys = [digits]
    if e164.startswith("+33"):
        keys.append("0" + digits[2:])
    return keys


def search_text(*, reference: str, parent_name: str, child_first_name: str, email: str, phone: str) -> str:
    """What a request is found by (see the module's docstring)."""
    words = [
        reference.replace("-", "").lower(),
        normalize(parent_name),
        normalize(child_first_name),
        (email or "").lower(),
        *phone_keys(phone),
    ]
    return " ".join(word for word in words if word)


def query_words(query: str) -> list[str]:
    """The words of a query as search_text writes them: a phone number as its digits (national
    form for a French number), a reference without its dash, an e-mail address as typed."""
    query = (query or "")[:MAX_QUERY_LENGTH].strip()
    if PHONE_LIKE.match(query):
        digits = re.sub(r"\D", "", query)
        e164 = to_e164(query)
        if e164 and e164.startswith("+33"):
            return ["0" + e164[3:]]
        return [e164.lstrip("+")] if e164 else [digits]
    if re.fullmatch(r"[A-Za-z0-9]{3}[\s-]?[A-Za-z0-9]{3}", query):
        # A reference as read over the phone ("ABC DEF") is one word, not two.
        return [re.sub(r"[\s-]", "", query).lower()]
    words = []
    for token in query.split():
        token = token.lower() if "@" in token else normalize(token)
        words += [token] if "@" in token else token.split()
    return words[:MAX_WORDS]


def search_requests(queryset, query: str):
    """The requests of `queryset` that `query` finds; none for a query with no word."""
    words = query_words(query)
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
