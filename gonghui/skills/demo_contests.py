"""Demo contest (DOMAIN §6, issue 19): 温岭's pipe-fitter contest (管工职业技能大赛), 51 contestants at every scale.

Everything goes through the services, as a federation would do it: four enterprise unions under
温岭市总工会 (331081) register their members, five judges score the practical (one steps aside for
his own enterprise's contestants), two clerks type every score (one dispute settled by the
reviewer), the contest is ranked, the winners' 公示 runs its period with an objection dismissed,
the awards are final and the winners hold certificates.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.accounts.services import grant_role, user_create
from gonghui.core.demo import DemoAccount, DemoContext, demo_step
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.validators import USCC_CHARSET, uscc_with_check
from gonghui.members.services import member_register
from gonghui.notices import services as notices
from gonghui.notices.models import PublicationEntry
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import OrgSpec, org_bulk_create
from gonghui.skills import results, services
from gonghui.skills.models import Contest, ContestEvent, Entry, Judge, Score, ScoreState
from gonghui.skills.services import ScoreCell

WENLING = "331081"
CONTESTANTS = 51  # the page's figure, whole at every scale
UNIONS = [  # (code, name, enterprise, contestants)
    ("331081G101", "浙江利欧泵业有限公司工会", "浙江利欧泵业有限公司", 15),
    ("331081G102", "温岭市东方建筑安装工程有限公司工会", "温岭市东方建筑安装工程有限公司", 14),
    ("331081G103", "浙江大元泵业股份有限公司工会", "浙江大元泵业股份有限公司", 12),
    ("331081G104", "温岭市水务集团有限公司工会", "温岭市水务集团有限公司", 10),
]
JUDGES = [  # the last works at a contestant's enterprise: he steps aside for its 12
    ("陈国华", "台州市特种设备检验检测研究院"),
    ("林建平", "浙江省安装工程有限公司"),
    ("王海军", "台州技师学院"),
    ("郑立新", "温岭市职业技术学校"),
    ("蔡明", "浙江大元泵业股份有限公司"),
]
ITEMS = [("管道切割与坡口加工", Decimal(30)), ("管道焊接", Decimal(40)), ("管路安装与试压", Decimal(30))]
SURNAMES = "陈林王郑蔡张李黄吴徐周叶潘江赵"
GIVEN = ["建国", "海涛", "志强", "伟", "军", "华平", "国庆", "永明", "晓东", "立群", "斌", "杰", "春雷", "文斌", "亮"]
ACCOUNTS = [  # (username, display name, role, where)
    ("wl_officer", "温岭市总工会竞赛经办人", "officer", "县级：温岭市总工会（竞赛主办、第一录入员）"),
    ("wl_reviewer", "温岭市总工会竞赛审核人", "reviewer", "县级：温岭市总工会（第二录入员、裁定、处理异议）"),
]


def _unions(rng: Random) -> None:
    specs = [
        OrgSpec(
            code=code,
            name=name,
            kind=OrgKind.GRASSROOTS,
            parent_code=WENLING,
            fields={
                "region_code": WENLING,
                "uscc": uscc_with_check(f"91{WENLING}" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))),
                "unit_name": unit,
                "form": "committee",
                "founded_on": date(2005 + rng.randrange(10), 1 + rng.randrange(12), 1),
                "employee_count": rng.randint(300, 3000),
            },
        )
        for code, name, unit, _n in UNIONS
    ]
    org_bulk_create(actor=None, specs=specs, action="skills.demo.unions")


def _accounts(ctx: DemoContext) -> list[tuple[User, Scope]]:
    users = []
    for username, display, role, where in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=DEMO_PASSWORD, display_name=display)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=WENLING)
        ctx.accounts.append(DemoAccount(username, DEMO_PASSWORD, role, where))
        users.append((user, scope_for_user(user)))
    return users


def _contestants(rng: Random, contest: Contest, event: ContestEvent, officer: tuple[User, Scope]) -> list[Entry]:
    entries = []
    seq = 0
    for code, _name, unit, count in UNIONS:
        with unscoped():
            org = Org.all_objects.get(code=code)
        for _i in range(count):
            seq += 1
            born = date(1972 + rng.randrange(28), 1 + rng.randrange(12), 1 + rng.randrange(28))
            number = id_number_with_check(f"{WENLING}{born:%Y%m%d}{(seq * 2 + 1) % 1000:03d}")  # odd: men
            membership = member_register(
                actor=None,
                scope=None,
                org=org,
                id_number=number,
                fields={"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "employer": unit},
            )
            entries.append(
                services.entry_register(
                    actor=officer[0],
                    scope=officer[1],
                    contest=contest,
                    event=event,
                    membership=membership,
                    trade_years=3 + rng.randrange(20),
                    enterprise=unit,
                )
            )
    return entries


def _cells(rng: Random, event: ContestEvent, judges: list[Judge], entries: list[Entry]) -> list[ScoreCell]:
    """A theory paper and each judge's score of each item, around each contestant's own skill."""
    items = list(event.items.all())
    cells = []
    for entry in entries:
        skill = rng.uniform(0.62, 0.97)
        theory = min(Decimal(100), Decimal(f"{100 * skill + rng.uniform(-8, 6):.1f}"))
        cells.append(ScoreCell(field=f"t{entry.pk}", entry_id=entry.pk, raw=str(theory)))
        for item in items:
            for judge in judges:
                if services.score_conflict(judge, entry):
                    continue
                points = float(item.max_points) * min(1.0, skill + rng.uniform(-0.06, 0.05))
                cells.append(
                    ScoreCell(
                        field=f"p{entry.pk}-{item.pk}-{judge.pk}",
                        entry_id=entry.pk,
                        raw=f"{round(points * 2) / 2:.1f}",  # judges mark in half points
                        item_id=item.pk,
                        judge_id=judge.pk,
                    )
                )
    return cells


@demo_step(order=80)
def load_contests(ctx: DemoContext) -> None:
    with unscoped():
        wenling = Org.all_objects.filter(code=WENLING).first()
        if wenling is None:
            ctx.log("没有温岭市总工会（331081），跳过技能竞赛。")
            return
        if Contest.all_objects.filter(org=wenling).exists():
            ctx.log("温岭管工大赛已存在，跳过。")
            return
    rng = Random(19)  # noqa: S311 - the same contest at every scale and seed
    if not Org.all_objects.filter(code=UNIONS[0][0]).exists():
        _unions(rng)
    officer, reviewer = _accounts(ctx)
    held = timezone.localdate() - timedelta(days=45)
    contest = services.contest_create(
        actor=officer[0],
        scope=officer[1],
        org=wenling,
        name=f"{held.year}年温岭市管工职业技能大赛",
        trade="管工",
        level="county",
        held_on=held,
        venue="温岭市职业技术学校实训基地",
        min_age=18,
        max_age=55,
        min_trade_years=2,
    )
    event = services.event_add(actor=officer[0], scope=officer[1], contest=contest, name="管工", items=ITEMS)
    judges = [
        services.judge_add(actor=officer[0], scope=officer[1], contest=contest, name=n, enterprise=e) for n, e in JUDGES
    ]
    entries = _contestants(rng, contest, event, officer)
    cells = _cells(rng, event, judges, entries)
    services.scores_enter(actor=officer[0], scope=officer[1], event=event, cells=cells)
    # The second clerk types the same sheet, but one figure differently: the reviewer settles it from the paper.
    slip = cells[7]
    second = [
        ScoreCell(c.field, c.entry_id, str(Decimal(c.raw) - 1) if c is slip else c.raw, c.item_id, c.judge_id)
        for c in cells
    ]
    services.scores_enter(actor=reviewer[0], scope=reviewer[1], event=event, cells=second)
    with unscoped():
        disputed = Score.objects.get(entry__event=event, state=ScoreState.MISMATCH)
    services.score_resolve(
        actor=reviewer[0],
        scope=reviewer[1],
        score=disputed,
        value=slip.raw,
        note="核对原始评分表，以第一次录入为准",
    )
    services.contest_rank(actor=officer[0], scope=officer[1], contest=contest)
    # The 公示 ran five working days from a week after the contest; one objection was looked into and dismissed.
    results.results_publish(actor=officer[0], scope=officer[1], contest=contest, starts_on=held + timedelta(days=7))
    contest.refresh_from_db()
    publication = contest.publication
    with unscoped():
        line = PublicationEntry.objects.filter(publication=publication).order_by("position").first()
    if publication is None or line is None:
        raise RuntimeError("the contest's 公示 lists no winner")
    objection = notices.objection_record(
        actor=officer[0],
        scope=officer[1],
        entry=line,
        reason="反映该选手实操时使用了自带工具",
        raised_by="参赛选手",
        on=publication.starts_on + timedelta(days=1),
    )
    notices.objection_resolve(
        actor=reviewer[0],
        scope=reviewer[1],
        objection=objection,
        upheld=False,
        note="经查，所用工具为赛场统一提供，异议不成立",
    )
    results.results_close(actor=officer[0], scope=officer[1], contest=contest)
    issued = results.certificates_for(actor=officer[0], scope=officer[1], contest=contest)
    ctx.log(f"温岭管工大赛：{len(entries)} 名选手，理论与实操评分、排名定奖，公示结束，颁发证书 {len(issued)} 张。")
