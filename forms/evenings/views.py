"""Thematic evening registration pages: register (Post/Redirect/Get), done, cancel.

Thin views: the capacity and waiting list rules are in forms.evenings.registrations. The evening id in the
URL may be the id of any translation; registrations always count against the source page."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.pages import public
from forms import links
from forms.antispam import EVENING, refuse_submission
from forms.evenings import registrations as evenings
from forms.evenings.forms import EveningRegistrationForm
from forms.link_views import capability_post, private_link_page
from forms.models import EveningRegistration
from services.models import ThematicEveningPage

SESSION_KEY = "evening_registrations"
SESSION_MAX = 20
MAX_ADULTS = MAX_CHILDREN = 10
FORM_EXPIRED = _("Le formulaire a expiré : vérifiez vos réponses et envoyez-le à nouveau.")


def _evening_or_404(evening_id: int) -> tuple[ThematicEveningPage, ThematicEveningPage]:
    """(source evening, the evening to show in the active language) from any translation's id."""
    page = get_object_or_404(public(ThematicEveningPage.objects.live()), pk=evening_id)
    source = evenings.source_evening(page)
    shown = source.localized
    return source, shown if shown.live else page


def _ics_url(evening: ThematicEveningPage) -> str | None:
    # The calendar file is served by services (one address for every language).
    try:
        return reverse("evening_ics", kwargs={"pk": evening.pk})
    except NoReverseMatch:
        return None


def _remember(request, registration: EveningRegistration) -> None:
    known = [ref for ref in request.session.get(SESSION_KEY, []) if ref != registration.reference]
    request.session[SESSION_KEY] = (known + [registration.reference])[-SESSION_MAX:]


def _context(source, shown, **extra) -> dict:
    return {
        "evening": shown,
        "seats_left": evenings.seats_left(source),
        "closed": evenings.registration_closed(source),
        **extra,
    }


# Never cached: the form carries a CSRF token and a submission key of its own.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, evening_id):
    source, shown = _evening_or_404(evening_id)
    template = "forms/evening/register.html"
    if evenings.registration_closed(source):
        return render(request, template, _context(source, shown))
    if request.method != "POST":
        form = EveningRegistrationForm(evening=source)
        return render(request, template, _context(source, shown, form=form, submission_key=uuid.uuid4()))

    form = EveningRegistrationForm(request.POST, evening=source)
    # Refused (too many from this address): the form again with the reason, nothing lost.
    status = 429 if refuse_submission(request, EVENING, form) else 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = evenings.register(
                source,
                name=data["name"],
                adults=data["adults"],
                children=data["children"],
                phone=data["phone"],
                email=data["email"],
                notify_by=data.get("notify_by", ""),
                language=data["language"],
                submission_key=data["submission_key"],
            )
        except evenings.RegistrationRefused as refusal:
            if refusal.code == refusal.PAST:
                return render(request, template, _context(source, shown))
            form.refuse(refusal)
        else:
            _remember(request, registration)
            return redirect("evening_done", reference=registration.reference)
    # The same key again, so that a corrected double submit still makes one registration;
    # a new one when the key was tampered with or belongs to another registration.
    key = None if form["submission_key"].errors or form.key_refused else form.cleaned_data.get("submission_key")
    context = _context(source, shown, form=form, submission_key=key or uuid.uuid4())
    return render(request, template, context, status=status)


# Never cached: the page holds the cancel link.
@never_cache
@require_safe
def done(request, reference):
    # Only the browser that registered sees the page: it holds the cancel link.
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    registration = get_object_or_404(EveningRegistration.objects.select_related("evening"), reference=reference)
    source = registration.evening
    shown = source.localized
    context = {
        "registration": registration,
        "evening": shown,
        "ics_url": _ics_url(shown) if shown.live else None,
        # Derived from the session that registered: a reload of the page makes no new token.
        "cancel_url": links.evening_cancel_path(registration, seed=request.session.session_key),
    }
    return render(request, "forms/evening/done.html", context)


def _invalid_link(request, expired: bool):
    return private_link_page(render(request, "forms/evening/invalid_link.html", {"expired": expired}, status=400))


@capability_post
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token):
    try:
        registration = links.read_evening_cancel_token(token)
    except links.ExpiredToken:
        return _invalid_link(request, expired=True)
    except links.InvalidToken:
        return _invalid_link(request, expired=False)
    if request.method == "POST":
        evenings.cancel(registration)
        return private_link_page(redirect("evening_cancel", token=token))
    context = {
        "registration": registration,
        "evening": registration.evening.localized,
        "cancelled": registration.status == EveningRegistration.Status.CANCELLED,
    }
    return private_link_page(render(request, "forms/evening/cancel.html", context))
