"""`/api/v1/charity`: every endpoint for anonymous, another union, no permission and the right caller."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gonghui.charity.models import Activity, Disbursement, Donation, Fund, FundEntry, Project
from gonghui.charity.tests.factories import enterprise_uscc, give, make_fund, make_project
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    fund = make_fund(tree.lps, opening_fen=1000_00)
    project = make_project(fund)
    return {
        "fund": fund,
        "project": project,
        "gift": give(fund, 100_00),
        "admin": bearer(make_user("lps_admin", ("admin", "520200"))),
        "officer": bearer(make_user("lps_officer", ("officer", "520200"))),
        "viewer": bearer(make_user("lps_viewer", ("viewer", "520200"))),
        "foreign": bearer(make_user("nm_admin", ("admin", "520102"))),
    }


def post(headers: dict[str, str], url: str, body: dict[str, Any]) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **headers)


def snapshot() -> tuple[int, ...]:
    return (
        Fund.all_objects.count(),
        Donation.all_objects.count(),
        Project.all_objects.count(),
        Disbursement.all_objects.count(),
        Activity.all_objects.count(),
        FundEntry.all_objects.count(),
        sum(Fund.all_objects.values_list("balance_fen", flat=True)),
    )


def test_reads_are_scoped(w) -> None:
    fund, project, gift = w["fund"], w["project"], w["gift"]
    urls = [
        f"/api/v1/charity/funds/{fund.pk}",
        f"/api/v1/charity/funds/{fund.pk}/ledger",
        f"/api/v1/charity/funds/{fund.pk}/accounts?year=2025",
        f"/api/v1/charity/donations/{gift.pk}",
        f"/api/v1/charity/projects/{project.pk}",
    ]
    for url in urls:
        assert Client().get(url).status_code == 401
        assert Client().get(url, **w["foreign"]).json()["code"] == "not_found", url
        assert Client().get(url, **w["viewer"]).status_code == 200, url
    assert Client().get("/api/v1/charity/funds", **w["foreign"]).json()["count"] == 0
    listed = Client().get("/api/v1/charity/funds", **w["viewer"]).json()
    assert listed["items"][0]["balance"] == "1100.00"
    accounts = Client().get(f"/api/v1/charity/funds/{fund.pk}/accounts?year=2025", **w["viewer"]).json()
    assert (accounts["opening"], accounts["donations"], accounts["closing"]) == ("1000.00", "100.00", "1100.00")
    ledger = Client().get(f"/api/v1/charity/funds/{fund.pk}/ledger", **w["viewer"]).json()
    assert [e["kind"] for e in ledger["items"]] == ["donation", "opening"]


def test_writes_refused_change_nothing(w) -> None:
    fund, project, gift = w["fund"], w["project"], w["gift"]
    before = snapshot()
    writes = [
        (
            "/api/v1/charity/funds",
            {"org_code": "520200", "name": "新基金", "kind": "本级", "opened_on": "2025-01-01"},
        ),
        (
            f"/api/v1/charity/funds/{fund.pk}/donations",
            {
                "donor_kind": "企业",
                "donor_name": "某公司",
                "uscc": enterprise_uscc(2),
                "amount": "10",
                "received_on": "2025-03-01",
            },
        ),
        (f"/api/v1/charity/donations/{gift.pk}/refunds", {"amount": "10", "on": "2025-03-02", "note": "退"}),
        (
            "/api/v1/charity/projects",
            {
                "fund_id": fund.pk,
                "name": "新项目",
                "purpose": "助学",
                "budget": "10",
                "starts_on": "2025-01-01",
                "ends_on": "2025-12-31",
            },
        ),
        (
            f"/api/v1/charity/projects/{project.pk}/disbursements",
            {"recipient_kind": "学校", "recipient_name": "某校", "amount": "10", "paid_on": "2025-09-01"},
        ),
        (f"/api/v1/charity/projects/{project.pk}/activities", {"name": "助学仪式", "held_on": "2025-09-10"}),
    ]
    for url, body in writes:
        assert Client().post(url, json.dumps(body), content_type="application/json").status_code == 401
        foreign = post(w["foreign"], url, body)
        assert foreign.status_code == 404, (url, foreign.json())
        viewer = post(w["viewer"], url, body)
        assert viewer.status_code == 403, (url, viewer.json())
        assert snapshot() == before
    done = [post(w["admin"], url, body).status_code for url, body in writes]
    assert done == [201, 201, 200, 201, 201, 201]
    assert Fund.all_objects.filter(name="新基金").exists()


def test_everyday_words_and_refusals(w, tree) -> None:
    fund = w["fund"]
    url = f"/api/v1/charity/funds/{fund.pk}/donations"
    bad = post(w["officer"], url, {"donor_kind": "外星人", "amount": "10", "received_on": "2025-03-01"})
    assert bad.status_code == 400 and "donor_kind" in bad.json()["details"]
    register(tree.courier_union, id_number(41), name="张师傅")
    member = post(
        w["officer"],
        url,
        {
            "donor_kind": "职工",
            "id_number": id_number(41),
            "amount": "¥50",
            "received_on": "2025-03-01",
            "anonymous": True,
        },
    )
    assert member.status_code == 201
    assert (member.json()["donor"], member.json()["id_masked"], member.json()["amount"]) == ("爱心人士", "", "50.00")
    stranger = post(
        w["officer"],
        url,
        {
            "donor_kind": "个人",
            "donor_name": "李女士",
            "id_number": id_number(42, area="110101"),
            "amount": "20",
            "received_on": "2025-03-01",
        },
    )
    assert id_number(42, area="110101") not in stranger.content.decode()
    pay = f"/api/v1/charity/projects/{w['project'].pk}/disbursements"
    over = post(
        w["officer"],
        pay,
        {"recipient_kind": "org", "recipient_name": "某校", "amount": "5000", "paid_on": "2025-09-01"},
    )
    assert (over.status_code, over.json()["code"]) == (409, "charity.insufficient_balance")


def test_statistics(w, tree) -> None:
    fund, project = w["fund"], w["project"]
    give(fund, 200_00, uscc=enterprise_uscc(3))
    give(fund, 300_00)  # the same enterprise as the fixture's gift
    ms = register(tree.courier_union, id_number(51), name="张师傅")
    give(fund, 10_00, kind="individual", uscc="", id_number=id_number(51))
    give(fund, 10_00, kind="individual", uscc="", id_number=id_number(51))
    give(fund, 10_00, kind="individual", uscc="", name="李女士", id_number=id_number(52, area="110101"))
    give(fund, 10_00, kind="individual", uscc="", name="路人", anonymous=True)
    from gonghui.charity import services

    services.disbursement_record(
        actor=None,
        scope=None,
        fund=fund,
        project=project,
        recipient=services.RecipientIn(kind="member", membership=ms),
        amount_fen=150_00,
        paid_on=project.starts_on,
    )
    services.activity_record(actor=None, scope=None, project=project, name="助学仪式", held_on=project.starts_on)
    figures = stats_collect([tree.lps.path])
    assert figures["charity_funds"] == 1 and figures["charity_activities"] == 1
    assert figures["charity_donations_yuan"] == 640.0
    assert (figures["charity_donor_enterprises"], figures["charity_donor_workers"], figures["charity_donors"]) == (
        2,
        3,
        5,
    )
    assert (figures["charity_projects"], figures["charity_spent_yuan"], figures["charity_disbursed_yuan"]) == (
        1,
        150.0,
        150.0,
    )
    assert (figures["charity_beneficiaries"], figures["charity_industries"], figures["charity_provinces"]) == (1, 1, 1)
    assert figures["charity_balance_yuan"] == 1000 + 640 - 150
    assert all(isinstance(v, int | float) for k, v in figures.items() if k.startswith("charity_"))
    assert stats_collect([tree.nanming.path])["charity_donations_yuan"] == 0
    assert Client().get("/api/v1/stats", **w["viewer"]).status_code == 200


def test_a_year_out_of_range_is_refused_not_an_error_page(w) -> None:
    url = f"/api/v1/charity/funds/{w['fund'].pk}/accounts?year=99999"
    resp = Client().get(url, **w["viewer"])
    assert (resp.status_code, resp.json()["code"]) == (400, "charity.year_invalid")
