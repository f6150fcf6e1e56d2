"""Skills (DOMAIN §6): contests with their events, judges, contestants and doubly-entered scores; training classes.

A contest is held by a union (its `org`); the unions under it register their
members as contestants. An entry carries two paths: the contest's (the organiser
sees every contestant) and the contestant's union's (that union sees its own).
Scores are points out of 100 kept as `Decimal(5, 2)`; every score is typed twice
by two clerks and counts only when both agree or a reviewer has settled it.
Money (a trainee's yearly income) is in fen.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager
from gonghui.skills.scoring import TIE_BREAK_CHOICES, JudgeRule


class ContestLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class ContestStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    SCORING = "scoring", _("评分中")
    RANKED = "ranked", _("已排名")


class Contest(models.Model):
    """A 职工职业技能竞赛 held by a union."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("主办工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("竞赛名称"), max_length=200)
    trade = models.CharField(_("工种"), max_length=60)
    level = models.CharField(_("级别"), max_length=12, choices=ContestLevel.choices)
    held_on = models.DateField(_("比赛日期"))
    venue = models.CharField(_("比赛地点"), max_length=200, blank=True)
    theory_weight = models.PositiveSmallIntegerField(_("理论成绩权重（%）"), default=30)
    practical_weight = models.PositiveSmallIntegerField(_("实操成绩权重（%）"), default=70)
    judge_rule = models.CharField(
        _("裁判评分合成方式"), max_length=16, choices=JudgeRule.CHOICES, default=JudgeRule.TRIMMED_MEAN
    )
    tie_break = models.CharField(_("同分规则"), max_length=24, choices=TIE_BREAK_CHOICES, default="practical,theory")
    first_prizes = models.PositiveSmallIntegerField(_("一等奖名额（每个项目）"), default=1)
    second_prizes = models.PositiveSmallIntegerField(_("二等奖名额（每个项目）"), default=2)
    third_prizes = models.PositiveSmallIntegerField(_("三等奖名额（每个项目）"), default=3)
    # Eligibility as data: blank means no limit.
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    min_trade_years = models.PositiveSmallIntegerField(_("本工种最少从业年限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ContestStatus.choices, default=ContestStatus.OPEN)
    ranked_at = models.DateTimeField(_("排名时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Contest] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("技能竞赛")
        verbose_name_plural = _("技能竞赛")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(theory_weight__lte=100) & Q(practical_weight=100 - F("theory_weight")),
                name="skills_contest_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                name="skills_contest_age_range",
            ),
        ]
        indexes = [models.Index(fields=["org_path", "held_on"], name="skills_contest_path_day")]

    def __str__(self) -> str:
        return self.name


class ContestEvent(models.Model):
    """An event (比赛项目) of a contest: contestants are ranked and awarded within it."""

    contest = models.ForeignKey(Contest, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("项目名称"), max_length=100)

    class Meta:
        verbose_name = _("比赛项目")
        verbose_name_plural = _("比赛项目")
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="skills_event_name_unique")]

    def __str__(self) -> str:
        return self.name


