"""The allow list of sensitive-data findings a reviewer accepted: ``.commlog/allowed-sensitive.yaml``.

Each entry names the record, the detector and a slow salted hash of the matched value (never the value:
:func:`commlog.sensitive.fingerprint`), who accepted it, when and why. An accepted finding does not fail
``validate``; a new one does; an entry whose finding has gone is reported as stale. Under the audit trail
(``validate --base``) an entry the change adds must be committed by the person it names, and that person must
hold a role the target branch's policy lets accept (``sensitive_data.accept_roles``, by default legal and admin).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commlog.fileio import atomic_write
from commlog.findings import Finding, pointer
from commlog.load import LoadError, parse, read_text
from commlog.rules.sensitive import FINGERPRINT, RULE, judged
from commlog.sensitive import Settings, fingerprint, settings_of, with_private

if TYPE_CHECKING:
    from commlog.history import TrailCommit

ALLOW_FILE = ".commlog/allowed-sensitive.yaml"
HEADER = "# yaml-language-server: $schema=../schemas/allowed-sensitive.schema.json\n"
_PRINT = re.compile(rf"\[{FINGERPRINT} ([0-9a-f]{{32}})\]$")


@dataclass(frozen=True)
class Entry:
    record: str
    detector: str
    hash: str
    accepted_by: str
    at: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ("record", "detector", "hash", "accepted_by", "at", "reason")}


def parse_entries(text: str) -> list[Entry]:
    """The entries of an allow list's text; :class:`ValueError` when it does not load or fit its schema."""
    try:
        data = parse(text) if text.strip() else {"allowed": []}
    except LoadError as err:
        raise ValueError(str(err)) from err
    from commlog.schema import Schemas

    errors = sorted(Schemas().validator("allowed-sensitive").iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path)
        raise ValueError(f"{where or 'the file'}: {errors[0].message}")
    return [Entry(**e) for e in data["allowed"]]


def load(root: Path) -> tuple[list[Entry], list[Finding]]:
    """The repository's entries (none when there is no file), and a finding when the file is wrong."""
    path = root / ALLOW_FILE
    if not path.is_file():
        if not path.exists() and not path.is_symlink():
            return [], []
        message = f"{ALLOW_FILE} is not a regular file (a folder, a link or another kind): no finding is accepted"
        return [], [Finding(ALLOW_FILE, 1, 1, "sensitive-allow", message, "make it the file `commlog allow` writes")]
    try:
        return parse_entries(read_text(path)), []
    except (ValueError, LoadError, OSError) as err:
        return [], [Finding(ALLOW_FILE, 1, 1, "sensitive-allow", str(err), "fix the file or remove the entry")]


def accepts(root: Path) -> Callable[[Finding], bool]:
    """Whether the repository's allow list accepts a finding (an entry that is itself a finding accepts nothing)."""
    entries, _ = load(root)
    wrong = entry_findings(root, entries) if entries else {}
    accepted = {(e.record, e.hash) for i, e in enumerate(entries) if i not in wrong}
    return lambda item: _key(item) in accepted


def applied(root: Path, findings: list[Finding]) -> tuple[list[Finding], int]:
    """``findings`` without the accepted sensitive-data ones, with a finding per stale entry; and how many were
    accepted."""
    entries, problems = load(root)
    if not entries and not problems:
        return findings, 0
    wrong = entry_findings(root, entries)
    problems += wrong.values()
    accepted = {(e.record, e.hash) for i, e in enumerate(entries) if i not in wrong}
    kept: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for item in findings:
        key = _key(item)
        if key is not None and key in accepted:
            seen.add(key)
        else:
            kept.append(item)
    judged_otherwise = {Path(f.path).stem for f in kept if f.path.startswith("records/")}
    for index, entry in enumerate(entries):
        # a record with other findings may not have been judged for sensitive data (one that does not load)
        if index not in wrong and (entry.record, entry.hash) not in seen and entry.record not in judged_otherwise:
            kept.append(
                Finding(
                    ALLOW_FILE,
                    0,
                    0,
                    "sensitive-allow-stale",
                    f"entry {index + 1} ({entry.record}, {entry.detector}) accepts a finding that is no longer there",
                    "remove the entry: the data it accepted was removed, changed or reclassified",
                    pointer("allowed", index),
                )
            )
    return kept + problems, len(seen)


