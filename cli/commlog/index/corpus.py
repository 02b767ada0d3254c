"""Loading the repository through the index: each file's content digest, verdict and data.

A :class:`Snapshot` is the repository as one run finds it: the scan, each data file's content
digest (read and hashed only when its stat signature cannot vouch for it: see
:func:`commlog.cache.signature`), and the index. :func:`load_corpus` gives every valid file's
data for the rules; :meth:`Snapshot.verdicts` says which files are valid without loading them,
for readers that take the rest from the derived table (:mod:`commlog.index.derived`).

Files not judged before are parsed and checked against their schema on every core when there are
many (:data:`PARALLEL_MIN`), with the same results in the same order as one core gives.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from commlog import cache, repository
from commlog import policy as policy_module
from commlog.findings import Finding
from commlog.history import WorkTreeBlobs
from commlog.index.facts import to_row
from commlog.index.store import Derived, FactRow, Judged, Seen, Store
from commlog.load import Document, LoadError, decode, locate, parse, read_bytes
from commlog.rules import Corpus
from commlog.rules import facts as record_facts
from commlog.rules.sensitive import text_digest

DATA_PATHS = (repository.POLICY, repository.CONTACTS, repository.RECORDS)
"""Where the data files are: what git is asked about."""
PARALLEL_MIN = 2000
"""Files to judge before the work is shared among processes (below it, starting them costs more)."""
CHUNK = 500


@dataclass(slots=True)  # one per file: 100,000 in a large repository
class Verdict:
    """One data file as the index knows it."""

    role: str
    digest: str
    ok: bool
    """It loaded and matched its schema."""
    data: dict[str, Any] | None = None
    """Its data, when this run has it in hand (judged now, or loaded)."""
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Snapshot:
    """The repository's files as this run found them: the scan, each data file's content digest, the index."""

    root: Path
    scan: repository.Scan
    store: Store
    code: str
    digests: dict[str, str] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    """Bytes read while hashing, kept until the file is judged so that it is read once."""
    unreadable: dict[str, Finding] = field(default_factory=dict)
    from_git: dict[str, str] = field(default_factory=dict)
    """Files git vouches for, with their blob ids: their digest needs no reading, and a read never changes it."""
    seen: dict[str, Seen] = field(default_factory=dict)
    """Files hashed in this run (new or changed since the index saw them)."""
    gone: list[str] = field(default_factory=list)
    """Files the index saw that are gone or can no longer be vouched for."""
    _verdicts: dict[str, Verdict] | None = None
    _new: dict[str, Judged] = field(default_factory=dict)
    new_facts: dict[str, FactRow] = field(default_factory=dict)
    """Valid records' facts to store, by digest: of the records judged now, and of those whose row was refused."""

    @property
    def enabled(self) -> bool:
        return self.store.db is not None

    def key(self) -> str:
        """What the whole validation result depends on."""
        problems = ((f"!{f.path}", f.rule) for f in self.scan.findings)
        # an attachment removed changes the verdict, and so does its content (rule sensitive-data reads it)
        others = ((f"+{relative}", self.other_digest(relative)) for relative in self.scan.others)
        return cache.tree_state(self.code, [*self.digests.items(), *problems, *others])

    def other_digest(self, relative: str) -> str:
        """The digest of a file beside the data files (an attachment): git's blob id where git vouches for it, so
        that a warm run reads no attachment; else its bytes hashed."""
        return self.from_git.get(relative) or text_digest(self.root, relative)

    def context_key(self) -> str:
        """The digest of what a record's derived stages depend on besides itself: the policy and the contacts."""
        records = repository.RECORDS + "/"
        files = [
            (p, d) for p, d in self.digests.items() if not p.startswith(records)
        ]  # data files: the rest is context
        return cache.tree_state(self.code, files)

    def verdicts(self) -> dict[str, Verdict]:
        """Every readable data file's verdict; files not judged before are judged now (and stored)."""
        if self._verdicts is not None:
            return self._verdicts
        verdicts: dict[str, Verdict] = {}
        pending: list[str] = []
        with bulk():
            known = self.store.validity()
            for relative, role in self.scan.roles():
                if relative in self.unreadable:
                    continue
                digest = self.digests[relative]
                ok = known.get(f"{role}:{digest}")
                if ok is None:
                    pending.append(relative)
                verdicts[relative] = Verdict(role, digest, bool(ok))
        self._verdicts = verdicts
        self._judge(pending)
        return verdicts

    def load(self, relatives: Iterable[str]) -> None:
        """Fill in the data and findings of these files' verdicts from the index (judging any it lost)."""
        verdicts = self.verdicts()
        wanted = [r for r in relatives if r in verdicts and verdicts[r].data is None]
        keys = [f"{verdicts[r].role}:{verdicts[r].digest}" for r in wanted]
        stored = self.store.judged(keys)
        lost: list[str] = []
        for relative, key in zip(wanted, keys, strict=True):
            verdict = verdicts[relative]
            entry = stored.get(key)
            parsed = _parsed(entry, relative) if entry is not None else None
            if parsed is None:
                lost.append(relative)
                continue
            verdict.data, verdict.findings = parsed
            verdict.ok = verdict.data is not None and not verdict.findings
        self._judge(lost)  # damaged or missing entries: judged again

    def _judge(self, relatives: list[str]) -> None:
        """Parse and schema-check these files now (reading those whose bytes this run has not kept)."""
        assert self._verdicts is not None
        verdicts, raws = self._verdicts, []
        for relative in relatives:
            raw = self.raw.pop(relative, None)
            if raw is None:
                try:  # its digest came from the stat signature or the index lost it: read it now
                    raw = read_bytes(self.root / relative)
                except LoadError as err:
                    self.unreadable[relative] = err.finding(relative)
                    del verdicts[relative]
                    continue
                if relative not in self.from_git:  # git's blob id stands, whatever filters made of the bytes
                    verdicts[relative].digest = self.digests[relative] = cache.content_digest(raw)
            raws.append((relative, raw))
        for (relative, _), judged in zip(raws, judge_all(raws), strict=True):
            self._judged(verdicts[relative], *judged)

    def _judged(self, verdict: Verdict, data: dict[str, Any] | None, found: list[Finding]) -> None:
        """Record a file judged now, in its verdict and for the index."""
        verdict.ok, verdict.data, verdict.findings = data is not None and not found, data, found
        if verdict.ok and verdict.role == "record":
            assert data is not None
            self.new_facts[verdict.digest] = to_row(record_facts("", data))
        self._new[f"{verdict.role}:{verdict.digest}"] = (
            verdict.ok,
            None if data is None else json.dumps(data, ensure_ascii=False),
            json.dumps([f.as_json() for f in found], ensure_ascii=False),
        )

    def save(
        self,
        derived: list[Derived] | None = None,
        result: tuple[str, Any] | None = None,
        checked: tuple[str, dict[str, str], set[str]] | None = None,
    ) -> None:
        """Store what this run learnt: digests, verdicts, derived stages, the whole result."""
        if not self.enabled:
            return
        verdicts = self._verdicts
        keep = {f"{v.role}:{v.digest}" for v in verdicts.values()} if verdicts is not None else None
        self.store.write(
            seen=(self.seen, self.gone) if self.seen or self.gone else None,
            judged=self._new,
            keep=keep,
            derived=derived,
            result=result,
            checked=checked,
            facts=self.new_facts,
        )
        self._new, self.new_facts = {}, {}
        self.seen, self.gone = {}, []


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Python's cycle collector paused while a run makes an object or more per file (verdicts, facts): made by
    the 100,000, they would set it off hundreds of times, each pass walking every object kept so far, and
    they hold no cycles for it to find. Never around parsing, whose garbage it does collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def take_snapshot(root: Path, use_cache: bool = True) -> Snapshot:
    """Scan the repository and learn each data file's content digest (reading only files that may have changed).

    In a git work tree a file that git vouches for (:class:`commlog.history.WorkTreeBlobs`) takes its
    index's blob id, which is the digest of its bytes; the others are vouched for by their stat
    signature (:func:`commlog.cache.vouches`) or read and hashed.
    """
    code = cache.code_state()
    git = WorkTreeBlobs(root, DATA_PATHS) if use_cache else None  # runs while the repository is walked
    snap = Snapshot(root, repository.scan(root), Store(root, code, use_cache), code)
    snap.from_git = git.blobs() if git is not None else {}
    if any(other.endswith("/.gitattributes") for other in snap.scan.others):
        snap.from_git = {}  # an attributes file git does not keep may still convert what it compares
    stored: dict[str, Seen] | None = None  # read only when git leaves a file to the stat signatures
    base = str(root)
    now = time.time_ns()
    vouched: set[str] = set()
    for relative in snap.scan.files:
        blob = snap.from_git.get(relative)
        if blob is not None:
            snap.digests[relative] = blob
            continue
        if stored is None:
            stored = snap.store.seen()
        try:
            info = os.lstat(f"{base}/{relative}")
        except OSError:
            info = None
        entry = stored.get(relative)
        if info is not None and entry is not None and cache.vouches(entry[0], entry[1], info):
            snap.digests[relative] = entry[2]
            vouched.add(relative)
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
            snap.seen[relative] = (cache.signature(info), now, digest)
    if stored is not None and len(vouched) + len(snap.seen) != len(stored):
        snap.gone = [p for p in stored if p not in vouched and p not in snap.seen and p not in snap.from_git]
    return snap


