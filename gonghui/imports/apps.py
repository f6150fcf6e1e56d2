from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The 批量导入导出 pages and the `gonghui import` / `gonghui export` commands.

    They sit above every domain: the engine (`core.bulk`) knows no app, the apps
    register their kinds, and these pages offer whatever kinds are registered.
    """

    name = "gonghui.imports"
    label = "imports"
    verbose_name = "批量导入导出"

    def ready(self) -> None:
        from gonghui.core.bulk.kinds import all_kinds
        from gonghui.core.scoping import Scope
        from gonghui.core.ui import register_nav

        def any_bulk_perm(scope: Scope) -> bool:
            return any(scope.has_perm_anywhere(p) for k in all_kinds() for p in (k.import_perm, k.export_perm))

        register_nav(
            area="system",
            section="bulk",
            label="批量导入导出",
            url_name="imports:bulk_jobs",
            allowed=any_bulk_perm,
            order=900,
        )
        register_nav(
            area="system",
            section="synonyms",
            label="词语对照",
            url_name="imports:synonyms",
            allowed=lambda scope: scope.is_superuser,
            order=910,
        )
