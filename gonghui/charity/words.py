"""The choices of charity forms, files and the API as everyday words (`core.words`)."""

from __future__ import annotations

from gonghui.charity.models import DonorKind, FundKind, Industry, Purpose, RecipientKind
from gonghui.core.words import register_choice_table

PURPOSE_SYNONYMS = {
    "助学": "student_aid",
    "捐资助学": "student_aid",
    "帮扶": "hardship",
    "困难帮扶": "hardship",
    "大病救助": "medical",
    "医疗救助": "medical",
    "救灾": "disaster",
    "送温暖": "relief",
    "慰问": "relief",
    "女工": "women",
    "快递员": "new_employment",
    "外卖骑手": "new_employment",
    "技能培训": "skills",
}
DONOR_SYNONYMS = {"单位": "enterprise", "公司": "enterprise", "职工": "individual", "会员": "individual"}
FUND_KIND_SYNONYMS = {"本级": "own", "自有": "own", "专项": "special", "专项基金": "special"}
RECIPIENT_SYNONYMS = {"单位": "org", "学校": "org", "工会": "org", "职工": "member", "个人": "member"}
INDUSTRY_SYNONYMS = {
    "农业": "A",
    "煤矿": "B",
    "矿山": "B",
    "工业": "C",
    "电力": "D",
    "建筑": "E",
    "商贸": "F",
    "零售": "F",
    "交通": "G",
    "物流": "G",
    "快递": "G",
    "邮政": "G",
    "餐饮": "H",
    "互联网": "I",
    "银行": "J",
    "房地产": "K",
    "环卫": "N",
    "家政": "O",
    "医疗": "Q",
    "文化": "R",
}


def register() -> None:
    register_choice_table(
        key="charity_purpose", title="公益用途", options=lambda: Purpose.choices, synonyms=PURPOSE_SYNONYMS
    )
    register_choice_table(
        key="charity_donor_kind", title="捐赠人类型", options=lambda: DonorKind.choices, synonyms=DONOR_SYNONYMS
    )
    register_choice_table(
        key="charity_fund_kind", title="基金类型", options=lambda: FundKind.choices, synonyms=FUND_KIND_SYNONYMS
    )
    register_choice_table(
        key="charity_recipient_kind",
        title="受助方类型",
        options=lambda: RecipientKind.choices,
        synonyms=RECIPIENT_SYNONYMS,
    )
    register_choice_table(
        key="charity_industry", title="受益行业", options=lambda: Industry.choices, synonyms=INDUSTRY_SYNONYMS
    )
