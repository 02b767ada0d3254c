"""The times written in records: ``YYYY-MM-DD HH:MM[:SS]`` with an optional UTC offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

TIME_FORM = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?)(?: ?(Z|[+-]\d{2}:\d{2}))?$")


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """An aware datetime; a time without an offset is in ``tz`` (the policy's timezone).

    Raises ValueError for a time that is malformed or does not exist.
    """
    match = TIME_FORM.match(text)
    if not match:
        raise ValueError(f"{text!r} is not written YYYY-MM-DD HH:MM[:SS][+HH:MM]")
    day, clock, offset = match.groups()
    value = datetime.fromisoformat(f"{day}T{clock}")
    if not offset:
        return value.replace(tzinfo=tz)
    if offset == "Z":
        return value.replace(tzinfo=UTC)
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError(f"UTC offset {offset} does not exist")
    sign = -1 if offset[0] == "-" else 1
    return value.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
