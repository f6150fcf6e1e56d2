"""Charity funds (工会慈善/公益基金): funds, donations, projects, disbursements, and the ledger between them.

A fund is held by a union: its own, or a special fund (专项基金) it runs under a
foundation. A restricted fund (限定用途) pays only its purpose (金秋助学, 大病救助…).
Every movement of money is one row of the fund's ledger (`FundEntry`): the opening
balance, a donation, a refund, a disbursement. The ledger is the truth: a fund's
balance is the sum of its rows. `Fund.balance_fen` is the same sum kept on the fund
row, updated only under `select_for_update` by the services, and the database refuses
it below zero (a CHECK), so no interleaving of writers overdraws a fund.

Money is in fen, as everywhere (payouts, benefits, aid). ID numbers of donors who are
not members are kept sealed (cipher, blind index, masked form), as the registry does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager

ANONYMOUS_DONOR = "爱心人士"


class FundKind(models.TextChoices):
    OWN = "own", _("本级工会基金")
    SPECIAL = "special", _("基金会专项基金")


class Purpose(models.TextChoices):
    """What a restricted fund, or a project, pays for (a code table: stable codes)."""

    STUDENT_AID = "student_aid", _("金秋助学")
    HARDSHIP = "hardship", _("困难职工帮扶")
    MEDICAL = "medical", _("大病医疗救助")
    DISASTER = "disaster", _("灾害救助")
    RELIEF = "relief", _("送温暖慰问")
    WOMEN = "women", _("女职工关爱")
    NEW_EMPLOYMENT = "new_employment", _("新就业形态劳动者关爱")
    SKILLS = "skills", _("职工技能提升")
    OTHER = "other", _("其他公益")


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类, its sections (门类)."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741 - the standard's own letter
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class Fund(models.Model):
    """A charity fund held by a union."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("管理工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("基金名称"), max_length=100)
    kind = models.CharField(_("基金类型"), max_length=10, choices=FundKind.choices)
    foundation = models.CharField(_("所在基金会"), max_length=100, blank=True)
    restricted = models.BooleanField(_("限定用途"), default=False)
    purpose = models.CharField(_("限定用途"), max_length=20, choices=Purpose.choices, blank=True)
    opened_on = models.DateField(_("设立日期"))
    opening_balance_fen = models.PositiveBigIntegerField(_("期初余额（分）"), default=0)
    # The sum of the fund's ledger, kept on this row under select_for_update; never below zero.
    balance_fen = models.BigIntegerField(_("余额（分）"), default=0, editable=False)
    # All money ever in (opening balance, donations) and out (refunds, payments): the ledger's running totals,
    # which place each row on the fund's first-in first-out line (`selectors.donation_trace`).
    inflow_fen = models.BigIntegerField(_("累计收入（分）"), default=0, editable=False)
    outflow_fen = models.BigIntegerField(_("累计支出（分）"), default=0, editable=False)
    # Money given for one project (the donor's designation) and not yet paid out: held apart from the
    # general line above, on each project's own line (`Project.designated_in_fen` / `designated_out_fen`).
    designated_fen = models.BigIntegerField(_("指定用途结存（分）"), default=0, db_default=0, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Fund] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("慈善基金")
        verbose_name_plural = _("慈善基金")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="charity_fund_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(balance_fen=F("inflow_fen") - F("outflow_fen") + F("designated_fen")),
                name="charity_fund_balance_is_lines",
            ),
            models.CheckConstraint(condition=Q(designated_fen__gte=0), name="charity_fund_designated_not_negative"),
            models.CheckConstraint(
                condition=Q(restricted=False, purpose="") | (Q(restricted=True) & ~Q(purpose="")),
                name="charity_fund_restricted_has_purpose",
            ),
            models.CheckConstraint(
                condition=Q(kind="own") | ~Q(foundation=""), name="charity_fund_special_names_foundation"
            ),
            models.UniqueConstraint(fields=["org", "name"], name="charity_fund_name_per_org"),
        ]
        indexes = [models.Index(fields=["org_path"], name="charity_fund_path")]

    def __str__(self) -> str:
        return self.name


class DonorKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL = "individual", _("个人")


class Channel(models.TextChoices):
    ONE_OFF = "one_off", _("一次性捐赠")
    PAYROLL = "payroll", _("工资代扣（一日捐）")


