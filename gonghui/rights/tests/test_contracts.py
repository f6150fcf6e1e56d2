"""Collective contracts: the date rules (term, 10-day filing, 15-day review, 20-day reply, expiry
alert), registering with every mistake at once, renewal, scope, and the statistics keys."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.stats import stats_collect
from gonghui.core.validators import uscc_with_check
from gonghui.rights import contracts, selectors
from gonghui.rights.contracts import EmployerIn, contract_register
from gonghui.rights.models import CollectiveContract, ContractEmployer, ReviewResult

pytestmark = pytest.mark.django_db


def uscc(n: int) -> str:
    return uscc_with_check(f"91520201MA{n:07d}")


RAW: dict[str, Any] = {
    "title": "钟山区某公司工资专项集体合同",
    "kind": "工资专项",
    "scope": "企业",
    "signed_on": date(2026, 1, 10),
    "starts_on": date(2026, 1, 10),
    "ends_on": date(2027, 1, 9),
    "union_chief": "李主席",
    "employer_chief": "王总",
    "vote_body": "职代会",
    "voted_on": date(2026, 1, 5),
    "votes_for": 48,
    "votes_against": 2,
    "women_workers": 30,
    "wage_increase_pct": "5.5",
}


def register(
    people: dict[str, Any], who: str = "county", *, employers: list[EmployerIn] | None = None, **raw: Any
) -> CollectiveContract:
    user = people["users"][who]
    return contract_register(
        actor=user,
        scope=scope_for_user(user),
        org=people["tree"].zhongshan,
        raw={**RAW, **raw},
        employers=employers if employers is not None else [EmployerIn("某公司", uscc(1), 120)],
    )


def test_the_date_rules() -> None:
    assert contracts.filing_due(date(2026, 1, 10)) == date(2026, 1, 20)
    assert contracts.review_ends(date(2026, 1, 20)) == date(2026, 2, 4)
    assert contracts.reply_due(date(2026, 3, 1)) == date(2026, 3, 21)
    assert contracts.term_ok(date(2026, 1, 1), date(2026, 12, 31))
    assert contracts.term_ok(date(2026, 1, 1), date(2029, 1, 1))
    assert not contracts.term_ok(date(2026, 1, 1), date(2026, 12, 30))
    assert not contracts.term_ok(date(2026, 1, 1), date(2029, 1, 2))
    assert contracts.term_ok(date(2024, 2, 29), date(2027, 2, 28))
    assert not contracts.expiring(date(2026, 12, 31), date(2026, 9, 30))
    assert contracts.expiring(date(2026, 12, 31), date(2026, 10, 1))
    assert contracts.add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)


def test_filing_review_and_the_state_on_a_day(people) -> None:  # type: ignore[no-untyped-def]
    c = register(people)
    state = contracts.contract_state(c, date(2026, 1, 20))
    assert not state.filed_late and not state.effective and not state.in_review
    assert contracts.contract_state(c, date(2026, 1, 21)).filed_late  # ten days passed unfiled
    scope, user = scope_for_user(people["users"]["county"]), people["users"]["county"]
    c = contracts.contract_file(actor=user, scope=scope, contract=c, filed_on=date(2026, 1, 22))
    assert (
        contracts.contract_state(c, date(2026, 2, 6)).in_review
        and contracts.contract_state(c, date(2026, 2, 6)).filed_late
    )
    # No objection within the fifteen days: effective.
    assert contracts.contract_state(c, date(2026, 2, 7)).effective
    with pytest.raises(DomainError):
        contracts.contract_file(actor=user, scope=scope, contract=c, filed_on=date(2026, 1, 23))
    with pytest.raises(DomainError) as exc:
        contracts.contract_review(actor=user, scope=scope, contract=c, objection=True)
    assert exc.value.code == "rights.note_required"
    c = contracts.contract_review(actor=user, scope=scope, contract=c, objection=True, note="工资条款低于最低工资")
    assert c.review == ReviewResult.OBJECTION and not contracts.contract_state(c, date(2026, 3, 1)).effective


def test_registering_names_every_mistake_at_once(people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        register(
            people,
            kind="奖金合同",
            title="",
            ends_on=date(2030, 1, 10),
            voted_on=date(2026, 2, 1),
            votes_for=3,
            votes_against=5,
            employers=[EmployerIn("甲", uscc(1), 10), EmployerIn("乙", "123", 10)],
        )
    assert set(exc.value.details) == {"kind", "title", "ends_on", "voted_on", "votes_for", "employers"}
    with pytest.raises(DomainError) as exc:
        register(people, employers=[EmployerIn("甲", uscc(1), 10), EmployerIn("乙", uscc(2), 10)])
    assert "行业性或区域性" in exc.value.details["employers"]
    with pytest.raises(DomainError) as exc:
        register(people, women_workers=500)
    assert set(exc.value.details) == {"women_workers"}
    with pytest.raises(PermissionDeniedError):
        register(people, "viewer")
    with pytest.raises(PermissionDeniedError):
        register(people, "sibling")
    assert not CollectiveContract.all_objects.exists()


def test_renewal_links_the_new_to_the_old_once(people) -> None:  # type: ignore[no-untyped-def]
    old = register(people)
    user, scope = people["users"]["county"], scope_for_user(people["users"]["county"])
    raw = {
        **RAW,
        "signed_on": date(2027, 1, 5),
        "starts_on": date(2027, 1, 10),
        "ends_on": date(2029, 1, 9),
        "voted_on": date(2027, 1, 4),
    }
    employers = [EmployerIn("某公司", uscc(1), 130)]
    new = contract_register(
        actor=user, scope=scope, org=people["tree"].zhongshan, raw=raw, employers=employers, renews=old
    )
    assert new.renews_id == old.pk
    with pytest.raises(DomainError) as exc:
        contract_register(
            actor=user, scope=scope, org=people["tree"].zhongshan, raw=raw, employers=employers, renews=old
        )
    assert exc.value.code == "rights.contract_renewed"
    # The expiry list shows only the contract not renewed, once its last three months begin.
    assert list(selectors.contract_list(scope=scope, expiring_by=date(2026, 12, 1))) == []
    assert list(selectors.contract_list(scope=scope, expiring_by=date(2028, 10, 10))) == [new]


def test_statistics_count_employers_once_and_contracts_by_kind(people) -> None:  # type: ignore[no-untyped-def]
    register(people)  # a wage contract of one firm (120 workers)
    register(people, kind="女职工专项", women_workers=10)  # the same firm: counted once
    register(
        people,
        kind="安全卫生",
        scope="区域",
        women_workers=0,
        employers=[EmployerIn("合作社甲", uscc(2), 15), EmployerIn("合作社乙", uscc(3), 25)],
    )
    figures = stats_collect([people["tree"].zhongshan.path])
    assert {k: figures[k] for k in ("contracts", "contracts_wage", "contracts_women", "contracts_safety")} == {
        "contracts": 3,
        "contracts_wage": 1,
        "contracts_women": 1,
        "contracts_safety": 1,
    }
    assert (figures["contract_employers"], figures["contract_workers"]) == (3, 160)
    assert stats_collect([people["tree"].nanming.path])["contracts"] == 0
    assert ContractEmployer.objects.count() == 4
