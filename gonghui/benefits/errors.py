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
        "benefit.merchant_inactive": _("商户“{merchant}”已停止合作，不能记录普惠交易或参加活动。"),
        "benefit.merchant_already_inactive": _("商户“{merchant}”已经停止合作。"),
        "benefit.store_inactive": _("门店“{store}”已停业，不能记录普惠交易或参加活动。"),
        "benefit.store_not_yours": _("该收银员账户绑定在门店“{store}”，只能记录和撤销本门店的交易。"),
        "benefit.uscc_taken": _("统一社会信用代码“{uscc}”已登记为{holder}。"),
        "benefit.org_closed": _("工会“{org}”已撤销，不能签约商户或举办活动。"),
        # What Django's password validators said of a new cashier account's password, joined.
        "benefit.password_rejected": _("{why}"),
        "benefit.campaign_state": _("活动“{campaign}”当前状态为“{state}”，不能{action}。"),
        "benefit.campaign_no_merchants": _("活动“{campaign}”还没有参与商户，不能开始。"),
        "benefit.campaign_over": _("活动“{campaign}”的活动期（或最后一期普惠周）已经结束，不能开始。"),
        "benefit.period_invalid": _("查询的日期范围有误：{why}"),
        # Merchant and store fields (each refusal names its field).
        "benefit.uscc_invalid": _("统一社会信用代码“{value}”无效：{why}"),
        "benefit.region_invalid": _("行政区划代码“{code}”应为 6 位数字"),
        "benefit.category_unknown": _("类别“{value}”不存在，可选：{choices}"),
        "benefit.field_required": _("{label}不能为空"),
        "benefit.too_long": _("{label}不能超过 {limit} 个字符"),
        "benefit.field_null": _("{label}不能为 null"),
        "benefit.field_not_editable": _("不能修改该字段"),
        # Campaign fields.
        "benefit.field_not_settable": _("不能设置该字段"),
        "benefit.field_not_clearable": _("不能为空"),
        "benefit.campaign_fields_missing": _("{reasons}"),
        "benefit.campaign_rules_broken": _("{reasons}"),
        "benefit.campaign_amounts_invalid": _("{reasons}"),
        "benefit.amount_too_large": _("{label}不能超过 {limit} 元"),
        "benefit.amount_malformed": _("{label}应为{need} 的金额（元），最多两位小数"),
        "benefit.merchant_ambiguous": _("该账户服务多个商户，请指定 merchant_id"),
    }
)
