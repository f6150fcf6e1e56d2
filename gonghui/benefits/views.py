"""普惠 pages: the cashier's till, and the cadre's campaigns, merchants and daily settlement.

The till (收银) is a merchant's cashier's only page: each form carries its own
idempotency key, so a double tap or a resubmitted page is the same sale, never a
second discount.

The management pages need `benefits.campaign.view` (a cashier holds no grant: 403)
and read as staff only, so a foreign id, or a record seen only as some merchant's
cashier, is not found. Changes are POSTs and need `benefits.campaign.manage` on the
record's union; each button appears only for who may press it now, and the
services refuse again whatever a hand-made POST tries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gonghui.benefits import campaigns, partners, selectors
from gonghui.benefits import forms as bf
from gonghui.benefits.downloads import settlement_response
from gonghui.benefits.models import (
    Campaign,
    CampaignStatus,
    Merchant,
    MerchantCategory,
    Recurrence,
    RuleType,
    TransactionStatus,
)
from gonghui.benefits.permissions import BenefitPerm
from gonghui.benefits.recurrence import describe, next_occurrence, occurrence_at
from gonghui.benefits.services import sale_amount, transaction_record, transaction_reverse
from gonghui.benefits.settlement import settlement_rows
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import (
    actor_of,
    found_or_404,
    list_page,
    require_perm,
    run_action,
    run_form,
    scope_of,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get

T = TypeVar("T")
RECENT_SALES = 20
SETTLEMENT_DAYS = 7  # the settlement page's default period, today included
SETTLEMENT_ROWS = 500  # shown on the page; the download has them all
MERCHANT_CAMPAIGNS_SHOWN = 50  # a merchant's page lists its campaigns, not a paged list


# --- the cashier's till ---------------------------------------------------------------------------


@login_required
def till(request: HttpRequest) -> HttpResponse:
    """The cashier's till, at the merchant (and store) `selectors.cashier_link` finds, as the till API does:
    not a cashier is a 404; an account bound to several merchants is refused with the API's words."""
    user = actor_of(request)
    try:
        link = selectors.cashier_link(user=user)
    except NotFoundError as exc:
        raise Http404 from exc  # not a cashier: as if the page were not there
    except DomainError as exc:
        return render(request, "benefits/till.html", {"refusal": exc.message}, status=exc.status)
    merchant = link.merchant
    context: dict[str, object] = {"merchant": merchant, "store": link.store}
    if request.method == "POST":
        code, amount = request.POST.get("member_code", ""), request.POST.get("amount", "")
        try:
            result = transaction_record(
                operator=user,
                merchant=merchant,
                idempotency_key=request.POST.get("key", ""),
                member_code=code,
                amount_fen=sale_amount(amount),
                store=link.store,
                link=link,
            )
            sale = result.transaction
            context["sale"] = {
                "amount": fen_to_yuan(sale.amount_fen),
                "discount": fen_to_yuan(sale.discount_fen),
                "paid": fen_to_yuan(sale.paid_fen),
                "campaign": sale.campaign.name if sale.campaign and sale.discount_fen else "",
                "reason": sale.no_discount_reason,
                "replayed": result.replayed,
            }
        except DomainError as exc:
            context.update(error=exc.message, member_code=code, amount=amount, key=request.POST.get("key", ""))
    context.setdefault("key", uuid.uuid4().hex)
    context["today_count"] = selectors.till_sales_today(merchant=merchant, status=TransactionStatus.COMPLETED).count()
    context["today"] = list(selectors.till_sales_today(merchant=merchant)[:TILL_TODAY_SHOWN])
    return render(request, "benefits/till.html", context)


TILL_TODAY_SHOWN = 30  # the till lists today's latest sales; the settlement has them all


@login_required
@require_POST
def till_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销 one of today's sales at the cashier's till (a refund); its discount goes back to the budget."""
    user = actor_of(request)
    try:
        sale = selectors.till_sale_get(user=user, pk=pk)
        transaction_reverse(operator=user, merchant=sale.merchant, sale=sale)
    except NotFoundError as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销 {timezone.localtime(sale.at):%H:%M} 的交易，优惠已退回活动预算。")
    return redirect("benefits:till")


# --- shared by the management pages ---------------------------------------------------------------


def _staff(request: HttpRequest) -> Scope:
    """The caller's scope if they hold `benefits.campaign.view` somewhere (a cashier does not: 403)."""
    return require_perm(request, BenefitPerm.VIEW)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return found_or_404(selectors.campaign_get, scope=_staff(request), pk=pk, staff_only=True)


