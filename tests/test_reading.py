"""Reading the register from a terminal: ``show``, ``list`` and ``todo`` run as staff run them, in a real git
repository whose ``user.email`` says who is asking."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from commlog.commands import main
from commlog.reports.columns import width

from conftest import run_commlog

AS_OF = "2026-11-20 17:00"
EMAILS = {
    "wang-fang": "wang.fang@hengtai.example",
    "zhang-wei": "zhang.wei@hengtai.example",
    "han-dong": "han.dong@hengtai.example",
    "liu-yang": "liu.yang@hengtai.example",
}
# Four records 市场部 sends to 财务部: wang-fang (head of 市场部) owes each an approval; judged at AS_OF the first is
# overdue, the second at risk (6.5 of 8 working hours used), the others on time, the urgent one due first.
QUEUE = {
    "NX-2026-101": ("normal", "2026-11-18 09:00"),  # due 11-19 09:00: overdue
    "NX-2026-102": ("normal", "2026-11-20 09:30"),  # due 11-23 09:30: at risk
    "NX-2026-103": ("normal", "2026-11-20 16:00"),  # due 11-23 16:00: on time
    "NX-2026-104": ("urgent", "2026-11-20 16:30"),  # due 11-20 18:30 on the clock: on time, due before 103
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def acting_as(repo: Path, person: str) -> None:
    git(repo, "config", "user.email", EMAILS[person])


@pytest.fixture
def repo(demo_repo: Path) -> Path:
    """The demo organisation in a git repository of its own, committed, with zhang-wei's identity."""
    git(demo_repo, "init", "-q", "-b", "main")
    git(demo_repo, "config", "user.name", "张伟")
    acting_as(demo_repo, "zhang-wei")
    git(demo_repo, "add", "-A")
    git(demo_repo, "commit", "-q", "-m", "The register")
    return demo_repo


def commlog(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_commlog(*args, "--repo", str(repo), cwd=repo)


def write_record(repo: Path, record_id: str, body: str) -> None:
    (repo / "records/2026" / f"{record_id}.yaml").write_text(f"id: {record_id}\n{body}", encoding="utf-8")


def add_queue(repo: Path) -> None:
    for record_id, (urgency, submitted) in QUEUE.items():
        write_record(
            repo,
            record_id,
            "kind: message\ndirection: internal\n"
            f"subject: 审核队列 {record_id}\nsummary: 请财务部确认费用。\n"
            "from: {department: 市场部, person: zhang-wei}\nto:\n  - {department: 财务部, person: qian-hong}\n"
            f"urgency: {urgency}\nchannels: [oa]\nclassification: internal\nimportance: normal\n"
            f"events:\n  - {{type: submitted, at: {submitted}, by: zhang-wei}}\n",
        )


def append_event(repo: Path, path: str, event: str) -> None:
    file = repo / path
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("  - {type:"))
    lines.insert(last + 1, f"  - {event}\n")
    file.write_text("".join(lines), encoding="utf-8")


def records_in(repo: Path) -> int:
    return len(list((repo / "records").glob("*/*.yaml")))


def assert_valid(repo: Path) -> None:
    result = commlog(repo, "validate")
    assert result.returncode == 0, result.stdout


def assert_usage_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


# ---- show


def test_show_reads_like_the_register(repo: Path) -> None:
    result = commlog(repo, "show", "NX-2024-001", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    head = git(repo, "rev-parse", "--short=8", "HEAD").strip()  # 张伟 committed the whole register
    assert out.startswith("NX-2024-001 关于Q4产品推广方案需求确认\n状态: 已归档 (archived)")
    for line in (
        "  信息主题: 关于Q4产品推广方案需求确认",  # field titles from the schema
        "  发起方: 市场部 张伟 (zhang-wei)",
        "  接收部门/单位: 客户A公司 李娜 (customer-a/li-na)",
        "  紧急程度: 紧急 (urgent)",
        "  传递方式: 企业邮箱 (email)、电话 (phone)",
        "  部门负责人 (dept_head): 已审核 王芳 (wang-fang) 2024-10-08 10:20",
        "  分管领导 (division_leader): 已审核 李强 (li-qiang) 2024-10-08 11:00",
        f"  2024-10-08 09:30  提交审核  张伟 (zhang-wei)  [{head} 张伟]",
        f"  2024-10-08 10:20  审核通过 (部门负责人)  王芳 (wang-fang)  [{head} 张伟 ⚠ 非本人提交]  同意",
        f"  2024-10-10 16:00  反馈  李娜 (客户A公司, customer-a/li-na)  [{head} 张伟]  已收到方案",
        "      归档编号: ND-2024-1001",
    ):
        assert line + "\n" in out, line
    deadlines = out[out.index("\n时限\n") : out.index("\n处理过程\n")]
    assert "反馈" in deadlines and "2024-10-11 18:00" in deadlines and "按时完成" in deadlines
    assert "\x1b" not in out  # plain text when the output is not a terminal


def test_show_names_the_approvals_still_needed_and_who_may_give_them(repo: Path) -> None:
    out = commlog(repo, "show", "NX-2026-004", "--as-of", AS_OF).stdout
    assert "状态: 待审核 (pending_review)" in out
    assert "  部门负责人 (dept_head): 待审核, 可审核人: 王芳 (wang-fang)\n" in out
    assert "  分管领导 (division_leader): 待审核, 可审核人: 李强 (li-qiang)\n" in out
    review = next(line for line in out.splitlines() if line.startswith("  审核  "))
    assert "2026-11-20 11:00" in review and "已逾期" in review

    data = json.loads(commlog(repo, "show", "NX-2026-004", "--as-of", AS_OF, "--format", "json").stdout)
    assert data["status"] == "pending_review" and data["status_name"] == "待审核"
    needed = {a["role"]: [h["id"] for h in a["holders"]] for a in data["approvals"] if not a["given"]}
    assert needed == {"dept_head": ["wang-fang"], "division_leader": ["li-qiang"]}
    assert data["events"][0]["name"] == "提交审核" and data["events"][0]["by_name"] == "陈丽"
    assert [(s["stage"], s["state"]) for s in data["stages"]] == [("review", "overdue")]


def test_show_as_of_an_earlier_moment(repo: Path) -> None:
    out = commlog(repo, "show", "NX-2024-001", "--as-of", "2024-10-08 10:30").stdout
    assert "状态: 待审核 (pending_review)" in out
    assert "分管领导 (division_leader): 待审核, 可审核人: 李强 (li-qiang)" in out
    assert "处理完成" not in out  # later events are not there yet
    early = commlog(repo, "show", "NX-2026-004", "--as-of", "2026-01-01")
    assert_usage_error(early, "had not been started yet")


def test_show_timeline_thread_and_inert_text(repo: Path) -> None:
    # An important external message needs the general manager, whose approval by phone his office records.
    path = repo / "records/2026/NX-2026-004.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("importance: normal", "importance: important"), "utf-8")
    append_event(
        repo,
        "records/2026/NX-2026-004.yaml",
        "{type: approved, at: 2026-11-20 10:00, by: chen-jianguo, recorded_by: he-jing, role: general_manager, note: 电话同意}",
    )
    write_record(
        repo,
        "NX-2026-105",
        "kind: message\ndirection: internal\n"
        'subject: "备货\u202e回复"\nsummary: 对元旦备货建议的补充。\n'
        "from: {department: 市场部, person: chen-li}\nto:\n  - {department: 市场部, person: wang-fang}\n"
        "urgency: normal\nchannels: [oa]\nclassification: internal\nimportance: normal\n"
        "in_reply_to: NX-2026-004\nreferences: [NX-2024-001]\n"
        "events:\n  - {type: submitted, at: 2026-11-20 12:00, by: chen-li}\n",
    )
    assert_valid(repo)
    out = commlog(repo, "show", "NX-2026-004", "--as-of", AS_OF).stdout
    assert (
        "  2026-11-20 10:00  审核通过 (总经理)  陈建国 (chen-jianguo)  [何静 代 陈建国登记]  [未提交]  电话同意\n"
        in out
    )
    assert "  总经理 (general_manager): 已审核 陈建国 (chen-jianguo) 2026-11-20 10:00\n" in out
    assert "  部门负责人 (dept_head): 待审核, 可审核人: 王芳 (wang-fang)\n" in out
    assert "  被回复: NX-2026-105 备货\\u202e回复\n" in out
    reply = commlog(repo, "show", "NX-2026-105", "--as-of", AS_OF).stdout
    assert "\u202e" not in reply  # a bidirectional override would reorder the terminal's line
    assert reply.startswith("NX-2026-105 备货\\u202e回复\n")
    assert "  回复: NX-2026-004 元旦促销备货建议\n" in reply
    assert "  引用: NX-2024-001 关于Q4产品推广方案需求确认\n" in reply
    for listing in (
        commlog(repo, "list", "--as-of", AS_OF).stdout,
        commlog(repo, "todo", "--person", "chen-li", "--as-of", AS_OF).stdout,  # hers to send
    ):
        assert "备货\\u202e回复" in listing and "\u202e" not in listing
    data = json.loads(commlog(repo, "show", "NX-2026-004", "--format", "json", "--as-of", AS_OF).stdout)
    assert data["thread"]["replies"] == ["NX-2026-105"]
    assert data["events"][1]["recorded_by_name"] == "何静"
    cited = json.loads(commlog(repo, "show", "NX-2024-001", "--format", "json").stdout)
    assert cited["thread"]["referenced_by"] == ["NX-2026-105"]


def test_show_unknown_id_suggests_close_ones(repo: Path) -> None:
    result = commlog(repo, "show", "NX-2024-01")
    assert_usage_error(result, "no record NX-2024-01", "NX-2024-001")
    lower = commlog(repo, "show", "nx-2026-004")
    assert_usage_error(lower, "did you mean NX-2026-004")
    assert commlog(repo, "show", "ZZ-1999-999").returncode == 2


def test_show_of_an_invalid_record_says_to_validate(repo: Path) -> None:
    path = repo / "records/2026/NX-2026-004.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("urgency: urgent", "urgency: 紧急"), encoding="utf-8")
    assert_usage_error(commlog(repo, "show", "NX-2026-004"), "commlog validate")


# ---- list


def ids_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)["records"]]


