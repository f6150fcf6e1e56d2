from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gonghui.core.bulk.kinds import all_kinds
from gonghui.core.stats import stats_collect
from gonghui.core.viewutils import actor_of, found_or_404, require_perm, run_form, scope_of
from gonghui.orgs import selectors, services
from gonghui.orgs.forms import OrgCloseForm, OrgCreateForm, OrgFieldsForm, OrgMoveForm
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import OrgPerm
from gonghui.orgs.validation import allowed_child_kinds, region_warning

CHILDREN_PAGE = 200


def _get(request: HttpRequest, code: str) -> Org:
    return found_or_404(selectors.org_get, scope=scope_of(request), code=code)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, OrgPerm.VIEW)
    q = request.GET.get("q", "").strip()
    results = list(selectors.org_list(scope=scope, q=q)[:100]) if q else []
    roots = [(org, selectors.org_children_count(scope=scope, org=org)) for org in selectors.org_roots(scope=scope)]
    return render(request, "orgs/tree.html", {"section": "orgs", "roots": roots, "q": q, "results": results})


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    """htmx fragment: one level of the tree, opened on demand."""
    scope = scope_of(request)
    org = _get(request, code)
    given = request.GET.get("offset", "0")
    # Not a number, or past any tree: the first page (the list is built by clicking "more").
    offset = int(given) if given.isdigit() and len(given) <= 9 else 0
    rows = selectors.org_children(scope=scope, org=org, limit=CHILDREN_PAGE + 1, offset=offset)
    return render(
        request,
        "orgs/tree.html#children",
        {
            "org": org,
            "children": rows[:CHILDREN_PAGE],
            "next_offset": offset + CHILDREN_PAGE if len(rows) > CHILDREN_PAGE else None,
        },
    )


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    org = _get(request, code)
    context: dict[str, Any] = {
        "section": "orgs",
        "org": org,
        "ancestors": selectors.org_ancestors(scope=scope, org=org),
        "figures": selectors.org_figures(org=org),
        # Figures other domains register (members…), for the same subtree.
        "headline": stats_collect([org.path]),
        "region_warning": region_warning(org.region_code),
        "can_create": scope.has_perm(OrgPerm.CREATE, org.path),
        "can_change": scope.has_perm(OrgPerm.CHANGE, org.path),
        "can_move": scope.has_perm(OrgPerm.MOVE, org.path),
        "can_close": scope.has_perm(OrgPerm.CLOSE, org.path),
        "children": selectors.org_children(scope=scope, org=org, limit=50),
        # Exports of this subtree offered by the registered bulk kinds (members, orgs…).
        "export_kinds": [k for k in all_kinds() if scope.has_perm(k.export_perm, org.path)],
        "can_export_unmasked": any(k.unmasked_perm and scope.has_perm(k.unmasked_perm, org.path) for k in all_kinds()),
    }
    return render(request, "orgs/detail.html", context)


def _form_page(request: HttpRequest, org: Org, form: forms.Form, title: str) -> HttpResponse:
    return render(request, "orgs/form.html", {"section": "orgs", "org": org, "form": form, "title": title})


def _submit(
    request: HttpRequest, org: Org, form: forms.Form, title: str, perform: Callable[[dict[str, Any]], tuple[Org, str]]
) -> HttpResponse:
    """Run a service from a valid POSTed form; a refusal becomes a form error, nothing saved."""

    def to_detail(data: dict[str, Any]) -> tuple[str, str]:
        target, message = perform(data)
        return reverse("orgs:detail", args=[target.code]), message

    return run_form(request, form, to_detail) or _form_page(request, org, form, title)


@login_required
def create_child(request: HttpRequest, code: str) -> HttpResponse:
    parent = _get(request, code)
    require_perm(request, OrgPerm.CREATE, parent.path)

    def perform(data: dict[str, Any]) -> tuple[Org, str]:
        org = services.org_create(
            actor=actor_of(request),
            scope=scope_of(request),
            parent=parent,
            code=data.pop("code"),
            name=data.pop("name"),
            kind=data.pop("kind"),
            industry_federation_code=data.pop("industry_federation_code") or None,
            **data,
        )
        return org, f"已新建“{org.name}”。"

    # Only the kinds this parent may hold, the most likely preselected (validation.CHILD_KINDS).
    kinds = allowed_child_kinds(parent.kind)
    form = OrgCreateForm(request.POST or None, initial={"region_code": parent.region_code}, kinds=kinds)
    return _submit(request, parent, form, f"在“{parent.name}”下新建工会", perform)


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    org = _get(request, code)
    require_perm(request, OrgPerm.CHANGE, org.path)
    initial = {name: getattr(org, name) for name in OrgFieldsForm.base_fields if hasattr(org, name)}
    initial["industry_federation_code"] = org.industry_federation.code if org.industry_federation else ""
    kinds = list(allowed_child_kinds(org.parent.kind if org.parent else None))
    if org.kind not in kinds:
        kinds.insert(0, org.kind)  # recorded before the rule: kept until someone changes it
    form = OrgFieldsForm(request.POST or None, initial=initial, kinds=kinds)

    def perform(data: dict[str, Any]) -> tuple[Org, str]:
        changes = {k: v for k, v in data.items() if k in form.changed_data}
        if "industry_federation_code" in changes:
            changes["industry_federation_code"] = changes["industry_federation_code"] or None
        services.org_update(actor=actor_of(request), scope=scope_of(request), org=org, changes=changes)
        return org, "已保存。"

    return _submit(request, org, form, f"修改“{org.name}”", perform)


@login_required
def move(request: HttpRequest, code: str) -> HttpResponse:
    org = _get(request, code)
    require_perm(request, OrgPerm.MOVE, org.path)

    def perform(data: dict[str, Any]) -> tuple[Org, str]:
        new_parent = selectors.org_get(scope=scope_of(request), code=data["parent_code"].strip())
        services.org_move(actor=actor_of(request), scope=scope_of(request), org=org, new_parent=new_parent)
        return org, f"已将“{org.name}”迁至“{new_parent.name}”之下。"

    return _submit(request, org, OrgMoveForm(request.POST or None), f"调整“{org.name}”的隶属关系", perform)


@login_required
def close(request: HttpRequest, code: str) -> HttpResponse:
    org = _get(request, code)
    require_perm(request, OrgPerm.CLOSE, org.path)

    def perform(data: dict[str, Any]) -> tuple[Org, str]:
        services.org_close(actor=actor_of(request), scope=scope_of(request), org=org, closed_on=data["closed_on"])
        return org, f"已撤销“{org.name}”。"

    return _submit(request, org, OrgCloseForm(request.POST or None), f"撤销“{org.name}”", perform)
