"""Honors' writes: campaigns, nominations, lists passed up under quotas, reviews, the 公示, the
announcement (the register and certificates) and honors recorded directly (lecture tours: `lectures`).

Every write checks its permission at the union it acts for, locks what it changes and is audited
as `honors.<verb>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.honors import quotas
from gonghui.honors.models import (
    Campaign,
    CampaignStatus,
    Decision,
    HonorHeld,
    Nomination,
    NominationStatus,
    Place,
    QuotaRule,
    Review,
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
) -> Campaign:
    """A campaign of `org` for `year`: places per lower union (org id → places, else the default) and quotas."""
    require_perm_at(scope, HonorPerm.MANAGE, org.path)
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
        _audit(actor, "campaign_create", org, campaign, year=year, kind=kind, quotas=len(rules))
    return campaign


def campaign_rules(campaign: Campaign) -> list[quotas.Rule]:
    return [
        quotas.Rule(r.attribute, r.bound, r.share, r.count)
        for r in QuotaRule.objects.filter(campaign=campaign).order_by("pk")
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
) -> Nomination:
    """Nominate a live member of `org`'s subtree; woman, minority, 农民工, new employment come from the registry."""
    require_perm_at(scope, HonorPerm.NOMINATE, org.path)
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError(
            "honors.campaign_closed", campaign=str(campaign), state=campaign.get_status_display(), action="推荐"
        )
    if org.pk == campaign.org_id or not is_within(org.path, campaign.org_path):
        raise DomainError("honors.not_below", field="org")
    if membership.status not in LIVE_STATUSES or not is_within(membership.org_path, org.path):
        raise DomainError("honors.not_member", field="member")
    if not deeds.strip():
        raise DomainError("honors.deeds_required", field="deeds")
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
            nominated_by=_user(actor),
        )
        _audit(actor, "nominate", org, nomination, campaign=campaign.pk)
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


def list_figures(campaign: Campaign, org: Org) -> list[quotas.Figure]:
    """The places and quotas of `org`'s list as it stands (the page shows them live)."""
    return quotas.quota_figures(
        campaign_rules(campaign), [n.attributes() for n in list_pending(campaign, org)], places_of(campaign, org)
    )


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
        figures = quotas.quota_figures(
            campaign_rules(campaign), [n.attributes() for n in pending], places_of(campaign, org)
        )
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
            for n in awarded
        )
        Nomination.all_objects.filter(pk__in=[n.pk for n in awarded]).update(status=NominationStatus.AWARDED)
        campaign.status = CampaignStatus.ANNOUNCED
        campaign.save(update_fields=["status"])
        _audit(actor, "announce", campaign.org, campaign, awarded=len(held))
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
