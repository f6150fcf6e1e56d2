"""Test settings: the same stack, with a fast hasher and an immediate task backend."""

import os
import tempfile

os.environ.setdefault("GONGHUI_DATA_DIR", os.path.join(tempfile.gettempdir(), "gonghui-test-data"))

from gonghui.settings.base import *  # noqa: F403
from gonghui.settings.base import PASSWORD_HASHERS as _HASHERS

# Argon2 stays configured (a test asserts it is the production hasher); MD5 only
# speeds up fixtures that set passwords by the hundred.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *_HASHERS]
GONGHUI_PRODUCTION_HASHERS = _HASHERS
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing
