"""The database cache's table (settings.CACHES["ratelimit"]), made by migrate.

The rate limits of the public forms count there; making it here means every
way the schema is built (migrate, `gonghui serve`, the demo, the tests'
databases) has it, with no separate `createcachetable` step to forget.
"""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name('gonghui_cache')}")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_bulk_job_header_map")]
    operations = [migrations.RunPython(create, drop)]
