"""A campaign's amounts are described once (`campaigns.CAMPAIGN_AMOUNTS`): yuan in the form and the API,
fen in the model. The form's fields, the API's schemas and the refusals take each amount's label and
bounds from there, so the page and the API name an amount alike and refuse it in the same words."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.benefits.api import CampaignCreateIn, CampaignUpdateIn
from gonghui.benefits.campaigns import AMOUNTS, CAMPAIGN_AMOUNTS, FIELDS
from gonghui.benefits.forms import CampaignForm, YuanField
from gonghui.benefits.models import Campaign
from gonghui.benefits.tests.helpers import snapshot
from gonghui.benefits.tests.test_pages import campaign_form
from gonghui.core.tests.clients import client


def test_the_form_the_api_and_the_model_have_the_described_amounts() -> None:
    yuan = {name: f for name, f in CampaignForm().fields.items() if isinstance(f, YuanField)}
    assert set(yuan) == set(AMOUNTS)
    for name, field in yuan.items():
        assert (field.label, field.required) == (f"{AMOUNTS[name].label}（元）", AMOUNTS[name].required)
    for schema in (CampaignCreateIn, CampaignUpdateIn):
        properties = schema.model_json_schema()["properties"]
        described = {name for name, p in properties.items() if str(p.get("description", "")).endswith("元")}
        assert described == set(AMOUNTS), schema
        assert properties["budget"]["description"] == "总预算（元）：大于 0，最多两位小数，不超过 100,000,000,000 元"
    assert "budget" in CampaignCreateIn.model_json_schema()["required"]
    for amount in CAMPAIGN_AMOUNTS:
        assert FIELDS[amount.field] == amount.name
        assert Campaign._meta.get_field(amount.field).name.endswith("_fen")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "typed", "reason"),
    [
        ("budget", "abc", "总预算应为大于 0 的金额（元），最多两位小数"),
        ("budget", "0", "总预算应为大于 0 的金额（元），最多两位小数"),
        ("threshold", "-1", "“满”金额应为不小于 0 的金额（元），最多两位小数"),
        ("max_discount", "0.001", "单笔最高优惠应为大于 0 的金额（元），最多两位小数"),
        ("per_day_amount", "1e15", "每人每日优惠金额上限不能超过 100,000,000,000 元"),
        # Zero is a 减 amount (a 折扣 has none); the 满减 rule then asks for more.
        ("reduction", "0", "满减活动的“减”金额应大于 0"),
    ],
)
def test_the_page_and_the_api_refuse_an_amount_in_the_same_words(
    tree, make_user, bearer, name: str, typed: str, reason: str
) -> None:
    officer = make_user("lps_officer", ("officer", "520200"))
    page, auth = client(), bearer(officer)
    page.force_login(officer)
    before = snapshot()
    resp = page.post("/benefits/campaigns/new/", campaign_form(**{name: typed}))
    assert resp.status_code == 200
    assert resp.context["form"].errors[name] == [reason]

    now = timezone.now()
    body: dict[str, Any] = {
        "org_code": "520200",
        "name": "六盘水普惠周",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=400)).isoformat(),
        "rule_type": "full_reduction",
        "threshold": "158",
        "reduction": "20",
        "budget": "5000",
        name: typed,
    }
    answer = client(csrf=True).post(
        "/api/v1/benefits/campaigns", data=json.dumps(body), content_type="application/json", **auth
    )
    assert answer.status_code == 400, answer.content.decode()
    assert answer.json()["details"] == {name: reason}
    assert snapshot() == before
