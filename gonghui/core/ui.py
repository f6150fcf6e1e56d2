"""What apps put on the shared pages: navigation, member-page panels, dashboard cards and charts.

`core` names no app. Each app registers its entries from its `AppConfig.ready()`
(or a module imported there), and the shared pages (the navigation in every
page, the member's page, the dashboard) render whatever is registered, in the
registered order. A new module therefore arrives without touching `core` or the
pages of the apps below it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gonghui.core.scoping import Scope

# The navigation's areas, in menu order: a cadre opens an area, then a page (two clicks).
AREAS: list[tuple[str, str]] = [
    ("stats", "统计"),
    ("org", "组织与会员"),
    ("services", "服务与资金"),
    ("aid", "帮扶"),
    ("rights", "权益"),
    ("honors", "荣誉与技能"),
    ("stations", "驿站"),
    ("system", "系统"),
]
_AREA_KEYS = {key for key, _label in AREAS}

# A permission code, or a predicate on the scope for entries that need more than one.
Allowed = str | Callable[[Scope], bool]


@dataclass(frozen=True)
class NavEntry:
    area: str
    section: str  # the `section` a page puts in its context to mark its entry active
    label: str
    url_name: str
    allowed: Allowed
    order: int


_nav: dict[str, NavEntry] = {}


def register_nav(*, area: str, section: str, label: str, url_name: str, allowed: Allowed, order: int) -> None:
    """Add a page to the navigation under one of `AREAS`."""
    if area not in _AREA_KEYS:
        raise ValueError(f"unknown navigation area {area!r}")
    if section in _nav:
        raise ValueError(f"navigation section {section!r} registered twice")
    _nav[section] = NavEntry(area, section, label, url_name, allowed, order)


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda e: e.order)


def is_allowed(scope: Scope, allowed: Allowed) -> bool:
    if callable(allowed):
        return bool(allowed(scope))
    return scope.has_perm_anywhere(allowed)


# --- the member's page: panels from the apps above members ---------------------------------------

# (scope, person id, membership's org path) → the panel's template context, or None to hide it.
PanelContext = Callable[[Scope, int, str], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: PanelContext
    order: int


_member_panels: dict[str, Panel] = {}


def register_member_panel(*, name: str, template: str, context: PanelContext, order: int) -> None:
    """A panel on the member's page (cards, honors…), rendered from `template` with `context`'s dict."""
    if name in _member_panels:
        raise ValueError(f"member panel {name!r} registered twice")
    _member_panels[name] = Panel(name, template, context, order)


def member_panels(scope: Scope, person_id: int, org_path: str) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every panel the scope may see for this member, in order."""
    out = []
    for panel in sorted(_member_panels.values(), key=lambda p: p.order):
        ctx = panel.context(scope, person_id, org_path)
        if ctx is not None:
            out.append((panel.template, ctx))
    return out


# --- the dashboard: figure cards and charts ------------------------------------------------------


@dataclass(frozen=True)
class DashboardCards:
    """A template fragment of figure cards, shown when the figures carry `key`."""

    key: str
    template: str
    order: int


# paths (None: the whole platform) → {"labels": [...], "series": [{"name", "values"}], "unit"?}: values in
# 万元 unless "unit" names another (人次, 座).
ChartData = Callable[[list[str] | None], dict[str, Any]]


@dataclass(frozen=True)
class DashboardChart:
    chart_id: str
    title: str
    data: ChartData
    order: int


_cards: dict[str, DashboardCards] = {}
_charts: dict[str, DashboardChart] = {}


def register_dashboard_cards(*, key: str, template: str, order: int) -> None:
    if template in _cards:
        raise ValueError(f"dashboard cards {template!r} registered twice")
    _cards[template] = DashboardCards(key, template, order)


def register_dashboard_chart(*, chart_id: str, title: str, data: ChartData, order: int) -> None:
    if chart_id in _charts:
        raise ValueError(f"dashboard chart {chart_id!r} registered twice")
    _charts[chart_id] = DashboardChart(chart_id, title, data, order)


def dashboard_cards(figures: dict[str, Any]) -> list[str]:
    """The templates of the registered cards whose figures are present."""
    return [c.template for c in sorted(_cards.values(), key=lambda c: c.order) if c.key in figures]


def dashboard_charts(paths: list[str] | None) -> list[dict[str, Any]]:
    """Every registered chart with data, as {"id", "data_id", "title", "data"}."""
    out = []
    for chart in sorted(_charts.values(), key=lambda c: c.order):
        data = chart.data(paths)
        if data.get("labels"):
            out.append({"id": chart.chart_id, "data_id": f"data-{chart.chart_id}", "title": chart.title, "data": data})
    return out


# Money figures drawn by month and by lower union on the dashboard (stats keys in yuan, drawn in 万元).
_money_series: dict[str, tuple[str, int]] = {}


def register_money_series(*, key: str, label: str, order: int) -> None:
    """A stats key (in yuan, with a monthly series) for the dashboard's money charts."""
    _money_series[key] = (label, order)


def money_series() -> list[tuple[str, str]]:
    return [(k, label) for k, (label, _o) in sorted(_money_series.items(), key=lambda kv: kv[1][1])]


# --- the audit log in words: action codes and data keys as people read them ----------------------

_audit_actions: dict[str, str] = {}
_audit_fields: dict[str, str] = {}


def _merge_labels(into: dict[str, str], labels: dict[str, str], what: str) -> None:
    for key, label in labels.items():
        if into.get(key, label) != label:
            raise ValueError(f"audit {what} {key!r} labelled twice: {into[key]!r} and {label!r}")
        into[key] = label


def register_audit_labels(actions: dict[str, str], fields: dict[str, str] | None = None) -> None:
    """Chinese labels for audit action codes ("aid.relief.record" → "登记慰问") and data keys.

    Each app calls this from its `audit_labels.py` (autodiscovered by core). A key may be
    registered again by another app only with the same label.
    """
    _merge_labels(_audit_actions, actions, "action")
    _merge_labels(_audit_fields, fields or {}, "field")


def audit_action_label(action: str) -> str:
    """The action's label; the code itself when no app registered one."""
    return _audit_actions.get(action, action)


def audit_field_label(key: str) -> str:
    """A data key's label; the key itself when no app registered one."""
    return _audit_fields.get(key, key)


def audit_actions() -> list[tuple[str, str]]:
    """Every registered (code, label), by code."""
    return sorted(_audit_actions.items())


# --- where an account without staff pages lands after login --------------------------------------

# (the signed-in user) → the URL of that account's own home (a cashier's till…), or None.
Landing = Callable[[Any], str | None]
_landings: list[Landing] = []


def register_landing(resolver: Landing) -> None:
    """An app whose non-staff accounts have a home of their own (the till) says where it is."""
    if resolver not in _landings:
        _landings.append(resolver)


def landing_for(user: Any) -> str | None:
    """The first registered home of this user, for the dashboard to send them to instead of a 403."""
    for resolver in _landings:
        url = resolver(user)
        if url:
            return url
    return None
