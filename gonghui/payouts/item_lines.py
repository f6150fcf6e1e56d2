"""What a maker types or picks to fill a payout batch, turned into (membership, amount) pairs.

Two ways in from the page: lines of "会员编号或证件号码 金额" pasted from a
spreadsheet, or one amount for every member of the batch's union who holds an
activated card of its bank (a festival greeting goes to everyone). Either way
the service `payout_items_add` has the last word on each pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonghui.cards.models import CardStatus, ServiceCard
from gonghui.cards.selectors import memberships_by_key
from gonghui.core.errors import DomainError
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.payouts.models import PayoutBatch

MAX_LINES = 5000
SEPARATORS = re.compile(r"[\s,，;；]+")


@dataclass
class LineRefusal:
    line: int
    text: str
    reason: str


@dataclass
class ParsedLines:
    pairs: list[tuple[int, int]]  # (membership id, fen)
    line_of: dict[int, int]  # membership id → line number, to report refusals where they were typed
    refusals: list[LineRefusal]


def parse_item_lines(batch: PayoutBatch, text: str) -> ParsedLines:
    """Each non-blank line: a member number or an ID number, then an amount in yuan."""
    from gonghui.payouts.services import yuan_to_fen

    wanted: list[tuple[int, str, str, int]] = []  # (line, text, key, fen)
    refusals: list[LineRefusal] = []
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if len(lines) > MAX_LINES:
        raise DomainError("payout.too_many_lines", field="lines", limit=MAX_LINES)
    for n, line in lines:
        parts = [p for p in SEPARATORS.split(line) if p]
        if len(parts) != 2:
            refusals.append(LineRefusal(n, line, "每行应为“会员编号或证件号码 金额”两项"))
            continue
        try:
            fen = yuan_to_fen(parts[1])
        except DomainError as exc:
            refusals.append(LineRefusal(n, line, exc.message))
            continue
        wanted.append((n, line, parts[0], fen))

    ids = memberships_by_key(batch.org_path, [key for _, _, key, _ in wanted])
    pairs: list[tuple[int, int]] = []
    line_of: dict[int, int] = {}
    for n, line, key, fen in wanted:
        ms_id = ids.get(key)
        if ms_id is None:
            refusals.append(LineRefusal(n, line, "本批次发放工会范围内没有这名会员"))
        elif ms_id in line_of:
            refusals.append(LineRefusal(n, line, f"与第 {line_of[ms_id]} 行是同一名会员"))
        else:
            line_of[ms_id] = n
            pairs.append((ms_id, fen))
    return ParsedLines(pairs, line_of, refusals)


def cardholder_memberships(batch: PayoutBatch) -> list[int]:
    """Active members of the batch's union (subtree) with an activated card of its bank."""
    with unscoped():
        holders = ServiceCard.objects.filter(bank=batch.bank, status=CardStatus.ACTIVATED).values("person_id")
        return list(
            Membership.objects.filter(
                subtree_q("org_path", batch.org_path), status=MembershipStatus.ACTIVE, person_id__in=holders
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
