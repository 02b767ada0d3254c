"""Who put each event in the register: ``show``, ``due --format json`` and the record page name the commit that added
each event and its author, and mark an event whose author is not the person it names; in real git repositories with
several authors, a renamed record and a shallow clone."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import copy_demo, run_commlog
from sitebuild import AS_OF, build_site

PATH = "records/2026/NX-2026-901.yaml"
ZHANG = "张伟 <zhang.wei@hengtai.example>"
WANG = "王芳 <wang.fang@hengtai.example>"
HE = "何静 <he.jing@hengtai.example>"
LI = "李强 <li.qiang@hengtai.example>"
SPOOF = "王芳 <zhang.wei@hengtai.example>"  # 张伟's email under 王芳's name
OUTSIDER = "Temp Contractor <temp@elsewhere.example>"
ADMIN = "Alice Admin <alice@hengtai.example>"
EMAILS = ("zhang.wei@", "wang.fang@", "he.jing@", "temp@elsewhere", "alice@hengtai")


def git(repo: Path, *args: str, author: str = ADMIN) -> str:
    name, email = author[:-1].rsplit(" <", 1)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": "2026-11-20T18:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-11-20T18:00:00+08:00",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def add_event(repo: Path, event: str, author: str | None) -> str | None:
    """Append ``event`` to the record and commit it as ``author`` (None: leave it uncommitted); the commit's id."""
    with (repo / PATH).open("a", encoding="utf-8") as out:
        out.write(f"  - {event}\n")
    if author is None:
        return None
    git(repo, "commit", "-qam", f"NX-2026-901: {event[:30]}", author=author)
    return git(repo, "rev-parse", "HEAD").strip()


# (time, event, who commits it, marked)
EVENTS = [
    ("2026-11-20 10:00", "{type: approved, at: 2026-11-20 10:00, by: wang-fang, role: dept_head}", WANG, False),
    ("2026-11-20 10:15", "{type: approved, at: 2026-11-20 10:15, by: li-qiang, role: division_leader}", LI, False),
    (
        "2026-11-20 10:30",
        "{type: approved, at: 2026-11-20 10:30, by: chen-jianguo, recorded_by: he-jing, role: general_manager, note: 电话同意}",
        HE,
        False,
    ),
    (
        "2026-11-20 11:00",
        "{type: sent, at: 2026-11-20 11:00, by: zhang-wei, channel: email, evidence: 已发送}",
        ZHANG,
        False,
    ),
    ("2026-11-20 14:00", "{type: feedback, at: 2026-11-20 14:00, by: customer-a/li-na, note: 已收到}", ZHANG, False),
    ("2026-11-20 15:00", "{type: comment, at: 2026-11-20 15:00, by: wang-fang, note: 请跟进}", SPOOF, True),
    ("2026-11-20 15:30", "{type: comment, at: 2026-11-20 15:30, by: zhang-wei, note: 已跟进}", OUTSIDER, True),
    ("2026-11-20 16:00", "{type: comment, at: 2026-11-20 16:00, by: customer-a/li-na, note: 另有问题}", OUTSIDER, True),
]


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str | None]]:
    """The demo imported by an administrator, then one record whose events several people commit; the last is not
    committed. Returns the repository and each event's commit by its time."""
    demo_repo = copy_demo(tmp_path / "repo", with_site=True)
    git(demo_repo, "init", "-q", "-b", "main")
    git(demo_repo, "add", "-A")
    git(demo_repo, "commit", "-qm", "Import the register")
    (demo_repo / PATH).write_text(
        "id: NX-2026-901\nkind: message\ndirection: external\nsubject: 确认交期\nsummary: 请客户确认交期。\n"
        "from: {department: 市场部, person: zhang-wei}\nto:\n  - {org: customer-a, person: li-na}\n"
        "urgency: normal\nchannels: [email]\nclassification: public\nimportance: important\nevents:\n"
        "  - {type: submitted, at: 2026-11-20 09:00, by: zhang-wei}\n",
        encoding="utf-8",
    )
    git(demo_repo, "add", "-A")
    git(demo_repo, "commit", "-qm", "Register NX-2026-901", author=ZHANG)
    commits: dict[str, str | None] = {"2026-11-20 09:00": git(demo_repo, "rev-parse", "HEAD").strip()}
    for at, event, author, _ in EVENTS:
        commits[at] = add_event(demo_repo, event, author)
    commits["2026-11-20 16:30"] = add_event(
        demo_repo, "{type: comment, at: 2026-11-20 16:30, by: zhang-wei, note: 稍后提交}", None
    )
    result = run_commlog("validate", "--repo", str(demo_repo))
    assert result.returncode == 0, result.stdout
    return demo_repo, commits


