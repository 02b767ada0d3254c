"""The register as the office keeps it in Excel: the procedure's tables (信息交流记录表, 任务分解表, 会议纪要行动项,
通知确认表) and the contacts registers (内部/外部联络信息表), as :class:`~commlog.reports.spreadsheet.Table`\\ s.

Values are written as people write them: names, not ids; 紧急, 企业邮箱, 已归档, not their codes; times as times.
Nothing above the export's clearance is in any table, and each contact's numbers are masked below their own
level (commlog.directory: the contact's classification, private numbers, the policy's ``contacts.numbers_at``),
as on the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from commlog.deadlines import feedback_times, task_statuses
from commlog.reports.people import name_of
from commlog.reports.register import addressed
from commlog.reports.spreadsheet import Cell, Table
from commlog.reports.tables import (
    ACTION_COLUMNS,
    ACTIONS,
    CONFIRMATION_COLUMNS,
    CONFIRMATIONS,
    PROCEDURE_COLUMNS,
    REGISTER,
    REGISTER_COLUMNS,
    TASK_COLUMNS,
    TASKS,
)
from commlog.reports.tables import (
    headings as column_headings,
)
from commlog.schedule import RecordClock, Schedule
from commlog.timeutil import show
from commlog.workflow import (
    CLASSIFICATION_NAMES,
    DIRECTION_NAMES,
    KIND_NAMES,
    ORG_TYPE_NAMES,
    OUTGOING,
    ROLE_NAMES,
    STATUS_NAMES,
    TASK_NAMES,
    URGENCY_NAMES,
)

CLEARANCE = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}
IMPORTANCE_NAMES = {"normal": "一般", "important": "重要"}
CONTACT_STATUS_NAMES = {"active": "在职", "departed": "离职"}
ORG_STATUS_NAMES = {"active": "合作中", "inactive": "已停止"}
NONE = "-"
"""A recipient without a named person, in the 接收人 column beside others that have one (the procedure's own '-')."""
JOIN = "、"

REGISTER_HEADINGS = column_headings(REGISTER_COLUMNS)
TASK_HEADINGS = column_headings(TASK_COLUMNS)
ACTION_HEADINGS = column_headings(ACTION_COLUMNS)
CONFIRMATION_HEADINGS = column_headings(CONFIRMATION_COLUMNS)
INTERNAL = "内部联络信息表"
INTERNAL_HEADINGS = [
    "序号",
    "人员编号",
    "姓名",
    "部门",
    "职务",
    "办公电话",
    "手机号码",
    "邮箱",
    "负责事项",
    "审批角色",
    "状态",
    "入职日期",
    "离职日期",
    "代码托管用户名",
    "变更日期",
    "私人号码",
    "密级",
]
EXTERNAL = "外部联络信息表"
EXTERNAL_HEADINGS = [
    "序号",
    "单位编号",
    "单位名称",
    "单位类型",
    "对接事项",
    "单位电话",
    "对接负责人",
    "单位状态",
    "联系人编号",
    "联系人",
    "职务",
    "手机号码",
    "邮箱",
    "状态",
    "终止日期",
    "单位变更日期",
    "离任日期",
    "联系人变更日期",
    "单位密级",
    "私人号码",
    "密级",
]
WRAP = (
    "内容摘要",
    "备注",
    "任务描述",
    "行动项",
    "负责事项",
    "对接事项",
    "需求描述",
    "通知背景",
    "通知事项",
    "执行要求",
    "参会人员",
    "会议决议",
)


@dataclass(frozen=True)
class Selection:
    """Which records an export holds; every filter given applies."""

    kinds: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    start: date | None = None
    end: date | None = None
    """发起时间 from ``start`` to ``end``, both days included."""
    clearance: str = "internal"


@dataclass
class Export:
    title: str
    organisation: str
    period: str
    clearance: str
    as_of: datetime
    tables: list[Table] = field(default_factory=list)


def organisation_name(root: Path) -> str:
    """The organisation's name as ``commlog init --organisation`` wrote it into mkdocs.yml's site_name."""
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    except OSError:
        return root.name
    found = re.search(r"^site_name:\s*(.+?)\s*$", text, re.M)
    if not found:
        return root.name
    name = found.group(1).strip("'\"")
    return re.sub(r"\s*信息交流档案$", "", name) or root.name


def clearance_label(clearance: str) -> str:
    return f"{CLASSIFICATION_NAMES[clearance]}及以下"


def _title(organisation: str, what: str, period: str, clearance: str, as_of: datetime, tz: Any) -> str:
    return f"{organisation} {what}    期间: {period}    密级: {clearance_label(clearance)}    导出于 {show(as_of, tz)}"


def _period(selection: Selection, submitted: list[datetime]) -> str:
    if selection.start or selection.end:
        start = selection.start.isoformat() if selection.start else "最早"
        end = selection.end.isoformat() if selection.end else "至今"
        return f"{start} 至 {end}"
    if not submitted:
        return "全部"
    return f"{min(submitted):%Y-%m-%d} 至 {max(submitted):%Y-%m-%d}"


def _submitted(clock: RecordClock, plan: Schedule) -> datetime:
    events = clock.record["events"]
    first = next((e for e in events if e["type"] == "submitted"), events[0])
    return plan.context.time(first["at"])


def selected(plan: Schedule, selection: Selection) -> list[RecordClock]:
    """The records the selection keeps, in the order they were started; nothing above its clearance."""
    tz = plan.context.policy.timezone
    kept = []
    for clock in plan.records:
        record = clock.record
        day = _submitted(clock, plan).astimezone(tz).date()
        if (
            CLEARANCE[record["classification"]] > CLEARANCE[selection.clearance]
            or (selection.kinds and record["kind"] not in selection.kinds)
            or (selection.departments and record["from"]["department"] not in selection.departments)
            or (selection.statuses and clock.status not in selection.statuses)
            or (selection.start and day < selection.start)
            or (selection.end and day > selection.end)
        ):
            continue
        kept.append(clock)
    kept.sort(key=lambda c: (_submitted(c, plan), c.record["id"]))
    return kept


def recipients(record: dict[str, Any], staff: dict[str, Any], orgs: dict[str, Any]) -> tuple[str, str]:
    """接收部门/单位 and 接收人: one entry per recipient, joined with 、; '-' for a recipient without a person
    beside others that have one."""
    units, people = [], []
    for party in record["to"]:
        if party.get("all_staff"):
            units.append("全体员工")
            people.append(NONE)
        elif "org" in party:
            org = orgs.get(party["org"], {})
            units.append(org.get("name", party["org"]))
            person = next((p["name"] for p in org.get("people", []) if p["id"] == party.get("person")), None)
            people.append(person or party.get("person") or NONE)
        else:
            units.append(party["department"])
            people.append(name_of(party["person"], staff, orgs) if "person" in party else NONE)
    return JOIN.join(units), (JOIN.join(people) if any(p != NONE for p in people) else "")


def _archive_no(record: dict[str, Any]) -> str:
    numbers = [e["archive_no"] for e in record["events"] if e["type"] == "archived" and "archive_no" in e]
    return numbers[-1] if numbers else ""


def register_rows(plan: Schedule, clocks: list[RecordClock]) -> list[list[Cell]]:
    ctx = plan.context
    channels = {c.id: c.name for c in ctx.policy.channels.values()}
    rows: list[list[Cell]] = []
    for clock in clocks:
        record = clock.record
        units, people = recipients(record, ctx.staff, ctx.orgs)
        expected, actual = feedback_times(record, clock.stages)
        category = record.get("category", {})
        rows.append(
            [
                record["id"],
                record["from"]["department"],
                name_of(record["from"]["person"], ctx.staff, ctx.orgs),
                units,
                people,
                record["subject"],
                record["summary"],
                URGENCY_NAMES[record["urgency"]],
                "+".join(channels.get(c, c) for c in record["channels"]),
                _submitted(clock, plan),
                expected,
                actual,
                STATUS_NAMES[clock.status],
                record.get("remarks", ""),
                _archive_no(record),
                KIND_NAMES[record["kind"]],
                DIRECTION_NAMES[record["direction"]],
                CLASSIFICATION_NAMES[record["classification"]],
                IMPORTANCE_NAMES[record.get("importance", "normal")],
                category.get("project", ""),
                category.get("matter", ""),
                _last(plan, record, OUTGOING[record["kind"]], first=True),
                _last(plan, record, "completed") or _last(plan, record, "cancelled"),
                _last(plan, record, "archived"),
                *kind_cells(record, ctx),
            ]
        )
    return rows


def kind_cells(record: dict[str, Any], ctx: Any) -> list[Cell]:
    """The columns of one kind's own parts: a request's need, a notice's items, a meeting (empty for the others)."""
    request, notice, meeting = record.get("request", {}), record.get("notice", {}), record.get("meeting", {})

    def name(who: str | None) -> str:
        return name_of(who, ctx.staff, ctx.orgs) if who else ""

    return [
        request.get("need", ""),
        _day(request["expected_by"]) if request.get("expected_by") else None,
        request.get("budget"),
        request.get("source", ""),
        notice.get("background", ""),
        "\n".join(notice.get("items", [])),
        notice.get("requirements", ""),
        name(notice.get("contact")),
        _day(notice["effective"]) if notice.get("effective") else None,
        ctx.time(meeting["held_at"]) if meeting.get("held_at") else None,
        meeting.get("place", ""),
        name(meeting.get("host")),
        name(meeting.get("recorder")),
        JOIN.join(name(a) for a in record.get("attendees", [])),
        "\n".join(record.get("decisions", [])),
    ]


def _last(plan: Schedule, record: dict[str, Any], event_type: str, first: bool = False) -> datetime | None:
    """When the record's last (or first) event of this type happened (完成时间 is a cancellation's time too)."""
    times = [plan.context.time(e["at"]) for e in record["events"] if e["type"] == event_type]
    return (times[0] if first else times[-1]) if times else None


def _day(text: Any) -> Cell:
    """A task's start or end: a date, or a time when one is written."""
    value = str(text)
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value[:16])
    except ValueError:
        return value


