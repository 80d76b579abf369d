"""Test settings: PostgreSQL when DATABASE_URL is set (CI), SQLite otherwise."""

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Text messages kept in forms.notifications.sms.backends.locmem.outbox (fixture sms_outbox).
SMS_BACKEND = "forms.notifications.sms.backends.locmem.SmsBackend"
SMS_API_KEY = "test-sms-api-key"
SMS_WEBHOOK_SECRET = "test-sms-webhook-secret"
SMS_REDIRECT_TO = ""
SMS_CALLBACK_URL = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "uncached": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASES["default"]["CONN_MAX_AGE"] = 0
WAGTAILADMIN_BASE_URL = "http://testserver"
# Login throttling is exercised by its own test (which turns it on); elsewhere tests log in
# with force_login and the test client's login(), which axes cannot see a request for.
AXES_ENABLED = False
# The anonymous page cache would carry pages from one test to the next (locmem lives for the
# whole process); its own tests switch it on.
PAGE_CACHE_ENABLED = False
# Same for the fragment cache (its tests switch it on).
FRAGMENT_CACHE_ENABLED = False
