"""Demo rest stations (issue 16, DOMAIN §7): Guizhou's network, and 夷陵's 夷新驿站 run by its riders.

- The public holidays this project ships (`holidays.SHIPPED`), so open-now and the
  calendar know 国庆 from a Thursday.
- Stations across Guizhou's nine cities and prefectures, run by the county federations:
  a few hundred at `small`, a few thousand at `seed`. They cluster around each county's
  seat; about a third are 社会共建 (贵州银行's branches, 中国石化's filling stations,
  convenience stores, government service halls). Base facilities nearly everywhere,
  optional ones less often. Opening hours differ (a bank's weekdays, a filling station's
  round the clock, a riders' station open past midnight), so whatever the time some are
  closed now; a few stations shut for repairs today, a few closed for good.
- 夷新驿站 at 万达商圈, run by 夷陵区万达商圈工会联合会: 24 riders of the union in four
  duty groups, each with its leader, on a weekly rotation generated from 26 weeks back to
  8 weeks ahead through `services.calendar_generate`; each open day of a group's week one
  of its riders holds the shift (up to four weeks ahead), and one swap waits for the
  other rider's answer. That rider (`demo_rider`) gets a phone account in `portal`'s demo.
  Every past shift but one was checked in (a few late), checked out and logged (visitors,
  water and seasonal supplies, handover notes), with riders' scanned visits; one summer
  incident was followed up, a broken air conditioner is still open.
- Scanned visits at one Guizhou station in ten over the last six months (the dashboard's
  visits by month).

The Guizhou stations are written set-based (one audit event), 夷新驿站 through the services.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.core.audit import audit_record
from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.regions import region_children
from gonghui.core.scoping import unscoped
from gonghui.members.demo import GIVEN, SURNAMES
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org
from gonghui.stations.holidays import SHIPPED, read_holidays
from gonghui.stations.models import (
    BuildMode,
    DutyAssignment,
    DutyGroup,
    DutyIncident,
    DutyLog,
    DutyShift,
    GroupMember,
    PartnerKind,
    Station,
    StationClosedDay,
    StationVisit,
    SwapRequest,
    SwapStatus,
)
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.services import (
    calendar_generate,
    checkin,
    checkout,
    device_key,
    group_create,
    group_join,
    holidays_load,
    incident_report,
    incident_resolve,
    log_write,
    shift_take,
    station_create,
    supply_record,
    swap_request,
    volunteer_decide,
)
from gonghui.stations.words import BASE_FACILITIES

GUIZHOU_STATIONS = 3_000  # at seed; a tenth at small
YIXIN_CODE = "YL-YXYZ"
YIXIN_UNION = "420506WD01"
GROUPS = ("第一组", "第二组", "第三组", "第四组")
RIDERS_PER_GROUP = 6
WEEKS_BACK = 26
WEEKS_AHEAD = 8
TAKEN_WEEKS_AHEAD = 4
KM_PER_DEGREE = 111.32
# Seats of Guizhou's cities and prefectures (GCJ-02, as 高德 shows them).
CITY_SEATS: dict[str, tuple[float, float]] = {
    "520100": (26.6470, 106.6302),  # 贵阳
    "520200": (26.5929, 104.8302),  # 六盘水
    "520300": (27.7254, 106.9272),  # 遵义
    "520400": (26.2455, 105.9476),  # 安顺
    "520500": (27.2834, 105.2915),  # 毕节
    "520600": (27.7180, 109.1896),  # 铜仁
    "522300": (25.0881, 104.9062),  # 黔西南（兴义）
    "522600": (26.5836, 107.9828),  # 黔东南（凯里）
    "522700": (26.2582, 107.5221),  # 黔南（都匀）
}
PLACES = (
    "人民广场",
    "火车站",
    "客运站",
    "高新区",
    "老城",
    "新区",
    "工业园",
    "步行街",
    "中心医院",
    "体育中心",
    "物流园",
    "大十字",
    "商业街",
    "政务中心",
    "农贸市场",
)
OPTIONAL_SHARES = {"wifi": 0.6, "charging": 0.55, "toilet": 0.4, "rain_gear": 0.35, "fridge": 0.3, "nursing": 0.1}


def _window(opens: tuple[int, int] | None, closes: tuple[int, int] | None) -> tuple[time | None, time | None]:
    if opens is None or closes is None:
        return None, None
    return time(*opens), time(*closes)


# (weekday, weekend, holiday): a station of each kind keeps its own hours.
HOURS: dict[str, tuple[Any, ...]] = {
    "union": (((8, 0), (20, 0)), ((9, 0), (18, 0)), ((9, 0), (18, 0))),
    "riders": (((10, 0), (2, 0)), ((10, 0), (2, 0)), ((10, 0), (2, 0))),  # past midnight, for late deliveries
    "bank": (((8, 30), (17, 30)), ((9, 0), (16, 0)), None),
    "fuel": (((0, 0), (0, 0)), ((0, 0), (0, 0)), ((0, 0), (0, 0))),  # round the clock
    "store": (((7, 0), (23, 0)), ((7, 0), (23, 0)), ((8, 0), (22, 0))),
    "government": (((8, 30), (18, 0)), None, None),  # weekdays only
}


def _hours_fields(kind: str) -> dict[str, time | None]:
    out: dict[str, time | None] = {}
    for name, window in zip(("weekday", "weekend", "holiday"), HOURS[kind], strict=True):
        opens, closes = _window(*(window or (None, None)))
        out[f"{name}_opens"], out[f"{name}_closes"] = opens, closes
    return out


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _county_seats(rng: random.Random) -> list[tuple[str, str, float, float]]:
    """(county code, county name, lat, lng): a city's districts near its seat, its counties farther out."""
    seats = []
    for city_code, (c_lat, c_lng) in CITY_SEATS.items():
        for county in region_children(city_code):
            distance_km = rng.uniform(2, 12) if county.name.endswith("区") else rng.uniform(25, 90)
            angle = rng.uniform(0, 2 * math.pi)
            lat = c_lat + distance_km * math.sin(angle) / KM_PER_DEGREE
            lng = c_lng + distance_km * math.cos(angle) / (KM_PER_DEGREE * math.cos(math.radians(c_lat)))
            seats.append((county.code, county.name, lat, lng))
    return seats


