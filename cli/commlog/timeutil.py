"""The times written in records: ``YYYY-MM-DD HH:MM[:SS]`` with an optional UTC offset, and how they are shown.

Times are accepted only in the years ``FIRST_YEAR``..``LAST_YEAR``: every computation
(working-time deadlines, the ten-year scan for the next working minute) then stays far
from ``datetime``'s limits, and a typo like ``9999-12-31`` is a finding, not a crash.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

FIRST_YEAR, LAST_YEAR = 1900, 2199
TIME_FORM = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?)(?: ?(Z|[+-]\d{2}:\d{2}))?\Z", re.ASCII)
"""``\\Z``, not ``$``: Python's ``$`` would also accept a final new line."""
# Offsets in use run from -12:00 to +14:00, in whole quarter hours (+05:45 Nepal, +08:45 Eucla).
_MIN_OFFSET, _MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)


def check_year(year: int) -> None:
    """Raise ValueError for a year outside the range commlog computes deadlines over."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}..{LAST_YEAR}, the years commlog accepts")


def parse_offset(text: str) -> tzinfo:
    """``Z``, ``+08:00``, ``-03:30`` as a fixed timezone; ValueError for an offset no place uses."""
    if text == "Z":
        return UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    value = (-1 if text[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes)
    if minutes % 15 or not _MIN_OFFSET <= value <= _MAX_OFFSET:
        raise ValueError(f"UTC offset {text} does not exist (offsets run from -12:00 to +14:00 in quarter hours)")
    return timezone(value)


def exists(value: datetime) -> bool:
    """Whether an aware local time exists: not inside a daylight-saving gap (02:30 on a spring-forward night)."""
    return value.astimezone(UTC).astimezone(value.tzinfo).replace(tzinfo=None) == value.replace(tzinfo=None)


def parse_time(text: str, tz: tzinfo, strict: bool = True) -> datetime:
    """An aware datetime; a time without an offset is in ``tz`` (the policy's timezone).

    Raises ValueError for a time that is malformed, out of the accepted years, has an
    impossible offset, or (when ``strict``) falls in a daylight-saving gap of ``tz``.
    Not strict, a gap time is read with the offset before the change (02:30 as 03:30
    summer time), so computations over records the validator flags still run.
    """
    match = TIME_FORM.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time: expected YYYY-MM-DD HH:MM")
    day, clock, offset = match.groups()
    check_year(int(day[:4]))
    value = datetime.fromisoformat(f"{day}T{clock}")
    if offset:
        return value.replace(tzinfo=parse_offset(offset))
    value = value.replace(tzinfo=tz)
    if not exists(value):
        if strict:
            raise ValueError(f"{text} does not exist in {tz}: the clocks skip it (daylight saving time)")
        return value.astimezone(UTC).astimezone(tz)  # an existing time: wall-clock arithmetic stays sound
    return value


def show(moment: datetime, tz: tzinfo) -> str:
    """A moment as people read it: ``YYYY-MM-DD HH:MM`` in ``tz`` (the policy's timezone).

    Every displayed time goes through here, so times written with other offsets
    (``Z``, ``+14:00``) line up with the rest; the year is always four digits.
    """
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local:%m-%d %H:%M}"
