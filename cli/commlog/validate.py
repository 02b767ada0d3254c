"""``commlog validate``: load every file, check it against its schema, run the rules."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from commlog import repository
from commlog.findings import Finding, is_note
from commlog.index import checked
from commlog.index.corpus import Snapshot, load_corpus, take_snapshot, text_or_empty, with_lines
from commlog.rules import run


@dataclass(frozen=True)
class Result:
    checked: int
    findings: list[Finding]
    records: int = 0
    """How many record files there are, valid or not (so that a repository of none says so)."""
    accepted: int = 0
    """How many sensitive-data findings the allow list accepted (commlog.allowlist)."""
    notes: list[Finding] = field(default_factory=list)
    """Notes for a reviewer (commlog.findings.NOTE_RULES): reported, never failing."""


def validate(root: Path, only: list[Path] | None = None, use_cache: bool = True) -> Result:
    """Validate the repository at ``root``; with ``only``, report just those files.

    The whole repository is always judged, since the rules look across records; a
    repository whose content is unchanged is answered from the index (see :mod:`commlog.index`).
    """
    snap = take_snapshot(root, use_cache)
    key = snap.key() if snap.enabled else ""
    result = _stored_result(snap.store.result(key)) if snap.enabled else None
    if result is not None:
        snap.save()  # digests learnt while hashing files that were touched but not changed
    else:
        result = validate_all(root, snap)
        stored = {
            "checked": result.checked,
            "records": result.records,
            "findings": [f.as_json() for f in result.findings],
        }
        snap.save(result=(key, stored))
    result = _notes_apart(_accepted(root, result))
    if only is None:
        return result
    # The paths are absolute, and links among them are not followed (commands.common.paths_in).
    wanted = {p.relative_to(root).as_posix() for p in only}
    return Result(
        len(wanted),
        [f for f in result.findings if f.path in wanted],
        result.records,
        result.accepted,
        [f for f in result.notes if f.path in wanted],
    )


def _notes_apart(result: Result) -> Result:
    """The result with the notes for a reviewer taken out of its findings (the index keeps them together)."""
    notes = [f for f in result.findings if is_note(f)]
    if not notes:
        return result
    return replace(result, findings=[f for f in result.findings if not is_note(f)], notes=result.notes + notes)


def _accepted(root: Path, result: Result) -> Result:
    """The result without the sensitive-data findings the allow list accepts, with its stale entries (outside the
    index: the list is no record, and changes nothing a record's findings depend on)."""
    from commlog.allowlist import applied

    findings, accepted = applied(root, result.findings)
    if findings is result.findings:
        return result
    findings = sorted(
        with_lines(findings, lambda path: text_or_empty(root / path)), key=lambda f: (f.path, f.line, f.column, f.rule)
    )
    return Result(result.checked, findings, result.records, accepted)


def _stored_result(stored: Any) -> Result | None:
    try:
        return Result(stored["checked"], [Finding(**f) for f in stored["findings"]], stored["records"])
    except (TypeError, KeyError):
        return None  # absent, or of another shape: judge afresh


def validate_all(root: Path, snap: Snapshot | None = None) -> Result:
    """Load every file, check it against its schema, and run the rules."""
    snap = snap or take_snapshot(root)
    if snap.enabled:  # only what changed is judged again (commlog.index.checked)
        corpus, findings = checked.findings(snap)
    else:  # everything loaded, every rule run: the reference the index is tested against
        corpus, findings = load_corpus(root, snap=snap)
        findings += run(corpus, notes=True)
    if not os.path.lexists(root / repository.POLICY):
        findings.append(
            Finding(
                repository.POLICY,
                1,
                1,
                "policy-missing",
                "there is no policy.yaml",
                "run `commlog init` or restore the file",
            )
        )
    findings = with_lines(findings, lambda path: text_or_empty(root / path))
    return Result(
        corpus.files,
        sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule, f.message)),
        snap.scan.records,
    )


def placed(root: Path, findings: list[Finding]) -> list[Finding]:
    """Findings with the line and column of the field they point at, read from the files as they are now."""
    return with_lines(findings, lambda path: text_or_empty(root / path))
