"""The lifecycle commands in real git repositories, acted by several configured identities."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

EMAIL = {
    "zhang-wei": "zhang.wei@hengtai.example",  # 市场部 staff
    "wang-fang": "wang.fang@hengtai.example",  # 市场部 head
    "li-qiang": "li.qiang@hengtai.example",  # 经营板块 division leader
    "zhao-min": "zhao.min@hengtai.example",  # archivist
    "he-jing": "he.jing@hengtai.example",  # 总经理办公室, delegate of the general manager
    "chen-jianguo": "chen.jianguo@hengtai.example",  # general manager
    "guo-xia": "guo.xia@hengtai.example",  # 行政部 staff
    "liu-yang": "liu.yang@hengtai.example",  # 行政部 head
    "deng-gang": "deng.gang@hengtai.example",  # 生产部 head
    "cao-lin": "cao.lin@hengtai.example",  # 生产部 staff
    "xiao-nan": "xiao.nan@hengtai.example",  # 采购部 head
    "fan-hui": "fan.hui@hengtai.example",  # departed
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(demo_repo: Path) -> Path:
    git(demo_repo, "init", "-q", "-b", "main")
    git(demo_repo, "config", "user.name", "Admin")
    git(demo_repo, "config", "user.email", "admin@hengtai.example")
    git(demo_repo, "add", "-A")
    git(demo_repo, "commit", "-qm", "demo")
    return demo_repo


def act(root: Path, person: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run commlog as ``person`` (git's user.email set to theirs), without a terminal."""
    git(root, "config", "user.email", EMAIL.get(person, person))
    return subprocess.run(
        [sys.executable, "-m", "commlog", *args],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUTF8": "1"},
    )


def commit(root: Path, person: str, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", f"user.name={person}", "commit", "-qm", message)


def added_lines_only(root: Path) -> list[str]:
    """The lines the uncommitted change adds; fails if it removes or changes any."""
    diff = git(root, "diff", "--unified=0", "HEAD")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [], diff
    return [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "records").rglob("*")) if p.is_file()
    }


