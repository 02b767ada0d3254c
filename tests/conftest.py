"""Shared fixtures: copies of the demo repository, and the CLI run as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_PARTS = ("policy.yaml", "schemas", "records", "contacts", ".commlog/allowed-sensitive.yaml")


def copy_demo(target: Path, with_site: bool = False) -> Path:
    """A copy of the demo organisation (policy, schemas, records, contacts; with the site's sources if asked) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in DEMO_PARTS + (("mkdocs.yml", "site") if with_site else ()):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / part)
    return target


@pytest.fixture(scope="session", autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """commlog's caches for this test session, not the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("commlog-cache")
    os.environ["COMMLOG_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("demo-template") / "repo")


@pytest.fixture
def demo_repo(tmp_path: Path, demo_template: Path) -> Path:
    """A fresh, writable copy of the demo repository."""
    target = tmp_path / "repo"
    shutil.copytree(demo_template, target)
    return target


def run_commlog(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``commlog`` command in a subprocess, as a user would."""
    command = [sys.executable, "-m", "commlog", *args]
    return subprocess.run(
        command, cwd=cwd or ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONUTF8": "1"}
    )


def same_size_edit(path: Path, old: str, new: str) -> None:
    """Edit a file keeping its size, then put its modification time back (as `touch -r`, or an edit within the same second, would)."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


def pdf_bytes(text: str = "") -> bytes:
    """A small, valid one-page PDF whose text layer is ``text`` (ASCII): what a reader of attachments reads as a PDF."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
