"""`commlog export` and `commlog import` driven as a user drives them: the demo register out to xlsx and CSV, back
into an empty repository, and every kind of bad input refused with its row and column, writing nothing."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import run_commlog

AS_OF = "2026-11-20 17:00"
IMPORT_LINE = "导入自 "


def _export(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_commlog("export", "--as-of", AS_OF, "--repo", str(repo), *args)


def _empty_with_contacts(tmp_path: Path, demo: Path) -> Path:
    """`commlog init`, the demo's policy, and its contacts imported from their export: the people a register names
    must be known first (as site/spreadsheets.md's first step says)."""
    target = tmp_path / "new"
    assert run_commlog("init", str(target), "--organisation", "恒泰").returncode == 0
    shutil.copy(demo / "policy.yaml", target / "policy.yaml")
    contacts = tmp_path / "联络信息表.xlsx"
    assert _export(demo, "--kind", "contacts", "--clearance", "confidential", "--format", "xlsx", "--output",
                   str(contacts)).returncode == 0  # fmt: skip
    done = run_commlog("import", str(contacts), "--kind", "contacts", "--repo", str(target))
    assert done.returncode == 0, done.stderr
    for kind in ("internal", "external"):  # every contact back as it was, byte for byte
        originals = sorted(p.name for p in (demo / "contacts" / kind).glob("*.yaml"))
        assert sorted(p.name for p in (target / "contacts" / kind).glob("*.yaml")) == originals
        for name in originals:
            assert (target / "contacts" / kind / name).read_text() == (demo / "contacts" / kind / name).read_text()
    masked = tmp_path / "masked.xlsx"
    assert _export(demo, "--kind", "contacts", "--format", "xlsx", "--output", str(masked)).returncode == 0
    fresh = tmp_path / "fresh"
    assert run_commlog("init", str(fresh)).returncode == 0
    refused = run_commlog("import", str(masked), "--kind", "contacts", "--repo", str(fresh))
    assert refused.returncode == 1 and "is masked; export the contacts with --clearance confidential" in refused.stderr
    return target


def _rows(path: Path, sheet: str = "信息交流记录表") -> dict[str, dict[str, object]]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    headings = list(rows[1])
    return {str(r[0]): dict(zip(headings, r, strict=True)) for r in rows[2:]}


def _table(path: Path, sheet: str) -> list[tuple[object, ...]]:
    """A sheet's rows below its headings, in a stable order."""
    return sorted(list(load_workbook(path)[sheet].iter_rows(values_only=True))[2:], key=str)


def _without_import_line(value: object) -> object:
    if isinstance(value, str):
        return "\n".join(line for line in value.splitlines() if not line.startswith(IMPORT_LINE)) or None
    return value


SHEETS = ("任务分解表", "会议纪要行动项", "通知确认表")


def test_round_trip_of_the_demo_register_through_xlsx(demo_repo: Path, tmp_path: Path) -> None:
    exported = tmp_path / "信息交流记录表.xlsx"
    result = _export(demo_repo, "--format", "xlsx", "--output", str(exported))
    assert result.returncode == 0, result.stderr
    target = _empty_with_contacts(tmp_path, demo_repo)
    # The sensitive data a reviewer accepted in the demo travels with it: without it the import is refused.
    refused = run_commlog("import", str(exported), "--dry-run", "--repo", str(target))
    assert refused.returncode == 1 and "sensitive-data" in refused.stderr, refused.stderr
    shutil.copytree(demo_repo / ".commlog", target / ".commlog", dirs_exist_ok=True)

    dry = run_commlog("import", str(exported), "--dry-run", "--repo", str(target))
    assert dry.returncode == 0, dry.stderr
    assert not list((target / "records").rglob("*.yaml")), "--dry-run wrote a file"
    done = run_commlog("import", str(exported), "--repo", str(target))
    assert done.returncode == 0, done.stderr
    valid = run_commlog("validate", "--repo", str(target))
    assert valid.returncode == 0, valid.stdout + valid.stderr

    again = tmp_path / "again.xlsx"
    assert _export(target, "--format", "xlsx", "--output", str(again)).returncode == 0
    original, imported = _rows(exported), _rows(again)
    assert set(original) == set(imported) and len(original) > 40
    kinds = {row["记录类型"] for row in original.values()}
    assert kinds == {"信息交流", "内部通知", "跨部门协作", "客户需求", "供应商合作", "会议纪要"}
    for record_id, row in original.items():
        twin = {k: _without_import_line(v) for k, v in imported[record_id].items()}
        assert twin == row, record_id
    assert all("导入自 信息交流记录表.xlsx 第 " in str(r["备注"]) for r in imported.values())
    for sheet in SHEETS:  # the tasks, the action items and every reader's confirmation, as they were
        assert _table(again, sheet) == _table(exported, sheet) != [], sheet

    # The same file again changes nothing: every row is reported as there already.
    files = {p: p.read_bytes() for p in (target / "records").rglob("*.yaml")}
    twice = run_commlog("import", str(exported), "--repo", str(target))
    assert twice.returncode == 0 and "wrote 0 record(s)" in twice.stdout and "in the repository already" in twice.stdout
    assert files == {p: p.read_bytes() for p in (target / "records").rglob("*.yaml")}


def test_export_layout_filters_and_clearance(demo_repo: Path, tmp_path: Path) -> None:
    shutil.copy(Path(__file__).parents[1] / "mkdocs.yml", demo_repo)  # the organisation's name is its site's
    out = tmp_path / "all.xlsx"
    assert _export(demo_repo, "--format", "xlsx", "--output", str(out)).returncode == 0
    book = load_workbook(out)
    assert book.sheetnames == ["信息交流记录表", "任务分解表", "会议纪要行动项", "通知确认表"]
    sheet = book["信息交流记录表"]
    title = sheet["A1"].value
    assert title.startswith("恒泰 信息交流记录表") and "密级: 内部及以下" in title and "期间: 2024-" in title
    headings = [c.value for c in sheet[2]]
    assert headings[:15] == [
        "信息编号", "发起部门", "发起人", "接收部门/单位", "接收人", "信息主题", "内容摘要", "紧急程度",
        "传递方式", "发起时间", "预计反馈时间", "实际反馈时间", "处理状态", "备注", "归档编号",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A3"
    first = _rows(out)["NX-2024-001"]
    assert first["发起人"] == "张伟" and first["接收部门/单位"] == "客户A公司" and first["接收人"] == "李娜"
    assert first["紧急程度"] == "紧急" and first["传递方式"] == "企业邮箱+电话" and first["处理状态"] == "已归档"
    assert first["发起时间"] == datetime(2024, 10, 8, 9, 30) and first["归档编号"] == "ND-2024-1001"
    tasks = [c.value for c in book["任务分解表"][2]]
    assert tasks[2:7] == ["任务编号", "任务名称", "任务描述", "负责部门", "负责人"]
    # Nothing above the clearance: the demo's confidential records are in a confidential export only.
    internal = set(_rows(out))
    secret = tmp_path / "secret.xlsx"
    assert _export(demo_repo, "--clearance", "secret", "--format", "xlsx", "--output", str(secret)).returncode == 0
    public = tmp_path / "public.xlsx"
    assert _export(demo_repo, "--clearance", "public", "--format", "xlsx", "--output", str(public)).returncode == 0
    assert set(_rows(public)) < internal < set(_rows(secret))
    assert all(r["密级"] == "公开" for r in _rows(public).values())
    # Filters: department, status and period.
    csv_text = _export(demo_repo, "--department", "NX", "--status", "已归档", "--from", "2025-01-01", "--to",
                       "2025-12-31", "--format", "csv").stdout  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert rows and all(
        r["发起部门"] == "市场部" and r["处理状态"] == "已归档" and r["发起时间"].startswith("2025") for r in rows
    )
    bad = _export(demo_repo, "--from", "2025-02-30", "--format", "csv")
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_contacts_export_masks_numbers_below_the_policy_clearance(demo_repo: Path, tmp_path: Path) -> None:
    masked = tmp_path / "masked.xlsx"
    assert _export(demo_repo, "--kind", "contacts", "--format", "xlsx", "--output", str(masked)).returncode == 0
    book = load_workbook(masked)
    assert book.sheetnames == ["内部联络信息表", "外部联络信息表"]
    cao = next(r for r in book["内部联络信息表"].iter_rows(values_only=True) if r[1] == "cao-lin")
    assert cao[6] == "130****1870" and "隐去" in book["内部联络信息表"]["A1"].value
    whole = tmp_path / "whole.xlsx"
    args = ("--kind", "contacts", "--clearance", "confidential", "--format", "xlsx", "--output", str(whole))
    assert _export(demo_repo, *args).returncode == 0
    cao = next(r for r in load_workbook(whole)["内部联络信息表"].iter_rows(values_only=True) if r[1] == "cao-lin")
    assert cao[6] == "13003141870"


def test_every_csv_output_takes_gb18030(demo_repo: Path, tmp_path: Path) -> None:
    for command in (("export", "--format", "csv"), ("list", "--format", "csv"), ("overdue", "--format", "csv")):
        target = tmp_path / f"{command[0]}.csv"
        args = (*command, "--as-of", AS_OF, "--repo", str(demo_repo), "--output", str(target))
        assert run_commlog(*args).returncode == 0
        assert target.read_bytes().startswith(b"\xef\xbb\xbf"), command
        assert run_commlog(*args, "--encoding", "gb18030").returncode == 0
        raw = target.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode("gb18030").startswith("信息编号"), command


# -- bad input ------------------------------------------------------------------------------------------------


HEAD = ["信息编号", "发起部门", "发起人", "接收部门/单位", "接收人", "信息主题", "内容摘要", "紧急程度", "传递方式",
        "发起时间", "处理状态"]  # fmt: skip
GOOD = [
    "",
    "市场部",
    "王芳",
    "生产部",
    "邓刚",
    "试产安排确认",
    "请确认试产时间",
    "普通",
    "OA系统",
    "2026-11-02 10:00",
    "待审核",
]


def _workbook(path: Path, rows: list[list[object]], **edit: object) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "信息交流记录表"
    for row in rows:
        ws.append(row)
    if "merge" in edit:
        ws.merge_cells(str(edit["merge"]))
    if "hidden" in edit:
        book.create_sheet("旧数据").sheet_state = "hidden"
    book.save(path)
    return path


def _refused(repo: Path, path: Path, *expected: str, args: tuple[str, ...] = ()) -> str:
    before = sorted((repo / "records").rglob("*"))
    result = run_commlog("import", str(path), "--repo", str(repo), *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "nothing was written" in result.stderr
    for text in expected:
        assert text in result.stderr, (text, result.stderr)
    assert sorted((repo / "records").rglob("*")) == before
    return result.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"发起时间": "2026-02-30"}, ["t.xlsx:4:10: import-value: 发起时间: '2026-02-30' is not a date that exists"]),
        ({"发起部门": "营销部"}, [":4:2: import-value: 发起部门: '营销部' is not a department"]),
        ({"发起人": "王五"}, [":4:3: import-value: 发起人: no one called '王五'"]),
        ({"发起人": "邓刚"}, [":4:3:", "邓刚 is not in 市场部: 邓刚 (deng-gang, 生产部)"]),
        ({"接收部门/单位": "客户Z公司"}, [":4:4:", "'客户Z公司' is neither a department"]),
        ({"信息主题": '=HYPERLINK("http://evil.example","点击")'}, [":4:6: import-formula:"]),
        ({"内容摘要": "=cmd|' /C calc'!A0"}, [":4:7: import-formula:"]),
        ({"处理状态": "差不多"}, [":4:11: import-value: 处理状态: '差不多' is not a 处理状态"]),
        ({"信息主题": ""}, [":4:6: import-value: 信息主题: is empty"]),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_written(
    demo_repo: Path, tmp_path: Path, change: dict[str, str], expected: list[str]
) -> None:
    row = [change.get(h, v) for h, v in zip(HEAD, GOOD, strict=True)]
    # A title row, the headings, a good row and the bad one: the bad row is the file's fourth. openpyxl stores a
    # value beginning with '=' as a formula, as Excel does when one is typed.
    path = _workbook(tmp_path / "t.xlsx", [["恒泰 信息交流记录表"], HEAD, GOOD, row])
    _refused(demo_repo, path, *expected)


def test_ambiguous_names_list_the_candidates(demo_repo: Path, tmp_path: Path) -> None:
    twin = (demo_repo / "contacts/internal/wang-fang.yaml").read_text(encoding="utf-8")
    twin = twin.replace("id: wang-fang", "id: wang-fang2").replace("wang.fang@", "wang.fang2@")
    (demo_repo / "contacts/internal/wang-fang2.yaml").write_text(twin, encoding="utf-8")
    path = _workbook(tmp_path / "t.xlsx", [HEAD, GOOD])
    _refused(demo_repo, path, "more than one 王芳 in 市场部: 王芳 (wang-fang, 市场部)、王芳 (wang-fang2, 市场部)")


def test_bad_sheets_and_files(demo_repo: Path, tmp_path: Path) -> None:
    _refused(demo_repo, _workbook(tmp_path / "m.xlsx", [HEAD, GOOD, GOOD], merge="F2:G3"), "m.xlsx:2:6: import-merged:")
    _refused(demo_repo, _workbook(tmp_path / "h.xlsx", [HEAD, GOOD], hidden=True), "hidden sheet(s) 旧数据")
    _refused(demo_repo, _workbook(tmp_path / "e.xlsx", []), "import-empty")
    _refused(demo_repo, _workbook(tmp_path / "w.xlsx", [["甲", "乙"], GOOD]), "import-heading")
    renamed = [h if h != "信息主题" else "主旨" for h in HEAD]
    _refused(demo_repo, _workbook(tmp_path / "r.xlsx", [renamed, GOOD]), "r.xlsx:1:6: import-heading: 主旨:")
    missing = [h for h in HEAD if h != "发起时间"]
    _refused(
        demo_repo, _workbook(tmp_path / "c.xlsx", [missing, GOOD[:9] + GOOD[10:]]), "import-column-missing: 发起时间"
    )
    legacy = tmp_path / "gbk.csv"
    legacy.write_bytes(("\r\n".join(",".join(r) for r in (HEAD, GOOD)) + "\r\n").encode("gb18030"))
    _refused(demo_repo, legacy, "gbk.csv:1:1: import-encoding:", "--encoding gb18030")
    done = run_commlog("import", str(legacy), "--encoding", "gb18030", "--repo", str(demo_repo))
    assert done.returncode == 0, done.stderr
    assert "wrote 1 record(s)" in done.stdout and "records/2026/NX-2026-009.yaml" in done.stdout
    (tmp_path / "garbage.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    _refused(demo_repo, tmp_path / "garbage.xlsx", "is not an xlsx workbook")


def test_aliases_field_names_and_a_csv_written_by_hand(demo_repo: Path, tmp_path: Path) -> None:
    aliases = ["编号", "部门", "经办人", "接收单位", "接收人员", "主题", "摘要", "urgency", "渠道", "日期", "状态"]
    rows = [aliases, ["", "市场部", "王芳", "客户A公司", "李娜", "报价确认", "请确认报价", "紧急", "企业邮箱+电话",
                      "2026年11月2日", "已取消"]]  # fmt: skip
    path = tmp_path / "手工.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    done = run_commlog("import", str(path), "--repo", str(demo_repo))
    assert done.returncode == 0, done.stderr
    written = next((demo_repo / "records/2026").glob("NX-2026-009.yaml")).read_text(encoding="utf-8")
    assert "to:\n  - {org: customer-a, person: li-na}" in written and "urgency: urgent" in written
    assert "{type: submitted, at: 2026-11-02 09:00, by: wang-fang}" in written and "type: cancelled" in written
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0


# -- docs ------------------------------------------------------------------------------------------------------


def _values(raw: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(raw))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_the_sample_register_in_the_docs_is_what_export_writes_now() -> None:
    import runpy

    root = Path(__file__).parents[1]
    script = runpy.run_path(str(root / "scripts" / "sample-register.py"))
    fresh, kept = _values(script["sample"]()), _values((root / "site/assets/sample-register.xlsx").read_bytes())
    assert fresh == kept, "site/assets/sample-register.xlsx is stale: run `.venv/bin/python scripts/sample-register.py`"
    assert all(r[17] == "公开" for r in kept["信息交流记录表"][2:])  # any build of the site may publish it


def test_every_accepted_heading_is_documented() -> None:
    from commlog.importing import ALIASES, REQUIRED

    page = (Path(__file__).parents[1] / "site" / "spreadsheets.md").read_text(encoding="utf-8")
    page = page[page.index("## 二、接受的列标题") :]
    for heading, aliases in ALIASES.items():
        line = next((li for li in page.splitlines() if li.startswith(f"| {heading} |")), None)
        assert line is not None, heading
        assert all(alias in line for alias in aliases), (heading, aliases)
    assert "必需的列：" + "、".join(REQUIRED) in page


# -- every kind, and the sheets beside the register ------------------------------------------------------------


KINDS_HEAD = [*HEAD, "记录类型", "传递时间"]
COLLABORATION = ["NX-2026-009", "市场部", "王芳", "生产部", "邓刚", "新品试产协作", "请生产部安排试产", "普通",
                 "OA系统", "2026-11-02 10:00", "待审核", "跨部门协作", ""]  # fmt: skip
NOTICE = ["NX-2026-010", "市场部", "王芳", "市场部", "", "关于展会值班安排的通知", "展会期间市场部轮流值班", "普通",
          "OA系统", "2026-11-02 10:00", "进行中", "内部通知", "2026-11-02 11:00"]  # fmt: skip
MINUTES = ["NX-2026-011", "市场部", "王芳", "生产部", "邓刚", "试产协调会纪要", "确定试产时间与人员", "普通",
           "OA系统", "2026-11-02 10:00", "待审核", "会议纪要", ""]  # fmt: skip
TASK_HEAD = ["信息编号", "任务编号", "任务名称", "负责部门", "负责人", "开始时间", "结束时间", "状态"]
TASK = ["NX-2026-009", "1", "小批量试产", "生产部", "邓刚", "2026-11-10", "2026-11-20", "未开始"]
ACTION_HEAD = ["信息编号", "序号", "行动项", "负责人", "完成期限", "状态"]
ACTION = ["NX-2026-011", "1", "排定试产班次", "邓刚", "2026-11-09 18:00", "未开始"]
CONFIRMATION_HEAD = ["信息编号", "部门", "姓名", "确认状态", "确认时间"]
CONFIRMATION = ["NX-2026-010", "市场部", "张伟", "已阅", "2026-11-02 14:00"]


def _kinds_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def _good_sheets() -> dict[str, list[list[object]]]:
    return {
        "信息交流记录表": [KINDS_HEAD, COLLABORATION, NOTICE, MINUTES],
        "任务分解表": [TASK_HEAD, TASK],
        "会议纪要行动项": [ACTION_HEAD, ACTION],
        "通知确认表": [CONFIRMATION_HEAD, CONFIRMATION],
    }


def test_every_kind_from_a_workbook_typed_by_hand(demo_repo: Path, tmp_path: Path) -> None:
    path = _kinds_workbook(tmp_path / "t.xlsx", _good_sheets())
    done = run_commlog("import", str(path), "--repo", str(demo_repo))
    assert done.returncode == 0, done.stderr
    assert "wrote 3 record(s)" in done.stdout
    valid = run_commlog("validate", "--repo", str(demo_repo))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    read = lambda name: (demo_repo / "records/2026" / f"{name}.yaml").read_text(encoding="utf-8")  # noqa: E731
    collaboration, notice, minutes = read("NX-2026-009"), read("NX-2026-010"), read("NX-2026-011")
    assert "tasks:\n  - 'no': '1'\n    name: 小批量试产\n    department: 生产部\n    owner: deng-gang" in collaboration
    assert "{type: acknowledged, at: 2026-11-02 14:00, by: zhang-wei}" in notice
    # What the register does not carry and the schema requires: the least surprising value, said in the remark.
    assert "background: 展会期间市场部轮流值班" in notice and "登记表未载 通知背景、通知事项 (按内容摘要记)" in notice
    assert "meeting: {held_at: 2026-11-02 10:00, host: wang-fang, recorder: wang-fang}" in minutes
    assert "attendees: [wang-fang, deng-gang]" in minutes and "参会人员 (按发起人和接收人记)" in minutes
    assert "action_items:\n  - {'no': '1', task: 排定试产班次, owner: deng-gang, due: 2026-11-09 18:00" in minutes


@pytest.mark.parametrize(
    ("sheet", "edit", "expected"),
    [
        ("任务分解表", {"信息编号": "NX-2026-099"},
         "t.xlsx:2:1: import-value: 任务分解表 信息编号: NX-2026-099 is not a row of the register"),
        ("任务分解表", {"信息编号": "NX-2026-010"}, "任务分解表 信息编号: NX-2026-010 is 内部通知"),
        ("任务分解表", {"负责人": "王五"}, "t.xlsx:2:5: import-value: 任务分解表 负责人: no one called '王五'"),
        ("任务分解表", {"负责人": None}, "t.xlsx:1:0: import-column-missing: 任务分解表 负责人:"),
        ("任务分解表", {"结束时间": "2026-11-31"}, "t.xlsx:2:7: import-value: 任务分解表 结束时间: '2026-11-31'"),
        ("任务分解表", {"状态": "差不多"}, "t.xlsx:2:8: import-value: 任务分解表 状态: '差不多' is not a 任务状态"),
        ("会议纪要行动项", {"负责人": "邓刚刚"}, "t.xlsx:2:4: import-value: 会议纪要行动项 负责人: no one called"),
        ("会议纪要行动项", {"完成期限": ""}, "t.xlsx:2:5: import-value: 会议纪要行动项 完成期限: is empty"),
        ("会议纪要行动项", {"信息编号": "NX-2026-009"}, "会议纪要行动项 信息编号: NX-2026-009 is 跨部门协作"),
        ("通知确认表", {"确认时间": ""}, "t.xlsx:2:5: import-value: 通知确认表 确认时间: is empty; 已阅 needs"),
        ("通知确认表", {"姓名": "张三"}, "t.xlsx:2:3: import-value: 通知确认表 姓名: no one called '张三'"),
        ("通知确认表", {"确认状态": "看过"}, "t.xlsx:2:4: import-value: 通知确认表 确认状态: '看过'"),
        ("通知确认表", {"姓名": None}, "import-column-missing: 通知确认表 姓名:"),
    ],
)  # fmt: skip
def test_a_bad_row_beside_the_register_is_named_and_nothing_is_written(
    demo_repo: Path, tmp_path: Path, sheet: str, edit: dict[str, object], expected: str
) -> None:
    sheets = _good_sheets()
    head, row = sheets[sheet]
    kept = [i for i, h in enumerate(head) if edit.get(h, "") is not None]  # None: the column is left out
    changed = [edit.get(h, v) for h, v in zip(head, row, strict=True)]
    sheets[sheet] = [[head[i] for i in kept], [changed[i] for i in kept]]
    _refused(demo_repo, _kinds_workbook(tmp_path / "t.xlsx", sheets), expected)


def test_a_kind_s_own_column_on_another_kind_s_row_is_refused(demo_repo: Path, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", [[*HEAD, "需求描述"], [*GOOD, "更多预算"]])
    _refused(demo_repo, path, "t.xlsx:2:12: import-value: 需求描述: is for 客户需求、供应商合作 rows only")


def test_a_rule_broken_by_a_task_is_named_at_the_task_s_row(demo_repo: Path, tmp_path: Path) -> None:
    sheets = _good_sheets()
    sheets["任务分解表"] = [[*TASK_HEAD, "依赖任务"], [*TASK, "-"], ["NX-2026-009", "2", "试产总结", "生产部", "邓刚",
                            "2026-11-21", "2026-11-25", "未开始", "7"]]  # fmt: skip
    path = _kinds_workbook(tmp_path / "t.xlsx", sheets)
    _refused(demo_repo, path, "t.xlsx:3:9: task-dependency: 任务分解表 依赖任务: task 2 depends on '7'")


def test_a_csv_of_every_kind_without_the_sheets_beside_it(demo_repo: Path, tmp_path: Path) -> None:
    """A CSV holds the register only: collaborations without tasks, minutes without action items; a customer request
    answered on 实际反馈时间 alone is replied to then, and completed after it."""
    rows = [
        ["信息编号", "发起部门", "发起人", "接收部门/单位", "接收人", "信息主题", "内容摘要", "传递方式", "发起时间",
         "处理状态", "记录类型", "实际反馈时间", "需求描述"],
        ["", "市场部", "王芳", "生产部", "邓刚", "协作A", "内容A", "OA系统", "2026-11-02 10:00", "待反馈", "跨部门协作", "",
         ""],
        ["", "市场部", "王芳", "生产部", "邓刚", "纪要B", "内容B", "OA系统", "2026-11-02 10:00", "已完成", "会议纪要", "", ""],
        ["", "市场部", "王芳", "客户A公司", "李娜", "需求C", "内容C", "企业邮箱", "2026-11-02 10:00", "已完成", "客户需求",
         "2026-11-03", "要报价"],
        ["", "采购部", "潘悦", "恒昌包装材料有限公司", "钱立", "需求D", "内容D", "企业邮箱", "2026-11-02 10:00", "进行中",
         "供应商合作", "2026-11-04 10:00", ""],
    ]  # fmt: skip
    path = tmp_path / "kinds.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    done = run_commlog("import", str(path), "--repo", str(demo_repo))
    assert done.returncode == 0, done.stderr
    assert "wrote 4 record(s)" in done.stdout
    valid = run_commlog("validate", "--repo", str(demo_repo))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    request = (demo_repo / "records/2026/NX-2026-011.yaml").read_text(encoding="utf-8")
    assert "request: {need: 要报价}" in request and "type: replied, at: 2026-11-03 18:00" in request
    quote = (demo_repo / "records/2026/CG-2026-005.yaml").read_text(encoding="utf-8")
    assert (
        "登记表未载 需求描述 (按内容摘要记)" in quote
        and "{type: quoted, at: 2026-11-04 10:00, by: supplier-f/qian-li" in quote
    )
