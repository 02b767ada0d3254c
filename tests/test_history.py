"""Git history read in one pass, in a real repository with several authors, a branch and a merge."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from commlog.history import read_history

from conftest import copy_demo
from sitebuild import build_site

RECORD = "records/2026/NX-2026-003.yaml"
FOLLOW_UP = "  - {type: follow_up, at: 2026-11-19 10:00, by: zhang-wei, to: customer-a/li-na, note: 第二次催办}\n"


def git(repo: Path, *args: str, author: str = "Alice Admin <alice@hengtai.example>") -> str:
    name, email = author[:-1].split(" <")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+08:00",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def history_repo(tmp_path: Path) -> Path:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Import the register")
    git(repo, "checkout", "-q", "-b", "chase")
    record = repo / RECORD
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace("\nremarks:", "\n" + FOLLOW_UP.rstrip("\n") + "\nremarks:")
        if "\nremarks:" in text
        else text + FOLLOW_UP,
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "Chase customer A again", author="Bob Sales <bob@hengtai.example>")
    git(repo, "checkout", "-q", "main")
    other = repo / "records/2024/NB-2024-056.yaml"
    other.write_text(
        other.read_text(encoding="utf-8").replace(
            "remarks: 供应商已确认可提前交货", "remarks: 供应商已确认可提前交货并已到货"
        ),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "Note the delivery", author="Carol Prod <carol@hengtai.example>")
    git(repo, "merge", "-q", "--no-ff", "chase", "-m", "Merge chase", author="Carol Prod <carol@hengtai.example>")
    git(repo, "mv", "contacts/external/other-o.yaml", "contacts/external/other-p.yaml")
    git(repo, "commit", "-q", "-m", "Rename the association's file")
    return repo


def test_events_and_files_are_attributed(history_repo: Path) -> None:
    history = read_history(history_repo)
    assert history.available
    events = history.events[RECORD]
    assert events[("follow_up", "2026-11-19 10:00")].author == "Bob Sales"
    assert events[("submitted", "2026-11-09 10:00")].author == "Alice Admin"
    assert [c.author for c in history.files[RECORD]] == ["Bob Sales", "Alice Admin"]
    assert [c.subject for c in history.files["records/2024/NB-2024-056.yaml"]] == [
        "Note the delivery",
        "Import the register",
    ]
    assert [c.subject for c in history.files["contacts/external/other-p.yaml"]] == [
        "Rename the association's file",
        "Import the register",
    ]


def test_record_page_shows_who_added_each_event(history_repo: Path, tmp_path: Path) -> None:
    site = build_site(history_repo, tmp_path / "out")
    html = (site / "records/2026/NX-2026-003/index.html").read_text(encoding="utf-8")
    assert "Bob Sales" in html and "Chase customer A again" in html and "第二次催办" in html


def test_no_repository_means_no_history(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "plain")
    assert not read_history(repo).available
