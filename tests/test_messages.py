"""What the findings say, as a user reads them: dates and times, task numbers, events counted from 1."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_commlog

COLLABORATION = "records/2026/NJ-2026-003.yaml"
"""A demo collaboration: submitted, approved, sent; two tasks, the second depending on the first."""


def _edit(repo: Path, relative: str, *replacements: tuple[str, str]) -> Path:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def _findings(repo: Path, path: Path) -> list[dict]:
    result = run_commlog("validate", "--repo", str(repo), "--format", "json", str(path))
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)["findings"]


def test_a_bad_date_or_time_is_one_finding_that_names_the_form_once(demo_repo: Path) -> None:
    path = _edit(
        demo_repo,
        COLLABORATION,
        ("at: 2026-11-17 10:00", "at: 2026-11-17 10.00"),  # a dot for a colon
        ("at: 2026-11-17 12:30", "at: 2026-11-17"),  # no time of day
        ("urgency: normal", "urgency: normal\nfeedback_due: 20261120"),  # a number
        ("start: 2026-11-18", "start: 2026-11-8"),  # a one-digit day
        ("end: 2026-12-11", "end: 2026-12-32"),  # a day that does not exist
    )
    found = _findings(demo_repo, path)
    by_line = {f["line"]: f for f in found}
    assert len(by_line) == len(found) == 5, found  # one finding per bad value
    for finding in found:
        text = f"{finding['message']} ({finding['hint']})"
        assert text.count("YYYY") <= 1, text
    wrong_form = [f for f in found if f["rule"] != "invalid-time"]
    assert len(wrong_form) == 4
    times = [f for f in wrong_form if "is not a time" in f["message"]]
    assert len(times) == 3 and all(f["message"].endswith("expected YYYY-MM-DD HH:MM") for f in times)
    (date,) = [f for f in wrong_form if "is not a date" in f["message"]]
    assert date["rule"] == "schema-pattern" and date["message"].endswith(
        "'2026-11-8' is not a date: expected YYYY-MM-DD"
    )
    (unreal,) = [f for f in found if f["rule"] == "invalid-time"]
    assert "'2026-12-32' is not a real date (day is out of range for month)" in unreal["message"]
    assert "YYYY" not in unreal["message"] + unreal["hint"]  # the form is right; the day is not


def test_a_bad_as_of_names_the_form_once() -> None:
    malformed = run_commlog("overdue", "--as-of", "2026-11-20 5pm")
    assert malformed.returncode == 2 and malformed.stderr.count("YYYY-MM-DD HH:MM") == 1
    unreal = run_commlog("overdue", "--as-of", "2026-11-20 25:00")
    assert unreal.returncode == 2 and "is not a real time (hour must be in 0..23)" in unreal.stderr
    assert "YYYY" not in unreal.stderr and "Traceback" not in unreal.stderr + malformed.stderr


MINUTES = "records/2026/ZB-2026-001.yaml"
"""Demo minutes, published, with three action items in progress."""


def test_task_numbers_may_be_written_unquoted_and_fmt_quotes_them(demo_repo: Path) -> None:
    original = (demo_repo / COLLABORATION).read_text(encoding="utf-8")
    collaboration = _edit(
        demo_repo,
        COLLABORATION,
        ("'no': '1'", "no: 1"),
        ("'no': '2'", "no: 2"),
        ("depends_on: ['1']", "depends_on: [1]"),
    )
    minutes = _edit(
        demo_repo,
        MINUTES,
        ("{'no': '1',", "{no: 1,"),
        (
            "channel: oa}\n",
            "channel: oa}\n  - {type: progress, at: 2026-11-12 16:00, by: liu-yang, note: 方案已定, task: 1, status: done}\n",
        ),
    )
    assert _findings(demo_repo, collaboration) == [] and _findings(demo_repo, minutes) == []
    validate = run_commlog("validate", "--repo", str(demo_repo))
    assert validate.returncode == 0, validate.stdout
    due = json.loads(
        run_commlog(
            "due", "ZB-2026-001", "--repo", str(demo_repo), "--as-of", "2026-11-20 17:00", "--format", "json"
        ).stdout
    )
    action = next(s for s in due["stages"] if s["stage"] == "action:1")
    assert action["state"] == "met_on_time"  # the progress event's `task: 1` names the item `no: 1`

    check = run_commlog("fmt", "--check", "--repo", str(demo_repo), str(collaboration), str(minutes))
    assert check.returncode == 1 and "NJ-2026-003" in check.stdout and "ZB-2026-001" in check.stdout
    assert run_commlog("fmt", "--repo", str(demo_repo), str(collaboration), str(minutes)).returncode == 0
    assert collaboration.read_text(encoding="utf-8") == original  # the canonical form writes the text '1'
    assert "task: '1', status: done}" in minutes.read_text(encoding="utf-8")
    assert "{'no': '1'," in minutes.read_text(encoding="utf-8")


def test_a_task_number_with_a_dot_unquoted_is_one_finding_with_the_fix(demo_repo: Path) -> None:
    path = _edit(demo_repo, COLLABORATION, ("'no': '1'", "no: 1.1"), ("depends_on: ['1']", "depends_on: ['1.1']"))
    (finding,) = _findings(demo_repo, path)
    assert (
        finding["rule"] == "schema-type"
        and "must be text or a whole number, not a decimal number" in finding["message"]
    )
    assert "quote a number with a dot ('1.1')" in finding["hint"]


def test_events_and_list_items_are_counted_from_one(demo_repo: Path) -> None:
    path = _edit(
        demo_repo,
        COLLABORATION,
        ("at: 2026-11-17 12:30", "at: 2026-11-17 12.30"),  # the 3rd event, sent
        ("depends_on: ['1']", "depends_on: ['1', 1.5]"),  # the 2nd task's 2nd dependency
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    found = {f["pointer"]: f for f in _findings(demo_repo, path)}
    sent = found["/events/2/at"]  # JSON keeps the machine's pointer
    assert sent["message"].startswith("event 3 (sent), at (时间): '2026-11-17 12.30' is not a time")
    assert "type: sent" in lines[sent["line"] - 1]
    dependency = found["/tasks/1/depends_on/1"]
    assert dependency["message"].startswith("tasks #2, depends_on #2 (任务编号): must be text or a whole number")
    text = run_commlog("validate", "--repo", str(demo_repo), str(path)).stdout
    assert "event 3 (sent)" in text and "[2]" not in text and "[1]" not in text


def test_event_order_names_both_events_as_people_count_them(demo_repo: Path) -> None:
    path = _edit(demo_repo, COLLABORATION, ("at: 2026-11-17 11:30", "at: 2026-11-17 09:30"))
    (finding,) = [f for f in _findings(demo_repo, path) if f["rule"] == "event-order"]
    assert finding["message"] == (
        "event 2 (approved, 2026-11-17 09:30) is earlier than event 1 before it (submitted, 2026-11-17 10:00)"
    )
    assert "type: approved" in path.read_text(encoding="utf-8").splitlines()[finding["line"] - 1]


def test_a_bad_working_interval_says_how_one_is_written(demo_repo: Path) -> None:
    path = _edit(demo_repo, "policy.yaml", ("mon: [09:00-12:00", "mon: [9:00-12:00"))
    (finding,) = _findings(demo_repo, path)
    assert finding["message"] == "working_hours.mon #1: '9:00-12:00' is not in the expected form"
    assert "HH:MM-HH:MM" in finding["hint"]


def test_new_takes_a_task_table_with_numbers_written_either_way(demo_repo: Path, tmp_path: Path) -> None:
    """A tasks file may mix 1 and '1': the record is written with the text, and --task 1 finds the task."""
    import subprocess

    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=A", "commit", "-qm", "demo"]):
        subprocess.run(["git", *args], cwd=demo_repo, check=True, capture_output=True)
    tasks = tmp_path / "tasks.yaml"
    tasks.write_text(
        "- {no: '1', name: 试产准备, department: 生产部, owner: cao-lin, start: 2026-12-01, end: 2026-12-05}\n"
        "- {no: 2, name: 首批试产, department: 生产部, owner: cao-lin, start: 2026-12-06, end: 2026-12-10, depends_on: [1]}\n",
        encoding="utf-8",
    )

    def act(email: str, *args: str) -> dict:
        subprocess.run(["git", "config", "user.email", email], cwd=demo_repo, check=True)
        result = run_commlog(*args, "--format", "json", cwd=demo_repo)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    made = act(
        "zhang.wei@hengtai.example", "new", "collaboration", "--to", "生产部", "--subject", "新品试产",
        "--summary", "请生产部配合新品试产。", "--channel", "oa", "--tasks", str(tasks),
    )  # fmt: skip
    text = (demo_repo / made["path"]).read_text(encoding="utf-8")
    assert "{'no': '1', name: 试产准备" in text and "depends_on: ['1']" in text and "'no': '2'" in text
    act("wang.fang@hengtai.example", "approve", made["id"])
    act("zhang.wei@hengtai.example", "send", made["id"], "--channel", "oa")
    act("cao.lin@hengtai.example", "progress", made["id"], "--task", "1", "--status", "done", "--note", "完成")
    assert "task: '1', status: done}" in (demo_repo / made["path"]).read_text(encoding="utf-8")