def load_corpus(root: Path, use_cache: bool = True, snap: Snapshot | None = None) -> tuple[Corpus, list[Finding]]:
    """Every file loaded and checked against its schema: the valid ones in a corpus, the problems as findings."""
    snap = snap or take_snapshot(root, use_cache)
    verdicts = snap.verdicts()
    snap.load(verdicts)
    corpus = Corpus(root=root, policy=None)
    findings: list[Finding] = list(snap.scan.findings)
    names = {"internal": corpus.staff_ids, "external": corpus.org_ids, "record": corpus.record_names}
    for relative, role in snap.scan.roles():
        ids = names.get(role)
        if ids is not None:
            ids.add(relative.rpartition("/")[2].removesuffix(".yaml"))
        if relative in snap.unreadable:
            findings.append(snap.unreadable[relative])
            continue
        verdict = verdicts[relative]
        findings += verdict.findings
        data = verdict.data
        if data is None:
            continue
        if role == "record" and isinstance(data.get("id"), str):
            corpus.record_ids.add(data["id"])
        if verdict.ok:
            admit(corpus, role, Document(relative, "", data))
    snap.save()
    corpus.files = len(snap.scan.files)
    return corpus, findings


def context_corpus(snap: Snapshot) -> tuple[Corpus, list[Finding]]:
    """The policy and contacts loaded into a corpus (with every file's id), and the problems of every file.

    Records are left out of the corpus: readers that take them from the index add what they need.
    """
    verdicts = snap.verdicts()
    invalid = [r for r, v in verdicts.items() if not v.ok]
    snap.load([r for r, v in verdicts.items() if v.role != "record"] + invalid)
    corpus = Corpus(root=snap.root, policy=None)
    found: list[Finding] = list(snap.scan.findings)
    names = {"internal": corpus.staff_ids, "external": corpus.org_ids, "record": corpus.record_names}
    for relative, role in snap.scan.roles():
        ids = names.get(role)
        if ids is not None:
            ids.add(relative.rpartition("/")[2].removesuffix(".yaml"))
    found += (snap.unreadable[r] for r in snap.scan.files if r in snap.unreadable)
    for relative in invalid:
        verdict = verdicts[relative]
        found += verdict.findings
        if verdict.role == "record" and verdict.data is not None and isinstance(verdict.data.get("id"), str):
            corpus.record_ids.add(verdict.data["id"])
    for relative, verdict in verdicts.items():
        if verdict.role != "record" and verdict.ok:
            assert verdict.data is not None
            admit(corpus, verdict.role, Document(relative, "", verdict.data))
    corpus.files = len(snap.scan.files)
    return corpus, found


