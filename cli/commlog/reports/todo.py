"""What is waiting on one member of staff right now (``commlog todo``), most urgent first, each with the command
that does it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TextIO

from commlog.deadlines import STATE_NAMES, Stage, stage_label
from commlog.findings import inert
from commlog.policy import Policy
from commlog.reports.columns import table
from commlog.reports.people import Staff, name_of
from commlog.reports.register import may_give_missing
from commlog.schedule import RecordClock, Schedule
from commlog.timeutil import show
from commlog.workflow import OUTGOING, ROLE_NAMES

URGENCY = {"overdue": 0, "at_risk": 1, "on_time": 2}
"""Order of the states of an open stage, most urgent first; an item with no deadline comes after them all."""
CHASED = ("feedback", "answer", "quote", "ack")
"""Stages others owe on a person's record: past due or at risk, the sender chases them (催办)."""


@dataclass(frozen=True)
class FollowUp:
    by: str
    at: datetime
    note: str


@dataclass
class Item:
    record: str
    subject: str
    action: str
    """What kind of step: approve, ack, feedback, answer, contact, reply, progress, satisfaction, task, archive,
    submit, send, publish, resubmit, chase (follow up on what others owe) or followed_up (a reminder received)."""
    what: str
    """What to do, in Chinese."""
    command: str
    stage: str | None
    due: datetime | None
    state: str | None
    """The stage's state (overdue, at_risk, on_time), None for a step with no deadline."""
    follow_ups: list[FollowUp] = field(default_factory=list)
    """Reminders sent to this person about this step (催办)."""

    def key(self) -> tuple[Any, ...]:
        due = self.due.timestamp() if self.due is not None else float("inf")
        return (URGENCY.get(self.state or "", 3), due, self.record, self.stage or "", self.action)


@dataclass(frozen=True)
class Todo:
    person: str
    name: str
    department: str
    as_of: datetime
    tz: tzinfo
    items: list[Item]
    names: Callable[[str], str]


def archive_role(policy: Policy) -> str:
    """The role that archives (档案管理员): the policy's when it names one."""
    return str(getattr(policy, "archive_role", None) or policy.data.get("archiving", {}).get("role", "archivist"))


def todo(plan: Schedule, person: str, as_of: datetime) -> Todo:
    """Every step waiting on ``person`` (a staff id) as of ``as_of``, most urgent first."""
    ctx = plan.context
    staff, orgs, policy = ctx.staff, ctx.orgs, ctx.policy
    me = staff[person]
    active = me.get("status") == "active"
    heads = {me["department"]} if active and "dept_head" in me.get("roles", []) else set()
    archivist = active and archive_role(policy) in me.get("roles", [])

    def name(who: str) -> str:
        return name_of(who, staff, orgs)

    items: list[Item] = []
    for clock in plan.records:
        found = _steps(clock, person, heads, archivist, name, policy, staff)
        _attach_follow_ups(clock, person, found, ctx.time)
        items += found
    items.sort(key=Item.key)
    return Todo(person, me["name"], me["department"], as_of, policy.timezone, items, name)


