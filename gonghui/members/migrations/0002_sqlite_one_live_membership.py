"""The one-live-membership rule as a plain partial unique index on SQLite.

The model's constraint covers (org_path, status) for PostgreSQL's index-only
probes; SQLite has no covering indexes, and Django then skips the whole
constraint there rather than creating it without the INCLUDE. This puts the
rule itself back on SQLite; PostgreSQL already has it from 0001.
"""

from django.db import migrations

LIVE = "('applied', 'active', 'transfer_pending', 'retained')"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS members_one_live_membership "
            f"ON members_membership (person_id) WHERE status IN {LIVE}"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS members_one_live_membership")


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
