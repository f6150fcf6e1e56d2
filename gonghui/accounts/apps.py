from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账户与授权"

    def ready(self) -> None:
        from gonghui.accounts import permissions  # noqa: F401  (registers)
        from gonghui.accounts.scope import scope_for_user
        from gonghui.core.scoping import register_scope_resolver

        register_scope_resolver(scope_for_user)
        from gonghui.accounts.services import roles_sync_builtin

        def _sync(**kwargs: object) -> None:
            roles_sync_builtin()

        post_migrate.connect(_sync, sender=self, weak=False, dispatch_uid="gonghui.roles_sync_builtin")
        from django.contrib.auth.signals import user_logged_in

        from gonghui.accounts.middleware import mark_member_session

        user_logged_in.connect(mark_member_session, weak=False, dispatch_uid="gonghui.mark_member_session")
