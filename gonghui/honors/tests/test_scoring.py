"""Weighted scoring and the campaign's own questions, pure: property tests of the arithmetic."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gonghui.honors.formfields import FieldSpec, answer_clean, answers_problems, spec_line, specs_parse
from gonghui.honors.scoring import combined, marks_problems, ranking, rounded, weighted_total, weights_problems


@st.composite
def weights(draw: st.DrawFn) -> dict[str, int]:
    """Criteria whose weights (each ≥ 1) sum to 100."""
    n = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 100]
    return {f"项{i}": bounds[i + 1] - bounds[i] for i in range(n)}


marks_of = st.integers(min_value=0, max_value=100)


@given(w=weights(), data=st.data())
def test_a_weighted_total_lies_between_the_lowest_and_highest_mark(w: dict[str, int], data: st.DataObject) -> None:
    marks = {k: data.draw(marks_of) for k in w}
    total = weighted_total(w, marks)
    assert min(marks.values()) <= total <= max(marks.values())
    assert not weights_problems(list(w.items()))


@given(w=weights(), mark=marks_of)
def test_equal_marks_give_that_mark(w: dict[str, int], mark: int) -> None:
    assert weighted_total(w, dict.fromkeys(w, mark)) == mark


@given(w=weights(), data=st.data())
def test_one_more_point_on_a_criterion_adds_its_weight_over_100(w: dict[str, int], data: st.DataObject) -> None:
    marks = {k: data.draw(st.integers(0, 99)) for k in w}
    key = data.draw(st.sampled_from(sorted(w)))
    higher = {**marks, key: marks[key] + 1}
    assert weighted_total(w, higher) - weighted_total(w, marks) == Fraction(w[key], 100)


@given(w=weights(), extra=st.integers(min_value=1, max_value=50))
def test_weights_off_100_are_refused_with_the_sum(w: dict[str, int], extra: int) -> None:
    first = next(iter(w))
    off = [(k, v + extra if k == first else v) for k, v in w.items()]
    assert f"权重合计应为 100，现为 {100 + extra}" in weights_problems(off)


def test_weights_problems_are_all_told_at_once() -> None:
    assert weights_problems([("事迹", 0), ("事迹", 50), (" ", 30)]) == [
        "评分项名称不能为空",
        "评分项名称不能重复",
        "每项权重应在 1 到 100 之间",
        "权重合计应为 100，现为 80",
    ]


def test_marks_missing_or_out_of_range_are_named() -> None:
    assert marks_problems([1, 2, 3], {1: 100, 2: 101}) == [2, 3]
    assert marks_problems([1], {1: 0}) == []


@given(totals=st.lists(st.fractions(min_value=0, max_value=100), min_size=1, max_size=12))
def test_the_combined_score_is_the_mean_within_the_totals(totals: list[Fraction]) -> None:
    mean = combined(totals)
    assert mean is not None and min(totals) <= mean <= max(totals)
    assert mean * len(totals) == sum(totals)
    assert combined([]) is None


@given(scores=st.lists(st.one_of(st.none(), st.integers(0, 100).map(Fraction)), max_size=20))
def test_the_ranking_goes_down_and_ties_share_a_rank(scores: list[Fraction | None]) -> None:
    ranked = ranking(list(enumerate(scores)))
    assert sorted(i for _, i, _ in ranked) == list(range(len(scores)))
    scored = [(r, s) for r, _, s in ranked if s is not None]
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(scored))  # type: ignore[operator]
    for position, (rank, score) in enumerate(scored, start=1):
        # Competition ranking: 1 + the number strictly above.
        assert rank == 1 + sum(1 for _, s in scored if s > score)  # type: ignore[operator]
        assert rank <= position
    assert all(r is None for r, _, s in ranked[len(scored) :])


def test_rounding_is_half_up_to_cents() -> None:
    assert str(rounded(Fraction(1, 8))) == "0.13"
    assert str(rounded(Fraction(200, 3))) == "66.67"
    assert rounded(None) is None


def test_the_definition_lines_take_everyday_words_and_tell_every_problem() -> None:
    specs, problems = specs_parse("技能等级|单选|必填|初级工、中级工、高级工\n从业年限|数值|选填\n入职日期|时间\n备注")
    assert problems == []
    assert specs == [
        FieldSpec("技能等级", "choice", True, ("初级工", "中级工", "高级工")),
        FieldSpec("从业年限", "number", False),
        FieldSpec("入职日期", "date", False),
        FieldSpec("备注", "text", False),
    ]
    assert spec_line(specs[0]) == "技能等级|选项|必填|初级工、中级工、高级工"
    _, problems = specs_parse("工龄|年数|必填\n等级|选项|必填|一级\n工龄|文字|也许")
    assert problems == [
        "第 1 行：类型“年数”应为 文字、数字、日期 或 选项",
        "第 2 行：选项类应列出至少两个选项，用顿号分隔",
        "第 3 行：“也许”应为 必填 或 选填",
    ]


def test_answers_are_checked_all_at_once_and_stored_as_text() -> None:
    specs = [
        FieldSpec("技能等级", "choice", True, ("中级工", "高级工")),
        FieldSpec("从业年限", "number", True),
        FieldSpec("入职日期", "date", False),
        FieldSpec("备注", "text", False),
    ]
    values, problems = answers_problems(specs, {"技能等级": "特级", "从业年限": "十年", "入职日期": "2026-02-30"})
    assert problems == [
        "技能等级：应为以下之一：中级工、高级工",
        "从业年限：应为数字",
        "入职日期：应为日期，如 2026-05-01",
    ]
    assert values == {}
    values, problems = answers_problems(specs, {"技能等级": "高级工", "从业年限": "12.50", "入职日期": "2015年3月1日"})
    assert (values, problems) == ({"技能等级": "高级工", "从业年限": "12.5", "入职日期": "2015-03-01"}, [])
    assert answer_clean(specs[1], "") == ("", "请填写从业年限")
    assert answer_clean(specs[3], "") == ("", None)
