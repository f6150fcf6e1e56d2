from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "gonghui.aid"
    label = "aid"
    verbose_name = "困难职工帮扶"

    def ready(self) -> None:
        from gonghui.aid.permissions import AidPerm
        from gonghui.core.ui import register_dashboard_cards, register_nav

        register_nav(area="aid", section="aid", label="困难帮扶", url_name="aid:files", allowed=AidPerm.VIEW, order=70)
        register_dashboard_cards(key="relief_yuan", template="aid/_dashboard_relief_yuan.html", order=50)
        from gonghui.aid import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.aid.models import HardshipFile, ReliefCampaign, ReliefVisit
        from gonghui.core.paths import register_path_column

        for model in (HardshipFile, ReliefCampaign, ReliefVisit):
            register_path_column(model, "org_path")
        from gonghui.aid.services import CROSSCHECK_SUBJECT, describe_household_subjects, open_household_subjects
        from gonghui.crosscheck.subjects import register_open_subjects, register_subject

        register_subject(CROSSCHECK_SUBJECT, describe_household_subjects)
        register_open_subjects(CROSSCHECK_SUBJECT, open_household_subjects)
        kinds.register()
