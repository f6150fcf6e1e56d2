"""Org kinds and forms in the words federations write (`core.words` via `orgs.validation`)."""

from __future__ import annotations

import pytest

from gonghui.core.errors import DomainError
from gonghui.orgs.validation import clean_form, clean_kind


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("省总工会", "province_federation"),
        ("省级总工会", "province_federation"),
        ("市总工会", "city_federation"),
        ("州总工会", "city_federation"),
        ("市(州)总工会", "city_federation"),
        ("县总工会", "county_federation"),
        ("区总工会", "county_federation"),
        ("县区总工会", "county_federation"),
        ("行业工会联合会", "sector_federation"),
        ("行业工联", "sector_federation"),
        ("乡镇工会", "township"),
        ("街道工会", "township"),
        ("企业工会", "grassroots"),
        ("基层工会", "grassroots"),
        ("grassroots", "grassroots"),
    ],
)
def test_a_kind_in_everyday_words(word: str, kind: str, db) -> None:
    assert clean_kind(word) == kind


def test_forms_in_everyday_words(db) -> None:
    assert [clean_form(w) for w in ("委员会", "工委", "工会委员会", "")] == [
        "committee",
        "working_committee",
        "committee",
        "",
    ]


def test_an_unknown_kind_is_refused_with_its_code(db) -> None:
    with pytest.raises(DomainError) as exc:
        clean_kind("火星工会")
    assert exc.value.code == "org.kind_invalid"
