"""Statistics of skills: contests and contestants, training classes, trainees and the rise of their income."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.skills.models import (
    COUNTED_ENROLMENTS,
    Activity,
    Contest,
    Enrolment,
    EntryStatus,
    Innovation,
    InnovationStatus,
    Studio,
    TrainingClass,
    TrainingPlan,
)
from gonghui.skills.scoring import average_rise, cents


@stat_provider(order=60)
def skills_stats(paths: list[str] | None) -> dict[str, Any]:
    """contests and contestants (of the contests held in the subtree); training_classes, trainees (people),
    trainee_times (a person in a class), trainee_times_planned (every year's plans), trainee_income_rise_yuan
    (the average yearly rise of the trainees whose incomes before and a year after are both known); studios,
    innovations (五小 entries not turned down), activities and activity_participations (check-ins)."""
    with unscoped():
        contests = Contest.objects.all()
        classes = TrainingClass.objects.all()
        enrolments = Enrolment.objects.filter(status__in=COUNTED_ENROLMENTS)
        plans = TrainingPlan.objects.all()
        studios = Studio.objects.all()
        innovations = Innovation.objects.exclude(status=InnovationStatus.REJECTED)
        activities = Activity.objects.all()
        if paths is not None:
            contests = contests.filter(subtrees_q("org_path", paths))
            classes = classes.filter(subtrees_q("org_path", paths))
            enrolments = enrolments.filter(subtrees_q("org_path", paths))
            plans = plans.filter(subtrees_q("org_path", paths))
            studios = studios.filter(subtrees_q("org_path", paths))
            innovations = innovations.filter(subtrees_q("org_path", paths))
            activities = activities.filter(subtrees_q("org_path", paths))
        # One aggregate per table family: a contest with its entries, a class with its trainees, an activity
        # with its check-ins (an entry's and a trainee's path are their contest's and class's).
        held = contests.aggregate(
            contests=Count("pk", distinct=True),
            contestants=Count("entries", filter=Q(entries__status=EntryStatus.REGISTERED), distinct=True),
        )
        counted = Q(enrolments__status__in=COUNTED_ENROLMENTS)
        trained = classes.aggregate(
            classes=Count("pk", distinct=True),
            people=Count("enrolments__id_index", filter=counted, distinct=True),
            times=Count("enrolments", filter=counted, distinct=True),
        )
        known = enrolments.filter(Q(income_before_fen__isnull=False) & Q(income_after_fen__isnull=False))
        pairs = [(b or 0, a or 0) for b, a in known.values_list("income_before_fen", "income_after_fen")]
        rise = average_rise(pairs)
        gathered = activities.aggregate(
            activities=Count("pk", distinct=True),
            participations=Count("signups", filter=Q(signups__checked_in_at__isnull=False), distinct=True),
        )
        return {
            "contests": held["contests"],
            "contestants": held["contestants"],
            "training_classes": trained["classes"],
            "trainees": trained["people"],
            "trainee_times": trained["times"],
            "trainee_times_planned": plans.aggregate(n=Sum("trainee_times"))["n"] or 0,
            "trainee_income_rise_yuan": float(cents(rise / 100)) if rise is not None else 0.0,
            "studios": studios.count(),
            "innovations": innovations.count(),
            "activities": gathered["activities"],
            "activity_participations": gathered["participations"],
        }
