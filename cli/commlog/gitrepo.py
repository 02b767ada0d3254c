"""Every call to git lives here."""

from __future__ import annotations

from pathlib import Path

import git


def init(folder: Path) -> None:
    """Make ``folder`` a git repository (no commit)."""
    with git.Repo.init(folder, initial_branch="main"):
        pass
