"""公示, objections and disbursement through a payout batch; the statistics read from what was paid."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import series_collect, stats_collect
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutItem, PayoutPurpose
from gonghui.payouts.services import payout_batch_cancel
from gonghui.student_aid.disbursement import applications_mark_paid, disbursement_create
from gonghui.student_aid.models import ApplicationStatus, ObjectionStatus, PublicationStatus, StudentLevel
from gonghui.student_aid.publication import objection_record, objection_resolve, publication_close, publication_create
from gonghui.student_aid.selectors import publication_entries
from gonghui.student_aid.tests.factories import SON, World, apply, approve, close, give_card, pay, publish, reload

pytestmark = pytest.mark.django_db

DAUGHTER = id_number(711, birth="20080301")


@pytest.fixture
def published(world: World):  # type: ignore[no-untyped-def]
    """Three approved students published for 7 days: the worker's son and daughter, and a cardless worker's son."""
    son = approve(world, apply(world))
    daughter = approve(
        world,
        apply(world, id_number=DAUGHTER, name="李小红", relation="女", school="钟山区第一中学",
              level=StudentLevel.HIGH_SCHOOL, enrolment_year=2025, graduation_year=2028),
    )  # fmt: skip
    cardless = register(world.tree.courier_union, id_number(712, birth="19800101"), name="赵师傅")
    other = approve(world, apply(world, membership=cardless, id_number=id_number(713, birth="20060301"), name="赵小虎"))
    publication = publish(world)
    return {"publication": publication, "son": son, "daughter": daughter, "other": other, "cardless": cardless}


def test_the_list_shows_name_school_and_amount_never_an_id(world: World, published) -> None:  # type: ignore[no-untyped-def]
    publication = published["publication"]
    assert (publication.status, publication.ends_on - publication.starts_on) == (PublicationStatus.OPEN, timedelta(6))
    entries = publication_entries(publication)
    assert [(e["name"], e["school"], e["amount_yuan"]) for e in entries] == [
        ("李小红", "钟山区第一中学", "2000.00"),
        ("李小龙", "贵州大学", "4000.00"),
        ("赵小虎", "贵州大学", "4000.00"),
    ]
    text = json.dumps(entries, ensure_ascii=False)
    for app in (published["son"], published["daughter"], published["other"]):
        app = reload(app)
        assert app.status == ApplicationStatus.PUBLISHED and app.publication_id == publication.pk
        assert app.student_id_masked not in text and app.student_id_masked[-4:] not in text
    assert SON not in text and DAUGHTER not in text
    # Nothing approved is left to publish; the foreign union cannot publish here.
    with pytest.raises(DomainError) as empty:
        publish(world)
    assert empty.value.code == "student_aid.nothing_to_publish"
    with pytest.raises(DomainError) as foreign:
        publication_create(**world.as_("foreign"), org=world.tree.zhongshan, school_year=2026, days=7)
    assert foreign.value.code == "permission_denied"


def test_objections_upheld_and_dismissed(world: World, published) -> None:  # type: ignore[no-untyped-def]
    publication = published["publication"]
    officer = world.as_("county_officer")
    upheld = objection_record(
        **officer, application=published["other"], reason="该生已获得团委助学金", raised_by="匿名"
    )
    dismissed = objection_record(**officer, application=published["son"], reason="家庭条件较好")
    with pytest.raises(DomainError) as late:
        objection_record(
            **officer, application=published["son"], reason="再次异议", on=publication.ends_on + timedelta(days=1)
        )
    assert late.value.code == "notices.outside_window"
    with pytest.raises(DomainError) as ahead:  # within the window, but not received yet
        objection_record(**officer, application=published["son"], reason="预先异议", on=publication.ends_on)
    assert (ahead.value.code, ahead.value.message) == ("notices.received_in_future", "收到日期不能晚于今天")
    # The window is over but an objection is open: the 公示 cannot end.
    with pytest.raises(DomainError) as early:
        publication_close(**officer, publication=publication, on=publication.ends_on)
    assert early.value.code == "notices.window_not_over"
    with pytest.raises(DomainError) as pending:
        close(world, publication)
    assert pending.value.code == "notices.open_objections" and "2" in pending.value.message
    # Objections are resolved at the county (the approver), not by the grassroots reviewer.
    with pytest.raises(DomainError) as refused:
        objection_resolve(**world.as_("unit"), objection=upheld, upheld=True, note="核实属实")
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as nonote:
        objection_resolve(**world.as_("county"), objection=upheld, upheld=True, note="")
    assert "note" in nonote.value.details
    resolved = objection_resolve(**world.as_("county"), objection=upheld, upheld=True, note="经核实已获团委资助")
    assert resolved.status == ObjectionStatus.UPHELD
    assert reload(published["other"]).status == ApplicationStatus.REJECTED
    assert "经核实已获团委资助" in reload(published["other"]).status_note
    kept = objection_resolve(**world.as_("county"), objection=dismissed, upheld=False, note="经走访核实，家庭确有困难")
    assert kept.status == ObjectionStatus.DISMISSED and reload(published["son"]).status == ApplicationStatus.PUBLISHED
    with pytest.raises(DomainError) as twice:
        objection_resolve(**world.as_("county"), objection=kept, upheld=True, note="改判")
    assert twice.value.code == "notices.objection_resolved"
    assert [e["name"] for e in publication_entries(publication)] == ["李小红", "李小龙"]
    closed = close(world, publication)
    assert closed.status == PublicationStatus.CLOSED
    with pytest.raises(DomainError) as after:
        objection_record(**officer, application=published["son"], reason="又一条")
    assert after.value.code == "notices.publication_closed"
    actions = set(AuditEvent.all_objects.filter(action__startswith="student_aid.").values_list("action", flat=True))
    assert {
        "student_aid.publish",
        "student_aid.objection",
        "student_aid.objection_upheld",
        "student_aid.objection_dismissed",
        "student_aid.publication_close",
    } <= actions


def test_disbursement_through_a_payout_batch(world: World, published, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    publication = published["publication"]
    with pytest.raises(DomainError) as still_open:
        disbursement_create(**world.as_("county_officer"), publication=publication, bank=world.bank)
    assert still_open.value.code == "student_aid.not_ready_to_pay"
    close(world, publication)
    # Only the county's payout maker may draw the batch.
    with pytest.raises(DomainError) as refused:
        disbursement_create(**world.as_("foreign"), publication=publication, bank=world.bank)
    assert refused.value.code == "permission_denied"
    batch, refusals = disbursement_create(**world.as_("county_officer"), publication=publication, bank=world.bank)
    assert (batch.status, batch.purpose, batch.org_id) == (
        BatchStatus.DRAFT,
        PayoutPurpose.STUDENT_AID,
        world.tree.zhongshan.pk,
    )
    # The cardless worker is refused with the reason; the worker's two children are one item of both amounts.
    assert [(r.application_id, "会员服务卡" in r.reason) for r in refusals] == [(published["other"].pk, True)]
    with unscoped():
        items = list(PayoutItem.objects.filter(batch=batch))
    assert [(i.person_id, i.amount_fen) for i in items] == [(world.worker.person_id, 6000_00)]
    assert reload(published["son"]).payout_item_id == items[0].pk
    # Not paid until the bank says so.
    assert applications_mark_paid(actor=None, publication=publication) == 0
    assert stats_collect(None)["student_aid_yuan"] == 0
    # The cardless worker gets a card, and a second batch pays him; the first batch goes through the bank.
    give_card(published["cardless"], world.bank, 71)
    payout_batch_cancel(**world.as_("county_officer"), batch=batch, note="重新制作批次")  # a new one takes all three
    assert pay(world, publication, tmp_path) == 3
    for key in ("son", "daughter"):
        app = reload(published[key])
        assert app.status == ApplicationStatus.PAID and app.paid_at is not None
    assert reload(published["other"]).status == ApplicationStatus.PAID
    assert applications_mark_paid(actor=None, publication=publication) == 0  # idempotent
    # Nothing is paid twice: a further batch for the publication adds nobody.
    again, _refused = disbursement_create(**world.as_("county_officer"), publication=publication, bank=world.bank)
    with unscoped():
        assert not PayoutItem.objects.filter(batch=again).exists()
    figures = stats_collect(None)
    assert (figures["student_aid_students"], figures["student_aid_yuan"]) == (3, 10000.0)
    assert stats_collect([world.tree.zhongshan.path])["student_aid_yuan"] == 10000.0
    assert stats_collect([world.tree.nanming.path])["student_aid_students"] == 0
    # This school year's figures: the 2026 applications count while 2026 is the year under way.
    monkeypatch.setattr("gonghui.student_aid.stats.current_school_year", lambda: 2026)
    assert (stats_collect(None)["student_aid_students_year"], stats_collect(None)["student_aid_yuan_year"]) == (
        3,
        10000.0,
    )
    monkeypatch.setattr("gonghui.student_aid.stats.current_school_year", lambda: 2027)
    assert (stats_collect(None)["student_aid_students_year"], stats_collect(None)["student_aid_yuan_year"]) == (0, 0.0)
    month = timezone.localdate().strftime("%Y-%m")
    assert series_collect(None, [month])["student_aid_yuan"] == [10000.0]
    # The dashboard shows the figure and a chart by school year (in 万元), for the county's subtree.
    from gonghui.core.tests.clients import client as new_client

    viewer = new_client()
    viewer.force_login(world.users["county"])
    page = viewer.get("/?org=520201")
    assert page.status_code == 200 and page.context["figures"]["student_aid_yuan"] == 10000.0
    charts = {c["id"]: c["data"] for c in page.context["charts"]}
    assert charts["school-year"] == {
        "labels": ["2026学年"],
        "series": [{"name": "助学金", "values": [1.0]}],
    }
    assert 'data-testid="chart-school-year"' in page.content.decode()
    assert viewer.get("/?org=520102").status_code == 404


def test_a_failed_payment_stays_ready_to_pay(world: World, published, tmp_path) -> None:  # type: ignore[no-untyped-def]
    publication = published["publication"]
    close(world, publication)
    give_card(published["cardless"], world.bank, 72)
    assert pay(world, publication, tmp_path, fail=frozenset({published["cardless"].person_id})) == 2
    other = reload(published["other"])
    assert other.status == ApplicationStatus.PUBLISHED
    with unscoped():
        assert PayoutItem.objects.get(pk=other.payout_item_id).status == ItemStatus.FAILED
    # The next batch of the publication pays the one that failed.
    assert pay(world, publication, tmp_path) == 1
    assert reload(published["other"]).status == ApplicationStatus.PAID
    assert stats_collect(None)["student_aid_yuan"] == 10000.0
