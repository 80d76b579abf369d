"""Staff login throttling (django-axes), configured in portal/settings/base.py.

- The client address is the one the reverse proxy passes (RATELIMIT_IP_META_KEY, the setting
  the public forms' limits use: forms.antispam.client_ip), never the proxy's own address:
  otherwise five failed logins by anyone would lock an account for everyone.
- Failures count per (user name, address): STAFF_LOGIN_FAILURES_PER_USER lock that user name
  from that address only (the same person elsewhere can still log in), and per address across
  user names: STAFF_LOGIN_FAILURES_PER_ADDRESS lock the address (password spraying). Both
  for AXES_COOLOFF_TIME. A successful login from an address clears its failures (axes'
  AXES_RESET_ON_SUCCESS): staff behind one town-hall address are not locked out by each
  other's typos over a day.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum

from forms.antispam import client_ip


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address as the proxy passed it; None when it
    cannot be read (axes stores addresses in an IP address column)."""
    address = client_ip("staff-login", request)
    return None if address == "unknown" else address


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT. axes sums the recent failures of each AXES_LOCKOUT_PARAMETERS set
    ((user name, address), then the address alone) and compares the largest, the address's,
    with one limit: answer 1 once the pair reached its own limit, the address's limit otherwise."""
    from axes.handlers.database import AxesDatabaseHandler

    pair, _address = AxesDatabaseHandler().get_user_attempts(request, credentials)
    failures = pair.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if failures >= settings.STAFF_LOGIN_FAILURES_PER_USER:
        return 1
    return settings.STAFF_LOGIN_FAILURES_PER_ADDRESS
