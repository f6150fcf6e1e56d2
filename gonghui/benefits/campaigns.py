"""Writes on 普惠 campaigns: create and edit a draft, name the participants, activate, close.

    draft → active → closed        draft → closed (dropped before it ran)

A campaign is edited only as a draft: once it runs, its rule, period,
recurrence and caps are what the members' totals were counted against. Its
participating merchants and stores may change while it runs (a merchant joins
or leaves), never once it is closed. Each service needs `benefits.campaign.manage`
on the campaign's union, locks the row, checks the state, writes and audits in
one transaction. Amounts are in fen here; refusals name the fields as the API
does (amounts in yuan: `budget`, not `budget_fen`). The amounts are described
once, in `CAMPAIGN_AMOUNTS` (label and bounds), for the form, the API and the
refusals here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits import errors as _errors  # noqa: F401  (registers messages)
from gonghui.benefits.models import Campaign, CampaignStatus, Merchant, Recurrence, RuleType, Store
from gonghui.benefits.permissions import BenefitPerm
from gonghui.benefits.recurrence import occurrences
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.errors import DomainError, NotFoundError, joined
from gonghui.core.money import AmountError, parse_yuan
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.orgs.models import Org

# Model field → the name the API gives it (and refusals use).
FIELDS: dict[str, str] = {
    "name": "name",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "recurrence": "recurrence",
    "occurrence_month": "occurrence_month",
    "occurrence_start_day": "occurrence_start_day",
    "occurrence_days": "occurrence_days",
    "rule_type": "rule_type",
    "threshold_fen": "threshold",
    "reduction_fen": "reduction",
    "discount_percent": "discount_percent",
    "max_discount_fen": "max_discount",
    "budget_fen": "budget",
    "per_member_count": "per_member_count",
    "per_member_fen": "per_member_amount",
    "per_day_count": "per_day_count",
    "per_day_fen": "per_day_amount",
}
MODEL_FIELDS = {api: field for field, api in FIELDS.items()}
OPTIONAL = {"max_discount_fen", "per_member_count", "per_member_fen", "per_day_count", "per_day_fen"}
COUNTS = {"per_member_count", "per_day_count"}
MAX_COUNT = 100_000
STATE_LABELS = dict(CampaignStatus.choices)


# --- the campaign's amounts, described once --------------------------------------------------------

AMOUNT_MAX_FEN = 100_000_000_000_00  # 1000 亿元: far above any budget, far below the columns' limit
AMOUNT_LIMIT = f"{AMOUNT_MAX_FEN // 100:,}"  # in yuan, as the refusals and the API's schema say it


@dataclass(frozen=True)
class CampaignAmount:
    """One of a campaign's amounts: yuan in the forms and the API, fen in the model.

    The form's field, the API's schema and every refusal take the label and the
    bounds from here: more than 0 (or, `allow_zero`, not below 0), at most two
    decimals, at most `AMOUNT_MAX_FEN`.
    """

    name: str  # the API's and the form's field; `field` is the model's
    label: str
    allow_zero: bool = False
    required: bool = False

    @property
    def field(self) -> str:
        return MODEL_FIELDS[self.name]

    @property
    def need(self) -> str:
        return "不小于 0" if self.allow_zero else "大于 0"

    @property
    def bounds(self) -> str:
        """The bounds in words, as the API's schema describes the field."""
        return f"{self.need}，最多两位小数，不超过 {AMOUNT_LIMIT} 元"

    def to_fen(self, value: Any) -> int | None:
        """Yuan as typed or sent ("158", "19.90", "1,200", 158.0) to fen; None stays None.

        Anything else is refused naming the field: `benefit.amount_malformed` or `benefit.amount_too_large`.
        """
        if value is None:
            return None
        try:
            return parse_yuan(value, allow_zero=self.allow_zero, max_fen=AMOUNT_MAX_FEN)
        except AmountError as exc:
            if exc.kind == "range":
                raise DomainError(
                    "benefit.amount_too_large", field=self.name, label=self.label, limit=AMOUNT_LIMIT
                ) from exc
            raise DomainError("benefit.amount_malformed", field=self.name, label=self.label, need=self.need) from exc