def _guizhou_stations(ctx: DemoContext) -> int:
    rng = random.Random(ctx.rng.random())  # noqa: S311 - synthetic data
    total = ctx.scaled(GUIZHOU_STATIONS, 0.1)
    seats = _county_seats(rng)
    with unscoped():
        orgs = {o.code: o for o in Org.objects.filter(code__in=[s[0] for s in seats])}
    seats = [s for s in seats if s[0] in orgs]
    # Bigger places get more stations: the districts of a city's seat weigh three times a county.
    weights = [3.0 if name.endswith("区") else 1.0 for _code, name, *_rest in seats]
    today = timezone.localdate()
    stations: list[Station] = []
    repairs: list[int] = []
    for n in range(1, total + 1):
        code, county, s_lat, s_lng = rng.choices(seats, weights)[0]
        org = orgs[code]
        place = rng.choice(PLACES)
        draw = rng.random()
        partner_kind, partner_name = "", ""
        if draw < 0.15:
            hours, partner_kind = "bank", PartnerKind.BANK
            partner_name = f"贵州银行{county.removesuffix('区').removesuffix('县').removesuffix('市')}支行"
            name = f"{partner_name}{place}网点工会驿站"
        elif draw < 0.24:
            hours, partner_kind = "fuel", PartnerKind.FUEL
            partner_name = f"中国石化{county}{place}加油站"
            name = f"{partner_name}司机之家"
        elif draw < 0.30:
            hours, partner_kind = "store", PartnerKind.STORE
            partner_name = f"{rng.choice(['易捷', '星力', '合力', '便利蜂'])}便利店（{county}{place}店）"
            name = f"{county}{place}便利店爱心驿站"
        elif draw < 0.33:
            hours, partner_kind = "government", PartnerKind.GOVERNMENT
            partner_name = f"{county}政务服务中心"
            name = f"{county}政务服务中心职工驿站"
        elif draw < 0.45:
            hours = "riders"
            name = f"{county}{place}新就业形态劳动者驿站"
        else:
            hours = "union"
            name = f"{county}{place}工会驿站"
        base = [f for f in BASE_FACILITIES if rng.random() < 0.95]
        extra = [f for f, share in OPTIONAL_SHARES.items() if rng.random() < share]
        closed_for_good = rng.random() < 0.01
        stations.append(
            Station(
                code=f"GZ{code}{n:05d}",
                name=f"{name}（{n}）" if rng.random() < 0.05 else name,
                address=f"贵州省{county}{place}{rng.randint(1, 300)}号",
                region_code=code,
                org=org,
                org_path=org.path,
                lat=round(s_lat + rng.gauss(0, 0.02), 6),
                lng=round(s_lng + rng.gauss(0, 0.02), 6),
                build_mode=BuildMode.COBUILT if partner_kind else BuildMode.UNION,
                partner_kind=partner_kind,
                partner_name=partner_name,
                area_m2=Decimal(rng.randint(12, 60)),
                facilities=f",{','.join(base + extra)}," if base or extra else "",
                manager_name=_person_name(rng),
                manager_phone=_mobile(rng),
                is_closed=closed_for_good,
                closed_reason="场地改造，暂停服务" if closed_for_good else "",
                **_hours_fields(hours),
            )
        )
        if not closed_for_good and rng.random() < 0.02:
            repairs.append(n - 1)
    Station.all_objects.bulk_create(stations, batch_size=1000)
    with unscoped():
        made = {s.code: s for s in Station.all_objects.filter(code__in=[stations[i].code for i in repairs])}
    StationClosedDay.all_objects.bulk_create(
        [
            StationClosedDay(
                station=made[stations[i].code], org_path=stations[i].org_path, day=today, reason="设备检修"
            )
            for i in repairs
        ]
    )
    audit_record(
        actor=None,
        action="stations.demo.load",
        data={"stations": len(stations), "cobuilt": sum(1 for s in stations if s.build_mode == BuildMode.COBUILT)},
    )
    return len(stations)


