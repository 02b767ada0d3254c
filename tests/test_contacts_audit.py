"""``commlog contacts audit`` on real repositories whose contacts changed at known dates, by several authors."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from commlog.commands import main
from commlog.reports.contacts_audit import add_months, org_name_key

from conftest import copy_demo

HR = "Lin Fang <lin.fang@hengtai.example>"
SALES = "Zhao Jie <zhao.jie@hengtai.example>"


def git(repo: Path, *args: str, at: str, author: str = HR) -> None:
    """Run git in ``repo`` as ``author``, with both dates at ``at`` (Shanghai time)."""
    name, email = author[:-1].split(" <")
    moment = f"{at}:00+08:00".replace(" ", "T")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": moment,
        "GIT_COMMITTER_DATE": moment,
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def audit(repo: Path, as_of: str, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["contacts", "audit", "--repo", str(repo), "--as-of", as_of, *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def findings(repo: Path, as_of: str) -> dict[str, list[dict]]:
    code, out = audit(repo, as_of, "--format", "json")
    assert code == 0
    by_rule: dict[str, list[dict]] = {}
    for item in json.loads(out)["findings"]:
        by_rule.setdefault(item["rule"], []).append(item)
    return by_rule


def paths(found: list[dict]) -> set[str]:
    return {f["path"] for f in found}


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo loaded on 2026-06-01, then changed by HR and sales at known dates (Shanghai time):

    - 06-30: zhang-wei's new mobile, effective Monday 06-29 (due by 06-30 18:00): committed 07-01, late.
    - 07-02: a new hire who joined 07-01, committed the next morning: in time.
    - 08-20: wang-fang's file reformatted only (a comment): no review.
    - 09-01: an empty commit `Contacts-Reviewed: customer-a wang-fang`.
    - 09-20: an empty commit `Contacts-Reviewed: all`.
    - 10-09: an empty commit `Contacts-Reviewed: partner-h` (its ended review, due 09-30).
    """
    repo = copy_demo(tmp_path_factory.mktemp("audit") / "repo")
    git(repo, "init", "-q", "-b", "main", at="2026-06-01 09:00")
    git(repo, "add", "-A", at="2026-06-01 09:00")
    git(repo, "commit", "-q", "-m", "Import the register", at="2026-06-01 10:00")
    edit(repo, "contacts/internal/zhang-wei.yaml", "mobile: '18301780393'", "mobile: '18301780394'\n")
    edit(repo, "contacts/internal/zhang-wei.yaml", "joined: 2017-09-09", "joined: 2017-09-09\nchanged: 2026-06-29")
    git(repo, "commit", "-q", "-am", "zhang-wei: new mobile", at="2026-07-01 11:00")
    (repo / "contacts/internal/xin-ren.yaml").write_text(
        "id: xin-ren\nname: 辛任\ndepartment: 市场部\ntitle: 市场专员\nmobile: '13700001111'\n"
        "email: xin.ren@hengtai.example\nstatus: active\njoined: 2026-07-01\n",
        encoding="utf-8",
    )
    git(repo, "add", "-A", at="2026-07-02 10:00")
    git(repo, "commit", "-q", "-m", "New hire xin-ren", at="2026-07-02 10:00")
    edit(repo, "contacts/internal/wang-fang.yaml", "id: wang-fang", "# 市场部负责人\nid: wang-fang")
    git(repo, "commit", "-q", "-am", "Comment only", at="2026-08-20 10:00")
    review = ["commit", "-q", "--allow-empty", "-m", "Q3 review of customer A"]
    git(repo, *review, "-m", "Contacts-Reviewed: customer-a wang-fang", at="2026-09-01 16:00", author=SALES)
    everyone = ["commit", "-q", "--allow-empty", "-m", "2026年第三季度联络信息审核", "-m", "Contacts-Reviewed: all"]
    git(repo, *everyone, at="2026-09-20 16:00")
    ended = ["commit", "-q", "--allow-empty", "-m", "partner-h: keep", "-m", "Contacts-Reviewed: partner-h"]
    git(repo, *ended, at="2026-10-09 10:00", author=SALES)
    return repo


def test_reviews_come_from_commits_that_change_data_or_name_the_contact(history_repo: Path) -> None:
    due = paths(findings(history_repo, "2026-09-15 17:00")["review-due"])
    assert "contacts/internal/li-qiang.yaml" in due  # loaded 06-01, untouched: due 09-01
    assert "contacts/internal/wang-fang.yaml" not in due  # the 09-01 trailer, not the comment-only commit
    assert "contacts/external/customer-a.yaml" not in due
    assert "contacts/internal/zhang-wei.yaml" not in due  # changed 07-01
    assert "contacts/internal/xin-ren.yaml" not in due
    assert len(due) == 41 + 1 + 15 - 4


