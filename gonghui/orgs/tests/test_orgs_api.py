"""The orgs API over HTTP: create, update, move, close, lists and statistics.

Every refusal answers `{"code", "message", "details"}` with a Chinese message and
leaves the database as it was.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.core.scoping import subtree_q
from gonghui.core.tests.clients import client
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org
from gonghui.orgs.services import OrgSpec, org_bulk_create, org_close, org_tree_check

pytestmark = pytest.mark.django_db

USCC = uscc_with_check("91520200MA6H12345")
USCC_2 = uscc_with_check("81520201MA6H0001P")
LPS_CODES = {"520200", "520201", "520201G001", "520200KD01"}


def case_id(value: object) -> str | None:
    """Readable test ids: the field names of a body, not the Chinese messages."""
    if isinstance(value, dict):
        return "+".join(value) or "empty"
    if isinstance(value, str) and not value.isascii():
        return "msg"
    return None


def _wrong_check(uscc: str) -> str:
    return uscc[:17] + ("1" if uscc[17] != "1" else "2")


class Api:
    """A bearer-token caller that speaks JSON, as an integration does (no CSRF token)."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def get(self, url: str, **params: Any):
        return client(csrf=True).get(url, params, **self.headers)

    def send(self, method: str, url: str, body: Any):
        return getattr(client(csrf=True), method)(
            url, data=json.dumps(body), content_type="application/json", **self.headers
        )

    def post(self, url: str, body: Any):
        return self.send("post", url, body)

    def patch(self, url: str, body: Any):
        return self.send("patch", url, body)


@pytest.fixture
def officer(tree, make_user, bearer) -> Api:
    return Api(bearer(make_user("lps_officer", ("officer", "520200"))))


@pytest.fixture
def admin(tree, make_user, bearer) -> Api:
    return Api(bearer(make_user("gz_admin", ("admin", "520000"))))


def state() -> tuple[list[dict[str, Any]], int]:
    return list(Org.all_objects.order_by("pk").values()), AuditEvent.all_objects.count()


