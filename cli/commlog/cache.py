"""A cache of whole validation results, keyed by the state of every file that could change them.

The key covers each file under records/ and contacts/ and policy.yaml (path, size,
modification time), the schemas commlog validates with, and commlog's own code, so a
change to any of them misses. A warm run then only lists and stats files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from commlog.resources import data_path

FOLDER = ".commlog-cache"


def tree_state(root: Path) -> str:
    """A digest of the repository's files as they are now, and of the code and schemas judging them."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *data_path("schemas").glob("*.json")]):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
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