def _merchant(request: HttpRequest, pk: int) -> Merchant:
    return found_or_404(selectors.merchant_get, scope=_staff(request), pk=pk, staff_only=True)


def _union(scope: Scope, code: str) -> Org:
    """A union the caller sees 普惠 records of, by code; a refusal on `org_code` otherwise."""
    try:
        return org_get(scope=scope, code=code.strip().upper(), perm=BenefitPerm.VIEW)
    except DomainError as exc:
        raise DomainError("org.not_in_scope", field="org_code") from exc


def _default_union(scope: Scope) -> str:
    return next((g.org_code for g in scope.grants if BenefitPerm.MANAGE in g.permissions), "")


def _query(request: HttpRequest) -> str:
    """The page's filters as a query string, for its pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _paged(request: HttpRequest, qs: Any) -> dict[str, Any]:
    return {**list_page(request, qs).context(), "query": _query(request)}


def _render(request: HttpRequest, template: str, tab: str, context: dict[str, Any]) -> HttpResponse:
    """A management page: 普惠服务 lit in the navigation, `tab` among its own tabs."""
    return render(request, f"benefits/{template}", {"section": "benefits", "tab": tab, **context})


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, back: str, *, tab: str = "merchants", **extra: Any
) -> HttpResponse:
    return _render(request, "form.html", tab, {"form": form, "title": title, "back": back, **extra})


# --- campaigns: in words --------------------------------------------------------------------------


def rule_text(c: Campaign) -> str:
    """The campaign's rule as a member reads it: "满 158.00 元减 20.00 元，单笔最多优惠 …"."""
    if c.rule_type == RuleType.FULL_REDUCTION:
        text = f"满 {fen_to_yuan(c.threshold_fen)} 元减 {fen_to_yuan(c.reduction_fen)} 元"
    elif c.rule_type == RuleType.DISCOUNT:
        text = f"按原价的 {c.discount_percent}% 付款（{c.discount_percent / 10:g} 折）"
    elif c.threshold_fen:
        text = f"满 {fen_to_yuan(c.threshold_fen)} 元立减 {fen_to_yuan(c.reduction_fen)} 元"
    else:
        text = f"每笔立减 {fen_to_yuan(c.reduction_fen)} 元"
    if c.max_discount_fen is not None:
        text += f"，单笔最多优惠 {fen_to_yuan(c.max_discount_fen)} 元"
    return text


def _cap(count: int | None, fen: int | None) -> str:
    bits = ([f"最多 {count} 次"] if count else []) + ([f"优惠不超过 {fen_to_yuan(fen)} 元"] if fen else [])
    return "、".join(bits)


def caps_text(c: Campaign) -> str:
    """The per-member caps in words, or 不限."""
    per = "每期普惠周" if c.recurrence == Recurrence.QUARTERLY else "活动期内"
    member, day = _cap(c.per_member_count, c.per_member_fen), _cap(c.per_day_count, c.per_day_fen)
    parts = ([f"每人{per}{member}"] if member else []) + ([f"每人每日{day}"] if day else [])
    return "；".join(parts) or "不限"


