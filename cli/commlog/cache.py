"""Caches outside the repository, so that unchanged files are not judged again.

The cache of a repository lives in ``$COMMLOG_CACHE_DIR`` (default
``$XDG_CACHE_HOME/commlog``, else ``~/.cache/commlog``), in a folder named after a
digest of the repository's resolved path. Never inside the work tree: a cache file
that arrived with a pull request (or a link planted there) must not be able to tell
``validate`` that an invalid repository is valid, nor a build what a record says.

Every answer is keyed by content, never by a file's size or time:

- each file's parse and schema result is stored under a digest of its bytes (and
  what kind of file it is); a file is read and hashed again unless its size,
  modification time, change time, inode and device are all as they were when it was
  last hashed *and* it had not changed in the two seconds before that (a change
  within a timestamp's resolution could otherwise keep the same times; git guards
  its index the same way). ``touch -r`` cannot restore the change time, and a
  copy (``cp -a``) has a new inode, so both are hashed again;
- the whole validation result is stored under a digest of every data file's path and
  content digest, of the scan's findings and the attachments present, and of the code,
  schemas and packages judging them.

A cache file that is damaged, of another shape or from other code is ignored and
rewritten. Writes go to a temporary file that replaces the old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from commlog.fileio import atomic_write, open_regular
from commlog.resources import data_path

FORMAT = 2
"""Bumped whenever what is stored changes shape."""
RACY_NS = 2_000_000_000
"""A file changed this close to the moment it was hashed is hashed again next time."""


JUDGES = ("pyyaml", "jsonschema", "fastjsonschema", "rfc3339-validator", "chinesecalendar")
"""Packages whose version can change a verdict."""


def code_state() -> str:
    """A digest of commlog's code and schemas (their content) and of the packages judging with them."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in JUDGES:
        try:
            digest.update(f"{name} {version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *data_path("schemas").glob("*.json")]):
        digest.update(f"{path.relative_to(path.parents[1]).as_posix()}\0".encode())
        digest.update(hashlib.blake2b(path.read_bytes()).digest())
    return digest.hexdigest()


def content_digest(raw: bytes) -> str:
    """The key of a file's content."""
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


def tree_state(code: str, files: Iterable[tuple[str, str]]) -> str:
    """A digest of the code and of every (path, content digest): the key of a whole validation."""
    digest = hashlib.sha256(code.encode())
    for relative, content in files:
        digest.update(f"{relative}\0{content}\n".encode())
    return digest.hexdigest()


def folder(root: Path) -> Path:
    """Where the cache of the repository at ``root`` lives (outside it)."""
    base = os.environ.get("COMMLOG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "commlog"
    )
    name = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:24]
    return Path(base) / name


def read(root: Path, name: str, key: str) -> Any | None:
    """The cached value stored under ``name`` if it was stored with ``key``; None for anything else."""
    try:
        with open_regular(folder(root) / f"{name}.json") as handle:
            stored = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    return stored.get("value")


def write(root: Path, name: str, key: str, value: Any) -> None:
    """Store a value; where the cache cannot be written (or is a link), there simply is no cache."""
    target = folder(root)
    with contextlib.suppress(OSError, ValueError):
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.is_symlink() or not target.is_dir():
            return
        atomic_write(
            target / f"{name}.json", json.dumps({"key": key, "value": value}, ensure_ascii=False), clean_leftovers=True
        )


Signature = list[int]


def signature(info: os.stat_result) -> Signature:
    """What tells that a file was not touched since it was hashed."""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


class FileResults:
    """Each file's parse and schema result, under the digest of its content.

    Two cache files: ``digests`` (``{path: [signature..., hashed_at_ns, digest]}``), read
    on every run, and ``files`` (``{"<role>:<digest>": {"data", "findings"}}``), read
    only when some file's result is needed, so that a run answered by the whole-result
    cache stays cheap. Entries of another shape are treated as absent.
    """

    def __init__(self, root: Path, enabled: bool = True):
        self.root, self.enabled = root, enabled
        self.code = code_state() if enabled else ""
        digests = read(root, "digests", self.code) if enabled else None
        self.digests: dict[str, Any] = digests if isinstance(digests, dict) else {}
        self._results: dict[str, Any] | None = None if enabled else {}
        self.new_digests: dict[str, list[Any]] = {}
        self.new_results: dict[str, Any] = {}
        self.changed = False

    @property
    def results(self) -> dict[str, Any]:
        if self._results is None:
            stored = read(self.root, "files", self.code)
            self._results = stored if isinstance(stored, dict) else {}
        return self._results

    def known_digest(self, relative: str, info: os.stat_result) -> str | None:
        """The digest hashed from this very file before, when nothing can have changed it since."""
        entry = self.digests.get(relative)
        now = signature(info)
        if not (isinstance(entry, list) and len(entry) == len(now) + 2 and entry[: len(now)] == now):
            return None
        hashed_at, digest = entry[-2], entry[-1]
        if not isinstance(hashed_at, int) or not isinstance(digest, str):
            return None
        if max(info.st_mtime_ns, info.st_ctime_ns) > hashed_at - RACY_NS:
            return None  # changed too close to the hashing: the times cannot vouch for the content
        self.new_digests[relative] = entry
        return digest

    def hashed(self, relative: str, info: os.stat_result, digest: str) -> None:
        """Remember that the file with this stat signature had this content."""
        self.new_digests[relative] = [*signature(info), time.time_ns(), digest]

    def get(self, role: str, digest: str) -> tuple[Any, list[dict[str, Any]]] | None:
        """The stored (data, findings) of a file with this content, or None."""
        key = f"{role}:{digest}"
        entry = self.results.get(key)
        if not (isinstance(entry, dict) and isinstance(entry.get("findings"), list)):
            return None
        data = entry.get("data")
        if not (data is None or isinstance(data, dict)):
            return None
        self.new_results[key] = entry
        return data, entry["findings"]

    def put(self, role: str, digest: str, data: Any, findings: list[dict[str, Any]]) -> None:
        self.new_results[f"{role}:{digest}"] = {"data": data, "findings": findings}
        self.changed = True

    def save(self, judged: bool = True) -> None:
        """Store what this run saw (files gone since are dropped); ``judged`` when every file's result was looked up."""
        if not self.enabled:
            return
        if self.new_digests != self.digests:
            write(self.root, "digests", self.code, self.new_digests)
        if judged and (self.changed or len(self.new_results) != len(self.results)):
            write(self.root, "files", self.code, self.new_results)
