"""What the payouts domain tells others: a batch's items were settled by the bank's answer.

The domains that pay through batches (金秋助学, hardship aid…) mark their own
records paid from it, in the same transaction as the results, without the payouts
app knowing them.
"""

from django.dispatch import Signal

# sender: PayoutBatch; kwargs: batch, actor
payout_items_settled = Signal()
