"""金秋助学 (DOMAIN §4, §10 祁阳): whole-course aid for members' children, from enrolment to graduation.

A member applies for a student once per school year (the calendar year the school
year starts in, so 2026 is autumn 2026 to summer 2027); the grassroots union
reviews, the county federation approves, the approved are published (公示) for
a number of days, objections are recorded and resolved, and the rest are paid
to the applicant's service card through a payout batch. Next year's application
is prefilled from this one until the expected graduation year. The student's ID
number is kept sealed (ciphertext, blind index, masked), never in clear.
Money is in fen.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager
from gonghui.notices import models as notices
from gonghui.notices.models import ObjectionStatus, PublicationStatus  # noqa: F401  (the 公示's, shared)


class StudentLevel(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("高中/中职")
    VOCATIONAL = "vocational", _("高职高专")
    UNDERGRADUATE = "undergraduate", _("本科")
    GRADUATE = "graduate", _("研究生")


class AidStandard(models.Model):
    """The amount a student is aided with: level × on-file status × year × region."""

    region_code = models.CharField(_("行政区划代码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("学年"))
    level = models.CharField(_("学段"), max_length=16, choices=StudentLevel.choices)
    on_file = models.BooleanField(_("建档困难职工子女"))
    amount_fen = models.PositiveBigIntegerField(_("资助标准（分）"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("金秋助学资助标准")
        verbose_name_plural = _("金秋助学资助标准")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "level", "on_file"], name="student_aid_standard_unique"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="student_aid_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} {self.level} {'建档' if self.on_file else '非建档'}"


class EnrolmentKind(models.TextChoices):
    """How the student was admitted; all but the regular kind are excluded from 金秋助学."""

    REGULAR = "regular", _("普通录取")
    MILITARY = "military", _("军事院校")
    FREE_TEACHER = "free_teacher", _("公费师范生")
    DIRECTED = "directed", _("定向生")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("待基层工会审核")
    UNIT_REVIEWED = "unit_reviewed", _("待县级总工会审批")
    APPROVED = "approved", _("已审批，待公示")
    PUBLISHED = "published", _("公示中")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# An application in these states holds its student's school year: no second one beside it.
CLOSED_STATUSES = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


class _OfKind(models.Manager):
    """The shared rows of 金秋助学's kind only (another module's 公示 is not 金秋助学's)."""

    def __init__(self, lookup: str) -> None:
        super().__init__()
        self.lookup = lookup

    def deconstruct(self) -> Any:
        return (False, "django.db.models.Manager", None, (), {})

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(**{self.lookup: "student_aid"})


class _ScopedOfKind(ScopedManager):
    def __init__(self, lookup: str) -> None:
        super().__init__(path_field="org_path")
        self.lookup = lookup

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(**{self.lookup: "student_aid"})

    def within(self, scope: Any, perm: str, *, residual: bool = False) -> models.QuerySet[Any]:
        return super().within(scope, perm, residual=residual).filter(**{self.lookup: "student_aid"})


class Publication(notices.Publication):
    """A 金秋助学 公示 (the shared `notices` mechanism): student name, school, level, union and amount, never an ID."""

    objects = _ScopedOfKind("kind")  # type: ignore[assignment]
    all_objects = _OfKind("kind")  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("金秋助学公示")
        verbose_name_plural = _("金秋助学公示")

    @property
    def school_year(self) -> int:
        return self.year


class StudentAidApplication(models.Model):
    """One student's application for one school year, made by (or for) a member."""

    membership = models.ForeignKey(
        "members.Membership", verbose_name=_("申请会员"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("申请职工"), on_delete=models.PROTECT, related_name="student_aid_applications"
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("基层工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    student_name = models.CharField(_("学生姓名"), max_length=60)
    student_id_cipher = models.BinaryField(_("学生证件号码（密文）"), editable=False)
    student_id_index = models.CharField(_("学生证件号码索引"), max_length=64, editable=False)
    student_id_masked = models.CharField(_("学生证件号码"), max_length=40, editable=False)
    relation = models.CharField(_("与职工关系"), max_length=20)
    school = models.CharField(_("就读院校"), max_length=200)
    major = models.CharField(_("专业"), max_length=200, blank=True)
    level = models.CharField(_("学段"), max_length=16, choices=StudentLevel.choices)
    enrolment_year = models.PositiveSmallIntegerField(_("入学年份"))
    graduation_year = models.PositiveSmallIntegerField(_("预计毕业年份"))
    school_year = models.PositiveSmallIntegerField(_("学年"))
    tuition_fen = models.PositiveBigIntegerField(_("学杂费（分/年）"), default=0)
    loan_fen = models.PositiveBigIntegerField(_("助学贷款（分/年）"), default=0)
    family_on_subsistence = models.BooleanField(_("低保户"), default=False)
    # Whether the worker's household was in an open hardship file when the application was made.
    is_on_file = models.BooleanField(_("建档困难职工"), editable=False)
    promise_signed = models.BooleanField(_("已签署未获其他资助承诺"))
    promised_at = models.DateTimeField(_("承诺时间"))
    region_code = models.CharField(_("资助标准所在地"), max_length=6, editable=False)
    amount_fen = models.PositiveBigIntegerField(_("资助金额（分）"), editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    status_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    continued_from = models.ForeignKey(
        "self",
        verbose_name=_("上一学年申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="continued_by",
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The payout batch reference the application is paid under (one per publication).
    payout_reference = models.CharField(_("发放事项"), max_length=100, blank=True)
    payout_item = models.ForeignKey(
        "payouts.PayoutItem",
        verbose_name=_("代发明细"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("基层审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("发放时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects: ScopedManager[StudentAidApplication] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("金秋助学申请")
        verbose_name_plural = _("金秋助学申请")
        base_manager_name = "all_objects"
        constraints = [
            # One live application per student per school year, whoever applies for them.
            models.UniqueConstraint(
                fields=["student_id_index", "school_year"],
                condition=~Q(status__in=[s.value for s in CLOSED_STATUSES]),
                name="student_aid_once_per_school_year",
            ),
            models.CheckConstraint(
                condition=Q(graduation_year__gt=models.F("enrolment_year")), name="student_aid_course_years"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="student_aid_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["org_path", "school_year", "status"], name="student_aid_app_path_year"),
            models.Index(fields=["student_id_index"], name="student_aid_app_student"),
        ]

    def __str__(self) -> str:
        return f"{self.student_name} {self.school_year}"

    @property
    def next_year_in_course(self) -> bool:
        """Whether the next school year is still before graduation (a continuation may be made for it)."""
        return self.school_year + 1 < self.graduation_year


class Objection(notices.Objection):
    """An objection raised against a published application during its 公示 window."""

    objects = _ScopedOfKind("publication__kind")  # type: ignore[assignment]
    all_objects = _OfKind("publication__kind")  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("金秋助学公示异议")
        verbose_name_plural = _("金秋助学公示异议")

    @property
    def application_id(self) -> int:
        return int(self.entry.subject_id)

    @property
    def application(self) -> StudentAidApplication:
        return StudentAidApplication.all_objects.get(pk=self.application_id)
