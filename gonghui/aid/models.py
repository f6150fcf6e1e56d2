"""困难职工帮扶 (DOMAIN §4): hardship files of households, and the 低保 standards they are measured against.

A file is one household's, with one main worker (a member) and the family;
no person is in two open files. Its category is computed, never typed: the
household's per-capita monthly income after necessary expenses against the
local 城乡低保 standard of the year (深度困难 below it, 相对困难 below twice it),
or 意外致困 (an accident or disaster, or hardship costs over 80% of the
household's income). A file moves unit union → higher union → 帮扶中心, and
only with the worker's signed authorization for the economic-status check.
Money is in fen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class SubsistenceStandard(models.Model):
    """The local 城乡居民最低生活保障 standard of a year (monthly, per person), set by a region."""

    region_code = models.CharField(_("行政区划代码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("年度"))
    monthly_fen = models.PositiveBigIntegerField(_("低保标准（分/人·月）"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("低保标准")
        verbose_name_plural = _("低保标准")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="aid_standard_region_year"),
            models.CheckConstraint(condition=Q(monthly_fen__gt=0), name="aid_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}: {self.monthly_fen / 100:.2f}"


class FileLevel(models.TextChoices):
    NATIONAL = "national", _("全国级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("地市级")
    COUNTY = "county", _("区县级")


class Category(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")


class FileStatus(models.TextChoices):
    APPLIED = "applied", _("待本单位工会审核")
    UNIT_APPROVED = "unit_approved", _("待上级工会审核")
    HIGHER_APPROVED = "higher_approved", _("待帮扶中心审定")
    FILED = "filed", _("已建档")
    RETURNED = "returned", _("退回补充")
    REJECTED = "rejected", _("不予建档")
    CLOSED = "closed", _("已撤档")


# A household is "on file" in these states: no person may be in two such files.
OPEN_STATUSES = (
    FileStatus.APPLIED,
    FileStatus.UNIT_APPROVED,
    FileStatus.HIGHER_APPROVED,
    FileStatus.FILED,
    FileStatus.RETURNED,
)


class Cause(models.TextChoices):
    ILLNESS = "illness", _("本人患病")
    FAMILY_ILLNESS = "family_illness", _("家庭成员患病")
    DISABILITY = "disability", _("残疾")
    SCHOOLING = "schooling", _("子女就学")
    UNEMPLOYMENT = "unemployment", _("失业下岗")
    ACCIDENT = "accident", _("意外事故")
    DISASTER = "disaster", _("自然灾害")
    SINGLE_PARENT = "single_parent", _("单亲家庭")
    LOW_INCOME = "low_income", _("收入低")
    OTHER = "other", _("其他")


class HousingType(models.TextChoices):
    OWNED = "owned", _("自有住房")
    RENTED = "rented", _("租赁住房")
    PUBLIC_RENTAL = "public_rental", _("公租房")
    DORMITORY = "dormitory", _("单位宿舍")
    NONE = "none", _("无固定住所")


class HardshipFile(models.Model):
    """One household's hardship file (困难职工档案)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("建档工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey(
        "members.Person", verbose_name=_("困难职工"), on_delete=models.PROTECT, related_name="hardship_files"
    )
    level = models.CharField(_("建档标准"), max_length=12, choices=FileLevel.choices)
    category = models.CharField(_("困难类别"), max_length=12, choices=Category.choices)
    causes = models.JSONField(_("致困原因"), default=list)  # Cause codes, the main one first
    region_code = models.CharField(_("低保标准所在地"), max_length=6)
    year = models.PositiveSmallIntegerField(_("认定年度"))
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    worker_monthly_income_fen = models.PositiveBigIntegerField(_("本人月收入（分）"))
    other_income_year_fen = models.PositiveBigIntegerField(_("家庭其他年收入（分）"), default=0)
    necessary_expense_year_fen = models.PositiveBigIntegerField(_("年度必要支出（分）"), default=0)
    hardship_cost_year_fen = models.PositiveBigIntegerField(_("年度致困支出（分）"), default=0)
    accident = models.BooleanField(_("因灾因意外致困"), default=False)
    # Computed when the file is made or reviewed: the figures the category was read from.
    per_capita_monthly_fen = models.BigIntegerField(_("人均月收入（分）"))
    standard_monthly_fen = models.PositiveBigIntegerField(_("低保标准（分/人·月）"))
    housing_type = models.CharField(_("住房类型"), max_length=16, choices=HousingType.choices, blank=True)
    housing_area = models.DecimalField(_("住房面积（㎡）"), max_digits=7, decimal_places=2, null=True, blank=True)
    health = models.CharField(_("健康状况"), max_length=100, blank=True)
    zero_employment = models.BooleanField(_("零就业家庭"), default=False)
    card = models.ForeignKey(
        "cards.ServiceCard", verbose_name=_("收款会员服务卡"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # The signed 家庭经济状况核对授权委托书: no cross-check of the household runs without it.
    authorization_file = models.CharField(_("授权委托书"), max_length=200, blank=True)
    authorized_at = models.DateTimeField(_("授权时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=FileStatus.choices, default=FileStatus.APPLIED)
    status_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    filed_on = models.DateField(_("建档日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤档日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects: ScopedManager[HardshipFile] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        base_manager_name = "all_objects"
        constraints = [
            # One open file per main worker (family members are checked by the service: another table).
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="aid_one_open_file_per_worker",
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="aid_household_size_positive"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="aid_file_path_status")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_category_display()}"


class FamilyMember(models.Model):
    """A member of the household other than the main worker."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("与职工关系"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    id_cipher = models.BinaryField(_("证件号码密文"), null=True, editable=False)
    id_index = models.CharField(_("证件号码索引"), max_length=64, blank=True, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=32, blank=True)
    health = models.CharField(_("健康状况"), max_length=100, blank=True)
    monthly_income_fen = models.PositiveBigIntegerField(_("月收入（分）"), default=0)
    school_or_unit = models.CharField(_("就读学校或工作单位"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        indexes = [models.Index(fields=["id_index"], name="aid_family_id_index")]

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"


# --- relief: 送温暖, 慰问, 温暖服务季 ------------------------------------------------------------------


class ReliefEvent(models.TextChoices):
    SPRING_FESTIVAL = "spring_festival", _("春节慰问")
    FESTIVAL = "festival", _("其他节日慰问")
    BIRTHDAY = "birthday", _("生日慰问")
    MARRIAGE_BIRTH = "marriage_birth", _("结婚生育慰问")
    HOSPITAL = "hospital", _("住院慰问")
    DEATH = "death", _("去世慰问")
    HARDSHIP = "hardship", _("困难慰问")
    DISASTER = "disaster", _("灾害慰问")


class WelfareRule(models.Model):
    """A cap on what one person may receive for one kind of visit in a year (DOMAIN §4: provincial)."""

    region_code = models.CharField(_("行政区划代码"), max_length=6)
    event = models.CharField(_("慰问事项"), max_length=20, choices=ReliefEvent.choices)
    cap_fen = models.PositiveBigIntegerField(_("每人每年上限（分）"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("慰问标准")
        verbose_name_plural = _("慰问标准")
        constraints = [models.UniqueConstraint(fields=["region_code", "event"], name="aid_welfare_rule_unique")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.get_event_display()} ≤ {self.cap_fen / 100:.2f}"


class ReliefCampaign(models.Model):
    """A relief drive of a union (送温暖, 温暖服务季…)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("主办工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("活动名称"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[ReliefCampaign] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("帮扶慰问活动")
        verbose_name_plural = _("帮扶慰问活动")
        base_manager_name = "all_objects"
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="aid_campaign_window")]

    def __str__(self) -> str:
        return self.name


class ReliefVisit(models.Model):
    """One visit to a worker's household: cash, goods, insurance policies, housing help."""

    campaign = models.ForeignKey(
        ReliefCampaign, verbose_name=_("活动"), null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("慰问工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("慰问对象"), on_delete=models.PROTECT, related_name="+")
    event = models.CharField(_("慰问事项"), max_length=20, choices=ReliefEvent.choices)
    visited_on = models.DateField(_("慰问日期"))
    cash_fen = models.PositiveBigIntegerField(_("慰问金（分）"), default=0)
    goods_fen = models.PositiveBigIntegerField(_("慰问品折价（分）"), default=0)
    goods_note = models.CharField(_("慰问品"), max_length=200, blank=True)
    insurance_policies = models.PositiveSmallIntegerField(_("赠送保险（份）"), default=0)
    housing = models.BooleanField(_("住房帮扶（公租房等）"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[ReliefVisit] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("慰问记录")
        verbose_name_plural = _("慰问记录")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["org_path", "visited_on"], name="aid_visit_path_day"),
            models.Index(fields=["person", "event", "visited_on"], name="aid_visit_person_event"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_event_display()} {self.visited_on}"


# --- upkeep: the yearly review with its spot check, and the months that decide 脱困 --------------------


class FileReview(models.Model):
    """A filed household's yearly review; a drawn share of them is spot-checked (DOMAIN §4: ≥ 30%)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("年度"))
    spot_check = models.BooleanField(_("抽查"), default=False)
    done_on = models.DateField(_("复核日期"), null=True, blank=True)
    still_eligible = models.BooleanField(_("仍符合建档条件"), null=True)
    note = models.CharField(_("复核意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("年度复核")
        verbose_name_plural = _("年度复核")
        constraints = [models.UniqueConstraint(fields=["file", "year"], name="aid_review_file_year")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.year}{' 抽查' if self.spot_check else ''}"


class MonthlyIncome(models.Model):
    """A household's per-capita income of one month, as checked: six months above 低保 mean 脱困."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="incomes")
    month = models.DateField(_("月份"))  # the first day of the month
    per_capita_fen = models.BigIntegerField(_("人均月收入（分）"))

    class Meta:
        verbose_name = _("月度收入核查")
        verbose_name_plural = _("月度收入核查")
        constraints = [models.UniqueConstraint(fields=["file", "month"], name="aid_income_file_month")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.month:%Y-%m}"
