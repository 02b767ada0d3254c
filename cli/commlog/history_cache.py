"""The history pass's cache: one file in the repository's cache folder (:func:`commlog.cache.folder`).

The file holds the :class:`commlog.history.History` read at one commit, under a key that names
the format, the code that made it, the repository, the paths read, git's version and the
shallow boundary. It is trusted only whole: a digest of the body is checked before the body is
parsed, and a key that differs in any part means the file is another's and is not used. As with
the index (:mod:`commlog.index.store`), nothing is read through a link and nothing is kept
where the folder is a link. Writes go to a temporary file that replaces the old one in one
rename: a reader sees the old file or the new, two writers at once leave one of theirs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from commlog.cache import folder
from commlog.fileio import atomic_write_bytes, open_regular

FILE = "history.json"
MAGIC = b"commlog-history 1\n"
"""The first line; the second is the body's digest, the rest the body (JSON)."""


def _path(root: Path) -> Path | None:
    """Where the cache of ``root`` is kept, or None where it cannot be kept safely (its folder is a link)."""
    target = folder(root)
    try:
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.is_symlink() or not target.is_dir():
            return None
    except OSError:
        return None
    return target / FILE


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=32).hexdigest().encode()


def load(root: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    """The stored state when the file is whole and made under ``key``; None otherwise (missing, damaged, another's)."""
    path = _path(root)
    if path is None:
        return None
    try:
        with open_regular(path, sole_name=True) as handle:  # a link or a second name: not ours to read
            raw = handle.read()
    except OSError:
        return None
    head, _, rest = raw.partition(b"\n")
    digest, _, body = rest.partition(b"\n")
    if head + b"\n" != MAGIC or digest != _digest(body):
        return None
    try:
        stored = json.loads(body)
    except ValueError:
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("state"), dict):
        return None
    return stored["state"]


def save(root: Path, key: dict[str, Any], state: dict[str, Any]) -> None:
    """Replace the stored state; where it cannot be written there simply is no cache."""
    path = _path(root)
    if path is None:
        return
    body = json.dumps({"key": key, "state": state}, ensure_ascii=False, separators=(",", ":")).encode()
    with contextlib.suppress(OSError):
        if path.is_symlink():  # planted: remove the link itself (never its target) and write our own file
            os.unlink(path)
        atomic_write_bytes(path, MAGIC + _digest(body) + b"\n" + body, clean_leftovers=True)
