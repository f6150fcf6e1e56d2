"""The student_aid app's bulk kind: `student_aid_applications` (金秋助学申请), export only.

`gonghui export student_aid_applications FILE --org CODE [--unmasked]` and the
export pages write the applications of a union's subtree, streamed. The
student's ID number is masked; the full number (opened from its sealed form,
like a Person's) needs `members.person.view_id` on the union and is audited as
such.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gonghui.core.bulk import Column
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.money import fen_to_decimal
from gonghui.members.permissions import MemberPerm
from gonghui.student_aid.permissions import StudentAidPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org

NAME = "student_aid_applications"
SHEET = "金秋助学申请"
HEADERS = [
    "工会",
    "申请职工",
    "学生姓名",
    "学生证件号码",
    "与职工关系",
    "就读院校",
    "专业",
    "学段",
    "学年",
    "入学年份",
    "预计毕业年份",
    "学杂费（元/年）",
    "助学贷款（元/年）",
    "资助金额（元）",
    "状态",
    "基层审核日期",
    "审批日期",
    "发放日期",
]
CHUNK = 2000  # rows per fetch: memory stays bounded whatever the subtree's size


def local_day(moment: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).date().isoformat() if moment is not None else ""


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """Write the applications of `org`'s subtree (all when None, from the console); returns the rows. Audited.

    With a scope (a job), the union must be one where it may read applications,
    and the full student ID numbers need `members.person.view_id` there too.
    """
    from django.db import transaction

    from gonghui.core import crypto
    from gonghui.core.audit import audit_record
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.core.scoping import subtree_q, unscoped
    from gonghui.members.validation import ID_PURPOSE
    from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication, StudentLevel

    if scope is not None and (org is None or not scope.has_perm(StudentAidPerm.VIEW, org.path)):
        raise PermissionDeniedError(StudentAidPerm.VIEW)
    if unmasked and scope is not None and (org is None or not scope.has_perm(MemberPerm.VIEW_ID, org.path)):
        raise PermissionDeniedError(MemberPerm.VIEW_ID)
    levels = dict(StudentLevel.choices)
    statuses = dict(ApplicationStatus.choices)
    with unscoped():
        qs = StudentAidApplication.objects.all()
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))
        rows = (
            qs.order_by("org_path", "school_year", "id")
            .values_list(
                "org__name",
                "person__name",
                "student_name",
                "student_id_cipher" if unmasked else "student_id_masked",
                "relation",
                "school",
                "major",
                "level",
                "school_year",
                "enrolment_year",
                "graduation_year",
                "tuition_fen",
                "loan_fen",
                "amount_fen",
                "status",
                "reviewed_at",
                "approved_at",
                "paid_at",
            )
            .iterator(chunk_size=CHUNK)
        )

        def lines() -> Iterator[list[Any]]:
            for r in rows:
                (union, worker, student, number, relation, school, major, level, school_year, enrolled,
                 graduating, tuition, loan, amount, status, reviewed, approved, paid) = r  # fmt: skip
                yield [
                    union,
                    worker,
                    student,
                    crypto.decrypt(bytes(number), purpose=ID_PURPOSE) if unmasked else number,
                    relation,
                    school,
                    major,
                    str(levels.get(level, level)),
                    school_year,
                    enrolled,
                    graduating,
                    fen_to_decimal(tuition),
                    fen_to_decimal(loan),
                    fen_to_decimal(amount),
                    str(statuses.get(status, status)),
                    local_day(reviewed),
                    local_day(approved),
                    local_day(paid),
                ]

        with transaction.atomic():
            count = write_table(path, HEADERS, lines(), sheet=SHEET)
            audit_record(
                actor=actor,
                action="student_aid.export.unmasked" if unmasked else "student_aid.export",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": unmasked},
            )
    return count


def register() -> None:
    register_kind(
        BulkKind(
            name=NAME,
            label="金秋助学申请",
            columns=[Column(f"c{i}", header) for i, header in enumerate(HEADERS)],
            import_perm=StudentAidPerm.APPLY,  # unused: an export-only kind (no `build`)
            export_perm=StudentAidPerm.VIEW,
            # An export with the students' full ID numbers is downloaded only with this, still held.
            private_perm=MemberPerm.VIEW_ID,
            unmasked_perm=MemberPerm.VIEW_ID,
            build=None,
            export=export,
            export_sheet=SHEET,
            masked_columns={"c3": "id_number"},
            text_columns=frozenset({"c3"}),
        )
    )
