"""The management summary (报告汇总): per department and in total, a period's figures beside the previous period's.

One computation serves ``commlog report summary`` and the site's statistics page. The definitions
(site/summary.md says them to readers):

- A record belongs to the period in which it was first submitted (registered); drafts never submitted
  belong to none. Its counts go to the department that sent it (``from.department``).
- Its stages, judged as of the as-of moment, go to the department accountable for each (the overdue
  report's 责任部门). A stage counts towards the on-time rate once it is met, on time or late, or is open
  and overdue at the as-of moment (then it is late); an open stage not yet due does not count. A stage
  ended by the record's cancellation counts only if it was already late then.
- The time to review, to feedback and to archive is the working time from a stage's start to its end,
  for the stages met by the as-of moment: review from each submission to its complete approval or
  rejection; feedback from sending (publication; for a customer request, registration) to the answer
  the kind waits for (:data:`commlog.deadlines.FEEDBACK_STAGE`); archive from completion to archiving.
- Overdue is a count at the end of the period (for the current period, at the as-of moment): every
  stage of any record overdue then, as the overdue report as of that moment lists it.
- Notices' reach is the confirmations (已阅) the period's published notices received from their
  recipients, over their recipients; follow-ups are the follow_up events dated in the period, counted
  for the department of the person who sent them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, Literal

from commlog.deadlines import FEEDBACK_STAGE, Context, Stage, cancelled_at
from commlog.schedule import RecordClock, Schedule, open_stages
from commlog.workflow import notice_recipients

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
PERIOD_NAMES = {"month": "月度", "quarter": "季度", "year": "年度"}
MEASURES = {"review": "审核", "feedback": "反馈", "archive": "归档"}
"""The three times measured, each by its stage (feedback: the stage the record's kind waits on)."""


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year in the policy's timezone: from ``start`` up to ``end`` (excluded)."""

    kind: PeriodKind
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """2026-11, 2026-Q4 or 2026."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def previous(self) -> Period:
        return _period_from(_shift(self.start.date(), -PERIOD_MONTHS[self.kind]), self.kind, self.start.tzinfo)


def period_containing(moment: datetime, kind: PeriodKind, tz: tzinfo) -> Period:
    """The month, quarter or year that holds ``moment``."""
    local = moment.astimezone(tz)
    first_month = (local.month - 1) // PERIOD_MONTHS[kind] * PERIOD_MONTHS[kind] + 1
    return _period_from(date(local.year, first_month, 1), kind, tz)


def _period_from(first: date, kind: PeriodKind, tz: tzinfo | None) -> Period:
    following = _shift(first, PERIOD_MONTHS[kind])
    return Period(kind, datetime.combine(first, time(), tz), datetime.combine(following, time(), tz))


def _shift(first: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``first``'s."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Rate:
    """Stages on time, met late, and open and overdue: the on-time rate's parts."""

    on_time: int = 0
    met_late: int = 0
    overdue: int = 0

    @property
    def counted(self) -> int:
        return self.on_time + self.met_late + self.overdue

    @property
    def rate(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    def add(self, other: Rate) -> None:
        self.on_time += other.on_time
        self.met_late += other.met_late
        self.overdue += other.overdue


@dataclass
class Durations:
    """Working minutes that stages took, start to end."""

    minutes: list[float] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        return sum(self.minutes) / len(self.minutes) if self.minutes else None

    @property
    def p90(self) -> float | None:
        return percentile(self.minutes, 90)


def percentile(values: list[float], share: int) -> float | None:
    """The nearest-rank percentile: the smallest value that ``share`` % of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered) / 100)) - 1]


@dataclass
class Reach:
    """Notices published, their recipients, and the recipients who confirmed (已阅)."""

    notices: int = 0
    recipients: int = 0
    confirmed: int = 0

    @property
    def rate(self) -> float | None:
        return self.confirmed / self.recipients if self.recipients else None


@dataclass
class Figures:
    """One department's (or the total's) figures for one period."""

    records: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_direction: Counter[str] = field(default_factory=Counter)
    by_urgency: Counter[str] = field(default_factory=Counter)
    stages: defaultdict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    """On-time parts per stage (``review``, ``feedback``, ``answer``, ``ack``, ``task``...)."""
    durations: dict[str, Durations] = field(default_factory=lambda: {m: Durations() for m in MEASURES})
    overdue: int = 0
    reach: Reach = field(default_factory=Reach)
    follow_ups: int = 0

    @property
    def on_time(self) -> Rate:
        """Every stage together."""
        total = Rate()
        for rate in self.stages.values():
            total.add(rate)
        return total

    @property
    def active(self) -> bool:
        return bool(self.records or self.on_time.counted or self.overdue or self.follow_ups)


@dataclass(frozen=True)
class Compared:
    """The same figures for the period and the one before."""

    now: Figures
    before: Figures


@dataclass(frozen=True)
class Summary:
    as_of: datetime
    tz: tzinfo
    period: Period
    previous: Period
    total: Compared
    departments: dict[str, Compared]
    """Each department of the policy (or the one asked for), in the policy's order."""
    department: str | None = None
    """The department the summary was limited to, if any: ``total`` is then its figures."""


@dataclass(frozen=True)
class Metric:
    """A headline figure: its key for machines, its Chinese label, its unit and how to read it off."""

    key: str
    label: str
    unit: Literal["count", "share", "hours"]
    value: Callable[[Figures], float | None]


def _duration(measure: str, which: Literal["mean", "p90"]) -> Callable[[Figures], float | None]:
    return lambda f: getattr(f.durations[measure], which)


METRICS: tuple[Metric, ...] = (
    Metric("records", "记录数", "count", lambda f: f.records),
    Metric("on_time_rate", "按时完成率", "share", lambda f: f.on_time.rate),
    *(
        Metric(f"{m}_{w}_minutes", f"平均{name}用时" if w == "mean" else f"{name}用时 P90", "hours", _duration(m, w))
        for m, name in MEASURES.items()
        for w in ("mean", "p90")
    ),
    Metric("overdue", "期末逾期环节", "count", lambda f: f.overdue),
    Metric("notice_reach", "通知阅读率", "share", lambda f: f.reach.rate),
    Metric("follow_ups", "催办次数", "count", lambda f: f.follow_ups),
)
"""The figures every writer and the site show, in this order."""


def change(metric: Metric, compared: Compared) -> float | None:
    """The period's value less the previous one's; None when either has none."""
    now, before = metric.value(compared.now), metric.value(compared.before)
    return None if now is None or before is None else now - before


class _Tally:
    """Where a figure goes: the total and its department's, or nowhere when limited to another department."""

    def __init__(self, departments: list[str], only: str | None):
        self.total = Figures()
        self.departments = {d: Figures() for d in departments}
        self.only = only

    def of(self, department: str) -> list[Figures]:
        if self.only is not None and department != self.only:
            return []
        own = self.departments.get(department)
        return [self.total] if own is None else [self.total, own]


def summarize(
    ctx: Context,
    clocks: Iterable[RecordClock],
    as_of: datetime,
    kind: PeriodKind,
    overdue_before: Iterable[Stage],
    department: str | None = None,
) -> Summary:
    """The figures of the period holding ``as_of`` and of the one before.

    ``clocks`` are the records as of ``as_of`` with their judged stages; ``overdue_before`` the stages
    judged at the end of the previous period (only overdue ones count).
    """
    tz = ctx.policy.timezone
    period = period_containing(as_of, kind, tz)
    previous = period.previous()
    names = [department] if department else list(ctx.policy.departments)
    tallies = {period: _Tally(names, department), previous: _Tally(names, department)}
    for clock in clocks:
        _count_follow_ups(clock.record, ctx, tallies)
        for stage in clock.stages:
            if stage.state == "overdue":
                _each(tallies[period].of(stage.department), "overdue")
        submitted = submitted_at(clock.record, ctx)
        belongs = next((p for p in tallies if submitted is not None and submitted in p), None)
        if belongs is not None:
            _count_record(clock, ctx, tallies[belongs])
    for stage in overdue_before:
        if stage.state == "overdue":
            _each(tallies[previous].of(stage.department), "overdue")
    now, before = tallies[period], tallies[previous]
    return Summary(
        as_of,
        tz,
        period,
        previous,
        Compared(now.total, before.total),
        {d: Compared(now.departments[d], before.departments[d]) for d in names},
        department,
    )


def submitted_at(record: dict[str, Any], ctx: Context) -> datetime | None:
    """When a record was first submitted (registered): what places it in a period; None for a draft."""
    return next((ctx.time(e["at"]) for e in record["events"] if e["type"] == "submitted"), None)


def _each(targets: Iterable[Figures | Rate], counter: str) -> None:
    for figures in targets:
        setattr(figures, counter, getattr(figures, counter) + 1)


def _count_follow_ups(record: dict[str, Any], ctx: Context, tallies: dict[Period, _Tally]) -> None:
    for event in record["events"]:
        if event["type"] != "follow_up":
            continue
        at = ctx.time(event["at"])
        period = next((p for p in tallies if at in p), None)
        if period is not None:
            sender = ctx.staff.get(event["by"], {}).get("department") or record["from"]["department"]
            _each(tallies[period].of(sender), "follow_ups")


def _count_record(clock: RecordClock, ctx: Context, tally: _Tally) -> None:
    """A record of the period: its counts, its notice's reach, its stages' outcomes and times."""
    record = clock.record
    for figures in tally.of(record["from"]["department"]):
        figures.records += 1
        figures.by_kind[record["kind"]] += 1
        figures.by_direction[record["direction"]] += 1
        figures.by_urgency[record["urgency"]] += 1
    if record["kind"] == "notice" and any(e["type"] == "published" for e in record["events"]):
        recipients = notice_recipients(record, ctx.staff, ctx.policy.timezone)
        confirmed = {e["by"] for e in record["events"] if e["type"] == "acknowledged"} & recipients
        for figures in tally.of(record["from"]["department"]):
            figures.reach.notices += 1
            figures.reach.recipients += len(recipients)
            figures.reach.confirmed += len(confirmed)
    cancelled = cancelled_at(record, ctx)
    for stage in clock.stages:
        base = stage.name.split(":")[0]
        by_cancellation = cancelled is not None and stage.met == cancelled and base != "archive"
        outcome = _outcome(stage, by_cancellation)
        measure = "feedback" if base == FEEDBACK_STAGE.get(record["kind"]) else base
        took = None
        if measure in MEASURES and stage.met is not None and not by_cancellation:
            took = ctx.calendar.between(stage.start, stage.met)
        for figures in tally.of(stage.department):
            if outcome is not None:
                _each([figures.stages[base]], outcome)
            if took is not None:
                figures.durations[measure].minutes.append(took)


def _outcome(stage: Stage, by_cancellation: bool) -> Literal["on_time", "met_late", "overdue"] | None:
    """How a stage counts towards the on-time rate; None when it does not (yet)."""
    if stage.state == "met_late":
        return "met_late"  # late, whether answered or cancelled after its due time
    if by_cancellation:
        return None  # cancelled in time: nothing was owed any more
    return {"met_on_time": "on_time", "overdue": "overdue"}.get(stage.state)  # type: ignore[return-value]


def build_summary(
    root: Path,
    plan: Schedule,
    as_of: datetime,
    kind: PeriodKind = "month",
    department: str | None = None,
    shown: Callable[[str], bool] = lambda _: True,
    use_cache: bool = True,
) -> Summary:
    """The summary of the repository at ``root``, whose records ``plan`` judged as of ``as_of``.

    ``shown`` keeps the records (by id) a site build may show. The stages overdue at the previous period's
    end are judged again as of that moment, as the overdue report would judge them.
    """
    end = period_containing(as_of, kind, plan.context.policy.timezone).start
    then = open_stages(root, end, use_cache)
    overdue_then = [s for record_id, _, found in then.clocks if shown(record_id) for s in found]
    clocks = [c for c in plan.records if shown(c.record["id"])]
    return summarize(plan.context, clocks, as_of, kind, overdue_then, department)
