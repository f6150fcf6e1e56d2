"""The card pages: the card lifecycle, applications, and who sees what.

Callers hold grants on 520201 钟山区总工会 (the members' courier union sits under
it) except `foreign`, an officer of 520102 南明区. A refused request changes
nothing: no card changes state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = []
    for i, name in enumerate(["王一", "李二", "张三", "赵四"]):
        ms = register(tree.courier_union, id_number(800 + i), name=name)
        if i < 3:  # 赵四 has no card
            card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
            card_issue(actor=None, scope=None, card=card, card_number=card_number(80 + i))
            card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    outsider = register(tree.nanming, id_number(850), name="吴南明")
    users = {
        "officer": make_user("zs_officer", ("officer", "520201")),
        "reviewer": make_user("zs_reviewer", ("reviewer", "520201")),
        "viewer": make_user("zs_viewer", ("viewer", "520201")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }
    clients = {}
    for who, user in users.items():
        c = new_client()
        c.force_login(user)
        clients[who] = c
    return {"tree": tree, "bank": bank, "members": members, "outsider": outsider, "users": users, **clients}


def state() -> tuple[Any, ...]:
    with unscoped():
        return (
            list(ServiceCard.all_objects.order_by("pk").values_list("pk", "status")),
            AuditEvent.all_objects.count(),
        )


def messages_of(resp: Any) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context else []


def test_card_lifecycle_from_the_card_page(world) -> None:
    officer: Client = world["officer"]
    card = ServiceCard.all_objects.get(person=world["members"][0].person)
    url = f"/cards/{card.pk}/"
    page = officer.get(url).content.decode()
    assert card.card_masked in page and card_number(80) not in page
    assert 'data-testid="card-action-freeze"' in page and 'data-testid="card-action-activate"' not in page

    resp = officer.post(f"{url}freeze/", {"reason": ""})
    assert resp.status_code == 200 and "冻结原因" in resp.content.decode()  # a reason is required
    resp = officer.post(f"{url}freeze/", {"reason": "会员申请暂停使用"}, follow=True)
    card.refresh_from_db()
    assert card.status == CardStatus.FROZEN
    assert "已冻结" in resp.content.decode() and "会员申请暂停使用" in resp.content.decode()
    assert officer.get(f"{url}activate/").status_code == 404  # not a step from 已冻结
    officer.post(f"{url}report_lost/", {"reason": "丢失"})
    resp = officer.post(f"{url}replace/", {"reason": "补卡"})
    card.refresh_from_db()
    successor = ServiceCard.all_objects.get(person=card.person, status=CardStatus.APPLIED)
    assert card.status == CardStatus.REPLACED and resp["Location"] == f"/cards/{successor.pk}/"
    resp = officer.post(f"/cards/{successor.pk}/issue/", {"card_number": "6217950000000000001"})
    assert resp.status_code == 200 and "卡号" in resp.content.decode()  # Luhn refuses a mistyped number
    officer.post(f"/cards/{successor.pk}/issue/", {"card_number": card_number(90)})
    successor.refresh_from_db()
    assert successor.status == CardStatus.ISSUED and successor.card_masked.endswith(card_number(90)[-4:])

    # The viewer sees the card, with no steps, and cannot take one.
    viewer: Client = world["viewer"]
    assert 'data-testid="card-action-' not in viewer.get(f"/cards/{successor.pk}/").content.decode()
    assert viewer.get(f"/cards/{successor.pk}/activate/").status_code == 403


def test_member_page_shows_cards_and_applies_with_consent(world) -> None:
    officer: Client = world["officer"]
    zhao = world["members"][3]
    page = officer.get(f"/members/{zhao.pk}/").content.decode()
    assert "暂无服务卡" in page and f"/cards/apply/{zhao.pk}/" in page
    before = state()
    resp = officer.post(f"/cards/apply/{zhao.pk}/", {"bank": "GZB", "consent_note": "x"})
    assert resp.status_code == 200 and state() == before  # consent unticked: nothing applied
    resp = officer.post(f"/cards/apply/{zhao.pk}/", {"bank": "GZB", "consented": "on", "consent_note": "纸质同意书"})
    card = ServiceCard.all_objects.get(person=zhao.person)
    assert resp["Location"] == f"/cards/{card.pk}/" and card.status == CardStatus.APPLIED
    assert card.consent_note == "纸质同意书"
    assert "已申请" in officer.get(f"/members/{zhao.pk}/").content.decode()
    # A viewer's member page shows the card but offers no application.
    page = world["viewer"].get(f"/members/{world['members'][3].pk}/").content.decode()
    assert "已申请" in page and "/cards/apply/" not in page


def test_batch_application_reports_each_refusal(world, tree) -> None:
    officer: Client = world["officer"]
    fresh = [
        register(tree.courier_union, id_number(860 + i), name=name) for i, name in enumerate(["钱甲", "孙乙", "周丙"])
    ]
    keys = [fresh[0].person.member_no, id_number(861), world["members"][0].person.member_no, "0000999998"]
    resp = officer.post(
        "/cards/apply/",
        {
            "org_code": "520201",
            "bank": "GZB",
            "members": "\n".join(str(k) for k in keys),
            "consented": "on",
            "consent_note": "2026年11月集中办卡",
        },
    )
    assert resp.status_code == 200
    # By the row they were typed on, in the rows' order; the box keeps every row.
    assert [(n, k) for n, k, _why in resp.context["refusals"]] == [
        (3, world["members"][0].person.member_no),
        (4, "0000999998"),
    ]
    assert "已有" in resp.context["refusals"][0][2]
    assert field_values(resp.content.decode())["members"] == "\n".join(str(k) for k in keys)
    applied = ServiceCard.all_objects.filter(status=CardStatus.APPLIED, consent_note="2026年11月集中办卡")
    assert sorted(applied.values_list("person_id", flat=True)) == sorted([fresh[0].person_id, fresh[1].person_id])
    # The outsider's member number is not found from 钟山区.
    resp = officer.post(
        "/cards/apply/",
        {"org_code": "520201", "bank": "GZB", "members": world["outsider"].person.member_no, "consented": "on"},
    )
    assert resp.context["refusals"] == [(1, world["outsider"].person.member_no, "本工会范围内没有这名会员")]
