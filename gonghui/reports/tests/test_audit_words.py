"""The audit log in words: every action has a label, and the page reads as people speak."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.cards.models import CardEventType
from gonghui.conftest import Tree
from gonghui.core.audit import audit_record
from gonghui.core.ui import audit_action_label, audit_actions
from gonghui.crosscheck.models import Decision
from gonghui.reports.selectors import audit_details
from gonghui.rights.workflow import EVENT_LABELS as RIGHTS_EVENTS

ROOT = Path(__file__).resolve().parents[2]  # gonghui/
CODE = re.compile(r"[a-z_]+(\.[a-z_]+)+")

# Helpers that audit under a prefix: (file, function) → (prefix, index of the action among positional args).
WRAPPERS = {
    ("aid/services.py", "_audit"): ("aid.file.", 2),
    ("payouts/services.py", "_audit"): ("payouts.", 2),
    ("student_aid/applications.py", "audit_write"): ("student_aid.", 3),
    ("student_aid/disbursement.py", "audit_write"): ("student_aid.", 3),
    ("student_aid/publication.py", "audit_write"): ("student_aid.", 3),
}
# Actions built from a variable the AST cannot read, with the values the variable takes.
COMPUTED = {
    "cards.{event}": [f"cards.{v}" for v in CardEventType.values],
    "crosscheck.review.{decision}": [f"crosscheck.review.{v}" for v in (Decision.CLEARED, Decision.CONFIRMED)],
    "members.transfer.request_{initiated_by}": ["members.transfer.request_out", "members.transfer.request_in"],
    "student_aid.{step}": ["student_aid.review", "student_aid.approve"],  # application_decide
    "rights.case.{action}": [f"rights.case.{a}" for a in RIGHTS_EVENTS],  # rights.services._event
    "rights.contract.{action}": ["rights.contract.register", "rights.contract.file", "rights.contract.review"],
}
# f-strings inside the wrappers themselves and the computed ones above: covered.
KNOWN_FSTRINGS = {"aid.file.{action}", "payouts.{action}", "student_aid.{action}", *COMPUTED}


def _strings(node: ast.AST) -> list[str]:
    """The string constants an action argument can take (`"a" if x else "b"` gives both)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def used_actions() -> tuple[set[str], set[str]]:
    """(action codes written in the code, f-string actions as templates)."""
    codes: set[str] = set()
    templates: set[str] = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel:
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            name = _name(call)
            for kw in call.keywords:
                if kw.arg != "action":
                    continue
                # any `action="app.thing"`: audit_record/audit_import and the helpers that pass it on
                codes.update(s for s in _strings(kw.value) if CODE.fullmatch(s))
                if isinstance(kw.value, ast.JoinedStr) and name == "audit_record":
                    templates.add(ast.unparse(kw.value)[2:-1])
            if (rel, name) in WRAPPERS:
                prefix, index = WRAPPERS[(rel, name)]
                if len(call.args) > index:
                    codes.update(prefix + s for s in _strings(call.args[index]))
    return codes, templates


def test_every_action_in_the_code_has_a_label() -> None:
    codes, templates = used_actions()
    assert "aid.relief.record" in codes and "aid.file.apply" in codes and "student_aid.withdraw" in codes
    assert templates <= KNOWN_FSTRINGS, (
        f"new computed actions: list their values in COMPUTED: {templates - KNOWN_FSTRINGS}"
    )
    for values in COMPUTED.values():
        codes.update(values)
    registered = dict(audit_actions())
    missing = sorted(c for c in codes if c not in registered)
    assert not missing, f"actions with no label in any app's audit_labels.py: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in registered.values())


def test_an_unknown_action_reads_as_its_code() -> None:
    assert audit_action_label("aid.relief.record") == "登记慰问"
    assert audit_action_label("nowhere.thing") == "nowhere.thing"


def test_details_in_words() -> None:
    details = dict(
        audit_details(
            {
                "cash_fen": 123450,
                "goods_fen": 0,
                "unmasked": False,
                "merchants": ["甲", "乙"],
                "changes": {"name": ["旧名", "新名"]},
                "id_number": "5202**********1234",
            }
        )
    )
    assert details == {
        "慰问金": "¥1,234.50",
        "物资折价": "¥0.00",
        "明文导出": "否",
        "商户": "甲、乙",
        "名称": "旧名 → 新名",
        "证件号码": "5202**********1234",
    }


@pytest.fixture
def root(make_user) -> User:
    user = make_user("root", superuser=True)
    user.display_name = "张晓梅"
    user.save(update_fields=["display_name"])
    return user


def test_the_page_shows_labels_names_and_yuan(tree: Tree, root: User, make_user, login) -> None:
    member = make_user("13812345678")
    with transaction.atomic():
        audit_record(
            actor=root,
            action="aid.relief.record",
            org=tree.zhongshan,
            data={"event": "春节", "cash_fen": 123450, "goods_fen": 20000, "policies": 2},
        )
        audit_record(actor=member, action="portal.member_account.activate", org=tree.zhongshan, data={"name": "李*"})
    resp = login(root).get("/audit/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "登记慰问" in html and "aid.relief.record" in html  # the label, and the code for search
    assert "张晓梅" in html
    assert "¥1,234.50" in html and "¥200.00" in html and "慰问金" in html
    assert "13812345678" not in html  # the member's mobile stays masked
    assert "激活会员账号" in html

    by_label = login(root).get("/audit/", {"action": "慰问"})
    assert [e.action for e in by_label.context["rows"]] == ["aid.relief.record"]
    picked = login(root).get("/audit/", {"kind": "portal.member_account.activate"})
    assert [e.action for e in picked.context["rows"]] == ["portal.member_account.activate"]
    assert '<option value="aid.relief.record">登记慰问</option>' in html


def test_the_page_has_no_inline_script(tree: Tree, root: User, login) -> None:
    html = login(root).get("/audit/").content.decode()
    inline = [
        tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag and "application/json" not in tag
    ]
    assert inline == []
    assert 'class="form-control form-control-sm"' in html
