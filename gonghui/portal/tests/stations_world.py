"""A rest station for the phone pages' tests, set up through the stations' services.

YX-001  夷新驿站 near 宜昌 (夷陵, 420506), open round the clock every day, run by 钟山区总工会
        groups 第一组 (刘骑, led by 王组长) and 第二组 (陈骑, its own leader), rotating weekly
        from this week's Monday: this week is 第一组's
YX-CLOSED  a station nearer still that never opens (no hours)
赵师傅   a member with an account who is no volunteer
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from gonghui.conftest import PASSWORD
from gonghui.core.tests.clients import client as new_client
from gonghui.members.tests.factories import id_number, register
from gonghui.portal.models import MemberAccount
from gonghui.portal.services import member_account_create
from gonghui.stations.models import DutyGroup, DutyShift, Station
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.services import calendar_generate, group_create, group_join, volunteer_decide
from gonghui.stations.tests.factories import make_station

ROUND_THE_CLOCK: dict[str, Any] = {
    f"{kind}_{end}": time(0) for kind in ("weekday", "weekend", "holiday") for end in ("opens", "closes")
}
NEVER: dict[str, Any] = {
    f"{kind}_{end}": None for kind in ("weekday", "weekend", "holiday") for end in ("opens", "closes")
}
# Where the phone is (WGS-84), and the stations around it, given in WGS-84 too (stored converted).
HERE = (30.7700, 111.3200)


@dataclass
class StationWorld:
    station: Station
    closed: Station
    groups: list[DutyGroup]
    rider: MemberAccount  # 刘骑, 第一组: on duty this week
    other: MemberAccount  # 陈骑, 第二组 (its leader)
    leader: MemberAccount  # 王组长, leads 第一组
    outsider: MemberAccount  # 赵师傅, no volunteer

    def client_for(self, account: MemberAccount) -> Client:
        c = new_client()
        c.force_login(account.user)
        return c

    def today_shift(self) -> DutyShift:
        return DutyShift.all_objects.get(station=self.station, day=timezone.localdate())

    def next_own_day(self, group: DutyGroup) -> DutyShift:
        """The group's first day that has not started yet."""
        return DutyShift.all_objects.filter(group=group, starts_at__gt=timezone.now()).order_by("starts_at").first()  # type: ignore[return-value]


def _account(tree: Any, seq: int, name: str, mobile: str) -> MemberAccount:
    person = register(tree.courier_union, id_number(seq), name=name, mobile=mobile).person
    return member_account_create(actor=None, person=person, username=mobile, password=PASSWORD)


def build_station_world(tree: Any) -> StationWorld:
    station = make_station(
        tree.zhongshan, "YX-001", lat=HERE[0] + 0.01, lng=HERE[1], datum="wgs84", name="夷新驿站", **ROUND_THE_CLOCK
    )
    closed = make_station(
        tree.zhongshan, "YX-CLOSED", lat=HERE[0] + 0.002, lng=HERE[1], datum="wgs84", name="夜猫驿站", **NEVER
    )
    rider = _account(tree, 610, "刘骑", "13900000610")
    other = _account(tree, 611, "陈骑", "13900000611")
    leader = _account(tree, 612, "王组长", "13900000612")
    outsider = _account(tree, 613, "赵师傅", "13900000613")
    groups = [group_create(actor=None, scope=None, station=station, name=n) for n in ("第一组", "第二组")]
    for account, group, lead in ((leader, groups[0], True), (rider, groups[0], False), (other, groups[1], True)):
        joined = group_join(actor=None, person=account.person, group=group)
        volunteer_decide(actor=None, scope=None, volunteer=joined, approve=True, make_leader=lead)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    rule = RotationRule(RotationKind.WEEKLY, monday, tuple(g.pk for g in groups))
    calendar_generate(actor=None, scope=None, station=station, rule=rule, first=monday, last=today + timedelta(days=21))
    return StationWorld(station, closed, groups, rider, other, leader, outsider)
