"""`/api/v1/credit-referrals`: the 黔优信用卡 applications unions referred, as the bank reported them.

Read-only (the bank's file is the only way in: `gonghui import credit_referrals`).
ID numbers appear masked (`520102********1234`); credit lines travel as yuan
strings ("30000.00"). Seen within the subtrees where the caller holds
cards.card.view; another union's id is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.cards import selectors
from gonghui.cards.models import CreditCardReferral
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.money import fen_to_yuan

router = Router(tags=["credit-referrals"])


class ReferralOut(Schema):
    id: int
    bank_code: str
    bank_name: str
    bank_reference: str
    org_code: str
    org_name: str
    name: str
    id_masked: str
    is_member: bool
    member_no: str | None
    applied_on: date
    status: str
    status_label: str
    credit_line: str
    decided_on: date | None
    updated_at: datetime


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int
    page: int


def referral_out(r: CreditCardReferral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "bank_code": r.bank.code,
        "bank_name": r.bank.name,
        "bank_reference": r.bank_reference,
        "org_code": r.org.code,
        "org_name": r.org.name,
        "name": r.name,
        "id_masked": r.id_masked,
        "is_member": r.person_id is not None,
        "member_no": r.person.member_no if r.person is not None else None,
        "applied_on": r.applied_on,
        "status": r.status,
        "status_label": r.get_status_display(),
        "credit_line": fen_to_yuan(r.credit_line_fen),
        "decided_on": r.decided_on,
        "updated_at": r.updated_at,
    }


@router.get("", response=ReferralPage, summary="黔优信用卡推荐（证件号码脱敏；按审批结果、银行筛选）")
def list_referrals(request: HttpRequest, status: str = "", bank: str = "", page: int = 1) -> dict[str, Any]:
    qs = selectors.referral_list(scope=request_scope(request), status=status, bank=bank)
    rows, count, number = paginate(qs, page)
    return {"items": [referral_out(r) for r in rows], "count": count, "page": number}


@router.get("/{referral_id}", response=ReferralOut, summary="黔优信用卡推荐详情")
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    return referral_out(selectors.referral_get(scope=request_scope(request), pk=referral_id))
