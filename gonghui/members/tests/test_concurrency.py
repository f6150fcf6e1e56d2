"""Races on the registry: real threads, each on its own database connection.

Two writers racing for the same person must end with one live membership and
one refusal in the catalogue's words, never a crash or a second membership.
PostgreSQL runs them truly in parallel (row locks, the partial unique index);
SQLite serializes writers, and its shared in-memory test database answers a
second writer with "database table is locked" instead of waiting, so a worker
retries the whole service call then, as a caller would: the service's
transaction was rolled back and nothing of it was written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import (
    LIVE_STATUSES,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
    Transfer,
    TransferStatus,
)
from gonghui.members.selectors import member_counts
from gonghui.members.tests.factories import apply, direct_counts, id_number, live_memberships, register, reload
from gonghui.orgs.services import org_close

pytestmark = pytest.mark.django_db(transaction=True)

RETRIES = 400


@dataclass
class Outcome:
    kind: str  # "ok", "refused" or "error"
    value: Any = None

    def __repr__(self) -> str:
        return f"{self.kind}:{self.value}"


def _sqlite_busy(exc: OperationalError) -> bool:
    # Only SQLite's busy answers; PostgreSQL's "deadlock detected … blocked by" must surface.
    return connection.vendor == "sqlite" and str(exc) in ("database is locked", "database table is locked")


def _with_retry(call: Callable[[], Any]) -> Any:
    for attempt in range(RETRIES):
        try:
            return call()
        except OperationalError as exc:
            if not _sqlite_busy(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(0.005)
    raise AssertionError("unreachable")


def race(*calls: Callable[[], Any], stagger: float = 0.0) -> list[Outcome]:
    """Run the calls at the same moment (or `stagger` seconds apart), each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome] = [Outcome("error", "did not run")] * len(calls)

    def worker(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            time.sleep(i * stagger)
            outcomes[i] = Outcome("ok", _with_retry(call))
        except DomainError as exc:
            outcomes[i] = Outcome("refused", exc.code)
        except Exception as exc:  # reported by the assertion
            outcomes[i] = Outcome("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a worker hung"
    return outcomes


def one_ok_one_refused(outcomes: list[Outcome], code: str) -> Any:
    assert sorted(o.kind for o in outcomes) == ["ok", "refused"], outcomes
    assert [o.value for o in outcomes if o.kind == "refused"] == [code]
    return next(o.value for o in outcomes if o.kind == "ok")


def assert_counts_consistent(tree) -> None:
    for paths in (None, [tree.lps.path], [tree.guiyang.path], [tree.dingxi.path], [tree.courier_union.path]):
        assert member_counts(paths) == direct_counts(paths), paths


# --- registrations -------------------------------------------------------------------------------


@pytest.mark.parametrize("rounds", [4])
def test_two_registrations_of_a_new_person(tree, rounds: int) -> None:
    for n in range(rounds):
        number = id_number(300 + n)
        outcomes = race(
            lambda number=number: register(tree.courier_union, number, name="甲"),
            lambda number=number: register(tree.express_federation, number.lower(), name="乙"),
        )
        ms = one_ok_one_refused(outcomes, "member.live_membership")
        person = Person.objects.get(pk=ms.person_id)
        assert live_memberships(person.pk) == [ms]
        assert person.member_no == f"{person.pk:010d}"
        assert Membership.all_objects.filter(person=person).count() == 1
        assert AuditEvent.all_objects.filter(action="members.membership.register", target_id=str(ms.pk)).count() == 1
    assert Person.objects.count() == rounds
    assert_counts_consistent(tree)


def test_two_registrations_of_a_known_person(tree) -> None:
    old = register(tree.dingxi, id_number(310), name="甲")
    services.membership_withdraw(actor=None, scope=None, membership=old, reason="voluntary")
    outcomes = race(
        lambda: register(tree.courier_union, id_number(310), name="甲"),
        lambda: register(tree.nanming, id_number(310), name="甲"),
    )
    ms = one_ok_one_refused(outcomes, "member.live_membership")
    assert live_memberships(old.person_id) == [ms]
    assert Person.objects.count() == 1
    assert_counts_consistent(tree)


def test_an_application_racing_a_registration(tree) -> None:
    # A pending application is not a membership: whichever inserts the new person first, both stand.
    outcomes = race(
        lambda: apply(tree.courier_union, id_number(320)),
        lambda: register(tree.nanming, id_number(320)),
    )
    assert [o.kind for o in outcomes] == ["ok", "ok"], outcomes
    applied, registered = (o.value for o in outcomes)
    assert applied.person_id == registered.person_id
    assert [m.pk for m in live_memberships(registered.person_id)] == [registered.pk]
    assert reload(applied).status == MembershipStatus.APPLIED
    assert Person.objects.count() == 1
    assert_counts_consistent(tree)


# --- decisions -----------------------------------------------------------------------------------


def test_two_approvals_of_one_application(tree) -> None:
    ms = apply(tree.courier_union, id_number(330))
    outcomes = race(
        lambda: services.join_approve(actor=None, scope=None, membership=ms),
        lambda: services.join_approve(actor=None, scope=None, membership=ms),
    )
    one_ok_one_refused(outcomes, "member.wrong_status")
    assert reload(ms).status == MembershipStatus.ACTIVE
    assert MembershipEvent.all_objects.filter(membership=ms, event_type="join").count() == 1
    assert AuditEvent.all_objects.filter(action="members.join.approve").count() == 1
    assert_counts_consistent(tree)


def test_approval_racing_rejection(tree) -> None:
    ms = apply(tree.courier_union, id_number(331))
    outcomes = race(
        lambda: services.join_approve(actor=None, scope=None, membership=ms),
        lambda: services.join_reject(actor=None, scope=None, membership=ms, reason="不符合条件"),
    )
    one_ok_one_refused(outcomes, "member.wrong_status")
    assert reload(ms).status in (MembershipStatus.ACTIVE, MembershipStatus.REJECTED)
    assert MembershipEvent.all_objects.filter(membership=ms).exclude(event_type="apply").count() == 1
    assert_counts_consistent(tree)


def _pending_transfer(tree, seq: int) -> tuple[Membership, Transfer]:
    ms = register(tree.courier_union, id_number(seq), new_employment_type="02")
    tr = services.transfer_out(actor=None, scope=None, membership=ms, to_code="520102", reason="job_change")
    return ms, tr


def test_two_approvals_of_one_transfer(tree) -> None:
    ms, tr = _pending_transfer(tree, 340)
    outcomes = race(
        lambda: services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True),
        lambda: services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True),
    )
    one_ok_one_refused(outcomes, "member.transfer_not_pending")
    tr.refresh_from_db()
    assert tr.status == TransferStatus.COMPLETED
    live = live_memberships(ms.person_id)
    assert [(m.org_id, m.status) for m in live] == [(tree.nanming.pk, "active")]
    assert Membership.all_objects.filter(person_id=ms.person_id).count() == 2
    assert_counts_consistent(tree)