def test_a_comment_only_commit_is_no_review(history_repo: Path) -> None:
    due = findings(history_repo, "2026-09-01 12:00")["review-due"]  # before the trailer of 16:00
    wang = [f for f in due if f["path"] == "contacts/internal/wang-fang.yaml"]
    assert wang and "上次审核于 2026-06-01" in wang[0]["message"]


def test_commits_after_the_moment_do_not_count(history_repo: Path) -> None:
    assert "review-due" in findings(history_repo, "2026-09-19 17:00")
    assert "review-due" not in findings(history_repo, "2026-09-21 09:00")  # the trailer `all` of 09-20


def test_nothing_is_due_before_the_period_ends(history_repo: Path) -> None:
    assert "review-due" not in findings(history_repo, "2026-08-31 17:00")  # the load of 06-01 is due on 09-01


def test_changes_committed_late_and_in_time(history_repo: Path) -> None:
    late = findings(history_repo, "2026-07-15 17:00")["late-change"]
    text = (history_repo / "contacts/internal/zhang-wei.yaml").read_text(encoding="utf-8")
    line = text.splitlines().index("changed: 2026-06-29") + 1
    assert [(f["path"], f["line"]) for f in late] == [("contacts/internal/zhang-wei.yaml", line)]
    assert "2026-06-29" in late[0]["message"] and "至 2026-06-30 18:00" in late[0]["message"]
    # The initial load's dates (jiang-tao left on 2026-02-28, loaded 06-01) are not judged, nor xin-ren's joining.
    assert not findings(history_repo, "2026-06-30 12:00").get("late-change")


def test_an_uncommitted_change_is_late_once_its_time_is_up(history_repo: Path, tmp_path: Path) -> None:
    subprocess.run(["git", "clone", "-q", str(history_repo), str(tmp_path / "clone")], check=True)
    clone = tmp_path / "clone"
    edit(clone, "contacts/internal/li-qiang.yaml", "joined: 2018-01-01", "joined: 2018-01-01\nchanged: 2026-10-12")
    before = findings(clone, "2026-10-13 17:00")["late-change"]  # Monday's change: until Tuesday 18:00
    assert paths(before) == {"contacts/internal/zhang-wei.yaml"}
    late = [f for f in findings(clone, "2026-10-14 09:00")["late-change"] if "li-qiang" in f["path"]]
    assert len(late) == 1 and "尚未提交" in late[0]["message"]


def test_ended_organisation_review_falls_due_and_is_confirmed(history_repo: Path) -> None:
    assert "ended-review-due" not in findings(history_repo, "2026-09-29 17:00")
    due = findings(history_repo, "2026-10-08 17:00")["ended-review-due"]
    assert [(f["path"], f["line"]) for f in due] == [("contacts/external/partner-h.yaml", 9)]
    assert "ended-review-due" not in findings(history_repo, "2026-10-09 17:00")


def test_the_demo_as_of_its_moment_without_history(demo_repo: Path) -> None:
    code, out = audit(demo_repo, "2026-11-20 17:00")
    assert code == 0
    assert "records/2026/NX-2026-004.yaml:9:31: departed-named:" in out and "customer-c/sun-yan" in out
    assert "contacts/external/partner-h.yaml:9:8: ended-review-due:" in out
    assert "NX-2026-004 尚未办结，收件人仍为 customer-c/sun-yan，其已于 2026-11-13 离开华东连锁超市有限公司" in out
    assert "partner-h 已于 2026-06-30 终止合作；自 2026-09-30 起应确认是否保留其信息" in out
    assert "`commlog contacts review partner-h`" in out
    assert "注：审核周期：没有 git 历史可查（不是 git 仓库，或尚无提交），未判断" in out
    assert out.count("没有 git 历史可查") == 2
    code, _ = audit(demo_repo, "2026-11-20 17:00", "--fail-on-findings")
    assert code == 1
    code, _ = audit(demo_repo, "2026-11-01 17:00", "--fail-on-findings")  # NX-2026-004 not registered yet
    assert code == 1  # partner-h's review is due all the same
    assert "departed-named" not in findings(demo_repo, "2026-11-01 17:00")


def test_departed_staff_with_roles_and_past_the_keep_period(demo_repo: Path) -> None:
    edit(demo_repo, "contacts/internal/fan-hui.yaml", "status: departed", "roles: [archivist]\nstatus: departed")
    found = findings(demo_repo, "2027-07-01 09:00")
    assert paths(found["departed-roles"]) == {"contacts/internal/fan-hui.yaml"}
    assert found["departed-roles"][0]["message"] == "fan-hui 已离职，仍担任档案管理员（archivist）"
    expired = found["departed-keep-expired"]
    assert paths(expired) == {"contacts/internal/fan-hui.yaml"} and "至 2027-06-30" in expired[0]["message"]
    assert "departed-keep-expired" not in findings(demo_repo, "2027-06-29 09:00")


