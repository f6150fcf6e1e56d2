"""Migration 0003 carries 金秋助学's 公示 onto the shared tables: ids kept (the pages' URLs), the published
applications as entries (the one rejected by an upheld objection removed), the objections on their entries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gonghui.members.tests.factories import id_number
from gonghui.student_aid.tests.factories import World, apply, approve

BEFORE = [("student_aid", "0002_payout_item_in_payouts"), ("notices", "0001_initial")]
AFTER = [("student_aid", "0003_publication_onto_notices")]


def migrate(targets: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_publications_are_carried_over(world: World) -> None:
    kept, rejected = (
        approve(world, apply(world)),
        approve(world, apply(world, name="李小红", id_number=id_number(711, birth="20080301"))),
    )
    old = migrate(BEFORE)
    OldPublication = old.get_model("student_aid", "Publication")
    OldObjection = old.get_model("student_aid", "Objection")
    Application = old.get_model("student_aid", "StudentAidApplication")
    p = OldPublication.objects.create(
        pk=41, org_id=world.tree.zhongshan.pk, org_path=world.tree.zhongshan.path, school_year=2026,
        title="钟山区2026年金秋助学拟资助名单公示", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 7),
    )  # fmt: skip
    Application.objects.filter(pk=kept.pk).update(publication=p, status="published")
    Application.objects.filter(pk=rejected.pk).update(
        publication=p, status="rejected", status_note="公示异议成立：已获资助"
    )
    for pk, app, status in ((7, rejected, "upheld"), (8, kept, "dismissed")):
        OldObjection.objects.create(
            pk=pk, application_id=app.pk, publication=p, org_path=p.org_path, reason="有人反映",
            received_on=date(2026, 9, 2), status=status, resolution="核实",
        )  # fmt: skip

    new = migrate(AFTER)
    Publication = new.get_model("notices", "Publication")
    Entry = new.get_model("notices", "PublicationEntry")
    Objection = new.get_model("notices", "Objection")
    carried = Publication.objects.get(pk=41)
    assert (carried.kind, carried.year, carried.days, carried.day_basis, carried.status) == (
        "student_aid", 2026, 7, "calendar", "open",
    )  # fmt: skip
    entries = {e.subject_id: e for e in Entry.objects.filter(publication=carried)}
    assert entries[kept.pk].status == "listed" and entries[kept.pk].details["amount_yuan"] == "4000.00"
    assert entries[rejected.pk].status == "removed" and entries[rejected.pk].name == "李小红"
    assert {(o.pk, o.entry_id, o.status) for o in Objection.objects.all()} == {
        (7, entries[rejected.pk].pk, "upheld"),
        (8, entries[kept.pk].pk, "dismissed"),
    }
    assert new.get_model("student_aid", "StudentAidApplication").objects.get(pk=kept.pk).publication_id == 41
    # New rows take ids after the carried ones (PostgreSQL's sequences moved past them).
    fresh = Publication.objects.create(
        kind="student_aid", org_id=carried.org_id, org_path=carried.org_path, year=2027, title="x", days=1,
        starts_on=date(2027, 9, 1), ends_on=date(2027, 9, 1), token="t-fresh",
    )  # fmt: skip
    assert fresh.pk > 41
