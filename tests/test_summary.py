"""`commlog report summary` (报告汇总) on a small repository whose every figure is counted by hand below.

The repository has the demo's policy and contacts and eight records of 市场部 to 财务部, four submitted in
October 2026 and four in November, judged as of Friday 2026-11-20 17:00. Working days run 09:00-12:00 and
13:00-18:00 (8 hours); every day used is a plain working day of the statutory calendar.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from commlog.reports.summary import percentile, period_containing

from conftest import ROOT, run_commlog
from sitebuild import build_site

AS_OF = "2026-11-20 17:00"


def _message(
    number: int, *events: str, kind: str = "message", to: str = "{department: 财务部, person: he-ping}"
) -> str:
    lines = "\n".join(f"  - {{{e}}}" for e in events)
    return f"""id: NX-2026-{number:03d}
kind: {kind}
direction: internal
subject: 测试事项{number}
summary: 用于报告汇总的测试记录。
from: {{department: 市场部, person: zhang-wei}}
to:
  - {to}
urgency: normal
channels: [oa]
classification: internal
importance: normal
events:
{lines}
"""


def _sent(day: str, submitted: str, approved: str) -> list[str]:
    return [
        f"type: submitted, at: {day} {submitted}, by: zhang-wei",
        f"type: approved, at: {day} {approved}, by: wang-fang, role: dept_head",
        f"type: sent, at: {day} {approved}, by: zhang-wei, channel: oa",
    ]


RECORDS = {
    # October (the previous period)
    # review 60 on time; feedback 480 on time (due 10-14 10:00); archive late (due 10-15 11:00), 1+5+8+8+1 h = 1380
    5: _message(
        5,
        *_sent("2026-10-12", "09:00", "10:00"),
        "type: feedback, at: 2026-10-13 10:00, by: he-ping",
        "type: completed, at: 2026-10-13 11:00, by: zhang-wei",
        "type: archived, at: 2026-10-16 10:00, by: zhao-min, archive_no: ND-2026-1001",
    ),
    # review 60 on time; feedback due 10-29 10:00, overdue at the end of October, answered 11-02 10:00:
    # late, 7+8+8+8+1 h = 1920; one follow-up in October
    6: _message(
        6,
        *_sent("2026-10-27", "09:00", "10:00"),
        "type: follow_up, at: 2026-10-30 10:00, by: zhang-wei, to: he-ping",
        "type: feedback, at: 2026-11-02 10:00, by: he-ping",
    ),
    # cancelled before its review was due: the review does not count; archive 1+5+1 h = 420 on time
    7: _message(
        7,
        "type: submitted, at: 2026-10-19 09:00, by: zhang-wei",
        "type: cancelled, at: 2026-10-19 11:00, by: zhang-wei, note: 不再需要",
        "type: archived, at: 2026-10-20 10:00, by: zhao-min, archive_no: ND-2026-1002",
    ),
    # cancelled after its review was due (10-21 09:00): the review counts as late; archive 60 on time
    8: _message(
        8,
        "type: submitted, at: 2026-10-20 09:00, by: zhang-wei",
        "type: cancelled, at: 2026-10-22 09:00, by: zhang-wei, note: 不再需要",
        "type: archived, at: 2026-10-22 10:00, by: zhao-min, archive_no: ND-2026-1003",
    ),
    # November (the current period)
    # review 120 on time; feedback 1+5+2 h = 480 on time; archive 4+1 h = 300 on time
    1: _message(
        1,
        *_sent("2026-11-16", "09:00", "11:00"),
        "type: feedback, at: 2026-11-17 11:00, by: he-ping",
        "type: completed, at: 2026-11-17 14:00, by: zhang-wei",
        "type: archived, at: 2026-11-18 10:00, by: zhao-min, archive_no: ND-2026-1004",
    ),
    # review late (due 11-18 09:00), 8+3 h = 660; feedback due 11-20 13:00, overdue now; one follow-up
    2: _message(
        2,
        "type: submitted, at: 2026-11-17 09:00, by: zhang-wei",
        "type: approved, at: 2026-11-18 13:00, by: wang-fang, role: dept_head",
        "type: sent, at: 2026-11-18 13:00, by: zhang-wei, channel: oa",
        "type: follow_up, at: 2026-11-20 14:00, by: zhang-wei, to: he-ping",
    ),
    # review due 11-20 09:00, overdue now
    3: _message(3, "type: submitted, at: 2026-11-19 09:00, by: zhang-wei"),
    # a notice to two people of 财务部: review 30 on time; one of two confirmed, the ack (due 14:00) overdue now
    4: _message(
        4,
        "type: submitted, at: 2026-11-16 10:00, by: zhang-wei",
        "type: approved, at: 2026-11-16 10:30, by: wang-fang, role: dept_head",
        "type: published, at: 2026-11-16 11:00, by: zhang-wei, channel: oa",
        "type: acknowledged, at: 2026-11-16 11:30, by: qian-hong",
        kind="notice",
        to="{department: 财务部, person: qian-hong}\n  - {department: 财务部, person: he-ping}",
    )
    + "notice: {background: 测试。, items: [测试事项], requirements: 请确认已阅, contact: zhang-wei}\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("summary") / "repo"
    root.mkdir()
    for part in ("policy.yaml", "schemas", "contacts"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / part)
    folder = root / "records" / "2026"
    folder.mkdir(parents=True)
    for number, text in RECORDS.items():
        (folder / f"NX-2026-{number:03d}.yaml").write_text(text, encoding="utf-8")
    return root


def _summary(repo: Path, *extra: str) -> dict:
    result = run_commlog("report", "summary", "--as-of", AS_OF, "--format", "json", "--repo", str(repo), *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_records_are_valid(repo: Path) -> None:
    result = run_commlog("validate", "--repo", str(repo))
    assert result.returncode == 0, result.stdout + result.stderr


def test_totals_of_the_period_and_the_previous_one(repo: Path) -> None:
    data = _summary(repo)
    assert data["period"]["label"] == "2026-11" and data["previous"]["label"] == "2026-10"
    now, before, change = (data["total"][k] for k in ("current", "previous", "change"))
    assert now["records"] == before["records"] == 4 and change["records"] == 0
    assert now["by_kind"] == {"message": 3, "notice": 1} and before["by_kind"] == {"message": 4}
    # November: on time R1 review, feedback, archive and R4 review; late R2 review; overdue now R2 feedback,
    # R3 review, R4 ack. October: on time R5 review and feedback, R6 review, R7 and R8 archive; late R5
    # archive, R6 feedback, R8 review (cancelled after its due time); R7's review left out.
    assert now["stages"]["review"] == {"on_time": 2, "met_late": 1, "overdue": 1, "rate": 0.5}
    assert now["on_time_rate"] == 0.5 and before["on_time_rate"] == 0.625
    assert change["on_time_rate"] == -0.125
    assert before["stages"]["review"] == {"on_time": 2, "met_late": 1, "overdue": 0, "rate": 0.6667}


def test_working_times_to_review_feedback_and_archive(repo: Path) -> None:
    now, before = (_summary(repo)["total"][k]["durations"] for k in ("current", "previous"))
    assert now["review"] == {"count": 3, "mean_minutes": 270.0, "p90_minutes": 660.0}  # 120, 660, 30
    assert now["feedback"] == {"count": 1, "mean_minutes": 480.0, "p90_minutes": 480.0}
    assert now["archive"] == {"count": 1, "mean_minutes": 300.0, "p90_minutes": 300.0}
    assert before["review"] == {"count": 2, "mean_minutes": 60.0, "p90_minutes": 60.0}  # R7's, cancelled, left out
    assert before["feedback"] == {"count": 2, "mean_minutes": 1200.0, "p90_minutes": 1920.0}  # 480, 1920
    assert before["archive"] == {"count": 3, "mean_minutes": 620.0, "p90_minutes": 1380.0}  # 1380, 420, 60


def test_overdue_reach_and_follow_ups(repo: Path) -> None:
    data = _summary(repo)
    now, before, change = (data["total"][k] for k in ("current", "previous", "change"))
    assert now["overdue"] == 3 and before["overdue"] == 1 and change["overdue"] == 2  # before: R6 on Nov 1 00:00
    assert now["notices"] == {"published": 1, "recipients": 2, "confirmed": 1} and now["notice_reach"] == 0.5
    assert before["notice_reach"] is None and change["notice_reach"] is None
    assert now["follow_ups"] == before["follow_ups"] == 1


def test_overdue_matches_the_overdue_report_at_each_end(repo: Path) -> None:
    for moment, side in ((AS_OF, "current"), ("2026-11-01 00:00", "previous")):
        report = run_commlog("overdue", "--as-of", moment, "--format", "json", "--repo", str(repo))
        overdue = [i for i in json.loads(report.stdout)["items"] if i["state"] == "overdue"]
        assert _summary(repo)["total"][side]["overdue"] == len(overdue)


def test_departments_and_the_department_filter(repo: Path) -> None:
    data = _summary(repo)["departments"]
    market, finance, admin = data["市场部"]["current"], data["财务部"]["current"], data["行政部"]["current"]
    assert market["records"] == 4 and finance["records"] == 0
    assert market["on_time_rate"] == 0.4 and market["overdue"] == 2 and market["follow_ups"] == 1  # 2 of 5
    assert finance["on_time_rate"] == 0.5 and finance["overdue"] == 1 and finance["durations"]["feedback"]["count"] == 1
    assert admin["archive_mean_minutes"] == 300.0 and data["行政部"]["previous"]["on_time_rate"] == 0.6667
    only = _summary(repo, "--department", "CW")
    assert only["department"] == "财务部" and list(only["departments"]) == ["财务部"]
    assert only["total"] == only["departments"]["财务部"]
    assert only["total"]["previous"]["overdue"] == 1 and only["total"]["current"]["records"] == 0


def test_markdown_in_chinese(repo: Path) -> None:
    result = run_commlog("report", "summary", "--as-of", AS_OF, "--repo", str(repo))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("# 报告汇总 · 月度 2026-11\n")
    for line in (
        "| 按时完成率 | 50.0% | 62.5% | -12.5 个百分点 |",
        "| 平均反馈用时 | 8.0 工时 | 20.0 工时 | -12.0 工时 |",
        "| 期末逾期环节 | 3 | 1 | +2 |",
        "| 记录数 | 4 | 4 | 持平 |",
        "| 审核 | 2 | 1 | 1 | 50.0% | 66.7% | -16.7 个百分点 |",
        "## 各部门",
        "## 财务部",
    ):
        assert line in text, line
    assert "## 法务部" not in text  # nothing happened there in either period


def test_quarter_and_year(repo: Path) -> None:
    quarter = _summary(repo, "--period", "quarter")
    assert quarter["period"]["label"] == "2026-Q4" and quarter["previous"]["label"] == "2026-Q3"
    assert quarter["total"]["current"]["records"] == 8 and quarter["total"]["previous"]["records"] == 0
    year = _summary(repo, "--period", "year")
    assert year["period"]["start"] == "2026-01-01T00:00:00+08:00" and year["previous"]["label"] == "2025"


def test_bad_input_is_one_line_and_exit_2(repo: Path) -> None:
    for args, words in (
        (("--department", "营销部"), "not a department"),
        (("--as-of", "2026-13-01"), "--as-of"),
        (("--period", "week"), "--period"),
    ):
        result = run_commlog("report", "summary", "--repo", str(repo), *args)
        assert result.returncode == 2 and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20: 90% of 20 is 18 values
    assert percentile(values, 90) == 18.0 and percentile(values[:11], 90) == 10.0 and percentile([5.0], 90) == 5.0
    assert percentile([], 90) is None


def test_periods_turn_the_year() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    january = period_containing(datetime(2027, 1, 5, tzinfo=tz), "month", tz)
    assert january.previous().label == "2026-12" and january.previous().end == january.start
    assert period_containing(datetime(2027, 2, 1, tzinfo=tz), "quarter", tz).previous().label == "2026-Q4"


def test_the_statistics_page_shows_the_same_figures(repo: Path, tmp_path: Path) -> None:
    shutil.copytree(repo, tmp_path / "repo")
    shutil.copyfile(ROOT / "mkdocs.yml", tmp_path / "repo" / "mkdocs.yml")
    shutil.copytree(ROOT / "site", tmp_path / "repo" / "site")
    site = build_site(tmp_path / "repo", tmp_path / "out")
    html = (site / "statistics" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for row in (
        "按时完成率 50.0% 62.5% -12.5 个百分点",
        "平均反馈用时 8.0 工时 20.0 工时 -12.0 工时",
        "期末逾期环节 3 1 +2",
        "记录数 4 4 持平",
        "审核 2 1 1 50.0% 66.7% -16.7 个百分点",
        "市场部 4 持平 40.0%",
    ):
        assert row in text, row
    dashboard = (site / "index.html").read_text(encoding="utf-8")
    assert "50.0%</strong><span>本月按时完成率 (2026-11)" in dashboard


def test_xlsx_holds_the_same_figures_as_numbers(repo: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "报告汇总.xlsx"
    args = ("report", "summary", "--as-of", AS_OF, "--format", "xlsx", "--output", str(target), "--repo", str(repo))
    assert run_commlog(*args).returncode == 0
    book = load_workbook(target)
    assert book.sheetnames == ["汇总", "各环节按时完成率", "记录构成"]
    sheet = book["汇总"]
    assert sheet.freeze_panes == "A3" and str(sheet["A1"].value).startswith("报告汇总 · 月度 2026-11")
    rows = {(r[0], r[1]): r[2:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows[("总计", "按时完成率")] == ("%", 50.0, 62.5, -12.5)
    assert rows[("总计", "平均反馈用时")] == ("工时", 8.0, 20.0, -12.0)
    assert rows[("财务部", "期末逾期环节")] == (None, 1, 1, 0)
    stages = {(r[0], r[1]): r[2:] for r in book["各环节按时完成率"].iter_rows(min_row=3, values_only=True)}
    assert stages[("市场部", "审核")] == (2, 1, 1, 50.0, 66.7, -16.7)
