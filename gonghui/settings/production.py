"""Production: keys must come from the environment, HTTPS is assumed."""

import os

os.environ.setdefault("GONGHUI_HTTPS", "1")
os.environ.setdefault("GONGHUI_REQUIRE_ENV_KEYS", "1")

from gonghui.settings.base import *  # noqa: F403

DEBUG = False
