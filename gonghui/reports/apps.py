from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gonghui.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from gonghui.core.permissions import CorePerm
        from gonghui.core.ui import register_nav
        from gonghui.reports.permissions import ReportPerm

        register_nav(
            area="stats",
            section="dashboard",
            label="统计概览",
            url_name="reports:dashboard",
            allowed=ReportPerm.STATS_VIEW,
            order=10,
        )
        register_nav(
            area="system",
            section="audit",
            label="审计日志",
            url_name="reports:audit",
            allowed=CorePerm.AUDIT_VIEW,
            order=910,
        )
        from gonghui.reports import permissions  # noqa: F401  (registers)
