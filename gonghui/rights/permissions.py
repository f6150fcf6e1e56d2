from django.db import models

from gonghui.core.permissions import register


class RightsPerm(models.TextChoices):
    VIEW = "rights.case.view", "查看 12351 热线工单"
    INTAKE = "rights.case.intake", "受理 12351 来电、回访、结案"
    HANDLE = "rights.case.handle", "办理 12351 工单（转办、退回、答复）"
    CHECK = "rights.case.check", "质检 12351 工单"
    SUPERVISE = "rights.case.supervise", "督办下级工会的超期工单"
    CONTRACT_VIEW = "rights.contract.view", "查看集体合同"
    CONTRACT_MANAGE = "rights.contract.manage", "登记集体合同（备案、审查结果、续订）"
    LEGAL_VIEW = "rights.legal.view", "查看工会律师、法律援助与律师进企业"
    LEGAL_MANAGE = "rights.legal.manage", "管理工会律师库、法律援助事项与律师进企业法律体检"


register(
    RightsPerm,
    {
        RightsPerm.VIEW: ["officer", "reviewer", "viewer"],
        RightsPerm.INTAKE: ["officer"],
        RightsPerm.HANDLE: ["officer"],
        RightsPerm.CHECK: ["reviewer"],
        RightsPerm.SUPERVISE: ["officer", "reviewer"],
        RightsPerm.CONTRACT_VIEW: ["officer", "reviewer", "viewer"],
        RightsPerm.CONTRACT_MANAGE: ["officer"],
        RightsPerm.LEGAL_VIEW: ["officer", "reviewer", "viewer"],
        RightsPerm.LEGAL_MANAGE: ["officer"],
    },
)
