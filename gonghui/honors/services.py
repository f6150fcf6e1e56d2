"""Honors' writes: campaigns, nominations, lists passed up under quotas, reviews, the 公示, the
announcement (the register and certificates) and honors recorded directly (lecture tours: `lectures`).

Every write checks its permission at the union it acts for, locks what it changes and is audited
as `honors.<verb>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction

from gonghui.accounts.models import Grant, User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.honors import formfields, quotas, scoring
from gonghui.honors.models import (
    COLLECTIVE_KINDS,
    Campaign,
    CampaignField,
    CampaignStatus,
    Criterion,
    Decision,
    HonorHeld,
    Nomination,
    NominationStatus,
    NomineeType,
    Place,
    QuotaRule,
    Review,
    Score,
)
from gonghui.honors.permissions import HonorPerm
from gonghui.members.models import LIVE_STATUSES, Membership
from gonghui.notices import services as notices
from gonghui.notices.certificates import CertificateIn, certificates_issue
from gonghui.notices.kinds import NoticeKind
from gonghui.notices.models import DayBasis, PublicationEntry, PublicationStatus
from gonghui.orgs.models import Org

KIND = "honors"


def is_within(path: str, ancestor: str) -> bool:
    """Whether `path` lies in the subtree of `ancestor` (materialized paths end in "/")."""
    return path.startswith(ancestor)


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _audit(actor: User | None, verb: str, org: Org, target: Any = None, **data: Any) -> None:
    audit_record(actor=actor, action=f"honors.{verb}", org=org, target=target, data=data)


def _org(pk: int) -> Org:
    with unscoped():
        return Org.all_objects.get(pk=pk)


# --- campaigns -------------------------------------------------------------------------------------


def campaign_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    kind: str,
    title: str,
    level: str,
    awarding_body: str,
    year: int,
    places_default: int = 0,
    rules: Sequence[quotas.Rule] = (),
    places: Mapping[int, int] | None = None,
    fields: Sequence[formfields.FieldSpec] = (),
) -> Campaign:
    """A campaign of `org` for `year`: places per lower union (org id → places, else the default), quotas
    and the nomination form's own questions (`fields`)."""
    require_perm_at(scope, HonorPerm.MANAGE, org.path)
    if kind in COLLECTIVE_KINDS and rules:
        # The quotas speak of people; a collective honor's list has none to count.
        raise DomainError("honors.collective_quota", field="kind")
    with transaction.atomic():
        campaign = Campaign.all_objects.create(
            org=org,
            org_path=org.path,
            kind=kind,
            title=title.strip()[:100],
            level=level.strip()[:20],
            awarding_body=awarding_body.strip()[:200],
            year=year,
            places_default=places_default,
            created_by=_user(actor),
        )
        QuotaRule.objects.bulk_create(
            QuotaRule(campaign=campaign, attribute=r.attribute, bound=r.bound, share=r.share, count=r.count)
            for r in rules
        )
        Place.objects.bulk_create(Place(campaign=campaign, org_id=pk, places=n) for pk, n in (places or {}).items())
        CampaignField.objects.bulk_create(
            CampaignField(
                campaign=campaign,
                position=i,
                label=f.label,
                field_type=f.field_type,
                required=f.required,
                choices=list(f.choices),
            )
            for i, f in enumerate(fields)
        )
        _audit(actor, "campaign_create", org, campaign, year=year, kind=kind, quotas=len(rules), fields=len(fields))
    return campaign


def campaign_rules(campaign: Campaign) -> list[quotas.Rule]:
    return [
        quotas.Rule(r.attribute, r.bound, r.share, r.count)
        for r in QuotaRule.objects.filter(campaign=campaign).order_by("pk")
    ]


def campaign_fields(campaign: Campaign) -> list[tuple[CampaignField, formfields.FieldSpec]]:
    """The campaign's own questions, in order, each with its pure spec."""
    return [
        (f, formfields.FieldSpec(f.label, f.field_type, f.required, tuple(f.choices)))
        for f in CampaignField.objects.filter(campaign=campaign)
    ]


def _answers(campaign: Campaign, raw: Mapping[str, str] | None) -> dict[str, str]:
    """The answers by label, checked all at once, stored by the field's id (a label may be reworded)."""
    fields = campaign_fields(campaign)
    values, problems = formfields.answers_problems([spec for _, spec in fields], dict(raw or {}))
    if problems:
        raise DomainError("honors.answers_invalid", problems="；".join(problems))
    return {str(f.pk): values[spec.label] for f, spec in fields if spec.label in values}


