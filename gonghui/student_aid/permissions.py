from django.db import models

from gonghui.core.permissions import register


class StudentAidPerm(models.TextChoices):
    VIEW = "student_aid.application.view", "查看金秋助学申请"
    APPLY = "student_aid.application.apply", "登记金秋助学申请"
    REVIEW = "student_aid.application.review", "基层工会审核金秋助学申请"
    # Held at the county federation: a grant on the grassroots union alone does not approve.
    APPROVE = "student_aid.application.approve", "县级总工会审批金秋助学申请、处理公示异议"
    PUBLISH = "student_aid.publication.manage", "金秋助学公示（发布、登记异议、结束公示）"
    STANDARD = "student_aid.standard.manage", "设置金秋助学资助标准"


register(
    StudentAidPerm,
    {
        StudentAidPerm.VIEW: ["officer", "reviewer", "viewer"],
        StudentAidPerm.APPLY: ["officer"],
        StudentAidPerm.REVIEW: ["reviewer"],
        StudentAidPerm.APPROVE: ["reviewer"],
        StudentAidPerm.PUBLISH: ["officer"],
    },
)
