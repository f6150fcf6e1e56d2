"""Demo: other agencies' 2026 aid lists, and the duplicates they flag among 祁阳's 金秋助学 applicants.

祁阳市总工会 "与民政、共青团、妇联等单位积极衔接，对申请助学金的困难职工家庭进行数据比对" (the
page): its officer uploads the 2026 lists of 民政 (城乡低保), 共青团 (希望工程), 妇联 (春蕾计划)
and the education bureau (国家助学金) through the bulk engine, as files the agencies send
(民政's a GB18030 CSV, the education bureau's a workbook); 贵州省总工会 does the same at 520000.
The lists are mostly of people who are not members; four of 祁阳's 2026 applicants waiting
for the county's approval are on them:

- two were matched when the approver tried to approve them: their reviews wait for a
  reviewer's decision (one with evidence from two lists);
- one was matched, cleared by the reviewer with a reason (春蕾计划 is a one-off donation,
  not aid of the same kind) and then approved;
- one is on 民政's list but not yet checked: approving it in the live demo flags it.

The review queue at 431181 so shows pending and decided reviews side by side.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.core import crypto
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.errors import DomainError
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.crosscheck.models import AgencyList, CrossCheckReview, Decision
from gonghui.crosscheck.services import crosscheck_decide
from gonghui.members.models import Person
from gonghui.members.validation import ID_PURPOSE, identity_index
from gonghui.orgs.models import Org
from gonghui.student_aid.applications import application_decide
from gonghui.student_aid.demo import SHARED, THIS_YEAR
from gonghui.student_aid.models import StudentAidApplication
from gonghui.student_aid.selectors import CROSSCHECK_SUBJECT

QIYANG, GUIZHOU = "431181", "520000"
HEADER = ["序号", "证件号码", "姓名", "部门", "项目", "年度", "金额（元）"]

# (agency word as the file writes it, program, seed records at 431181, at 520000, amount range in yuan, format)
LISTS = [
    ("民政", "城乡低保", 1_200, 8_000, (3_600, 7_200), "gb18030"),
    ("共青团", "希望工程圆梦行动", 300, 1_500, (3_000, 5_000), "utf-8"),
    ("妇联", "春蕾计划", 250, 1_200, (1_000, 2_000), "utf-8"),
    ("教育资助", "国家助学金", 900, 5_000, (2_000, 3_300), "xlsx"),
]
LIST_RATIO = 0.05  # at `small`
# Which of the applicants waiting for approval each list names (by their place in the student_aid demo's list).
MATCHES = {"民政": [0, 3], "教育资助": [0], "共青团": [1], "妇联": [2]}
FLAGGED = (0, 1)  # matched when the approver tried: pending
CLEARED = 2  # matched, then cleared with a reason and approved
CLEARED_REASON = "春蕾计划为社会爱心人士一次性捐助，不属同类助学金，经核实不属重复资助"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗唐邓蒋谢曾彭肖田邹")
GIVEN = list("伟芳敏静强磊军洋勇艳杰娟涛明超霞平刚华玲子梓浩宇轩涵萱雨欣佳怡思睿博文嘉铭晨阳")


@demo_step(order=56)
def load_agency_lists(ctx: DemoContext) -> None:
    left = ctx.shared.get(SHARED)
    with unscoped():
        if left is None or AgencyList.objects.exists():
            ctx.log("部门名单数据已存在（或没有待比对的金秋助学申请），跳过。")
            return
        qiyang = Org.objects.get(code=QIYANG)
        guizhou = Org.objects.get(code=GUIZHOU)
    rng = random.Random(ctx.rng.random())  # noqa: S311 - synthetic data
    known = _known_indexes()
    waiting: list[tuple[int, str, str]] = left["students_awaiting_approval"]
    officer = User.objects.get(username="qy_county")
    admin = User.objects.get(username="gz_admin")
    members = _some_guizhou_members(rng)
    records = 0
    with tempfile.TemporaryDirectory() as tmp:
        for agency, program, at_qiyang, at_guizhou, amounts, fmt in LISTS:
            scale = 1 if ctx.is_seed else LIST_RATIO
            named = [(waiting[i][1], waiting[i][2]) for i in MATCHES[agency]]
            rows = _people(rng, round(at_qiyang * scale), "4311", known) + named
            records += _import(officer, qiyang, Path(tmp), agency, program, rows, amounts, fmt, rng)
            rows = _people(rng, round(at_guizhou * scale), "52", known) + members.pop(0)
            records += _import(admin, guizhou, Path(tmp), agency, program, rows, amounts, fmt, rng)
    pending, cleared = _flag(waiting)
    ctx.log(
        f"部门名单：{len(LISTS) * 2} 份，共 {records} 条记录；"
        f"金秋助学比对命中 {pending} 名学生待复核，{cleared} 名已复核排除。"
    )


def _known_indexes() -> set[str]:
    """Everyone the demo already holds (members, applicants' students): the lists' other people are not them."""
    with unscoped():
        people = set(Person.objects.values_list("id_index", flat=True))
        students = set(StudentAidApplication.all_objects.values_list("student_id_index", flat=True))
    return people | students


def _some_guizhou_members(rng: random.Random) -> list[list[tuple[str, str]]]:
    """A few of 贵州's members per list (a member's household on 低保, a child with a 春蕾 grant…)."""
    with unscoped():
        root = Org.objects.get(code=GUIZHOU)
        people = list(
            Person.objects.filter(memberships__org_path__startswith=root.path)
            .order_by("pk")
            .values_list("name", "id_cipher")[:400]
        )
    picked = rng.sample(people, min(len(people), 3 * len(LISTS)))
    decoded = [(name, crypto.decrypt(bytes(cipher), purpose=ID_PURPOSE)) for name, cipher in picked]
    return [decoded[i :: len(LISTS)] for i in range(len(LISTS))]


def _people(rng: random.Random, count: int, area_prefix: str, known: set[str]) -> list[tuple[str, str]]:
    """`count` synthetic people not in the demo's registry (valid numbers of the area)."""
    areas = {"4311": ["431181", "431102", "431103", "431121"], "52": ["520102", "520201", "520302", "522601"]}
    out: list[tuple[str, str]] = []
    while len(out) < count:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(60 * 365))
        number = id_number_with_check(f"{rng.choice(areas[area_prefix])}{born:%Y%m%d}{rng.randrange(1000):03d}")
        index = identity_index("1", number)
        if index in known:
            continue
        known.add(index)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        out.append((name, number))
    return out


