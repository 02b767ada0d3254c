"""Working-time arithmetic over the policy's calendar (pure: no clock reads).

A day is a working day by, in order: a date override in policy.yaml, China's
statutory calendar (holidays and make-up working days, 调休, from the
``chinesecalendar`` package), the weekly pattern. A date the statutory calendar
does not cover yet (next year before the State Council publishes it) falls back to
the weekly pattern and makes every deadline computed through it *provisional*.
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

Interval = tuple[time, time]
Unit = Literal["minutes", "hours", "days"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ORIGIN = 2000
"""The year whose first moment is working-time position 0 (:meth:`WorkCalendar.position`)."""
_MAX_SCAN_DAYS = 3660  # ten years without a working minute means the policy is wrong


@dataclass(frozen=True)
class Day:
    """What the calendar says about one date, and why."""

    date: date
    working: bool
    intervals: tuple[Interval, ...]
    reason: str
    provisional: bool = False


@dataclass(frozen=True)
class _Year:
    """Running sums over one year's days: working minutes, and days no statutory calendar decides."""

    year: int
    minutes: list[float]
    provisional: list[int]


@dataclass
class Trace:
    """What a computation went through, for ``--explain``; ``missing_years`` makes it provisional."""

    lines: list[str] = field(default_factory=list)
    missing_years: set[int] = field(default_factory=set)

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def parse_interval(text: str) -> Interval:
    """``09:00-12:00`` as a pair of times (``24:00`` is the end of the day)."""
    start, end = text.split("-")
    end_time = time(23, 59, 59, 999999) if end == "24:00" else time.fromisoformat(end)
    return time.fromisoformat(start), end_time


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours in one timezone."""

    tz: ZoneInfo
    week: dict[int, tuple[Interval, ...]]
    statutory: bool = True
    overrides: dict[date, tuple[bool, str]] = field(default_factory=dict)
    _days: dict[date, Day] = field(default_factory=dict, compare=False, repr=False)
    _sums: dict[int, _Year] = field(default_factory=dict, compare=False, repr=False)
    _patterns: dict[tuple[int, bool], _Year] = field(default_factory=dict, compare=False, repr=False)
    _starts: dict[int, float] = field(default_factory=dict, compare=False, repr=False)
    _statutory: dict[int, bool] = field(default_factory=dict, compare=False, repr=False)
    _missing: dict[tuple[date, date], frozenset[int]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_policy(cls, data: dict, tz: ZoneInfo) -> WorkCalendar:
        """The calendar a policy.yaml describes."""
        week = {
            i: tuple(parse_interval(x) for x in data["working_hours"].get(name, [])) for i, name in enumerate(WEEKDAYS)
        }
        calendar = data.get("calendar", {})
        overrides = {date.fromisoformat(o["date"]): (o["workday"], o["reason"]) for o in calendar.get("overrides", [])}
        return cls(tz, week, calendar.get("statutory", "cn") == "cn", overrides)

    @property
    def standard_day(self) -> tuple[Interval, ...]:
        """The hours of a working day that the weekly pattern leaves empty (a make-up working day)."""
        return next((self.week[i] for i in range(7) if self.week[i]), ())

    @property
    def day_minutes(self) -> int:
        """Working minutes in a standard day: what '1 working day' means when counted in hours."""
        return sum(_minutes(e) - _minutes(s) for s, e in self.standard_day)

    def day(self, d: date) -> Day:
        """Whether ``d`` is a working day, its intervals, and the reason."""
        if d not in self._days:
            self._days[d] = self._judge(d)
        return self._days[d]

    def _judge(self, d: date) -> Day:
        pattern = self.week[d.weekday()]
        if d in self.overrides:
            working, reason = self.overrides[d]
            return Day(d, working, (pattern or self.standard_day) if working else (), f"policy override: {reason}")
        if self.statutory:
            if not self._statutory_year(d.year):
                return Day(d, bool(pattern), pattern, "weekly pattern (no statutory calendar for this year)", True)
            # chinese_calendar.is_workday's own rule, on its tables: the function checks the year's range on every
            # call, which costs more than the lookups when a year's days are all judged.
            working = d in chinese_calendar.workdays or (d.weekday() <= 4 and d not in chinese_calendar.holidays)
            if working and not pattern:
                return Day(d, True, self.standard_day, "make-up working day (调休)")
            if not working and pattern:
                name = chinese_calendar.holidays.get(d)
                return Day(d, False, (), f"statutory holiday ({name or 'rest day'})")
        return Day(d, bool(pattern), pattern, "weekly pattern")

    def _windows(self, d: date, trace: Trace | None) -> list[tuple[datetime, datetime]]:
        info = self.day(d)
        if trace is not None:
            if info.provisional:
                trace.missing_years.add(d.year)
            if info.reason != "weekly pattern" or info.working:
                trace.lines.append(
                    f"{d} {WEEKDAYS[d.weekday()]}: {'working' if info.working else 'rest'} ({info.reason})"
                )
        return [(datetime.combine(d, s, self.tz), datetime.combine(d, e, self.tz)) for s, e in info.intervals]

    def add_minutes(self, start: datetime, minutes: float, trace: Trace | None = None) -> datetime:
        """The moment ``minutes`` working minutes after ``start``; from outside working time, counting starts at the next opening."""
        at = start.astimezone(self.tz)
        remaining = timedelta(minutes=minutes)
        day = at.date()
        for _ in range(_MAX_SCAN_DAYS):
            for open_at, close_at in self._windows(day, trace):
                if close_at < at or (close_at == at and remaining > timedelta(0)):
                    continue
                begin = max(open_at, at)
                if begin + remaining <= close_at:
                    return begin + remaining
                remaining -= close_at - begin
            day += timedelta(days=1)
        raise ValueError("the calendar has no working time in ten years: check working_hours in policy.yaml")

    def close_of_business(self, start: datetime, days: int, trace: Trace | None = None) -> datetime:
        """The end of the ``days``-th working day after the day of ``start``."""
        day, found = start.astimezone(self.tz).date(), 0
        for _ in range(_MAX_SCAN_DAYS):
            day += timedelta(days=1)
            windows = self._windows(day, trace)
            if windows:
                found += 1
                if found >= days:
                    return windows[-1][1]
        raise ValueError("the calendar has no working time in ten years: check working_hours in policy.yaml")

    def between(self, a: datetime, b: datetime, trace: Trace | None = None) -> float:
        """Working minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``).

        Years without statutory data that the span touches go into ``trace.missing_years``.
        """
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        if b <= a:
            return 0.0
        if trace is not None:
            trace.missing_years |= self._provisional_years(a.date(), b.date())
        if a.date() == b.date():
            return self._within(a.date(), a, b)
        first = self._within(a.date(), a, None)
        last = self._within(b.date(), None, b)
        return first + self._whole_days(a.date() + timedelta(days=1), b.date()) + last

    def position(self, moment: datetime) -> float:
        """Working minutes from the start of :data:`ORIGIN`'s year to ``moment`` (negative before it).

        ``between(a, b)`` is ``position(b) - position(a)`` whenever ``b`` is after ``a``: a moment's position is
        worked out once and kept (the index keeps each open stage's), and judging a stage is then a subtraction.
        """
        at = moment.astimezone(self.tz)
        day = at.date()
        sums = self._year(day.year)
        return self._year_start(day.year) + sums.minutes[day.timetuple().tm_yday - 1] + self._within(day, None, at)

    def missing_years(self, a: datetime, b: datetime) -> frozenset[int]:
        """The years without statutory data that the working time from ``a`` to ``b`` runs through (as ``between``'s trace)."""
        if b <= a:
            return frozenset()
        key = (a.astimezone(self.tz).date(), b.astimezone(self.tz).date())
        if key not in self._missing:
            self._missing[key] = frozenset(self._provisional_years(*key))
        return self._missing[key]

    def _year_start(self, year: int) -> float:
        """Working minutes from the start of :data:`ORIGIN` to the start of ``year``."""
        if year not in self._starts:
            step = 1 if year >= ORIGIN else -1
            total, at = 0.0, ORIGIN
            while at != year:  # whole years, each a running sum computed once (pattern years shared)
                if step > 0:
                    total += self._year(at).minutes[-1]
                else:
                    total -= self._year(at - 1).minutes[-1]
                at += step
            self._starts[year] = total
        return self._starts[year]

    def _within(self, day: date, start: datetime | None, end: datetime | None) -> float:
        total = timedelta(0)
        for open_at, close_at in self._windows(day, None):
            begin = max(open_at, start) if start else open_at
            finish = min(close_at, end) if end else close_at
            if finish > begin:
                total += finish - begin
        return total.total_seconds() / 60

    def _spans(self, first: date, stop: date) -> Iterator[tuple[_Year, int, int]]:
        """Each year from ``first`` up to (not including) ``stop``, with the day indices the span covers in it."""
        for year in range(first.year, stop.year + 1):
            lo = first.timetuple().tm_yday - 1 if year == first.year else 0
            sums = self._year(year)
            hi = stop.timetuple().tm_yday - 1 if year == stop.year else len(sums.minutes) - 1
            if hi > lo:
                yield sums, lo, hi

    def _whole_days(self, first: date, stop: date) -> float:
        """Working minutes of the whole days from ``first`` up to (not including) ``stop``, from per-year running sums."""
        return sum(y.minutes[hi] - y.minutes[lo] for y, lo, hi in self._spans(first, stop))

    def _provisional_years(self, first: date, last: date) -> set[int]:
        """Years with days from ``first`` to ``last`` (inclusive) that no statutory calendar decides."""
        return {
            y.year
            for y, lo, hi in self._spans(first, last + timedelta(days=1) if last < date.max else last)
            if y.provisional[hi] > y.provisional[lo]
        }

    def _year(self, year: int) -> _Year:
        """Running sums of working minutes and provisional days over a year: [0, day 1, days 1-2, ..., the whole year].

        A year that only the weekly pattern decides (no statutory data, no override) is the
        same as every year starting on the same weekday with the same length, so those are
        computed once: the cost of a span does not grow with the number of years (far
        future as-of times stay fast).
        """
        if year not in self._sums:
            pattern_only = not any(d.year == year for d in self.overrides) and not self._statutory_year(year)
            first = date(year, 1, 1)
            key = (first.weekday(), isleap(year))
            if pattern_only and key in self._patterns:
                self._sums[year] = replace(self._patterns[key], year=year)
            else:
                minutes, provisional, day = [0.0], [0], first
                for _ in range(365 + isleap(year)):
                    minutes.append(minutes[-1] + self._within(day, None, None))
                    provisional.append(provisional[-1] + self.day(day).provisional)
                    if day < date.max:
                        day += timedelta(days=1)
                self._sums[year] = _Year(year, minutes, provisional)
                if pattern_only:
                    self._patterns[key] = self._sums[year]
        return self._sums[year]

    def _statutory_year(self, year: int) -> bool:
        """Whether the statutory calendar has data for ``year`` (its package covers whole years)."""
        if not self.statutory:
            return False
        if year not in self._statutory:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
                self._statutory[year] = True
            except NotImplementedError:
                self._statutory[year] = False
        return self._statutory[year]

    def add(
        self, start: datetime, amount: float, unit: Unit, counting: str = "hours", trace: Trace | None = None
    ) -> datetime:
        """``amount`` working minutes, hours or days after ``start``.

        Days count as ``amount`` times a standard day's working hours (``counting:
        hours``), or as the end of the ``amount``-th working day after the start
        day (``counting: close_of_business``).
        """
        if unit == "days" and counting == "close_of_business":
            return self.close_of_business(start, int(amount), trace)
        factor = {"minutes": 1, "hours": 60, "days": self.day_minutes}[unit]
        return self.add_minutes(start, amount * factor, trace)


def clock_add(start: datetime, amount: float, unit: Unit) -> datetime:
    """``amount`` minutes, hours or days on the 24x7 clock: elapsed time, also across a daylight-saving change."""
    # Aware arithmetic in a zone with DST adds wall-clock time; in UTC it adds elapsed time.
    return (start.astimezone(UTC) + timedelta(**{unit: amount})).astimezone(start.tzinfo)
