"""Reads on contests and training classes, within the caller's scope.

A contest is seen by the unions above and under its organiser: the organiser's subtree
(it runs the contest) and the unions under it (they register their members). Contestants
are seen by the organiser (all of them) and by each contestant's union (its own). An id
outside all of that is not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.errors import NotFoundError
from gonghui.core.paths import path_chain
from gonghui.core.scoping import Scope, subtree_q, subtrees_q, unscoped
from gonghui.skills.models import (
    COUNTED_ENROLMENTS,
    Activity,
    ClassSession,
    Contest,
    ContestEvent,
    Enrolment,
    EnrolmentStatus,
    Entry,
    EntryStatus,
    Innovation,
    Judge,
    Score,
    ScoreState,
    Studio,
    StudioApplication,
    TrainingClass,
    TrainingPlan,
)
from gonghui.skills.permissions import SkillsPerm


def _above(scope: Scope, perm: str) -> list[str]:
    """The paths of the unions above (and at) the scope's grants holding `perm`."""
    return sorted({p for path in scope.paths_with(perm) for p in path_chain(path)})


def contest_list(*, scope: Scope, status: str = "", year: int | None = None) -> QuerySet[Contest]:
    """Contests held in the scope's subtrees, and those held above it that its unions may enter."""
    visible = Contest.all_objects.all()
    if not scope.is_superuser:
        below = subtrees_q("org_path", scope.paths_with(SkillsPerm.VIEW))
        above = Q(org_path__in=_above(scope, SkillsPerm.VIEW))
        visible = visible.filter(below | above)
    if status:
        visible = visible.filter(status=status)
    if year:
        visible = visible.filter(held_on__year=year)
    return visible.select_related("org").order_by("-held_on", "-pk")


def contest_get(*, scope: Scope, pk: int) -> Contest:
    contest = contest_list(scope=scope).filter(pk=pk).first()
    if contest is None:
        raise NotFoundError()
    return contest


def runs_contest(scope: Scope, contest: Contest, perm: str = SkillsPerm.VIEW) -> bool:
    """Whether the scope holds `perm` at the organiser (sees every contestant, scores, ranks)."""
    return scope.has_perm(perm, contest.org_path)


def event_list(*, contest: Contest) -> list[ContestEvent]:
    """The contest's events with their practical items (the contest was reached through `contest_get`)."""
    return list(ContestEvent.objects.filter(contest=contest).prefetch_related("items").order_by("pk"))


def event_get(*, contest: Contest, pk: int) -> ContestEvent:
    event = ContestEvent.objects.filter(contest=contest, pk=pk).first()
    if event is None:
        raise NotFoundError()
    return event


def judge_list(*, contest: Contest) -> list[Judge]:
    return list(Judge.objects.filter(contest=contest).order_by("pk"))


def entry_list(*, scope: Scope, contest: Contest, event: ContestEvent | None = None) -> QuerySet[Entry]:
    """The contest's contestants the scope sees: all for the organiser, its own for a registering union."""
    qs = Entry.objects.within(scope, SkillsPerm.VIEW).filter(contest=contest, status=EntryStatus.REGISTERED)
    if event is not None:
        qs = qs.filter(event=event)
    return qs.select_related("person", "org", "event").order_by("event_id", "number")


def ranking(*, scope: Scope, contest: Contest) -> QuerySet[Entry]:
    """The ranked contestants the scope sees, by event and rank."""
    return entry_list(scope=scope, contest=contest).filter(rank__isnull=False).order_by("event_id", "rank", "number")


def contest_winners(*, scope: Scope, contest: Contest) -> QuerySet[Entry]:
    """The award winners of a ranked contest, by event and rank: what is published (公示) and certified.

    The seam for the shared 公示 mechanism and the honors module's certificates (and its
    recommendation of each event's first to the 五一劳动奖章): they take these rows.
    """
    return ranking(scope=scope, contest=contest).exclude(award="")


def mismatches(*, scope: Scope, contest: Contest) -> QuerySet[Score]:
    """Scores whose two entries disagree, for a reviewer at the organiser."""
    if not scope.has_perm(SkillsPerm.RESOLVE, contest.org_path):
        return Score.objects.none()
    return (
        Score.objects.filter(entry__contest=contest, state=ScoreState.MISMATCH)
        .select_related("entry__person", "entry__event", "item", "judge")
        .order_by("entry__event_id", "entry__number", "slot")
    )


def score_get(*, scope: Scope, contest: Contest, pk: int) -> Score:
    score = mismatches(scope=scope, contest=contest).filter(pk=pk).first()
    if score is None:
        raise NotFoundError()
    return score


