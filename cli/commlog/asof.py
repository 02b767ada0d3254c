"""The moment a report or a site is judged at: a time the user gives, in the policy's timezone, or now."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from commlog.load import LoadError, load
from commlog.policy import timezone_of
from commlog.repository import POLICY
from commlog.timeutil import TIME_FORM, parse_time


class NoTimezone(Exception):
    """policy.yaml is missing, unreadable or names no valid timezone."""


def policy_timezone(root: Path) -> str | None:
    """The timezone name policy.yaml gives, if it can be read."""
    try:
        value = load(root, root / POLICY).data.get("timezone")
    except LoadError:
        return None
    return value if isinstance(value, str) else None


def moment(root: Path, text: str | None, now: datetime | None = None) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` or ``YYYY-MM-DD`` (its start) in the policy's timezone; ``now`` when no text.

    Raises NoTimezone when the policy gives no timezone, ValueError for a time that is
    malformed, out of the accepted years or does not exist; both with a message for the user.
    """
    tz = timezone_of(policy_timezone(root) or "")
    if tz is None:
        raise NoTimezone("policy.yaml is missing or has no valid timezone; run `commlog validate` to see why")
    if not text:
        return (now or datetime.now(tz)).astimezone(tz).replace(microsecond=0)
    full = text + " 00:00" if len(text) == 10 else text
    if not TIME_FORM.match(full):
        raise ValueError(f"{text!r} is not a time: expected YYYY-MM-DD HH:MM (or YYYY-MM-DD, its start)")
    try:
        # Converted, so a time given with another offset (``Z``) is shown, and passed on, as the policy's.
        return parse_time(full, tz).astimezone(tz)
    except ValueError as err:  # the form is right: say what is wrong with the value
        raise ValueError(f"{text!r} is not a real time ({err})") from err