def assert_error(resp, status: int, code: str, message: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    if message is not None:
        assert body["message"] == message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    return body


def new_org(**fields: Any) -> dict[str, Any]:
    return {"code": "520201G002", "name": "钟山区外卖配送员联合工会", "kind": "joint_grassroots",
            "parent_code": "520201", **fields}  # fmt: skip


# --- create ---------------------------------------------------------------------


def test_create_with_every_field(tree, officer: Api) -> None:
    body = new_org(
        short_name="钟山外卖工会",
        form="committee",
        region_code="520201",
        uscc=USCC.lower(),
        is_new_employment=True,
        industry_federation_code="520200KD01",
        founded_on="2024-05-01",
        chair="李四",
        contact_phone="0858-1234567",
        employee_count=120,
        unit_name="某配送站",
        address="钟山区某路 1 号",
    )
    resp = officer.post("/api/v1/orgs", body)
    assert resp.status_code == 201, resp.content.decode()
    out = resp.json()
    assert out["code"] == "520201G002"
    assert out["kind"] == "joint_grassroots"
    assert out["kind_label"] == "联合基层工会"
    assert out["parent_code"] == "520201"
    assert out["depth"] == 3
    assert out["uscc"] == USCC
    assert out["region_name"] == "贵州省六盘水市钟山区"
    assert out["industry_federation_code"] == "520200KD01"
    assert out["founded_on"] == "2024-05-01"
    assert out["employee_count"] == 120
    assert out["closed_on"] is None
    assert out["warnings"] == []

    org = Org.all_objects.get(code="520201G002")
    assert org.path == f"{tree.zhongshan.path}{org.pk}/"
    assert org.contact_phone == "0858-1234567"
    event = AuditEvent.all_objects.get(action="orgs.org.create", org=org)
    assert event.actor.username == "lps_officer"
    assert event.data["parent"] == "520201"
    # What the API returned is what it returns on reading.
    assert officer.get("/api/v1/orgs/520201G002").json() == out
    assert org_tree_check() == []


def test_create_normalizes_code_and_accepts_kind_by_its_chinese_label(tree, officer: Api) -> None:
    resp = officer.post("/api/v1/orgs", new_org(code=" ５２０２０１ｇ００２ ", kind="联合基层工会", name=" 外卖工会 "))
    assert resp.status_code == 201, resp.content.decode()
    assert resp.json()["code"] == "520201G002"
    assert resp.json()["kind"] == "joint_grassroots"
    assert resp.json()["name"] == "外卖工会"


def test_unknown_but_well_formed_region_is_kept_with_a_warning(tree, officer: Api) -> None:
    resp = officer.post("/api/v1/orgs", new_org(region_code="529999"))
    assert resp.status_code == 201
    assert resp.json()["region_code"] == "529999"
    assert resp.json()["warnings"] == ["行政区划代码“529999”不在 GB/T 2260 代码表中。"]


@pytest.mark.parametrize(
    ("fields", "status", "code", "message"),
    [
        (
            {"uscc": _wrong_check(USCC)},
            400,
            "org.uscc_invalid",
            f"统一社会信用代码“{_wrong_check(USCC)}”无效：校验码应为“{USCC[17]}”，实际为“{_wrong_check(USCC)[17]}”",
        ),
        ({"uscc": "9152020"}, 400, "org.uscc_invalid", "统一社会信用代码“9152020”无效：应为 18 位，实际为 7 位"),
        ({"code": "520201"}, 409, "org.code_taken", "工会代码“520201”已被使用。"),
        ({"code": "520201g001"}, 409, "org.code_taken", "工会代码“520201G001”已被使用。"),
        ({"code": "ab"}, 400, "org.code_invalid", "工会代码“ab”格式不正确：应为 4–32 位数字、大写字母或连字符。"),
        ({"kind": "club"}, 400, "org.kind_invalid", "组织类型“club”不存在。"),
        ({"kind": "俱乐部"}, 400, "org.kind_invalid", "组织类型“俱乐部”不存在。"),
        ({"region_code": "52020"}, 400, "org.region_invalid", "行政区划代码“52020”应为 6 位数字。"),
        ({"region_code": "52O201"}, 400, "org.region_invalid", "行政区划代码“52O201”应为 6 位数字。"),
        ({"founded_on": "2999-01-01"}, 400, "org.founded_in_future", "成立日期不能晚于今天。"),
        ({"employee_count": -3}, 400, "org.employee_count_negative", "职工人数不能为负数。"),
        ({"form": "club"}, 400, "org.form_invalid", "组织形式“club”不存在。"),
        ({"name": "  "}, 400, "org.name_required", "工会名称不能为空"),
        (
            {"industry_federation_code": "520201"},
            400,
            "org.industry_federation_kind",
            "“钟山区总工会”不是产业工会或行业性工会联合会，不能作为归口的产业（行业）工会。",
        ),
        ({"parent_code": "520100"}, 404, "not_found", "未找到该记录，或您无权访问。"),
        ({"parent_code": "NOPE0000"}, 404, "not_found", "未找到该记录，或您无权访问。"),
    ],
    ids=case_id,
)
def test_create_refusals(tree, officer: Api, fields: dict[str, Any], status: int, code: str, message: str) -> None:
    before = state()
    assert_error(officer.post("/api/v1/orgs", new_org(**fields)), status, code, message)
    assert state() == before


def test_create_refuses_a_uscc_already_in_use(tree, officer: Api) -> None:
    assert officer.post("/api/v1/orgs", new_org(uscc=USCC)).status_code == 201
    before = state()
    resp = officer.post("/api/v1/orgs", new_org(code="520201G003", uscc=USCC))
    assert_error(resp, 400, "org.uscc_invalid", f"统一社会信用代码“{USCC}”无效：已由“钟山区外卖配送员联合工会”使用")
    assert state() == before


def test_create_under_a_closed_parent_is_refused(tree, officer: Api) -> None:
    org_close(actor=None, scope=None, org=tree.courier_union)
    before = state()
    resp = officer.post("/api/v1/orgs", new_org(parent_code="520201G001"))
    assert_error(resp, 400, "org.parent_closed", "上级工会“钟山区快递员联合工会”已撤销，不能在其下新建或迁入工会。")
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "kind": "grassroots", "parent_code": "520201"},
        {"code": "520201G002", "kind": "grassroots", "parent_code": "520201"},
        {"code": "520201G002", "name": "x", "kind": "grassroots"},
        {**new_org(), "employee_count": "很多"},
        {**new_org(), "founded_on": "2024-13-01"},
        {**new_org(), "short_name": None},
    ],
    ids=case_id,
)
def test_malformed_create_bodies_are_422(tree, officer: Api, body: dict[str, Any]) -> None:
    before = state()
    body_out = assert_error(officer.post("/api/v1/orgs", body), 422, "invalid", "提交的数据有误，请检查后重试。")
    assert body_out["details"] and all({"field", "reason"} <= set(d) for d in body_out["details"])
    assert state() == before


def test_body_that_is_not_json_is_refused(tree, officer: Api) -> None:
    before = state()
    resp = client(csrf=True).post(
        "/api/v1/orgs", data="code=520201G002", content_type="application/json", **officer.headers
    )
    assert resp.status_code in (400, 422)
    assert set(resp.json()) == {"code", "message", "details"}
    assert state() == before


# --- update ---------------------------------------------------------------------


def test_patch_changes_only_the_given_fields_and_audits_the_diff(tree, officer: Api) -> None:
    resp = officer.patch("/api/v1/orgs/520201G001", {"chair": "王五", "employee_count": 80, "uscc": USCC})
    assert resp.status_code == 200, resp.content.decode()
    org = Org.all_objects.get(code="520201G001")
    assert (org.chair, org.employee_count, org.uscc) == ("王五", 80, USCC)
    assert org.name == "钟山区快递员联合工会"
    assert org.is_new_employment is True
    event = AuditEvent.all_objects.get(action="orgs.org.update")
    assert set(event.data["changes"]) == {"chair", "employee_count", "uscc"}
    # The same values again change nothing and write no event.
    resp = officer.patch("/api/v1/orgs/520201G001", {"chair": "王五"})
    assert resp.status_code == 200
    assert AuditEvent.all_objects.filter(action="orgs.org.update").count() == 1