def _import(
    user: User,
    org: Org,
    tmp: Path,
    agency: str,
    program: str,
    people: list[tuple[str, str]],
    amounts: tuple[int, int],
    fmt: str,
    rng: random.Random,
) -> int:
    """The agency's file, as it sends it, through the bulk engine under the user's confined scope."""
    rows = [
        [n, number, name, agency, program, str(THIS_YEAR), f"{rng.randint(*amounts) // 100 * 100:.2f}"]
        for n, (name, number) in enumerate(people, start=1)
    ]
    rng.shuffle(rows)  # the named applicants are somewhere in the list, not at its end
    path = tmp / f"{org.code}-{agency}{program}{THIS_YEAR}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        book.save(path)
    else:
        with path.open("w", encoding=fmt, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(rows)
    scope = scope_for_user(user).confined_to(org_id=org.pk, org_code=org.code, path=org.path)
    definition = get_kind("agency_list")
    assert definition.build is not None
    kind: Any = definition.build(actor=user, scope=scope, org=org)
    summary = run_import(kind, path)
    kind.audit(summary.as_json(), str(path))
    path.unlink()  # full ID numbers: not kept
    if summary.rejected:
        raise RuntimeError(f"{agency}名单有 {summary.rejected} 行未通过：{summary.report}")
    return int(summary.created)


def _flag(waiting: list[tuple[int, str, str]]) -> tuple[int, int]:
    """The lists' upload flagged the matched applicants; the approver tries them (refused while a match
    waits for its decision), then clears one with a reason and approves it."""
    reviewer = User.objects.get(username="qy_reviewer")
    scope = scope_for_user(reviewer)
    with unscoped():
        applications = StudentAidApplication.all_objects.in_bulk([pk for pk, _name, _id in waiting])
    for i in (*FLAGGED, CLEARED):
        try:
            application_decide(actor=reviewer, scope=scope, application=applications[waiting[i][0]], approve=True)
        except DomainError as exc:
            if exc.code != "student_aid.crosscheck_pending":
                raise
        else:
            raise RuntimeError("名单比对未命中演示申请")
    with unscoped():
        review = CrossCheckReview.all_objects.get(subject_type=CROSSCHECK_SUBJECT, subject_id=str(waiting[CLEARED][0]))
    crosscheck_decide(
        actor=reviewer, scope=scope, review_id=review.pk, decision=Decision.CLEARED, reason=CLEARED_REASON
    )
    application_decide(
        actor=reviewer, scope=scope, application=applications[waiting[CLEARED][0]], approve=True, note="名单比对已排除"
    )
    with unscoped():
        reviews = CrossCheckReview.all_objects.filter(subtree_q("org_path", Org.objects.get(code=QIYANG).path))
        return reviews.filter(status=Decision.PENDING).count(), reviews.filter(status=Decision.CLEARED).count()
