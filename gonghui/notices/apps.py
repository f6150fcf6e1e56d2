from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """公示 for every public notice (and, below the domain apps, what they share to publish)."""

    name = "gonghui.notices"
    label = "notices"
    verbose_name = "公示"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.notices import errors  # noqa: F401  (registers)
        from gonghui.notices.models import Objection, Publication

        for model in (Publication, Objection):
            register_path_column(model, "org_path")