def test_patch_ignores_fields_outside_the_schema(tree, officer: Api) -> None:
    before = state()
    resp = officer.patch("/api/v1/orgs/520201", {"code": "999999", "parent_code": "520100", "path": "1/"})
    assert resp.status_code == 200
    assert resp.json()["code"] == "520201"
    assert resp.json()["parent_code"] == "520200"
    assert state() == before


def test_patch_industry_federation_link_and_unlink(tree, officer: Api) -> None:
    resp = officer.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "520200KD01"})
    assert resp.json()["industry_federation_code"] == "520200KD01"
    resp = officer.patch("/api/v1/orgs/520201G001", {"industry_federation_code": None})
    assert resp.status_code == 200
    assert resp.json()["industry_federation_code"] is None


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"uscc": _wrong_check(USCC)}, "org.uscc_invalid", None),
        ({"kind": "club"}, "org.kind_invalid", "组织类型“club”不存在。"),
        ({"form": "club"}, "org.form_invalid", "组织形式“club”不存在。"),
        ({"region_code": "5202"}, "org.region_invalid", "行政区划代码“5202”应为 6 位数字。"),
        ({"founded_on": "2999-01-01"}, "org.founded_in_future", "成立日期不能晚于今天。"),
        ({"employee_count": -1}, "org.employee_count_negative", "职工人数不能为负数。"),
        ({"name": " "}, "org.fields_required", "工会名称不能为空"),
        ({"name": None}, "org.fields_required", "该字段不能为 null"),
        ({"short_name": None}, "org.fields_required", "该字段不能为 null"),
        ({"kind": None}, "org.fields_required", "该字段不能为 null"),
        ({"region_code": None}, "org.fields_required", "该字段不能为 null"),
        ({"is_new_employment": None}, "org.fields_required", "该字段不能为 null"),
        ({"industry_federation_code": "520201"}, "org.industry_federation_kind", None),
        ({"industry_federation_code": "520201G001"}, "org.industry_federation_kind", None),
    ],
    ids=case_id,
)
def test_patch_refusals(tree, officer: Api, changes: dict[str, Any], code: str, message: str | None) -> None:
    before = state()
    assert_error(officer.patch("/api/v1/orgs/520201G001", changes), 400, code, message)
    assert state() == before


def test_patch_blank_or_null_required_fields_say_which(tree, officer: Api) -> None:
    resp = officer.patch("/api/v1/orgs/520201", {"name": "", "short_name": None})
    body = assert_error(resp, 400, "org.fields_required", "工会名称不能为空；该字段不能为 null")
    assert body["details"] == {"name": "工会名称不能为空", "short_name": "该字段不能为 null"}


def test_patch_refuses_a_uscc_used_by_another_org(tree, officer: Api) -> None:
    officer.patch("/api/v1/orgs/520201", {"uscc": USCC_2})
    before = state()
    resp = officer.patch("/api/v1/orgs/520201G001", {"uscc": USCC_2})
    assert_error(resp, 400, "org.uscc_invalid", f"统一社会信用代码“{USCC_2}”无效：已由“钟山区总工会”使用")
    assert state() == before


def test_refusals_never_name_an_org_outside_the_callers_scope(tree, officer: Api, admin: Api) -> None:
    # 定西 holds a USCC and 贵阳 is a federation; the 六盘水 officer must learn neither name.
    from gonghui.orgs.services import org_update

    org_update(actor=None, scope=None, org=tree.dingxi, changes={"uscc": USCC})
    before = state()
    for body in ({"uscc": USCC}, {"industry_federation_code": "621100"}, {"industry_federation_code": "520100"}):
        resp = officer.patch("/api/v1/orgs/520201G001", body)
        assert resp.status_code == 400
        assert "定西" not in resp.json()["message"]
        assert "贵阳" not in resp.json()["message"]
    # A code outside the scope answers exactly as a code that does not exist.
    outside = officer.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "520100"}).json()
    missing = officer.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "NOPE0000"}).json()
    assert outside["code"] == missing["code"] == "org.parent_not_found"
    assert state() == before
    # The admin of the province sees both and is told what is wrong.
    resp = admin.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "520100"})
    assert "贵阳市总工会" in resp.json()["message"]


def test_patch_of_a_closed_org_is_refused(tree, officer: Api) -> None:
    org_close(actor=None, scope=None, org=tree.courier_union)
    before = state()
    resp = officer.patch("/api/v1/orgs/520201G001", {"chair": "张三"})
    assert_error(resp, 400, "org.already_closed", "工会“钟山区快递员联合工会”已经撤销。")
    assert state() == before


# --- move -----------------------------------------------------------------------


