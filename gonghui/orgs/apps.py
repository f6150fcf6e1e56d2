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
