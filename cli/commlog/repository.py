"""Where things are in a records repository, and finding its files."""

from __future__ import annotations

from pathlib import Path

POLICY = "policy.yaml"
RECORDS = "records"
INTERNAL = "contacts/internal"
EXTERNAL = "contacts/external"


class NotARepository(Exception):
    """Raised when no records repository encloses the starting folder."""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a policy.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / POLICY).is_file():
            return folder
    raise NotARepository(f"no {POLICY} in {start} or any folder above it")


def attachment_folder(root: Path, record_file: str) -> Path:
    """The folder of a record's attachments: records/<year>/<id>/."""
    return root / record_file.removesuffix(".yaml")


def attachment(root: Path, record_file: str, name: str) -> Path | None:
    """The attachment's resolved path, or None when the name leads outside the record's folder."""
    folder = attachment_folder(root, record_file).resolve()
    target = (folder / name).resolve()
    return target if target.is_relative_to(folder) else None


def data_files(root: Path) -> list[Path]:
    """Every YAML file commlog reads: the policy, contacts and records (not attachments)."""
    files = [root / POLICY] if (root / POLICY).is_file() else []
    for folder in (INTERNAL, EXTERNAL):
        files += sorted(p for p in (root / folder).glob("*.yaml") if p.is_file())
    files += sorted(p for p in (root / RECORDS).glob("*/*.yaml") if p.is_file())
    return files


def role_of(relative: str) -> str:
    """What a repository file is: policy, internal, external, record, or other."""
    if relative == POLICY:
        return "policy"
    folder, _, name = relative.rpartition("/")
    if folder == INTERNAL:
        return "internal"
    if folder == EXTERNAL:
        return "external"
    if folder.startswith(RECORDS + "/") and folder.count("/") == 1:
        return "record"
    return "other"