def test_departed_staff_named_as_recipient_of_an_open_record(demo_repo: Path) -> None:
    edit(demo_repo, "contacts/internal/xiao-nan.yaml", "status: active", "status: departed\ndeparted: 2026-11-10")
    named = findings(demo_repo, "2026-11-20 17:00")["departed-named"]
    assert {f["path"] for f in named if "xiao-nan" in f["message"]} == {
        "records/2026/NB-2026-002.yaml",
        "records/2026/NB-2026-003.yaml",
    }


def test_formats_duplicates_and_the_same_organisation_twice(demo_repo: Path) -> None:
    edit(demo_repo, "contacts/external/supplier-g.yaml", "mobile: '", "mobile: '1")  # 12 digits
    edit(demo_repo, "contacts/internal/zhang-wei.yaml", "mobile: '18301780393'", "mobile: '13910013000'")
    wang_tao = "13910013000"
    assert wang_tao in (demo_repo / "contacts/external/customer-a.yaml").read_text(encoding="utf-8")
    (demo_repo / "contacts/external/partner-h2.yaml").write_text(
        "id: partner-h2\nname: 远景咨询 有限公司\ntype: partner\nowner: zhou-hua\nstatus: active\n"
        "people:\n  - {id: chen-yu, name: 陈雨}\n",
        encoding="utf-8",
    )
    found = findings(demo_repo, "2026-11-20 17:00")
    assert paths(found["contact-format"]) == {"contacts/external/supplier-g.yaml"}
    assert "has 12 digits" in found["contact-format"][0]["message"]
    assert paths(found["duplicate-mobile"]) == {"contacts/internal/zhang-wei.yaml", "contacts/external/customer-a.yaml"}
    assert paths(found["duplicate-org"]) == {"contacts/external/partner-h.yaml", "contacts/external/partner-h2.yaml"}


def test_roles_without_holders(demo_repo: Path) -> None:
    edit(demo_repo, "contacts/internal/chen-jianguo.yaml", "roles: [general_manager, dept_head]\n", "")
    edit(demo_repo, "contacts/internal/xie-yong.yaml", "roles: [division_leader]\n", "")
    edit(demo_repo, "contacts/internal/luo-qing.yaml", "roles: [legal]", "roles: [dept_head]")
    gaps = [f["message"] for f in findings(demo_repo, "2026-11-20 17:00")["role-gap"]]
    assert "总经理办公室没有在职的部门负责人" in gaps
    assert "法务部有 2 名部门负责人（gao-jun、luo-qing）" in gaps
    assert any(m == "运营板块（operations）没有在职的分管领导" for m in gaps)
    assert "没有在职人员担任总经理（general_manager）" in gaps
    assert not any("legal" in m for m in gaps)  # gao-jun still holds it
    assert len(gaps) == 4


def test_markdown_and_workbook(demo_repo: Path, tmp_path: Path) -> None:
    code, md = audit(demo_repo, "2026-11-20 17:00", "--format", "md")
    assert code == 0 and md.startswith("# 联络信息审核报告\n") and "## 合作终止满期待复核（1）" in md
    target = tmp_path / "审核.xlsx"
    code, _ = audit(demo_repo, "2026-11-20 17:00", "--format", "xlsx", "--output", str(target))
    assert code == 0
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "联络信息审核报告 截至 2026-11-20 17:00"
    assert rows[1] == ("类别", "文件", "行", "规则", "说明", "处理")
    assert ("合作终止满期待复核", "contacts/external/partner-h.yaml", 9) in [r[:3] for r in rows]
    code, out = audit(demo_repo, "2026-11-20 17:00", "--format", "xlsx")
    assert code == 2 and "needs --output" in out


def test_month_arithmetic_and_names() -> None:
    from datetime import date

    assert add_months(date(2026, 8, 31), 1) == date(2026, 9, 30)
    assert add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert org_name_key("远景咨询（有限）公司 ") == org_name_key("远景咨询(有限)公司")


