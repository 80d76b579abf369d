"""Settings shared by every environment. Secrets and hosts come from the environment."""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core",
    "home",
    "services",
    "forms",
    "portal",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_recaptcha",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public policy (CONTENT_SECURITY_POLICY); the admin's is set on its URLs (portal/urls.py).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Served from the page cache here, before sessions, locale, CSRF and auth (portal/cache.py).
    "portal.cache.PageCacheMiddleware",
    # Wagtail's site of the request, from the cache generation's facts (one query less a page).
    "portal.middleware.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff give a one-time code after their password before the admin opens (portal/two_factor).
    "django_otp.middleware.OTPMiddleware",
    "portal.two_factor.middleware.StaffTwoFactorMiddleware",
    # Sessions of visitors who are not logged in expire sooner (ANONYMOUS_SESSION_AGE).
    "portal.middleware.AnonymousSessionExpiryMiddleware",
    # At most PASSWORD_RESET_RATE "forgotten password" e-mails per address.
    "portal.middleware.PasswordResetThrottleMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
    # A byte order mark at the start of every CSV export, for Excel.
    "portal.middleware.CsvByteOrderMarkMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Admin login throttling (portal/staff_login.py): failures count per (user name, client
    # address) and per address across user names, the address read as the rate limits read it.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
STAFF_LOGIN_FAILURES_PER_USER = 5
STAFF_LOGIN_FAILURES_PER_ADDRESS = 30
AXES_FAILURE_LIMIT = "portal.staff_login.failure_limit"
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "portal.staff_login.client_address"
AXES_RESET_ON_SUCCESS = True
# Days the staff's login records (successful and failed) are kept (forms/records/staff_logins.py).
STAFF_LOGIN_LOG_DAYS = 180
AXES_SENSITIVE_PARAMETERS = ["password"]
# Two-factor authentication (TOTP) for every account that enters the admin (portal/two_factor).
# Only portal/settings/dev.py turns it off, for `make run`'s demo accounts; with DEBUG off the
# system check portal.E001 refuses to start without it.
STAFF_TWO_FACTOR_REQUIRED = True
# After each wrong code the next try waits 1, 2, 4, 8… seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin's "forgotten password" form: e-mails per client address (portal.middleware).
PASSWORD_RESET_RATE = "3/h"