def test_move_rewrites_the_subtree(tree, admin: Api) -> None:
    resp = admin.post("/api/v1/orgs/520201/move", {"parent_code": "520100"})
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["parent_code"] == "520100"
    assert resp.json()["depth"] == 2
    zhongshan = Org.all_objects.get(code="520201")
    courier = Org.all_objects.get(code="520201G001")
    assert zhongshan.path == f"{tree.guiyang.path}{zhongshan.pk}/"
    assert courier.path == f"{zhongshan.path}{courier.pk}/"
    assert courier.depth == 3
    assert org_tree_check() == []
    assert {o["code"] for o in admin.get("/api/v1/orgs/520100/children").json()} == {"520102", "520201"}
    assert admin.get("/api/v1/orgs", within="520100").json()["count"] == 4
    event = AuditEvent.all_objects.get(action="orgs.org.move")
    assert event.data == {"from": "520200", "to": "520100", "subtree_size": 2}


@pytest.mark.parametrize(
    ("code", "parent", "error", "message"),
    [
        ("520200", "520201", "org.move_into_own_subtree", "不能把工会“六盘水市总工会”迁移到它自己或它的下级工会之下。"),
        ("520200", "520201G001", "org.move_into_own_subtree", None),
        ("520200", "520200", "org.move_into_own_subtree", None),
        (
            "520201",
            "520201G001",
            "org.move_into_own_subtree",
            "不能把工会“钟山区总工会”迁移到它自己或它的下级工会之下。",
        ),
        ("520201", "520200", "org.move_same_parent", "工会“钟山区总工会”已经在“六盘水市总工会”之下。"),
    ],
    ids=case_id,
)
def test_move_refusals(tree, admin: Api, code: str, parent: str, error: str, message: str | None) -> None:
    before = state()
    assert_error(admin.post(f"/api/v1/orgs/{code}/move", {"parent_code": parent}), 400, error, message)
    assert state() == before


def test_a_root_cannot_move(tree, make_user, bearer) -> None:
    root = Api(bearer(make_user("root", superuser=True)))
    before = state()
    assert_error(root.post("/api/v1/orgs/520000/move", {"parent_code": "621100"}), 400, "org.root_move")
    assert state() == before


def test_move_under_a_closed_parent_is_refused(tree, admin: Api) -> None:
    org_close(actor=None, scope=None, org=tree.nanming)
    before = state()
    resp = admin.post("/api/v1/orgs/520201G001/move", {"parent_code": "520102"})
    assert_error(resp, 400, "org.parent_closed")
    assert state() == before


def test_move_without_a_parent_is_422(tree, admin: Api) -> None:
    before = state()
    assert_error(admin.post("/api/v1/orgs/520201G001/move", {}), 422, "invalid")
    assert state() == before


# --- close ----------------------------------------------------------------------


def test_close_a_leaf_then_it_leaves_the_lists(tree, admin: Api) -> None:
    resp = admin.post("/api/v1/orgs/520201G001/close", {"closed_on": "2025-12-31"})
    assert resp.status_code == 200
    assert resp.json()["closed_on"] == "2025-12-31"
    assert Org.all_objects.get(code="520201G001").closed_on == date(2025, 12, 31)
    assert "520201G001" not in {o["code"] for o in admin.get("/api/v1/orgs").json()["items"]}
    assert "520201G001" in {o["code"] for o in admin.get("/api/v1/orgs", include_closed="true").json()["items"]}
    assert admin.get("/api/v1/orgs/520201/children").json() == []
    # Still readable by code: records of a closed union stay.
    assert admin.get("/api/v1/orgs/520201G001").json()["closed_on"] == "2025-12-31"


def test_close_defaults_to_today(tree, admin: Api) -> None:
    resp = admin.post("/api/v1/orgs/520201G001/close", {})
    assert resp.json()["closed_on"] == timezone.localdate().isoformat()


def test_close_refusals(tree, admin: Api) -> None:
    before = state()
    resp = admin.post("/api/v1/orgs/520200/close", {})
    assert_error(
        resp, 400, "org.has_open_children", "工会“六盘水市总工会”还有 2 个未撤销的下级工会，请先迁移或撤销它们。"
    )
    assert state() == before
    assert admin.post("/api/v1/orgs/520201G001/close", {}).status_code == 200
    before = state()
    assert_error(admin.post("/api/v1/orgs/520201G001/close", {}), 400, "org.already_closed")
    assert_error(admin.post("/api/v1/orgs/520201G001/close", {"closed_on": "yesterday"}), 422, "invalid")
    assert state() == before
    # With its only child closed, 钟山 may close now.
    assert admin.post("/api/v1/orgs/520201/close", {}).status_code == 200


# --- lists ----------------------------------------------------------------------


@pytest.fixture
def many(tree) -> int:
    """60 more grassroots unions under 钟山, every third one new-employment."""
    specs = [
        OrgSpec(
            code=f"520201J{i:03d}",
            name=f"钟山区第{i}基层工会",
            kind="grassroots",
            parent_code="520201",
            fields={"is_new_employment": i % 3 == 0, "region_code": "520201"},
        )
        for i in range(60)
    ]
    return org_bulk_create(actor=None, specs=specs)


