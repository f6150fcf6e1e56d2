"""Secret keys: from the environment, or generated once into the data directory.

The demo and a small office run without configuration, so the keys are created
on first start and kept in `DATA_DIR/keys.json` (mode 0600). Production sets
`GONGHUI_REQUIRE_ENV_KEYS=1` and supplies every key through the environment.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

KEY_NAMES = ("secret_key", "field_key", "index_key")


def load_or_create_keys(data_dir: Path, *, environ: Mapping[str, str]) -> dict[str, str]:
    from_env = {name: environ.get(f"GONGHUI_{name.upper()}", "") for name in KEY_NAMES}
    if all(from_env.values()):
        return from_env
    if environ.get("GONGHUI_REQUIRE_ENV_KEYS") == "1":
        missing = [f"GONGHUI_{n.upper()}" for n, v in from_env.items() if not v]
        raise RuntimeError(f"Missing keys in the environment: {', '.join(missing)}")
    path = data_dir / "keys.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for name in KEY_NAMES:
        if not stored.get(name):
            stored[name] = secrets.token_urlsafe(48)
            changed = True
    if changed:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stored, fh)
        os.replace(tmp, path)
    return {name: from_env[name] or stored[name] for name in KEY_NAMES}
