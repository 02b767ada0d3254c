"""The history pass kept by commit: after every kind of move of HEAD, the kept read equals a whole read.

Real git repositories with several authors, branches and merges; each test compares every
field of the kept History with ``read_history(..., use_cache=False)`` and checks how it was
read (kept, extended, or whole again), so a wrong extension or a trusted bad file fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from commlog import history_cache
from commlog.cache import folder
from commlog.history import CACHED, EXTENDED, FULL, History, _cache_key, read_history, record_history

from conftest import copy_demo

RECORD = "records/2026/NX-2026-003.yaml"
OTHER = "records/2024/NB-2024-056.yaml"
PUBLIC = "records/2026/NX-2026-002.yaml"
ALICE = "Alice Admin <alice@hengtai.example>"
BOB = "Bob Sales <bob@hengtai.example>"
CAROL = "Carol Prod <carol@hengtai.example>"
DAVE = "Dave Office <dave@hengtai.example>"
TESTS = Path(__file__).resolve().parent


class Repo:
    """A records repository under git whose commits get increasing times (a branch can be given older ones)."""

    def __init__(self, path: Path):
        self.path = path
        self.clock = 0

    def git(self, *args: str, author: str = ALICE, at: int | None = None) -> str:
        if at is None:
            self.clock += 1
            at = self.clock
        name, email = author[:-1].split(" <")
        moment = f"2026-11-{1 + at // 24:02d}T{at % 24:02d}:00:00+08:00"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": moment,
            "GIT_COMMITTER_DATE": moment,
        }
        done = subprocess.run(["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True)
        return done.stdout

    def commit(self, message: str, author: str = ALICE, at: int | None = None) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, author=author, at=at)
        return self.git("rev-parse", "HEAD").strip()

    def append_event(self, path: str, line: str) -> None:
        """Append an event line to a record's events (before the key that follows them)."""
        file = self.path / path
        lines = file.read_text(encoding="utf-8").split("\n")
        last = max(i for i, text in enumerate(lines) if text.startswith("  - {type:"))
        lines.insert(last + 1, line)
        file.write_text("\n".join(lines), encoding="utf-8")

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.path / path
        text = file.read_text(encoding="utf-8")
        assert old in text, old
        file.write_text(text.replace(old, new, 1), encoding="utf-8")


def event(kind: str, day: int, by: str = "zhang-wei") -> str:
    return f"  - {{type: {kind}, at: 2026-11-{day:02d} 10:00, by: {by}, note: 第{day}次}}"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo(copy_demo(tmp_path / "repo"))
    made.git("init", "-q", "-b", "main")
    made.commit("Import the register")
    return made


def whole(path: Path) -> History:
    return read_history(path, use_cache=False)


def assert_same(kept: History, full: History) -> None:
    """Every field the site reads, one by one (so a failure names the field), then the whole dataclass."""
    assert kept.available == full.available
    assert {p: [c.sha for c in cs] for p, cs in kept.files.items()} == {
        p: [c.sha for c in cs] for p, cs in full.files.items()
    }
    assert kept.files == full.files
    assert kept.events == full.events
    assert kept.touched == full.touched
    assert (kept.shallow, kept.boundary, kept.boundary_date, kept.partial) == (
        full.shallow,
        full.boundary,
        full.boundary_date,
        full.partial,
    )
    assert kept == full


def read_as(path: Path, expected: str) -> History:
    """Read through the cache, check how it was read, and compare it with a whole read."""
    kept = read_history(path)
    assert kept.read_as == expected
    assert_same(kept, whole(path))
    return kept


def cache_file(path: Path) -> Path:
    return folder(path) / history_cache.FILE


# -- HEAD moves on ----------------------------------------------------------------------------


def test_new_commits_extend_the_kept_history(repo: Repo) -> None:
    read_as(repo.path, FULL)
    read_as(repo.path, CACHED)
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase customer A", author=BOB)
    new = (repo.path / RECORD).read_text(encoding="utf-8").replace("NX-2026-003", "NX-2026-099")
    (repo.path / "records/2026/NX-2026-099.yaml").write_text(new, encoding="utf-8")
    repo.commit("Register NX-2026-099", author=CAROL)
    history = read_as(repo.path, EXTENDED)
    assert history.events[RECORD][("follow_up", "2026-11-19 10:00")].author == "Bob Sales"
    assert [c.author for c in history.files["records/2026/NX-2026-099.yaml"]] == ["Carol Prod"]

    repo.git("mv", "contacts/external/other-o.yaml", "contacts/external/other-p.yaml")
    repo.commit("Rename the association's file", author=DAVE)
    (repo.path / "notes.txt").write_text("not a record\n", encoding="utf-8")
    repo.commit("A file the history does not read", author=DAVE)
    history = read_as(repo.path, EXTENDED)
    assert [c.author for c in history.files["contacts/external/other-p.yaml"]] == ["Dave Office", "Alice Admin"]
    assert "contacts/external/other-o.yaml" not in history.files
    (repo.path / "notes.txt").write_text("still not a record\n", encoding="utf-8")
    repo.commit("Only that file again")
    read_as(repo.path, EXTENDED)  # nothing new to read: the kept history, under the new HEAD
    read_as(repo.path, CACHED)


