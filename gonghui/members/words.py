"""The everyday words people type for the registry's code tables (see `core.words`).

Shipped with the platform; a platform admin adds more from the 词语对照 page. Only
words that name one entry belong here: a word that could mean two (民主党派, 骑手 for
网约送餐员 or 外卖配送员) is left out so that the matcher lists the candidates instead.
The matcher already reads codes, official labels, labels without their brackets
(待(下)岗 → 待岗), each side of a slash (一级/高级技师 → 高级技师) and unique beginnings
(蒙古 → 蒙古族), so those need no entry.
"""

from __future__ import annotations

from gonghui.members.codes import CODE_TABLES


def _ethnicity() -> dict[str, str]:
    # 汉 for 汉族, 维吾尔 for 维吾尔族…: one character is too short for the matcher's beginnings rule.
    return {label.removesuffix("族"): code for code, label in CODE_TABLES["ethnicity"][1] if label.endswith("族")}


SYNONYMS: dict[str, dict[str, str]] = {
    "id_type": {
        "身份证": "1",
        "二代身份证": "1",
        "二代证": "1",
        "第二代居民身份证": "1",
        "港澳居住证": "3",
        "台湾居住证": "4",
        "回乡证": "5",
        "台胞证": "6",
        "永居证": "7",
        "外国人永久居留证": "7",
    },
    "ethnicity": _ethnicity() | {"汉人": "01"},
    "education": {
        "研究生及以上": "10",
        "硕士": "10",
        "硕士研究生": "10",
        "博士": "10",
        "博士研究生": "10",
        "研究生学历": "10",
        "本科": "20",
        "大本": "20",
        "大学": "20",
        "本科及以上": "20",
        "全日制本科": "20",
        "大专": "30",
        "专科": "30",
        "高职": "30",
        "大专及以上": "30",
        "中专": "40",
        "中职": "40",
        "职高": "40",
        "职业高中": "40",
        "技校": "40",
        "技工学校": "40",
        "中技": "40",
        "中专/技校": "40",
        "高中": "60",
        "普高": "60",
        "高中及以下": "60",
        "高中/中专": "60",
        "初中及以下": "70",
        "初中以下": "80",
        "小学及以下": "80",
        "文盲": "90",
        "半文盲": "90",
        "无": "90",
    },
    "degree": {"博士学位": "2", "硕士学位": "3", "学士学位": "4", "无": "9", "没有": "9"},
    "political_status": {
        "党员": "01",
        "共产党员": "01",
        "中共正式党员": "01",
        "正式党员": "01",
        "预备党员": "02",
        "团员": "03",
        "共青团": "03",
        "无党派": "12",
        "普通群众": "13",
        "无": "13",
    },
    "hukou_type": {
        "农业": "1",
        "农村": "1",
        "农村户口": "1",
        "农业户籍": "1",
        "农": "1",
        "非农": "2",
        "非农业": "2",
        "城镇": "2",
        "城镇户口": "2",
        "城市户口": "2",
        "非农户口": "2",
        "居民": "3",
        "统一居民户口": "3",
    },
    "employment_status": {
        "在职": "10",
        "在岗职工": "10",
        "下岗": "20",
        "待业": "30",
        "离退休": "40",
        "已退休": "40",
        "内退": "60",
    },
    "skill_level": {"一级": "1", "二级": "2", "三级": "3", "四级": "4", "五级": "5", "无等级": "9", "没有": "9"},
    "new_employment_type": {
        "快递": "02",
        "快递小哥": "02",
        "快递员工": "02",
        "货运司机": "01",
        "卡车司机": "01",
        "护工": "03",
        "护理员": "03",
        "家政": "04",
        "家政工": "04",
        "保安": "08",
        "网约车": "09",
        "专车司机": "09",
        "外卖骑手": "10",
        "外卖员": "10",
        "外卖小哥": "10",
        "主播": "11",
        "网红主播": "11",
        "房产中介": "07",
        "中介": "07",
    },
    "retain_reason": {
        "退休": "retired",
        "提前退休": "retired",
        "破产": "employer_closed",
        "单位倒闭": "employer_closed",
    },
    "transfer_reason": {"调动": "job_change", "换工作": "job_change", "工作调动": "job_change"},
    "withdraw_reason": {"自愿退会": "voluntary", "本人申请": "voluntary", "去世": "deceased", "病故": "deceased"},
}
