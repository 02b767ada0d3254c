"""The library behind ``new``, ``approve``, ``send`` and the rest: who acts, what the procedure allows, writing.

Every step loads the repository, checks the acting person and the record's status against
the procedure, builds the new record, checks it against the schemas and the rules (a step
that would make the record invalid is refused) and only then replaces the file atomically.
A refused step raises :class:`Refusal` and writes nothing.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from commlog import cache
from commlog.fileio import atomic_write, exclusive
from commlog.findings import Finding
from commlog.fmt import canonical_text
from commlog.identity import IdentityError, acting_person
from commlog.index.corpus import load_corpus
from commlog.load import LoadError, load, locate, parse_written
from commlog.policy import Policy
from commlog.repository import CONTACTS, EXTERNAL, INTERNAL
from commlog.rules import Corpus, run
from commlog.schema import Schemas
from commlog.timeutil import parse_time, show
from commlog.workflow import ROLE_NAMES, STATUS_NAMES, delegates_of, status

FUTURE_SLACK = timedelta(minutes=5)
"""How far ahead of the clock an ``--at`` time may be (clocks differ a little)."""


def one_at_a_time(root: Path) -> AbstractContextManager[None]:
    """Steps on one repository run one after another: each reads the files the one before wrote."""
    return exclusive(cache.folder(root) / "steps.lock")


class Refusal(Exception):
    """The procedure or the repository forbids the step; the message says why and what to do."""


@dataclass
class Register:
    """The repository as the commands see it: the valid files, the policy, the schemas."""

    root: Path
    corpus: Corpus
    policy: Policy
    schemas: Schemas = field(default_factory=Schemas)

    @classmethod
    def open(cls, root: Path) -> Register:
        corpus, _ = load_corpus(root)
        if corpus.policy is None:
            raise Refusal("policy.yaml is missing or invalid; run `commlog validate` to see why")
        return cls(root, corpus, corpus.policy)

    @property
    def staff(self) -> dict[str, dict[str, Any]]:
        return self.corpus.staff

    def record(self, record_id: str) -> dict[str, Any]:
        """The schema-valid record with this id, or a refusal saying why there is none."""
        for doc in self.corpus.records:
            if doc.data["id"] == record_id:
                return doc.data
        if record_id in self.corpus.record_ids | self.corpus.record_names:
            raise Refusal(f"{record_id} does not validate; run `commlog validate` and fix it first")
        raise Refusal(f"there is no record {record_id}; `commlog list` shows the register")

    def path_of(self, record_id: str) -> str:
        return next(doc.path for doc in self.corpus.records if doc.data["id"] == record_id)

    def name(self, person: str) -> str:
        """A person as people read them: 张伟 (zhang-wei)."""
        contact = self.staff.get(person)
        return f"{contact['name']} ({person})" if contact else person

    def time_text(self, moment: datetime) -> str:
        return show(moment, self.policy.timezone)

    def time(self, text: str) -> datetime:
        return parse_time(text, self.policy.timezone, strict=False)

    def status(self, record: dict[str, Any]) -> str:
        return status(record, self.policy, self.staff)


@dataclass(frozen=True)
class Actor:
    """Who a step is written for (``by``) and, when someone else enters it, who did (``recorded_by``)."""

    person: str
    recorded_by: str | None = None

    def stamp(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event with ``by`` (and ``recorded_by``) filled in."""
        event["by"] = self.person
        if self.recorded_by:
            event["recorded_by"] = self.recorded_by
        return event


def actor(register: Register, on_behalf_of: str | None = None) -> Actor:
    """The acting member of staff (git's user.email), or the person a delegate records for."""
    try:
        me = acting_person(register.root, register.staff)
    except IdentityError as err:
        raise Refusal(str(err)) from err
    if on_behalf_of is None or on_behalf_of == me:
        return Actor(me)
    principal = register.staff.get(on_behalf_of)
    if principal is None or principal.get("status") != "active":
        raise Refusal(f"--for {on_behalf_of}: no active member of staff has that id in contacts/internal/")
    allowed = delegates_of(register.policy, on_behalf_of)
    if me not in allowed:
        who = ", ".join(register.name(p) for p in allowed) or "no one (policy.yaml names no delegates for them)"
        raise Refusal(
            f"{register.name(me)} may not record steps for {register.name(on_behalf_of)}; the policy lets: {who}"
        )
    return Actor(on_behalf_of, me)


def check_late(register: Register, when: datetime, now: datetime, late_entry: str | None) -> None:
    """Refuse a step dated further back than the policy allows unless it says why (the pull request check would flag it)."""
    from commlog.trail import entered_late, has_reason

    if not has_reason(late_entry) and entered_late(register.policy, when, now):
        raise Refusal(
            f"{written(register, when)} is longer ago than the policy allows entering a step afterwards; "
            "say why with --late-entry REASON (e.g. 电话答复，次日补录), which the reviewer sees"
        )


def moment(register: Register, at: str | None, now: datetime) -> datetime:
    """When a step happened: ``--at`` (in the policy's timezone without an offset) or now; never ahead of the clock."""
    if at is None:
        return now.astimezone(register.policy.timezone).replace(second=0, microsecond=0)
    try:
        when = parse_time(at, register.policy.timezone)
    except ValueError as err:
        raise Refusal(f"--at: {err}") from err
    if when > now + FUTURE_SLACK:
        raise Refusal(f"--at {at} is in the future; record a step once it has happened")
    return when


