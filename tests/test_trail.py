"""`commlog validate --base`: the pull request check, in real repositories with several authors, branches and merges."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EMAIL = {
    "zhang-wei": "zhang.wei@hengtai.example",
    "wang-fang": "wang.fang@hengtai.example",
    "li-qiang": "li.qiang@hengtai.example",
    "admin": "admin@hengtai.example",
}
RECORD = "records/2026/NX-2026-001.yaml"


def git(root: Path, *args: str, person: str = "admin", when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": person, "GIT_COMMITTER_NAME": person}
    env |= {"GIT_AUTHOR_EMAIL": EMAIL.get(person, person), "GIT_COMMITTER_EMAIL": EMAIL.get(person, person)}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env).stdout


def commit(root: Path, person: str, message: str, when: str = "2026-11-20T12:00:00+08:00") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, person=person, when=when)


def check(root: Path, *extra: str) -> list[tuple[str, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--base", "main", "--format", "json", *extra],
        cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return [(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


def append(root: Path, path: str, line: str) -> None:
    """Append an event line after the record's last event."""
    target = root / path
    lines = target.read_text(encoding="utf-8").splitlines()
    last = max(i for i, text in enumerate(lines) if text.startswith("  - {type:"))
    lines.insert(last + 1, "  - " + line)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def repo(demo_repo: Path) -> Path:
    """The demo with one record waiting for approval, on main, and a branch 'pr' checked out."""
    path = demo_repo / "records/2026/NX-2026-901.yaml"
    path.write_text(
        "id: NX-2026-901\nkind: message\ndirection: external\nsubject: 确认交期\nsummary: 请客户确认交期。\n"
        "from: {department: 市场部, person: zhang-wei}\nto:\n  - {org: customer-a, person: li-na}\n"
        "urgency: normal\nchannels: [email]\nclassification: internal\nevents:\n"
        "  - {type: submitted, at: 2026-11-20 09:00, by: zhang-wei}\n",
        encoding="utf-8",
    )
    git(demo_repo, "init", "-q", "-b", "main")
    commit(demo_repo, "admin", "demo", when="2026-11-20T09:30:00+08:00")
    git(demo_repo, "switch", "-qc", "pr")
    return demo_repo


NEW = "records/2026/NX-2026-901.yaml"
APPROVAL = "{type: approved, at: 2026-11-20 10:00, by: wang-fang, role: dept_head}"


def test_an_approval_committed_by_the_approver_passes(repo: Path) -> None:
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "approve")
    assert check(repo) == []


def test_an_approval_committed_by_someone_else_is_a_finding(repo: Path) -> None:
    append(repo, NEW, APPROVAL)
    commit(repo, "zhang-wei", "approve in her name")
    assert check(repo) == [(NEW, "approval-not-by-approver")]


def test_a_delegate_named_in_the_policy_may_commit_it(repo: Path) -> None:
    policy = repo / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        "delegates:\n", "delegates:\n  - {delegate: zhang-wei, for: [wang-fang]}\n"), encoding="utf-8")  # fmt: skip
    commit(repo, "admin", "policy", when="2026-11-20T09:40:00+08:00")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "pr")  # the delegate is on the base before the approval
    git(repo, "switch", "-q", "pr")
    append(repo, NEW, APPROVAL.replace("by: wang-fang,", "by: wang-fang, recorded_by: zhang-wei,"))
    commit(repo, "zhang-wei", "approval given by phone")
    assert check(repo) == []


def test_an_event_edited_in_a_later_commit_is_rewritten(repo: Path) -> None:
    path = repo / RECORD
    path.write_text(
        path.read_text(encoding="utf-8").replace("at: 2026-01-12 11:00", "at: 2026-01-12 11:05", 1), "utf-8"
    )
    commit(repo, "zhang-wei", "touch up a time")
    found = check(repo)
    assert (RECORD, "event-rewritten") in found
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--base", "main"], cwd=repo, capture_output=True, text=True
    )
    sha = git(repo, "rev-parse", "--short=8", "HEAD").strip()
    assert f"in commit {sha}" in result.stdout


def test_a_deleted_record_is_a_finding(repo: Path) -> None:
    (repo / RECORD).unlink()
    commit(repo, "zhang-wei", "tidy up")
    assert (RECORD, "record-removed") in check(repo)


