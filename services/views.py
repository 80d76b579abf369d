"""Calendar files of the thematic evenings. Thin views: the iCalendar is built in services.ics.

These URLs sit outside i18n_patterns (one address whatever the language), so the feed takes
its language from `?lang=` and a single evening's file from the evening's own locale."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.pages import public
from services.ics import evenings_calendar, site_host
from services.models import ThematicEveningPage
from services.schedule import PARIS

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
CALENDAR_MAX_AGE = 300


def requested_language(request) -> str | None:
    """The `lang` parameter if it names one of settings.LANGUAGES, the source language if absent."""
    code = request.GET.get("lang", "").strip().lower() or settings.LANGUAGE_CODE
    return code if code in dict(settings.LANGUAGES) else None


def _page_url(request, page) -> str:
    url = page.get_url(request=request)
    return request.build_absolute_uri(url) if url else ""


def _calendar_response(calendar, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type=CALENDAR_CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = f"public, max-age={CALENDAR_MAX_AGE}"
    return response


@require_safe
def evening_ics(request, pk):
    """One evening as an .ics attachment, in the evening's language."""
    evening = get_object_or_404(public(ThematicEveningPage.objects.live()).select_related("locale"), pk=pk)
    with translation.override(evening.locale.language_code):
        calendar = evenings_calendar(
            [evening], host=site_host(), url_for=lambda e: _page_url(request, e), name=evening.title
        )
    return _calendar_response(calendar, filename=f"{evening.slug or 'soiree'}.ics")


@require_safe
def evenings_feed(request):
    """The upcoming evenings of one language (`?lang=ar`, French by default), to subscribe to."""
    language = requested_language(request)
    if language is None:
        return HttpResponseBadRequest(
            _("Langue inconnue. Langues possibles : %(codes)s.")
            % {"codes": ", ".join(code for code, _name in settings.LANGUAGES)},
            content_type="text/plain; charset=utf-8",
        )
    today = timezone.localdate(timezone=PARIS)
    evenings = (
        public(ThematicEveningPage.objects.live())
        .filter(locale__language_code=language, date__gte=today)
        .defer_streamfields()
        .order_by("date", "start_time", "pk")
    )
    with translation.override(language):
        calendar = evenings_calendar(
            evenings,
            host=site_host(),
            url_for=lambda e: _page_url(request, e),
            name=_("Soirées thématiques du service social scolaire"),
        )
    return _calendar_response(calendar)


@require_safe
def school_short_link(request, uai):
    """The poster's short link: the school whose UAI it is, in French (a 404 for an unknown one)."""
    from django.http import Http404
    from django.shortcuts import redirect

    from core.pages import in_source_language
    from services.models import SchoolPage

    school = in_source_language(public(SchoolPage.objects.live())).filter(uai=uai.strip().upper()[:8]).first()
    if school is None:
        raise Http404
    return redirect(school.get_url(request=request))