def answers_shown(nomination: Nomination) -> list[tuple[str, str]]:
    """(question, answer) for the nomination page and the API, in the campaign's order."""
    answers = nomination.answers or {}
    return [
        (f.label, answers.get(str(f.pk), "")) for f in CampaignField.objects.filter(campaign=nomination.campaign_id)
    ]


def places_of(campaign: Campaign, org: Org) -> int | None:
    """The places of `org`'s list (its own row, else the campaign's default; 0: no limit)."""
    row = Place.objects.filter(campaign=campaign, org=org).values_list("places", flat=True).first()
    places = row if row is not None else campaign.places_default
    return places or None


# --- nominations -----------------------------------------------------------------------------------


def nomination_create(
    *,
    actor: User | None,
    scope: Scope | None,
    campaign: Campaign,
    org: Org,
    membership: Membership,
    deeds: str,
    employer: str = "",
    position: str = "",
    front_line: bool = False,
    enterprise_head: bool = False,
    migrant: bool | None = None,
    new_employment: bool | None = None,
    answers: Mapping[str, str] | None = None,
) -> Nomination:
    """Nominate a live member of `org`'s subtree; woman, minority, 农民工, new employment come from the registry.

    `answers`: the campaign's own questions, by label."""
    _may_nominate(scope, campaign, org)
    if campaign.collective:
        raise DomainError("honors.collective_only", field="member")
    if membership.status not in LIVE_STATUSES or not is_within(membership.org_path, org.path):
        raise DomainError("honors.not_member", field="member")
    if not deeds.strip():
        raise DomainError("honors.deeds_required", field="deeds")
    stored = _answers(campaign, answers)
    person = membership.person
    with transaction.atomic(), unscoped():
        if Nomination.all_objects.filter(campaign=campaign, person=person).exclude(status="rejected").exists():
            raise DomainError("honors.already_nominated", name=person.name)
        nomination = Nomination.all_objects.create(
            campaign=campaign,
            org=org,
            org_path=org.path,
            at_org=org,
            at_path=org.path,
            membership=membership,
            person=person,
            nominee_name=person.name,
            employer=(employer or person.employer)[:200],
            position=position[:100],
            deeds=deeds.strip(),
            front_line=front_line,
            enterprise_head=enterprise_head,
            migrant=person.is_migrant_worker if migrant is None else migrant,
            new_employment=person.is_new_employment if new_employment is None else new_employment,
            woman=person.gender == "2",
            minority=person.ethnicity not in ("", "01"),
            answers=stored,
            nominated_by=_user(actor),
        )
        _audit(actor, "nominate", org, nomination, campaign=campaign.pk)
    return nomination


def _may_nominate(scope: Scope | None, campaign: Campaign, org: Org) -> None:
    require_perm_at(scope, HonorPerm.NOMINATE, org.path)
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError(
            "honors.campaign_closed", campaign=str(campaign), state=campaign.get_status_display(), action="推荐"
        )
    if org.pk == campaign.org_id or not is_within(org.path, campaign.org_path):
        raise DomainError("honors.not_below", field="org")


def collective_nominate(
    *,
    actor: User | None,
    scope: Scope | None,
    campaign: Campaign,
    org: Org,
    union: Org,
    deeds: str,
    team_name: str = "",
    answers: Mapping[str, str] | None = None,
) -> Nomination:
    """Nominate a collective for 五一劳动奖状 or 工人先锋号: `union` itself, or a team of it (`team_name`).

    The union is one of `org`'s subtree (the nominator's part of the tree), as a member would be.
    """
    _may_nominate(scope, campaign, org)
    if not campaign.collective:
        raise DomainError("honors.person_only", field="collective")
    if not is_within(union.path, org.path) or union.closed_on is not None:
        raise DomainError("honors.collective_not_below", field="collective")
    if not deeds.strip():
        raise DomainError("honors.deeds_required", field="deeds")
    team = " ".join(team_name.split())[:100]
    stored = _answers(campaign, answers)
    with transaction.atomic(), unscoped():
        taken = Nomination.all_objects.filter(campaign=campaign, collective_org=union, team_name=team).exclude(
            status="rejected"
        )
        if taken.exists():
            raise DomainError("honors.already_nominated", name=team or union.name)
        nomination = Nomination.all_objects.create(
            campaign=campaign,
            org=org,
            org_path=org.path,
            at_org=org,
            at_path=org.path,
            nominee_type=NomineeType.TEAM if team else NomineeType.UNION,
            collective_org=union,
            team_name=team,
            nominee_name=(team or union.name)[:60],
            employer=union.name[:200],
            deeds=deeds.strip(),
            answers=stored,
            nominated_by=_user(actor),
        )
        _audit(actor, "nominate", org, nomination, campaign=campaign.pk, collective=nomination.nominee_type)
    return nomination


