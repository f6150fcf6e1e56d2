"""Every refusal a service raises has its own code in the message catalogue.

The source is read with `ast`: each `DomainError("<code>", ...)` outside the
tests must name a code that is in `MESSAGES` once the apps have loaded (each
app's errors module registers its own), pass every `{param}` its message
needs, and never be the generic `"invalid"` (kept for the API's schema
refusals only).
"""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

import gonghui
from gonghui.core.errors import MESSAGES, DomainError

SOURCE = Path(gonghui.__file__).parent


@dataclass(frozen=True)
class Raise:
    where: str
    code: str | None  # None when the code is not a string literal
    keywords: frozenset[str] | None  # None when the call spreads **kwargs


def _is_domain_error(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "DomainError") or (
        isinstance(func, ast.Attribute) and func.attr == "DomainError"
    )


def _raises() -> list[Raise]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        rel = path.relative_to(SOURCE.parent)
        if "tests" in rel.parts or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))):
            if not (isinstance(node, ast.Call) and _is_domain_error(node.func)):
                continue
            first = node.args[0] if node.args else None
            code = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            names = [k.arg for k in node.keywords]
            keywords = None if None in names else frozenset(n for n in names if n is not None)
            found.append(Raise(f"{rel}:{node.lineno}", code, keywords))
    return found


RAISES = _raises()


def _params(code: str) -> set[str]:
    """The `{named}` fields of the code's message."""
    fields = (f for _, f, _, _ in string.Formatter().parse(str(MESSAGES[code])) if f)
    return {f.split(".")[0].split("[")[0] for f in fields}


def test_the_source_is_read() -> None:
    assert len(RAISES) > 100
    assert any(r.code == "org.not_in_scope" for r in RAISES)


def test_no_service_raises_the_generic_invalid() -> None:
    assert [r.where for r in RAISES if r.code == "invalid"] == []


def test_every_raised_code_is_a_literal() -> None:
    assert [r.where for r in RAISES if r.code is None] == []


def test_every_raised_code_is_in_the_catalogue() -> None:
    assert [f"{r.where} {r.code}" for r in RAISES if r.code is not None and r.code not in MESSAGES] == []


def test_every_raise_passes_the_params_its_message_needs() -> None:
    missing = [
        f"{r.where} {r.code}: {sorted(_params(r.code) - r.keywords)}"
        for r in RAISES
        if r.code is not None and r.code in MESSAGES and r.keywords is not None and _params(r.code) - r.keywords
    ]
    assert missing == []


def test_a_refusal_about_fields_shows_its_message_on_each() -> None:
    one = DomainError("org.too_long", field="name", limit=200)
    assert (one.code, one.message, one.details) == (
        "org.too_long",
        "不能超过 200 个字符",
        {"name": "不能超过 200 个字符"},
    )
    many = DomainError("org.field_not_editable", field=["parent", "path"])
    assert many.details == {"parent": "不能修改该字段", "path": "不能修改该字段"}
    assert DomainError("org.root_move").details is None
