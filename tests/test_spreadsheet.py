"""The one writer of CSV and xlsx (commlog.reports.spreadsheet): encodings, formulas, dates, the sheet's layout."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from commlog.reports.spreadsheet import Table, csv_bytes, formula_like, sheet_name, xlsx_bytes

SHANGHAI = timezone(timedelta(hours=8))
HOSTILE = [
    '=HYPERLINK("http://evil.example","点击")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "＝1",
]


def _table() -> Table:
    rows: list[list[object]] = [
        [
            "NX-2024-001",
            "关于Q4产品推广方案需求确认",
            datetime(2024, 10, 8, 1, 30, tzinfo=timezone.utc),
            date(2024, 10, 11),
            3,
        ],
        *[[f"X-{i}", text, None, None, None] for i, text in enumerate(HOSTILE)],
    ]
    return Table(
        "信息交流记录表", ["信息编号", "信息主题", "发起时间", "日期", "数量"], rows, title="恒泰 2024年", tz=SHANGHAI
    )  # type: ignore[arg-type]


def test_csv_is_utf8_with_a_bom_or_gb18030_and_never_runs_a_formula() -> None:
    raw = csv_bytes(_table())
    assert raw.startswith(b"\xef\xbb\xbf\xe4\xbf\xa1")  # BOM, then 信
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["信息编号", "信息主题", "发起时间", "日期", "数量"]
    assert rows[1] == ["NX-2024-001", "关于Q4产品推广方案需求确认", "2024-10-08 09:30", "2024-10-11", "3"]
    assert all(r[1].startswith("'") for r in rows[2:]), rows
    legacy = csv_bytes(_table(), "gb18030")
    assert not legacy.startswith(b"\xef\xbb\xbf") and legacy.decode("gb18030") == raw.decode("utf-8-sig")
    with pytest.raises(ValueError):
        csv_bytes(_table(), "latin-1")


def test_xlsx_has_a_title_frozen_headings_real_dates_and_text_not_formulas() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes([_table(), Table("任务分解表", ["任务编号"], [["1"]])])))
    assert book.sheetnames == ["信息交流记录表", "任务分解表"]
    sheet = book["信息交流记录表"]
    assert sheet["A1"].value == "恒泰 2024年" and sheet["A2"].value == "信息编号" and sheet["A2"].font.b
    assert sheet.freeze_panes == "A3"
    assert sheet["C3"].value == datetime(2024, 10, 8, 9, 30) and sheet["C3"].is_date
    assert sheet["D3"].value == datetime(2024, 10, 11) and sheet["D3"].number_format == "yyyy-mm-dd"
    assert sheet["E3"].value == 3
    for row, text in enumerate(HOSTILE, 4):
        cell = sheet.cell(row, 2)
        # XML reads a carriage return back as a line feed; the cell is text all the same.
        assert cell.data_type == "s" and cell.value == text.replace("\r", "\n") and cell.quotePrefix, (row, text)
    # A column is as wide as its longest Chinese text (two places a character), within bounds.
    assert 28 <= sheet.column_dimensions["B"].width <= 60


def test_formula_like_and_sheet_names() -> None:
    assert all(formula_like(t) for t in HOSTILE) and not formula_like("a=1") and not formula_like("市场部")
    assert sheet_name("a/b:c*?[x]") == "a_b_c___x_" and len(sheet_name("表" * 40)) == 31
    assert sheet_name("表", ["表"]) == "表_2"
