"""The derived index never gives another answer than judging afresh.

Each test changes something the answers depend on (a file edited within the same second and kept
the same size, the policy, a calendar override, a schema, the branch, a copy made with ``cp -a``,
two processes at once) and compares validate's findings, the overdue report (at a fixed moment
and after every event) and a record's deadlines with a run on an empty cache folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commlog.cache import folder as cache_folder
from test_history import git

from conftest import ROOT, copy_demo, run_commlog, same_size_edit
from sitebuild import AS_OF

RECORD = "records/2026/NX-2026-003.yaml"
CHECKS = (
    ("validate", "--format", "json"),
    ("overdue", "--format", "json", "--as-of", AS_OF),
    ("overdue", "--format", "json", "--as-of", "2027-03-01 09:00"),
    ("due", "NX-2026-003", "--format", "json", "--as-of", AS_OF),
)


def run_in(repo: Path, args: tuple[str, ...], cache: Path, python_path: Path | None = None) -> str:
    env = {**os.environ, "PYTHONUTF8": "1", "COMMLOG_CACHE_DIR": str(cache)}
    if python_path is not None:
        env["PYTHONPATH"] = str(python_path)
    done = subprocess.run(
        [sys.executable, "-m", "commlog", *args, "--repo", str(repo)], capture_output=True, text=True, env=env
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def agrees(repo: Path, tmp_path: Path, python_path: Path | None = None) -> list[str]:
    """Run every check with the index (twice: filling it, then answered by it) and on an empty cache: the same."""
    cache = Path(os.environ["COMMLOG_CACHE_DIR"])
    outputs = []
    for args in CHECKS:
        first = run_in(repo, args, cache, python_path)
        second = run_in(repo, args, cache, python_path)
        empty = tmp_path / f"empty-{len(list(tmp_path.glob('empty-*')))}"
        fresh = run_in(repo, args, empty, python_path)
        assert first == fresh, (args, "the run that met the change")
        assert second == fresh, (args, "the run after it")
        outputs.append(fresh)
    return outputs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = copy_demo(tmp_path / "repo")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "demo")
    return target


def test_a_same_size_same_second_edit_is_seen(repo: Path, tmp_path: Path) -> None:
    before = agrees(repo, tmp_path)
    # Urgent after all: other time limits, the same size, the same modification time.
    same_size_edit(repo / RECORD, "urgency: normal", "urgency: urgent")
    after = agrees(repo, tmp_path)
    assert after[1] != before[1] and after[3] != before[3]  # the overdue report and the deadlines did change


def test_a_changed_policy_and_a_new_calendar_override_are_seen(repo: Path, tmp_path: Path) -> None:
    before = agrees(repo, tmp_path)
    policy = repo / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(
        text.replace(
            "  overrides: []",
            "  overrides:\n    - {date: 2026-11-10, workday: false, reason: 公司年会, source: 行政部通知}",
        ),
        encoding="utf-8",
    )
    overridden = agrees(repo, tmp_path)
    assert overridden[3] != before[3]  # the deadline moved past the rest day
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "{stage: feedback, urgency: normal, amount: 2,", "{stage: feedback, urgency: normal, amount: 5,"
        ),
        encoding="utf-8",
    )
    assert agrees(repo, tmp_path)[1] != overridden[1]


def test_a_changed_contact_is_seen(repo: Path, tmp_path: Path) -> None:
    before = agrees(repo, tmp_path)
    person = repo / "contacts/internal/wang-fang.yaml"  # head of 市场部, who approves and answers
    text = person.read_text(encoding="utf-8")
    person.write_text(text.replace("roles: [dept_head]", "roles: []"), encoding="utf-8")
    assert agrees(repo, tmp_path) != before


def test_a_changed_schema_is_seen(repo: Path, tmp_path: Path) -> None:
    """commlog installed elsewhere with its schemas beside it: a schema edited there changes the verdict."""
    installed = tmp_path / "installed"
    shutil.copytree(ROOT / "cli/commlog", installed / "cli/commlog", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schemas", installed / "schemas")
    before = agrees(repo, tmp_path, installed / "cli")
    schema = installed / "schemas/message.schema.json"
    text = schema.read_text(encoding="utf-8")
    assert '        "normal",\n' in text
    schema.write_text(text.replace('        "normal",\n', '        "normal-x",\n', 1), encoding="utf-8")
    after = agrees(repo, tmp_path, installed / "cli")
    assert after[0] != before[0] and "schema-enum" in after[0]


def test_a_switched_branch_and_a_copy_are_seen(repo: Path, tmp_path: Path) -> None:
    on_main = agrees(repo, tmp_path)
    git(repo, "checkout", "-q", "-b", "late")
    record = repo / RECORD
    same_size_edit(record, "urgency: normal", "urgency: urgent")
    git(repo, "commit", "-q", "-am", "urgent after all")
    on_branch = agrees(repo, tmp_path)
    assert on_branch != on_main
    git(repo, "checkout", "-q", "main")
    assert agrees(repo, tmp_path) == on_main
    git(repo, "stash", "list")
    same_size_edit(record, "urgency: normal", "urgency: urgent")
    assert agrees(repo, tmp_path) == on_branch
    git(repo, "stash", "-q")
    assert agrees(repo, tmp_path) == on_main
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(repo), str(copy)], check=True)
    same_size_edit(copy / RECORD, "urgency: normal", "urgency: urgent")
    assert agrees(copy, tmp_path) == on_branch
    assert agrees(repo, tmp_path) == on_main


def test_two_processes_at_once(repo: Path, tmp_path: Path) -> None:
    """Runs started together (each filling the index) all answer as a fresh run, and leave a sound index."""
    fresh = agrees(repo, tmp_path)
    shutil.rmtree(cache_folder(repo), ignore_errors=True)
    env = {**os.environ, "PYTHONUTF8": "1"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "commlog", *CHECKS[i % len(CHECKS)], "--repo", str(repo)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(8)
    ]
    for i, run in enumerate(runs):
        out, err = run.communicate(timeout=300)
        assert "Traceback" not in err, err
        assert out == fresh[i % len(CHECKS)], CHECKS[i % len(CHECKS)]
    assert agrees(repo, tmp_path) == fresh
    assert run_commlog("validate", "--repo", str(repo)).returncode == 0


def test_every_invalid_example_at_once(repo: Path, tmp_path: Path) -> None:
    """The records compared through their facts find what comparing the whole records finds: the invalid
    examples of tests/examples in one repository (one per path, the policy's own aside), then one removed."""
    from test_examples import _examples, _header, _place

    taken: set[str] = {"policy.yaml"}
    for example in _examples("invalid"):
        if _header(example)[0] not in taken:
            taken.add(_header(example)[0])
            _place(example, repo)
    before = agrees(repo, tmp_path)
    rules = {f["rule"]: f["path"] for f in json.loads(before[0])["findings"]}
    assert len(rules) > 10
    compared = {"unique-id", "unique-archive-no", "archive-no-order", "unknown-record"} & set(rules)
    assert compared, rules
    (repo / rules[sorted(compared)[0]]).unlink()
    assert agrees(repo, tmp_path)[0] != before[0]


@pytest.mark.parametrize(
    "setting",
    [
        ("update-index", "--assume-unchanged", RECORD),
        ("update-index", "--skip-worktree", RECORD),
        ("config", "core.ignoreStat", "true"),
        ("config", "core.trustCtime", "false"),
        ("config", "core.checkStat", "minimal"),
        ("config", "core.trustCtime", ""),  # git reads an empty value as false
        ("config", "core.trustCtime", "0x0"),
        ("config", "core.fsmonitor", "true"),
    ],
)
def test_git_is_not_trusted_where_it_was_told_to_look_away(
    repo: Path, tmp_path: Path, setting: tuple[str, ...]
) -> None:
    """A committed file's content key comes from git's index only where git compares the file's stat in full."""
    cache = tmp_path / "cache"
    assert json.loads(run_in(repo, ("validate", "--format", "json"), cache))["findings"] == []
    git(repo, *setting)
    same_size_edit(repo / RECORD, "urgency: normal", "urgency: nxrmal")  # invalid, and git may call it unchanged
    found = json.loads(run_in(repo, ("validate", "--format", "json"), cache))["findings"]
    assert [(f["path"], f["rule"]) for f in found] == [(RECORD, "schema-enum")], found


def test_a_records_folder_inside_another_repository(tmp_path: Path) -> None:
    """Git vouches only for the top of its own work tree: a records folder in a bigger repository is hashed itself."""
    outer = tmp_path / "outer"
    target = copy_demo(outer / "register")
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "demo inside")
    cache = tmp_path / "cache"
    assert json.loads(run_in(target, ("validate", "--format", "json"), cache))["findings"] == []
    same_size_edit(target / RECORD, "urgency: normal", "urgency: nxrmal")
    found = json.loads(run_in(target, ("validate", "--format", "json"), cache))["findings"]
    assert [(f["path"], f["rule"]) for f in found] == [(RECORD, "schema-enum")], found


