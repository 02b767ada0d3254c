"""The audit trail of a change: what a branch did to the register since its base, and who did it.

``commlog validate --base REF`` judges the change from the merge base of REF and HEAD to
the work tree: records are append-only (an event the base has is never edited, removed or
moved; a record is never deleted or renamed, and keeps its id, kind, direction and sender);
a person's own steps (approvals, rejections, read confirmations by default) come from
commits by that person, or by a delegate the policy names, signed when the policy asks;
events are entered when they happen; and ids and archive numbers the base branch has given
meanwhile are not taken again.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from commlog import allowlist, history
from commlog.findings import Finding, pointer
from commlog.index.corpus import partial_corpus
from commlog.load import LoadError, decode, parse
from commlog.numbering import ARCHIVE_GREP
from commlog.policy import Policy
from commlog.rules import Corpus
from commlog.schema import Schemas
from commlog.timeutil import parse_time, show
from commlog.worktime import WorkCalendar, clock_add

DEFAULTS: dict[str, Any] = {
    "own_events": ["approved", "rejected", "acknowledged", "held", "released"],
    "require_signed_approvals": False,
    "allowed_signers": ".commlog/allowed_signers",
    "backdate_allowance": {"amount": 1, "unit": "days", "calendar": "working"},
}
GOOD_SIGNATURE = "G"
"""git's %G? for a good signature by a key the allowed-signers file lists (U: a key it does not list)."""
RULES = [
    ("event-rewritten", "An event the base has is not edited, removed or moved: the register is append-only."),
    ("record-removed", "A record the base has is not deleted or renamed (disposal follows the retention procedure)."),
    ("record-identity-changed", "A record keeps its id, kind, direction and sender."),
    (
        "approval-not-by-approver",
        "An approval or rejection (or another event the policy's trail.own_events names) is committed by its own person, or by a delegate the policy names who is its recorded_by.",
    ),
    ("ack-not-by-reader", "A read confirmation (已阅) is committed by the reader, or by a delegate the policy names."),
    (
        "approval-unsigned",
        "With trail.require_signed_approvals, the commit adding an approval or rejection carries a good signature (keys in the base's allowed-signers file).",
    ),
    (
        "event-backdated",
        "An event is dated after the base's newest event of its record and no later than its commit, and entered within the policy's allowance (default 1 working day) unless late_entry says why.",
    ),
    (
        "disposal-not-stub",
        "A disposal replaces the base's record by exactly its stub (commlog dispose): the register row, the events' types, dates and people, the archive number, and the disposed block.",
    ),
    ("disposal-not-by-archivist", "A disposal is committed by the archivist its disposed block names as its executor."),
    (
        "disposal-term",
        "A disposal's stub states the term the policy's retention schedule gives the record's archiving as it is merged.",
    ),
    ("id-taken", "An id the base branch registered meanwhile is not taken again (`commlog renumber ID --next`)."),
    ("archive-no-taken", "An archive number the base branch gave meanwhile is not given again."),
]
"""The rules of the pull request check, for the rules page."""
IDENTITY = ("id", "kind", "direction", "from")


class NoPolicy(Exception):
    """The policy does not load, so the change cannot be judged (validate reports why)."""


class BadBase(Exception):
    """The base is not a commit of this repository; the message says what to pass."""


@dataclass(frozen=True)
class Author:
    """Who put an event in the register: the commit that first holds it, or the work tree (not yet committed)."""

    sha: str | None
    email: str
    when: datetime
    signature: str
    signer: str = ""

    @property
    def where(self) -> str:
        return f"commit {self.sha[:8]}" if self.sha else "the uncommitted change"


