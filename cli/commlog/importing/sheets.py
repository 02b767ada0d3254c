"""Reading a spreadsheet as a grid of cells, refusing what a register must not hold, and finding its headings."""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commlog.fileio import read_limited

FILE_LIMIT = 32 * 1024 * 1024
"""A register of years is a few megabytes; anything far larger is not one."""


@dataclass(frozen=True)
class Problem:
    """Why the file, or one cell of it, cannot be imported."""

    file: str
    row: int
    column: int
    heading: str
    rule: str
    message: str

    def as_text(self) -> str:
        where = f"{self.heading}: " if self.heading else ""
        return f"{self.file}:{self.row}:{self.column}: {self.rule}: {where}{self.message}"


class Unreadable(Exception):
    """The file as a whole cannot be read as a register; the problems say where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.as_text() for p in problems))
        self.problems = problems


@dataclass
class Grid:
    """One sheet's cells (or a CSV's), each row with its number in the file (1 for the first)."""

    name: str
    rows: list[tuple[int, list[Any]]]
    problems: list[Problem] = field(default_factory=list)
    """Formulas and merged cells found while reading."""
    text_formulas: bool = False
    """Whether a value beginning with = is a formula (CSV, where nothing marks text as text)."""
    siblings: dict[str, Grid] = field(default_factory=dict)
    """The other sheets asked for (任务分解表, ...) that the workbook holds, by name."""


# -- reading the file ------------------------------------------------------------------------------------------


def _bad(file: str, message: str, rule: str = "import-file", row: int = 0, column: int = 0) -> Unreadable:
    return Unreadable([Problem(file, row, column, "", rule, message)])


def read_grid(
    path: Path, sheet: str | None, encoding: str | None, wanted: tuple[str, ...], beside: tuple[str, ...] = ()
) -> Grid:
    """The sheet to import: ``sheet``, else the one named like ``wanted``, else the only visible one; with it, unless
    ``sheet`` names one, the workbook's sheets named in ``beside`` (:attr:`Grid.siblings`)."""
    name = path.name
    try:
        raw = read_limited(path, FILE_LIMIT)
    except OSError as err:
        raise _bad(name, f"cannot be read: {err.strerror or err}") from err
    if isinstance(raw, int):
        raise _bad(name, f"has {raw} bytes; a register is far smaller (split it by year)")
    if raw[:4] == b"PK\x03\x04":
        return _xlsx_grid(name, raw, sheet, wanted, beside)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".et"):
        raise _bad(name, "is not an xlsx workbook (an old .xls?); save it as .xlsx (Excel 2007 and later) or CSV")
    if sheet is not None:
        raise _bad(name, "a CSV file has no sheets; leave out --sheet")
    return _csv_grid(name, raw, encoding)


