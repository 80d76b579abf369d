"""Open data: the free appointment slots of a school, `GET /api/v1/schools/<id>/slots/`.

The school's `id` is the one of the directory API (the French page); the id of any published
translation gives the same answer. Only public data: start and end of each free slot, as
ISO 8601 with the Europe/Paris offset, never which worker holds it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.json_api import json_error, json_response, read_only_api
from forms.booking.forms import school_by_id
from forms.booking.slots import free_slots
from services.schedule import PARIS

CACHE_MAX_AGE = 60


def _iso(moment) -> str:
    return moment.astimezone(PARIS).isoformat()


@read_only_api(max_age=CACHE_MAX_AGE)
def school_slots(request, school_id):
    school = school_by_id(school_id)
    if school is None:
        return json_error(404, "not_found", _("Aucune école publiée ne porte cet identifiant."))
    items = [{"start": _iso(slot.start), "end": _iso(slot.end)} for slot in free_slots(school)]
    return json_response({"items": items})
