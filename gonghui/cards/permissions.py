from django.db import models

from gonghui.core.permissions import register


class CardPerm(models.TextChoices):
    VIEW = "cards.card.view", "查看会员服务卡"
    APPLY = "cards.card.apply", "申请会员服务卡"
    MANAGE = "cards.card.manage", "办理发卡、激活、冻结、挂失、注销和补换卡"
    VIEW_NUMBER = "cards.card.view_number", "查看完整卡号"


class PayoutPerm(models.TextChoices):
    VIEW = "cards.payout.view", "查看资金代发"
    MAKE = "cards.payout.make", "经办资金代发（建批次、生成银行文件、导入结果）"
    CHECK = "cards.payout.check", "复核资金代发"


register(
    CardPerm,
    {
        CardPerm.VIEW: ["officer", "reviewer", "viewer"],
        CardPerm.APPLY: ["officer"],
        CardPerm.MANAGE: ["officer"],
    },
)
register(
    PayoutPerm,
    {
        PayoutPerm.VIEW: ["officer", "reviewer", "viewer"],
        PayoutPerm.MAKE: ["officer"],
        PayoutPerm.CHECK: ["reviewer"],
    },
)
