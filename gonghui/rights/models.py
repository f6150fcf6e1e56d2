"""12351 hotline cases (DOMAIN §8): a call taken, a work order (工单) down the tree, the reply,
the follow-up call with satisfaction, the quality check and the closing.

A case is held by one union at a time (`org`); the union that took the call (`intake_org`)
keeps seeing it wherever it goes and does the follow-up. Both paths scope it. Each step has a
deadline from the case's tier (`deadlines.py`); a step finished after its deadline marks the
case `late` for good (the on-time rate), and an open case past its step's deadline is overdue.
The states and their moves live in `workflow.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager
from gonghui.rights.words import Cause, Kind, PersonType, Satisfaction, Source, Tier


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("待办理")  # at `org`: to hand down, send back up, or take on
    HANDLING = "handling", _("办理中")  # `org` is working on it (contacts, then the result)
    REPLIED = "replied", _("已办结待回访")  # the result is in: the intake union calls back
    FOLLOWED = "followed", _("已回访待质检")
    CHECKED = "checked", _("已质检待结案")
    CLOSED = "closed", _("已结案")


OPEN_STATUSES = (
    CaseStatus.PENDING,
    CaseStatus.HANDLING,
    CaseStatus.REPLIED,
    CaseStatus.FOLLOWED,
    CaseStatus.CHECKED,
)


class HotlineCase(models.Model):
    """One 12351 case (诉求), from the call to its closing."""

    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    intake_org = models.ForeignKey("orgs.Org", verbose_name=_("受理工会"), on_delete=models.PROTECT, related_name="+")
    intake_path = PathField(_("受理工会路径"), editable=False)
    org = models.ForeignKey("orgs.Org", verbose_name=_("承办工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("承办工会路径"), editable=False)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    cause = models.CharField(_("事由"), max_length=20, choices=Cause.choices)
    person_type = models.CharField(_("人员类型"), max_length=20, choices=PersonType.choices, blank=True)
    tier = models.CharField(_("难度"), max_length=12, choices=Tier.choices, default=Tier.GENERAL)
    caller_name = models.CharField(_("来电人"), max_length=60)
    # Kept as members keep their mobiles (shown masked everywhere: mask_mobile), indexed to match one.
    caller_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    person = models.ForeignKey(
        "members.Person", verbose_name=_("会员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    employer_name = models.CharField(_("用人单位"), max_length=200, blank=True)
    employer_uscc = models.CharField(_("用人单位统一社会信用代码"), max_length=18, blank=True)
    summary = models.TextField(_("诉求内容"))
    answer = models.TextField(_("答复"), blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.PENDING)
    step_started_at = models.DateTimeField(_("本环节开始"))
    step_due_at = models.DateTimeField(_("本环节期限"), null=True, blank=True)
    late = models.BooleanField(_("曾超期"), default=False)
    reopened = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    handled_by_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("办理工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminders = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    last_reminded_at = models.DateTimeField(_("最近督办"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("受理时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    objects: ScopedManager[HotlineCase] = ScopedManager("org_path", "intake_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("12351 热线工单")
        verbose_name_plural = _("12351 热线工单")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["org_path", "status"], name="rights_case_org_status"),
            models.Index(fields=["intake_path", "status"], name="rights_case_intake_status"),
            models.Index(fields=["caller_phone"], name="rights_case_phone"),
            models.Index(fields=["status", "step_due_at"], name="rights_case_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reopened__lte=1), name="rights_case_reopened_once"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """One line of a case's timeline: a move, a contact, a reminder."""

    case = models.ForeignKey(HotlineCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(_("经办人"), max_length=150, blank=True)
    action = models.CharField(_("事项"), max_length=20)
    org = models.ForeignKey("orgs.Org", verbose_name=_("工会"), null=True, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("转至工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        indexes = [models.Index(fields=["case", "at"], name="rights_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