def test_pagination_shape_and_bounds(tree, officer: Api, many: int) -> None:
    total = len(LPS_CODES) + many
    first = officer.get("/api/v1/orgs").json()
    assert set(first) == {"items", "count", "page"}
    assert (first["count"], first["page"], len(first["items"])) == (total, 1, 50)
    second = officer.get("/api/v1/orgs", page=2).json()
    assert (second["count"], second["page"], len(second["items"])) == (total, 2, total - 50)
    codes = [o["code"] for o in first["items"] + second["items"]]
    assert len(set(codes)) == total
    paths = [Org.all_objects.get(code=c).path for c in codes]
    assert paths == sorted(paths)
    assert officer.get("/api/v1/orgs", page=99).json()["page"] == 2
    assert officer.get("/api/v1/orgs", page=0).json()["page"] == 1
    assert officer.get("/api/v1/orgs", page=-5).json()["page"] == 1
    assert_error(officer.get("/api/v1/orgs", page="abc"), 422, "invalid")


def test_empty_list_is_page_one(tree, make_user, bearer) -> None:
    from gonghui.accounts.models import Role
    from gonghui.accounts.services import grant_role

    Role.objects.create(name="stats_only", label="仅统计", permissions=["reports.stats.view"])
    user = make_user("nobody")
    grant_role(actor=None, actor_scope=None, user=user, role_name="stats_only", org_code="520200")
    assert Api(bearer(user)).get("/api/v1/orgs").json() == {"items": [], "count": 0, "page": 1}


def test_list_filters(tree, officer: Api, many: int) -> None:
    def codes(**params: Any) -> set[str]:
        body = officer.get("/api/v1/orgs", **params).json()
        assert body["count"] == len(body["items"]) or body["count"] > 50
        return {o["code"] for o in body["items"]}

    assert codes(q="快递") == {"520201G001", "520200KD01"}
    assert codes(q="520201g") == {"520201G001"}
    assert codes(kind="sector_federation") == {"520200KD01"}
    assert codes(parent="520200") == {"520201", "520200KD01"}
    assert codes(parent="520100") == set()
    assert len(codes(within="520201", page=2)) == 62 - 50  # 钟山, its courier union and the 60
    assert officer.get("/api/v1/orgs", new_employment="true").json()["count"] == 2 + 20
    assert officer.get("/api/v1/orgs", new_employment="false", kind="grassroots").json()["count"] == 40
    assert_error(officer.get("/api/v1/orgs", within="520100"), 404, "not_found")


def test_children_lists_open_children_only(tree, officer: Api) -> None:
    org_close(actor=None, scope=None, org=tree.courier_union)
    resp = officer.get("/api/v1/orgs/520200/children")
    assert {o["code"] for o in resp.json()} == {"520201", "520200KD01"}
    assert officer.get("/api/v1/orgs/520201/children").json() == []


# --- statistics -----------------------------------------------------------------


def _counted(code: str | None) -> dict[str, int]:
    qs = Org.all_objects.filter(closed_on__isnull=True)
    if code is not None:
        qs = qs.filter(subtree_q("path", Org.all_objects.get(code=code).path))
    return {"orgs": qs.count(), "orgs_new_employment": qs.filter(is_new_employment=True).count()}


