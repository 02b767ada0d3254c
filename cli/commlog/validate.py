"""``commlog validate``: load every file, check it against its schema, run the rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from commlog import cache, repository
from commlog import policy as policy_module
from commlog.findings import Finding
from commlog.load import Document, LoadError, load, locate
from commlog.rules import Corpus, run


@dataclass(frozen=True)
class Result:
    checked: int
    findings: list[Finding]


def misplaced_files(root: Path) -> list[Path]:
    """YAML files in records/ or contacts/ where commlog does not look for them."""
    patterns = ["records/*.y*ml", "records/*/*.yml", "contacts/*.y*ml", "contacts/*/*.yml"]
    return sorted(p for pattern in patterns for p in root.glob(pattern) if p.is_file())


def validate(root: Path, only: list[Path] | None = None, use_cache: bool = True) -> Result:
    """Validate the repository at ``root``; with ``only``, report just those files.

    The whole repository is always judged, since the rules look across records; an
    unchanged repository is answered from the cache (see :mod:`commlog.cache`).
    """
    key = cache.tree_state(root) if use_cache else ""
    stored = cache.read(root, "validate", key) if use_cache else None
    if stored is not None:
        result = Result(stored["checked"], [Finding(**f) for f in stored["findings"]])
    else:
        result = validate_all(root, use_cache)
        if use_cache:
            cache.write(
                root, "validate", key, {"checked": result.checked, "findings": [f.as_json() for f in result.findings]}
            )
    if only is None:
        return result
    wanted = {p.resolve().relative_to(root.resolve()).as_posix() for p in only}
    return Result(len(wanted), [f for f in result.findings if f.path in wanted])


def load_corpus(root: Path, use_cache: bool = True) -> tuple[Corpus, list[Finding]]:
    """Every file loaded and checked against its schema: the valid ones in a corpus, the problems as findings.

    A file whose size and modification time are unchanged since the last run is taken
    from the cache (:class:`commlog.cache.FileResults`) instead of being read again.
    """
    results = cache.FileResults(root, use_cache)
    judge = _Judge()
    corpus = Corpus(root=root, policy=None)
    findings: list[Finding] = []
    files = repository.data_files(root)
    for path in files:
        relative = path.relative_to(root).as_posix()
        role = repository.role_of(relative)
        ids = {"internal": corpus.staff_ids, "external": corpus.org_ids}.get(role)
        if ids is not None:
            ids.add(path.stem)
        stat = path.stat()
        entry = results.get(relative, stat)
        if entry is None:
            data, found = judge(root, path, relative)
            results.put(relative, stat, data, [f.as_json() for f in found])
        else:
            data, found = entry["data"], [Finding(**f) for f in entry["findings"]]
        findings += found
        if data is None:
            continue
        if role == "record" and isinstance(data.get("id"), str):
            corpus.record_ids.add(data["id"])
        if not found:
            _admit(corpus, role, Document(relative, "", data))
    results.save()
    corpus.files = len(files)
    return corpus, findings


class _Judge:
    """Loads one file and checks it against its schema; the schemas are compiled on first use."""

    def __init__(self) -> None:
        self.schemas: Any = None

    def __call__(self, root: Path, path: Path, relative: str) -> tuple[dict[str, Any] | None, list[Finding]]:
        try:
            doc = load(root, path)
        except LoadError as err:
            return None, [Finding(relative, err.line, err.column, err.rule, err.message, err.hint)]
        if self.schemas is None:
            from commlog.schema import Schemas  # jsonschema's import is only paid when a file is read

            self.schemas = Schemas()
        problems = self.schemas.check(relative, doc.data)
        return doc.data, _with_lines(problems, lambda _: doc.text)


def validate_all(root: Path, use_cache: bool = True) -> Result:
    """Load every file, check it against its schema, and run the rules."""
    corpus, findings = load_corpus(root, use_cache)
    for path in misplaced_files(root):
        relative = path.relative_to(root).as_posix()
        findings.append(
            Finding(
                relative,
                1,
                1,
                "file-location",
                "commlog does not read a file here",
                "records go in records/<year>/<id>.yaml, contacts in contacts/internal/ or contacts/external/, as .yaml",
            )
        )
    if not (root / repository.POLICY).is_file():
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
    findings = _with_lines(findings, lambda path: (root / path).read_text(encoding="utf-8"))
    return Result(corpus.files, sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule)))


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
