"""Bounded reading (issue 15, item 1): every reader stops at `limits` before it allocates.

The attacker's files are built here, at test time (`hostile`), and each is read in a
child process limited to 300 MB of address space (`RLIMIT_AS`): the reader must
refuse it promptly, with the Chinese reason naming the limit, and neither run out
of memory nor be killed. The same files reach the upload form, whose preview reads
under a time budget. Then the limits one by one, in process: columns right of the
header band, cells, rows, lying zip headers, the zip's directory, the bank's text
answer, and the preview's shortcuts.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import os
import random
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gonghui.core.bulk import limits
from gonghui.core.bulk.extents import check_ods, check_xls
from gonghui.core.bulk.files import estimate_rows
from gonghui.core.bulk.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROW_BYTES,
    MAX_ROWS,
    MAX_ZIP_MEMBERS,
    ReadTimeout,
    TooLarge,
    UnreadableFile,
    read_deadline,
    rows_within,
)
from gonghui.core.bulk.readers import read_rows
from gonghui.core.tests import hostile as h

REPO = Path(__file__).resolve().parents[3]
ADDRESS_SPACE = 300 << 20
PROMPTLY = 10.0  # seconds, for the child's whole run (it refuses in milliseconds; the machine may be busy)

HEADER = h.rows_xml([["姓名", "公民身份号码", "手机号码"]])
STYLES = b'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
)
ONE_STRING_CELL = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'

READ_LIMITED = textwrap.dedent(
    """
    import itertools, json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from gonghui.core.bulk.limits import read_deadline, rows_within
    from gonghui.core.bulk.readers import UnreadableFile, read_rows
    for mode in sys.argv[2:]:
        started = time.monotonic()
        try:
            if mode == "preview":  # as the upload's preview reads: within a time budget, the first rows
                with read_deadline(5) as budget:
                    rows = read_rows(sys.argv[1])
                count = sum(1 for _ in itertools.islice(rows_within(rows, budget), 30))
            else:  # as a job reads: every row
                count = sum(1 for _ in read_rows(sys.argv[1]))
            outcome = {{"read": count}}
        except UnreadableFile as exc:
            outcome = {{"refused": type(exc).__name__, "message": str(exc)}}
        outcome["seconds"] = time.monotonic() - started
        print(json.dumps(outcome, ensure_ascii=False), flush=True)
    """
).format(limit=ADDRESS_SPACE)


def read_limited(path: Path, *modes: str) -> list[dict[str, Any]]:
    """Read `path` in a child limited to 300 MB of address space, once per mode; what happened, as it saw it."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", READ_LIMITED, str(path), *(modes or ("import",))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    # Not killed (a signal), no MemoryError or other traceback: the reader answered.
    assert done.returncode == 0, done.stderr[-3000:]
    assert "MemoryError" not in done.stderr
    return [json.loads(line) for line in done.stdout.strip().splitlines()]


# --- the attacker's files ----------------------------------------------------------------------------


def far_column(path: Path) -> Path:
    """2 KB: 20 rows, each with a cell in column AAAAAA (a row list of 12 million blanks, padded)."""
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>王{i}</t></is></c><c r="AAAAAA{i}"><v>1</v></c></row>'
        for i in range(2, 22)
    )
    return h.xlsx(path, HEADER + rows)


def styles_bomb(path: Path) -> Path:
    """512 KB whose xl/styles.xml inflates to 512 MB."""
    return h.xlsx(path, HEADER, styles=h.repeated(b" ", 512 << 20, head=STYLES, tail=b"</styleSheet>"))


def unterminated_shared_string_bomb(path: Path) -> Path:
    """1 MB: one shared string that never ends, 1 GB of it."""
    return h.xlsx(path, ONE_STRING_CELL, shared_strings=h.repeated(b"A", 1 << 30, head=STRINGS))


def unterminated_shared_string(path: Path) -> Path:
    """5 MB: a shared string that never ends, of text that barely compresses (so no ratio check catches it)."""
    rnd = random.Random(15)
    text = bytes(rnd.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6 << 20))
    return h.xlsx(path, ONE_STRING_CELL, shared_strings=[STRINGS, text])


