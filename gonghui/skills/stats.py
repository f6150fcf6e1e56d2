"""Statistics of skills: contests and contestants, training classes, trainees and the rise of their income."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.skills.models import (
    COUNTED_ENROLMENTS,
    Activity,
    ActivitySignup,
    Contest,
    Enrolment,
    Entry,
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
        entries = Entry.objects.filter(status=EntryStatus.REGISTERED)
        classes = TrainingClass.objects.all()
        enrolments = Enrolment.objects.filter(status__in=COUNTED_ENROLMENTS)
        plans = TrainingPlan.objects.all()
        studios = Studio.objects.all()
        innovations = Innovation.objects.exclude(status=InnovationStatus.REJECTED)
        activities = Activity.objects.all()
        checkins = ActivitySignup.objects.filter(checked_in_at__isnull=False)
        if paths is not None:
            contests = contests.filter(subtrees_q("org_path", paths))
            entries = entries.filter(subtrees_q("contest_path", paths))
            classes = classes.filter(subtrees_q("org_path", paths))
            enrolments = enrolments.filter(subtrees_q("org_path", paths))
            plans = plans.filter(subtrees_q("org_path", paths))
            studios = studios.filter(subtrees_q("org_path", paths))
            innovations = innovations.filter(subtrees_q("org_path", paths))
            activities = activities.filter(subtrees_q("org_path", paths))
            checkins = checkins.filter(subtrees_q("org_path", paths))
        people = enrolments.aggregate(
            people=Count("id_index", distinct=True),
            times=Count("pk"),
        )
        known = enrolments.filter(Q(income_before_fen__isnull=False) & Q(income_after_fen__isnull=False))
        pairs = [(b or 0, a or 0) for b, a in known.values_list("income_before_fen", "income_after_fen")]
        rise = average_rise(pairs)
        return {
            "contests": contests.count(),
            "contestants": entries.count(),
            "training_classes": classes.count(),
            "trainees": people["people"] or 0,
            "trainee_times": people["times"] or 0,
            "trainee_times_planned": plans.aggregate(n=Sum("trainee_times"))["n"] or 0,
            "trainee_income_rise_yuan": float(cents(rise / 100)) if rise is not None else 0.0,
            "studios": studios.count(),
            "innovations": innovations.count(),
            "activities": activities.count(),
            "activity_participations": checkins.count(),
        }