@dataclass
class Trail:
    """What :func:`check` learnt: the findings, and each added event's author (for the summary)."""

    base: str
    corpus: Corpus
    """The policy, the contacts and the changed records."""
    findings: list[Finding] = field(default_factory=list)
    added: dict[str, list[tuple[int, dict[str, Any], Author]]] = field(default_factory=dict)
    """Per record path, each event added since the base: (index, event, author)."""
    removed: list[str] = field(default_factory=list)
    before: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per record path now, the record as the base had it (records the change modified)."""


@dataclass
class Judges:
    """What the base says about identity: its staff's emails, its delegates and its trail settings.

    Read from the base, never from the change: a pull request that edits an approver's email,
    names itself a delegate or turns signatures off must not vouch for itself.
    """

    emails: dict[str, str]
    """Lower-case email -> staff id, of the base's active staff."""
    delegates: list[dict[str, Any]]
    rules: dict[str, Any]

    def delegates_of(self, person: str) -> list[str]:
        return [d["delegate"] for d in self.delegates if person in d["for"]]


def judges_at(root: Path, commit: str) -> Judges:
    """The :class:`Judges` of ``commit`` (the defaults, no delegates, where it has no readable policy)."""
    contacts = [p for p in history.files_at(root, commit, "contacts/internal") if p.endswith(".yaml")]
    emails = {}
    for raw in history.read_blobs(root, [f"{commit}:{p}" for p in contacts]).values():
        data = _parsed(raw)
        if data and isinstance(data.get("email"), str) and data.get("status") == "active":
            emails[data["email"].lower()] = str(data.get("id"))
    policy = _parsed(history.read_blobs(root, [f"{commit}:policy.yaml"])[f"{commit}:policy.yaml"]) or {}
    return Judges(emails, list(policy.get("delegates", [])), {**DEFAULTS, **policy.get("trail", {})})


