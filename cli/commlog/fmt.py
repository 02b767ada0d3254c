"""``commlog fmt``: rewrite YAML files in the canonical form (see :mod:`commlog.canonical`).

A file's canonical text is its :func:`~commlog.canonical.modeline` (records, contacts and the
policy have one) followed by :func:`~commlog.canonical.dump` of its data; every other comment goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from commlog import repository
from commlog.canonical import dump, modeline
from commlog.fileio import atomic_write
from commlog.findings import Finding
from commlog.load import LoadError, load
from commlog.schema import Schemas


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def canonical_text(schemas: Schemas, relative: str, data: dict) -> str:
    """The canonical text of a repository file's data, at ``relative`` (from the repository's root, with ``/``)."""
    line = modeline(relative)
    text = dump(data, schemas.shape(schemas.document_type(relative, data)))
    return f"{line}\n{text}" if line else text


def format_repository(
    root: Path, only: list[Path] | None = None, check: bool = False, schemas: Schemas | None = None
) -> FmtResult:
    """Rewrite (or with ``check`` just list) files not in canonical form; unreadable files are reported and left alone."""
    schemas = schemas or Schemas()
    result = FmtResult()
    if only is None:
        found = repository.scan(root)
        only, result.findings = [root / relative for relative in found.files], list(found.findings)
    for path in only:
        try:
            doc = load(root, path)
        except LoadError as err:
            result.findings.append(err.finding(path.relative_to(root).as_posix()))
            continue
        text = canonical_text(schemas, doc.path, doc.data)
        if text != doc.text:
            result.changed.append(doc.path)
            if not check:
                atomic_write(path, text, clean_leftovers=True)
    return result
