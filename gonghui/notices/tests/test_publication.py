"""The shared 公示: a list for a period in working days across a holiday, objections from officers and from
the public page (with a contact, rate-limited, bounded), upheld and dismissed, closing only after the period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, Holiday
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number
from gonghui.notices import selectors
from gonghui.notices.models import DayBasis, EntryStatus, Objection, ObjectionChannel, ObjectionStatus, Publication
from gonghui.notices.services import (
    EntryIn,
    objection_record,
    objection_resolve,
    objection_submit,
    publication_close,
    publication_close_refusal,
    publication_create,
)
from gonghui.notices.tests.conftest import REMOVED, NoticeWorld

pytestmark = pytest.mark.django_db


def entries(members: list[Membership]) -> list[EntryIn]:
    return [
        EntryIn(subject=m, name=m.person.name, details={"union": "钟山区快递员联合工会", "deeds": "十年无差错"})
        for m in members
    ]


def publish(
    nw: NoticeWorld, *, days: int = 5, basis: str = DayBasis.CALENDAR, starts_on: date | None = None
) -> Publication:
    return publication_create(
        **nw.as_("officer"),
        kind="notices_test",
        org=nw.tree.zhongshan,
        year=2026,
        title="2026年度钟山区最美劳动者拟推荐对象公示",
        entries=entries(nw.members),
        days=days,
        day_basis=basis,
        starts_on=starts_on,
    )


def test_a_working_day_period_runs_across_the_holiday(nw: NoticeWorld) -> None:
    Holiday.objects.bulk_create([Holiday(day=date(2026, 10, 1) + timedelta(i), name="国庆节") for i in range(7)])
    monday = date(2026, 9, 28)
    p = publish(nw, days=5, basis=DayBasis.WORKING, starts_on=monday)
    assert (p.starts_on, p.ends_on) == (monday, date(2026, 10, 9))
    calendar = publish(nw, days=5, starts_on=monday)
    assert calendar.ends_on == date(2026, 10, 2)
    assert p.contact_phone == "0851-12345678"


def test_the_list_never_carries_an_id_number(nw: NoticeWorld) -> None:
    p = publish(nw)
    rows = selectors.publication_entries(p)
    assert [r["name"] for r in rows] == ["王师傅", "张师傅", "刘师傅"] and rows[0]["deeds"] == "十年无差错"
    with pytest.raises(ValueError):
        publication_create(
            **nw.as_("officer"), kind="notices_test", org=nw.tree.zhongshan, year=2026, title="x", days=5,
            entries=[EntryIn(subject=nw.members[0], name="王师傅", details={"id": id_number(800, birth="19800101")})],
        )  # fmt: skip
    with pytest.raises(DomainError) as masked:
        publication_create(**nw.as_("foreign"), kind="notices_test", org=nw.tree.zhongshan, year=2026, title="x",
                           days=5, entries=entries(nw.members))  # fmt: skip
    assert masked.value.code == "permission_denied"
    with pytest.raises(DomainError) as empty:
        publication_create(**nw.as_("officer"), kind="notices_test", org=nw.tree.zhongshan, year=2026, title="x",
                           days=0, entries=entries(nw.members))  # fmt: skip
    assert empty.value.code == "notices.days_invalid"


def test_objections_upheld_remove_the_entry_and_dismissed_keep_it(nw: NoticeWorld) -> None:
    p = publish(nw)
    first, second, _third = list(selectors.listed_entries(p))
    upheld = objection_record(**nw.as_("officer"), entry=first, reason="其事迹与实际不符", raised_by="匿名")
    dismissed = objection_submit(entry=second, raised_by="赵某", contact="13800000000", reason="不是一线职工")
    assert dismissed.channel == ObjectionChannel.PUBLIC and dismissed.received_on == timezone.localdate()
    with pytest.raises(DomainError) as refused:
        objection_resolve(**nw.as_("viewer"), objection=upheld, upheld=True, note="核实")
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as nonote:
        objection_resolve(**nw.as_("reviewer"), objection=upheld, upheld=True, note=" ")
    assert "note" in nonote.value.details
    objection_resolve(**nw.as_("reviewer"), objection=upheld, upheld=True, note="经核实事迹夸大")
    objection_resolve(**nw.as_("reviewer"), objection=dismissed, upheld=False, note="经核实为快递一线职工")
    first.refresh_from_db()
    assert first.status == EntryStatus.REMOVED and "经核实事迹夸大" in first.removed_reason
    assert [(nw.members[0].pk, "经核实事迹夸大")] == REMOVED
    assert [r["name"] for r in selectors.publication_entries(p)] == ["张师傅", "刘师傅"]
    with pytest.raises(DomainError) as twice:
        objection_resolve(**nw.as_("reviewer"), objection=dismissed, upheld=True, note="改判")
    assert twice.value.code == "notices.objection_resolved"
    with pytest.raises(DomainError) as removed:
        objection_record(**nw.as_("officer"), entry=first, reason="再次")
    assert removed.value.code == "notices.entry_removed"
    with unscoped():
        actions = set(
            AuditEvent.all_objects.filter(action__startswith="notices_test.").values_list("action", flat=True)
        )
    assert actions == {
        "notices_test.publish",
        "notices_test.objection",
        "notices_test.objection_upheld",
        "notices_test.objection_dismissed",
    }


def test_closing_only_after_the_period_with_every_objection_resolved(nw: NoticeWorld) -> None:
    p = publish(nw)
    entry = selectors.listed_entries(p).first()
    assert entry is not None
    objection = objection_submit(entry=entry, raised_by="赵某", contact="13800000000", reason="有异议")
    refusal = publication_close_refusal(p)
    assert refusal is not None and refusal.code == "notices.window_not_over"
    with pytest.raises(DomainError) as early:
        publication_close(**nw.as_("officer"), publication=p, on=p.ends_on)
    assert early.value.code == "notices.window_not_over"
    with pytest.raises(DomainError) as pending:
        publication_close(**nw.as_("officer"), publication=p, on=p.ends_on + timedelta(1))
    assert pending.value.code == "notices.open_objections"
    objection_resolve(**nw.as_("reviewer"), objection=objection, upheld=False, note="无误")
    closed = publication_close(**nw.as_("officer"), publication=p, on=p.ends_on + timedelta(1))
    assert closed.status == "closed"
    with pytest.raises(DomainError) as after:
        objection_submit(entry=entry, raised_by="赵某", contact="13800000000", reason="又一条")
    assert after.value.code == "notices.publication_closed"


def test_a_public_objection_needs_a_name_and_a_contact(nw: NoticeWorld) -> None:
    p = publish(nw)
    entry = selectors.listed_entries(p).first()
    assert entry is not None
    with pytest.raises(DomainError) as missing:
        objection_submit(entry=entry, raised_by="", contact=" ", reason="有异议")
    assert set(missing.value.details) == {"raised_by", "contact"}
    with unscoped():
        assert not Objection.all_objects.exists()


@override_settings(GONGHUI_NOTICE_PUBLIC_OBJECTIONS=2)
def test_the_public_page_takes_objections_bounded(nw: NoticeWorld) -> None:
    p = publish(nw)
    client = Client()
    url = f"/notices/{p.token}/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "王师傅" in body and "十年无差错" in body and "0851-12345678" in body
    assert 'data-testid="public-objection-form"' in body
    for number in (id_number(800, birth="19800101"), id_number(801, birth="19800101")):
        assert number not in body and number[-4:] not in body
    entry = selectors.listed_entries(p).first()
    assert entry is not None
    # Every mistake named at once, what was typed kept.
    resp = client.post(url, {"entry": str(entry.pk), "raised_by": "", "contact": "", "reason": "不属实"})
    assert resp.status_code == 200 and set(resp.context["form"].errors) == {"raised_by", "contact"}
    assert "不属实" in resp.content.decode()
    form = {"entry": str(entry.pk), "raised_by": "赵某", "contact": "13800000000", "reason": "不属实"}
    assert client.post(url, form)["Location"] == f"{url}?received=1"
    assert client.post(url, form).status_code == 302
    third = client.post(url, form)
    assert (
        third.status_code == 200
        and "异议已达上限" in third.content.decode()
        and "0851-12345678" in third.content.decode()
    )
    with unscoped():
        assert Objection.all_objects.filter(channel=ObjectionChannel.PUBLIC).count() == 2
        assert set(Objection.all_objects.values_list("status", flat=True)) == {ObjectionStatus.OPEN}
    assert Client().get("/notices/not-a-token/").status_code == 404


@override_settings(GONGHUI_RATE_LIMITS={"notice_objection_address": "1/h"})
def test_the_public_form_is_rate_limited(nw: NoticeWorld) -> None:
    p = publish(nw)
    entry = selectors.listed_entries(p).first()
    assert entry is not None
    url = f"/notices/{p.token}/"
    form = {"entry": str(entry.pk), "raised_by": "赵某", "contact": "13800000000", "reason": "不属实"}
    client = Client()
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 429
    with unscoped():
        assert Objection.all_objects.count() == 1


def test_after_the_period_the_page_takes_no_objection(nw: NoticeWorld) -> None:
    p = publish(nw, starts_on=timezone.localdate() - timedelta(days=10))
    entry = selectors.listed_entries(p).first()
    assert entry is not None
    client = Client()
    body = client.get(f"/notices/{p.token}/").content.decode()
    assert 'data-testid="public-objection-form"' not in body and "不在公示期内" in body
    form = {"entry": str(entry.pk), "raised_by": "赵某", "contact": "13800000000", "reason": "不属实"}
    client.post(f"/notices/{p.token}/", form)
    with unscoped():
        assert not Objection.all_objects.exists()


def test_the_a4_notice_has_the_phone_and_a_qr_code_to_the_public_page(nw: NoticeWorld) -> None:
    p = publish(nw)
    client = Client()
    page = client.get(f"/notices/{p.token}/print/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="notice-phone">0851-12345678<' in body
    assert f'src="/notices/{p.token}/qr.svg"' in body and "王师傅" in body and 'data-testid="print"' in body
    qr = client.get(f"/notices/{p.token}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"


def test_scope_a_foreign_publication_is_not_found(nw: NoticeWorld) -> None:
    p = publish(nw)
    assert selectors.publication_get(scope=nw.scopes["viewer"], kind="notices_test", pk=p.pk).pk == p.pk
    with pytest.raises(DomainError):
        selectors.publication_get(scope=nw.scopes["foreign"], kind="notices_test", pk=p.pk)
    assert not selectors.publication_list(scope=nw.scopes["foreign"], kind="notices_test").exists()
