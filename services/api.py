"""Read-only open data API of the school directory: `/api/v1/schools/` and `/api/v1/schools/<id>/`.

A school has one identity whatever the language: its `id` is the id of the French (source)
page. `?lang=ar` gives the names and places of that language's published translation (the
French text where a school is not translated yet); `urls` lists every published translation.
Only public fields are served: never a worker's e-mail or user account."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Page

from core.json_api import json_error, json_response, read_only_api
from core.pages import in_source_language, public
from services.availability import load_absences, load_cancellations, next_occurrences
from services.models import SchoolPage
from services.notices import current_notices
from services.schedule import PARIS, closed_days
from services.text import normalize
from services.views import requested_language

CACHE_MAX_AGE = 300
NEXT_PERMANENCES = 4
HORIZON_DAYS = 120


def api_view(view):
    """A read-only directory view (core.json_api) whose `?lang=` is validated and active."""

    @read_only_api(max_age=CACHE_MAX_AGE)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = requested_language(request)
        if language is None:
            codes = ", ".join(code for code, _name in settings.LANGUAGES)
            return json_error(400, "unknown_language", _("Langues possibles : %(codes)s.") % {"codes": codes})
        with translation.override(language):
            return view(request, *args, language=language, **kwargs)

    return wrapper


def source_schools():
    return in_source_language(public(SchoolPage.objects.live()))


def _clock(value) -> str:
    return value.strftime("%H:%M")


def _permanence(permanence) -> dict:
    return {
        "weekday": permanence.weekday,
        "start": _clock(permanence.start_time),
        "end": _clock(permanence.end_time),
        "recurrence": permanence.recurrence,
        "place": permanence.place,
        "bookable": permanence.bookable,
        "slot_minutes": permanence.slot_minutes,
        "valid_from": permanence.valid_from.isoformat() if permanence.valid_from else None,
        "valid_until": permanence.valid_until.isoformat() if permanence.valid_until else None,
    }


def _occurrence(o) -> dict:
    return {"start": o.start.isoformat(), "end": o.end.isoformat(), "place": o.place}


def _notice(notice) -> dict:
    return {
        "text": notice.text,
        "until": notice.last_day.isoformat(),
        "cancelled_day": notice.cancelled_day.isoformat() if notice.cancelled_day else None,
    }


def _referent(worker) -> dict | None:
    if worker is None:
        return None
    return {"name": worker.public_name, "job": worker.get_job_display(), "phone": worker.public_phone or None}


def serialize_schools(request, sources: list, language: str) -> list[dict]:
    """The API items of these French schools, in a fixed number of queries whatever their number."""
    keys = [school.translation_key for school in sources]
    translations = public(Page.objects.filter(translation_key__in=keys).live()).select_related("locale").order_by("pk")
    urls: dict = {}
    for page in translations:
        url = page.get_url(request=request)
        if url:
            school_urls = urls.setdefault(page.translation_key, {})
            school_urls[page.locale.language_code] = request.build_absolute_uri(url)

    localized = {school.translation_key: school for school in sources}
    if language != settings.LANGUAGE_CODE:
        for school in (
            public(SchoolPage.objects.filter(translation_key__in=keys, locale__language_code=language).live())
            .defer_streamfields()
            .prefetch_related("permanences")
        ):
            localized[school.translation_key] = school

    now = timezone.now()
    start = now.astimezone(PARIS).date()  # as next_occurrences counts its horizon
    end = start + timedelta(days=HORIZON_DAYS)
    closed = closed_days(start, end)
    # The referent is a synchronised field: the source school's is every translation's.
    absences = load_absences({source.referent_id for source in sources}, start, end)
    cancellations = load_cancellations(sources, start, end)
    notices = current_notices(sources, language)
    order = [code for code, _name in settings.LANGUAGES]
    items = []
    for source in sources:
        content = localized[source.translation_key]
        school_urls = urls.get(source.translation_key, {})
        occurrences = next_occurrences(
            content,
            count=NEXT_PERMANENCES,
            horizon_days=HORIZON_DAYS,
            closed=closed,
            now=now,
            absences=absences,
            referent=source.referent,
            cancellations=cancellations,
        )
        items.append(
            {
                "id": source.pk,
                "name": content.title,
                "kind": source.kind,
                "priority_network": source.priority_network or None,
                "address": source.address,
                "postcode": source.postcode,
                "city": source.city,
                "uai": source.uai,
                "referent": _referent(source.referent),
                "permanences": [_permanence(p) for p in content.permanences.all()],
                "next_permanences": [_occurrence(o) for o in occurrences],
                "notices": [_notice(n) for n in notices.get(source.translation_key, [])],
                "urls": {code: school_urls[code] for code in order if code in school_urls},
            }
        )
    return items


def _planned(queryset):
    return queryset.defer_streamfields().select_related("referent").prefetch_related("permanences")


@api_view
def school_list(request, language):
    sources = sorted(_planned(source_schools()), key=lambda s: (normalize(s.title), s.pk))
    return json_response({"items": serialize_schools(request, sources, language)})


@api_view
def school_detail(request, pk, language):
    source = _planned(source_schools()).filter(pk=pk).first()
    if source is None:
        # The id of a translation: answer with the school's one identity, the French page.
        translated = public(SchoolPage.objects.live()).filter(pk=pk).only("translation_key").first()
        canonical = None
        if translated is not None:
            canonical = source_schools().filter(translation_key=translated.translation_key).first()
        if canonical is not None:
            url = reverse("api_school", kwargs={"pk": canonical.pk})
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        return json_error(404, "not_found", _("Aucune école publiée ne porte cet identifiant."))
    return json_response(serialize_schools(request, [source], language)[0])
