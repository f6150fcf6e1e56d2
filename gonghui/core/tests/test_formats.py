"""Numbers grouped by thousands under the Chinese locale (settings.FORMAT_MODULE_PATH, core/formats/zh_Hans)."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from gonghui.core.templatetags.fen import yuan

TEMPLATE = Template("{% load humanize %}{{ n|intcomma }} {{ y|intcomma }} {{ n }} {{ d|date }}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_intcomma_groups_by_three_with_a_comma(language) -> None:
    with translation.override(language):
        html = TEMPLATE.render(Context({"n": 1234567, "y": "12345.60", "d": datetime.date(2026, 3, 5)}))
    first, amount, bare, _date = html.split(" ", 3)
    assert (first, amount) == ("1,234,567", "12,345.60")
    # A bare number (a year, an id in a link) is never grouped: USE_THOUSAND_SEPARATOR stays off.
    assert bare == "1234567"


def test_chinese_dates_still_come_from_django() -> None:
    # The project's module only adds the separator: the rest of Django's zh_Hans formats stay.
    with translation.override("zh-hans"):
        assert Template("{{ d|date }}").render(Context({"d": datetime.date(2026, 3, 5)})) == "2026年3月5日"


@pytest.mark.parametrize(("fen", "printed"), [(123456789, "1,234,567.89"), (50000, "500.00"), (0, "0.00"), (None, "—")])
def test_yuan_filter_groups(fen, printed) -> None:
    assert yuan(fen) == printed
