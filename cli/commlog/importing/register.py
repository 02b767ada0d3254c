"""The whole import: the register's rows as records (:mod:`~commlog.importing.rows`), the sheets beside it joined to
them (:mod:`~commlog.importing.beside`), their history (:mod:`~commlog.importing.history`), all checked, then written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from commlog import numbering
from commlog.allowlist import accepts
from commlog.fileio import atomic_write
from commlog.fmt import canonical_text
from commlog.importing.beside import ITEM_HEADINGS, SHEETS, Beside, join, read_beside
from commlog.importing.history import Facts, history
from commlog.importing.rows import REQUIRED, Row, record_of
from commlog.importing.sheets import Problem, find_headings, read_grid
from commlog.importing.values import Bad, People, cell_text
from commlog.lifecycle import Register, one_at_a_time
from commlog.load import Document
from commlog.reports.tables import ACTIONS, REGISTER, REGISTER_COLUMNS, TASKS, aliases
from commlog.rules import run

ALIASES: dict[str, list[str]] = aliases(REGISTER_COLUMNS)
"""The register's headings (the procedure's and commlog's) and the other names accepted for each (field names too)."""


@dataclass(frozen=True)
class Planned:
    row: int
    record: dict[str, Any]
    relative: str


@dataclass
class Outcome:
    file: str
    sheet: str
    written: list[Planned] = field(default_factory=list)
    existing: list[tuple[int, str, str]] = field(default_factory=list)
    """(row, id, path) of rows whose record is in the repository already: left as they are."""
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False


# -- the whole import ------------------------------------------------------------------------------------------


FIELD_HEADINGS = {
    "id": "信息编号",
    "subject": "信息主题",
    "summary": "内容摘要",
    "from": "发起人",
    "to": "接收部门/单位",
    "urgency": "紧急程度",
    "channels": "传递方式",
    "feedback_due": "预计反馈时间",
    "classification": "密级",
    "importance": "重要程度",
    "category": "项目",
    "remarks": "备注",
    "direction": "方向",
    "kind": "记录类型",
    "request": "需求描述",
    "notice": "通知事项",
    "meeting": "会议时间",
    "attendees": "参会人员",
    "decisions": "会议决议",
}
EVENT_HEADINGS = {
    "submitted": "发起时间",
    "drafted": "发起时间",
    "feedback": "实际反馈时间",
    "answered": "实际反馈时间",
    "quoted": "实际反馈时间",
    "archived": "归档编号",
    "sent": "传递时间",
    "published": "传递时间",
    "replied": "传递时间",
    "approved": "传递时间",
    "completed": "完成时间",
    "reopened": "处理状态",
}
ITEM_SHEETS = {"tasks": TASKS, "action_items": ACTIONS}


@dataclass
class Rows:
    """Where each record's parts came from: its register row, and its tasks' or action items' rows beside it."""

    register: dict[str, int]
    beside: dict[str, dict[str, int]]

    def where(self, planned: Planned, pointer: str) -> tuple[int, int, str]:
        """The row, column and heading a finding at ``pointer`` in a planned record is about."""
        record = planned.record
        parts = pointer.strip("/").split("/")
        if parts[0] in ITEM_SHEETS and len(parts) > 1 and parts[1].isdigit():
            sheet = ITEM_SHEETS[parts[0]]
            item = record[parts[0]][int(parts[1])]
            heading = ITEM_HEADINGS.get(parts[2], "") if len(parts) > 2 else ""
            if sheet == ACTIONS:
                heading = {"任务编号": "序号"}.get(heading, heading)
            row = self.beside.get(f"{record['id']}:{sheet}:{item['no']}", {}).get("row", planned.row)
            column = self.beside.get(sheet, {}).get(heading, 0)
            return row, column, f"{sheet} {heading}".strip()
        if parts[0] == "events" and len(parts) > 1 and parts[1].isdigit():
            event = record["events"][int(parts[1])]
            heading = EVENT_HEADINGS.get(event["type"], "处理状态")
            if event["type"] == "acknowledged":
                return planned.row, 0, "通知确认表 确认时间"
        elif parts[0] == "from" and len(parts) > 1 and parts[1] == "department":
            heading = "发起部门"
        elif parts[0] == "to" and len(parts) > 2 and parts[2] == "person":
            heading = "接收人"
        else:
            heading = FIELD_HEADINGS.get(parts[0], "")
        return planned.row, self.register.get(heading, 0), heading


