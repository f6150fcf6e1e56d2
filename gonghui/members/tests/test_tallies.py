"""The per-union tallies against the rows they summarize.

`member_counts` reads `MemberTally`, which every service moves in its own
transaction. Random sequences of registrations, applications, transitions,
transfers, person edits (新就业形态, 农民工) and org moves must leave it equal to a
direct count over Membership ⋈ Person, for several subtrees, and equal to what
`tally_rebuild()` recomputes. Each Hypothesis example runs in a savepoint that
is rolled back (pytest-django gives the test one transaction).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.core.scoping import subtree_q
from gonghui.members import services
from gonghui.members.models import (
    LIVE_STATUSES,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MemberTally,
    Transfer,
)
from gonghui.members.selectors import member_counts
from gonghui.members.services import tally_rebuild
from gonghui.members.tests.factories import Api, direct_counts, id_number, register
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_move

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PEOPLE = [id_number(400 + i) for i in range(3)]
UNIONS = ["520201G001", "520200KD01", "520201", "520102", "621100"]
SUBTREES = ["520000", "520200", "520201", "520201G001", "520100", "520102", "621100"]
NE_TYPES = ["", "", "02", "06"]
# Moves that keep the tree valid from the starting tree (some are refused later: same parent).
MOVES = [("520201G001", "520102"), ("520201G001", "520200"), ("520200KD01", "520100"), ("520102", "520201")]


def org(code: str) -> Org:
    return Org.all_objects.get(code=code)


def paths_of(code: str) -> list[str]:
    return [org(code).path]


def tally_rows() -> dict[tuple[int, str, str, bool, bool], int]:
    return {
        (t.org_id, t.org_path, t.status, t.new_employment, t.migrant): t.n for t in MemberTally.objects.all() if t.n
    }


def assert_counts_match(subtrees: list[str] = SUBTREES) -> None:
    for code in [None, *subtrees]:
        paths = None if code is None else paths_of(code)
        assert member_counts(paths) == direct_counts(paths), code


def assert_paths_in_step() -> None:
    """Every denormalized path equals its org's path."""
    paths = dict(Org.all_objects.values_list("pk", "path"))
    for ms in Membership.all_objects.all():
        assert ms.org_path == paths[ms.org_id]
    for ev in MembershipEvent.all_objects.select_related("membership"):
        assert ev.org_path == paths[ev.membership.org_id]
    for t in MemberTally.objects.all():
        assert t.org_path == paths[t.org_id]
    for tr in Transfer.all_objects.all():
        assert (tr.from_path, tr.to_path) == (paths[tr.from_org_id], paths[tr.to_org_id])


# --- the operations ------------------------------------------------------------------------------


def _live(person: int) -> Membership | None:
    return (
        Membership.all_objects.filter(person__id_index=_index(person), status__in=LIVE_STATUSES)
        .select_related("org", "person")
        .first()
    )


def _index(person: int) -> str:
    from gonghui.members.validation import parse_identity

    return parse_identity(PEOPLE[person]).index


def _ended(person: int) -> Membership | None:
    return (
        Membership.all_objects.filter(
            person__id_index=_index(person), status__in=[MembershipStatus.WITHDRAWN, MembershipStatus.EXPELLED]
        )
        .order_by("-pk")
        .first()
    )


def _pending(person: int) -> Transfer | None:
    return Transfer.all_objects.filter(person__id_index=_index(person), status="pending").first()


@dataclass(frozen=True)
class Op:
    kind: str
    person: int = 0
    union: str = ""
    ne: str = ""
    migrant: bool = False
    flag: bool = False
    reason: str = ""

    def run(self) -> Any:
        p, none = self.person, {"actor": None, "scope": None}
        fields = {"name": "王小明", "new_employment_type": self.ne, "is_migrant_worker": self.migrant}
        if self.kind == "register":
            return services.member_register(**none, org=org(self.union), id_number=PEOPLE[p], fields=fields)
        if self.kind == "apply":
            return services.join_apply(
                org=org(self.union), id_number=PEOPLE[p], fields={**fields, "mobile": "13800138000"}
            )
        if self.kind == "move":
            return org_move(**none, org=org(self.union), new_parent=org(self.reason))
        if self.kind == "reinstate":
            ended = _ended(p)
            return ended and services.membership_reinstate(**none, membership=ended, note="恢复")
        if self.kind in ("decide", "cancel"):
            tr = _pending(p)
            if tr is None:
                return None
            if self.kind == "cancel":
                return services.transfer_cancel(**none, transfer=tr)
            return services.transfer_decide(**none, transfer=tr, approve=self.flag, note="" if self.flag else "不同意")
        if self.kind == "transfer_in":
            return services.transfer_in(**none, to_org=org(self.union), id_number=PEOPLE[p], reason="job_change")
        ms = _live(p)
        if ms is None:
            return None
        if self.kind == "approve":
            return services.join_approve(**none, membership=ms)
        if self.kind == "reject":
            return services.join_reject(**none, membership=ms, reason="不符合条件")
        if self.kind == "retain":
            return services.membership_retain(**none, membership=ms, reason=self.reason)
        if self.kind == "resume":
            return services.membership_resume(**none, membership=ms)
        if self.kind == "withdraw":
            return services.membership_withdraw(**none, membership=ms, reason="voluntary")
        if self.kind == "expel":
            return services.membership_expel(**none, membership=ms, note="违纪")
        if self.kind == "transfer_out":
            return services.transfer_out(**none, membership=ms, to_code=self.union, reason="job_change")
        if self.kind == "update":
            changes = {"new_employment_type": self.ne, "is_migrant_worker": self.migrant}
            return services.person_update(**none, membership=ms, changes=changes)
        raise AssertionError(self.kind)


