"""A member of staff as they stood on a given day, so that past records are judged by who people were then.

A staff entry keeps, in ``history``, what its department, title and roles were before each change (each value
held up to and including the entry's ``until``); ``commlog contacts update`` and ``depart`` write it. A departed
person was active up to and including their ``departed`` day.
"""

from __future__ import annotations

from typing import Any

TRACKED = ("department", "title", "roles")
"""The fields whose earlier values a staff entry's history keeps."""


def as_on(person: dict[str, Any] | None, day: str) -> dict[str, Any] | None:
    """``person`` as their entry stood on ``day`` (YYYY-MM-DD): the earliest history entry still in force on that
    day gives each field it names, and a person who departed later was active."""
    if person is None:
        return None
    view = dict(person)
    for entry in sorted(person.get("history") or [], key=lambda e: str(e["until"]), reverse=True):
        if day <= str(entry["until"]):
            view.update({k: v for k, v in entry.items() if k != "until"})
    departed = person.get("departed")
    if person.get("status") == "departed" and departed and day <= str(departed):
        view["status"] = "active"
    return view


def day_of(time_text: str) -> str:
    """The day of a schema-valid time as written (``2024-10-08 09:30+08:00`` -> ``2024-10-08``)."""
    return time_text[:10]
