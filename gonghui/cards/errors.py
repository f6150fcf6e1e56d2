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
