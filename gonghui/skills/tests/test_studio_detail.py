"""A studio's page through real HTTP: results with their benefit and sessions entered (a refused form keeps
what was typed), the yearly review listing what is no longer met, and another union's studio a 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.skills import innovation
from gonghui.skills.models import StudioApplication, StudioLevel, StudioResult, StudioSession

pytestmark = pytest.mark.django_db


def test_results_sessions_and_the_yearly_review(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    studio = innovation.studio_create(
        actor=None, scope=None, org=tree.dingxi, name="马铁军劳模创新工作室", leader_name="马铁军",
        leader_honor="national_model", founded_on=date(2018, 5, 1), premises="培训中心二楼", equipment="农机样机",
        funds_fen=3_000_000, has_rules=True, members=12, members_promoted=4,
    )  # fmt: skip
    dx = login(make_user("dx_officer", ("officer", "621100")))
    url = f"/skills/studios/{studio.pk}/"
    assert f'href="{url}"' in dx.get("/skills/studios/").content.decode()
    bad = dx.post(url, {"action": "result", "title": "山地型马铃薯收获机", "year": "1800", "benefit": "-5"})
    html = bad.content.decode()
    assert 'data-testid="error-year"' in html and 'data-testid="error-benefit"' in html and "山地型马铃薯收获机" in html
    assert not StudioResult.objects.exists()
    for n in range(3):
        resp = dx.post(url, {"action": "result", "title": f"收获机改进{n}", "year": "2024", "benefit": "12000"})
        assert resp.status_code == 302
    yesterday = timezone.localdate() - timedelta(days=1)
    assert (
        dx.post(url, {"action": "session", "held_on": yesterday.isoformat(), "title": "农机维修交流"}).status_code
        == 302
    )
    assert StudioSession.objects.filter(studio=studio).count() == 1
    page = dx.get(url).content.decode()
    assert "收获机改进2" in page and "3 项，经济效益 36000.00 元" in page
    # Not yet a level: no review; the 省级 application lists the one missing session.
    applied = innovation.studio_apply(actor=None, scope=None, studio=studio, level=StudioLevel.PROVINCE)
    assert applied.unmet == ["近一年交流培训 1 次，不足 2 次"]
    dx.post(url, {"action": "session", "held_on": yesterday.isoformat(), "title": "种薯培训"})
    assert innovation.studio_apply(actor=None, scope=None, studio=studio, level=StudioLevel.PROVINCE).granted
    # The yearly review: met now; after the results are gone it lists what is missing, the level stays.
    assert dx.post(url, {"action": "review"}).status_code == 302
    StudioResult.objects.filter(studio=studio).delete()
    followed = dx.post(url, {"action": "review"}, follow=True).content.decode()
    assert "年度考核未达到" in followed and "有经济效益的成果 0 项，不足 3 项" in followed
    studio.refresh_from_db()
    assert studio.level == StudioLevel.PROVINCE
    reviews = list(StudioApplication.objects.filter(studio=studio).order_by("pk").values_list("granted", flat=True))
    assert reviews == [False, True, True, False]
    assert AuditEvent.all_objects.filter(action="skills.studio.review").count() == 2
    other = login(make_user("gz", ("officer", "520000")))
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "review"}).status_code == 404
