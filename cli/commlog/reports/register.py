"""The register (信息交流记录表) in a terminal or a spreadsheet: one row per record, filtered by status, department,
kind or the person it concerns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TextIO

from commlog import deadlines
from commlog.deadlines import Stage
from commlog.findings import inert
from commlog.policy import Policy
from commlog.reports import spreadsheet
from commlog.reports.columns import table
from commlog.reports.people import Orgs, Staff, name_of
from commlog.schedule import RecordClock, Schedule
from commlog.sensitive import CLEARANCE, mask_text, settings_of, with_private
from commlog.timeutil import show
from commlog.workflow import KIND_NAMES, STATUS_NAMES, URGENCY_NAMES, approvals, may_approve

REPLY_STAGES = ("feedback", "answer", "quote", "reply")
"""Stages that answer a record; per-department answers are named ``answer:<department>``."""


def feedback_times(record: dict[str, Any], stage_list: list[Stage]) -> tuple[datetime | None, datetime | None]:
    """预计反馈时间 and 实际反馈时间: when the answer a record waits for is due (the last of them, for answers per
    department), and when the last came once every one has.

    The deadlines module decides this for every view of the register when it knows how
    (``deadlines.feedback_times``); until then, the answer stages decide it here.
    """
    shared = getattr(deadlines, "feedback_times", None)
    if shared is not None:
        due, met = shared(record, stage_list)
        return due, met
    replies = [s for s in stage_list if s.name.partition(":")[0] in REPLY_STAGES]
    due = max((s.due for s in replies if s.due is not None), default=None)
    met = None if not replies or any(s.met is None for s in replies) else max(s.met for s in replies if s.met)
    return due, met


def receiver(party: dict[str, Any], staff: Staff, orgs: Orgs) -> str:
    """One recipient as the register writes it: 客户A公司 李娜, 市场部 王芳, 市场部, 全体员工."""
    if party.get("all_staff"):
        return "全体员工"
    if "org" in party:
        org = orgs.get(party["org"], {}).get("name", party["org"])
        person = next(
            (p["name"] for p in orgs.get(party["org"], {}).get("people", []) if p["id"] == party.get("person")),
            party.get("person"),
        )
        return f"{org} {person}" if person else org
    person = party.get("person")
    return f"{party['department']} {name_of(person, staff, orgs)}" if person else party["department"]


def addressed(record: dict[str, Any], staff: Staff) -> set[str]:
    """Staff a record is addressed to: people named, every active member of a department addressed as a whole, or all staff."""
    people: set[str] = set()
    for party in record["to"]:
        if party.get("all_staff"):
            people |= {pid for pid, p in staff.items() if p.get("status") == "active"}
        elif "org" in party:
            continue
        elif "person" in party:
            people.add(party["person"])
        else:
            people |= {
                pid
                for pid, p in staff.items()
                if p["department"] == party["department"] and p.get("status") == "active"
            }
    return people


def owners(record: dict[str, Any]) -> set[str]:
    """Owners of a collaboration's tasks and of minutes' action items."""
    return {item["owner"] for key in ("tasks", "action_items") for item in record.get(key, [])}


def may_give_missing(clock: RecordClock, person: str, staff: Staff, policy: Policy) -> list[str]:
    """Roles still missing from a record under review that ``person`` may give."""
    if clock.status != "pending_review":
        return []
    return [
        r for r in approvals(clock.record, policy).missing if may_approve(r, staff.get(person), clock.record, policy)
    ]


def concerns(clock: RecordClock, person: str, staff: Staff, policy: Policy) -> bool:
    """Whether a record is ``person``'s: they sent it, receive it, owe an approval on it or own one of its tasks."""
    record = clock.record
    return (
        record["from"]["person"] == person
        or person in addressed(record, staff)
        or person in owners(record)
        or bool(may_give_missing(clock, person, staff, policy))
    )


class BadChoice(ValueError):
    """A filter value that names nothing; the message lists what it may be."""


def _choice(text: str, names: dict[str, str], what: str) -> str:
    wanted = text.strip()
    for code, name in names.items():
        if wanted.lower() == code.lower() or wanted == name:
            return code
    listed = ", ".join(f"{code} ({name})" for code, name in names.items())
    raise BadChoice(f"'{text}' is not a {what}; use one of: {listed}")


def status_id(text: str) -> str:
    """A status given as its id (pending_review) or its Chinese name (待审核)."""
    return _choice(text, STATUS_NAMES, "status")


def kind_id(text: str) -> str:
    """A kind given as its id (notice) or its Chinese name (内部通知)."""
    return _choice(text, KIND_NAMES, "kind")


def department_name(text: str, policy: Policy) -> str:
    """A department given as its name (市场部) or its code (NX, any case)."""
    wanted = text.strip()
    for dept in policy.departments.values():
        if wanted == dept.name or wanted.upper() == dept.code.upper():
            return dept.name
    listed = ", ".join(f"{d.name} ({d.code})" for d in policy.departments.values())
    raise BadChoice(f"'{text}' is not a department in policy.yaml; use one of: {listed}")


@dataclass(frozen=True)
class Filters:
    statuses: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    person: str | None = None
    """Only records that concern this member of staff (``--mine``)."""
    clearance: str | None = None
    """Only records at or below this classification, their numbers masked as the site and exports mask them for it
    (``--clearance``); None: every record as its files say (the repository's own reader)."""


@dataclass(frozen=True)
class Row:
    id: str
    kind: str
    direction: str
    department: str
    sender: str
    sender_name: str
    to: list[dict[str, Any]]
    receivers: list[str]
    subject: str
    summary: str
    urgency: str
    channels: list[str]
    submitted: datetime
    status: str
    expected: datetime | None
    actual: datetime | None
    archive_no: str
    remarks: str
    path: str


