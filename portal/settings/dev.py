"""Development settings: `make run`. Never used in production."""

import os

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Notifications are executed right away under `make run`, so no worker process is needed.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Edits show on the next reload: no page or fragment cache under `make run` (as in tests).
PAGE_CACHE_ENABLED = False
FRAGMENT_CACHE_ENABLED = False
# `make run`'s demo accounts log in with their password alone (README, "Logging into the admin").
# Every other settings module keeps STAFF_TWO_FACTOR_REQUIRED on (system check portal.E001).
STAFF_TWO_FACTOR_REQUIRED = False