def _steps(
    clock: RecordClock,
    person: str,
    heads: set[str],
    archivist: bool,
    name: Callable[[str], str],
    policy: Policy,
    staff: Staff,
) -> list[Item]:
    record = clock.record
    rid, subject, sender = record["id"], record["subject"], record["from"]["person"]
    open_stages = [s for s in clock.stages if s.open and s.due is not None]
    items: list[Item] = []

    def add(action: str, what: str, command: str, stage: Stage | None) -> None:
        items.append(
            Item(
                rid,
                subject,
                action,
                what,
                command,
                stage.name if stage else None,
                stage.due if stage else None,
                stage.state if stage else None,
            )
        )

    review = next((s for s in reversed(open_stages) if s.name == "review"), None)
    roles = may_give_missing(clock, person, staff, policy)
    for role in roles:  # one approval per role: with several, `--role` says which one this is
        flag = f" --role {role}" if len(roles) > 1 else ""
        what = f"审核 ({ROLE_NAMES.get(role, role)}): 同意或退回"
        add("approve", what, f"commlog approve {rid}{flag}", review)

    for stage in open_stages:
        base = stage.name.partition(":")[0]
        mine = stage.responsible == person
        internal = stage.responsible in staff
        owes = (
            (base == "ack" and person in stage.pending)
            or (base in ("feedback", "answer", "quote") and internal and (mine or stage.department in heads))
            or ((base in ("task", "action") or base in CUSTOMER) and mine)
            or (base == "archive" and archivist)
        )
        if owes:
            action, what, command = step_for(stage, record, person)
            if base in ("feedback", "answer", "quote") and not mine:
                what += f" (责任人 {name(stage.responsible)})"
            add(action, what, command, stage)
        elif base in CHASED and sender == person and stage.state in ("overdue", "at_risk"):
            waiting = (
                f"{len(stage.pending)} 人未确认已阅"
                if base == "ack"
                else f"等待 {name(stage.responsible)} {stage_label(stage.name)}"
            )
            if base != "ack" or stage.pending:
                add("chase", f"催办: {waiting}", f"commlog follow-up {rid} --stage {stage.name} --note TEXT", stage)

    if sender == person and clock.status == "approved" and OUTGOING.get(record["kind"]) in ("sent", "published"):
        if OUTGOING[record["kind"]] == "sent":
            channel = record["channels"][0] if record.get("channels") else "C"
            add("send", "审核已通过: 发送", f"commlog send {rid} --channel {channel}", None)
        else:
            add("publish", "审核已通过: 发布", f"commlog publish {rid}", None)
    if sender == person and clock.status == "rejected":
        reason = next((e.get("note", "") for e in reversed(record["events"]) if e["type"] == "rejected"), "")
        add("resubmit", "已退回: 修改后重新提交" + (f" ({reason})" if reason else ""), f"commlog resubmit {rid}", None)
    if sender == person and clock.status == "draft":
        add("submit", "草稿: 完成后提交审核", f"commlog submit {rid}", None)
    return items


CUSTOMER = {
    "first_contact": ("首次联系客户", "commlog contact {id} --channel {channel} --note TEXT"),
    "reply": ("出具反馈函", "commlog reply {id} --note TEXT"),
    "progress": ("向客户同步进度", "commlog progress {id} --note TEXT"),
    "satisfaction": ("满意度回访", "commlog satisfaction {id} --score N --note TEXT"),
}
"""A customer request's own stages, owed by the person handling it: what to do and the command."""


def step_for(stage: Stage, record: dict[str, Any], person: str) -> tuple[str, str, str]:
    """What ``person`` does to meet ``stage`` of ``record``: the kind of step, what to do, the command."""
    rid = record["id"]
    base, _, part = stage.name.partition(":")
    if base == "review":
        return "approve", "审核: 同意或退回", f"commlog approve {rid}"
    if base == "ack":
        return "ack", "确认已阅", f"commlog ack {rid}"
    if base == "feedback":
        return "feedback", "反馈", f"commlog feedback {rid} --from {person} --note TEXT"
    if base == "answer":
        return "answer", f"协作答复 ({stage.department})", f"commlog answer {rid} --note TEXT"
    if base == "quote":
        return "quote", "报价及资质", f"commlog quote {rid} --from {stage.responsible} --amount N --note TEXT"
    if base in ("task", "action"):
        label = _item_name(record, part)
        what = f"完成{stage_label(stage.name)}" + (f": {label}" if label else "")
        return "task", what, f"commlog progress {rid} --task {part} --status done --note TEXT"
    if base in CUSTOMER:
        what, command = CUSTOMER[base]
        channel = record["channels"][0] if record.get("channels") else "C"
        return base, what, command.format(id=rid, channel=channel)
    if base == "archive":
        return "archive", "归档", f"commlog archive {rid}"
    return base, stage_label(stage.name), f"commlog show {rid}"


