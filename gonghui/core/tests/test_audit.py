"""Audit events: one per service call, in the service's transaction, masked; the scoped audit page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.accounts.services import grant_role, token_create, token_revoke, user_create
from gonghui.conftest import Tree
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import ScopeRequired
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import (
    OrgSpec,
    org_bulk_create,
    org_close,
    org_create,
    org_move,
    org_tree_check,
    org_update,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = "520102199001011234"
MOBILE = "13812345678"


class Boom(Exception):
    pass


def _last_id() -> int:
    last = AuditEvent.all_objects.order_by("-id").first()
    return last.pk if last else 0


def _events_since(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.all_objects.filter(id__gt=last_id).order_by("id"))


# --- recording -------------------------------------------------------------------


def test_audit_record_masks_sensitive_values(tree: Tree) -> None:
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action="test.person.update",
            org=tree.zhongshan,
            data={"id_number": ID_NUMBER, "mobile": MOBILE, "name": "张三", "family": [{"phone": "13912345678"}]},
        )
    stored = AuditEvent.all_objects.get(pk=event.pk)
    assert stored.data == {
        "id_number": "520102********1234",
        "mobile": "138****5678",
        "name": "张三",
        "family": [{"phone": "139****5678"}],
    }
    assert stored.org_path == tree.zhongshan.path
    assert stored.actor is None
    assert stored.actor_label == "系统"
    # Nothing of the clear values reaches the database row.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])  # noqa: S608
        raw = str(cursor.fetchone()[0])
    assert ID_NUMBER not in raw
    assert MOBILE not in raw
    assert "13912345678" not in raw


def test_audit_record_names_the_actor_and_target(tree: Tree, make_user) -> None:
    actor = make_user("gz_admin", ("admin", "520000"))
    with transaction.atomic():
        event = audit_record(
            actor=actor, action="test.x", org=tree.lps, target=tree.courier_union, ip_address="10.0.0.1"
        )
    stored = AuditEvent.all_objects.get(pk=event.pk)
    assert stored.actor == actor
    assert stored.actor_label == "gz_admin"
    assert stored.target_type == "orgs.Org"
    assert stored.target_id == str(tree.courier_union.pk)
    assert stored.target_label == "钟山区快递员联合工会"
    assert stored.ip_address == "10.0.0.1"


def test_changed_fields() -> None:
    assert changed_fields({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {"b": ["x", "y"]}


def test_audit_events_are_scoped_by_default(tree: Tree) -> None:
    with pytest.raises(ScopeRequired):
        list(AuditEvent.objects.all())


# --- one event per service call ----------------------------------------------------


def test_org_services_write_exactly_one_event_each(tree: Tree, make_user) -> None:
    actor = make_user("gz_admin", ("admin", "520000"))
    scope = scope_for_user(actor)

    last = _last_id()
    org = org_create(
        actor=actor,
        scope=scope,
        code="520201G002",
        name="钟山区外卖配送员联合工会",
        kind=OrgKind.JOINT_GRASSROOTS,
        parent=tree.zhongshan,
        contact_phone="0858-1234567",
    )
    (event,) = _events_since(last)
    assert (event.action, event.actor, event.org_id, event.target_id) == ("orgs.org.create", actor, org.pk, str(org.pk))
    assert event.org_path == org.path
    assert event.data == {
        "code": "520201G002",
        "name": "钟山区外卖配送员联合工会",
        "kind": "joint_grassroots",
        "parent": "520201",
    }

    last = _last_id()
    org_update(actor=actor, scope=scope, org=org, changes={"chair": "李四", "employee_count": 120})
    (event,) = _events_since(last)
    assert event.action == "orgs.org.update"
    assert event.data == {"changes": {"chair": ["", "李四"], "employee_count": [None, 120]}}

    last = _last_id()
    org_update(actor=actor, scope=scope, org=org, changes={"chair": "李四"})
    assert _events_since(last) == []  # nothing changed, nothing recorded

    last = _last_id()
    org_move(actor=actor, scope=scope, org=org, new_parent=tree.lps)
    (event,) = _events_since(last)
    assert event.action == "orgs.org.move"
    assert event.data == {"from": "520201", "to": "520200", "subtree_size": 1}
    assert event.org_path == f"{tree.lps.path}{org.pk}/"

    last = _last_id()
    org_close(actor=actor, scope=scope, org=org, closed_on=date(2025, 12, 31))
    (event,) = _events_since(last)
    assert event.action == "orgs.org.close"
    assert event.data == {"closed_on": "2025-12-31"}


def test_bulk_job_writes_one_event(tree: Tree) -> None:
    last = _last_id()
    specs = [
        OrgSpec(code=f"520201NE{i:04d}", name=f"联合工会{i}", kind=OrgKind.JOINT_GRASSROOTS, parent_code="520201")
        for i in range(25)
    ]
    assert org_bulk_create(actor=None, specs=specs) == 25
    (event,) = _events_since(last)
    assert event.action == "orgs.org.bulk_create"
    assert event.data == {"created": 25}


def test_tree_repair_writes_one_event_only_when_it_repairs(tree: Tree) -> None:
    last = _last_id()
    org_tree_check(repair=True)
    assert _events_since(last) == []
    Org.all_objects.filter(pk=tree.nanming.pk).update(depth=9)
    Org.all_objects.filter(pk=tree.courier_union.pk).update(depth=9)
    org_tree_check(repair=True)
    (event,) = _events_since(last)
    assert (event.action, event.org_id, event.data) == ("orgs.tree.repair", None, {"fixed": 2})


def test_account_services_write_exactly_one_event_each(tree: Tree) -> None:
    last = _last_id()
    user = user_create(username="new_officer", password="Lps-express-2026")
    (event,) = _events_since(last)
    assert event.action == "accounts.user.create"
    assert "Lps-express-2026" not in str(event.data)

    last = _last_id()
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")  # idempotent
    (event,) = _events_since(last)
    assert event.action == "accounts.grant.create"
    assert event.org_id == tree.lps.pk
    assert event.data == {"user": "new_officer", "role": "officer", "org": "520200"}

    last = _last_id()
    issued = token_create(user=user, name="收银台")
    (event,) = _events_since(last)
    assert event.action == "accounts.token.create"
    assert issued.raw not in str(event.data)

    last = _last_id()
    token_revoke(user=user, token_id=issued.token.pk)
    token_revoke(user=user, token_id=issued.token.pk)  # already revoked: no second event
    (event,) = _events_since(last)
    assert event.action == "accounts.token.revoke"


def test_refused_service_writes_no_event(tree: Tree, make_user) -> None:
    viewer = make_user("lps_viewer", ("viewer", "520200"))
    last = _last_id()
    from gonghui.core.errors import DomainError

    with pytest.raises(DomainError):
        org_close(actor=None, scope=None, org=tree.lps)  # has open children
    with pytest.raises(DomainError):
        org_move(actor=None, scope=None, org=tree.lps, new_parent=tree.zhongshan)
    with pytest.raises(DomainError):
        org_create(actor=None, scope=None, code="520200", name="重复", kind=OrgKind.GRASSROOTS, parent=tree.lps)
    with pytest.raises(DomainError):
        org_update(actor=viewer, scope=scope_for_user(viewer), org=tree.lps, changes={"chair": "王五"})
    assert _events_since(last) == []
    assert Org.all_objects.get(pk=tree.lps.pk).chair == ""


def test_event_is_rolled_back_with_the_callers_transaction(tree: Tree) -> None:
    last = _last_id()
    with pytest.raises(Boom), transaction.atomic():
        org_create(
            actor=None, scope=None, code="520201G009", name="临时工会", kind=OrgKind.GRASSROOTS, parent=tree.zhongshan
        )
        assert len(_events_since(last)) == 1
        raise Boom
    assert not Org.all_objects.filter(code="520201G009").exists()
    assert _events_since(last) == []


def test_failing_command_rolls_back_the_user_and_its_event(tree: Tree, tmp_path) -> None:
    """`gonghui grant` creates the user, then fails on the org: neither the user nor its event stays."""
    password_file = tmp_path / "pw"
    password_file.write_text("Lps-express-2026\n", encoding="utf-8")
    last = _last_id()
    with pytest.raises(CommandError, match="工会代码“999999”不存在"):
        call_command("grant", "ghost", org="999999", role="viewer", password_file=str(password_file))
    assert not User.objects.filter(username="ghost").exists()
    assert _events_since(last) == []


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused_and_services_commit_atomically() -> None:
    """With real commits (no test transaction around): audit needs a transaction, services bring one."""
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=None, action="test.orphan")
    assert not AuditEvent.all_objects.exists()

    root = org_create(
        actor=None, scope=None, code="520000", name="贵州省总工会", kind=OrgKind.PROVINCE_FEDERATION, parent=None
    )
    assert AuditEvent.all_objects.filter(action="orgs.org.create", org=root).count() == 1

    with pytest.raises(Boom), transaction.atomic():
        org_create(
            actor=None, scope=None, code="520200", name="六盘水市总工会", kind=OrgKind.CITY_FEDERATION, parent=root
        )
        raise Boom
    assert not Org.all_objects.filter(code="520200").exists()
    assert AuditEvent.all_objects.count() == 1


# --- the audit page --------------------------------------------------------------------


@pytest.fixture
def lps_admin(tree: Tree, make_user) -> User:
    return make_user("lps_admin", ("admin", "520200"))


def _page_events(resp) -> list[AuditEvent]:
    assert resp.status_code == 200
    return list(resp.context["rows"])


def _codes(events: list[AuditEvent]) -> set[str]:
    return {e.org.code for e in events if e.org is not None}


LPS_SUBTREE = {"520200", "520201", "520201G001", "520200KD01"}


def test_audit_page_is_scoped_to_the_admins_subtree(tree: Tree, lps_admin: User, login) -> None:
    resp = login(lps_admin).get("/audit/")
    events = _page_events(resp)
    assert _codes(events) == LPS_SUBTREE
    assert all(e.org_path.startswith(tree.lps.path) for e in events)
    assert {e.action for e in events} == {"orgs.org.create", "accounts.grant.create"}
    html = resp.content.decode()
    assert "审计日志" in html
    assert "钟山区快递员联合工会" in html
    for foreign in ("贵阳市总工会", "南明区总工会", "定西市总工会"):
        assert foreign not in html


def test_audit_page_hides_platform_events_from_scoped_admins(tree: Tree, lps_admin: User, make_user, login) -> None:
    token_create(user=lps_admin, name="x")  # an event with no org
    events = _page_events(login(lps_admin).get("/audit/"))
    assert "accounts.token.create" not in {e.action for e in events}

    root = make_user("root", superuser=True)
    events = _page_events(login(root).get("/audit/"))
    assert "accounts.token.create" in {e.action for e in events}
    assert {"520100", "520102", "621100"} <= _codes(events)


def test_audit_page_filters_by_action(tree: Tree, lps_admin: User, login) -> None:
    scope = scope_for_user(lps_admin)
    org_move(actor=lps_admin, scope=scope, org=tree.courier_union, new_parent=tree.express_federation)
    client = login(lps_admin)

    events = _page_events(client.get("/audit/", {"action": "orgs.org.move"}))
    assert [(e.action, e.org.code, e.actor_label) for e in events] == [("orgs.org.move", "520201G001", "lps_admin")]

    events = _page_events(client.get("/audit/", {"action": "orgs.org"}))
    assert {e.action for e in events} == {"orgs.org.create", "orgs.org.move"}

    events = _page_events(client.get("/audit/", {"action": "accounts."}))
    assert [e.action for e in events] == ["accounts.grant.create"]

    events = _page_events(client.get("/audit/", {"actor": "lps_admin"}))
    assert [e.action for e in events] == ["orgs.org.move"]

    resp = client.get("/audit/", {"action": "orgs.member.delete"})
    assert _page_events(resp) == []
    assert "没有符合条件的记录。" in resp.content.decode()


def test_audit_page_filters_by_org_subtree(tree: Tree, lps_admin: User, login) -> None:
    client = login(lps_admin)
    events = _page_events(client.get("/audit/", {"org": "520201"}))
    assert _codes(events) == {"520201", "520201G001"}

    events = _page_events(client.get("/audit/", {"org": "520200KD01", "action": "orgs.org.create"}))
    assert _codes(events) == {"520200KD01"}


def test_audit_page_org_filter_outside_scope_shows_nothing(tree: Tree, lps_admin: User, login) -> None:
    resp = login(lps_admin).get("/audit/", {"org": "520100"})
    assert _page_events(resp) == []
    assert "未找到该记录，或您无权访问。" in resp.content.decode()
    assert "贵阳市总工会" not in resp.content.decode()


def test_audit_page_requires_the_audit_permission(tree: Tree, make_user, login) -> None:
    officer = make_user("lps_officer", ("officer", "520200"))
    viewer = make_user("lps_viewer", ("viewer", "520200"))
    assert login(officer).get("/audit/").status_code == 403
    assert login(viewer).get("/audit/").status_code == 403
    resp = Client().get("/audit/")
    assert resp.status_code == 302
    assert resp["Location"].startswith("/accounts/login/")


def test_audit_page_reader_at_province_sees_both_cities(tree: Tree, make_user, login) -> None:
    admin = make_user("gz_admin", ("admin", "520000"))
    events = _page_events(login(admin).get("/audit/"))
    codes = _codes(events)
    assert {"520000", "520200", "520100", "520102"} <= codes
    assert "621100" not in codes