CAMPAIGN_AMOUNTS: tuple[CampaignAmount, ...] = (
    CampaignAmount("threshold", "“满”金额", allow_zero=True),
    CampaignAmount("reduction", "“减”金额", allow_zero=True),  # 0 for a 折扣; the rule says what it needs
    CampaignAmount("max_discount", "单笔最高优惠"),
    CampaignAmount("budget", "总预算", required=True),
    CampaignAmount("per_member_amount", "每人优惠金额上限"),
    CampaignAmount("per_day_amount", "每人每日优惠金额上限"),
)
AMOUNTS = {a.name: a for a in CAMPAIGN_AMOUNTS}
AMOUNT_OF_FIELD = {a.field: a for a in CAMPAIGN_AMOUNTS}


def campaign_amounts_fen(given: dict[str, Any]) -> dict[str, Any]:
    """Fields by the API's names to the model's, amounts in fen; every malformed amount refused at once."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in given.items():
        amount = AMOUNTS.get(key)
        if amount is None:
            values[key] = value
            continue
        try:
            values[amount.field] = amount.to_fen(value)
        except DomainError as exc:
            errors.update(exc.details)
    if errors:
        raise DomainError("benefit.campaign_amounts_invalid", details=errors, reasons=joined(errors))
    return values


def _label(field: str) -> str:
    """The model field's name in a refusal: an amount's label, else the field's verbose name."""
    amount = AMOUNT_OF_FIELD.get(field)
    if amount is not None:
        return amount.label
    return str(getattr(Campaign._meta.get_field(field), "verbose_name", field))


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _validate(c: Campaign) -> dict[str, str]:
    """Every rule the campaign's fields break, keyed by the API's field names."""
    errors: dict[str, str] = {}

    def refuse(field: str, reason: str) -> None:
        errors.setdefault(FIELDS[field], reason)

    c.name = (c.name or "").strip()
    if not c.name:
        refuse("name", "活动名称不能为空")
    elif len(c.name) > 200:
        refuse("name", "活动名称不能超过 200 个字符")
    if c.ends_at <= c.starts_at:
        refuse("ends_at", "结束时间应晚于开始时间")
    if c.rule_type not in RuleType.values:
        refuse("rule_type", f"优惠方式应为：{'、'.join(f'{v}（{lbl}）' for v, lbl in RuleType.choices)}")
    elif c.rule_type == RuleType.FULL_REDUCTION:
        if c.reduction_fen <= 0:
            refuse("reduction_fen", f"满减活动的{_label('reduction_fen')}应大于 0")
        elif c.threshold_fen < c.reduction_fen:
            refuse("threshold_fen", f"满减活动的{_label('threshold_fen')}不能小于{_label('reduction_fen')}")
    elif c.rule_type == RuleType.FIXED and c.reduction_fen <= 0:
        refuse("reduction_fen", "定额立减的金额应大于 0")
    # 100 (full price) is the column's default for the other rules; a 折扣 must take something off.
    top = 99 if c.rule_type == RuleType.DISCOUNT else 100
    if not 1 <= c.discount_percent <= top:
        refuse("discount_percent", f"折扣应为 1–{top}（按原价的百分之几付款，如 90 即九折）")
    if c.budget_fen <= 0:
        refuse("budget_fen", f"{_label('budget_fen')}应大于 0")
    for field in OPTIONAL:
        value = getattr(c, field)
        if value is not None and value <= 0:
            refuse(field, f"{_label(field)}应大于 0，不限制请留空")
        elif field in COUNTS and value is not None and value > MAX_COUNT:
            refuse(field, f"{_label(field)}不能超过 {MAX_COUNT:,}")
    if c.recurrence not in Recurrence.values:
        refuse("recurrence", f"重复方式应为：{'、'.join(f'{v}（{lbl}）' for v, lbl in Recurrence.choices)}")
    elif c.recurrence == Recurrence.QUARTERLY:
        if not 1 <= c.occurrence_month <= 3:
            refuse("occurrence_month", "季度内第几个月应为 1–3")
        if not 1 <= c.occurrence_start_day <= 28:
            refuse("occurrence_start_day", "每期开始日应为 1–28 日")
        if not 1 <= c.occurrence_days <= 31:
            refuse("occurrence_days", "每期天数应为 1–31 天")
        if not errors and not occurrences(c):
            refuse("starts_at", "活动期内没有任何一期普惠周，请调整活动期或普惠周设置")
    else:
        c.occurrence_month, c.occurrence_start_day, c.occurrence_days = 1, 1, 7
    return errors


