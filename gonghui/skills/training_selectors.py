"""Reads of training for the phone pages (open classes, a trainee's own classes) and the college's page
(plan against delivery, month by month). Kept out of `selectors.py`, which the staff pages read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.core.scoping import subtree_q, unscoped
from gonghui.skills.models import (
    COUNTED_ENROLMENTS,
    Activity,
    ActivitySignup,
    ClassSession,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
    TrainingPlan,
)

PHONE_LIST_LIMIT = 50


def open_classes(*, q: str = "", today: date | None = None) -> list[TrainingClass]:
    """Classes still taking trainees (open, not yet ended), the soonest first: public, as a poster is."""
    today = today or timezone.localdate()
    with unscoped():
        qs = TrainingClass.all_objects.select_related("org").filter(status=ClassStatus.OPEN, ends_on__gte=today)
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(trade__icontains=q) | Q(org__name__icontains=q))
        return _free(list(_with_places(qs).order_by("starts_on", "pk")[:PHONE_LIST_LIMIT]))


def _free(rows: list[TrainingClass]) -> list[TrainingClass]:
    for c in rows:
        c.free = max(0, c.capacity - c.taken)  # type: ignore[attr-defined]
    return rows


def _with_places(qs: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    return qs.annotate(
        taken=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    )


def class_public(*, pk: int) -> TrainingClass | None:
    with unscoped():
        rows = _free(list(_with_places(TrainingClass.all_objects.select_related("org").filter(pk=pk))))
    return rows[0] if rows else None


def enrolments_of(*, id_index: str) -> list[Enrolment]:
    """A trainee's own enrolments (matched by their ID's blind index, so a villager who joins the union
    later still finds them), newest first, with how many sessions they attended."""
    if not id_index:
        return []
    with unscoped():
        return list(
            Enrolment.all_objects.select_related("training_class", "training_class__org")
            .filter(id_index=id_index)
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .annotate(
                attended=Count("attendances", distinct=True),
                sessions=Count("training_class__sessions", distinct=True),
            )
            .order_by("-training_class__starts_on", "-pk")
        )


def session_of_class(*, training_class: TrainingClass, pk: int) -> ClassSession | None:
    return ClassSession.objects.filter(training_class=training_class, pk=pk).first()


def completed_enrolments(*, training_class: TrainingClass, ids: list[int] | None = None) -> list[Enrolment]:
    with unscoped():
        qs = Enrolment.all_objects.filter(training_class=training_class)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        return list(qs.order_by("pk"))


def college_plan(*, org_path: str, org_id: int) -> list[dict[str, Any]]:
    """Each year's plan of the union or college against the trainee-times delivered in its subtree's
    classes started that year (a person in a class, enrolled or completed)."""
    with unscoped():
        plans = {p.year: p for p in TrainingPlan.all_objects.filter(org_id=org_id)}
        delivered = dict(
            Enrolment.all_objects.filter(subtree_q("org_path", org_path), status__in=COUNTED_ENROLMENTS)
            .values_list("training_class__starts_on__year")
            .annotate(n=Count("pk"))
            .values_list("training_class__starts_on__year", "n")
        )
    rows = []
    for year in sorted(set(plans) | set(delivered)):
        plan = plans.get(year)
        planned = plan.trainee_times if plan else 0
        done = delivered.get(year, 0)
        rows.append(
            {
                "year": year,
                "planned": planned,
                "contests_planned": plan.contests_planned if plan else 0,
                "delivered": done,
                "share": round(100 * done / planned) if planned else None,
            }
        )
    return rows


# --- worker activities on the phone ----------------------------------------------------------------


def activities_for_member(*, org_path: str, today: date | None = None) -> list[Activity]:
    """Today's and coming activities held by the member's union or any union above it."""
    today = today or timezone.localdate()
    ancestors = [org_path[: i + 1] for i, ch in enumerate(org_path) if ch == "/"]
    with unscoped():
        return list(
            Activity.all_objects.select_related("org")
            .filter(org_path__in=ancestors, held_on__gte=today)
            .annotate(signed_up=Count("signups"))
            .order_by("held_on", "pk")[:PHONE_LIST_LIMIT]
        )


def activity_public(*, pk: int) -> Activity | None:
    with unscoped():
        return Activity.all_objects.select_related("org").filter(pk=pk).first()


def activity_by_code(*, code: str) -> Activity | None:
    with unscoped():
        return Activity.all_objects.select_related("org").filter(checkin_code=code).first()


def signups_of(*, membership_id: int, activity_ids: list[int]) -> dict[int, ActivitySignup]:
    with unscoped():
        return {
            s.activity_id: s
            for s in ActivitySignup.all_objects.filter(membership_id=membership_id, activity_id__in=activity_ids)
        }
