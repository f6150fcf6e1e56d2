"""Org services: create, update, move, close — rules, Chinese refusals, permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gonghui.accounts.scope import scope_for_user
from gonghui.conftest import Tree
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import Scope
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_close, org_create, org_move, org_tree_check, org_update

pytestmark = pytest.mark.django_db

USCC_A = uscc_with_check("81520201MC0000001")
USCC_B = uscc_with_check("81520201MC0000002")


def _create(parent: Org | None, code: str = "520201G002", scope: Scope | None = None, **fields) -> Org:
    fields.setdefault("name", "钟山区外卖配送员联合工会")
    fields.setdefault("kind", OrgKind.JOINT_GRASSROOTS)
    return org_create(actor=None, scope=scope, code=code, parent=parent, **fields)


def _refused(call, code: str, message: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == code
    if message is not None:
        assert exc.value.message == message
    return exc.value


def _scope(make_user, username: str, role: str, org_code: str) -> Scope:
    return scope_for_user(make_user(username, (role, org_code)))


def _state() -> list[tuple]:
    return list(Org.all_objects.order_by("pk").values_list("pk", "parent_id", "path", "depth", "closed_on", "name"))


# --- create ----------------------------------------------------------------------


def test_create_sets_path_depth_and_cleans_fields(tree: Tree) -> None:
    org = _create(
        tree.zhongshan,
        code=" ５２０２０１ｇ００２ ",  # full-width, lower case, padded
        name="  钟山区外卖配送员联合工会 ",
        kind="联合基层工会",  # a label is accepted for the kind
        region_code="５２０２０１",
        uscc=USCC_A.lower(),
        employee_count=0,
    )
    assert org.code == "520201G002"
    assert org.name == "钟山区外卖配送员联合工会"
    assert org.kind == OrgKind.JOINT_GRASSROOTS
    assert org.region_code == "520201"
    assert org.region_name == "贵州省六盘水市钟山区"
    assert org.uscc == USCC_A
    assert org.path == f"{tree.zhongshan.path}{org.pk}/"
    assert org.depth == tree.zhongshan.depth + 1 == 3
    assert org_tree_check() == []


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"code": "ab"}, "org.code_invalid", "工会代码“ab”格式不正确：应为 4–32 位数字、大写字母或连字符。"),
        ({"code": "5202 01/1"}, "org.code_invalid", None),
        ({"code": "X" * 33}, "org.code_invalid", None),
        ({"kind": "club"}, "org.kind_invalid", "组织类型“club”不存在。"),
        ({"region_code": "52020"}, "org.region_invalid", "行政区划代码“52020”应为 6 位数字。"),
        ({"region_code": "52020A"}, "org.region_invalid", None),
        (
            {"uscc": "91110000600037341X"},
            "org.uscc_invalid",
            "统一社会信用代码“91110000600037341X”无效：校验码应为“L”，实际为“X”",
        ),
        ({"uscc": "123"}, "org.uscc_invalid", "统一社会信用代码“123”无效：应为 18 位，实际为 3 位"),
        ({"founded_on": "tomorrow"}, "org.founded_in_future", "成立日期不能晚于今天。"),
        ({"employee_count": -1}, "org.employee_count_negative", "职工人数不能为负数。"),
    ],
)
def test_create_refuses_invalid_fields(tree: Tree, fields: dict, code: str, message: str | None) -> None:
    if fields.get("founded_on") == "tomorrow":
        fields["founded_on"] = timezone.localdate() + timedelta(days=1)
    before = _state()
    _refused(lambda: _create(tree.zhongshan, **fields), code, message)
    assert _state() == before


def test_create_refuses_empty_name(tree: Tree) -> None:
    exc = _refused(lambda: _create(tree.zhongshan, name="   "), "org.name_required", "工会名称不能为空")
    assert exc.details == {"name": "工会名称不能为空"}


def test_unknown_region_code_is_kept_with_a_warning(tree: Tree) -> None:
    from gonghui.orgs.validation import region_warning

    org = _create(tree.zhongshan, region_code="529999")
    assert org.region_code == "529999"
    assert org.region_name == ""
    assert region_warning(org.region_code) == "行政区划代码“529999”不在 GB/T 2260 代码表中。"


def test_create_refuses_a_taken_code_with_409(tree: Tree) -> None:
    exc = _refused(
        lambda: _create(tree.zhongshan, code="520201g001"), "org.code_taken", "工会代码“520201G001”已被使用。"
    )
    assert exc.status == 409


def test_create_refuses_a_uscc_used_by_another_org(tree: Tree) -> None:
    _create(tree.zhongshan, uscc=USCC_A)
    _refused(
        lambda: _create(tree.zhongshan, code="520201G003", uscc=USCC_A),
        "org.uscc_invalid",
        f"统一社会信用代码“{USCC_A}”无效：已由“钟山区外卖配送员联合工会”使用",
    )


def test_create_under_a_closed_parent_is_refused(tree: Tree) -> None:
    org_close(actor=None, scope=None, org=tree.nanming)
    _refused(
        lambda: _create(tree.nanming, code="520102G001"),
        "org.parent_closed",
        "上级工会“南明区总工会”已撤销，不能在其下新建或迁入工会。",
    )


def test_industry_federation_link(tree: Tree) -> None:
    org = _create(tree.zhongshan, industry_federation_code="520200KD01")
    assert org.industry_federation == tree.express_federation
    _refused(
        lambda: _create(tree.zhongshan, code="520201G003", industry_federation_code="520200"),
        "org.industry_federation_kind",
        "“六盘水市总工会”不是产业工会或行业性工会联合会，不能作为归口的产业（行业）工会。",
    )
    _refused(
        lambda: _create(tree.zhongshan, code="520201G004", industry_federation_code="NOPE01"),
        "org.parent_not_found",
        "未找到上级工会“NOPE01”。",
    )


def test_root_only_from_the_console_or_a_superuser(tree: Tree, make_user) -> None:
    admin = _scope(make_user, "gz_admin", "admin", "520000")
    _refused(
        lambda: _create(None, code="620000", scope=admin, kind=OrgKind.PROVINCE_FEDERATION, name="甘肃省总工会"),
        "org.parent_required",
        "请填写上级工会。新建顶级工会（没有上级工会）只能由平台管理员办理，"
        "或在服务器控制台用 gonghui import orgs 导入组织名录。",
    )
    root = scope_for_user(make_user("root", superuser=True))
    org = _create(None, code="620000", scope=root, kind=OrgKind.PROVINCE_FEDERATION, name="甘肃省总工会")
    assert (org.path, org.depth) == (f"{org.pk}/", 0)


def test_create_needs_the_permission_on_the_parent(tree: Tree, make_user) -> None:
    officer = _scope(make_user, "lps_officer", "officer", "520200")
    viewer = _scope(make_user, "lps_viewer", "viewer", "520200")
    assert _create(tree.zhongshan, scope=officer).parent == tree.zhongshan
    with pytest.raises(PermissionDeniedError) as exc:
        _create(tree.nanming, code="520102G001", scope=officer)  # another city
    assert exc.value.status == 403
    assert exc.value.message == "您没有执行此操作的权限。"
    with pytest.raises(PermissionDeniedError):
        _create(tree.zhongshan, code="520201G003", scope=viewer)
    assert not Org.all_objects.filter(code__in=["520102G001", "520201G003"]).exists()


# --- update ----------------------------------------------------------------------


def test_update_changes_fields(tree: Tree) -> None:
    org = org_update(
        actor=None,
        scope=None,
        org=tree.courier_union,
        changes={
            "name": " 钟山区快递员工会 ",
            "uscc": USCC_B,
            "founded_on": date(2023, 7, 20),
            "industry_federation_code": "520200KD01",
        },
    )
    stored = Org.all_objects.get(pk=org.pk)
    assert stored.name == "钟山区快递员工会"
    assert stored.uscc == USCC_B
    assert stored.founded_on == date(2023, 7, 20)
    assert stored.industry_federation == tree.express_federation
    # Its own USCC again is not a clash.
    org_update(actor=None, scope=None, org=stored, changes={"uscc": USCC_B})
    assert org_tree_check() == []


def test_update_refuses_tree_fields_and_unknown_fields(tree: Tree) -> None:
    before = _state()
    exc = _refused(
        lambda: org_update(
            actor=None, scope=None, org=tree.lps, changes={"parent": tree.guiyang, "path": "1/", "name": "x"}
        ),
        "org.field_not_editable",
        "不能修改该字段",
    )
    assert exc.details == {"parent": "不能修改该字段", "path": "不能修改该字段"}
    assert _state() == before


def test_update_validation_messages(tree: Tree) -> None:
    _create(tree.zhongshan, uscc=USCC_A)
    _refused(
        lambda: org_update(actor=None, scope=None, org=tree.courier_union, changes={"uscc": USCC_A}),
        "org.uscc_invalid",
        f"统一社会信用代码“{USCC_A}”无效：已由“钟山区外卖配送员联合工会”使用",
    )
    _refused(
        lambda: org_update(actor=None, scope=None, org=tree.courier_union, changes={"kind": "俱乐部"}),
        "org.kind_invalid",
        "组织类型“俱乐部”不存在。",
    )
    _refused(
        lambda: org_update(
            actor=None, scope=None, org=tree.express_federation, changes={"industry_federation_code": "520200KD01"}
        ),
        "org.industry_federation_kind",
    )


def test_update_of_a_closed_org_is_refused(tree: Tree) -> None:
    org_close(actor=None, scope=None, org=tree.courier_union)
    _refused(
        lambda: org_update(actor=None, scope=None, org=tree.courier_union, changes={"chair": "张三"}),
        "org.already_closed",
        "工会“钟山区快递员联合工会”已经撤销。",
    )


def test_update_needs_the_change_permission(tree: Tree, make_user) -> None:
    officer = _scope(make_user, "lps_officer", "officer", "520200")
    reviewer = _scope(make_user, "lps_reviewer", "reviewer", "520200")
    org_update(actor=None, scope=officer, org=tree.zhongshan, changes={"chair": "张三"})
    with pytest.raises(PermissionDeniedError):
        org_update(actor=None, scope=officer, org=tree.nanming, changes={"chair": "张三"})
    with pytest.raises(PermissionDeniedError):
        org_update(actor=None, scope=reviewer, org=tree.zhongshan, changes={"chair": "李四"})
    assert Org.all_objects.get(pk=tree.nanming.pk).chair == ""
    assert Org.all_objects.get(pk=tree.zhongshan.pk).chair == "张三"


# --- move ------------------------------------------------------------------------


def test_move_rewrites_the_whole_subtree(tree: Tree) -> None:
    moved = org_move(actor=None, scope=None, org=tree.zhongshan, new_parent=tree.guiyang)
    assert moved.parent == tree.guiyang
    assert moved.path == f"{tree.guiyang.path}{tree.zhongshan.pk}/"
    courier = Org.all_objects.get(pk=tree.courier_union.pk)
    assert courier.path == f"{moved.path}{courier.pk}/"
    assert (moved.depth, courier.depth) == (2, 3)
    assert org_tree_check() == []

    # Deeper: the courier union (with a branch of its own) under a federation of 南明区 raises both depths by one.
    branch = _create(courier, code="520201G00101", name="城东小组", kind=OrgKind.BRANCH)
    sector = _create(tree.nanming, code="520102KD01", name="南明区快递行业工会联合会", kind=OrgKind.SECTOR_FEDERATION)
    org_move(actor=None, scope=None, org=courier, new_parent=sector)
    branch.refresh_from_db()
    assert branch.depth == 5
    assert branch.path == f"{tree.nanming.path}{sector.pk}/{courier.pk}/{branch.pk}/"
    assert org_tree_check() == []


@pytest.mark.parametrize(
    ("org_attr", "target_attr", "code", "message"),
    [
        ("province", "dingxi", "org.root_move", "根节点工会不能迁移。"),
        ("lps", "lps", "org.move_into_own_subtree", "不能把工会“六盘水市总工会”迁移到它自己或它的下级工会之下。"),
        (
            "lps",
            "courier_union",
            "org.move_into_own_subtree",
            "不能把工会“六盘水市总工会”迁移到它自己或它的下级工会之下。",
        ),
        ("zhongshan", "lps", "org.move_same_parent", "工会“钟山区总工会”已经在“六盘水市总工会”之下。"),
    ],
)
def test_move_refusals(tree: Tree, org_attr: str, target_attr: str, code: str, message: str) -> None:
    before = _state()
    events = AuditEvent.all_objects.count()
    _refused(
        lambda: org_move(actor=None, scope=None, org=getattr(tree, org_attr), new_parent=getattr(tree, target_attr)),
        code,
        message,
    )
    assert _state() == before
    assert AuditEvent.all_objects.count() == events


def test_move_under_a_closed_parent_is_refused(tree: Tree) -> None:
    org_close(actor=None, scope=None, org=tree.nanming)
    before = _state()
    _refused(
        lambda: org_move(actor=None, scope=None, org=tree.courier_union, new_parent=tree.nanming),
        "org.parent_closed",
        "上级工会“南明区总工会”已撤销，不能在其下新建或迁入工会。",
    )
    assert _state() == before


def test_move_needs_the_move_permission_on_both_ends(tree: Tree, make_user) -> None:
    lps_admin = _scope(make_user, "lps_admin", "admin", "520200")
    lps_officer = _scope(make_user, "lps_officer", "officer", "520200")
    before = _state()
    with pytest.raises(PermissionDeniedError):  # officers may not move
        org_move(actor=None, scope=lps_officer, org=tree.courier_union, new_parent=tree.express_federation)
    with pytest.raises(PermissionDeniedError):  # the target lies outside the admin's city
        org_move(actor=None, scope=lps_admin, org=tree.courier_union, new_parent=tree.nanming)
    with pytest.raises(PermissionDeniedError):  # the org lies outside the admin's city
        org_move(actor=None, scope=lps_admin, org=tree.nanming, new_parent=tree.zhongshan)
    assert _state() == before
    moved = org_move(actor=None, scope=lps_admin, org=tree.courier_union, new_parent=tree.express_federation)
    assert moved.parent == tree.express_federation


# --- close -----------------------------------------------------------------------


def test_close_a_leaf_then_its_parent(tree: Tree) -> None:
    closed = org_close(actor=None, scope=None, org=tree.courier_union)
    assert closed.closed_on == timezone.localdate()
    closed = org_close(actor=None, scope=None, org=tree.zhongshan, closed_on=date(2025, 1, 31))
    assert closed.closed_on == date(2025, 1, 31)
    # Closed orgs keep their place and path.
    assert Org.all_objects.get(pk=tree.zhongshan.pk).path == tree.zhongshan.path
    assert org_tree_check() == []


def test_close_refusals(tree: Tree) -> None:
    before = _state()
    _refused(
        lambda: org_close(actor=None, scope=None, org=tree.lps),
        "org.has_open_children",
        "工会“六盘水市总工会”还有 2 个未撤销的下级工会，请先迁移或撤销它们。",
    )
    assert _state() == before
    org_close(actor=None, scope=None, org=tree.nanming)
    _refused(
        lambda: org_close(actor=None, scope=None, org=tree.nanming),
        "org.already_closed",
        "工会“南明区总工会”已经撤销。",
    )


def test_close_needs_the_close_permission(tree: Tree, make_user) -> None:
    officer = _scope(make_user, "lps_officer", "officer", "520200")
    admin = _scope(make_user, "lps_admin", "admin", "520200")
    with pytest.raises(PermissionDeniedError):
        org_close(actor=None, scope=officer, org=tree.courier_union)
    with pytest.raises(PermissionDeniedError):
        org_close(actor=None, scope=admin, org=tree.nanming)
    assert Org.all_objects.filter(closed_on__isnull=False).count() == 0
    org_close(actor=None, scope=admin, org=tree.courier_union)
    assert Org.all_objects.get(pk=tree.courier_union.pk).is_closed


# --- the kinds a parent may hold --------------------------------------------------


def test_a_kind_not_allowed_under_its_parent_is_refused_on_create_move_and_update(tree: Tree) -> None:
    before = _state()
    _refused(
        lambda: _create(tree.zhongshan, code="520001", name="某省总工会", kind=OrgKind.PROVINCE_FEDERATION),
        "org.kind_not_allowed",
        "县（市、区）总工会“钟山区总工会”之下不能设省级总工会；可设：基层工会、乡镇（街道）工会、联合基层工会、"
        "行业性工会联合会、区域性工会联合会、开发区（园区）工会、产业工会、村（社区）工会。",
    )
    error = _refused(
        lambda: org_move(actor=None, scope=None, org=tree.zhongshan, new_parent=tree.nanming), "org.kind_not_allowed"
    )
    assert error.details == {"kind": error.message}  # shown on the form's kind field
    assert "县（市、区）总工会“南明区总工会”之下不能设县（市、区）总工会" in error.message
    _refused(
        lambda: _create(None, code="520299", name="某基层工会", kind=OrgKind.GRASSROOTS),
        "org.root_kind_not_allowed",
        "基层工会不能作为顶级工会（没有上级工会）；顶级工会只能是：省级总工会、市（州）总工会、县（市、区）总工会。",
    )
    # A kind change must fit under the parent, and the open children must fit under the new kind.
    _refused(
        lambda: org_update(actor=None, scope=None, org=tree.zhongshan, changes={"kind": OrgKind.CITY_FEDERATION}),
        "org.kind_not_allowed",
    )
    _refused(
        lambda: org_update(actor=None, scope=None, org=tree.lps, changes={"kind": OrgKind.INDUSTRY_UNION}),
        "org.kind_children_conflict",
        "组织类型改为产业工会后，现有下级工会中的县（市、区）总工会不能设在其下；请先调整这些下级工会。",
    )
    assert _state() == before


def test_the_allowed_kinds_keep_the_most_likely_first() -> None:
    from gonghui.orgs.validation import allowed_child_kinds

    assert allowed_child_kinds(None)[0] == OrgKind.PROVINCE_FEDERATION
    assert allowed_child_kinds(OrgKind.PROVINCE_FEDERATION)[0] == OrgKind.CITY_FEDERATION
    assert allowed_child_kinds(OrgKind.CITY_FEDERATION)[0] == OrgKind.COUNTY_FEDERATION
    county = allowed_child_kinds(OrgKind.COUNTY_FEDERATION)
    assert county[:2] == (OrgKind.GRASSROOTS, OrgKind.TOWNSHIP)
    assert OrgKind.PROVINCE_FEDERATION not in county and OrgKind.CITY_FEDERATION not in county
    assert allowed_child_kinds(OrgKind.GRASSROOTS)[0] == OrgKind.BRANCH
    # Every kind may hold something, and every kind has a place somewhere.
    assert all(allowed_child_kinds(k) for k in OrgKind.values)
    placed = {k for parent in [None, *OrgKind.values] for k in allowed_child_kinds(parent)}
    assert placed == set(OrgKind.values)
