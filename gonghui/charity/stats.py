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
        individual = Q(donor_kind=DonorKind.INDIVIDUAL)
        # A person is one donor however often they give: members by person, others by their sealed number;
        # a gift with neither (cash in a box) is one donor each.
        given = donations.aggregate(
            net=Sum(F("amount_fen") - F("refunded_fen")),
            enterprises=Count("uscc", filter=Q(donor_kind=DonorKind.ENTERPRISE), distinct=True),
            members=Count("person", filter=individual, distinct=True),
            sealed=Count("id_index", filter=individual & Q(person__isnull=True) & ~Q(id_index=""), distinct=True),
            nameless=Count("pk", filter=individual & Q(person__isnull=True, id_index="")),
        )
        # Net of what failed bank payments gave back; a payment given back in full paid nobody.
        spent = paid.aggregate(
            s=Sum(F("amount_fen") - F("returned_fen")),
            people=Count("person", filter=Q(returned_fen__lt=F("amount_fen")), distinct=True),
        )
        project_figures = projects.aggregate(
            n=Count("pk"),
            industries=Count("industry", filter=~Q(industry=""), distinct=True),
            provinces=Count(Substr("region_code", 1, 2), filter=~Q(region_code=""), distinct=True),
        )
        fund_figures = funds.aggregate(n=Count("pk"), balance=Sum("balance_fen"))
        activity_count = activities.count()
    enterprises = given["enterprises"] or 0
    workers = (given["members"] or 0) + (given["sealed"] or 0) + (given["nameless"] or 0)
    spent_yuan = (spent["s"] or 0) / 100
    return {
        "charity_funds": fund_figures["n"] or 0,
        "charity_balance_yuan": (fund_figures["balance"] or 0) / 100,
        "charity_donations_yuan": (given["net"] or 0) / 100,
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
