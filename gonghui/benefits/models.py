"""普惠 (DOMAIN §3): partner merchants, discount campaigns and the transactions at their tills.

A campaign belongs to a union: its eligible members are the active members of
that subtree with an activated service card. Budget and per-member caps are
running totals on rows the transaction service moves with conditional UPDATEs,
so no number of parallel tills can overspend either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class MerchantCategory(models.TextChoices):
    SUPERMARKET = "supermarket", _("超市零售")
    CATERING = "catering", _("餐饮")
    LIVING = "living", _("生活服务")
    CULTURE = "culture", _("文体旅游")
    MEDICAL = "medical", _("医药健康")
    OTHER = "other", _("其他")


class Merchant(models.Model):
    """A partner merchant (合作商户), signed up by a union."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("签约工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("商户名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=MerchantCategory.choices)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("合作中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Merchant] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("合作商户")
        verbose_name_plural = _("合作商户")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="benefits_merchant_uscc_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """One of a merchant's shops (门店)."""

    merchant = models.ForeignKey(Merchant, verbose_name=_("商户"), on_delete=models.CASCADE, related_name="stores")
    name = models.CharField(_("门店名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    is_active = models.BooleanField(_("营业中"), default=True)

    class Meta:
        verbose_name = _("门店")
        verbose_name_plural = _("门店")

    def __str__(self) -> str:
        return self.name


class MerchantOperator(models.Model):
    """A user who works a merchant's till: they see and record that merchant's sales only."""

    merchant = models.ForeignKey(Merchant, verbose_name=_("商户"), on_delete=models.CASCADE, related_name="operators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账户"), on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(Store, verbose_name=_("门店"), null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("商户收银员")
        verbose_name_plural = _("商户收银员")
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="benefits_operator_unique")]

    def __str__(self) -> str:
        return f"{self.merchant_id}:{self.user_id}"


class RuleType(models.TextChoices):
    FULL_REDUCTION = "full_reduction", _("满减")
    DISCOUNT = "discount", _("折扣")
    FIXED = "fixed", _("定额立减")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Recurrence(models.TextChoices):
    NONE = "none", _("不重复（整个活动期）")
    QUARTERLY = "quarterly", _("每季度普惠周")


class Campaign(models.Model):
    """A discount campaign of a union at participating merchants, with a budget and per-member caps.

    A campaign discounts either throughout `starts_at`..`ends_at` or, recurring
    quarterly (普惠周), only in one window a quarter: `occurrence_days` days from
    day `occurrence_start_day` of the quarter's `occurrence_month`-th month,
    clipped to the period (see `recurrence.py`). The per-member campaign caps
    count per occurrence; the budget is for the whole campaign.

    Participation: every store of a merchant in `merchants`, unless the campaign
    names some of that merchant's stores in `stores`: then those stores only.
    """

    org = models.ForeignKey("orgs.Org", verbose_name=_("主办工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("活动名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    merchants = models.ManyToManyField(Merchant, verbose_name=_("参与商户"), related_name="campaigns", blank=True)
    stores = models.ManyToManyField(Store, verbose_name=_("参与门店"), related_name="campaigns", blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    recurrence = models.CharField(_("重复方式"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    occurrence_month = models.PositiveSmallIntegerField(_("季度内第几个月"), default=1)  # 1–3
    occurrence_start_day = models.PositiveSmallIntegerField(_("当月开始日"), default=1)  # 1–28
    occurrence_days = models.PositiveSmallIntegerField(_("每期天数"), default=7)  # 1–31
    rule_type = models.CharField(_("优惠方式"), max_length=20, choices=RuleType.choices)
    threshold_fen = models.PositiveBigIntegerField(_("满（分）"), default=0)  # 满减: spend at least this
    reduction_fen = models.PositiveBigIntegerField(_("减（分）"), default=0)  # 满减 and 定额: this much off
    discount_percent = models.PositiveSmallIntegerField(_("折扣（%）"), default=100)  # 折扣: pay this percent
    max_discount_fen = models.PositiveBigIntegerField(_("单笔最高优惠（分）"), null=True, blank=True)
    budget_fen = models.PositiveBigIntegerField(_("总预算（分）"))
    spent_fen = models.PositiveBigIntegerField(_("已用预算（分）"), default=0)
    per_member_count = models.PositiveIntegerField(_("每人总次数"), null=True, blank=True)
    per_member_fen = models.PositiveBigIntegerField(_("每人总优惠（分）"), null=True, blank=True)
    per_day_count = models.PositiveIntegerField(_("每人每日次数"), null=True, blank=True)
    per_day_fen = models.PositiveBigIntegerField(_("每人每日优惠（分）"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("开始执行时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束执行时间"), null=True, blank=True)

    objects: ScopedManager[Campaign] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("普惠活动")
        verbose_name_plural = _("普惠活动")
        base_manager_name = "all_objects"
        constraints = [
            # The budget is never overspent, whatever the service does.
            models.CheckConstraint(condition=Q(spent_fen__lte=F("budget_fen")), name="benefits_budget_not_exceeded"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="benefits_campaign_window"),
            # A window never reaches the next quarter's window, and its first day exists in every month.
            models.CheckConstraint(
                condition=Q(occurrence_month__gte=1, occurrence_month__lte=3)
                & Q(occurrence_start_day__gte=1, occurrence_start_day__lte=28)
                & Q(occurrence_days__gte=1, occurrence_days__lte=31),
                name="benefits_campaign_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberUsage(models.Model):
    """A member's running totals in a campaign: for one occurrence (`day` null) or one day.

    `occurrence` is the first day of the occurrence (a 普惠周) the totals count
    in; a campaign without recurrence has one occurrence, keyed by its start.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    occurrence = models.DateField()
    day = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    discount_fen = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person", "occurrence"],
                condition=Q(day__isnull=True),
                name="benefits_usage_occurrence",
            ),
            models.UniqueConstraint(
                fields=["campaign", "person", "day"], condition=Q(day__isnull=False), name="benefits_usage_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}:{self.occurrence}:{self.day or '-'} {self.count}"


class TransactionStatus(models.TextChoices):
    COMPLETED = "completed", _("已完成")
    REVERSED = "reversed", _("已撤销")


class BenefitTransaction(models.Model):
    """One sale at a merchant's till, with the discount the campaign granted (possibly none)."""

    merchant = models.ForeignKey(Merchant, verbose_name=_("商户"), on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, verbose_name=_("门店"), null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The campaign's union, for scope (the merchant's when no campaign applied).
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    amount_fen = models.PositiveBigIntegerField(_("消费金额（分）"))
    discount_fen = models.PositiveBigIntegerField(_("优惠金额（分）"), default=0)
    no_discount_reason = models.CharField(_("未优惠原因"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TransactionStatus.choices, default=TransactionStatus.COMPLETED
    )
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("交易时间"), auto_now_add=True)
    day = models.DateField(_("交易日"))
    # The occurrence (普惠周) whose caps the sale counted in; null without a campaign.
    occurrence = models.DateField(_("活动期次"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    # The settlement day a reversal is booked on (its own day, not the sale's).
    reversed_day = models.DateField(_("撤销日"), null=True, blank=True)

    objects: ScopedManager[BenefitTransaction] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("普惠交易")
        verbose_name_plural = _("普惠交易")
        base_manager_name = "all_objects"
        constraints = [
            # A till's retry with the same key is the same sale.
            models.UniqueConstraint(fields=["merchant", "idempotency_key"], name="benefits_tx_idempotent"),
            models.CheckConstraint(condition=Q(discount_fen__lte=F("amount_fen")), name="benefits_tx_discount_le"),
        ]
        indexes = [
            models.Index(fields=["org_path", "day"], name="benefits_tx_path_day"),
            models.Index(fields=["merchant", "day"], name="benefits_tx_merchant_day"),
            models.Index(fields=["org_path", "reversed_day"], name="benefits_tx_path_reversed"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}:{self.idempotency_key}"

    @property
    def paid_fen(self) -> int:
        return self.amount_fen - self.discount_fen
