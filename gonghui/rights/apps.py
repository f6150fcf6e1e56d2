from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "gonghui.rights"
    label = "rights"
    verbose_name = "职工维权"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.rights import errors, kinds, legal_words, permissions, words  # noqa: F401  (registers)
        from gonghui.rights.models import CollectiveContract, HotlineCase, Lawyer, LawyerVisit, LegalAidMatter
        from gonghui.rights.permissions import RightsPerm

        words.register()
        legal_words.register()
        kinds.register()
        register_path_column(HotlineCase, "org_path")
        register_path_column(HotlineCase, "intake_path")
        register_path_column(CollectiveContract, "org_path")
        for model in (Lawyer, LegalAidMatter, LawyerVisit):
            register_path_column(model, "org_path")
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
        for section, label, url_name, order in (
            ("rights_legal_aid", "法律援助", "rights:legal_aid", 83),
            ("rights_lawyers", "工会律师库", "rights:lawyers", 84),
            ("rights_visits", "律师进企业", "rights:visits", 85),
        ):
            register_nav(
                area="rights",
                section=section,
                label=label,
                url_name=url_name,
                allowed=RightsPerm.LEGAL_VIEW,
                order=order,
            )
        register_dashboard_cards(key="contracts", template="rights/_dashboard_contracts.html", order=61)
        register_dashboard_cards(key="hotline_cases", template="rights/_dashboard_hotline.html", order=60)
