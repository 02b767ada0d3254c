"""Stages of a record, each with a clock: when it started, when it is due, when it was met.

A stage is met on time or late, or, while open, on time, at risk (a share of its time
used, from the policy) or overdue. Everything is computed as of a given moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from commlog.policy import Policy
from commlog.timeutil import parse_time, show
from commlog.workflow import (
    OUTGOING,
    REPLY,
    answering_departments,
    answering_for,
    approvals,
    escalation_target,
    holders,
    may_archive,
    notice_recipients,
    required_roles,
)
from commlog.worktime import Trace, WorkCalendar, clock_add

State = Literal["met_on_time", "met_late", "on_time", "at_risk", "overdue"]
STATE_NAMES = {
    "met_on_time": "按时完成",
    "met_late": "逾期完成",
    "on_time": "进行中",
    "at_risk": "即将逾期",
    "overdue": "已逾期",
}
BASIS_NAMES = {
    "promised": "按预计反馈时间",
    "promised_beyond_sla": "按预计反馈时间 (晚于时限, 制度允许)",
    "sla_over_promise": "按时限 (预计反馈时间晚于时限)",
}
"""Where a feedback deadline came from, when not from the time limit alone."""
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
    "question": "跨部门疑问沟通",
}


def stage_label(stage: str) -> str:
    """A stage's Chinese name (``action:2`` -> 待办事项 2)."""
    base, _, number = stage.partition(":")
    return STAGE_NAMES.get(base, base) + (f" {number}" if number else "")


REPLY_STAGE = {"message": "feedback", "collaboration": "answer", "supplier_request": "quote"}
FEEDBACK_STAGE = {**REPLY_STAGE, "customer_request": "reply", "notice": "ack"}
"""The stage whose deadline a record's feedback_due (预计反馈时间) sets, per kind (minutes have none)."""


@dataclass(slots=True)  # a report may hold 100,000 of them
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
    basis: Literal["", "sla", "promised", "promised_beyond_sla", "sla_over_promise"] = ""
    """For the feedback stage, where its deadline comes from (:func:`feedback_deadline`)."""
    pending: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)
    start_position: float | None = None
    due_position: float | None = None
    """The start's and due time's working-time positions (:meth:`WorkCalendar.position`), when already known."""

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
    _escalations: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False)

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

    def escalation_target(self, person: str, department: str) -> str | None:
        """:func:`commlog.workflow.escalation_target`, asked once per person and department."""
        key = (person, department)
        if key not in self._escalations:
            self._escalations[key] = escalation_target(person, department, self.staff, self.policy)
        return self._escalations[key]

    def archivist(self) -> str | None:
        """The member of staff who archives (the first active holder of the policy's archiving role)."""
        return next((pid for pid, p in sorted(self.staff.items()) if may_archive(p, self.policy)), None)

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
        return _answerer(ctx, record, first["department"]), first["department"]
    return record["from"]["person"], record["from"]["department"]


def _answerer(ctx: Context, record: dict[str, Any], department: str) -> str:
    """The person who answers for an addressed department: the one named with it, else its head."""
    named = next((p["person"] for p in record["to"] if p.get("department") == department and "person" in p), None)
    return named or ctx.head_of(department) or department


def _first(events: list[tuple[datetime, dict[str, Any]]], types: set[str], after: datetime) -> datetime | None:
    return next((at for at, e in events if e["type"] in types and at >= after), None)


def feedback_start(record: dict[str, Any], ctx: Context) -> datetime | None:
    """When the feedback clock starts: the first sending (publication) after the submission; for a customer
    request, its registration (the submission). None while it has not started."""
    events = [(ctx.time(e["at"]), e) for e in record["events"]]
    submitted = _first(events, {"submitted"}, events[0][0])
    if submitted is None or record["kind"] == "customer_request":
        return submitted
    return _first(events, {OUTGOING[record["kind"]]}, submitted)


@dataclass(frozen=True)
class FeedbackDeadline:
    """The one answer to "when is the feedback due": see :func:`feedback_deadline`."""

    due: datetime | None
    """The deadline that counts; None when there is neither a promise nor an SLA."""
    sla: datetime | None
    """The time the policy's SLA alone gives."""
    promised: datetime | None
    """The record's feedback_due (预计反馈时间)."""
    too_late: bool
    """The promise is later than the SLA and the policy does not permit it (rule feedback-due-too-late)."""


def beyond_sla_permitted(record: dict[str, Any], policy: Policy) -> bool:
    """Whether this record's feedback_due may be later than the SLA (policy ``feedback_due_beyond_sla``)."""
    permitted = policy.feedback_due_beyond_sla
    outside = record["kind"] in REPLY and record["direction"] == "external"  # an outside organisation answers
    return permitted == "always" or (permitted == "outside_party" and outside)


