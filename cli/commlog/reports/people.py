"""People and records as readers name them: 王芳 (wang-fang), 李娜 (客户A公司), and the ids a typo was close to."""

from __future__ import annotations

import difflib
from typing import Any

Staff = dict[str, dict[str, Any]]
Orgs = dict[str, dict[str, Any]]


def name_of(who: str, staff: Staff, orgs: Orgs) -> str:
    """A person's display name: 张伟, or 李娜 (客户A公司) for someone outside; an organisation's name; else the id."""
    if who in staff:
        return staff[who]["name"]
    org_id, _, person = who.partition("/")
    org = orgs.get(org_id)
    if org is None:
        return who
    if not person:
        return org["name"]
    found = next((p["name"] for p in org["people"] if p["id"] == person), person)
    return f"{found} ({org['name']})"


def labelled(who: str, staff: Staff, orgs: Orgs) -> str:
    """A name with the id people type in commands: 王芳 (wang-fang), 李娜 (客户A公司, customer-a/li-na); an unknown id alone."""
    name = name_of(who, staff, orgs)
    if name == who:
        return who
    if name.endswith(")") and "/" in who:  # 李娜 (客户A公司): the id joins the organisation's name
        return f"{name[:-1]}, {who})"
    return f"{name} ({who})"


def close_matches(wanted: str, known: set[str] | list[str], count: int = 3) -> list[str]:
    """Known ids a mistyped one was probably meant to be: the same letters in another case or padding first."""
    folded = _fold(wanted)
    same = sorted(k for k in known if _fold(k) == folded)
    near = [
        match
        for spelling in dict.fromkeys((wanted, wanted.upper(), wanted.lower()))
        for match in difflib.get_close_matches(spelling, list(known), n=count)
    ]
    return list(dict.fromkeys(same + near))[:count]


def _fold(record_id: str) -> str:
    """``nx-2024-1`` and ``NX-2024-001`` alike: upper case, the sequence without its zeros."""
    head, _, sequence = record_id.strip().upper().rpartition("-")
    return f"{head}-{int(sequence)}" if sequence.isdigit() else record_id.strip().upper()


class UnknownPerson(LookupError):
    """No active or departed member of staff answers to what was given; the message says how to find one."""


def find_person(query: str, staff: Staff) -> str:
    """The staff id meant by an id, a name (王芳) or an email; :class:`UnknownPerson` otherwise."""
    text = query.strip()
    if text in staff:
        return text
    lowered = text.lower()
    by_id = [pid for pid in staff if pid.lower() == lowered]
    by_email = [pid for pid, p in staff.items() if str(p.get("email", "")).lower() == lowered]
    by_name = [pid for pid, p in staff.items() if p.get("name") == text]
    for found in (by_id, by_email, by_name):
        if len(found) == 1:
            return found[0]
    if len(by_name) > 1:
        listed = ", ".join(f"{pid} ({staff[pid]['department']})" for pid in sorted(by_name))
        raise UnknownPerson(f"more than one member of staff is called {text}: {listed}; give the id")
    close = close_matches(text, list(staff))
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UnknownPerson(
        f"no one in contacts/internal/ is '{text}'; {hint}give a staff id (the file name in contacts/internal/, "
        "e.g. wang-fang), a name or a work email"
    )
