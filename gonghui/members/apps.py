from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = "会员实名制"

    def ready(self) -> None:
        from gonghui.core.ui import register_dashboard_cards, register_nav
        from gonghui.members.permissions import MemberPerm

        register_nav(
            area="org",
            section="members",
            label="会员管理",
            url_name="members:roster",
            allowed=MemberPerm.VIEW,
            order=30,
        )
        register_dashboard_cards(key="members", template="members/_dashboard_members.html", order=20)
        from gonghui.core.paths import register_path_column
        from gonghui.members import errors, kinds, permissions  # noqa: F401  (registers)

        kinds.register()
        from gonghui.members.models import Code, Membership, MembershipEvent, MemberTally, Transfer

        for model, field in (
            (Membership, "org_path"),
            (MembershipEvent, "org_path"),
            (MemberTally, "org_path"),
            (Transfer, "from_path"),
            (Transfer, "to_path"),
        ):
            register_path_column(model, field)
        from gonghui.members.services import guard_org_close
        from gonghui.orgs.services import CLOSE_GUARDS

        if guard_org_close not in CLOSE_GUARDS:
            CLOSE_GUARDS.append(guard_org_close)
        post_migrate.connect(sync_code_tables, sender=self, weak=False)
        post_save.connect(_codes_changed, sender=Code, weak=False)


def _codes_changed(**kwargs: Any) -> None:
    from gonghui.members.validation import code_tables_changed

    code_tables_changed()


def sync_code_tables(**kwargs: Any) -> None:
    """Add shipped code-table rows that are missing; never overwrite edited ones."""
    from gonghui.members.codes import CODE_TABLES
    from gonghui.members.models import Code
    from gonghui.members.validation import code_tables_changed

    existing = set(Code.objects.values_list("table", "code"))
    new = [
        Code(table=table, code=code, label=label, sort=i)
        for table, (_title, rows) in CODE_TABLES.items()
        for i, (code, label) in enumerate(rows)
        if (table, code) not in existing
    ]
    Code.objects.bulk_create(new)
    code_tables_changed()
