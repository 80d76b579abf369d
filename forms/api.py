"""Open data: the free appointment slots of a school, `GET /api/v1/schools/<id>/slots/`.

The school's `id` is the one of the directory API (the French page); the id of any published
translation gives the same answer. Only public data: start and end of each free slot, as
ISO 8601 with the Europe/Paris offset, never which worker holds it."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from forms.slots import free_slots
from services.models import SchoolPage
from services.schedule import PARIS

ALLOWED_METHODS = ("GET", "HEAD")
CACHE_MAX_AGE = 60


def _json(data, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return _json({"error": code, "detail": str(detail)}, status=status)


def published_source_school(school_id: int) -> SchoolPage | None:
    """The live French school a published page of any language stands for."""
    page = SchoolPage.objects.live().public().filter(pk=school_id).only("translation_key").first()
    if page is None:
        return None
    return (
        SchoolPage.objects.live()
        .public()
        .filter(translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE)
        .defer_streamfields()
        .select_related("referent", "locale")
        .prefetch_related("permanences")
        .first()
    )


def _iso(moment) -> str:
    return moment.astimezone(PARIS).isoformat()


# Read-only and open to any origin: a POST gets its 405, not a CSRF 403.
@csrf_exempt
def school_slots(request, school_id):
    if request.method not in ALLOWED_METHODS:
        response = _error(405, "method_not_allowed", _("Cette API est en lecture seule."))
        response["Allow"] = ", ".join(ALLOWED_METHODS)
        return response
    school = published_source_school(school_id)
    if school is None:
        return _error(404, "not_found", _("Aucune école publiée ne porte cet identifiant."))
    items = [{"start": _iso(slot.start), "end": _iso(slot.end)} for slot in free_slots(school)]
    response = _json({"items": items})
    response["Cache-Control"] = f"public, max-age={CACHE_MAX_AGE}"
    return response
