"""Git history read in one pass, in a real repository with several authors, a branch and a merge."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from commlog.history import read_history

from conftest import copy_demo, run_commlog
from sitebuild import build_site, output_texts

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
        # 10:00 in Shanghai, written in UTC: record pages show commit times in the policy's timezone.
        "GIT_AUTHOR_DATE": "2026-11-20T02:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-11-20T02:00:00+00:00",
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
    assert "<td>2026-11-20 10:00</td>" in html and "2026-11-20 02:00" not in html


def test_no_repository_means_no_history(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "plain")
    assert not read_history(repo).available


# -- history that no content can break, and that never tells more than the build may show ------

PUBLIC = "records/2026/NX-2026-002.yaml"
SECRETIVE = "records/2026/NX-2026-001.yaml"  # confidential
COMMENT = "  - {type: comment, at: 2026-04-08 09:00, by: ye-qing, note: 已电话确认}\n"
ODD = "\x1e\x1f\x1c\x1d\x0b\x0c\x85\u2028\u2029\x01|"
"""Characters that str.splitlines() splits on, or that once separated git's fields."""


def commit(repo: Path, message: str | bytes, author: str = "Alice Admin <alice@hengtai.example>") -> str:
    """Commit every change with ``message`` verbatim (any bytes git accepts); the new commit's id."""
    (repo.parent / "message").write_bytes(message if isinstance(message, bytes) else message.encode())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--cleanup=verbatim", "-F", str(repo.parent / "message"), author=author)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def imported(tmp_path: Path, name: str = "repo") -> Path:
    repo = copy_demo(tmp_path / name, with_site=True)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Import the register")
    return repo


def with_comment(repo: Path) -> None:
    edit(repo, PUBLIC, "  - {type: feedback, at: 2026-04-08", COMMENT + "  - {type: feedback, at: 2026-04-08")


def test_no_content_breaks_the_history(tmp_path: Path) -> None:
    """Separators, line breaks of every kind, NUL, odd file names and binary files, in subjects and past versions."""
    repo = imported(tmp_path)
    original = (repo / PUBLIC).read_text(encoding="utf-8")
    with_comment(repo)
    garbled = (repo / PUBLIC).read_text(encoding="utf-8")
    garbled += f"remarks: 'x{ODD}y'\n++ b/{SECRETIVE}\n\x1e\n" + "# " + "x" * 9000 + "\x00 after 8000 bytes\n"
    (repo / PUBLIC).write_text(garbled, encoding="utf-8")
    folder = repo / PUBLIC.removesuffix(".yaml")
    folder.mkdir()
    (folder / 'scan "1"\t名.bin').write_bytes(b"\x00\x01\x1e\xff" * 10)
    (folder / "回执 1.txt").write_text(f"receipt{ODD}\n", encoding="utf-8")
    subject = f"Garble{ODD}the remarks"
    garble = commit(repo, f"{subject}\n\nbody {ODD}\n", author="Bob Sales <bob@hengtai.example>")
    (repo / PUBLIC).write_text(original, encoding="utf-8")
    with_comment(repo)
    restore = commit(repo, "Restore\x1e the record")
    # git refuses NUL in a message, but a commit object made by other tools may hold one
    edit(repo, PUBLIC, "已电话确认", "已电话确认并记录")
    git(repo, "add", "-A")
    idents = [
        line
        for line in git(repo, "cat-file", "commit", "HEAD").split("\n")
        if line.startswith(("author ", "committer "))
    ]
    header = f"tree {git(repo, 'write-tree').strip()}\nparent {restore}\n" + "\n".join(idents) + "\n\n"
    (tmp_path / "object").write_bytes(header.encode() + b"Nul\x00 byte \xff\n")
    crafted = git(repo, "hash-object", "-t", "commit", "-w", "--literally", str(tmp_path / "object")).strip()
    git(repo, "update-ref", "refs/heads/main", crafted)

    history = read_history(repo)
    assert [c.subject for c in history.files[PUBLIC]] == [
        "Nul",
        "Restore\x1e the record",
        subject,
        "Import the register",
    ]
    assert [c.sha for c in history.files[PUBLIC]][1:3] == [restore, garble]
    assert history.events[PUBLIC][("comment", "2026-04-08 09:00")].sha == garble
    assert history.events[PUBLIC][("submitted", "2026-04-07 14:00")].subject == "Import the register"
    assert history.touched[garble] == {
        PUBLIC,
        'records/2026/NX-2026-002/scan "1"\t名.bin',
        "records/2026/NX-2026-002/回执 1.txt",
    }
    assert SECRETIVE not in history.touched[garble] and len(history.files[SECRETIVE]) == 1
    # The repository is valid but for the tab in an attachment's name (a file-name finding).
    found = json.loads(run_commlog("validate", "--repo", str(repo), "--format", "json").stdout)["findings"]
    assert [(f["path"], f["rule"]) for f in found] == [('records/2026/NX-2026-002/scan "1"\\x09名.bin', "file-name")]
    site = build_site(repo, tmp_path / "out", "public")
    html = (site / "records/2026/NX-2026-002/index.html").read_text(encoding="utf-8")
    assert garble[:8] in html and crafted[:8] in html and "Bob Sales" in html