def show(repo: Path, record_id: str = "NX-2026-901", *args: str) -> str:
    result = run_commlog("show", record_id, "--repo", str(repo), "--as-of", AS_OF, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_show_names_each_events_commit_and_marks_the_others(repo: tuple[Path, dict[str, str | None]]) -> None:
    root, commits = repo
    out = show(root)

    def line(at: str) -> str:
        return next(text for text in out.splitlines() if text.startswith(f"  {at}  "))

    def short(at: str) -> str:
        sha = commits[at]
        assert sha is not None
        return sha[:8]

    assert line("2026-11-20 09:00").endswith(f"张伟 (zhang-wei)  [{short('2026-11-20 09:00')} 张伟]")
    assert f"王芳 (wang-fang)  [{short('2026-11-20 10:00')} 王芳]" in line("2026-11-20 10:00")
    assert f"[何静 代 陈建国登记]  [{short('2026-11-20 10:30')} 何静]  电话同意" in line("2026-11-20 10:30")
    assert f"[{short('2026-11-20 14:00')} 张伟]  已收到" in line("2026-11-20 14:00")  # staff enter outside replies
    # 张伟 committed in 王芳's name: git's author name says 王芳, the email is 张伟's
    assert f"[{short('2026-11-20 15:00')} 王芳 ⚠ 非本人提交（提交人为 张伟）]  请跟进" in line("2026-11-20 15:00")
    assert f"[{short('2026-11-20 15:30')} Temp Contractor ⚠ 非本人提交（提交人不在通讯录中）]" in line(
        "2026-11-20 15:30"
    )
    assert f"[{short('2026-11-20 16:00')} Temp Contractor ⚠ 提交人不在通讯录中]" in line("2026-11-20 16:00")
    assert "[未提交]  稍后提交" in line("2026-11-20 16:30")
    assert out.count("⚠") == 3

    data = json.loads(show(root, "NX-2026-901", "--format", "json"))
    events = {e["at"]: e for e in data["events"]}
    assert events["2026-11-20 10:00"]["commit"] == commits["2026-11-20 10:00"]
    assert events["2026-11-20 10:00"]["author_email"] == "wang.fang@hengtai.example"
    assert (events["2026-11-20 10:00"]["attribution"], events["2026-11-20 10:00"]["marked"]) == ("own", False)
    assert events["2026-11-20 10:30"]["attribution"] == "recorded"
    assert events["2026-11-20 14:00"]["attribution"] == "entered"
    spoofed = events["2026-11-20 15:00"]
    assert (spoofed["author"], spoofed["author_email"], spoofed["author_person"]) == (
        "王芳",
        "zhang.wei@hengtai.example",
        "zhang-wei",
    )
    assert spoofed["marked"] and spoofed["attribution"] == "other" and "mark" in spoofed
    assert events["2026-11-20 15:30"]["author_person"] is None and events["2026-11-20 15:30"]["marked"]
    pending = events["2026-11-20 16:30"]
    assert (pending["commit"], pending["author_email"], pending["commit_state"]) == (None, None, "uncommitted")


def test_due_json_lists_each_event_with_its_commit(repo: tuple[Path, dict[str, str | None]]) -> None:
    root, commits = repo
    result = run_commlog("due", "NX-2026-901", "--repo", str(root), "--as-of", AS_OF, "--format", "json")
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)["events"]
    assert [(e["at"], e["commit"]) for e in events] == list(commits.items())
    first = events[0]
    assert (first["type"], first["by"], first["author_email"], first["attribution"]) == (
        "submitted",
        "zhang-wei",
        "zhang.wei@hengtai.example",
        "own",
    )
    assert events[-1]["commit_state"] == "uncommitted"
    # Judged earlier, only the events that had happened by then.
    early = run_commlog("due", "NX-2026-901", "--repo", str(root), "--as-of", "2026-11-20 10:10", "--format", "json")
    assert [e["at"] for e in json.loads(early.stdout)["events"]] == ["2026-11-20 09:00", "2026-11-20 10:00"]


