"""One record as a person reads it (``commlog show``): its fields under their Chinese titles, status, approvals given
and still needed, the events as a timeline, deadlines and thread."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from commlog.deadlines import STATE_NAMES, Stage, TaskStatus, stage_label, task_statuses
from commlog.findings import inert
from commlog.history import NO_HISTORY, History, record_history
from commlog.identity import Entries, Entry
from commlog.reports.columns import table
from commlog.reports.fields import TASK_NAMES, VALUE_LABELS, field_lines, value_text
from commlog.reports.people import Orgs, Staff, close_matches, labelled, name_of
from commlog.reports.register import receiver
from commlog.retention import STATE_NAMES as RETENTION_NAMES
from commlog.retention import Standing, standing
from commlog.schedule import Schedule
from commlog.schema import Schemas, Shape
from commlog.timeutil import show
from commlog.workflow import EVENT_NAMES, ROLE_NAMES, STATUS_NAMES, approvals, holders

THREAD_KEYS = ("in_reply_to", "references", "supersedes")
EVENT_SHOWN_APART = ("type", "at", "by", "role", "note", "recorded_by")
"""Event fields every timeline line has its own place for; the others follow as ``标题: 值``."""


class UnknownRecord(LookupError):
    """No valid record has the id asked for; the message says what is close or why."""


@dataclass(frozen=True)
class Approval:
    role: str
    given_by: str | None
    given_at: datetime | None
    holders: list[str]
    """Staff who may give it (for one still needed)."""


@dataclass(frozen=True)
class Thread:
    in_reply_to: str | None
    replies: list[str]
    references: list[str]
    referenced_by: list[str]
    supersedes: str | None
    superseded_by: list[str]
    subjects: dict[str, str]
    """The subject of every linked record that is valid (an unknown or invalid one has none)."""

    def empty(self) -> bool:
        return not (
            self.in_reply_to
            or self.replies
            or self.references
            or self.referenced_by
            or self.supersedes
            or self.superseded_by
        )


@dataclass(frozen=True)
class Description:
    id: str
    path: str
    record: dict[str, Any]
    """The record with the events that had happened by ``as_of``."""
    status: str
    as_of: datetime
    tz: tzinfo
    approvals: list[Approval]
    stages: list[Stage]
    thread: Thread
    times: list[datetime]
    """When each event happened, in the order of the record's events."""
    staff: Staff
    orgs: Orgs
    shape: Shape | None
    channel_names: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    """Who put each event in the register (the commit that added it), in the order of the record's events."""
    marks: list[str] = field(default_factory=list)
    """What each event whose author is not its person says about that (empty for the others)."""
    tasks: dict[str, TaskStatus] = field(default_factory=dict)
    """Each task's or action item's current status (:func:`commlog.deadlines.task_statuses`)."""
    retention: Standing | None = None
    """Where the record stands in the retention schedule at ``as_of``."""

    def who(self, person: str) -> str:
        return labelled(person, self.staff, self.orgs)