class Donation(models.Model):
    """Money given to a fund, by an enterprise (USCC, agreement) or a person (member, or sealed ID)."""

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="donations")
    org_path = PathField(_("组织路径"), editable=False)
    donor_kind = models.CharField(_("捐赠人类型"), max_length=12, choices=DonorKind.choices)
    donor_name = models.CharField(_("捐赠人"), max_length=200)
    # An enterprise's own code; for a payroll deduction, the code of the enterprise that deducted it.
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    agreement_file = models.CharField(_("捐赠协议"), max_length=200, blank=True)
    # A member donor is their Person; anyone else keeps their ID number sealed, never in clear.
    person = models.ForeignKey(
        "members.Person", verbose_name=_("会员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_cipher = models.BinaryField(_("证件号码密文"), null=True, editable=False)
    id_index = models.CharField(_("证件号码索引"), max_length=64, blank=True, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=32, blank=True)
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    channel = models.CharField(_("捐赠方式"), max_length=10, choices=Channel.choices, default=Channel.ONE_OFF)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    refunded_fen = models.PositiveBigIntegerField(_("已退还（分）"), default=0)
    received_on = models.DateField(_("到账日期"))
    # The donor's designation: the gift pays only this project of the fund (None: the fund's general money).
    project = models.ForeignKey(
        "Project",
        verbose_name=_("指定项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designated_donations",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[Donation] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="charity_donation_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("amount_fen")), name="charity_donation_refund_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(donor_kind="individual") | ~Q(uscc=""), name="charity_donation_enterprise_uscc"
            ),
            # A worker's payroll deduction is recorded once: the import's natural key (`bulk.py`).
            models.UniqueConstraint(
                fields=["fund", "uscc", "received_on", "id_index"],
                condition=Q(channel="payroll"),
                name="charity_payroll_once",
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "received_on"], name="charity_donation_path_day"),
            models.Index(fields=["fund", "received_on"], name="charity_donation_fund_day"),
            models.Index(fields=["id_index"], name="charity_donation_id_index"),
            models.Index(fields=["uscc"], name="charity_donation_uscc"),
        ]

    def __str__(self) -> str:
        return f"{self.shown_donor} {self.amount_fen / 100:.2f}"

    @property
    def shown_donor(self) -> str:
        """The donor as lists and the ledger show them: an anonymous gift is from 爱心人士."""
        return ANONYMOUS_DONOR if self.anonymous else self.donor_name

    @property
    def net_fen(self) -> int:
        return self.amount_fen - self.refunded_fen


class Receipt(models.Model):
    """A donation's receipt (捐赠收据): a serial number per fund and year, and when it was issued."""

    donation = models.OneToOneField(Donation, verbose_name=_("捐赠"), on_delete=models.PROTECT, related_name="receipt")
    org_path = PathField(_("组织路径"), editable=False)
    serial = models.CharField(_("收据编号"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("开具时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ScopedManager[Receipt] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("捐赠收据")
        verbose_name_plural = _("捐赠收据")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.serial


class Project(models.Model):
    """A project a fund pays for: its purpose, budget, industry, region and period."""

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="projects")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("项目名称"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    budget_fen = models.PositiveBigIntegerField(_("预算（分）"))
    # What has been paid: kept beside the budget under the fund's lock, never past it.
    spent_fen = models.PositiveBigIntegerField(_("已支出（分）"), default=0, editable=False)
    # The project's own line: money designated to it by donors, and what of it has been paid or refunded.
    designated_in_fen = models.BigIntegerField(_("指定捐赠累计（分）"), default=0, db_default=0, editable=False)
    designated_out_fen = models.BigIntegerField(_("指定捐赠已用（分）"), default=0, db_default=0, editable=False)
    industry = models.CharField(_("受益行业"), max_length=1, choices=Industry.choices, blank=True)
    region_code = models.CharField(_("实施地区"), max_length=6, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Project] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("公益项目")
        verbose_name_plural = _("公益项目")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gt=0), name="charity_project_budget_positive"),
            models.CheckConstraint(condition=Q(spent_fen__lte=F("budget_fen")), name="charity_project_within_budget"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="charity_project_period"),
            models.CheckConstraint(
                condition=Q(designated_out_fen__gte=0) & Q(designated_out_fen__lte=F("designated_in_fen")),
                name="charity_project_designated_covered",
            ),
        ]
        indexes = [models.Index(fields=["org_path"], name="charity_project_path")]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """An activity held under a project (a 助学 ceremony, a visit, a training day)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="activities")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("举办日期"))
    region_code = models.CharField(_("举办地区"), max_length=6, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[Activity] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("公益活动")
        verbose_name_plural = _("公益活动")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "held_on"], name="charity_activity_path_day")]

    def __str__(self) -> str:
        return self.name


class RecipientKind(models.TextChoices):
    ORG = "org", _("组织")
    MEMBER = "member", _("会员")


class PayVia(models.TextChoices):
    """How the money reached the recipient: recorded here, or through another app's own service."""

    DIRECT = "direct", _("直接支付")
    PAYOUT = "payout", _("资金代发批次")
    HARDSHIP = "hardship", _("困难职工帮扶")
    STUDENT_AID = "student_aid", _("金秋助学")


class Disbursement(models.Model):
    """Money paid out of a fund for one of its projects, to an organisation or to a member.

    A member may be paid through a payout batch (`payout_item`: the money is booked when the
    batch is made and comes back, `returned_fen`, if the bank fails the item or the batch is
    cancelled), a hardship file's assistance (`relief_visit`, through aid's service) or a
    金秋助学 application's grant (`student_application`: shown on the student's whole course).
    """

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="disbursements")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="disbursements")
    org_path = PathField(_("组织路径"), editable=False)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("支付日期"))
    recipient_kind = models.CharField(_("受助方类型"), max_length=10, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("受助组织"), max_length=200, blank=True)
    recipient_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("受助工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("受助会员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(
        _("支付方式"), max_length=12, choices=PayVia.choices, default=PayVia.DIRECT, db_default="direct"
    )
    payout_item = models.OneToOneField(
        "payouts.PayoutItem",
        verbose_name=_("代发明细"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charity_disbursement",
    )
    hardship_file = models.ForeignKey(
        "aid.HardshipFile",
        verbose_name=_("困难职工档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    relief_visit = models.OneToOneField(
        "aid.ReliefVisit", verbose_name=_("帮扶记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    student_application = models.ForeignKey(
        "student_aid.StudentAidApplication",
        verbose_name=_("金秋助学申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Money that came back to the fund: the bank failed the payout item, or its batch was cancelled.
    returned_fen = models.PositiveBigIntegerField(_("已退回（分）"), default=0, db_default=0, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[Disbursement] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("公益支出")
        verbose_name_plural = _("公益支出")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="charity_disbursement_positive"),
            models.CheckConstraint(
                condition=(Q(recipient_kind="member") & Q(person__isnull=False))
                | (Q(recipient_kind="org") & ~Q(recipient_name="")),
                name="charity_disbursement_names_recipient",
            ),
            models.CheckConstraint(
                condition=Q(returned_fen__lte=F("amount_fen")), name="charity_disbursement_return_within_amount"
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "paid_on"], name="charity_disb_path_day"),
            models.Index(fields=["person"], name="charity_disb_person"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.amount_fen / 100:.2f}"

    @property
    def net_fen(self) -> int:
        return self.amount_fen - self.returned_fen


class EntryKind(models.TextChoices):
    OPENING = "opening", _("期初余额")
    DONATION = "donation", _("捐赠收入")
    REFUND = "refund", _("退还捐赠")
    DISBURSEMENT = "disbursement", _("项目支出")
    RETURN = "return", _("支出退回")


class FundEntry(models.Model):
    """One row of a fund's ledger: money in (positive) or out (negative), and the balance after it.

    A fund's money runs on lines: its general line (`project` None: the opening balance and
    undesignated gifts) and one line per project that donors designated gifts to. A payment of a
    project takes its own line's money first, then the general line's (two rows when it takes both).
    """

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="entries")
    org_path = PathField(_("组织路径"), editable=False)
    kind = models.CharField(_("类别"), max_length=12, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    balance_fen = models.BigIntegerField(_("余额（分）"))
    # The line's running totals after this row: money in ends at `cum_in_fen`, money out at `cum_out_fen`.
    # A donation is the stretch (cum_in − amount, cum_in] of its line's money; a payment the stretch
    # (cum_out − amount, cum_out]; where they overlap, that donation paid that payment (first in, first out).
    project = models.ForeignKey(
        Project, verbose_name=_("指定项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cum_in_fen = models.BigIntegerField(_("累计收入（分）"), default=0)
    cum_out_fen = models.BigIntegerField(_("累计支出（分）"), default=0)
    booked_on = models.DateField(_("日期"))
    donation = models.ForeignKey(Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    disbursement = models.ForeignKey(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    objects: ScopedManager[FundEntry] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("基金台账")
        verbose_name_plural = _("基金台账")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="charity_entry_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind__in=["opening", "donation", "return"]) & Q(amount_fen__gte=0))
                | (Q(kind__in=["refund", "disbursement"]) & Q(amount_fen__lt=0)),
                name="charity_entry_sign_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "booked_on"], name="charity_entry_fund_day"),
            models.Index(fields=["fund", "project", "cum_in_fen"], name="charity_entry_line_in"),
            models.Index(fields=["fund", "project", "cum_out_fen"], name="charity_entry_line_out"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.get_kind_display()} {self.amount_fen / 100:.2f}"
