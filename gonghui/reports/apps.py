from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gonghui.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from gonghui.reports import permissions  # noqa: F401  (registers)
