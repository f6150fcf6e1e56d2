"""A member follows their own 12351 cases on the phone (`/m/cases/`): found by their mobile or the link
made at intake, by number; another person's number is not found; the cadres' notes stay hidden."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.scope import scope_for_user
from gonghui.conftest import PASSWORD
from gonghui.members.tests.factories import id_number, register
from gonghui.portal.services import member_account_create
from gonghui.rights import services
from gonghui.rights.services import case_intake

pytestmark = pytest.mark.django_db

MOBILE, OTHER = "13800000901", "13800000902"


def test_a_member_follows_their_case_by_number(tree, make_user) -> None:  # type: ignore[no-untyped-def]
    operator = make_user("gz_op", ("officer", "520000"))
    county = make_user("zs_off", ("officer", "520201"))
    ms = register(tree.courier_union, id_number(901), name="李骑手", mobile=MOBILE)
    other = register(tree.courier_union, id_number(902), name="赵骑手", mobile=OTHER)
    mine = member_account_create(actor=None, person=ms.person, username=MOBILE, password=PASSWORD)
    theirs = member_account_create(actor=None, person=other.person, username=OTHER, password=PASSWORD)
    op_scope = scope_for_user(operator)
    case = case_intake(
        actor=operator,
        scope=op_scope,
        org=tree.province,
        source="来电",
        kind="投诉",
        cause="欠薪",
        caller_name="李骑手",
        caller_phone=MOBILE,
        summary="站点拖欠工资",
    )
    case = services.case_hand_down(actor=operator, scope=op_scope, case=case, to_org=tree.lps)
    case = services.case_send_up(actor=operator, scope=op_scope, case=case, reason="内部原因：材料不全")
    case = services.case_hand_down(actor=operator, scope=op_scope, case=case, to_org=tree.lps)
    case = services.case_hand_down(actor=operator, scope=op_scope, case=case, to_org=tree.zhongshan)
    c_scope = scope_for_user(county)
    services.case_take(actor=county, scope=c_scope, case=case)
    services.case_contact(actor=county, scope=c_scope, case=case, note="内部：约谈站长")

    me = Client()
    me.force_login(mine.user)
    html = me.get("/m/cases/").content.decode()
    assert case.number in html and "办理中" in html
    assert me.get("/m/cases/", {"number": case.number})["Location"] == f"/m/cases/{case.number}/"
    detail = me.get(f"/m/cases/{case.number}/").content.decode()
    assert "钟山区总工会已签收办理" in detail and "转交六盘水市总工会办理" in detail
    assert "内部" not in detail  # the reason for sending it back and the contact notes are the cadres'
    assert "预计" in detail

    them = Client()
    them.force_login(theirs.user)
    assert case.number not in them.get("/m/cases/").content.decode()
    assert them.get(f"/m/cases/{case.number}/").status_code == 404
    resp = them.get("/m/cases/", {"number": case.number}, follow=True)
    assert "没有找到这个工单编号" in resp.content.decode()
    # Staff are not members: the phone page is not theirs.
    staff = Client()
    staff.force_login(operator)
    assert staff.get("/m/cases/").status_code == 403
    assert Client().get("/m/cases/").status_code == 302