def list_pending(campaign: Campaign, org: Org) -> list[Nomination]:
    """The list `org` would send up now: its own drafts and returned ones, and those it approved."""
    with unscoped():
        return list(
            Nomination.all_objects.filter(
                campaign=campaign,
                at_org=org,
                status__in=(NominationStatus.DRAFT, NominationStatus.RETURNED, NominationStatus.APPROVED),
            ).order_by("pk")
        )


def _figures(campaign: Campaign, org: Org, pending: Sequence[Nomination]) -> list[quotas.Figure]:
    """The quotas count the individual nominees; a collective one takes a place only (`quotas`)."""
    return quotas.quota_figures(
        campaign_rules(campaign),
        [n.attributes() for n in pending if not n.is_collective],
        places_of(campaign, org),
        collectives=sum(1 for n in pending if n.is_collective),
    )


def list_figures(campaign: Campaign, org: Org) -> list[quotas.Figure]:
    """The places and quotas of `org`'s list as it stands (the page shows them live)."""
    return _figures(campaign, org, list_pending(campaign, org))


def list_submit(*, actor: User | None, scope: Scope | None, campaign: Campaign, org: Org) -> list[Nomination]:
    """Send `org`'s list up to the union above, only when it meets its places and every quota."""
    require_perm_at(scope, HonorPerm.NOMINATE, org.path)
    if org.pk == campaign.org_id or org.parent_id is None:
        raise DomainError("honors.not_below", field="org")
    with transaction.atomic(), unscoped():
        Campaign.all_objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            raise DomainError(
                "honors.campaign_closed", campaign=str(campaign), state=campaign.get_status_display(), action="上报"
            )
        pending = list_pending(campaign, org)
        if not pending:
            raise DomainError("honors.nothing_to_submit")
        figures = _figures(campaign, org, pending)
        if not quotas.quotas_met(figures):
            raise DomainError(
                "honors.quota_not_met",
                figures="；".join(f.text for f in figures if not f.ok),
            )
        parent = _org(org.parent_id)
        Nomination.all_objects.filter(pk__in=[n.pk for n in pending]).update(
            at_org=parent, at_path=parent.path, status=NominationStatus.SUBMITTED, status_note=""
        )
        _audit(actor, "list_submit", org, campaign, to=parent.code, nominations=len(pending))
    return pending


def nomination_review(
    *, actor: User, scope: Scope | None, nomination: Nomination, decision: str, reason: str = ""
) -> Nomination:
    """Review at the union holding the nomination: approve, return (to the nominating union) or reject.

    One person never holds two steps of one nomination: not its nominator, not a reviewer of it before.
    """
    if decision in (Decision.RETURN, Decision.REJECT) and not reason.strip():
        raise DomainError("honors.reason_required", field="reason")
    with transaction.atomic(), unscoped():
        nomination = Nomination.all_objects.select_for_update().get(pk=nomination.pk)
        require_perm_at(scope, HonorPerm.REVIEW, nomination.at_path)
        if nomination.status != NominationStatus.SUBMITTED:
            raise DomainError("honors.wrong_status", state=nomination.get_status_display(), action="审核")
        if (
            nomination.nominated_by_id == actor.pk
            or Review.objects.filter(nomination=nomination, reviewer=actor).exists()
            or Score.objects.filter(nomination=nomination, reviewer=actor).exclude(org=nomination.at_org_id).exists()
        ):
            raise DomainError("honors.same_person")
        at = _org(nomination.at_org_id)
        Review.objects.create(
            nomination=nomination, org=at, reviewer=actor, decision=decision, reason=reason.strip()[:200]
        )
        if decision == Decision.APPROVE:
            nomination.status = NominationStatus.APPROVED
        elif decision == Decision.RETURN:
            nomination.status = NominationStatus.RETURNED
            nomination.at_org, nomination.at_path = nomination.org, nomination.org_path
        elif decision == Decision.REJECT:
            nomination.status = NominationStatus.REJECTED
        else:
            raise ValueError(decision)
        nomination.status_note = reason.strip()[:200]
        nomination.save(update_fields=["status", "status_note", "at_org", "at_path"])
        _audit(actor, f"review_{decision}", at, nomination, reason=nomination.status_note)
    return nomination


