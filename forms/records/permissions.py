"""Who may read which request (DESIGN.md rule 4): the one place the rule is written.

Social workers are bound by professional secrecy (CASF L.411-3, Code pénal 226-13). A worker
reads the requests of their own queue, which includes those routed to them as a replacement
(the request is then assigned to them); the service manager and the administrative assistants
read every request; communication staff read none. Every admin view, panel, menu count,
report and export goes through `visible_requests()`, so a view cannot forget the rule.

The permissions are created by the migration forms/0002_roles (models.py declares none).
The one the workers hold, manage_requests, sits on the RequestEvent content type and not on
AppointmentRequest's: Wagtail's site history shows every log entry of a content type to
anyone with any permission on it, and a worker must not read there which colleague opened or
changed which request. The manager's and assistants' permissions sit on AppointmentRequest's
content type, so their site history shows the requests' entries, all of which they may read."""

from __future__ import annotations

from wagtail.permission_policies.base import BaseDjangoAuthPermissionPolicy

from forms.models import AppointmentRequest

APP_LABEL = "forms"
MANAGE_REQUESTS = "manage_requests"
VIEW_ALL_REQUESTS = "view_all_requests"
VIEW_STATISTICS = "view_request_statistics"
VIEW_ACCESS_LOG = "view_access_log"
MANAGE_STAFF_ACCOUNTS = "manage_staff_accounts"
VIEW_WORKER_STATISTICS = "view_worker_statistics"

# codename: (model whose content type holds it, label shown in the group editor)
CUSTOM_PERMISSIONS = {
    MANAGE_REQUESTS: ("requestevent", "Traiter les demandes de sa file (consulter, fixer, annuler, réaffecter, noter)"),
    VIEW_ALL_REQUESTS: ("appointmentrequest", "Consulter toutes les files de demandes"),
    VIEW_STATISTICS: ("appointmentrequest", "Consulter et exporter les statistiques des demandes"),
    VIEW_ACCESS_LOG: ("accessrecord", "Consulter le journal des consultations des données des familles"),
    VIEW_WORKER_STATISTICS: ("appointmentrequest", "Consulter les statistiques par travailleur social"),
    MANAGE_STAFF_ACCOUNTS: ("accessrecord", "Créer, désactiver et réinitialiser les comptes des groupes du service"),
}

WORKERS = "Travailleurs sociaux"
MANAGER = "Responsable du service"
ASSISTANTS = "Secrétariat"

GROUP_PERMISSIONS = {
    WORKERS: [MANAGE_REQUESTS],
    MANAGER: [
        MANAGE_REQUESTS,
        VIEW_ALL_REQUESTS,
        VIEW_STATISTICS,
        VIEW_ACCESS_LOG,
        VIEW_WORKER_STATISTICS,
        MANAGE_STAFF_ACCOUNTS,
    ],
    ASSISTANTS: [MANAGE_REQUESTS, VIEW_ALL_REQUESTS, VIEW_STATISTICS],
}


def _perm(codename: str) -> str:
    return f"{APP_LABEL}.{codename}"


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_work_requests(user) -> bool:
    return _active(user) and user.has_perm(_perm(MANAGE_REQUESTS))


def can_view_all_requests(user) -> bool:
    return _active(user) and user.has_perm(_perm(VIEW_ALL_REQUESTS))


def can_view_statistics(user) -> bool:
    return _active(user) and user.has_perm(_perm(VIEW_STATISTICS))


def worker_of(user):
    """The SocialWorker linked to this account, or None (cached on the user object)."""
    if not _active(user):
        return None
    if not hasattr(user, "_forms_social_worker"):
        from services.models import SocialWorker

        user._forms_social_worker = SocialWorker.objects.filter(user=user).first()
    return user._forms_social_worker


def can_view_worker_statistics(user) -> bool:
    """The figures per worker (what each colleague's queue became) are the service manager's:
    the assistants read the service's statistics, not the comparison of the workers."""
    return _active(user) and user.has_perm(_perm(VIEW_WORKER_STATISTICS))