def _values(c: Campaign) -> dict[str, Any]:
    out = {}
    for field in FIELDS:
        value = getattr(c, field)
        out[field] = value.isoformat() if isinstance(value, datetime) else value
    return out


def campaign_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    values: dict[str, Any],
    merchants: Iterable[Merchant] = (),
    stores: Iterable[Store] = (),
) -> Campaign:
    """A draft campaign of the union `org` (fields as the model's, amounts in fen); audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, org.path)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise DomainError("benefit.field_not_settable", field=sorted(unknown))
    needed = ("name", "starts_at", "ends_at", "rule_type", *(a.field for a in CAMPAIGN_AMOUNTS if a.required))
    missing = [f for f in needed if values.get(f) is None]
    if missing:
        empty = {FIELDS[f]: f"{_label(f)}不能为空" for f in missing}
        raise DomainError("benefit.campaign_fields_missing", details=empty, reasons=joined(empty))
    campaign = Campaign(org=org, org_path=org.path, status=CampaignStatus.DRAFT, **values)
    campaign.starts_at, campaign.ends_at = _aware(campaign.starts_at), _aware(campaign.ends_at)
    errors = _validate(campaign)
    if errors:
        raise DomainError("benefit.campaign_rules_broken", details=errors, reasons=joined(errors))
    if org.closed_on is not None:
        raise DomainError("benefit.org_closed", org=org.name)
    merchants, stores = _participants(scope, merchants, stores)
    with transaction.atomic(), unscoped():
        campaign.save(force_insert=True)
        campaign.merchants.set(merchants)
        campaign.stores.set(stores)
        audit_record(
            actor=actor,
            action="benefits.campaign.create",
            org=org,
            target=campaign,
            data={**_values(campaign), **_participant_data(merchants, stores)},
        )
    return campaign


def campaign_update(
    *, actor: User | None, scope: Scope | None, campaign: Campaign, changes: dict[str, Any]
) -> Campaign:
    """Change a draft's fields (amounts in fen; None clears an optional cap); audited when anything changed."""
    require_perm_at(scope, BenefitPerm.MANAGE, campaign.org_path)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise DomainError("benefit.field_not_editable", field=sorted(unknown))
    cleared = sorted(FIELDS[f] for f, v in changes.items() if v is None and f not in OPTIONAL)
    if cleared:
        raise DomainError("benefit.field_not_clearable", field=cleared)
    with transaction.atomic(), unscoped():
        campaign = _locked(campaign)
        _require_state(campaign, (CampaignStatus.DRAFT,), "修改（只有筹备中的活动可以修改）")
        before = _values(campaign)
        for field, value in changes.items():
            setattr(campaign, field, _aware(value) if isinstance(value, datetime) else value)
        errors = _validate(campaign)
        if errors:
            raise DomainError("benefit.campaign_rules_broken", details=errors, reasons=joined(errors))
        diff = changed_fields(before, _values(campaign))
        if diff:
            campaign.save(update_fields=list(diff))
            audit_record(
                actor=actor,
                action="benefits.campaign.update",
                org=campaign.org,
                target=campaign,
                data={"changes": diff},
            )
    return campaign


def campaign_set_participants(
    *,
    actor: User | None,
    scope: Scope | None,
    campaign: Campaign,
    merchants: Iterable[Merchant],
    stores: Iterable[Store] = (),
) -> Campaign:
    """Name the participating merchants and, to narrow a merchant to some of its stores, stores.

    A store's merchant takes part whether listed or not. Allowed while draft or
    active; a change while active applies from the next sale. Audited.
    """
    require_perm_at(scope, BenefitPerm.MANAGE, campaign.org_path)
    chosen_merchants, chosen_stores = _participants(scope, merchants, stores)
    with transaction.atomic(), unscoped():
        campaign = _locked(campaign)
        _require_state(campaign, (CampaignStatus.DRAFT, CampaignStatus.ACTIVE), "调整参与商户")
        before = _participant_data(
            list(campaign.merchants.order_by("pk")), list(campaign.stores.select_related("merchant").order_by("pk"))
        )
        campaign.merchants.set(chosen_merchants)
        campaign.stores.set(chosen_stores)
        after = _participant_data(chosen_merchants, chosen_stores)
        if before != after:
            audit_record(
                actor=actor,
                action="benefits.campaign.participants",
                org=campaign.org,
                target=campaign,
                data={"before": before, "after": after},
            )
    return campaign