def import_register(
    register: Register, path: Path, sheet: str | None = None, encoding: str | None = None, dry_run: bool = False
) -> Outcome:
    """Read, check and (unless ``dry_run`` or anything is wrong) write the records of a register file, with the
    tasks, action items and read confirmations the workbook's other sheets give them."""
    file = path.name
    grid = read_grid(path, sheet, encoding, (REGISTER,), SHEETS)
    outcome = Outcome(file, grid.name, dry_run=dry_run)
    outcome.problems += grid.problems
    columns, heading_problems = find_headings(grid, file, ALIASES, REQUIRED)
    merged = [p for p in outcome.problems if p.rule == "import-merged" and p.row < columns.row]
    outcome.problems = [p for p in outcome.problems if p not in merged] + heading_problems
    if heading_problems:
        return outcome
    people = People(register)
    beside = read_beside(grid, file, people)
    outcome.problems += beside.problems
    existing = {doc.data["id"]: doc.path for doc in register.corpus.records}
    taken = register.corpus.record_ids | register.corpus.record_names
    rows: list[tuple[int, dict[str, Any], Facts]] = []
    new_ids: dict[str, int] = {}
    column_of = {h: i + 1 for h, i in columns.where.items()}
    for number, cells in grid.rows:
        if number <= columns.row or all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        values = {h: cells[i] if i < len(cells) else None for h, i in columns.where.items()}
        row = Row(number, values, {h: cell_text(v) for h, v in values.items()})
        for heading, value in row.text.items():
            raw = values[heading]
            if grid.text_formulas and isinstance(raw, str) and raw.strip().startswith("="):
                outcome.problems.append(
                    Problem(
                        file,
                        number,
                        column_of[heading],
                        heading,
                        "import-formula",
                        f"'{value[:60]}' is a formula, not a value; type the value itself",
                    )
                )
        record_id = row.text.get("信息编号", "")
        duplicate = ""
        if record_id in existing:
            outcome.existing.append((number, record_id, existing[record_id]))
            continue
        if record_id and record_id in new_ids:
            duplicate = f"{record_id} is on row {new_ids[record_id]} as well"
        elif record_id and record_id in taken:
            duplicate = f"a file for {record_id} is in records/ but does not validate; run `commlog validate`"
        if duplicate:
            outcome.problems.append(
                Problem(file, number, column_of["信息编号"], "信息编号", "import-duplicate", duplicate)
            )
            continue
        record, facts, problems = record_of(row, people, file)
        for heading, reason in problems:
            outcome.problems.append(Problem(file, number, column_of.get(heading, 0), heading, "import-value", reason))
        if problems or facts is None:
            continue
        if record_id:
            new_ids[record_id] = number
        rows.append((number, record, facts))
    joined, confirmed = join(beside, {r["id"]: r for _, r, _ in rows if r["id"]}, set(existing))
    outcome.problems += joined
    planned = _history(register, people, rows, confirmed, file, column_of, outcome.problems, set(new_ids))
    if outcome.problems:
        return outcome
    outcome.problems += _check(register, planned, file, Rows(column_of, _item_rows(beside)))
    if outcome.problems:
        return outcome
    outcome.written = planned
    if not dry_run and planned:
        with one_at_a_time(register.root):
            for item in planned:
                target = register.root / item.relative
                if target.exists():  # written meanwhile by someone else: leave it, as for an id known before
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, canonical_text(register.schemas, item.relative, item.record), clean_leftovers=True)
    return outcome


