"""Production settings: refuse to start without real secrets and hosts."""

import logging
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, REDIS_URL, SECRET_KEY, SMS_API_KEY, SMS_BACKEND, env_bool

DEBUG = False

if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "django-insecure")):
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the portal's host names (comma-separated).")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Text messages printed or kept in memory reach no family: say so at every start. A provider
# without its key would fail every message: refuse to start.
if SMS_BACKEND.rpartition(".")[0].rpartition(".")[2] in {"console", "locmem", "filebased"}:
    logging.getLogger("portal.settings").warning(
        "SMS_BACKEND is %s: no text message reaches a family. Set SMS_BACKEND to a provider (docs/deploy.md, SMS).",
        SMS_BACKEND,
    )
elif not SMS_API_KEY:
    raise ImproperlyConfigured("Set SMS_API_KEY for SMS_BACKEND (docs/deploy.md, SMS).")

# Staff give a one-time code after their password; never an environment switch.
STAFF_TWO_FACTOR_REQUIRED = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes the app servers over plain HTTP: answer it rather than redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# Staff sessions expire after 8 hours and when the browser closes.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Behind the reverse proxy every family would share the proxy's address: name the header the
# proxy sets with the client's address (e.g. HTTP_X_REAL_IP) for the per-address rate limits.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY", "REMOTE_ADDR")

# Without Redis each gunicorn worker would keep its own cache, and a page an editor unpublishes
# could still be served by the other workers for minutes: no shared page or fragment cache
# then (sessions stay in the database).
if not REDIS_URL:
    PAGE_CACHE_ENABLED = False
    FRAGMENT_CACHE_ENABLED = False
