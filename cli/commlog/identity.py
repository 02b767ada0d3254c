"""Who is acting (the member of staff whose contact email is git's ``user.email``), and who put each event in the
register (the author of the commit that added it), judged against the person the event names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commlog.history import BEFORE_HISTORY, COMMITTED, NO_HISTORY, UNCOMMITTED, Added, History, user_email


class IdentityError(Exception):
    """Git's identity names nobody who may act; the message says how to fix it."""


def person_with_email(staff: dict[str, dict[str, Any]], email: str) -> str | None:
    """The staff id whose contact email is ``email`` (case-insensitive), or None."""
    wanted = email.strip().lower()
    return next((pid for pid, person in staff.items() if person.get("email", "").lower() == wanted), None)


def acting_person(root: Path, staff: dict[str, dict[str, Any]]) -> str:
    """The active member of staff git says is acting, or :class:`IdentityError` with the exact fix."""
    email = user_email(root)
    if email is None:
        raise IdentityError(
            "git has no user.email here, so commlog cannot tell who is acting; "
            "run `git config user.email you@example.com` with the email in your contacts/internal/ file"
        )
    pid = person_with_email(staff, email)
    if pid is None:
        raise IdentityError(
            f"no one in contacts/internal/ has the email {email}; run `git config user.email ...` with your "
            "work email, or add yourself to contacts/internal/ (by pull request, reviewed like any record)"
        )
    if staff[pid].get("status") != "active":
        raise IdentityError(f"{pid} ({email}) is marked departed in contacts/internal/{pid}.yaml and may not act")
    return pid


# -- who entered each event --------------------------------------------------------------------------

OWN = "own"
"""The commit's author email is the contact email of the event's ``by``."""
RECORDED = "recorded"
"""The event carries ``recorded_by`` and the commit is that person's: an entry made for someone (王芳 代 赵刚登记)."""
ENTERED = "entered"
"""The event is an outside person's (``org/person``) and a member of staff committed it: how such events are entered."""
OTHER = "other"
"""Anyone else: the event is marked (``show``, the record page), as its author is not the person it names."""

ADDED_NAMES = {UNCOMMITTED: "未提交", BEFORE_HISTORY: "(历史之前)", NO_HISTORY: "无 git 历史"}
"""How an event without a commit is labelled where its commit would be."""


@dataclass(frozen=True)
class Entry:
    """Who put an event in the register: the commit that added it, and whose that commit is."""

    added: Added
    person: str | None = None
    """The member of staff whose contact email is the commit's author email (None: nobody in contacts)."""
    attribution: str | None = None
    """:data:`OWN`, :data:`RECORDED`, :data:`ENTERED` or :data:`OTHER`; None without a commit (uncommitted, before
    the history, no history)."""

    @property
    def marked(self) -> bool:
        """Whether the event's author is not the person it names (nor their recorded clerk, nor staff entering an outside person's event)."""
        return self.attribution == OTHER

    def label(self) -> str:
        """The commit as a timeline shows it: ``1a2b3c4d 张伟``, or 未提交, (历史之前), 无 git 历史."""
        commit = self.added.commit
        return f"{commit.short} {commit.author}" if commit else ADDED_NAMES[self.added.state]

    def fields(self) -> dict[str, Any]:
        """The entry for JSON output (``show``, ``due``)."""
        commit = self.added.commit
        return {
            "commit": commit.sha if commit else None,
            "author": commit.author if commit else None,
            "author_email": commit.email if commit else None,
            "commit_state": self.added.state,
            "author_person": self.person,
            "attribution": self.attribution,
        }


class Entries:
    """Each event's :class:`Entry`, from the repository's history and its staff's contact emails."""

    def __init__(self, history: History, staff: Mapping[str, Mapping[str, Any]]):
        self.history = history
        self.staff = staff
        self.emails: dict[str, str] = {}
        for pid, person in staff.items():  # the first with an email wins, as in person_with_email
            self.emails.setdefault(str(person.get("email", "")).strip().lower(), pid)
        self.emails.pop("", None)

    def of(self, path: str, event: Mapping[str, Any]) -> Entry:
        """The entry of ``event`` in the record file ``path``."""
        added = self.history.added(path, event)
        if added.state != COMMITTED or added.commit is None:
            return Entry(added)
        person = self.emails.get(added.commit.email.strip().lower())
        clerk = event.get("recorded_by")
        if person is not None and person == event["by"]:
            attribution = OWN
        elif person is not None and clerk is not None and person == clerk:
            attribution = RECORDED
        elif person is not None and clerk is None and event["by"] not in self.staff:
            attribution = ENTERED
        else:
            attribution = OTHER
        return Entry(added, person, attribution)

    def mark(self, entry: Entry, event: Mapping[str, Any], name: Callable[[str], str]) -> str:
        """What a marked event says (empty for one that is not marked); ``name`` names a member of staff."""
        if not entry.marked:
            return ""
        author = entry.added.commit.author if entry.added.commit else ""
        if entry.person is None:
            who = "提交人不在通讯录中"
        else:  # the staff member the email belongs to, unless git's author name already says so
            who = "" if name(entry.person) == author else f"提交人为 {name(entry.person)}"
        if event["by"] not in self.staff and event.get("recorded_by") is None:
            return f"⚠ {who}"  # an outside person's event, entered by someone who is not staff
        what = "非本人或代登记人提交" if event.get("recorded_by") is not None else "非本人提交"
        return f"⚠ {what}（{who}）" if who else f"⚠ {what}"