def can_read_own_figures(user) -> bool:
    """Whether this user has a queue of her own to count ("Mes chiffres"): a worker's account."""
    return can_work_requests(user) and worker_of(user) is not None


def can_record_requests(user) -> bool:
    """Whether this user may record a request taken at the permanence, by phone, by e-mail or
    at the CCAS desk: a worker (into their own queue), the manager and the assistants (into
    any queue). Communication staff may not: they work no request."""
    return can_work_requests(user) and (can_view_all_requests(user) or worker_of(user) is not None)


def recording_queues(user):
    """The workers a user may record a request for: None means any queue, the routing rule
    included (the manager, the assistants); a worker records only into their own queue."""
    if can_view_all_requests(user):
        return None
    worker = worker_of(user) if can_work_requests(user) else None
    return [worker] if worker is not None else []


# services.records.ROUTING_PERMISSION: absences, a worker's activity and notification address.
MANAGE_WORKER_ROUTING = "services.manage_worker_routing"


def absence_workers(user):
    """The workers whose absence a user may declare (forms.admin.leave): None means anyone's (the
    manager, the assistants: services.manage_worker_routing); a worker declares only her own;
    communication staff none (an absence chooses who reads a family's request)."""
    if _active(user) and user.has_perm(MANAGE_WORKER_ROUTING):
        return None
    worker = worker_of(user) if can_work_requests(user) else None
    return [worker] if worker is not None else []


def visible_requests(user):
    """The requests this user may read. Everything else is a 404 for them."""
    requests = AppointmentRequest.objects.all()
    if can_view_all_requests(user):
        return requests
    if can_work_requests(user):
        worker = worker_of(user)
        if worker is not None:
            return requests.filter(assigned_worker=worker)
    return requests.none()


def can_read_access_log(user) -> bool:
    """The access log of families' data (forms.records.audit) is the service manager's (and the
    superuser's): the assistants are in it, they do not read it."""
    return _active(user) and user.has_perm(_perm(VIEW_ACCESS_LOG))


def can_manage_staff_accounts(user) -> bool:
    """The service manager creates, deactivates and resets the accounts of the service's groups
    (portal.staff_accounts says which accounts and what she may never grant)."""
    return _active(user) and user.has_perm(_perm(MANAGE_STAFF_ACCOUNTS))


def can_see_registrations(user) -> bool:
    """Who may read the names and numbers of the families registered for an evening: the
    manager and the assistants, who run the evenings' lists (as they see every request)."""
    return can_view_all_requests(user)


def can_count_registrations(user) -> bool:
    """Who may see how many are coming (never who): every active staff account of the admin,
    communication staff included."""
    return _active(user) and user.has_perm("wagtailadmin.access_admin")


def can_see_request(user, request: AppointmentRequest) -> bool:
    """The same rule as visible_requests() for an object already loaded, without a query."""
    if can_view_all_requests(user):
        return True
    if can_work_requests(user):
        worker = worker_of(user)
        return worker is not None and request.assigned_worker_id == worker.pk
    return False


class RequestPermissionPolicy(BaseDjangoAuthPermissionPolicy):
    """Wagtail's view of the rule, for generic views and the admin URL finder.

    Actions: "work" (manage_requests), "view_all", "statistics". The usual "view"/"change"
    mean "work"; nobody adds or deletes a family's request from the admin."""

    ACTIONS = {
        "work": MANAGE_REQUESTS,
        "view": MANAGE_REQUESTS,
        "change": MANAGE_REQUESTS,
        "view_all": VIEW_ALL_REQUESTS,
        "statistics": VIEW_STATISTICS,
    }

    def _get_permission_codename(self, action):
        return self.ACTIONS.get(action, f"{action}_nobody")

    def user_has_permission(self, user, action):
        if action not in self.ACTIONS:
            return False
        return _active(user) and user.has_perm(_perm(self.ACTIONS[action]))

    def users_with_any_permission(self, actions):
        return self._get_users_with_any_permission_codenames(self._get_permission_codenames(actions))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_see_request(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return visible_requests(user)
        return AppointmentRequest.objects.none()
