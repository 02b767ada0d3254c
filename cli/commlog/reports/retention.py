"""The retention report (留存报告): records due for disposal, due soon, held, disposed and kept, with its writers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TextIO

from commlog.reports import spreadsheet
from commlog.retention import STATE_NAMES, Standing, schedule_warnings, standing
from commlog.rules import Corpus
from commlog.timeutil import show
from commlog.workflow import CLASSIFICATION_NAMES, KIND_NAMES

HEADINGS = [
    "状态",
    "信息编号",
    "记录类型",
    "发起部门",
    "信息主题",
    "密级",
    "重要性",
    "保管期限(年)",
    "依据",
    "归档时间",
    "归档编号",
    "到期日",
    "冻结/销毁",
]
IMPORTANCE_NAMES = {"normal": "普通", "important": "重要"}


@dataclass
class Row:
    """One record's line in the report."""

    standing: Standing
    subject: str
    kind: str
    department: str
    classification: str

    def detail(self, name: dict[str, str]) -> str:
        """The hold (who, when, why) or the disposal (when, by whom, approved by) in words."""
        if self.standing.hold:
            hold = self.standing.hold
            return f"{hold['at']} {name.get(hold['by'], hold['by'])} 冻结: {hold.get('note', '')}"
        if self.standing.disposed:
            gone = self.standing.disposed
            approvers = "、".join(name.get(a["person"], a["person"]) for a in gone["approved_by"])
            return f"{gone['at']} {name.get(gone['by'], gone['by'])} 销毁, 审批: {approvers}; {gone['authority']}"
        return ""


@dataclass
class Report:
    """The schedule applied to every valid record at ``as_of``."""

    as_of: datetime
    tz: tzinfo
    rows: list[Row]
    warnings: list[str]
    names: dict[str, str] = field(default_factory=dict)
    """Staff id -> name, for holders, disposers and approvers."""

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.standing.state == state)


ORDER = list(STATE_NAMES)


def retention_report(corpus: Corpus, as_of: datetime) -> Report:
    """Every record's standing, due first (earliest due first), then due soon, held, disposed, kept, open."""
    assert corpus.policy is not None
    policy, orgs = corpus.policy, corpus.orgs
    rows = []
    for doc in corpus.records:
        data = doc.data
        rows.append(
            Row(
                standing(doc.path, data, orgs, policy, as_of),
                data["subject"],
                data["kind"],
                data["from"]["department"],
                data["classification"],
            )
        )
    first = {"due": 0, "due_soon": 1, "held": 2, "disposed": 3, "kept": 4, "open": 5}
    rows.sort(
        key=lambda r: (first[r.standing.state], r.standing.due.isoformat() if r.standing.due else "", r.standing.id)
    )
    names = {pid: str(p.get("name", pid)) for pid, p in corpus.staff.items()}
    return Report(as_of, policy.timezone, rows, schedule_warnings(policy), names)


def headline(report: Report) -> str:
    counts = ", ".join(f"{report.count(s)} 项{STATE_NAMES[s]}" for s in ORDER)
    return f"留存报告 截至 {show(report.as_of, report.tz)}: {counts}"


def _cells(row: Row, report: Report) -> list[spreadsheet.Cell]:
    s = row.standing
    basis = (s.row.note if s.row else "无匹配的保存期限") + (f" ({s.why_important})" if s.why_important else "")
    return [
        STATE_NAMES[s.state],
        s.id,
        KIND_NAMES.get(row.kind, row.kind),
        row.department,
        row.subject,
        CLASSIFICATION_NAMES.get(row.classification, row.classification),
        IMPORTANCE_NAMES.get(s.importance, s.importance),
        s.years,
        basis,
        s.archived.astimezone(report.tz) if s.archived else None,
        s.archive_no,
        s.due,
        row.detail(report.names),
    ]


def shown(report: Report, all_rows: bool) -> list[Row]:
    """The rows a reader looks at: everything but the records kept and not archived, unless ``all_rows``."""
    return [r for r in report.rows if all_rows or r.standing.state not in ("kept", "open")]


def sheet(report: Report, all_rows: bool = True) -> spreadsheet.Table:
    """The report as one table (for CSV and xlsx)."""
    rows = [_cells(r, report) for r in shown(report, all_rows)]
    return spreadsheet.Table("留存报告", HEADINGS, rows, title=headline(report), tz=report.tz, wrap=("冻结/销毁",))


def as_text(report: Report, out: TextIO, all_rows: bool = False) -> None:
    for warning in report.warnings:
        out.write(f"注意: {warning}\n")
    out.write(headline(report) + "\n")
    for row in shown(report, all_rows):
        s = row.standing
        due = s.due.isoformat() if s.due else "-"
        years = f"{s.years} 年" if s.years else "-"
        line = f"{s.id}  {STATE_NAMES[s.state]}  到期 {due}  保管 {years}  {s.archive_no or '-'}  {row.department}  {row.subject}"
        detail = row.detail(report.names)
        out.write(line + (f"  [{detail}]" if detail else "") + "\n")


def as_markdown(report: Report, out: TextIO, all_rows: bool = False) -> None:
    out.write(f"# {headline(report)}\n\n")
    for warning in report.warnings:
        out.write(f"> **注意**: {warning}\n\n")
    out.write("| " + " | ".join(HEADINGS) + " |\n")
    out.write("|" + " --- |" * len(HEADINGS) + "\n")
    for row in shown(report, all_rows):
        cells = [spreadsheet.text_of(c, report.tz).replace("|", "\\|").replace("\n", " ") for c in _cells(row, report)]
        out.write("| " + " | ".join(cells) + " |\n")


def as_json(report: Report, out: TextIO, all_rows: bool = True) -> None:
    items = []
    for row in shown(report, all_rows):
        s = row.standing
        items.append(
            {
                "id": s.id,
                "path": s.path,
                "state": s.state,
                "subject": row.subject,
                "kind": row.kind,
                "department": row.department,
                "classification": row.classification,
                "importance": s.importance,
                "important_by_nature": s.why_important or None,
                "retention_years": s.years,
                "rule": s.row.note if s.row else None,
                "archived": show(s.archived, report.tz) if s.archived else None,
                "archive_no": s.archive_no or None,
                "due": s.due.isoformat() if s.due else None,
                "hold": s.hold,
                "disposed": s.disposed,
            }
        )
    counts = {state: report.count(state) for state in ORDER}
    body = {"as_of": show(report.as_of, report.tz), "counts": counts, "warnings": report.warnings, "records": items}
    out.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")


WRITERS = {"text": as_text, "md": as_markdown, "json": as_json}
