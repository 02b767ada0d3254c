"""Stages of a record, each with a clock: when it started, when it is due, when it was met.

A stage is met on time or late, or, while open, on time, at risk (a share of its time
used, from the policy) or overdue. Everything is computed as of a given moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from commlog.policy import Policy
from commlog.timeutil import parse_time, show
from commlog.workflow import CLOSING, OUTGOING, REPLY, approvals, holders, required_roles
from commlog.worktime import Trace, WorkCalendar, clock_add

State = Literal["met_on_time", "met_late", "on_time", "at_risk", "overdue"]
STATE_NAMES = {
    "met_on_time": "按时完成",
    "met_late": "逾期完成",
    "on_time": "进行中",
    "at_risk": "即将逾期",
    "overdue": "已逾期",
}
STAGE_NAMES = {
    "review": "审核",
    "feedback": "反馈",
    "answer": "协作答复",
    "quote": "报价及资质",
    "first_contact": "首次联系",
    "reply": "反馈函",
    "progress": "进度同步",
    "satisfaction": "满意度回访",
    "archive": "归档",
    "ack": "确认已阅",
    "action": "待办事项",
    "task": "协作任务",
}


def stage_label(stage: str) -> str:
    """A stage's Chinese name (``action:2`` -> 待办事项 2)."""
    base, _, number = stage.partition(":")
    return STAGE_NAMES.get(base, base) + (f" {number}" if number else "")


REPLY_STAGE = {"message": "feedback", "collaboration": "answer", "supplier_request": "quote"}


@dataclass
class Stage:
    """One clock of a record."""

    name: str
    start: datetime
    due: datetime | None
    met: datetime | None
    responsible: str
    department: str
    state: State = "on_time"
    provisional: bool = False
    missing_years: set[int] = field(default_factory=set)
    """Years without statutory calendar data that the due time was computed through."""
    working: bool = False
    """Whether the due time counts working time (at-risk shares are then shares of working time)."""
    clock: bool = False
    """Whether the SLA runs on the 24x7 clock (lateness is then clock time, not working time)."""
    follow_ups: int = 0
    overdue_by_minutes: float = 0
    """How late an open stage is: clock minutes for a 24x7 SLA, working minutes otherwise."""
    escalate_to: str | None = None
    pending: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.met is None


@dataclass
class Context:
    """What deadlines need besides the record: the policy, its calendar, the staff and organisations."""

    policy: Policy
    calendar: WorkCalendar
    staff: dict[str, dict[str, Any]]
    orgs: dict[str, dict[str, Any]]

    @classmethod
    def create(cls, policy: Policy, staff: dict[str, dict[str, Any]], orgs: dict[str, dict[str, Any]]) -> Context:
        return cls(policy, WorkCalendar.from_policy(policy.data, policy.timezone), staff, orgs)

    def time(self, text: str) -> datetime:
        # Not strict: a time in a daylight-saving gap is a validation finding (rule time-exists), not a crash here.
        return parse_time(text, self.policy.timezone, strict=False)

    def sla(self, stage: str, kind: str, urgency: str) -> dict[str, Any] | None:
        """The most specific SLA entry for a stage of a record of this kind and urgency."""
        best, best_score = None, -1
        for entry in self.policy.data["slas"]:
            if entry["stage"] != stage or entry.get("kind", kind) != kind or entry.get("urgency", urgency) != urgency:
                continue
            score = ("kind" in entry) + ("urgency" in entry)
            if score > best_score:
                best, best_score = entry, score
        return best

    def head_of(self, department: str) -> str | None:
        return next(
            (
                pid
                for pid, p in self.staff.items()
                if p["department"] == department and "dept_head" in p.get("roles", []) and p.get("status") == "active"
            ),
            None,
        )


def _due(ctx: Context, start: datetime, entry: dict[str, Any], stage: Stage) -> datetime:
    unit, amount = entry["unit"], entry["amount"]
    if entry["calendar"] == "clock":
        stage.clock = True
        stage.explain.append(f"{amount} {unit} on the clock (24x7) from {show(start, ctx.policy.timezone)}")
        return clock_add(start, amount, unit)
    trace = Trace()
    stage.working = True
    counting = entry.get("counting", "hours")
    due = ctx.calendar.add(start, amount, unit, counting, trace)
    how = f"{amount} working {unit}" + (
        " to close of business" if unit == "days" and counting == "close_of_business" else ""
    )
    if unit == "days" and counting != "close_of_business":
        how += f" = {amount * ctx.calendar.day_minutes / 60:g} working hours"
    stage.explain.append(f"{how} from {show(start, ctx.policy.timezone)} ({entry.get('note', '')})")
    stage.explain += ["  " + line for line in trace.lines]
    if trace.provisional:
        stage.provisional = True
        stage.missing_years |= trace.missing_years
        years = ", ".join(map(str, sorted(trace.missing_years)))
        stage.explain.append(
            f"  provisional: no statutory calendar for {years}; add the official schedule to policy.yaml calendar.overrides"
        )
    return due


