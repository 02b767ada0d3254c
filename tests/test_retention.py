"""Retention: the schedule's states, legal hold, disposal and its stub, in real repositories with history."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import copy_demo
from sitebuild import build_site

EMAIL = {
    "admin": "admin@hengtai.example",
    "zhang-wei": "zhang.wei@hengtai.example",  # 市场部 staff
    "zhao-min": "zhao.min@hengtai.example",  # archivist
    "luo-qing": "luo.qing@hengtai.example",  # legal
    "deng-gang": "deng.gang@hengtai.example",  # 生产部 head
    "liu-yang": "liu.yang@hengtai.example",  # 行政部 head
    "wei-na": "wei.na@hengtai.example",  # 人力资源部 staff, no role
}
AS_OF = "2026-11-20 17:00"
NATIONAL = "国家档案局《企业文件材料归档范围和档案保管期限规定》"


def git(root: Path, *args: str, person: str = "admin", when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": person, "GIT_COMMITTER_NAME": person}
    env |= {"GIT_AUTHOR_EMAIL": EMAIL[person], "GIT_COMMITTER_EMAIL": EMAIL[person]}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env).stdout


def commit(root: Path, person: str, message: str, when: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, person=person, when=when)


def act(root: Path, person: str, now: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run commlog as ``person`` at ``now`` (COMMLOG_NOW stands in for the clock)."""
    git(root, "config", "user.email", EMAIL[person])
    env = {**os.environ, "PYTHONUTF8": "1", "COMMLOG_NOW": now}
    return subprocess.run(
        [sys.executable, "-m", "commlog", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "records").rglob("*")) if p.is_file()
    }


