from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from gonghui.core import logmask

        logmask.install()
        from gonghui.core.models import BulkJob
        from gonghui.core.paths import register_path_column

        register_path_column(BulkJob, "org_path")
        # Each domain app adds its statistics keys, monthly series and demo steps
        # in its own stats.py / series.py / demo.py; importing them registers them.
        autodiscover_modules("stats", "series", "demo")
