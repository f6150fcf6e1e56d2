from django.db import models

from gonghui.core.permissions import register


class CardPerm(models.TextChoices):
    VIEW = "cards.card.view", "查看会员服务卡"
    APPLY = "cards.card.apply", "申请会员服务卡"
    MANAGE = "cards.card.manage", "办理发卡、激活、冻结、挂失、注销和补换卡"
    VIEW_NUMBER = "cards.card.view_number", "查看完整卡号"


register(
    CardPerm,
    {
        CardPerm.VIEW: ["officer", "reviewer", "viewer"],
        CardPerm.APPLY: ["officer"],
        CardPerm.MANAGE: ["officer"],
    },
)
