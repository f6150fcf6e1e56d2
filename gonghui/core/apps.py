from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from gonghui.core import logmask

        logmask.install()
        from gonghui.core import words
        from gonghui.core.models import BulkJob, Synonym
        from gonghui.core.paths import register_path_column

        words.set_admin_loader(lambda: Synonym.objects.values_list("table", "word", "value"))

        register_path_column(BulkJob, "org_path")
        # Each domain app adds its statistics keys, monthly series and demo steps
        # in its own stats.py / series.py / demo.py, and its audit log's words in
        # audit_labels.py; importing them registers them.
        autodiscover_modules("stats", "series", "demo", "audit_labels")
