"""What a review's subject is, in words and as a link, told by the app that owns it.

The cross-check knows subjects only as (type, id). The apps that check their
records (金秋助学 applications, hardship households) register how to describe
them, so the review pages can say "金秋助学申请：张小明（2026 学年）" and link to
it without this app importing theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonghui.orgs.models import Org


@dataclass(frozen=True)
class Subject:
    """What an app checks: its type ("student_aid.application"), its id, the person's blind index, its union."""

    kind: str
    id: str | int
    index: str
    org: Org


@dataclass(frozen=True)
class SubjectView:
    kind_label: str  # 金秋助学申请, 困难职工档案…
    label: str  # the person and what they applied for
    url: str | None  # the subject's own page, or None when it is gone


Describer = Callable[[Sequence[str]], dict[str, SubjectView]]
_DESCRIBERS: dict[str, Describer] = {}


def register_subject(subject_type: str, describe: Describer) -> None:
    _DESCRIBERS[subject_type] = describe


def describe_subjects(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], SubjectView]:
    """(subject type, subject id) → its description; one call per type (the list pages batch them)."""
    by_type: dict[str, list[str]] = {}
    for subject_type, subject_id in keys:
        by_type.setdefault(subject_type, []).append(subject_id)
    found: dict[tuple[str, str], SubjectView] = {}
    for subject_type, ids in by_type.items():
        describe = _DESCRIBERS.get(subject_type)
        described = describe(ids) if describe else {}
        for subject_id in ids:
            found[(subject_type, subject_id)] = described.get(
                subject_id, SubjectView(subject_type, f"{subject_type}#{subject_id}", None)
            )
    return found


# --- open subjects: what a union's "比对全部" runs over -----------------------------------------

OpenSubjects = Callable[[list[str]], list[tuple[Subject, int]]]
_OPEN: dict[str, OpenSubjects] = {}


def register_open_subjects(subject_type: str, provider: OpenSubjects) -> None:
    """`provider(paths)` lists the type's subjects still open in those subtrees, each with its year."""
    _OPEN[subject_type] = provider


def open_subjects(paths: list[str]) -> dict[str, list[tuple[Subject, int]]]:
    return {subject_type: provider(paths) for subject_type, provider in _OPEN.items()}