def _csv_grid(name: str, raw: bytes, encoding: str | None) -> Grid:
    import csv

    if encoding:
        try:
            text = raw.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
        except LookupError:
            raise _bad(name, f"--encoding {encoding} is not an encoding Python knows (use utf-8 or gb18030)") from None
        except UnicodeDecodeError as err:
            row, column = _position(raw, err.start)
            raise _bad(
                name, f"is not {encoding}: byte {raw[err.start]:#04x} cannot be read", "import-encoding", row, column
            ) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            row, column = _position(raw, err.start)
            guess = ""
            try:
                raw.decode("gb18030")
                guess = " It reads as GB18030 (GBK), as Excel on a Chinese Windows saves CSV: give --encoding gb18030."
            except UnicodeDecodeError:
                pass
            raise _bad(
                name,
                f"is not UTF-8 (byte {raw[err.start]:#04x}).{guess or ' Save it as CSV UTF-8, or name its encoding with --encoding.'}",
                "import-encoding",
                row,
                column,
            ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, fields in enumerate(reader, 1):
            rows.append((number, list(fields)))
    except csv.Error as err:
        raise _bad(name, f"is not a CSV table: {err}", "import-file", reader.line_num) from None
    return Grid(name, rows, text_formulas=True)


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """The line and the CSV column (roughly: commas before it on the line) of a byte."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, raw.count(b",", line_start, offset) + 1


def _xlsx_grid(name: str, raw: bytes, sheet: str | None, wanted: tuple[str, ...], beside: tuple[str, ...]) -> Grid:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        raise _bad(name, f"is not an xlsx workbook that can be read ({type(err).__name__}: {err})") from None
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise _bad(name, f"has no sheet '{sheet}'; its sheets: {', '.join(book.sheetnames)}", "import-sheet")
        if sheet in hidden:
            raise _bad(
                name, f"sheet '{sheet}' is hidden; unhide it in the spreadsheet and check it first", "import-sheet"
            )
        chosen = sheet
    else:
        if hidden:
            raise _bad(
                name,
                f"has hidden sheet(s) {', '.join(hidden)}: what they hold would be neither seen nor imported; "
                "unhide or delete them, or name the sheet to import with --sheet",
                "import-sheet",
            )
        named = [t for t in visible if t in wanted]
        if named:
            chosen = named[0]
        elif len(visible) == 1:
            chosen = visible[0]
        else:
            raise _bad(name, f"has several sheets ({', '.join(visible)}); name one with --sheet", "import-sheet")
    grid = _sheet_grid(name, book[chosen])
    if sheet is None:
        grid.siblings = {t: _sheet_grid(name, book[t]) for t in beside if t in visible and t != chosen}
    return grid


def _sheet_grid(name: str, ws: Any) -> Grid:
    rows: list[tuple[int, list[Any]]] = []
    formulas: list[Problem] = []
    for cells in ws.iter_rows():
        values = []
        for cell in cells:
            if cell.data_type == "f":
                formulas.append(
                    Problem(
                        name,
                        cell.row,
                        cell.column,
                        "",
                        "import-formula",
                        f"cell {cell.coordinate} holds a formula ({str(cell.value)[:60]}); "
                        "a register holds values: replace it by its value (copy, paste values)",
                    )
                )
            values.append(cell.value)
        rows.append((cells[0].row if cells else len(rows) + 1, values))
    grid = Grid(ws.title, rows, formulas)
    for merged in ws.merged_cells.ranges:
        grid.problems.append(
            Problem(
                name,
                merged.min_row,
                merged.min_col,
                "",
                "import-merged",
                f"cells {merged.coord} are merged; a register has one value per cell: unmerge them "
                "and fill each cell (a title above the headings may stay merged)",
            )
        )
    return grid


# -- headings --------------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower().replace("／", "/")


def heading_index(aliases: dict[str, list[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for heading, names in aliases.items():
        for name in (heading, *names):
            index[_fold(name)] = heading
    return index


@dataclass
class Columns:
    row: int
    """The row number of the headings."""
    where: dict[str, int]
    """Each heading found, by its canonical name, at its column (0-based)."""
    written: dict[str, str]
    """The heading as the file writes it."""


def find_headings(
    grid: Grid, file: str, aliases: dict[str, list[str]], required: list[str]
) -> tuple[Columns, list[Problem]]:
    """The heading row: the first of the first ten rows that names at least two known headings."""
    index = heading_index(aliases)
    for number, cells in grid.rows[:10]:
        texts = [str(c).strip() if c is not None else "" for c in cells]
        known = [t for t in texts if _fold(t) in index]
        if len(known) < 2:
            continue
        problems: list[Problem] = []
        where: dict[str, int] = {}
        written: dict[str, str] = {}
        for column, text in enumerate(texts):
            if not text:
                continue
            heading = index.get(_fold(text))
            if heading is None:
                close = difflib.get_close_matches(text, list(aliases), n=3, cutoff=0.4)
                hint = f"; did you mean {'、'.join(close)}?" if close else ""
                problems.append(
                    Problem(
                        file,
                        number,
                        column + 1,
                        text,
                        "import-heading",
                        f"not a heading of the register{hint} (accepted headings: site/spreadsheets.md); "
                        "rename it, or delete the column",
                    )
                )
            elif heading in where:
                problems.append(
                    Problem(
                        file,
                        number,
                        column + 1,
                        text,
                        "import-heading",
                        f"a second {heading} column (the first is column {where[heading] + 1})",
                    )
                )
            else:
                where[heading], written[heading] = column, text
        for heading in required:
            if heading not in where:
                problems.append(
                    Problem(
                        file, number, 0, heading, "import-column-missing", "this column is required and missing; add it"
                    )
                )
        return Columns(number, where, written), problems
    if not any(any(c not in (None, "") for c in cells) for _, cells in grid.rows):
        raise _bad(file, f"sheet '{grid.name}' is empty", "import-empty", 1, 1)
    raise _bad(
        file,
        f"no row of headings in the first ten rows of '{grid.name}' (expected headings like {'、'.join(list(aliases)[:5])}; "
        "see site/spreadsheets.md)",
        "import-heading",
        1,
        1,
    )
