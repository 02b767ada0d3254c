"""The rules: each a small function with an id, run over the corpus (a record alone, or records compared)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from commlog.findings import NOTE_RULES, Finding, pointer
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
    facts: list[Facts] | None = field(default=None, init=False, repr=False)
    """Every valid record's facts, when the index gave them (a copy made with ``replace`` starts without)."""

    def compared(self) -> list[Facts]:
        """What the rules that compare records read: the facts the index gave, or those of the records loaded."""
        return self.facts if self.facts is not None else [facts(d.path, d.data) for d in self.records]

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


class Facts(NamedTuple):
    """What the rules that compare records (``across``) read of one valid record; the index keeps them for every
    record, so that a change is compared with the rest without loading the rest."""

    path: str
    id: str
    links: tuple[tuple[tuple[str] | tuple[str, int], str], ...]
    """Each thread link, in_reply_to and supersedes first: where it is written (``("references", 2)``), the id it names."""
    archives: tuple[tuple[int, bool, str, str], ...]
    """Each event that gives an archive number: its index, whether it is an ``archived`` event, its time, the number."""


def facts(path: str, data: dict[str, Any]) -> Facts:
    """The :class:`Facts` of a valid record's data."""
    links: list[tuple[tuple[str] | tuple[str, int], str]] = [((k,), data[k]) for k in LINKS[:2] if k in data]
    links += [(("references", i), target) for i, target in enumerate(data.get("references", []))]
    archives = tuple(
        (i, e["type"] == "archived", e["at"], e["archive_no"])
        for i, e in enumerate(data["events"])
        if "archive_no" in e
    )
    return Facts(path, data["id"], tuple(links), archives)


def finding(
    doc: Document | str, rule_id: str, parts: tuple[object, ...], message: str, hint: str = "", at_key: bool = False
) -> Finding:
    """A finding in ``doc`` (or the file at that path) at the field named by ``parts``; the line is resolved later."""
    return Finding(doc if isinstance(doc, str) else doc.path, 0, 0, rule_id, message, hint, pointer(*parts), at_key)


RULE_MODULES = ("archiving", "contacts", "feedback", "policy", "records", "retention", "sensitive", "workflow")


def all_rules() -> list[Rule]:
    """Every registered rule (importing the rule modules registers them), in the order of :data:`RULE_MODULES`
    and, within a module, of definition: whichever module another import loaded first, the order is the same."""
    from commlog.rules import archiving, contacts, feedback, policy, records, retention, sensitive, workflow  # noqa: F401

    place = {f"commlog.rules.{name}": index for index, name in enumerate(RULE_MODULES)}
    return sorted(RULES, key=lambda item: place.get(item.check.__module__, len(place)))


def run(corpus: Corpus, across: bool | None = None, notes: bool = False) -> Iterator[Finding]:
    """Every rule's findings (with ``across``, only the rules that compare records, or only the others);
    rules that need the policy are skipped without one. ``notes``: with the notes for a reviewer
    (:data:`commlog.findings.NOTE_RULES`), which only ``validate`` reports."""
    if across is not False and corpus.facts is None:  # taken once for all the rules that compare records
        corpus = replace(corpus)
        corpus.facts = corpus.compared()
    for item in all_rules():
        if (item.needs_policy and corpus.policy is None) or (across is not None and item.across != across):
            continue
        if notes or not NOTE_RULES.intersection(item.ids):
            yield from item.check(corpus)
        else:
            yield from (found for found in item.check(corpus) if found.rule not in NOTE_RULES)