def test_approval_racing_cancellation(tree) -> None:
    ms, tr = _pending_transfer(tree, 341)
    outcomes = race(
        lambda: services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True),
        lambda: services.transfer_cancel(actor=None, scope=None, transfer=tr),
    )
    one_ok_one_refused(outcomes, "member.transfer_not_pending")
    tr.refresh_from_db()
    live = live_memberships(ms.person_id)
    if tr.status == TransferStatus.COMPLETED:
        assert [(m.org_id, m.status) for m in live] == [(tree.nanming.pk, "active")]
    else:
        assert tr.status == TransferStatus.CANCELLED
        assert [(m.pk, m.status) for m in live] == [(ms.pk, "active")]
    assert_counts_consistent(tree)


def test_two_unions_asking_for_the_same_member(tree) -> None:
    ms = register(tree.courier_union, id_number(342))
    outcomes = race(
        lambda: services.transfer_in(
            actor=None, scope=None, to_org=tree.nanming, id_number=id_number(342), reason="job_change"
        ),
        lambda: services.transfer_in(
            actor=None, scope=None, to_org=tree.dingxi, id_number=id_number(342), reason="job_change"
        ),
    )
    one_ok_one_refused(outcomes, "member.transfer_pending")
    assert Transfer.all_objects.filter(membership=ms, status="pending").count() == 1
    assert reload(ms).status == MembershipStatus.TRANSFER_PENDING
    assert_counts_consistent(tree)


