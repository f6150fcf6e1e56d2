"""The card service's refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "card.consent_required": _("申请会员服务卡须取得会员本人同意向合作银行提供姓名、证件号码和手机号码。"),
        "card.not_member": _("只有状态为“正常”的会员可以申请会员服务卡。"),
        "card.live_card": _("该会员已有{bank}的会员服务卡（{state}），不能重复申请；卡片遗失或损坏请办理补换卡。"),
        "card.wrong_status": _("当前卡片状态为“{state}”，不能{action}。"),
        "card.number_invalid": _("卡号{why}，请核对。"),
        "card.number_taken": _("该卡号已登记在其他会员的卡片上。"),
        "card.bank_inactive": _("合作银行“{bank}”已停用。"),
        "card.reason_required": _("请填写{what}。"),
    }
)

register_messages(
    {
        "payout.wrong_status": _("批次状态为“{state}”，不能{action}。"),
        "payout.same_person": _("复核须由经办人以外的人办理（双人复核）。"),
        "payout.empty": _("批次中没有发放明细。"),
        "payout.amount_invalid": _("金额须为正数，最多两位小数。"),
        "payout.no_active_card": _("该会员没有{bank}已激活的会员服务卡。"),
        "payout.already_paid": _("该会员已有“{reference}”的{purpose}发放记录（待发放或已到账），不能重复发放。"),
        "payout.nothing_failed": _("该批次没有发放失败的明细。"),
        "payout.purpose_unknown": _("用途不在代码表中"),
        "payout.reference_required": _("请填写发放事项"),
        "payout.return_note_required": _("退回时请填写复核意见"),
        "payout.too_many_lines": _("一次最多 {limit} 行，请分批添加或使用批量导入"),
        "payout.amount_required": _("请填写每人金额"),
        "payout.file_format_unknown": _(
            "合作银行“{bank}”的银行文件格式“{format}”不受支持（可用的格式：{formats}），请联系管理员修改该银行的设置。"
        ),
    }
)
