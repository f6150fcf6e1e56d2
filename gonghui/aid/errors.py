from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "aid.household_on_file": _("该家庭已有困难职工档案（{who}在{org}的档案），一户只能建一份档案。"),
        "aid.not_eligible": _(
            "人均月收入 {per_capita} 元，不低于当地低保标准的两倍（{limit} 元），且不属于意外致困，不符合建档条件。"
        ),
        "aid.no_standard": _("{region}尚未设置 {year} 年的城乡低保标准，无法认定困难类别，请先设置低保标准。"),
        "aid.wrong_status": _("档案当前状态为“{state}”，不能{action}。"),
        "aid.authorization_required": _("请先上传职工签字的家庭经济状况核对授权委托书。"),
        "aid.not_member": _("该职工不是本工会范围内的在册会员。"),
        "aid.relief_over_cap": _(
            "{event}每人每年不超过 {cap} 元：{name}今年已领 {given} 元，本次 {amount} 元将超出上限。"
        ),
        "aid.crosscheck_pending": _(
            "该家庭成员在其他部门的名单中有记录，请先在名单比对中复核（排除或确认）后再审定建档。"
        ),
        "aid.crosscheck_duplicate": _("经名单比对复核，该家庭已重复受助（{reason}），不能建档。"),
        "aid.relief_empty": _("请填写慰问金、慰问品、保险或住房帮扶中的至少一项。"),
        # Refusals about one field (their details name it).
        "aid.household_size_invalid": _("家庭人口至少为 1 人"),
        "aid.amount_invalid": _("金额须为正数，最多两位小数。"),
        "aid.decision_unknown": _("应为 approve、return 或 reject"),
        "aid.decision_note_required": _("退回或不予建档时请填写审核意见"),
        "aid.close_reason_required": _("请填写撤档原因"),
        "aid.closed_in_future": _("撤档日期不能晚于今天"),
        "aid.closed_before_filed": _("撤档日期不能早于建档日期（{filed}），请核对日期"),
        "aid.review_note_required": _("不再符合建档条件时请说明情况"),
        "aid.scan_invalid": _("请上传 10 MB 以内的 PDF、JPG 或 PNG 扫描件"),
        "aid.scan_unreadable": _("授权委托书扫描件无法读取：{reason}"),
        "aid.event_unknown": _("慰问事项不在代码表中"),
        "aid.relief_negative": _("金额和份数不能为负"),
        "aid.relief_outside_campaign": _("慰问日期不在“{campaign}”的活动期内"),
        "aid.relief_in_future": _("慰问日期不能晚于今天"),
        # Checks of several fields at once: each field's reason in the details, joined as the message.
        "aid.application_fields_invalid": _("{reasons}"),
        "aid.subsistence_standard_invalid": _("{reasons}"),
        "aid.welfare_rule_invalid": _("{reasons}"),
    }
)