def _summary(c: Campaign, participants: selectors.Participants) -> dict[str, Any]:
    """What the list and the detail show of a campaign beside its fields."""
    return {
        "campaign": c,
        "recurrence": describe(c),
        "rule": rule_text(c),
        "last_day": bf.last_day(c),
        "used_percent": min(100, c.spent_fen * 100 // c.budget_fen) if c.budget_fen else 0,
        "remaining_fen": c.budget_fen - c.spent_fen,
        "merchants": participants.merchants,
        "stores": participants.stores,
    }


def _occurrences(c: Campaign, now: datetime) -> list[dict[str, Any]]:
    """Each occurrence with its state, the running one and the next one marked."""
    current, upcoming = occurrence_at(c, now), next_occurrence(c, now)
    rows = []
    for number, o in enumerate(selectors.campaign_occurrences(campaign=c), start=1):
        state = "已结束" if o.ends_at <= now else "进行中" if o.starts_at <= now else "未开始"
        mark = "本期" if current and o.key == current.key else "下一期" if upcoming and o.key == upcoming.key else ""
        rows.append({"number": number, "occurrence": o, "state": state, "mark": mark})
    return rows


def campaign_actions(scope: Scope, c: Campaign) -> dict[str, Any]:
    """Which buttons the caller sees on the campaign now (the services check again).

    开始活动 only when `campaign_activate` would take it; else, to a manager, why not (`activate_refusal`).
    """
    manage = scope.has_perm(BenefitPerm.MANAGE, c.org_path)
    draft, open_ = c.status == CampaignStatus.DRAFT, c.status in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE)
    refusal = campaigns.campaign_activate_refusal(c) if manage and draft else None
    return {
        "edit": manage and draft,
        "activate": manage and draft and refusal is None,
        "activate_refusal": refusal.message if refusal is not None else "",
        "close": manage and open_,
        "participants": manage and open_,
    }


def _out_of_sight(scope: Scope, participants: selectors.Participants) -> list[Merchant]:
    """Participating merchants the caller does not see (named by a wider union): they cannot change the list."""
    return [m for m in participants.merchants if not scope.has_perm(BenefitPerm.VIEW, m.org_path)]


