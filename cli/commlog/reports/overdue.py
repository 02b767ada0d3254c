"""The overdue report (逾期报告): every overdue and at-risk stage, most overdue first."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TextIO

from commlog.deadlines import STATE_NAMES, Context, Stage, stage_label
from commlog.findings import inert
from commlog.reports import spreadsheet
from commlog.reports.people import name_of
from commlog.timeutil import show


@dataclass(slots=True)  # not frozen: 100,000 of them are made at once, and a frozen one costs twice as much
class Item:
    id: str
    subject: str
    stage: str
    state: str
    due: datetime
    overdue_by_minutes: float
    responsible: str
    responsible_name: str
    department: str
    follow_ups: int
    escalate_to: str | None
    provisional: bool
    pending: int
    clock: bool
    """The stage runs on the 24x7 clock: ``overdue_by_minutes`` is clock time, not working time."""


@dataclass(frozen=True)
class Report:
    as_of: datetime
    items: list[Item]
    tz: tzinfo
    """The policy's timezone: every time is shown in it."""


def overdue_report(
    ctx: Context, clocks: Iterable[tuple[str, str, list[Stage]]], as_of: datetime, department: str | None = None
) -> Report:
    """Overdue stages (most overdue first), then at-risk ones (soonest due first).

    ``clocks`` are (id, subject, judged stages) of records: :func:`commlog.schedule.open_stages`'s.
    """
    staff, orgs = ctx.staff, ctx.orgs
    items = []
    for record_id, subject, found in clocks:
        for stage in found:
            if stage.state not in ("overdue", "at_risk") or (department and stage.department != department):
                continue
            assert stage.due is not None
            items.append(
                Item(
                    record_id,
                    subject,
                    stage.name,
                    stage.state,
                    stage.due,
                    round(stage.overdue_by_minutes),
                    stage.responsible,
                    name_of(stage.responsible, staff, orgs),
                    stage.department,
                    stage.follow_ups,
                    stage.escalate_to,
                    stage.provisional,
                    len(stage.pending),
                    stage.clock,
                )
            )
    items.sort(
        key=lambda i: (i.state != "overdue", -i.overdue_by_minutes if i.state == "overdue" else 0, i.due, i.id, i.stage)
    )
    return Report(as_of, items, ctx.policy.timezone)


def working_hours(minutes: float) -> str:
    return f"{minutes / 60:.1f}"


def lateness(item: Item) -> str:
    """How late a stage is, in the unit of its clock: 3.5 工时 (working hours) or 3.5 小时 (clock hours)."""
    return f"{working_hours(item.overdue_by_minutes)} {'小时' if item.clock else '工时'}"


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a terminal shows.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~!#])")
_MD_LEADING = re.compile(r"^([+\-=>:]|\d+[.)])")


def md_cell(text: str) -> str:
    """Text as inert Markdown: HTML escaped, inline markup and table pipes backslashed, no block markup at the start."""
    escaped = _MD_INLINE.sub(r"\\\1", html.escape(inert(text), quote=False))
    return _MD_LEADING.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], escaped)


csv_cell = spreadsheet.csv_cell  # kept under its old name for callers of this module


def _fields(item: Item, tz: tzinfo) -> list[str]:
    return [
        item.id,
        item.subject,
        stage_label(item.stage),
        STATE_NAMES[item.state],
        f"{item.responsible_name} ({item.responsible})",
        item.department,
        show(item.due, tz),
        lateness(item) if item.state == "overdue" else "",
        str(item.follow_ups),
        item.escalate_to or "",
        ("待确认 " + str(item.pending)) if item.pending else "",
        "暂定" if item.provisional else "",
    ]


HEADINGS = [
    "信息编号",
    "信息主题",
    "环节",
    "状态",
    "责任人",
    "责任部门",
    "截止时间",
    "逾期时长",
    "催办次数",
    "升级至",
    "未确认",
    "备注",
]


def _summary(report: Report) -> str:
    overdue = sum(1 for i in report.items if i.state == "overdue")
    return f"截至 {show(report.as_of, report.tz)}: {overdue} 项逾期, {len(report.items) - overdue} 项即将逾期"


def text(report: Report, out: TextIO) -> None:
    out.write(f"逾期报告 {_summary(report)}\n")
    for item in report.items:
        f = [inert(c) for c in _fields(item, report.tz)]
        late = f"逾期 {f[7]}" if item.state == "overdue" else f"截止 {f[6]}"
        extra = "".join(
            [
                f", 催办 {item.follow_ups} 次" if item.follow_ups else "",
                f", 升级至 {item.escalate_to}" if item.escalate_to else "",
                f", {f[10]}" if f[10] else "",
                ", 暂定" if item.provisional else "",
            ]
        )
        out.write(f"{f[0]}  {f[3]}  {f[2]}  {late}  {f[4]} {f[5]}  {f[1]}{extra}\n")
    if report.items:
        out.write(LEGEND + "\n")


LEGEND = "注: 工时按工作时间计; 小时按钟点计 (紧急、特急环节)"


def markdown(report: Report, out: TextIO) -> None:
    out.write(f"# 逾期报告\n\n{_summary(report)}\n\n")
    out.write("| " + " | ".join(HEADINGS) + " |\n|" + " --- |" * len(HEADINGS) + "\n")
    for item in report.items:
        cells = [md_cell(c) for c in _fields(item, report.tz)]
        out.write("| " + " | ".join(cells) + " |\n")
    if report.items:
        out.write(f"\n{LEGEND}\n")


def sheet(report: Report) -> spreadsheet.Table:
    """The report as one table (for CSV and xlsx)."""
    rows: list[list[spreadsheet.Cell]] = [list(_fields(item, report.tz)) for item in report.items]
    return spreadsheet.Table("逾期报告", HEADINGS, rows, title=f"逾期报告 {_summary(report)}", tz=report.tz)


def as_csv(report: Report, out: TextIO) -> None:
    """UTF-8 with a byte order mark; ``commlog overdue --encoding`` writes other encodings through :func:`sheet`."""
    out.write(spreadsheet.csv_text(sheet(report)))


def as_json(report: Report, out: TextIO) -> None:
    items = [
        {
            "id": i.id,
            "subject": i.subject,
            "stage": i.stage,
            "state": i.state,
            "due": i.due.isoformat(),
            "overdue_by_minutes": i.overdue_by_minutes,
            "responsible": i.responsible,
            "department": i.department,
            "follow_ups": i.follow_ups,
            "escalate_to": i.escalate_to,
            "provisional": i.provisional,
            "pending": i.pending,
            "calendar": "clock" if i.clock else "working",
        }
        for i in report.items
    ]
    # One item a line, readable, all written in one call of the C encoder (json.dump with an indent is pure
    # Python). Each item starts with its "id" key: that quote is escaped wherever it stands inside a string,
    # so `}, {"id": ` unescaped is only ever the boundary between two items.
    listed = json.dumps(items, ensure_ascii=False)[1:-1].replace('}, {"id": ', '},\n    {"id": ')
    out.write(f'{{\n  "as_of": {json.dumps(report.as_of.isoformat())},\n  "items": [')
    out.write(f"\n    {listed}\n  ]\n}}\n" if items else "]\n}\n")


WRITERS: dict[str, Callable[[Report, TextIO], None]] = {"text": text, "md": markdown, "csv": as_csv, "json": as_json}
