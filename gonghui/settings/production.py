"""Production: keys must come from the environment, and none may sit in the data directory; HTTPS is assumed."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("GONGHUI_HTTPS", "1")
os.environ.setdefault("GONGHUI_REQUIRE_ENV_KEYS", "1")
# deploy/nginx/gonghui.conf sets X-Real-IP to the client's address (overwriting the client's own).
os.environ.setdefault("GONGHUI_CLIENT_IP_HEADER", "X-Real-IP")

from gonghui.core.keys import keys_on_disk
from gonghui.settings.base import *  # noqa: F403
from gonghui.settings.base import DATA_DIR

DEBUG = False

# The data directory holds the sealed uploads and exports, and is what a backup of it
# or a leaked file path exposes: a key file beside them opens them all. The demo keeps
# its generated keys there (and says so); production refuses to start until they are
# moved into the environment and the files removed (docs/deploying.md, "Keys on disk").
_ON_DISK = keys_on_disk(DATA_DIR)
if _ON_DISK:
    raise ImproperlyConfigured(
        f"Key files in the data directory: {', '.join(str(p) for p in _ON_DISK)}. Production takes its keys "
        "from the environment only: move them there (or to an offline store) and delete these files "
        "(docs/deploying.md)."
    )