# --- lock order under parallel writers --------------------------------------------------------------
# On PostgreSQL, triggers widen the race windows; SQLite runs one writer at a time, so there the
# same races check only that the writers serialize to a consistent end.


@pytest.fixture
def slow_tally_updates(tree):
    """Every tally update sleeps while holding its row lock, as on a busy server.

    This widens the window between the statements of one transition from
    microseconds to tenths of a second, so lock-order problems show every time.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION gonghui_test_slow_tally() RETURNS trigger AS $$ "
            "BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER gonghui_test_slow_tally AFTER UPDATE ON members_membertally "
            "FOR EACH ROW EXECUTE FUNCTION gonghui_test_slow_tally()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS gonghui_test_slow_tally ON members_membertally")
            cursor.execute("DROP FUNCTION IF EXISTS gonghui_test_slow_tally()")


def test_opposite_tally_moves_at_one_union_do_not_deadlock(tree, slow_tally_updates) -> None:
    # Withdrawing X moves a count 正常 → 已退会 while reinstating Y moves one back: the
    # same two tally rows in opposite directions. tally_apply takes the rows in one
    # sorted order, so this must never deadlock.
    x = register(tree.courier_union, id_number(350))
    y = register(tree.courier_union, id_number(351))
    services.membership_withdraw(actor=None, scope=None, membership=y, reason="voluntary")
    outcomes = race(
        lambda: services.membership_withdraw(actor=None, scope=None, membership=x, reason="voluntary"),
        lambda: services.membership_reinstate(actor=None, scope=None, membership=y, note="补交会费"),
    )
    assert [o.kind for o in outcomes] == ["ok", "ok"], outcomes
    assert_counts_consistent(tree)


def test_transfers_in_opposite_directions_decided_together_do_not_deadlock(tree, slow_tally_updates) -> None:
    a, b = tree.courier_union, tree.nanming
    p1 = register(a, id_number(360))
    p2 = register(b, id_number(361))
    busy = register(a, id_number(362))
    there = services.transfer_out(actor=None, scope=None, membership=p1, to_code=b.code, reason="job_change")
    back = services.transfer_out(actor=None, scope=None, membership=p2, to_code=a.code, reason="job_change")
    # 0: an ordinary transition keeps union A busy; 1 and 2 decide the two transfers meanwhile.
    outcomes = race(
        lambda: services.membership_withdraw(actor=None, scope=None, membership=busy, reason="voluntary"),
        lambda: services.transfer_decide(actor=None, scope=None, transfer=there, approve=True),
        lambda: services.transfer_decide(actor=None, scope=None, transfer=back, approve=True),
        stagger=0.15,
    )
    assert [o.kind for o in outcomes] == ["ok", "ok", "ok"], outcomes
    assert_counts_consistent(tree)


def test_a_registration_racing_the_close_of_its_union(tree) -> None:
    union = tree.express_federation
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # Make the close slow while it holds the union's row, as a busy server would.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION gonghui_test_slow_org() RETURNS trigger AS $$ "
                "BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER gonghui_test_slow_org AFTER UPDATE ON orgs_org "
                "FOR EACH ROW EXECUTE FUNCTION gonghui_test_slow_org()"
            )
    try:
        outcomes = race(
            lambda: org_close(actor=None, scope=None, org=union),
            lambda: register(union, id_number(370)),
            stagger=0.15,
        )
    finally:
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("DROP TRIGGER IF EXISTS gonghui_test_slow_org ON orgs_org")
                cursor.execute("DROP FUNCTION IF EXISTS gonghui_test_slow_org()")
    union.refresh_from_db()
    live = Membership.all_objects.filter(org=union, status__in=LIVE_STATUSES).count()
    # One of the two must give way: a closed union keeps no live member.
    assert not (union.closed_on is not None and live), outcomes
    assert_counts_consistent(tree)
