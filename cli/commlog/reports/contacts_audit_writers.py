"""The contacts audit (联络信息审核报告) as text, Markdown, JSON and a workbook."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from commlog.findings import inert
from commlog.reports import spreadsheet
from commlog.reports.contacts_audit import SECTIONS, AuditReport
from commlog.reports.overdue import md_cell
from commlog.timeutil import show

TITLE = "联络信息审核报告"


def _heading(report: AuditReport) -> str:
    return (
        f"{TITLE}  截至 {show(report.as_of, report.tz)}  内部 {report.staff} 人，外部单位 {report.orgs} 家，"
        f"发现 {len(report.findings)} 项"
    )


def _left_out(report: AuditReport) -> list[str]:
    if not report.skipped:
        return []
    return [f"{len({f.path for f in report.skipped})} 个无效文件未审核（运行 `commlog validate` 查看原因）"]


def text(report: AuditReport, out: TextIO) -> None:
    """One heading per section, then each finding as ``path:line:col: rule: message (hint)``."""
    out.write(_heading(report) + "\n")
    for rule_id, found in report.by_section():
        title, todo = SECTIONS[rule_id]
        out.write(f"\n{title}（{len(found)}）：{todo}\n")
        for item in found:
            out.write(f"  {item.as_text()}\n")
    if not report.findings:
        out.write("\n未发现问题\n")
    for note in [*report.notes, *_left_out(report)]:
        out.write(f"\n注：{inert(note)}\n")


def markdown(report: AuditReport, out: TextIO) -> None:
    """A section per finding kind, each a table of file, line and what is wrong."""
    out.write(f"# {TITLE}\n\n截至 {show(report.as_of, report.tz)}；内部 {report.staff} 人，外部单位 {report.orgs} 家；")
    out.write(f"发现 {len(report.findings)} 项。\n")
    for rule_id, found in report.by_section():
        title, todo = SECTIONS[rule_id]
        out.write(
            f"\n## {title}（{len(found)}）\n\n{md_cell(todo)}\n\n| 文件 | 行 | 说明 | 处理 |\n| --- | --- | --- | --- |\n"
        )
        for item in found:
            out.write(f"| {md_cell(item.path)} | {item.line} | {md_cell(item.message)} | {md_cell(item.hint)} |\n")
    notes = [*report.notes, *_left_out(report)]
    if notes:
        out.write("\n## 说明\n\n" + "".join(f"- {md_cell(note)}\n" for note in notes))


def as_json(report: AuditReport, out: TextIO) -> None:
    """The findings as ``commlog validate --format json`` gives them, each with its section."""
    data = {
        "as_of": report.as_of.isoformat(),
        "staff": report.staff,
        "organisations": report.orgs,
        "findings": [{**f.as_json(), "section": SECTIONS[f.rule][0]} for f in report.findings],
        "notes": report.notes,
        "skipped": [f.as_json() for f in report.skipped],
    }
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def sheet(report: AuditReport) -> spreadsheet.Table:
    """One sheet: a row per finding, under the report's title and moment."""
    table = spreadsheet.Table(
        "联络信息审核",
        ["类别", "文件", "行", "规则", "说明", "处理"],
        title=f"{TITLE} 截至 {show(report.as_of, report.tz)}",
        tz=report.tz,
        wrap=("说明", "处理"),
    )
    for item in report.findings:
        table.rows.append([SECTIONS[item.rule][0], item.path, item.line, item.rule, item.message, item.hint])
    for note in report.notes:
        table.rows.append(["注", "", None, "", note, ""])
    return table


def xlsx(report: AuditReport) -> bytes:
    return spreadsheet.xlsx_bytes([sheet(report)])


WRITERS: dict[str, Callable[[AuditReport, TextIO], None]] = {"text": text, "md": markdown, "json": as_json}