# Content-Security-Policy (django-csp): no inline script or style on public pages, no third
# party. Google's reCAPTCHA hosts are added only to the response of the step that shows its
# widget, after the parent's consent (RECAPTCHA_CONTENT_SECURITY_POLICY, forms.antispam
# .allow_captcha); its script carries the response's nonce (NONCE is dropped from responses
# that use none).
RECAPTCHA_CONTENT_SECURITY_POLICY = {
    "script-src": ["https://www.google.com/recaptcha/", "https://www.gstatic.com/recaptcha/"],
    "frame-src": ["https://www.google.com/recaptcha/", "https://recaptcha.google.com/recaptcha/"],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
                "portal.cache.fragment_context",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# SQLite is only the embedded default for `make run`; production and CI use PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts: no "database is locked" halfway.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: French is the source; this list is the one place the languages are named.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("ar", "العربية"),
    ("pt", "Português"),
    ("tr", "Türkçe"),
]
LANGUAGES_BIDI = ["ar"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: console in development, SMTP configured from the environment in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Service social scolaire <ne-pas-repondre@ccas.example.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where notifications for the service-wide queue go (manager and assistants).
SERVICE_MAILBOX = os.environ.get("SERVICE_MAILBOX", "service-social-scolaire@ccas.example.fr")

# Text messages (forms/notifications/sms/, docs/deploy.md "SMS"). The backend class: console
# (prints them; the default, so production must name a real provider), filebased, locmem
# (tests) or brevo (forms.notifications.sms.backends.brevo.SmsBackend).
SMS_BACKEND = os.environ.get("SMS_BACKEND") or "forms.notifications.sms.backends.console.SmsBackend"
# The provider's API root and key (Brevo: https://api.brevo.com/v3 and an API key of the account).
SMS_API_URL = os.environ.get("SMS_API_URL", "https://api.brevo.com/v3").rstrip("/")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
# The alphanumeric sender shown on the phone: 1 to 11 ASCII letters or digits (no replies possible).
SMS_SENDER = os.environ.get("SMS_SENDER", "CCAS")
if not re.fullmatch(r"[A-Za-z0-9]{1,11}", SMS_SENDER) or SMS_SENDER.isdigit():
    raise ImproperlyConfigured("SMS_SENDER must be 1 to 11 letters or digits (not only digits), e.g. CCAS.")
# The service the texts name first ("CCAS de Villebelle : RDV confirmé ...").
SMS_SERVICE_NAME = os.environ.get("SMS_SERVICE_NAME", "CCAS de Villebelle")
# Staging: every text message goes to this one number (E.164) instead of the family's; "" = off.
SMS_REDIRECT_TO = os.environ.get("SMS_REDIRECT_TO", "")
# The shared secret the provider's delivery reports must carry (?secret= in the callback URL,
# or the X-Sms-Webhook-Secret header); without it no report is accepted.
SMS_WEBHOOK_SECRET = os.environ.get("SMS_WEBHOOK_SECRET", "")
# The delivery-report URL given to the provider with each message (with ?secret=...); "" = none.
SMS_CALLBACK_URL = os.environ.get("SMS_CALLBACK_URL", "")
# Seconds to wait for the provider before the message is retried later.
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
# The folder the file-based backend writes one file per message to.
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH", BASE_DIR / "outbox" / "sms"))

# Cache: Redis when REDIS_URL is set, local memory otherwise. Redis is an accelerator: when it
# cannot be reached or refuses a write, the site works without it (portal.cache.ResilientRedisCache,
# short timeouts so that a Redis that drops packets costs at most a second now and then).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions (a family's answers between two booking steps, staff logins) are written to the
# database and, with Redis, read through it (cached_db): losing or flushing Redis logs nobody
# out and loses no unfinished form, and Redis may evict keys (docs/deploy.md). One small write
# per booking step is the price. `manage.py clearsessions` (daily) deletes expired ones.
SESSION_ENGINE = os.environ.get("SESSION_ENGINE") or (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)
# Seconds a session of a visitor who is not logged in (an unsent booking) is kept after its
# last change; staff sessions keep SESSION_COOKIE_AGE (production: 8 h).
ANONYMOUS_SESSION_AGE = 2 * 3600
# Seconds an unreachable cache is left alone before the next try, and the least time between
# two warnings about it in the log.
CACHE_UNAVAILABLE_RETRY_SECONDS = 30
# A cache that keeps nothing: the fragment cache's alias when FRAGMENT_CACHE_ENABLED is off.
CACHES["uncached"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

# The portal's own caches (portal/cache.py), both dropped at once whenever something a public
# page shows changes (portal/signal_handlers.py). Listed in the README.
# Whole pages for anonymous visitors (PageCacheMiddleware). Off in development and tests, and
# in production without Redis (each worker would keep its own copy of an unpublished page).
PAGE_CACHE_ENABLED = True
# Seconds a page is kept in the cache (at most: a response's own max-age is kept to).
PAGE_CACHE_TIMEOUT = 600
# The Cache-Control max-age and s-maxage of a page stored in the cache: how long a browser or
# a proxy may keep it (they are not told when something is published).
PAGE_CACHE_SHARED_MAX_AGE = 60
# The `{% cache %}` fragments every page repeats (header, breadcrumbs, footer, a school's
# schedule), for the renders the page cache does not serve, and the facts every booking step
# reads (core.generation.cached_facts: the school, a day's held slots, the booking settings).
# Off where the page cache is.
FRAGMENT_CACHE_ENABLED = True
# Seconds a fragment or a fact is kept in the cache.
FRAGMENT_CACHE_TIMEOUT = 600

# Background tasks: the database backend, worked by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Submission limits of the public forms (forms/antispam.py, where the trade-off is explained):
# valid submissions per address and hour, each form apart (30 families from one social centre
# in an hour must get through); when the family declines reCAPTCHA; invalid posts (only a
# script gets there); booking requests per phone number in 24 hours, counted in the database.
SUBMISSION_RATES = {"booking": "60/h", "evening": "60/h", "referral": "60/h"}
SUBMISSION_DECLINED_RATE = "30/h"
INVALID_SUBMISSION_RATE = "600/h"
BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY = 3

# reCAPTCHA: only used once keys are configured (and after the parent consents).
RECAPTCHA_PUBLIC_KEY = os.environ.get("RECAPTCHA_PUBLIC_KEY", "")
RECAPTCHA_PRIVATE_KEY = os.environ.get("RECAPTCHA_PRIVATE_KEY", "")
RECAPTCHA_ENABLED = bool(RECAPTCHA_PUBLIC_KEY and RECAPTCHA_PRIVATE_KEY)
if not RECAPTCHA_ENABLED:
    # Without keys the package falls back to Google's test keys and reports an error check;
    # we never render the widget in that case.
    SILENCED_SYSTEM_CHECKS = ["django_recaptcha.recaptcha_test_key_error"]

# Emergency numbers: one fact, one place. Shown on the home page, in every footer and on
# every form, and on the 500 page (so they never depend on the database).
EMERGENCY_NUMBERS = [
    ("119", _("Allô enfance en danger : enfant en danger ou en risque de l'être (gratuit, 24 h/24)")),
    ("17", _("Police secours")),
    ("112", _("Numéro d'urgence européen")),
]

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Service social scolaire")
# The name authenticator apps show beside the staff member's code.
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
# PostgreSQL: full-text search in the visitor's language, accents ignored (core.search_backend);
# SQLite (make run): Wagtail's database backend.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "core.search_backend"
        if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        else "wagtail.search.backends.database"
    }
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = None
# No avatars from gravatar.com: it would receive a hash of each staff member's e-mail address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Shown on the "service unavailable" page when the database cannot be reached (the CCAS
# settings in the admin take over as soon as they have been read once).
CCAS_PHONE = os.environ.get("CCAS_PHONE", "")

# The town's school holiday zone (A, B or C) used to seed closure periods.
SCHOOL_HOLIDAY_ZONE = os.environ.get("SCHOOL_HOLIDAY_ZONE", "C")

LOGIN_URL = "wagtailadmin_login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Family links are capabilities: no log line carries one (forms.link_paths).
    "filters": {"redact_tokens": {"()": "forms.link_paths.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