def _item_rows(beside: Beside) -> dict[str, dict[str, int]]:
    """Each task's and action item's row (``<id>:<sheet>:<no>`` -> {"row": n}), and each sheet's columns."""
    found: dict[str, dict[str, int]] = dict(beside.columns)
    for item in beside.items:
        if isinstance(item.value, dict):
            found.setdefault(f"{item.record_id}:{item.sheet}:{item.value['no']}", {"row": item.row})
    return found


def _history(
    register: Register,
    people: People,
    rows: list[tuple[int, dict[str, Any], Facts]],
    confirmed: dict[str, list[tuple[str, Any]]],
    file: str,
    column_of: dict[str, int],
    problems: list[Problem],
    ids: set[str],
) -> list[Planned]:
    """Each record's events, and the next number for a row without one."""
    planned: list[Planned] = []
    for number, record, facts in rows:
        facts.acknowledged = sorted(confirmed.get(record["id"], []), key=lambda pair: pair[1]) if record["id"] else []
        for task in record.get("tasks", []):
            # The rule task-status: a task that starts after the registration cannot be registered done.
            if task.get("status") == "done" and task["start"] > facts.submitted.date().isoformat():
                facts.progress.append((task["no"], "done", date.fromisoformat(task["end"])))
                task["status"] = "not_started"
        try:
            record["events"] = history(record, facts, people)
        except Bad as err:
            heading = "实际反馈时间" if "实际反馈时间" in str(err) else "处理状态"
            problems.append(Problem(file, number, column_of.get(heading, 0), heading, "import-value", str(err)))
            continue
        if not record["id"]:
            year = int(record["events"][0]["at"][:4])
            code = register.policy.departments[record["from"]["department"]].code
            record["id"] = _next_id(register, code, year, ids)
            ids.add(record["id"])
        planned.append(Planned(number, record, f"records/{record['id'].split('-')[1]}/{record['id']}.yaml"))
    return planned


def _next_id(register: Register, code: str, year: int, also: set[str]) -> str:
    candidate = numbering.next_record_id(register.root, register.policy, code, year)
    head, _, number = candidate.rpartition("-")
    width = len(number)
    sequence = int(number)
    while candidate in also:
        sequence += 1
        candidate = f"{head}-{sequence:0{width}d}"
    return candidate


def _check(register: Register, planned: list[Planned], file: str, rows: Rows) -> list[Problem]:
    """The schemas and every rule over the records to write together with the repository's; problems by row."""
    by_path = {p.relative: p for p in planned}
    problems: list[Problem] = []
    documents = []
    for item in planned:
        register.schemas.normalise(item.relative, item.record)
        for finding in register.schemas.check(item.relative, item.record):
            row, column, heading = rows.where(item, finding.pointer)
            problems.append(Problem(file, row, column, heading, finding.rule, finding.message))
        documents.append(Document(item.relative, "", item.record))
    if problems:
        return problems
    corpus = register.corpus
    changed = replace(
        corpus,
        records=[*corpus.records, *documents],
        record_ids=corpus.record_ids | {p.record["id"] for p in planned},
        record_names=corpus.record_names | {p.record["id"] for p in planned},
    )
    accepted = accepts(corpus.root)
    for finding in _findings(changed):
        owner = by_path.get(finding.path)
        if owner is None or accepted(finding):
            continue  # the repository's own findings are `commlog validate`'s to report; the allow list's are accepted
        row, column, heading = rows.where(owner, finding.pointer)
        hint = f" ({finding.hint})" if finding.hint else ""
        problems.append(Problem(file, row, column, heading, finding.rule, finding.message + hint))
    return sorted(problems, key=lambda p: (p.row, p.column, p.rule))


def _findings(corpus: Any) -> Iterator[Any]:
    yield from run(corpus)
