"""The everyday-words matcher (`core.words`): codes, labels, synonyms, short forms, beginnings, refusals."""

from __future__ import annotations

import pytest

from gonghui.core import words
from gonghui.core.models import Synonym

OPTIONS = [
    ("01", "市（州）总工会"),
    ("02", "县（市、区）总工会"),
    ("03", "一级/高级技师"),
    ("04", "中共党员"),
    ("05", "中共预备党员"),
]


@pytest.fixture(autouse=True)
def table():
    words.register_choice_table(
        key="_test", title="测试", options=lambda: OPTIONS, synonyms={"党员": "04", "旧词": "99"}
    )
    yield
    words.unregister_choice_table("_test")
    words.synonyms_changed()


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("01", "01"),
        ("1", "01"),  # a two-digit code typed without its zero
        (" 市(州)总工会 ", "01"),  # the label, half-width brackets, spaces
        ("市（州）总工会", "01"),
        ("市总工会", "01"),  # without the bracketed part
        ("市州总工会", "01"),  # without the brackets
        ("县总工会", "02"),
        ("高级技师", "03"),  # one side of a slash
        ("一级", "03"),
        ("党员", "04"),  # a shipped synonym
        ("中共预备", "05"),  # the beginning of one label
        ("", ""),
        (None, ""),
    ],
)
def test_a_word_names_its_choice(raw, value, db) -> None:
    assert words.match("_test", raw) == value


def test_a_word_fitting_two_choices_is_refused_with_both_listed(db) -> None:
    with pytest.raises(words.ChoiceError) as exc:
        words.match("_test", "中共")
    assert exc.value.candidates == ("中共党员", "中共预备党员")
    assert str(exc.value) == "测试“中共”不明确，可能是：中共党员、中共预备党员"


def test_an_unknown_word_is_refused_with_the_few_choices_listed(db) -> None:
    with pytest.raises(words.ChoiceError) as exc:
        words.match("_test", "乡镇")
    assert str(exc.value).startswith("测试“乡镇”不在代码表中，可填：市（州）总工会、")
    # A synonym naming a value the table does not have is ignored, not returned.
    with pytest.raises(words.ChoiceError):
        words.match("_test", "旧词")


def test_an_admin_synonym_is_read_and_wins_over_the_shipped_one(db) -> None:
    Synonym.objects.create(table="_test", word="工会党员", value="05")
    Synonym.objects.create(table="_test", word="党员", value="05")
    words.synonyms_changed()
    assert words.match("_test", "工会 党员") == "05"
    assert words.match("_test", "党员") == "05"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("是", True), ("Y", True), ("√", True), ("1", True), ("有", True), ("否", False), ("n", False), ("×", False)],
)
def test_yes_and_no_in_everyday_words(raw, value, db) -> None:
    assert words.match_bool(raw) is value


@pytest.mark.parametrize(
    ("raw", "value"), [("男", "1"), ("M", "1"), ("男性", "1"), ("女", "2"), ("f", "2"), ("2", "2")]
)
def test_gender_in_everyday_words(raw, value, db) -> None:
    assert words.match("gender", raw) == value
