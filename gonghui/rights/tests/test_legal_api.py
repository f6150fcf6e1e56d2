"""`/api/v1/rights` legal aid: lawyers, legal-aid matters and visits over HTTP, list and detail,
scoped (a sibling county's id is a 404, its lists empty), phones masked, amounts in fen and yuan."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from gonghui.core.tests.clients import client as new_client
from gonghui.rights import legal
from gonghui.rights.tests.legal_factories import USCC, add_lawyer, county_case

pytestmark = pytest.mark.django_db

API = "/api/v1/rights"


@pytest.fixture
def api(people, login) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    return {name: login(user) for name, user in people["users"].items()} | {"anonymous": new_client()}


def test_lawyers_matters_and_visits_read_within_scope(people, api, clock) -> None:  # type: ignore[no-untyped-def]
    tree, county = people["tree"], people["scopes"]["county"]
    lw = add_lawyer(tree.lps)
    add_lawyer(tree.nanming, licence_no="2" * 17, name="赵律师")
    matter = legal.aid_open(
        actor=None, scope=county, case=county_case(people), form="仲裁", lawyer_id=lw.pk, opened_on=date(2026, 3, 2)
    )
    legal.aid_hearing(actor=None, scope=county, matter=matter, held_on=date(2026, 3, 9), body="劳动人事争议仲裁委员会")
    legal.aid_close(
        actor=None, scope=county, matter=matter, closed_on=date(2026, 4, 1), recovered_fen=800_000, outcome="调解"
    )
    visit = legal.visit_record(
        actor=None,
        scope=None,
        org=tree.zhongshan,
        lawyer_id=lw.pk,
        enterprise_name="钟山某物流公司",
        enterprise_uscc=USCC,
        visited_on=date(2026, 3, 3),
        issues=["未签书面劳动合同"],
    )

    resp = api["city"].get(f"{API}/lawyers")
    body = resp.json()
    assert resp.status_code == 200 and body["count"] == 1 and "13812345678" not in resp.content.decode()
    one = body["items"][0]
    assert (one["name"], one["phone_masked"], one["areas"], one["area_labels"][0]) == (
        "李明",
        "138****5678",
        ["wages", "injury", "arbitration"],
        "工资报酬",
    )
    assert api["city"].get(f"{API}/lawyers/{lw.pk}").json()["licence_no"] == "15201201810123456"
    assert api["operator"].get(f"{API}/lawyers", {"q": "赵律师"}).json()["count"] == 1  # the province sees 南明's
    assert api["sibling"].get(f"{API}/lawyers/{lw.pk}").status_code == 404

    got = api["county"].get(f"{API}/legal-aid/{matter.pk}").json()
    assert (got["form"], got["status"], got["recovered_fen"], got["recovered_yuan"]) == (
        "arbitration",
        "closed",
        800_000,
        "8000.00",
    )
    assert got["hearings"] == [{"held_on": "2026-03-09", "body": "劳动人事争议仲裁委员会", "result": ""}]
    assert api["city"].get(f"{API}/legal-aid", {"status": "closed"}).json()["count"] == 1
    assert api["city"].get(f"{API}/legal-aid", {"status": "open"}).json()["count"] == 0
    assert api["sibling"].get(f"{API}/legal-aid").json()["count"] == 0
    assert api["sibling"].get(f"{API}/legal-aid/{matter.pk}").status_code == 404

    v = api["viewer"].get(f"{API}/lawyer-visits/{visit.pk}").json()
    assert v["enterprise_uscc"] == USCC and v["issues"][0]["status_label"] == "整改中"
    assert api["county"].get(f"{API}/lawyer-visits", {"open_only": True}).json()["count"] == 1
    assert api["sibling"].get(f"{API}/lawyer-visits").json()["count"] == 0
    assert api["sibling"].get(f"{API}/lawyer-visits/{visit.pk}").status_code == 404
    assert api["anonymous"].get(f"{API}/lawyers").status_code == 401