def whitespace_row(path: Path) -> Path:
    """512 KB: a header and 11 good rows, then row 13 of 512 MB of spaces."""
    good = h.rows_xml([["姓名", "公民身份号码", "手机号码"]] + [[f"王{i}", "5201", "139"] for i in range(11)])
    head = good.encode() + b'<row r="13"><c r="A13" t="inlineStr"><is><t>'
    return h.xlsx(path, h.repeated(b" ", 512 << 20, head=head, tail=b"</t></is></c></row>"))


def repeated_ods(path: Path) -> Path:
    """Under 1 KB: one cell repeated 4,000 columns by 4,000 rows (16 million cells for calamine)."""
    return h.ods(path, h.ods_row([h.ods_cell("炸", repeat=4000)], repeat=4000))


def one_field_csv(path: Path) -> Path:
    """100 MB: one field, no line end (written as it streams)."""
    with path.open("wb") as f:
        for _ in range(100):
            f.write(b"x" * (1 << 20))
    return path


def quoted_lines_csv(path: Path) -> Path:
    """100 MB: a header, then one quoted field of a million short lines (every line is short, the record is not)."""
    with path.open("wb") as f:
        f.write("姓名\n".encode() + b'"')
        block = (b"x" * 99 + b"\n") * 10_486
        for _ in range(100):
            f.write(block)
        f.write(b'"\n')
    return path


def xls_claiming_dimensions(path: Path) -> Path:
    """5 KB: one cell, and a DIMENSIONS record claiming 4 billion rows by 256 columns (calamine reserves them)."""
    return h.xls(path, [(0, 0, "姓名")], dimensions=[(0, 0xFFFFFFF0, 0, 256)])


def xls_far_apart(path: Path) -> Path:
    """5 KB: two cells, A1 and IV65536 (calamine lays out the 16.7 million between)."""
    return h.xls(path, [(0, 0, "姓名"), (65535, 255, 1.0)])


