from django.db import models

from gonghui.core.permissions import register


class AccountPerm(models.TextChoices):
    GRANT_MANAGE = "accounts.grant.manage", "在管辖范围内授予角色"
    USER_VIEW = "accounts.user.view", "查看账户"


register(AccountPerm, {AccountPerm.USER_VIEW: ["officer"]})