@dataclass(frozen=True)
class Register:
    as_of: datetime
    rows: list[Row]
    tz: tzinfo
    channel_names: dict[str, str] = field(default_factory=dict)
    person: str | None = None


def register(plan: Schedule, as_of: datetime, filters: Filters = Filters()) -> Register:
    """Rows of the register in the order records were started, as they stood at ``as_of``."""
    ctx = plan.context
    staff, orgs, policy = ctx.staff, ctx.orgs, ctx.policy
    rows = []
    settings = with_private(settings_of(policy.data), staff, orgs)

    def shown(text: str) -> str:
        return text if filters.clearance is None else mask_text(text, settings, filters.clearance)

    for clock in plan.records:
        record = clock.record
        if (
            (filters.clearance and CLEARANCE[record["classification"]] > CLEARANCE[filters.clearance])
            or (filters.statuses and clock.status not in filters.statuses)
            or (filters.departments and record["from"]["department"] not in filters.departments)
            or (filters.kinds and record["kind"] not in filters.kinds)
            or (filters.person and not concerns(clock, filters.person, staff, policy))
        ):
            continue
        archived = [e["archive_no"] for e in record["events"] if e["type"] == "archived" and "archive_no" in e]
        expected, actual = feedback_times(record, clock.stages)
        rows.append(
            Row(
                id=record["id"],
                kind=record["kind"],
                direction=record["direction"],
                department=record["from"]["department"],
                sender=record["from"]["person"],
                sender_name=name_of(record["from"]["person"], staff, orgs),
                to=record["to"],
                receivers=[receiver(p, staff, orgs) for p in record["to"]],
                subject=shown(record["subject"]),
                summary=shown(record["summary"]),
                urgency=record["urgency"],
                channels=record["channels"],
                submitted=ctx.time(record["events"][0]["at"]),
                status=clock.status,
                expected=expected,
                actual=actual,
                archive_no=archived[-1] if archived else "",
                remarks=shown(record.get("remarks", "")),
                path=clock.doc.path,
            )
        )
    rows.sort(key=lambda r: (r.submitted, r.id))
    channels = {c.id: c.name for c in policy.channels.values()}
    return Register(as_of, rows, policy.timezone, channels, filters.person)


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return show(moment, tz) if moment is not None else ""


HEADINGS = [
    "编号",
    "类型",
    "发起部门",
    "发起人",
    "接收部门/单位",
    "主题",
    "紧急程度",
    "状态",
    "预计反馈时间",
    "归档编号",
]


def text(reg: Register, out: TextIO) -> None:
    whose = " (与我相关)" if reg.person else ""
    out.write(f"信息交流记录表{whose} 截至 {show(reg.as_of, reg.tz)}: {len(reg.rows)} 条\n")
    if not reg.rows:
        return
    cells = [
        [
            r.id,
            KIND_NAMES[r.kind],
            r.department,
            r.sender_name,
            "、".join(r.receivers),
            r.subject,
            URGENCY_NAMES[r.urgency],
            STATUS_NAMES[r.status],
            _when(r.expected, reg.tz) or "-",
            r.archive_no or "-",
        ]
        for r in reg.rows
    ]
    # Record text may hold control characters: made visible before it is measured and padded.
    for line in table(HEADINGS, [[inert(c) for c in row] for row in cells]):
        out.write(line + "\n")


CSV_HEADINGS = [
    "信息编号",
    "记录类型",
    "发起部门",
    "发起人",
    "接收部门/单位",
    "信息主题",
    "内容摘要",
    "紧急程度",
    "传递方式",
    "发起时间",
    "预计反馈时间",
    "实际反馈时间",
    "处理状态",
    "备注",
    "归档编号",
]


def sheet(reg: Register) -> spreadsheet.Table:
    """The whole register as the procedure's table has it (for CSV and xlsx)."""
    rows: list[list[spreadsheet.Cell]] = [
        [
            r.id,
            KIND_NAMES[r.kind],
            r.department,
            r.sender_name,
            "、".join(r.receivers),
            r.subject,
            r.summary,
            URGENCY_NAMES[r.urgency],
            "+".join(reg.channel_names.get(c, c) for c in r.channels),
            r.submitted,
            r.expected,
            r.actual,
            STATUS_NAMES[r.status],
            r.remarks,
            r.archive_no,
        ]
        for r in reg.rows
    ]
    return spreadsheet.Table("信息交流记录表", CSV_HEADINGS, rows, tz=reg.tz)


def as_csv(reg: Register, out: TextIO) -> None:
    """The whole register, with a byte order mark so that Excel reads UTF-8; other encodings through :func:`sheet`."""
    out.write(spreadsheet.csv_text(sheet(reg)))


def as_json(reg: Register, out: TextIO) -> None:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    rows = [
        {
            "id": r.id,
            "kind": r.kind,
            "direction": r.direction,
            "department": r.department,
            "sender": r.sender,
            "sender_name": r.sender_name,
            "to": r.to,
            "receivers": r.receivers,
            "subject": r.subject,
            "urgency": r.urgency,
            "status": r.status,
            "status_name": STATUS_NAMES[r.status],
            "submitted": iso(r.submitted),
            "expected_feedback": iso(r.expected),
            "actual_feedback": iso(r.actual),
            "archive_no": r.archive_no or None,
            "path": r.path,
        }
        for r in reg.rows
    ]
    document = {"as_of": reg.as_of.isoformat(), "person": reg.person, "count": len(rows), "records": rows}
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


WRITERS: dict[str, Callable[[Register, TextIO], None]] = {"text": text, "json": as_json, "csv": as_csv}