# --- weighted scoring ------------------------------------------------------------------------------


def criteria_set(
    *, actor: User | None, scope: Scope | None, campaign: Campaign, org: Org, criteria: Sequence[tuple[str, int]]
) -> list[Criterion]:
    """The weighted criteria of `org`'s review level (weights summing to 100), before anyone scores there."""
    require_perm_at(scope, HonorPerm.MANAGE, org.path)
    if not is_within(org.path, campaign.org_path):
        raise DomainError("honors.not_below", field="org")
    problems = scoring.weights_problems(criteria)
    if problems:
        raise DomainError("honors.criteria_invalid", field="criteria", problems="；".join(problems))
    with transaction.atomic():
        Campaign.all_objects.select_for_update().get(pk=campaign.pk)
        if Score.objects.filter(nomination__campaign=campaign, org=org).exists():
            raise DomainError("honors.criteria_in_use")
        Criterion.objects.filter(campaign=campaign, org=org).delete()
        made = Criterion.objects.bulk_create(
            Criterion(campaign=campaign, org=org, position=i, name=name.strip()[:40], weight=weight)
            for i, (name, weight) in enumerate(criteria)
        )
        _audit(actor, "criteria", org, campaign, criteria=len(made))
    return made


def criteria_of(campaign: Campaign, org_id: int) -> list[Criterion]:
    return list(Criterion.objects.filter(campaign=campaign, org_id=org_id))


def conflict_automatic(user_id: int, nomination: Nomination) -> bool:
    """The nominee is of the reviewer's own union: a grant of theirs below the reviewing union covers it.

    A reviewer who is also an officer of the nominating union (or of the union a collective belongs
    to) is not a neutral judge of its nominee; the grants are all the platform knows of where they work.
    """
    nominee_path = nomination.org_path
    if nomination.collective_org_id:
        nominee_path = _org(nomination.collective_org_id).path
    paths = Grant.objects.filter(user_id=user_id).values_list("org__path", flat=True)
    return any(
        is_within(nominee_path, path) and path != nomination.at_path and not is_within(nomination.at_path, path)
        for path in paths
    )


def _scorer_checks(actor: User, nomination: Nomination) -> None:
    """One person, one step: not the nominator, nobody who reviewed or scored it at another level."""
    if (
        nomination.nominated_by_id == actor.pk
        or Review.objects.filter(nomination=nomination, reviewer=actor).exists()
        or Score.objects.filter(nomination=nomination, reviewer=actor).exclude(org=nomination.at_org_id).exists()
    ):
        raise DomainError("honors.same_person")


def nomination_score(*, actor: User, scope: Scope | None, nomination: Nomination, marks: Mapping[int, int]) -> Score:
    """Score a nomination at the level holding it: 0–100 per criterion (by id), weighted; a new score replaces
    the reviewer's own earlier one. Refused after a declared conflict or when the nominee is of their union."""
    with transaction.atomic(), unscoped():
        nomination = Nomination.all_objects.select_for_update().get(pk=nomination.pk)
        require_perm_at(scope, HonorPerm.REVIEW, nomination.at_path)
        if nomination.status != NominationStatus.SUBMITTED:
            raise DomainError("honors.wrong_status", state=nomination.get_status_display(), action="评分")
        criteria = criteria_of(nomination.campaign, nomination.at_org_id)
        if not criteria:
            raise DomainError("honors.no_criteria")
        _scorer_checks(actor, nomination)
        own = Score.objects.filter(nomination=nomination, org_id=nomination.at_org_id, reviewer=actor).first()
        if (own is not None and own.conflict) or conflict_automatic(actor.pk, nomination):
            raise DomainError("honors.conflict")
        missing = scoring.marks_problems([c.pk for c in criteria], marks)
        if missing:
            names = "、".join(c.name for c in criteria if c.pk in missing)
            raise DomainError("honors.marks_invalid", field="marks", criteria=names)
        total = scoring.weighted_total({c.pk: c.weight for c in criteria}, marks)
        score, _ = Score.objects.update_or_create(
            nomination=nomination,
            org_id=nomination.at_org_id,
            reviewer=actor,
            defaults={
                "marks": {str(c.pk): marks[c.pk] for c in criteria},
                "total": scoring.rounded(total),
                "conflict": False,
            },
        )
        _audit(actor, "score", _org(nomination.at_org_id), nomination, total=str(score.total))
    return score


