"""Honors (DOMAIN §5): award campaigns with places and quotas, nominations passed up the tree,
reviews, the 公示 (`notices`), and the register of honors members hold.

    nomination: draft (at the nominating union) → submitted (at the union above, to review)
        → approved (at that union) → passed up (submitted at the next union) … → approved at the
        campaign's union → published (公示) → awarded (an `HonorHeld`, a certificate)
        returned (back to the nominating union, with a reason) · rejected (final, with a reason)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager


class CampaignKind(models.TextChoices):
    MOST_BEAUTIFUL = "most_beautiful", _("最美劳动者")
    MAY_DAY_MEDAL = "may_day_medal", _("五一劳动奖章")
    MAY_DAY_AWARD = "may_day_award", _("五一劳动奖状")
    PIONEER = "pioneer", _("工人先锋号")
    MODEL_WORKER = "model_worker", _("劳动模范")
    OWN = "own", _("本级自设荣誉")


# Honors given to a collective (a union or a team) instead of a member.
COLLECTIVE_KINDS = ("may_day_award", "pioneer")

# Honors that make a 劳模 or 工匠 on the register (`model_workers`).
MODEL_WORKER_KINDS = (CampaignKind.MODEL_WORKER, CampaignKind.MAY_DAY_MEDAL)


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("推荐中")
    PUBLISHED = "published", _("公示中")
    ANNOUNCED = "announced", _("已公布")


class Campaign(models.Model):
    """An award campaign of a union at its level, for a year."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("评选工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    kind = models.CharField(_("荣誉类别"), max_length=20, choices=CampaignKind.choices)
    title = models.CharField(_("荣誉名称"), max_length=100)  # 贵州省五一劳动奖章, 钟山区最美快递员 …
    level = models.CharField(_("级别"), max_length=20)  # 省级, 市级, 县级
    awarding_body = models.CharField(_("授予单位"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    places_default = models.PositiveIntegerField(_("每个下级工会名额"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    publication = models.ForeignKey(
        "notices.Publication", verbose_name=_("公示"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[Campaign] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("评选活动")
        verbose_name_plural = _("评选活动")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "year"], name="honors_campaign_path_year")]

    def __str__(self) -> str:
        return f"{self.year}年{self.title}"

    @property
    def collective(self) -> bool:
        """五一劳动奖状 and 工人先锋号 go to a union or a team, never to a member."""
        return self.kind in COLLECTIVE_KINDS


class FieldType(models.TextChoices):
    TEXT = "text", _("文字")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")


class CampaignField(models.Model):
    """A question the campaign's nomination form asks besides the standard ones (data, not code)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    label = models.CharField(_("名称"), max_length=40)
    field_type = models.CharField(_("类型"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    choices = models.JSONField(_("选项"), default=list, blank=True)  # for a choice: the options, in order
    required = models.BooleanField(_("必填"), default=False)

    class Meta:
        verbose_name = _("推荐表附加项")
        verbose_name_plural = _("推荐表附加项")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "label"], name="honors_field_label_once")]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    """A weighted scoring criterion of one review level (a union) of a campaign; a level's weights sum to 100."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria")
    org = models.ForeignKey("orgs.Org", verbose_name=_("评审工会"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("评分项"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("权重"))

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org", "name"], name="honors_criterion_once"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="honors_criterion_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}%）"


class Place(models.Model):
    """The number of nominees a lower union may send up for a campaign (else the campaign's default)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="places")
    org = models.ForeignKey("orgs.Org", verbose_name=_("下级工会"), on_delete=models.PROTECT, related_name="+")
    places = models.PositiveIntegerField(_("名额"))

    class Meta:
        verbose_name = _("名额")
        verbose_name_plural = _("名额")
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="honors_place_once")]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.places}"


class Attribute(models.TextChoices):
    FRONT_LINE = "front_line", _("一线职工")
    MIGRANT = "migrant", _("农民工")
    NEW_EMPLOYMENT = "new_employment", _("新就业形态劳动者")
    WOMAN = "woman", _("女性")
    MINORITY = "minority", _("少数民族")
    ENTERPRISE_HEAD = "enterprise_head", _("企业负责人")


class Bound(models.TextChoices):
    MIN_SHARE = "min_share", _("比例不低于")
    MAX_SHARE = "max_share", _("比例不高于")
    MIN_COUNT = "min_count", _("人数不少于")


class QuotaRule(models.Model):
    """A quota as data: a share (or a count) of a list's nominees with an attribute."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    attribute = models.CharField(_("条件"), max_length=20, choices=Attribute.choices)
    bound = models.CharField(_("要求"), max_length=10, choices=Bound.choices)
    share = models.DecimalField(_("比例"), max_digits=4, decimal_places=3, null=True, blank=True)  # 0.850
    count = models.PositiveIntegerField(_("人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("名额比例要求")
        verbose_name_plural = _("名额比例要求")
        constraints = [
            models.CheckConstraint(
                condition=(Q(bound="min_count", count__isnull=False) | Q(share__gte=0, share__lte=1)),
                name="honors_quota_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute} {self.bound} {self.share if self.count is None else self.count}"


class NomineeType(models.TextChoices):
    PERSON = "person", _("个人")
    UNION = "union", _("集体（工会）")
    TEAM = "team", _("集体（班组、团队）")


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("待上报")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("公示中")
    AWARDED = "awarded", _("已授予")


class Nomination(models.Model):
    """A nominee put forward by a union for a campaign, with the facts the form asks.

    The nominee is a member, or for a collective honor (`Campaign.collective`) a union of the tree
    (`collective_org`) or a team of a union (`team_name` and its union in `collective_org`).
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评选活动"), on_delete=models.PROTECT, related_name="nominations"
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("推荐工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    # The union holding the nomination now: the nominating union, then each union above that reviews it.
    at_org = models.ForeignKey("orgs.Org", verbose_name=_("当前审核工会"), on_delete=models.PROTECT, related_name="+")
    at_path = PathField(_("当前审核工会路径"), editable=False)
    nominee_type = models.CharField(
        _("推荐对象类型"), max_length=10, choices=NomineeType.choices, default=NomineeType.PERSON
    )
    membership = models.ForeignKey(
        "members.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    collective_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("集体所在工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team_name = models.CharField(_("班组、团队名称"), max_length=100, blank=True)
    # The answers to the campaign's own questions (`CampaignField`), by the field's id, as text.
    answers = models.JSONField(_("附加项"), default=dict, blank=True)
    nominee_name = models.CharField(_("被推荐人"), max_length=60)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    position = models.CharField(_("职务/岗位"), max_length=100, blank=True)
    deeds = models.TextField(_("主要事迹"))
    front_line = models.BooleanField(_("一线职工"), default=False)
    migrant = models.BooleanField(_("农民工"), default=False)
    new_employment = models.BooleanField(_("新就业形态劳动者"), default=False)
    woman = models.BooleanField(_("女性"), default=False)
    minority = models.BooleanField(_("少数民族"), default=False)
    enterprise_head = models.BooleanField(_("企业负责人"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.DRAFT
    )
    status_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)

    # Visible to the nominating union and every union above it (the reviewing ones are among them).
    objects: ScopedManager[Nomination] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("推荐对象")
        verbose_name_plural = _("推荐对象")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], condition=~Q(status="rejected"), name="honors_nominated_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "collective_org", "team_name"],
                condition=~Q(status="rejected") & ~Q(nominee_type="person"),
                name="honors_collective_once",
            ),
            models.CheckConstraint(
                condition=(Q(nominee_type="person", person__isnull=False, membership__isnull=False))
                | (Q(nominee_type="union", collective_org__isnull=False, team_name=""))
                | (Q(nominee_type="team", collective_org__isnull=False) & ~Q(team_name="")),
                name="honors_nominee_shape",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "at_path", "status"], name="honors_nom_at")]

    def __str__(self) -> str:
        return f"{self.nominee_name}（{self.campaign}）"

    @property
    def is_collective(self) -> bool:
        return self.nominee_type != NomineeType.PERSON

    def attributes(self) -> set[str]:
        return {a for a in Attribute.values if getattr(self, "migrant" if a == Attribute.MIGRANT else a)}


class Decision(models.TextChoices):
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")
    REJECT = "reject", _("不予通过")


class Review(models.Model):
    """One review step of a nomination at one union: one person never holds two steps of a nomination."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    org = models.ForeignKey("orgs.Org", verbose_name=_("审核工会"), on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("结论"), max_length=10, choices=Decision.choices)
    reason = models.CharField(_("意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("审核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.decision}"


class Score(models.Model):
    """One reviewer's scores of a nomination at one level, or their declared conflict of interest."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="scores")
    org = models.ForeignKey("orgs.Org", verbose_name=_("评审工会"), on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marks = models.JSONField(_("各项得分"), default=dict, blank=True)  # criterion id (text) → 0–100
    total = models.DecimalField(_("加权得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    conflict = models.BooleanField(_("回避"), default=False)
    conflict_reason = models.CharField(_("回避理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "org", "reviewer"], name="honors_score_once"),
            models.CheckConstraint(
                condition=Q(conflict=True, total__isnull=True) | Q(conflict=False, total__isnull=False),
                name="honors_score_or_conflict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.reviewer_id} {self.total}"


class Attachment(models.Model):
    """A document of a nomination (deeds, 纪检/税务/安全 clearance letters …), checked by decoding it."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    label = models.CharField(_("材料名称"), max_length=60)
    stored_name = models.CharField(max_length=80, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推荐材料")
        verbose_name_plural = _("推荐材料")

    def __str__(self) -> str:
        return self.label


class HonorHeld(models.Model):
    """The register: an honor a member holds (title, level, year, awarding body)."""

    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("所在工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    holder_name = models.CharField(_("获得者"), max_length=60)
    kind = models.CharField(_("荣誉类别"), max_length=20, choices=CampaignKind.choices)
    title = models.CharField(_("荣誉名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=20)
    awarding_body = models.CharField(_("授予单位"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    # The facts counted by the statistics, as they were when awarded.
    front_line = models.BooleanField(_("一线职工"), default=False)
    new_employment = models.BooleanField(_("新就业形态劳动者"), default=False)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    nomination = models.OneToOneField(Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(
        "notices.Certificate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects: ScopedManager[HonorHeld] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("荣誉登记")
        verbose_name_plural = _("荣誉登记")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["org_path", "year"], name="honors_held_path_year"),
            models.Index(fields=["person"], name="honors_held_person"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.year}年{self.title}"


class Lecture(models.Model):
    """A lecture tour stop (劳模工匠宣讲): a 劳模 or 工匠 speaking at a union or an enterprise."""

    speaker = models.ForeignKey("members.Person", verbose_name=_("宣讲人"), on_delete=models.PROTECT, related_name="+")
    speaker_name = models.CharField(_("宣讲人"), max_length=60)
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    # The enterprise (or school, community …) that hosted it, when not the union itself.
    host = models.CharField(_("承办单位"), max_length=200, blank=True)
    audience = models.PositiveIntegerField(_("听众人数"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ScopedManager[Lecture] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("劳模工匠宣讲")
        verbose_name_plural = _("劳模工匠宣讲")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["org_path", "held_on"], name="honors_lecture_path_day")]

    def __str__(self) -> str:
        return f"{self.speaker_name} {self.held_on}"


class AllowancePeriod(models.TextChoices):
    MONTH = "month", _("按月")
    YEAR = "year", _("按年")


class LevelFloor(models.TextChoices):
    """The lowest level of honor a 劳模津贴 standard pays (and every level above it)."""

    NATIONAL = "4", _("全国")
    PROVINCE = "3", _("省部级")
    CITY = "2", _("市级")
    COUNTY = "1", _("县级")


class AllowanceStandard(models.Model):
    """A union's 劳模津贴: an amount per month or per year to the 劳模 and 工匠 on the register under it
    whose honor is of a level or above (e.g. 省部级及以上 300 元/月)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("发放工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    level_floor = models.CharField(_("荣誉级别"), max_length=1, choices=LevelFloor.choices)
    period = models.CharField(_("发放周期"), max_length=5, choices=AllowancePeriod.choices)
    amount_fen = models.PositiveIntegerField(_("每人金额（分）"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[AllowanceStandard] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("劳模津贴标准")
        verbose_name_plural = _("劳模津贴标准")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["org", "level_floor"], name="honors_allowance_once"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="honors_allowance_positive"),
        ]

    def __str__(self) -> str:
        unit = "月" if self.period == AllowancePeriod.MONTH else "年"
        return f"{self.get_level_floor_display()}及以上 {self.amount_fen / 100:.2f} 元/{unit}"