def task_rows(plan: Schedule, clocks: list[RecordClock]) -> list[list[Cell]]:
    ctx = plan.context
    rows: list[list[Cell]] = []
    for clock in clocks:
        record = clock.record
        if record["kind"] != "collaboration":
            continue
        now = task_statuses(record, ctx.policy.timezone, clock.stages)
        for task in record.get("tasks", []):
            rows.append(
                [
                    record["id"],
                    record.get("category", {}).get("project") or record["subject"],
                    task["no"],
                    task["name"],
                    task.get("description", ""),
                    task.get("department", ""),
                    name_of(task["owner"], ctx.staff, ctx.orgs),
                    _day(task["start"]) if task.get("start") else None,
                    _day(task["end"]) if task.get("end") else None,
                    task.get("deliverable", ""),
                    JOIN.join(task.get("depends_on", [])) or NONE,
                    TASK_NAMES[now[task["no"]].status],
                ]
            )
    return rows


def action_rows(plan: Schedule, clocks: list[RecordClock]) -> list[list[Cell]]:
    ctx = plan.context
    rows: list[list[Cell]] = []
    for clock in clocks:
        record = clock.record
        if record["kind"] != "minutes":
            continue
        now = task_statuses(record, ctx.policy.timezone, clock.stages)
        held = record.get("meeting", {}).get("held_at")
        for item in record.get("action_items", []):
            rows.append(
                [
                    record["id"],
                    record["subject"],
                    ctx.time(held) if held else None,
                    item["no"],
                    item["task"],
                    name_of(item["owner"], ctx.staff, ctx.orgs),
                    ctx.time(item["due"]) if item.get("due") else None,
                    TASK_NAMES[now[item["no"]].status],
                ]
            )
    return rows


