"""A collaboration's task table (任务分解表) and its progress events: one status per task, on every page and command.

The table's ``status`` is the status at registration (登记时状态); each later change is a progress event. The
record page, the collaborations page, the Gantt chart, ``show``, ``due`` and ``todo`` all give the status the last
event leads to, with the state of the task's clock.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import copy_demo, run_commlog
from sitebuild import AS_OF, build_site

RECORD = """# yaml-language-server: $schema=../../schemas/record.schema.json
id: NX-2026-950
kind: collaboration
direction: internal
subject: 展会物料协作
summary: 11月展会需生产部提供样机、采购部备齐包装材料。
from: {department: 市场部, person: zhang-wei}
to:
  - {department: 生产部, person: deng-gang}
urgency: normal
channels: [oa]
classification: internal
importance: important
category: {project: 展会}
events:
  - {type: submitted, at: 2026-11-02 09:00, by: zhang-wei}
  - {type: approved, at: 2026-11-02 10:00, by: wang-fang, role: dept_head, note: 同意}
  - {type: sent, at: 2026-11-02 11:00, by: zhang-wei, channel: oa}
  - {type: answered, at: 2026-11-02 15:00, by: deng-gang, note: 可支持}
  - {type: progress, at: 2026-11-05 10:00, by: zhang-wei, note: 展位图需按主办方新版重做, task: '1', status: in_progress}
  - {type: progress, at: 2026-11-12 16:00, by: deng-gang, note: 样机已交付, task: '2', status: done}
  - {type: progress, at: 2026-11-13 09:00, by: deng-gang, note: 展会延期，拆装演示取消, task: '3', status: cancelled}
tasks:
  - 'no': '1'
    name: 展位设计
    department: 市场部
    owner: zhang-wei
    start: 2026-10-26
    end: 2026-11-06
    status: done
  - 'no': '2'
    name: 样机准备
    department: 生产部
    owner: deng-gang
    start: 2026-11-03
    end: 2026-11-13
    depends_on: ['1']
  - 'no': '3'
    name: 拆装演示
    department: 生产部
    owner: deng-gang
    start: 2026-11-09
    end: 2026-11-11
    depends_on: ['1']
