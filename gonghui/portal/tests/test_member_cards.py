"""The member's own cards on the phone's home page, read by `cards.selectors.member_cards`."""

from __future__ import annotations

import pytest

from gonghui.cards.models import ServiceCard
from gonghui.cards.selectors import member_cards
from gonghui.cards.services import card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership
from gonghui.portal.tests.factories import PortalWorld
from gonghui.student_aid.tests.factories import give_card

pytestmark = pytest.mark.django_db


def test_home_lists_the_members_live_cards_only_and_masked(pw_world: PortalWorld) -> None:
    person = pw_world.aid.worker.person
    with unscoped():
        card = ServiceCard.all_objects.get(person=person)
    assert member_cards(person=person) == [card]
    assert member_cards(person=pw_world.other.person) == []
    client = pw_world.member_client(pw_world.worker)
    html = client.get("/m/").content.decode()
    assert "贵州银行" in html and card.card_masked in html and card_number(70) not in html

    # A cancelled card is no longer the member's: gone from the reader and the page.
    card_transition(actor=None, scope=None, card=card, action="cancel", reason="销户")
    assert member_cards(person=person) == []
    html = client.get("/m/").content.decode()
    assert card.card_masked not in html and "暂无服务卡" in html

    # Another member's card never shows on this page.
    with unscoped():
        other_membership = Membership.all_objects.get(person=pw_world.other.person)
    give_card(other_membership, pw_world.aid.bank, 71)
    assert [c.person_id for c in member_cards(person=pw_world.other.person)] == [pw_world.other.person_id]
    assert member_cards(person=person) == []
    html = client.get("/m/").content.decode()
    assert card_number(71) not in html and "暂无服务卡" in html
