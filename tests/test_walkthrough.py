"""site/workflow.md is what its commands print today (scripts/walkthrough.py runs them again)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_walkthrough_is_current(tmp_path: Path) -> None:
    made = tmp_path / "workflow.md"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "walkthrough.py"), str(made)], check=True)
    assert made.read_text(encoding="utf-8") == (ROOT / "site" / "workflow.md").read_text(encoding="utf-8"), (
        "site/workflow.md is out of date: run `python scripts/walkthrough.py site/workflow.md`"
    )
    assert "Traceback" not in made.read_text(encoding="utf-8")
