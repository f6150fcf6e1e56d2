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
    PUBLISHED = "published", _("结果公示中")
    FINAL = "final", _("结果已确认")


# Once ranked, scores and rules are closed: the 公示 and its close only settle who keeps an award.
RANKED_STATES = (ContestStatus.RANKED, ContestStatus.PUBLISHED, ContestStatus.FINAL)


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
    # The results' 公示 (the shared notices): its close makes the awards final.
    publication = models.ForeignKey(
        "notices.Publication",
        verbose_name=_("结果公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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

    @property
    def is_ranked(self) -> bool:
        return self.status in RANKED_STATES


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
    # Why an award was taken back (an objection upheld on the 公示); the rank stands.
    award_note = models.CharField(_("奖项说明"), max_length=200, blank=True)
    certificate = models.ForeignKey(
        "notices.Certificate",
        verbose_name=_("获奖证书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The honors nomination this winner was recommended for (e.g. the 五一劳动奖章), if any.
    nomination = models.ForeignKey(
        "honors.Nomination",
        verbose_name=_("推荐评选"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("退赛时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("退赛原因"), max_length=200, blank=True)
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


# --- innovation studios (劳模工匠创新工作室) ---------------------------------------------------------


class StudioLevel(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("全国示范性")


class LeaderHonor(models.TextChoices):
    NATIONAL_MODEL = "national_model", _("全国劳动模范（先进工作者）")
    NATIONAL_MEDAL = "national_medal", _("全国五一劳动奖章")
    PROVINCIAL_MODEL = "provincial_model", _("省部级劳动模范（先进工作者）")
    PROVINCIAL_MEDAL = "provincial_medal", _("省五一劳动奖章")
    CRAFTSMAN = "craftsman", _("工匠")
    CITY_MODEL = "city_model", _("市级劳动模范")
    NONE = "none", _("无")


class StudioCriteria(models.Model):
    """What a studio must show to hold a level (DOMAIN §6, Shaanxi's rules as defaults): data, per level."""

    level = models.CharField(_("级别"), max_length=12, choices=StudioLevel.choices, unique=True)
    leader_honors = models.JSONField(_("领办人须具有的荣誉"), default=list)  # LeaderHonor codes
    min_years = models.PositiveSmallIntegerField(_("运行年限"), default=3)
    min_results = models.PositiveSmallIntegerField(_("有效益的成果（项）"), default=3)
    min_sessions_a_year = models.PositiveSmallIntegerField(_("每年交流培训（次）"), default=2)
    min_promoted = models.PositiveSmallIntegerField(_("成员晋升（人）"), default=3)
    award_fen = models.PositiveBigIntegerField(_("奖励（分）"), default=0)

    class Meta:
        verbose_name = _("创新工作室认定条件")
        verbose_name_plural = _("创新工作室认定条件")

    def __str__(self) -> str:
        return self.get_level_display()


class Studio(models.Model):
    """A 劳模工匠创新工作室 of a union (its enterprise), led by a model worker or a craftsman."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("工作室名称"), max_length=200)
    leader_name = models.CharField(_("领办人"), max_length=60)
    leader_honor = models.CharField(_("领办人荣誉"), max_length=20, choices=LeaderHonor.choices)
    level = models.CharField(_("级别"), max_length=12, choices=StudioLevel.choices, blank=True)
    founded_on = models.DateField(_("成立日期"))
    premises = models.CharField(_("固定场所"), max_length=200, blank=True)
    equipment = models.CharField(_("设备"), max_length=500, blank=True)
    funds_fen = models.PositiveBigIntegerField(_("年度经费（分）"), default=0)
    has_rules = models.BooleanField(_("有管理制度"), default=False)
    members = models.PositiveSmallIntegerField(_("成员人数"), default=0)
    members_promoted = models.PositiveSmallIntegerField(_("成员晋升人数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Studio] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("创新工作室")
        verbose_name_plural = _("创新工作室")
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="skills_studio_name_unique")]

    def __str__(self) -> str:
        return self.name


class StudioResult(models.Model):
    """A project's result with its benefit (money saved or earned, in fen)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="results")
    title = models.CharField(_("成果"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    benefit_fen = models.PositiveBigIntegerField(_("经济效益（分）"), default=0)

    class Meta:
        verbose_name = _("工作室成果")
        verbose_name_plural = _("工作室成果")

    def __str__(self) -> str:
        return self.title


class StudioSession(models.Model):
    """An exchange or training session the studio held."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("内容"), max_length=200)

    class Meta:
        verbose_name = _("工作室交流培训")
        verbose_name_plural = _("工作室交流培训")

    def __str__(self) -> str:
        return self.title


class StudioApplication(models.Model):
    """A studio's application for a level, with the criteria as checked when it applied."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="applications")
    level = models.CharField(_("申报级别"), max_length=12, choices=StudioLevel.choices)
    applied_on = models.DateField(_("申报日期"))
    unmet = models.JSONField(_("未达到的条件"), default=list)
    granted = models.BooleanField(_("认定"), null=True)

    class Meta:
        verbose_name = _("工作室申报")
        verbose_name_plural = _("工作室申报")

    def __str__(self) -> str:
        return f"{self.studio_id} {self.level}"


# --- 五小 (小发明 小创造 小革新 小设计 小建议) -------------------------------------------------------


class InnovationKind(models.TextChoices):
    INVENTION = "invention", _("小发明")
    CREATION = "creation", _("小创造")
    RENOVATION = "renovation", _("小革新")
    DESIGN = "design", _("小设计")
    SUGGESTION = "suggestion", _("小建议")


class InnovationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待评审")
    ACCEPTED = "accepted", _("评审通过")
    REJECTED = "rejected", _("未通过")
    AWARDED = "awarded", _("已获奖")


class Innovation(models.Model):
    """A 五小 entry by a worker or a team: the problem, the solution, the benefit."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("申报工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    kind = models.CharField(_("类别"), max_length=12, choices=InnovationKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    title_key = models.CharField(max_length=200, editable=False)
    authors = models.CharField(_("完成人（团队）"), max_length=300)
    is_team = models.BooleanField(_("团队"), default=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    problem = models.TextField(_("解决的问题"))
    solution = models.TextField(_("方法"))
    money_saved_fen = models.PositiveBigIntegerField(_("节约或创收（分/年）"), default=0)
    hours_saved = models.PositiveIntegerField(_("节约工时（小时/年）"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=InnovationStatus.choices, default=InnovationStatus.SUBMITTED
    )
    award = models.CharField(_("奖项"), max_length=20, blank=True)
    review_note = models.CharField(_("评审意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    objects: ScopedManager[Innovation] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("五小成果")
        verbose_name_plural = _("五小成果")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["org_path", "year"], name="skills_innovation_path_year"),
            models.Index(fields=["title_key"], name="skills_innovation_title"),
        ]

    def __str__(self) -> str:
        return self.title


# --- worker activities ---------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    SPORTS = "sports", _("文体活动（体育）")
    CULTURE = "culture", _("文化活动")
    VOLUNTEER = "volunteer", _("志愿服务")
    LECTURE = "lecture", _("劳模工匠宣讲")


class Activity(models.Model):
    """A union's worker activity; participations are counted from check-ins (the activity's QR code)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("主办工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=12, choices=ActivityKind.choices)
    held_on = models.DateField(_("日期"))
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("人数上限"), null=True, blank=True)
    checkin_code = models.CharField(_("签到码"), max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Activity] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("职工活动")
        verbose_name_plural = _("职工活动")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "held_on"], name="skills_activity_path_day")]

    def __str__(self) -> str:
        return self.name


class ActivitySignup(models.Model):
    """A member's sign-up to an activity, and their check-in (a participation) when they came."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    org_path = PathField(_("组织路径"), editable=False)  # the activity's
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects: ScopedManager[ActivitySignup] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["activity", "membership"], name="skills_signup_once")]
        indexes = [models.Index(fields=["org_path"], name="skills_signup_path")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.membership_id}"
