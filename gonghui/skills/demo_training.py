"""Demo training, 五小 and worker activities (issue 19, DOMAIN §6): 定西 and 吉林.

- 定西: a model worker (全国劳动模范) taught 236 classes to the potato farmers of the chain unions since
  2020, thirty farmers a class, each attending every day of a five-day class. Trainees of the classes
  that ended more than a year ago gave their income a year on: the rises are drawn and spread so the
  computed average is ¥12,000 (DOMAIN §6: "raised trainees' yearly income by ¥1.2万 on average"). One
  class is running this week, with a session today, for the phone's enrolment and QR check-in.
- 定西's 五小: 32 farm machines (potato planters, harvesters, graders …) among 42 entries, most awarded;
  and 142 worker activities (sports, culture, volunteering, 劳模工匠宣讲) with 34,200 check-ins.
- 吉林: 新电商工匠学院 (an org of its own under the provincial federation), its first class of 110
  border villagers who are not members (IDs sealed), completed, and its plan: 1,200 trainee-times and
  3 provincial contests this year.

At `small` the counts are 2% of the page's (at least one of each); the first class's 110 stays whole.
Written set-based (bulk_create), one audit event per part.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gonghui.core.audit import audit_record
from gonghui.core.demo import DemoContext, demo_step, split_exactly
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members.demo import GIVEN, SURNAMES
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.validation import parse_identity
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_create
from gonghui.skills.innovation import title_key
from gonghui.skills.models import (
    Activity,
    ActivityKind,
    ActivitySignup,
    Attendance,
    ClassSession,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    Innovation,
    InnovationKind,
    InnovationStatus,
    LeaderHonor,
    Studio,
    StudioLevel,
    TrainingClass,
    TrainingPlan,
)

DINGXI, JILIN, COLLEGE = "621100", "220000", "220000XDS"
DINGXI_CLASSES = 236
CLASS_SIZE = 30
CLASS_DAYS = 5
RISE_YUAN = 12_000
FARM_MACHINES = 32
OTHER_INNOVATIONS = 10
ACTIVITIES = 142
CHECKINS = 34_200
FIRST_CLASS = 110
PLAN_TIMES, PLAN_CONTESTS = 1_200, 3
TEACHER, TEACHER_TITLE = "马铁军", "全国劳动模范"
BATCH = 5_000

TOPICS = ["马铃薯脱毒种薯繁育", "马铃薯标准化种植", "农机操作与维修", "马铃薯贮藏保鲜", "中药材种植", "农村电商直播"]
MACHINES = ["马铃薯播种机", "马铃薯收获机", "马铃薯分级机", "起垄覆膜一体机", "杀秧机", "种薯切块机", "中药材挖掘机"]
IMPROVEMENTS = ["改进", "轻便型", "山地型", "双行", "自走式", "防堵型"]
OTHER_TITLES = [
    "窖藏温湿度提醒装置",
    "种薯运输防损周转筐",
    "田间地膜回收耙",
    "电商包装快速封箱台",
    "合作社记账小程序建议",
]
ACTIVITY_NAMES = {
    ActivityKind.SPORTS: ["职工篮球赛", "健步走", "拔河比赛", "广播体操比赛"],
    ActivityKind.CULTURE: ["农民丰收节文艺演出", "读书分享会", "书法摄影展", "秦腔戏曲进乡村"],
    ActivityKind.VOLUNTEER: ["秋收互助志愿服务", "送技术下乡", "敬老院志愿服务"],
    ActivityKind.LECTURE: ["劳模工匠进乡村宣讲", "劳模精神宣讲会"],
}


def _count(ctx: DemoContext, n: int) -> int:
    return ctx.scaled(n, small_ratio=0.02)


@demo_step(order=72)
def load_training(ctx: DemoContext) -> None:
    with unscoped():
        if TrainingClass.all_objects.filter(teacher=TEACHER).exists():
            ctx.log("技能培训演示数据已存在，跳过。")
            return
        dingxi = Org.all_objects.filter(code=DINGXI).first()
        jilin = Org.all_objects.filter(code=JILIN).first()
    if dingxi is None or jilin is None:
        ctx.log("没有定西或吉林的工会，跳过技能培训演示数据。")
        return
    with unscoped():
        pool = list(
            Membership.all_objects.filter(subtree_q("org_path", dingxi.path), status=MembershipStatus.ACTIVE)
            .order_by("pk")
            .values_list(
                "pk",
                "person_id",
                "person__name",
                "person__mobile",
                "person__id_cipher",
                "person__id_index",
                "person__id_masked",
            )
        )
    if len(pool) < CLASS_SIZE:
        ctx.log("定西的会员太少，跳过技能培训演示数据。")
        return
    rng = ctx.rng
    today = timezone.localdate()
    classes = _dingxi_classes(ctx, dingxi, pool, today)
    machines = _dingxi_innovations(ctx, dingxi, today)
    activities, checkins = _dingxi_activities(ctx, dingxi, [row[0] for row in pool], today)
    first = _jilin_college(ctx, jilin, today, rng)
    ctx.log(
        f"技能培训：定西 {classes} 个培训班、{machines} 件农机五小成果、"
        f"{activities} 场职工活动（{checkins} 人次签到）；"
        f"吉林新电商工匠学院首期 {first} 名学员。"
    )


def _sessions(c: TrainingClass) -> list[ClassSession]:
    return [ClassSession(training_class=c, held_on=c.starts_on + timedelta(days=i)) for i in range(CLASS_DAYS)]


def _dingxi_classes(ctx: DemoContext, dingxi: Org, pool: list[tuple[Any, ...]], today: date) -> int:
    rng = ctx.rng
    n = _count(ctx, DINGXI_CLASSES)
    first_day = date(2020, 3, 2)
    span = (today - timedelta(days=60) - first_day).days
    # Past classes, spread over the years (more in the slack season), and one running this week.
    starts = sorted(first_day + timedelta(days=rng.randrange(span)) for _ in range(n - 1))
    starts.append(today - timedelta(days=2))
    with unscoped():
        counties = list(Org.all_objects.filter(parent=dingxi).order_by("code")) or [dingxi]
    rows = []
    for i, day in enumerate(starts):
        org = counties[i % len(counties)]
        topic = TOPICS[i % len(TOPICS)]
        current = i == len(starts) - 1
        rows.append(
            TrainingClass(
                org=org,
                org_path=org.path,
                name=f"{topic}培训班（第{i + 1}期）",
                trade=topic,
                teacher=TEACHER,
                teacher_title=TEACHER_TITLE,
                starts_on=day,
                ends_on=day + timedelta(days=CLASS_DAYS - 1),
                schedule="每天 9:00–16:00",
                venue=f"{org.name.replace('总工会', '')}职工培训中心",
                capacity=CLASS_SIZE + 5 if current else CLASS_SIZE,
                status=ClassStatus.OPEN if current else ClassStatus.COMPLETED,
            )
        )
    with unscoped():
        TrainingClass.all_objects.bulk_create(rows)
        ClassSession.objects.bulk_create([s for c in rows for s in _sessions(c)], batch_size=BATCH)
        sessions: dict[int, list[int]] = {}
        for pk, class_id in ClassSession.objects.filter(training_class__in=rows).values_list("pk", "training_class_id"):
            sessions.setdefault(class_id, []).append(pk)
    year_ago = today - timedelta(days=365)
    enrolments: list[Enrolment] = []
    for c in rows:
        current = c.status == ClassStatus.OPEN
        for m_pk, _person, name, mobile, cipher, index, masked in rng.sample(
            pool, CLASS_SIZE - 5 if current else CLASS_SIZE
        ):
            before = rng.randrange(18_000, 42_000)
            enrolments.append(
                Enrolment(
                    training_class=c,
                    org_path=c.org_path,
                    membership_id=m_pk,
                    name=name,
                    mobile=mobile,
                    id_cipher=bytes(cipher),
                    id_index=index,
                    id_masked=masked,
                    status=EnrolmentStatus.ENROLLED if current else EnrolmentStatus.COMPLETED,
                    income_before_fen=before * 100,
                )
            )
    # A year on: the rises of the trainees of classes ended more than a year ago, ¥12,000 on average to the fen.
    known = [e for e in enrolments if e.training_class.ends_on <= year_ago]
    if known:
        rises = split_exactly(RISE_YUAN * len(known), [rng.uniform(0.55, 1.45) for _ in known])
        for e, rise in zip(known, rises, strict=True):
            e.income_after_fen = (e.income_before_fen or 0) + rise * 100
    with unscoped():
        Enrolment.all_objects.bulk_create(enrolments, batch_size=BATCH)
        # Completed trainees attended every day; this week's class only the days gone by (not today).
        attendance = []
        for e in enrolments:
            days = sessions[e.training_class_id]
            if e.status == EnrolmentStatus.COMPLETED:
                attendance += [Attendance(session_id=s, enrolment=e) for s in days]
            else:
                attendance += [Attendance(session_id=s, enrolment=e) for s in sorted(days)[:2]]
        Attendance.objects.bulk_create(attendance, batch_size=BATCH)
        # Planned trainee-times of the city's classes this year (the page's model worker's share).
        TrainingPlan.all_objects.bulk_create(
            [
                TrainingPlan(
                    org=dingxi,
                    org_path=dingxi.path,
                    year=today.year,
                    trainee_times=max(1, _count(ctx, 40)) * CLASS_SIZE,
                )
            ]
        )
        studio = Studio(
            org=dingxi,
            org_path=dingxi.path,
            name=f"{TEACHER}劳模创新工作室",
            leader_name=TEACHER,
            leader_honor=LeaderHonor.NATIONAL_MODEL,
            level=StudioLevel.PROVINCE,
            founded_on=date(2018, 5, 1),
            premises="定西市职工培训中心二楼",
            equipment="马铃薯种植与收获机械样机、维修工位",
            funds_fen=30_000_00,
            has_rules=True,
            members=12,
            members_promoted=4,
        )
        studio.save(force_insert=True)
    audit_record(
        actor=None, action="skills.demo.load", org=dingxi, data={"classes": len(rows), "trainees": len(enrolments)}
    )
    return len(rows)


def _dingxi_innovations(ctx: DemoContext, dingxi: Org, today: date) -> int:
    rng = ctx.rng
    with unscoped():
        unions = list(
            Org.all_objects.filter(subtree_q("path", dingxi.path), kind=OrgKind.GRASSROOTS).order_by("path")[:50]
        ) or [dingxi]
    machines = _count(ctx, FARM_MACHINES)
    rows = []
    for i in range(machines + _count(ctx, OTHER_INNOVATIONS)):
        org = unions[i % len(unions)]
        is_machine = i < machines
        if is_machine:
            title = f"{rng.choice(IMPROVEMENTS)}{MACHINES[i % len(MACHINES)]}（{i + 1}号）"
            kind = rng.choice([InnovationKind.INVENTION, InnovationKind.RENOVATION, InnovationKind.CREATION])
            problem, solution = (
                "山地小块田大型农机进不去，人工播种收获慢、伤薯多。",
                "农民自制的小型农机，拖拉机牵引，适合坡地小块田。",
            )
        else:
            title = OTHER_TITLES[i % len(OTHER_TITLES)] + (f"（{i + 1}号）" if i >= len(OTHER_TITLES) else "")
            kind = rng.choice([InnovationKind.DESIGN, InnovationKind.SUGGESTION])
            problem, solution = "合作社生产中的小难题。", "职工动手的小改小革。"
        authors = "、".join(rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(rng.randint(1, 3)))
        rows.append(
            Innovation(
                org=org,
                org_path=org.path,
                kind=kind,
                title=title,
                title_key=title_key(title),
                authors=authors,
                is_team="、" in authors,
                year=rng.randint(2020, today.year),
                problem=problem,
                solution=solution,
                money_saved_fen=rng.randrange(5_000, 80_000) * 100,
                hours_saved=rng.randrange(100, 2_000),
                status=InnovationStatus.AWARDED if rng.random() < 0.6 else InnovationStatus.ACCEPTED,
            )
        )
        if rows[-1].status == InnovationStatus.AWARDED:
            rows[-1].award = rng.choice(["一等奖", "二等奖", "三等奖"])
    with unscoped():
        Innovation.all_objects.bulk_create(rows)
    audit_record(actor=None, action="skills.demo.load", org=dingxi, data={"innovations": len(rows)})
    return machines


def _dingxi_activities(ctx: DemoContext, dingxi: Org, members: list[int], today: date) -> tuple[int, int]:
    rng = ctx.rng
    n = _count(ctx, ACTIVITIES)
    total = _count(ctx, CHECKINS)
    kinds = list(ACTIVITY_NAMES)
    first_day = date(2023, 1, 1)
    span = (today - first_day).days
    rows = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        held = first_day + timedelta(days=rng.randrange(span))
        rows.append(
            Activity(
                org=dingxi,
                org_path=dingxi.path,
                name=f"{rng.choice(ACTIVITY_NAMES[kind])}（{held:%Y年%m月}）",
                kind=kind,
                held_on=held,
                venue="定西市职工活动中心",
                checkin_code=secrets.token_urlsafe(16),
            )
        )
    # Today's activity, for the phone's check-in: nobody has checked in yet.
    rows.append(
        Activity(
            org=dingxi,
            org_path=dingxi.path,
            name="劳模工匠进乡村宣讲（今天）",
            kind=ActivityKind.LECTURE,
            held_on=today,
            venue="安定区职工之家",
            checkin_code=secrets.token_urlsafe(16),
            capacity=300,
        )
    )
    per = split_exactly(total, [rng.uniform(0.6, 1.4) for _ in range(n)])
    with unscoped():
        Activity.all_objects.bulk_create(rows)
        signups = []
        for activity, count in zip(rows, per, strict=False):
            start = datetime.combine(activity.held_on, time(9), tzinfo=timezone.get_current_timezone())
            for m_pk in rng.sample(members, min(count, len(members))):
                signups.append(
                    ActivitySignup(
                        activity=activity,
                        org_path=activity.org_path,
                        membership_id=m_pk,
                        checked_in_at=start + timedelta(minutes=rng.randrange(90)),
                    )
                )
        ActivitySignup.all_objects.bulk_create(signups, batch_size=BATCH)
    audit_record(
        actor=None, action="skills.demo.load", org=dingxi, data={"activities": len(rows), "present": len(signups)}
    )
    return len(rows), len(signups)


def _villager_id(rng: random.Random, seen: set[str]) -> str:
    while True:
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 40))
        value = id_number_with_check(f"222426{born:%Y%m%d}{rng.randrange(1000):03d}")  # 安图县, on the border
        if value not in seen:
            seen.add(value)
            return value


def _jilin_college(ctx: DemoContext, jilin: Org, today: date, rng: random.Random) -> int:
    college = org_create(
        actor=None,
        scope=None,
        code=COLLEGE,
        name="吉林省新电商工匠学院",
        kind=OrgKind.GRASSROOTS,
        parent=jilin,
    )
    starts = date(today.year, 4, 8) if today >= date(today.year, 5, 1) else date(today.year - 1, 4, 8)
    first = TrainingClass(
        org=college,
        org_path=college.path,
        name="新电商工匠学院第一期（边境村民直播电商班）",
        trade="农村电商直播",
        teacher="金春花",
        teacher_title="吉林工匠",
        starts_on=starts,
        ends_on=starts + timedelta(days=13),
        schedule="每天 8:30–17:00",
        venue="延边州安图县职工服务中心",
        capacity=FIRST_CLASS,
        status=ClassStatus.COMPLETED,
    )
    seen: set[str] = set()
    with unscoped():
        first.save(force_insert=True)
        days = [first.starts_on + timedelta(days=i) for i in range(14)]
        ClassSession.objects.bulk_create([ClassSession(training_class=first, held_on=d) for d in days])
        session_ids = list(ClassSession.objects.filter(training_class=first).values_list("pk", flat=True))
        rows = []
        for _ in range(FIRST_CLASS):
            identity = parse_identity(_villager_id(rng, seen))
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            rows.append(
                Enrolment(
                    training_class=first,
                    org_path=first.org_path,
                    name=name,
                    mobile=f"13{rng.randrange(10**9):09d}",
                    id_cipher=identity.cipher(),
                    id_index=identity.index,
                    id_masked=identity.masked,
                    status=EnrolmentStatus.COMPLETED,
                    income_before_fen=rng.randrange(15_000, 30_000) * 100,
                )
            )
        Enrolment.all_objects.bulk_create(rows)
        Attendance.objects.bulk_create(
            [Attendance(session_id=s, enrolment=e) for e in rows for s in session_ids if rng.random() < 0.95]
        )
        TrainingPlan.all_objects.bulk_create(
            [
                TrainingPlan(
                    org=college,
                    org_path=college.path,
                    year=starts.year,
                    trainee_times=PLAN_TIMES,
                    contests_planned=PLAN_CONTESTS,
                )
            ]
        )
    audit_record(actor=None, action="skills.demo.load", org=college, data={"classes": 1, "trainees": FIRST_CLASS})
    return FIRST_CLASS
