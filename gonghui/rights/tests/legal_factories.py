"""Lawyers, legal-aid matters and visits on the suite's tree, for the legal-aid tests."""

from __future__ import annotations

from typing import Any

from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org
from gonghui.rights import legal, services
from gonghui.rights.models import HotlineCase, Lawyer
from gonghui.rights.tests.conftest import act
from gonghui.rights.tests.factories import take_call

USCC = uscc_with_check("91520201000000001")


def lawyer_raw(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "李明",
        "firm": "贵州黔正律师事务所",
        "licence_no": "15201201810123456",
        "areas": "欠薪、工伤、仲裁",
        "phone": "13812345678",
        "active": True,
        **overrides,
    }


def add_lawyer(org: Org, **overrides: Any) -> Lawyer:
    return legal.lawyer_add(actor=None, scope=None, org=org, raw=lawyer_raw(**overrides))


def county_case(people: dict[str, Any]) -> HotlineCase:
    """A call taken by the province, handed to 六盘水 and on to 钟山区 (held there)."""
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    return act(people, "city", services.case_hand_down, case, to_org=tree.zhongshan)