def test_a_backdated_reply_needs_a_reason(repo: Path) -> None:
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "approve")
    feedback = "{type: comment, at: 2026-11-20 11:00, by: zhang-wei, note: 客户电话确认}"
    append(repo, NEW, feedback)
    commit(repo, "zhang-wei", "entered four days later", when="2026-11-24T15:00:00+08:00")
    assert check(repo) == [(NEW, "event-backdated")]
    path = repo / NEW
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "note: 客户电话确认}", "note: 客户电话确认, late_entry: 电话答复，出差后补录}"
        ),
        "utf-8",
    )
    commit(repo, "zhang-wei", "say why", when="2026-11-24T15:05:00+08:00")
    assert check(repo) == []


def test_an_event_dated_after_its_commit_is_a_finding(repo: Path) -> None:
    append(repo, NEW, APPROVAL.replace("2026-11-20 10:00", "2026-11-21 10:00"))
    commit(repo, "wang-fang", "approve ahead of time")
    assert check(repo) == [(NEW, "event-backdated")]


def test_an_id_the_base_took_meanwhile_is_a_finding_with_the_renumber_command(repo: Path) -> None:
    same = "records/2026/NX-2026-902.yaml"
    text = (repo / NEW).read_text(encoding="utf-8").replace("NX-2026-901", "NX-2026-902")
    (repo / same).write_text(text, encoding="utf-8")
    commit(repo, "zhang-wei", "mine")
    git(repo, "switch", "-q", "main")
    (repo / same).write_text(text.replace("确认交期", "另一件事"), encoding="utf-8")
    commit(repo, "zhang-wei", "theirs")
    git(repo, "switch", "-q", "pr")
    assert check(repo) == [(same, "id-taken")]
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--base", "main"], cwd=repo, capture_output=True, text=True
    )
    assert "commlog renumber NX-2026-902 --next" in result.stdout


def test_merge_commits_and_squash_merges_keep_the_attribution(repo: Path) -> None:
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "approve")
    git(repo, "switch", "-q", "main")
    (repo / "records/2026/NX-2026-903.yaml").write_text(
        (repo / NEW).read_text(encoding="utf-8").replace("NX-2026-901", "NX-2026-903").split("  - {type: approved")[0],
        "utf-8",
    )
    commit(repo, "zhang-wei", "meanwhile on main")
    git(repo, "switch", "-q", "pr")
    git(repo, "merge", "-q", "--no-edit", "main", person="zhang-wei")  # a merge commit by someone else
    assert check(repo) == []
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--squash", "pr")
    commit(repo, "admin", "squash-merged by the reviewer")
    git(repo, "switch", "-qc", "next")
    append(repo, NEW, "{type: approved, at: 2026-11-20 11:00, by: li-qiang, role: division_leader}")
    commit(repo, "li-qiang", "second approval")
    assert check(repo) == []  # the squash commit is the base: nothing before it is judged again


def test_signed_approvals_when_the_policy_asks(repo: Path, tmp_path: Path) -> None:
    key = tmp_path / "wang"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signers = repo / ".commlog/allowed_signers"
    signers.parent.mkdir(exist_ok=True)  # the demo keeps its accepted sensitive data there
    signers.write_text(f"{EMAIL['wang-fang']} {(tmp_path / 'wang.pub').read_text()}")
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("require_signed_approvals: false", "require_signed_approvals: true"),
        "utf-8",
    )
    commit(repo, "admin", "signed approvals from now on", when="2026-11-20T09:40:00+08:00")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "pr")
    git(repo, "switch", "-q", "pr")
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "unsigned approval")
    assert check(repo) == [(NEW, "approval-unsigned")]
    git(repo, "reset", "-q", "--soft", "HEAD~1")
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingkey", str(key))
    git(repo, "commit", "-q", "-S", "-m", "signed approval", person="wang-fang", when="2026-11-20T12:00:00+08:00")
    assert check(repo) == []


def test_changed_reports_only_changed_files_and_skips_deleted_ones(repo: Path) -> None:
    broken = "records/2026/NX-2026-002.yaml"
    path = repo / broken
    path.write_text(path.read_text(encoding="utf-8").replace("urgency: normal", "urgency: soon"), "utf-8")
    (repo / "records/2026/NX-2026-003.yaml").unlink()
    (repo / "README.md").write_text("notes\n")
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--changed", "main", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert paths == {broken}


