"""The payout batches and items moved to the payouts app: dropped from the cards app's state only.

The tables keep their names and rows (`payouts.PayoutBatch` and `payouts.PayoutItem`
say `db_table = "cards_payoutbatch"` / `"cards_payoutitem"`). `payouts.0001_initial`
and the migrations that repoint other apps' foreign keys name this one in their
`run_before`, so the cards app names no app above it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0003_credit_referrals_spending"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="PayoutItem"),
                migrations.DeleteModel(name="PayoutBatch"),
            ],
        ),
    ]