def _party(ctx: Context, record: dict[str, Any]) -> tuple[str, str]:
    """Who owes an answer to an outgoing record, and the internal department accountable for it."""
    first = record["to"][0]
    if "org" in first:
        who = f"{first['org']}/{first['person']}" if "person" in first else first["org"]
        return who, record["from"]["department"]
    if "department" in first:
        person = first.get("person") or ctx.head_of(first["department"]) or first["department"]
        return person, first["department"]
    return record["from"]["person"], record["from"]["department"]


def _first(events: list[tuple[datetime, dict[str, Any]]], types: set[str], after: datetime) -> datetime | None:
    return next((at for at, e in events if e["type"] in types and at >= after), None)


def stages(record: dict[str, Any], ctx: Context) -> list[Stage]:
    """Every stage of a record with its due and met times (states are set by :func:`judge`)."""
    events = [(ctx.time(e["at"]), e) for e in record["events"]]
    kind, urgency = record["kind"], record["urgency"]
    sender, sender_dept = record["from"]["person"], record["from"]["department"]
    closed_at = next((at for at, e in events if e["type"] in CLOSING), None)
    result: list[Stage] = []
    submitted = _first(events, {"submitted"}, events[0][0])
    if submitted is None:  # a draft: no clock runs yet
        return result

    def add(
        name: str,
        start: datetime,
        met: datetime | None,
        who: str,
        dept: str,
        sla_stage: str | None = None,
        due: datetime | None = None,
    ) -> Stage | None:
        entry = ctx.sla(sla_stage or name, kind, urgency) if due is None else None
        if due is None and entry is None:
            return None
        stage = Stage(name, start, due, met, who, dept)
        if stage.due is None and entry is not None:
            stage.due = _due(ctx, start, entry, stage)
        if stage.met is None and closed_at is not None and name != "archive":
            stage.met = closed_at
        result.append(stage)
        return stage

    # review: each submission, until the approvals are complete or it is rejected
    required = required_roles(record, ctx.policy)
    if required:
        missing = approvals(record, ctx.policy).missing or required
        reviewer = next(iter(holders(missing[0], record, ctx.staff, ctx.policy)), sender)
        for index, (at, event) in enumerate(events):
            if event["type"] != "submitted":
                continue
            met = None
            for later in range(index + 1, len(events)):
                t, e = events[later]
                if e["type"] == "rejected" or (
                    e["type"] == "approved" and not approvals(record, ctx.policy, later + 1).missing
                ):
                    met = t
                    break
                if e["type"] == "submitted":
                    break
            add("review", at, met, reviewer, sender_dept)

    outgoing = _first(events, {OUTGOING[kind]}, submitted)
    if outgoing is not None and kind in REPLY:
        who, dept = _party(ctx, record)
        name = REPLY_STAGE[kind]
        explicit = ctx.time(record["feedback_due"]) if "feedback_due" in record else None
        stage = add(
            name,
            outgoing,
            _first(events, {REPLY[kind]}, outgoing),
            who,
            dept,
            "feedback" if name == "feedback" else name,
            explicit,
        )
        if stage is not None and explicit is not None:
            stage.explain.append(f"预计反馈时间 set on the record: {record['feedback_due']}")
    if kind == "notice" and outgoing is not None:
        _ack(record, ctx, events, outgoing, add)
    if kind == "customer_request":
        _customer(record, ctx, events, add)
    if kind in ("minutes", "collaboration"):
        _items(record, ctx, events, add)
    completed = next((at for at, e in reversed(events) if e["type"] == "completed"), None)
    if completed is not None:
        add("archive", completed, _first(events, {"archived"}, completed), sender, sender_dept)
    for stage in result:
        end = stage.met
        stage.follow_ups = sum(
            1 for at, e in events if e["type"] == "follow_up" and at >= stage.start and (end is None or at <= end)
        )
    return result


