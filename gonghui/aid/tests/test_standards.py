"""The 低保 standards and 慰问 caps, set by a federation for its region: services, the page, and the effect.

Callers: a viewer, an officer and an admin of 520201 钟山区总工会, an admin of 520200 六盘水 (the
city above), and an admin of 520102 南明区 as the foreign caller. 六盘水 has a 2026 standard of
¥700; 钟山 none of its own until one is set here. A refused request writes nothing: no standard,
no cap, no audit event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.scope import scope_for_user
from gonghui.aid import selectors
from gonghui.aid.models import Category, ReliefCampaign, SubsistenceStandard, WelfareRule
from gonghui.aid.relief import relief_visit_record, welfare_rule
from gonghui.aid.services import file_apply, subsistence_standard
from gonghui.aid.standards import subsistence_standard_set, welfare_rule_set
from gonghui.aid.upkeep import review_year_open
from gonghui.conftest import make_org
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.members.tests.factories import id_number, register
from gonghui.orgs.kinds import OrgKind

pytestmark = pytest.mark.django_db

CITY_STANDARD = 70_000  # 六盘水 2026: ¥700 a person a month
URL = "/aid/standards/"
NAMES = {710: "刘一", 711: "陈二", 712: "杨三", 720: "黄四"}


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=CITY_STANDARD, note="六盘水")
    SubsistenceStandard.objects.create(region_code="520100", year=2026, monthly_fen=80_000, note="贵阳")
    WelfareRule.objects.create(region_code="520000", event="spring_festival", cap_fen=500_00)
    users = {
        "viewer": make_user("zs_viewer", ("viewer", "520201")),
        "officer": make_user("zs_officer", ("officer", "520201")),
        "reviewer": make_user("zs_reviewer", ("reviewer", "520201")),
        "admin": make_user("zs_admin", ("admin", "520201")),
        "city": make_user("lps_admin", ("admin", "520200")),
        "foreign": make_user("nm_admin", ("admin", "520102")),
    }
    clients: dict[str, Client] = {"anonymous": new_client()}
    for who, user in users.items():
        c = new_client()
        c.force_login(user)
        clients[who] = c
    return {"tree": tree, "users": users, "scopes": {k: scope_for_user(u) for k, u in users.items()}, "c": clients}


def state() -> tuple[Any, ...]:
    with unscoped():
        return (
            sorted(SubsistenceStandard.objects.values_list("region_code", "year", "monthly_fen", "note")),
            sorted(WelfareRule.objects.values_list("region_code", "event", "cap_fen", "note")),
            AuditEvent.all_objects.count(),
        )


def set_standard(world: dict[str, Any], who: str = "admin", **kw: Any) -> SubsistenceStandard:
    args: dict[str, Any] = {"org": world["tree"].zhongshan, "year": 2026, "monthly_fen": 75_000}
    return subsistence_standard_set(actor=world["users"][who], scope=world["scopes"][who], **{**args, **kw})


def set_rule(world: dict[str, Any], who: str = "admin", **kw: Any) -> WelfareRule:
    args: dict[str, Any] = {"org": world["tree"].zhongshan, "event": "spring_festival", "cap_fen": 300_00}
    return welfare_rule_set(actor=world["users"][who], scope=world["scopes"][who], **{**args, **kw})


def refused(call: Any, *args: Any, **kw: Any) -> DomainError:
    with pytest.raises(DomainError) as exc:
        call(*args, **kw)
    return exc.value


# --- services ---------------------------------------------------------------------------------------


def test_a_standard_is_set_for_the_orgs_region_then_changed_in_place_and_audited(world) -> None:
    first = set_standard(world, note=" 六盘水市民政局 2026 ")
    assert (first.region_code, first.year, first.monthly_fen, first.note) == (
        "520201",
        2026,
        75_000,
        "六盘水市民政局 2026",
    )
    again = set_standard(world, monthly_fen=76_000)
    assert again.pk == first.pk
    assert SubsistenceStandard.objects.filter(region_code="520201").count() == 1
    assert SubsistenceStandard.objects.get(pk=first.pk).monthly_fen == 76_000
    # Another year is another row.
    assert set_standard(world, year=2027).pk != first.pk
    events = list(AuditEvent.all_objects.filter(action="aid.standard.set").order_by("id"))
    assert [(e.org_id, e.actor_id, e.target_id) for e in events[:2]] == [
        (world["tree"].zhongshan.pk, world["users"]["admin"].pk, str(first.pk))
    ] * 2
    assert [e.data for e in events] == [
        {"region_code": "520201", "year": 2026, "monthly_fen": 75_000, "previous_fen": None},
        {"region_code": "520201", "year": 2026, "monthly_fen": 76_000, "previous_fen": 75_000},
        {"region_code": "520201", "year": 2027, "monthly_fen": 75_000, "previous_fen": None},
    ]
    # The city's admin sets the city's own standard (and may set a county's below it).
    assert set_standard(world, who="city", org=world["tree"].lps, monthly_fen=71_000).region_code == "520200"
    assert subsistence_standard("520221", 2026).monthly_fen == 71_000  # type: ignore[union-attr]


def test_a_standard_is_validated_in_chinese_and_a_refusal_writes_nothing(world) -> None:
    before = state()
    for kw, field, message in [
        ({"monthly_fen": 0}, "monthly_fen", "低保标准须大于 0 元"),
        ({"monthly_fen": -5}, "monthly_fen", "低保标准须大于 0 元"),
        ({"monthly_fen": 100_000_01}, "monthly_fen", "低保标准不能超过 100000 元/人·月"),
        ({"year": 1999}, "year", "年度应在 2000 至 2100 之间"),
        ({"year": 2101}, "year", "年度应在 2000 至 2100 之间"),
    ]:
        exc = refused(set_standard, world, **kw)
        assert (exc.code, exc.message) == ("aid.subsistence_standard_invalid", message)
        assert exc.details == {field: message}
    no_region = make_org("520201G099", "钟山区某联合工会", OrgKind.JOINT_GRASSROOTS, world["tree"].zhongshan)
    before = state()
    exc = refused(set_standard, world, org=no_region)
    assert exc.details == {"org": "钟山区某联合工会没有行政区划代码，不能设置本地区的标准"}
    assert state() == before


def test_only_a_holder_of_the_permission_at_the_org_sets_a_standard_or_a_cap(world) -> None:
    before = state()
    for who in ("viewer", "officer", "reviewer", "foreign"):
        assert refused(set_standard, world, who=who).code == "permission_denied"
        assert refused(set_rule, world, who=who).code == "permission_denied"
    # The county's admin cannot set the city's (the union above it).
    assert refused(set_standard, world, org=world["tree"].lps).code == "permission_denied"
    assert refused(set_rule, world, org=world["tree"].lps).code == "permission_denied"
    assert state() == before
    # The permission is the admin's alone among the built-in roles.
    scopes = world["scopes"]
    path = world["tree"].zhongshan.path
    assert [w for w in ("viewer", "officer", "reviewer", "admin", "city", "foreign")
            if scopes[w].has_perm("aid.standard.manage", path)] == ["admin", "city"]  # fmt: skip


def test_a_cap_is_set_changed_audited_and_validated(world) -> None:
    rule = set_rule(world, note="钟山区总工会")
    assert (rule.region_code, rule.event, rule.cap_fen, rule.note) == (
        "520201",
        "spring_festival",
        300_00,
        "钟山区总工会",
    )
    assert set_rule(world, cap_fen=350_00).pk == rule.pk
    assert WelfareRule.objects.get(pk=rule.pk).cap_fen == 350_00
    assert set_rule(world, event="hospital", cap_fen=1000_00).pk != rule.pk
    data = [e.data for e in AuditEvent.all_objects.filter(action="aid.welfare_rule.set").order_by("id")]
    assert data == [
        {"region_code": "520201", "event": "spring_festival", "cap_fen": 300_00, "previous_fen": None},
        {"region_code": "520201", "event": "spring_festival", "cap_fen": 350_00, "previous_fen": 300_00},
        {"region_code": "520201", "event": "hospital", "cap_fen": 1000_00, "previous_fen": None},
    ]
    before = state()
    assert refused(set_rule, world, event="lottery").details == {"event": "慰问事项不在代码表中"}
    assert refused(set_rule, world, cap_fen=0).details == {"cap_fen": "每人每年上限须大于 0 元"}
    assert refused(set_rule, world, event="x", cap_fen=-1).details == {
        "event": "慰问事项不在代码表中",
        "cap_fen": "每人每年上限须大于 0 元",
    }
    assert state() == before


def test_a_county_cap_bounds_visits_in_that_county_only(world) -> None:
    tree = world["tree"]
    zs = register(tree.courier_union, id_number(700), name="张师傅")
    nm = register(tree.nanming, id_number(701), name="南明师傅")
    system: dict[str, Any] = {"actor": None, "scope": None, "event": "spring_festival", "visited_on": date(2026, 2, 1)}
    set_rule(world, cap_fen=300_00)  # 钟山: ¥300, below the province's ¥500
    assert welfare_rule("520201", "spring_festival").cap_fen == 300_00  # type: ignore[union-attr]
    exc = refused(relief_visit_record, membership=zs, cash_fen=400_00, **system)
    assert exc.code == "aid.relief_over_cap" and "不超过 300.00 元" in exc.message
    relief_visit_record(membership=nm, cash_fen=400_00, **system)  # 南明 keeps the province's ¥500


# --- the category follows a newly set standard ---------------------------------------------------------


def test_a_county_standard_set_on_the_page_changes_the_category_of_a_new_file(world) -> None:
    tree = world["tree"]
    figures = {"household_size": 3, "worker_monthly_income_fen": 2400_00}  # ¥800 a person a month

    def apply(n: int) -> Any:
        return file_apply(
            actor=None,
            scope=None,
            membership=register(tree.courier_union, id_number(n), name=NAMES[n]),
            level="county",
            region_code="520201",
            year=2026,
            figures=figures,
            causes=["low_income"],
        )

    before = apply(710)  # 钟山 has no standard of its own: 六盘水's ¥700 applies; ¥800 is below twice it
    assert (before.category, before.standard_monthly_fen) == (Category.RELATIVE, CITY_STANDARD)
    resp = world["c"]["admin"].post(
        URL, {"form": "subsistence", "db-org_code": "520201", "db-year": "2026", "db-monthly": "850", "db-note": ""}
    )
    assert resp.status_code == 302 and resp.url == "/aid/standards/?year=2026"
    after = apply(711)  # now 钟山's own ¥850: ¥800 is below it
    assert (after.category, after.standard_monthly_fen, after.per_capita_monthly_fen) == (Category.DEEP, 85_000, 80_000)
    # A file made before keeps the standard it was assessed against.
    before.refresh_from_db()
    assert (before.category, before.standard_monthly_fen) == (Category.RELATIVE, CITY_STANDARD)
    # The new-file page's preview reads the new standard as well.
    officer = new_client()
    officer.force_login(world["users"]["officer"])
    resp = officer.post(
        "/aid/files/new/",
        {
            "member": id_number(712),
            "level": "county",
            "region_code": "520201",
            "year": "2026",
            "household_size": "3",
            "worker_monthly_income": "2400",
            "main_cause": "low_income",
            "preview": "1",
            "family-TOTAL_FORMS": "0",
            "family-INITIAL_FORMS": "0",
        },
    )
    assert resp.status_code == 200
    # No such member yet: the preview needs one on the union's roll.
    assert resp.context["form"].errors["member"] == ["本工会范围内没有这名在册会员，请核对会员编号或证件号码。"]
    register(tree.courier_union, id_number(712), name=NAMES[712])
    resp = officer.post(
        "/aid/files/new/",
        {
            "member": id_number(712),
            "level": "county",
            "region_code": "520201",
            "year": "2026",
            "household_size": "3",
            "worker_monthly_income": "2400",
            "main_cause": "low_income",
            "preview": "1",
            "family-TOTAL_FORMS": "0",
            "family-INITIAL_FORMS": "0",
        },
    )
    assert resp.status_code == 200
    assert resp.context["preview"] == {
        "category": "深度困难",
        "per_capita": "800.00",
        "standard": "850.00",
        "twice": "1700.00",
    }


# --- the page ------------------------------------------------------------------------------------------


def test_anonymous_callers_are_sent_to_log_in_and_write_nothing(world) -> None:
    before = state()
    c = world["c"]["anonymous"]
    resp = c.get(URL)
    assert resp.status_code == 302 and resp.url.startswith("/accounts/login/?next=/aid/standards/")
    resp = c.post(URL, {"form": "subsistence", "db-org_code": "520201", "db-year": "2026", "db-monthly": "800"})
    assert resp.status_code == 302 and resp.url.startswith("/accounts/login/")
    assert state() == before


def test_a_user_without_aid_rights_is_refused_the_page(world, make_user) -> None:
    c = new_client()
    c.force_login(make_user("nobody"))
    assert c.get(URL).status_code == 403


@pytest.mark.parametrize("who", ["viewer", "officer", "reviewer"])
def test_staff_without_the_permission_read_the_tables_and_cannot_post(world, who: str) -> None:
    c = world["c"][who]
    resp = c.get(URL, {"year": "2026"})
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'data-testid="standards"' in page and 'data-testid="rules"' in page
    assert 'data-testid="standard-form"' not in page and 'data-testid="rule-form"' not in page
    assert [(r["region_code"], r["level"], r["monthly"]) for r in resp.context["standards"]] == [
        ("520200", "市（州）级", "700.00")
    ]
    before = state()
    for data in (
        {"form": "subsistence", "db-org_code": "520201", "db-year": "2026", "db-monthly": "800"},
        {"form": "welfare", "wr-org_code": "520201", "wr-event": "festival", "wr-cap": "100"},
    ):
        assert c.post(URL, data).status_code == 403
    assert state() == before


def test_the_admin_sets_a_standard_and_a_cap_on_the_page(world) -> None:
    c = world["c"]["admin"]
    page = c.get(URL).content.decode()
    assert 'data-testid="standard-form"' in page and 'data-testid="rule-form"' in page
    assert 'name="db-org_code"' in page and 'value="520201"' in page  # the admin's own union, filled in
    resp = c.post(
        URL,
        {
            "form": "subsistence",
            "db-org_code": "520201",
            "db-year": "2026",
            "db-monthly": "760.50",
            "db-note": "钟山民政",
        },
        follow=True,
    )
    assert resp.status_code == 200
    assert "已设置贵州省六盘水市钟山区 2026 年城乡低保标准为每人每月 760.50 元。" in resp.content.decode()
    rows = [(r["region"], r["region_code"], r["level"], r["year"], r["monthly"], r["twice"], r["note"])
            for r in resp.context["standards"]]  # fmt: skip
    assert rows == [
        ("贵州省六盘水市", "520200", "市（州）级", 2026, "700.00", "1400.00", "六盘水"),
        ("贵州省六盘水市钟山区", "520201", "区县级", 2026, "760.50", "1521.00", "钟山民政"),
    ]
    resp = c.post(
        URL, {"form": "welfare", "wr-org_code": "520201", "wr-event": "festival", "wr-cap": "150", "wr-note": ""}
    )
    assert resp.status_code == 302 and resp.url == "/aid/standards/"
    resp = c.get(URL)
    rules = [(r["region_code"], r["level"], r["event"], r["cap"]) for r in resp.context["rules"]]
    assert rules == [("520000", "省级", "春节慰问", "500.00"), ("520201", "区县级", "其他节日慰问", "150.00")]
    assert "全省未单独设置标准的市（州）、区县" in resp.content.decode()
    assert WelfareRule.objects.get(region_code="520201").cap_fen == 150_00
    assert AuditEvent.all_objects.filter(action__in=["aid.standard.set", "aid.welfare_rule.set"]).count() == 2


def test_the_page_shows_which_level_applies_to_the_callers_union(world) -> None:
    c = world["c"]["viewer"]
    rows = c.get(URL, {"year": "2026"}).context["in_force"]
    assert rows == [
        {
            "org": "钟山区总工会",
            "region": "贵州省六盘水市钟山区",
            "monthly": "700.00",
            "source": "本地区未单独设置，沿用贵州省六盘水市（市（州）级）的标准",
        }
    ]
    set_standard(world)
    rows = c.get(URL, {"year": "2026"}).context["in_force"]
    assert (rows[0]["monthly"], rows[0]["source"]) == ("750.00", "本地区（区县级）设置的标准")
    rows = c.get(URL, {"year": "2025"}).context["in_force"]
    assert (rows[0]["monthly"], rows[0]["source"]) == (
        "",
        "贵州省六盘水市钟山区及其上级地区均未设置 2025 年标准，暂不能认定困难类别",
    )


def test_the_year_filter(world) -> None:
    set_standard(world, year=2025, monthly_fen=68_000)
    c = world["c"]["viewer"]
    assert [(r["region_code"], r["year"]) for r in c.get(URL, {"year": "2025"}).context["standards"]] == [
        ("520201", 2025)
    ]
    assert [(r["region_code"], r["year"]) for r in c.get(URL).context["standards"]] == [
        ("520200", 2026),
        ("520201", 2025),
    ]
    # A year that is not one reads as no filter.
    assert len(c.get(URL, {"year": "abc"}).context["standards"]) == 2


def test_the_tables_hold_only_the_regions_that_bear_on_the_callers_unions(world) -> None:
    set_standard(world)  # 钟山 520201
    foreign = world["c"]["foreign"].get(URL, {"year": "2026"})
    assert [r["region_code"] for r in foreign.context["standards"]] == ["520100"]  # 贵阳, above 南明
    assert [r["region_code"] for r in foreign.context["rules"]] == ["520000"]
    assert "钟山区" not in foreign.content.decode()
    city = world["c"]["city"].get(URL, {"year": "2026"})
    assert [r["region_code"] for r in city.context["standards"]] == ["520200", "520201"]


def test_a_foreign_admin_cannot_set_anothers_region(world) -> None:
    before = state()
    c = world["c"]["foreign"]
    resp = c.post(URL, {"form": "subsistence", "db-org_code": "520201", "db-year": "2026", "db-monthly": "900"})
    assert resp.status_code == 200
    assert resp.context["subsistence_form"].errors == {"org_code": ["没有这个工会，或不在您的管理范围内"]}
    resp = c.post(URL, {"form": "welfare", "wr-org_code": "520201", "wr-event": "festival", "wr-cap": "100"})
    assert resp.status_code == 200
    assert resp.context["welfare_form"].errors == {"org_code": ["没有这个工会，或不在您的管理范围内"]}
    assert state() == before
    # Its own region is fine.
    resp = c.post(URL, {"form": "subsistence", "db-org_code": "520102", "db-year": "2026", "db-monthly": "900"})
    assert resp.status_code == 302
    assert SubsistenceStandard.objects.get(region_code="520102").monthly_fen == 90_000


def test_refused_forms_show_the_reason_and_write_nothing(world) -> None:
    c = world["c"]["admin"]
    before = state()
    resp = c.post(URL, {"form": "subsistence", "db-org_code": "520201", "db-year": "2026", "db-monthly": "0"})
    assert resp.status_code == 200
    assert resp.context["subsistence_form"].errors == {"monthly": ["低保标准须大于 0 元"]}
    assert "低保标准须大于 0 元" in resp.content.decode()
    resp = c.post(URL, {"form": "subsistence", "db-org_code": "520201", "db-year": "1990", "db-monthly": "800"})
    assert resp.status_code == 200 and "year" in resp.context["subsistence_form"].errors
    resp = c.post(URL, {"form": "welfare", "wr-org_code": "520201", "wr-event": "lottery", "wr-cap": "100"})
    assert resp.status_code == 200 and "event" in resp.context["welfare_form"].errors
    resp = c.post(URL, {"form": "welfare", "wr-org_code": "520201", "wr-event": "festival", "wr-cap": "0"})
    assert resp.status_code == 200
    assert resp.context["welfare_form"].errors == {"cap": ["每人每年上限须大于 0 元"]}
    # The county's admin cannot set the city's standard from the page either.
    resp = c.post(URL, {"form": "subsistence", "db-org_code": "520200", "db-year": "2026", "db-monthly": "800"})
    assert resp.status_code == 200
    assert resp.context["subsistence_form"].errors == {"org_code": ["没有这个工会，或不在您的管理范围内"]}
    assert c.post(URL, {"form": "other"}).status_code == 400
    assert state() == before


def test_the_aid_pages_link_to_the_standards(world) -> None:
    c = world["c"]["viewer"]
    for url in ("/aid/files/", "/aid/reviews/", "/aid/relief/", URL):
        assert 'href="/aid/standards/"' in c.get(url).content.decode(), url


# --- the selectors the views read through --------------------------------------------------------------


def test_the_moved_selectors_keep_to_the_scope(world) -> None:
    tree = world["tree"]
    scopes = world["scopes"]
    file = file_apply(
        actor=None,
        scope=None,
        membership=register(tree.courier_union, id_number(720), name=NAMES[720]),
        level="county",
        region_code="520201",
        year=2026,
        figures={"household_size": 3, "worker_monthly_income_fen": 2000_00},
        causes=["low_income"],
    )
    assert [e.action for e in selectors.file_history(scope=scopes["viewer"], file=file)] == ["aid.file.apply"]
    with pytest.raises(NotFoundError):
        selectors.file_history(scope=scopes["foreign"], file=file)
    from gonghui.aid.models import FileStatus, HardshipFile

    HardshipFile.all_objects.filter(pk=file.pk).update(status=FileStatus.FILED, filed_on=date(2026, 3, 1))
    [review] = review_year_open(actor=None, scope=None, org=tree.zhongshan, year=2026)
    assert [r.pk for r in selectors.review_list(scope=scopes["viewer"], org=tree.zhongshan, year=2026)] == [review.pk]
    assert list(selectors.review_list(scope=scopes["viewer"], org=tree.zhongshan, year=2025)) == []
    assert list(selectors.review_list(scope=scopes["foreign"], org=tree.zhongshan, year=2026)) == []
    assert selectors.review_get(scope=scopes["viewer"], pk=review.pk).pk == review.pk
    with pytest.raises(NotFoundError):
        selectors.review_get(scope=scopes["foreign"], pk=review.pk)
    mine = ReliefCampaign.all_objects.create(
        org=tree.zhongshan,
        org_path=tree.zhongshan.path,
        name="钟山",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 2, 1),
    )
    ReliefCampaign.all_objects.create(
        org=tree.nanming, org_path=tree.nanming.path, name="南明", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1)
    )
    assert [c.pk for c in selectors.campaign_list(scope=scopes["officer"])] == [mine.pk]
    assert list(selectors.campaign_list(scope=scopes["viewer"])) == []  # a viewer records no visits
