from django.db import models

from gonghui.core.permissions import register


class MemberPerm(models.TextChoices):
    VIEW = "members.membership.view", "查看会员"
    REGISTER = "members.membership.register", "登记会员"
    APPROVE = "members.membership.approve", "审批入会申请和会籍接转"
    TRANSFER = "members.membership.transfer", "发起会籍接转"
    CHANGE = "members.membership.change", "办理保留会籍、退会、除名和恢复"
    PERSON_CHANGE = "members.person.change", "修改会员信息"
    VIEW_ID = "members.person.view_id", "查看完整证件号码"


register(
    MemberPerm,
    {
        MemberPerm.VIEW: ["officer", "reviewer", "viewer"],
        MemberPerm.REGISTER: ["officer"],
        MemberPerm.APPROVE: ["officer", "reviewer"],
        MemberPerm.TRANSFER: ["officer"],
        MemberPerm.CHANGE: ["officer"],
        MemberPerm.PERSON_CHANGE: ["officer"],
    },
)
