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
    }
)
