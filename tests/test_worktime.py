"""The working-time calendar: worked examples, properties, and two independent statutory sources."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commlog.worktime import WorkCalendar, parse_interval

TZ = ZoneInfo("Asia/Shanghai")
HOURS = (parse_interval("09:00-12:00"), parse_interval("13:30-18:00"))
CAL = WorkCalendar(TZ, {i: HOURS if i < 5 else () for i in range(7)})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-02-13 16:00", 4, "2026-02-14 11:00"),  # Friday, then a make-up working Saturday
        ("2026-10-09 20:00", 4, "2026-10-10 14:30"),  # after hours, then the make-up Saturday across lunch
        ("2026-09-30 17:00", 7.5, "2026-10-08 17:00"),  # across the National Day holiday
    ],
)
def test_worked_examples(start: str, hours: float, expected: str) -> None:
    assert CAL.add(at(start), hours, "hours") == at(expected)


def test_a_deadline_on_the_end_of_a_window_is_that_end() -> None:
    assert CAL.add(at("2026-11-20 11:00"), 1, "hours") == at("2026-11-20 12:00")


def test_a_start_in_another_timezone_is_converted_first() -> None:
    # 2026-11-20 01:00 UTC is 09:00 in Shanghai
    assert CAL.add(datetime(2026, 11, 20, 1, 0, tzinfo=ZoneInfo("UTC")), 1, "hours") == at("2026-11-20 10:00")


def test_working_days_in_hours_and_close_of_business() -> None:
    assert CAL.day_minutes == 450
    assert CAL.add(at("2026-11-20 10:00"), 1, "days") == at("2026-11-23 10:00")
    assert CAL.add(at("2026-11-20 10:00"), 1, "days", "close_of_business") == at("2026-11-23 18:00")
    assert CAL.add(at("2026-09-30 10:00"), 1, "days", "close_of_business") == at("2026-10-08 18:00")


def test_override_beats_the_statutory_calendar() -> None:
    company = WorkCalendar(
        TZ, CAL.week, overrides={date(2026, 10, 8): (False, "公司年假"), date(2026, 10, 3): (True, "加班")}
    )
    assert company.add(at("2026-09-30 17:00"), 7.5, "hours") == at("2026-10-03 17:00")
    assert not company.day(date(2026, 10, 8)).working


def test_missing_year_is_provisional() -> None:
    from commlog.worktime import Trace

    trace = Trace()
    assert CAL.add(at("2026-12-31 17:00"), 2, "hours", trace=trace) == at("2027-01-01 10:00")
    assert trace.provisional and trace.missing_years == {2027}
    assert any("2027" in line for line in trace.lines)


moments = st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda d: d.replace(tzinfo=TZ)
)
amounts = st.integers(min_value=0, max_value=60 * 24 * 200)


@settings(max_examples=300, deadline=None)
@given(moments, amounts)
def test_between_inverts_add(start: datetime, minutes: int) -> None:
    assert CAL.between(start, CAL.add_minutes(start, minutes)) == pytest.approx(minutes, abs=1e-6)


far = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)).map(lambda d: d.replace(tzinfo=TZ))


@settings(max_examples=300, deadline=None)
@given(far, far)
def test_between_is_the_difference_of_positions(a: datetime, b: datetime) -> None:
    """What the index keeps per stage (its position) gives the same working time as counting the span."""
    a, b = sorted((a, b))
    assert CAL.position(b) - CAL.position(a) == pytest.approx(CAL.between(a, b), abs=1e-6)
    from commlog.worktime import Trace

    trace = Trace()
    CAL.between(a, b, trace)
    assert CAL.missing_years(a, b) == trace.missing_years


@settings(max_examples=200, deadline=None)
@given(moments, amounts, amounts)
def test_add_is_monotone(start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert CAL.add_minutes(start, low) <= CAL.add_minutes(start, high)


@settings(max_examples=300, deadline=None)
@given(moments, st.integers(min_value=1, max_value=60 * 24 * 20))
def test_result_is_inside_working_time(start: datetime, minutes: int) -> None:
    result = CAL.add_minutes(start, minutes)
    day = CAL.day(result.date())
    assert day.working
    assert any(s <= result.time() <= e for s, e in day.intervals)


def _each_day(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def test_agrees_with_chinesecalendar_2004_to_2026() -> None:
    for day in _each_day(date(2004, 1, 1), date(2026, 12, 31)):
        assert CAL.day(day).working == chinese_calendar.is_workday(day), day


# Dates on which the two published sources disagree, and the one commlog follows.
# 2005-12-31 (Saturday): chinesecalendar has it as a rest day; holidays (CN) lists no
# make-up working day for it. The State Council's 2006 notice moved New Year's rest to
# 2006-01-01..03 with no make-up day on 2005-12-31, so chinesecalendar is followed.
DISAGREEMENTS = {date(2005, 12, 31): "chinesecalendar"}


def test_agrees_with_the_holidays_package_2004_to_2026() -> None:
    cn = holidays.country_holidays("CN", years=range(2004, 2027), language="en_US")
    makeup = set()
    for name in cn.values():
        for month, day, year in re.findall(r"substituted from (\d\d)/(\d\d)/(\d{4})", name):
            makeup.add(date(int(year), int(month), int(day)))
    differing = {}
    for day in _each_day(date(2004, 1, 1), date(2026, 12, 31)):
        theirs = day in makeup or (day.weekday() < 5 and day not in cn)
        if theirs != CAL.day(day).working:
            differing[day] = "chinesecalendar"
    assert differing == DISAGREEMENTS


def test_between_records_the_years_it_passes_without_data() -> None:
    from commlog.worktime import Trace

    trace = Trace()
    assert CAL.between(at("2026-12-30 09:00"), at("2027-03-01 09:00"), trace) > 0
    assert trace.missing_years == {2027}
    inside = Trace()
    CAL.between(at("2026-01-05 09:00"), at("2026-12-31 18:00"), inside)
    assert not inside.provisional
    # override days alone are decided, so they are not provisional
    company = WorkCalendar(TZ, CAL.week, overrides={date(2027, 1, 4): (True, "公司安排")})
    decided = Trace()
    assert company.between(at("2027-01-04 09:00"), at("2027-01-04 12:00"), decided) == 180
    assert not decided.provisional


def test_far_spans_are_fast_exact_and_never_overflow() -> None:
    import time as clock

    started = clock.monotonic()
    whole = CAL.between(at("0001-01-01 00:00"), datetime.combine(date.max, datetime.max.time(), TZ))
    assert whole > 0 and clock.monotonic() - started < 2
    # years only the weekly pattern decides are computed once per shape; check against day by day
    company = WorkCalendar(TZ, CAL.week, overrides={date(2035, 5, 6): (False, "公司年假")})
    first, last = date(2027, 1, 1), date(2045, 12, 31)
    expected = sum(company._within(d, None, None) for d in _each_day(first, last))
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), TZ)
    assert company.between(datetime.combine(first, datetime.min.time(), TZ), end) == pytest.approx(expected)


def test_clock_time_is_elapsed_time_across_daylight_saving() -> None:
    from commlog.worktime import clock_add

    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)  # the clocks go from 02:00 to 03:00
    assert clock_add(start, 2, "hours") == datetime(2026, 3, 29, 4, 30, tzinfo=berlin)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-11-20 09:00+14:30", "does not exist"),
        ("2026-11-20 09:00-12:15", "does not exist"),
        ("2026-11-20 09:00+05:50", "does not exist"),
        ("9999-12-31 23:59", "1900..2199"),
        ("1899-12-31 23:59", "1900..2199"),
        ("2026-03-29 02:30", "daylight saving"),
    ],
)
def test_times_that_cannot_be(text: str, problem: str) -> None:
    from commlog.timeutil import parse_time

    with pytest.raises(ValueError, match=problem):
        parse_time(text, ZoneInfo("Europe/Berlin"))


def test_times_that_can_be_and_how_they_are_shown() -> None:
    from commlog.timeutil import parse_time, show

    for text in ("2026-11-20 09:00+05:45", "2026-11-20 09:00+14:00", "2026-11-20 09:00-12:00", "1900-01-01 00:00"):
        parse_time(text, TZ)
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_time("2026-03-29 02:30", berlin, strict=False) == datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
    assert show(parse_time("2026-11-20 01:00Z", TZ), TZ) == "2026-11-20 09:00"
    assert show(datetime(1, 1, 1, tzinfo=TZ), TZ) == "0001-01-01 00:00"
