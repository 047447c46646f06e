"""Settings for the test suite (pytest). Same database choice as base: DATABASE_URL or SQLite."""

import tempfile
from pathlib import Path

from palermo.settings.base import *  # noqa: F403
from palermo.settings.base import STORAGES

PALERMO_DEMO = False
PALERMO_REQUIRE_OTP = True
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Still Argon2, with a small memory cost so that the suite stays fast.
PASSWORD_HASHERS = ["palermo.accounts.hashers.FastArgon2PasswordHasher"]

# Tests render pages without running collectstatic first.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background tasks run at once, inside the request that queues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Uploaded files (knowledge base PDFs) go to a throwaway directory, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="palermo-test-media-"))
