"""Test settings: PostgreSQL when DATABASE_URL is set (CI), SQLite otherwise."""

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASES["default"]["CONN_MAX_AGE"] = 0
WAGTAILADMIN_BASE_URL = "http://testserver"
