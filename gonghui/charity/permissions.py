from django.db import models

from gonghui.core.permissions import register


class CharityPerm(models.TextChoices):
    VIEW = "charity.fund.view", "查看慈善基金、捐赠和项目"
    MANAGE = "charity.fund.manage", "设立慈善基金和公益项目"
    DONATION = "charity.donation.record", "登记捐赠"
    REFUND = "charity.donation.refund", "退还捐赠"
    DISBURSE = "charity.disbursement.record", "登记公益支出"
    ACTIVITY = "charity.activity.record", "登记公益活动"


register(
    CharityPerm,
    {
        CharityPerm.VIEW: ["officer", "reviewer", "viewer"],
        CharityPerm.DONATION: ["officer"],
        CharityPerm.DISBURSE: ["officer"],
        CharityPerm.ACTIVITY: ["officer"],
        CharityPerm.REFUND: ["reviewer"],
    },
)
