"""The sheets export writes beside the register, read back: 任务分解表 (a collaboration's tasks), 会议纪要行动项 (the
minutes' action items) and 通知确认表 (who confirmed a notice, and when), each row joined to its record by 信息编号."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any

from commlog.importing.rows import LATER_HOUR, SPLIT, Row
from commlog.importing.sheets import Grid, Problem, find_headings
from commlog.importing.values import Bad, People, cell_text, choice, stamp, when
from commlog.reports.export import NONE
from commlog.reports.tables import (
    ACTION_COLUMNS,
    ACTIONS,
    CONFIRMATION_COLUMNS,
    CONFIRMATIONS,
    TASK_COLUMNS,
    TASKS,
    Columns,
    aliases,
)
from commlog.workflow import KIND_NAMES, TASK_NAMES

SHEETS = (TASKS, ACTIONS, CONFIRMATIONS)
REQUIRED = {
    TASKS: ["信息编号", "任务编号", "任务名称", "负责部门", "负责人", "开始时间", "结束时间"],
    ACTIONS: ["信息编号", "序号", "行动项", "负责人", "完成期限"],
    CONFIRMATIONS: ["信息编号", "姓名", "确认状态"],
}
COLUMNS: dict[str, Columns] = {TASKS: TASK_COLUMNS, ACTIONS: ACTION_COLUMNS, CONFIRMATIONS: CONFIRMATION_COLUMNS}
KIND = {TASKS: "collaboration", ACTIONS: "minutes", CONFIRMATIONS: "notice"}
FIELD = {TASKS: "tasks", ACTIONS: "action_items", CONFIRMATIONS: "acknowledged"}
"""Where each sheet's rows go: the record's task table, its action items, or its read confirmations (events)."""
ITEM_HEADINGS = {
    "no": "任务编号",
    "name": "任务名称",
    "description": "任务描述",
    "department": "负责部门",
    "owner": "负责人",
    "start": "开始时间",
    "end": "结束时间",
    "deliverable": "交付成果",
    "depends_on": "依赖任务",
    "status": "状态",
    "task": "行动项",
    "due": "完成期限",
}
"""A task's or action item's field and its column, to name the cell a schema finding is about."""


@dataclass
class Item:
    sheet: str
    row: int
    record_id: str
    value: Any
    """A task or an action item (a dict), or a confirmation: (staff id, 确认时间)."""


@dataclass
class Beside:
    """What the sheets beside the register give, row by row, and their problems."""

    file: str = ""
    items: list[Item] = field(default_factory=list)
    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    """Each sheet's headings at their columns (1-based)."""
    problems: list[Problem] = field(default_factory=list)

    def problem(self, item: Item, heading: str, rule: str, reason: str) -> Problem:
        column = self.columns.get(item.sheet, {}).get(heading, 0)
        return Problem(self.file, item.row, column, f"{item.sheet} {heading}", rule, reason)


def read_beside(grid: Grid, file: str, people: People) -> Beside:
    """Every row of the sheets beside the register, checked; ``file`` names the file in the problems."""
    result = Beside(file)
    for name in SHEETS:
        sheet = grid.siblings.get(name)
        if sheet is None:
            continue
        columns, problems = find_headings(sheet, file, aliases(COLUMNS[name]), REQUIRED[name])
        merged = [p for p in sheet.problems if not (p.rule == "import-merged" and p.row < columns.row)]
        result.problems += [_in(name, p) for p in merged + problems]
        if problems:
            continue
        result.columns[name] = {h: i + 1 for h, i in columns.where.items()}
        parse = PARSERS[name]
        for row in _rows(sheet, columns.row, columns.where):
            reasons: list[tuple[str, str]] = []
            record_id = row.text.get("信息编号", "")
            value = parse(row, people, reasons) if record_id else None
            if not record_id:
                reasons.append(
                    ("信息编号", "is empty; name the record (its 信息编号 in 信息交流记录表) the row belongs to")
                )
            for heading, reason in reasons:
                column = result.columns[name].get(heading, 0)
                result.problems.append(Problem(file, row.number, column, f"{name} {heading}", "import-value", reason))
            if not reasons:
                result.items.append(Item(name, row.number, record_id, value))
    return result


def _in(sheet: str, problem: Problem) -> Problem:
    return replace(problem, heading=f"{sheet} {problem.heading}".strip())


def _rows(grid: Grid, heading_row: int, where: dict[str, int]) -> Iterator[Row]:
    for number, cells in grid.rows:
        if number <= heading_row or all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        values = {h: cells[i] if i < len(cells) else None for h, i in where.items()}
        yield Row(number, values, {h: cell_text(v) for h, v in values.items()})