def partial_corpus(root: Path, records: list[str], use_cache: bool = True) -> Corpus:
    """The policy, the contacts and the given record files, each loaded and checked against its schema.

    For checks that look at a few records (the pull request check) in a repository of many:
    the files not named are not read. Files that do not load or match their schema are left out.
    A file whose content the index has judged is taken from it (no parse, no schema compiled).
    """
    corpus = Corpus(root=root, policy=None)
    contacts = [
        p.relative_to(root).as_posix()
        for folder in (repository.INTERNAL, repository.EXTERNAL)
        for p in sorted((root / folder).glob("*.yaml"))
    ]
    raws = []
    for relative in [repository.POLICY, *contacts, *records]:
        try:
            raws.append((relative, read_bytes(root / relative)))
        except LoadError:
            continue
    judged = _judged_before(root, raws) if use_cache else {}
    pending = [(relative, raw) for relative, raw in raws if relative not in judged]
    judged.update((relative, verdict) for (relative, _), verdict in zip(pending, judge_all(pending), strict=True))
    for relative, _ in raws:
        data, found = judged[relative]
        if data is not None and not found:
            admit(corpus, repository.role_of(relative), Document(relative, "", data))
    return corpus


def _judged_before(root: Path, raws: list[tuple[str, bytes]]) -> dict[str, tuple[dict[str, Any] | None, list[Finding]]]:
    """The stored data and findings of the files whose content (these bytes) the index has judged."""
    store = Store(root, cache.code_state())
    keys = [f"{repository.role_of(relative)}:{cache.content_digest(raw)}" for relative, raw in raws]
    stored = store.judged(keys)
    found = {}
    for (relative, _), key in zip(raws, keys, strict=True):
        entry = stored.get(key)
        parsed = _parsed(entry, relative) if entry is not None else None
        if parsed is not None:
            found[relative] = parsed
    return found