def describe(
    plan: Schedule, record_id: str, as_of: datetime, schemas: Schemas | None = None, root: Path | None = None
) -> Description:
    """The record ``record_id`` as it stood at ``as_of``; :class:`UnknownRecord` when there is no such valid record.

    With ``root``, each event's commit and author come from the record file's git history.
    """
    ctx = plan.context
    clocks = {c.record["id"]: c for c in plan.records}
    clock = clocks.get(record_id)
    if clock is None:
        raise UnknownRecord(_unknown(plan, record_id, as_of))
    record, policy = clock.record, ctx.policy
    given = approvals(record, policy)
    approval_list = [
        Approval(
            role,
            given.given[role][0] if role in given.given else None,
            ctx.time(given.given[role][1]) if role in given.given else None,
            [] if role in given.given else holders(role, record, ctx.staff, policy),
        )
        for role in given.required
    ]
    links = {cid: c.record for cid, c in clocks.items()}
    thread = Thread(
        in_reply_to=record.get("in_reply_to"),
        replies=sorted(cid for cid, r in links.items() if r.get("in_reply_to") == record_id),
        references=list(record.get("references", [])),
        referenced_by=sorted(cid for cid, r in links.items() if record_id in r.get("references", [])),
        supersedes=record.get("supersedes"),
        superseded_by=sorted(cid for cid, r in links.items() if r.get("supersedes") == record_id),
        subjects={cid: r["subject"] for cid, r in links.items()},
    )
    schemas = schemas or Schemas()
    entries = Entries(record_history(root, clock.doc.path) if root is not None else History(), ctx.staff)
    attributed = [entries.of(clock.doc.path, e) for e in record["events"]]
    return Description(
        id=record_id,
        path=clock.doc.path,
        record=record,
        status=clock.status,
        as_of=as_of,
        tz=policy.timezone,
        approvals=approval_list,
        stages=clock.stages,
        thread=thread,
        times=[ctx.time(e["at"]) for e in record["events"]],
        staff=ctx.staff,
        orgs=ctx.orgs,
        shape=schemas.shape(record["kind"]) if record["kind"] in schemas.documents else None,
        channel_names={c.id: c.name for c in policy.channels.values()},
        entries=attributed,
        marks=[
            entries.mark(a, e, lambda p: name_of(p, ctx.staff, ctx.orgs))
            for a, e in zip(attributed, record["events"], strict=True)
        ],
        tasks=task_statuses(record, policy.timezone, clock.stages),
        retention=standing(clock.doc.path, record, ctx.orgs, policy, as_of),
    )


def _unknown(plan: Schedule, record_id: str, as_of: datetime) -> str:
    tz = plan.context.policy.timezone
    if record_id in plan.not_yet:
        return f"{record_id} had not been started yet at {show(as_of, tz)}; give a later --as-of"
    if record_id in plan.record_ids:
        return f"{record_id} does not pass validation, so it cannot be shown; run `commlog validate` to see why"
    close = close_matches(record_id, plan.record_ids | plan.not_yet)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"no record {record_id}; {hint}`commlog list` shows every record"


# ---- text


def _fields(d: Description) -> list[str]:
    """The record's fields without the events (the timeline shows them) and the links (the thread does)."""
    record = d.record
    shown: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("events", *THREAD_KEYS):
            continue
        if key == "from":
            value = f"{value['department']} {d.who(value['person'])}"
        elif key == "to":
            value = [_party(p, d) for p in value]
        shown[key] = value
    return field_lines(shown, d.shape, lambda key, text: _named(key, text, d))


def _party(party: dict[str, Any], d: Description) -> str:
    text = receiver(party, d.staff, d.orgs)
    if "person" in party:
        text += f" ({party['org']}/{party['person']})" if "org" in party else f" ({party['person']})"
    elif "org" in party:
        text += f" ({party['org']})"
    return text


def _named(key: str, text: str, d: Description) -> str:
    """A channel, a staff id or an outside person's id, named; any other value as it is."""
    if key in ("channels", "channel") and text in d.channel_names:
        return f"{d.channel_names[text]} ({text})"
    if text in d.staff or ("/" in text and text.partition("/")[0] in d.orgs):
        return d.who(text)
    return text


def _approval_lines(d: Description) -> list[str]:
    if not d.approvals:
        return ["无需审核"]
    lines = []
    for a in d.approvals:
        role = f"{ROLE_NAMES.get(a.role, a.role)} ({a.role})"
        if a.given_by is not None and a.given_at is not None:
            lines.append(f"{role}: 已审核 {d.who(a.given_by)} {show(a.given_at, d.tz)}")
        else:
            who = "、".join(d.who(p) for p in a.holders) or "无人持有此角色 (在 contacts/internal/ 中指定)"
            lines.append(f"{role}: 待审核, 可审核人: {who}")
    return lines


def _stage_rows(d: Description) -> list[list[str]]:
    rows = []
    for s in d.stages:
        due = (show(s.due, d.tz) + (" 暂定" if s.provisional else "")) if s.due else "-"
        rows.append(
            [
                stage_label(s.name),
                show(s.start, d.tz),
                due,
                show(s.met, d.tz) if s.met else "-",
                STATE_NAMES[s.state],
                name_of(s.responsible, d.staff, d.orgs),
                f"{s.follow_ups} 次" if s.follow_ups else "",
            ]
        )
    return rows


