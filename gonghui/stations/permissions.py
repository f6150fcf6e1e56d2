from django.db import models

from gonghui.core.permissions import register


class StationPerm(models.TextChoices):
    VIEW = "stations.station.view", "查看驿站和值班表"
    MANAGE = "stations.station.manage", "登记、修改、关闭驿站"
    ROSTER = "stations.roster.manage", "管理驿站值班小组、审核志愿者、排班和审批换班"
    # Like a full card number: admin only (a custom role may add it).
    VIEW_PHONE = "stations.station.view_phone", "查看驿站负责人完整电话"


register(
    StationPerm,
    {
        StationPerm.VIEW: ["officer", "reviewer", "viewer"],
        StationPerm.MANAGE: ["officer"],
        StationPerm.ROSTER: ["officer"],
    },
)
