"""A contest for tests: held by 六盘水市总工会, one event of two practical items, three judges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.core.scoping import Scope
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number, register
from gonghui.orgs.models import Org
from gonghui.skills import services
from gonghui.skills.models import Contest, ContestEvent, Entry, Judge, PracticalItem
from gonghui.skills.services import ScoreCell


@dataclass
class World:
    contest: Contest
    event: ContestEvent
    items: list[PracticalItem]
    judges: list[Judge]


def make_contest(org: Org, **fields: Any) -> World:
    values: dict[str, Any] = {
        "name": "六盘水市管工职业技能大赛",
        "trade": "管工",
        "level": "city",
        "held_on": date(2026, 9, 20),
        "venue": "六盘水职业技术学院",
        **fields,
    }
    contest = services.contest_create(actor=None, scope=None, org=org, **values)
    event = services.event_add(
        actor=None,
        scope=None,
        contest=contest,
        name="管道安装",
        items=[("管道切割", Decimal(40)), ("管道焊接", Decimal(60))],
    )
    judges = [
        services.judge_add(actor=None, scope=None, contest=contest, name=name, enterprise=enterprise)
        for name, enterprise in (("赵裁判", "水城钢铁公司"), ("钱裁判", "盘州电厂"), ("孙裁判", "六枝工矿"))
    ]
    return World(contest, event, list(event.items.all()), judges)


def member(org: Org, seq: int, *, name: str = "选手", employer: str = "钟山建安公司", **fields: Any) -> Membership:
    digits = "".join("零一二三四五六七八九"[int(d)] for d in str(seq))
    return register(org, id_number(seq), name=f"{name}{digits}", employer=employer, **fields)


def enter(world: World, membership: Membership, *, trade_years: int = 5, **kw: Any) -> Entry:
    return services.entry_register(
        actor=None,
        scope=None,
        contest=world.contest,
        event=world.event,
        membership=membership,
        trade_years=trade_years,
        **kw,
    )


def full_sheet(world: World, entry: Entry, theory: str, practical: list[list[str]]) -> list[ScoreCell]:
    """Cells for the theory paper and each judge's score of each item (practical[item][judge])."""
    cells = [ScoreCell(field=f"t-{entry.pk}", entry_id=entry.pk, raw=theory)]
    for item, row in zip(world.items, practical, strict=True):
        for judge, raw in zip(world.judges, row, strict=True):
            cells.append(
                ScoreCell(
                    field=f"p-{entry.pk}-{item.pk}-{judge.pk}",
                    entry_id=entry.pk,
                    raw=raw,
                    item_id=item.pk,
                    judge_id=judge.pk,
                )
            )
    return cells


def scope_of(user: User) -> Scope:
    return scope_for_user(user)
