"""Search paging across its parts: pinyin initials first, then full-pinyin matches."""

from __future__ import annotations

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.core.idnumbers import id_number_with_check
from gonghui.members.selectors import RosterFilters, classify_search, membership_page
from gonghui.members.services import member_register

NAMES = ["王安", "王安然", "万爱国", "王小明", "汪洋", "李伟", "黎明", "刘力"]


@pytest.fixture
def people(tree):
    for i, name in enumerate(NAMES):
        member_register(
            actor=None,
            scope=None,
            org=tree.courier_union,
            id_number=id_number_with_check(f"520102199002{10 + i:02d}123"),
            fields={"name": name},
        )
    return tree


@pytest.fixture
def scope(people, make_user):
    return scope_for_user(make_user("lps", ("officer", "520200")))


def _all_pages(scope, q: str, size: int) -> list[str]:
    """Every name, page by page as a user would turn them; counts are lower bounds until the last page."""
    names: list[str] = []
    page = 1
    while True:
        result = membership_page(scope=scope, filters=RosterFilters(q=q), page=page, size=size)
        names += [ms.person.name for ms in result.items]
        assert result.count >= len(names)
        if result.count_exact:
            assert result.count == len(names)
            assert result.pages == page
            return names
        assert result.pages == page + 1
        page += 1


@pytest.mark.parametrize("size", [1, 2, 3, 50])
def test_initials_then_full_pinyin_without_duplicates(scope, size: int) -> None:
    # "wa": initials wa (王安) < wag (万爱国) < war (王安然), then full pinyin "wa…":
    # wangxiaoming (王小明) < wangyang (汪洋); 王安's "wangan" is not repeated.
    names = _all_pages(scope, "wa", size)
    assert names == ["王安", "万爱国", "王安然", "王小明", "汪洋"]


def test_full_pinyin_finds_what_initials_cannot(scope) -> None:
    assert classify_search("li").kind == "initials"
    # No name has the initials "li"; full pinyin liming < liuli < liwei.
    assert _all_pages(scope, "li", 2) == ["黎明", "刘力", "李伟"]
    assert _all_pages(scope, "liwei", 2) == ["李伟"]


def test_one_letter_is_initials_only(scope) -> None:
    # Initials order: ll (刘力) < lm (黎明) < lw (李伟).
    assert _all_pages(scope, "l", 2) == ["刘力", "黎明", "李伟"]


def test_name_prefix(scope) -> None:
    assert _all_pages(scope, "王安", 1) == ["王安", "王安然"]