def feedback_deadline(
    record: dict[str, Any], ctx: Context, start: datetime, stage: Stage | None = None
) -> FeedbackDeadline:
    """When the feedback on ``record`` is due, its clock started at ``start`` (sent, published, or registered).

    The one rule, for every kind: the record's feedback_due when it is no later than the SLA's time, else
    the SLA's time; a feedback_due later than the SLA counts only where the policy permits it
    (``feedback_due_beyond_sla``). ``stage``, when given, takes the explanation and the SLA's clock.
    """
    name = FEEDBACK_STAGE.get(record["kind"])
    entry = ctx.sla(name, record["kind"], record["urgency"]) if name else None
    scratch = Stage(name or "", start, None, None, "", "")
    sla_due = _due(ctx, start, entry, scratch) if entry is not None else None
    promised = ctx.time(record["feedback_due"]) if "feedback_due" in record else None
    too_late = False
    if promised is None or sla_due is None or promised <= sla_due:
        due = promised or sla_due
    elif beyond_sla_permitted(record, ctx.policy):
        due = promised
    else:
        due, too_late = sla_due, True
    if stage is not None:
        tz = ctx.policy.timezone
        if too_late:
            stage.basis = "sla_over_promise"
        elif promised is not None and due == promised:
            stage.basis = "promised" if sla_due is None or promised <= sla_due else "promised_beyond_sla"
        else:
            stage.basis = "sla"
        if due is not None and due == sla_due:
            stage.working, stage.clock, stage.provisional = scratch.working, scratch.clock, scratch.provisional
            stage.missing_years |= scratch.missing_years
        stage.explain += scratch.explain
        if promised is not None:
            stage.explain.append(f"预计反馈时间 (feedback_due) on the record: {show(promised, tz)}")
            if sla_due is None or promised <= sla_due:
                stage.explain.append("  the promise is due first: it is the deadline")
            elif not too_late:
                stage.explain.append("  later than the time limit, as policy.yaml's feedback_due_beyond_sla permits")
            else:
                stage.explain.append(
                    "  later than the time limit allows (feedback-due-too-late): the time limit counts"
                )
    return FeedbackDeadline(due, sla_due, promised, too_late)


def feedback_times(record: dict[str, Any], stage_list: list[Stage]) -> tuple[datetime | None, datetime | None]:
    """The register's 预计反馈时间 and 实际反馈时间: when the feedback stage is due, and when the last of its
    answers came (None while one is missing); a collaboration has one stage per addressed department."""
    name = FEEDBACK_STAGE.get(record["kind"])
    chosen = [s for s in stage_list if s.name.split(":")[0] == name]
    due = max((s.due for s in chosen if s.due is not None), default=None)
    met = None if not chosen or any(s.met is None for s in chosen) else max(s.met for s in chosen if s.met)
    return due, met


def stages(record: dict[str, Any], ctx: Context) -> list[Stage]:
    """Every stage of a record with its due and met times (states are set by :func:`judge`).

    A stage is met by its own event only: completing or archiving a record does not answer what is still
    owed (the feedback, a confirmation, a task), so such a stage stays open and goes overdue. Cancelling
    a record ends its open stages: nothing is owed any more.
    """
    events = [(ctx.time(e["at"]), e) for e in record["events"]]
    kind = record["kind"]
    sender, sender_dept = record["from"]["person"], record["from"]["department"]
    cancelled_at = _cancelled_at(events)
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
        feedback: bool = False,
    ) -> Stage | None:
        stage = Stage(name, start, due, met, who, dept)
        if feedback:
            stage.due = feedback_deadline(record, ctx, start, stage).due
        elif due is None:
            entry = ctx.sla(sla_stage or name, kind, record["urgency"])
            stage.due = _due(ctx, start, entry, stage) if entry is not None else None
        if stage.due is None:
            return None
        if stage.met is None and cancelled_at is not None and name != "archive":
            stage.met = cancelled_at
        result.append(stage)
        return stage

    _review(record, ctx, events, add)
    outgoing = _first(events, {OUTGOING[kind]}, submitted)
    if outgoing is not None and kind in REPLY:
        _replies(record, ctx, events, outgoing, add)
    if kind == "notice" and outgoing is not None:
        _ack(record, ctx, events, outgoing, add)
    if kind == "customer_request":
        _customer(record, ctx, events, add)
    if kind in ("minutes", "collaboration"):
        _items(record, ctx, add)
    closed = next((at for at, e in reversed(events) if e["type"] in ("completed", "cancelled")), None)
    if closed is not None:
        archivist = ctx.archivist()
        keeper = (archivist, ctx.staff[archivist]["department"]) if archivist else (sender, sender_dept)
        add("archive", closed, _first(events, {"archived"}, closed), *keeper)
    for stage in result:
        end = stage.met
        stage.follow_ups = sum(
            1 for at, e in events if e["type"] == "follow_up" and at >= stage.start and (end is None or at <= end)
        )
    return result