HOSTILE = [
    pytest.param(far_column, "far.xlsx", f"超出第 {MAX_COLUMNS} 列", id="xlsx-column-AAAAAA"),
    pytest.param(styles_bomb, "styles.xlsx", "样式表（xl/styles.xml）解压后超过 32 MB", id="xlsx-styles-bomb"),
    pytest.param(unterminated_shared_string_bomb, "sst.xlsx", "共享字符串表", id="xlsx-shared-string-bomb"),
    pytest.param(
        unterminated_shared_string, "sst2.xlsx", "第 1 项超过 4 MB 的上限（或没有结束标记）", id="xlsx-shared-string"
    ),
    pytest.param(whitespace_row, "row.xlsx", "工作表的压缩比超过 250 倍", id="xlsx-whitespace-row"),
    pytest.param(repeated_ods, "repeat.ods", "超过 2000000 个单元格的上限", id="ods-4000x4000"),
    pytest.param(one_field_csv, "field.csv", f"第 1 行超过 {MAX_ROW_BYTES} 个字符的上限", id="csv-100MB-field"),
    pytest.param(quoted_lines_csv, "quoted.csv", f"第 2 行超过 {MAX_ROW_BYTES} 个字符的上限", id="csv-quoted-lines"),
    pytest.param(xls_claiming_dimensions, "dims.xls", "超过 2000000 个单元格的上限", id="xls-dimensions"),
    pytest.param(xls_far_apart, "far.xls", "超过 2000000 个单元格的上限", id="xls-A1-IV65536"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each hostile file built once for the module (a few take seconds to deflate)."""
    folder = tmp_path_factory.mktemp("hostile")
    cache: dict[str, Path] = {}

    def get(build, name: str) -> Path:
        if name not in cache:
            cache[name] = build(folder / name)
        return cache[name]

    return get


@pytest.mark.parametrize(("build", "name", "message"), HOSTILE)
def test_a_hostile_file_is_refused_promptly_in_300_mb(built, build, name: str, message: str) -> None:
    path = built(build, name)
    for mode, outcome in zip(("import", "preview"), read_limited(path, "import", "preview"), strict=True):
        assert outcome.get("refused") == "TooLarge", (mode, outcome)
        assert message in outcome["message"], (mode, outcome)
        assert outcome["seconds"] < PROMPTLY, (mode, outcome)


def test_the_child_reads_an_ordinary_workbook_in_300_mb(tmp_path: Path) -> None:
    rows = [["姓名", "公民身份号码", "手机号码"]] + [[f"王{i}", "520102199001010018", "139"] for i in range(2000)]
    assert read_limited(h.xlsx(tmp_path / "fine.xlsx", h.rows_xml(rows)), "import", "preview") == [
        {"read": 2001, "seconds": pytest.approx(0, abs=PROMPTLY)},
        {"read": 30, "seconds": pytest.approx(0, abs=PROMPTLY)},
    ]
    ods = h.ods(tmp_path / "fine.ods", h.ods_row([h.ods_cell("姓名")]) * 50)
    assert [o["read"] for o in read_limited(ods, "import", "preview")] == [50, 30]


# --- the upload form: the same files, refused on the form within the preview's budget ----------------


@pytest.fixture
def officer(tree, make_user, settings, tmp_path: Path):
    settings.DATA_DIR = tmp_path
    return make_user("limits_officer", ("officer", "520200"))


def _upload(client, name: str, content: bytes):
    f = io.BytesIO(content)
    f.name = name
    return client.post("/imports/new/", {"kind": "members", "org": "520201G001", "file": f})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "name", "message"),
    [HOSTILE[0], HOSTILE[4], HOSTILE[5], HOSTILE[8]],
)
def test_the_preview_refuses_a_hostile_file_on_the_form(
    officer, login, built, tmp_path: Path, build, name: str, message: str
) -> None:
    from gonghui.core.models import BulkJob

    content = built(build, name).read_bytes()
    client = login(officer)
    started = time.monotonic()
    resp = _upload(client, name, content)
    assert time.monotonic() - started < PROMPTLY
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "无法导入该文件：" in page and message in page
    assert not BulkJob.all_objects.exists()
    assert not list((tmp_path / "uploads" / "pending").iterdir())


@pytest.mark.django_db
def test_the_preview_stops_at_its_time_budget_and_shows_what_it_read(
    officer, login, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("gonghui.imports.views.PREVIEW_SECONDS", 0.5)
    header = "姓名,身份证号,手机号码,所属工会代码"
    lines = [header, "王一,520102199001010018,13900000000,520201G001"] + [","] * 600_000
    client = login(officer)
    started = time.monotonic()
    resp = _upload(client, "blank-lines.csv", "\n".join(lines).encode())
    assert time.monotonic() - started < PROMPTLY
    assert resp.status_code == 302  # the header was read in time: the preview is shown with what was read
    page = client.get(resp.url).content.decode()
    assert "王一" in page


def test_a_read_that_outlasts_its_budget_is_a_timeout(tmp_path: Path) -> None:
    lines = ["姓名,手机号码", *(["王一,139"] * 200_000)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with read_deadline(0.0):
        rows = read_rows(path)
        with pytest.raises(ReadTimeout, match="读取超时"):
            list(rows)
    with read_deadline(0.0) as budget:
        rows = read_rows(path)
    assert list(rows_within(rows, budget)) == []  # the preview's loop: what was read, no error
    assert len(list(read_rows(path))) == 200_001  # no budget outside the preview


# --- the limits one by one -----------------------------------------------------------------------------


def test_cells_right_of_the_header_band_are_dropped_and_rows_not_padded(tmp_path: Path) -> None:
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="J1"><v>1</v></c></row>']
    rows += [f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(2, 26)]
    rows.append('<row r="26"><c r="A26"><v>26</v></c><c r="J26"><v>2</v></c><c r="XFD26"><v>3</v></c></row>')
    got = list(read_rows(h.xlsx(tmp_path / "band.xlsx", "".join(rows))))
    assert len(got[0]) == 10  # in the band, a far cell is kept (up to XFD)
    assert got[25] == [26.0, "", "", "", "", "", "", "", "", 2.0]  # past it, XFD26 is dropped, J26 kept
    assert all(len(row) <= 10 for row in got[20:])


def test_a_row_within_the_band_may_reach_xfd_but_not_past_it(tmp_path: Path) -> None:
    got = list(read_rows(h.xlsx(tmp_path / "xfd.xlsx", '<row r="1"><c r="XFD1"><v>1</v></c></row>')))
    assert len(got[0]) == MAX_COLUMNS
    with pytest.raises(TooLarge, match="超出第 16384 列"):
        list(read_rows(h.xlsx(tmp_path / "xfe.xlsx", '<row r="1"><c r="XFE1"><v>1</v></c></row>')))
    # Cells without references count one after another: the 16,385th is past XFD.
    many = "<row>" + "<c><v>1</v></c>" * (MAX_COLUMNS + 1) + "</row>"
    with pytest.raises(TooLarge, match="超出第 16384 列"):
        list(read_rows(h.xlsx(tmp_path / "many.xlsx", many)))


def test_a_cell_longer_than_excel_allows_is_refused_naming_it(tmp_path: Path) -> None:
    ok = "字" * MAX_CELL_CHARS
    fine = h.xlsx(tmp_path / "ok.xlsx", h.rows_xml([["备注"], [ok]]))
    assert list(read_rows(fine))[1] == [ok]
    long = h.xlsx(tmp_path / "long.xlsx", h.rows_xml([["备注"], ["字" * (MAX_CELL_CHARS + 1)]]))
    with pytest.raises(TooLarge, match="单元格 A2 超过 32767 个字符（Excel 的上限）"):
        list(read_rows(long))
    strings = STRINGS + ("字" * (MAX_CELL_CHARS + 1)).encode() + b"</t></si></sst>"
    with pytest.raises(TooLarge, match="第 1 项超过 32767 个字符"):
        list(read_rows(h.xlsx(tmp_path / "sst.xlsx", ONE_STRING_CELL, shared_strings=strings)))
    long_csv = tmp_path / "long.csv"
    long_csv.write_text("姓名,备注\n王一," + "x" * (MAX_CELL_CHARS + 1) + "\n", encoding="utf-8")
    with pytest.raises(TooLarge, match="第 2 行第 2 列的单元格超过 32767 个字符"):
        list(read_rows(long_csv))
    spaces = (
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="40000"/></text:p></table:table-cell>'
    )
    ods = h.ods(tmp_path / "spaces.ods", h.ods_row([spaces]))
    with pytest.raises(TooLarge, match="超过 32767 个字符"):
        list(read_rows(ods))


def test_a_row_larger_than_the_limit_is_refused_not_gathered(tmp_path: Path) -> None:
    rnd = random.Random(1)
    noise = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(MAX_ROW_BYTES + 10))
    cells = "".join(f'<c t="inlineStr"><is><t>{noise[i : i + 30000]}</t></is></c>' for i in range(0, len(noise), 30000))
    path = h.xlsx(tmp_path / "wide.xlsx", HEADER + f'<row r="2">{cells}</row>', compresslevel=1)
    with pytest.raises(TooLarge, match="第 2 行超过 4 MB 的上限（每行的大小）"):
        list(read_rows(path))


def test_row_numbers_and_row_counts_stop_at_excel_s(tmp_path: Path) -> None:
    far = h.xlsx(tmp_path / "far.xlsx", HEADER + f'<row r="{MAX_ROWS + 1}"><c><v>1</v></c></row>')
    with pytest.raises(TooLarge, match="1048576"):
        list(read_rows(far))
    huge = h.xlsx(tmp_path / "huge.xlsx", HEADER + '<row r="99999999999999999999"><c><v>1</v></c></row>')
    with pytest.raises(TooLarge, match="1048576"):
        list(read_rows(huge))
    many = tmp_path / "rows.csv"
    many.write_bytes(b"a\n" * (MAX_ROWS + 1))
    with pytest.raises(TooLarge, match="文件超过 1048576 行"):
        list(read_rows(many))
    wide = tmp_path / "wide.csv"
    wide.write_text("," * MAX_COLUMNS + "\n", encoding="utf-8")
    with pytest.raises(TooLarge, match="第 1 行超过 16384 列"):
        list(read_rows(wide))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_csv_is_read_in_blocks_exactly_as_the_csv_module_reads_it(tmp_path: Path, newline: str) -> None:
    rnd = random.Random(newline)
    records = [["姓名", "备注", "手机号码"]]
    for i in range(6000):  # about 300 KB: lines cross the 64 K blocks, "\r\n" is cut between two of them
        note = rnd.choice(["", "多行\n备注", '引号"和,逗号', "换页\x0c与\u2028分隔", "x" * rnd.randint(0, 90)])
        records.append([f"王{i}", note, f"139{i:08d}"])
    path = tmp_path / "tricky.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator=newline).writerows(records)
    with path.open(encoding="utf-8", newline="") as f:
        whole = list(csv.reader(f))  # as the csv module reads the file as one stream
    assert list(read_rows(path)) == whole
    if newline != "\r":  # (with "\r" line ends the writer leaves a "\n" in a cell unquoted: not the same rows)
        assert whole == records


def test_a_csv_made_to_stall_the_delimiter_sniffer_is_read_promptly(tmp_path: Path) -> None:
    path = tmp_path / "sniff.csv"
    path.write_text(',"' * 32_768 + "\n", encoding="utf-8")  # 41 s in csv.Sniffer on its 64 KB
    started = time.monotonic()
    with contextlib.suppress(UnreadableFile):  # what it makes of the quotes matters less than when
        list(read_rows(path))
    assert time.monotonic() - started < 3


def test_a_zip_header_that_lies_about_a_member_s_size_is_caught_while_inflating(tmp_path: Path) -> None:
    rows = h.rows_xml([["姓名"]] + [[f"王{i}"] for i in range(5000)])
    path = h.lie_about_size(h.xlsx(tmp_path / "lie.xlsx", rows.encode()), "xl/worksheets/sheet1.xml", 1000)
    with zipfile.ZipFile(path) as z:  # zipfile believes it: 1,000 bytes, checksum sound
        assert len(z.read("xl/worksheets/sheet1.xml")) == 1000
    with pytest.raises(UnreadableFile, match="比声明的更大"):
        list(read_rows(path))


def test_a_zip_with_too_many_members_is_refused_before_its_directory_is_read(tmp_path: Path) -> None:
    path = tmp_path / "members.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(MAX_ZIP_MEMBERS + 1):
            z.writestr(f"x/{i}", b"")
    with pytest.raises(TooLarge, match=f"超过 {MAX_ZIP_MEMBERS} 个的上限"):
        list(read_rows(path))


def test_xls_and_ods_are_measured_before_calamine_and_damage_is_caught(tmp_path: Path) -> None:
    assert check_xls(h.xls(tmp_path / "ok.xls", [(0, 0, "姓名"), (9, 2, 1.0)])).cells == 30
    assert (
        check_ods(h.ods(tmp_path / "ok.ods", h.ods_row([h.ods_cell("a"), h.ods_cell(1.0, repeat=3)]) * 5)).cells == 20
    )
    # A sector chain that loops (calamine would follow it for ever).
    path = h.xls(tmp_path / "loop.xls", [(0, 0, "姓名")])
    data = bytearray(path.read_bytes())
    fat, sector = 512, 2  # the FAT is sector 0 (at 512), the stream starts at sector 2
    while int.from_bytes(data[fat + 4 * sector : fat + 4 * sector + 4], "little") != 0xFFFFFFFE:
        sector = int.from_bytes(data[fat + 4 * sector : fat + 4 * sector + 4], "little")
    data[fat + 4 * sector : fat + 4 * sector + 4] = (2).to_bytes(4, "little")  # its last sector leads back
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile, match="已损坏"):
        list(read_rows(path))
    # Trailing empty cells repeated to the sheet's edge, as LibreOffice writes them: nothing laid out.
    edge = h.ods_row([h.ods_cell("姓名"), '<table:table-cell table:number-columns-repeated="16383"/>'])
    edge += h.ods_row(['<table:table-cell table:number-columns-repeated="16384"/>'], repeat=1048575)
    assert check_ods(h.ods(tmp_path / "edge.ods", edge)).cells == 1
    assert list(read_rows(tmp_path / "edge.ods")) == [["姓名"]]


def test_estimating_rows_never_loads_a_hostile_workbook(tmp_path: Path) -> None:
    assert estimate_rows(repeated_ods(tmp_path / "bomb.ods")) is None
    assert estimate_rows(xls_far_apart(tmp_path / "far.xls")) is None
    assert estimate_rows(h.xls(tmp_path / "ok.xls", [(0, 0, "姓名"), (6, 0, "王")])) == 7
    assert estimate_rows(h.ods(tmp_path / "ok.ods", h.ods_row([h.ods_cell("a")]) * 4)) == 4


def test_the_preview_loads_only_the_first_rows_of_an_ods(tmp_path: Path) -> None:
    rows = ["<table:table-header-rows>", h.ods_row([h.ods_cell("姓名"), h.ods_cell("手机号码")])]
    rows += ["</table:table-header-rows><table:table-row-group>"]
    rows += [h.ods_row([h.ods_cell(f"王{i}"), h.ods_cell(float(i))]) for i in range(5000)]
    rows += ["</table:table-row-group>"]
    path = h.ods(tmp_path / "long.ods", "".join(rows))
    whole = list(read_rows(path))
    with read_deadline(5) as budget:
        first = list(itertools.islice(rows_within(read_rows(path), budget), 30))
    assert len(whole) == 5001 and first == whole[:30]


def test_the_preview_skips_the_merged_cells_of_a_large_sheet(tmp_path: Path, monkeypatch) -> None:
    rows = h.rows_xml([["所属工会代码", "姓名"], ["520201", "王一"], ["", "王二"]] + [["", "某"]] * 40_000)
    sheet = rows + '</sheetData><mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells><sheetData>'
    path = h.xlsx(tmp_path / "merged.xlsx", sheet)
    assert list(read_rows(path))[2] == ["520201", "王二"]
    monkeypatch.setattr("gonghui.core.bulk.readers.PREVIEW_SCAN_BYTES", 64)
    with read_deadline(5):
        assert list(read_rows(path))[2] == ["", "王二"]


def test_the_bank_text_answer_is_read_within_the_limits(tmp_path: Path) -> None:
    from gonghui.payouts.adapters import read_bank_answer

    first = "GH000000000012|3|1300.00|520201|20250501\r\n"
    ok = tmp_path / "ok.txt"
    ok.write_bytes((first + "41|王一|6217950000000000418|500.00|困难补助|春节|成功||多余\r\n").encode("gb18030"))
    table = read_bank_answer(ok)
    assert table is not None
    assert list(table.rows) == [(2, ["41", "王一", "6217950000000000418", "500.00", "困难补助", "春节", "成功", ""])]
    long = tmp_path / "long.txt"
    long.write_bytes(first.encode() + b"41|" + b"x" * (MAX_ROW_BYTES + 1))
    table = read_bank_answer(long)
    assert table is not None
    with pytest.raises(TooLarge, match="第 2 行超过"):
        list(table.rows)
    fields = tmp_path / "fields.txt"
    fields.write_bytes(first.encode() + b"|" * MAX_COLUMNS + b"\r\n")
    table = read_bank_answer(fields)
    assert table is not None
    with pytest.raises(TooLarge, match="16384 个字段"):
        list(table.rows)


def test_the_limits_live_in_one_place_and_docs_give_their_values() -> None:
    names = [n for n in dir(limits) if n.isupper() and len(n) > 2]
    assert {"MAX_CELL_CHARS", "MAX_ROWS", "MAX_COLUMNS", "MAX_ROW_BYTES", "MAX_ZIP_RATIO", "PREVIEW_SECONDS"} <= set(
        names
    )
    docs = (REPO / "docs" / "imports.md").read_text(encoding="utf-8")

    def shown(name: str, value: float) -> str:
        if name == "PREVIEW_SECONDS":
            return f"{value:g} s"
        return f"{int(value) // limits.MB} MB" if name.endswith("_BYTES") else f"{int(value):,}"

    assert [n for n in names if f"| `{n}` | {shown(n, getattr(limits, n))} |" not in docs] == []
