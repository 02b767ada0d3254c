"""Where commlog's caches live, and the keys they are stored under.

The cache of a repository lives in ``$COMMLOG_CACHE_DIR`` (default
``$XDG_CACHE_HOME/commlog``, else ``~/.cache/commlog``), in a folder named after a
digest of the repository's resolved path. Never inside the work tree: a cache file
that arrived with a pull request (or a link planted there) must not be able to tell
``validate`` that an invalid repository is valid, nor a build what a record says.

Every answer is keyed by content, never by a file's size or time:

- each file's parse and schema result is stored under the digest of its bytes (its git
  blob id) and what kind of file it is, and what a record implies under that and the
  context's digest. In a git work tree a file that git vouches for takes the blob id
  git's index holds for it without being read (:class:`commlog.history.WorkTreeBlobs`:
  an ordinary index entry that ``git status`` does not name as changed; never where git
  was told to look away). Any other file is read and hashed again unless its size,
  modification time, change time, inode and device are all as they were when it was
  last hashed *and* it had not changed in the two seconds before that (a change
  within a timestamp's resolution could otherwise keep the same times; git guards
  its index the same way). ``touch -r`` cannot restore the change time, and a
  copy (``cp -a``) has a new inode, so both are hashed again;
- the whole validation result is stored under a digest of every data file's path and
  content digest, of the scan's findings and the attachments present, and of the code,
  schemas and packages judging them.

The index that holds them is :mod:`commlog.index`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from commlog.resources import data_path

FORMAT = 4
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
    """The key of a file's content: its git blob id, so that a file git vouches for needs no reading."""
    digest = hashlib.sha1(b"blob %d\0" % len(raw), usedforsecurity=False)
    digest.update(raw)
    return digest.hexdigest()


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


def signature(info: os.stat_result) -> str:
    """What tells that a file was not touched since it was hashed: size, times, inode and device."""
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino} {info.st_dev}"


def vouches(stored: str, hashed_at: int, info: os.stat_result) -> bool:
    """Whether a file hashed at ``hashed_at`` (ns) with the signature ``stored`` cannot have changed since."""
    if stored != signature(info):
        return False
    # Changed too close to the hashing, the times cannot vouch for the content (git guards its index the same way).
    return max(info.st_mtime_ns, info.st_ctime_ns) <= hashed_at - RACY_NS
