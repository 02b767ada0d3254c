"""`commlog overdue` and `commlog due` on the demo organisation, as of a fixed time."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from conftest import copy_demo, run_commlog
from sitebuild import build_site

AS_OF = "2026-11-20 17:00"


def _report(*extra: str) -> dict:
    result = run_commlog("overdue", "--as-of", AS_OF, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_shows_overdue_and_at_risk_stages_of_several_kinds() -> None:
    report = _report()
    assert report["as_of"] == "2026-11-20T17:00:00+08:00"
    overdue = {(i["id"], i["stage"]) for i in report["items"] if i["state"] == "overdue"}
    at_risk = {(i["id"], i["stage"]) for i in report["items"] if i["state"] == "at_risk"}
    assert {stage.split(":")[0] for _, stage in overdue} >= {
        "review",
        "feedback",
        "ack",
        "archive",
        "quote",
        "reply",
        "action",
        "task",
    }
    assert {stage for _, stage in at_risk} >= {"review", "feedback", "ack"}
    overdue_minutes = [i["overdue_by_minutes"] for i in report["items"] if i["state"] == "overdue"]
    assert overdue_minutes == sorted(overdue_minutes, reverse=True)
    assert set(report["items"][0]) == {
        "id",
        "subject",
        "stage",
        "state",
        "due",
        "overdue_by_minutes",
        "responsible",
        "department",
        "follow_ups",
        "escalate_to",
        "provisional",
        "pending",
        "calendar",
    }


def test_follow_ups_and_escalation() -> None:
    chased = next(i for i in _report()["items"] if i["id"] == "NX-2026-003")
    assert chased["stage"] == "feedback" and chased["follow_ups"] == 1 and chased["escalate_to"] == "wang-fang"


def test_department_filter_and_unknown_department() -> None:
    items = _report("--department", "市场部")["items"]
    assert items and all(i["department"] == "市场部" for i in items)
    bad = run_commlog("overdue", "--department", "营销部")
    assert bad.returncode == 2 and "not a department" in bad.stderr


def test_text_md_and_csv(tmp_path: Path) -> None:
    text = run_commlog("overdue", "--as-of", AS_OF)
    assert text.stdout.startswith("逾期报告 截至 2026-11-20 17:00:")
    assert "NJ-2024-032" in text.stdout
    markdown = run_commlog("overdue", "--as-of", AS_OF, "--format", "md").stdout
    assert markdown.startswith("# 逾期报告") and "| 信息编号 |" in markdown
    target = tmp_path / "overdue.csv"
    assert run_commlog("overdue", "--as-of", AS_OF, "--format", "csv", "--output", str(target)).returncode == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "信息编号" and len(rows) == len(_report()["items"]) + 1


def test_fail_on_overdue() -> None:
    assert run_commlog("overdue", "--as-of", AS_OF, "--fail-on-overdue").returncode == 1
    assert run_commlog("overdue", "--as-of", "2024-01-01 09:00", "--fail-on-overdue").returncode == 0


def test_as_of_sees_only_what_had_happened() -> None:
    early = json.loads(run_commlog("due", "NX-2024-001", "--as-of", "2024-10-08 15:00", "--format", "json").stdout)
    assert early["status"] == "awaiting_feedback"
    assert [s["stage"] for s in early["stages"]] == ["review", "feedback"]
    late = json.loads(run_commlog("due", "NX-2024-001", "--as-of", AS_OF, "--format", "json").stdout)
    assert late["status"] == "archived"
    assert [(s["stage"], s["state"]) for s in late["stages"]] == [
        ("review", "met_on_time"),
        ("feedback", "met_on_time"),
        ("archive", "met_on_time"),
    ]
    # 预计反馈时间 on the record overrides the policy's 4 hours for urgent feedback
    assert late["stages"][1]["due"] == "2024-10-11T18:00:00+08:00"
    not_yet = run_commlog("due", "NX-2024-001", "--as-of", "2024-10-01 09:00")
    assert not_yet.returncode == 2 and "not been submitted yet" in not_yet.stderr


def test_due_explains_holidays_and_make_up_days() -> None:
    result = run_commlog("due", "NX-2024-001", "--as-of", AS_OF, "--explain")
    assert "2024-10-12 sat: working (make-up working day (调休))" in result.stdout
    assert "2 working days = 16 working hours" in result.stdout


def test_notice_ack_lists_who_has_not_confirmed() -> None:
    data = json.loads(run_commlog("due", "NJ-2024-032", "--as-of", AS_OF, "--format", "json").stdout)
    ack = next(s for s in data["stages"] if s["stage"] == "ack")
    assert ack["state"] == "overdue" and "deng-gang" not in ack["pending"] and "chen-jianguo" in ack["pending"]
    # recipients are the staff at publication (2024-10-08): fan-hui left in 2025 and still owes her confirmation
    assert "fan-hui" in ack["pending"] and "wu-yan" not in ack["pending"]  # the sender confirms nothing
    later = json.loads(run_commlog("due", "NJ-2026-002", "--as-of", AS_OF, "--format", "json").stdout)
    pending = next(s for s in later["stages"] if s["stage"] == "ack")["pending"]
    assert pending and "fan-hui" not in pending and "jiang-tao" not in pending  # they left before it was published


def test_bad_as_of_is_a_usage_error() -> None:
    result = run_commlog("overdue", "--as-of", "2026-02-30 10:00")
    assert result.returncode == 2 and "--as-of" in result.stderr and "Traceback" not in result.stderr


def test_provisional_deadline_in_an_unpublished_year(demo_repo: Path) -> None:
    record = demo_repo / "records/2026/NX-2026-003.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("2026-11-09", "2026-12-31").replace("2026-11-10", "2027-01-04"), encoding="utf-8")
    result = run_commlog(
        "due", "NX-2026-003", "--as-of", "2027-01-05 10:00", "--format", "json", "--explain", "--repo", str(demo_repo)
    )
    assert "deadlines through 2027 are provisional" in result.stderr and "calendar.overrides" in result.stderr
    data = json.loads(result.stdout)
    feedback = next(s for s in data["stages"] if s["stage"] == "feedback")
    assert feedback["provisional"] is True
    assert any("no statutory calendar for 2027" in line for line in feedback["explain"])


def test_status_is_the_fold_of_the_events() -> None:
    expected = {
        "NX-2024-001": "archived",
        "NJ-2024-032": "in_progress",
        "CG-2025-002": "archived",  # cancelled, then archived
        "NB-2026-003": "awaiting_feedback",  # one of the two departments addressed has not answered
        "NX-2025-003": "in_progress",  # archived, then reopened
        "NJ-2025-001": "archived",  # rejected, resubmitted, then through to the archive
        "XZ-2026-002": "pending_review",
        "CG-2026-003": "awaiting_feedback",
        "NX-2026-007": "in_progress",  # a customer request being worked on
        "CG-2026-001": "completed",
    }
    for record_id, status in expected.items():
        data = json.loads(run_commlog("due", record_id, "--as-of", AS_OF, "--format", "json").stdout)
        assert data["status"] == status, record_id
    rejected = json.loads(run_commlog("due", "NJ-2025-001", "--as-of", "2025-02-17 12:30", "--format", "json").stdout)
    assert rejected["status"] == "rejected"
    cancelled = json.loads(run_commlog("due", "CG-2025-002", "--as-of", "2025-10-11 09:00", "--format", "json").stdout)
    assert cancelled["status"] == "cancelled"


def _edit(repo: Path, record_id: str, *replacements: tuple[str, str]) -> None:
    path = next((repo / "records").glob(f"*/{record_id}.yaml"))
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def _other_offsets(repo: Path) -> None:
    """NX-2026-003 submitted at 10:00 and sent at 14:00 Beijing time, written in UTC and in +14:00."""
    _edit(
        repo,
        "NX-2026-003",
        ("at: 2026-11-09 10:00,", "at: 2026-11-09 02:00Z,"),
        ("at: 2026-11-09 14:00,", "at: 2026-11-09 20:00 +14:00,"),
    )


def test_times_in_other_offsets_are_shown_in_the_policy_timezone(demo_repo: Path) -> None:
    _other_offsets(demo_repo)
    repo = ("--repo", str(demo_repo))
    text = run_commlog("due", "NX-2026-003", "--as-of", "2026-11-20 09:00Z", *repo).stdout
    assert "截至 2026-11-20 17:00" in text
    assert "审核 (review): 开始 2026-11-09 10:00" in text
    assert "反馈 (feedback): 开始 2026-11-09 14:00  截止 2026-11-11 14:00" in text
    report = run_commlog("overdue", "--as-of", "2026-11-20 09:00Z", *repo).stdout
    assert report.startswith("逾期报告 截至 2026-11-20 17:00:")
    # JSON keeps each time with its own offset
    data = json.loads(run_commlog("due", "NX-2026-003", "--as-of", AS_OF, "--format", "json", *repo).stdout)
    assert data["stages"][0]["start"] == "2026-11-09T02:00:00+00:00"
    assert data["stages"][1]["start"] == "2026-11-09T20:00:00+14:00"


def test_site_shows_times_in_the_policy_timezone(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    _other_offsets(repo)
    # a far-future typo in another record is a finding, never a crash of the build
    _edit(repo, "NX-2024-001", ("at: 2024-10-08 09:30,", "at: 9999-12-31 23:59,"))
    site = build_site(repo, tmp_path / "out")
    page = (site / "records/2026/NX-2026-003/index.html").read_text(encoding="utf-8")
    assert "2026-11-09 10:00" in page and "2026-11-09 14:00" in page
    assert "02:00Z" not in page and "+14:00" not in page and "2026-11-09 20:00" not in page


def test_as_of_outside_the_supported_years_is_a_usage_error() -> None:
    for text in ("9999-12-31", "0001-01-01", "1899-12-31 23:59", "2200-01-01"):
        result = run_commlog("overdue", "--as-of", text)
        assert result.returncode == 2 and "1900..2199" in result.stderr, (text, result.stderr)
        assert "Traceback" not in result.stderr
    started = time.monotonic()
    last = run_commlog("overdue", "--as-of", "2199-12-31 23:59", "--format", "json")
    assert last.returncode == 0 and time.monotonic() - started < 20
    assert "deadlines through 2027-2199 are provisional" in last.stderr


def test_utc_offsets_are_the_ones_in_use() -> None:
    for offset in ("+14:30", "-12:30", "+05:50", "+15:00"):
        result = run_commlog("overdue", "--as-of", f"2026-11-20 09:00{offset}")
        assert result.returncode == 2 and "does not exist" in result.stderr, offset
    for offset, shown in (("+05:45", "11:15"), ("+14:00", "2026-11-20 03:00"), ("-12:00", "2026-11-21 05:00")):
        result = run_commlog("overdue", "--as-of", f"2026-11-20 09:00{offset}")
        assert result.returncode == 0 and shown in result.stdout.splitlines()[0], (offset, result.stdout[:80])


def test_overdue_through_a_year_without_calendar_data_is_provisional() -> None:
    result = run_commlog("overdue", "--as-of", "2027-03-01", "--format", "json")
    assert "deadlines through 2027 are provisional" in result.stderr
    items = json.loads(result.stdout)["items"]
    # working hours counted from a 2026 due time through 2027's unknown holidays
    late = [i for i in items if i["state"] == "overdue" and i["calendar"] == "working" and i["due"] < "2027"]
    assert late and all(i["provisional"] for i in late)
    assert all(not i["provisional"] for i in _report()["items"] if i["due"] < "2027")


def test_record_time_out_of_range_or_in_a_dst_gap_is_a_finding(demo_repo: Path) -> None:
    repo = ("--repo", str(demo_repo))
    _edit(demo_repo, "NX-2024-001", ("at: 2024-10-08 09:30,", "at: 9999-12-31 23:59,"))
    result = run_commlog("validate", *repo)
    assert result.returncode == 1 and "NX-2024-001.yaml" in result.stdout and "Traceback" not in result.stderr
    for command in (("due", "NX-2026-003"), ("overdue",)):
        result = run_commlog(*command, "--as-of", AS_OF, *repo)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr

    policy = demo_repo / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("Asia/Shanghai", "Europe/Berlin"), encoding="utf-8")
    _edit(demo_repo, "NX-2026-003", ("at: 2026-11-09 11:30,", "at: 2026-03-29 02:30,"))
    result = run_commlog("validate", *repo)
    assert "time-exists" in result.stdout and "2026-03-29 02:30 does not exist" in result.stdout, result.stdout
    result = run_commlog("overdue", "--as-of", AS_OF, *repo)  # the computation still runs
    assert result.returncode == 0 and "Traceback" not in result.stderr
    gap = run_commlog("overdue", "--as-of", "2026-03-29 02:30", *repo)
    assert gap.returncode == 2 and "does not exist" in gap.stderr


def test_clock_stages_are_late_by_clock_hours(demo_repo: Path) -> None:
    # urgent: feedback within 4 hours on the 24x7 clock; sent at 14:00, due 18:00, judged at 21:30
    _edit(demo_repo, "NX-2026-003", ("urgency: normal", "urgency: urgent"))
    text = run_commlog("overdue", "--as-of", "2026-11-09 21:30", "--repo", str(demo_repo)).stdout
    line = next(line for line in text.splitlines() if line.startswith("NX-2026-003") and "反馈" in line)
    assert "逾期 3.5 小时" in line, line
    data = json.loads(
        run_commlog("overdue", "--as-of", "2026-11-09 21:30", "--format", "json", "--repo", str(demo_repo)).stdout
    )
    item = next(i for i in data["items"] if i["id"] == "NX-2026-003" and i["stage"] == "feedback")
    assert item["calendar"] == "clock" and item["overdue_by_minutes"] == 210
    working = next(i for i in _report()["items"] if i["state"] == "overdue" and i["calendar"] == "working")
    assert working["overdue_by_minutes"] > 0


def test_record_text_is_inert_in_markdown_csv_and_the_terminal(demo_repo: Path) -> None:
    repo = ("--as-of", AS_OF, "--repo", str(demo_repo))
    _edit(
        demo_repo,
        "NX-2026-003",
        ("subject: 2027年推广合作意向沟通", "subject: '<img src=x onerror=alert(1)> a|b `c` *d*'"),
    )
    markdown = run_commlog("overdue", "--format", "md", *repo).stdout
    row = next(line for line in markdown.splitlines() if "NX-2026-003" in line)
    assert "<img" not in row and "&lt;img src=x onerror=alert(1)&gt; a\\|b \\`c\\` \\*d\\*" in row, row
    assert row.count(" | ") == 11  # the pipe in the subject made no extra column

    _edit(demo_repo, "NX-2026-003", ("subject: '<img", "subject: ' =1+2 <img"))
    target = demo_repo.parent / "overdue.csv"
    run_commlog("overdue", "--format", "csv", "--output", str(target), *repo)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert next(r for r in rows if r[0] == "NX-2026-003")[1].startswith("' =1+2")

    _edit(demo_repo, "NX-2026-003", ("subject: ' =1+2", 'subject: "\\e[2J\\r=1+2'), ("`c` *d*'", '`c` *d*"'))
    text = run_commlog("overdue", *repo)
    assert "\x1b" not in text.stdout and "\r" not in text.stdout  # either escaped or the record left out
    assert "NX-2026-003" not in text.stdout or "\\x1b[2J\\x0d=1+2" in text.stdout


def test_formula_guard_and_control_escapes_cannot_be_bypassed() -> None:
    from commlog.findings import inert
    from commlog.reports.overdue import csv_cell, md_cell

    for cell in ("=1+2", "\r=1+2", "\n+1", " \t-1", "\u3000@x", "\x00=1", "\t", "\r", "＝1+2"):
        assert csv_cell(cell).startswith("'"), repr(cell)
    assert csv_cell("市场部") == "市场部" and csv_cell("a=1") == "a=1"
    assert inert("a\x1b[2Jb\x85c\u202ed\n") == "a\\x1b[2Jb\\x85c\\u202ed\\x0a"
    assert md_cell("- item") == "\\- item" and md_cell("1. x") == "1\\. x" and md_cell("# h") == "\\# h"