def admit(corpus: Corpus, role: str, doc: Document) -> None:
    """Put a valid document where the rules look for its role."""
    if role == "policy":
        corpus.policy_doc = doc
        corpus.policy = policy_module.from_data(doc.data)
    elif role == "internal":
        corpus.staff_docs.append(doc)
    elif role == "external":
        corpus.org_docs.append(doc)
    elif role == "record":
        corpus.records.append(doc)


def _parsed(entry: tuple[str | None, str], relative: str) -> tuple[dict[str, Any] | None, list[Finding]] | None:
    """A stored (data, findings) entry read back; None for one of another shape (judged again)."""
    try:
        data = None if entry[0] is None else json.loads(entry[0])
        found = [Finding(**{**f, "path": relative}) for f in json.loads(entry[1])]
    except (TypeError, ValueError):
        return None
    if not (data is None or isinstance(data, dict)):
        return None
    return data, found


class Judge:
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
        return data, with_lines(problems, lambda _: text)


def _judge_chunk(files: list[tuple[str, bytes]]) -> list[tuple[dict[str, Any] | None, list[Finding]]]:
    judge = Judge()
    return [judge(relative, raw) for relative, raw in files]


def judge_all(files: list[tuple[str, bytes]]) -> list[tuple[dict[str, Any] | None, list[Finding]]]:
    """Each file judged, in order; many files are shared among the machine's cores.

    Processes are forked, so only from a process without other threads (``mkdocs serve``
    has some: it judges on one core).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if len(files) < PARALLEL_MIN or cores < 2 or threading.active_count() > 1 or not hasattr(os, "fork"):
        return _judge_chunk(files)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork")) as pool:
        return [item for done in pool.map(_judge_chunk, chunks) for item in done]


def with_lines(findings: list[Finding], text_of: Callable[[str], str]) -> list[Finding]:
    """Findings with the line and column of the field they point at (files are read only when needed)."""
    pending: dict[str, list[int]] = {}
    for index, item in enumerate(findings):
        if item.line == 0:
            pending.setdefault(item.path, []).append(index)
    for path, indexes in pending.items():
        positions = locate(text_of(path), [(findings[i].pointer, findings[i].at_key) for i in indexes])
        for i, (line, column) in zip(indexes, positions, strict=True):
            findings[i] = replace(findings[i], line=line, column=column)
    return findings


def text_or_empty(path: Path) -> str:
    """A file's text to place a finding on a line; a file that cannot be read puts it on line 1."""
    try:
        return decode(read_bytes(path))
    except LoadError:
        return ""