@pytest.mark.parametrize(
    "where", [".git/info/attributes", ".gitattributes", "records/.gitattributes", "records/2026/.gitattributes"]
)
def test_git_is_not_trusted_where_attributes_may_convert_the_bytes(repo: Path, tmp_path: Path, where: str) -> None:
    """A file whose bytes on disk differ from its blob (an encoding, a filter, line ends) is judged as it is on disk."""
    cache = tmp_path / "cache"
    assert json.loads(run_in(repo, ("validate", "--format", "json"), cache))["findings"] == []
    attributes = repo / where
    attributes.write_text(
        f"/{RECORD} working-tree-encoding=UTF-16LE-BOM\n"
        if where.startswith(".")
        else "*.yaml working-tree-encoding=UTF-16LE-BOM\n",
        encoding="utf-8",
    )
    (repo / RECORD).unlink()
    git(repo, "checkout", "--", RECORD)  # written again through the attribute: UTF-16 on disk, git calls it clean
    assert (repo / RECORD).read_bytes()[:2] == b"\xff\xfe"
    found = json.loads(run_in(repo, ("validate", "--format", "json"), cache))["findings"]
    fresh = json.loads(run_in(repo, ("validate", "--format", "json"), tmp_path / "empty"))["findings"]
    assert found == fresh and any(f["path"] == RECORD and f["rule"] == "yaml-encoding" for f in found), found