def test_an_unknown_base_is_a_usage_error(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--base", "nope"], cwd=repo, capture_output=True, text=True
    )
    assert result.returncode == 2 and "not a commit here" in result.stderr


def summary(root: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "pr-summary", "--base", "main", *extra],
        cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_summary_shows_events_committers_missing_approvals_and_findings(repo: Path) -> None:
    append(repo, NEW, APPROVAL)
    commit(repo, "zhang-wei", "approve in her name")
    sha = git(repo, "rev-parse", "--short=8", "HEAD").strip()
    text = summary(repo)
    assert "### NX-2026-901 确认交期" in text
    assert f"| 2 | 审核通过 | 2026-11-20 10:00 | 王芳 | {sha} zhang.wei@hengtai.example |" in text
    assert "待审核: 分管领导 (division_leader): 李强" in text
    assert "`approval-not-by-approver`" in text
    data = json.loads(summary(repo, "--format", "json"))
    (record,) = data["records"]
    assert record["id"] == "NX-2026-901" and record["new"] is False
    assert record["events"][0]["commit"].startswith(sha) and record["approvals_needed"][0]["holders"] == ["li-qiang"]
    assert {f["rule"] for f in data["findings"]} == {"approval-not-by-approver"}


def test_the_summary_shows_the_overdue_item_a_reply_resolves(repo: Path) -> None:
    # NB-2026-002 waits for 采购部's feedback, overdue; the change records it.
    path = "records/2026/NB-2026-002.yaml"
    data = json.loads(
        subprocess.run(
            [sys.executable, "-m", "commlog", "due", "NB-2026-002", "--format", "json"],
            cwd=repo,
            capture_output=True,
            text=True,
        ).stdout
    )
    overdue = [s["stage"] for s in data["stages"] if s["state"] == "overdue"]
    assert overdue, data
    append(repo, path, "{type: feedback, at: 2026-11-20 11:30, by: xiao-nan, note: 已答复}")
    commit(repo, "xiao-nan", "the answer came")
    text = summary(repo)
    assert "- 完成: 反馈, 逾期完成" in text and "- 消除逾期: 反馈" in text, text


def test_record_text_cannot_inject_markdown_into_the_summary(repo: Path) -> None:
    path = repo / NEW
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "subject: 确认交期", "subject: '[点我](http://evil.example) <img src=x> | x'"
        ),
        "utf-8",
    )
    git(repo, "switch", "-q", "main")
    commit(repo, "admin", "a hostile subject on the base", when="2026-11-20T09:40:00+08:00")
    git(repo, "switch", "-q", "pr")
    git(repo, "merge", "-q", "--ff-only", "main")
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "approve")
    text = summary(repo)
    assert "[点我](" not in text and "<img" not in text
    assert "\\[点我\\]" in text


def test_a_change_cannot_vouch_for_itself(repo: Path) -> None:
    """Identity, delegates and the trail's settings come from the base, not from the pull request."""
    contact = repo / "contacts/internal/wang-fang.yaml"
    contact.write_text(contact.read_text(encoding="utf-8").replace(EMAIL["wang-fang"], "mallory@evil.example"), "utf-8")
    append(repo, NEW, APPROVAL)
    commit(repo, "mallory@evil.example", "my email now")
    assert (NEW, "approval-not-by-approver") in check(repo)


def test_a_change_cannot_name_itself_a_delegate(repo: Path) -> None:
    policy = repo / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        "delegates:\n", "delegates:\n  - {delegate: zhang-wei, for: [wang-fang]}\n"), encoding="utf-8")  # fmt: skip
    append(repo, NEW, APPROVAL.replace("by: wang-fang,", "by: wang-fang, recorded_by: zhang-wei,"))
    commit(repo, "zhang-wei", "I am her delegate now")
    assert check(repo) == [(NEW, "approval-not-by-approver")]


def test_a_change_cannot_turn_signatures_off_for_itself(repo: Path) -> None:
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("require_signed_approvals: false", "require_signed_approvals: true"),
        "utf-8",
    )
    commit(repo, "admin", "signatures required", when="2026-11-20T09:40:00+08:00")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "pr")
    git(repo, "switch", "-q", "pr")
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("require_signed_approvals: true", "require_signed_approvals: false"),
        "utf-8",
    )
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "unsigned, and signatures off")
    assert check(repo) == [(NEW, "approval-unsigned")]


