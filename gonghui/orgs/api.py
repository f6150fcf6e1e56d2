from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.viewutils import actor_of
from gonghui.orgs import selectors, services
from gonghui.orgs.fields import org_label
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.validation import allowed_child_kinds, kind_label, region_warning

router = Router(tags=["orgs"])


class OrgOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    form: str
    parent_code: str | None
    depth: int
    region_code: str
    region_name: str
    uscc: str
    is_new_employment: bool
    is_industry_chain: bool
    join_published: bool
    industry_federation_code: str | None
    accepts_affiliates: bool
    founded_on: date | None
    chair: str
    employee_count: int | None
    closed_on: date | None
    warnings: list[str]


class OrgPage(Schema):
    items: list[OrgOut]
    count: int
    page: int


class OrgCreateIn(Schema):
    code: str
    name: str
    kind: str
    parent_code: str
    short_name: str = ""
    form: str = ""
    region_code: str = ""
    uscc: str = ""
    is_new_employment: bool = False
    is_industry_chain: bool = False
    join_published: bool = False
    industry_federation_code: str | None = None
    accepts_affiliates: bool = False
    founded_on: date | None = None
    chair: str = ""
    contact_phone: str = ""
    employee_count: int | None = None
    unit_name: str = ""
    address: str = ""


class OrgUpdateIn(Schema):
    name: str | None = None
    short_name: str | None = None
    kind: str | None = None
    form: str | None = None
    region_code: str | None = None
    uscc: str | None = None
    is_new_employment: bool | None = None
    is_industry_chain: bool | None = None
    join_published: bool | None = None
    industry_federation_code: str | None = None
    accepts_affiliates: bool | None = None
    founded_on: date | None = None
    chair: str | None = None
    contact_phone: str | None = None
    employee_count: int | None = None
    unit_name: str | None = None
    address: str | None = None


class KindOut(Schema):
    kind: str
    label: str


class MoveIn(Schema):
    parent_code: str


class CloseIn(Schema):
    closed_on: date | None = None


KIND_LABELS = dict(OrgKind.choices)


def org_out(org: Org) -> dict[str, Any]:
    warning = region_warning(org.region_code)
    return {
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "kind_label": str(KIND_LABELS.get(org.kind, org.kind)),
        "form": org.form,
        "parent_code": org.parent.code if org.parent else None,
        "depth": org.depth,
        "region_code": org.region_code,
        "region_name": org.region_name,
        "uscc": org.uscc,
        "is_new_employment": org.is_new_employment,
        "is_industry_chain": org.is_industry_chain,
        "join_published": org.join_published,
        "industry_federation_code": org.industry_federation.code if org.industry_federation else None,
        "accepts_affiliates": org.accepts_affiliates,
        "founded_on": org.founded_on,
        "chair": org.chair,
        "employee_count": org.employee_count,
        "closed_on": org.closed_on,
        "warnings": [warning] if warning else [],
    }


@router.get("", response=OrgPage, summary="工会组织列表（限本人管辖范围）")
def list_orgs(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    parent: str = "",
    within: str = "",
    new_employment: bool | None = None,
    include_closed: bool = False,
    page: int = 1,
) -> dict[str, Any]:
    qs = selectors.org_list(
        scope=request_scope(request),
        q=q,
        kind=kind,
        parent_code=parent,
        within_code=within,
        new_employment=new_employment,
        include_closed=include_closed,
    ).select_related("parent", "industry_federation")
    items, count, number = paginate(qs, page)
    return {"items": [org_out(o) for o in items], "count": count, "page": number}


class OrgChoiceOut(Schema):
    code: str
    name: str
    kind_label: str
    label: str


@router.get(
    "/suggest",
    response=list[OrgChoiceOut],
    url_name="org_suggest",
    summary="工会选择器：按名称、代码或拼音搜索（限本人管辖范围，最多 20 个）",
)
def suggest_orgs(request: HttpRequest, q: str = "") -> list[dict[str, str]]:
    # Declared before /{code}: "suggest" is no code (codes are capitals and digits).
    return [
        {"code": o.code, "name": o.name, "kind_label": kind_label(o.kind), "label": org_label(o)}
        for o in selectors.org_suggest(scope=request_scope(request), q=q)
    ]


@router.get("/{code}", response=OrgOut, summary="工会组织详情")
def get_org(request: HttpRequest, code: str) -> dict[str, Any]:
    return org_out(selectors.org_get(scope=request_scope(request), code=code))


@router.get("/{code}/children", response=list[OrgOut], summary="下级工会")
def get_children(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    scope = request_scope(request)
    org = selectors.org_get(scope=scope, code=code)
    return [org_out(o) for o in selectors.org_children(scope=scope, org=org, limit=1000)]


@router.get("/{code}/child-kinds", response=list[KindOut], summary="可在其下新建的组织类型（最常用的在前）")
def get_child_kinds(request: HttpRequest, code: str) -> list[dict[str, str]]:
    org = selectors.org_get(scope=request_scope(request), code=code)
    return [{"kind": k, "label": kind_label(k)} for k in allowed_child_kinds(org.kind)]


@router.post("", response={201: OrgOut}, summary="新建下级工会")
def create_org(request: HttpRequest, body: OrgCreateIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    parent = selectors.org_get(scope=scope, code=body.parent_code)
    data = body.dict(exclude={"parent_code", "code", "name", "kind", "industry_federation_code"})
    org = services.org_create(
        actor=actor_of(request),
        scope=scope,
        code=body.code,
        name=body.name,
        kind=body.kind,
        parent=parent,
        industry_federation_code=body.industry_federation_code,
        **data,
    )
    return Status(201, org_out(org))


@router.patch("/{code}", response=OrgOut, summary="修改工会信息")
def update_org(request: HttpRequest, code: str, body: OrgUpdateIn) -> dict[str, Any]:
    scope = request_scope(request)
    org = selectors.org_get(scope=scope, code=code)
    org = services.org_update(actor=actor_of(request), scope=scope, org=org, changes=body.dict(exclude_unset=True))
    return org_out(org)


@router.post("/{code}/move", response=OrgOut, summary="调整隶属关系（迁移子树）")
def move_org(request: HttpRequest, code: str, body: MoveIn) -> dict[str, Any]:
    scope = request_scope(request)
    org = selectors.org_get(scope=scope, code=code)
    new_parent = selectors.org_get(scope=scope, code=body.parent_code)
    return org_out(services.org_move(actor=actor_of(request), scope=scope, org=org, new_parent=new_parent))


@router.post("/{code}/close", response=OrgOut, summary="撤销工会")
def close_org(request: HttpRequest, code: str, body: CloseIn) -> dict[str, Any]:
    scope = request_scope(request)
    org = selectors.org_get(scope=scope, code=code)
    return org_out(services.org_close(actor=actor_of(request), scope=scope, org=org, closed_on=body.closed_on))