def conflict_declare(*, actor: User, scope: Scope | None, nomination: Nomination, reason: str) -> Score:
    """A reviewer declares a conflict of interest: they will not score this nomination (their score, if any, goes)."""
    if not reason.strip():
        raise DomainError("honors.reason_required", field="reason")
    with transaction.atomic(), unscoped():
        nomination = Nomination.all_objects.select_for_update().get(pk=nomination.pk)
        require_perm_at(scope, HonorPerm.REVIEW, nomination.at_path)
        score, _ = Score.objects.update_or_create(
            nomination=nomination,
            org_id=nomination.at_org_id,
            reviewer=actor,
            defaults={"marks": {}, "total": None, "conflict": True, "conflict_reason": reason.strip()[:200]},
        )
        _audit(actor, "conflict", _org(nomination.at_org_id), nomination, reason=score.conflict_reason)
    return score


@dataclass(frozen=True)
class Ranked:
    rank: int | None
    nomination: Nomination
    combined: Decimal | None
    reviewers: int
    conflicts: int


def level_ranking(campaign: Campaign, org: Org) -> list[Ranked]:
    """The nominations held at `org` (to review or approved there), ranked by their combined score:
    the mean of the reviewers' weighted totals at that level (conflicts excluded)."""
    with unscoped():
        held = list(
            Nomination.all_objects.filter(
                campaign=campaign, at_org=org, status__in=(NominationStatus.SUBMITTED, NominationStatus.APPROVED)
            ).order_by("nominee_name", "pk")
        )
        rows = list(
            Score.objects.filter(nomination__in=held, org=org).values_list("nomination_id", "total", "conflict")
        )
    totals: dict[int, list[Any]] = {}
    conflicts: dict[int, int] = {}
    for pk, total, conflict in rows:
        if conflict:
            conflicts[pk] = conflicts.get(pk, 0) + 1
        else:
            totals.setdefault(pk, []).append(Fraction(total or 0))
    ranked = scoring.ranking([(n, scoring.combined(totals.get(n.pk, []))) for n in held])
    return [
        Ranked(rank, n, scoring.rounded(score), len(totals.get(n.pk, [])), conflicts.get(n.pk, 0))
        for rank, n, score in ranked
    ]


# --- the 公示 and the announcement -------------------------------------------------------------------


def entry_removed(entry: PublicationEntry, note: str, actor: User | None) -> None:
    """An objection to the nominee was upheld: the nomination is rejected with the reason."""
    Nomination.all_objects.filter(pk=entry.subject_id, status=NominationStatus.PUBLISHED).update(
        status=NominationStatus.REJECTED, status_note=f"公示异议成立：{note}"[:200]
    )


NOTICE_KIND = NoticeKind(
    key=KIND,
    label="荣誉评选",
    view_perm=HonorPerm.VIEW,
    publish_perm=HonorPerm.MANAGE,
    resolve_perm=HonorPerm.REVIEW,
    name_heading="姓名",
    columns=(("union", "推荐单位"), ("employer", "工作单位"), ("deeds", "主要事迹")),
    on_removed=entry_removed,
    detail_url_name="honors:campaign",
)


def campaign_publish(
    *, actor: User | None, scope: Scope | None, campaign: Campaign, days: int, day_basis: str = DayBasis.WORKING
) -> Campaign:
    """Publish (公示) the nominees approved at the campaign's union."""
    require_perm_at(scope, HonorPerm.MANAGE, campaign.org_path)
    with transaction.atomic(), unscoped():
        campaign = Campaign.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            raise DomainError(
                "honors.campaign_closed", campaign=str(campaign), state=campaign.get_status_display(), action="公示"
            )
        approved = list(
            Nomination.all_objects.filter(campaign=campaign, at_org=campaign.org, status=NominationStatus.APPROVED)
            .select_related("org")
            .order_by("org__name", "nominee_name", "pk")
        )
        if not approved:
            raise DomainError("honors.nothing_to_publish")
        publication = notices.publication_create(
            actor=actor,
            scope=scope,
            kind=KIND,
            org=campaign.org,
            year=campaign.year,
            title=f"{campaign.year}年{campaign.title}拟表彰对象公示",
            lead=f"经推荐、逐级审核，{campaign.org.name}拟授予以下 {len(approved)} 名同志"
            f"{campaign.year}年“{campaign.title}”称号，现予公示。",
            entries=[
                notices.EntryIn(
                    subject=n,
                    name=n.nominee_name,
                    details={"union": n.org.name, "employer": n.employer, "deeds": n.deeds[:80]},
                )
                for n in approved
            ],
            days=days,
            day_basis=day_basis,
        )
        Nomination.all_objects.filter(pk__in=[n.pk for n in approved]).update(status=NominationStatus.PUBLISHED)
        campaign.publication, campaign.status = publication, CampaignStatus.PUBLISHED
        campaign.save(update_fields=["publication", "status"])
    return campaign


