"""The public holidays from a file: everyday date forms and spans, CSV and Excel, a year replaced whole, the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command

from gonghui.core.bulk import CellError
from gonghui.core.models import AuditEvent
from gonghui.stations.holidays import SHIPPED, parse_days, read_holidays
from gonghui.stations.models import Holiday
from gonghui.stations.selectors import stations_nearest
from gonghui.stations.tests.factories import make_station

SHANGHAI = ZoneInfo("Asia/Shanghai")


def days(first: str, last: str) -> list[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return [date.fromordinal(n) for n in range(a.toordinal(), b.toordinal() + 1)]


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-01",
        "2026/10/1",
        "2026.10.1",
        "2026年10月1日",
        "2026年10月1",
        "20261001",
        " 2026-10-01 ",
        "２０２６年１０月１日",
    ],
)
def test_one_day_in_the_forms_people_type(text: str) -> None:
    assert parse_days(text) == [date(2026, 10, 1)]


def test_an_excel_date_cell_and_serial() -> None:
    assert parse_days(datetime(2026, 10, 1)) == [date(2026, 10, 1)]
    assert parse_days(46296) == [date(2026, 10, 1)]  # Excel's serial for 2026-10-01


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026年10月1日至7日", "2026-10-01", "2026-10-07"),
        ("2026年2月15日至2月23日", "2026-02-15", "2026-02-23"),
        ("2026-05-01~2026-05-05", "2026-05-01", "2026-05-05"),
        ("2026/5/1—5/5", "2026-05-01", "2026-05-05"),
        ("2026年4月4日 到 6日", "2026-04-04", "2026-04-06"),
        ("2026年12月31日至1月2日", "2026-12-31", "2027-01-02"),  # into the next year
    ],
)
def test_a_span_as_the_notice_writes_it(text: str, first: str, last: str) -> None:
    assert parse_days(text) == days(first, last)


def test_a_date_without_its_year_takes_the_lists_year() -> None:
    assert parse_days("2月15日至23日", 2026) == days("2026-02-15", "2026-02-23")
    assert parse_days("6月19日", 2026) == [date(2026, 6, 19)]
    with pytest.raises(CellError, match="无法识别"):
        parse_days("6月19日")  # no year known yet


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "请填写日期"),
        ("2026-02-30", "日期不存在"),
        ("2026年10月", "只有年月"),
        ("十月一日", "无法识别"),
        ("2026年10月1日至2026年11月30日", "不超过 15 天"),
        ("2026年10月1日至", "无法识别"),
    ],
)
def test_what_is_refused(value: str, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        parse_days(value)


def test_the_shipped_list_is_the_state_councils_2026_and_the_statutory_2027() -> None:
    found = read_holidays(SHIPPED)
    assert found.errors == [] and found.years == [2026, 2027]
    in_2026 = {d: n for d, n in found.days.items() if d.year == 2026}
    # 国办发明电〔2025〕7号: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off.
    assert len(in_2026) == 33
    assert [d for d, n in in_2026.items() if n == "春节"] == days("2026-02-15", "2026-02-23")
    assert [d for d, n in in_2026.items() if n == "国庆节"] == days("2026-10-01", "2026-10-07")
    # 2027: the 13 statutory days of 《全国年节及纪念日放假办法》 (除夕 to 初三 is 2027-02-05..08).
    in_2027 = {d: n for d, n in found.days.items() if d.year == 2027}
    assert len(in_2027) == 13
    assert [d for d, n in in_2027.items() if n == "春节"] == days("2027-02-05", "2027-02-08")


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_excel_list_under_a_title_row_with_date_cells(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "节假日.xlsx",
        [
            ["2027年部分节假日安排"],
            ["序号", "节日名称", "放假日期"],
            [1, "元旦", datetime(2027, 1, 1)],
            [2, "春节", "2027年2月5日至2月11日"],
            [3, "清明节", "4月3日至5日"],  # the year from the rows above
        ],
    )
    found = read_holidays(path)
    assert found.errors == []
    assert sorted(found.days) == [
        date(2027, 1, 1),
        *days("2027-02-05", "2027-02-11"),
        *days("2027-04-03", "2027-04-05"),
    ]
    assert found.days[date(2027, 4, 4)] == "清明节"


def test_each_refused_row_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text("日期,节日\n2026-10-01,国庆节\n2026-13-01,错月\n2026-10-02,\n2026-10-01,中秋节\n", encoding="gbk")
    found = read_holidays(path)
    assert found.errors == [
        "第 3 行：日期：日期不存在（请检查月份和日）",
        "第 4 行：请填写节日名称",
        "第 5 行：2026年10月1日已是“国庆节”，不能又是“中秋节”",
    ]


# --- loading: the service and the command ----------------------------------------------------------


def run(*args: str) -> tuple[int, dict[str, object], str]:
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("stations", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()


@pytest.mark.django_db
def test_the_shipped_list_loads_once_and_again_changes_nothing() -> None:
    code, summary, _err = run("holidays", "load", "--shipped")
    assert code == 0
    assert summary["years"] == [2026, 2027] and summary["created"] == 46 and summary["rejected"] == 0
    assert Holiday.objects.get(day=date(2026, 10, 7)).name == "国庆节"
    code, again, _err = run("holidays", "load", "--shipped")
    assert (code, again["created"], again["unchanged"], again["removed"]) == (0, 0, 46, 0)
    events = AuditEvent.all_objects.filter(action="stations.holidays_load").order_by("pk")
    assert [e.data["created"] for e in events] == [46, 0]


@pytest.mark.django_db
def test_a_years_new_list_replaces_that_year_only(tmp_path: Path) -> None:
    run("holidays", "load", "--shipped")
    # The State Council's notice for 2027, with a longer 春节 than the statutory days.
    path = tmp_path / "2027.csv"
    path.write_text(
        "日期,节日\n2027年1月1日至3日,元旦\n2027年2月5日至11日,春节\n2027年10月1日至7日,国庆\n", "utf-8-sig"
    )
    code, summary, _err = run("holidays", "load", str(path))
    assert code == 0 and summary["years"] == [2027]
    assert Holiday.objects.filter(day__year=2026).count() == 33  # untouched
    assert sorted(Holiday.objects.filter(day__year=2027).values_list("day", flat=True)) == [
        *days("2027-01-01", "2027-01-03"),
        *days("2027-02-05", "2027-02-11"),
        *days("2027-10-01", "2027-10-07"),
    ]
    assert Holiday.objects.get(day=date(2027, 10, 2)).name == "国庆"
    # 清明, 劳动节, 端午, 中秋 of the old list are gone; 元旦, 春节 and 国庆's first days stayed (国庆 renamed).
    assert (summary["removed"], summary["updated"], summary["unchanged"]) == (5, 3, 5)
    assert summary["created"] == 17 - 8


@pytest.mark.django_db
def test_a_refused_row_loads_nothing_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("日期,节日\n2026-10-01,国庆节\n2026-10-32,国庆节\n", encoding="utf-8")
    code, summary, err = run("holidays", "load", str(path))
    assert code == 1 and summary["rejected"] == 1
    assert "第 3 行：日期：日期不存在" in err
    assert not Holiday.objects.exists()
    code, summary, _err = run("holidays", "load", "--shipped", "--dry-run")
    assert code == 0 and summary["days"] == 46 and "created" not in summary
    assert not Holiday.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("说明,内容\n放假,见通知\n", encoding="utf-8")
    code, summary, err = run("holidays", "load", str(path))
    assert code == 2 and "error" in summary and "日期" in err
    code, summary, err = run("holidays", "load", str(tmp_path / "missing.xlsx"))
    assert code == 2


@pytest.mark.django_db
def test_the_loaded_holidays_keep_a_weekday_station_closed(tree) -> None:  # type: ignore[no-untyped-def]
    """2026-10-02 is a Friday: without the list a weekdays-only station is open at 10:00; with it, closed."""
    make_station(tree.zhongshan, "HOL-1", weekend_opens=None, weekend_closes=None)
    at = datetime(2026, 10, 2, 10, 0, tzinfo=SHANGHAI)
    assert stations_nearest(lat=30.77, lng=111.32, at=at)[0].is_open is True
    run("holidays", "load", "--shipped")
    assert stations_nearest(lat=30.77, lng=111.32, at=at)[0].is_open is False
    assert stations_nearest(lat=30.77, lng=111.32, at=at, open_now=True) == []
