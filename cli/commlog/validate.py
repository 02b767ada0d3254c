"""``commlog validate``: load every file, check it against its schema, run the rules."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from commlog import cache, repository
from commlog import policy as policy_module
from commlog.findings import Finding
from commlog.load import Document, LoadError, decode, locate, parse, read_bytes
from commlog.rules import Corpus, run


@dataclass(frozen=True)
class Result:
    checked: int
    findings: list[Finding]
    records: int = 0
    """How many record files there are, valid or not (so that a repository of none says so)."""


@dataclass
class Snapshot:
    """The repository's files as this run found them: what the scan saw, and each data file's content digest."""

    scan: repository.Scan
    results: cache.FileResults
    digests: dict[str, str] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    """Bytes read while hashing, kept until the file is judged so that it is read once."""
    unreadable: dict[str, Finding] = field(default_factory=dict)

    def key(self) -> str:
        """What the whole validation result depends on."""
        problems = ((f"!{f.path}", f.rule) for f in self.scan.findings)
        others = ((f"+{relative}", "") for relative in self.scan.others)  # an attachment removed changes the verdict
        return cache.tree_state(self.results.code, [*self.digests.items(), *problems, *others])


def take_snapshot(root: Path, use_cache: bool = True) -> Snapshot:
    """Scan the repository and learn each data file's content digest (reading only files that may have changed)."""
    snap = Snapshot(repository.scan(root), cache.FileResults(root, use_cache))
    base = str(root)
    for relative in snap.scan.files:
        try:
            info = os.lstat(f"{base}/{relative}")
        except OSError:
            info = None
        known = snap.results.known_digest(relative, info) if info is not None else None
        if known is not None:
            snap.digests[relative] = known
            continue
        try:
            raw = read_bytes(root / relative)
        except LoadError as err:
            snap.unreadable[relative] = err.finding(relative)
            snap.digests[relative] = f"!{err.rule}"
            continue
        digest = cache.content_digest(raw)
        snap.digests[relative], snap.raw[relative] = digest, raw
        if info is not None:
            snap.results.hashed(relative, info, digest)
    return snap


def validate(root: Path, only: list[Path] | None = None, use_cache: bool = True) -> Result:
    """Validate the repository at ``root``; with ``only``, report just those files.

    The whole repository is always judged, since the rules look across records; a
    repository whose content is unchanged is answered from the cache (see :mod:`commlog.cache`).
    """
    snap = take_snapshot(root, use_cache)
    key = snap.key() if use_cache else ""
    stored = cache.read(root, "validate", key) if use_cache else None
    result = _stored_result(stored)
    if result is not None:
        snap.results.save(judged=False)  # digests learnt while hashing files that were touched but not changed
    else:
        result = validate_all(root, snap)
        if use_cache:
            cache.write(
                root,
                "validate",
                key,
                {
                    "checked": result.checked,
                    "records": result.records,
                    "findings": [f.as_json() for f in result.findings],
                },
            )
    if only is None:
        return result
    # The paths are absolute, and links among them are not followed (commands.common.paths_in).
    wanted = {p.relative_to(root).as_posix() for p in only}
    return Result(len(wanted), [f for f in result.findings if f.path in wanted], result.records)


def _stored_result(stored: Any) -> Result | None:
    try:
        return Result(stored["checked"], [Finding(**f) for f in stored["findings"]], stored["records"])
    except (TypeError, KeyError):
        return None  # absent, or of another shape: judge afresh


def load_corpus(root: Path, use_cache: bool = True, snap: Snapshot | None = None) -> tuple[Corpus, list[Finding]]:
    """Every file loaded and checked against its schema: the valid ones in a corpus, the problems as findings.

    A file whose content was judged before is taken from the cache
    (:class:`commlog.cache.FileResults`) instead of being parsed again.
    """
    snap = snap or take_snapshot(root, use_cache)
    results = snap.results
    judge = _Judge()
    corpus = Corpus(root=root, policy=None)
    findings: list[Finding] = list(snap.scan.findings)
    for relative in snap.scan.files:
        role = repository.role_of(relative)
        ids = {"internal": corpus.staff_ids, "external": corpus.org_ids, "record": corpus.record_names}.get(role)
        if ids is not None:
            ids.add(relative.rpartition("/")[2].removesuffix(".yaml"))
        if relative in snap.unreadable:
            findings.append(snap.unreadable[relative])
            continue
        digest = snap.digests[relative]
        judged = _cached(results, role, digest, relative)
        if judged is None:
            raw = snap.raw.pop(relative, None)
            if raw is None:  # its digest came from the stat signature, but its result was not kept: read it now
                try:
                    raw = read_bytes(root / relative)
                except LoadError as err:
                    findings.append(err.finding(relative))
                    continue
                digest = cache.content_digest(raw)
            judged = judge(relative, raw)
            results.put(role, digest, judged[0], [f.as_json() for f in judged[1]])
        data, found = judged
        findings += found
        if data is None:
            continue
        if role == "record" and isinstance(data.get("id"), str):
            corpus.record_ids.add(data["id"])
        if not found:
            _admit(corpus, role, Document(relative, "", data))
    results.save()
    corpus.files = len(snap.scan.files)
    return corpus, findings


