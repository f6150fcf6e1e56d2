"""The skills app's refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "skills.contest_invalid": _("{reasons}"),
        "skills.org_closed": _("工会“{org}”已撤销，不能举办竞赛或培训。"),
        "skills.contest_not_open": _("竞赛“{contest}”已不在报名阶段（{state}）。"),
        "skills.contest_ranked": _("竞赛“{contest}”已经排名定奖，成绩不能再修改。"),
        "skills.event_invalid": _("{reasons}"),
        "skills.item_invalid": _("{reasons}"),
        "skills.judge_invalid": _("{reasons}"),
        "skills.entry_invalid": _("{reasons}"),
        "skills.not_under_contest": _("只能报名“{org}”及其下级工会的会员。"),
        "skills.not_active_member": _("只有会籍正常的会员可以报名参赛。"),
        "skills.not_eligible": _("{reasons}"),
        "skills.already_entered": _("{name}已报名该项目。"),
        "skills.event_foreign": _("该项目不属于本竞赛。"),
        "skills.judge_foreign": _("该裁判不属于本竞赛。"),
        "skills.judge_own_enterprise": _("裁判{judge}与选手{number}号同属“{enterprise}”，须回避，不能为其评分。"),
        "skills.scores_invalid": _("成绩有误：{reasons}"),
        "skills.same_clerk": _("第二次录入须由另一位录入员完成。"),
        "skills.score_not_mismatch": _("该成绩没有录入不一致，无需裁定。"),
        "skills.score_resolve_invalid": _("{reasons}"),
        "skills.rank_blocked": _("还不能排名：{reasons}"),
        "skills.class_invalid": _("{reasons}"),
        "skills.enrolment_invalid": _("{reasons}"),
        "skills.already_enrolled": _("{name}已在该培训班（{state}）。"),
        "skills.class_closed": _("培训班“{name}”已结业，不能再报名或考勤。"),
        "skills.enrolment_wrong_status": _("学员的状态为“{state}”，不能{action}。"),
        "skills.session_foreign": _("该课次不属于这个培训班。"),
        "skills.plan_invalid": _("{reasons}"),
        "skills.income_invalid": _("{reasons}"),
        "skills.studio_invalid": _("{reasons}"),
        "skills.innovation_invalid": _("{reasons}"),
        "skills.innovation_wrong_status": _("该五小成果的状态为“{state}”，不能这样评审。"),
        "skills.activity_invalid": _("{reasons}"),
        "skills.activity_full": _("活动“{name}”报名人数已满。"),
        "skills.activity_signed_up": _("您已报名该活动。"),
        "skills.activity_not_under": _("该活动只面向“{org}”及其下级工会的会员。"),
        "skills.contest_wrong_state": _("竞赛“{contest}”的状态为“{state}”，不能{action}。"),
        "skills.not_a_winner": _("只有获奖名单经公示确认的获奖选手可以颁发证书或推荐评选。"),
        "skills.already_recommended": _("{name}已被推荐参加评选。"),
        "skills.entry_withdrawn": _("{number}号选手已退赛。"),
        "skills.entry_scored": _("{number}号选手已有成绩录入，不能再退赛。"),
        "skills.activity_code_invalid": _("签到码无效，或不是今天的活动。"),
    }
)
