from django.db import models

from gonghui.core.permissions import register


class BenefitPerm(models.TextChoices):
    VIEW = "benefits.campaign.view", "查看普惠活动、商户和交易"
    MANAGE = "benefits.campaign.manage", "管理普惠活动和合作商户"
    # Held by a merchant's cashier accounts (granted on the campaign owner's union).
    TRANSACT = "benefits.transaction.record", "收银：记录普惠交易"


register(
    BenefitPerm,
    {
        BenefitPerm.VIEW: ["officer", "reviewer", "viewer"],
        BenefitPerm.MANAGE: ["officer"],
    },
)