def cancelled_at(record: dict[str, Any], ctx: Context) -> datetime | None:
    """When the record was cancelled, if it still is: the moment its open stages (but archiving) were ended."""
    return _cancelled_at([(ctx.time(e["at"]), e) for e in record["events"]])


def _cancelled_at(events: list[tuple[datetime, dict[str, Any]]]) -> datetime | None:
    """When the record was cancelled, if it still is (no reopening since)."""
    last = next((e for e in reversed(events) if e[1]["type"] in ("cancelled", "reopened")), None)
    return last[0] if last is not None and last[1]["type"] == "cancelled" else None


def _review(record: dict[str, Any], ctx: Context, events: list, add: Any) -> None:
    """A review stage for each submission, until the approvals are complete or it is rejected."""
    required = required_roles(record, ctx.policy)
    if not required:
        return
    missing = approvals(record, ctx.policy).missing or required
    reviewer = next(iter(holders(missing[0], record, ctx.staff, ctx.policy)), record["from"]["person"])
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
        add("review", at, met, reviewer, record["from"]["department"])


def _replies(record: dict[str, Any], ctx: Context, events: list, sent: datetime, add: Any) -> None:
    """The answer owed to an outgoing record; a collaboration's, one per addressed department."""
    kind = record["kind"]
    departments = answering_departments(record) if kind == "collaboration" else []
    if not departments:
        who, dept = _party(ctx, record)
        add(REPLY_STAGE[kind], sent, _first(events, {REPLY[kind]}, sent), who, dept, feedback=True)
        return
    answers: dict[str, datetime] = {}
    for at, event in events:
        if event["type"] == "answered" and at >= sent:
            department = answering_for(event["by"], record, ctx.staff)
            if department is not None:
                answers.setdefault(department, at)
    for department in departments:
        add(
            f"answer:{department}",
            sent,
            answers.get(department),
            _answerer(ctx, record, department),
            department,
            feedback=True,
        )


def _ack(record: dict[str, Any], ctx: Context, events: list, published: datetime, add: Any) -> None:
    addressed = notice_recipients(record, ctx.staff, ctx.policy.timezone)
    acked = {e["by"]: at for at, e in events if e["type"] == "acknowledged" and e["by"] in addressed}
    pending = sorted(addressed - set(acked))
    met = None if pending else max(acked.values(), default=published)
    stage = add("ack", published, met, record["from"]["person"], record["from"]["department"], feedback=True)
    if stage is not None:
        stage.pending = pending
        stage.explain.append(f"{len(addressed) - len(pending)} of {len(addressed)} recipients confirmed")


def _customer(record: dict[str, Any], ctx: Context, events: list, add: Any) -> None:
    owner, dept = record["from"]["person"], record["from"]["department"]
    registered = _first(events, {"submitted"}, events[0][0]) or events[0][0]
    add("first_contact", registered, _first(events, {"contacted", "replied"}, registered), owner, dept)
    add("reply", registered, _first(events, {"replied"}, registered), owner, dept, feedback=True)
    resolved = _first(events, {"resolved"}, registered)
    last = _first(events, {"replied"}, registered)
    while last is not None and (resolved is None or last < resolved):
        following = _first(events, {"progress", "resolved"}, last + timedelta(seconds=1))
        add("progress", last, following, owner, dept)
        last = following if following is not None and following != resolved else None
    if resolved is not None:
        add("satisfaction", resolved, _first(events, {"satisfaction"}, resolved), owner, dept)


def _items(record: dict[str, Any], ctx: Context, add: Any) -> None:
    """A clock per task or action item, met when its current status (:func:`task_statuses`) ended it."""
    tz = ctx.policy.timezone
    current = task_statuses(record, tz)
    for item in record.get("action_items", []) if record["kind"] == "minutes" else []:
        now = current[item["no"]]
        department = ctx.staff.get(item["owner"], {}).get("department", "")
        add(f"action:{now.no}", now.registered_at, now.ended, item["owner"], department, due=ctx.time(item["due"]))
    for task in record.get("tasks", []) if record["kind"] == "collaboration" else []:
        begin = datetime.combine(date.fromisoformat(task["start"]), time(0, 0), tz)
        end = datetime.combine(date.fromisoformat(task["end"]), time(23, 59), tz)
        add(f"task:{task['no']}", begin, current[task["no"]].ended, task["owner"], task["department"], due=end)


TASK_TABLES = {"collaboration": ("tasks", "task"), "minutes": ("action_items", "action")}
"""Per kind, the table of tasks (任务分解表) or action items and the name of their stages."""
TASK_ENDED = frozenset({"done", "cancelled"})
"""Statuses after which nothing more is owed on a task: its clock stops."""