def _cli_stats(code: str | None) -> dict[str, Any]:
    out = StringIO()
    call_command("stats", *(["--org", code] if code else []), "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_stats_equal_counts_of_rows(tree, officer: Api, admin: Api, many: int) -> None:
    org_close(actor=None, scope=None, org=Org.all_objects.get(code="520201J003"))
    for api, code in [(officer, "520200"), (officer, "520201"), (officer, "520201G001"), (admin, "520000")]:
        figures = api.get("/api/v1/stats", org=code).json()
        assert {k: figures[k] for k in ("orgs", "orgs_new_employment")} == _counted(code)
        assert figures == _cli_stats(code)
    assert _counted("520200") == {"orgs": 4 + 59, "orgs_new_employment": 2 + 19}


def test_stats_without_org_cover_the_callers_scope(tree, officer: Api, make_user, bearer) -> None:
    figures = officer.get("/api/v1/stats").json()
    assert {k: figures[k] for k in ("orgs", "orgs_new_employment")} == _counted("520200")
    root = Api(bearer(make_user("root", superuser=True)))
    assert root.get("/api/v1/stats").json() == _cli_stats(None)
    assert root.get("/api/v1/stats").json()["orgs"] == Org.all_objects.count()


def test_stats_change_with_the_records(tree, admin: Api) -> None:
    before = admin.get("/api/v1/stats", org="520201").json()
    admin.post("/api/v1/orgs", new_org(is_new_employment=True))
    after = admin.get("/api/v1/stats", org="520201").json()
    assert after["orgs"] == before["orgs"] + 1
    assert after["orgs_new_employment"] == before["orgs_new_employment"] + 1
    admin.post("/api/v1/orgs/520201G002/close", {})
    assert admin.get("/api/v1/stats", org="520201").json() == before


def test_stats_of_an_unknown_or_foreign_org_are_404(tree, officer: Api) -> None:
    assert_error(officer.get("/api/v1/stats", org="NOPE0000"), 404, "not_found")
    assert_error(officer.get("/api/v1/stats", org="520100"), 404, "not_found")
    assert officer.get("/api/v1/stats", org="520100").json() == officer.get("/api/v1/stats", org="NOPE0000").json()


# --- health and schema ----------------------------------------------------------


def test_healthz_is_public_json(db: None) -> None:
    resp = client().get("/healthz")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["jobs"] == "ok"
    assert body["jobs_pending"] == 0
    assert "no-cache" in resp["Cache-Control"] or "max-age=0" in resp["Cache-Control"]


def test_openapi_lists_every_endpoint(db: None) -> None:
    resp = client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    expected = {
        "/api/v1/auth/token": {"post"},
        "/api/v1/auth/tokens": {"get"},
        "/api/v1/auth/tokens/{token_id}": {"delete"},
        "/api/v1/orgs": {"get", "post"},
        "/api/v1/orgs/{code}": {"get", "patch"},
        "/api/v1/orgs/{code}/children": {"get"},
        "/api/v1/orgs/{code}/child-kinds": {"get"},
        "/api/v1/orgs/{code}/move": {"post"},
        "/api/v1/orgs/{code}/close": {"post"},
        "/api/v1/stats": {"get"},
        "/api/v1/codes/{table}": {"get"},
        "/api/v1/orgs/suggest": {"get"},
        "/api/v1/regions/suggest": {"get"},
        "/api/v1/members": {"get", "post"},
        "/api/v1/members/search": {"post"},
        "/api/v1/members/{member_id}": {"get", "patch"},
        "/api/v1/members/{member_id}/history": {"get"},
        "/api/v1/members/{member_id}/reveal-id": {"post"},
        **{
            f"/api/v1/members/{{member_id}}/{action}": {"post"}
            for action in ("approve", "reject", "retain", "resume", "withdraw", "expel", "reinstate", "transfer")
        },
        "/api/v1/transfers": {"get", "post"},
        "/api/v1/transfers/{transfer_id}": {"get"},
        "/api/v1/transfers/{transfer_id}/approve": {"post"},
        "/api/v1/transfers/{transfer_id}/reject": {"post"},
        "/api/v1/transfers/{transfer_id}/cancel": {"post"},
        "/api/v1/banks": {"get"},
        "/api/v1/benefits/transactions": {"get", "post"},
        "/api/v1/benefits/transactions/{sale_id}/reverse": {"post"},
        "/api/v1/benefits/transactions/batch": {"post"},
        "/api/v1/benefits/merchants": {"get", "post"},
        "/api/v1/benefits/merchants/{merchant_id}": {"get", "patch"},
        "/api/v1/benefits/merchants/{merchant_id}/deactivate": {"post"},
        "/api/v1/benefits/merchants/{merchant_id}/stores": {"get", "post"},
        "/api/v1/benefits/merchants/{merchant_id}/stores/{store_id}": {"patch"},
        "/api/v1/benefits/merchants/{merchant_id}/operators": {"get", "post"},
        "/api/v1/benefits/merchants/{merchant_id}/operators/{operator_id}": {"patch", "delete"},
        "/api/v1/benefits/campaigns": {"get", "post"},
        "/api/v1/benefits/campaigns/{campaign_id}": {"get", "patch"},
        "/api/v1/benefits/campaigns/{campaign_id}/participants": {"put"},
        "/api/v1/benefits/campaigns/{campaign_id}/activate": {"post"},
        "/api/v1/benefits/campaigns/{campaign_id}/close": {"post"},
        "/api/v1/benefits/campaigns/{campaign_id}/occurrences": {"get"},
        "/api/v1/benefits/sales": {"get"},
        "/api/v1/benefits/settlement": {"get"},
        "/api/v1/benefits/settlement/export": {"get"},
        "/api/v1/cards": {"get", "post"},
        "/api/v1/cards/{card_id}": {"get"},
        "/api/v1/cards/{card_id}/history": {"get"},
        **{
            f"/api/v1/cards/{{card_id}}/{action}": {"post"}
            for action in ("issue", "activate", "freeze", "unfreeze", "report-lost", "cancel", "replace")
        },
        "/api/v1/payouts": {"get", "post"},
        "/api/v1/payouts/{batch_id}": {"get"},
        "/api/v1/payouts/{batch_id}/items": {"get", "post"},
        "/api/v1/payouts/{batch_id}/bank-file": {"post"},
        "/api/v1/credit-referrals": {"get"},
        "/api/v1/aid/files": {"get", "post"},
        "/api/v1/aid/files/{file_id}": {"get"},
        "/api/v1/aid/files/{file_id}/authorization": {"post"},
        "/api/v1/aid/files/{file_id}/approve": {"post"},
        "/api/v1/aid/files/{file_id}/return": {"post"},
        "/api/v1/aid/files/{file_id}/reject": {"post"},
        "/api/v1/aid/files/{file_id}/close": {"post"},
        "/api/v1/aid/relief-visits": {"get", "post"},
        "/api/v1/crosscheck/reviews": {"get"},
        "/api/v1/crosscheck/reviews/{review_id}": {"get"},
        "/api/v1/crosscheck/reviews/{review_id}/decide": {"post"},
        "/api/v1/student-aid/applications": {"get", "post"},
        "/api/v1/student-aid/applications/{application_id}": {"get"},
        **{
            f"/api/v1/student-aid/applications/{{application_id}}/{action}": {"post"}
            for action in ("review", "approve", "return", "reject")
        },
        "/api/v1/student-aid/publications/{publication_id}": {"get"},
        "/api/v1/honors/campaigns": {"get"},
        "/api/v1/honors/campaigns/{campaign_id}": {"get"},
        "/api/v1/honors/nominations": {"get"},
        "/api/v1/honors/nominations/{nomination_id}": {"get"},
        "/api/v1/honors/nominations/{nomination_id}/review": {"post"},
        "/api/v1/honors/register": {"get"},
        "/api/v1/honors/lectures": {"get", "post"},
        "/api/v1/honors/lectures/{lecture_id}": {"get", "put"},
        "/api/v1/honors/speakers/{person_id}": {"get"},
        "/api/v1/credit-referrals/{referral_id}": {"get"},
        "/api/v1/stations": {"get"},
        "/api/v1/stations/nearest": {"get"},
        "/api/v1/stations/{code}": {"get"},
        "/api/v1/stations/{code}/groups": {"get"},
        "/api/v1/stations/{code}/shifts": {"get"},
        **{
            f"/api/v1/payouts/{{batch_id}}/{action}": {"post"}
            for action in ("submit", "approve", "return", "cancel", "retry", "results")
        },
        "/api/v1/rights/cases": {"get", "post"},
        "/api/v1/rights/cases/{case_id}": {"get"},
        "/api/v1/rights/supervision": {"get"},
        "/api/v1/rights/cases/{case_id}/hand-down": {"post"},
        "/api/v1/rights/cases/{case_id}/send-up": {"post"},
        "/api/v1/rights/cases/{case_id}/take": {"post"},
        "/api/v1/rights/cases/{case_id}/contacts": {"post"},
        "/api/v1/rights/cases/{case_id}/reply": {"post"},
        "/api/v1/rights/cases/{case_id}/follow-up": {"post"},
        "/api/v1/rights/cases/{case_id}/check": {"post"},
        "/api/v1/rights/cases/{case_id}/close": {"post"},
        "/api/v1/rights/cases/{case_id}/remind": {"post"},
        "/api/v1/rights/contracts": {"get", "post"},
        "/api/v1/rights/contracts/{contract_id}": {"get"},
        "/api/v1/rights/contracts/{contract_id}/filing": {"post"},
        "/api/v1/rights/contracts/{contract_id}/review": {"post"},
        "/api/v1/rights/negotiation-requests": {"get", "post"},
        "/api/v1/rights/negotiation-requests/{request_id}/reply": {"post"},
        "/api/v1/rights/lawyers": {"get"},
        "/api/v1/rights/lawyers/{lawyer_id}": {"get"},
        "/api/v1/rights/legal-aid": {"get"},
        "/api/v1/rights/legal-aid/{matter_id}": {"get"},
        "/api/v1/rights/lawyer-visits": {"get"},
        "/api/v1/rights/lawyer-visits/{visit_id}": {"get"},
        "/api/v1/charity/funds": {"get", "post"},
        "/api/v1/charity/funds/{fund_id}": {"get"},
        "/api/v1/charity/funds/{fund_id}/accounts": {"get"},
        "/api/v1/charity/funds/{fund_id}/ledger": {"get"},
        "/api/v1/charity/funds/{fund_id}/donations": {"post"},
        "/api/v1/charity/donations": {"get"},
        "/api/v1/charity/donations/{donation_id}": {"get"},
        "/api/v1/charity/donations/{donation_id}/trace": {"get"},
        "/api/v1/charity/donations/{donation_id}/refunds": {"post"},
        "/api/v1/charity/projects": {"get", "post"},
        "/api/v1/charity/projects/{project_id}": {"get"},
        "/api/v1/charity/projects/{project_id}/disbursements": {"post"},
        "/api/v1/charity/projects/{project_id}/student-grants": {"post"},
        "/api/v1/charity/projects/{project_id}/hardship": {"post"},
        "/api/v1/charity/projects/{project_id}/payout-batches": {"post"},
        "/api/v1/charity/disbursements": {"get"},
        "/api/v1/charity/beneficiaries/{member_id}": {"get"},
        "/api/v1/charity/projects/{project_id}/activities": {"get", "post"},
        "/api/v1/skills/contests": {"get", "post"},
        "/api/v1/skills/contests/{contest_id}": {"get"},
        "/api/v1/skills/contests/{contest_id}/entries": {"get", "post"},
        "/api/v1/skills/contests/{contest_id}/scores": {"post"},
        "/api/v1/skills/contests/{contest_id}/rank": {"post"},
        "/api/v1/skills/contests/{contest_id}/ranking": {"get"},
        "/api/v1/skills/contests/{contest_id}/winners": {"get"},
        "/api/v1/skills/contests/{contest_id}/events": {"post"},
        "/api/v1/skills/contests/{contest_id}/judges": {"post"},
        "/api/v1/skills/contests/{contest_id}/mismatches": {"get"},
        "/api/v1/skills/contests/{contest_id}/scores/{score_id}/resolve": {"post"},
        "/api/v1/skills/contests/{contest_id}/publish": {"post"},
        "/api/v1/skills/contests/{contest_id}/close": {"post"},
        "/api/v1/skills/contests/{contest_id}/certificates": {"post"},
        "/api/v1/skills/contests/{contest_id}/entries/{entry_id}/withdraw": {"post"},
        "/api/v1/skills/contests/{contest_id}/entries/{entry_id}/recommend": {"post"},
        "/api/v1/skills/classes": {"get"},
        "/api/v1/skills/classes/{class_id}": {"get"},
        "/api/v1/skills/classes/{class_id}/enrolments": {"post"},
        "/api/v1/skills/studios": {"get", "post"},
        "/api/v1/skills/studios/{studio_id}": {"get"},
        "/api/v1/skills/studios/{studio_id}/apply": {"post"},
        "/api/v1/skills/innovations": {"get", "post"},
        "/api/v1/skills/innovations/{entry_id}/review": {"post"},
        "/api/v1/skills/activities": {"get", "post"},
    }
    assert {path: set(ops) for path, ops in paths.items()} == expected
    # Every operation but issuing a token and the public nearest-station search needs credentials.
    public = {("/api/v1/auth/token", "post"), ("/api/v1/stations/nearest", "get")}
    for path, ops in paths.items():
        for method, op in ops.items():
            assert bool(op.get("security")) == ((path, method) not in public), (path, method)
    assert client().get("/api/v1/docs").status_code == 200


def test_founded_today_is_accepted_and_tomorrow_refused(tree, officer: Api) -> None:
    today = timezone.localdate()
    assert officer.post("/api/v1/orgs", new_org(founded_on=today.isoformat())).status_code == 201
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert_error(
        officer.post("/api/v1/orgs", new_org(code="520201G003", founded_on=tomorrow)), 400, "org.founded_in_future"
    )


def test_form_accepts_a_value_or_its_chinese_label(tree, officer: Api) -> None:
    resp = officer.post("/api/v1/orgs", new_org(form="工会委员会"))
    assert resp.status_code == 201
    assert resp.json()["form"] == "committee"
    assert officer.patch("/api/v1/orgs/520201G002", {"form": "branch"}).json()["form"] == "branch"
    assert officer.patch("/api/v1/orgs/520201G002", {"form": ""}).json()["form"] == ""


def test_an_industry_federation_outside_the_scope_can_still_be_linked(tree, officer: Api) -> None:
    # Roll-ups cross the tree: a 六盘水 union may belong to an industry union elsewhere that accepts it.
    from gonghui.conftest import make_org
    from gonghui.orgs.models import OrgKind

    make_org("520100JT01", "贵阳市交通运输工会", OrgKind.INDUSTRY_UNION, tree.guiyang, accepts_affiliates=True)
    resp = officer.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "520100JT01"})
    assert resp.status_code == 200
    assert resp.json()["industry_federation_code"] == "520100JT01"


