"""The commlog a records repository keeps: a wheel of the running commlog in ``.commlog/``.

``commlog init`` writes it and ``commlog upgrade`` replaces it; the CI files install it
(``pip install .commlog/commlog-*-py3-none-any.whl``), so a repository's checks always
run the commlog that made it or that it was last upgraded to, with no package index
serving commlog and no step to discover.

The wheel is made from the running installation itself, with no build tool: the
package's files, the data a wheel carries (``commlog/_data``: schemas, default policy,
site sources), and the installed distribution's metadata and entry points. It is
reproducible (sorted entries, fixed times and modes), so ``commlog upgrade`` to the same
commlog changes nothing that git would see.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import os
import re
import zipfile
from pathlib import Path

from commlog.fileio import atomic_write_bytes
from commlog.resources import data_path

KEPT = ".commlog"
"""The repository's folder for the kept wheel (and ``allowed_signers``)."""

DATA = ("schemas", "policy.yaml", "mkdocs.yml", "site")
"""What a wheel carries in ``commlog/_data`` (``[tool.hatch.build.targets.wheel.force-include]``)."""

WHEEL_GLOB = "commlog-*-py3-none-any.whl"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", "_data"}


def version() -> str:
    """The running commlog's version, as its installed metadata says."""
    return importlib.metadata.version("commlog")


def wheel_name(ver: str | None = None) -> str:
    """``commlog-<version>-py3-none-any.whl``, with the version escaped as wheel names require."""
    return f"commlog-{re.sub(r'[^A-Za-z0-9_.]+', '_', ver or version())}-py3-none-any.whl"


def wheel_bytes() -> tuple[str, bytes]:
    """A wheel of the running commlog: its file name and content."""
    import commlog

    ver = version()
    dist = importlib.metadata.distribution("commlog")
    info = f"commlog-{re.sub(r'[^A-Za-z0-9_.]+', '_', ver)}.dist-info"
    files: dict[str, bytes] = {}
    package = Path(commlog.__file__).parent
    for path in _files(package):
        files[f"commlog/{path.relative_to(package).as_posix()}"] = path.read_bytes()
    for name in DATA:
        source = data_path(name)
        if source.is_dir():
            for path in _files(source):
                files[f"commlog/_data/{name}/{path.relative_to(source).as_posix()}"] = path.read_bytes()
        else:
            files[f"commlog/_data/{name}"] = source.read_bytes()
    metadata = dist.read_text("METADATA")
    if metadata is None:
        raise RuntimeError("the running commlog has no METADATA: reinstall it with pip")
    files[f"{info}/METADATA"] = metadata.encode("utf-8")
    entry_points = dist.read_text("entry_points.txt")
    if entry_points:
        files[f"{info}/entry_points.txt"] = entry_points.encode("utf-8")
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: commlog {ver}\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    record = f"{info}/RECORD"
    lines = [f"{name},sha256={_digest(content)},{len(content)}" for name, content in sorted(files.items())]
    files[record] = ("\n".join([*lines, f"{record},,"]) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files, key=lambda n: (n == record, n)):  # RECORD last, as wheels have it
            entry = zipfile.ZipInfo(name, _EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, files[name])
    return wheel_name(ver), buffer.getvalue()


def _files(folder: Path) -> list[Path]:
    """The ordinary files under ``folder``, without caches, compiled files or commlog's temporary files."""
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(top) / name
            if name.endswith((".pyc", ".pyo")) or name.startswith(".") or not path.is_file():
                continue
            found.append(path)
    return found


def _digest(content: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode("ascii")


def kept(root: Path) -> list[Path]:
    """The commlog wheels the repository keeps (one, normally)."""
    folder = root / KEPT
    return sorted(folder.glob(WHEEL_GLOB)) if folder.is_dir() else []


def keep(root: Path) -> tuple[Path, list[Path], bool]:
    """Put the running commlog's wheel in ``.commlog/`` in place of any other kept one.

    Returns the wheel's path, the wheels removed, and whether the wheel's content changed.
    """
    name, content = wheel_bytes()
    folder = root / KEPT
    folder.mkdir(exist_ok=True)
    target = folder / name
    changed = not target.is_file() or target.read_bytes() != content
    if changed:
        atomic_write_bytes(target, content)
    removed = [path for path in kept(root) if path.name != name]
    for path in removed:
        path.unlink()
    return target, removed, changed
