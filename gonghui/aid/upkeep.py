"""Keeping the files true: the yearly review with a drawn spot check, and 脱困 (DOMAIN §4).

Every filed household is reviewed at least once a year; the system draws at
least 30% of a union's filed households for a spot check (a seeded draw, so the
same year's draw can be shown again and audited). A household whose per-capita
income was above the 低保 standard for six consecutive checked months is due to
leave the files (脱困); the 帮扶中心 closes the file with `file_close`.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.aid.models import FileReview, FileStatus, HardshipFile, MonthlyIncome
from gonghui.aid.permissions import AidPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.orgs.models import Org

SPOT_CHECK_SHARE = 0.3
EXIT_MONTHS = 6


def review_year_open(*, actor: User | None, scope: Scope | None, org: Org, year: int) -> list[FileReview]:
    """Open the year's review of every filed household under `org`, with ≥ 30% drawn for a spot check.

    Running it again for the same year adds the files filed since, and draws no
    new sample among those already drawn.
    """
    require_perm_at(scope, AidPerm.FILE, org.path)
    with transaction.atomic(), unscoped():
        files = list(
            HardshipFile.objects.filter(subtree_q("org_path", org.path), status=FileStatus.FILED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        have = set(FileReview.objects.filter(file_id__in=files, year=year).values_list("file_id", flat=True))
        new = [pk for pk in files if pk not in have]
        # Seeded by union and year: the draw can be shown again, not chosen (a sample, not a secret).
        draw = random.Random(f"{org.pk}:{year}")  # noqa: S311
        drawn = set(draw.sample(new, math.ceil(len(new) * SPOT_CHECK_SHARE)))
        reviews = FileReview.objects.bulk_create(
            [FileReview(file_id=pk, year=year, spot_check=pk in drawn) for pk in new]
        )
        audit_record(
            actor=actor,
            action="aid.review.open",
            org=org,
            data={"year": year, "files": len(new), "spot_checks": len(drawn)},
        )
    return reviews


def review_record(
    *, actor: User | None, scope: Scope | None, review: FileReview, still_eligible: bool, note: str = ""
) -> FileReview:
    """The outcome of one household's review."""
    with unscoped():
        file = HardshipFile.objects.get(pk=review.file_id)
    require_perm_at(scope, AidPerm.REVIEW, file.org_path)
    if not still_eligible and not note.strip():
        raise DomainError("aid.review_note_required", field="note")
    with transaction.atomic():
        review = FileReview.objects.select_for_update().get(pk=review.pk)
        review.still_eligible, review.note = still_eligible, note.strip()[:200]
        review.done_on, review.reviewed_by = timezone.localdate(), actor
        review.save(update_fields=["still_eligible", "note", "done_on", "reviewed_by"])
        audit_record(
            actor=actor,
            action="aid.review.record",
            org=file.org,
            target=file,
            data={"year": review.year, "still_eligible": still_eligible, "spot_check": review.spot_check},
        )
    return review


def income_record(
    *, actor: User | None, scope: Scope | None, file: HardshipFile, month: date, per_capita_fen: int
) -> None:
    """A checked month of the household's per-capita income (the same month again replaces it)."""
    require_perm_at(scope, AidPerm.REVIEW, file.org_path)
    month = month.replace(day=1)
    with transaction.atomic(), unscoped():
        MonthlyIncome.objects.update_or_create(file=file, month=month, defaults={"per_capita_fen": per_capita_fen})
        audit_record(
            actor=actor,
            action="aid.file.income",
            org=file.org,
            target=file,
            data={"month": month.isoformat()[:7], "per_capita_fen": per_capita_fen},
        )


def exit_due(file: HardshipFile) -> bool:
    """Six consecutive checked months, the latest six, all above the file's 低保 standard."""
    months = list(MonthlyIncome.objects.filter(file=file).order_by("-month")[:EXIT_MONTHS])
    if len(months) < EXIT_MONTHS:
        return False
    consecutive = all(
        (a.month.year * 12 + a.month.month) - (b.month.year * 12 + b.month.month) == 1
        for a, b in itertools.pairwise(months)
    )
    return consecutive and all(m.per_capita_fen > file.standard_monthly_fen for m in months)
