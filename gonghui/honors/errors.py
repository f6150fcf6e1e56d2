from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "honors.campaign_closed": _("评选活动“{campaign}”已{state}，不能{action}。"),
        "honors.not_below": _("推荐工会须是评选工会或其下级工会。"),
        "honors.not_member": _("被推荐人须是推荐工会及其下级工会的在册会员。"),
        "honors.already_nominated": _("{name}已被推荐参加本次评选。"),
        "honors.wrong_status": _("推荐对象当前为“{state}”，不能{action}。"),
        "honors.quota_not_met": _("上报名单不符合名额和比例要求：{figures}"),
        "honors.nothing_to_submit": _("没有可上报的推荐对象。"),
        "honors.same_person": _("同一人不能担任同一推荐对象的两个审核环节（推荐或已审核过）。"),
        "honors.reason_required": _("退回或不予通过时请写明理由"),
        "honors.deeds_required": _("请填写主要事迹"),
        "honors.not_at_top": _("只有评选工会审核通过的推荐对象才能公示。"),
        "honors.nothing_to_publish": _("没有审核通过待公示的推荐对象。"),
        "honors.not_announceable": _("公示结束后才能公布评选结果。"),
        "honors.attachment_invalid": _("只接受 10 MB 以内的 PDF、JPG 或 PNG 文件"),
        "honors.attachment_unreadable": _("文件无法打开：{reason}"),
        "honors.collective_quota": _("五一劳动奖状、工人先锋号授予集体，不设人员比例要求（名额照常计算）。"),
        "honors.collective_only": _("本项荣誉授予集体，请推荐工会或班组、团队，而不是个人。"),
        "honors.person_only": _("本项荣誉授予个人，请推荐会员。"),
        "honors.collective_not_below": _("被推荐的集体须是推荐工会或其下级工会（或其所属班组）。"),
        "honors.answers_invalid": _("推荐表附加项有误：{problems}"),
        "honors.criteria_invalid": _("评分项有误：{problems}"),
        "honors.criteria_in_use": _("本级已有评审打分，不能再修改评分项。"),
        "honors.no_criteria": _("本级未设评分项，不需要打分。"),
        "honors.marks_invalid": _("每个评分项应打 0 到 100 分：{criteria}"),
        "honors.conflict": _("您已声明回避或与被推荐对象同属一个工会（单位），不能为其打分。"),
        "honors.lecture_audience_invalid": _("听众人数应为不小于 0 的整数"),
        "honors.lecture_place_required": _("请填写宣讲地点"),
        "honors.lecture_not_model_worker": _("宣讲人须是荣誉登记中的劳模或工匠（劳动模范、五一劳动奖章获得者）"),
        "honors.speaker_not_found": _("没有找到该会员，请输入会员编号或证件号码"),
        "honors.allowance_exists": _("{period}的劳模津贴已生成代发批次“{title}”（{batch}号），不能重复发放。"),
        "honors.allowance_nobody": _("{org}没有{level}及以上的劳模、工匠可发放津贴。"),
        "honors.allowance_period_invalid": _("发放期间应为 {example}"),
        "honors.allowance_nobody_paid": _("没有一人可以发放：{reasons}"),
    }
)
