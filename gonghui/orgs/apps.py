from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = "工会组织"

    def ready(self) -> None:
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.orgs.permissions import OrgPerm

        register_nav(area="org", section="orgs", label="组织建设", url_name="orgs:tree", allowed=OrgPerm.VIEW, order=20)
        register_dashboard_cards(key="orgs", template="orgs/_dashboard_orgs.html", order=10)
        from gonghui.orgs import errors, kinds, permissions  # noqa: F401  (registers)

        kinds.register()
        from gonghui.core.words import register_choice_table
        from gonghui.orgs.models import OrgForm, OrgKind
        from gonghui.orgs.words import FORM_SYNONYMS, KIND_SYNONYMS

        register_choice_table(key="org_kind", title="组织类型", options=lambda: OrgKind.choices, synonyms=KIND_SYNONYMS)
        register_choice_table(key="org_form", title="组织形式", options=lambda: OrgForm.choices, synonyms=FORM_SYNONYMS)