def test_subjects_of_commits_that_touched_hidden_records_are_not_shown(tmp_path: Path) -> None:
    repo = imported(tmp_path)
    edit(repo, PUBLIC, "summary: 请本地电视台", "summary: 请本地电视台尽快")
    edit(repo, SECRETIVE, "付款周期", "付款周期(调整)")
    both = commit(repo, "Reprice PRICEMARKER for the framework deal", author="Bob Sales <bob@hengtai.example>")
    edit(repo, SECRETIVE, "付款周期(调整)", "付款周期(再调整)")
    (repo / SECRETIVE.removesuffix(".yaml")).mkdir()
    (repo / SECRETIVE.removesuffix(".yaml") / "FILEMARKER.txt").write_text("x", encoding="utf-8")
    commit(repo, "AUTHORMARKER only", author="Dave AUTHORMARKER <dave@hengtai.example>")
    with_comment(repo)
    commit(repo, "Note the public call")
    site = build_site(repo, tmp_path / "out", "public")
    html = (site / "records/2026/NX-2026-002/index.html").read_text(encoding="utf-8")
    assert both[:8] in html and "Bob Sales" in html and "Note the public call" in html
    assert html.count("（该提交也改动了本站不显示的文件，提交说明已隐藏）") == 2  # the import touched every record too
    for path, text in output_texts(site):
        for marker in (b"PRICEMARKER", b"Import the register", b"AUTHORMARKER", b"FILEMARKER"):
            assert marker not in text and marker.decode() not in path.as_posix(), path


