"""Demo: 12351 cases and the collective-contract registry (DOMAIN §8, §10; issue 17).

The page's figures, exact at both scales: in 安定区 (621102) 57 wage collective contracts cover 63
enterprises and 4,228 workers (53 single-enterprise contracts and 4 regional ones covering ten
more; no other contract in 安定); in 陇西县 (621122) 26 cooperatives signed wage, women workers'
and labour-safety special contracts (three regional contracts, each covering all 26). A year of
12351 cases across Guizhou and 定西 in every state, some overdue: 300 at `small`, 30,000 at `seed`,
written set-based. Then (step 61) legal aid: lawyers' rosters at 定西, 安定, 陇西 and the Guizhou
federation; legal-aid matters taken from open demo cases in every form, most closed with the amount
recovered; and 百名律师进千企 法律体检 visits in 定西 (a few in Guizhou) with issues, some fixed, through
the services (their rules and audit events).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gonghui.core.demo import DemoContext, demo_step, split_exactly
from gonghui.core.scoping import unscoped
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_create
from gonghui.rights import deadlines
from gonghui.rights.contracts import EmployerIn, add_years, contract_register
from gonghui.rights.legal import aid_close, aid_hearing, aid_open, lawyer_add, visit_issue_follow_up, visit_record
from gonghui.rights.legal_selectors import roster_for
from gonghui.rights.legal_words import AidForm, IssueStatus
from gonghui.rights.models import CaseEvent, CaseStatus, CollectiveContract, HotlineCase, Lawyer
from gonghui.rights.words import Cause, Kind, PersonType, Satisfaction, Source, Tier

ANDING, LONGXI, DINGXI = "621102", "621122", "621100"
ANDING_CONTRACTS, ANDING_EMPLOYERS, ANDING_WORKERS = 57, 63, 4228
REGIONAL = [2, 2, 3, 3]  # employers of 安定's four regional contracts: the 10 of 63 not under the 53 single ones
LONGXI_COOPERATIVES = 26
CASES = {"small": 300, "seed": 30_000}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _county(code: str, name: str) -> Org:
    with unscoped():
        org = Org.all_objects.filter(code=code).first()
        parent = Org.all_objects.filter(code=DINGXI).first()
    if org is not None:
        return org
    if parent is None:
        parent = org_create(
            actor=None,
            scope=None,
            code=DINGXI,
            name="定西市总工会",
            kind=OrgKind.CITY_FEDERATION,
            parent=None,
            region_code=DINGXI,
        )
    return org_create(
        actor=None, scope=None, code=code, name=name, kind=OrgKind.COUNTY_FEDERATION, parent=parent, region_code=code
    )


def _uscc(region: str, n: int) -> str:
    return uscc_with_check(f"93{region}{n:09d}")


def _contract(
    org: Org, title: str, kind: str, scope: str, signed: date, employers: list[EmployerIn], women: int
) -> None:
    starts = signed + timedelta(days=5)
    raw: dict[str, Any] = {
        "title": title,
        "kind": kind,
        "scope": scope,
        "signed_on": signed,
        "starts_on": starts,
        "ends_on": add_years(starts, 3) - timedelta(days=1),
        "union_chief": "工会主席",
        "employer_chief": "企业方代表",
        "vote_body": "congress",
        "voted_on": signed - timedelta(days=7),
        "votes_for": 30,
        "votes_against": 1,
        "filed_on": signed + timedelta(days=6),
        "women_workers": women,
        "wage_increase_pct": "5" if kind == "wage" else "",
    }
    contract_register(actor=None, scope=None, org=org, raw=raw, employers=employers)


def load_contracts(ctx: DemoContext) -> None:
    anding = _county(ANDING, "安定区总工会")
    longxi = _county(LONGXI, "陇西县总工会")
    today = timezone.localdate()
    workers = split_exactly(ANDING_WORKERS, [ctx.rng.uniform(20, 120) for _ in range(ANDING_EMPLOYERS)])
    employers = [
        EmployerIn(f"安定区示例企业（{i + 1}）", _uscc(ANDING, i + 1), workers[i]) for i in range(ANDING_EMPLOYERS)
    ]
    single = ANDING_CONTRACTS - len(REGIONAL)
    for i in range(single):
        e = employers[i]
        signed = today - timedelta(days=ctx.rng.randint(30, 900))
        _contract(anding, f"{e.name}工资专项集体合同", "wage", "enterprise", signed, [e], e.workers // 3)
    start = single
    for n, size in enumerate(REGIONAL, start=1):
        group = employers[start : start + size]
        start += size
        signed = today - timedelta(days=ctx.rng.randint(30, 900))
        _contract(anding, f"安定区第{n}片区工资专项集体合同", "wage", "regional", signed, group, 0)
    coops = [
        EmployerIn(f"陇西县马铃薯专业合作社（{i + 1}）", _uscc(LONGXI, i + 1), ctx.rng.randint(5, 30))
        for i in range(LONGXI_COOPERATIVES)
    ]
    signed = today - timedelta(days=200)
    for kind, label in (("wage", "工资"), ("women", "女职工权益保护"), ("safety", "劳动安全卫生")):
        _contract(longxi, f"陇西县马铃薯专业合作社{label}专项集体合同", kind, "regional", signed, coops, 0)


def _holders(intake: Org) -> list[list[Org]]:
    """Chains of unions a case may travel from `intake`: its children, and their children."""
    with unscoped():
        children = list(Org.all_objects.filter(parent=intake, closed_on__isnull=True).order_by("code")[:12])
        chains: list[list[Org]] = []
        for child in children:
            chains.append([child])
            for grandchild in Org.all_objects.filter(parent=child, closed_on__isnull=True).order_by("code")[:5]:
                chains.append([child, grandchild])
    return chains or [[]]


STATES = [
    (CaseStatus.CLOSED, 50),
    ("answered", 8),
    (CaseStatus.PENDING, 8),
    (CaseStatus.HANDLING, 16),
    (CaseStatus.REPLIED, 8),
    (CaseStatus.FOLLOWED, 5),
    (CaseStatus.CHECKED, 5),
]


def load_cases(ctx: DemoContext) -> None:
    with unscoped():
        intakes = list(Org.all_objects.filter(code__in=["520000", DINGXI]).order_by("code"))
    if not intakes:
        return
    routes = {o.pk: _holders(o) for o in intakes}
    rng, now = ctx.rng, timezone.now()
    total = CASES[ctx.scale]
    states = [s for s, _w in STATES]
    weights = [w for _s, w in STATES]
    cases: list[HotlineCase] = []
    plans: list[tuple[Org, list[Org]]] = []
    for _ in range(total):
        intake = rng.choice(intakes)
        chain = rng.choice(routes[intake.pk])
        state = rng.choices(states, weights)[0]
        tier = rng.choices(Tier.values, [80, 15, 5])[0]
        created = now - timedelta(days=rng.uniform(0, 365))
        answered = state == "answered"
        kind = Kind.CONSULT if answered else rng.choice(Kind.values)
        status = CaseStatus.CLOSED if answered else state
        holder = intake if answered or not chain else chain[-1]
        if status == CaseStatus.PENDING and chain and rng.random() < 0.5:
            holder = chain[0]
        # Open cases: the current step began a few days ago, some long enough to be overdue.
        ago = rng.uniform(0, 1.5) if rng.random() < 0.8 else rng.uniform(2, 15)
        started = created if status == CaseStatus.CLOSED else max(created, now - timedelta(days=ago))
        late = status == CaseStatus.CLOSED and not answered and rng.random() < 0.12
        satisfaction = ""
        if status in (CaseStatus.FOLLOWED, CaseStatus.CHECKED) or (status == CaseStatus.CLOSED and not answered):
            satisfaction = rng.choices(Satisfaction.values, [70, 22, 8])[0]
        cases.append(
            HotlineCase(
                number=uuid.uuid4().hex[:24],
                intake_org=intake,
                intake_path=intake.path,
                org=holder,
                org_path=holder.path,
                source=rng.choices(Source.values, [80, 4, 6, 5, 5])[0],
                kind=kind,
                cause=rng.choices(Cause.values, [12, 35, 10, 12, 8, 10, 4, 3, 3, 3])[0],
                person_type=rng.choice(PersonType.values),
                tier=tier,
                caller_name=rng.choice(SURNAMES) + rng.choice(["师傅", "女士", "先生"]),
                caller_phone=f"139{rng.randint(0, 99_999_999):08d}",
                summary="（示例）反映劳动权益问题，请求工会帮助。",
                answer="已当场答复。" if answered else "",
                result="已协调解决。"
                if status in (CaseStatus.REPLIED, CaseStatus.FOLLOWED, CaseStatus.CHECKED, CaseStatus.CLOSED)
                and not answered
                else "",
                status=status,
                step_started_at=started,
                step_due_at=deadlines.step_deadline(tier=tier, status=status, started=started),
                late=late,
                satisfaction=satisfaction,
                handled_by_org=holder if satisfaction else None,
                created_at=created,
                closed_at=created + timedelta(days=rng.uniform(0.1, 20)) if status == CaseStatus.CLOSED else None,
            )
        )
        plans.append((intake, chain))
    with unscoped():
        made = HotlineCase.all_objects.bulk_create(cases, batch_size=2000)
        for case in made:
            case.number = f"12351-{case.created_at:%Y%m%d}-{case.pk:06d}"
        HotlineCase.all_objects.bulk_update(made, ["number"], batch_size=2000)
        events: list[CaseEvent] = []
        for case, (intake, _chain) in zip(made, plans, strict=True):
            events.append(CaseEvent(case=case, at=case.created_at, actor_label="示例", action="intake", org=intake))
            if case.org_id != intake.pk:
                events.append(
                    CaseEvent(
                        case=case,
                        at=case.created_at + timedelta(hours=2),
                        actor_label="示例",
                        action="hand_down",
                        org=intake,
                        to_org=case.org,
                    )
                )
            if case.closed_at is not None:
                action = "answered" if case.answer else "close"
                events.append(CaseEvent(case=case, at=case.closed_at, actor_label="示例", action=action, org=intake))
        CaseEvent.objects.bulk_create(events, batch_size=5000)


@demo_step(order=60)
def load_rights(ctx: DemoContext) -> None:
    with unscoped():
        if CollectiveContract.all_objects.exists() or HotlineCase.all_objects.exists():
            ctx.log("维权数据已存在，跳过。")
            return
    load_contracts(ctx)
    load_cases(ctx)
    ctx.log(f"集体合同：安定区 {ANDING_CONTRACTS} 份、陇西县 3 份；12351 工单 {CASES[ctx.scale]} 件。")


# --- legal aid and 百名律师进千企 ----------------------------------------------------------------------

# (union code, lawyers at small, at seed): 定西's 百名律师进千企 roster is the largest.
ROSTERS = [(DINGXI, 8, 100), (ANDING, 3, 12), (LONGXI, 3, 12), ("520000", 4, 30)]
AID_MATTERS = {"small": 24, "seed": 600}
VISITS = {"small": 40, "seed": 1000}
FIRMS = [
    "甘肃陇原律师事务所",
    "定西安定律师事务所",
    "陇西县法律援助律师事务所",
    "贵州黔正律师事务所",
    "贵州筑城律师事务所",
]
GIVEN = "明华军芳丽强磊静敏伟洋娟平刚"
AREA_SETS = [
    "劳动合同、工资报酬、仲裁",
    "工伤、社会保险、诉讼",
    "解除终止劳动关系、仲裁、诉讼",
    "女职工权益、劳动合同",
    "企业用工合规、集体协商、劳动安全卫生",
]
ISSUES = [
    "部分职工未签订书面劳动合同",
    "劳动合同未约定工作时间和休息休假",
    "加班费计算基数低于规定",
    "未足额缴纳工伤保险",
    "规章制度未经职代会讨论通过",
    "女职工特殊保护制度缺失",
    "试用期约定超过法定期限",
    "工资支付台账不完整",
    "劳务派遣用工比例超过 10%",
]
BODIES = ["劳动人事争议仲裁委员会", "人民法院", "劳动争议调解委员会"]


def load_lawyers(ctx: DemoContext) -> dict[str, list[int]]:
    with unscoped():
        orgs = {o.code: o for o in Org.all_objects.filter(code__in=[code for code, _s, _l in ROSTERS])}
    out: dict[str, list[int]] = {}
    n = 0
    for code, small, seed in ROSTERS:
        org = orgs.get(code)
        if org is None:
            continue
        out[code] = []
        for _ in range(seed if ctx.is_seed else small):
            n += 1
            firm = FIRMS[3 + n % 2] if code.startswith("52") else FIRMS[n % 3]
            lw = lawyer_add(
                actor=None,
                scope=None,
                org=org,
                raw={
                    "name": ctx.rng.choice(SURNAMES) + ctx.rng.choice(GIVEN) + ctx.rng.choice(["", *GIVEN]),
                    "firm": firm,
                    "licence_no": f"1{code[:2]}{2010 + n % 14}{n:010d}",  # 17 digits, synthetic
                    "areas": AREA_SETS[n % len(AREA_SETS)],
                    "phone": f"139{ctx.rng.randint(0, 99_999_999):08d}",
                    "active": n % 15 != 0,  # a few taken off the roster
                },
            )
            out[code].append(lw.pk)
    return out


def load_matters(ctx: DemoContext) -> int:
    """Legal aid from open complaints and requests for help about wages, injuries and dismissals,
    through the services (the rules and the audit), various forms, a third closed with amounts."""
    today = timezone.localdate()
    with unscoped():
        candidates = list(
            HotlineCase.all_objects.filter(
                status__in=[CaseStatus.HANDLING, CaseStatus.REPLIED, CaseStatus.FOLLOWED],
                kind__in=[Kind.COMPLAINT, Kind.HELP],
                cause__in=[Cause.WAGES, Cause.INJURY, Cause.DISMISSAL, Cause.CONTRACT],
            ).order_by("pk")[: AID_MATTERS[ctx.scale] * 3]
        )
    made = 0
    for case in ctx.rng.sample(candidates, min(len(candidates), AID_MATTERS[ctx.scale])):
        roster = roster_for(org_path=case.org_path)
        if not roster:
            continue
        opened = min(case.created_at.date() + timedelta(days=ctx.rng.randint(1, 5)), today)
        form = ctx.rng.choices(AidForm.values, [35, 25, 30, 10])[0]
        matter = aid_open(
            actor=None, scope=None, case=case, form=form, lawyer_id=ctx.rng.choice(roster).pk, opened_on=opened
        )
        made += 1
        if form in (AidForm.ARBITRATION, AidForm.LITIGATION) and opened + timedelta(days=20) <= today:
            aid_hearing(
                actor=None,
                scope=None,
                matter=matter,
                held_on=opened + timedelta(days=ctx.rng.randint(10, 20)),
                body=BODIES[0] if form == AidForm.ARBITRATION else BODIES[1],
                result="庭审调解" if ctx.rng.random() < 0.5 else "",
            )
        if made % 3 != 0 and opened + timedelta(days=30) <= today:
            recovered = ctx.rng.choice([0, 350_000, 1_280_000, 2_600_050, 4_800_000, 12_000_000])
            aid_close(
                actor=None,
                scope=None,
                matter=matter,
                closed_on=opened + timedelta(days=ctx.rng.randint(25, 30)),
                recovered_fen=recovered,
                outcome="职工撤回申请" if recovered == 0 else "调解/裁决支付",
            )
    return made


def load_visits(ctx: DemoContext, rosters: dict[str, list[int]]) -> int:
    """百名律师进千企 in 定西 (its counties' enterprises) and a few in Guizhou: 法律体检 with issues."""
    today = timezone.localdate()
    with unscoped():
        orgs = {o.code: o for o in Org.all_objects.filter(code__in=list(rosters))}
    places = [c for c in (DINGXI, ANDING, LONGXI) if rosters.get(c)]
    if not places:
        return 0
    made = 0
    for i in range(VISITS[ctx.scale]):
        code = "520000" if rosters.get("520000") and i % 8 == 7 else places[i % len(places)]
        org = orgs[code]
        lawyers = roster_for(org_path=org.path)
        region = "520100" if code == "520000" else code
        visit = visit_record(
            actor=None,
            scope=None,
            org=org,
            lawyer_id=ctx.rng.choice(lawyers).pk,
            enterprise_name=f"{org.name.removesuffix('总工会')}示例企业（体检 {i + 1}）",
            enterprise_uscc=_uscc(region, 500 + i),
            visited_on=today - timedelta(days=ctx.rng.randint(5, 330)),
            issues=ctx.rng.sample(ISSUES, ctx.rng.randint(0, 4)),
            note="百名律师进千企·法律体检" if code != "520000" else "",
        )
        made += 1
        for issue in visit.issues.all():
            if ctx.rng.random() < 0.6:
                visit_issue_follow_up(actor=None, scope=None, issue=issue, status=IssueStatus.FIXED, note="已整改")
            elif ctx.rng.random() < 0.5:
                visit_issue_follow_up(actor=None, scope=None, issue=issue, status=IssueStatus.FIXING, note="限期整改")
    return made


@demo_step(order=61)
def load_legal_aid(ctx: DemoContext) -> None:
    with unscoped():
        if Lawyer.all_objects.exists():
            ctx.log("法律援助数据已存在，跳过。")
            return
    _county(ANDING, "安定区总工会")
    _county(LONGXI, "陇西县总工会")
    rosters = load_lawyers(ctx)
    matters = load_matters(ctx)
    visits = load_visits(ctx, rosters)
    lawyers = sum(len(v) for v in rosters.values())
    ctx.log(f"工会律师 {lawyers} 名；法律援助 {matters} 件；律师进企业法律体检 {visits} 次。")
