"""The bulk engine (DESIGN §3.5): read any roster a union keeps in Excel or CSV.

`open_table` finds the header row (under title rows and merged cells), maps
Chinese or English headers to a kind's columns and yields the data rows with
their file row numbers; `values` turns cells into dates, numbers and text the
way Chinese spreadsheets write them; `report` writes the rejected rows back as
a workbook with a reason column, neutralizing formulas. Kinds (orgs, members…)
build their validation and set-based writes on these pieces.
"""

from gonghui.core.bulk.engine import write_retrying
from gonghui.core.bulk.headers import Column, Table, open_table
from gonghui.core.bulk.readers import UnreadableFile, read_rows
from gonghui.core.bulk.report import ErrorWorkbook, safe_cell
from gonghui.core.bulk.values import CellError, cell_text, parse_bool, parse_date, parse_int
from gonghui.core.bulk.writer import write_table

__all__ = [
    "CellError",
    "Column",
    "ErrorWorkbook",
    "Table",
    "UnreadableFile",
    "cell_text",
    "open_table",
    "parse_bool",
    "parse_date",
    "parse_int",
    "read_rows",
    "safe_cell",
    "write_retrying",
    "write_table",
]
