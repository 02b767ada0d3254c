"""The retention schedule applied: how long each archived record is kept, when it is due, whether it is held.

A record's term is the longest of the policy's ``retention`` rows that match its importance and
classification, counted from its archiving (the last ``archived`` event while it stays archived).
Records important by nature (policy.yaml ``disposal.important_by_nature``: contracts, project
agreements, regulatory letters) count as important whatever their ``importance`` says. A legal
hold (a ``held`` event not followed by ``released``) keeps a record whatever its term; a disposed
record is a stub with a ``disposed`` block (:mod:`commlog.disposal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from commlog.policy import Policy, RetentionRow
from commlog.timeutil import parse_time
from commlog.workflow import CLASSIFICATION_NAMES

IMPORTANCE_NAMES = {"normal": "普通信息", "important": "重要信息"}

State = Literal["disposed", "held", "due", "due_soon", "kept", "open"]
STATE_NAMES: dict[str, str] = {
    "disposed": "已销毁",
    "held": "留存冻结",
    "due": "已到期",
    "due_soon": "即将到期",
    "kept": "保管中",
    "open": "未归档",
}
"""Each retention state as staff read it, in the order the report lists them."""
NATIONAL_RULE = "国家档案局《企业文件材料归档范围和档案保管期限规定》(2012)"
"""The national archives rules for enterprise records: terms of 永久, 定期30年 and 定期10年."""


@dataclass(frozen=True)
class Standing:
    """Where one record stands in the retention schedule at a moment."""

    id: str
    path: str
    state: State
    importance: str
    """The importance the schedule applies (``important`` for a record important by nature)."""
    why_important: str
    """The important-by-nature entry that made it important, when that is why."""
    row: RetentionRow | None
    archived: datetime | None
    archive_no: str
    due: date | None
    hold: dict[str, Any] | None
    """The ``held`` event in force."""
    disposed: dict[str, Any] | None

    @property
    def years(self) -> int | None:
        return self.row.years if self.row else None


def important_by_nature(record: dict[str, Any], orgs: Mapping[str, dict[str, Any]], policy: Policy) -> str:
    """The note of the policy's important-by-nature entry the record matches ('' for none)."""
    types = {orgs.get(p["org"], {}).get("type") for p in record["to"] if "org" in p}
    for entry in policy.disposal.important_by_nature:
        legal = "legal_effect" not in entry or bool(record.get("legal_effect")) == entry["legal_effect"]
        org = "org_type" not in entry or entry["org_type"] in types
        if legal and org:
            return str(entry.get("note") or ", ".join(f"{k}: {v}" for k, v in entry.items()))
    return ""


def schedule_row(importance: str, classification: str, policy: Policy) -> RetentionRow | None:
    """The longest-kept row of the schedule that matches (the first of equals); None when no row does."""
    rows = [r for r in policy.retention if r.matches(importance, classification)]
    return max(rows, key=lambda r: r.years) if rows else None


def archiving(record: dict[str, Any]) -> dict[str, Any] | None:
    """The ``archived`` event the record stands archived by: the last one, unless it was reopened since."""
    found = None
    for event in record["events"]:
        if event["type"] == "archived":
            found = event
        elif event["type"] == "reopened":
            found = None
    return found


def hold_in_force(record: dict[str, Any]) -> dict[str, Any] | None:
    """The ``held`` event of a legal hold not released since."""
    found = None
    for event in record["events"]:
        if event["type"] == "held":
            found = event
        elif event["type"] == "released":
            found = None
    return found


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def standing(
    path: str, record: dict[str, Any], orgs: Mapping[str, dict[str, Any]], policy: Policy, as_of: datetime
) -> Standing:
    """Where ``record`` stands at ``as_of`` (events and a disposal dated later do not count yet)."""
    tz = policy.timezone
    happened = [e for e in record["events"] if parse_time(e["at"], tz, strict=False) <= as_of]
    gone = record.get("disposed")
    if gone is not None and parse_time(gone["at"], tz, strict=False) > as_of:
        gone = None
    record = {**record, "events": happened}
    nature = important_by_nature(record, orgs, policy)
    importance = "important" if nature else record.get("importance", "normal")
    row = schedule_row(importance, record["classification"], policy)
    event = archiving(record)
    archived = parse_time(event["at"], policy.timezone, strict=False) if event else None
    due = add_years(archived.astimezone(policy.timezone).date(), row.years) if archived and row else None
    hold, disposed = hold_in_force(record), gone
    today = as_of.astimezone(policy.timezone).date()
    state: State
    if disposed is not None:
        state = "disposed"
    elif hold is not None:
        state = "held"
    elif due is None:
        state = "open"
    elif due <= today:
        state = "due"
    elif due <= today + timedelta(days=policy.disposal.due_soon_days):
        state = "due_soon"
    else:
        state = "kept"
    if disposed is not None and due is None:
        due = date.fromisoformat(disposed["due"])
    return Standing(
        record["id"],
        path,
        state,
        importance,
        nature if record.get("importance", "normal") != "important" else "",
        row,
        archived,
        event.get("archive_no", "") if event else "",
        due,
        hold,
        disposed,
    )


def schedule_warnings(policy: Policy) -> list[str]:
    """A line for each schedule row kept fewer years than the national rules' shortest term."""
    least = policy.disposal.national_minimum_years
    warnings = []
    for row in policy.retention:
        if row.years < least:
            names = (IMPORTANCE_NAMES.get(row.importance or ""), CLASSIFICATION_NAMES.get(row.classification or ""))
            matched = "、".join(x for x in names if x) or "全部记录"
            warnings.append(
                f"保存期限 {matched} {row.years} 年 ({row.note or 'policy.yaml retention'}) 低于{NATIONAL_RULE}"
                f"规定的最短保管期限 {least} 年 (保管期限分为永久、定期30年和定期10年): 已归档的企业文件材料"
                "按国家规定至少保存10年; 若这些记录属于归档范围, 请在 policy.yaml retention 中延长"
            )
    return warnings
