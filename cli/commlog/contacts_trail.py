"""What git says of each contact file as of a moment: when it was last reviewed, and when each of its dates was
first committed.

A contact counts as reviewed by a commit (at or before the moment, by its author date) that changed its data, the
first commit that entered it included (a commit that only reformats it, such as ``commlog fmt``, does not count), or
by a commit whose message carries the trailer ``Contacts-Reviewed:`` naming it (its staff id, or its organisation's
id for the organisation and all its people) or ``all``: a reviewer who found nothing to change records the review
with an empty commit. The commits of the register's first commit that touched contacts/ are its initial load: the
dates it carried are not judged as late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from commlog import history
from commlog.history import Commit

TRAILER = "Contacts-Reviewed"
EVERY_CONTACT = "all"
STAFF_DATES = ("joined", "departed", "changed")
ORG_DATES = ("changed", "ended")
PERSON_DATES = ("changed", "left")

DateKey = tuple[str, str]
"""(person id, field) for an organisation's person, ("", field) for the file's own dates."""


def dates_of(data: dict[str, Any]) -> dict[DateKey, str]:
    """The change dates a contact carries: a staff member's joined/departed/changed, an organisation's changed/ended
    and each of its people's changed/left."""
    if "people" not in data:
        return {("", key): str(data[key]) for key in STAFF_DATES if data.get(key)}
    found = {("", key): str(data[key]) for key in ORG_DATES if data.get(key)}
    for person in data.get("people") or []:
        if isinstance(person, dict) and isinstance(person.get("id"), str):
            found.update({(person["id"], key): str(person[key]) for key in PERSON_DATES if person.get(key)})
    return found


@dataclass
class ContactTrail:
    """The git facts of the contacts as of a moment."""

    available: bool = False
    """There is git history to ask."""
    shallow: bool = False
    """A shallow clone: the commits before its boundary, and so the contacts' past, are missing."""
    started: Commit | None = None
    """The register's first commit touching contacts/ at or before the moment (its initial load)."""
    committed: set[str] = field(default_factory=set)
    """Contact files with a commit at or before the moment."""
    reviewed: dict[str, Commit] = field(default_factory=dict)
    """Per contact file, the latest commit that reviewed it."""
    first_carried: dict[str, dict[tuple[DateKey, str], Commit]] = field(default_factory=dict)
    """Per contact file, each date key with each value it has had, and the earliest commit whose version of the file
    carried that value."""


def contact_trail(root: Path, as_of: datetime, ids: dict[str, str], use_cache: bool = True) -> ContactTrail:
    """The trail of the contact files ``ids`` (path -> the contact's id) from the commits at or before ``as_of``."""
    from commlog.load import LoadError, decode, parse

    known = history.read_history(root, use_cache=use_cache)
    trail = ContactTrail(available=known.available, shallow=known.shallow)
    if not known.available or known.shallow:
        return trail
    commits_of = {
        path: sorted((c for c in known.files.get(path, []) if c.moment <= as_of), key=lambda c: c.moment)
        for path in ids
    }  # oldest first (the history's walk order interleaves the lines of a merge)
    firsts = [c for path, commits in known.files.items() if path.startswith("contacts/") for c in commits]
    earliest = [c for c in firsts if c.moment <= as_of]
    trail.started = min(earliest, key=lambda c: c.moment) if earliest else None
    blobs = history.read_blobs(root, [f"{c.sha}:{path}" for path, commits in commits_of.items() for c in commits])
    for path, commits in commits_of.items():
        if commits:
            trail.committed.add(path)
        before: dict[str, Any] | None = None
        versions: list[tuple[Commit, dict[DateKey, str]]] = []
        for commit in commits:
            raw = blobs.get(f"{commit.sha}:{path}")
            try:
                data = parse(decode(raw)) if raw is not None else None
            except LoadError:
                data = None
            if data is None or data != before:
                trail.reviewed[path] = commit
            versions.append((commit, dates_of(data) if data is not None else {}))
            before = data
        # Each date's value with the earliest commit whose version carried it: by value, not by walking the versions
        # in turn, which a merge of two lines of work interleaves (and whose merge commit git lists with no files).
        first: dict[tuple[DateKey, str], Commit] = {}
        for commit, dates in versions:
            for key, value in dates.items():
                first.setdefault((key, value), commit)
        trail.first_carried[path] = first
    for commit, values in history.trailer_commits(root, TRAILER):
        if commit.moment > as_of:
            continue
        named = {word for value in values for word in value.replace(",", " ").split()}
        for path, contact in ids.items():
            named_here = EVERY_CONTACT in named or contact in named
            if named_here and (path not in trail.reviewed or trail.reviewed[path].moment < commit.moment):
                trail.reviewed[path] = commit
    return trail
