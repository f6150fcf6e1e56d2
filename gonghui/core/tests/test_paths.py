"""`core.paths`: the one reading of a materialized path ("1/5/12/") and of the unions above it."""

from __future__ import annotations

import pytest

from gonghui.core.paths import ancestor_path, parent_path, path_chain, path_depth, path_ids


def test_path_chain_from_the_root_down() -> None:
    assert path_chain("1/5/12/") == ["1/", "1/5/", "1/5/12/"]
    assert path_chain("7/") == ["7/"]
    assert path_chain("") == []


@pytest.mark.parametrize(
    ("depth", "path"),
    [(0, "1/"), (1, "1/5/"), (2, "1/5/12/"), (3, "1/5/12/"), (9, "1/5/12/"), (-1, "1/5/"), (-2, "1/"), (-5, "1/")],
)
def test_ancestor_path_at_a_depth(depth: int, path: str) -> None:
    assert ancestor_path("1/5/12/", depth) == path


def test_parent_path_and_a_roots_own() -> None:
    assert parent_path("1/5/12/") == "1/5/"
    assert parent_path("1/5/") == "1/"
    assert parent_path("1/") == "1/"


def test_depth_and_ids_agree_with_the_chain() -> None:
    assert path_depth("1/") == 0 and path_depth("1/5/12/") == 2
    assert path_ids("1/5/12/") == [1, 5, 12]


@pytest.mark.django_db
def test_an_orgs_ancestors_are_its_paths(tree) -> None:  # type: ignore[no-untyped-def]
    from gonghui.orgs.models import Org

    for org in Org.all_objects.all():
        assert path_depth(org.path) == org.depth
        assert org.ancestor_ids == path_ids(org.path)[:-1]
        if org.parent_id:
            assert parent_path(org.path) == org.parent.path
