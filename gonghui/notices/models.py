"""One 公示 for every public notice (DOMAIN §5): a list of entries published for a period.

A `Publication` belongs to a notice kind (`notices.kinds`: 金秋助学, honors …) that says who may
publish, record and resolve objections, and what happens to its subject when an entry is removed.
Each `PublicationEntry` points at its subject through a generic relation (an application, a
nomination …) and carries the public columns as they were published: a name and a few details,
never an ID number. An `Objection` is raised against one entry, by an officer who received it or by
anyone through the public page (with a contact); upheld it removes the entry, with the reason.
The period is counted in calendar or working days (`core.workdays`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


def new_token() -> str:
    return secrets.token_urlsafe(16)


class DayBasis(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日")


class PublicationStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    CLOSED = "closed", _("公示结束")


class Publication(models.Model):
    """A 公示: a union's public list of entries of one kind, for a period."""

    kind = models.CharField(_("公示类别"), max_length=30)
    org = models.ForeignKey("orgs.Org", verbose_name=_("公示工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    # What the notice says of the list, above it (the kind's wording).
    lead = models.TextField(_("说明"), blank=True)
    days = models.PositiveSmallIntegerField(_("公示天数"))
    day_basis = models.CharField(_("计日方式"), max_length=10, choices=DayBasis.choices, default=DayBasis.CALENDAR)
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示截止日期"))  # the last day objections are received
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # The public page's address: not guessable, so a 公示 is reached from its notice, not by counting.
    token = models.CharField(_("公开链接码"), max_length=32, unique=True, default=new_token, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects: ScopedManager[Publication] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="notices_pub_dates"),
            models.CheckConstraint(condition=Q(days__gte=1), name="notices_pub_days"),
        ]
        indexes = [models.Index(fields=["org_path", "kind", "year"], name="notices_pub_path_kind")]

    def __str__(self) -> str:
        return self.title


class EntryStatus(models.TextChoices):
    LISTED = "listed", _("公示中")
    REMOVED = "removed", _("已撤下")


class PublicationEntry(models.Model):
    """One line of a 公示: its subject and the public columns as published (never an ID number)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField(_("序号"))
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    name = models.CharField(_("姓名/名称"), max_length=200)
    details = models.JSONField(_("公示内容"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.LISTED)
    removed_reason = models.CharField(_("撤下原因"), max_length=200, blank=True)
    removed_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示条目")
        verbose_name_plural = _("公示条目")
        ordering = ["publication", "position"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "subject_type", "subject_id"], name="notices_entry_once"),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="notices_entry_subject")]

    def __str__(self) -> str:
        return self.name


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class ObjectionChannel(models.TextChoices):
    RECORDED = "recorded", _("工作人员登记")
    PUBLIC = "public", _("公示页面提交")


class Objection(models.Model):
    """An objection to one entry, received within the 公示 period."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    entry = models.ForeignKey(
        PublicationEntry, verbose_name=_("公示条目"), on_delete=models.PROTECT, related_name="objections"
    )
    org_path = PathField(_("组织路径"), editable=False)
    channel = models.CharField(
        _("来源"), max_length=10, choices=ObjectionChannel.choices, default=ObjectionChannel.RECORDED
    )
    raised_by = models.CharField(_("异议人"), max_length=60, blank=True)  # may stay anonymous when recorded
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)  # required from the public page
    reason = models.CharField(_("异议内容"), max_length=500)
    received_on = models.DateField(_("收到日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = models.CharField(_("处理意见"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, null=True)

    objects: ScopedManager[Objection] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return f"{self.entry_id} {self.get_status_display()}"


class Certificate(models.Model):
    """A certificate (荣誉证书, 技能证书 …) to one holder, verifiable by its QR code.

    The verification page shows the name, the honor and the year only. Issued by the app that
    owns the honor (`kind`, a registered notice kind whose permissions apply), optionally for
    one of its records (`subject`).
    """

    kind = models.CharField(_("类别"), max_length=30)
    serial = models.CharField(_("证书编号"), max_length=40, unique=True)
    org = models.ForeignKey("orgs.Org", verbose_name=_("颁发工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    holder_name = models.CharField(_("获得者"), max_length=200)
    title = models.CharField(_("荣誉/证书名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=40, blank=True)
    awarding_body = models.CharField(_("授予单位"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    token = models.CharField(_("核验码"), max_length=32, unique=True, default=new_token, editable=False)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("颁发时间"), auto_now_add=True)

    objects: ScopedManager[Certificate] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["org_path", "kind", "year"], name="notices_cert_path_kind"),
            models.Index(fields=["subject_type", "subject_id"], name="notices_cert_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.holder_name}"
