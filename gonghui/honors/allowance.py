"""劳模津贴: a union's standard (an amount per month or per year for honors of a level and above),
and a period's payment handed to a payout batch through the payouts app's services.

Once per period: the batch's reference names the period, the union and the level, and a second
run for the same period is refused with the existing batch (unless it was cancelled). The payouts
app's own rule — one pending or paid item per person, purpose and reference — backs it.
Writes are audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.cards.models import BankPartner
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.honors.models import (
    MODEL_WORKER_KINDS,
    AllowancePeriod,
    AllowanceStandard,
    HonorHeld,
    LevelFloor,
)
from gonghui.honors.permissions import HonorPerm
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org
from gonghui.payouts.models import BatchStatus, PayoutBatch, PayoutPurpose
from gonghui.payouts.services import payout_batch_create, payout_items_add

LEVELS = {value: str(label) for value, label in LevelFloor.choices}


def level_rank(level: str) -> int:
    """An honor's level as typed on the register, ranked: 全国 4, 省部级 3, 市级 2, 县级 1, other 0."""
    text = level.strip()
    if "全国" in text or "国家" in text:
        return 4
    if any(w in text for w in ("省", "部", "自治区", "直辖市")):
        return 3
    if any(w in text for w in ("市", "地", "州", "盟")):
        return 2
    if any(w in text for w in ("县", "区", "旗")):
        return 1
    return 0


def allowance_standard_set(
    *, actor: User | None, scope: Scope | None, org: Org, level_floor: str, period: str, amount_fen: int
) -> AllowanceStandard:
    """Set (or change) `org`'s 劳模津贴 for honors of `level_floor` and above."""
    require_perm_at(scope, HonorPerm.MANAGE, org.path)
    if level_floor not in LEVELS or period not in AllowancePeriod.values or amount_fen <= 0:
        raise ValueError((level_floor, period, amount_fen))
    with transaction.atomic(), unscoped():
        standard, _created = AllowanceStandard.all_objects.update_or_create(
            org=org,
            level_floor=level_floor,
            defaults={"org_path": org.path, "period": period, "amount_fen": amount_fen},
        )
        audit_record(
            actor=actor,
            action="honors.allowance_standard",
            org=org,
            target=standard,
            data={"level": LEVELS[level_floor], "period": period, "amount_fen": amount_fen},
        )
    return standard


def period_label(standard: AllowanceStandard, period: str) -> str:
    """ "2026-03" → "2026年3月" (monthly), "2026" → "2026年" (yearly); refused when it does not fit."""
    text = period.strip()
    if standard.period == AllowancePeriod.MONTH:
        m = re.fullmatch(r"(20\d\d)[-./年]?(0?[1-9]|1[0-2])月?", text)
        if m is None:
            raise DomainError("honors.allowance_period_invalid", field="period", example="年-月，如 2026-03")
        return f"{m.group(1)}年{int(m.group(2))}月"
    m = re.fullmatch(r"(20\d\d)年?", text)
    if m is None:
        raise DomainError("honors.allowance_period_invalid", field="period", example="年份，如 2026")
    return f"{m.group(1)}年"


def payout_reference(standard: AllowanceStandard, label: str) -> str:
    """The batch's reference for a period: a holder is paid once under it (the payouts' rule)."""
    return f"{label}劳模津贴（{standard.org.code}·{LEVELS[standard.level_floor]}及以上）"


@dataclass(frozen=True)
class Holder:
    membership_id: int
    person_id: int
    name: str


def allowance_holders(standard: AllowanceStandard) -> list[Holder]:
    """The 劳模 and 工匠 on the register under the standard's union whose honor is of its level or above,
    each once, with their active membership under the union (a holder who left is not paid)."""
    floor = int(standard.level_floor)
    with unscoped():
        rows = (
            HonorHeld.all_objects.filter(subtree_q("org_path", standard.org_path), kind__in=MODEL_WORKER_KINDS)
            .values_list("person_id", "holder_name", "level")
            .order_by("holder_name", "person_id")
        )
        people: dict[int, str] = {}
        for person_id, name, level in rows:
            if level_rank(level) >= floor:
                people.setdefault(person_id, name)
        memberships = dict(
            Membership.all_objects.filter(
                subtree_q("org_path", standard.org_path), person_id__in=list(people), status=MembershipStatus.ACTIVE
            )
            .order_by("person_id", "pk")
            .values_list("person_id", "pk")
        )
    return [Holder(memberships[p], p, name) for p, name in people.items() if p in memberships]


@dataclass(frozen=True)
class AllowanceRefusal:
    name: str
    reason: str


def existing_batch(standard: AllowanceStandard, reference: str) -> PayoutBatch | None:
    with unscoped():
        return (
            PayoutBatch.all_objects.filter(
                org_id=standard.org_id, purpose=PayoutPurpose.MODEL_WORKER, reference=reference
            )
            .exclude(status=BatchStatus.CANCELLED)
            .order_by("pk")
            .first()
        )


def allowance_batch_create(
    *, actor: User | None, scope: Scope | None, standard: AllowanceStandard, period: str, bank: BankPartner
) -> tuple[PayoutBatch, list[AllowanceRefusal]]:
    """A draft payout batch of the period's 劳模津贴 to the holders' service cards; once per period.

    A holder without an activated card of `bank` is refused with the reason (named), the others
    are in the batch; the batch then follows the payouts' maker–checker path.
    """
    require_perm_at(scope, HonorPerm.MANAGE, standard.org_path)
    with transaction.atomic():
        with unscoped():
            # Two runs for one period at once: the second waits here, then finds the first's batch.
            standard = AllowanceStandard.all_objects.select_for_update().select_related("org").get(pk=standard.pk)
        label = period_label(standard, period)
        reference = payout_reference(standard, label)
        found = existing_batch(standard, reference)
        if found is not None:
            raise DomainError("honors.allowance_exists", period=label, title=found.title, batch=found.pk)
        holders = allowance_holders(standard)
        if not holders:
            raise DomainError("honors.allowance_nobody", org=standard.org.name, level=LEVELS[standard.level_floor])
        batch = payout_batch_create(
            actor=actor,
            scope=scope,
            org=standard.org,
            bank=bank,
            purpose=PayoutPurpose.MODEL_WORKER,
            reference=reference,
            title=f"{standard.org.name}{reference}",
        )
        refused = payout_items_add(
            actor=actor,
            scope=scope,
            batch=batch,
            items=[(h.membership_id, standard.amount_fen) for h in holders],
        )
        names = {h.membership_id: h.name for h in holders}
        refusals = [AllowanceRefusal(names.get(r.membership_id, ""), r.reason) for r in refused]
        if len(refusals) == len(holders):
            # An empty batch would only block the period: nothing is kept, every reason is named.
            raise DomainError(
                "honors.allowance_nobody_paid", reasons="；".join(f"{r.name}：{r.reason}" for r in refusals[:10])
            )
        audit_record(
            actor=actor,
            action="honors.allowance_batch",
            org=standard.org,
            target=batch,
            data={
                "reference": reference,
                "holders": len(holders),
                "paid": len(holders) - len(refusals),
                "refused": len(refusals),
                "amount_fen": standard.amount_fen,
            },
        )
    return batch, refusals