people = st.integers(0, len(PEOPLE) - 1)
unions = st.sampled_from(UNIONS)
ops = st.one_of(
    st.builds(
        Op,
        kind=st.sampled_from(["register", "apply"]),
        person=people,
        union=unions,
        ne=st.sampled_from(NE_TYPES),
        migrant=st.booleans(),
    ),
    st.builds(
        Op,
        kind=st.sampled_from(["approve", "reject", "resume", "withdraw", "expel", "reinstate", "cancel"]),
        person=people,
    ),
    st.builds(
        Op, kind=st.just("retain"), person=people, reason=st.sampled_from(["retired", "unemployed", "employer_closed"])
    ),
    st.builds(Op, kind=st.sampled_from(["transfer_out", "transfer_in"]), person=people, union=unions),
    st.builds(Op, kind=st.just("decide"), person=people, flag=st.booleans()),
    st.builds(Op, kind=st.just("update"), person=people, ne=st.sampled_from(NE_TYPES), migrant=st.booleans()),
    st.builds(lambda m: Op(kind="move", union=m[0], reason=m[1]), st.sampled_from(MOVES)),
)


# Everyone starts registered or applying somewhere, so the random steps find states to move.
starts = st.lists(
    st.builds(
        Op,
        kind=st.sampled_from(["register", "register", "apply"]),
        union=unions,
        ne=st.sampled_from(NE_TYPES),
        migrant=st.booleans(),
    ),
    min_size=len(PEOPLE),
    max_size=len(PEOPLE),
).map(lambda found: [Op(**{**op.__dict__, "person": i}) for i, op in enumerate(found)])


def run_and_check(sequence: list[Op], *, check_every: int = 1, note: Any = event) -> None:
    for n, op in enumerate(sequence, 1):
        before = tally_rows()
        try:
            done = op.run()
        except DomainError as exc:
            note(f"{op.kind}: refused ({exc.code})")
            # A refusal leaves the tallies exactly as they were.
            assert tally_rows() == before, op
        else:
            note(f"{op.kind}: {'done' if done is not None else 'nothing to do'}")
        if n % check_every == 0:
            assert_counts_match(["520200", "520100", "621100"])
    assert_counts_match()
    assert_paths_in_step()
    counts = {code: member_counts(paths_of(code)) for code in SUBTREES}
    everything = member_counts(None)
    tally_rebuild()
    assert {code: member_counts(paths_of(code)) for code in SUBTREES} == counts
    assert member_counts(None) == everything


