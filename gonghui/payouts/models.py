"""资金代发 (DOMAIN §3): a union's batches of payments to members' service cards, checked by a second person.

The tables were the cards app's and keep their names (`cards_payoutbatch`,
`cards_payoutitem`) and their constraints' and indexes' names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class PayoutPurpose(models.TextChoices):
    HARDSHIP = "hardship", _("困难补助")
    FESTIVAL = "festival", _("节日慰问金")
    STUDENT_AID = "student_aid", _("金秋助学")
    MODEL_WORKER = "model_worker", _("劳模津贴")
    MEDICAL = "medical", _("医疗互助")
    OTHER = "other", _("其他")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待复核")
    APPROVED = "approved", _("已复核")
    SENT = "sent", _("已生成银行文件")
    RECONCILED = "reconciled", _("已对账")
    CANCELLED = "cancelled", _("已作废")


class PayoutBatch(models.Model):
    """A union's batch of payments to members' service cards, checked by a second person (maker–checker)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("发放工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    bank = models.ForeignKey(
        "cards.BankPartner", verbose_name=_("代发银行"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=PayoutPurpose.choices)
    # What the money is for ("2025年春节慰问"): a member is paid once per purpose and reference.
    reference = models.CharField(_("发放事项"), max_length=100)
    title = models.CharField(_("批次名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    retry_of = models.ForeignKey(
        "self", verbose_name=_("重发自"), null=True, blank=True, on_delete=models.PROTECT, related_name="retries"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    check_note = models.CharField(_("复核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("生成银行文件时间"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)

    objects: ScopedManager[PayoutBatch] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("代发批次")
        verbose_name_plural = _("代发批次")
        db_table = "cards_payoutbatch"  # the table it had in the cards app, kept
        base_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org_path", "created_at"], name="cards_batch_path_at")]

    def __str__(self) -> str:
        return self.title


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")


class PayoutItem(models.Model):
    """One payment to one member's card; amounts in fen (分)."""

    batch = models.ForeignKey(PayoutBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="items")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("收款会员"), on_delete=models.PROTECT, related_name="+")
    card = models.ForeignKey("cards.ServiceCard", verbose_name=_("收款卡"), on_delete=models.PROTECT, related_name="+")
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    # Copied from the batch: the database's rule below needs them on the row.
    purpose = models.CharField(_("用途"), max_length=20, choices=PayoutPurpose.choices)
    reference = models.CharField(_("发放事项"), max_length=100)
    status = models.CharField(_("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    settled_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    objects: ScopedManager[PayoutItem] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("代发明细")
        verbose_name_plural = _("代发明细")
        db_table = "cards_payoutitem"  # the table it had in the cards app, kept
        base_manager_name = "all_objects"
        ordering = ["id"]
        constraints = [
            # Never paid twice for the same thing, whatever the retries: a failed item
            # may be sent again, a pending or paid one may not exist twice.
            models.UniqueConstraint(
                fields=["person", "purpose", "reference"],
                condition=Q(status__in=["pending", "paid"]),
                name="cards_payout_once_per_reference",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="cards_payout_amount_positive"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="cards_item_path_status")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.amount_fen / 100:.2f}"
