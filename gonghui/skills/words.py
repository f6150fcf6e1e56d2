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

INNOVATION_SYNONYMS = {
    "发明": "invention",
    "创造": "creation",
    "革新": "renovation",
    "技术革新": "renovation",
    "改进": "renovation",
    "设计": "design",
    "建议": "suggestion",
    "合理化建议": "suggestion",
}
ACTIVITY_SYNONYMS = {
    "体育": "sports",
    "运动会": "sports",
    "比赛": "sports",
    "文艺": "culture",
    "文化": "culture",
    "演出": "culture",
    "志愿": "volunteer",
    "志愿者": "volunteer",
    "宣讲": "lecture",
    "劳模宣讲": "lecture",
    "工匠宣讲": "lecture",
}
STUDIO_LEVEL_SYNONYMS = {
    "市": "city",
    "地市级": "city",
    "省": "province",
    "全国": "national",
    "国家级": "national",
    "全国级": "national",
}
HONOR_SYNONYMS = {
    "全国劳模": "national_model",
    "全国先进工作者": "national_model",
    "全国五一奖章": "national_medal",
    "省劳模": "provincial_model",
    "省级劳模": "provincial_model",
    "省五一奖章": "provincial_medal",
    "大国工匠": "craftsman",
    "技能大师": "craftsman",
    "市劳模": "city_model",
}


def register() -> None:
    from gonghui.core.words import register_choice_table
    from gonghui.skills.models import ActivityKind, ContestLevel, InnovationKind, LeaderHonor, StudioLevel

    register_choice_table(
        key="contest_level", title="竞赛级别", options=lambda: list(ContestLevel.choices), synonyms=LEVEL_SYNONYMS
    )
    register_choice_table(
        key="contest_judge_rule", title="裁判评分合成方式", options=lambda: JudgeRule.CHOICES, synonyms=RULE_SYNONYMS
    )
    register_choice_table(
        key="contest_tie_break", title="竞赛同分规则", options=lambda: TIE_BREAK_CHOICES, synonyms=TIE_SYNONYMS
    )
    register_choice_table(
        key="innovation_kind",
        title="五小类别",
        options=lambda: list(InnovationKind.choices),
        synonyms=INNOVATION_SYNONYMS,
    )
    register_choice_table(
        key="activity_kind",
        title="职工活动类别",
        options=lambda: list(ActivityKind.choices),
        synonyms=ACTIVITY_SYNONYMS,
    )
    register_choice_table(
        key="studio_level",
        title="创新工作室级别",
        options=lambda: list(StudioLevel.choices),
        synonyms=STUDIO_LEVEL_SYNONYMS,
    )
    register_choice_table(
        key="leader_honor", title="工作室领办人荣誉", options=lambda: list(LeaderHonor.choices), synonyms=HONOR_SYNONYMS
    )
