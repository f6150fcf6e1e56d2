"""The quota arithmetic: a list of nominees against its places and quota rules. Pure: no database.

A share is exact (a fraction of the list): 85% of 20 is 17, and 16 is short. A list over its
places is refused too. Every figure is returned, met or not, so a refusal can show them all.

The quota rules speak of people (一线职工, 女性 …), so they count the list's individual nominees
only; a collective nominee (a union or a team, for 五一劳动奖状 and 工人先锋号) takes a place but
is neither in the numerator nor in the denominator of a share.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

ATTRIBUTE_LABELS = {
    "front_line": "一线职工",
    "migrant": "农民工",
    "new_employment": "新就业形态劳动者",
    "woman": "女性",
    "minority": "少数民族",
    "enterprise_head": "企业负责人",
}


@dataclass(frozen=True)
class Rule:
    attribute: str
    bound: str  # min_share, max_share, min_count
    share: Decimal | None = None
    count: int | None = None


@dataclass(frozen=True)
class Figure:
    label: str
    have: int
    total: int
    required: str
    ok: bool

    @property
    def text(self) -> str:
        share = f"{self.have * 100 / self.total:.1f}%" if self.total else "—"
        verdict = "符合" if self.ok else "不符合"
        return f"{self.label}：{self.have}/{self.total}（{share}），要求{self.required}，{verdict}"


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def rule_figure(rule: Rule, nominees: Sequence[Collection[str]]) -> Figure:
    """One rule against the list (each nominee given as the set of attributes they have)."""
    label = ATTRIBUTE_LABELS.get(rule.attribute, rule.attribute)
    total = len(nominees)
    have = sum(1 for n in nominees if rule.attribute in n)
    if rule.bound == "min_count":
        need = rule.count or 0
        return Figure(label, have, total, f"不少于 {need} 人", have >= need)
    share = Fraction(rule.share if rule.share is not None else Decimal(0))
    if rule.bound == "min_share":
        return Figure(
            label, have, total, f"不低于 {_pct(Decimal(str(rule.share)))}", total > 0 and have >= share * total
        )
    if rule.bound == "max_share":
        return Figure(label, have, total, f"不高于 {_pct(Decimal(str(rule.share)))}", have <= share * total)
    raise ValueError(f"unknown bound {rule.bound!r}")


def quota_figures(
    rules: Sequence[Rule], nominees: Sequence[Collection[str]], places: int | None, collectives: int = 0
) -> list[Figure]:
    """The places and every rule, each with its figures and whether the list meets it.

    `nominees` are the individual nominees (each as its attributes); `collectives` the number of
    collective ones, which count against the places only.
    """
    figures = []
    if places is not None:
        total = len(nominees) + collectives
        figures.append(Figure("名额", total, total, f"不超过 {places} 人", 0 < total <= places))
    figures.extend(rule_figure(r, nominees) for r in rules)
    return figures


def quotas_met(figures: Sequence[Figure]) -> bool:
    return all(f.ok for f in figures)


def rule_text(rule: Rule) -> str:
    """一线职工不低于 85%, 新就业形态劳动者不少于 2 人."""
    label = ATTRIBUTE_LABELS.get(rule.attribute, rule.attribute)
    if rule.bound == "min_count":
        return f"{label}不少于 {rule.count} 人"
    word = "不低于" if rule.bound == "min_share" else "不高于"
    return f"{label}{word} {_pct(Decimal(str(rule.share)))}"
