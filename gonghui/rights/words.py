"""The 12351 hotline's code tables (DOMAIN §8, R1 codes), with the words people type for them.

Codes are stable; labels may be reworded. Each table is registered with `core.words`, so the
intake form, the API and later imports read 来电, 欠薪 or 骑手 as well as the labels.
"""

from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    PHONE = "phone", "电话"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    APP = "app", "APP"
    WEB = "web", "网络"


class Kind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    HELP = "help", "求助"
    CONSULT = "consult", "咨询"
    SUGGEST = "suggest", "建议"


class Cause(models.TextChoices):
    CONTRACT = "contract", "劳动合同"
    WAGES = "wages", "工资"
    INJURY = "injury", "工伤"
    SOCIAL_INSURANCE = "social_insurance", "社会保险"
    REST = "rest", "休息休假"
    DISMISSAL = "dismissal", "解除终止劳动关系"
    SAFETY = "safety", "劳动安全卫生"
    WOMEN = "women", "女职工权益"
    UNION = "union", "工会组建与会员权益"
    OTHER = "other", "其他"


class PersonType(models.TextChoices):
    MIGRANT = "migrant", "农民工"
    NEW_EMPLOYMENT = "new_employment", "新就业形态劳动者"
    WOMAN = "woman", "女职工"
    DISABLED = "disabled", "残疾人"
    EMPLOYEE = "employee", "企业职工"
    RETIRED = "retired", "退休人员"
    OTHER = "other", "其他"


class Tier(models.TextChoices):
    GENERAL = "general", "一般"
    DIFFICULT = "difficult", "难点"
    COMPLEX = "complex", "特别复杂"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


SYNONYMS: dict[str, dict[str, str]] = {
    "rights_source": {
        "来电": "phone",
        "电话来电": "phone",
        "12351": "phone",
        "热线": "phone",
        "信件": "letter",
        "写信": "letter",
        "上访": "visit",
        "现场": "visit",
        "当面": "visit",
        "小程序": "app",
        "手机": "app",
        "客户端": "app",
        "网上": "web",
        "网站": "web",
        "微信": "web",
        "网络留言": "web",
    },
    "rights_kind": {
        "信访投诉": "complaint",
        "举报": "complaint",
        "反映": "complaint",
        "求决": "help",
        "服务帮扶": "help",
        "帮扶": "help",
        "求援": "help",
        "问题咨询": "consult",
        "询问": "consult",
        "政策咨询": "consult",
        "法律咨询": "consult",
        "意见建议": "suggest",
        "意见": "suggest",
    },
    "rights_cause": {
        "合同": "contract",
        "签合同": "contract",
        "欠薪": "wages",
        "拖欠工资": "wages",
        "讨薪": "wages",
        "工资报酬": "wages",
        "劳动报酬": "wages",
        "加班费": "wages",
        "工伤认定": "injury",
        "工伤赔偿": "injury",
        "社保": "social_insurance",
        "养老保险": "social_insurance",
        "医疗保险": "social_insurance",
        "医保": "social_insurance",
        "失业保险": "social_insurance",
        "加班": "rest",
        "休假": "rest",
        "年休假": "rest",
        "年假": "rest",
        "辞退": "dismissal",
        "开除": "dismissal",
        "裁员": "dismissal",
        "经济补偿": "dismissal",
        "解除劳动合同": "dismissal",
        "劳动保护": "safety",
        "安全生产": "safety",
        "职业病": "safety",
        "女职工": "women",
        "产假": "women",
        "孕期": "women",
        "入会": "union",
        "建会": "union",
        "工会": "union",
    },
    "rights_person_type": {
        "农民工人": "migrant",
        "外来务工人员": "migrant",
        "务工人员": "migrant",
        "新就业形态": "new_employment",
        "骑手": "new_employment",
        "外卖员": "new_employment",
        "外卖骑手": "new_employment",
        "快递员": "new_employment",
        "网约车司机": "new_employment",
        "货车司机": "new_employment",
        "女工": "woman",
        "妇女": "woman",
        "残障人士": "disabled",
        "职工": "employee",
        "员工": "employee",
        "退休": "retired",
        "退休职工": "retired",
    },
    "rights_tier": {
        "普通": "general",
        "简单": "general",
        "难点问题": "difficult",
        "疑难": "difficult",
        "复杂": "complex",
        "重大": "complex",
        "特复杂": "complex",
    },
    "rights_satisfaction": {
        "非常满意": "satisfied",
        "很满意": "satisfied",
        "比较满意": "basic",
        "还行": "basic",
        "一般": "basic",
        "不太满意": "unsatisfied",
        "很不满意": "unsatisfied",
        "非常不满意": "unsatisfied",
    },
}

CONTRACT_SYNONYMS: dict[str, dict[str, str]] = {
    "rights_contract_kind": {
        "综合": "comprehensive",
        "集体合同": "comprehensive",
        "工资专项": "wage",
        "工资集体协议": "wage",
        "工资专项集体合同": "wage",
        "工资集体合同": "wage",
        "工资调整机制": "wage",
        "女职工专项": "women",
        "女职工": "women",
        "女职工权益": "women",
        "女职工权益保护": "women",
        "劳动安全卫生": "safety",
        "安全卫生": "safety",
        "劳动保护": "safety",
    },
    "rights_contract_scope": {
        "单个企业": "enterprise",
        "企业集体合同": "enterprise",
        "行业": "industry",
        "行业集体合同": "industry",
        "区域": "regional",
        "区域集体合同": "regional",
        "片区": "regional",
    },
    "rights_vote_body": {
        "职代会": "congress",
        "职工代表大会": "congress",
        "全体职工": "all_staff",
        "职工大会": "all_staff",
        "全员大会": "all_staff",
    },
}

TABLES: list[tuple[str, str, type[models.TextChoices]]] = [
    ("rights_source", "热线来源", Source),
    ("rights_kind", "诉求类型", Kind),
    ("rights_cause", "诉求事由", Cause),
    ("rights_person_type", "人员类型", PersonType),
    ("rights_tier", "工单难度", Tier),
    ("rights_satisfaction", "回访满意度", Satisfaction),
]


def register() -> None:
    from gonghui.core.words import register_choice_table
    from gonghui.rights.models import ContractKind, ContractScope, VoteBody

    SYNONYMS.update(CONTRACT_SYNONYMS)
    tables = [
        *TABLES,
        ("rights_contract_kind", "集体合同种类", ContractKind),
        ("rights_contract_scope", "集体合同范围", ContractScope),
        ("rights_vote_body", "集体合同审议方式", VoteBody),
    ]
    for key, title, choices in tables:
        register_choice_table(
            key=key,
            title=title,
            options=lambda choices=choices: choices.choices,  # type: ignore[misc]
            synonyms=SYNONYMS[key],
        )
