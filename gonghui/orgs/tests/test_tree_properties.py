"""Property tests of the materialized-path tree: random trees, random moves and closes.

Each Hypothesis example runs in its own savepoint that is rolled back at the
end, so examples never see each other's orgs (pytest-django gives the whole
test a single transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import subtree_q
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_close, org_create, org_move, org_tree_check

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- helpers -------------------------------------------------------------------


def snapshot() -> dict[int, tuple[int | None, str, int, object]]:
    return {
        pk: (parent_id, path, depth, closed_on)
        for pk, parent_id, path, depth, closed_on in Org.all_objects.values_list(
            "pk", "parent_id", "path", "depth", "closed_on"
        )
    }


def descendants_by_walk(parents: dict[int, int | None], root: int) -> set[int]:
    """The subtree of `root` (itself included), by following parent links in Python."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    out, stack = set(), [root]
    while stack:
        pk = stack.pop()
        out.add(pk)
        stack.extend(children.get(pk, []))
    return out


def assert_tree_invariants() -> None:
    rows = {o.pk: o for o in Org.all_objects.all()}
    for org in rows.values():
        if org.parent_id is None:
            assert org.path == f"{org.pk}/", org.code
            assert org.depth == 0, org.code
        else:
            parent = rows[org.parent_id]
            assert org.path == f"{parent.path}{org.pk}/", org.code
            assert org.depth == parent.depth + 1, org.code
    parents = {pk: org.parent_id for pk, org in rows.items()}
    for org in rows.values():
        selected = set(Org.all_objects.filter(subtree_q("path", org.path)).values_list("pk", flat=True))
        assert selected == descendants_by_walk(parents, org.pk), org.code
    assert org_tree_check() == []


@dataclass
class Model:
    """What the tree should look like, kept by the test independently of the database."""

    parent: dict[int, int | None] = field(default_factory=dict)
    closed: set[int] = field(default_factory=set)

    def subtree(self, pk: int) -> set[int]:
        return descendants_by_walk(self.parent, pk)

    def expected_move_error(self, pk: int, new_parent: int) -> str | None:
        # Same order of checks as org_move.
        if self.parent[pk] is None:
            return "org.root_move"
        if new_parent in self.subtree(pk):
            return "org.move_into_own_subtree"
        if self.parent[pk] == new_parent:
            return "org.move_same_parent"
        if new_parent in self.closed:
            return "org.parent_closed"
        return None

    def expected_close_error(self, pk: int) -> str | None:
        if pk in self.closed:
            return "org.already_closed"
        if any(p == pk and c not in self.closed for c, p in self.parent.items()):
            return "org.has_open_children"
        return None


def build_tree(parent_indexes: list[int | None], prefix: str) -> tuple[list[Org], Model]:
    orgs: list[Org] = []
    model = Model()
    for i, parent_index in enumerate(parent_indexes):
        parent = orgs[parent_index] if parent_index is not None else None
        org = org_create(
            actor=None,
            scope=None,
            code=f"{prefix}{i:03d}",
            name=f"测试工会{i}",
            kind=OrgKind.PROVINCE_FEDERATION if parent is None else OrgKind.GRASSROOTS,
            parent=parent,
        )
        orgs.append(org)
        model.parent[org.pk] = parent.pk if parent else None
    return orgs, model


@st.composite
def forests(draw: st.DrawFn, min_size: int = 1, max_size: int = 10) -> list[int | None]:
    """Parent index per node (None: a root); node 0 is always a root, parents come first."""
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    out: list[int | None] = [None]
    for i in range(1, size):
        # A new root is as likely as any one existing parent, so most nodes are attached.
        out.append(draw(st.sampled_from([None, *range(i)])))
    return out


# Moves outnumber closes, since a closed org ends most later moves into it.
STEPS = st.lists(st.sampled_from(["move", "move", "move", "close"]), min_size=1, max_size=10)


# --- properties ----------------------------------------------------------------