def _task_rows(d: Description) -> list[list[str]]:
    """Each task or action item with its current status and the state of its clock; the table's own status is the
    status at registration, shown where it differs."""
    key, title = ("tasks", "name") if d.record["kind"] == "collaboration" else ("action_items", "task")
    rows = []
    for item in d.record.get(key, []):
        now = d.tasks[item["no"]]
        status = TASK_NAMES[now.status] + (
            f" (登记时: {TASK_NAMES[now.registered]})" if now.registered != now.status else ""
        )
        rows.append(
            [
                now.no,
                str(item[title]),
                status,
                show(now.since, d.tz) if now.event is not None else "",
                STATE_NAMES[now.state] if now.state else "",
                name_of(item["owner"], d.staff, d.orgs),
            ]
        )
    return rows


def event_lines(d: Description, index: int) -> list[str]:
    """One event of the timeline: time, what happened, who (and who entered it for them), note, the rest."""
    event = d.record["events"][index]
    what = EVENT_NAMES.get(event["type"], event["type"])
    if "role" in event:
        what += f" ({ROLE_NAMES.get(event['role'], event['role'])})"
    head = f"{show(d.times[index], d.tz)}  {what}  {d.who(event['by'])}"
    if "recorded_by" in event:
        head += f"  [{name_of(event['recorded_by'], d.staff, d.orgs)} 代 {name_of(event['by'], d.staff, d.orgs)}登记]"
    entry = d.entries[index]
    if entry.added.state != NO_HISTORY:
        head += f"  [{entry.label()}{' ' + d.marks[index] if d.marks[index] else ''}]"
    event_shape = d.shape.at(["events", 0]) if d.shape else None
    extras = []
    for key, value in event.items():
        if key in EVENT_SHOWN_APART:
            continue
        child = event_shape.props.get(key) if event_shape else None
        title = child.title if child and child.title else key
        shown = value_text(key, value, lambda k, text: _named(k, text, d))
        extras.append(f"{title}: {shown}")
    note = str(event.get("note", "")).splitlines()
    lines = [head + (f"  {note[0]}" if note else "")]
    lines += ["    " + line for line in note[1:]]
    if extras:
        lines.append("    " + "; ".join(extras))
    return lines


def _thread_lines(d: Description) -> list[str]:
    t = d.thread
    if t.empty():
        return ["无"]

    def link(record_id: str) -> str:
        subject = t.subjects.get(record_id)
        return f"{record_id} {subject}" if subject is not None else f"{record_id} (不在有效记录中)"

    lines = []
    if t.in_reply_to:
        lines.append(f"回复: {link(t.in_reply_to)}")
    lines += [f"被回复: {link(r)}" for r in t.replies]
    lines += [f"引用: {link(r)}" for r in t.references]
    lines += [f"被引用: {link(r)}" for r in t.referenced_by]
    if t.supersedes:
        lines.append(f"替代: {link(t.supersedes)}")
    lines += [f"已被替代: {link(r)}" for r in t.superseded_by]
    return lines


def _retention_lines(d: Description) -> list[str]:
    """保管期限, 到期日 and the retention state; the hold in force."""
    kept = d.retention
    if kept is None or kept.row is None:
        return []
    due = kept.due.isoformat() if kept.due else "归档后起算"
    lines = [
        f"保管期限: {kept.years} 年 ({kept.row.note or 'policy.yaml retention'})  到期日: {due}  {RETENTION_NAMES[kept.state]}"
    ]
    if kept.hold:
        lines.append(f"留存冻结: {kept.hold['at']} {d.who(kept.hold['by'])}: {kept.hold.get('note', '')}")
    return lines