# --- campaigns: pages ------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    status = request.GET.get("status", "")
    status = status if status in CampaignStatus.values else ""
    paged = _paged(request, selectors.campaign_list(scope=scope, status=status, staff_only=True))
    participants = selectors.campaign_participants(scope=scope, campaigns=paged["rows"])
    paged["rows"] = [_summary(c, participants[c.pk]) for c in paged["rows"]]
    return _render(
        request,
        "campaign_list.html",
        "campaigns",
        {
            **paged,
            "status": status,
            "statuses": CampaignStatus.choices,
            "can_create": scope.has_perm_anywhere(BenefitPerm.MANAGE),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, BenefitPerm.MANAGE)
    form = bf.CampaignForm(request.POST or None, initial={"org_code": _default_union(scope), "recurrence": "none"})

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        campaign = campaigns.campaign_create(
            actor=actor_of(request), scope=scope, org=_union(scope, data["org_code"]), values=form.values()
        )
        return reverse("benefits:campaign", args=[campaign.pk]), "已新建普惠活动（筹备中），请设置参与商户后开始活动。"

    back = reverse("benefits:campaigns")
    return run_form(request, form, perform) or _form_page(
        request, form, "新建普惠活动", back, tab="campaigns", campaign_form=True
    )


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, campaign.org_path)
    back = reverse("benefits:campaign", args=[campaign.pk])
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, "只有筹备中的活动可以修改。")
        return redirect(back)
    form = bf.CampaignForm(request.POST or None, creating=False, initial=bf.CampaignForm.initial_of(campaign))

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        changes = form.values(current=campaign)
        campaigns.campaign_update(actor=actor_of(request), scope=scope, campaign=campaign, changes=changes)
        return back, "已保存活动设置。"

    title = f"修改普惠活动：{campaign.name}"
    return run_form(request, form, perform) or _form_page(
        request, form, title, back, tab="campaigns", campaign_form=True
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The campaign; `refused` holds the merchants and stores just ticked and refused, ticked again."""
    campaign = _campaign(request, pk)
    scope = scope_of(request)
    participants = selectors.campaign_participants(scope=scope, campaigns=[campaign])[campaign.pk]
    can = campaign_actions(scope, campaign)
    hidden = _out_of_sight(scope, participants)
    can["participants"] = can["participants"] and not hidden
    search = request.GET.get("mq", "").strip()
    candidates = (
        selectors.participant_candidates(scope=scope, campaign=campaign, q=search) if can["participants"] else []
    )
    sales = selectors.sale_list(scope=scope, campaign_id=campaign.pk, staff_only=True)[:RECENT_SALES]
    return _render(
        request,
        "campaign_detail.html",
        "campaigns",
        {
            **_summary(campaign, participants),
            "caps": caps_text(campaign),
            "figures": selectors.campaign_figures([campaign.pk])[campaign.pk],
            "occurrences": _occurrences(campaign, timezone.now()),
            "can": can,
            "out_of_sight": [m.name for m in hidden],
            "participation": [
                (m, [s for s in participants.stores if s.merchant_id == m.pk], m not in hidden)
                for m in participants.merchants
            ],
            "candidates": candidates,
            "chosen_merchants": {m.pk for m in participants.merchants},
            "chosen_stores": {s.pk for s in participants.stores},
            "search": search,
            "sales": sales,
        }
        | (refused or {}),
    )


@login_required
@require_POST
def campaign_participants(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, campaign.org_path)
    back = redirect("benefits:campaign", pk=campaign.pk)
    current = selectors.campaign_participants(scope=scope, campaigns=[campaign])[campaign.pk]
    hidden = _out_of_sight(scope, current)
    form = bf.ParticipantsForm(request.POST)
    if hidden:
        messages.error(
            request, f"参与商户中有您管理范围以外的商户（{'、'.join(m.name for m in hidden)}），请由上级工会调整。"
        )
        return back
    if not form.is_valid():
        messages.error(request, "勾选的商户或门店有误。")
        return back
    merchants = [
        found_or_404(selectors.merchant_get, scope=scope, pk=i, staff_only=True) for i in form.cleaned_data["merchant"]
    ]
    stores = [
        found_or_404(selectors.store_lookup, scope=scope, pk=i, staff_only=True) for i in form.cleaned_data["store"]
    ]
    done = run_action(
        request,
        "已保存参与商户和门店。",
        lambda: campaigns.campaign_set_participants(
            actor=actor_of(request), scope=scope, campaign=campaign, merchants=merchants, stores=stores
        ),
    )
    if not done:  # the refusal above, and the boxes as they were ticked
        ticked = {"chosen_merchants": {m.pk for m in merchants}, "chosen_stores": {s.pk for s in stores}}
        return campaign_detail(request, campaign.pk, refused=ticked)
    return back


CAMPAIGN_ACTIONS = {"activate": "开始活动", "close": "结束活动"}


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in CAMPAIGN_ACTIONS:
        raise Http404
    campaign = _campaign(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, campaign.org_path)
    actor = actor_of(request)
    step: Callable[[], object] = partial(campaigns.campaign_activate, actor=actor, scope=scope, campaign=campaign)
    if action == "close":
        reason = bf.ReasonForm(request.POST).data.get("reason", "") or ""
        step = partial(campaigns.campaign_close, actor=actor, scope=scope, campaign=campaign, reason=reason)
    run_action(request, f"已办理：{CAMPAIGN_ACTIONS[action]}。", step)
    return redirect("benefits:campaign", pk=campaign.pk)


# --- merchants, stores, cashier accounts ----------------------------------------------------------

ACTIVE_TABS = [("1", "合作中"), ("0", "已停止合作")]


@login_required
def merchant_list(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    q = request.GET.get("q", "").strip()
    active = request.GET.get("active", "")
    category = request.GET.get("category", "")
    category = category if category in MerchantCategory.values else ""
    qs = selectors.merchant_list(
        scope=scope,
        q=q,
        category=category,
        active={"1": True, "0": False}.get(active),
        staff_only=True,
    )
    return _render(
        request,
        "merchant_list.html",
        "merchants",
        {
            **_paged(request, qs),
            "q": q,
            "active": active,
            "active_tabs": ACTIVE_TABS,
            "category": category,
            "categories": MerchantCategory.choices,
            "can_create": scope.has_perm_anywhere(BenefitPerm.MANAGE),
        },
    )


@login_required
def merchant_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, BenefitPerm.MANAGE)
    form = bf.MerchantForm(request.POST or None, initial={"org_code": _default_union(scope)})

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        org = _union(scope, data.pop("org_code"))
        merchant = partners.merchant_create(actor=actor_of(request), scope=scope, org=org, **data)
        return reverse("benefits:merchant", args=[merchant.pk]), "已签约合作商户，请添加门店和收银员账户。"

    return run_form(request, form, perform) or _form_page(request, form, "签约合作商户", reverse("benefits:merchants"))


@login_required
def merchant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    initial = {k: getattr(merchant, k) for k in partners.MERCHANT_FIELDS}
    form = bf.MerchantForm(request.POST or None, creating=False, initial=initial)
    back = reverse("benefits:merchant", args=[merchant.pk])

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        partners.merchant_update(actor=actor_of(request), scope=scope, merchant=merchant, changes=data)
        return back, "已保存商户信息。"

    return run_form(request, form, perform) or _form_page(request, form, f"修改商户：{merchant.name}", back)


@login_required
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = scope_of(request)
    stores = list(selectors.store_list(scope=scope, merchant=merchant))
    manage = scope.has_perm(BenefitPerm.MANAGE, merchant.org_path)
    return _render(
        request,
        "merchant_detail.html",
        "merchants",
        {
            "merchant": merchant,
            "stores": stores,
            "operators": selectors.operator_list(scope=scope, merchant=merchant),
            "campaigns": selectors.campaign_list(scope=scope, merchant_id=merchant.pk, staff_only=True)[
                :MERCHANT_CAMPAIGNS_SHOWN
            ],
            "can_manage": manage,
            "can_add": manage and merchant.is_active,
            "store_form": bf.StoreForm(),
            "operator_form": bf.OperatorForm(stores=stores),
            "reason_form": bf.ReasonForm(),
        },
    )


@login_required
@require_POST
def merchant_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    reason = bf.ReasonForm(request.POST).data.get("reason", "") or ""
    run_action(
        request,
        "已停止合作：收银不再受理该商户的普惠交易。",
        lambda: partners.merchant_deactivate(actor=actor_of(request), scope=scope, merchant=merchant, reason=reason),
    )
    return redirect("benefits:merchant", pk=merchant.pk)


@login_required
def store_create(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    form = bf.StoreForm(request.POST or None)
    back = reverse("benefits:merchant", args=[merchant.pk])

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        store = partners.store_create(actor=actor_of(request), scope=scope, merchant=merchant, **data)
        return back, f"已添加门店“{store.name}”。"

    return run_form(request, form, perform) or _form_page(request, form, f"添加门店：{merchant.name}", back)


@login_required
def store_edit(request: HttpRequest, pk: int, store_pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    store = found_or_404(selectors.store_get, scope=scope, merchant=merchant, pk=store_pk)
    initial = {k: getattr(store, k) for k in ("name", "address", "region_code")}
    form = bf.StoreForm(request.POST or None, initial=initial)
    back = reverse("benefits:merchant", args=[merchant.pk])

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        partners.store_update(actor=actor_of(request), scope=scope, store=store, changes=data)
        return back, "已保存门店信息。"

    return run_form(request, form, perform) or _form_page(request, form, f"修改门店：{store.name}", back)


STORE_ACTIONS = {"close": (False, "已停业"), "reopen": (True, "已恢复营业")}


@login_required
@require_POST
def store_action(request: HttpRequest, pk: int, store_pk: int, action: str) -> HttpResponse:
    if action not in STORE_ACTIONS:
        raise Http404
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    store = found_or_404(selectors.store_get, scope=scope, merchant=merchant, pk=store_pk)
    active, done = STORE_ACTIONS[action]
    run_action(
        request,
        f"门店“{store.name}”{done}。",
        lambda: partners.store_update(actor=actor_of(request), scope=scope, store=store, changes={"is_active": active}),
    )
    return redirect("benefits:merchant", pk=merchant.pk)


@login_required
def operator_bind(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    stores = list(selectors.store_list(scope=scope, merchant=merchant))
    form = bf.OperatorForm(request.POST or None, stores=stores)
    back = reverse("benefits:merchant", args=[merchant.pk])

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        store = next((s for s in stores if s.pk == data["store"]), None)
        link = partners.operator_create(
            actor=actor_of(request),
            scope=scope,
            merchant=merchant,
            display_name=data["display_name"],
            password=data["password"],
            store=store,
        )
        where = f"（门店：{store.name}）" if store else ""
        return back, (
            f"已新建收银员账户，用户名“{link.user.get_username()}”{where}："
            "请将用户名和密码告知商户，收银员在工作人员登录页登录后即进入收银页面。"
        )

    return run_form(request, form, perform) or _form_page(request, form, f"新建收银员账户：{merchant.name}", back)


@login_required
@require_POST
def operator_move(request: HttpRequest, pk: int, operator_pk: int) -> HttpResponse:
    """改绑: the cashier account records at the chosen store only (none chosen: any of the merchant's)."""
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    link = found_or_404(selectors.operator_get, scope=scope, merchant=merchant, pk=operator_pk)
    raw = request.POST.get("store", "")
    if raw and not (raw.isdigit() and len(raw) <= 18):  # not an id (nor one the database could hold)
        raise Http404
    store = found_or_404(selectors.store_get, scope=scope, merchant=merchant, pk=int(raw)) if raw else None
    where = f"门店“{store.name}”" if store else "不限门店"
    run_action(
        request,
        f"收银员账户“{link.user.get_username()}”已改为{where}。",
        lambda: partners.operator_move(actor=actor_of(request), scope=scope, operator=link, store=store),
    )
    return redirect("benefits:merchant", pk=merchant.pk)


@login_required
@require_POST
def operator_unbind(request: HttpRequest, pk: int, operator_pk: int) -> HttpResponse:
    merchant = _merchant(request, pk)
    scope = require_perm(request, BenefitPerm.MANAGE, merchant.org_path)
    link = found_or_404(selectors.operator_get, scope=scope, merchant=merchant, pk=operator_pk)
    run_action(
        request,
        f"已解绑收银员账户“{link.user.get_username()}”。",
        lambda: partners.operator_unbind(actor=actor_of(request), scope=scope, operator=link),
    )
    return redirect("benefits:merchant", pk=merchant.pk)


# --- the daily settlement --------------------------------------------------------------------------


def _settlement_query(request: HttpRequest, scope: Scope) -> tuple[bf.SettlementForm, dict[str, Any] | None]:
    """The filter form and, when it holds, the settlement's arguments (by default the last 7 days)."""
    merchants = list(selectors.merchant_list(scope=scope, staff_only=True).values_list("pk", "name"))
    data = request.GET.copy()
    if not data.get("date_from") and not data.get("date_to"):
        today = timezone.localdate()
        data["date_from"] = (today - timedelta(days=SETTLEMENT_DAYS - 1)).isoformat()
        data["date_to"] = today.isoformat()
    form = bf.SettlementForm(data, merchants=merchants)
    if not form.is_valid():
        return form, None
    try:
        start, end = selectors.period(
            day=None, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return form, None
    merchant_id = form.cleaned_data["merchant"]
    merchant = selectors.merchant_get(scope=scope, pk=merchant_id, staff_only=True) if merchant_id else None
    return form, {"scope": scope, "date_from": start, "date_to": end, "merchant": merchant, "staff_only": True}


def _settlement_params(args: dict[str, Any]) -> str:
    """The settlement's period and merchant as a query string (for the download link)."""
    merchant = args["merchant"]
    return urlencode(
        {
            "date_from": args["date_from"].isoformat(),
            "date_to": args["date_to"].isoformat(),
            "merchant": merchant.pk if merchant else "",
        }
    )


@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    form, args = _settlement_query(request, scope)
    found = settlement_rows(**args) if args is not None else None
    return _render(
        request,
        "settlement.html",
        "settlement",
        {
            "form": form,
            "settlement": found,
            "rows": found.rows[:SETTLEMENT_ROWS] if found else [],
            "hidden_rows": max(0, len(found.rows) - SETTLEMENT_ROWS) if found else 0,
            "query": _settlement_params(args) if args is not None else "",
        },
    )


@login_required
def settlement_export(request: HttpRequest) -> HttpResponseBase:
    """The page's settlement as XLSX: a download, so a GET; audited as the API's."""
    scope = _staff(request)
    form, args = _settlement_query(request, scope)
    if args is None:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(reverse("benefits:settlement") + "?" + _query(request))
    return settlement_response(actor=actor_of(request), **args)
