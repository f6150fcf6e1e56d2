"""Static files: WhiteNoise's compressed, hashed storage, which never fails a page for a missing entry.

Django's manifest storage raises for a name the manifest lacks, so a fresh data directory
served before `collectstatic` (by `runserver`, or a process started by hand) answered every
page with "Server Error (500)". `gonghui serve` and `gonghui demo` collect first; here a
missing entry links the plain name instead, and says once in the log what to run.
"""

from __future__ import annotations

import logging
from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    _warned = False

    def create_compressor(self, **kwargs: Any) -> Compressor:
        # gzip only, as before WeasyPrint brought the `brotli` package in (through fonttools):
        # WhiteNoise brotli-compresses every file once it is importable, at its slowest quality,
        # which made collectstatic (and so `gonghui demo`) minutes longer.
        return Compressor(**{**kwargs, "use_brotli": False})

    def url(self, name: str | None, force: bool = False) -> str:
        # `url` is what pages call ({% static %}); collectstatic's own processing goes through
        # `_url`/`stored_name` and keeps Django's checks.
        try:
            return str(super().url(name, force))
        except ValueError:
            if self.hashed_files:
                raise  # collected, and this name is not among them: Django's answer stands
            if not StaticStorage._warned:
                StaticStorage._warned = True
                log.warning("静态文件尚未收集（缺少 %s），请运行 gonghui collectstatic 或使用 gonghui serve 启动", name)
            return str(self.base_url or "/static/") + str(name or "")
