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
        _register_choice_tables()
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


def _register_choice_tables() -> None:
    """Each code table is a choice table of `core.words`: the same everyday words in imports, forms and API."""
    from gonghui.core.words import register_choice_table
    from gonghui.members.codes import CODE_TABLES
    from gonghui.members.validation import code_labels
    from gonghui.members.words import SYNONYMS

    for table, (title, _rows) in CODE_TABLES.items():
        register_choice_table(
            key=table,
            title=title,
            options=lambda table=table: code_labels(table).items(),  # type: ignore[misc]
            synonyms=SYNONYMS.get(table, {}),
        )


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
