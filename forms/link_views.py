"""The short link of a text message: `/r/<token>` opens the family's page in its language.

Outside the language prefix (a text message has no room for one): the link row knows the
family's language and redirects to its appointment page (or evening registration) there,
with a token of its own (forms.links). A bad or expired link gets a clear page with the service's
phone number, never a 500 and never another family's data. The response is never cached and
carries no Referer onwards: the token is a capability."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forms.links import ExpiredToken, InvalidToken, read_short_token, short_link_target


def private_link_page(response):
    """A page behind a family link (this redirect, the appointment page, its .ics, the evening
    cancel page): the URL is a capability, kept out of search engines and out of every Referer
    header, even our own site's (its static files' access log); forms.link_paths keeps it out
    of the logs."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def capability_post(view):
    """For the views whose POSTs (cancel, move) are authorised by the token in their own URL,
    not by a cookie: no CSRF check. CSRF protection guards a cookie's ambient authority, which
    these never use, and a forger would need the token, with which he could act himself.
    Under `Referrer-Policy: no-referrer` browsers post the page's forms with `Origin: null`,
    which Django's CSRF check refuses (403): the family could not cancel."""
    return csrf_exempt(view)


@never_cache
@require_http_methods(["GET", "HEAD"])
def short_link(request, token):
    try:
        link = read_short_token(token)
    except ExpiredToken as error:
        return _refused(request, "expired", 410, getattr(error, "language", None))
    except InvalidToken:
        return _refused(request, "invalid", 404, None)
    return private_link_page(HttpResponseRedirect(short_link_target(link)))


def _refused(request, problem, status, language):
    language = language if language in dict(settings.LANGUAGES) else translation.get_language()
    with translation.override(language):
        home_url = "/" if language == settings.LANGUAGE_CODE else f"/{language}/"
        response = render(
            request, "forms/links/refused.html", {"problem": problem, "home_url": home_url}, status=status
        )
    return private_link_page(response)
