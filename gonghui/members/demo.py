"""Demo members: synthetic people placed as the reference page describes (DOMAIN §10).

Names are drawn from common surnames and given-name characters; ID numbers are
synthetic with valid check characters (never a real person's), encrypted and
indexed exactly as the services do. The bulk of the rows is written set-based
(the per-row services would take minutes at `seed`); a handful of people then go
through the real transition services so every state and workflow has examples.

At `seed`: 22.2万 new-employment-form members across Guizhou's unions (about 1万
of them in the 顺丰 union), 5.2万 potato farmers in 定西's chain unions, riders in
夷陵. At `small`: about 20,000 in all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction

from gonghui.core import crypto
from gonghui.core.audit import audit_record
from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.masking import mask_id_number
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members import services
from gonghui.members.models import EventType, Membership, MembershipEvent, MembershipStatus, Person
from gonghui.members.validation import ID_PURPOSE, name_keys
from gonghui.orgs.models import Org

GUIZHOU_NE_MEMBERS = 222_000
SF_MEMBERS = 10_000
DINGXI_FARMERS = 52_000
YILING_RIDERS = 800
BATCH = 5_000

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国林波斌宇浩凯鹏辉俊帅飞鑫晨欣怡佳琪雪梅婷燕志文春海兵荣成亮"
)

# New-employment-form groups and their weights among Guizhou's members (synthetic).
NE_MIX = [
    ("10", 30),
    ("06", 14),
    ("02", 16),
    ("09", 12),
    ("01", 10),
    ("04", 6),
    ("03", 4),
    ("08", 5),
    ("07", 2),
    ("05", 1),
]


@dataclass
class Batch:
    """Members to place at one org."""

    org: Org
    count: int
    profile: str  # ne, courier, farmer, rider, general


class _People:
    """Generates synthetic people with unique ID and mobile numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.mobiles: set[str] = set()
        self.keys: dict[str, tuple[str, str]] = {}

    def name(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def keys_of(self, name: str) -> tuple[str, str]:
        if name not in self.keys:
            self.keys[name] = name_keys(name)
        return self.keys[name]

    def id_number(self, area: str, born: date) -> str:
        while True:
            first17 = f"{area}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            value = id_number_with_check(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def mobile(self) -> str:
        while True:
            value = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
            if value not in self.mobiles:
                self.mobiles.add(value)
                return value


def _area(org: Org) -> str:
    code = org.region_code or org.code[:6]
    return code if code.isdigit() and len(code) == 6 else "520102"


def _profile_fields(profile: str, rng: random.Random, org: Org) -> dict[str, Any]:
    if profile == "courier":
        return {
            "new_employment_type": "02",
            "employer": "贵州顺丰速运有限公司",
            "is_migrant_worker": rng.random() < 0.55,
        }
    if profile == "rider":
        return {
            "new_employment_type": rng.choice(["10", "06"]),
            "employer": rng.choice(["美团外卖夷陵站点", "饿了么夷陵站点"]),
            "is_migrant_worker": rng.random() < 0.6,
        }
    if profile == "farmer":
        return {"hukou_type": "1", "employer": org.unit_name or org.name.replace("工会", ""), "skill_level": "9"}
    if profile == "ne":
        codes, weights = zip(*NE_MIX, strict=True)
        return {
            "new_employment_type": rng.choices(codes, weights)[0],
            "is_migrant_worker": rng.random() < 0.5,
            "employer": org.unit_name,
        }
    return {"employer": org.unit_name or org.name.replace("工会委员会", ""), "is_migrant_worker": rng.random() < 0.1}


def _rows(
    batch: Batch, people: _People, rng: random.Random, next_pk: Iterator[int]
) -> Iterator[tuple[Person, Membership]]:
    org = batch.org
    area = _area(org)
    for _ in range(batch.count):
        pk = next(next_pk)
        born = date(1966, 1, 1) + timedelta(days=rng.randrange(38 * 365))
        value = people.id_number(area, born)
        name = people.name()
        full, initials = people.keys_of(name)
        joined = max(org.founded_on or date(2015, 1, 1), date(2015, 1, 1)) + timedelta(days=rng.randrange(900))
        joined = min(joined, date(2023, 8, 31))
        fields = _profile_fields(batch.profile, rng, org)
        person = Person(
            pk=pk,
            name=name,
            name_pinyin=full,
            name_initials=initials,
            id_type="1",
            id_cipher=crypto.encrypt(value, purpose=ID_PURPOSE),
            id_index=crypto.blind_index(value, purpose=ID_PURPOSE),
            id_masked=mask_id_number(value),
            gender="1" if int(value[16]) % 2 else "2",
            birth_date=born,
            ethnicity=rng.choices(["01", "06", "09", "12", "03"], [70, 10, 10, 5, 5])[0],
            education=rng.choice(["20", "30", "40", "60", "70"]),
            political_status=rng.choices(["13", "03", "01"], [80, 12, 8])[0],
            hukou_type=fields.pop("hukou_type", rng.choice(["1", "2", "3"])),
            employment_status="10",
            mobile=people.mobile(),
            member_no=f"{pk:010d}",
            joined_on=joined,
            **fields,
        )
        if person.is_migrant_worker:
            person.hukou_type = "1"
        yield (
            person,
            Membership(person_id=pk, org=org, org_path=org.path, status=MembershipStatus.ACTIVE, started_on=joined),
        )


def _spread(total: int, orgs: list[Org], rng: random.Random, profile: str) -> list[Batch]:
    """`total` members over `orgs`, unevenly (as real unions are), nothing left over."""
    if not orgs or total <= 0:
        return []
    weights = [rng.uniform(0.3, 1.7) for _ in orgs]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return [Batch(org, n, profile) for org, n in zip(orgs, counts, strict=True) if n]


def _plan(ctx: DemoContext) -> list[Batch]:
    rng = ctx.rng
    seed = ctx.is_seed
    with unscoped():
        sf = Org.objects.get(code="520000SF")
        guizhou = Org.objects.get(code="520000")
        sf_outlets = list(Org.objects.filter(subtree_q("path", sf.path)).exclude(pk=sf.pk).order_by("path"))
        ne_orgs = list(
            Org.objects.filter(subtree_q("path", guizhou.path), is_new_employment=True)
            .exclude(subtree_q("path", sf.path))
            .order_by("path")
        )
        general = list(
            Org.objects.filter(subtree_q("path", guizhou.path), is_new_employment=False, kind="grassroots").order_by(
                "path"
            )
        )
        dingxi = Org.objects.get(code="621100")
        chain = list(
            Org.objects.filter(subtree_q("path", dingxi.path), is_industry_chain=True, kind="grassroots").order_by(
                "path"
            )
        )
        chain += list(Org.objects.filter(code__in=["621122MLS", "621123MLS"]))
        yiling = Org.objects.get(code="420506WD01")
    sf_total = SF_MEMBERS if seed else 1_000
    ne_total = (GUIZHOU_NE_MEMBERS if seed else 14_000) - sf_total
    batches = _spread(sf_total, sf_outlets or [sf], rng, "courier")
    batches += _spread(ne_total, ne_orgs, rng, "ne")
    batches += _spread(DINGXI_FARMERS if seed else 5_200, chain, rng, "farmer")
    batches += [Batch(yiling, YILING_RIDERS if seed else 300, "rider")]
    batches += _spread(2_000 if seed else 500, general, rng, "general")
    return batches


def _insert(batches: list[Batch], ctx: DemoContext) -> int:
    people = _People(ctx.rng)
    with unscoped():
        start = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    pks = iter(range(start, start + 10**8))
    done = 0
    persons: list[Person] = []
    memberships: list[Membership] = []

    def flush() -> None:
        Person.objects.bulk_create(persons, batch_size=BATCH)
        Membership.all_objects.bulk_create(memberships, batch_size=BATCH)
        MembershipEvent.all_objects.bulk_create(
            [
                MembershipEvent(
                    membership=ms,
                    org_path=ms.org_path,
                    event_type=EventType.JOIN,
                    reason="示例数据",
                    on=ms.started_on or date(2023, 8, 31),
                )
                for ms in memberships
            ],
            batch_size=BATCH,
        )
        persons.clear()
        memberships.clear()

    for batch in batches:
        for person, ms in _rows(batch, people, ctx.rng, pks):
            persons.append(person)
            memberships.append(ms)
            done += 1
            if len(persons) >= BATCH:
                flush()
                if done % 50_000 < BATCH:
                    ctx.log(f"  已生成会员 {done:,} 人…")
    flush()
    if connection.vendor == "postgresql":
        # Ids were given explicitly: move the sequence past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
                cursor.execute(sql)
    return done


def no_style() -> Any:
    from django.core.management.color import no_style as _no_style

    return _no_style()


def _workflows(ctx: DemoContext) -> None:
    """A few people through the real services: applications, transfers, retained, withdrawn."""
    rng = ctx.rng
    people = _People(random.Random(7))  # noqa: S311 - synthetic data
    with unscoped():
        sf_outlet = Org.objects.filter(code__startswith="520000SF0").order_by("code").first()
        kd = Org.objects.get(code="520200KD01")
        yiling = Org.objects.get(code="420506WD01")
    for org, n in ((kd, 3), (yiling, 2), (sf_outlet, 2)):
        if org is None:
            continue
        for _ in range(n):
            name = people.name()
            services.join_apply(
                org=org,
                id_number=people.id_number(_area(org), date(1995, 1, 1) + timedelta(days=rng.randrange(3000))),
                fields={"name": name, "mobile": people.mobile(), "new_employment_type": "02", "employer": "快递网点"},
            )
    with unscoped():
        sample = list(Membership.objects.filter(org=kd, status=MembershipStatus.ACTIVE).order_by("pk")[:6])
        # Withdraw someone outside the new-employment figures, which keep the page's 22.2万.
        leaver = Membership.objects.filter(person__new_employment_type="", status=MembershipStatus.ACTIVE).first()
    if leaver is not None:
        services.membership_withdraw(actor=None, scope=None, membership=leaver, reason="voluntary")
    if len(sample) >= 6:
        services.membership_retain(actor=None, scope=None, membership=sample[0], reason="retired")
        services.membership_retain(actor=None, scope=None, membership=sample[1], reason="unemployed")
        services.transfer_out(actor=None, scope=None, membership=sample[3], to_code="520000SF", reason="job_change")
        done = services.transfer_out(
            actor=None, scope=None, membership=sample[4], to_code="520000SF", reason="job_change"
        )
        services.transfer_decide(actor=None, scope=None, transfer=done, approve=True)


@demo_step(order=30)
def load_members(ctx: DemoContext) -> None:
    with unscoped():
        if Membership.objects.exists():
            ctx.log("会员数据已存在，跳过。")
            return
    batches = _plan(ctx)
    with transaction.atomic():
        count = _insert(batches, ctx)
        services.tally_rebuild()
        audit_record(actor=None, action="members.demo.load", data={"members": count})
    _workflows(ctx)
    ctx.log(f"已生成 {count:,} 名示例会员（身份证号码为合成号码，校验位有效）。")