def confirmation_rows(plan: Schedule, clocks: list[RecordClock]) -> list[list[Cell]]:
    """Each notice's readers: who confirmed (已阅) and when, and who has not, by department."""
    ctx = plan.context
    rows: list[list[Cell]] = []
    for clock in clocks:
        record = clock.record
        if record["kind"] != "notice":
            continue
        published = next((ctx.time(e["at"]) for e in record["events"] if e["type"] == "published"), None)
        acked = {e["by"]: ctx.time(e["at"]) for e in record["events"] if e["type"] == "acknowledged"}
        readers = sorted(addressed(record, ctx.staff) | set(acked), key=lambda p: (_dept(p, ctx.staff), p))
        for person in readers:
            rows.append(
                [
                    record["id"],
                    record["subject"],
                    published,
                    _dept(person, ctx.staff),
                    name_of(person, ctx.staff, ctx.orgs),
                    "已阅" if person in acked else "未阅",
                    acked.get(person),
                ]
            )
    return rows


def _dept(person: str, staff: dict[str, Any]) -> str:
    return str(staff.get(person, {}).get("department", ""))


def records_export(plan: Schedule, selection: Selection, organisation: str, as_of: datetime) -> Export:
    """The register and, where the records hold them, the task, action-item and confirmation tables; a contact
    classified above the clearance is named 无权查看 (commlog.directory), as on the site."""
    from commlog import directory

    staff, orgs = directory.names_at(plan.context.staff, plan.context.orgs, selection.clearance)
    plan = replace(plan, context=replace(plan.context, staff=staff, orgs=orgs))
    tz = plan.context.policy.timezone
    clocks = selected(plan, selection)
    period = _period(selection, [_submitted(c, plan).astimezone(tz) for c in clocks])
    result = Export(
        _title(organisation, REGISTER, period, selection.clearance, as_of, tz),
        organisation,
        period,
        selection.clearance,
        as_of,
    )

    def table(name: str, headings: list[str], rows: list[list[Cell]]) -> Table:
        title = _title(organisation, name, period, selection.clearance, as_of, tz)
        return Table(name, headings, rows, title=title, tz=tz, wrap=WRAP)

    register = table(REGISTER, REGISTER_HEADINGS, register_rows(plan, clocks))
    register.print_columns = PROCEDURE_COLUMNS
    result.tables.append(register)
    extra: list[tuple[str, list[str], Callable[[Schedule, list[RecordClock]], list[list[Cell]]]]] = [
        (TASKS, TASK_HEADINGS, task_rows),
        (ACTIONS, ACTION_HEADINGS, action_rows),
        (CONFIRMATIONS, CONFIRMATION_HEADINGS, confirmation_rows),
    ]
    for name, headings, rows_of in extra:
        rows = rows_of(plan, clocks)
        if rows:
            result.tables.append(table(name, headings, rows))
    return masked(result, plan.context)


