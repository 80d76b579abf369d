"""Template helpers of the service directory."""

from datetime import datetime, time

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from core.pages import public
from services.finder import find_schools
from services.models import Permanence, SchoolIndexPage, SchoolPage, ThematicEveningPage
from services.schedule import PARIS

register = template.Library()


@register.filter
def hour(value, language=None):
    """A wall-clock time as families read it: "8 h 30" and "12 h" in French, "08:30" elsewhere.

    Accepts a `time` or a `datetime` (aware datetimes are shown in Europe/Paris)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(PARIS)
        value = value.time()
    if not isinstance(value, time):
        return ""
    language = (language or get_language() or "").split("-")[0]
    if language == "fr":
        return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"
    return f"{value.hour:02d}:{value.minute:02d}"


@register.simple_tag
def home_teasers(home_page) -> dict:
    """What the home page shows of the directory: its school finder and the next evenings.

    A tag of services, so that home's models never import services' (nor the reverse)."""
    return {
        "school_index": SchoolIndexPage.objects.child_of(home_page).live().first(),
        "next_evenings": (
            public(ThematicEveningPage.objects.descendant_of(home_page).live())
            .filter(date__gte=timezone.localdate())
            .defer_streamfields()
            .order_by("date", "start_time")[:3]
        ),
    }


@register.simple_tag(takes_context=True)
def school_finder(context, index_page):
    """The school index's search: its form, results and counts for the request's query string."""
    return find_schools(index_page, context["request"].GET)


@register.simple_tag
def source_texts(schools) -> dict[str, frozenset[str]]:
    """{"titles", "places"}: these schools' names and permanence places as the French (source)
    pages word them. A name or place of a translated page still equal to one of them is French
    text, to be marked `lang="fr"`.

    `schools`: a school page, or the finder's results. Two queries, none on a French page."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == settings.LANGUAGE_CODE:
        return {"titles": frozenset(), "places": frozenset()}
    schools = [schools] if isinstance(schools, SchoolPage) else [getattr(item, "school", item) for item in schools]
    source = {"locale__language_code": settings.LANGUAGE_CODE}
    page_keys = {school.translation_key for school in schools}
    permanence_keys = {permanence.translation_key for school in schools for permanence in school.permanences.all()}
    titles = SchoolPage.objects.filter(translation_key__in=page_keys, **source).values_list("title", flat=True)
    places = Permanence.objects.filter(translation_key__in=permanence_keys, **source).exclude(place="")
    return {"titles": frozenset(titles), "places": frozenset(places.values_list("place", flat=True))}


@register.simple_tag
def centre_name(centre) -> dict:
    """{"name", "french"}: a social centre's name in the active language, and whether it is the
    French name (to be marked `lang="fr"` on a page of another language)."""
    name, french = centre.name_in()
    return {"name": name, "french": french}


@register.inclusion_tag("services/includes/school_notices.html", takes_context=True)
def school_notices(context, school):
    """The school's notices shown today, in the active language (services.notices)."""
    from services.notices import notices_of

    return {"notices": notices_of(school, get_language()), "current_language": context.get("current_language")}
