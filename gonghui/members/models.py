"""The real-name registry: people, their memberships, and what happened to them.

A `Person` is a natural person, known by the blind index of their ID number;
the number itself is stored only as ciphertext and a masked form (DESIGN §3.3).
A `Membership` ties a person to one union for one stretch of time; a transfer
closes one membership and opens the next, so each union keeps its own history.
The database allows one live membership per person (a partial unique index).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import ByteOrderCharField, PathField
from gonghui.core.masking import mask_name
from gonghui.core.scoping import ScopedManager


class Code(models.Model):
    """One entry of a code table (民族, 学历 …); tables are data, see `codes.py`."""

    table = models.CharField(_("代码表"), max_length=40)
    code = models.CharField(_("代码"), max_length=20)
    label = models.CharField(_("名称"), max_length=60)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("代码")
        verbose_name_plural = _("代码表")
        ordering = ["table", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="members_code_unique")]

    def __str__(self) -> str:
        return f"{self.table}:{self.code} {self.label}"


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("待审核")
    ACTIVE = "active", _("正常")
    TRANSFER_PENDING = "transfer_pending", _("接转中")
    RETAINED = "retained", _("保留会籍")
    TRANSFERRED = "transferred", _("已转出")
    WITHDRAWN = "withdrawn", _("已退会")
    EXPELLED = "expelled", _("已除名")
    REJECTED = "rejected", _("入会未通过")


# A person holds at most one of these at a time (the partial unique index). A pending application
# (待审核) is not one of them: the public join form takes any ID number, so an application must
# never stand in the way of a registration, a transfer or another union's application; the union
# sorts out duplicates when it reviews (approval is refused while the person holds one of these).
LIVE_STATUSES = (
    MembershipStatus.ACTIVE,
    MembershipStatus.TRANSFER_PENDING,
    MembershipStatus.RETAINED,
)
# These count as members in the statistics.
MEMBER_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.TRANSFER_PENDING, MembershipStatus.RETAINED)


class Person(models.Model):
    """A natural person (DOMAIN §1.1). Never listed on its own: reached through memberships."""

    name = ByteOrderCharField(_("姓名"), max_length=60)
    # Search keys computed on write (pypinyin): "wangxiaoming", "wxm".
    name_pinyin = ByteOrderCharField(_("姓名全拼"), max_length=200, editable=False)
    name_initials = ByteOrderCharField(_("姓名首字母"), max_length=60, editable=False)
    id_type = models.CharField(_("证件类型"), max_length=2, default="1")
    id_cipher = models.BinaryField(_("证件号码（密文）"), editable=False)
    id_index = models.CharField(_("证件号码索引"), max_length=64, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=40, editable=False)
    gender = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=2, blank=True)
    education = models.CharField(_("学历"), max_length=2, blank=True)
    degree = models.CharField(_("学位"), max_length=2, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=2, blank=True)
    hukou_type = models.CharField(_("户籍类型"), max_length=2, blank=True)
    is_migrant_worker = models.BooleanField(_("农民工"), default=False)
    hukou_region = models.CharField(_("户籍所在地"), max_length=6, blank=True)
    residence_region = models.CharField(_("现居住地"), max_length=6, blank=True)
    residence_address = models.CharField(_("现居住详细地址"), max_length=200, blank=True)
    employment_status = models.CharField(_("就业状况"), max_length=2, blank=True)
    skill_level = models.CharField(_("技能等级"), max_length=2, blank=True)
    new_employment_type = models.CharField(_("新就业形态类别"), max_length=2, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    employer_uscc = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    is_model_worker = models.BooleanField(_("劳模"), default=False)
    emergency_contact = models.CharField(_("紧急联系人"), max_length=60, blank=True)
    emergency_phone = models.CharField(_("紧急联系电话"), max_length=20, blank=True)
    member_no = models.CharField(_("会员编号"), max_length=20, null=True, blank=True, editable=False)
    joined_on = models.DateField(_("入会日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(fields=["id_index"], name="members_person_id_index_unique"),
            models.UniqueConstraint(fields=["member_no"], name="members_person_member_no_unique"),
        ]
        indexes = [
            models.Index(fields=["mobile"], name="members_person_mobile"),
            # (key, id): a search page is one walk in (key, id) order, ties included.
            models.Index(fields=["name", "id"], name="members_person_name"),
            models.Index(fields=["name_pinyin", "id"], name="members_person_pinyin"),
            models.Index(fields=["name_initials", "id"], name="members_person_initials"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    @property
    def is_new_employment(self) -> bool:
        return bool(self.new_employment_type)


class Membership(models.Model):
    """A person's membership of one union for one stretch of time."""

    # Indexed by (person, status) below; a second index on person alone would only cost writes.
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    # The org's path, kept in step by org_move (core.paths): subtree scans stay on this table.
    org_path = PathField(_("组织路径"), editable=False)
    status = models.CharField(_("会籍状态"), max_length=20, choices=MembershipStatus.choices)
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True)
    started_on = models.DateField(_("本会籍起始日期"), null=True, blank=True)
    ended_on = models.DateField(_("本会籍终止日期"), null=True, blank=True)
    # A worker's join application as submitted; applied to the person on approval.
    application = models.JSONField(_("入会申请内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[Membership] = ScopedManager(  # type: ignore[assignment]
        path_field="org_path"
    )
    # Not a column: what a registration service found worth telling the officer
    # (an area code missing from GB/T 2260, say).
    warnings: tuple[str, ...] = ()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("会籍")
        verbose_name_plural = _("会籍")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="members_one_live_membership",
                # Covering on PostgreSQL: a search probes this index once per name
                # match to test the caller's scope; with the path and status in the
                # index the probe never reads the table (cold pages made the p95).
                include=["org_path", "status"],
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "id"], name="members_ms_path_id"),
            models.Index(fields=["person", "status"], name="members_ms_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.org_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class EventType(models.TextChoices):
    APPLY = "apply", _("提交入会申请")
    JOIN = "join", _("入会")
    REJECT = "reject", _("入会申请未通过")
    TRANSFER_OUT = "transfer_out", _("转出")
    TRANSFER_IN = "transfer_in", _("转入")
    RETAIN = "retain", _("保留会籍")
    RESUME = "resume", _("恢复正常会籍")
    WITHDRAW = "withdraw", _("退会")
    EXPEL = "expel", _("除名")
    REINSTATE = "reinstate", _("恢复会籍")


class MembershipEvent(models.Model):
    """One entry of a membership's history (会籍变化, DOMAIN §1.1)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    org_path = PathField(_("组织路径"), editable=False)
    event_type = models.CharField(_("变化类型"), max_length=20, choices=EventType.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    on = models.DateField(_("日期"))
    other_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("对方工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects: ScopedManager[MembershipEvent] = ScopedManager(  # type: ignore[assignment]
        path_field="org_path"
    )
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("会籍变化")
        verbose_name_plural = _("会籍变化")
        base_manager_name = "all_objects"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_event_type_display()}"


class TransferState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("不同意")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("办理中")
    COMPLETED = "completed", _("已完成")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已撤回")


class Transfer(models.Model):
    """组织关系接转: either side starts it, both sides approve it."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey("orgs.Org", verbose_name=_("转出工会"), on_delete=models.PROTECT, related_name="+")
    from_path = PathField(_("转出工会路径"), editable=False)
    to_org = models.ForeignKey("orgs.Org", verbose_name=_("转入工会"), on_delete=models.PROTECT, related_name="+")
    to_path = PathField(_("转入工会路径"), editable=False)
    initiated_by = models.CharField(_("发起方"), max_length=3, choices=[("out", _("转出方")), ("in", _("转入方"))])
    reason = models.CharField(_("接转原因"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    out_state = models.CharField(_("转出方意见"), max_length=10, choices=TransferState.choices)
    in_state = models.CharField(_("转入方意见"), max_length=10, choices=TransferState.choices)
    status = models.CharField(_("状态"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    # The membership's status before the transfer (正常 or 保留会籍), restored if it fails.
    prior_status = models.CharField(max_length=20, choices=MembershipStatus.choices)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    new_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_from"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects: ScopedManager[Transfer] = ScopedManager(  # type: ignore[assignment]
        "from_path", "to_path"
    )
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("会籍接转")
        verbose_name_plural = _("会籍接转")
        base_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(status="pending"), name="members_one_pending_transfer"
            ),
        ]
        indexes = [
            models.Index(fields=["from_path", "status"], name="members_tr_from"),
            models.Index(fields=["to_path", "status"], name="members_tr_to"),
        ]

    def __str__(self) -> str:
        # The label audit events keep: read by both unions, and the receiving one may not
        # know the person's name before the releasing one agrees (selectors.transfer_shown).
        return f"{mask_name(self.person.name)}: {self.from_org_id} → {self.to_org_id}"


class MemberTally(models.Model):
    """Membership counts per union, status and flags, kept by the services.

    Subtree statistics sum these few rows per org instead of counting a
    million memberships (DESIGN §5: ≤ 50 ms); `members_tally_rebuild`
    recomputes them from the rows, and the tests check both agree.
    """

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    status = models.CharField(max_length=20, choices=MembershipStatus.choices)
    new_employment = models.BooleanField(default=False)
    migrant = models.BooleanField(default=False)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("会员计数")
        verbose_name_plural = _("会员计数")
        constraints = [
            models.UniqueConstraint(fields=["org", "status", "new_employment", "migrant"], name="members_tally_unique"),
        ]
        indexes = [models.Index(fields=["org_path"], name="members_tally_path")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.status}: {self.n}"