def test_a_change_cannot_widen_the_backdating_allowance_for_itself(repo: Path) -> None:
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "backdate_allowance: {amount: 1,", "backdate_allowance: {amount: 30,"
        ),
        "utf-8",
    )
    append(repo, NEW, "{type: comment, at: 2026-11-20 11:00, by: zhang-wei, note: 电话}")
    commit(repo, "zhang-wei", "late, and a longer allowance", when="2026-11-26T15:00:00+08:00")
    assert check(repo) == [(NEW, "event-backdated")]


def test_a_renumbered_record_keeps_its_approvals_attribution(repo: Path) -> None:
    mine = "records/2026/NX-2026-950.yaml"
    text = (repo / NEW).read_text(encoding="utf-8").replace("NX-2026-901", "NX-2026-950")
    (repo / mine).write_text(text, encoding="utf-8")
    commit(repo, "zhang-wei", "register")
    append(repo, mine, APPROVAL)
    commit(repo, "wang-fang", "approve")
    git(repo, "switch", "-q", "main")
    (repo / mine).write_text(text.replace("subject: 确认交期", "subject: 另一件事"), encoding="utf-8")
    commit(repo, "zhang-wei", "main registered another NX-2026-950 meanwhile")
    git(repo, "switch", "-q", "pr")
    assert check(repo) == [(mine, "id-taken")]
    git(repo, "config", "user.email", EMAIL["zhang-wei"])
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "renumber", "NX-2026-950", "--next"], cwd=repo, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    commit(repo, "zhang-wei", "renumber")
    assert check(repo) == []


# -- found by attacking the check: each of these said "valid" (or crashed) before its fix --


def _keys(tmp_path: Path, *names: str) -> dict[str, Path]:
    keys = {}
    for name in names:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)], check=True)
        keys[name] = tmp_path / f"{name}.pub"
    return keys


def _require_signatures(repo: Path, signers: dict[str, Path]) -> None:
    """On main: signatures required, with these (email -> public key) allowed; the pr branch then takes main."""
    git(repo, "switch", "-q", "main")
    path = repo / ".commlog/allowed_signers"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{email} {key.read_text()}" for email, key in signers.items()))
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("require_signed_approvals: false", "require_signed_approvals: true"),
        "utf-8",
    )
    commit(repo, "admin", "signatures required", when="2026-11-20T09:40:00+08:00")
    git(repo, "switch", "-q", "pr")
    git(repo, "merge", "-q", "--ff-only", "main")


def _signed_commit(repo: Path, person: str, key: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "commit", "-q", "-S", "-m", "signed", person=person,
        when="2026-11-20T12:00:00+08:00")  # fmt: skip


def test_a_signature_by_a_key_not_listed_or_listed_for_someone_else_is_no_signature(repo: Path, tmp_path: Path) -> None:
    keys = _keys(tmp_path, "wang", "li", "stranger")
    _require_signatures(repo, {EMAIL["wang-fang"]: keys["wang"], EMAIL["li-qiang"]: keys["li"]})
    append(repo, NEW, APPROVAL)
    _signed_commit(repo, "wang-fang", keys["stranger"])  # a throwaway key: git says U
    assert check(repo) == [(NEW, "approval-unsigned")]
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    append(repo, NEW, APPROVAL)
    _signed_commit(repo, "wang-fang", keys["li"])  # li-qiang's key, listed for li-qiang: git says G
    assert check(repo) == [(NEW, "approval-unsigned")]
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    append(repo, NEW, APPROVAL)
    _signed_commit(repo, "wang-fang", keys["wang"])
    assert check(repo) == []


def test_a_renamed_record_lends_its_approvals_to_no_other(repo: Path) -> None:
    other = "records/2026/NX-2026-902.yaml"
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "a genuine approval of NX-2026-901")
    git(repo, "mv", NEW, other)
    commit(repo, "zhang-wei", "rename")
    git(repo, "checkout", "-q", "HEAD~1", "--", NEW)  # the original back, and the renamed copy becomes a new record
    path = repo / other
    path.write_text(
        path.read_text(encoding="utf-8").replace("NX-2026-901", "NX-2026-902").replace("确认交期", "另一件事"), "utf-8"
    )
    commit(repo, "zhang-wei", "a new record carrying her approval")
    assert (other, "approval-not-by-approver") in check(repo)


