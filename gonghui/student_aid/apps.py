from django.apps import AppConfig


class StudentAidConfig(AppConfig):
    name = "gonghui.student_aid"
    label = "student_aid"
    verbose_name = "金秋助学"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.student_aid import errors, permissions  # noqa: F401  (registers)
        from gonghui.student_aid.models import Objection, Publication, StudentAidApplication

        for model in (StudentAidApplication, Publication, Objection):
            register_path_column(model, "org_path")