def sheet_scores(*, event: ContestEvent) -> dict[tuple[int, str], Score]:
    """Every score of the event by (entry, slot), for the score sheet."""
    return {(s.entry_id, s.slot): s for s in Score.objects.filter(entry__event=event)}


# --- training --------------------------------------------------------------------------------------


def class_list(*, scope: Scope, status: str = "") -> QuerySet[TrainingClass]:
    qs = TrainingClass.objects.within(scope, SkillsPerm.TRAINING_VIEW).select_related("org")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status__in=COUNTED_ENROLMENTS)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    ).order_by("-starts_on", "-pk")


def class_get(*, scope: Scope, pk: int) -> TrainingClass:
    found = class_list(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def enrolment_list(*, scope: Scope, training_class: TrainingClass) -> list[Enrolment]:
    """The class's trainees (reached through `class_get`), enrolled first, then the waiting list in its order."""
    rank = {EnrolmentStatus.ENROLLED: 0, EnrolmentStatus.COMPLETED: 0, EnrolmentStatus.WAITING: 1}
    rows = list(
        Enrolment.objects.within(scope, SkillsPerm.TRAINING_VIEW)
        .filter(training_class=training_class)
        .annotate(attended=Count("attendances"))
        .order_by("pk")
    )
    return sorted(rows, key=lambda e: (rank.get(EnrolmentStatus(e.status), 2), e.pk))


def enrolment_get(*, scope: Scope, training_class: TrainingClass, pk: int) -> Enrolment:
    found = (
        Enrolment.objects.within(scope, SkillsPerm.TRAINING_VIEW)
        .filter(training_class=training_class, pk=pk)
        .select_related("training_class")
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


def session_list(*, training_class: TrainingClass) -> list[ClassSession]:
    return list(
        ClassSession.objects.filter(training_class=training_class)
        .annotate(present=Count("attendances"))
        .order_by("held_on")
    )


def session_get(*, training_class: TrainingClass, pk: int) -> ClassSession:
    found = ClassSession.objects.filter(training_class=training_class, pk=pk).select_related("training_class").first()
    if found is None:
        raise NotFoundError()
    return found


@dataclass(frozen=True)
class PlanRow:
    plan: TrainingPlan
    delivered: int  # trainee-times of the classes the org and its subtree started in the plan's year

    @property
    def share(self) -> float | None:
        return self.delivered / self.plan.trainee_times if self.plan.trainee_times else None


def plan_rows(*, scope: Scope) -> list[PlanRow]:
    """Each plan the scope sees, against what its org's subtree delivered that year."""
    plans = list(
        TrainingPlan.objects.within(scope, SkillsPerm.TRAINING_VIEW).select_related("org").order_by("-year", "org_path")
    )
    rows = []
    with unscoped():
        for plan in plans:
            delivered = Enrolment.objects.filter(
                subtree_q("org_path", plan.org_path),
                status__in=COUNTED_ENROLMENTS,
                training_class__starts_on__year=plan.year,
            ).count()
            rows.append(PlanRow(plan, delivered))
    return rows


# --- studios, 五小, activities ---------------------------------------------------------------------


def studio_list(*, scope: Scope) -> QuerySet[Studio]:
    return (
        Studio.objects.within(scope, SkillsPerm.VIEW)
        .select_related("org")
        .annotate(
            result_count=Count("results", filter=Q(results__benefit_fen__gt=0), distinct=True),
            benefit_fen=Sum("results__benefit_fen"),
        )
        .order_by("org_path", "name")
    )


def studio_get(*, scope: Scope, pk: int) -> Studio:
    found = studio_list(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def last_applications(*, studios: list[Studio]) -> dict[int, StudioApplication]:
    """Each studio's latest application (the studios were reached through `studio_list`)."""
    latest: dict[int, StudioApplication] = {}
    for a in StudioApplication.objects.filter(studio__in=studios).order_by("applied_on", "pk"):
        latest[a.studio_id] = a
    return latest


def innovation_list(*, scope: Scope, year: int | None = None) -> QuerySet[Innovation]:
    qs = Innovation.objects.within(scope, SkillsPerm.VIEW).select_related("org")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-pk")


def innovation_get(*, scope: Scope, pk: int) -> Innovation:
    found = innovation_list(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def activity_list(*, scope: Scope) -> QuerySet[Activity]:
    return (
        Activity.objects.within(scope, SkillsPerm.VIEW)
        .select_related("org")
        .annotate(
            signed_up=Count("signups"),
            participations=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
        )
        .order_by("-held_on", "-pk")
    )
