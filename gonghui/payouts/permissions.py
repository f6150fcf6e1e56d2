from django.db import models

from gonghui.core.permissions import register


# The codes keep the "cards." prefix they had when payouts lived in the cards app:
# roles and grants in existing databases store them.
class PayoutPerm(models.TextChoices):
    VIEW = "cards.payout.view", "查看资金代发"
    MAKE = "cards.payout.make", "经办资金代发（建批次、生成银行文件、导入结果）"
    CHECK = "cards.payout.check", "复核资金代发"


register(
    PayoutPerm,
    {
        PayoutPerm.VIEW: ["officer", "reviewer", "viewer"],
        PayoutPerm.MAKE: ["officer"],
        PayoutPerm.CHECK: ["reviewer"],
    },
)