def test_an_approval_withdrawn_and_added_again_by_someone_else_is_theirs(repo: Path) -> None:
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "approve")
    git(repo, "checkout", "-q", "main", "--", NEW)
    commit(repo, "wang-fang", "withdraw")
    append(repo, NEW, APPROVAL)
    commit(repo, "zhang-wei", "add it again")
    assert check(repo) == [(NEW, "approval-not-by-approver")]


def test_the_rules_are_the_target_branchs_now_not_the_branch_points(repo: Path) -> None:
    git(repo, "switch", "-q", "main")
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "backdate_allowance: {amount: 1,", "backdate_allowance: {amount: 0.5,"
        ),
        "utf-8",
    )
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("require_signed_approvals: false", "require_signed_approvals: true"),
        "utf-8",
    )
    commit(repo, "admin", "signatures required from now on", when="2026-11-20T09:40:00+08:00")
    git(repo, "switch", "-q", "pr")  # still at the older branch point
    git(repo, "checkout", "-q", "main", "--", "policy.yaml")
    append(repo, NEW, APPROVAL)
    commit(repo, "wang-fang", "unsigned")
    assert (NEW, "approval-unsigned") in check(repo)


def test_git_attributes_cannot_hide_an_archive_number(repo: Path) -> None:
    archived = "{type: archived, at: 2026-11-20 11:00, by: zhao-min, archive_no: ND-2026-2000}"
    git(repo, "switch", "-q", "main")
    append(repo, "records/2026/NX-2026-001.yaml", archived)
    commit(repo, "zhao-min", "main gives ND-2026-2000")
    git(repo, "switch", "-q", "pr")
    append(repo, "records/2026/NX-2026-003.yaml", archived)
    (repo / "records/.gitattributes").write_text("* -diff\n")
    commit(repo, "zhao-min", "the same number, hidden")
    assert ("records/2026/NX-2026-003.yaml", "archive-no-taken") in check(repo)


def test_a_record_name_with_a_space_is_no_crash(repo: Path) -> None:
    (repo / "records/2026/NX-2026-903 x.yaml").write_text((repo / NEW).read_text(encoding="utf-8"), "utf-8")
    commit(repo, "zhang-wei", "an odd name")
    check(repo)  # no traceback; validate reports the name


def test_a_blank_late_entry_is_no_reason(repo: Path) -> None:
    append(repo, NEW, "{type: comment, at: 2026-11-20 11:00, by: zhang-wei, note: 电话, late_entry: '　'}")
    commit(repo, "zhang-wei", "late, with a blank reason", when="2026-11-26T15:00:00+08:00")
    assert check(repo) == [(NEW, "event-backdated")]


def test_files_judged_before_give_the_same_findings(repo: Path) -> None:
    """The check takes the files the index has judged from it: the findings are those of a run without the index."""
    append(repo, NEW, APPROVAL)
    commit(repo, "zhang-wei", "approve in her name")
    path = repo / RECORD
    path.write_text(path.read_text(encoding="utf-8").replace("urgency: normal", "urgency: 紧急", 1), "utf-8")
    commit(repo, "zhang-wei", "an urgency the schema refuses")

    def run(*extra: str) -> str:
        args = [sys.executable, "-m", "commlog", "validate", "--base", "main", "--format", "json", *extra]
        env = {**os.environ, "PYTHONUTF8": "1"}
        return subprocess.run(args, cwd=repo, capture_output=True, text=True, env=env).stdout

    fresh = run("--no-cache")
    assert {"approval-not-by-approver", "schema-enum"} <= {f["rule"] for f in json.loads(fresh)["findings"]}
    assert run() == fresh  # the run that fills the index
    assert run() == fresh  # the run that takes the policy, the contacts and the records from it


def test_a_number_the_base_had_at_the_branch_point_is_not_given_meanwhile(repo: Path) -> None:
    """Only the files the base branch changed since the branch point are searched: a number older than that is in the
    work tree too, where unique-archive-no finds it taken."""
    target = "records/2026/NX-2026-003.yaml"
    append(repo, target, "{type: archived, at: 2026-11-20 11:00, by: zhao-min, archive_no: ND-2024-1001}")
    commit(repo, "zhao-min", "a number NX-2024-001 has had for two years")
    found = check(repo)
    assert (target, "unique-archive-no") in found
    assert (target, "archive-no-taken") not in found
