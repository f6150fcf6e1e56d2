from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "charity.insufficient_balance": _("基金“{fund}”余额 {balance} 元，不足以支出 {amount} 元。"),
        "charity.refund_exceeds_balance": _(
            "基金“{fund}”余额 {balance} 元，不足以退还 {amount} 元（捐款已用于项目支出）。"
        ),
        "charity.refund_exceeds_donation": _("这笔捐赠还可退还 {left} 元，不能退还 {amount} 元。"),
        "charity.purpose_mismatch": _("“{fund}”是限定用于{purpose}的基金，不能支付{other}项目。"),
        "charity.project_other_fund": _("项目“{project}”不属于基金“{fund}”。"),
        "charity.over_budget": _("项目“{project}”预算 {budget} 元，已支出 {spent} 元，本次 {amount} 元将超出预算。"),
        "charity.project_closed": _("项目“{project}”的实施期为 {starts} 至 {ends}，支付日期不在其中。"),
        "charity.purpose_not_for": _("项目“{project}”的用途是{purpose}，不能资助{what}。"),
        "charity.fund_name_taken": _("本工会已有名为“{name}”的基金。"),
        "charity.year_invalid": _("年度应在 {low} 至 {high} 之间"),
        "charity.member_not_found": _("本工会范围内没有这名在册会员，请核对会员编号或证件号码。"),
        "charity.agreement_invalid": _("请上传 10 MB 以内的 PDF、JPG 或 PNG 格式的捐赠协议"),
        "charity.agreement_unreadable": _("捐赠协议文件无法读取：{reason}"),
        # Checks of several fields at once: each field's reason in the details, joined as the message.
        "charity.fields_invalid": _("{reasons}"),
        "charity.fund_fields_invalid": _("{reasons}"),
        "charity.donation_fields_invalid": _("{reasons}"),
        "charity.project_fields_invalid": _("{reasons}"),
        "charity.disbursement_fields_invalid": _("{reasons}"),
        "charity.activity_fields_invalid": _("{reasons}"),
    }
)