def test_list_is_the_register(repo: Path) -> None:
    result = commlog(repo, "list", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"信息交流记录表 截至 2026-11-20 17:00: {records_in(repo)} 条"
    heading = lines[1].split()
    assert heading == [
        "编号",
        "类型",
        "发起部门",
        "发起人",
        "接收部门/单位",
        "主题",
        "紧急程度",
        "状态",
        "预计反馈时间",
        "归档编号",
    ]
    row = next(line for line in lines if line.startswith("NX-2024-001 "))
    assert row.split() == [
        "NX-2024-001", "信息交流", "市场部", "张伟", "客户A公司", "李娜", "关于Q4产品推广方案需求确认",
        "紧急", "已归档", "2024-10-11", "18:00", "ND-2024-1001",
    ]  # fmt: skip
    # Columns line up in a terminal, where a Han character takes two columns.
    assert width(row[: row.index("关于Q4")]) == width(lines[1][: lines[1].index("主题")])


def test_list_filters_take_ids_or_chinese_names(repo: Path) -> None:
    pending = ids_of(commlog(repo, "list", "--status", "待审核", "--format", "json", "--as-of", AS_OF))
    assert sorted(pending) == ["NJ-2026-001", "NX-2026-004", "XZ-2026-002"]
    assert ids_of(commlog(repo, "list", "--status", "pending_review", "--format", "json", "--as-of", AS_OF)) == pending
    by_name = ids_of(commlog(repo, "list", "--department", "市场部", "--format", "json"))
    assert by_name == ids_of(commlog(repo, "list", "--department", "nx", "--format", "json"))
    assert by_name and all(i.startswith("NX-") for i in by_name)
    notices = ids_of(commlog(repo, "list", "--kind", "内部通知", "--format", "json"))
    assert notices == ids_of(commlog(repo, "list", "--kind", "notice", "--format", "json"))
    assert "NJ-2024-032" in notices and "NX-2024-001" not in notices
    both = ids_of(commlog(repo, "list", "--kind", "notice", "--kind", "minutes", "--format", "json"))
    assert set(notices) < set(both)
    combined = ids_of(commlog(repo, "list", "--department", "人力资源部", "--kind", "notice", "--format", "json"))
    assert combined and set(combined) < set(notices) and all(i.startswith("NJ-") for i in combined)
    # The register as it stood: NX-2026-004 was not yet submitted a week earlier.
    earlier = ids_of(commlog(repo, "list", "--format", "json", "--as-of", "2026-11-13 09:00"))
    assert "NX-2026-004" not in earlier and "NX-2024-001" in earlier


def test_list_bad_filter_values_are_usage_errors(repo: Path) -> None:
    assert_usage_error(commlog(repo, "list", "--status", "pending"), "pending_review (待审核)")
    assert_usage_error(commlog(repo, "list", "--department", "销售部"), "市场部 (NX)")
    assert_usage_error(commlog(repo, "list", "--kind", "memo"), "notice (内部通知)")


def test_list_csv_opens_in_excel_and_cannot_run_formulas(repo: Path, tmp_path: Path) -> None:
    write_record(
        repo,
        "NX-2026-105",
        "kind: message\ndirection: internal\n"
        "subject: '=HYPERLINK(\"http://evil.example\",\"点击\")'\nsummary: '@SUM(1+1)*cmd'\n"
        "from: {department: 市场部, person: chen-li}\nto:\n  - {department: 市场部, person: wang-fang}\n"
        "urgency: normal\nchannels: [oa]\nclassification: internal\nimportance: normal\n"
        "events:\n  - {type: submitted, at: 2026-11-20 12:00, by: chen-li}\n",
    )
    assert_valid(repo)
    target = tmp_path / "register.csv"
    result = commlog(repo, "list", "--format", "csv", "--output", str(target), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the Chinese right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == records_in(repo)
    first = next(r for r in rows if r["信息编号"] == "NX-2024-001")
    assert first["信息主题"] == "关于Q4产品推广方案需求确认" and first["处理状态"] == "已归档"
    assert first["预计反馈时间"] == "2024-10-11 18:00" and first["归档编号"] == "ND-2024-1001"
    assert first["接收部门/单位"] == "客户A公司 李娜" and first["传递方式"] == "企业邮箱+电话"
    hostile = next(r for r in rows if r["信息编号"] == "NX-2026-105")
    assert hostile["信息主题"] == '\'=HYPERLINK("http://evil.example","点击")'
    assert hostile["内容摘要"] == "'@SUM(1+1)*cmd"
    on_stdout = commlog(repo, "list", "--format", "csv", "--as-of", AS_OF).stdout
    assert on_stdout.startswith("\ufeff信息编号,")


def test_list_mine_follows_git_identity(repo: Path) -> None:
    def mine() -> set[str]:
        return set(ids_of(commlog(repo, "list", "--mine", "--format", "json", "--as-of", AS_OF)))

    zhang = mine()  # the fixture's identity
    assert {"NX-2024-001", "NX-2026-003"} <= zhang  # he sent them
    assert "NJ-2024-032" in zhang  # a notice to all staff
    assert "NX-2026-004" not in zhang and "NB-2024-056" not in zhang
    acting_as(repo, "wang-fang")
    wang = mine()
    assert "NX-2026-004" in wang  # her approval is still needed
    assert "NJ-2026-003" in wang  # addressed to her
    assert "NX-2024-001" not in wang  # she approved it, but nothing of it is hers now
    acting_as(repo, "han-dong")
    han = mine()
    assert {"NB-2026-003", "ZB-2026-001"} <= han  # tasks and action items he owns
    assert "XZ-2024-001" in han and "NX-2026-003" not in han
    assert zhang != wang != han
    data = json.loads(commlog(repo, "list", "--mine", "--format", "json").stdout)
    assert data["person"] == "han-dong"
    assert commlog(repo, "list", "--mine").stdout.startswith("信息交流记录表 (与我相关)")


def test_list_mine_with_an_unknown_identity_says_how_to_fix_it(repo: Path) -> None:
    git(repo, "config", "user.email", "stranger@elsewhere.example")
    result = commlog(repo, "list", "--mine")
    assert_usage_error(result, "stranger@elsewhere.example", "git config user.email")


# ---- todo


def todo(repo: Path, *args: str) -> dict:
    result = commlog(repo, "todo", "--format", "json", "--as-of", AS_OF, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_todo_lists_approvals_acks_answers_with_their_commands(repo: Path) -> None:
    acting_as(repo, "wang-fang")
    items = {(i["record"], i["action"]): i for i in todo(repo)["items"]}
    approve = items[("NX-2026-004", "approve")]
    assert approve["command"] == "commlog approve NX-2026-004"
    assert approve["state"] == "overdue" and "部门负责人" in approve["what"]
    assert items[("NJ-2026-003", "answer")]["command"] == "commlog answer NJ-2026-003 --note TEXT"
    assert items[("CW-2026-003", "ack")]["command"] == "commlog ack CW-2026-003"
    assert not any(action == "archive" for _, action in items)  # she is no archivist
    assert ("NX-2026-004", "approve") not in {
        (i["record"], i["action"]) for i in todo(repo, "--person", "zhang-wei")["items"]
    }

    text = commlog(repo, "todo", "--as-of", AS_OF).stdout
    assert text.startswith("王芳 (wang-fang) 市场部 的待办 截至 2026-11-20 17:00:")
    line = next(line for line in text.splitlines() if "NX-2026-004" in line)
    assert line.startswith("2026-11-20 11:00  已逾期")
    assert "元旦促销备货建议" in line and line.endswith("commlog approve NX-2026-004")


def test_todo_for_the_archivist_tasks_and_chasing(repo: Path) -> None:
    completed = ids_of(commlog(repo, "list", "--status", "completed", "--format", "json", "--as-of", AS_OF))
    archivists = [
        path.stem
        for path in (repo / "contacts/internal").glob("*.yaml")
        if "archivist" in yaml.safe_load(path.read_text(encoding="utf-8")).get("roles", [])
    ]
    assert completed and archivists
    for archivist in archivists:
        archive = [i for i in todo(repo, "--person", archivist)["items"] if i["action"] == "archive"]
        assert {i["record"] for i in archive} >= set(completed)
        assert all(i["command"] == f"commlog archive {i['record']}" for i in archive)
    task = next(i for i in todo(repo, "--person", "liu-yang")["items"] if i["record"] == "ZB-2026-001")
    assert task["command"] == "commlog progress ZB-2026-001 --task 1 --status done --note TEXT"
    assert "消防演练方案" in task["what"]
    chase = next(i for i in todo(repo, "--person", "zhang-wei")["items"] if i["record"] == "NX-2026-003")
    assert chase["action"] == "chase"
    assert chase["command"] == "commlog follow-up NX-2026-003 --stage feedback --note TEXT"
    assert "李娜" in chase["what"]
    # Nobody else archives, and a task owner's list holds only their own task.
    assert not any(i["action"] == "archive" for i in todo(repo, "--person", "zhang-wei")["items"])
    han = todo(repo, "--person", "韩冬")
    assert han["person"]["id"] == "han-dong"
    assert [i["stage"] for i in han["items"] if i["record"] == "NB-2026-003"] == ["task:1"]


def test_todo_most_urgent_first(repo: Path) -> None:
    add_queue(repo)
    assert_valid(repo)
    items = todo(repo, "--person", "wang-fang")["items"]
    queue = [(i["record"], i["state"]) for i in items if i["record"] in QUEUE]
    assert queue == [
        ("NX-2026-101", "overdue"),
        ("NX-2026-102", "at_risk"),
        ("NX-2026-104", "on_time"),
        ("NX-2026-103", "on_time"),
    ]
    rank = {"overdue": 0, "at_risk": 1, "on_time": 2, None: 3}
    keys = [(rank[i["state"]], i["due"] or "9999") for i in items]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    text = commlog(repo, "todo", "--person", "wang-fang", "--as-of", AS_OF).stdout.splitlines()
    order = [next(i for i, line in enumerate(text) if record_id in line) for record_id in QUEUE]
    assert order[0] < order[1] < order[3] < order[2]
    assert "即将逾期" in text[order[1]]


def test_todo_shows_follow_ups_received(repo: Path) -> None:
    record = "records/2026/NB-2026-002.yaml"
    append_event(
        repo, record, "{type: follow_up, at: 2026-11-19 10:00, by: tang-lei, note: 请尽快反馈物料需求, to: xiao-nan}"
    )
    append_event(repo, record, "{type: follow_up, at: 2026-11-19 11:00, by: tang-lei, note: 请协调, to: chen-jianguo}")
    assert_valid(repo)
    owed = next(i for i in todo(repo, "--person", "xiao-nan")["items"] if i["record"] == "NB-2026-002")
    assert owed["action"] == "feedback"
    assert owed["command"] == "commlog feedback NB-2026-002 --from xiao-nan --note TEXT"
    assert [(f["by"], f["note"]) for f in owed["follow_ups"]] == [("tang-lei", "请尽快反馈物料需求")]
    text = commlog(repo, "todo", "--person", "xiao-nan", "--as-of", AS_OF).stdout
    assert "已被催办 1 次 (最近 唐磊 2026-11-19 10:00)" in text
    chased = [i for i in todo(repo, "--person", "chen-jianguo")["items"] if i["record"] == "NB-2026-002"]
    assert [i["action"] for i in chased] == ["followed_up"]
    assert chased[0]["follow_ups"][0]["note"] == "请协调"
    # Once the feedback is in, the reminder waits on nobody.
    append_event(repo, record, "{type: feedback, at: 2026-11-20 09:00, by: xiao-nan, note: 已提供}")
    assert not [i for i in todo(repo, "--person", "chen-jianguo")["items"] if i["record"] == "NB-2026-002"]


def test_todo_commands_are_commands_commlog_has(repo: Path) -> None:
    add_queue(repo)
    draft = (repo / "records/2026/NX-2026-103.yaml").read_text(encoding="utf-8")
    write_record(
        repo,
        "NX-2026-106",
        draft.split("\n", 1)[1].replace("type: submitted, at: 2026-11-20 16:00", "type: drafted, at: 2026-11-20 16:00"),
    )
    append_event(
        repo,
        "records/2026/NX-2026-101.yaml",
        "{type: rejected, at: 2026-11-19 10:00, by: wang-fang, role: dept_head, note: 预算口径不一致}",
    )
    assert_valid(repo)
    append_event(
        repo,
        "records/2026/NB-2026-002.yaml",
        "{type: follow_up, at: 2026-11-19 11:00, by: tang-lei, note: 请协调, to: chen-jianguo}",
    )
    people = (
        "wang-fang",
        "liu-yang",
        "zhang-wei",
        "zhao-min",
        "du-wen",
        "chen-li",
        "zhao-jie",
        "xiao-nan",
        "chen-jianguo",
    )
    items = [item for person in people for item in todo(repo, "--person", person)["items"]]
    seen = {i["action"] for i in items}
    assert {"approve", "ack", "answer", "archive", "task", "chase", "send", "feedback", "reply", "progress"} <= seen
    assert {"submit", "resubmit"} <= seen
    assert "followed_up" in seen
    known = {p.stem for p in (repo / "records").glob("*/*.yaml")}
    for item in items:
        words = shlex.split(item["command"])
        command = main.get_command(click.Context(main), words[1])
        assert words[:1] == ["commlog"] and command is not None, item["command"]
        options = {opt for param in command.params for opt in param.opts}
        assert {w for w in words if w.startswith("--")} <= options, item["command"]
        assert words[2] == item["record"] and item["record"] in known


def test_doing_what_todo_says_takes_it_off_the_list(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMLOG_NOW", "2026-11-20 16:30+08:00")  # the demo's moment: the steps happen then
    acting_as(repo, "wang-fang")
    before = {(i["record"], i["action"]) for i in todo(repo)["items"]}
    assert {("NX-2026-004", "approve"), ("CW-2026-003", "ack")} <= before
    for command in ("approve NX-2026-004 --note 同意", "ack CW-2026-003"):
        done = commlog(repo, *command.split())
        assert done.returncode == 0, done.stderr
    after = {(i["record"], i["action"]) for i in todo(repo)["items"]}
    assert after == before - {("NX-2026-004", "approve"), ("CW-2026-003", "ack")}
    # The division leader's approval is still needed, and now the only one.
    leader = [i for i in todo(repo, "--person", "li-qiang")["items"] if i["record"] == "NX-2026-004"]
    assert [i["command"] for i in leader] == ["commlog approve NX-2026-004"]


def test_todo_unknown_person_and_identity(repo: Path) -> None:
    assert_usage_error(commlog(repo, "todo", "--person", "wangfang"), "wang-fang", "contacts/internal/")
    git(repo, "config", "user.email", "stranger@elsewhere.example")
    assert_usage_error(commlog(repo, "todo"), "git config user.email", "--person")
    assert todo(repo, "--person", "wang.fang@hengtai.example")["person"]["id"] == "wang-fang"


def test_reading_commands_have_examples() -> None:
    for command in ("show", "list", "todo"):
        result = run_commlog(command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout and "--repo" in result.stdout
        assert "--as-of" in result.stdout and "--format" in result.stdout
