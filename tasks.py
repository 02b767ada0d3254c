#!/usr/bin/env python3
"""The quick start's commands, needing nothing but Python 3.11+ (and git):

    python3 tasks.py demo    validate the demo organisation, print its overdue and retention reports, build its archive site
    python3 tasks.py test    the whole test suite: ruff, mypy, pytest (the site in headless Chromium, records in yaml-language-server)
    python3 tasks.py bench   the benchmark (see site/performance.md)

Each installs what it needs on first use: a virtual environment in .venv with commlog and
its development tools, and for the tests Debian's chromium, libreoffice-calc, poppler-utils and
fonts-noto-cjk, and yaml-language-server from npm in .tools/ (with Debian's nodejs and npm if there is no node).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
DEMO_AS_OF = "2026-11-20 17:00"  # the demo data stands at this moment


def run(*command: str | Path) -> None:
    print("+", " ".join(map(str, command)), flush=True)
    result = subprocess.run([str(c) for c in command], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(result.returncode)


def environment() -> None:
    """Create .venv and install commlog with its development tools, again whenever pyproject.toml changes."""
    if STAMP.exists() and STAMP.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        return
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.touch()


def demo() -> None:
    environment()
    commlog = BIN / "commlog"
    run(commlog, "validate")
    run(commlog, "fmt", "--check")
    run(commlog, "overdue", "--as-of", DEMO_AS_OF)
    run(commlog, "retention", "--as-of", DEMO_AS_OF)
    run(commlog, "contacts", "audit", "--as-of", DEMO_AS_OF)
    run(commlog, "site", "build", "--as-of", DEMO_AS_OF)  # it says how to open the site


def test() -> None:
    environment()
    if sys.platform.startswith("linux"):
        run("bash", "scripts/install-browser.sh")
        run("bash", "scripts/install-office.sh")
        run("bash", "scripts/install-editor-tools.sh")
    run(BIN / "ruff", "check", "cli", "tests", "scripts", "tasks.py")
    run(BIN / "mypy")
    run(BIN / "python", "-m", "pytest")


def bench() -> None:
    environment()
    run(BIN / "python", "scripts/bench.py", *sys.argv[2:])


if __name__ == "__main__":
    tasks = {"demo": demo, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        sys.exit(__doc__)
    tasks[sys.argv[1]]()