"""
"""Task 1: the table says done (it was, at registration), a later event took it up again: in progress, past its end.
Task 2: the table says nothing (not started), an event says done. Task 3: cancelled after its end."""

EXPECTED = {
    "1": ("进行中", True),
    "2": ("已完成", False),
    "3": ("已取消", True),
}
"""Per task: the status every view shows and whether it is late (已延期)."""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("tasks") / "repo", with_site=True)
    (root / "records/2026/NX-2026-950.yaml").write_text(RECORD, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(repo, tmp_path_factory.mktemp("tasks-site") / "out")


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def _bars(html: str, record_id: str = "") -> dict[str, str]:
    """The Gantt chart's bars (of ``record_id``'s section, on the collaborations page): task number -> its tooltip."""
    if record_id:
        html = html.split(f"{record_id}/", 1)[1].split("<h2>", 1)[0]
    chart = html.split('class="commlog-gantt"', 1)[1].split("</svg>", 1)[0]
    return {m[1]: m[0] for m in re.findall(r"<title>((\d+) [^<]*)</title>", chart)}


def test_the_record_is_valid(repo: Path) -> None:
    result = run_commlog("validate", "--repo", str(repo), str(repo / "records/2026/NX-2026-950.yaml"))
    assert result.returncode == 0, result.stdout


def test_record_page_task_table_and_gantt_agree(site: Path) -> None:
    html = _page(site, "records/2026/NX-2026-950")
    table = html.split("<h2>任务分解</h2>", 1)[1].split("</table>", 1)[0]
    rows = {re.search(r"<td>(\d+)</td>", r)[1]: r for r in table.split("<tr")[2:]}  # type: ignore[index]
    bars = _bars(html)
    for no, (status, late) in EXPECTED.items():
        cell = rows[no].split("<td>")[-1]
        assert status in cell and ("已延期" in cell) == late, (no, cell)
        assert ('class="commlog-late"' in rows[no]) == late, (no, rows[no])
        assert status in bars[no] and ("已延期" in bars[no]) == late, (no, bars[no])
    assert "登记时：已完成" in rows["1"] and "登记时：未开始" in rows["2"]  # the table's own status, named as such
    # the field dump names the table's status for what it is
    assert "登记时状态" in html and "任务状态<br><code>status</code>" not in html


def test_record_page_deadlines_follow_the_status(site: Path) -> None:
    html = _page(site, "records/2026/NX-2026-950")
    deadlines = html.split("<h2>时限</h2>", 1)[1].split("</table>", 1)[0]
    rows = {m[0]: m[1] for m in re.findall(r"<td>协作任务 (\d+)</td>(.*?)</tr>", deadlines, re.S)}
    assert "已逾期" in rows["1"]  # taken up again: the task's clock runs again
    assert "按时完成" in rows["2"]
    assert "逾期完成" in rows["3"]  # cancelled after its end: nothing more is owed, it ended late


def test_collaborations_page_agrees_with_the_record_page(site: Path) -> None:
    html = _page(site, "collaborations")
    section = html.split("NX-2026-950/", 1)[1].split("<h2>", 1)[0]
    assert "任务 3 项 · 已完成 1 项" in section and "延期 2 项" in section
    bars = _bars(html, "NX-2026-950")
    for no, (status, late) in EXPECTED.items():
        assert status in bars[no] and ("已延期" in bars[no]) == late, (no, bars[no])


def test_demo_collaboration_registered_done_shows_done_everywhere(site: Path) -> None:
    """NX-2025-004: every task done by a progress event; the Gantt and the table agree."""
    html = _page(site, "records/2025/NX-2025-004")
    assert all("已完成" in bar and "已延期" not in bar for bar in _bars(html).values())


def test_show_and_due_give_the_same_status(repo: Path) -> None:
    shown = run_commlog("show", "NX-2026-950", "--repo", str(repo), "--as-of", AS_OF, "--format", "json")
    tasks = {t["no"]: t for t in json.loads(shown.stdout)["tasks"]}
    assert {no: t["status_name"] for no, t in tasks.items()} == {no: s for no, (s, _) in EXPECTED.items()}
    assert {no: t["late"] for no, t in tasks.items()} == {no: late for no, (_, late) in EXPECTED.items()}
    assert tasks["1"]["registered"] == "done" and tasks["1"]["since"].startswith("2026-11-05T10:00")
    text = run_commlog("show", "NX-2026-950", "--repo", str(repo), "--as-of", AS_OF).stdout
    lines = text.split("\n任务\n", 1)[1].split("\n\n", 1)[0]
    assert "进行中" in lines and "登记时: 已完成" in lines and "已逾期" in lines
    assert "登记时状态: 已完成 (done)" in text  # the field list names the table's status for what it is
    due = run_commlog("due", "NX-2026-950", "--repo", str(repo), "--as-of", AS_OF, "--format", "json")
    states = {s["stage"]: s["state"] for s in json.loads(due.stdout)["stages"] if s["stage"].startswith("task:")}
    assert states == {"task:1": "overdue", "task:2": "met_on_time", "task:3": "met_late"}


def test_a_task_taken_up_again_is_on_its_owners_list(repo: Path) -> None:
    todo = run_commlog("todo", "--person", "zhang-wei", "--repo", str(repo), "--as-of", AS_OF, "--format", "json")
    items = [i for i in json.loads(todo.stdout)["items"] if i["record"] == "NX-2026-950"]
    assert any("展位设计" in i["what"] for i in items), items
    overdue = run_commlog("overdue", "--repo", str(repo), "--as-of", AS_OF, "--format", "json")
    stages = {i["stage"] for i in json.loads(overdue.stdout)["items"] if i["id"] == "NX-2026-950"}
    assert "task:1" in stages and "task:3" not in stages