def contacts_export(plan: Schedule, clearance: str, organisation: str, as_of: datetime) -> Export:
    """内部联络信息表 and 外部联络信息表: the contacts at or below ``clearance``, each number whole at or above its
    own level and masked (138****1234) below it (commlog.directory), as on the site."""
    from commlog import directory

    ctx = plan.context
    tz = ctx.policy.timezone
    rules = directory.settings_of(ctx.policy.data)
    some_masked = False

    def phone(contact: dict[str, Any], name: str, org: dict[str, Any] | None = None) -> str:
        nonlocal some_masked
        shown = directory.shown_number(rules, clearance, contact, name, org)
        some_masked = some_masked or shown != str(contact.get(name) or "")
        return shown

    internal: list[list[Cell]] = []
    staff = [p for p in ctx.staff.values() if directory.listed(clearance, p)]
    for n, person in enumerate(sorted(staff, key=lambda p: (p["department"], p["id"])), 1):
        internal.append(
            [
                n,
                person["id"],
                person["name"],
                person["department"],
                person.get("title", ""),
                phone(person, "phone"),
                phone(person, "mobile"),
                person.get("email", ""),
                JOIN.join(person.get("responsibilities", [])),
                JOIN.join(ROLE_NAMES.get(r, r) for r in person.get("roles", [])),
                CONTACT_STATUS_NAMES.get(person.get("status", ""), person.get("status", "")),
                _day(person["joined"]) if person.get("joined") else None,
                _day(person["departed"]) if person.get("departed") else None,
                person.get("forge_user", ""),
                _day(person["changed"]) if person.get("changed") else None,
                *_marks(person),
            ]
        )
    external: list[list[Cell]] = []
    n = 0
    orgs = [o for o in ctx.orgs.values() if directory.listed(clearance, o)]
    for org in sorted(orgs, key=lambda o: (list(ORG_TYPE_NAMES).index(o["type"]), o["id"])):
        for person in [p for p in org.get("people", []) if directory.listed(clearance, p, org)] or [{}]:
            n += 1
            dates = ((org, "ended"), (org, "changed"), (person, "left"), (person, "changed"))
            external.append(
                [
                    n,
                    org["id"],
                    org["name"],
                    ORG_TYPE_NAMES[org["type"]],
                    JOIN.join(org.get("matters", [])),
                    phone(org, "phone"),
                    name_of(org["owner"], ctx.staff, ctx.orgs) if org.get("owner") else "",
                    ORG_STATUS_NAMES.get(org.get("status", ""), org.get("status", "")),
                    person.get("id", ""),
                    person.get("name", ""),
                    person.get("title", ""),
                    phone(person, "mobile", org),
                    person.get("email", ""),
                    CONTACT_STATUS_NAMES.get(person.get("status", ""), person.get("status", "")),
                    *(_day(item[key]) if item.get(key) else None for item, key in dates),
                    CLASSIFICATION_NAMES.get(org.get("classification", ""), ""),
                    *_marks(person),
                ]
            )
    result = Export(
        _title(organisation, "联络信息表", "当前", clearance, as_of, tz), organisation, "当前", clearance, as_of
    )
    for name, headings, rows in ((INTERNAL, INTERNAL_HEADINGS, internal), (EXTERNAL, EXTERNAL_HEADINGS, external)):
        title = _title(organisation, name, "当前", clearance, as_of, tz)
        if some_masked:
            title += "    电话号码已隐去中间四位（按联络人的密级）"
        result.tables.append(Table(name, headings, rows, title=title, tz=tz, wrap=WRAP))
    return masked(result, ctx)


def _marks(contact: dict[str, Any]) -> list[Cell]:
    """A contact's 私人号码 and 密级 cells, empty where the file says nothing (the defaults)."""
    from commlog.directory import NUMBER_NAMES

    private = JOIN.join(NUMBER_NAMES[n] for n in contact.get("private") or [])
    return [private, CLASSIFICATION_NAMES.get(contact.get("classification", ""), "")]


def masked(result: Export, ctx: Any) -> Export:
    """The export with every number its clearance may not see whole masked in every text cell (commlog.sensitive,
    the contacts' private numbers included): the one place an export's text passes before a writer (xlsx, CSV,
    JSON) gets it. ``ctx``: the schedule's context (policy, staff, organisations)."""
    from commlog.sensitive import mask_text, settings_of, with_private

    settings = with_private(settings_of(ctx.policy.data), ctx.staff, ctx.orgs)
    for table in result.tables:
        table.rows = [
            [mask_text(cell, settings, result.clearance) if isinstance(cell, str) else cell for cell in row]
            for row in table.rows
        ]
    return result