def test_merged_branches_extend_in_the_whole_reads_order(repo: Repo) -> None:
    """A branch from an old commit, merged into a branch of the new one, merged last: git's own orders would put
    its commits among the old ones; the same event added on two lines is credited to the first-parent line's."""
    read_as(repo.path, FULL)
    base = repo.git("rev-parse", "HEAD").strip()
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase on main", author=CAROL)
    read_as(repo.path, EXTENDED)
    kept_at = repo.git("rev-parse", "HEAD").strip()

    repo.git("checkout", "-q", "-b", "older", base)
    repo.append_event(RECORD, event("follow_up", 19))  # the same event, on a line that began before
    repo.commit("Chase on an old branch", author=BOB, at=0)  # and dated before everything
    repo.edit(OTHER, "remarks: ", "remarks: 旧分支:")
    repo.commit("Note on the old branch", author=BOB, at=0)
    repo.git("checkout", "-q", "-b", "feature", kept_at)
    repo.edit(PUBLIC, "summary: ", "summary: 新分支:")
    repo.commit("Note on the new branch", author=DAVE)
    repo.git("checkout", "-q", "older")
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge feature into older", author=DAVE)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "older", "-m", "Merge older", author=CAROL)

    history = read_as(repo.path, EXTENDED)
    assert history.events[RECORD][("follow_up", "2026-11-19 10:00")].subject == "Chase on main"
    assert [c.subject for c in history.files[OTHER]] == ["Note on the old branch", "Import the register"]
    assert [c.subject for c in history.files[RECORD]] == [
        "Chase on an old branch",
        "Chase on main",
        "Import the register",
    ]


def test_head_reached_through_a_merged_branch_is_read_whole(repo: Repo) -> None:
    """The kept commit is HEAD's ancestor only through a merge's second parent: its history is not a prefix."""
    base = repo.git("rev-parse", "HEAD").strip()
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase on main", author=BOB)
    repo.git("checkout", "-q", "-b", "feature", base)
    repo.edit(OTHER, "remarks: ", "remarks: 分支:")
    repo.commit("Note on feature", author=CAROL)
    repo.git("checkout", "-q", "main")
    read_as(repo.path, FULL)
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "--no-ff", "main", "-m", "Merge main into feature", author=CAROL)
    read_as(repo.path, FULL)
    read_as(repo.path, CACHED)


@pytest.mark.parametrize("move", ["amend", "rebase", "reset to an ancestor", "reset to an unrelated commit"])
def test_rewritten_history_is_read_whole(repo: Repo, move: str) -> None:
    repo.git("checkout", "-q", "-b", "topic")
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase customer A", author=BOB)
    repo.edit(OTHER, "remarks: ", "remarks: 补充:")
    repo.commit("Note the delivery", author=BOB)
    read_as(repo.path, FULL)
    if move == "amend":
        repo.edit(OTHER, "补充:", "再补充:")
        repo.git("commit", "-q", "-a", "--amend", "-m", "Note the delivery (amended)", author=CAROL)
    elif move == "rebase":
        repo.git("checkout", "-q", "main")
        repo.edit(PUBLIC, "summary: ", "summary: 主线:")
        repo.commit("Main moves on", author=DAVE)
        repo.git("checkout", "-q", "topic")
        repo.git("rebase", "-q", "main", author=CAROL)
    elif move == "reset to an ancestor":
        repo.git("reset", "-q", "--hard", "HEAD~1")
    else:
        repo.git("checkout", "-q", "--orphan", "other")
        repo.append_event(RECORD, event("follow_up", 20))
        repo.commit("Start again", author=DAVE)
    read_as(repo.path, FULL)
    read_as(repo.path, CACHED)


def test_other_paths_are_kept_apart(repo: Repo) -> None:
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase customer A", author=BOB)
    only_records = read_history(repo.path, ("records",))
    assert only_records.read_as == FULL and "policy.yaml" not in only_records.files
    read_as(repo.path, FULL)  # the kept history of records/ alone is not the site's
    record_history(repo.path, RECORD)  # one record's history is never kept: it would replace the site's
    read_as(repo.path, CACHED)


def test_a_deepened_shallow_clone_is_read_whole(repo: Repo, tmp_path: Path) -> None:
    for day, author in ((17, BOB), (18, CAROL), (19, DAVE)):
        repo.append_event(RECORD, event("follow_up", day))
        repo.commit(f"Chase on the {day}th", author=author)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", repo.path.as_uri(), str(clone)], check=True)
    history = read_as(clone, FULL)
    assert history.shallow and history.events[RECORD][("follow_up", "2026-11-18 10:00")] is None
    subprocess.run(["git", "fetch", "-q", "--deepen", "1"], cwd=clone, check=True)
    history = read_as(clone, FULL)
    assert history.events[RECORD][("follow_up", "2026-11-18 10:00")].author == "Carol Prod"
    subprocess.run(["git", "fetch", "-q", "--unshallow"], cwd=clone, check=True)
    history = read_as(clone, FULL)
    assert not history.shallow and history.events[RECORD][("follow_up", "2026-11-17 10:00")].author == "Bob Sales"


