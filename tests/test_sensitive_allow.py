"""The allow list: accepted findings pass, new ones fail, stale entries are reported, forged entries are caught."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from commlog.allowlist import ALLOW_FILE
from test_history import git

from conftest import copy_demo, run_commlog

ID = "110105199001011232"
CARD = "6222021234567890128"
LEGAL = "Luo Qing <luo.qing@hengtai.example>"  # roles: [legal]
STAFF = "Zhang Wei <zhang.wei@hengtai.example>"  # no role that may accept
RECORD = """\
id: NX-2024-901
kind: message
direction: internal
subject: 关于客户退款的说明
summary: {summary}
from: {{department: 市场部, person: zhang-wei}}
to:
  - {{department: 财务部}}
urgency: normal
channels: [email]
classification: internal
importance: normal
category: {{project: 退款}}
events:
  - {{type: submitted, at: 2024-10-08 09:30, by: zhang-wei}}
"""


def write(repo: Path, summary: str) -> None:
    (repo / "records/2024/NX-2024-901.yaml").write_text(RECORD.format(summary=summary), encoding="utf-8")


def rules(repo: Path, *extra: str) -> list[str]:
    done = run_commlog("validate", "--repo", str(repo), "--format", "json", *extra)
    assert "Traceback" not in done.stderr, done.stderr
    found = json.loads(done.stdout)["findings"]
    return [
        f["rule"] + ":" + f["message"] for f in found if f["rule"].startswith("sensitive")
    ]  # not the trail's others


def as_person(repo: Path, author: str) -> None:
    name, email = author[:-1].split(" <")
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", email)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = copy_demo(tmp_path / "repo")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "demo")
    git(target, "checkout", "-q", "-b", "refund")
    write(target, f"客户身份证号{ID}，请财务核对")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "Refund", author=STAFF)
    return target


def test_accepted_new_and_stale(repo: Path) -> None:
    [found] = rules(repo)
    assert found.startswith("sensitive-data:") and "resident_id" in found
    as_person(repo, LEGAL)
    done = run_commlog(
        "allow", "NX-2024-901", "--detector", "resident_id", "--reason", "实名登记必需", "--repo", str(repo)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = (repo / ALLOW_FILE).read_text(encoding="utf-8")
    assert ID not in text and "accepted_by: luo-qing" in text
    assert rules(repo) == []  # accepted
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Accept the identity number", author=LEGAL)
    assert rules(repo, "--base", "main") == []  # committed by the person it names, who may accept
    write(repo, f"客户身份证号{ID}，退款至卡号{CARD}")
    [new] = rules(repo)
    assert "bank_card" in new  # a new finding fails; the accepted one does not
    write(repo, "退款事宜，证件已线下核对")
    [stale] = rules(repo)
    assert stale.startswith("sensitive-allow-stale:") and "NX-2024-901" in stale


def test_someone_the_policy_does_not_let_accept_is_refused(repo: Path) -> None:
    as_person(repo, STAFF)
    before = (repo / ALLOW_FILE).read_bytes()
    done = run_commlog(
        "allow", "NX-2024-901", "--detector", "resident_id", "--reason", "我觉得可以", "--repo", str(repo)
    )
    assert done.returncode == 1 and "may not accept" in done.stdout + done.stderr
    assert (repo / ALLOW_FILE).read_bytes() == before


def test_a_forged_entry_is_caught_in_the_pull_request(repo: Path) -> None:
    as_person(repo, LEGAL)
    assert (
        run_commlog(
            "allow", "NX-2024-901", "--detector", "resident_id", "--reason", "实名登记必需", "--repo", str(repo)
        ).returncode
        == 0
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Accept (forged: not by the legal officer)", author=STAFF)
    as_person(repo, STAFF)
    found = rules(repo, "--base", "main")
    assert len(found) == 1 and found[0].startswith("sensitive-allow-author:"), found
    assert "zhang.wei@hengtai.example" in found[0] and "luo-qing" in found[0]


def test_an_uncommitted_entry_is_judged_by_the_acting_identity(repo: Path) -> None:
    as_person(repo, LEGAL)
    assert (
        run_commlog(
            "allow", "NX-2024-901", "--detector", "resident_id", "--reason", "实名登记必需", "--repo", str(repo)
        ).returncode
        == 0
    )
    assert rules(repo, "--base", "main") == []
    as_person(repo, STAFF)
    assert [f.split(":")[0] for f in rules(repo, "--base", "main")] == ["sensitive-allow-author"]


def test_a_broken_allow_list_is_a_finding(repo: Path) -> None:
    (repo / ALLOW_FILE).parent.mkdir(exist_ok=True)
    (repo / ALLOW_FILE).write_text("allowed:\n  - record: NX-2024-901\n", encoding="utf-8")
    found = sorted(f.split(":")[0] for f in rules(repo))
    assert found == ["sensitive-allow", "sensitive-data", "sensitive-data"]  # nothing accepted while it is broken


def test_the_pull_request_summary_lists_sensitive_data_first(repo: Path) -> None:
    write(repo, f"客户身份证号{ID}，请财务核对。{'另外' * 15}请勿外发源代码")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Note", author=STAFF)
    done = run_commlog("pr-summary", "--base", "main", "--repo", str(repo))
    text = done.stdout
    assert "### ⚠ 敏感信息 (1 项发现)" in text, text
    assert text.index("敏感信息") < text.index("### NX-2024-901")
    assert r"110105\*\*\*\*\*\*\*\*1232" in text and ID not in text  # masked, and escaped for Markdown
    assert "请留意" in text and "source_code" in text
    data = json.loads(run_commlog("pr-summary", "--base", "main", "--format", "json", "--repo", str(repo)).stdout)
    assert [f["rule"] for f in data["sensitive"]["findings"]] == ["sensitive-data"]
    assert [n["detector"] for n in data["sensitive"]["notes"]] == ["source_code"]


def _accepted(repo: Path) -> str:
    as_person(repo, LEGAL)
    done = run_commlog(
        "allow", "NX-2024-901", "--detector", "resident_id", "--reason", "实名登记必需", "--repo", str(repo)
    )
    assert done.returncode == 0 and rules(repo) == []
    return (repo / ALLOW_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (r"at: \S+ \S+", 'at: "2025-02-30 11:00"', "no real date"),
        ("accepted_by: luo-qing", "accepted_by: nobody", "no active staff member"),
        ("accepted_by: luo-qing", "accepted_by: zhang-wei", "may not accept (legal, admin)"),
    ],
)
def test_an_entry_that_may_not_accept_is_a_finding_in_plain_validate(repo: Path, old: str, new: str, said: str) -> None:
    head, mark, tail = _accepted(repo).partition("- record: NX-2024-901")  # the demo's own entry stays
    changed = head + mark + re.sub(old, new, tail)
    assert changed != head + mark + tail
    (repo / ALLOW_FILE).write_text(changed, encoding="utf-8")
    found = sorted(rules(repo))
    assert [f.split(":")[0] for f in found] == ["sensitive-allow", "sensitive-data"], found
    assert said in found[0] and "entry 2 (NX-2024-901, resident_id) accepts nothing" in found[0]


def test_a_folder_at_the_allow_list_is_a_finding(repo: Path) -> None:
    (repo / ALLOW_FILE).unlink()
    (repo / ALLOW_FILE).mkdir()
    found = sorted(rules(repo))
    assert [f.split(":")[0] for f in found] == ["sensitive-allow", "sensitive-data", "sensitive-data"], found
    assert "is not a regular file" in found[0]  # and the demo's accepted finding is one again


def test_the_summary_notes_only_what_the_record_could_not_carry(repo: Path) -> None:
    """A keyword alone in a confidential record is no note: the record may carry the real thing."""
    text = RECORD.format(summary="请勿外发源代码").replace("classification: internal", "classification: confidential")
    (repo / "records/2024/NX-2024-901.yaml").write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Note", author=STAFF)
    data = json.loads(run_commlog("pr-summary", "--base", "main", "--format", "json", "--repo", str(repo)).stdout)
    assert data["sensitive"] == {"findings": [], "notes": []}
