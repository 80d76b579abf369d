"""Open data: the free appointment slots of a school, `GET /api/v1/schools/<id>/slots/`.

The school's `id` is the one of the directory API (the French page); the id of any published
translation gives the same answer. Only public data: start and end of each free slot, as
ISO 8601 with the Europe/Paris offset, never which worker holds it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.json_api import json_error, json_response, read_only_api
from core.pages import in_source_language
from forms.booking.slots import free_slots
from services.models import SchoolPage
from services.schedule import PARIS

CACHE_MAX_AGE = 60


def published_source_school(school_id: int) -> SchoolPage | None:
    """The live French school a published page of any language stands for."""
    page = SchoolPage.objects.live().public().filter(pk=school_id).only("translation_key").first()
    if page is None:
        return None
    return (
        in_source_language(SchoolPage.objects.live().public())
        .filter(translation_key=page.translation_key)
        .defer_streamfields()
        .select_related("referent", "locale")
        .prefetch_related("permanences")
        .first()
    )


def _iso(moment) -> str:
    return moment.astimezone(PARIS).isoformat()


@read_only_api(max_age=CACHE_MAX_AGE)
def school_slots(request, school_id):
    school = published_source_school(school_id)
    if school is None:
        return json_error(404, "not_found", _("Aucune école publiée ne porte cet identifiant."))
    items = [{"start": _iso(slot.start), "end": _iso(slot.end)} for slot in free_slots(school)]
    return json_response({"items": items})
