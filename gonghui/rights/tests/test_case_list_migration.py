"""Migration 0004 adds "a closed case waits for no step": it clears the deadline a closed case still carries first."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("rights", "0003_negotiation_requests")]
AFTER = [("rights", "0004_case_list_indexes")]


def migrate(targets: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_closed_case_with_a_deadline_does_not_stop_the_upgrade(tree) -> None:  # type: ignore[no-untyped-def]
    old = migrate(BEFORE)
    Case = old.get_model("rights", "HotlineCase")
    now = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
    org = tree.zhongshan
    common = {
        "intake_org_id": org.pk, "intake_path": org.path, "org_id": org.pk, "org_path": org.path,
        "source": "phone", "kind": "complaint", "cause": "wages", "caller_name": "张师傅",
        "step_started_at": now, "step_due_at": now + timedelta(days=5), "created_at": now,
    }  # fmt: skip
    closed = Case.objects.create(number="12351-20261102-000001", status="closed", closed_at=now, **common)
    waiting = Case.objects.create(number="12351-20261102-000002", status="handling", **common)

    new = migrate(AFTER)
    Case = new.get_model("rights", "HotlineCase")
    assert Case.objects.get(pk=closed.pk).step_due_at is None
    assert Case.objects.get(pk=waiting.pk).step_due_at == now + timedelta(days=5)  # an open case keeps its own
    # Back to the head for the tests after this one (whatever the rights app's latest migration is).
    migrate([node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "rights"])