@dataclass(frozen=True)
class TaskStatus:
    """Where one task or action item stands: the one answer every page, command and rule gives."""

    no: str
    registered: str
    """The table's ``status``: the status when the record was registered (登记时状态); not_started when it gives none."""
    registered_at: datetime
    """When the table was registered: the record's submission (its first event, for a draft)."""
    status: str
    """The current status: the one the last ``progress`` event with a ``status`` gave it, else the registered one."""
    since: datetime
    """When the current status was recorded (the registration, while it is the registered one)."""
    event: int | None = None
    """The index of the event that gave the current status; None while it is the registered one."""
    state: State | None = None
    """The state of the task's clock (``task:<no>``, ``action:<no>``), when :func:`task_statuses` was given the
    judged stages; None without them."""

    @property
    def ended(self) -> datetime | None:
        """When the task was done or cancelled, if it is now; this meets its stage."""
        return self.since if self.status in TASK_ENDED else None

    @property
    def late(self) -> bool:
        """Past its end and not done by then (已延期): overdue now, or done late."""
        return self.state in ("overdue", "met_late")


def task_statuses(record: dict[str, Any], tz: tzinfo, judged: Iterable[Stage] = ()) -> dict[str, TaskStatus]:
    """Each task's (or action item's) current status, by number, in the table's order.

    The table's ``status`` is the status at registration (登记时状态); each later change is a ``progress`` event
    with the task and its new status, so the last such event decides, and a task done and taken up again is open
    again. ``record`` holds the events up to the moment judged; ``judged``, the record's judged stages, adds each
    task's state.
    """
    key, stage = TASK_TABLES.get(record["kind"], ("", ""))
    items = record.get(key, []) if key else []
    if not items:
        return {}
    events = record["events"]
    first = next((e for e in events if e["type"] == "submitted"), events[0])
    registered_at = parse_time(first["at"], tz, strict=False)
    latest: dict[str, int] = {}
    for index, event in enumerate(events):
        if event["type"] == "progress" and "task" in event and "status" in event:
            latest[event["task"]] = index
    states = {s.name: s.state for s in judged}
    result: dict[str, TaskStatus] = {}
    for item in items:
        no = item["no"]
        registered = item.get("status", "not_started")
        last = latest.get(no)
        status, since = registered, registered_at
        if last is not None:
            status, since = events[last]["status"], parse_time(events[last]["at"], tz, strict=False)
        result[no] = TaskStatus(no, registered, registered_at, status, since, last, states.get(f"{stage}:{no}"))
    return result


def judge(stage_list: list[Stage], ctx: Context, as_of: datetime) -> list[Stage]:
    """Set each stage's state, overdue time and escalation as of ``as_of``.

    Working time is counted as the difference of working-time positions (:meth:`WorkCalendar.position`):
    the moment's is worked out once, a stage's once per stage or kept with it in the index.
    """
    share = ctx.policy.data.get("at_risk_share", 0.8)
    escalation = ctx.policy.data.get("escalation", {})
    after_follow_ups = escalation.get("after_follow_ups", 10**9)
    after_minutes = 60 * escalation.get("after_overdue_working_hours", 10**9)
    calendar = ctx.calendar
    now: float | None = None
    for stage in stage_list:
        if stage.due is None:
            continue
        if stage.met is not None and stage.met <= as_of:
            stage.state = "met_on_time" if stage.met <= stage.due else "met_late"
            continue
        if now is None:
            now = calendar.position(as_of)
        if stage.due_position is None:
            stage.due_position = calendar.position(stage.due)
        missing: frozenset[int] = frozenset()
        if as_of > stage.due:
            stage.state = "overdue"
            # Escalation is measured in working hours whatever the stage's own clock is.
            working_late = now - stage.due_position
            if stage.clock:
                stage.overdue_by_minutes = (as_of - stage.due).total_seconds() / 60
            else:
                stage.overdue_by_minutes = working_late
                missing = calendar.missing_years(stage.due, as_of)
            if stage.follow_ups >= after_follow_ups or working_late >= after_minutes:
                stage.escalate_to = ctx.escalation_target(stage.responsible, stage.department)
        else:
            if stage.working:
                if stage.start_position is None:
                    stage.start_position = calendar.position(stage.start)
                total = max(0.0, stage.due_position - stage.start_position)
                used = max(0.0, now - stage.start_position)
                missing = calendar.missing_years(stage.start, stage.due) | calendar.missing_years(stage.start, as_of)
            else:
                total, used = (stage.due - stage.start).total_seconds(), (as_of - stage.start).total_seconds()
            stage.state = "at_risk" if total <= 0 or used / total >= share else "on_time"
        if missing:  # working time counted through a year without statutory data
            stage.provisional = True
            stage.missing_years |= missing
    return stage_list
