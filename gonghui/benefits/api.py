"""`/api/v1/benefits`: the management of merchants, campaigns and settlement; the till's
endpoints (`/transactions`, for merchants' cashiers) are `till_api.py`'s, mounted here.

Management (`benefits.campaign.view` to read, `benefits.campaign.manage` to
write, on the merchant's or the campaign's union): merchants with their stores
and cashier accounts, campaigns (draft → active → closed, with participants and
occurrences), the sales, and the daily settlement as JSON or Excel. A cashier
reads its own merchant's records through the same endpoints and writes none.
A foreign id is not found. Amounts travel as yuan strings ("158.00").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from gonghui.benefits import campaigns, partners, selectors
from gonghui.benefits.downloads import settlement_response
from gonghui.benefits.models import (
    Campaign,
    Merchant,
    MerchantOperator,
    Store,
)
from gonghui.benefits.permissions import BenefitPerm
from gonghui.benefits.recurrence import describe
from gonghui.benefits.settlement import Settlement, SettlementRow, settlement_rows
from gonghui.benefits.till_api import SaleOut, sale_out
from gonghui.benefits.till_api import router as till_router
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import actor_of
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get

router = Router(tags=["benefits"])
router.add_router("", till_router)


# --- management: shared ---------------------------------------------------------------------------

Amount = str | int | float  # yuan: "158.00", 158 or 158.0, parsed exactly


def _amount(name: str, default: Any = ...) -> Any:
    """A campaign amount's schema field, described by its one description (`campaigns.CAMPAIGN_AMOUNTS`)."""
    amount = campaigns.AMOUNTS[name]
    return Field(default, description=f"{amount.label}（元）：{amount.bounds}")


def _org(request: HttpRequest, code: str) -> Org:
    """A union the caller sees 普惠 records of; any other is not found."""
    return org_get(scope=request_scope(request), code=code.strip().upper(), perm=BenefitPerm.VIEW)


class PageMeta(Schema):
    count: int
    page: int


# --- merchants, stores, cashiers ------------------------------------------------------------------


class MerchantOut(Schema):
    id: int
    org_code: str
    org_name: str
    name: str
    uscc: str
    category: str
    category_label: str
    region_code: str
    address: str
    is_active: bool
    store_count: int
    created_at: datetime


class MerchantPage(PageMeta):
    items: list[MerchantOut]


class MerchantCreateIn(Schema):
    org_code: str  # the signing union
    name: str
    category: str  # a value or its label: supermarket / 超市零售…
    uscc: str = ""
    region_code: str = ""
    address: str = ""


class MerchantUpdateIn(Schema):
    name: str | None = None
    category: str | None = None
    uscc: str | None = None
    region_code: str | None = None
    address: str | None = None


class ReasonIn(Schema):
    reason: str = ""


class StoreOut(Schema):
    id: int
    merchant_id: int
    name: str
    address: str
    region_code: str
    is_active: bool


class StoreCreateIn(Schema):
    name: str
    address: str = ""
    region_code: str = ""


class StoreUpdateIn(Schema):
    name: str | None = None
    address: str | None = None
    region_code: str | None = None
    is_active: bool | None = None


class OperatorOut(Schema):
    id: int
    merchant_id: int
    username: str
    display_name: str
    store_id: int | None
    store: str | None


class OperatorCreateIn(Schema):
    display_name: str  # the till or post the account is for (e.g. 碧江店1号收银台), not a person's name
    password: str  # at least 10 characters, not common, not all digits
    store_id: int | None = None  # bind to one store: the account records there only


class OperatorMoveIn(Schema):
    store_id: int | None = None  # the one store the account records at (null: any of the merchant's)


def merchant_out(m: Merchant) -> dict[str, Any]:
    return {
        "id": m.pk,
        "org_code": m.org.code,
        "org_name": m.org.name,
        "name": m.name,
        "uscc": m.uscc,
        "category": m.category,
        "category_label": m.get_category_display(),
        "region_code": m.region_code,
        "address": m.address,
        "is_active": m.is_active,
        "store_count": getattr(m, "store_count", 0),
        "created_at": m.created_at,
    }


