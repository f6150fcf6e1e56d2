"""Member service cards (工会会员服务卡, DOMAIN §3): co-branded debit cards a bank issues to members.

A card number is financial-account data (PIPL §28): stored only as AES-GCM
ciphertext, an HMAC blind index (unique; matches the bank's files) and a
masked form `6217 **** **** 1234`, like an ID number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class BankPartner(models.Model):
    """A bank that co-issues the card (合作银行), with the card BINs it issues under."""

    code = models.CharField(_("银行代码"), max_length=20, unique=True)
    name = models.CharField(_("银行名称"), max_length=100)
    # The first digits of its card numbers, comma-separated ("621795,623668"); empty accepts any.
    bin_prefixes = models.CharField(_("卡 BIN"), max_length=200, blank=True)
    # The adapter that writes its application and payout files and reads its result files.
    file_format = models.CharField(_("文件格式"), max_length=40, default="standard")
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作银行")
        verbose_name_plural = _("合作银行")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def bins(self) -> list[str]:
        return [b.strip() for b in self.bin_prefixes.split(",") if b.strip()]


class CardStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    ISSUED = "issued", _("已制卡")
    ACTIVATED = "activated", _("已激活")
    FROZEN = "frozen", _("已冻结")
    LOST = "lost", _("已挂失")
    CANCELLED = "cancelled", _("已注销")
    REPLACED = "replaced", _("已换卡")


# A person holds at most one card of a bank in these states (the database's rule).
LIVE_CARD_STATUSES = (
    CardStatus.APPLIED,
    CardStatus.ISSUED,
    CardStatus.ACTIVATED,
    CardStatus.FROZEN,
    CardStatus.LOST,
)


class ServiceCard(models.Model):
    """One card of one member, from the union's application to its end."""

    person = models.ForeignKey("members.Person", verbose_name=_("持卡人"), on_delete=models.PROTECT, related_name="+")
    bank = models.ForeignKey(BankPartner, verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="cards")
    # The union that applied: the card is seen and managed within its subtree.
    org = models.ForeignKey("orgs.Org", verbose_name=_("申请工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=CardStatus.choices, default=CardStatus.APPLIED)
    card_cipher = models.BinaryField(_("卡号密文"), null=True, editable=False)
    card_index = models.CharField(_("卡号索引"), max_length=64, null=True, editable=False)
    card_masked = models.CharField(_("卡号"), max_length=32, blank=True)
    # PIPL §23: the member's separate consent to hand name, ID number and mobile to the bank.
    consented_at = models.DateTimeField(_("同意提供信息时间"))
    consent_note = models.CharField(_("同意方式"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    issued_on = models.DateField(_("制卡日期"), null=True, blank=True)
    activated_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("换卡前的卡"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[ServiceCard] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("会员服务卡")
        verbose_name_plural = _("会员服务卡")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "bank"],
                condition=Q(status__in=[s.value for s in LIVE_CARD_STATUSES]),
                name="cards_one_live_card_per_bank",
            ),
            models.UniqueConstraint(fields=["card_index"], name="cards_card_index_unique"),
        ]
        indexes = [
            models.Index(fields=["org_path", "id"], name="cards_card_path_id"),
            # Counting a subtree's active cards reads the index alone.
            models.Index(fields=["org_path", "status"], name="cards_card_path_status"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.card_masked or self.get_status_display()}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_CARD_STATUSES


class CardEventType(models.TextChoices):
    APPLY = "apply", _("申请")
    ISSUE = "issue", _("制卡")
    ACTIVATE = "activate", _("激活")
    FREEZE = "freeze", _("冻结")
    UNFREEZE = "unfreeze", _("解冻")
    REPORT_LOST = "report_lost", _("挂失")
    CANCEL = "cancel", _("注销")
    REPLACE = "replace", _("换卡")


class CardEvent(models.Model):
    """One step of a card's history."""

    card = models.ForeignKey(ServiceCard, on_delete=models.CASCADE, related_name="events")
    org_path = PathField(_("组织路径"), editable=False)
    event_type = models.CharField(_("类型"), max_length=20, choices=CardEventType.choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects: ScopedManager[CardEvent] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("卡片变化")
        verbose_name_plural = _("卡片变化")
        base_manager_name = "all_objects"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_event_type_display()}"


# --- 黔优信用卡 referrals and the card's spending, from the bank's files ----------------------------


class ReferralStatus(models.TextChoices):
    APPLIED = "applied", _("审批中")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("未核准")


class CreditCardReferral(models.Model):
    """One credit-card application a union referred to the bank (黔优信用卡), as the bank's file reports it.

    The applicant is a member (`person`) when the ID number's blind index matches
    one; the index and the masked number are kept either way, the ciphertext only
    for an applicant who is not a member (a member's sits on the person already).
    """

    bank = models.ForeignKey(BankPartner, verbose_name=_("发卡银行"), on_delete=models.PROTECT, related_name="+")
    # The bank's application number: the same file twice finds its rows again.
    bank_reference = models.CharField(_("申请编号"), max_length=40)
    org = models.ForeignKey("orgs.Org", verbose_name=_("推荐工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey(
        "members.Person", verbose_name=_("会员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60)
    id_cipher = models.BinaryField(_("证件号码（密文）"), null=True, editable=False)
    id_index = models.CharField(_("证件号码索引"), max_length=64, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=40, editable=False)
    applied_on = models.DateField(_("申请日期"))
    status = models.CharField(
        _("审批结果"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.APPLIED
    )
    credit_line_fen = models.PositiveBigIntegerField(_("授信额度（分）"), default=0)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[CreditCardReferral] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("信用卡推荐")
        verbose_name_plural = _("信用卡推荐")
        base_manager_name = "all_objects"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "bank_reference"], name="cards_referral_bank_reference"),
            # A granted card has a credit line; an open or refused application has none.
            models.CheckConstraint(
                condition=Q(status="approved", credit_line_fen__gt=0) | (~Q(status="approved") & Q(credit_line_fen=0)),
                name="cards_referral_line_iff_approved",
            ),
        ]
        indexes = [
            # The statistics (count and sum of approved lines in a subtree) read this index alone.
            models.Index(fields=["org_path", "status", "credit_line_fen"], name="cards_referral_path_status"),
            models.Index(fields=["id_index"], name="cards_referral_id_index"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_reference} {self.name}"


class CardSpending(models.Model):
    """One purchase with a member service card, from the bank's transaction file (amounts in fen)."""

    bank = models.ForeignKey(BankPartner, verbose_name=_("银行"), on_delete=models.PROTECT, related_name="+")
    # The bank's transaction serial (交易流水号): the same file twice finds its rows again.
    reference = models.CharField(_("交易流水号"), max_length=64)
    card = models.ForeignKey(ServiceCard, verbose_name=_("会员服务卡"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("members.Person", verbose_name=_("持卡人"), on_delete=models.PROTECT, related_name="+")
    # The cardholder's union when the file was imported: the statistics count the spending there.
    org_path = PathField(_("组织路径"), editable=False)
    day = models.DateField(_("交易日期"))
    amount_fen = models.PositiveBigIntegerField(_("交易金额（分）"))
    merchant_name = models.CharField(_("商户名称"), max_length=200)
    mcc = models.CharField(_("商户类别码"), max_length=4, blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects: ScopedManager[CardSpending] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("服务卡消费")
        verbose_name_plural = _("服务卡消费")
        base_manager_name = "all_objects"
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "reference"], name="cards_spending_bank_reference"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="cards_spending_amount_positive"),
        ]
        indexes = [models.Index(fields=["org_path", "day"], name="cards_spending_path_day")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_fen / 100:.2f}"
