"""`commlog overdue` and `commlog due` on the demo organisation, as of a fixed time."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import run_commlog

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
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
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
    assert "fan-hui" not in ack["pending"]  # departed staff are not asked


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
        "CG-2025-002": "cancelled",
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
