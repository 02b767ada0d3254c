"""Reading and writing repository files without following links, hanging on devices, or leaving half a file.

A records repository arrives through pull requests, so its files are not trusted: a
symbolic link could make a build publish ``/etc/passwd`` or another record's secret
attachment, a FIFO could hang a reader, ``/dev/zero`` could fill memory. Every read
of a repository file goes through :func:`open_regular`, every write through
:func:`atomic_write`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".commlog-tmp"
"""Temporary files of an interrupted write end with this; readers skip them, writers clean them up."""


_LEFTOVER = re.compile(
    rf"^\..+(?:{re.escape(TEMP_SUFFIX)}|\.ya?ml\.tmp\d+)$"
)  # also commlog 0.1's .<name>.yaml.tmp<pid>


class NotRegular(OSError):
    """The path is a link, a folder, a FIFO, a device or a socket: not an ordinary file."""


def is_link_error(err: OSError) -> bool:
    """Whether ``err`` came from opening a symbolic link with O_NOFOLLOW."""
    return err.errno in (errno.ELOOP, errno.EMLINK)


@contextlib.contextmanager
def open_regular(path: Path, sole_name: bool = False) -> Iterator[BinaryIO]:
    """Open an ordinary file for reading; a link (at the last component) or anything else raises.

    O_NOFOLLOW refuses a link without a race between checking and opening; O_NONBLOCK
    keeps a FIFO from blocking the open, and fstat then refuses it. With ``sole_name``,
    a file with other hard links is refused too: one of them could be, say, /etc/shadow
    (git never makes hard links in a work tree; only a hand can).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (sole_name and info.st_nlink > 1):
            raise NotRegular(errno.EINVAL, "not a regular file with one name", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        yield handle


def read_limited(path: Path, limit: int) -> bytes | int:
    """The bytes of an ordinary file, or its size when that is over ``limit`` (nothing more is read)."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            return size
        raw = handle.read(limit + 1)
    return raw if len(raw) <= limit else len(raw)


def atomic_write(path: Path, text: str, clean_leftovers: bool = False) -> None:
    """Replace ``path`` so that readers see the old or the new content, never half, even after a crash.

    The new content goes to a temporary file in the same folder, is flushed to disk, and
    takes the old file's permissions (and owner, where allowed) before the rename; the
    folder is synced afterwards.
    A link is refused rather than replaced by a file. A new file gets the permissions the
    umask allows. With ``clean_leftovers`` (folders commlog owns: records, contacts, its
    cache), temporary files that killed writes left there are removed first.
    """
    atomic_write_bytes(path, text.encode("utf-8"), clean_leftovers)


def atomic_write_bytes(path: Path, data: bytes, clean_leftovers: bool = False) -> None:
    """:func:`atomic_write` for bytes (a wheel, an attachment)."""
    mode = 0o666 & ~_umask()
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file", str(path))
        mode = stat.S_IMODE(info.st_mode)
    if clean_leftovers:
        remove_leftovers(path.parent)
    # A short prefix: the temporary name must fit the 255-byte limit however long the file's name is.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if info is not None and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # only root may give a file away; others keep their own
                os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _umask() -> int:
    current = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(current)
    return current


def remove_leftovers(folder: Path, older_than: float = 600.0) -> None:
    """Delete temporary files that an interrupted write left in ``folder`` (those older than ten minutes)."""
    cutoff = time.time() - older_than
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if _LEFTOVER.match(entry.name):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def empty_site(folder: Path) -> None:
    """Empty a folder a site was built into, before MkDocs writes it again.

    MkDocs' own cleaning leaves a link to a folder in place (``rmtree`` refuses it and
    the error is ignored) and then writes through it; here links are removed as links,
    so no write of the build can land outside the folder. Hidden entries stay, as
    MkDocs keeps them (a ``.git`` of a publishing branch), unless they are links.
    """
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
        for entry in list(entries):
            if entry.is_symlink() or (not entry.name.startswith(".") and not entry.is_dir(follow_symlinks=False)):
                os.unlink(entry.path)
            elif not entry.name.startswith("."):
                shutil.rmtree(entry.path)


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (made if missing) while the block runs; others wait their turn."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; steps there are not serialised
        yield
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