def _ack(record: dict[str, Any], ctx: Context, events: list, published: datetime, add: Any) -> None:
    addressed: set[str] = set()
    for party in record["to"]:
        if party.get("all_staff"):
            addressed |= {pid for pid, p in ctx.staff.items() if p.get("status") == "active"}
        elif "person" in party and "org" not in party:
            addressed.add(party["person"])
        elif "department" in party:
            addressed |= {
                pid
                for pid, p in ctx.staff.items()
                if p["department"] == party["department"] and p.get("status") == "active"
            }
    addressed.discard(record["from"]["person"])
    acked = {e["by"]: at for at, e in events if e["type"] == "acknowledged"}
    pending = sorted(addressed - set(acked))
    met = None if pending else max((acked[p] for p in addressed if p in acked), default=published)
    stage = add("ack", published, met, record["from"]["person"], record["from"]["department"])
    if stage is not None:
        stage.pending = pending
        stage.explain.append(f"{len(addressed) - len(pending)} of {len(addressed)} recipients confirmed")


def _customer(record: dict[str, Any], ctx: Context, events: list, add: Any) -> None:
    owner, dept = record["from"]["person"], record["from"]["department"]
    registered = _first(events, {"submitted"}, events[0][0]) or events[0][0]
    add("first_contact", registered, _first(events, {"contacted", "replied"}, registered), owner, dept)
    add("reply", registered, _first(events, {"replied"}, registered), owner, dept)
    resolved = _first(events, {"resolved"}, registered)
    last = _first(events, {"replied"}, registered)
    while last is not None and (resolved is None or last < resolved):
        following = _first(events, {"progress", "resolved"}, last + timedelta(seconds=1))
        add("progress", last, following, owner, dept)
        last = following if following is not None and following != resolved else None
    if resolved is not None:
        add("satisfaction", resolved, _first(events, {"satisfaction"}, resolved), owner, dept)


def _items(record: dict[str, Any], ctx: Context, events: list, add: Any) -> None:
    start = _first(events, {"submitted"}, events[0][0]) or events[0][0]
    done: dict[str, datetime] = {}
    for at, e in events:
        if e["type"] == "progress" and e.get("status") == "done" and "task" in e:
            done.setdefault(e["task"], at)
    if record["kind"] == "minutes":
        for item in record.get("action_items", []):
            met = done.get(item["no"]) or (start if item.get("status") == "done" else None)
            owner = ctx.staff.get(item["owner"], {})
            add(
                f"action:{item['no']}",
                start,
                met,
                item["owner"],
                owner.get("department", ""),
                due=ctx.time(item["due"]),
            )
    else:
        for task in record.get("tasks", []):
            met = done.get(task["no"]) or (start if task.get("status") == "done" else None)
            begin = datetime.combine(date.fromisoformat(task["start"]), time(0, 0), ctx.policy.timezone)
            end = datetime.combine(date.fromisoformat(task["end"]), time(23, 59), ctx.policy.timezone)
            add(f"task:{task['no']}", begin, met, task["owner"], task["department"], due=end)


def judge(stage_list: list[Stage], ctx: Context, as_of: datetime) -> list[Stage]:
    """Set each stage's state, overdue time and escalation as of ``as_of``."""
    share = ctx.policy.data.get("at_risk_share", 0.8)
    escalation = ctx.policy.data.get("escalation", {})
    for stage in stage_list:
        if stage.due is None:
            continue
        if stage.met is not None and stage.met <= as_of:
            stage.state = "met_on_time" if stage.met <= stage.due else "met_late"
            continue
        trace = Trace()
        if as_of > stage.due:
            stage.state = "overdue"
            # Escalation is measured in working hours whatever the stage's own clock is.
            working_late = ctx.calendar.between(stage.due, as_of, None if stage.clock else trace)
            stage.overdue_by_minutes = (as_of - stage.due).total_seconds() / 60 if stage.clock else working_late
            by_follow_ups = stage.follow_ups >= escalation.get("after_follow_ups", 10**9)
            by_time = working_late >= 60 * escalation.get("after_overdue_working_hours", 10**9)
            if by_follow_ups or by_time:
                stage.escalate_to = ctx.head_of(stage.department)
        else:
            if stage.working:
                total = ctx.calendar.between(stage.start, stage.due, trace)
                used = ctx.calendar.between(stage.start, as_of, trace)
            else:
                total, used = (stage.due - stage.start).total_seconds(), (as_of - stage.start).total_seconds()
            stage.state = "at_risk" if total <= 0 or used / total >= share else "on_time"
        if trace.provisional:  # working time counted through a year without statutory data
            stage.provisional = True
            stage.missing_years |= trace.missing_years
    return stage_list
