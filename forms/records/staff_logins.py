"""How long the staff's login records are kept (django-axes): each successful login (who,
from which address, when) and each failed one are personal data too, kept STAFF_LOGIN_LOG_DAYS
days (CNIL: six months to a year for connection logs), then deleted by the daily
`purge_personal_data` command. Pending failure counters expire with AXES_COOLOFF_TIME."""

from __future__ import annotations

from django.conf import settings


def purge_staff_login_logs(days: int | None = None) -> int:
    """Delete the login and failed-login records older than `days` (STAFF_LOGIN_LOG_DAYS by
    default), through axes' own handler; how many were deleted."""
    from axes.handlers.database import AxesDatabaseHandler

    days = settings.STAFF_LOGIN_LOG_DAYS if days is None else days
    handler = AxesDatabaseHandler()
    return handler.reset_logs(age_days=days) + handler.reset_failure_logs(age_days=days)