def _yixin(ctx: DemoContext) -> Station:
    """夷新驿站 and its riders' four groups, calendar, daily holders and one open swap, through the services."""
    rng = random.Random(ctx.rng.random())  # noqa: S311 - synthetic data
    with unscoped():
        union = Org.objects.get(code=YIXIN_UNION)
        riders = list(
            Membership.objects.filter(org=union, status=MembershipStatus.ACTIVE)
            .select_related("person")
            .order_by("pk")[: len(GROUPS) * RIDERS_PER_GROUP]
        )
    station = station_create(
        actor=None,
        scope=None,
        org=union,
        code=YIXIN_CODE,
        name="夷新驿站",
        address="湖北省宜昌市夷陵区夷陵大道万达广场东门旁（万达商圈）",
        region_code="420506",
        lat=30.769_8,
        lng=111.327_6,
        facilities=["桌椅", "饮水", "微波炉", "医药箱", "空调", "充电", "WiFi", "雨具", "冰箱"],
        area_m2=36,
        manager_name="夷陵区万达商圈工会联合会（骑手自管）",
        manager_phone=_mobile(rng),
        weekday_opens=time(10),
        weekday_closes=time(23),
        weekend_opens=time(9),
        weekend_closes=time(23, 30),
        holiday_opens=time(9),
        holiday_closes=time(23, 30),
    )
    groups = [group_create(actor=None, scope=None, station=station, name=name) for name in GROUPS]
    members: list[list[Person]] = [[] for _ in groups]
    for i, membership in enumerate(riders):
        g = i % len(groups)
        joined = group_join(actor=None, person=membership.person, group=groups[g])
        leader = not members[g]
        volunteer_decide(actor=None, scope=None, volunteer=joined, approve=True, make_leader=leader)
        members[g].append(membership.person)
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=WEEKS_BACK)
    last = this_monday + timedelta(weeks=WEEKS_AHEAD, days=-1)
    # The groups signed up in the week before the first rota.
    with unscoped():
        GroupMember.objects.filter(station=station).update(
            applied_at=timezone.make_aware(datetime.combine(first - timedelta(days=10), time(20))),
            decided_at=timezone.make_aware(datetime.combine(first - timedelta(days=8), time(9))),
        )
    rule = RotationRule(RotationKind.WEEKLY, first, tuple(g.pk for g in groups))
    shifts = calendar_generate(actor=None, scope=None, station=station, rule=rule, first=first, last=last)
    # Each open day of its week, one of the group's riders holds the shift, in turn.
    index = {g.pk: i for i, g in enumerate(groups)}
    held_until = this_monday + timedelta(weeks=TAKEN_WEEKS_AHEAD)
    for shift in shifts:
        if shift.day >= held_until or shift.group_id is None:
            continue
        crew = members[index[shift.group_id]]
        shift_take(actor=None, person=crew[(shift.day - first).days % len(crew)], shift=shift)
    # One swap waits: next week's Saturday holder asks a rider of 第一组 to take it over.
    next_saturday = this_monday + timedelta(weeks=1, days=5)
    rider = members[0][1]
    with unscoped():
        holder = (
            DutyAssignment.objects.filter(shift__station=station, shift__day=next_saturday)
            .select_related("person")
            .first()
        )
    if holder is not None and holder.person_id != rider.pk:
        swap_request(
            actor=None,
            person=holder.person,
            assignment=holder,
            counterpart=rider,
            note="周六家里有事，麻烦帮我顶一下班，下次我替你。",
        )
    _yixin_history(station, shifts, rng)
    return station