def join(
    beside: Beside, records: dict[str, dict[str, Any]], skipped: set[str]
) -> tuple[list[Problem], dict[str, list[tuple[str, datetime]]]]:
    """Each row into its record (a collaboration's tasks, the minutes' action items), and each notice's confirmations
    (staff id, time) by id; rows of records in the repository already (``skipped``) are left with them."""
    problems: list[Problem] = []
    confirmed: dict[str, list[tuple[str, datetime]]] = {}
    numbers: dict[tuple[str, str], int] = {}
    for item in beside.items:
        if item.record_id in skipped:
            continue
        record = records.get(item.record_id)
        wanted = KIND[item.sheet]
        if record is None:
            reason = f"{item.record_id} is not a row of the register (信息交流记录表) in this file; add its row, or fix the number"
        elif record["kind"] != wanted:
            reason = f"{item.record_id} is {KIND_NAMES[record['kind']]}; {item.sheet} rows belong to {KIND_NAMES[wanted]} records"
        else:
            reason = ""
        if reason:
            problems.append(beside.problem(item, "信息编号", "import-value", reason))
            continue
        assert record is not None
        if item.sheet == CONFIRMATIONS:
            if item.value is not None:
                confirmed.setdefault(item.record_id, []).append(item.value)
            continue
        no = item.value["no"]
        if (item.record_id, f"{item.sheet}:{no}") in numbers:
            first = numbers[(item.record_id, f"{item.sheet}:{no}")]
            heading = "任务编号" if item.sheet == TASKS else "序号"
            reason = f"{item.record_id} has a {heading} {no} on row {first} as well"
            problems.append(beside.problem(item, heading, "import-duplicate", reason))
            continue
        numbers[(item.record_id, f"{item.sheet}:{no}")] = item.row
        record[FIELD[item.sheet]].append(item.value)
    return problems, confirmed


def _day(row: Row, heading: str, reasons: list[tuple[str, str]]) -> str | None:
    try:
        return when(row.cells[heading], time(0)).date().isoformat()
    except Bad as err:
        reasons.append((heading, str(err)))
        return None


def _task(row: Row, people: People, reasons: list[tuple[str, str]]) -> dict[str, Any]:
    t = row.text
    for heading in REQUIRED[TASKS]:
        if not t.get(heading):
            reasons.append((heading, "is empty; every task needs it"))
    task: dict[str, Any] = {"no": t.get("任务编号", ""), "name": t.get("任务名称", "")}
    if t.get("任务描述"):
        task["description"] = t["任务描述"]
    department = _take(reasons, "负责部门", people.department, t.get("负责部门")) if t.get("负责部门") else None
    task["department"] = department
    task["owner"] = _take(reasons, "负责人", people.staff_member, t["负责人"], department) if t.get("负责人") else None
    for key, heading in (("start", "开始时间"), ("end", "结束时间")):
        task[key] = _day(row, heading, reasons) if t.get(heading) else None
    if task["start"] and task["end"] and task["end"] < task["start"]:
        reasons.append(("结束时间", f"{task['end']} is before 开始时间 {task['start']}"))
    if t.get("交付成果"):
        task["deliverable"] = t["交付成果"]
    depends = [d for d in SPLIT.split(t.get("依赖任务", "")) if d and d != NONE]
    if depends:
        task["depends_on"] = depends
    if t.get("状态"):
        task["status"] = _take(reasons, "状态", choice, t["状态"], TASK_NAMES, "任务状态")
    return task


def _action(row: Row, people: People, reasons: list[tuple[str, str]]) -> dict[str, Any]:
    t = row.text
    for heading in REQUIRED[ACTIONS]:
        if not t.get(heading):
            reasons.append((heading, "is empty; every action item needs it"))
    item: dict[str, Any] = {"no": t.get("序号", ""), "task": t.get("行动项", "")}
    item["owner"] = _take(reasons, "负责人", people.staff_member, t["负责人"], None) if t.get("负责人") else None
    due = _take(reasons, "完成期限", when, row.cells["完成期限"], LATER_HOUR) if t.get("完成期限") else None
    item["due"] = stamp(due) if due else None
    if t.get("状态"):
        item["status"] = _take(reasons, "状态", choice, t["状态"], TASK_NAMES, "状态")
    return item


def _confirmation(row: Row, people: People, reasons: list[tuple[str, str]]) -> tuple[str, datetime] | None:
    """(who, when) of a 已阅 row; None for 未阅 (nothing happened)."""
    t = row.text
    department = _take(reasons, "部门", people.department, t["部门"]) if t.get("部门") else None
    who = _take(reasons, "姓名", people.staff_member, t["姓名"], department) if t.get("姓名") else None
    if not t.get("姓名"):
        reasons.append(("姓名", "is empty; name the reader"))
    read = _take(reasons, "确认状态", choice, t.get("确认状态", ""), {"yes": "已阅", "no": "未阅"}, "确认状态")
    if read != "yes":
        if t.get("确认时间") and read == "no":
            reasons.append(("确认时间", "a time, but 确认状态 is 未阅; write 已阅, or empty the cell"))
        return None
    if not t.get("确认时间"):
        reasons.append(("确认时间", "is empty; 已阅 needs the time it was confirmed"))
        return None
    moment = _take(reasons, "确认时间", when, row.cells["确认时间"], LATER_HOUR)
    return (who, moment) if who and moment else None


def _take(reasons: list[tuple[str, str]], heading: str, parse: Callable[..., Any], *args: Any) -> Any:
    try:
        return parse(*args)
    except Bad as err:
        reasons.append((heading, str(err)))
        return None


PARSERS: dict[str, Callable[[Row, People, list[tuple[str, str]]], Any]] = {
    TASKS: _task,
    ACTIONS: _action,
    CONFIRMATIONS: _confirmation,
}
