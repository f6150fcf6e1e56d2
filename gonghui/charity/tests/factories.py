"""Helpers for the charity tests: a fund of 六盘水市总工会 and the people who run it."""

from __future__ import annotations

from datetime import date
from typing import Any

from gonghui.charity import services
from gonghui.charity.models import Donation, Fund, Project
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org

OPENED = date(2025, 1, 1)


def enterprise_uscc(seq: int = 1) -> str:
    """A valid 统一社会信用代码 (GB 32100) of a company registered in 六盘水."""
    return uscc_with_check(f"91520200MA{seq:07d}")


def make_fund(org: Org, *, name: str = "六盘水市职工爱心基金", opening_fen: int = 0, **kw: Any) -> Fund:
    args: dict[str, Any] = {"kind": "own", "opened_on": OPENED, "opening_balance_fen": opening_fen}
    return services.fund_create(actor=None, scope=None, org=org, name=name, **{**args, **kw})


def give(fund: Fund, amount_fen: int, *, on: date = date(2025, 3, 1), **donor: Any) -> Donation:
    who = services.DonorIn(
        **{"kind": "enterprise", "name": "六盘水某某煤业有限公司", "uscc": enterprise_uscc(), **donor}
    )
    return services.donation_record(actor=None, scope=None, fund=fund, donor=who, amount_fen=amount_fen, received_on=on)


def make_project(fund: Fund, *, purpose: str = "student_aid", budget_fen: int = 1_000_000_00, **kw: Any) -> Project:
    args: dict[str, Any] = {
        "name": "2025 年金秋助学",
        "starts_on": date(2025, 1, 1),
        "ends_on": date(2025, 12, 31),
        "industry": "B",
        "region_code": "520200",
    }
    return services.project_create(
        actor=None, scope=None, fund=fund, purpose=purpose, budget_fen=budget_fen, **{**args, **kw}
    )


def pay(fund: Fund, project: Project, amount_fen: int, *, on: date = date(2025, 9, 1), **kw: Any) -> Any:
    recipient = kw.pop("recipient", None) or services.RecipientIn(kind="org", name="钟山区第一中学")
    return services.disbursement_record(
        actor=None, scope=None, fund=fund, project=project, recipient=recipient, amount_fen=amount_fen, paid_on=on, **kw
    )
