"""The export page promises a re-import only for the kinds whose export reads back unchanged (issue 14, item 5).

The members, orgs and credit_referrals exports are written in their import's own columns
and have round-trip tests (members/tests/test_export.py, orgs/tests/test_round_trip.py,
cards/tests/test_credit_round_trip.py, imports/tests/test_web_round_trip.py).
The other exports (困难职工档案, the banks' lists…) are for reading and reporting:
the page used to say of every one of them "导出的文件可以修改后再导入".
"""

from __future__ import annotations

import pytest

from gonghui.core.bulk.kinds import all_kinds

pytestmark = pytest.mark.django_db


def test_only_the_round_tripped_kinds_are_reimportable() -> None:
    assert sorted(k.name for k in all_kinds() if k.reimportable) == ["credit_referrals", "members", "orgs"]


def test_the_page_promises_the_round_trip_for_those_kinds_only(tree, make_user, login) -> None:
    page = login(make_user("gz_admin", ("admin", "520000"))).get("/imports/export/?kind=hardship_files")
    assert page.status_code == 200
    text = page.content.decode()
    assert "困难职工档案" in text  # offered for export…
    promise = text.split('data-testid="reimportable">', 1)[1].split("</span>", 1)[0]
    # …but not promised back.
    assert promise == (
        "黔优信用卡推荐（银行审批结果／推荐清单）、会员花名册、工会组织的导出文件可以修改后再导入（脱敏的单元格保持不变）；"
        "其他内容的导出供查阅和报送，不能导回。"
    )
    assert "导出的文件可以修改后再导入" not in text


def test_a_cadre_who_may_export_no_reimportable_kind_is_promised_nothing(tree, make_user, login) -> None:
    from gonghui.accounts.models import Role
    from gonghui.aid.permissions import AidPerm

    Role.objects.create(name="aid_reader", label="帮扶档案查看", permissions=[str(AidPerm.VIEW)])
    page = login(make_user("aid_reader", ("aid_reader", "520200"))).get("/imports/export/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "困难职工档案" in text
    assert "修改后再导入" not in text
