"""Traceability both ways, first in first out within a fund: a donation to its payments, a payment to its donors."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.scope import scope_for_user
from gonghui.charity import services
from gonghui.charity.models import Donation, Fund, FundEntry
from gonghui.charity.selectors import disbursement_sources, donation_trace
from gonghui.charity.tests.factories import give, make_fund, make_project, pay
from gonghui.core.scoping import Scope
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db

ALL = Scope(user_id=None, is_superuser=True)


@pytest.fixture
def w(tree) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    fund = make_fund(tree.lps, opening_fen=100_00)
    a = give(fund, 300_00, on=date(2025, 2, 1), name="甲公司")
    b = give(fund, 200_00, on=date(2025, 2, 2), kind="individual", uscc="", name="王大爷", anonymous=True)
    project = make_project(fund, name="2025 年金秋助学")
    school = pay(fund, project, 250_00, on=date(2025, 9, 1))
    student = register(tree.courier_union, id_number(61), name="赵小明")
    to_member = pay(
        fund, project, 200_00, on=date(2025, 9, 2), recipient=services.RecipientIn(kind="member", membership=student)
    )
    return {"fund": fund, "a": a, "b": b, "school": school, "to_member": to_member, "student": student}


def shares(found: list[Any]) -> list[tuple[int, int]]:
    return [(s.entry.pk, s.amount_fen) for s in found]


def test_a_donation_to_the_payments_it_made(w) -> None:
    a, b = w["a"], w["b"]
    school, to_member = (FundEntry.all_objects.get(disbursement=w[k]) for k in ("school", "to_member"))
    # The opening ¥100 goes first, then 甲's ¥300, then ¥200 from 爱心人士; ¥250 then ¥200 paid out.
    assert shares(donation_trace(scope=ALL, donation=a)) == [(school.pk, 150_00), (to_member.pk, 150_00)]
    assert shares(donation_trace(scope=ALL, donation=b)) == [(to_member.pk, 50_00)]  # ¥150 still in the fund


def test_a_payment_to_the_donors_who_made_it(w) -> None:
    school = disbursement_sources(scope=ALL, disbursement=w["school"])
    assert [(s.entry.kind, s.amount_fen) for s in school] == [("opening", 100_00), ("donation", 150_00)]
    member = disbursement_sources(scope=ALL, disbursement=w["to_member"])
    assert [(s.entry.donation_id, s.amount_fen) for s in member] == [(w["a"].pk, 150_00), (w["b"].pk, 50_00)]


def test_every_yuan_out_is_traced_to_exactly_one_yuan_in(w, tree) -> None:
    fund = w["fund"]
    c = give(fund, 1000_00, on=date(2025, 3, 1))
    services.donation_refund(actor=None, scope=None, donation=c, amount_fen=100_00, on=date(2025, 3, 2), note="退")
    pay(fund, make_project(fund, name="二期"), 333_33, on=date(2025, 9, 3))
    fund = Fund.all_objects.get(pk=fund.pk)
    traced = sum(
        s.amount_fen for d in Donation.all_objects.filter(fund=fund) for s in donation_trace(scope=ALL, donation=d)
    )
    from_opening = 100_00  # all of the opening balance was spent first
    assert traced + from_opening == fund.outflow_fen == 250_00 + 200_00 + 100_00 + 333_33


def test_the_pages_and_the_api_show_where_the_money_went(w, make_user, login, bearer) -> None:
    viewer = make_user("lps_viewer", ("viewer", "520200"))
    page = login(viewer).get(f"/charity/donations/{w['a'].pk}/").content.decode()
    assert 'data-testid="trace"' in page and "钟山区第一中学" in page and "赵*" in page and "赵小明" not in page
    headers = bearer(viewer)
    trace = Client().get(f"/api/v1/charity/donations/{w['b'].pk}/trace", **headers).json()
    assert [(t["project"], t["recipient"], t["amount"]) for t in trace] == [("2025 年金秋助学", "赵*明", "50.00")]
    sources = Client().get(f"/api/v1/charity/beneficiaries/{w['student'].pk}", **headers).json()
    assert [(s["donor"], s["amount"]) for s in sources[0]["sources"]] == [("甲公司", "150.00"), ("爱心人士", "50.00")]
    foreign = bearer(make_user("nm", ("admin", "520102")))
    assert Client().get(f"/api/v1/charity/donations/{w['a'].pk}/trace", **foreign).status_code == 404
    assert Client().get(f"/api/v1/charity/beneficiaries/{w['student'].pk}", **foreign).status_code == 404
    assert donation_trace(scope=scope_for_user(viewer), donation=w["a"])


def test_the_yearly_disclosure_names_enterprises_and_counts_people(w, make_user, login) -> None:
    viewer = login(make_user("lps_viewer", ("viewer", "520200")))
    page = viewer.get(f"/charity/funds/{w['fund'].pk}/disclosure/?year=2025").content.decode()
    assert "六盘水市职工爱心基金2025年度收支公示" in page
    assert "甲公司" in page and "王大爷" not in page and "赵小明" not in page
    assert 'data-testid="disclosure-closing">150.00 元' in page
    assert "1 家企业、1 名职工和爱心人士" in page and "2025 年金秋助学" in page and "450.00" in page
    # Where the money went: the school by name, the student masked; no ID number.
    payments = page.split('data-testid="disclosure-payments"')[1].split("</table>")[0]
    assert "钟山区第一中学" in payments and "赵*明" in payments and "250.00" in payments and "200.00" in payments
    foreign = login(make_user("nm", ("admin", "520102")))
    assert foreign.get(f"/charity/funds/{w['fund'].pk}/disclosure/?year=2025").status_code == 404
    # The public page (its link on the printed notice's QR code): the same notice, without signing in.
    link = re.search(r'href="(http://testserver/charity/public/[^"]+)" data-testid="public-link"', page)
    assert link is not None
    public = Client().get(link.group(1))
    assert public.status_code == 200
    body = public.content.decode()
    assert "赵*明" in body and "赵小明" not in body and "王大爷" not in body and "钟山区第一中学" in body
    assert 'data-testid="public-link"' not in body
    forged = link.group(1).replace("/2025/", "/2024/")
    assert Client().get(forged).status_code == 404


def test_the_members_page_shows_who_paid_them(w, make_user, login) -> None:
    officer = login(make_user("lps_officer", ("officer", "520200")))
    page = officer.get(f"/members/{w['student'].pk}/").content.decode()
    assert 'data-testid="member-charity"' in page
    assert "甲公司 150.00 元" in page and "爱心人士 50.00 元" in page and "王大爷" not in page
    other = register(w["student"].org, id_number(62), name="钱同学")
    assert 'data-testid="member-charity"' not in officer.get(f"/members/{other.pk}/").content.decode()


def test_a_gift_that_paid_many_payments_is_traced_past_the_first_page(w) -> None:
    """The trace reads the fund's line a page at a time (8 rows, then 500): a big gift's many payments all come."""
    fund = w["fund"]
    big = give(fund, 5000_00, on=date(2025, 3, 1))
    project = make_project(fund, name="小额资助")
    payments = [pay(fund, project, 100_00, on=date(2025, 9, 3)) for _ in range(30)]
    paid = [FundEntry.all_objects.get(disbursement=p).pk for p in payments]  # general line only: one row each
    found = shares(donation_trace(scope=ALL, donation=big))
    # Before it ¥150 of 爱心人士's gift was unspent: it pays the first payment and half the second.
    assert found == [(paid[1], 50_00)] + [(pk, 100_00) for pk in paid[2:]]