def _rows(html: str) -> dict[str, str]:
    """The record page's timeline rows by the time in their first cell."""
    timeline = html[html.index('<table class="commlog-timeline">') :]
    timeline = timeline[: timeline.index("</table>")]
    return {m.group(1): m.group(0) for m in re.finditer(r"<tr[^>]*><td>([^<]+)</td>.*?</tr>", timeline)}


def test_the_record_page_marks_events_committed_by_someone_else(
    repo: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    root, commits = repo
    site = build_site(root, tmp_path / "out", clearance="public")
    html = (site / "records/2026/NX-2026-901/index.html").read_text(encoding="utf-8")
    rows = _rows(html)
    assert set(rows) == set(commits)
    for at, _, _, marked in EVENTS:
        sha = commits[at]
        assert sha is not None and f'<code title="{sha}">{sha[:8]}</code>' in rows[at]
        assert ("⚠" in rows[at]) is marked, rows[at]
        assert ('class="commlog-not-own"' in rows[at]) is marked
    assert "⚠" not in rows["2026-11-20 09:00"]
    assert "⚠ 非本人提交（提交人为 张伟）" in rows["2026-11-20 15:00"]
    assert "（何静 代登记）" in rows["2026-11-20 10:30"]
    assert "未提交" in rows["2026-11-20 16:30"] and "⚠" not in rows["2026-11-20 16:30"]
    for email in EMAILS:  # authors' emails are for show --format json, never for a published page
        assert email not in html, email


def test_author_names_are_escaped_on_the_page(repo: tuple[Path, dict[str, str | None]], tmp_path: Path) -> None:
    root, _ = repo
    add_event(
        root,
        "{type: comment, at: 2026-11-20 16:40, by: wang-fang, note: 再次确认}",
        "Eve & <b>Co</b> <x@elsewhere.example>",  # git drops the angle brackets of a name: the ampersand stays
    )
    html = (build_site(root, tmp_path / "out") / "records/2026/NX-2026-901/index.html").read_text(encoding="utf-8")
    row = _rows(html)["2026-11-20 16:40"]
    assert "Eve &amp; bCo/b" in row and "⚠ 非本人提交（提交人不在通讯录中）" in row


def test_a_renamed_record_keeps_the_commit_of_each_event(repo: tuple[Path, dict[str, str | None]]) -> None:
    root, commits = repo
    git(root, "commit", "-qam", "Add the pending comment", author=ZHANG)
    record = root / "records/2026/NX-2026-901.yaml"
    git(root, "switch", "-qc", "colleague")  # another branch registered a different NX-2026-901
    record.write_text(record.read_text(encoding="utf-8").replace("subject: ", "subject: 另一件事", 1), "utf-8")
    git(root, "commit", "-qam", "Their NX-2026-901", author=LI)
    git(root, "switch", "-q", "-")
    git(root, "config", "user.email", "zhang.wei@hengtai.example")
    result = run_commlog("renumber", "NX-2026-901", "--next", "--repo", str(root))
    assert result.returncode == 0, result.stderr
    new_id = result.stdout.split()[3]  # "NX-2026-901 is now NX-2026-9xx (refs/heads/colleague holds ...)"
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Renumber NX-2026-901 to {new_id}")
    data = json.loads(show(root, new_id, "--format", "json"))
    assert [e["commit"] for e in data["events"]][:-1] == list(commits.values())[:-1]
    assert data["events"][-1]["author"] == "张伟"  # the comment committed before the rename
    assert not any(e["author"] == "Alice Admin" for e in data["events"])  # the renaming commit added none


def test_a_shallow_clone_says_the_commit_is_before_its_history(
    repo: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    root, commits = repo
    git(root, "commit", "-qam", "Add the pending comment", author=ZHANG)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", root.as_uri(), str(clone))
    out = show(clone)
    assert "[(历史之前)]" in out and "(历史之前)]  稍后提交" not in out
    assert "稍后提交" in out and "张伟]  稍后提交" in out  # the one commit after the boundary
    events = json.loads(show(clone, "NX-2026-901", "--format", "json"))["events"]
    assert events[0]["commit_state"] == "before_history" and events[0]["commit"] is None


def test_without_git_show_says_so_once(demo_repo: Path) -> None:
    out = show(demo_repo, "NX-2024-001")
    assert "  (没有 git 历史：不能显示添加每个事件的提交)\n" in out and "[无 git 历史]" not in out
    data = json.loads(show(demo_repo, "NX-2024-001", "--format", "json"))
    assert {e["commit_state"] for e in data["events"]} == {"no_history"}
