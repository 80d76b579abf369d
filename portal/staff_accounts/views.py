"""The manager's "Comptes du service" pages: the list, a new account, and a confirmation page
for each action on an account (deactivate, reactivate, reset), which a POST carries out.

Each view checks the permission (403 otherwise) and each action asks portal.staff_accounts
.refusal(): an account outside the list is a 404, one the manager may not change a 403."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from forms.admin.common import forbidden
from forms.models import AppointmentRequest
from forms.records.permissions import can_manage_staff_accounts, visible_requests
from portal import staff_accounts
from portal.staff_accounts.forms import NewAccountForm

ACTIONS = {
    "deactivate": (
        gettext_lazy("Désactiver le compte"),
        gettext_lazy("Le compte ne pourra plus se connecter ; ses sessions ouvertes prennent fin."),
    ),
    "reactivate": (
        gettext_lazy("Réactiver le compte"),
        gettext_lazy("Le compte pourra de nouveau se connecter, avec son mot de passe et son application."),
    ),
    "reset": (
        gettext_lazy("Réinitialiser le compte"),
        gettext_lazy(
            "L'ancien mot de passe ne fonctionnera plus et l'application d'authentification est oubliée. "
            "La personne reçoit un lien pour choisir un nouveau mot de passe, puis active de nouveau la "
            "double authentification. Vérifiez d'abord que c'est bien elle qui le demande."
        ),
    ),
}


class ManagerOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_staff_accounts(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


def _context(title, **extra):
    return {"page_title": title, "header_title": title, "header_icon": "group", **extra}


class AccountListView(ManagerOnlyMixin, View):
    def get(self, request):
        accounts = list(staff_accounts.service_accounts())
        enrolled = set(TOTPDevice.objects.filter(user__in=accounts, confirmed=True).values_list("user_id", flat=True))
        rows = [
            {
                "account": account,
                "groups": ", ".join(sorted(g.name for g in account.groups.all())),
                "enrolled": account.pk in enrolled,
                "refusal": staff_accounts.refusal(account, request.user),
            }
            for account in accounts
        ]
        actions = [
            {
                "entry": entry,
                "label": staff_accounts.LOG_ACTIONS.get(entry.action, _("Double authentification réinitialisée")),
            }
            for entry in staff_accounts.recent_actions()
        ]
        return TemplateResponse(
            request, "staff_accounts/index.html", _context(_("Comptes du service"), rows=rows, actions=actions)
        )


class AccountCreateView(ManagerOnlyMixin, View):
    template_name = "staff_accounts/create.html"

    def get(self, request):
        return self.render(request, NewAccountForm())

    def post(self, request):
        form = NewAccountForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=200)
        data = form.cleaned_data
        account = staff_accounts.create_account(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            group_name=data["group"],
            by=request.user,
            request=request,
        )
        messages.success(
            request,
            _("Compte %(user)s créé : un lien pour choisir son mot de passe lui est envoyé.")
            % {"user": account.get_username()},
        )
        return redirect("staff_accounts:index")

    def render(self, request, form, status=200):
        return TemplateResponse(
            request, self.template_name, _context(_("Nouveau compte du service"), form=form), status=status
        )


class AccountActionView(ManagerOnlyMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in ACTIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def account(self, request, pk):
        account = get_object_or_404(staff_accounts.service_accounts(), pk=pk)
        return account, staff_accounts.refusal(account, request.user)

    def get(self, request, pk, action):
        account, refusal = self.account(request, pk)
        if refusal:
            return forbidden(request)
        label, explanation = ACTIONS[action]
        title = f"{label} : {account.get_full_name() or account.get_username()}"
        context = _context(title, account=account, label=label, explanation=explanation, action=action)
        if action == "deactivate":
            context["open_requests"] = self.open_requests(request, account)
        return TemplateResponse(request, "staff_accounts/confirm.html", context)

    def open_requests(self, request, account) -> int:
        """The open requests of the worker linked to this account: they still route to her
        queue, which nobody reads once the account is off (the manager reassigns them)."""
        return (
            visible_requests(request.user)
            .filter(assigned_worker__user=account, status__in=AppointmentRequest.ACTIVE_STATUSES)
            .count()
        )

    def post(self, request, pk, action):
        account, refusal = self.account(request, pk)
        if refusal:
            return forbidden(request)
        name = account.get_username()
        if action == "reset" and not account.email:
            messages.error(request, _("Ce compte n'a pas d'adresse e-mail : un administrateur doit en saisir une."))
            return redirect("staff_accounts:index")
        if action == "reset":
            staff_accounts.reset_account(account, by=request.user, request=request)
            messages.success(request, _("Compte %(user)s réinitialisé : un lien lui est envoyé.") % {"user": name})
        elif action == "deactivate":
            staff_accounts.set_active(account, False, by=request.user)
            messages.success(request, _("Compte %(user)s désactivé.") % {"user": name})
        else:
            staff_accounts.set_active(account, True, by=request.user)
            messages.success(request, _("Compte %(user)s réactivé.") % {"user": name})
        return redirect("staff_accounts:index")
