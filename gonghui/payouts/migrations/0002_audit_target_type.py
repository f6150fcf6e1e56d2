"""Audit events recorded while payouts lived in the cards app name their target `cards.PayoutBatch`
(or `cards.PayoutItem`); the models are now the payouts app's, so the old events are renamed to
match and a batch's history reads as one list. Reversible: the reverse puts the old labels back.
"""

from django.db import migrations

RENAMES = {"cards.PayoutBatch": "payouts.PayoutBatch", "cards.PayoutItem": "payouts.PayoutItem"}


def _rename(apps, mapping: dict[str, str]) -> None:
    events = apps.get_model("core", "AuditEvent").objects
    for old, new in mapping.items():
        events.filter(target_type=old).update(target_type=new)


def forwards(apps, schema_editor) -> None:
    _rename(apps, RENAMES)


def backwards(apps, schema_editor) -> None:
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0001_initial"),
        ("core", "0002_bulk_job"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