def entry_findings(root: Path, entries: list[Entry]) -> dict[int, Finding]:
    """By index, each entry that accepts nothing: its time is no real one, or who it names is no active staff member
    with a role the working tree's policy lets accept (``validate --base`` checks who committed it, besides)."""
    staff = {}
    for path in sorted((root / "contacts/internal").glob("*.yaml")):
        try:
            data = parse(read_text(path))
        except (LoadError, OSError):
            continue
        if isinstance(data, dict) and data.get("status") == "active" and isinstance(data.get("id"), str):
            staff[data["id"]] = data
    try:
        policy = parse(read_text(root / "policy.yaml"))
    except (LoadError, OSError):
        policy = None
    roles = settings_of(policy if isinstance(policy, dict) else None).accept_roles
    found = {}
    for index, entry in enumerate(entries):
        problem = ""
        try:
            datetime.strptime(entry.at, "%Y-%m-%d %H:%M")
        except ValueError:
            problem = f"its time {entry.at!r} is no real date and time (YYYY-MM-DD HH:MM)"
        if entry.accepted_by not in staff:
            problem = problem or f"it names {entry.accepted_by}, who is no active staff member (contacts/internal)"
        elif not set(staff[entry.accepted_by].get("roles") or []) & set(roles):
            problem = problem or f"it names {entry.accepted_by}, whose roles may not accept ({', '.join(roles)})"
        if problem:
            found[index] = Finding(
                ALLOW_FILE,
                0,
                0,
                "sensitive-allow",
                f"entry {index + 1} ({entry.record}, {entry.detector}) accepts nothing: {problem}",
                "let a reviewer with a role the policy lets accept run `commlog allow`, or remove the entry",
                pointer("allowed", index),
            )
    return found


def _key(item: Finding) -> tuple[str, str] | None:
    if item.rule != RULE or not item.path.startswith("records/"):
        return None
    found = _PRINT.search(item.message)
    return (Path(item.path).stem, found.group(1)) if found else None


def accept(root: Path, doc: Any, settings: Settings, detector: str, person: str, at: str, reason: str) -> list[Entry]:
    """Add an entry for each current finding of ``detector`` in the record ``doc`` not yet accepted; the new entries."""
    entries, problems = load(root)
    if problems:
        raise ValueError(problems[0].message)
    have = {(e.record, e.hash) for e in entries}
    record_id = doc.data["id"]
    new = []
    for hit, _ in judged(root, doc, settings):
        if hit.detector != detector:
            continue
        entry = Entry(record_id, detector, fingerprint(record_id, hit), person, at, reason)
        if (entry.record, entry.hash) not in have:
            have.add((entry.record, entry.hash))
            new.append(entry)
    if new:
        write(root, entries + new)
    return new


def write(root: Path, entries: list[Entry]) -> None:
    lines = [HEADER, "allowed:\n" if entries else "allowed: []\n"]
    for entry in entries:
        fields = entry.as_dict()
        lines.append(f"  - record: {fields.pop('record')}\n")
        lines += [f"    {k}: {_scalar(v)}\n" for k, v in fields.items()]
    (root / ALLOW_FILE).parent.mkdir(exist_ok=True)
    atomic_write(root / ALLOW_FILE, "".join(lines))


def _scalar(value: str) -> str:
    """A value as YAML: plain when it is an id or a hash, else double-quoted (JSON's quoting is YAML's)."""
    return value if re.fullmatch(r"[a-z0-9_-]+", value) else json.dumps(value, ensure_ascii=False)