# -- a kept file that is not what it should be ------------------------------------------------------


def shallow_copy_cache(repo: Repo, tmp_path: Path) -> Path:
    """The kept file of a shallow clone of ``repo`` at the same HEAD: the same commit, another history."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.path.as_uri(), str(clone)], check=True)
    assert read_history(clone).read_as == FULL
    return cache_file(clone)


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "one byte changed", "empty", "foreign", "a folder", "malformed with a valid digest"],
)
def test_a_damaged_or_foreign_cache_is_read_whole(repo: Repo, tmp_path: Path, damage: str) -> None:
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase customer A", author=BOB)
    read_as(repo.path, FULL)
    target = cache_file(repo.path)
    raw = target.read_bytes()
    if damage == "garbage":
        target.write_bytes(os.urandom(len(raw)))
    elif damage == "truncated":
        target.write_bytes(raw[: len(raw) // 2])
    elif damage == "one byte changed":
        at = raw.index(b"Bob Sales")
        target.write_bytes(raw[:at] + b"M" + raw[at + 1 :])
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "foreign":
        shutil.copyfile(shallow_copy_cache(repo, tmp_path), target)
    elif damage == "a folder":
        target.unlink()
        target.mkdir()
    else:
        key = _cache_key(repo.path.resolve(), ("records", "contacts", "policy.yaml"), set())
        state = history_cache.load(repo.path, key)
        assert state is not None
        history_cache.save(repo.path, key, {**state, "commits": [["only", "three", "fields"]]})
    read_as(repo.path, FULL)
    if damage != "a folder":  # the bad file was replaced by a good one
        read_as(repo.path, CACHED)


def test_a_cache_of_other_code_is_not_trusted(repo: Repo) -> None:
    """A whole, well-signed file made under another key (other code, paths or git) is not read; under ours it
    would be, which is what the key protects."""
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase customer A", author=BOB)
    read_as(repo.path, FULL)
    key = _cache_key(repo.path.resolve(), ("records", "contacts", "policy.yaml"), set())
    state = history_cache.load(repo.path, key)
    assert state is not None
    state["commits"] = [[sha, "Mallory", *rest] for sha, _, *rest in state["commits"]]
    history_cache.save(repo.path, {**key, "code": "another commlog"}, state)
    read_as(repo.path, FULL)
    history_cache.save(repo.path, key, state)
    tampered = read_history(repo.path)
    assert tampered.read_as == CACHED and tampered != whole(repo.path)  # the control: a file under our key is used


def test_a_link_at_the_cache_path_is_neither_read_nor_written_through(repo: Repo, tmp_path: Path) -> None:
    read_as(repo.path, FULL)
    elsewhere = tmp_path / "elsewhere.json"
    shutil.copyfile(cache_file(repo.path), elsewhere)  # our own kept file, one commit behind once HEAD moves
    before = elsewhere.read_bytes()
    cache_file(repo.path).unlink()
    cache_file(repo.path).symlink_to(elsewhere)
    repo.append_event(RECORD, event("follow_up", 19))
    repo.commit("Chase customer A", author=BOB)
    read_as(repo.path, FULL)  # followed, it would have been extended
    assert elsewhere.read_bytes() == before
    assert not cache_file(repo.path).is_symlink()
    read_as(repo.path, CACHED)


# -- processes at once -------------------------------------------------------------------------


def canonical(history: History) -> str:
    """Every field of a History as JSON text, for comparing across processes."""
    return json.dumps(
        {
            "files": {p: [asdict(c) for c in cs] for p, cs in sorted(history.files.items())},
            "events": {
                p: sorted([*k, asdict(c) if c else None] for k, c in ev.items())
                for p, ev in sorted(history.events.items())
            },
            "touched": {sha: sorted(paths) for sha, paths in sorted(history.touched.items())},
            "state": [history.available, history.shallow, sorted(history.boundary), history.boundary_date],
        },
        sort_keys=True,
    )


READER = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from pathlib import Path
from commlog.history import read_history
from test_history_cache import canonical
history = read_history(Path(sys.argv[1]))
print(history.read_as)
print(canonical(history))
"""


def test_processes_extending_at_once_agree_and_leave_a_whole_cache(repo: Repo) -> None:
    read_as(repo.path, FULL)
    for day, author in ((17, BOB), (18, CAROL), (19, DAVE)):
        repo.append_event(RECORD, event("follow_up", day))
        repo.commit(f"Chase on the {day}th", author=author)
    expected = canonical(whole(repo.path))
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(repo.path)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [reader.communicate()[0].split("\n", 1) for reader in readers]
    assert all(reader.returncode == 0 for reader in readers)
    assert {how for how, _ in outputs} <= {EXTENDED, CACHED} and EXTENDED in {how for how, _ in outputs}
    assert all(text.strip() == expected for _, text in outputs)
    kept = read_as(repo.path, CACHED)
    assert canonical(kept) == expected
    assert not [p for p in folder(repo.path).iterdir() if p.name != history_cache.FILE and "history" in p.name]
