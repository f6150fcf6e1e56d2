"""A campaign's own questions on the nomination form, pure (no database): their definition typed as
lines of text, and the checking of an answer. The form and the service both check with these, so a
nomination made by hand, by the page or by a later API gets the same answer.

A definition line: 名称|类型|必填或选填|选项1、选项2 — 类型 is 文字, 数字, 日期 or 选项 (everyday
words accepted: 文本, 数值, 金额, 时间, 单选 …); the options only for 选项.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

TYPE_WORDS = {
    "text": "text", "文字": "text", "文本": "text", "文": "text", "字": "text",
    "number": "number", "数字": "number", "数值": "number", "数": "number", "金额": "number", "整数": "number",
    "date": "date", "日期": "date", "时间": "date",
    "choice": "choice", "选项": "choice", "选择": "choice", "单选": "choice", "下拉": "choice",
}  # fmt: skip
REQUIRED_WORDS = {"必填": True, "是": True, "必须": True, "required": True, "选填": False, "否": False, "": False}
CHOICE_SPLIT = re.compile(r"[、,，/;；]")
DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


@dataclass(frozen=True)
class FieldSpec:
    label: str
    field_type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = field(default=())


def specs_parse(text: str) -> tuple[list[FieldSpec], list[str]]:
    """The definition lines → the fields, and every problem with its line number (all at once)."""
    specs: list[FieldSpec] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        label = parts[0]
        kind = TYPE_WORDS.get((parts[1] if len(parts) > 1 else "文字").lower())
        required = REQUIRED_WORDS.get(parts[2].lower() if len(parts) > 2 else "")
        choices = tuple(c.strip() for c in CHOICE_SPLIT.split(parts[3]) if c.strip()) if len(parts) > 3 else ()
        if not label or len(label) > 40:
            problems.append(f"第 {number} 行：名称应为 1 到 40 个字")
        if kind is None:
            problems.append(f"第 {number} 行：类型“{parts[1]}”应为 文字、数字、日期 或 选项")
        if required is None:
            problems.append(f"第 {number} 行：“{parts[2]}”应为 必填 或 选填")
        if kind == "choice" and len(choices) < 2:
            problems.append(f"第 {number} 行：选项类应列出至少两个选项，用顿号分隔")
        if label and any(s.label == label for s in specs):
            problems.append(f"第 {number} 行：名称“{label}”重复")
        if kind is not None and required is not None and label:
            specs.append(FieldSpec(label[:40], kind, required, choices if kind == "choice" else ()))
    return specs, problems


def spec_line(spec: FieldSpec) -> str:
    """The definition line of a field (the form's initial text)."""
    words = {"text": "文字", "number": "数字", "date": "日期", "choice": "选项"}
    line = f"{spec.label}|{words[spec.field_type]}|{'必填' if spec.required else '选填'}"
    return line + (f"|{'、'.join(spec.choices)}" if spec.choices else "")


def answer_clean(spec: FieldSpec, raw: str | None) -> tuple[str, str | None]:
    """A typed answer → (the value stored, as text; or the error in Chinese)."""
    text = (raw or "").strip()
    if not text:
        return "", ("请填写" + spec.label) if spec.required else None
    if spec.field_type == "number":
        try:
            number = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation:
            return text, "应为数字"
        if not number.is_finite():
            return text, "应为数字"
        return f"{number.normalize():f}", None
    if spec.field_type == "date":
        for pattern in DATE_FORMS:
            m = pattern.match(text)
            if m:
                try:
                    return date(int(m[1]), int(m[2]), int(m[3])).isoformat(), None
                except ValueError:
                    break
        return text, "应为日期，如 2026-05-01"
    if spec.field_type == "choice":
        if text not in spec.choices:
            return text, "应为以下之一：" + "、".join(spec.choices)
        return text, None
    if len(text) > 500:
        return text[:500], "不超过 500 字"
    return text, None


def answers_problems(specs: Sequence[FieldSpec], raw: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Every answer by label → (the values to store, by label; every problem as “名称：错误”)."""
    values, problems = {}, []
    for spec in specs:
        value, error = answer_clean(spec, raw.get(spec.label))
        if error:
            problems.append(f"{spec.label}：{error}")
        elif value:
            values[spec.label] = value
    return values, problems
