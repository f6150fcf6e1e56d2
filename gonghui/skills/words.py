"""The words people type for a contest's choices (levels, judges' rule, tie-break), for forms and imports."""

from __future__ import annotations

from gonghui.skills.scoring import TIE_BREAK_CHOICES, JudgeRule

LEVEL_SYNONYMS = {
    "县": "county",
    "区县": "county",
    "县区": "county",
    "县市区": "county",
    "区级": "county",
    "县级市": "county",
    "市": "city",
    "地市": "city",
    "地市级": "city",
    "州": "city",
    "市州": "city",
    "省": "province",
    "省部级": "province",
    "全省": "province",
}
RULE_SYNONYMS = {
    "平均": "mean",
    "算术平均": "mean",
    "去掉最高最低": "trimmed_mean",
    "去掉一个最高分一个最低分": "trimmed_mean",
    "去高去低": "trimmed_mean",
    "去最高最低": "trimmed_mean",
    "中间值": "median",
    "中位": "median",
}
TIE_SYNONYMS = {
    "比实操": "practical,theory",
    "实操优先": "practical,theory",
    "先比实操": "practical,theory",
    "比理论": "theory,practical",
    "理论优先": "theory,practical",
}


def register() -> None:
    from gonghui.core.words import register_choice_table
    from gonghui.skills.models import ContestLevel

    register_choice_table(
        key="contest_level", title="竞赛级别", options=lambda: list(ContestLevel.choices), synonyms=LEVEL_SYNONYMS
    )
    register_choice_table(
        key="contest_judge_rule", title="裁判评分合成方式", options=lambda: JudgeRule.CHOICES, synonyms=RULE_SYNONYMS
    )
    register_choice_table(
        key="contest_tie_break", title="竞赛同分规则", options=lambda: TIE_BREAK_CHOICES, synonyms=TIE_SYNONYMS
    )