def written(register: Register, when: datetime) -> str:
    """A time as records store it: ``YYYY-MM-DD HH:MM`` in the policy's timezone."""
    return show(when, register.policy.timezone)


def not_before_last(register: Register, record: dict[str, Any], when: datetime) -> None:
    """Refuse a step dated before the record's last event (events are appended in the order they happen)."""
    last = record["events"][-1]
    if when < register.time(last["at"]):
        raise Refusal(
            f"{written(register, when)} is before the record's last event ({last['type']}, {last['at']}); "
            "events are appended in the order they happen"
        )


def write(register: Register, relative: str, data: dict[str, Any], before: dict[str, Any] | None) -> Path:
    """Check ``data`` as the new content of ``relative`` and replace the file; refuse if it would add a finding.

    ``before`` is the file's current data (None for a new file); a file not in the
    canonical form is refused, so that the step's diff holds only the step.
    """
    path = register.root / relative
    register.schemas.normalise(relative, data)  # task numbers given as whole numbers are checked as the text written
    if _has_surrogates(data):
        raise Refusal(
            "the text given holds bytes that are not UTF-8 (a terminal set to GBK?); "
            "set the terminal to UTF-8 (e.g. LANG=zh_CN.UTF-8) and give the text again (nothing was written)"
        )
    text = canonical_text(register.schemas, relative, data)
    try:
        parse_written(text)  # the file must read back as validate reads it (control characters, encoding, size)
    except LoadError as err:
        raise Refusal(f"{err.message}; {err.hint} (nothing was written)") from err
    if before is not None:
        try:
            current = load(register.root, path).text
        except LoadError as err:
            raise Refusal(err.finding(relative).as_text()) from err
        if current != canonical_text(register.schemas, relative, before):
            raise Refusal(
                f"{relative} is not in the canonical form, so this step would change other lines too; "
                f"run `commlog fmt {relative}`, commit that, and try again"
            )
    added = new_findings(register, relative, data, text, before)
    if added:
        listing = "\n".join("  " + f.as_text() for f in added)
        where = relative if {f.path for f in added} == {relative} else f"{relative} or the records naming it"
        raise Refusal(f"this step would make {where} invalid, so nothing was written:\n{listing}")
    if before is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    return path


def _has_surrogates(value: Any) -> bool:
    """Whether some text holds a lone surrogate: Python's stand-in for bytes that were not UTF-8."""
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_has_surrogates(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    return False


def new_findings(
    register: Register, relative: str, data: dict[str, Any], text: str, before: dict[str, Any] | None
) -> list[Finding]:
    """Findings the new content of ``relative`` would have that its old content did not.

    A contact is judged with every file that names it: records refer to contacts (approvers' roles, recipients,
    dates of leaving), so a contact's change may add a finding to a record, which is reported in that record."""
    problems = register.schemas.check(relative, data)
    if problems:
        return _placed(problems, text)
    if relative.startswith(CONTACTS + "/"):
        old_all = {(f.path, f.rule, f.message) for f in run(register.corpus)}
        added = [
            f for f in _rule_findings(register, relative, data, True) if (f.path, f.rule, f.message) not in old_all
        ]
        return _placed([f for f in added if f.path == relative], text) + _placed_in_files(
            register, [f for f in added if f.path != relative]
        )
    old = {(f.rule, f.message) for f in _rule_findings(register, relative, before)} if before is not None else set()
    return _placed([f for f in _rule_findings(register, relative, data) if (f.rule, f.message) not in old], text)


def _placed_in_files(register: Register, findings: list[Finding]) -> list[Finding]:
    """Findings in files other than the one written, each placed in its own file as it is."""
    placed = []
    for path in sorted({f.path for f in findings}):
        try:
            text = load(register.root, register.root / path).text
        except LoadError:
            text = ""
        placed += _placed([f for f in findings if f.path == path], text)
    return placed


def _rule_findings(register: Register, relative: str, data: dict[str, Any], everywhere: bool = False) -> list[Finding]:
    from commlog.load import Document

    corpus = register.corpus
    doc = Document(relative, "", data)
    if relative.startswith(INTERNAL + "/"):
        staff = [d for d in corpus.staff_docs if d.path != relative] + [doc]
        changed = replace(corpus, staff_docs=staff, staff_ids=corpus.staff_ids | {data["id"]})
    elif relative.startswith(EXTERNAL + "/"):
        orgs = [d for d in corpus.org_docs if d.path != relative] + [doc]
        changed = replace(corpus, org_docs=orgs, org_ids=corpus.org_ids | {data["id"]})
    else:
        changed = replace(
            corpus,
            records=[d for d in corpus.records if d.path != relative] + [doc],
            record_ids=corpus.record_ids | {data["id"]},
            record_names=corpus.record_names | {Path(relative).stem},
        )
    return [f for f in run(changed) if everywhere or f.path == relative]


def _placed(findings: list[Finding], text: str) -> list[Finding]:
    positions = locate(text, [(f.pointer, f.at_key) for f in findings])
    return [replace(f, line=line, column=column) for f, (line, column) in zip(findings, positions, strict=True)]


def with_event(record: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """A copy of the record with one more event."""
    changed = copy.deepcopy(record)
    changed["events"].append(event)
    return changed


def status_line(register: Register, record: dict[str, Any]) -> str:
    """``待发送 (approved)``."""
    current = register.status(record)
    return f"{STATUS_NAMES[current]} ({current})"


def role_text(role: str) -> str:
    return f"{ROLE_NAMES.get(role, role)} ({role})"
