"""Operations over the registry: `gonghui members-tally`, `gonghui stats`, closing an org with members."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import unscoped
from gonghui.members.models import MemberTally
from gonghui.members.services import member_register


@pytest.fixture
def registered(tree):
    for i, org in enumerate([tree.courier_union, tree.courier_union, tree.nanming]):
        member_register(
            actor=None,
            scope=None,
            org=org,
            id_number=id_number_with_check(f"520102199001{10 + i:02d}123"),
            fields={"name": f"测试{'甲乙丙'[i]}", "new_employment_type": "02" if org == tree.courier_union else ""},
        )
    return tree


def _run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("members_tally", *args, stdout=out, stderr=StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_tally_check_finds_drift_and_rebuild_repairs_it(registered) -> None:
    assert _run("--json") == (0, json.dumps({"differences": []}) + "\n")
    with unscoped():
        MemberTally.objects.filter(org=registered.courier_union).update(n=99)
    code, out = _run("--json")
    assert code == 1
    diff = json.loads(out)["differences"]
    assert diff == [
        {
            "org": "520201G001",
            "status": "active",
            "new_employment": True,
            "migrant": False,
            "tally": 99,
            "rows": 2,
        }
    ]
    assert _run("--rebuild", "--json")[0] == 0
    assert _run()[1].strip() == "会员计数与会籍记录一致。"


def test_stats_cli_counts_members_per_subtree(registered) -> None:
    def stats(code: str) -> dict[str, int]:
        out = StringIO()
        call_command("stats", "--org", code, "--json", stdout=out)
        return json.loads(out.getvalue().strip().splitlines()[-1])

    assert stats("520000")["members"] == 3
    assert stats("520000")["members_new_employment"] == 2
    assert stats("520200")["members"] == 2
    assert stats("520100")["members"] == 1
    assert stats("621100")["members"] == 0


def test_an_org_with_live_members_cannot_close(registered) -> None:
    from gonghui.core.errors import DomainError
    from gonghui.orgs.models import Org
    from gonghui.orgs.services import org_close

    with pytest.raises(DomainError) as refused:
        org_close(actor=None, scope=None, org=registered.courier_union)
    assert refused.value.code == "member.org_has_members"
    assert "2 条有效会籍" in refused.value.message
    with unscoped():
        assert Org.objects.get(pk=registered.courier_union.pk).closed_on is None