def store_out(s: Store) -> dict[str, Any]:
    return {
        "id": s.pk,
        "merchant_id": s.merchant_id,
        "name": s.name,
        "address": s.address,
        "region_code": s.region_code,
        "is_active": s.is_active,
    }


def operator_out(link: MerchantOperator) -> dict[str, Any]:
    return {
        "id": link.pk,
        "merchant_id": link.merchant_id,
        "username": link.user.get_username(),
        "display_name": link.user.display_name,
        "store_id": link.store_id,
        "store": link.store.name if link.store else None,
    }


def _merchant_in_sight(request: HttpRequest, merchant_id: int) -> Merchant:
    return selectors.merchant_get(scope=request_scope(request), pk=merchant_id)


@router.get("/merchants", response=MerchantPage, summary="合作商户（按名称、统一社会信用代码、地址检索）")
def list_merchants(
    request: HttpRequest, q: str = "", category: str = "", active: bool | None = None, page: int = 1
) -> dict[str, Any]:
    qs = selectors.merchant_list(scope=request_scope(request), q=q, category=category, active=active)
    rows, count, number = paginate(qs, page)
    return {"items": [merchant_out(m) for m in rows], "count": count, "page": number}


@router.post("/merchants", response={201: MerchantOut}, summary="签约合作商户（统一社会信用代码校验）")
def create_merchant(request: HttpRequest, body: MerchantCreateIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    merchant = partners.merchant_create(
        actor=actor_of(request),
        scope=scope,
        org=_org(request, body.org_code),
        name=body.name,
        category=body.category,
        uscc=body.uscc,
        region_code=body.region_code,
        address=body.address,
    )
    return Status(201, merchant_out(selectors.merchant_get(scope=scope, pk=merchant.pk)))


@router.get("/merchants/{merchant_id}", response=MerchantOut, summary="合作商户详情")
def get_merchant(request: HttpRequest, merchant_id: int) -> dict[str, Any]:
    return merchant_out(_merchant_in_sight(request, merchant_id))


@router.patch("/merchants/{merchant_id}", response=MerchantOut, summary="修改合作商户信息")
def update_merchant(request: HttpRequest, merchant_id: int, body: MerchantUpdateIn) -> dict[str, Any]:
    scope = request_scope(request)
    merchant = _merchant_in_sight(request, merchant_id)
    partners.merchant_update(
        actor=actor_of(request), scope=scope, merchant=merchant, changes=body.dict(exclude_unset=True)
    )
    return merchant_out(selectors.merchant_get(scope=scope, pk=merchant_id))


@router.post("/merchants/{merchant_id}/deactivate", response=MerchantOut, summary="停止合作（收银不再受理）")
def deactivate_merchant(request: HttpRequest, merchant_id: int, body: ReasonIn) -> dict[str, Any]:
    scope = request_scope(request)
    merchant = _merchant_in_sight(request, merchant_id)
    partners.merchant_deactivate(actor=actor_of(request), scope=scope, merchant=merchant, reason=body.reason)
    return merchant_out(selectors.merchant_get(scope=scope, pk=merchant_id))


@router.get("/merchants/{merchant_id}/stores", response=list[StoreOut], summary="商户的门店")
def list_stores(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = _merchant_in_sight(request, merchant_id)
    return [store_out(s) for s in selectors.store_list(scope=request_scope(request), merchant=merchant)]


@router.post("/merchants/{merchant_id}/stores", response={201: StoreOut}, summary="新增门店")
def create_store(request: HttpRequest, merchant_id: int, body: StoreCreateIn) -> Status[dict[str, Any]]:
    merchant = _merchant_in_sight(request, merchant_id)
    store = partners.store_create(
        actor=actor_of(request),
        scope=request_scope(request),
        merchant=merchant,
        name=body.name,
        address=body.address,
        region_code=body.region_code,
    )
    return Status(201, store_out(store))


@router.patch(
    "/merchants/{merchant_id}/stores/{store_id}", response=StoreOut, summary="修改门店（is_active=false 即停业）"
)
def update_store(request: HttpRequest, merchant_id: int, store_id: int, body: StoreUpdateIn) -> dict[str, Any]:
    scope = request_scope(request)
    store = selectors.store_get(scope=scope, merchant=_merchant_in_sight(request, merchant_id), pk=store_id)
    done = partners.store_update(
        actor=actor_of(request), scope=scope, store=store, changes=body.dict(exclude_unset=True)
    )
    return store_out(done)


@router.get("/merchants/{merchant_id}/operators", response=list[OperatorOut], summary="商户的收银员账户")
def list_operators(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = _merchant_in_sight(request, merchant_id)
    return [operator_out(o) for o in selectors.operator_list(scope=request_scope(request), merchant=merchant)]


@router.post(
    "/merchants/{merchant_id}/operators",
    response={201: OperatorOut},
    summary="为商户新建收银员账户（用户名由系统生成）",
)
def create_operator(request: HttpRequest, merchant_id: int, body: OperatorCreateIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    merchant = _merchant_in_sight(request, merchant_id)
    store = selectors.store_get(scope=scope, merchant=merchant, pk=body.store_id) if body.store_id else None
    link = partners.operator_create(
        actor=actor_of(request),
        scope=scope,
        merchant=merchant,
        display_name=body.display_name,
        password=body.password,
        store=store,
    )
    return Status(201, operator_out(selectors.operator_get(scope=scope, merchant=merchant, pk=link.pk)))


@router.patch("/merchants/{merchant_id}/operators/{operator_id}", response=OperatorOut, summary="改绑收银员账户的门店")
def move_operator(request: HttpRequest, merchant_id: int, operator_id: int, body: OperatorMoveIn) -> dict[str, Any]:
    scope = request_scope(request)
    merchant = _merchant_in_sight(request, merchant_id)
    link = selectors.operator_get(scope=scope, merchant=merchant, pk=operator_id)
    store = selectors.store_get(scope=scope, merchant=merchant, pk=body.store_id) if body.store_id else None
    partners.operator_move(actor=actor_of(request), scope=scope, operator=link, store=store)
    return operator_out(selectors.operator_get(scope=scope, merchant=merchant, pk=link.pk))


@router.delete("/merchants/{merchant_id}/operators/{operator_id}", response={204: None}, summary="解绑收银员账户")
def unbind_operator(request: HttpRequest, merchant_id: int, operator_id: int) -> Status[None]:
    scope = request_scope(request)
    link = selectors.operator_get(scope=scope, merchant=_merchant_in_sight(request, merchant_id), pk=operator_id)
    partners.operator_unbind(actor=actor_of(request), scope=scope, operator=link)
    return Status(204, None)


# --- campaigns -----------------------------------------------------------------------------------


class ParticipantMerchantOut(Schema):
    id: int
    name: str


class ParticipantStoreOut(Schema):
    id: int
    merchant_id: int
    name: str


class FiguresOut(Schema):
    sales: int  # completed sales booked to the campaign
    discounted: int
    members: int  # members who got a discount
    amount: str
    discount: str


class CampaignOut(Schema):
    id: int
    org_code: str
    org_name: str
    name: str
    status: str
    status_label: str
    starts_at: datetime
    ends_at: datetime
    recurrence: str
    recurrence_label: str
    recurrence_text: str
    occurrence_month: int
    occurrence_start_day: int
    occurrence_days: int
    rule_type: str
    rule_label: str
    threshold: str
    reduction: str
    discount_percent: int
    max_discount: str | None
    budget: str
    budget_used: str
    budget_remaining: str
    per_member_count: int | None
    per_member_amount: str | None
    per_day_count: int | None
    per_day_amount: str | None
    merchants: list[ParticipantMerchantOut]
    stores: list[ParticipantStoreOut]
    figures: FiguresOut
    created_at: datetime
    activated_at: datetime | None
    closed_at: datetime | None


class CampaignPage(PageMeta):
    items: list[CampaignOut]


class CampaignCreateIn(Schema):
    org_code: str  # the union that holds the campaign (its members are eligible)
    name: str
    starts_at: datetime
    ends_at: datetime
    rule_type: str  # full_reduction（满减）/ discount（折扣）/ fixed（定额立减）
    budget: Amount = _amount("budget")
    threshold: Amount = _amount("threshold", "0")
    reduction: Amount = _amount("reduction", "0")
    discount_percent: int = 100  # pay this percent: 90 is 九折
    max_discount: Amount | None = _amount("max_discount", None)
    per_member_count: int | None = None  # per occurrence (普惠周) when recurring
    per_member_amount: Amount | None = _amount("per_member_amount", None)
    per_day_count: int | None = None
    per_day_amount: Amount | None = _amount("per_day_amount", None)
    recurrence: str = "none"  # none / quarterly（每季度普惠周）
    occurrence_month: int = 1  # quarterly: which month of the quarter, 1–3
    occurrence_start_day: int = 1  # quarterly: first day in that month, 1–28
    occurrence_days: int = 7  # quarterly: days per occurrence, 1–31
    merchant_ids: list[int] = []
    store_ids: list[int] = []


class CampaignUpdateIn(Schema):
    name: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    rule_type: str | None = None
    budget: Amount | None = _amount("budget", None)
    threshold: Amount | None = _amount("threshold", None)
    reduction: Amount | None = _amount("reduction", None)
    discount_percent: int | None = None
    max_discount: Amount | None = _amount("max_discount", None)
    per_member_count: int | None = None
    per_member_amount: Amount | None = _amount("per_member_amount", None)
    per_day_count: int | None = None
    per_day_amount: Amount | None = _amount("per_day_amount", None)
    recurrence: str | None = None
    occurrence_month: int | None = None
    occurrence_start_day: int | None = None
    occurrence_days: int | None = None


class ParticipantsIn(Schema):
    merchant_ids: list[int]  # every store of these merchants…
    store_ids: list[int] = []  # …unless some of a merchant's stores are named: then those only


class OccurrenceOut(Schema):
    number: int
    key: date  # the caps count per key
    starts_at: datetime
    ends_at: datetime
    first_day: date
    last_day: date
    state: str  # past / running / upcoming


def _yuan_or_none(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


def campaign_out(c: Campaign, participants: selectors.Participants, figures: dict[str, int]) -> dict[str, Any]:
    return {
        "id": c.pk,
        "org_code": c.org.code,
        "org_name": c.org.name,
        "name": c.name,
        "status": c.status,
        "status_label": c.get_status_display(),
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "recurrence": c.recurrence,
        "recurrence_label": c.get_recurrence_display(),
        "recurrence_text": describe(c),
        "occurrence_month": c.occurrence_month,
        "occurrence_start_day": c.occurrence_start_day,
        "occurrence_days": c.occurrence_days,
        "rule_type": c.rule_type,
        "rule_label": c.get_rule_type_display(),
        "threshold": fen_to_yuan(c.threshold_fen),
        "reduction": fen_to_yuan(c.reduction_fen),
        "discount_percent": c.discount_percent,
        "max_discount": _yuan_or_none(c.max_discount_fen),
        "budget": fen_to_yuan(c.budget_fen),
        "budget_used": fen_to_yuan(c.spent_fen),
        "budget_remaining": fen_to_yuan(c.budget_fen - c.spent_fen),
        "per_member_count": c.per_member_count,
        "per_member_amount": _yuan_or_none(c.per_member_fen),
        "per_day_count": c.per_day_count,
        "per_day_amount": _yuan_or_none(c.per_day_fen),
        "merchants": [{"id": m.pk, "name": m.name} for m in participants.merchants],
        "stores": [{"id": s.pk, "merchant_id": s.merchant_id, "name": s.name} for s in participants.stores],
        "figures": {
            "sales": figures["sales"],
            "discounted": figures["discounted"],
            "members": figures["members"],
            "amount": fen_to_yuan(figures["amount_fen"]),
            "discount": fen_to_yuan(figures["discount_fen"]),
        },
        "created_at": c.created_at,
        "activated_at": c.activated_at,
        "closed_at": c.closed_at,
    }


def _campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    campaign = selectors.campaign_get(scope=scope, pk=campaign_id)
    participants = selectors.campaign_participants(scope=scope, campaigns=[campaign])[campaign.pk]
    return campaign_out(campaign, participants, selectors.campaign_figures([campaign.pk])[campaign.pk])


def _chosen(request: HttpRequest, merchant_ids: list[int], store_ids: list[int]) -> tuple[list[Merchant], list[Store]]:
    scope = request_scope(request)
    merchants = [selectors.merchant_get(scope=scope, pk=pk) for pk in dict.fromkeys(merchant_ids)]
    stores = [selectors.store_lookup(scope=scope, pk=pk) for pk in dict.fromkeys(store_ids)]
    return merchants, stores


@router.get("/campaigns", response=CampaignPage, summary="普惠活动（含预算使用和交易统计）")
def list_campaigns(
    request: HttpRequest, status: str = "", org: str = "", merchant_id: int | None = None, page: int = 1
) -> dict[str, Any]:
    scope = request_scope(request)
    qs = selectors.campaign_list(
        scope=scope, status=status, org=_org(request, org) if org else None, merchant_id=merchant_id
    )
    rows, count, number = paginate(qs, page)
    participants = selectors.campaign_participants(scope=scope, campaigns=rows)
    figures = selectors.campaign_figures([c.pk for c in rows])
    items = [campaign_out(c, participants[c.pk], figures[c.pk]) for c in rows]
    return {"items": items, "count": count, "page": number}


@router.post("/campaigns", response={201: CampaignOut}, summary="新建普惠活动（筹备中）")
def create_campaign(request: HttpRequest, body: CampaignCreateIn) -> Status[dict[str, Any]]:
    given = body.dict(exclude={"org_code", "merchant_ids", "store_ids"})
    org = _org(request, body.org_code)
    merchants, stores = _chosen(request, body.merchant_ids, body.store_ids)
    campaign = campaigns.campaign_create(
        actor=actor_of(request),
        scope=request_scope(request),
        org=org,
        values=campaigns.campaign_amounts_fen(given),
        merchants=merchants,
        stores=stores,
    )
    return Status(201, _campaign_detail(request, campaign.pk))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="普惠活动详情（预算已用／剩余、交易统计）")
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _campaign_detail(request, campaign_id)


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="修改普惠活动（仅筹备中）")
def update_campaign(request: HttpRequest, campaign_id: int, body: CampaignUpdateIn) -> dict[str, Any]:
    scope = request_scope(request)
    campaign = selectors.campaign_get(scope=scope, pk=campaign_id)
    changes = campaigns.campaign_amounts_fen(body.dict(exclude_unset=True))
    campaigns.campaign_update(actor=actor_of(request), scope=scope, campaign=campaign, changes=changes)
    return _campaign_detail(request, campaign_id)


@router.put("/campaigns/{campaign_id}/participants", response=CampaignOut, summary="设置参与商户和门店")
def set_participants(request: HttpRequest, campaign_id: int, body: ParticipantsIn) -> dict[str, Any]:
    scope = request_scope(request)
    campaign = selectors.campaign_get(scope=scope, pk=campaign_id)
    merchants, stores = _chosen(request, body.merchant_ids, body.store_ids)
    campaigns.campaign_set_participants(
        actor=actor_of(request), scope=scope, campaign=campaign, merchants=merchants, stores=stores
    )
    return _campaign_detail(request, campaign_id)


@router.post("/campaigns/{campaign_id}/activate", response=CampaignOut, summary="开始活动（筹备中 → 进行中）")
def activate_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    campaign = selectors.campaign_get(scope=scope, pk=campaign_id)
    campaigns.campaign_activate(actor=actor_of(request), scope=scope, campaign=campaign)
    return _campaign_detail(request, campaign_id)


@router.post("/campaigns/{campaign_id}/close", response=CampaignOut, summary="结束活动（不可恢复）")
def close_campaign(request: HttpRequest, campaign_id: int, body: ReasonIn) -> dict[str, Any]:
    scope = request_scope(request)
    campaign = selectors.campaign_get(scope=scope, pk=campaign_id)
    campaigns.campaign_close(actor=actor_of(request), scope=scope, campaign=campaign, reason=body.reason)
    return _campaign_detail(request, campaign_id)


@router.get(
    "/campaigns/{campaign_id}/occurrences", response=list[OccurrenceOut], summary="活动期次（每季度普惠周或整个活动期）"
)
def list_occurrences(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = selectors.campaign_get(scope=request_scope(request), pk=campaign_id)
    now = timezone.now()
    return [
        {
            "number": number,
            "key": o.key,
            "starts_at": o.starts_at,
            "ends_at": o.ends_at,
            "first_day": o.first_day,
            "last_day": o.last_day,
            "state": "past" if o.ends_at <= now else "running" if o.starts_at <= now else "upcoming",
        }
        for number, o in enumerate(selectors.campaign_occurrences(campaign=campaign), start=1)
    ]


# --- sales and the daily settlement ---------------------------------------------------------------


class SalePage(PageMeta):
    items: list[SaleOut]


@router.get("/sales", response=SalePage, summary="普惠交易明细（按活动、商户、门店、交易日筛选）")
def list_sales_managed(
    request: HttpRequest,
    campaign_id: int | None = None,
    merchant_id: int | None = None,
    store_id: int | None = None,
    day: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str = "",
    page: int = 1,
) -> dict[str, Any]:
    if day is not None:
        date_from = date_to = day
    qs = selectors.sale_list(
        scope=request_scope(request),
        campaign_id=campaign_id,
        merchant_id=merchant_id,
        store_id=store_id,
        date_from=date_from,
        date_to=date_to,
        status=status,
    )
    rows, count, number = paginate(qs, page)
    return {"items": [sale_out(s) for s in rows], "count": count, "page": number}


class SettlementRowOut(Schema):
    merchant_id: int
    merchant: str
    uscc: str
    store_id: int | None
    store: str
    day: date
    sales: int
    amount: str
    discount: str
    reversals: int  # booked on this day, whatever day their sale was
    reversed_discount: str
    settle: str  # discount − reversed_discount: what the union pays the merchant for the day


class SettlementTotalsOut(Schema):
    sales: int
    amount: str
    discount: str
    reversals: int
    reversed_discount: str
    settle: str


class SettlementOut(Schema):
    date_from: date
    date_to: date
    by_store: bool
    rows: list[SettlementRowOut]
    totals: SettlementTotalsOut


def _settlement_row(r: SettlementRow) -> dict[str, Any]:
    return {
        "merchant_id": r.merchant_id,
        "merchant": r.merchant,
        "uscc": r.uscc,
        "store_id": r.store_id,
        "store": r.store,
        "day": r.day,
        "sales": r.sales,
        "amount": fen_to_yuan(r.amount_fen),
        "discount": fen_to_yuan(r.discount_fen),
        "reversals": r.reversals,
        "reversed_discount": fen_to_yuan(r.reversed_fen),
        "settle": fen_to_yuan(r.settle_fen),
    }


def settlement_out(s: Settlement) -> dict[str, Any]:
    t = s.totals
    return {
        "date_from": s.date_from,
        "date_to": s.date_to,
        "by_store": s.by_store,
        "rows": [_settlement_row(r) for r in s.rows],
        "totals": {
            "sales": t["sales"],
            "amount": fen_to_yuan(t["amount_fen"]),
            "discount": fen_to_yuan(t["discount_fen"]),
            "reversals": t["reversals"],
            "reversed_discount": fen_to_yuan(t["reversed_fen"]),
            "settle": fen_to_yuan(t["settle_fen"]),
        },
    }


def _settlement_args(
    request: HttpRequest,
    day: date | None,
    date_from: date | None,
    date_to: date | None,
    org: str,
    merchant_id: int | None,
    by_store: bool,
) -> dict[str, Any]:
    start, end = selectors.period(day=day, date_from=date_from, date_to=date_to)
    return {
        "scope": request_scope(request),
        "date_from": start,
        "date_to": end,
        "org": _org(request, org) if org else None,
        "merchant": _merchant_in_sight(request, merchant_id) if merchant_id is not None else None,
        "by_store": by_store,
    }


@router.get("/settlement", response=SettlementOut, summary="商户日结算（应结算优惠金额，扣除当日撤销）")
def get_settlement(
    request: HttpRequest,
    day: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    org: str = "",
    merchant_id: int | None = None,
    by_store: bool = True,
) -> dict[str, Any]:
    args = _settlement_args(request, day, date_from, date_to, org, merchant_id, by_store)
    return settlement_out(settlement_rows(**args))


@router.get("/settlement/export", summary="下载商户日结算（XLSX，含合计行，记入审计）")
def export_settlement(
    request: HttpRequest,
    day: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    org: str = "",
    merchant_id: int | None = None,
    by_store: bool = True,
) -> FileResponse:
    args = _settlement_args(request, day, date_from, date_to, org, merchant_id, by_store)
    return settlement_response(actor=actor_of(request), **args)
