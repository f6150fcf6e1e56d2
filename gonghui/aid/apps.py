from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "gonghui.aid"
    label = "aid"
    verbose_name = "困难职工帮扶"

    def ready(self) -> None:
        from gonghui.aid import errors, permissions  # noqa: F401  (registers)
        from gonghui.aid.models import HardshipFile
        from gonghui.core.paths import register_path_column

        register_path_column(HardshipFile, "org_path")
