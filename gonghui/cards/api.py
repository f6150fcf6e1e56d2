"""`/api/v1/cards` and `/api/v1/banks`: service cards and the banks that issue them.

Card numbers appear masked (`6217 **** **** 1234`) in every response; only the
bank file of an approved payout batch (`payouts.api`) carries them in full (audited).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.cards import selectors, services
from gonghui.cards.models import BankPartner, ServiceCard
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.viewutils import actor_of
from gonghui.members.selectors import membership_get

router = Router(tags=["cards"])
banks_router = Router(tags=["cards"])


class BankOut(Schema):
    code: str
    name: str
    is_active: bool


class CardOut(Schema):
    id: int
    member_no: str | None
    person_name: str
    bank_code: str
    bank_name: str
    org_code: str
    status: str
    status_label: str
    card_masked: str
    consented_at: datetime
    applied_at: datetime
    issued_on: date | None
    activated_at: datetime | None
    ended_at: datetime | None
    status_reason: str
    replaces_id: int | None


class CardPage(Schema):
    items: list[CardOut]
    count: int
    page: int


class CardEventOut(Schema):
    event_type: str
    event_label: str
    from_status: str
    to_status: str
    reason: str
    at: datetime
    actor: str | None


class CardApplyIn(Schema):
    member_id: int
    bank: str
    consented: bool = False
    consent_note: str = ""


class CardIssueIn(Schema):
    card_number: str
    issued_on: date | None = None


class ReasonIn(Schema):
    reason: str = ""


def card_out(card: ServiceCard) -> dict[str, Any]:
    return {
        "id": card.pk,
        "member_no": card.person.member_no,
        "person_name": card.person.name,
        "bank_code": card.bank.code,
        "bank_name": card.bank.name,
        "org_code": card.org.code,
        "status": card.status,
        "status_label": card.get_status_display(),
        "card_masked": card.card_masked,
        "consented_at": card.consented_at,
        "applied_at": card.applied_at,
        "issued_on": card.issued_on,
        "activated_at": card.activated_at,
        "ended_at": card.ended_at,
        "status_reason": card.status_reason,
        "replaces_id": card.replaces_id,
    }


@banks_router.get("", response=list[BankOut], summary="合作银行")
def list_banks(request: HttpRequest) -> list[BankPartner]:
    request_scope(request)  # any signed-in caller: the partner banks are no secret
    return selectors.bank_list()


@router.get("", response=CardPage, summary="会员服务卡（卡号脱敏）")
def list_cards(request: HttpRequest, status: str = "", bank: str = "", page: int = 1) -> dict[str, Any]:
    qs = selectors.card_list(scope=request_scope(request), status=status, bank=bank)
    rows, count, number = paginate(qs, page)
    return {"items": [card_out(c) for c in rows], "count": count, "page": number}


@router.post("", response={201: CardOut}, summary="申请会员服务卡（须会员本人同意）")
def apply_card(request: HttpRequest, body: CardApplyIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    membership = membership_get(scope=scope, pk=body.member_id)
    card = services.card_apply(
        actor=actor_of(request),
        scope=scope,
        membership=membership,
        bank=selectors.bank_get(body.bank),
        consented=body.consented,
        consent_note=body.consent_note,
    )
    return Status(201, card_out(selectors.card_get(scope=scope, pk=card.pk)))


@router.get("/{card_id}", response=CardOut, summary="会员服务卡详情")
def get_card(request: HttpRequest, card_id: int) -> dict[str, Any]:
    return card_out(selectors.card_get(scope=request_scope(request), pk=card_id))


@router.get("/{card_id}/history", response=list[CardEventOut], summary="卡片变化记录")
def card_history(request: HttpRequest, card_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    card = selectors.card_get(scope=scope, pk=card_id)
    return [
        {
            "event_type": e.event_type,
            "event_label": e.get_event_type_display(),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
            "at": e.at,
            "actor": e.actor.get_username() if e.actor else None,
        }
        for e in selectors.card_history(scope=scope, card=card)
    ]


@router.post("/{card_id}/issue", response=CardOut, summary="登记制卡（卡号，Luhn 校验，加密存储）")
def issue_card(request: HttpRequest, card_id: int, body: CardIssueIn) -> dict[str, Any]:
    scope = request_scope(request)
    card = selectors.card_get(scope=scope, pk=card_id)
    services.card_issue(
        actor=actor_of(request), scope=scope, card=card, card_number=body.card_number, issued_on=body.issued_on
    )
    return card_out(selectors.card_get(scope=scope, pk=card_id))


def _transition(request: HttpRequest, card_id: int, action: str, reason: str = "") -> dict[str, Any]:
    scope = request_scope(request)
    card = selectors.card_get(scope=scope, pk=card_id)
    services.card_transition(actor=actor_of(request), scope=scope, card=card, action=action, reason=reason)
    return card_out(selectors.card_get(scope=scope, pk=card_id))


@router.post("/{card_id}/activate", response=CardOut, summary="激活")
def activate_card(request: HttpRequest, card_id: int) -> dict[str, Any]:
    return _transition(request, card_id, "activate")


@router.post("/{card_id}/freeze", response=CardOut, summary="冻结（需填原因）")
def freeze_card(request: HttpRequest, card_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, card_id, "freeze", body.reason)


@router.post("/{card_id}/unfreeze", response=CardOut, summary="解冻")
def unfreeze_card(request: HttpRequest, card_id: int) -> dict[str, Any]:
    return _transition(request, card_id, "unfreeze")


@router.post("/{card_id}/report-lost", response=CardOut, summary="挂失")
def report_lost_card(request: HttpRequest, card_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, card_id, "report_lost", body.reason)


@router.post("/{card_id}/cancel", response=CardOut, summary="注销（需填原因）")
def cancel_card(request: HttpRequest, card_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, card_id, "cancel", body.reason)


@router.post("/{card_id}/replace", response={201: CardOut}, summary="补换卡：原卡终止，新卡进入申请")
def replace_card(request: HttpRequest, card_id: int, body: ReasonIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    card = selectors.card_get(scope=scope, pk=card_id)
    successor = services.card_replace(actor=actor_of(request), scope=scope, card=card, reason=body.reason)
    return Status(201, card_out(selectors.card_get(scope=scope, pk=successor.pk)))
