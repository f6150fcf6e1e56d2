"""Cross-checks against other agencies' aid lists (DOMAIN §4 金秋助学, issue 6 part 3).

An `AgencyList` is one agency's roll (民政 低保/低收入, 共青团, 妇联, 教育资助…) for a
program and year, uploaded by a union through the bulk engine; its `AgencyRecord`s
hold each person's blind index and masked number, never the number itself. Any
app asks for matches by blind indexes (`services.matches_for`); a check of its
subjects (`crosscheck_subjects`) keeps the evidence per subject in
`CrossCheckMatch`, and a flagged subject waits in `CrossCheckReview` for a
reviewer's decision with a reason. Money is in fen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class Agency(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("民政（低保/低收入）")
    YOUTH_LEAGUE = "youth_league", _("共青团")
    WOMENS_FEDERATION = "womens_federation", _("妇联")
    EDUCATION = "education", _("教育资助")
    OTHER = "other", _("其他")


class AgencyList(models.Model):
    """One agency's list for a program and year, as a union uploaded it; one per (union, agency, program, year)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("上传工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    agency = models.CharField(_("部门"), max_length=20, choices=Agency.choices)
    program = models.CharField(_("项目"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("记录数"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects: ScopedManager[AgencyList] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("部门名单")
        verbose_name_plural = _("部门名单")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["org", "agency", "program", "year"], name="crosscheck_list_unique"),
        ]
        indexes = [models.Index(fields=["org_path"], name="crosscheck_list_path")]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} {self.program} {self.year}".replace("  ", " ")


class AgencyRecord(models.Model):
    """One person on an agency's list, by blind index; the same person once per (list, program, year)."""

    # The unique constraint's index leads with the list: no second one for the key.
    list = models.ForeignKey(
        AgencyList, verbose_name=_("名单"), on_delete=models.CASCADE, related_name="records", db_index=False
    )
    org_path = PathField(_("组织路径"), editable=False)  # the list's, for scoped reads without a join
    id_index = models.CharField(_("证件号码索引"), max_length=64)
    id_masked = models.CharField(_("证件号码（脱敏）"), max_length=32)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    program = models.CharField(_("项目"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"), null=True, blank=True)

    objects: ScopedManager[AgencyRecord] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("部门名单记录")
        verbose_name_plural = _("部门名单记录")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["list", "id_index", "program", "year"], name="crosscheck_record_unique"),
        ]
        indexes = [models.Index(fields=["id_index"], name="crosscheck_record_index")]

    def __str__(self) -> str:
        return f"{self.name} {self.id_masked}"


class Decision(models.TextChoices):
    PENDING = "pending", _("待复核")
    CLEARED = "cleared", _("已排除（非重复）")
    CONFIRMED = "confirmed", _("确认重复受助")


class CrossCheckReview(models.Model):
    """A subject (an application, a file, a family member) that matched a list: it needs a reviewer's decision."""

    subject_type = models.CharField(_("对象类型"), max_length=40)  # "student_aid.application", "aid.family"…
    subject_id = models.CharField(_("对象编号"), max_length=40)
    org = models.ForeignKey("orgs.Org", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    id_index = models.CharField(_("证件号码索引"), max_length=64)
    status = models.CharField(_("复核结果"), max_length=12, choices=Decision.choices, default=Decision.PENDING)
    reason = models.CharField(_("复核理由"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("比对时间"), auto_now_add=True)

    objects: ScopedManager[CrossCheckReview] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("比对复核")
        verbose_name_plural = _("比对复核")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="crosscheck_review_subject"),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(reason=""), name="crosscheck_review_decided_with_reason"
            ),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="crosscheck_review_path")]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id}"


class CrossCheckMatch(models.Model):
    """Evidence: which list and record a subject matched, kept with the review."""

    review = models.ForeignKey(CrossCheckReview, on_delete=models.CASCADE, related_name="matches")
    record = models.ForeignKey(AgencyRecord, verbose_name=_("名单记录"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("命中说明"), max_length=200)
    created_at = models.DateTimeField(_("比对时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("比对命中")
        verbose_name_plural = _("比对命中")
        constraints = [models.UniqueConstraint(fields=["review", "record"], name="crosscheck_match_unique")]

    def __str__(self) -> str:
        return self.reason
