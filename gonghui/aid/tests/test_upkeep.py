"""The yearly review with its ≥ 30% spot check, and six months above 低保 making a household due to leave."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.aid.models import FileReview, FileStatus, HardshipFile
from gonghui.aid.services import file_apply
from gonghui.aid.tests.test_files import STANDARD, world  # noqa: F401  (the fixture)
from gonghui.aid.upkeep import exit_due, income_record, review_record, review_year_open
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


def filed(world, tree, n: int) -> list[HardshipFile]:  # noqa: F811
    files = []
    for i in range(n):
        ms = register(tree.courier_union, id_number(650 + i), name=f"职工{chr(0x4E00 + i)}")
        f = file_apply(
            actor=None,
            scope=None,
            membership=ms,
            level="county",
            region_code="520201",
            year=2026,
            figures={"household_size": 2, "worker_monthly_income_fen": 1000_00},
            causes=["illness"],
        )
        HardshipFile.all_objects.filter(pk=f.pk).update(status=FileStatus.FILED)
        files.append(f)
    return files


def test_the_review_draws_at_least_thirty_percent_and_keeps_its_draw(world, tree) -> None:  # noqa: F811
    files = filed(world, tree, 7)
    reviews = review_year_open(actor=world["users"]["center"], scope=world["center"], org=tree.lps, year=2026)
    assert len(reviews) == 7 and sum(r.spot_check for r in reviews) == 3  # ⌈7 × 30%⌉
    drawn = set(FileReview.objects.filter(spot_check=True).values_list("file_id", flat=True))
    assert review_year_open(actor=None, scope=None, org=tree.lps, year=2026) == []  # nothing new, nothing redrawn
    assert set(FileReview.objects.filter(spot_check=True).values_list("file_id", flat=True)) == drawn
    with pytest.raises(DomainError):
        review_year_open(actor=world["users"]["unit"], scope=world["unit"], org=tree.lps, year=2026)
    review = FileReview.objects.get(file=files[0])
    with pytest.raises(DomainError):
        review_record(actor=world["users"]["unit"], scope=world["unit"], review=review, still_eligible=False)
    done = review_record(actor=world["users"]["unit"], scope=world["unit"], review=review, still_eligible=True)
    assert done.done_on is not None and done.reviewed_by == world["users"]["unit"]


def test_six_consecutive_months_above_the_standard(world, tree) -> None:  # noqa: F811
    file = filed(world, tree, 1)[0]
    scope = world["unit"]

    def month(m: int, fen: int) -> None:
        income_record(actor=None, scope=scope, file=file, month=date(2026, m, 15), per_capita_fen=fen)

    for m in range(1, 6):
        month(m, STANDARD + 1)
    assert not exit_due(file)  # five months
    month(7, STANDARD + 1)
    assert not exit_due(file)  # six, but June is missing
    month(6, STANDARD + 1)
    assert exit_due(file)
    month(7, STANDARD)  # July corrected: at the standard is not above it
    assert not exit_due(file)
    # Every checked month is audited (the corrected July twice).
    events = AuditEvent.all_objects.filter(action="aid.file.income", target_id=str(file.pk))
    assert sorted(e.data["month"] for e in events) == [f"2026-0{m}" for m in (1, 2, 3, 4, 5, 6, 7, 7)]
