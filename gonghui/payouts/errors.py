"""The payout service's refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "payout.wrong_status": _("批次状态为“{state}”，不能{action}。"),
        "payout.same_person": _("复核须由经办人以外的人办理（双人复核）。"),
        "payout.empty": _("批次中没有发放明细。"),
        "payout.amount_invalid": _("金额须为正数，最多两位小数。"),
        "payout.no_active_card": _("该会员没有{bank}已激活的会员服务卡。"),
        "payout.already_paid": _("该会员已有“{reference}”的{purpose}发放记录（待发放或已到账），不能重复发放。"),
        "payout.nothing_failed": _("该批次没有发放失败的明细。"),
        "payout.retry_exists": _("该批次的失败明细已生成重发批次“{title}”，请在该批次中办理（作废后可重新生成）。"),
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
