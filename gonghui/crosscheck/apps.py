from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "gonghui.crosscheck"
    label = "crosscheck"
    verbose_name = "部门名单比对"

    def ready(self) -> None:
        from gonghui.core.ui import register_nav
        from gonghui.crosscheck.permissions import CrossCheckPerm

        register_nav(
            area="aid",
            section="crosscheck",
            label="名单比对",
            url_name="crosscheck:reviews",
            allowed=CrossCheckPerm.VIEW,
            order=90,
        )
        from gonghui.core.paths import register_path_column
        from gonghui.crosscheck import errors, kinds, permissions  # noqa: F401  (registers)
        from gonghui.crosscheck.models import AgencyList, AgencyRecord, CrossCheckReview

        kinds.register()
        for model in (AgencyList, AgencyRecord, CrossCheckReview):
            register_path_column(model, "org_path")