def campaign_announce(*, actor: User | None, scope: Scope | None, campaign: Campaign) -> list[HonorHeld]:
    """After the 公示 ends: every nominee still listed holds the honor (the register) with a certificate."""
    require_perm_at(scope, HonorPerm.MANAGE, campaign.org_path)
    with transaction.atomic(), unscoped():
        campaign = (
            Campaign.all_objects.select_for_update(of=("self",))
            .select_related("org", "publication")
            .get(pk=campaign.pk)
        )
        publication = campaign.publication
        if (
            campaign.status != CampaignStatus.PUBLISHED
            or publication is None
            or publication.status != PublicationStatus.CLOSED
        ):
            raise DomainError("honors.not_announceable")
        awarded = list(
            Nomination.all_objects.filter(campaign=campaign, status=NominationStatus.PUBLISHED)
            .select_related("membership", "person")
            .order_by("pk")
        )
        # The register holds members' honors; a collective's honor is its certificate and its nomination.
        individuals = [n for n in awarded if not n.is_collective]
        certificates = (
            certificates_issue(
                actor=actor,
                scope=scope,
                kind=KIND,
                org=campaign.org,
                items=[
                    CertificateIn(
                        holder_name=n.nominee_name,
                        title=campaign.title,
                        level=campaign.level,
                        awarding_body=campaign.awarding_body,
                        year=campaign.year,
                        subject=n,
                    )
                    for n in awarded
                ],
            )
            if awarded
            else []
        )
        by_nomination = {c.subject_id: c for c in certificates}
        held = HonorHeld.all_objects.bulk_create(
            HonorHeld(
                person=n.person,
                org_id=n.membership.org_id,
                org_path=n.membership.org_path,
                holder_name=n.nominee_name,
                kind=campaign.kind,
                title=campaign.title,
                level=campaign.level,
                awarding_body=campaign.awarding_body,
                year=campaign.year,
                front_line=n.front_line,
                new_employment=n.new_employment,
                campaign=campaign,
                nomination=n,
                certificate=by_nomination.get(n.pk),
            )
            for n in individuals
            if n.membership is not None
        )
        Nomination.all_objects.filter(pk__in=[n.pk for n in awarded]).update(status=NominationStatus.AWARDED)
        campaign.status = CampaignStatus.ANNOUNCED
        campaign.save(update_fields=["status"])
        _audit(actor, "announce", campaign.org, campaign, awarded=len(awarded))
    return held


@dataclass(frozen=True)
class HonorIn:
    kind: str
    title: str
    level: str
    awarding_body: str
    year: int
    front_line: bool = False
    new_employment: bool | None = None


def honor_record(*, actor: User | None, scope: Scope | None, membership: Membership, honor: HonorIn) -> HonorHeld:
    """Put an honor a member already holds on the register (one awarded before the platform, or elsewhere)."""
    require_perm_at(scope, HonorPerm.MANAGE, membership.org_path)
    person = membership.person
    with transaction.atomic(), unscoped():
        held = HonorHeld.all_objects.create(
            person=person,
            org_id=membership.org_id,
            org_path=membership.org_path,
            holder_name=person.name,
            kind=honor.kind,
            title=honor.title.strip()[:100],
            level=honor.level.strip()[:20],
            awarding_body=honor.awarding_body.strip()[:200],
            year=honor.year,
            front_line=honor.front_line,
            new_employment=person.is_new_employment if honor.new_employment is None else honor.new_employment,
        )
        _audit(actor, "honor_record", _org(membership.org_id), held, year=honor.year, kind=honor.kind)
    return held


def share_of(value: str) -> Decimal:
    """85 or 85% or 0.85 → Decimal("0.850")."""
    text = value.strip().rstrip("%％")
    number = Decimal(text)
    return (number / 100 if number > 1 else number).quantize(Decimal("0.001"))
