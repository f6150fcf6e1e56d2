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
from gonghui.rights.legal_words import AidForm, IssueStatus
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
        # The lists read one subtree's range of one index each (selectors.merged_page): the
        # queue by (path, status) in the order of created_at, the 督办 list in deadline order
        # with the holder's path beside it. `id` ends each key so PostgreSQL answers from the
        # index alone (SQLite's indexes carry the rowid anyway; it has no INCLUDE).
        indexes = [
            models.Index(fields=["org_path", "status", "created_at", "id"], name="rights_case_org_queue"),
            models.Index(fields=["intake_path", "status", "created_at", "id"], name="rights_case_intake_queue"),
            models.Index(fields=["caller_phone"], name="rights_case_phone"),
            models.Index(fields=["step_due_at", "org_path", "id"], name="rights_case_due_path"),
            models.Index(fields=["created_at"], name="rights_case_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reopened__lte=1), name="rights_case_reopened_once"),
            # A closed case waits for no step: the overdue lists rely on it (step_due_at alone).
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(step_due_at__isnull=True), name="rights_case_closed_no_due"
            ),
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


# --- legal aid (法律援助) and 百名律师进千企 --------------------------------------------------------------


class Lawyer(models.Model):
    """A lawyer on a union's roster (律师库): the union's own and its lower unions' legal aid and
    enterprise visits may be assigned to them."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("姓名"), max_length=60)
    firm = models.CharField(_("律师事务所"), max_length=200)
    licence_no = models.CharField(_("执业证号"), max_length=17)
    areas = models.JSONField(_("执业领域"), default=list)  # LawArea codes
    # Digits as typed (mobile or landline); shown masked everywhere (mask_mobile).
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[Lawyer] = ScopedManager("org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("工会律师")
        verbose_name_plural = _("工会律师")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "active"], name="rights_lawyer_path")]
        constraints = [
            # One roster line per licence in a union; the same lawyer may serve several unions.
            models.UniqueConstraint(fields=["org", "licence_no"], name="rights_lawyer_licence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）"


class AidStatus(models.TextChoices):
    OPEN = "open", _("援助中")
    CLOSED = "closed", _("已结案")


class LegalAidMatter(models.Model):
    """A hotline case taken on as legal aid (法律援助): its form, the lawyer, hearings and outcome.

    Counted and scoped under the union that held the case when the aid began (`org`)."""

    case = models.OneToOneField(
        HotlineCase, verbose_name=_("12351 工单"), on_delete=models.PROTECT, related_name="legal_aid"
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("援助工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    form = models.CharField(_("援助形式"), max_length=12, choices=AidForm.choices)
    lawyer = models.ForeignKey(Lawyer, verbose_name=_("承办律师"), on_delete=models.PROTECT, related_name="matters")
    opened_on = models.DateField(_("受理援助日期"))
    note = models.TextField(_("援助事项"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=AidStatus.choices, default=AidStatus.OPEN)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    recovered_fen = models.PositiveBigIntegerField(_("为职工挽回（分）"), null=True, blank=True)
    outcome = models.TextField(_("结案情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[LegalAidMatter] = ScopedManager("org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("法律援助事项")
        verbose_name_plural = _("法律援助事项")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "status"], name="rights_aid_path_status")]
        constraints = [
            # Closed ⇔ a closing day and an amount (0 allowed, with the reason in `outcome`).
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True, recovered_fen__isnull=True)
                | Q(status="closed", closed_on__isnull=False, recovered_fen__isnull=False),
                name="rights_aid_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_form_display()}"


class Hearing(models.Model):
    """A hearing (开庭/调解) of a legal-aid matter: the day, the body, what came of it."""

    matter = models.ForeignKey(LegalAidMatter, on_delete=models.CASCADE, related_name="hearings")
    held_on = models.DateField(_("日期"))
    body = models.CharField(_("机构"), max_length=100)  # 劳动人事争议仲裁委员会, 人民法院, 调解组织…
    result = models.TextField(_("结果"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("庭审与调解")
        verbose_name_plural = _("庭审与调解")

    def __str__(self) -> str:
        return f"{self.held_on} {self.body}"


class LawyerVisit(models.Model):
    """百名律师进千企: a lawyer's "法律体检" of an enterprise, with the issues found."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("组织工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    lawyer = models.ForeignKey(Lawyer, verbose_name=_("律师"), on_delete=models.PROTECT, related_name="visits")
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    enterprise_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    visited_on = models.DateField(_("体检日期"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[LawyerVisit] = ScopedManager("org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("律师进企业法律体检")
        verbose_name_plural = _("律师进企业法律体检")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "visited_on"], name="rights_visit_path_day")]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.visited_on}"


