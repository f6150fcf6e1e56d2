from django.apps import AppConfig


class StudentAidConfig(AppConfig):
    name = "gonghui.student_aid"
    label = "student_aid"
    verbose_name = "金秋助学"

    def ready(self) -> None:
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.student_aid.permissions import StudentAidPerm

        register_nav(
            area="aid",
            section="student_aid",
            label="金秋助学",
            url_name="student_aid:applications",
            allowed=StudentAidPerm.VIEW,
            order=80,
        )
        register_dashboard_cards(
            key="student_aid_yuan", template="student_aid/_dashboard_student_aid_yuan.html", order=60
        )
        from gonghui.core.paths import register_path_column
        from gonghui.student_aid import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.student_aid.models import StudentAidApplication

        register_path_column(StudentAidApplication, "org_path")  # its 公示's rows are notices'

        from gonghui.payouts.signals import payout_items_settled

        payout_items_settled.connect(_settled, dispatch_uid="student_aid.batch_paid_sync")
        from gonghui.crosscheck.subjects import register_open_subjects, register_subject
        from gonghui.student_aid.selectors import (
            CROSSCHECK_SUBJECT,
            describe_application_subjects,
            open_application_subjects,
        )

        register_subject(CROSSCHECK_SUBJECT, describe_application_subjects)
        register_open_subjects(CROSSCHECK_SUBJECT, open_application_subjects)
        kinds.register()
        from gonghui.notices.kinds import register_notice_kind
        from gonghui.student_aid.publication import NOTICE_KIND

        register_notice_kind(NOTICE_KIND)


def _settled(sender: object, *, batch: object, actor: object = None, **kwargs: object) -> None:
    """The bank paid items of a 金秋助学 batch: the applications they settle are paid."""
    from gonghui.student_aid.disbursement import batch_paid_sync

    batch_paid_sync(actor=actor, batch=batch)  # type: ignore[arg-type]
