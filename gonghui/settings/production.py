"""Production: keys must come from the environment, HTTPS is assumed."""

import os

os.environ.setdefault("GONGHUI_HTTPS", "1")
os.environ.setdefault("GONGHUI_REQUIRE_ENV_KEYS", "1")
# deploy/nginx/gonghui.conf sets X-Real-IP to the client's address (overwriting the client's own).
os.environ.setdefault("GONGHUI_CLIENT_IP_HEADER", "X-Real-IP")

from gonghui.settings.base import *  # noqa: F403

DEBUG = False
