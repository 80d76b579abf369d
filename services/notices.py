"""Which school notices are shown today, in which language: the one place the school page, the
booking steps and the API ask. A notice is shown from its first to its last day included
(Europe/Paris), then no more: nobody has to take it down. Its text is its translation in the
visitor's language, else the French text (`in_source_language` is then True, for lang="fr")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings

from services.records import SchoolNotice
from services.schedule import today as local_today


def current_notices(schools: Iterable, language: str, day: date | None = None) -> dict[object, list[SchoolNotice]]:
    """{school translation_key: [notices shown on `day`]}: two queries at most, whatever the
    number of schools."""
    day = day or local_today()
    keys = {school.translation_key for school in schools}
    if not keys:
        return {}
    sources = list(
        SchoolNotice.objects.filter(
            school__translation_key__in=keys,
            first_day__lte=day,
            last_day__gte=day,
            locale__language_code=settings.LANGUAGE_CODE,
        )
        .select_related("school")
        .order_by("cancelled_day", "first_day", "pk")
    )
    translated = {}
    if sources and language != settings.LANGUAGE_CODE:
        translated = {
            notice.translation_key: notice
            for notice in SchoolNotice.objects.filter(
                translation_key__in=[n.translation_key for n in sources], locale__language_code=language
            )
        }
    shown: dict[object, list[SchoolNotice]] = {}
    for source in sources:
        notice = translated.get(source.translation_key, source)
        notice.in_source_language = notice is source and language != settings.LANGUAGE_CODE
        shown.setdefault(source.school.translation_key, []).append(notice)
    return shown


def notices_of(school, language: str, day: date | None = None) -> list[SchoolNotice]:
    return current_notices([school], language, day).get(school.translation_key, [])
