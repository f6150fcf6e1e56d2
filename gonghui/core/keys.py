"""Secret keys: from the environment, or generated once into the data directory.

The demo and a small office run without configuration, so the keys are created
on first start and kept in `DATA_DIR/keys.json` (mode 0600). Production sets
`GONGHUI_REQUIRE_ENV_KEYS=1` and supplies every key through the environment.

A key rotation (`gonghui keys rotate`) needs the next field and index keys
beside the current ones until every row is carried over: in `keys.json` they
are `next_field_key` and `next_index_key` (written before the first row is
touched, so a crash never loses them); from the environment they are
`GONGHUI_NEXT_FIELD_KEY` and `GONGHUI_NEXT_INDEX_KEY`, which the operator sets
and, once the rotation is done, moves into `GONGHUI_FIELD_KEY` and
`GONGHUI_INDEX_KEY`. The application itself reads only the current keys.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY_NAMES = ("secret_key", "field_key", "index_key")
ROTATED_NAMES = ("field_key", "index_key")
KEYS_FILE = "keys.json"
PRODUCTION_SETTINGS = "gonghui.settings.production"
DEMO_SETTINGS = "gonghui.settings.base"


def keys_from_environment(environ: Mapping[str, str]) -> bool:
    """The operator supplies every key: this is a deployment, not a demo."""
    return all(environ.get(env_name(name)) for name in KEY_NAMES)


def default_settings_module(environ: Mapping[str, str]) -> str:
    """The settings a process runs when DJANGO_SETTINGS_MODULE is not set.

    Keys in the environment mean someone deployed the platform on purpose, so it gets the
    production settings (Secure cookies, HSTS, no keys on disk) without having to know the
    settings module's name; without them it is a demo or a trial on a laptop, which must
    start with no configuration at all (`make demo`), and `gonghui serve` says so loudly.
    """
    return PRODUCTION_SETTINGS if keys_from_environment(environ) else DEMO_SETTINGS


def keys_on_disk(data_dir: Path) -> list[Path]:
    """Key files in the data directory: `keys.json` and the retired keys a rotation keeps beside it.

    The data directory is what uploads, exports and backups of it expose; keys kept there
    open everything sealed. The demo may keep them there; production refuses to start.
    """
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.glob("keys*.json") if p.is_file())


def generate_key() -> str:
    return secrets.token_urlsafe(48)


def env_name(name: str) -> str:
    return f"GONGHUI_{name.upper()}"


def write_private_json(path: Path, data: Mapping[str, Any]) -> None:
    """Replace `path` atomically with `data`, readable by the owner only, flushed to disk."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dict(data), fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_or_create_keys(data_dir: Path, *, environ: Mapping[str, str]) -> dict[str, str]:
    from_env = {name: environ.get(env_name(name), "") for name in KEY_NAMES}
    if all(from_env.values()):
        return from_env
    if environ.get("GONGHUI_REQUIRE_ENV_KEYS") == "1":
        missing = [env_name(n) for n, v in from_env.items() if not v]
        raise RuntimeError(f"Missing keys in the environment: {', '.join(missing)}")
    path = data_dir / KEYS_FILE
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for name in KEY_NAMES:
        if not stored.get(name):
            stored[name] = generate_key()
            changed = True
    if changed:
        write_private_json(path, stored)
    return {name: from_env[name] or stored[name] for name in KEY_NAMES}


@dataclass(frozen=True)
class KeySource:
    """Where the field and index keys are kept: the environment, or `keys.json` in the data directory."""

    data_dir: Path
    environ: Mapping[str, str]

    @property
    def path(self) -> Path:
        return self.data_dir / KEYS_FILE

    @property
    def from_env(self) -> bool:
        """The environment sets the field or the index key: the operator, not this program, changes them."""
        return any(self.environ.get(env_name(n)) for n in ROTATED_NAMES)

    def stored(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def current(self) -> dict[str, str]:
        """The field and index keys the application would load now."""
        stored = self.stored()
        return {n: self.environ.get(env_name(n)) or stored.get(n, "") for n in ROTATED_NAMES}

    def next_keys(self) -> dict[str, str] | None:
        """The next field and index keys of a rotation ("" for one not set), or None when neither is."""
        if self.from_env:
            found = {n: self.environ.get(env_name(f"next_{n}"), "") for n in ROTATED_NAMES}
        else:
            stored = self.stored()
            found = {n: stored.get(f"next_{n}", "") for n in ROTATED_NAMES}
        return found if any(found.values()) else None

    def write_next(self, keys: Mapping[str, str]) -> None:
        """Keep the next keys beside the current ones (file only), before any row is sealed under them."""
        if self.from_env:
            raise RuntimeError("keys come from the environment: the operator sets GONGHUI_NEXT_* there")
        stored = self.stored()
        for name in ROTATED_NAMES:
            stored[f"next_{name}"] = keys[name]
        write_private_json(self.path, stored)

    def promote(self, retired: Path) -> None:
        """Make the next keys current (file only); the old ones go to `retired`, for older backups."""
        if self.from_env:
            raise RuntimeError("keys come from the environment: the operator swaps them there")
        stored = self.stored()
        nxt = {n: stored.get(f"next_{n}", "") for n in ROTATED_NAMES}
        if not all(nxt.values()):
            raise RuntimeError("no next keys to promote")
        write_private_json(retired, {n: stored[n] for n in ROTATED_NAMES})
        for name in ROTATED_NAMES:
            stored[name] = nxt[name]
            del stored[f"next_{name}"]
        write_private_json(self.path, stored)