def missed_duty_day(today: date) -> date:
    """The one duty nobody came to: the Tuesday three weeks back."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=3) + timedelta(days=1)


def _yixin_history(station: Station, shifts: list[DutyShift], rng: random.Random) -> None:
    """Check-ins, duty logs with supplies, two incidents and the scanned visits of 夷新驿站's past shifts.

    Each past shift that has begun is checked in by its holder (about one in 16 late), and each that has
    ended is checked out and logged (opening, closing, visitors counted by hand, water and, by the
    season, cooling or warming supplies; a handover note now and then), all through the services at
    the shift's own times, except one: `missed_duty_day`'s shift, which nobody came to (the one missed
    duty). The logs are written as the manager's (a volunteer may write theirs only for a few days
    after the shift) and carry the rider who kept them.
    """
    now = timezone.now()
    with unscoped():
        holder_of = dict(DutyAssignment.objects.filter(shift__station=station).values_list("shift_id", "person_id"))
        people = {p.pk: p for p in Person.objects.filter(pk__in=set(holder_of.values()))}
    missed = missed_duty_day(timezone.localdate())
    written_by: dict[int, int] = {}
    visits: list[StationVisit] = []
    phones = [device_key(f"demo-yixin-{n}") for n in range(600)]
    for shift in shifts:
        if shift.starts_at > now or shift.day == missed or shift.pk not in holder_of:
            continue
        rider = people[holder_of[shift.pk]]
        late = rng.random() < 0.06
        arrived = shift.starts_at + timedelta(minutes=rng.randint(20, 50) if late else -rng.randint(5, 30))
        checkin(actor=None, person=rider, station=station, at=arrived)
        if shift.ends_at > now:
            continue  # today's shift, still running
        checkout(actor=None, person=rider, station=station, at=shift.ends_at + timedelta(minutes=rng.randint(0, 15)))
        opened = max(arrived, shift.starts_at) + timedelta(minutes=rng.randint(0, 5))
        summer, winter = shift.day.month in (6, 7, 8, 9), shift.day.month in (12, 1, 2)
        busy = shift.day.weekday() >= 5 or summer
        log_write(
            actor=None,
            shift=shift,
            scope=None,
            opened_at=opened,
            closed_at=shift.ends_at + timedelta(minutes=rng.randint(0, 10)),
            visitors=rng.randint(8, 30) if busy else rng.randint(3, 15),
            handover=rng.choice(HANDOVERS) if rng.random() < 0.3 else "",
        )
        written_by[shift.pk] = rider.pk
        supply_record(actor=None, shift=shift, item="water", used=rng.randint(6, 30), restocked=rng.choice([0, 0, 24]))
        if summer:
            supply_record(actor=None, shift=shift, item="cooling", used=rng.randint(1, 8))
        elif winter and rng.random() < 0.5:
            supply_record(actor=None, shift=shift, item="warming", used=rng.randint(1, 5))
        if rng.random() < 0.1:
            supply_record(actor=None, shift=shift, item="medicine", used=rng.randint(1, 3), note="创可贴、碘伏")
        # Riders who scanned the station's code on the way in (once per phone per half hour at most).
        span = int((shift.ends_at - shift.starts_at).total_seconds())
        visits += [
            StationVisit(
                station=station,
                org_path=station.org_path,
                visited_at=shift.starts_at + timedelta(seconds=rng.randrange(span)),
                device=phone,
            )
            for phone in rng.sample(phones, rng.randint(10, 40) if busy else rng.randint(4, 20))
        ]
    StationVisit.all_objects.bulk_create(visits, batch_size=2000)
    with unscoped():
        logs = list(DutyLog.objects.filter(shift_id__in=list(written_by)))
        for log in logs:
            log.written_by_id = written_by[log.shift_id]
        DutyLog.objects.bulk_update(logs, ["written_by"])
    _yixin_incidents(station, [s for s in shifts if s.pk in written_by], rng)


HANDOVERS = (
    "饮水机滤芯快到期了，下一组留意更换。",
    "充电插排有一个插口接触不良，已贴条提示。",
    "药箱里的藿香正气水剩两盒，请补充。",
    "微波炉已清洁，钥匙放在抽屉里。",
    "空调遥控器电池换过了。",
    "今天万达做活动，骑手多，下午水用得快。",
)


def _yixin_incidents(station: Station, logged: list[DutyShift], rng: random.Random) -> None:
    """A rider who fell ill in the summer heat (followed up), and a broken air conditioner still open."""
    summer = [s for s in logged if s.day.month in (7, 8)]
    if summer:
        shift = rng.choice(summer)
        incident = incident_report(
            actor=None,
            shift=shift,
            scope=None,
            kind="中暑",
            description="一名外卖骑手送餐途中头晕乏力，到站休息，体温偏高。",
            action="扶到阴凉处，给藿香正气水和淡盐水，半小时后好转，骑手自行离开。",
        )
        incident_resolve(
            actor=None, scope=None, incident=incident, follow_up="次日电话回访，骑手已恢复；药箱补充防暑药品。"
        )
        # Dated as it happened (the services stamp the moment they run).
        with unscoped():
            DutyIncident.objects.filter(pk=incident.pk).update(
                reported_at=shift.starts_at + timedelta(hours=4), resolved_at=shift.starts_at + timedelta(days=1)
            )
    if logged:
        incident_report(
            actor=None,
            shift=logged[-1],
            scope=None,
            kind="设备损坏",
            description="空调制冷效果差，出风口有异响。",
            action="已联系商圈物业报修，先开风扇。",
        )


def _guizhou_visits(rng: random.Random) -> int:
    """Scanned visits at one Guizhou station in ten over the last six months, so the dashboard has months."""
    with unscoped():
        stations = list(Station.objects.filter(code__startswith="GZ", is_closed=False).order_by("pk")[::10])
    today = timezone.localdate()
    phones = [device_key(f"demo-gz-{n}") for n in range(2000)]
    visits = []
    for station in stations:
        for days_back in range(1, 183):
            if rng.random() < 0.6:
                continue
            day = today - timedelta(days=days_back)
            for _ in range(rng.randint(1, 8)):
                at = datetime.combine(day, time(rng.randint(8, 19), rng.randrange(60)))
                visits.append(
                    StationVisit(
                        station=station,
                        org_path=station.org_path,
                        visited_at=timezone.make_aware(at),
                        device=rng.choice(phones),
                    )
                )
    StationVisit.all_objects.bulk_create(visits, batch_size=5000)
    return len(visits)


def demo_rider() -> tuple[Person, DutyGroup] | None:
    """The rider whose answer the demo's open swap waits for, and their group (the phone account's person)."""
    with unscoped():
        swap = (
            SwapRequest.objects.filter(assignment__shift__station__code=YIXIN_CODE, status=SwapStatus.REQUESTED)
            .select_related("counterpart")
            .order_by("pk")
            .first()
        )
        if swap is None:
            return None
        volunteer = GroupMember.objects.select_related("group").filter(
            station__code=YIXIN_CODE, person=swap.counterpart_id, status="approved"
        )
        found = volunteer.first()
        return (swap.counterpart, found.group) if found is not None else None


@demo_step(order=38)
def load_stations(ctx: DemoContext) -> None:
    found = read_holidays(SHIPPED)
    holidays_load(actor=None, days=found.days)
    with unscoped():
        if Station.objects.filter(code=YIXIN_CODE).exists():
            ctx.log("驿站数据已存在，跳过。")
            return
    count = _guizhou_stations(ctx)
    _guizhou_visits(random.Random(ctx.rng.random()))  # noqa: S311 - synthetic data
    _yixin(ctx)
    ctx.log(f"已创建贵州 {count:,} 个驿站和夷陵区夷新驿站（4 个值班小组，轮值表 {WEEKS_BACK + WEEKS_AHEAD} 周）。")
