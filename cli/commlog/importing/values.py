"""A cell's value as what it means: a time, a coded value, a department, a member of staff, an organisation."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from commlog.lifecycle import Register
from commlog.reports.spreadsheet import formula_like

# -- values ----------------------------------------------------------------------------------------------------


class Bad(ValueError):
    """A cell's value cannot be taken; the message says why."""


_DAY = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$"
)


def when(value: Any, default: time) -> datetime:
    """A time from a cell: a spreadsheet date, or 2024-10-08, 2024/10/8, 2024年10月8日, with HH:MM or not."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.time() != time(0) else datetime.combine(value.date(), default)
    if isinstance(value, date):
        return datetime.combine(value, default)
    if isinstance(value, int | float):
        raise Bad(f"{value} is a number, not a date; format the cell as a date (2024-10-08)")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    found = _DAY.match(text)
    if not found:
        raise Bad(f"'{text}' is not a date like 2024-10-08 or 2024-10-08 09:30")
    year, month, day, hour, minute, second = (int(g) if g else None for g in found.groups())
    try:
        if hour is None:
            return datetime.combine(date(year, month, day), default)  # type: ignore[arg-type]
        return datetime(year, month, day, hour, minute or 0, second or 0)  # type: ignore[arg-type]
    except ValueError as err:
        raise Bad(f"'{text}' is not a date that exists ({err})") from None


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


def choice(text: str, names: dict[str, str], what: str) -> str:
    for code, name in names.items():
        if text == name or text.lower() == code:
            return code
    raise Bad(f"'{text}' is not a {what}; write one of {'、'.join(names.values())}")


def cell_text(value: Any) -> str:
    """A cell as text: a number without '.0', a neutralised formula-like value (a leading ') without the quote."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if not isinstance(value, str) else value.strip()
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]  # how commlog's own CSV keeps such a value from running
    return text


class People:
    """Staff, organisations and departments, found by the names a register writes."""

    def __init__(self, register: Register):
        self.staff = register.staff
        self.orgs = register.corpus.orgs
        self.policy = register.policy

    def department(self, text: str) -> str:
        for dept in self.policy.departments.values():
            if text == dept.name or text.upper() == dept.code.upper():
                return dept.name
        close = difflib.get_close_matches(text, [d.name for d in self.policy.departments.values()], n=3, cutoff=0.3)
        hint = (
            f"; did you mean {'、'.join(close)}?"
            if close
            else f"; the departments: {'、'.join(self.policy.departments)}"
        )
        raise Bad(f"'{text}' is not a department in policy.yaml{hint}")

    def staff_member(self, text: str, department: str | None) -> str:
        """The staff id of a name (王芳), an id or an email; in ``department`` when several share the name."""
        if text in self.staff:
            return text
        by_email = [pid for pid, p in self.staff.items() if str(p.get("email", "")).lower() == text.lower()]
        if len(by_email) == 1:
            return by_email[0]
        named = sorted(pid for pid, p in self.staff.items() if p.get("name") == text)
        here = [pid for pid in named if self.staff[pid]["department"] == department] if department else named
        if len(here) == 1:
            return here[0]
        listed = lambda ids: "、".join(f"{self.staff[p]['name']} ({p}, {self.staff[p]['department']})" for p in ids)  # noqa: E731
        if len(here) > 1:
            raise Bad(
                f"more than one {text} in {department or 'the contacts'}: {listed(here)}; write the id instead of the name"
            )
        if named:
            raise Bad(f"{text} is not in {department}: {listed(named)}; fix the department or the name")
        close = difflib.get_close_matches(text, [p["name"] for p in self.staff.values()], n=3, cutoff=0.5)
        candidates = sorted(pid for pid, p in self.staff.items() if p["name"] in close)
        hint = f"; candidates: {listed(candidates)}" if candidates else ""
        raise Bad(
            f"no one called '{text}' in contacts/internal/{hint}; add the person first (import the contacts), or fix the name"
        )

    def organisation(self, text: str) -> str:
        if text in self.orgs:
            return text
        exact = [oid for oid, o in self.orgs.items() if o.get("name") == text]
        if len(exact) == 1:
            return exact[0]
        close = difflib.get_close_matches(text, [o["name"] for o in self.orgs.values()], n=3, cutoff=0.5)
        hint = f"; candidates: {'、'.join(close)}" if close else ""
        raise Bad(f"'{text}' is neither a department in policy.yaml nor an organisation in contacts/external/{hint}")

    def org_person(self, org: str, text: str) -> str:
        people = self.orgs[org].get("people", [])
        found = [p["id"] for p in people if text in (p["id"], p.get("name"))]
        if len(found) == 1:
            return found[0]
        names = "、".join(f"{p.get('name')} ({p['id']})" for p in people) or "nobody"
        if found:
            raise Bad(f"more than one {text} at {self.orgs[org]['name']}: write the id; its people: {names}")
        raise Bad(f"{text} is not among the people of {self.orgs[org]['name']} (contacts/external/{org}.yaml): {names}")
