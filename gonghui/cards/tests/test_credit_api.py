"""`/api/v1/credit-referrals` over real HTTP: masked ID numbers, filters, and who sees what."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from gonghui.accounts.models import Role
from gonghui.cards.models import BankPartner, CreditCardReferral
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.members.tests.factories import Api, assert_error, id_number, register

pytestmark = pytest.mark.django_db

URL = "/api/v1/credit-referrals"


@pytest.fixture
def world(tree, make_user, bearer, tmp_path: Path, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    member = register(tree.courier_union, id_number(930), name="王一")
    path = tmp_path / "f.csv"
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["申请编号", "姓名", "证件号码", "推荐工会代码", "申请日期", "审批结果", "授信额度（元）", "审批日期"]
        )
        writer.writerow(["QY1", "王一", id_number(930), "520201G001", "2025-05-01", "通过", "30000", "2025-05-08"])
        writer.writerow(["QY2", "李二", id_number(931), "520201", "2025-05-02", "审批中", "", ""])
        writer.writerow(["QY3", "张三", id_number(932), "520102", "2025-05-03", "拒绝", "", "2025-05-04"])
    run_import(get_kind("credit_referrals").build(actor=None, scope=None, org=None), path)
    Role.objects.create(name="stats_only", label="仅统计", permissions=["reports.stats.view"])
    ids = dict(CreditCardReferral.all_objects.values_list("bank_reference", "pk"))
    return {
        "member": member,
        "ids": ids,
        "officer": Api(bearer(make_user("zs_officer", ("officer", "520201")))),
        "viewer": Api(bearer(make_user("lps_viewer", ("viewer", "520200")))),
        "foreign": Api(bearer(make_user("nm_officer", ("officer", "520102")))),
        "stats_only": Api(bearer(make_user("zs_stats", ("stats_only", "520201")))),
        "anonymous": Api({}),
    }


def test_the_list_is_masked_and_filtered(world) -> None:
    resp = world["officer"].get(URL)
    assert resp.status_code == 200, resp.content.decode()
    body = resp.json()
    assert (body["count"], body["page"]) == (2, 1)
    assert [r["bank_reference"] for r in body["items"]] == ["QY2", "QY1"]  # newest application first
    first = body["items"][1]
    assert first["id_masked"] == f"{id_number(930)[:6]}********{id_number(930)[-4:]}"
    assert (first["is_member"], first["member_no"]) == (True, world["member"].person.member_no)
    assert (first["status"], first["status_label"], first["credit_line"]) == ("approved", "已核准", "30000.00")
    assert (first["org_code"], first["bank_code"], first["applied_on"]) == ("520201G001", "GZB", "2025-05-01")
    assert body["items"][0]["is_member"] is False and body["items"][0]["credit_line"] == "0.00"
    assert not any(id_number(n) in resp.content.decode() for n in (930, 931, 932))
    approved = world["officer"].get(URL, status="approved").json()
    assert [r["bank_reference"] for r in approved["items"]] == ["QY1"]
    assert world["officer"].get(URL, bank="other").json()["count"] == 0
    detail = world["officer"].get(f"{URL}/{world['ids']['QY1']}")
    assert detail.status_code == 200 and detail.json() == first


@pytest.mark.parametrize("who", ["anonymous", "foreign", "stats_only", "viewer", "officer"])
def test_the_authorization_matrix(world, who: str) -> None:
    """Anonymous: 401. Another subtree, or no cards.card.view: nothing listed, a 404 for the id. Viewers read."""
    api: Api = world[who]
    listed = api.get(URL)
    detail = api.get(f"{URL}/{world['ids']['QY1']}")
    before = list(CreditCardReferral.all_objects.order_by("pk").values())
    if who == "anonymous":
        assert listed.status_code == 401 and detail.status_code == 401
    elif who in ("foreign", "stats_only"):
        refs = [r["bank_reference"] for r in listed.json()["items"]]
        assert refs == (["QY3"] if who == "foreign" else [])
        assert_error(detail, 404, "not_found")
    else:
        assert listed.status_code == 200 and detail.status_code == 200
        assert {r["bank_reference"] for r in listed.json()["items"]} == {"QY1", "QY2"}
    # Read-only: the router has no writes at all.
    assert api.post(URL, {}).status_code in (401, 405)
    assert list(CreditCardReferral.all_objects.order_by("pk").values()) == before
