"""Statistics of charity funds: funds, money given and spent, donors, projects (flat numeric keys)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from gonghui.charity.models import Activity, Disbursement, Donation, DonorKind, Fund, Project
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider


@stat_provider(order=80)
def charity_stats(paths: list[str] | None) -> dict[str, Any]:
    with unscoped():
        funds, donations = Fund.objects.all(), Donation.objects.all()
        projects, paid = Project.objects.all(), Disbursement.objects.all()
        activities = Activity.objects.all()
        if paths is not None:
            funds = funds.filter(subtrees_q("org_path", paths))
            donations = donations.filter(subtrees_q("org_path", paths))
            projects = projects.filter(subtrees_q("org_path", paths))
            paid = paid.filter(subtrees_q("org_path", paths))
            activities = activities.filter(subtrees_q("org_path", paths))
        given = donations.aggregate(net=Sum(F("amount_fen") - F("refunded_fen")))["net"] or 0
        enterprises = donations.filter(donor_kind=DonorKind.ENTERPRISE).values("uscc").distinct().order_by().count()
        individual = donations.filter(donor_kind=DonorKind.INDIVIDUAL)
        # A person is one donor however often they give: members by person, others by their sealed number;
        # a gift with neither (cash in a box) is one donor each.
        workers = (
            individual.filter(person__isnull=False).values("person").distinct().order_by().count()
            + individual.filter(person__isnull=True)
            .exclude(id_index="")
            .values("id_index")
            .distinct()
            .order_by()
            .count()
            + individual.filter(person__isnull=True, id_index="").count()
        )
        spent = paid.aggregate(s=Sum("amount_fen"), people=Count("person", distinct=True))
        project_figures = projects.aggregate(
            n=Count("pk"),
            industries=Count("industry", filter=~Q(industry=""), distinct=True),
            provinces=Count(Substr("region_code", 1, 2), filter=~Q(region_code=""), distinct=True),
        )
        balance = funds.aggregate(s=Sum("balance_fen"))["s"] or 0
        fund_count = funds.count()
        activity_count = activities.count()
    spent_yuan = (spent["s"] or 0) / 100
    return {
        "charity_funds": fund_count,
        "charity_balance_yuan": balance / 100,
        "charity_donations_yuan": given / 100,
        "charity_donors": enterprises + workers,
        "charity_donor_enterprises": enterprises,
        "charity_donor_workers": workers,
        "charity_projects": project_figures["n"] or 0,
        "charity_activities": activity_count,
        "charity_disbursed_yuan": spent_yuan,
        "charity_spent_yuan": spent_yuan,
        "charity_beneficiaries": spent["people"] or 0,
        "charity_industries": project_figures["industries"] or 0,
        "charity_provinces": project_figures["provinces"] or 0,
    }