def campaign_activate_refusal(campaign: Campaign, *, now: datetime | None = None) -> DomainError | None:
    """Why a draft campaign cannot start now; None when it can.

    The one home of the rule: `campaign_activate` raises it, and the campaign's page offers 开始活动
    only when it is None. A campaign needs a participating merchant still in business, and a
    period (an occurrence) that has not ended.
    """
    with unscoped():
        if not campaign.merchants.filter(is_active=True).exists():
            return DomainError("benefit.campaign_no_merchants", status=409, campaign=campaign.name)
    moment = now or timezone.now()
    if not any(o.ends_at > moment for o in occurrences(campaign)):
        return DomainError("benefit.campaign_over", status=409, campaign=campaign.name)
    return None


def campaign_activate(*, actor: User | None, scope: Scope | None, campaign: Campaign) -> Campaign:
    """draft → active: the tills grant its discounts from now on (it needs a merchant and a future); audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, campaign.org_path)
    with transaction.atomic(), unscoped():
        campaign = _locked(campaign)
        _require_state(campaign, (CampaignStatus.DRAFT,), "开始")
        now = timezone.now()
        refusal = campaign_activate_refusal(campaign, now=now)
        if refusal is not None:
            raise refusal
        campaign.status, campaign.activated_at = CampaignStatus.ACTIVE, now
        campaign.save(update_fields=["status", "activated_at"])
        audit_record(
            actor=actor,
            action="benefits.campaign.activate",
            org=campaign.org,
            target=campaign,
            data={"from": CampaignStatus.DRAFT, "to": CampaignStatus.ACTIVE},
        )
    return campaign


def campaign_close(*, actor: User | None, scope: Scope | None, campaign: Campaign, reason: str = "") -> Campaign:
    """draft or active → closed, for good: no more discounts; recorded sales stay. Audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, campaign.org_path)
    with transaction.atomic(), unscoped():
        campaign = _locked(campaign)
        _require_state(campaign, (CampaignStatus.DRAFT, CampaignStatus.ACTIVE), "结束")
        before = campaign.status
        campaign.status, campaign.closed_at = CampaignStatus.CLOSED, timezone.now()
        campaign.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action="benefits.campaign.close",
            org=campaign.org,
            target=campaign,
            data={"from": before, "to": CampaignStatus.CLOSED, "reason": reason.strip()[:200]},
        )
    return campaign


# --- helpers -------------------------------------------------------------------------------------


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)


def _require_state(campaign: Campaign, allowed: tuple[str, ...], action: str) -> None:
    if campaign.status not in allowed:
        raise DomainError(
            "benefit.campaign_state",
            status=409,
            campaign=campaign.name,
            state=STATE_LABELS.get(campaign.status, campaign.status),
            action=action,
        )


def _participants(
    scope: Scope | None, merchants: Iterable[Merchant], stores: Iterable[Store]
) -> tuple[list[Merchant], list[Store]]:
    """The merchants (with the named stores' own) and stores, each active and in the actor's sight."""
    chosen_stores = sorted({s.pk: s for s in stores}.values(), key=lambda s: s.pk)
    by_pk = {m.pk: m for m in merchants}
    for store in chosen_stores:
        by_pk.setdefault(store.merchant_id, store.merchant)
    chosen = sorted(by_pk.values(), key=lambda m: m.pk)
    for merchant in chosen:
        if scope is not None and not scope.has_perm(BenefitPerm.VIEW, merchant.org_path):
            raise NotFoundError()
        if not merchant.is_active:
            raise DomainError("benefit.merchant_inactive", status=409, merchant=merchant.name)
    for store in chosen_stores:
        if not store.is_active:
            raise DomainError("benefit.store_inactive", status=409, store=store.name)
    return chosen, chosen_stores


def _participant_data(merchants: list[Merchant], stores: list[Store]) -> dict[str, Any]:
    return {
        "merchants": [m.name for m in merchants],
        "stores": [f"{s.merchant.name}/{s.name}" for s in stores],
    }
