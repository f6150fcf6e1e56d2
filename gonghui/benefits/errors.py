"""普惠 refusals, in Chinese, added to the shared catalogue."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import register_messages

register_messages(
    {
        "benefit.member_unknown": _("未找到该会员服务卡或会员编号。"),
        "benefit.not_eligible": _("该持卡人不是本活动范围内的正常会员，或卡片未激活。"),
        "benefit.no_campaign": _("该商户当前没有进行中的普惠活动。"),
        "benefit.not_operator": _("该账户不是商户“{merchant}”的收银员。"),
        "benefit.key_reused": _("该幂等键已用于另一笔不同的交易（Idempotency-Key 必须每笔唯一）。"),
        "benefit.key_required": _("请在请求头 Idempotency-Key 中提供每笔交易唯一的键。"),
        "benefit.amount_invalid": _("消费金额须为正数，最多两位小数。"),
        "benefit.already_reversed": _("该交易已撤销。"),
        "benefit.campaign_invalid": _("{why}"),
    }
)