def test_an_industry_federation_outside_the_scope_is_linked_only_when_it_accepts_affiliates(
    tree, officer: Api, make_user, bearer
) -> None:
    county = Api(bearer(make_user("zs_officer", ("officer", "520201"))))

    def refusal(code: str) -> dict[str, Any]:
        resp = county.patch("/api/v1/orgs/520201G001", {"industry_federation_code": code})
        assert resp.status_code == 400
        body = resp.json()
        return {**body, "message": body["message"].replace(code, "<code>")}

    # The city's industry union is outside the county's part of the tree: the answer is the
    # one for a code that does not exist, and names neither the union nor its kind.
    hidden, missing = refusal("520200KD01"), refusal("520200KD99")
    assert hidden == missing and hidden["code"] == "org.parent_not_found"
    assert "六盘水" not in json.dumps(hidden, ensure_ascii=False)
    assert Org.all_objects.get(code="520201G001").industry_federation is None

    # The city opens its industry union to affiliates from anywhere; then the county may link.
    opened = officer.patch("/api/v1/orgs/520200KD01", {"accepts_affiliates": True})
    assert opened.status_code == 200 and opened.json()["accepts_affiliates"] is True
    linked = county.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "520200KD01"})
    assert linked.status_code == 200 and linked.json()["industry_federation_code"] == "520200KD01"

    # Closing the door later keeps the links made, and an unchanged link is not checked again.
    officer.patch("/api/v1/orgs/520200KD01", {"accepts_affiliates": False})
    kept = county.patch("/api/v1/orgs/520201G001", {"industry_federation_code": "520200KD01", "chair": "王芳"})
    assert kept.status_code == 200 and kept.json()["industry_federation_code"] == "520200KD01"