class PracticalItem(models.Model):
    """One task of an event's practical paper, scored by several judges; the items' points sum to 100."""

    event = models.ForeignKey(ContestEvent, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("实操考核内容"), max_length=100)
    max_points = models.DecimalField(_("满分"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("实操考核内容")
        verbose_name_plural = _("实操考核内容")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="skills_item_name_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0) & Q(max_points__lte=100), name="skills_item_max"),
        ]

    def __str__(self) -> str:
        return self.name


class Judge(models.Model):
    """A judge of a contest, with the enterprise they work for (they never score its contestants)."""

    contest = models.ForeignKey(Contest, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="judges")
    name = models.CharField(_("裁判姓名"), max_length=60)
    enterprise = models.CharField(_("所在单位"), max_length=200)
    enterprise_key = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("裁判")
        verbose_name_plural = _("裁判")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="skills_judge_name_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.enterprise}）"


class EntryStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    WITHDRAWN = "withdrawn", _("已退赛")


class Entry(models.Model):
    """A contestant in one event, registered by their union; the ranking writes its results here."""

    contest = models.ForeignKey(Contest, verbose_name=_("竞赛"), on_delete=models.PROTECT, related_name="entries")
    contest_path = PathField(_("竞赛主办工会路径"), editable=False)
    event = models.ForeignKey(ContestEvent, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="entries")
    membership = models.ForeignKey(
        "members.Membership", verbose_name=_("会籍"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("members.Person", verbose_name=_("选手"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("报名工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    number = models.PositiveIntegerField(_("参赛编号"))
    enterprise = models.CharField(_("工作单位"), max_length=200)
    enterprise_key = models.CharField(max_length=200, editable=False)
    trade_years = models.PositiveSmallIntegerField(_("本工种从业年限"))
    age = models.PositiveSmallIntegerField(_("比赛时年龄"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.REGISTERED)
    theory = models.DecimalField(_("理论成绩"), max_digits=5, decimal_places=2, null=True, blank=True)
    practical = models.DecimalField(_("实操成绩"), max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("总成绩"), max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=8, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects: ScopedManager[Entry] = ScopedManager("contest_path", "org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("参赛选手")
        verbose_name_plural = _("参赛选手")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="skills_entry_person_once"),
            models.UniqueConstraint(fields=["contest", "number"], name="skills_entry_number_unique"),
        ]
        indexes = [
            models.Index(fields=["contest_path"], name="skills_entry_contest_path"),
            models.Index(fields=["org_path"], name="skills_entry_org_path"),
        ]

    def __str__(self) -> str:
        return f"{self.number:03d} {self.person.name}"


class ScoreKind(models.TextChoices):
    THEORY = "theory", _("理论")
    PRACTICAL = "practical", _("实操")


class ScoreState(models.TextChoices):
    FIRST = "first", _("待复核录入")
    MATCHED = "matched", _("两次录入一致")
    MISMATCH = "mismatch", _("两次录入不一致")
    RESOLVED = "resolved", _("已裁定")


COUNTED_STATES = (ScoreState.MATCHED, ScoreState.RESOLVED)


class Score(models.Model):
    """One score of one contestant (the theory paper, or one judge's score of one practical item), typed twice."""

    entry = models.ForeignKey(Entry, verbose_name=_("选手"), on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(_("类别"), max_length=10, choices=ScoreKind.choices)
    item = models.ForeignKey(PracticalItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    judge = models.ForeignKey(Judge, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    slot = models.CharField(max_length=40, editable=False)  # "theory" or "p<item>:j<judge>": one row per slot
    first_value = models.DecimalField(_("第一次录入"), max_digits=5, decimal_places=2)
    first_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    second_value = models.DecimalField(_("第二次录入"), max_digits=5, decimal_places=2, null=True)
    second_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    value = models.DecimalField(_("成绩"), max_digits=5, decimal_places=2, null=True)
    state = models.CharField(_("核对状态"), max_length=10, choices=ScoreState.choices, default=ScoreState.FIRST)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolve_note = models.CharField(_("裁定说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("成绩")
        verbose_name_plural = _("成绩")
        constraints = [models.UniqueConstraint(fields=["entry", "slot"], name="skills_score_slot_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.slot}"


# --- training classes ------------------------------------------------------------------------------


class ClassStatus(models.TextChoices):
    OPEN = "open", _("招生中")
    COMPLETED = "completed", _("已结业")


class TrainingClass(models.Model):
    """A training class run by a union or a college (a college is an org of its own, e.g. 新电商工匠学院)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("举办单位"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("培训班名称"), max_length=200)
    trade = models.CharField(_("培训工种/内容"), max_length=100, blank=True)
    teacher = models.CharField(_("授课老师"), max_length=60)
    teacher_title = models.CharField(_("老师称号"), max_length=60, blank=True)  # 劳模, 工匠…
    starts_on = models.DateField(_("开班日期"))
    ends_on = models.DateField(_("结业日期"))
    schedule = models.CharField(_("上课安排"), max_length=200, blank=True)
    venue = models.CharField(_("上课地点"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    # The share of sessions a trainee must attend to complete the class.
    completion_share = models.DecimalField(_("结业出勤率"), max_digits=3, decimal_places=2, default=Decimal("0.80"))
    status = models.CharField(_("状态"), max_length=12, choices=ClassStatus.choices, default=ClassStatus.OPEN)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[TrainingClass] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="skills_class_window"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="skills_class_capacity"),
        ]
        indexes = [models.Index(fields=["org_path", "starts_on"], name="skills_class_path_day")]

    def __str__(self) -> str:
        return self.name


class ClassSession(models.Model):
    """One session of a class, on a day: attendance is taken per session."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("上课日期"))
    topic = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        ordering = ["held_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["training_class", "held_on"], name="skills_session_day")]

    def __str__(self) -> str:
        return f"{self.training_class_id} {self.held_on}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在读")
    WAITING = "waiting", _("候补")
    WITHDRAWN = "withdrawn", _("已退出")
    COMPLETED = "completed", _("已结业")


# A trainee-time (培训人次) is one person in one class, enrolled or completed.
COUNTED_ENROLMENTS = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


class Enrolment(models.Model):
    """A trainee in a class: a member (membership) or a villager not yet a member (sealed ID number)."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.PROTECT, related_name="enrolments"
    )
    org_path = PathField(_("组织路径"), editable=False)  # the class's
    membership = models.ForeignKey(
        "members.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=60)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    # The ID number, as the registry keeps it: sealed, blind-indexed (one person once per class), masked.
    id_cipher = models.BinaryField(_("证件号码（密文）"), editable=False)
    id_index = models.CharField(_("证件号码索引"), max_length=64, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=40, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=EnrolmentStatus.choices)
    income_before_fen = models.PositiveBigIntegerField(_("培训前年收入（分）"), null=True, blank=True)
    income_after_fen = models.PositiveBigIntegerField(_("培训一年后年收入（分）"), null=True, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects: ScopedManager[Enrolment] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        base_manager_name = "all_objects"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "id_index"],
                condition=~Q(status="withdrawn"),
                name="skills_enrolment_once_per_class",
            )
        ]
        indexes = [
            models.Index(fields=["org_path", "status"], name="skills_enrolment_path"),
            models.Index(fields=["id_index"], name="skills_enrolment_id_index"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"


class Attendance(models.Model):
    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    checked_at = models.DateTimeField(_("签到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="skills_attendance_once")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} @ {self.session_id}"


class TrainingPlan(models.Model):
    """How many trainee-times (培训人次) a union or college plans to train in a year."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("学院或工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    trainee_times = models.PositiveIntegerField(_("计划培训人次"))
    contests_planned = models.PositiveSmallIntegerField(_("计划举办竞赛（场）"), default=0)

    objects: ScopedManager[TrainingPlan] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("培训计划")
        verbose_name_plural = _("培训计划")
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="skills_plan_org_year")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}: {self.trainee_times}"
