from django.db import models

from gonghui.core.permissions import register


class OrgPerm(models.TextChoices):
    VIEW = "orgs.org.view", "查看工会组织"
    CREATE = "orgs.org.create", "新建下级工会"
    CHANGE = "orgs.org.change", "修改工会信息"
    MOVE = "orgs.org.move", "调整隶属关系"
    CLOSE = "orgs.org.close", "撤销工会"


register(
    OrgPerm,
    {
        OrgPerm.VIEW: ["officer", "reviewer", "viewer"],
        OrgPerm.CREATE: ["officer"],
        OrgPerm.CHANGE: ["officer"],
    },
)
