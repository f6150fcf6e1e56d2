from django.db import models

from gonghui.core.permissions import register


class SkillsPerm(models.TextChoices):
    VIEW = "skills.contest.view", "查看技能竞赛"
    MANAGE = "skills.contest.manage", "举办技能竞赛：设置项目、裁判、权重，排名定奖"
    REGISTER = "skills.contest.register", "为本工会会员报名技能竞赛"
    SCORE = "skills.score.enter", "录入竞赛成绩（双人录入）"
    RESOLVE = "skills.score.resolve", "核对并裁定两次录入不一致的成绩"
    TRAINING_VIEW = "skills.training.view", "查看职工技能培训班"
    TRAINING_MANAGE = "skills.training.manage", "开办培训班、报名学员、考勤、结业"


register(
    SkillsPerm,
    {
        SkillsPerm.VIEW: ["officer", "reviewer", "viewer"],
        SkillsPerm.MANAGE: ["officer"],
        SkillsPerm.REGISTER: ["officer"],
        SkillsPerm.SCORE: ["officer", "reviewer"],
        SkillsPerm.RESOLVE: ["reviewer"],
        SkillsPerm.TRAINING_VIEW: ["officer", "reviewer", "viewer"],
        SkillsPerm.TRAINING_MANAGE: ["officer"],
    },
)