def _parsed(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        data = parse(decode(raw))
    except LoadError:
        return None
    return data if isinstance(data, dict) else None


def settings(policy: Policy) -> dict[str, Any]:
    """The policy's ``trail`` section with the defaults filled in."""
    return {**DEFAULTS, **policy.data.get("trail", {})}


def check(root: Path, ref: str, me: str | None, now: datetime, use_cache: bool = True) -> Trail:
    """The trail findings of the change from ``ref`` (its merge base with HEAD) to the work tree.

    ``me`` is git's user.email, the author of what is not committed yet; ``now`` its time.
    Only the changed records, the contacts and the policy are read (``Trail.corpus``).
    Raises :class:`NoPolicy` when the policy does not load (validate says why). With ``use_cache``
    files the index has judged are taken from it.
    """
    tip = history.commit_of(root, ref)
    if tip is None:
        raise BadBase(f"--base {ref} is not a commit here; fetch it (git fetch origin) or name a branch, tag or commit")
    head = history.commit_of(root, "HEAD")
    base = history.merge_base(root, tip, head) if head else None
    if base is None:
        raise BadBase(f"--base {ref} shares no history with HEAD; fetch the whole history (fetch-depth: 0)")
    changes = [c for c in history.changes_since(root, base, ("records",)) if _is_record(c.old) or _is_record(c.new)]
    corpus = partial_corpus(root, [c.new for c in changes if c.new and (root / c.new).is_file()], use_cache)
    if corpus.policy is None:
        raise NoPolicy("policy.yaml does not load")
    policy = corpus.policy
    judges = judges_at(root, tip)  # the target branch as it is now, not the older branch point the change chose
    rules = judges.rules
    trail = Trail(base, corpus)
    schemas = Schemas()
    current = {doc.path: doc.data for doc in corpus.records}
    before = _at(root, schemas, base, [c.old for c in changes if c.old and _is_record(c.old)])
    signers = _signers(root, tip, rules["allowed_signers"])
    renamed = history.renames_between(root, base, "records")
    base_versions = history.read_blobs(root, [f"{base}:{old}" for old in renamed.values()])
    in_base = {spec.split(":", 1)[1] for spec, raw in base_versions.items() if raw is not None}
    try:
        touched = [p for c in changes for p in (c.old, c.new) if p]
        touched += [old for new, old in renamed.items() if new in touched or old in touched]
        commits = history.commits_between(root, base, touched, signers)
    finally:
        if signers:
            signers.unlink()
    versions = _at(root, schemas, None, [f"{c.sha}:{p}" for c in commits for p in touched])
    for change in changes:
        if change.status in ("D", "R") and change.old and _is_record(change.old):
            trail.removed.append(change.old)
            moved = f" to {change.new}" if change.new else ""
            trail.findings.append(
                Finding(
                    change.old,
                    1,
                    1,
                    "record-removed",
                    f"the record {change.old} of the base was {'renamed' + moved if change.new else 'deleted'}",
                    "records are kept: restore the file (git checkout BASE -- PATH); a record is disposed of only by the retention procedure",
                )  # fmt: skip
            )
        path = change.new
        if path is None or path not in current:
            continue  # deleted, or invalid (validate reports it)
        old = before.get(change.old) if change.old and change.status == "M" else None
        data = current[path]
        start = 0
        if old is not None:
            trail.before[path] = old
            start = len(old["events"])
            if "disposed" in data and "disposed" not in old:
                trail.findings += _disposal(path, old, data, schemas, commits, versions, judges, me)
                trail.findings += _disposal_term(path, data, corpus, _policy_at(root, tip) or policy, now)
            else:
                trail.findings += _rewritten(path, old, data, commits, versions)
        aliases = _aliases(root, path, renamed, in_base)
        authors = [
            _author(aliases, i, data["events"][i], commits, versions, me, now)
            for i in range(start, len(data["events"]))
        ]
        trail.added[path] = [(start + k, data["events"][start + k], a) for k, a in enumerate(authors)]
        trail.findings += _own_steps(path, trail.added[path], corpus, judges)
        trail.findings += _timing(path, old, trail.added[path], policy, rules)
    trail.findings += _taken(root, tip, base, changes, current, corpus)
    trail.findings += allowlist.trail_findings(root, base, tip, me, now)
    return trail


def _is_record(path: str | None) -> bool:
    return bool(path) and path.startswith("records/") and path.endswith(".yaml") and path.count("/") == 2  # type: ignore[union-attr]


def _at(root: Path, schemas: Schemas, commit: str | None, paths: list[str]) -> dict[str, dict[str, Any]]:
    """Each file's data at ``commit`` (or each ``commit:path`` spec's), as validate reads it; files that do not parse are left out."""
    specs = [f"{commit}:{p}" if commit else p for p in paths]
    result = {}
    for spec, raw in history.read_blobs(root, specs).items():
        data = _parsed(raw)
        path = spec.split(":", 1)[1]
        if data is not None and isinstance(data.get("events"), list):
            schemas.normalise(path, data)
            result[path if commit else spec] = data
    return result


def _signers(root: Path, base: str, name: str) -> Path | None:
    """The base's allowed-signers file in a temporary file: the change under review cannot add its own key."""
    raw = history.read_blobs(root, [f"{base}:{name}"]).get(f"{base}:{name}")
    if raw is None:
        return None
    with tempfile.NamedTemporaryFile("wb", suffix=".allowed_signers", delete=False) as out:
        out.write(raw)
    return Path(out.name)


def _aliases(root: Path, path: str, renamed: dict[str, str], in_base: set[str]) -> list[str]:
    """The path and its earlier names in the change: a record renumbered on this branch keeps its history.

    An earlier name counts only if neither the base nor the work tree has a file there: a
    record that still exists (or that the base has) lends its events to no other.
    """
    names = [path]
    while names[-1] in renamed:
        old = renamed[names[-1]]
        if old in names or old in in_base or os.path.lexists(root / old):
            break
        names.append(old)
    return names


def _author(
    aliases: list[str],
    index: int,
    event: dict[str, Any],
    commits: list[history.TrailCommit],
    versions: dict[str, dict[str, Any]],
    me: str | None,
    now: datetime,
) -> Author:
    """The commit that added the event as it stands: the first of the last unbroken run of commits holding it.

    An event withdrawn and added again is the second adder's; one never committed is the work tree's.
    """
    found: history.TrailCommit | None = None
    for commit in commits:
        holds = any(
            (data := versions.get(f"{commit.sha}:{name}")) is not None
            and len(data["events"]) > index
            and data["events"][index] == event
            for name in aliases
        )
        if not holds:
            found = None
        elif found is None:
            found = commit
    if found is None:
        return Author(None, (me or "").lower(), now, "N")
    return Author(found.sha, found.email, found.committed, found.signature, found.signer)


def _rewritten(
    path: str,
    old: dict[str, Any],
    new: dict[str, Any],
    commits: list[history.TrailCommit],
    versions: dict[str, dict[str, Any]],
) -> list[Finding]:
    found = []
    for key in IDENTITY:
        if old.get(key) != new.get(key):
            found.append(
                _finding(
                    path,
                    "record-identity-changed",
                    (key,),
                    f"{key} was {old.get(key)!r} in the base and is {new.get(key)!r} now",
                    f"a record keeps its {key}; register a new record instead (commlog new)",
                )  # fmt: skip
            )
    for i, event in enumerate(old["events"]):
        if i < len(new["events"]) and new["events"][i] == event:
            continue
        culprit = next(
            (
                c.sha[:8]
                for c in commits
                if (v := versions.get(f"{c.sha}:{path}")) is not None
                and (len(v["events"]) <= i or v["events"][i] != event)
            ),
            None,
        )
        what = "removed" if i >= len(new["events"]) else "changed or moved"
        found.append(
            _finding(
                path,
                "event-rewritten",
                ("events", min(i, len(new["events"]) - 1)),
                f"event {i + 1} ({event['type']}, {event['at']}, by {event['by']}) of the base was {what}"
                + (f" in commit {culprit}" if culprit else " in the uncommitted change"),
                "events are append-only: restore it and append a correcting event (commlog comment, reopen, ...) instead",
            )  # fmt: skip
        )
        break  # everything after the first difference follows from it
    return found


def _disposal(
    path: str,
    old: dict[str, Any],
    new: dict[str, Any],
    schemas: Schemas,
    commits: list[history.TrailCommit],
    versions: dict[str, dict[str, Any]],
    judges: Judges,
    me: str | None,
) -> list[Finding]:
    """A record the change disposed of: the stub is the base's record made a stub, committed by its executor."""
    from commlog.disposal import stub_of

    found = []
    if {k: v for k, v in new.items() if k != "disposed"} != stub_of(old, schemas):
        found.append(
            _finding(
                path,
                "disposal-not-stub",
                ("disposed",),
                "the disposal changed the record otherwise than into its stub",
                "dispose of the base's record with `commlog dispose`, changing nothing else in the same change",
            )
        )
    first = next((c for c in commits if "disposed" in versions.get(f"{c.sha}:{path}", {})), None)
    email = (first.email if first else me or "").lower()
    executor = new["disposed"]["by"]
    if judges.emails.get(email) != executor:
        where = f"commit {first.sha[:8]}" if first else "the uncommitted change"
        found.append(
            _finding(
                path,
                "disposal-not-by-archivist",
                ("disposed", "by"),
                f"the disposal by {executor} was committed by {email or 'an unknown author'} ({where})",
                f"{executor} commits the disposal with the git identity of their contact file on the base branch",
            )
        )
    return found


def _policy_at(root: Path, commit: str) -> Policy | None:
    """The policy of ``commit`` (the target branch), None where it has none that loads."""
    from commlog.policy import from_data

    data = _parsed(history.read_blobs(root, [f"{commit}:policy.yaml"])[f"{commit}:policy.yaml"])
    try:
        return from_data(data) if data else None
    except (KeyError, TypeError, ValueError):
        return None


def _disposal_term(path: str, new: dict[str, Any], corpus: Corpus, policy: Policy, now: datetime) -> list[Finding]:
    """The term a disposal's stub states is the one the target branch's retention schedule gives the record's
    archiving, as the disposal is merged (a change cannot shorten the schedule for its own disposal; after the merge,
    plain validate checks only that the stub adds up: rule disposal-record)."""
    from commlog.retention import standing

    gone = new["disposed"]
    kept = standing(path, {**new, "disposed": None}, corpus.orgs, policy, now)  # every event, whatever disposed.at says
    if kept.due is None or kept.years is None:
        return []
    if str(gone["due"]) == kept.due.isoformat() and gone["retention_years"] == kept.years:
        return []
    return [
        _finding(
            path,
            "disposal-term",
            ("disposed", "retention_years"),
            f"due {gone['due']} and retention_years {gone['retention_years']} are not the schedule's "
            f"{kept.due} and {kept.years} for this record's archiving",
            "dispose with `commlog dispose`, which writes the schedule's term (commlog retention shows it)",
        )
    ]


def _own_steps(
    path: str, added: list[tuple[int, dict[str, Any], Author]], corpus: Corpus, judges: Judges
) -> list[Finding]:
    staff, rules = corpus.staff, judges.rules
    found = []
    for index, event, author in added:
        if event["type"] not in rules["own_events"] or "/" in event["by"]:
            continue  # an outside person's step is entered by staff
        committer = judges.emails.get(author.email) if author.email else None
        clerk = event.get("recorded_by")
        allowed = {event["by"]} | ({clerk} if clerk in judges.delegates_of(event["by"]) else set())
        rule = "ack-not-by-reader" if event["type"] == "acknowledged" else "approval-not-by-approver"
        if committer not in allowed:
            found.append(
                _finding(
                    path,
                    rule,
                    ("events", index, "by"),
                    f"{event['type']} by {event['by']} was committed by {author.email or 'an unknown author'} ({author.where})",
                    f"{event['by']} commits it with the git identity of their contact file on the base branch"
                    f" ({staff.get(event['by'], {}).get('email', 'none yet: add the contact in an earlier pull request')}),"
                    " or a delegate named in the base's policy.yaml records it with --for",
                )  # fmt: skip
            )
        elif (
            rules["require_signed_approvals"]
            and event["type"] in ("approved", "rejected")
            and (author.signature != GOOD_SIGNATURE or author.signer != author.email)
        ):
            found.append(
                _finding(
                    path,
                    "approval-unsigned",
                    ("events", index),
                    f"{event['type']} by {event['by']} is in {author.where}, which carries no good signature of {author.email} "
                    f"(git says {author.signature}{', signed as ' + author.signer if author.signer else ''})",
                    f"sign the commit (git commit -S; ssh keys listed in {rules['allowed_signers']} on the base branch)",
                )  # fmt: skip
            )
    return found


def _timing(
    path: str,
    old: dict[str, Any] | None,
    added: list[tuple[int, dict[str, Any], Author]],
    policy: Policy,
    rules: dict[str, Any],
) -> list[Finding]:
    tz = policy.timezone
    newest = max((parse_time(e["at"], tz, strict=False) for e in old["events"]), default=None) if old else None
    allowance = rules["backdate_allowance"]
    found = []
    for index, event, author in added:
        at = parse_time(event["at"], tz, strict=False)
        committed = author.when
        if newest is not None and at < newest:
            found.append(
                _finding(
                    path,
                    "event-backdated",
                    ("events", index, "at"),
                    f"event {index + 1} ({event['type']}) is dated {event['at']}, before the base's newest event of this record ({show(newest, tz)})",
                    "date an event when it happened; an event cannot come before what the register already holds",
                )  # fmt: skip
            )
        elif at > committed:
            found.append(
                _finding(
                    path,
                    "event-backdated",
                    ("events", index, "at"),
                    f"event {index + 1} ({event['type']}) is dated {event['at']}, after {author.where} that adds it ({show(committed, tz)})",
                    "an event is recorded once it has happened; fix its time",
                )  # fmt: skip
            )
        elif not has_reason(event.get("late_entry")) and entered_late(policy, at, committed, allowance):
            found.append(
                _finding(
                    path,
                    "event-backdated",
                    ("events", index, "at"),
                    f"event {index + 1} ({event['type']}) is dated {event['at']} but was entered in {author.where} at {show(committed, tz)}, "
                    f"more than {allowance['amount']} {allowance['calendar']} {allowance['unit']} later",
                    "say why it was entered late: add late_entry: <reason> to the event (the pull request summary shows it to the reviewer)",
                )  # fmt: skip
            )
    return found


def has_reason(text: object) -> bool:
    """Whether a late entry's reason says something (not blank, not a dash)."""
    return isinstance(text, str) and bool(text.strip(" \t\u3000-—_.。"))


def entered_late(policy: Policy, at: datetime, entered: datetime, allowance: dict[str, Any] | None = None) -> bool:
    """Whether an event of time ``at`` entered at ``entered`` is later than the allowance (default: the policy's)."""
    allowance = allowance or settings(policy)["backdate_allowance"]
    amount, unit = allowance["amount"], allowance["unit"]
    if allowance["calendar"] == "working":
        limit = WorkCalendar.from_policy(policy.data, policy.timezone).add(at, amount, unit)
    else:
        limit = clock_add(at, amount, unit)
    return entered > limit


def _taken(
    root: Path, tip: str, base: str, changes: list[history.Change], current: dict[str, dict[str, Any]], corpus: Corpus
) -> list[Finding]:
    """Ids and archive numbers the base branch gave since the branch point, that this change gives too.

    Only the files the base branch added or changed since then can hold a number it gave meanwhile, so only
    they are searched (the whole tree costs seconds at 100,000 records); a number given before the branch
    point is in the work tree too, where ``unique-archive-no`` compares it.
    """
    added = [c.new for c in changes if c.status in ("A", "R") and c.new in current]
    on_tip = history.read_blobs(root, [f"{tip}:{path}" for path in added])
    found = []
    for path in added:
        assert path is not None
        if on_tip.get(f"{tip}:{path}") is not None:  # the base has no such file: the tip's came meanwhile
            record_id = current[path]["id"]
            found.append(
                _finding(
                    path,
                    "id-taken",
                    ("id",),
                    f"the base branch has meanwhile registered {record_id} too",
                    f"take the next free number: commlog renumber {record_id} --next",
                )
            )
    changed = {c.new for c in changes if c.new in current}
    given = [
        (path, i, event["archive_no"])
        for path in sorted(changed)
        for i, event in enumerate(current[path]["events"])
        if "archive_no" in event
    ]
    if not given:
        return found  # no archive number in the change: the base's need not be read
    meanwhile = history.changed_between(root, base, tip, "records")
    numbers = history.grep_commit(root, tip, ARCHIVE_GREP, meanwhile) if meanwhile else {}
    for path, i, number in given:
        if number in numbers and numbers[number] != path:
            found.append(
                _finding(
                    path,
                    "archive-no-taken",
                    ("events", i, "archive_no"),
                    f"archive number {number} is {numbers[number]}'s on the base branch",
                    f"merge the base branch, then remove this archived event and run `commlog archive {current[path]['id']}` again",
                )
            )
    return found


def _finding(path: str, rule: str, parts: tuple[object, ...], message: str, hint: str) -> Finding:
    return Finding(path, 0, 0, rule, message, hint, pointer(*parts))


def changed_files(root: Path, ref: str) -> list[str]:
    """Records, contacts and the policy changed since ``ref`` (its merge base with HEAD) that still exist."""
    tip = history.commit_of(root, ref)
    head = history.commit_of(root, "HEAD")
    base = history.merge_base(root, tip, head) if tip and head else tip
    if base is None:
        raise BadBase(f"--changed {ref} is not a commit here; name a branch, tag or commit")
    paths = {c.new for c in history.changes_since(root, base, ("records", "contacts", "policy.yaml")) if c.new}
    return sorted(p for p in paths if p.endswith(".yaml") and (root / p).is_file())