def _item_name(record: dict[str, Any], number: str) -> str:
    for key, title in (("tasks", "name"), ("action_items", "task")):
        for item in record.get(key, []):
            if str(item.get("no")) == number:
                return str(item.get(title, ""))
    return ""


def _attach_follow_ups(clock: RecordClock, person: str, items: list[Item], time: Callable[[str], datetime]) -> None:
    """Reminders sent to ``person`` (催办 with ``to``) about a stage still open: on the step they concern, or as a
    step of their own when the person owes nothing else there."""
    open_stages = [s for s in clock.stages if s.open]
    record = clock.record
    for event in record["events"]:
        if event["type"] != "follow_up" or event.get("to") != person:
            continue
        at = time(event["at"])
        stage = _stage_of(event, at, open_stages, person)
        if stage is None:
            continue  # what it chased has been done
        reminder = FollowUp(event["by"], at, str(event.get("note", "")))
        step = next((i for i in items if i.stage == stage.name and i.action != "chase"), None)
        if step is None:
            _, what, command = step_for(stage, record, person)
            step = Item(
                record["id"],
                record["subject"],
                "followed_up",
                f"被催办: {what}",
                command,
                stage.name,
                stage.due,
                stage.state,
            )
            items.append(step)
        step.follow_ups.append(reminder)


def _stage_of(event: dict[str, Any], at: datetime, open_stages: list[Stage], person: str) -> Stage | None:
    """The open stage a follow-up chases: the one it names, else the person's own open stage that had started."""
    named = event.get("stage")
    if named:
        return next((s for s in open_stages if s.name == named or s.name.partition(":")[0] == named), None)
    started = [s for s in open_stages if s.start <= at]
    return next((s for s in started if s.responsible == person or person in s.pending), started[0] if started else None)


# ---- writers


def _state(item: Item) -> str:
    return STATE_NAMES[item.state] if item.state in ("overdue", "at_risk") else ""


def _reminders(item: Item, todo_: Todo) -> str:
    if not item.follow_ups:
        return ""
    last = item.follow_ups[-1]
    return f"已被催办 {len(item.follow_ups)} 次 (最近 {todo_.names(last.by)} {show(last.at, todo_.tz)})"


def text(t: Todo, out: TextIO) -> None:
    overdue = sum(1 for i in t.items if i.state == "overdue")
    at_risk = sum(1 for i in t.items if i.state == "at_risk")
    out.write(
        f"{t.name} ({t.person}) {t.department} 的待办 截至 {show(t.as_of, t.tz)}: {len(t.items)} 项"
        + (f", 已逾期 {overdue} 项" if overdue else "")
        + (f", 即将逾期 {at_risk} 项" if at_risk else "")
        + "\n"
    )
    if not t.items:
        out.write("没有等待你处理的事项\n")
        return
    rows = []
    for item in t.items:
        what = item.what + (f"; {_reminders(item, t)}" if item.follow_ups else "")
        rows.append(
            [show(item.due, t.tz) if item.due else "-", _state(item), item.record, item.subject, what, item.command]
        )
    # Subjects and notes are record text: control characters are made visible before they are measured.
    for line in table(["截止", "状态", "编号", "主题", "待办", "命令"], [[inert(c) for c in r] for r in rows]):
        out.write(line + "\n")


def as_json(t: Todo, out: TextIO) -> None:
    document = {
        "person": {"id": t.person, "name": t.name, "department": t.department},
        "as_of": t.as_of.isoformat(),
        "count": len(t.items),
        "items": [
            {
                "record": i.record,
                "subject": i.subject,
                "action": i.action,
                "what": i.what,
                "command": i.command,
                "stage": i.stage,
                "due": i.due.isoformat() if i.due else None,
                "state": i.state,
                "state_name": STATE_NAMES[i.state] if i.state else None,
                "follow_ups": [
                    {"by": f.by, "by_name": t.names(f.by), "at": f.at.isoformat(), "note": f.note} for f in i.follow_ups
                ],
            }
            for i in t.items
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


WRITERS: dict[str, Callable[[Todo, TextIO], None]] = {"text": text, "json": as_json}