@PROPERTY_SETTINGS
@given(parent_indexes=forests(min_size=3, max_size=12), data=st.data())
def test_random_moves_and_closes_keep_paths_consistent(db: None, parent_indexes, data) -> None:
    with transaction.atomic():
        orgs, model = build_tree(parent_indexes, "PT")
        assert_tree_invariants()
        steps = data.draw(STEPS, label="steps")
        for op in steps:
            org = data.draw(st.sampled_from(orgs), label="org")
            before = snapshot()
            events_before = AuditEvent.all_objects.count()
            if op == "move":
                target = data.draw(st.sampled_from(orgs), label="new parent")
                expected = model.expected_move_error(org.pk, target.pk)
                if expected is None:
                    moved = org_move(actor=None, scope=None, org=org, new_parent=target)
                    model.parent[org.pk] = target.pk
                    assert moved.parent_id == target.pk
                    assert moved.path == f"{Org.all_objects.get(pk=target.pk).path}{org.pk}/"
                else:
                    with pytest.raises(DomainError) as exc:
                        org_move(actor=None, scope=None, org=org, new_parent=target)
                    assert exc.value.code == expected
            else:
                expected = model.expected_close_error(org.pk)
                if expected is None:
                    closed = org_close(actor=None, scope=None, org=org)
                    model.closed.add(org.pk)
                    assert closed.closed_on is not None
                else:
                    with pytest.raises(DomainError) as exc:
                        org_close(actor=None, scope=None, org=org)
                    assert exc.value.code == expected
            event(f"{op}: {expected or 'ok'}")
            after = snapshot()
            if expected is not None:
                # A refused write changes nothing and leaves no audit trace.
                assert after == before
                assert AuditEvent.all_objects.count() == events_before
            else:
                assert AuditEvent.all_objects.count() == events_before + 1
            assert {pk: row[0] for pk, row in after.items()} == model.parent
            assert {pk for pk, row in after.items() if row[3] is not None} == model.closed
            assert_tree_invariants()
        transaction.set_rollback(True)


@PROPERTY_SETTINGS
@given(parent_indexes=forests(max_size=8), data=st.data())
def test_moving_into_own_subtree_is_refused_and_changes_nothing(db: None, parent_indexes, data) -> None:
    with transaction.atomic():
        orgs, model = build_tree(parent_indexes, "PS")
        non_roots = [o for o in orgs if model.parent[o.pk] is not None]
        if non_roots:
            org = data.draw(st.sampled_from(non_roots))
            inside = sorted(model.subtree(org.pk))
            target_pk = data.draw(st.sampled_from(inside))
            before = snapshot()
            events_before = AuditEvent.all_objects.count()
            with pytest.raises(DomainError) as exc:
                org_move(actor=None, scope=None, org=org, new_parent=Org.all_objects.get(pk=target_pk))
            assert exc.value.code == "org.move_into_own_subtree"
            assert "不能把工会" in exc.value.message
            assert snapshot() == before
            assert AuditEvent.all_objects.count() == events_before
        assert_tree_invariants()
        transaction.set_rollback(True)


# Primary keys chosen so that many are decimal prefixes of each other.
PREFIX_PKS = [1, 2, 10, 11, 12, 19, 100, 101, 110, 111, 1000, 1001, 1010, 1100, 9, 90, 99, 900]


@PROPERTY_SETTINGS
@given(
    pks=st.lists(st.sampled_from(PREFIX_PKS), min_size=1, max_size=len(PREFIX_PKS), unique=True),
    data=st.data(),
)
def test_subtree_range_never_matches_sibling_pk_prefixes(db: None, pks, data) -> None:
    """Rows inserted with chosen ids (1, 10, 100 …): the range of "1/" must not reach "10/"."""
    with transaction.atomic():
        paths: dict[int, str] = {}
        parents: dict[int, int | None] = {}
        for i, pk in enumerate(pks):
            parent = data.draw(st.none() | st.sampled_from(pks[:i])) if i else None
            parents[pk] = parent
            paths[pk] = f"{paths[parent] if parent else ''}{pk}/"
            Org.all_objects.create(
                pk=pk,
                code=f"PK{pk:05d}",
                name=f"工会{pk}",
                kind=OrgKind.GRASSROOTS,
                parent_id=parent,
                path=paths[pk],
                depth=paths[pk].count("/") - 1,
            )
        for pk in pks:
            selected = set(Org.all_objects.filter(subtree_q("path", paths[pk])).values_list("pk", flat=True))
            assert selected == descendants_by_walk(parents, pk)
        assert org_tree_check() == []
        transaction.set_rollback(True)


# --- fixed cases ---------------------------------------------------------------


def _insert(pk: int, parent: Org | None) -> Org:
    path = f"{parent.path if parent else ''}{pk}/"
    return Org.all_objects.create(
        pk=pk,
        code=f"ID{pk:05d}",
        name=f"工会{pk}",
        kind=OrgKind.GRASSROOTS,
        parent=parent,
        path=path,
        depth=parent.depth + 1 if parent else 0,
    )


