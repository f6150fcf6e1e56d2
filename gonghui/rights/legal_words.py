"""Code tables of legal aid (法律援助) and 百名律师进千企, with the words people type for them.

Codes are stable; labels may be reworded. Registered with `core.words` (from the app's ready),
so the roster form, the legal-aid form and the API read 讨薪, 打官司 or 代写 as well as the labels.
"""

from __future__ import annotations

from django.db import models


class LawArea(models.TextChoices):
    """A lawyer's areas of practice, as unions' rosters list them."""

    CONTRACT = "contract", "劳动合同"
    WAGES = "wages", "工资报酬"
    INJURY = "injury", "工伤"
    SOCIAL_INSURANCE = "social_insurance", "社会保险"
    DISMISSAL = "dismissal", "解除终止劳动关系"
    WOMEN = "women", "女职工权益"
    SAFETY = "safety", "劳动安全卫生"
    COLLECTIVE = "collective", "集体协商"
    ARBITRATION = "arbitration", "劳动争议仲裁"
    LITIGATION = "litigation", "诉讼"
    COMPLIANCE = "compliance", "企业用工合规"


class AidForm(models.TextChoices):
    """援助形式."""

    MEDIATION = "mediation", "协商调解代理"
    DRAFTING = "drafting", "文书代写"
    ARBITRATION = "arbitration", "仲裁代理"
    LITIGATION = "litigation", "诉讼代理"


class IssueStatus(models.TextChoices):
    """An issue found at a 法律体检 and its follow-up."""

    FIXING = "fixing", "整改中"
    FIXED = "fixed", "已整改"


SYNONYMS: dict[str, dict[str, str]] = {
    "rights_law_area": {
        "合同": "contract",
        "劳动合同纠纷": "contract",
        "欠薪": "wages",
        "讨薪": "wages",
        "工资": "wages",
        "劳动报酬": "wages",
        "工伤赔偿": "injury",
        "工伤认定": "injury",
        "社保": "social_insurance",
        "辞退": "dismissal",
        "经济补偿": "dismissal",
        "女职工": "women",
        "劳动保护": "safety",
        "安全生产": "safety",
        "集体合同": "collective",
        "工资集体协商": "collective",
        "仲裁": "arbitration",
        "劳动仲裁": "arbitration",
        "打官司": "litigation",
        "诉讼代理": "litigation",
        "民事诉讼": "litigation",
        "合规": "compliance",
        "法律体检": "compliance",
        "用工风险": "compliance",
    },
    "rights_aid_form": {
        "调解": "mediation",
        "协商": "mediation",
        "调解代理": "mediation",
        "代写": "drafting",
        "代写文书": "drafting",
        "文书": "drafting",
        "写仲裁申请书": "drafting",
        "仲裁": "arbitration",
        "劳动仲裁": "arbitration",
        "代理仲裁": "arbitration",
        "诉讼": "litigation",
        "打官司": "litigation",
        "起诉": "litigation",
        "代理诉讼": "litigation",
    },
    "rights_issue_status": {
        "未整改": "fixing",
        "正在整改": "fixing",
        "待整改": "fixing",
        "整改完成": "fixed",
        "已完成": "fixed",
        "完成": "fixed",
    },
}

TABLES: list[tuple[str, str, type[models.TextChoices]]] = [
    ("rights_law_area", "律师执业领域", LawArea),
    ("rights_aid_form", "法律援助形式", AidForm),
    ("rights_issue_status", "法律体检问题整改状态", IssueStatus),
]


def register() -> None:
    from gonghui.core.words import register_choice_table

    for key, title, choices in TABLES:
        register_choice_table(
            key=key,
            title=title,
            options=lambda choices=choices: choices.choices,  # type: ignore[misc]
            synonyms=SYNONYMS[key],
        )
