"""Relief visits (送温暖, 慰问, 温暖服务季) and the caps that bound them (DOMAIN §4).

A visit gives a worker's household cash, goods (at their value), insurance
policies or housing help. What one person receives for one kind of visit in a
calendar year is capped by the province's (or a city's, or a county's) rule:
Guizhou's 春节 ≤ ¥500, other festivals ≤ ¥200. The cap is checked under a lock
on the person's row, so two cadres recording at once cannot pass it together.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.aid import errors as _errors  # noqa: F401  (registers messages)
from gonghui.aid.models import ReliefCampaign, ReliefEvent, ReliefVisit, WelfareRule
from gonghui.aid.permissions import AidPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.regions import first_by_region
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.members.models import Membership, MembershipStatus, Person

EVENTS = dict(ReliefEvent.choices)


def welfare_rule(region_code: str, event: str) -> WelfareRule | None:
    """The cap that applies in a region: its own, else its prefecture's, else its province's."""
    return first_by_region(WelfareRule.objects.filter(event=event), region_code)


def relief_visit_record(
    *,
    actor: User | None,
    scope: Scope | None,
    membership: Membership,
    event: str,
    visited_on: date,
    cash_fen: int = 0,
    goods_fen: int = 0,
    goods_note: str = "",
    insurance_policies: int = 0,
    housing: bool = False,
    campaign: ReliefCampaign | None = None,
    note: str = "",
) -> ReliefVisit:
    """Record a visit to a member's household by their union (or one above it), within the year's cap."""
    require_perm_at(scope, AidPerm.RELIEF, membership.org_path)
    if event not in EVENTS:
        raise DomainError("aid.event_unknown", field="event")
    if min(cash_fen, goods_fen, insurance_policies) < 0:
        raise DomainError("aid.relief_negative", field="cash_fen")
    if not (cash_fen or goods_fen or insurance_policies or housing):
        raise DomainError("aid.relief_empty")
    if visited_on > timezone.localdate():
        # A visit is recorded once made: the one rule for the page, the API and the console.
        raise DomainError("aid.relief_in_future", field="visited_on")
    if campaign is not None and not (campaign.starts_on <= visited_on <= campaign.ends_on):
        raise DomainError("aid.relief_outside_campaign", field="visited_on", campaign=campaign.name)
    with transaction.atomic(), unscoped():
        ms = Membership.all_objects.select_related("org", "person").get(pk=membership.pk)
        if ms.status != MembershipStatus.ACTIVE:
            raise DomainError("aid.not_member")
        # Serializes visits to the same person: the cap below is read and kept in one step.
        Person.objects.select_for_update().filter(pk=ms.person_id).first()
        amount = cash_fen + goods_fen
        rule = welfare_rule(ms.org.region_code, event)
        if rule is not None and amount:
            given = (
                ReliefVisit.objects.filter(
                    person_id=ms.person_id, event=event, visited_on__year=visited_on.year
                ).aggregate(total=Sum("cash_fen") + Sum("goods_fen"))["total"]
                or 0
            )
            if given + amount > rule.cap_fen:
                raise DomainError(
                    "aid.relief_over_cap",
                    event=EVENTS[event],
                    cap=f"{rule.cap_fen / 100:.2f}",
                    name=ms.person.name,
                    given=f"{given / 100:.2f}",
                    amount=f"{amount / 100:.2f}",
                )
        visit = ReliefVisit.all_objects.create(
            campaign=campaign,
            org=ms.org,
            org_path=ms.org_path,
            person_id=ms.person_id,
            event=event,
            visited_on=visited_on,
            cash_fen=cash_fen,
            goods_fen=goods_fen,
            goods_note=goods_note.strip()[:200],
            insurance_policies=insurance_policies,
            housing=housing,
            note=note.strip()[:200],
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="aid.relief.record",
            org=ms.org,
            target=visit,
            data={"event": event, "cash_fen": cash_fen, "goods_fen": goods_fen, "policies": insurance_policies},
        )
    return visit
