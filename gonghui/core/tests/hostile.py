"""Hostile spreadsheets, built at test time (issue 15, item 1): small files that unfold into huge ones.

XLSX and ODS are written with `zipfile` around hand-written XML (parts may be byte
generators, deflated as they stream, so a file that inflates to half a gigabyte
is written without holding it); XLS as a minimal BIFF8 workbook in a compound
file, written here byte by byte (no library writes XLS). Each builder gives the
path back.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

Part = bytes | str | Iterable[bytes]

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _write(z: zipfile.ZipFile, name: str, part: Part) -> None:
    if isinstance(part, str):
        part = part.encode("utf-8")
    if isinstance(part, bytes):
        z.writestr(name, part)
        return
    with z.open(name, "w", force_zip64=True) as f:
        for chunk in part:
            f.write(chunk)


def repeated(piece: bytes, size: int, *, head: bytes = b"", tail: bytes = b"") -> Iterator[bytes]:
    """`head`, then `piece` over and over to about `size` bytes, then `tail` (streamed in 1 MB chunks)."""
    yield head
    block = piece * max(1, (1 << 20) // len(piece))
    written = 0
    while written < size:
        yield block
        written += len(block)
    yield tail


def rows_xml(rows: Iterable[Iterable[str]]) -> str:
    """Inline-string rows, numbered from 1."""
    out = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in row)
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def xlsx(
    path: Path,
    sheet_data: Part,
    *,
    shared_strings: Part | None = None,
    styles: Part | None = None,
    compresslevel: int = 9,
) -> Path:
    """A workbook whose sheet1.xml is `<worksheet><sheetData>` + `sheet_data` + `</sheetData></worksheet>`."""
    if isinstance(sheet_data, str):
        sheet_data = sheet_data.encode("utf-8")
    if isinstance(sheet_data, bytes):
        sheet_data = [sheet_data]
    sheet = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode(), *sheet_data]
    sheet.append(b"</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        _write(z, "[Content_Types].xml", CONTENT_TYPES)
        _write(z, "_rels/.rels", ROOT_RELS)
        _write(z, "xl/workbook.xml", WORKBOOK)
        _write(z, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _write(z, "xl/worksheets/sheet1.xml", iter(sheet))
        if shared_strings is not None:
            _write(z, "xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            _write(z, "xl/styles.xml", styles)
    return path


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods_cell(value: str | float, *, repeat: int = 1) -> str:
    repeated_attr = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if isinstance(value, str):
        return (
            f'<table:table-cell office:value-type="string"{repeated_attr}><text:p>{value}</text:p></table:table-cell>'
        )
    return f'<table:table-cell office:value-type="float" office:value="{value}"{repeated_attr}/>'


def ods_row(cells: Iterable[str], *, repeat: int = 1) -> str:
    repeated_attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated_attr}>{''.join(cells)}</table:table-row>"


def ods(path: Path, table_rows: Part) -> Path:
    """A spreadsheet whose first table holds `table_rows` (table:table-row elements)."""
    if isinstance(table_rows, str):
        table_rows = table_rows.encode("utf-8")
    if isinstance(table_rows, bytes):
        table_rows = [table_rows]
    content = [ODS_HEAD.encode(), *table_rows, ODS_TAIL.encode()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        _write(z, "META-INF/manifest.xml", ODS_MANIFEST)
        _write(z, "content.xml", iter(content))
    return path


# --- XLS: BIFF8 records in a compound file (MS-XLS, MS-CFB) ----------------------------------------


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHLL", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


XlsCell = tuple[int, int, str | float]


def _sheet_records(cells: Iterable[XlsCell], dimensions: tuple[int, int, int, int] | None) -> bytes:
    cells = list(cells)
    if dimensions is None:
        rows = [r for r, _, _ in cells] or [0]
        columns = [c for _, c, _ in cells] or [0]
        dimensions = (min(rows), max(rows) + 1, min(columns), max(columns) + 1)
    out = [_bof(0x0010), _record(0x0200, struct.pack("<LLHHH", *dimensions, 0))]
    for row, column, value in cells:
        if isinstance(value, str):
            text = value.encode("utf-16-le")
            out.append(_record(0x0204, struct.pack("<HHHHB", row, column, 0, len(value), 1) + text))
        else:
            out.append(_record(0x0203, struct.pack("<HHHd", row, column, 0, float(value))))
    out.append(_record(0x000A, b""))
    return b"".join(out)


def _workbook_stream(sheets: list[bytes]) -> bytes:
    def globals_(positions: list[int]) -> bytes:
        out = [_bof(0x0005), _record(0x0042, struct.pack("<H", 1200))]
        for number, position in enumerate(positions, start=1):
            name = f"Sheet{number}".encode("ascii")
            out.append(_record(0x0085, struct.pack("<LBBBB", position, 0, 0, len(name), 0) + name))
        out.append(_record(0x000A, b""))
        return b"".join(out)

    size = len(globals_([0] * len(sheets)))
    positions = []
    for sheet in sheets:
        positions.append(size)
        size += len(sheet)
    stream = globals_(positions) + b"".join(sheets)
    return stream + b"\x00" * max(0, 4096 - len(stream))  # a stream in the regular sectors, not the mini stream


def _cfb(stream: bytes) -> bytes:
    """A version-3 compound file (512-byte sectors): FAT sectors, one directory sector, then `stream`."""
    sector = 512
    stream_sectors = -(-len(stream) // sector)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + 1 + stream_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("this builder keeps the FAT in the header's DIFAT")
    directory = fat_sectors
    first = fat_sectors + 1
    fat = [0xFFFFFFFD] * fat_sectors + [0xFFFFFFFE]
    fat += [first + i + 1 for i in range(stream_sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))
    difat = list(range(fat_sectors)) + [0xFFFFFFFF] * (109 - fat_sectors)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<LLLLLLLLL", 0, fat_sectors, directory, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<109L", *difat)
    )

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<LLL", 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\x00" * 16
            + struct.pack("<LQQ", 0, 0, 0)
            + struct.pack("<LLL", start, size, 0)
        )

    entries = (
        entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)
        + entry("Workbook", 2, first, len(stream))
        + entry("", 0, 0, 0) * 2
    )
    return header + struct.pack(f"<{len(fat)}L", *fat) + entries + stream.ljust(stream_sectors * sector, b"\x00")


def xls(
    path: Path, *sheets: Iterable[XlsCell], dimensions: list[tuple[int, int, int, int] | None] | None = None
) -> Path:
    """An .xls whose sheets hold `(row, column, value)` cells (0-based); `dimensions`: what DIMENSIONS claims."""
    claims = dimensions or [None] * len(sheets)
    stream = _workbook_stream([_sheet_records(cells, claim) for cells, claim in zip(sheets, claims, strict=True)])
    path.write_bytes(_cfb(stream))
    return path


def lie_about_size(path: Path, name: str, size: int) -> Path:
    """Make member `name`'s headers claim it inflates to `size` bytes (with the checksum of that much of it).

    Python's zipfile then reads `size` bytes and finds them sound; the deflated data goes on.
    """
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
        crc = zlib.crc32(z.read(name)[:size])
    encoded = name.encode("utf-8")
    at = data.find(b"PK\x01\x02")
    while at >= 0 and data[at + 46 : at + 46 + len(encoded)] != encoded:
        at = data.find(b"PK\x01\x02", at + 4)
    if at < 0 or info.file_size >= 0xFFFFFFFF:
        raise ValueError(f"{name}: no plain central directory entry to change")
    struct.pack_into("<L", data, at + 16, crc)
    struct.pack_into("<L", data, at + 24, size)
    struct.pack_into("<L", data, info.header_offset + 14, crc)
    struct.pack_into("<L", data, info.header_offset + 22, size)
    path.write_bytes(bytes(data))
    return path
