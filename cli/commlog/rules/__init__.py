"""The rules: each a small function with an id, run over the corpus (a record alone, or records compared)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commlog.findings import Finding, pointer
from commlog.load import Document
from commlog.policy import Policy


@dataclass
class Corpus:
    """What the rules see: schema-valid documents, and the ids of every file present."""

    root: Path
    policy: Policy | None
    policy_doc: Document | None = None
    records: list[Document] = field(default_factory=list)
    staff_docs: list[Document] = field(default_factory=list)
    org_docs: list[Document] = field(default_factory=list)
    staff_ids: set[str] = field(default_factory=set)
    org_ids: set[str] = field(default_factory=set)
    record_ids: set[str] = field(default_factory=set)
    record_names: set[str] = field(default_factory=set)
    """The file name (without .yaml) of every record file, loadable or not."""
    files: int = 0

    @property
    def staff(self) -> dict[str, dict[str, Any]]:
        return {d.data["id"]: d.data for d in self.staff_docs}

    @property
    def orgs(self) -> dict[str, dict[str, Any]]:
        return {d.data["id"]: d.data for d in self.org_docs}


Check = Callable[[Corpus], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    ids: tuple[str, ...]
    check: Check
    needs_policy: bool
    across: bool = False
    """The rule compares records with one another, reading only their :func:`facts`; the others judge each
    record on its own (with the policy and the contacts), so their findings can be kept per record."""

    @property
    def requirement(self) -> str:
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: list[Rule] = []
"""Every check; one rule id may be checked in several places (e.g. unknown-contact)."""


def rule(*rule_ids: str, needs_policy: bool = True, across: bool = False) -> Callable[[Check], Check]:
    """Register a check under the rule ids it reports; its docstring's first line says what the procedure requires.

    ``across``: the check compares records (reading only their :func:`facts`).
    """

    def register(check: Check) -> Check:
        RULES.append(Rule(rule_ids, check, needs_policy, across))
        return check

    return register


LINKS = ("in_reply_to", "supersedes", "references")


def facts(data: dict[str, Any]) -> dict[str, Any]:
    """What the rules that compare records (``across``) read of a record: its id, its links, and each event's
    type, with the time and number of those that give an archive number. Kept in the index for every record,
    so that a change is compared with the rest without loading the rest."""
    events = [
        {"type": e["type"], "at": e["at"], "archive_no": e["archive_no"]} if "archive_no" in e else {"type": e["type"]}
        for e in data["events"]
    ]
    return {"id": data["id"], "events": events, **{k: data[k] for k in LINKS if k in data}}


def finding(
    doc: Document, rule_id: str, parts: tuple[object, ...], message: str, hint: str = "", at_key: bool = False
) -> Finding:
    """A finding in ``doc`` at the field named by ``parts``; the line is resolved later."""
    return Finding(doc.path, 0, 0, rule_id, message, hint, pointer(*parts), at_key)


def all_rules() -> list[Rule]:
    """Every registered rule (importing the rule modules registers them)."""
    from commlog.rules import archiving, contacts, feedback, policy, records, sensitive, workflow  # noqa: F401

    return RULES


def run(corpus: Corpus, across: bool | None = None) -> Iterator[Finding]:
    """Every rule's findings (with ``across``, only the rules that compare records, or only the others);
    rules that need the policy are skipped without one."""
    for item in all_rules():
        if (item.needs_policy and corpus.policy is None) or (across is not None and item.across != across):
            continue
        yield from item.check(corpus)
