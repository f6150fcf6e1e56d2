"""A refused choice of participants shows the campaign again with the boxes as they were ticked, the
refusal above them: not the saved list again, which threw the new choice away."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.benefits.models import Store
from gonghui.benefits.tests.test_pages import files_in_tmp, snapshot, world  # noqa: F401  (the fixtures)
from gonghui.core.tests.forms import field_values

pytestmark = pytest.mark.django_db


def test_a_refused_choice_of_stores_keeps_the_boxes_ticked(world: dict[str, Any]) -> None:  # noqa: F811
    a, _b, c = world["stores"]
    Store.objects.filter(pk=c.pk).update(is_active=False)  # closed meanwhile, in another tab
    url = f"/benefits/campaigns/{world['campaign'].pk}/"
    before = snapshot()
    resp = world["clients"]["officer"].post(
        f"{url}participants/", {"merchant": [world["merchant"].pk], "store": [a.pk, c.pk]}
    )
    assert resp.status_code == 200 and snapshot() == before
    assert [str(m) for m in resp.context["messages"]] == [f"门店“{c.name}”已停业，不能记录普惠交易或参加活动。"]
    ticked = field_values(resp.content.decode())
    assert ticked["merchant"] == str(world["merchant"].pk)
    assert set(ticked["store"].split("|")) == {str(a.pk), str(c.pk)}
