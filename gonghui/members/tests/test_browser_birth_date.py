"""In a browser: the member page shows the birth year and age; the audited reveal swaps in the number and the date.

lps_admin  admin at 520200 (holds members.person.view_id)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gonghui.conftest import Tree
from gonghui.core.models import AuditEvent
from gonghui.members.tests.test_browser_members import Pages, id_number, masked, pages, register, world  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_reveal_swaps_in_the_number_and_the_birth_date(world: Tree, pages: Pages) -> None:  # noqa: F811
    number = id_number(12, birth="19900307")
    ms = register(world.courier_union, number, "王小明")
    admin = pages.desktop("lps_admin")
    admin.goto(f"/members/{ms.pk}/")
    expect(admin.get_by_test_id("birth")).to_contain_text("1990 年（")
    assert "1990-03-07" not in admin.content()
    with admin.expect_response(f"**/members/{ms.pk}/reveal-id/"):
        admin.get_by_role("button", name=re.compile("显示完整号码")).click()
    expect(admin.get_by_test_id("full-id")).to_have_text(number)
    expect(admin.get_by_test_id("full-birth-date")).to_have_text("1990-03-07")
    expect(admin.get_by_test_id("masked-id")).to_have_count(0)
    assert AuditEvent.all_objects.filter(action="members.person.view_id").count() == 1
    assert masked(number) not in admin.content()