def partial_corpus(root: Path, records: list[str]) -> Corpus:
    """The policy, the contacts and the given record files, each loaded and checked against its schema.

    For checks that look at a few records (the pull request check) in a repository of many:
    the files not named are not read. Files that do not load or match their schema are left out.
    """
    judge = _Judge()
    corpus = Corpus(root=root, policy=None)
    contacts = [
        p.relative_to(root).as_posix()
        for folder in (repository.INTERNAL, repository.EXTERNAL)
        for p in sorted((root / folder).glob("*.yaml"))
    ]
    for relative in [repository.POLICY, *contacts, *records]:
        try:
            raw = read_bytes(root / relative)
        except LoadError:
            continue
        data, found = judge(relative, raw)
        if data is not None and not found:
            _admit(corpus, repository.role_of(relative), Document(relative, "", data))
    return corpus


def _cached(
    results: cache.FileResults, role: str, digest: str, relative: str
) -> tuple[dict[str, Any] | None, list[Finding]] | None:
    stored = results.get(role, digest)
    if stored is None:
        return None
    data, found = stored
    try:
        return data, [Finding(**{**f, "path": relative}) for f in found]
    except TypeError:
        return None  # a finding of another shape: judge afresh


class _Judge:
    """Parses one file and checks it against its schema; the schemas are compiled on first use."""

    def __init__(self) -> None:
        self.schemas: Any = None

    def __call__(self, relative: str, raw: bytes) -> tuple[dict[str, Any] | None, list[Finding]]:
        try:
            text = decode(raw)
            data = parse(text)
        except LoadError as err:
            return None, [err.finding(relative)]
        if self.schemas is None:
            from commlog.schema import Schemas  # jsonschema's import is only paid when a file is read

            self.schemas = Schemas()
        problems = self.schemas.check(relative, data)
        self.schemas.normalise(relative, data)
        return data, _with_lines(problems, lambda _: text)


def validate_all(root: Path, snap: Snapshot | None = None) -> Result:
    """Load every file, check it against its schema, and run the rules."""
    snap = snap or take_snapshot(root)
    corpus, findings = load_corpus(root, snap=snap)
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
    findings += run(corpus)
    findings = _with_lines(findings, lambda path: _text_or_empty(root / path))
    return Result(
        corpus.files,
        sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule)),
        sum(1 for relative in snap.scan.files if repository.role_of(relative) == "record"),
    )


def placed(root: Path, findings: list[Finding]) -> list[Finding]:
    """Findings with the line and column of the field they point at, read from the files as they are now."""
    return _with_lines(findings, lambda path: _text_or_empty(root / path))


def _text_or_empty(path: Path) -> str:
    """A file's text to place a finding on a line; a file that cannot be read puts it on line 1."""
    try:
        return decode(read_bytes(path))
    except LoadError:
        return ""


def _admit(corpus: Corpus, role: str, doc: Document) -> None:
    if role == "policy":
        corpus.policy_doc = doc
        corpus.policy = policy_module.from_data(doc.data)
    elif role == "internal":
        corpus.staff_docs.append(doc)
    elif role == "external":
        corpus.org_docs.append(doc)
    elif role == "record":
        corpus.records.append(doc)


def _with_lines(findings: list[Finding], text_of: Callable[[str], str]) -> list[Finding]:
    """Findings with the line and column of the field they point at (files are read only when needed)."""
    pending: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(findings):
        if item.line == 0:
            pending[item.path].append(index)
    for path, indexes in pending.items():
        positions = locate(text_of(path), [(findings[i].pointer, findings[i].at_key) for i in indexes])
        for i, (line, column) in zip(indexes, positions, strict=True):
            findings[i] = replace(findings[i], line=line, column=column)
    return findings
