"""The layers only point down: an app imports only the apps below it, and so do its migrations.

`core` (the shared kernel) is at the bottom and names no app; the pages that gather
many apps (dashboard and audit log, imports, the member's phone) are at the top.
Within the domain apps the order is the one their imports need (student_aid pays
through payouts and checks lists through crosscheck, never the other way). A new
app must be placed here, and no import, however deep in a function, may point up.
Imports under `if TYPE_CHECKING:` are annotations only and are allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]

# Bottom to top; apps in one tuple may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("orgs",),
    ("accounts",),
    ("members",),
    ("cards", "stations"),
    ("payouts",),
    ("benefits",),
    ("crosscheck",),
    ("aid",),
    ("student_aid", "rights"),
    ("charity",),
    ("reports", "imports", "portal"),
]
LEVEL = {app: i for i, group in enumerate(LAYERS) for app in group}
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists())


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }


def imported_apps(path: Path) -> list[tuple[str, int]]:
    """(app, line) for every gonghui app this module imports at run time, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names if node.module == "gonghui"]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in {"import_module", "importlib.import_module"}:
            arg = node.args[0] if node.args else None
            names = [arg.value] if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else []
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "gonghui" and parts[1] in LEVEL:
                out.append((parts[1], node.lineno))
    return out


def migration_dependencies(path: Path) -> list[tuple[str, int]]:
    """(app, line) of a migration's dependencies named by app label.

    `swappable_dependency(settings.AUTH_USER_MODEL)` and `(settings.GONGHUI_ORG_MODEL)` name no
    app: the project's settings bind them, as Django's own apps reference the user model.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(ast.unparse(t) == "dependencies" for t in node.targets):
            for elt in getattr(node.value, "elts", []):
                if isinstance(elt, ast.Tuple) and isinstance(elt.elts[0], ast.Constant):
                    out.append((str(elt.elts[0].value), elt.lineno))
    return out


def _source_files(app: str) -> list[Path]:
    return [p for p in (PACKAGE / app).rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_every_app_has_a_layer() -> None:
    assert sorted(LEVEL) == APPS


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for path in _source_files(app)
        for target, line in imported_apps(path)
        if target != app and LEVEL[target] >= LEVEL[app]
    ]
    assert upward == []


@pytest.mark.parametrize("app", APPS)
def test_migrations_depend_only_on_the_apps_below(app: str) -> None:
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line} depends on {target}"
        for path in sorted((PACKAGE / app / "migrations").glob("*.py"))
        for target, line in migration_dependencies(path)
        if target in LEVEL and target != app and LEVEL[target] >= LEVEL[app]
    ]
    assert upward == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from gonghui.aid.models import HardshipFile\n"
        "def f():\n    from gonghui.cards.views import member_cards\n"
        "    import gonghui.student_aid.services\n"
        "    from gonghui import portal\n",
        encoding="utf-8",
    )
    assert imported_apps(sample) == [("cards", 5), ("student_aid", 6), ("portal", 7)]
