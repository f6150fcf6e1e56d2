from django.apps import AppConfig


class StudentAidConfig(AppConfig):
    name = "gonghui.student_aid"
    label = "student_aid"
    verbose_name = "金秋助学"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.student_aid import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.student_aid.models import Objection, Publication, StudentAidApplication

        for model in (StudentAidApplication, Publication, Objection):
            register_path_column(model, "org_path")
        from gonghui.cards.signals import payout_items_settled

        payout_items_settled.connect(_settled, dispatch_uid="student_aid.batch_paid_sync")
        from gonghui.crosscheck.subjects import register_open_subjects, register_subject
        from gonghui.student_aid.services import (
            CROSSCHECK_SUBJECT,
            describe_application_subjects,
            open_application_subjects,
        )

        register_subject(CROSSCHECK_SUBJECT, describe_application_subjects)
        register_open_subjects(CROSSCHECK_SUBJECT, open_application_subjects)
        kinds.register()


def _settled(sender: object, *, batch: object, actor: object = None, **kwargs: object) -> None:
    """The bank paid items of a 金秋助学 batch: the applications they settle are paid."""
    from gonghui.student_aid.services import batch_paid_sync

    batch_paid_sync(actor=actor, batch=batch)  # type: ignore[arg-type]
