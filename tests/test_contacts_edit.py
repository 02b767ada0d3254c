"""``commlog contacts add|update|depart|end|find`` on a real git repository, run as the people who do it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from test_history import git

from conftest import copy_demo, run_commlog

ADMIN = "ma.chao@hengtai.example"  # 马超, 行政部, role admin
STAFF = "zhang.wei@hengtai.example"  # 张伟, no roles
OWNER = "zhao.jie@hengtai.example"  # 赵杰, owner of customer-a


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMMLOG_NOW", "2026-11-20 17:00+08:00")
    root = copy_demo(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The demo register")
    return root


def as_person(root: Path, email: str, *args: str) -> tuple[int, str, str]:
    git(root, "config", "user.email", email)
    result = run_commlog("contacts", *args, "--repo", str(root))
    return result.returncode, result.stdout, result.stderr


def contact(root: Path, relative: str) -> dict:
    return yaml.load((root / relative).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # dates as written


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in (root / "contacts").rglob("*.yaml")}


def validates(root: Path) -> None:
    result = run_commlog("validate", "--repo", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_commlog("fmt", "--check", "--repo", str(root)).returncode == 0


def test_an_administrator_adds_changes_and_departs_staff(repo: Path) -> None:
    code, out, err = as_person(
        repo, ADMIN, "add", "wu-fang", "--name", "吴芳", "--department", "市场部", "--title", "市场专员",
        "--email", "wu.fang@hengtai.example", "--mobile", "13800001234", "--private", "mobile",
        "--responsibility", "华东区域客户对接", "--date", "2026-11-19",
    )  # fmt: skip
    assert code == 0, err
    assert "contacts/internal/wu-fang.yaml" in out
    added = contact(repo, "contacts/internal/wu-fang.yaml")
    assert added["joined"] == added["changed"] == "2026-11-19" and added["status"] == "active"
    assert added["private"] == ["mobile"] and added["responsibilities"] == ["华东区域客户对接"]
    validates(repo)

    # A transfer keeps what the entry said before, so that zhang-wei's records sent from 市场部 stay valid.
    code, out, err = as_person(repo, ADMIN, "update", "zhang-wei", "--department", "行政部", "--title", "行政主管",
                               "--date", "2026-11-18")  # fmt: skip
    assert code == 0, err
    moved = contact(repo, "contacts/internal/zhang-wei.yaml")
    assert moved["department"] == "行政部" and moved["changed"] == "2026-11-18"
    assert moved["history"] == [{"until": "2026-11-17", "department": "市场部", "title": "市场专员"}]
    validates(repo)

    # The only head of 采购部 may not leave until the role is handed over; then the role moves to the history.
    before = snapshot(repo)
    code, _, err = as_person(repo, ADMIN, "depart", "xiao-nan", "--date", "2026-11-20")
    assert code == 2 and "only one holding 部门负责人 (dept_head)" in err and "--vacate-roles" in err
    assert snapshot(repo) == before
    # A department has one head (rule dept-head): the successor takes the role once she has left, in one commit.
    code, _, err = as_person(repo, ADMIN, "update", "pan-yue", "--add-role", "dept_head", "--date", "2026-11-20")
    assert code == 2 and "dept-head" in err and snapshot(repo) == before
    code, out, err = as_person(repo, ADMIN, "depart", "xiao-nan", "--date", "2026-11-20", "--vacate-roles")
    assert code == 0, err
    assert as_person(repo, ADMIN, "update", "pan-yue", "--add-role", "dept_head", "--date", "2026-11-20")[0] == 0
    gone = contact(repo, "contacts/internal/xiao-nan.yaml")
    assert gone["status"] == "departed" and gone["departed"] == "2026-11-20" and "roles" not in gone
    assert gone["history"] == [{"until": "2026-11-20", "roles": ["dept_head"]}]
    validates(repo)  # her approvals of 2024-2026 are judged by the roles she held then


def test_a_change_that_would_break_a_record_is_refused_and_nothing_is_written(repo: Path) -> None:
    before = snapshot(repo)
    # xiao-nan confirmed reading XZ-2026-003 (published 2026-11-20): she cannot have left the day before.
    code, out, err = as_person(repo, ADMIN, "depart", "xiao-nan", "--date", "2026-11-19", "--vacate-roles")
    assert code == 2 and out == ""
    assert "records/2026/XZ-2026-003.yaml:" in err and "ack-not-recipient" in err
    assert snapshot(repo) == before
    for args, says in [
        (("update", "zhang-wei", "--department", "销售部"), "unknown-department"),  # no such department
        (("update", "zhang-wei", "--title", "x", "--date", "2026-12-01"), "in the future"),
        (("update", "zhang-wei", "--type", "customer"), "--type does not apply to a member of staff"),
        (("update", "zhang-wei", "--title", "市场专员"), "nothing changes"),
        (("add", "zhang-wei", "--name", "x", "--department", "市场部", "--title", "y", "--email", "y@hengtai.example"),
         "exists"),
        (("add", "li-si", "--name", "李四"), "needs --department, --title, --email"),
        (("update", "nobody"), "there is no contact nobody"),
        (("depart", "customer-a"), "commlog contacts end customer-a"),
        (("end", "customer-a/li-na"), "commlog contacts depart customer-a/li-na"),
        (("update", "customer-a/li-na", "--mobile", "12"), "schema"),
    ]:  # fmt: skip
        code, _, err = as_person(repo, ADMIN, *args)
        assert code == 2 and err.startswith("refused: ") and says in err, (args, err)
        assert "Traceback" not in err
    assert snapshot(repo) == before


def test_who_may_change_contacts(repo: Path) -> None:
    before = snapshot(repo)
    code, _, err = as_person(repo, STAFF, "update", "li-qiang", "--title", "经理")
    assert code == 2 and "may not change li-qiang" in err and "马超 (ma-chao)" in err
    code, _, err = as_person(repo, "stranger@example.com", "update", "zhang-wei", "--title", "经理")
    assert code == 2 and "git config user.email" in err
    assert snapshot(repo) == before
    # The owner of customer-a keeps its people current; another organisation is not theirs.
    code, out, err = as_person(repo, OWNER, "update", "customer-a/li-na", "--title", "采购总监", "--date", "2026-11-19")
    assert code == 0, err
    org = contact(repo, "contacts/external/customer-a.yaml")
    li_na = next(p for p in org["people"] if p["id"] == "li-na")
    assert li_na["title"] == "采购总监" and li_na["changed"] == org["changed"] == "2026-11-19"
    code, _, err = as_person(repo, OWNER, "update", "supplier-b", "--phone", "021-55660099")
    assert code == 2 and "organisation's owner" in err
    validates(repo)


def test_outside_organisations_and_their_people(repo: Path) -> None:
    code, out, err = as_person(
        repo, ADMIN, "add", "customer-z/lin-xi", "--name", "林曦", "--title", "采购经理", "--mobile", "13900002222",
        "--org-name", "远景科技有限公司", "--type", "customer", "--owner", "zhao-jie", "--matter", "精密零件采购",
    )  # fmt: skip
    assert code == 0, err
    org = contact(repo, "contacts/external/customer-z.yaml")
    assert org["name"] == "远景科技有限公司" and org["matters"] == ["精密零件采购"] and org["changed"] == "2026-11-20"
    assert org["people"] == [
        {"id": "lin-xi", "name": "林曦", "title": "采购经理", "mobile": "13900002222", "status": "active",
         "changed": "2026-11-20"}
    ]  # fmt: skip
    code, _, err = as_person(
        repo, ADMIN, "add", "customer-z/he-yu", "--name", "何雨", "--classification", "confidential"
    )
    assert code == 0, err
    assert as_person(repo, ADMIN, "depart", "customer-z/lin-xi", "--date", "2026-11-20")[0] == 0
    org = contact(repo, "contacts/external/customer-z.yaml")
    assert org["people"][0]["status"] == "departed" and org["people"][0]["left"] == "2026-11-20"
    code, out, err = as_person(repo, ADMIN, "end", "media-n", "--date", "2026-11-16")
    assert code == 0, err
    ended = contact(repo, "contacts/external/media-n.yaml")
    assert ended["status"] == "inactive" and ended["ended"] == ended["changed"] == "2026-11-16"
    assert as_person(repo, ADMIN, "end", "media-n")[0] == 2  # once
    code, out, err = as_person(repo, ADMIN, "update", "customer-a", "--owner", "zhao-jie", "--matter", "产品推广")
    assert code == 0 and contact(repo, "contacts/external/customer-a.yaml")["matters"] == ["产品推广"]
    validates(repo)


def test_a_file_not_in_canonical_form_is_refused(repo: Path) -> None:
    path = repo / "contacts/internal/zhang-wei.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 市场专员", "title:   市场专员"), encoding="utf-8")
    before = snapshot(repo)
    code, _, err = as_person(repo, ADMIN, "update", "zhang-wei", "--title", "市场主管")
    assert code == 2 and "commlog fmt contacts/internal/zhang-wei.yaml" in err
    assert snapshot(repo) == before


def test_find_searches_chinese_text_and_masks_numbers(repo: Path) -> None:
    git(repo, "config", "user.email", STAFF)
    result = run_commlog("contacts", "find", "采购", "--repo", str(repo))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "程浩 (cheng-hao)" in out and "李娜 (customer-a/li-na)" in out  # a department, a title and a matter
    assert "13900000000" not in out and "139****0000" in out and "numbers masked" in out
    found = json.loads(run_commlog("contacts", "find", "框架协议", "--format", "json", "--repo", str(repo)).stdout)
    assert {e["address"] for e in found} == {"customer-a/li-na", "customer-a/wang-tao"}
    assert all("****" in v for e in found for v in e["numbers"].values())
    by_type = json.loads(
        run_commlog("contacts", "find", "", "--type", "regulator", "--format", "json", "--repo", str(repo)).stdout
    )
    assert by_type and all(e["org_type"] == "regulator" for e in by_type)
    in_department = json.loads(
        run_commlog("contacts", "find", "张", "--department", "市场部", "--format", "json", "--repo", str(repo)).stdout
    )
    assert [e["address"] for e in in_department] == ["zhang-wei"]
    refused = run_commlog("contacts", "find", "李娜", "--reveal", "--repo", str(repo))
    assert refused.returncode == 2 and "may not see whole numbers" in refused.stderr and refused.stdout == ""
    git(repo, "config", "user.email", ADMIN)
    revealed = run_commlog("contacts", "find", "李娜", "--reveal", "--repo", str(repo))
    assert revealed.returncode == 0 and "13900000000" in revealed.stdout and "021-55660000" in revealed.stdout
    bad = run_commlog("contacts", "find", "x", "--department", "不存在部", "--repo", str(repo))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_the_old_policy_key_is_read_and_upgrade_renames_it(tmp_path: Path) -> None:
    """A repository made before numbers_at keeps masking as it did (show_phones_at), until upgrade renames the key."""
    repo = tmp_path / "acme"
    assert run_commlog("init", str(repo)).returncode == 0
    policy = repo / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "  numbers_at: internal\n" in text
    policy.write_text(text.replace("  numbers_at: internal\n", "  show_phones_at: confidential\n"), encoding="utf-8")
    (repo / "contacts/internal/li-lei.yaml").write_text(
        "id: li-lei\nname: 李雷\ndepartment: 市场部\ntitle: 专员\nmobile: '13201885122'\n"
        "email: li.lei@acme.example\nstatus: active\n",
        encoding="utf-8",
    )
    assert run_commlog("fmt", "--repo", str(repo)).returncode == 0

    def exported() -> str:
        result = run_commlog("export", "--kind", "contacts", "--format", "csv", "--repo", str(repo))
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert run_commlog("validate", "--repo", str(repo)).returncode == 0
    assert "132****5122" in exported() and "13201885122" not in exported()  # the old key still masks
    result = run_commlog("upgrade", cwd=repo)
    assert result.returncode == 0 and "contacts.show_phones_at renamed contacts.numbers_at" in result.stdout
    text = policy.read_text(encoding="utf-8")
    assert "  numbers_at: confidential\n" in text and "show_phones_at" not in text
    assert run_commlog("validate", "--repo", str(repo)).returncode == 0
    assert "132****5122" in exported()
    assert "renamed" not in run_commlog("upgrade", cwd=repo).stdout  # once


def test_a_member_of_staff_as_they_stood_on_a_day() -> None:
    from commlog.tenure import as_on

    person = {
        "department": "生产部",
        "title": "经理",
        "status": "departed",
        "departed": "2026-01-01",
        "history": [
            {"until": "2025-06-30", "department": "采购部", "roles": ["dept_head"]},
            {"until": "2024-06-30", "department": "市场部", "title": "专员", "roles": []},
        ],
    }
    early, middle, late = (as_on(person, d) for d in ("2024-06-30", "2024-07-01", "2026-01-02"))
    assert early == {**person, "department": "市场部", "title": "专员", "roles": [], "status": "active"}
    assert middle == {**person, "department": "采购部", "roles": ["dept_head"], "status": "active"}
    assert late == person and as_on(None, "2024-01-01") is None


def test_hostile_ids_and_values_are_refused_or_written_safely(repo: Path) -> None:
    before = snapshot(repo)
    code, out, err = as_person(repo, ADMIN, "add", "x" * 300, "--name", "长", "--department", "市场部", "--title", "y",
                               "--email", "long@hengtai.example")  # fmt: skip
    assert code == 2 and "Traceback" not in err and "is no contact id" in err and snapshot(repo) == before
    code, _, err = as_person(repo, ADMIN, "add", "customer-a/hex", "--name", "0x10", "--date", "2026-11-19")
    assert code == 0, err
    text = (repo / "contacts/external/customer-a.yaml").read_text(encoding="utf-8")
    assert "name: '0x10'" in text  # a YAML 1.2 reader (the editor's) would take 0x10 written plain for 16