def refused(root: Path, person: str, *args: str, says: str) -> None:
    """The command is refused with a message containing ``says``, and no file changes."""
    before = snapshot(root)
    result = act(root, person, *args)
    assert result.returncode != 0, result.stdout
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def new_message(root: Path, *extra: str) -> str:
    result = act(
        root,
        "zhang-wei",
        "new",
        "message",
        "--to",
        "customer-a/li-na",
        "--subject",
        "确认11月交期",
        "--summary",
        "请客户确认11月交期。",
        "--channel",
        "email",
        "--format",
        "json",
        *extra,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["id"]


def record(root: Path, record_id: str) -> dict:
    return yaml.safe_load((root / "records" / record_id.split("-")[1] / f"{record_id}.yaml").read_text())


def test_an_external_message_from_new_to_archive(repo: Path) -> None:
    result = act(
        repo, "zhang-wei", "new", "message", "--to", "customer-a/li-na", "--subject", "确认11月交期",
        "--summary", "请客户确认交期。", "--channel", "email", "--urgency", "urgent", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    made = json.loads(result.stdout)
    year = made["id"].split("-")[1]
    assert made["path"] == f"records/{year}/{made['id']}.yaml"
    assert [a["role"] for a in made["approvals_needed"]] == ["dept_head", "division_leader"]
    assert made["approvals_needed"][0]["holders"] == ["wang-fang"]
    assert [s["stage"] for s in made["stages"]] == ["review"]
    assert act(repo, "zhang-wei", "validate").returncode == 0
    commit(repo, "zhang-wei", "register")
    record_id = made["id"]
    steps = [
        ("wang-fang", ["approve", record_id, "--note", "同意"], "role: dept_head"),
        ("li-qiang", ["approve", record_id], "role: division_leader"),
        ("zhang-wei", ["send", record_id, "--channel", "email", "--evidence", "邮件已送达"], "type: sent"),
        (
            "zhang-wei",
            ["feedback", record_id, "--from", "customer-a/li-na", "--note", "确认"],
            "recorded_by: zhang-wei",
        ),
        ("zhang-wei", ["complete", record_id], "type: completed"),
        ("zhao-min", ["archive", record_id], "archive_no: ND-"),
    ]
    for person, args, expected in steps:
        result = act(repo, person, *args)
        assert result.returncode == 0, result.stderr
        lines = added_lines_only(repo)
        assert len(lines) == 1 and expected in lines[0], lines
        commit(repo, person, args[0])
    data = record(repo, record_id)
    assert [e["type"] for e in data["events"]] == [
        "submitted", "approved", "approved", "sent", "feedback", "completed", "archived",
    ]  # fmt: skip
    assert data["events"][-1]["archive_no"] > "ND-2026-1005"  # past every archive number the demo gave
    assert act(repo, "zhang-wei", "validate").returncode == 0
    assert act(repo, "zhang-wei", "fmt", "--check").returncode == 0


def test_refusals_name_the_reason_and_write_nothing(repo: Path) -> None:
    record_id = new_message(repo)
    commit(repo, "zhang-wei", "register")
    refused(repo, "zhang-wei", "approve", record_id, says="holds none of the roles")
    refused(repo, "zhang-wei", "send", record_id, "--channel", "email", says="still needs the approval")
    refused(repo, "zhao-min", "archive", record_id, says="`archive` needs it")
    refused(repo, "wang-fang", "approve", record_id, "--at", "2020-01-01 09:00", says="before the record's last event")
    refused(repo, "wang-fang", "approve", record_id, "--at", "2099-01-01 09:00", says="in the future")
    refused(repo, "nobody@example.com", "approve", record_id, says="git config user.email")
    refused(repo, "fan-hui", "comment", record_id, "--note", "x", says="departed")
    refused(repo, "zhang-wei", "approve", "NX-2026-999", says="there is no record NX-2026-999")
    refused(repo, "zhang-wei", "publish", record_id, says="has no 'publish' step")
    assert act(repo, "wang-fang", "approve", record_id).returncode == 0
    assert act(repo, "li-qiang", "approve", record_id).returncode == 0
    refused(repo, "zhang-wei", "send", record_id, "--channel", "fax", says="not in policy.yaml")
    refused(repo, "guo-xia", "send", record_id, "--channel", "email", says="staff of the sending department")
    refused(repo, "zhang-wei", "complete", record_id, says="`complete` needs it")
    no_channel = act(repo, "zhang-wei", "send", record_id)
    assert no_channel.returncode == 2 and "--channel" in no_channel.stderr


def test_a_confidential_record_may_not_go_by_phone(repo: Path) -> None:
    record_id = new_message(repo, "--classification", "confidential")
    act(repo, "wang-fang", "approve", record_id)
    act(repo, "li-qiang", "approve", record_id)
    refused(repo, "zhang-wei", "send", record_id, "--channel", "phone", says="may not carry confidential")


def test_a_delegate_records_the_general_managers_approval(repo: Path) -> None:
    record_id = new_message(repo, "--importance", "important")
    act(repo, "wang-fang", "approve", record_id)
    act(repo, "li-qiang", "approve", record_id)
    refused(repo, "zhang-wei", "approve", record_id, "--for", "chen-jianguo", says="the policy lets: 何静 (he-jing)")
    result = act(repo, "he-jing", "approve", record_id, "--for", "chen-jianguo", "--note", "电话同意")
    assert result.returncode == 0, result.stderr
    last = record(repo, record_id)["events"][-1]
    assert (last["by"], last["recorded_by"], last["role"]) == ("chen-jianguo", "he-jing", "general_manager")
    assert act(repo, "zhang-wei", "validate").returncode == 0


def test_a_recorded_by_that_is_no_delegate_is_a_finding(repo: Path) -> None:
    path = repo / "records/2024/NX-2024-001.yaml"
    data = yaml.safe_load(path.read_text())
    index = next(i for i, e in enumerate(data["events"]) if e["type"] == "approved")
    text = path.read_text().splitlines()
    line = next(i for i, t in enumerate(text) if "type: approved" in t)
    text[line] = text[line].replace("}", ", recorded_by: zhang-wei}")
    path.write_text("\n".join(text) + "\n")
    result = act(repo, "zhang-wei", "validate")
    assert result.returncode == 1 and "recorded-by" in result.stdout, (index, result.stdout)


def test_ids_are_not_taken_twice_across_branches(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "colleague")
    first = new_message(repo)
    commit(repo, "zhang-wei", "colleague's record")
    git(repo, "switch", "-q", "main")
    assert not (repo / "records" / first.split("-")[1] / f"{first}.yaml").exists()
    second = new_message(repo)
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_renumber_renames_the_file_its_folder_and_references(repo: Path, tmp_path: Path) -> None:
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "-q", str(repo), str(colleague))
    git(colleague, "config", "user.name", "Colleague")
    theirs = new_message(colleague)
    commit(colleague, "zhang-wei", "a record in another clone")
    first = new_message(repo)  # the clones have not fetched each other: the same number
    assert first == theirs
    year = first.split("-")[1]
    folder = repo / "records" / year / first
    folder.mkdir()
    (folder / "note.txt").write_text("x")
    path = repo / "records" / year / f"{first}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("events:", "attachments:\n  - note.txt\nevents:"), "utf-8")
    reply = new_message(repo, "--in-reply-to", first)
    refused(repo, "zhang-wei", "renumber", first, "--next", says="nothing to renumber")
    git(repo, "fetch", "-q", str(colleague), "main:refs/remotes/colleague/main")
    refused(repo, "guo-xia", "renumber", first, "--next", says="only staff of 市场部")
    result = act(repo, "zhang-wei", "renumber", first, "--next")
    assert result.returncode == 0, result.stderr
    new_id = result.stdout.split()[3]
    assert new_id not in (first, reply) and "refs/remotes/colleague/main" in result.stdout
    assert not path.exists() and not folder.exists()
    assert (repo / "records" / year / new_id / "note.txt").read_text() == "x"
    assert record(repo, new_id)["id"] == new_id
    assert record(repo, reply)["in_reply_to"] == new_id
    assert act(repo, "zhang-wei", "validate").returncode == 0


def test_archive_numbers_are_not_taken_twice_across_branches(repo: Path) -> None:
    ids = []
    for _ in range(2):
        record_id = new_message(repo)
        for person, *args in [
            ("wang-fang", "approve", record_id),
            ("li-qiang", "approve", record_id),
            ("zhang-wei", "send", record_id, "--channel", "email"),
            ("zhang-wei", "feedback", record_id, "--from", "customer-a/li-na", "--note", "确认"),
            ("zhang-wei", "complete", record_id),
        ]:
            assert act(repo, person, *args).returncode == 0
        ids.append(record_id)
    commit(repo, "zhang-wei", "two records done")
    git(repo, "switch", "-q", "-c", "archivist")
    assert act(repo, "zhao-min", "archive", ids[0]).returncode == 0
    commit(repo, "zhao-min", "archive one")
    git(repo, "switch", "-q", "main")
    assert act(repo, "zhao-min", "archive", ids[1]).returncode == 0
    numbers = [
        git(repo, "show", f"archivist:records/2026/{ids[0]}.yaml"),
        (repo / f"records/2026/{ids[1]}.yaml").read_text(),
    ]
    given = [yaml.safe_load(text)["events"][-1]["archive_no"] for text in numbers]
    assert given[0] != given[1]


def test_a_notice_reaches_its_recipients(repo: Path) -> None:
    result = act(
        repo, "guo-xia", "new", "notice", "--to", "行政部", "--subject", "元旦放假安排", "--summary", "元旦放假一天。",
        "--item", "1月1日放假", "--channel", "oa", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record_id = json.loads(result.stdout)["id"]
    assert act(repo, "liu-yang", "approve", record_id).returncode == 0
    assert act(repo, "guo-xia", "publish", record_id, "--channel", "oa").returncode == 0
    refused(repo, "zhang-wei", "ack", record_id, says="not among the recipients")
    assert act(repo, "zhao-min", "ack", record_id).returncode == 0
    refused(repo, "zhao-min", "ack", record_id, says="already confirmed")
    events = record(repo, record_id)["events"]
    assert events[-1]["type"] == "acknowledged" and events[-1]["by"] == "zhao-min"


def test_a_collaboration_with_tasks_from_csv_is_answered_per_department(repo: Path, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "no,name,department,owner,start,end,depends_on\n"
        "1,试产准备,生产部,cao-lin,2026-12-01,2026-12-05,\n"
        "2,采购原料,采购部,xiao-nan,2026-12-01,2026-12-03,\n"
        "3,首批试产,生产部,cao-lin,2026-12-06,2026-12-10,1;2\n",
        encoding="utf-8",
    )
    result = act(
        repo, "zhang-wei", "new", "collaboration", "--to", "生产部", "--to", "采购部", "--subject", "新品试产",
        "--summary", "请生产部、采购部配合新品试产。", "--channel", "oa", "--tasks", str(tasks), "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record_id = json.loads(result.stdout)["id"]
    data = record(repo, record_id)
    assert [t["no"] for t in data["tasks"]] == ["1", "2", "3"] and data["tasks"][2]["depends_on"] == ["1", "2"]
    act(repo, "wang-fang", "approve", record_id)
    assert act(repo, "zhang-wei", "send", record_id, "--channel", "oa").returncode == 0
    refused(repo, "guo-xia", "answer", record_id, "--note", "x", says="not addressed")
    assert act(repo, "cao-lin", "answer", record_id, "--note", "可以").returncode == 0
    refused(repo, "deng-gang", "answer", record_id, "--note", "x", says="already answered")
    assert act(repo, "xiao-nan", "answer", record_id, "--note", "可以").returncode == 0
    assert (
        act(repo, "cao-lin", "progress", record_id, "--task", "1", "--status", "done", "--note", "完成").returncode == 0
    )
    refused(repo, "cao-lin", "progress", record_id, "--task", "9", "--note", "x", says="has no task 9")


def test_a_draft_is_submitted_later(repo: Path) -> None:
    record_id = new_message(repo, "--draft")
    assert record(repo, record_id)["events"][0]["type"] == "drafted"
    assert act(repo, "zhang-wei", "validate").returncode == 0
    refused(repo, "wang-fang", "approve", record_id, says="submit")
    assert act(repo, "zhang-wei", "submit", record_id).returncode == 0
    assert act(repo, "wang-fang", "approve", record_id).returncode == 0


def test_evidence_file_is_copied_and_a_link_refused(repo: Path, tmp_path: Path) -> None:
    record_id = new_message(repo)
    act(repo, "wang-fang", "approve", record_id)
    act(repo, "li-qiang", "approve", record_id)
    link = tmp_path / "link.pdf"
    link.symlink_to("/etc/passwd")
    refused(
        repo, "zhang-wei", "send", record_id, "--channel", "email", "--evidence-file", str(link), says="--evidence-file"
    )
    receipt = tmp_path / "签收回执.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    assert (
        act(repo, "zhang-wei", "send", record_id, "--channel", "email", "--evidence-file", str(receipt)).returncode == 0
    )
    year = record_id.split("-")[1]
    assert (repo / "records" / year / record_id / "签收回执.pdf").read_bytes() == b"%PDF-1.4 receipt"
    data = record(repo, record_id)
    assert data["attachments"] == ["签收回执.pdf"] and data["events"][-1]["evidence"] == "签收回执.pdf"
    assert act(repo, "zhang-wei", "validate").returncode == 0


def test_without_a_terminal_missing_options_are_named(repo: Path) -> None:
    result = act(repo, "zhang-wei", "new", "message", "--subject", "x")
    assert result.returncode == 2
    assert "--to" in result.stderr and "--summary" in result.stderr and "--channel" in result.stderr
    assert not list((repo / "records").glob("*/NX-2026-0[1-9]*.yaml"))


def test_in_a_terminal_it_asks_for_what_is_missing(repo: Path) -> None:
    git(repo, "config", "user.email", EMAIL["zhang-wei"])
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "commlog", "new", "message", "--subject", "确认交期"],
        cwd=repo, stdin=child, stdout=child, stderr=child, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    os.close(child)
    answers = [
        ("urgency", "urgent"),
        ("classification", ""),
        ("to", "customer-a/li-na"),
        ("summary", "请确认。"),
        ("channel", "email"),
    ]
    seen = ""
    deadline = time.monotonic() + 60
    try:
        for prompt, answer in answers:
            while prompt not in seen.rsplit("\n", 1)[-1]:
                assert time.monotonic() < deadline, seen
                ready, _, _ = select.select([main], [], [], 1)
                if ready:
                    seen += os.read(main, 4096).decode("utf-8", "replace").replace("\r", "")
            os.write(main, (answer + "\n").encode())
            seen += "\n"
        assert process.wait(timeout=60) == 0
        while select.select([main], [], [], 0.5)[0]:
            try:
                seen += os.read(main, 4096).decode("utf-8", "replace")
            except OSError:
                break
    finally:
        os.close(main)
        process.kill()
    assert "normal, urgent, critical" in seen  # the allowed values are listed
    assert "registered NX-2026-" in seen
    made = sorted((repo / "records/2026").glob("NX-2026-*.yaml"))[-1]
    data = yaml.safe_load(made.read_text())
    assert data["urgency"] == "urgent" and data["to"] == [{"org": "customer-a", "person": "li-na"}]


def test_a_step_entered_late_says_why(repo: Path) -> None:
    refused(repo, "zhang-wei", "new", "message", "--to", "customer-a", "--subject", "x", "--summary", "x",
            "--channel", "email", "--at", "2026-11-02 09:00", says="--late-entry")  # fmt: skip
    record_id = new_message(repo, "--at", "2026-11-02 09:00", "--late-entry", "出差期间纸面登记，返回后补录")
    refused(repo, "wang-fang", "approve", record_id, "--at", "2026-11-02 10:00", says="--late-entry")
    result = act(
        repo, "wang-fang", "approve", record_id, "--at", "2026-11-02 10:00", "--late-entry", "电话同意，次日补录"
    )
    assert result.returncode == 0, result.stderr
    events = record(repo, record_id)["events"]
    assert [e.get("late_entry") for e in events] == ["出差期间纸面登记，返回后补录", "电话同意，次日补录"]


def test_concurrent_steps_on_one_record_are_all_kept(repo: Path) -> None:
    record_id = new_message(repo)
    git(repo, "config", "user.email", EMAIL["zhang-wei"])
    env = {**os.environ, "PYTHONUTF8": "1"}
    running = [
        subprocess.Popen([sys.executable, "-m", "commlog", "comment", record_id, "--note", f"第{i}次"], cwd=repo, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for i in range(6)
    ]  # fmt: skip
    assert [p.wait(timeout=120) for p in running] == [0] * 6
    notes = sorted(e.get("note", "") for e in record(repo, record_id)["events"] if e["type"] == "comment")
    assert notes == [f"第{i}次" for i in range(6)]


@pytest.mark.parametrize("text", ["a\tb", "a\x1bb", "a\u2028b", "a\x85b", "a\rb"])
def test_text_that_would_not_read_back_is_refused(repo: Path, text: str) -> None:
    record_id = new_message(repo)
    refused(repo, "zhang-wei", "comment", record_id, "--note", text, says="nothing was written")


def test_text_from_a_terminal_that_is_not_utf8_is_refused(repo: Path) -> None:
    record_id = new_message(repo)
    git(repo, "config", "user.email", EMAIL["zhang-wei"])
    before = snapshot(repo)
    gbk = "同意".encode("gbk")
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "comment", record_id.encode(), b"--note", gbk], cwd=repo, capture_output=True,
        env={**os.environ, "PYTHONUTF8": "1"}, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1 and b"not UTF-8" in result.stderr
    assert snapshot(repo) == before


def test_evidence_named_like_a_broken_link_is_kept_beside_it(repo: Path, tmp_path: Path) -> None:
    record_id = new_message(repo)
    act(repo, "wang-fang", "approve", record_id)
    act(repo, "li-qiang", "approve", record_id)
    folder = repo / "records" / record_id.split("-")[1] / record_id
    folder.mkdir()
    (folder / "回执.pdf").symlink_to(tmp_path / "nowhere")
    receipt = tmp_path / "回执.pdf"
    receipt.write_bytes(b"%PDF")
    result = act(repo, "zhang-wei", "send", record_id, "--channel", "email", "--evidence-file", str(receipt))
    assert "Traceback" not in result.stderr
    assert result.returncode == 0 and (folder / "回执-2.pdf").read_bytes() == b"%PDF"


def test_a_note_for_the_reviewer_does_not_refuse_a_write(repo: Path) -> None:
    """A keyword with no number near it (rule sensitive-note) is for the reviewer: commlog new writes the record."""
    result = act(
        repo, "zhang-wei", "new", "message", "--to", "customer-a/li-na", "--subject", "报价事宜",
        "--summary", "请勿在邮件中讨论底价。", "--channel", "email", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    done = act(repo, "zhang-wei", "validate", "--format", "json")
    assert done.returncode == 0
    made = json.loads(result.stdout)["path"]
    assert [n["rule"] for n in json.loads(done.stdout)["notes"] if n["path"] == made] == ["sensitive-note"]
