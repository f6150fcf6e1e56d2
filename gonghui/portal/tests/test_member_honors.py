"""A member sees their own honors on the phone (`/m/honors/`: title, level, year, awarding body) and opens
or downloads their certificate's PDF; another member's honor is not found, staff and strangers are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.conftest import PASSWORD
from gonghui.honors.models import CampaignKind
from gonghui.honors.services import HonorIn, honor_record
from gonghui.honors.tests.awarding import award
from gonghui.honors.tests.conftest import build
from gonghui.portal.services import member_account_create

pytestmark = pytest.mark.django_db


def test_a_member_sees_their_honors_and_their_certificate(tree: Any, make_user: Any) -> None:
    hw = build(tree, make_user)
    held = award(hw, 0)[0]
    assert held.certificate is not None
    honor_record(
        **hw.as_("city_officer"), membership=hw.members[0],
        honor=HonorIn(CampaignKind.MODEL_WORKER, "六盘水市劳动模范", "市级", "六盘水市人民政府", 2019),
    )  # fmt: skip
    other = honor_record(
        **hw.as_("city_officer"), membership=hw.members[1],
        honor=HonorIn(CampaignKind.MAY_DAY_MEDAL, "贵州省五一劳动奖章", "省级", "贵州省总工会", 2025),
    )  # fmt: skip
    mine = member_account_create(actor=None, person=hw.members[0].person, username="13800000931", password=PASSWORD)
    me = Client()
    me.force_login(mine.user)
    assert "我的荣誉" in me.get("/m/").content.decode()
    html = me.get("/m/honors/").content.decode()
    for text in ("六盘水市最美劳动者", "2026年 · 市级", "授予单位：六盘水市总工会", "六盘水市劳动模范", "2019年"):
        assert text in html, text
    assert "贵州省五一劳动奖章" not in html  # 周师傅's, not theirs
    assert html.index("六盘水市最美劳动者") < html.index("六盘水市劳动模范")  # newest first
    assert "暂无电子证书" in html and held.certificate.serial in html

    opened = me.get(f"/m/honors/{held.pk}/certificate.pdf")
    assert opened.status_code == 200 and opened["Content-Type"] == "application/pdf"
    assert opened.content.startswith(b"%PDF") and opened["Content-Disposition"].startswith("inline")
    downloaded = me.get(f"/m/honors/{held.pk}/certificate.pdf", {"download": "1"})
    assert (
        downloaded["Content-Disposition"].startswith("attachment")
        and held.certificate.serial in downloaded["Content-Disposition"]
    )
    # Another member's honor, and an honor without a certificate: not found.
    assert me.get(f"/m/honors/{other.pk}/certificate.pdf").status_code == 404
    recorded = me.get("/m/honors/").context["rows"][1]
    assert me.get(f"/m/honors/{recorded.pk}/certificate.pdf").status_code == 404

    theirs = member_account_create(actor=None, person=hw.members[1].person, username="13800000932", password=PASSWORD)
    them = Client()
    them.force_login(theirs.user)
    assert "六盘水市最美劳动者" not in them.get("/m/honors/").content.decode()
    assert them.get(f"/m/honors/{held.pk}/certificate.pdf").status_code == 404
    # Staff are not members; a stranger is sent to log in.
    staff = Client()
    staff.force_login(hw.users["city_officer"])
    assert staff.get("/m/honors/").status_code == 403
    assert Client().get("/m/honors/").status_code == 302
