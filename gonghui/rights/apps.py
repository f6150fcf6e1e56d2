from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "gonghui.rights"
    label = "rights"
    verbose_name = "职工维权"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.rights import errors, kinds, permissions, words  # noqa: F401  (registers)
        from gonghui.rights.models import CollectiveContract, HotlineCase
        from gonghui.rights.permissions import RightsPerm

        words.register()
        kinds.register()
        register_path_column(HotlineCase, "org_path")
        register_path_column(HotlineCase, "intake_path")
        register_path_column(CollectiveContract, "org_path")
        register_nav(
            area="rights",
            section="rights_cases",
            label="12351 热线工单",
            url_name="rights:cases",
            allowed=RightsPerm.VIEW,
            order=80,
        )
        register_nav(
            area="rights",
            section="rights_supervision",
            label="超期督办",
            url_name="rights:supervision",
            allowed=RightsPerm.SUPERVISE,
            order=81,
        )
        register_nav(
            area="rights",
            section="rights_contracts",
            label="集体合同",
            url_name="rights:contracts",
            allowed=RightsPerm.CONTRACT_VIEW,
            order=82,
        )
        register_dashboard_cards(key="contracts", template="rights/_dashboard_contracts.html", order=61)
        register_dashboard_cards(key="hotline_cases", template="rights/_dashboard_hotline.html", order=60)