def refused(root: Path, person: str, now: str, *args: str, says: str, code: int = 2) -> None:
    before = files(root)
    result = act(root, person, now, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert files(root) == before


def states(root: Path, as_of: str = AS_OF) -> dict[str, dict]:
    result = act(root, "admin", "2026-11-20 17:00+08:00", "retention", "--as-of", as_of, "--format", "json")
    assert result.returncode == 0, result.stderr
    return {r["id"]: r for r in json.loads(result.stdout)["records"]}


def record(root: Path, record_id: str) -> dict:
    return yaml.safe_load((root / "records" / record_id.split("-")[1] / f"{record_id}.yaml").read_text())


@pytest.fixture
def repo(demo_repo: Path) -> Path:
    """The demo as a repository whose history has the data entered by the admin, then an attachment by 生产部."""
    git(demo_repo, "init", "-q", "-b", "main")
    commit(demo_repo, "admin", "demo", "2026-11-01T09:00:00+08:00")
    folder = demo_repo / "records/2024/NB-2024-056"
    folder.mkdir()
    (folder / "交期确认函.txt").write_text("供应商B确认10月12日交货。\n", encoding="utf-8")
    path = demo_repo / "records/2024/NB-2024-056.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "attachments:\n  - 交期确认函.txt\n", encoding="utf-8")
    commit(demo_repo, "deng-gang", "NB-2024-056: the supplier's confirmation", "2026-11-02T10:00:00+08:00")
    git(demo_repo, "checkout", "-q", "-b", "pr")
    return demo_repo


def test_every_state_as_of_the_demo_moment_and_before(repo: Path) -> None:
    now = states(repo)
    assert now["NB-2024-057"]["state"] == "disposed"  # the demo's disposal
    assert now["CG-2024-001"]["state"] == "held"  # on legal hold since 2026-11-10
    assert now["NB-2024-058"]["state"] == "due"  # held in 2025, released 2026-06-15
    assert now["NB-2024-056"]["state"] == "due" and now["NB-2024-056"]["due"] == "2025-10-11"
    assert now["XZ-2025-002"]["state"] == "due_soon" and now["XZ-2025-002"]["due"] == "2026-12-10"
    assert now["CG-2025-001"]["state"] == "kept" and now["CG-2025-001"]["retention_years"] == 5
    assert now["CW-2024-001"]["retention_years"] == 10  # confidential: the longest matching row
    assert now["NX-2026-003"]["state"] == "open" and now["NX-2026-003"]["due"] is None
    earlier = states(repo, "2025-12-01 12:00")  # events and the disposal dated later do not count
    assert earlier["NB-2024-058"]["state"] == "held"
    assert earlier["NB-2024-057"]["state"] == "due_soon"
    assert earlier["CG-2024-001"]["state"] == "due_soon"


def test_records_to_a_regulator_are_important_by_nature(repo: Path) -> None:
    assert states(repo)["NX-2025-002"]["retention_years"] == 1
    contact = repo / "contacts/external/customer-c.yaml"
    contact.write_text(
        contact.read_text(encoding="utf-8").replace("type: customer", "type: regulator"), encoding="utf-8"
    )
    found = states(repo)["NX-2025-002"]
    assert (found["retention_years"], found["importance"], found["state"]) == (5, "important", "kept")
    assert found["important_by_nature"] == "监管函件"


def test_a_schedule_below_the_national_minimum_is_warned_about(repo: Path) -> None:
    result = act(repo, "admin", "2026-11-20 17:00+08:00", "retention", "--as-of", AS_OF)
    assert result.returncode == 0
    assert NATIONAL in result.stdout and "普通信息 1 年" in result.stdout and "最短保管期限 10 年" in result.stdout
    policy = repo / "policy.yaml"
    text = policy.read_text(encoding="utf-8").replace("years: 1,", "years: 10,").replace("years: 5,", "years: 30,")
    policy.write_text(text, encoding="utf-8")
    result = act(repo, "admin", "2026-11-20 17:00+08:00", "retention", "--as-of", AS_OF, "--format", "json")
    assert NATIONAL not in result.stdout + result.stderr
    assert json.loads(result.stdout)["counts"]["due"] == 0


def test_fail_on_due_and_the_spreadsheets_read_back(repo: Path, tmp_path: Path) -> None:
    result = act(repo, "admin", "2026-11-20 17:00+08:00", "retention", "--as-of", AS_OF, "--fail-on-due")
    assert result.returncode == 1
    assert (
        act(
            repo, "admin", "2026-11-20 17:00+08:00", "retention", "--as-of", "2025-01-01 09:00", "--fail-on-due"
        ).returncode
        == 0
    )
    out = tmp_path / "留存报告.xlsx"
    assert (
        act(
            repo,
            "admin",
            "2026-11-20 17:00+08:00",
            "retention",
            "--as-of",
            AS_OF,
            "--format",
            "xlsx",
            "--output",
            str(out),
        ).returncode
        == 0
    )
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    headings = rows[1]
    by_id = {r[headings.index("信息编号")]: r for r in rows[2:]}
    assert by_id["CG-2024-001"][0] == "留存冻结" and "仲裁" in by_id["CG-2024-001"][headings.index("冻结/销毁")]
    assert by_id["NB-2024-057"][0] == "已销毁" and "邓刚" in by_id["NB-2024-057"][headings.index("冻结/销毁")]
    assert str(by_id["XZ-2025-002"][headings.index("到期日")])[:10] == "2026-12-10"
    csv_out = tmp_path / "留存报告.csv"
    act(
        repo,
        "admin",
        "2026-11-20 17:00+08:00",
        "retention",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--output",
        str(csv_out),
    )
    text = csv_out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("状态,信息编号") and "即将到期,XZ-2025-002" in text


def test_hold_and_release_keep_the_status_and_the_overdue_report(repo: Path) -> None:
    overdue = act(repo, "admin", "2026-11-20 17:00+08:00", "overdue", "--as-of", AS_OF).stdout
    now = "2026-11-20 10:00+08:00"
    refused(repo, "zhang-wei", now, "hold", "NB-2024-056", "--reason", "诉讼", says="legal hold", code=1)
    result = act(repo, "luo-qing", now, "hold", "NB-2024-056", "--reason", "原材料质量诉讼证据保全")
    assert result.returncode == 0, result.stderr
    refused(repo, "zhao-min", now, "hold", "NB-2024-056", "--reason", "再次", says="already on legal hold", code=1)
    assert states(repo)["NB-2024-056"]["state"] == "held"
    refused(
        repo,
        "zhao-min",
        now,
        "dispose",
        "NB-2024-056",
        "--approve-by",
        "deng-gang",
        "--approve-by",
        "luo-qing",
        says="legal hold",
    )
    commit(repo, "luo-qing", "hold NB-2024-056", "2026-11-20T10:05:00+08:00")
    shown = json.loads(act(repo, "admin", now, "show", "NB-2024-056", "--format", "json").stdout)
    assert shown["status"] == "archived" and shown["retention"]["state"] == "held"
    assert shown["retention"]["hold"]["note"] == "原材料质量诉讼证据保全"
    assert act(repo, "admin", now, "overdue", "--as-of", AS_OF).stdout == overdue
    assert act(repo, "admin", now, "validate").returncode == 0
    assert (
        act(repo, "zhao-min", "2026-11-20 11:00+08:00", "release", "NB-2024-056", "--reason", "已和解").returncode == 0
    )
    refused(
        repo,
        "zhao-min",
        "2026-11-20 11:00+08:00",
        "release",
        "NB-2024-056",
        "--reason",
        "x",
        says="not on legal hold",
        code=1,
    )
    assert states(repo)["NB-2024-056"]["state"] == "due"
    commit(repo, "zhao-min", "release NB-2024-056", "2026-11-20T11:05:00+08:00")
    assert act(repo, "admin", now, "validate", "--base", "main").returncode == 0


def test_disposal_is_refused_until_due_held_approved_and_by_the_archivist(repo: Path) -> None:
    now = "2026-11-20 15:00+08:00"
    approvals = ("--approve-by", "deng-gang", "--approve-by", "luo-qing")
    refused(
        repo,
        "zhao-min",
        now,
        "dispose",
        "XZ-2025-002",
        "--approve-by",
        "liu-yang",
        "--approve-by",
        "luo-qing",
        says="--before-due",
    )
    refused(
        repo,
        "zhao-min",
        now,
        "dispose",
        "CG-2024-001",
        "--approve-by",
        "xiao-nan",
        "--approve-by",
        "luo-qing",
        says="legal hold",
    )
    refused(repo, "zhao-min", now, "dispose", "NX-2026-003", "--approve-by", "luo-qing", says="not archived")
    refused(repo, "zhao-min", now, "dispose", "NB-2024-056", "--approve-by", "luo-qing", says="邓刚 (deng-gang)")
    refused(
        repo,
        "zhao-min",
        now,
        "dispose",
        "NB-2024-056",
        *approvals,
        "--approve-by",
        "zhang-wei",
        says="approve(s) in no role",
    )
    refused(repo, "zhang-wei", now, "dispose", "NB-2024-056", *approvals, says="archivist")
    refused(repo, "zhao-min", now, "dispose", "NB-2024-057", *approvals, says="was disposed of")
    refused(repo, "zhao-min", now, "comment", "NB-2024-057", "--note", "x", says="disposed of", code=1)


def test_a_disposal_leaves_a_stub_and_passes_the_pull_request_check(repo: Path) -> None:
    result = act(
        repo,
        "zhao-min",
        "2026-11-20 15:00+08:00",
        "dispose",
        "NB-2024-056",
        "--approve-by",
        "deng-gang",
        "--approve-by",
        "luo-qing",
    )
    assert result.returncode == 0, result.stderr
    assert "attachments removed: 1" in result.stdout
    assert not (repo / "records/2024/NB-2024-056").exists()
    stub = record(repo, "NB-2024-056")
    text = (repo / "records/2024/NB-2024-056.yaml").read_text(encoding="utf-8")
    assert "原材料订单交期调整" not in text and "attachments" not in text and "note:" not in text
    assert stub["subject"] == stub["summary"] == "已销毁"
    assert stub["events"][-1] == {
        "type": "archived",
        "at": "2024-10-11 10:30",
        "by": "zhao-min",
        "archive_no": "ND-2024-1002",
    }
    gone = stub["disposed"]
    assert gone["by"] == "zhao-min" and str(gone["due"]) == "2025-10-11" and gone["retention_years"] == 1
    assert gone["approved_by"] == [
        {"person": "deng-gang", "role": "dept_head"},
        {"person": "luo-qing", "role": "legal"},
    ]
    assert act(repo, "admin", "2026-11-20 15:00+08:00", "validate").returncode == 0
    assert act(repo, "admin", "2026-11-20 15:00+08:00", "fmt", "--check").returncode == 0
    assert states(repo)["NB-2024-056"]["state"] == "disposed"
    commit(repo, "zhao-min", "dispose of NB-2024-056", "2026-11-20T15:05:00+08:00")
    checked = act(repo, "admin", "2026-11-20 15:10+08:00", "validate", "--base", "main", "--format", "json")
    assert json.loads(checked.stdout)["findings"] == [], checked.stdout
    summary = act(repo, "admin", "2026-11-20 15:10+08:00", "pr-summary", "--base", "main").stdout
    assert "原材料订单交期调整" not in summary, summary  # the old subject must not outlive a purge of the record
    assert "销毁: NB-2024-056 (" in summary and "2024-10-11 10:30 归档 (ND-2024-1002)" in summary, summary
    assert "保管1年 2025-10-11 到期" in summary and "罗晴 (法务)" in summary, summary
    # the same disposal committed by someone else, and a stub that changed more than the stub allows
    git(
        repo,
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--reset-author",
        person="zhang-wei",
        when="2026-11-20T15:06:00+08:00",
    )
    path = repo / "records/2024/NB-2024-056.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("urgency: normal", "urgency: urgent"), encoding="utf-8")
    checked = act(repo, "admin", "2026-11-20 15:10+08:00", "validate", "--base", "main", "--format", "json")
    rules = {f["rule"] for f in json.loads(checked.stdout)["findings"]}
    assert rules == {"disposal-not-stub", "disposal-not-by-archivist"}, checked.stdout


def test_an_early_disposal_says_why(repo: Path) -> None:
    args = ("dispose", "XZ-2025-002", "--approve-by", "liu-yang", "--approve-by", "luo-qing")
    result = act(repo, "zhao-min", "2026-11-20 15:00+08:00", *args, "--before-due", "当事人依个人信息保护法要求删除")
    assert result.returncode == 0, result.stderr
    assert record(repo, "XZ-2025-002")["disposed"]["override"] == "当事人依个人信息保护法要求删除"


def test_the_site_shows_held_and_disposed_records(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "admin", "demo", "2026-11-01T09:00:00+08:00")
    site = build_site(repo, tmp_path / "site")
    disposed = (site / "records/2024/NB-2024-057/index.html").read_text(encoding="utf-8")
    assert "已销毁" in disposed and "2025-12-18 到期" in disposed and "邓刚（部门负责人）" in disposed
    assert "二号车间空调检修停机安排" not in disposed
    held = (site / "records/2024/CG-2024-001/index.html").read_text(encoding="utf-8")
    assert "留存冻结" in held and "申请仲裁" in held and "保管期限" in held and "2025-12-04" in held
    register = (site / "register/2024-12/index.html").read_text(encoding="utf-8")
    assert 'commlog-retention-disposed">已销毁' in register
    assert 'commlog-retention-held">留存冻结' in register
    kept = (site / "records/2025/XZ-2025-002/index.html").read_text(encoding="utf-8")
    assert "即将到期" in kept and "2026-12-10" in kept


def test_the_xlsx_is_a_workbook(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "retention", "--as-of", AS_OF, "--format", "xlsx"],
        cwd=repo, capture_output=True, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    assert result.returncode == 0
    assert openpyxl.load_workbook(io.BytesIO(result.stdout)).active.title == "留存报告"


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("    - {person: deng-gang, role: dept_head}\n", "", "the approvals lack dept_head"),
        ("  due: 2025-12-18\n", "  due: 2026-12-18\n", "is not 1 year(s) from the archiving on 2024-12-18"),
        ("  by: zhao-min\n  authority", "  by: luo-qing\n  authority", "did not hold the archiving role"),
        (
            "archive_no: ND-2024-1007}\n",
            "archive_no: ND-2024-1007}\n  - {type: held, at: 2026-11-01 09:00, by: luo-qing, note: 诉讼保全}\n",
            "while on legal hold",
        ),
    ],
)
def test_a_disposal_record_that_does_not_add_up_is_a_finding(demo_repo: Path, old: str, new: str, says: str) -> None:
    path = demo_repo / "records/2024/NB-2024-057.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--format", "json"],
        cwd=demo_repo, capture_output=True, text=True, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    found = [(f["rule"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert result.returncode == 1 and any(r == "disposal-record" and says in m for r, m in found), found


def test_an_interrupted_disposal_is_undone_or_finished_by_the_next(repo: Path) -> None:
    """A disposal killed between moving the attachments aside and writing the stub: running it again puts them back
    (even when that run is refused: here an approval is missing) or, once the stub was written, removes them."""
    year = repo / "records/2024"
    aside = year / ".NB-2024-056.x1.commlog-dispose"
    aside.mkdir()
    (year / "NB-2024-056").rename(aside / "NB-2024-056")
    act(repo, "zhao-min", "2026-11-20 15:00+08:00", "dispose", "NB-2024-056", "--approve-by", "luo-qing")
    assert (year / "NB-2024-056/交期确认函.txt").is_file() and not aside.exists()  # refused, attachments back
    stub = year / ".NB-2024-057.x2.commlog-dispose/NB-2024-057"
    stub.mkdir(parents=True)
    (stub / "旧附件.txt").write_text("销毁前的附件\n", encoding="utf-8")
    act(repo, "zhao-min", "2026-11-20 15:00+08:00", "dispose", "NB-2024-057", "--approve-by", "luo-qing")
    assert not stub.parent.exists()  # the stub was written: what was left of the attachments goes


def test_a_disposal_takes_the_records_accepted_findings_out_of_the_allow_list(repo: Path) -> None:
    """NX-2025-001's credit code is accepted in the allow list; once the record is a stub the entry would be stale
    and fail validation, so the disposal takes it out (and the archivist commits it with the stub)."""
    allow = repo / ".commlog/allowed-sensitive.yaml"
    assert "NX-2025-001" in allow.read_text(encoding="utf-8")
    args = ("dispose", "NX-2025-001", "--approve-by", "wang-fang", "--approve-by", "luo-qing")
    result = act(repo, "zhao-min", "2026-11-20 15:00+08:00", *args)
    assert result.returncode == 0, result.stderr
    assert "allow-list entries removed: 1" in result.stdout
    assert "NX-2025-001" not in allow.read_text(encoding="utf-8")
    done = act(repo, "zhao-min", "2026-11-20 15:00+08:00", "validate")
    assert done.returncode == 0, done.stdout


def _stub_edited(root: Path, record_id: str, old: str, new: str) -> None:
    path = root / "records" / record_id.split("-")[1] / f"{record_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _base_findings(root: Path, now: str) -> list[tuple[str, str]]:
    checked = act(root, "admin", now, "validate", "--base", "main", "--format", "json")
    assert "Traceback" not in checked.stderr, checked.stderr
    return [(f["rule"], f["message"]) for f in json.loads(checked.stdout)["findings"]]


def test_an_approver_listed_under_a_role_they_did_not_hold_is_a_finding(repo: Path) -> None:
    """A forged stub: luo-qing's legal approval given to wei-na (人事专员, no role), committed by the archivist."""
    args = ("dispose", "CG-2025-002", "--approve-by", "xiao-nan", "--approve-by", "luo-qing")
    assert act(repo, "zhao-min", "2026-11-20 15:00+08:00", *args).returncode == 0
    _stub_edited(repo, "CG-2025-002", "{person: luo-qing, role: legal}", "{person: wei-na, role: legal}")
    commit(repo, "zhao-min", "dispose of CG-2025-002", "2026-11-20T15:05:00+08:00")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    assert ("disposal-record", "wei-na did not hold legal (法务) for this record on 2026-11-20") in found, found
    # a head of another department is no approver for 采购部's record either
    _stub_edited(repo, "CG-2025-002", "{person: xiao-nan, role: dept_head}", "{person: deng-gang, role: dept_head}")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    assert any(m.startswith("deng-gang did not hold dept_head") for _, m in found), found


def test_an_early_disposal_passed_off_as_due_is_a_finding(repo: Path) -> None:
    """The stub's own due date is not trusted: the term is computed again from the archiving and the schedule."""
    args = ("dispose", "NX-2026-002", "--approve-by", "wang-fang", "--approve-by", "luo-qing", "--before-due", "x")
    assert act(repo, "zhao-min", "2026-11-20 15:00+08:00", *args).returncode == 0
    stub = record(repo, "NX-2026-002")["disposed"]
    assert str(stub["due"]) == "2027-04-09" and stub["override"] == "x"
    _stub_edited(repo, "NX-2026-002", "  override: x\n", "")
    _stub_edited(repo, "NX-2026-002", "due: 2027-04-09", "due: 2026-04-09")
    _stub_edited(repo, "NX-2026-002", "2027-04-09 到期", "2026-04-09 到期")
    commit(repo, "zhao-min", "dispose of NX-2026-002", "2026-11-20T15:05:00+08:00")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    messages = [m for r, m in found if r == "disposal-record"]
    assert "disposed of on 2026-11-20, before its term ended on 2027-04-09" in messages, messages
    assert any("is not 1 year(s) from the archiving on 2026-04-09" in m for m in messages), messages
    plain = act(repo, "admin", "2026-11-20 15:10+08:00", "validate")
    assert plain.returncode == 1 and "before its term ended on 2027-04-09" in plain.stdout
    # A term that adds up but is not the schedule's (2 years, due 2028-04-09, with an override for going early):
    # plain validate finds nothing wrong with the stub; the merge check holds it to the schedule.
    _stub_edited(repo, "NX-2026-002", "retention_years: 1", "retention_years: 2")
    _stub_edited(repo, "NX-2026-002", "due: 2026-04-09", "due: 2028-04-09\n  override: x")
    commit(repo, "zhao-min", "dispose of NX-2026-002", "2026-11-20T15:06:00+08:00")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    assert not [m for r, m in found if r == "disposal-record"], found
    assert any(r == "disposal-term" and "are not the schedule's 2027-04-09 and 1" in m for r, m in found), found


def test_a_longer_retention_period_later_leaves_earlier_disposals_valid(demo_repo: Path) -> None:
    """NB-2024-057 was disposed of under a 1-year term; the policy's normal term becoming 3 years does not make its
    stub wrong (the schedule is checked as a disposal is merged, not ever after)."""
    policy = demo_repo / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "{importance: normal, years: 1," in text
    policy.write_text(
        text.replace("{importance: normal, years: 1,", "{importance: normal, years: 3,"), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "commlog", "validate", "--format", "json"],
        cwd=demo_repo, capture_output=True, text=True, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    found = [f for f in json.loads(result.stdout)["findings"] if f["path"].endswith("NB-2024-057.yaml")]
    assert found == [], found


def test_a_legal_hold_is_released_only_by_a_custodian_who_commits_it(repo: Path) -> None:
    """wei-na writes a release of CG-2024-001's hold in luo-qing's name, then in her own: both are findings, and
    the archivist cannot dispose of the record on the strength of it."""
    path = repo / "records/2024/CG-2024-001.yaml"
    original = path.read_text(encoding="utf-8")
    held = original.index("\n", original.index("{type: held")) + 1
    text = (
        original[:held]
        + "  - {type: released, at: 2026-11-20 14:00, by: luo-qing, note: 仲裁已结束}\n"
        + original[held:]
    )
    path.write_text(text, encoding="utf-8")
    commit(repo, "wei-na", "release CG-2024-001", "2026-11-20T14:05:00+08:00")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    assert any(r == "approval-not-by-approver" and m.startswith("released by luo-qing") for r, m in found), found
    path.write_text(text.replace("by: luo-qing, note: 仲裁已结束", "by: wei-na, note: 仲裁已结束"), encoding="utf-8")
    commit(repo, "wei-na", "release CG-2024-001", "2026-11-20T14:06:00+08:00")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    assert ("hold-role", "released by wei-na, who did not hold a hold role on 2026-11-20") in found, found
    approvals = ("--approve-by", "xiao-nan", "--approve-by", "luo-qing")
    refused(repo, "zhao-min", "2026-11-20 15:00+08:00", "dispose", "CG-2024-001", *approvals, says="hold-role")


def test_an_interrupted_disposal_is_reported_and_ignored_by_git(repo: Path, tmp_path: Path) -> None:
    aside = repo / "records/2024/.NB-2024-056.x1.commlog-dispose"
    aside.mkdir()
    (repo / "records/2024/NB-2024-056").rename(aside / "NB-2024-056")
    result = act(repo, "admin", "2026-11-20 15:00+08:00", "validate", "--format", "json")
    found = [(f["path"], f["rule"], f["hint"]) for f in json.loads(result.stdout)["findings"]]
    assert result.returncode == 1
    assert (
        "records/2024/.NB-2024-056.x1.commlog-dispose",
        "disposal-interrupted",
        "run commlog dispose NB-2024-056 again to finish or undo it",
    ) in found, found
    shutil.copyfile(Path(__file__).parents[1] / ".gitignore", repo / ".gitignore")
    assert ".commlog-dispose" not in git(repo, "status", "--porcelain", "--untracked-files=all")
    fresh = tmp_path / "fresh"
    made = subprocess.run(
        [sys.executable, "-m", "commlog", "init", str(fresh), "--organisation", "测试公司"],
        capture_output=True, text=True, env={**os.environ, "PYTHONUTF8": "1"},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "*.commlog-dispose" in (fresh / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_disposal_dated_before_the_archiving_or_shortened_by_its_own_change_is_a_finding(repo: Path) -> None:
    """FW-2025-001 (important: 5 years, archived 2025-01-15): a stub dated before its archiving, with an override, is a
    finding in plain validate; a change that shortens the schedule for its own disposal is judged by the target
    branch's schedule."""
    args = ("dispose", "FW-2025-001", "--approve-by", "gao-jun", "--approve-by", "luo-qing", "--before-due", "x")
    result = act(repo, "zhao-min", "2026-11-20 15:00+08:00", *args)
    assert result.returncode == 0, result.stderr
    stub = record(repo, "FW-2025-001")["disposed"]
    _stub_edited(repo, "FW-2025-001", f"at: {stub['at']}", "at: 2025-01-14 10:00")
    commit(repo, "zhao-min", "dispose of FW-2025-001", "2026-11-20T15:05:00+08:00")
    plain = act(repo, "admin", "2026-11-20 15:10+08:00", "validate")
    assert plain.returncode == 1 and "before it was archived on 2025-01-15" in plain.stdout, plain.stdout
    _stub_edited(repo, "FW-2025-001", "at: 2025-01-14 10:00", f"at: {stub['at']}")
    _stub_edited(repo, "FW-2025-001", "retention_years: 5", "retention_years: 1")
    _stub_edited(repo, "FW-2025-001", f"due: {stub['due']}", "due: 2026-01-15")
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "{importance: important, years: 5,", "{importance: important, years: 1,"
        ),
        encoding="utf-8",
    )
    commit(repo, "zhao-min", "shorten and dispose", "2026-11-20T15:06:00+08:00")
    found = _base_findings(repo, "2026-11-20 15:10+08:00")
    assert any(r == "disposal-term" and "are not the schedule's" in m for r, m in found), found