def test_a_shallow_clone_says_it_cannot_judge(history_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{history_repo}", str(clone)], check=True)
    code, out = audit(clone, "2026-12-01 09:00")
    assert code == 0 and out.count("浅克隆") == 2 and ": review-due:" not in out and "late-change" not in out


def test_the_site_shows_the_audit_without_whole_numbers(tmp_path: Path) -> None:
    from sitebuild import build_site

    repo = copy_demo(tmp_path / "repo", with_site=True)
    # 12 digits, quoted in the finding; a private number, which an internal build shows masked in the directory
    edit(repo, "contacts/external/supplier-g.yaml", "mobile: '", "private: [mobile]\n    mobile: '1")
    number = "1" + "13960042000"
    site = build_site(repo, tmp_path / "site")
    page = (site / "contacts/audit/index.html").read_text(encoding="utf-8")
    assert '<a href="../../records/2026/NX-2026-004/">NX-2026-004</a>' in page
    assert "远景咨询有限公司" in page and "合作终止满期待复核（1）" in page
    assert "手机号码格式无效" in page and number not in page
    confidential = build_site(repo, tmp_path / "confidential", clearance="confidential")
    assert number in (confidential / "contacts/audit/index.html").read_text(encoding="utf-8")  # at its own level
    assert 'href="audit/"' in (site / "contacts/index.html").read_text(encoding="utf-8")


def test_contacts_review_makes_the_empty_commit_the_audit_counts(history_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(history_repo), str(clone)], check=True)
    edit(clone, "contacts/internal/zhang-wei.yaml", "title: 市场专员", "title: 高级市场专员")
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    name, email = SALES[:-1].split(" <")
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name}
    env |= {"GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": "2026-10-05T10:00:00+08:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    runner = CliRunner()
    done = runner.invoke(main, ["contacts", "review", "li-qiang", "customer-c", "--repo", str(clone)], env=env)
    assert done.exit_code == 0 and done.output.endswith("Contacts-Reviewed: li-qiang customer-c\n"), done.output
    shown = subprocess.run(
        ["git", "show", "--stat", "--format=%an %B", "HEAD"], cwd=clone, capture_output=True, text=True
    )
    assert shown.stdout.startswith("Zhao Jie 联络信息审核\n\nContacts-Reviewed: li-qiang customer-c\n")
    assert "zhang-wei" not in shown.stdout  # what was staged stays staged, out of the review's commit
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=clone, capture_output=True, text=True)
    assert staged.stdout == "contacts/internal/zhang-wei.yaml\n"
    due = paths(findings(clone, "2026-12-21 09:00")["review-due"])  # the `all` of 09-20 is due on 12-20
    assert "contacts/internal/li-qiang.yaml" not in due and "contacts/external/customer-c.yaml" not in due
    assert "contacts/internal/wang-fang.yaml" in due
    for wrong in (["nobody"], [], ["li-qiang", "--all"]):
        refused = runner.invoke(main, ["contacts", "review", *wrong, "--repo", str(clone)], env=env)
        assert refused.exit_code == 2, refused.output
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=clone, capture_output=True, text=True)
    assert count.stdout == "8\n"  # the six of the fixture, its load and the one review: nothing refused was committed


def test_a_change_merged_from_another_line_of_work_is_dated_by_its_own_commit(tmp_path: Path) -> None:
    """Two branches edit one contact file, one of them recording a change with its date; after the merge the audit
    dates the change by the commit that carried it, however the history's walk interleaves the two lines."""
    repo = copy_demo(tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main", at="2026-06-01 09:00")
    git(repo, "add", "-A", at="2026-06-01 09:00")
    git(repo, "commit", "-q", "-m", "Import the register", at="2026-06-01 10:00")
    git(repo, "checkout", "-q", "-b", "mobile", at="2026-06-02 09:00")
    edit(repo, "contacts/internal/zhang-wei.yaml", "joined: 2017-09-09", "joined: 2017-09-09\nchanged: 2026-06-01")
    git(repo, "commit", "-q", "-am", "zhang-wei: changed on 06-01", at="2026-06-02 10:00")
    git(repo, "checkout", "-q", "main", at="2026-06-02 11:00")
    edit(repo, "contacts/internal/zhang-wei.yaml", "id: zhang-wei", "# 市场部\nid: zhang-wei")
    git(repo, "commit", "-q", "-am", "a comment on main", at="2026-06-02 12:00")
    edit(repo, "contacts/internal/zhang-wei.yaml", "# 市场部\n", "# 市场部专员\n")
    git(repo, "commit", "-q", "-am", "another comment on main", at="2026-06-03 12:00")
    git(repo, "merge", "-q", "--no-edit", "mobile", at="2026-06-04 10:00")
    late = [f for f in findings(repo, "2026-06-05 17:00").get("late-change", []) if "zhang-wei" in f["path"]]
    assert late == [], [f["message"] for f in late]  # committed 06-02 10:00, within the working day after 06-01


def test_an_open_record_waiting_on_an_ended_organisation_is_named(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo")
    edit(
        repo,
        "contacts/external/supplier-g.yaml",
        "status: active\npeople:",
        "status: inactive\nended: 2026-11-16\npeople:",
    )
    named = findings(repo, "2026-11-20 17:00")["departed-named"]
    ended = [f for f in named if "supplier-g/ma-lin" in f["message"]]
    assert {f["path"] for f in ended} >= {"records/2026/CG-2026-004.yaml"}, [f["message"] for f in named]
    assert all("已于 2026-11-16 终止合作" in f["message"] for f in ended)