def trail_findings(root: Path, base: str, tip: str, me: str | None, now: datetime) -> list[Finding]:
    """Each entry the change adds that was not committed by the person it names, or whose person may not accept
    (by the roles and contacts of the target branch ``tip``, never the change's own)."""
    from commlog import history

    spec = f"{base}:{ALLOW_FILE}"
    before = _entries_of(history.read_blobs(root, [spec])[spec])
    path = root / ALLOW_FILE
    try:
        now_entries = parse_entries(read_text(path)) if path.is_file() else []
    except (ValueError, LoadError, OSError):
        return []  # validate reports the file
    added = [(i, e) for i, e in enumerate(now_entries) if e not in before]
    if not added:
        return []
    commits = history.commits_between(root, base, [ALLOW_FILE])
    versions = history.read_blobs(root, [f"{c.sha}:{ALLOW_FILE}" for c in commits])
    held = {c.sha: set(_entries_of(versions.get(f"{c.sha}:{ALLOW_FILE}"))) for c in commits}
    staff = _staff_at(root, tip)
    policy = _parsed(history.read_blobs(root, [f"{tip}:policy.yaml"])[f"{tip}:policy.yaml"]) or {}
    roles = settings_of(policy).accept_roles
    found = []
    for index, entry in added:
        author: TrailCommit | None = None
        for commit in commits:  # the first of the last unbroken run of commits holding the entry
            author = (author or commit) if entry in held[commit.sha] else None
        email, where = (author.email, f"commit {author.sha[:8]}") if author else ((me or "").lower(), "uncommitted")
        person = next((pid for pid, c in staff.items() if str(c.get("email", "")).lower() == email), None)
        allowed = person is not None and bool(set(staff[person].get("roles", [])) & set(roles))
        if person == entry.accepted_by and allowed:
            continue
        found.append(
            Finding(
                ALLOW_FILE,
                0,
                0,
                "sensitive-allow-author",
                f"entry {index + 1} ({entry.record}, {entry.detector}) names {entry.accepted_by} but was added by "
                f"{email or 'an unknown author'} ({where}); only the person it names may commit it, with a role the "
                f"policy lets accept ({', '.join(roles)})",
                "let the reviewer run `commlog allow` and commit the entry from their own git identity",
                pointer("allowed", index),
            )
        )
    return found


def _parsed(raw: bytes | None) -> dict[str, Any] | None:
    try:
        data = parse(raw.decode("utf-8")) if raw is not None else None
    except (LoadError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _entries_of(raw: bytes | None) -> list[Entry]:
    try:
        return parse_entries(raw.decode("utf-8")) if raw is not None else []
    except (ValueError, UnicodeDecodeError):
        return []


def _staff_at(root: Path, commit: str) -> dict[str, dict[str, Any]]:
    from commlog import history

    files = [p for p in history.files_at(root, commit, "contacts/internal") if p.endswith(".yaml")]
    staff = {}
    for raw in history.read_blobs(root, [f"{commit}:{p}" for p in files]).values():
        data = _parsed(raw)
        if data and data.get("status") == "active" and isinstance(data.get("id"), str):
            staff[data["id"]] = data
    return staff


def allow(register: Any, record_id: str, detector: str, reason: str, now: datetime) -> list[Entry]:
    """``commlog allow``: the acting person, if the policy lets them accept, accepts the record's current findings
    of ``detector``; a :class:`commlog.lifecycle.Refusal` says why not."""
    from commlog.lifecycle import Refusal, actor
    from commlog.load import Document

    settings = settings_of(register.policy.data)
    record = register.record(record_id)
    me = actor(register).person
    roles = set(register.staff[me].get("roles", []))
    if not roles & set(settings.accept_roles):
        raise Refusal(
            f"{register.name(me)} may not accept sensitive data; the policy lets the roles "
            f"{', '.join(settings.accept_roles)} (sensitive_data.accept_roles)"
        )
    if len(reason.strip()) < 2:
        raise Refusal("--reason must say why the data may stay")
    doc = Document(register.path_of(record_id), "", record)
    at = now.astimezone(register.policy.timezone).strftime("%Y-%m-%d %H:%M")
    try:
        sensitive = with_private(settings, register.staff, register.corpus.orgs)
        new = accept(register.root, doc, sensitive, detector, me, at, reason.strip())
    except ValueError as err:
        raise Refusal(f"{ALLOW_FILE}: {err}; fix it first") from err
    if not new:
        raise Refusal(f"{record_id} has no sensitive-data finding of {detector} that is not accepted already")
    return new