@PROPERTY_SETTINGS
@given(start=starts, sequence=st.lists(ops, min_size=1, max_size=30))
def test_tallies_equal_the_rows_after_any_sequence(tree, start: list[Op], sequence: list[Op]) -> None:
    with transaction.atomic():
        run_and_check(start + sequence)
        transaction.set_rollback(True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_equal_the_rows_after_a_long_seeded_walk(tree, seed: int) -> None:
    # Long walks reach what short examples rarely do: a transfer of a retained member
    # after a move, a reinstatement after a transfer elsewhere, …
    import random

    rng = random.Random(seed)
    strategy_free = [
        lambda: Op(
            "register", rng.randrange(len(PEOPLE)), rng.choice(UNIONS), rng.choice(NE_TYPES), rng.random() < 0.5
        ),
        lambda: Op("apply", rng.randrange(len(PEOPLE)), rng.choice(UNIONS), rng.choice(NE_TYPES), rng.random() < 0.5),
        lambda: Op(
            rng.choice(["approve", "reject", "resume", "withdraw", "expel", "reinstate", "cancel"]),
            rng.randrange(len(PEOPLE)),
        ),
        lambda: Op("retain", rng.randrange(len(PEOPLE)), reason=rng.choice(["retired", "employer_closed"])),
        lambda: Op(rng.choice(["transfer_out", "transfer_in"]), rng.randrange(len(PEOPLE)), rng.choice(UNIONS)),
        lambda: Op("decide", rng.randrange(len(PEOPLE)), flag=rng.random() < 0.7),
        lambda: Op("update", rng.randrange(len(PEOPLE)), ne=rng.choice(NE_TYPES), migrant=rng.random() < 0.5),
        lambda: Op("move", union=(m := rng.choice(MOVES))[0], reason=m[1]),
    ]
    seen: Counter[str] = Counter()
    run_and_check(
        [rng.choice(strategy_free)() for _ in range(200)], check_every=10, note=lambda key: seen.update([key])
    )
    # The walk reached the transitions it is meant to check.
    done = {key.split(":")[0] for key in seen if key.endswith(": done")}
    assert {"register", "retain", "transfer_out", "decide", "update", "move"} <= done, seen


def test_rebuild_of_some_unions_only(tree) -> None:
    register(tree.courier_union, PEOPLE[0], new_employment_type="02")
    register(tree.nanming, PEOPLE[1], is_migrant_worker=True)
    before = member_counts(None)
    MemberTally.objects.all().update(n=0)
    assert tally_rebuild([tree.courier_union.pk]) == 1
    assert member_counts([tree.courier_union.path]) == direct_counts([tree.courier_union.path])
    assert member_counts([tree.nanming.path])["members"] == 0  # not rebuilt
    tally_rebuild()
    assert member_counts(None) == before


# --- org moves -----------------------------------------------------------------------------------


def test_org_move_carries_memberships_tallies_and_transfers(tree, make_user, bearer) -> None:
    admin = Api(bearer(make_user("gz_admin", ("admin", "520000"))))
    staying = register(tree.courier_union, PEOPLE[0], new_employment_type="02")
    leaving = register(tree.courier_union, PEOPLE[1], is_migrant_worker=True)
    services.membership_withdraw(
        actor=None, scope=None, membership=register(tree.express_federation, PEOPLE[2]), reason="voluntary"
    )
    tr = services.transfer_out(actor=None, scope=None, membership=leaving, to_code="520102", reason="job_change")

    def stats(code: str) -> dict[str, Any]:
        resp = admin.get("/api/v1/stats", org=code)
        assert resp.status_code == 200, resp.content.decode()
        return resp.json()

    assert (stats("520200")["members"], stats("520100")["members"]) == (2, 0)
    old_path = tree.courier_union.path

    org_move(actor=None, scope=None, org=tree.courier_union, new_parent=tree.nanming)

    courier = org("520201G001")
    assert courier.path == f"{tree.nanming.path}{courier.pk}/" != old_path
    assert {m.org_path for m in Membership.all_objects.filter(org=courier)} == {courier.path}
    assert {t.org_path for t in MemberTally.objects.filter(org=courier)} == {courier.path}
    assert not MemberTally.objects.filter(subtree_q("org_path", old_path)).exists()
    tr.refresh_from_db()
    assert (tr.from_path, tr.to_path) == (courier.path, tree.nanming.path)
    assert_paths_in_step()
    # The members moved with their union: from 六盘水 to 贵阳 (接转中 included).
    assert (stats("520200")["members"], stats("520100")["members"], stats("520102")["members"]) == (0, 2, 2)
    assert stats("520100")["members_new_employment"] == 1
    assert stats("520100")["members_transfer_pending"] == 1
    assert stats("520200")["members_withdrawn"] == 1
    assert_counts_match()

    # Transitions after the move tally under the new path.
    services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True)
    services.membership_retain(actor=None, scope=None, membership=staying, reason="employer_closed")
    assert stats("520102")["members"] == 2
    assert stats("520102")["members_retained"] == 1  # kept at 南明, the courier union's new parent
    assert_paths_in_step()
    assert_counts_match()
    counts = {code: member_counts(paths_of(code)) for code in SUBTREES}
    tally_rebuild()
    assert {code: member_counts(paths_of(code)) for code in SUBTREES} == counts


def test_org_move_of_a_transfer_target_rewrites_to_path(tree) -> None:
    ms = register(tree.courier_union, PEOPLE[0])
    tr = services.transfer_out(actor=None, scope=None, membership=ms, to_code="520102", reason="job_change")
    org_move(actor=None, scope=None, org=tree.nanming, new_parent=tree.lps)
    tr.refresh_from_db()
    nanming = org("520102")
    assert tr.to_path == nanming.path == f"{tree.lps.path}{nanming.pk}/"
    services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True)
    assert member_counts([tree.lps.path])["members"] == 1
    assert member_counts([tree.guiyang.path])["members"] == 0
    assert_paths_in_step()
    assert_counts_match()


# --- flags of ended memberships ------------------------------------------------------------------


def test_person_edits_keep_the_tallies_of_ended_memberships_in_step(tree, make_user, bearer) -> None:
    ms = register(tree.courier_union, PEOPLE[0], new_employment_type="02")
    tr = services.transfer_out(actor=None, scope=None, membership=ms, to_code="520102", reason="job_change")
    tr = services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True)
    services.person_update(actor=None, scope=None, membership=tr.new_membership, changes={"new_employment_type": ""})
    officer = Api(bearer(make_user("lps", ("officer", "520200"))))
    page = officer.get("/api/v1/members", org="520201G001", status="transferred", new_employment="true").json()
    assert page["count"] == len(page["items"])
    rows = tally_rows()
    tally_rebuild()
    assert tally_rows() == rows