def test_sibling_pk_prefixes_1_10_100() -> None:
    one, ten, hundred = _insert(1, None), _insert(10, None), _insert(100, None)
    child_of_one = _insert(11, one)
    child_of_ten = _insert(101, ten)
    _insert(1000, child_of_one)

    def sub(org: Org) -> set[int]:
        return set(Org.all_objects.filter(subtree_q("path", org.path)).values_list("pk", flat=True))

    assert sub(one) == {1, 11, 1000}
    assert sub(ten) == {10, 101}
    assert sub(hundred) == {100}
    assert sub(child_of_one) == {11, 1000}
    assert sub(child_of_ten) == {101}

    # Moving "10/" under "1/" keeps both ranges exact.
    org_move(actor=None, scope=None, org=child_of_ten, new_parent=one)
    assert Org.all_objects.get(pk=101).path == "1/101/"
    assert sub(one) == {1, 11, 101, 1000}
    assert sub(ten) == {10}
    assert org_tree_check() == []


@pytest.fixture
def chain(db: None) -> list[Org]:
    """root → a → b → c, plus root → d (created through the service)."""
    root = org_create(actor=None, scope=None, code="R000", name="根", kind=OrgKind.PROVINCE_FEDERATION, parent=None)
    a = org_create(actor=None, scope=None, code="A000", name="甲", kind=OrgKind.CITY_FEDERATION, parent=root)
    b = org_create(actor=None, scope=None, code="B000", name="乙", kind=OrgKind.COUNTY_FEDERATION, parent=a)
    c = org_create(actor=None, scope=None, code="C000", name="丙", kind=OrgKind.GRASSROOTS, parent=b)
    d = org_create(actor=None, scope=None, code="D000", name="丁", kind=OrgKind.CITY_FEDERATION, parent=root)
    return [root, a, b, c, d]


def test_tree_check_reports_and_repairs_corrupted_paths_and_depths(chain: list[Org]) -> None:
    root, a, b, c, d = chain
    good = snapshot()
    Org.all_objects.filter(pk=b.pk).update(path=f"{root.pk}/{b.pk}/", depth=7)
    Org.all_objects.filter(pk=d.pk).update(depth=5)
    Org.all_objects.filter(pk=c.pk).update(path=f"999999/{c.pk}/")

    problems = org_tree_check()
    found = {(p.code, p.problem) for p in problems}
    assert found == {("B000", "path"), ("B000", "depth"), ("D000", "depth"), ("C000", "path")}
    by_key = {(p.code, p.problem): p for p in problems}
    assert by_key[("B000", "path")].expected == f"{root.pk}/{a.pk}/{b.pk}/"
    assert by_key[("B000", "depth")].expected == "2"
    # Checking alone writes nothing.
    assert snapshot() != good
    assert not AuditEvent.all_objects.filter(action="orgs.tree.repair").exists()

    repaired = org_tree_check(repair=True)
    assert {(p.code, p.problem) for p in repaired} == found
    assert snapshot() == good
    assert org_tree_check() == []
    assert_tree_invariants()
    event = AuditEvent.all_objects.get(action="orgs.tree.repair")
    assert event.data == {"fixed": 3}


def test_tree_check_repairs_an_interrupted_move(chain: list[Org]) -> None:
    """A parent link changed without its paths (a half-done move) is rewritten from the links."""
    root, _a, b, c, d = chain
    Org.all_objects.filter(pk=b.pk).update(parent=d)
    problems = org_tree_check()
    assert {p.code for p in problems} == {"B000", "C000"}
    assert {p.problem for p in problems} == {"path"}  # same depth under d as under a
    org_tree_check(repair=True)
    assert Org.all_objects.get(pk=b.pk).path == f"{root.pk}/{d.pk}/{b.pk}/"
    assert Org.all_objects.get(pk=c.pk).path == f"{root.pk}/{d.pk}/{b.pk}/{c.pk}/"
    assert_tree_invariants()


def test_tree_check_repair_handles_swapped_paths(chain: list[Org]) -> None:
    """Two rows holding each other's path: the unique index must hold during the repair."""
    _root, a, _b, _c, d = chain
    a_path, d_path = a.path, d.path
    Org.all_objects.filter(pk=a.pk).update(path="tmp/")
    Org.all_objects.filter(pk=d.pk).update(path=a_path)
    Org.all_objects.filter(pk=a.pk).update(path=d_path)
    assert {p.code for p in org_tree_check()} == {"A000", "D000"}
    org_tree_check(repair=True)
    assert_tree_invariants()


def test_tree_check_reports_a_cycle_as_unreachable(chain: list[Org]) -> None:
    _root, a, _b, c, _d = chain
    Org.all_objects.filter(pk=a.pk).update(parent=c)  # a → b → c → a
    problems = org_tree_check()
    unreachable = {p.code for p in problems if p.problem == "unreachable"}
    assert unreachable == {"A000", "B000", "C000"}