def text(d: Description, out: TextIO) -> None:
    lines = [
        f"{d.id} {d.record['subject']}",
        f"状态: {STATUS_NAMES[d.status]} ({d.status})  截至 {show(d.as_of, d.tz)}  文件: {d.path}",
        *_retention_lines(d),
        "",
        "基本信息",
        *("  " + line for line in _fields(d)),
        "",
        "审核",
        *("  " + line for line in _approval_lines(d)),
        "",
        "时限",
    ]
    if d.stages:
        heading = ["环节", "开始", "截止", "完成", "状态", "责任人", "催办"]
        lines += ["  " + line for line in table(heading, _stage_rows(d))]
        pending = [s for s in d.stages if s.pending and s.open]
        for s in pending:
            names = "、".join(name_of(p, d.staff, d.orgs) for p in s.pending)
            lines.append(f"  {stage_label(s.name)} 未确认 ({len(s.pending)}): {names}")
    else:
        lines.append("  没有计时环节 (草稿或尚未提交)")
    if d.tasks:
        heading = [
            "编号",
            "任务" if d.record["kind"] == "collaboration" else "事项",
            "状态",
            "更新于",
            "时限",
            "负责人",
        ]
        lines += ["", "任务" if d.record["kind"] == "collaboration" else "待办事项"]
        lines += ["  " + line for line in table(heading, _task_rows(d))]
    lines += ["", "处理过程"]
    if any(e.added.state == NO_HISTORY for e in d.entries):
        lines.append("  (没有 git 历史：不能显示添加每个事件的提交)")
    for index in range(len(d.record["events"])):
        lines += ["  " + line for line in event_lines(d, index)]
    lines += ["", "关联记录", *("  " + line for line in _thread_lines(d))]
    for line in lines:
        # Every line holds record text: control characters are shown, never sent to the terminal.
        out.write(inert(line) + "\n")


# ---- json


def as_json(d: Description, out: TextIO) -> None:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    def person(who: str | None) -> dict[str, str] | None:
        return None if who is None else {"id": who, "name": name_of(who, d.staff, d.orgs)}

    events = []
    for index, event in enumerate(d.record["events"]):
        item = dict(event)
        item["name"] = EVENT_NAMES.get(event["type"], event["type"])
        item["at_local"] = show(d.times[index], d.tz)
        item["by_name"] = name_of(event["by"], d.staff, d.orgs)
        if "recorded_by" in event:
            item["recorded_by_name"] = name_of(event["recorded_by"], d.staff, d.orgs)
        item.update(d.entries[index].fields())
        item["marked"] = d.entries[index].marked
        if d.marks[index]:
            item["mark"] = d.marks[index]
        events.append(item)
    document = {
        "id": d.id,
        "path": d.path,
        "as_of": d.as_of.isoformat(),
        "status": d.status,
        "status_name": STATUS_NAMES[d.status],
        "retention": None
        if d.retention is None
        else {
            "state": d.retention.state,
            "years": d.retention.years,
            "due": d.retention.due.isoformat() if d.retention.due else None,
            "hold": d.retention.hold,
        },
        "record": d.record,
        "labels": {
            key: VALUE_LABELS[key][str(d.record[key])]
            for key in ("kind", "direction", "urgency", "classification", "importance")
            if key in d.record and str(d.record[key]) in VALUE_LABELS[key]
        },
        "approvals": [
            {
                "role": a.role,
                "role_name": ROLE_NAMES.get(a.role, a.role),
                "given": a.given_by is not None,
                "given_by": person(a.given_by),
                "given_at": iso(a.given_at),
                "holders": [person(p) for p in a.holders],
            }
            for a in d.approvals
        ],
        "events": events,
        "stages": [
            {
                "stage": s.name,
                "label": stage_label(s.name),
                "start": iso(s.start),
                "due": iso(s.due),
                "met": iso(s.met),
                "state": s.state,
                "state_name": STATE_NAMES[s.state],
                "responsible": person(s.responsible),
                "department": s.department,
                "follow_ups": s.follow_ups,
                "provisional": s.provisional,
                "pending": s.pending,
            }
            for s in d.stages
        ],
        "tasks": [
            {
                "no": t.no,
                "status": t.status,
                "status_name": TASK_NAMES[t.status],
                "registered": t.registered,
                "since": iso(t.since),
                "event": t.event,
                "state": t.state,
                "late": t.late,
            }
            for t in d.tasks.values()
        ],
        "thread": {
            "in_reply_to": d.thread.in_reply_to,
            "replies": d.thread.replies,
            "references": d.thread.references,
            "referenced_by": d.thread.referenced_by,
            "supersedes": d.thread.supersedes,
            "superseded_by": d.thread.superseded_by,
        },
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


WRITERS: dict[str, Callable[[Description, TextIO], None]] = {"text": text, "json": as_json}
