from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "gonghui.honors"
    label = "honors"
    verbose_name = "荣誉"

    def ready(self) -> None:
        from gonghui.core.paths import register_path_column
        from gonghui.core.ui import register_member_panel, register_nav
        from gonghui.honors import audit_labels, errors, permissions, stats  # noqa: F401  (registers)
        from gonghui.honors.models import AllowanceStandard, Campaign, HonorHeld, Lecture, Nomination
        from gonghui.honors.permissions import HonorPerm
        from gonghui.honors.selectors import member_panel
        from gonghui.honors.services import NOTICE_KIND
        from gonghui.notices.kinds import register_notice_kind

        register_nav(
            area="honors",
            section="honors",
            label="评选表彰",
            url_name="honors:campaigns",
            allowed=HonorPerm.VIEW,
            order=10,
        )
        register_nav(
            area="honors",
            section="honors_register",
            label="荣誉登记",
            url_name="honors:register",
            allowed=HonorPerm.VIEW,
            order=11,
        )
        register_nav(
            area="honors",
            section="honors_lectures",
            label="劳模工匠宣讲",
            url_name="honors:lectures",
            allowed=HonorPerm.VIEW,
            order=12,
        )
        register_nav(
            area="honors",
            section="honors_allowance",
            label="劳模津贴",
            url_name="honors:allowance",
            allowed=HonorPerm.VIEW,
            order=13,
        )
        register_member_panel(name="honors", template="honors/_member_panel.html", context=member_panel, order=40)
        register_notice_kind(NOTICE_KIND)
        for model in (Campaign, Nomination, HonorHeld, Lecture, AllowanceStandard):
            register_path_column(model, "org_path")
        register_path_column(Nomination, "at_path")
