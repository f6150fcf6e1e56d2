from django.db import models

from gonghui.core.permissions import register


class AidPerm(models.TextChoices):
    VIEW = "aid.file.view", "查看困难职工档案"
    APPLY = "aid.file.apply", "登记困难职工建档申请"
    REVIEW = "aid.file.review", "审核困难职工建档（本单位工会、上级工会）"
    # The 帮扶中心's own right: no built-in role but admin holds it; grant it with a custom role.
    FILE = "aid.file.approve", "帮扶中心审定建档、撤档"
    RELIEF = "aid.relief.record", "登记送温暖、慰问"
    # Policy of a region, set by its federation: no built-in role but admin holds it.
    STANDARD = "aid.standard.manage", "设置低保标准和慰问标准"


register(
    AidPerm,
    {
        AidPerm.VIEW: ["officer", "reviewer", "viewer"],
        AidPerm.APPLY: ["officer"],
        AidPerm.RELIEF: ["officer"],
        AidPerm.REVIEW: ["reviewer"],
    },
)
