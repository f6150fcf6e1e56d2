"""`payout_item` points at `payouts.PayoutItem`, the same table (`cards_payoutitem`): in the state only.

It must run before `cards.0004_payouts_moved` drops `cards.PayoutItem` from the state.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("student_aid", "0001_initial"),
        ("payouts", "0001_initial"),
    ]
    run_before = [("cards", "0004_payouts_moved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="studentaidapplication",
                    name="payout_item",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payouts.payoutitem",
                        verbose_name="代发明细",
                    ),
                ),
            ],
        ),
    ]
