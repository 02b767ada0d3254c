"""Caches in ``.commlog-cache/``, so that unchanged files are not judged again.

- the whole validation result, keyed by the state of every file that could change it
  (each file under records/ and contacts/ and policy.yaml: path, size, modification time)
  and of the code and schemas judging them: a warm run only lists and stats files;
- each file's parse and schema result (:class:`FileResults`), reused while the file's size
  and modification time are unchanged: after one file changes, only it is read again,
  and the cross-record rules run over the rest from the cache.

Code or schema changes miss both.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from commlog.resources import data_path

FOLDER = ".commlog-cache"


def code_state() -> str:
    """A digest of commlog's code and schemas: results computed by other code are not reused."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *data_path("schemas").glob("*.json")]):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def tree_state(root: Path) -> str:
    """A digest of the repository's files as they are now, and of the code and schemas judging them."""
    digest = hashlib.sha256(code_state().encode())
    for top in ("records", "contacts"):
        for folder, dirs, files in os.walk(root / top):
            dirs.sort()
            for name in sorted(files):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    policy = root / "policy.yaml"
    if policy.exists():
        stat = policy.stat()
        digest.update(f"policy\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read(root: Path, name: str, key: str) -> Any | None:
    """The cached value stored under ``name`` if it was stored with ``key``."""
    try:
        stored = json.loads((root / FOLDER / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored["value"] if stored.get("key") == key else None


def write(root: Path, name: str, key: str, value: Any) -> None:
    """Store a value; a repository that cannot be written to simply has no cache."""
    folder = root / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        (folder / ".gitignore").write_text("*\n")
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"key": key, "value": value}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / f"{name}.json")
    except OSError:
        return


class FileResults:
    """Each file's parse and schema result, reused while its size and modification time are unchanged."""

    NAME = "files"

    def __init__(self, root: Path, enabled: bool = True):
        self.root, self.enabled = root, enabled
        self.key = code_state() if enabled else ""
        self.entries: dict[str, dict[str, Any]] = (read(root, self.NAME, self.key) or {}) if enabled else {}
        self.current: dict[str, dict[str, Any]] = {}
        self.changed = False

    def get(self, relative: str, stat: os.stat_result) -> dict[str, Any] | None:
        """The stored ``{"data", "findings"}`` of an unchanged file, or None."""
        entry = self.entries.get(relative)
        if entry is None or entry["size"] != stat.st_size or entry["mtime"] != stat.st_mtime_ns:
            return None
        self.current[relative] = entry
        return entry

    def put(self, relative: str, stat: os.stat_result, data: Any, findings: list[dict[str, Any]]) -> None:
        self.current[relative] = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "data": data, "findings": findings}
        self.changed = True

    def save(self) -> None:
        """Store what this run saw (files gone since are dropped)."""
        if self.enabled and (self.changed or len(self.current) != len(self.entries)):
            write(self.root, self.NAME, self.key, self.current)
