"""Tables written for spreadsheets: CSV that Excel and WPS open with the Chinese right, and xlsx workbooks.

Every CSV and xlsx commlog writes goes through here, so that each gets the same care:

- CSV is UTF-8 with a byte order mark (Excel on a Chinese Windows reads a CSV without one
  as GBK and shows garbage), or GB18030 for older systems (``encoding="gb18030"``);
- a value a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``,
  their full-width forms, a tab or a carriage return) is neutralised: in CSV it gets a
  leading ``'``; in xlsx it is stored as a text cell marked "quoted", never as a formula;
- an xlsx sheet has a title row (the organisation, the period, the clearance), the headings
  below it, frozen, in bold, column widths measured in Chinese characters, and dates and
  times as real spreadsheet dates (in the policy's timezone; a spreadsheet has no offsets).

The API is three calls: :class:`Table` (one sheet: headings and rows of :data:`Cell`),
:func:`csv_bytes` and :func:`xlsx_bytes`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from commlog.reports.columns import width

Cell = str | int | float | date | datetime | None
"""One value: text, a number, a date or a time (an aware time is shown in the table's timezone), or empty."""

ENCODINGS = ("utf-8", "gb18030")
"""The encodings a CSV may be written in: UTF-8 (with a byte order mark) by default, GB18030 for old systems."""

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60
"""No column is wider than this many Latin characters (a long summary wraps instead)."""

# A spreadsheet runs a cell as a formula when it starts with = + - @ (also after blanks or
# controls it skips, and their full-width forms) or with a tab or carriage return.
_FORMULA = re.compile(r"[\s\x00-\x1f\x7f-\x9f]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r]")
# What an xlsx file cannot hold at all (XML 1.0 forbids these controls).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (or a command: ``=cmd|...``, ``@SUM(...)``)."""
    return bool(_FORMULA.match(text))


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: a leading ``'`` before anything formula-like."""
    return "'" + text if formula_like(text) else text


@dataclass
class Table:
    """One sheet: a name (the sheet's tab, at most 31 characters), headings and rows, and a title above them."""

    name: str
    headings: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    title: str = ""
    """The first row of the xlsx sheet (组织, 期间, 密级); CSV has none, so that any program reads its headings."""
    tz: tzinfo | None = None
    """Aware times are shown in this timezone (a spreadsheet's dates carry none)."""
    wrap: Sequence[str] = ()
    """Headings of columns of running text (内容摘要, 备注): wrapped in the cell rather than widened past MAX_WIDTH."""


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    if value.tzinfo is not None and tz is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None)


def text_of(value: Cell, tz: tzinfo | None = None) -> str:
    """A value as CSV writes it: times as ``YYYY-MM-DD HH:MM`` (seconds when there are any), dates as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = _local(value, tz)
        return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_bytes(table: Table, encoding: str = "utf-8") -> bytes:
    """The table as CSV: its headings, then its rows; UTF-8 with a byte order mark, or GB18030.

    A character GB18030 cannot hold does not exist (it encodes all of Unicode), so either
    encoding keeps every value.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding {encoding!r} is not one of {', '.join(ENCODINGS)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in table.headings])
    for row in table.rows:
        writer.writerow([csv_cell(text_of(c, table.tz)) for c in row])
    text = out.getvalue()
    return text.encode("utf-8-sig") if encoding == "utf-8" else text.encode("gb18030")


def csv_text(table: Table) -> str:
    """The table as CSV text starting with a byte order mark, for a stream that writes UTF-8."""
    return csv_bytes(table).decode("utf-8")


def _measure(value: Cell, tz: tzinfo | None) -> int:
    text = text_of(value, tz)
    return max((width(line) for line in text.splitlines()), default=0)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table, in order (an empty list gives one empty sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    heading_font, title_font = Font(bold=True), Font(bold=True, size=14)
    heading_fill = PatternFill("solid", fgColor="DDEBF7")
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for table in tables or [Table("Sheet1", [])]:
        sheet = book.create_sheet(sheet_name(table.name, book.sheetnames))
        first = 1
        if table.title:
            sheet.cell(1, 1, _clean(table.title)).font = title_font
            sheet.row_dimensions[1].height = 24
            first = 2
        for column, heading in enumerate(table.headings, 1):
            cell = sheet.cell(first, column)
            _put(cell, heading)
            cell.font, cell.fill = heading_font, heading_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        wrap_columns = {i for i, h in enumerate(table.headings) if h in table.wrap}
        for r, row in enumerate(table.rows, first + 1):
            for c, value in enumerate(row):
                cell = sheet.cell(r, c + 1)
                _put(cell, value, table.tz)
                cell.alignment = wrapped if c in wrap_columns else top
        # The panes freeze below the headings, so they stay in view while scrolling down a long register.
        sheet.freeze_panes = sheet.cell(first + 1, 1)
        for c, heading in enumerate(table.headings):
            widest = max([width(heading)] + [_measure(row[c], table.tz) for row in table.rows if c < len(row)])
            sheet.column_dimensions[get_column_letter(c + 1)].width = min(MAX_WIDTH, max(6, widest + 2))
        if table.rows:
            sheet.auto_filter.ref = (
                f"A{first}:{get_column_letter(max(1, len(table.headings)))}{first + len(table.rows)}"
            )
        sheet.print_title_rows = f"{first}:{first}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(name: str, taken: Sequence[str] = ()) -> str:
    """A valid, unused sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    return candidate


def _clean(text: str) -> str:
    return _ILLEGAL.sub("\ufffd", text)


def _put(cell: object, value: Cell, tz: tzinfo | None = None) -> None:
    """Store one value: text as a text cell (never a formula), times and dates as dates, numbers as numbers."""
    if isinstance(value, datetime):
        cell.value = _local(value, tz)  # type: ignore[attr-defined]
        cell.number_format = TIME_FORMAT  # type: ignore[attr-defined]
    elif isinstance(value, date):
        cell.value = value  # type: ignore[attr-defined]
        cell.number_format = DATE_FORMAT  # type: ignore[attr-defined]
    elif isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value  # type: ignore[attr-defined]
    elif value is not None and value != "":
        text = _clean(str(value))
        cell.value = text  # type: ignore[attr-defined]
        cell.data_type = "s"  # type: ignore[attr-defined]  # openpyxl takes a leading '=' for a formula otherwise
        if formula_like(text):
            cell.quotePrefix = True  # type: ignore[attr-defined]  # and a spreadsheet keeps it text when it is edited
