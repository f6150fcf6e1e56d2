"""Union and region pickers: the suggestion endpoints, the pinyin keys, and forms that take a name."""

from __future__ import annotations

import json

import pytest
from django.apps import apps

from gonghui.conftest import Tree, make_org
from gonghui.core.models import AuditEvent
from gonghui.core.pinyin import pinyin_keys
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_close, org_update

pytestmark = pytest.mark.django_db

SUGGEST = "/api/v1/orgs/suggest"
REGIONS = "/api/v1/regions/suggest"


def _codes(client, q: str) -> list[str]:
    resp = client.get(SUGGEST, {"q": q})
    assert resp.status_code == 200, resp.content
    return [item["code"] for item in resp.json()]


@pytest.fixture
def lps_officer(tree: Tree, make_user, login):
    return login(make_user("lps_officer", ("officer", "520200")))


@pytest.fixture
def yiling(tree: Tree) -> Org:
    return make_org("520201G009", "夷陵区总工会", OrgKind.JOINT_GRASSROOTS, tree.zhongshan)


# --- the pinyin keys ------------------------------------------------------------------------------


def test_pinyin_keys_read_a_union_name_as_words() -> None:
    assert pinyin_keys("夷陵区总工会") == ("yilingquzonggonghui", "ylqzgh")
    # Brackets and punctuation drop out; Latin letters and digits stay (lower case, NFKC).
    assert pinyin_keys("市（州）总工会") == ("shizhouzonggonghui", "szzgh")
    assert pinyin_keys("ＡＢＣ物流工会")[0] == "abcwuliugonghui"


def test_the_services_keep_the_keys_with_the_name(tree: Tree, yiling: Org) -> None:
    assert (yiling.name_pinyin, yiling.name_initials) == ("yilingquzonggonghui", "ylqzgh")
    org_update(actor=None, scope=None, org=yiling, changes={"name": "点军区总工会"})
    yiling.refresh_from_db()
    assert (yiling.name_pinyin, yiling.name_initials) == ("dianjunquzonggonghui", "djqzgh")
    # The audit event records the rename, not the keys that follow it.
    with unscoped():
        event = AuditEvent.objects.filter(action="orgs.org.update").latest("pk")
    assert set(event.data["changes"]) == {"name"}


def test_the_migration_fills_the_keys_of_orgs_recorded_before_them(tree: Tree) -> None:
    from importlib import import_module

    Org.all_objects.update(name_pinyin="", name_initials="")
    migration = import_module("gonghui.orgs.migrations.0002_name_pinyin")
    migration.fill_name_keys(apps, None)
    assert Org.all_objects.get(code="520201").name_initials == "zsqzgh"
    assert not Org.all_objects.filter(name_pinyin="").exists()


# --- the org suggestion endpoint ------------------------------------------------------------------


def test_suggest_finds_by_name_code_full_pinyin_and_initials(lps_officer, yiling: Org) -> None:
    assert _codes(lps_officer, "ylq") == ["520201G009"]
    assert _codes(lps_officer, "yiling") == ["520201G009"]
    assert _codes(lps_officer, "YiLing") == ["520201G009"]
    assert _codes(lps_officer, "夷陵") == ["520201G009"]
    assert _codes(lps_officer, "520201G0") == ["520201G001", "520201G009"]
    # The exact code first, then the levels from the top down.
    assert _codes(lps_officer, "520201")[0] == "520201"
    item = lps_officer.get(SUGGEST, {"q": "ylq"}).json()[0]
    assert item == {
        "code": "520201G009",
        "name": "夷陵区总工会",
        "kind_label": "联合基层工会",
        "label": "夷陵区总工会（520201G009）",
    }


def test_suggest_never_offers_a_foreign_or_closed_union(tree: Tree, make_user, login, yiling: Org) -> None:
    sibling = login(make_user("gy_admin", ("admin", "520100")))
    assert _codes(sibling, "ylq") == []
    assert _codes(sibling, "520201") == []
    assert _codes(sibling, "zgh") == ["520100", "520102"]  # its own 总工会 only
    lps = login(make_user("lps_admin", ("admin", "520200")))
    assert "621100" not in _codes(lps, "dxs")  # 定西市总工会, another province
    org_close(actor=None, scope=None, org=yiling)
    assert _codes(lps, "ylq") == []


def test_suggest_is_bounded_and_refuses_the_anonymous(lps_officer, tree: Tree) -> None:
    for i in range(25):
        make_org(f"520201T{i:03d}", f"钟山区第{i}分会联合工会", OrgKind.JOINT_GRASSROOTS, tree.zhongshan)
    assert len(_codes(lps_officer, "zsq")) == 20
    assert _codes(lps_officer, "") == []
    assert _codes(lps_officer, "钟" * 5000) == []  # read up to 40 characters, no error
    resp = new_client().get(SUGGEST, {"q": "zsq"})
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"


# --- the region suggestion endpoint --------------------------------------------------------------