def test_shallow_clone_credits_no_boundary_commit(tmp_path: Path) -> None:
    source = imported(tmp_path, "source")
    edit(source, PUBLIC, "summary: 请本地电视台", "summary: 请本地电视台尽快")
    commit(source, "Public edit one", author="Bob Sales <bob@hengtai.example>")
    edit(source, SECRETIVE, "付款周期", "付款周期(调整)")
    with_comment(source)
    boundary = commit(source, "BOUNDARYMARKER terms", author="Carol Secret <carol@hengtai.example>")
    edit(source, PUBLIC, "尽快", "尽快(已确认)")
    latest = commit(source, "Public edit two", author="Bob Sales <bob@hengtai.example>")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", source.as_uri(), str(clone))

    history = read_history(clone)
    assert history.available and history.shallow and history.boundary == {boundary}
    assert [c.sha for c in history.files[PUBLIC]] == [latest]
    assert not history.files[SECRETIVE] and boundary not in history.touched
    assert history.events[PUBLIC][("comment", "2026-04-08 09:00")] is None  # before the visible history
    result = run_commlog(
        "site",
        "build",
        "--repo",
        str(clone),
        "--clearance",
        "public",
        "--as-of",
        "2026-11-20 17:00",
        "--output",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    assert "shallow" in result.stderr and "fetch" in result.stderr
    html = (tmp_path / "out/records/2026/NX-2026-002/index.html").read_text(encoding="utf-8")
    assert "历史不完整" in html and "浅克隆" in html and "Public edit two" in html
    other = (tmp_path / "out/records/2024/XZ-2024-001/index.html").read_text(encoding="utf-8")
    assert "历史不完整" in other and boundary[:8] not in other
    for path, text in output_texts(tmp_path / "out"):
        assert b"BOUNDARYMARKER" not in text and b"Carol Secret" not in text, path

    single = tmp_path / "single"
    git(tmp_path, "clone", "-q", "--depth", "1", source.as_uri(), str(single))
    history = read_history(single)
    assert history.shallow and history.boundary == {latest}
    assert not any(history.files.values()) and not history.touched


def test_partial_clone_is_reported(tmp_path: Path) -> None:
    source = imported(tmp_path, "source")
    edit(source, PUBLIC, "summary: 请本地电视台", "summary: 请本地电视台尽快")
    commit(source, "Public edit one")
    git(source, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", source.as_uri(), str(clone))
    history = read_history(clone)
    assert history.partial and not history.shallow
    assert [c.subject for c in history.files[PUBLIC]] == ["Public edit one", "Import the register"]


def test_a_repository_inside_another_has_no_history_of_its_own(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    repo = copy_demo(outer / "archive", with_site=True)
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "OUTERMARKER import")
    assert not read_history(repo).available
    site = build_site(repo, tmp_path / "out")
    html = (site / "records/2026/NX-2026-002/index.html").read_text(encoding="utf-8")
    assert "没有 git 历史" in html
    for path, text in output_texts(site):
        assert b"OUTERMARKER" not in text, path


def test_ids_of_hidden_records_are_redacted_whatever_their_state(tmp_path: Path) -> None:
    """A confidential record that is invalid, or not yet submitted at the as-of time, is still hidden by its id."""
    repo = imported(tmp_path)
    edit(repo, "records/2025/ZB-2025-001.yaml", "urgency: ", "urgency: whenever_")  # invalid
    future = (repo / SECRETIVE).read_text(encoding="utf-8").replace("NX-2026-001", "NX-2026-950")
    future = future.replace("2026-01-1", "2026-12-1")  # every event after the as-of time
    (repo / "records/2026/NX-2026-950.yaml").write_text(future, encoding="utf-8")
    stray = future.replace("NX-2026-950", "NX-2026-951").replace("classification: ", "classification: x")
    (repo / "records/2026/draft.yaml").write_text(stray, encoding="utf-8")  # invalid, its id only inside
    edit(
        repo,
        PUBLIC,
        "importance: normal",
        "importance: normal\nremarks: 参见ZB-2025-001、NX-2026-950、NX-2026-951、xNX-2026-001、ref-FW-2025-002",
    )
    commit(repo, "Cite ZB-2025-001, NX-2026-950 and NX-2026-951")
    edit(repo, PUBLIC, "参见", "另参见")
    commit(repo, "Cite NX-2026-950 again")  # touches only the public record: its subject is shown, ids redacted
    site = build_site(repo, tmp_path / "out", "public")
    html = (site / "records/2026/NX-2026-002/index.html").read_text(encoding="utf-8")
    assert "另参见（无权查看的记录）" in html and "Cite （无权查看的记录） again" in html
    for path, text in output_texts(site):
        for hidden in (b"ZB-2025-001", b"NX-2026-950", b"NX-2026-951", b"NX-2026-001", b"FW-2025-002"):
            assert hidden not in text, (path, hidden)
