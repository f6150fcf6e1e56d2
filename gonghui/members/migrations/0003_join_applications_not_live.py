"""A pending join application (待审核) no longer counts as a person's one live membership.

The public join form takes any ID number: while an application held the
person's one live row, a made-up application blocked that person's real
registration or transfer elsewhere. The rule is rebuilt without 'applied',
on PostgreSQL as the model's covering constraint and on SQLite as the plain
partial index of migration 0002.
"""

from django.db import migrations, models

OLD = "('applied', 'active', 'transfer_pending', 'retained')"
NEW = "('active', 'transfer_pending', 'retained')"


def _sqlite_index(statuses: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute("DROP INDEX IF EXISTS members_one_live_membership")
            schema_editor.execute(
                "CREATE UNIQUE INDEX members_one_live_membership "
                f"ON members_membership (person_id) WHERE status IN {statuses}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0002_sqlite_one_live_membership")]

    operations = [
        migrations.RemoveConstraint(model_name="membership", name="members_one_live_membership"),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["active", "transfer_pending", "retained"])),
                fields=("person",),
                include=("org_path", "status"),
                name="members_one_live_membership",
            ),
        ),
        migrations.RunPython(_sqlite_index(NEW), _sqlite_index(OLD)),
    ]