def test_region_suggest_finds_by_name_code_and_pinyin(lps_officer) -> None:
    def codes(q: str) -> list[str]:
        return [r["code"] for r in lps_officer.get(REGIONS, {"q": q}).json()]

    assert "520201" in codes("zhongshan")
    assert "520201" in codes("lpsszsq")  # initials of the full name 贵州省六盘水市钟山区 from the city down
    assert "420506" in codes("ylq")
    assert codes("5202")[0] == "520200"  # a code prefix, the city before its counties
    assert codes("钟山区") == ["520201"]
    first = lps_officer.get(REGIONS, {"q": "520201"}).json()[0]
    assert first == {"code": "520201", "name": "贵州省六盘水市钟山区", "label": "贵州省六盘水市钟山区（520201）"}
    assert len(codes("q")) == 20
    assert new_client().get(REGIONS, {"q": "zhongshan"}).status_code == 401


# --- the org tree's search --------------------------------------------------------------------


def test_the_tree_search_finds_by_pinyin(lps_officer, tree: Tree) -> None:
    page = lps_officer.get("/orgs/", {"q": "zsq"}).content.decode()
    assert "钟山区总工会" in page and "钟山区快递员联合工会" in page
    assert "贵阳市总工会" not in page
    api = lps_officer.get("/api/v1/orgs", {"q": "liupanshui"}).json()
    assert {o["code"] for o in api["items"]} == {"520200", "520200KD01"}


# --- forms that take a union's name --------------------------------------------------------------


def test_the_move_form_takes_the_new_parents_name(tree: Tree, make_user, login) -> None:
    admin = login(make_user("gz_admin", ("admin", "520000")))
    resp = admin.post("/orgs/520200KD01/move/", {"parent_code": "贵阳市总工会"})
    assert resp.status_code == 302, resp.content.decode()
    assert Org.all_objects.get(code="520200KD01").parent_id == tree.guiyang.pk
    # The picker's label "名称（代码）" is read for its code.
    resp = admin.post("/orgs/520200KD01/move/", {"parent_code": "六盘水市总工会（520200）"})
    assert resp.status_code == 302
    assert Org.all_objects.get(code="520200KD01").parent_id == tree.lps.pk


def test_a_shared_name_is_refused_with_the_candidates_and_nothing_moves(tree: Tree, make_user, login) -> None:
    make_org("520201G007", "快递工会", OrgKind.JOINT_GRASSROOTS, tree.zhongshan)
    make_org("520102G007", "快递工会", OrgKind.JOINT_GRASSROOTS, tree.nanming)
    admin = login(make_user("gz_admin", ("admin", "520000")))
    before = list(Org.all_objects.values_list("code", "path"))
    resp = admin.post("/orgs/520201G001/move/", {"parent_code": "快递工会"})
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "名为“快递工会”的工会不止一个：快递工会（520102G007）、快递工会（520201G007）" in page
    assert list(Org.all_objects.values_list("code", "path")) == before


def test_a_name_outside_the_scope_reads_as_unknown(tree: Tree, make_user, login) -> None:
    lps = login(make_user("lps_admin", ("admin", "520200")))
    before = list(Org.all_objects.values_list("code", "path"))
    resp = lps.post("/orgs/520201G001/move/", {"parent_code": "南明区总工会"})
    assert resp.status_code == 200
    assert "未找到名为“南明区总工会”的工会" in resp.content.decode()
    assert list(Org.all_objects.values_list("code", "path")) == before


def test_the_edit_form_takes_a_region_name_and_a_federation_name(tree: Tree, make_user, login) -> None:
    officer = login(make_user("lps_officer", ("officer", "520200")))
    form = {"name": "钟山区快递员联合工会", "kind": "joint_grassroots", "region_code": "六盘水市钟山区"}
    resp = officer.post("/orgs/520201G001/edit/", {**form, "industry_federation_code": "六盘水市快递行业工会联合会"})
    assert resp.status_code == 302, resp.content.decode()
    org = Org.all_objects.get(code="520201G001")
    assert (org.region_code, org.industry_federation_id) == ("520201", tree.express_federation.pk)
    resp = officer.post("/orgs/520201G001/edit/", {**form, "region_code": "朝阳区"})
    page = resp.content.decode()
    assert "名为“朝阳区”的地区不止一个" in page and "北京市朝阳区（110105）" in page


def test_the_roster_filter_takes_a_union_name(tree: Tree, make_user, login) -> None:
    officer = login(make_user("lps_officer", ("officer", "520200")))
    assert officer.get("/members/", {"org": "钟山区总工会"}).status_code == 200
    page = officer.get("/members/", {"org": "南明区总工会"}).content.decode()
    assert "未找到名为“南明区总工会”的工会" in page


def test_the_pickers_render_as_plain_inputs_with_their_source(tree: Tree, make_user, login) -> None:
    officer = login(make_user("lps_officer", ("officer", "520200")))
    page = officer.get("/orgs/520201G001/edit/").content.decode()
    assert 'data-picker-source="/api/v1/regions/suggest"' in page
    assert 'data-picker-source="/api/v1/orgs/suggest"' in page
    assert 'maxlength="6"' not in page  # a place's name is longer than its code
    assert "gonghui/picker" in page  # the script, a static file (no inline script)


def test_the_api_still_takes_codes_only(tree: Tree, make_user, bearer) -> None:
    headers = bearer(make_user("gz_admin", ("admin", "520000")))
    body = json.dumps({"parent_code": "贵阳市总工会"})
    resp = new_client().post("/api/v1/orgs/520200KD01/move", data=body, content_type="application/json", **headers)
    assert resp.status_code == 404
