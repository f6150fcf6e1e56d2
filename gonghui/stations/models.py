"""Rest stations (工会驿站 / 户外劳动者服务站点, DOMAIN §7) and their self-managed duty rosters.

Coordinates are stored in GCJ-02 only (see `coords`): what 高德 and 腾讯 show and what
staff copy from them; a phone's WGS-84 position is converted on the way in. Every row
carries the path of the union that runs the station, so the scoped managers confine
staff to their subtree. Volunteers are members of any union: their group membership and
duties are the station's rows, reached through the station's path.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import PathField
from gonghui.core.scoping import ScopedManager
from gonghui.stations.hours import OpeningHours, Window
from gonghui.stations.words import INCIDENT_LABELS, SUPPLY_LABELS

if TYPE_CHECKING:
    from collections.abc import Container


class BuildMode(models.TextChoices):
    UNION = "union", _("工会自建")
    COBUILT = "cobuilt", _("社会共建")


class PartnerKind(models.TextChoices):
    BANK = "bank", _("银行网点")
    FUEL = "fuel", _("加油站")
    STORE = "store", _("便利店")
    GOVERNMENT = "government", _("机关企事业单位")
    OTHER = "other", _("其他")


class MapService(models.TextChoices):
    BAIDU = "baidu", _("百度地图")
    AMAP = "amap", _("高德地图")
    TENCENT = "tencent", _("腾讯地图")


class Station(models.Model):
    """One rest station, run by one union."""

    code = models.CharField(_("站点编号"), max_length=32, unique=True)
    name = models.CharField(_("站点名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    org = models.ForeignKey("orgs.Org", verbose_name=_("运营工会"), on_delete=models.PROTECT, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    # GCJ-02 degrees (module docstring); indexed together for the nearest-station box.
    lat = models.FloatField(_("纬度（GCJ-02）"))
    lng = models.FloatField(_("经度（GCJ-02）"))
    build_mode = models.CharField(_("建设方式"), max_length=10, choices=BuildMode.choices, default=BuildMode.UNION)
    partner_kind = models.CharField(_("共建单位类型"), max_length=20, choices=PartnerKind.choices, blank=True)
    partner_name = models.CharField(_("共建单位"), max_length=100, blank=True)
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=7, decimal_places=1, null=True, blank=True)
    # Codes of the `station_facility` table, each between commas (",water,fan_ac,"), so that
    # one facility is a `contains` match on both databases; `facility_codes` reads them.
    facilities = models.CharField(_("设施"), max_length=300, blank=True, default="")
    manager_name = models.CharField(_("负责人"), max_length=60, blank=True)
    manager_phone = models.CharField(_("负责人电话"), max_length=20, blank=True)
    # Opening hours (`hours`): no times for a kind of day is closed all that day.
    weekday_opens = models.TimeField(_("工作日开门"), null=True, blank=True)
    weekday_closes = models.TimeField(_("工作日关门"), null=True, blank=True)
    weekend_opens = models.TimeField(_("周末开门"), null=True, blank=True)
    weekend_closes = models.TimeField(_("周末关门"), null=True, blank=True)
    holiday_opens = models.TimeField(_("节假日开门"), null=True, blank=True)
    holiday_closes = models.TimeField(_("节假日关门"), null=True, blank=True)
    # Codes of `MapService` the station is published on, between commas like `facilities` (六有: 地图查询).
    map_published = models.CharField(_("已上线地图"), max_length=60, blank=True, default="")
    is_closed = models.BooleanField(_("已关闭"), default=False)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[Station] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("驿站")
        verbose_name_plural = _("驿站")
        base_manager_name = "all_objects"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="stations_station_lat_range"),
            models.CheckConstraint(condition=Q(lng__gte=-180, lng__lte=180), name="stations_station_lng_range"),
            # Both times of a kind of day or neither.
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{kind}_opens__isnull": True, f"{kind}_closes__isnull": True})
                    | Q(**{f"{kind}_opens__isnull": False, f"{kind}_closes__isnull": False}),
                    name=f"stations_station_{kind}_both_times",
                )
                for kind in ("weekday", "weekend", "holiday")
            ),
        ]
        indexes = [
            models.Index(fields=["lat", "lng"], name="stations_station_lat_lng"),
            models.Index(fields=["org_path", "id"], name="stations_station_path_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def facility_codes(self) -> list[str]:
        return [code for code in self.facilities.split(",") if code]

    @property
    def map_codes(self) -> list[str]:
        return [code for code in self.map_published.split(",") if code]

    @property
    def hours(self) -> OpeningHours:
        def window(opens: object, closes: object) -> Window | None:
            return Window(opens, closes) if opens is not None and closes is not None else None  # type: ignore[arg-type]

        return OpeningHours(
            weekday=window(self.weekday_opens, self.weekday_closes),
            weekend=window(self.weekend_opens, self.weekend_closes),
            holiday=window(self.holiday_opens, self.holiday_closes),
        )

    def is_open_at(self, at: datetime, *, holidays: Container[date] = (), closed_days: Container[date] = ()) -> bool:
        """Open at `at` (aware: read on the server's clock, Asia/Shanghai); a closed station never is."""
        if self.is_closed:
            return False
        local = timezone.localtime(at) if timezone.is_aware(at) else at
        return self.hours.is_open_at(local, holidays=holidays, closed_days=closed_days)


class Holiday(models.Model):
    """A public holiday (the State Council's list, published each year): data, not code."""

    day = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("节日"), max_length=40)

    class Meta:
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class StationClosedDay(models.Model):
    """A day one station does not open (repairs, the partner's own closing)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="closed_days")
    org_path = PathField(_("组织路径"), editable=False)
    day = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    objects: ScopedManager[StationClosedDay] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("驿站闭站日")
        verbose_name_plural = _("驿站闭站日")
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="stations_closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.station} {self.day}"


class DutyGroup(models.Model):
    """A group of volunteers that holds the station's duty in turn, with its leader."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="groups")
    org_path = PathField(_("组织路径"), editable=False)
    name = models.CharField(_("组名"), max_length=60)
    leader = models.ForeignKey(
        "members.Person", verbose_name=_("组长"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[DutyGroup] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("值班小组")
        verbose_name_plural = _("值班小组")
        base_manager_name = "all_objects"
        ordering = ["station", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="stations_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已加入")
    REJECTED = "rejected", _("未通过")
    LEFT = "left", _("已退出")


LIVE_VOLUNTEER_STATUSES = (VolunteerStatus.PENDING, VolunteerStatus.APPROVED)


class GroupMember(models.Model):
    """A member in a station's duty group (one live group per station); the station's manager approves."""

    group = models.ForeignKey(DutyGroup, on_delete=models.CASCADE, related_name="members")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="+")
    # The membership they joined with: a rider of any union, not only the station's.
    membership = models.ForeignKey(
        "members.Membership", verbose_name=_("会籍"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING
    )
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects: ScopedManager[GroupMember] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        base_manager_name = "all_objects"
        ordering = ["group", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "person"],
                condition=Q(status__in=[s.value for s in LIVE_VOLUNTEER_STATUSES]),
                name="stations_one_live_group_per_station",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.person_id}"


class DutyShift(models.Model):
    """One shift of a station: a day's opening window, for one group and/or `capacity` people."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="shifts")
    org_path = PathField(_("组织路径"), editable=False)
    group = models.ForeignKey(
        DutyGroup, verbose_name=_("值班小组"), null=True, blank=True, on_delete=models.PROTECT, related_name="shifts"
    )
    day = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("人数"), default=1)
    # The weekly rotation's shifts belong to the week's group as a whole (its members share the
    # duty among themselves); other shifts are held by the volunteers who take their places.
    held_by_group = models.BooleanField(_("由小组整体值班"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[DutyShift] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班班次")
        base_manager_name = "all_objects"
        ordering = ["starts_at", "id"]
        constraints = [
            # Generating a period twice finds its shifts again.
            models.UniqueConstraint(fields=["station", "starts_at"], name="stations_shift_station_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="stations_shift_ends_after"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="stations_shift_capacity_positive"),
            models.CheckConstraint(
                condition=Q(held_by_group=False) | Q(group__isnull=False), name="stations_shift_group_holds_it"
            ),
        ]
        indexes = [models.Index(fields=["org_path", "day"], name="stations_shift_path_day")]

    def __str__(self) -> str:
        return f"{self.station} {self.day}"

    @property
    def is_single(self) -> bool:
        return self.capacity == 1


class DutyAssignment(models.Model):
    """A volunteer holding a place on a shift."""

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="assignments")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("值班人"), on_delete=models.PROTECT, related_name="+")
    # The shift's capacity was 1 when this was written: the index below lets only one such row exist.
    single = models.BooleanField(_("单人班次"), editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ScopedManager[DutyAssignment] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["shift"], condition=Q(single=True), name="stations_single_person_shift_one_holder"
            ),
            models.UniqueConstraint(fields=["shift", "person"], name="stations_assignment_once_per_shift"),
        ]
        indexes = [models.Index(fields=["person", "shift"], name="stations_assignment_person")]

    def __str__(self) -> str:
        return f"{self.shift} {self.person_id}"


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("待对方同意")
    ACCEPTED = "accepted", _("待组长审批")
    APPROVED = "approved", _("已换班")
    DECLINED = "declined", _("对方拒绝")
    REFUSED = "refused", _("组长驳回")
    CANCELLED = "cancelled", _("已撤回")


OPEN_SWAP_STATUSES = (SwapStatus.REQUESTED, SwapStatus.ACCEPTED)


class SwapRequest(models.Model):
    """A volunteer asks another to take their place (and, optionally, gives theirs in return).

    requested → accepted (the other volunteer) → approved (the group's leader); or declined,
    refused, cancelled (by the requester while still open).
    """

    assignment = models.ForeignKey(DutyAssignment, on_delete=models.CASCADE, related_name="swaps")
    org_path = PathField(_("组织路径"), editable=False)
    requester = models.ForeignKey(
        "members.Person", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    counterpart = models.ForeignKey(
        "members.Person", verbose_name=_("对方"), on_delete=models.PROTECT, related_name="+"
    )
    # The counterpart's place the requester takes in return; empty: a plain hand-over.
    counter_assignment = models.ForeignKey(
        DutyAssignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.REQUESTED)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ScopedManager[SwapRequest] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        base_manager_name = "all_objects"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per place on a shift.
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=[s.value for s in OPEN_SWAP_STATUSES]),
                name="stations_one_open_swap_per_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.counterpart_id}"


# --- check-in, the duty log, visits ---------------------------------------------------------------


class CheckInSource(models.TextChoices):
    QR = "qr", _("扫码签到")
    STAFF = "staff", _("管理员补登")


class DutyCheckIn(models.Model):
    """A volunteer on duty checked in (and later out) at the station, by its QR code.

    A shift that ended with no check-in is a missed duty; one checked in after its start plus
    the grace (`GONGHUI_STATION_LATE_MINUTES`) is late, decided once, when it is written.
    """

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="checkins")
    org_path = PathField(_("组织路径"), editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("值班人"), on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(_("签到时间"))
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    late = models.BooleanField(_("迟到"), default=False)
    source = models.CharField(_("方式"), max_length=10, choices=CheckInSource.choices, default=CheckInSource.QR)

    objects: ScopedManager[DutyCheckIn] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("值班签到")
        verbose_name_plural = _("值班签到")
        base_manager_name = "all_objects"
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="stations_checkin_once_per_shift"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="stations_checkout_after_checkin",
            ),
        ]
        indexes = [models.Index(fields=["person", "checked_in_at"], name="stations_checkin_person")]

    def __str__(self) -> str:
        return f"{self.shift} {self.person_id}"


class DutyLog(models.Model):
    """The log the volunteers on a shift keep: opening and closing, visitors, handover to the next group."""

    shift = models.OneToOneField(DutyShift, on_delete=models.CASCADE, related_name="log")
    org_path = PathField(_("组织路径"), editable=False)
    opened_at = models.DateTimeField(_("开门时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关门时间"), null=True, blank=True)
    # People counted by hand (those who did not scan); scanned visits are `StationVisit` rows.
    visitors = models.PositiveIntegerField(_("接待人次（手工登记）"), default=0)
    handover = models.TextField(_("交接事项"), blank=True, max_length=2000)
    written_by = models.ForeignKey(
        "members.Person", verbose_name=_("填写人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ScopedManager[DutyLog] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("值班日志")
        verbose_name_plural = _("值班日志")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(opened_at__isnull=True)
                | Q(closed_at__gte=models.F("opened_at")),
                name="stations_log_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shift}"


class DutySupply(models.Model):
    """Supplies used and restocked on a shift (water, medicine …), in the item's own unit."""

    log = models.ForeignKey(DutyLog, on_delete=models.CASCADE, related_name="supplies")
    org_path = PathField(_("组织路径"), editable=False)
    item = models.CharField(_("物资"), max_length=20)  # code of the `station_supply` table
    used = models.PositiveIntegerField(_("消耗"), default=0)
    restocked = models.PositiveIntegerField(_("补充"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects: ScopedManager[DutySupply] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("物资消耗")
        verbose_name_plural = _("物资消耗")
        base_manager_name = "all_objects"
        ordering = ["log", "id"]
        constraints = [
            models.UniqueConstraint(fields=["log", "item"], name="stations_supply_once_per_log"),
            models.CheckConstraint(condition=Q(used__gt=0) | Q(restocked__gt=0), name="stations_supply_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.log} {self.item}"

    @property
    def item_label(self) -> str:
        return SUPPLY_LABELS.get(self.item, self.item)


class DutyIncident(models.Model):
    """Something that happened on a shift (a rider fell ill, equipment broke) and its follow-up."""

    log = models.ForeignKey(DutyLog, on_delete=models.CASCADE, related_name="incidents")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="incidents")
    org_path = PathField(_("组织路径"), editable=False)
    kind = models.CharField(_("类型"), max_length=20)  # code of the `station_incident` table
    description = models.TextField(_("经过"), max_length=2000)
    action = models.CharField(_("当场处置"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        "members.Person", verbose_name=_("报告人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    follow_up = models.CharField(_("后续处理"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ScopedManager[DutyIncident] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("值班事件")
        verbose_name_plural = _("值班事件")
        base_manager_name = "all_objects"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["station", "resolved_at"], name="stations_incident_open")]

    def __str__(self) -> str:
        return f"{self.station} {self.kind}"

    @property
    def kind_label(self) -> str:
        return INCIDENT_LABELS.get(self.kind, self.kind)


class StationVisit(models.Model):
    """One visit (人次) recorded by scanning the station's code, without logging in.

    `device` is a keyed hash of a random cookie the phone keeps (never an address or a
    person): it lets one phone count once per half hour, and says nothing about who it is.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits")
    org_path = PathField(_("组织路径"), editable=False)
    visited_at = models.DateTimeField(_("到访时间"), db_index=True)
    device = models.CharField(_("设备"), max_length=64)

    objects: ScopedManager[StationVisit] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("到访记录")
        verbose_name_plural = _("到访记录")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["station", "device", "visited_at"], name="stations_visit_device"),
            models.Index(fields=["org_path", "visited_at"], name="stations_visit_path_month"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.visited_at}"


# The 六有 standard (DOMAIN §7), in its order: (field of `StationInspection`, label).
SIX_HAVES: list[tuple[str, str]] = [
    ("has_sign", "统一标识名称"),
    ("has_layout", "合理布局"),
    ("has_facilities", "健全设施"),
    ("has_functions", "完善功能"),
    ("has_rules", "规范制度"),
    ("has_map", "地图查询"),
]


class StationInspection(models.Model):
    """The yearly inspection of a station: the 六有 checklist, a star rating and the 最美驿站 mark."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="inspections")
    org_path = PathField(_("组织路径"), editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    has_sign = models.BooleanField(_("统一标识名称"), default=False)
    has_layout = models.BooleanField(_("合理布局"), default=False)
    has_facilities = models.BooleanField(_("健全设施"), default=False)
    has_functions = models.BooleanField(_("完善功能"), default=False)
    has_rules = models.BooleanField(_("规范制度"), default=False)
    has_map = models.BooleanField(_("地图查询"), default=False)
    stars = models.PositiveSmallIntegerField(_("星级"))
    is_best = models.BooleanField(_("最美驿站"), default=False)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.CharField(_("检查意见"), max_length=500, blank=True)
    inspected_at = models.DateTimeField(_("检查时间"), default=timezone.now)

    objects: ScopedManager[StationInspection] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("驿站年度检查")
        verbose_name_plural = _("驿站年度检查")
        base_manager_name = "all_objects"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="stations_inspection_once_a_year"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="stations_inspection_stars_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.year}"

    @property
    def six_count(self) -> int:
        return sum(1 for field, _label in SIX_HAVES if getattr(self, field))

    @property
    def six_items(self) -> list[tuple[str, bool]]:
        return [(label, bool(getattr(self, field))) for field, label in SIX_HAVES]


class StationPhoto(models.Model):
    """A photo of a station, stored under the data directory once it decoded as an image."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    org_path = PathField(_("组织路径"), editable=False)
    # A random hex name and the image's suffix, written by `photos.photo_store` only.
    stored_name = models.CharField(_("文件"), max_length=80, unique=True)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects: ScopedManager[StationPhoto] = ScopedManager(path_field="org_path")  # type: ignore[assignment]
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("驿站照片")
        verbose_name_plural = _("驿站照片")
        base_manager_name = "all_objects"
        ordering = ["station", "id"]

    def __str__(self) -> str:
        return f"{self.station} {self.caption}"