class VisitIssue(models.Model):
    """An issue a 法律体检 found, and its follow-up (整改中 → 已整改)."""

    visit = models.ForeignKey(LawyerVisit, on_delete=models.CASCADE, related_name="issues")
    text = models.CharField(_("问题"), max_length=300)
    status = models.CharField(_("整改状态"), max_length=8, choices=IssueStatus.choices, default=IssueStatus.FIXING)
    note = models.CharField(_("跟进说明"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("法律体检问题")
        verbose_name_plural = _("法律体检问题")

    def __str__(self) -> str:
        return self.text


# --- collective contracts (集体合同) ----------------------------------------------------------------


class ContractKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合集体合同")
    WAGE = "wage", _("工资专项集体合同")
    WOMEN = "women", _("女职工权益保护专项集体合同")
    SAFETY = "safety", _("劳动安全卫生专项集体合同")


class ContractScope(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDUSTRY = "industry", _("行业性")
    REGIONAL = "regional", _("区域性")


class VoteBody(models.TextChoices):
    CONGRESS = "congress", _("职工代表大会")
    ALL_STAFF = "all_staff", _("全体职工大会")


class ReviewResult(models.TextChoices):
    PENDING = "pending", _("审查中")
    EFFECTIVE = "effective", _("已生效")
    OBJECTION = "objection", _("有异议，重新协商")


class CollectiveContract(models.Model):
    """A collective contract on record (DOMAIN §8): its kind and scope, the employers it covers, its
    term, the vote that approved it, its filing with the labour department and the review."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("签约工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    # The registry's own number (备案编号 or the union's): a file's rows are matched on it, and a
    # renewal names the contract it renews by it. Blank for contracts registered without one.
    number = models.CharField(_("合同编号"), max_length=40, blank=True)
    title = models.CharField(_("合同名称"), max_length=200)
    kind = models.CharField(_("合同种类"), max_length=16, choices=ContractKind.choices)
    scope = models.CharField(_("合同范围"), max_length=12, choices=ContractScope.choices)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("生效起始日"))
    ends_on = models.DateField(_("期满日"))
    union_chief = models.CharField(_("职工方首席代表"), max_length=60)
    employer_chief = models.CharField(_("企业方首席代表"), max_length=60)
    vote_body = models.CharField(_("审议方式"), max_length=12, choices=VoteBody.choices)
    voted_on = models.DateField(_("审议日期"))
    votes_for = models.PositiveIntegerField(_("赞成票"))
    votes_against = models.PositiveIntegerField(_("反对票"), default=0)
    filed_on = models.DateField(_("报送备案日期"), null=True, blank=True)
    review = models.CharField(_("审查结果"), max_length=12, choices=ReviewResult.choices, default=ReviewResult.PENDING)
    review_note = models.CharField(_("审查意见"), max_length=200, blank=True)
    workers = models.PositiveIntegerField(_("覆盖职工人数"))
    women_workers = models.PositiveIntegerField(_("覆盖女职工人数"), default=0)
    wage_increase_pct = models.DecimalField(
        _("工资增长幅度（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    minimum_wage_fen = models.PositiveBigIntegerField(_("最低工资标准（分/月）"), null=True, blank=True)
    renews = models.OneToOneField(
        "self", verbose_name=_("续订自"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[CollectiveContract] = ScopedManager("org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("集体合同")
        verbose_name_plural = _("集体合同")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["org_path", "ends_on"], name="rights_contract_path_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="rights_contract_term"),
            models.CheckConstraint(
                condition=Q(women_workers__lte=models.F("workers")), name="rights_contract_women_le_workers"
            ),
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="rights_contract_number_once"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ContractEmployer(models.Model):
    """An employer a contract covers (several for an industry or regional contract), by its USCC."""

    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="employers")
    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    workers = models.PositiveIntegerField(_("职工人数"), default=0)

    class Meta:
        verbose_name = _("集体合同覆盖企业")
        verbose_name_plural = _("集体合同覆盖企业")
        constraints = [
            models.UniqueConstraint(fields=["contract", "uscc"], name="rights_contract_employer_once"),
        ]
        indexes = [models.Index(fields=["uscc"], name="rights_contract_employer_uscc")]

    def __str__(self) -> str:
        return self.name


class RequestSide(models.TextChoices):
    UNION = "union", _("工会（职工方）")
    EMPLOYER = "employer", _("企业方")


class NegotiationRequest(models.Model):
    """A request to negotiate (要约): the other side must answer in writing within 20 days."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    side = models.CharField(_("提出方"), max_length=10, choices=RequestSide.choices)
    employer_name = models.CharField(_("企业名称"), max_length=200)
    employer_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    subject = models.CharField(_("协商事项"), max_length=200)
    requested_on = models.DateField(_("要约日期"))
    replied_on = models.DateField(_("书面答复日期"), null=True, blank=True)
    reply_note = models.CharField(_("答复内容"), max_length=200, blank=True)
    contract = models.ForeignKey(
        CollectiveContract, verbose_name=_("签订的合同"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[NegotiationRequest] = ScopedManager("org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("集体协商要约")
        verbose_name_plural = _("集体协商要约")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "replied_on"], name="rights_request_path_reply")]

    def __str__(self) -> str:
        return f"{self.employer_name} {self.subject}"


class MinimumWage(models.Model):
    """A local monthly minimum wage standard (月最低工资标准), by administrative-division code prefix.

    A province publishes several tiers (档) by county; a row for the province ("52") holds its lowest
    tier, so a contract below it is below every tier; a row for a city or county ("5201", "520102")
    holds that place's own tier and wins over the province's (the longest prefix). A new standard is
    a new row with its effective date: the one in force on a contract's start applies. Seeded by
    migration (sources in docs/rights.md); a new standard is a new data migration's row."""

    region_prefix = models.CharField(_("行政区划代码（前缀）"), max_length=6)
    region_name = models.CharField(_("地区"), max_length=60)
    effective_on = models.DateField(_("执行日期"))
    monthly_fen = models.PositiveBigIntegerField(_("月最低工资标准（分）"))
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("最低工资标准")
        verbose_name_plural = _("最低工资标准")
        constraints = [
            models.UniqueConstraint(fields=["region_prefix", "effective_on"], name="rights_min_wage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region_name} {self.effective_on:%Y-%m-%d} {self.monthly_fen / 100:.0f} 元"
