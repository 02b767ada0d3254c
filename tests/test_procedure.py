"""The procedure held by the rules and the clocks: archiving, read confirmations, collaboration answers,
escalation and the one feedback deadline (issue 8)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from commlog.deadlines import Context, feedback_deadline, judge, stages
from commlog.load import parse
from commlog.policy import Policy, from_data
from commlog.workflow import (
    answered_departments,
    answering_departments,
    archive_role,
    escalation_target,
    may_archive,
    next_archive_no,
    notice_recipients,
    status,
)

from conftest import ROOT, run_commlog

AS_OF = "2026-11-20 17:00"


def _policy(**changes: Any) -> Policy:
    data = parse((ROOT / "policy.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return from_data(data)


@pytest.fixture(scope="module")
def staff() -> dict[str, dict[str, Any]]:
    folder = ROOT / "contacts" / "internal"
    return {p.stem: parse(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))}


def _record(record_id: str) -> dict[str, Any]:
    path = next((ROOT / "records").glob(f"*/{record_id}.yaml"))
    return parse(path.read_text(encoding="utf-8"))


def _message(**changes: Any) -> dict[str, Any]:
    record = {
        "id": "NX-2024-900",
        "kind": "message",
        "direction": "internal",
        "subject": "s",
        "summary": "s",
        "from": {"department": "市场部", "person": "zhang-wei"},
        "to": [{"department": "市场部", "person": "chen-li"}],
        "urgency": "urgent",
        "channels": ["oa"],
        "classification": "internal",
        "events": [
            {"type": "submitted", "at": "2024-12-23 09:30", "by": "zhang-wei"},
            {"type": "sent", "at": "2024-12-23 10:00", "by": "zhang-wei"},
        ],
    }
    record.update(changes)
    return record


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" ", "T") + "+08:00")


# -- archiving ---------------------------------------------------------------------------


def test_archivist_role_from_the_policy(staff: dict[str, dict[str, Any]]) -> None:
    policy = _policy()
    assert archive_role(policy) == "archivist"
    assert may_archive(staff["zhao-min"], policy) and not may_archive(staff["liu-yang"], policy)
    assert not may_archive(None, policy)
    assert archive_role(_policy(archiving={"role": "admin"})) == "admin"
    assert not may_archive(staff["zhao-min"], _policy(archiving={"role": "admin"}))
    departed = {**staff["zhao-min"], "status": "departed", "departed": "2025-06-30"}
    assert not may_archive(departed, policy)  # acting now
    assert may_archive(departed, policy, on=datetime(2025, 6, 30).date())  # an archiving she recorded then


def test_next_archive_no_follows_the_series() -> None:
    policy = _policy()
    assert next_archive_no([], 2027, policy) == "ND-2027-1001"  # archive_first
    assert next_archive_no(["ND-2024-1003", "ND-2024-1008", "ND-2025-1100", "XX-2024-9999"], 2024, policy) == (
        "ND-2024-1009"
    )
    numbering = {"record_sequence_width": 3, "archive_prefix": "ND", "archive_sequence_width": 4}
    assert next_archive_no([], 2027, _policy(numbering=numbering)) == "ND-2027-0001"  # archive_first defaults to 1


def _findings(repo: Path) -> list[tuple[str, str, int]]:
    result = run_commlog("validate", "--repo", str(repo), "--format", "json")
    assert "Traceback" not in result.stderr
    return [(Path(f["path"]).stem, f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def _edit(repo: Path, record_id: str, old: str, new: str) -> None:
    path = next((repo / "records").glob(f"*/{record_id}.yaml"))
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_archive_numbers_are_given_in_the_order_of_archiving(demo_repo: Path) -> None:
    # NX-2026-005 was archived on 2026-03-13, NX-2026-002 on 2026-04-09: swap their numbers
    _edit(demo_repo, "NX-2026-005", "archive_no: ND-2026-1004", "archive_no: ND-2026-1005")
    _edit(demo_repo, "NX-2026-002", "archive_no: ND-2026-1005", "archive_no: ND-2026-1004")
    found = _findings(demo_repo)
    assert ("NX-2026-002", "archive-no-order", 22) in found
    assert [f for f in found if f[1] == "archive-no-order"] == [("NX-2026-002", "archive-no-order", 22)]
    result = run_commlog("validate", "--repo", str(demo_repo))
    assert "lower than ND-2026-1005, given earlier (NX-2026-005, 2026-03-13 03:30)" in result.stdout
    assert "ND-2026-1006" in result.stdout  # the next free number


def test_archive_number_below_the_first_of_the_series(demo_repo: Path) -> None:
    _edit(demo_repo, "NX-2026-001", "archive_no: ND-2026-1001", "archive_no: ND-2026-0999")
    assert ("NX-2026-001", "archive-no-order", 25) in _findings(demo_repo)


def test_a_record_archived_again_keeps_its_number(demo_repo: Path) -> None:
    """NX-2025-003 was archived in 2025 as ND-2025-1017, then reopened: archived again in 2026, the number stays."""
    path = demo_repo / "records/2025/NX-2025-003.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - {type: completed, at: 2026-11-19 10:00, by: zhang-wei}\n"
        + "  - {type: archived, at: 2026-11-20 10:00, by: zhao-min, archive_no: ND-2025-1017}\n",
        encoding="utf-8",
    )
    assert _findings(demo_repo) == []
    # CG-2025-002 in the demo is cancelled, then archived: an archived record takes nothing more
    _edit(
        demo_repo,
        "CG-2025-002",
        "archive_no: ND-2025-1019}",
        "archive_no: ND-2025-1019}\n  - {type: comment, at: 2025-10-14 10:00, by: pan-yue}",
    )
    assert [f[1] for f in _findings(demo_repo)] == ["event-after-close"]


def test_an_archived_record_still_owes_its_feedback(demo_repo: Path) -> None:
    """Completing and archiving do not answer for a feedback never given: the stage stays open and overdue."""
    path = demo_repo / "records/2026/NX-2026-003.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - {type: completed, at: 2026-11-12 10:00, by: zhang-wei}\n"
        + "  - {type: archived, at: 2026-11-13 10:00, by: zhao-min, archive_no: ND-2026-1006}\n",
        encoding="utf-8",
    )
    found = _findings(demo_repo)
    assert [f for f in found if f[0] == "NX-2026-003"] == [], found  # completed, so it may be archived
    data = json.loads(
        run_commlog("due", "NX-2026-003", "--as-of", AS_OF, "--format", "json", "--repo", str(demo_repo)).stdout
    )
    assert data["status"] == "archived"
    feedback = next(s for s in data["stages"] if s["stage"] == "feedback")
    assert feedback["met"] is None and feedback["state"] == "overdue"
    report = json.loads(run_commlog("overdue", "--as-of", AS_OF, "--format", "json", "--repo", str(demo_repo)).stdout)
    assert any(i["id"] == "NX-2026-003" and i["stage"] == "feedback" for i in report["items"])


def test_archiving_is_the_archivists_stage(staff: dict[str, dict[str, Any]]) -> None:
    ctx = Context.create(_policy(), staff, {})
    record = _record("CG-2026-001")  # completed, never archived
    archive = next(s for s in stages(record, ctx) if s.name == "archive")
    assert (archive.responsible, archive.department) == ("zhao-min", "行政部")


# -- read confirmations -------------------------------------------------------------------


def test_notice_recipients_are_the_staff_at_publication(staff: dict[str, dict[str, Any]]) -> None:
    notice = _record("NJ-2024-032")  # all staff, published 2024-10-08
    recipients = notice_recipients(notice, staff)
    assert "wu-yan" not in recipients  # the sender
    assert {"fan-hui", "jiang-tao"} <= recipients  # they left later
    later = {**notice, "events": [{**e, "at": e["at"].replace("2024-10-08", "2026-03-02")} for e in notice["events"]]}
    assert not {"fan-hui", "jiang-tao"} & notice_recipients(later, staff)  # they had left by then
    joined = {**staff, "new-hire": {**staff["wei-na"], "id": "new-hire", "joined": "2024-10-09"}}
    assert "new-hire" not in notice_recipients(notice, joined)
    department = {**notice, "to": [{"department": "财务部"}, {"department": "市场部", "person": "zhang-wei"}]}
    assert notice_recipients(department, staff) == {
        pid for pid, p in staff.items() if p["department"] == "财务部" and p["status"] == "active"
    } | {"zhang-wei"}


def test_ack_stage_counts_recipients_only(staff: dict[str, dict[str, Any]]) -> None:
    ctx = Context.create(_policy(), staff, {})
    notice = _record("NJ-2024-032")
    notice["events"].append({"type": "acknowledged", "at": "2024-10-09 10:00", "by": "wu-yan"})  # the sender
    ack = next(s for s in stages(notice, ctx) if s.name == "ack")
    assert set(ack.pending) == notice_recipients(notice, staff) - {"deng-gang", "wang-fang", "qian-hong", "xiao-nan"}
    assert any("4 of" in line for line in ack.explain)


# -- collaborations -----------------------------------------------------------------------


def test_collaboration_answer_per_department(staff: dict[str, dict[str, Any]]) -> None:
    policy = _policy()
    record = _record("NB-2026-003")  # addressed to 采购部 and 行政部; only 采购部 answered
    assert answering_departments(record) == ["采购部", "行政部"]
    assert answered_departments(record, staff) == {"采购部"}
    assert status(record, policy, staff) == "awaiting_feedback"
    ctx = Context.create(policy, staff, {})
    answers = {s.name: s for s in judge(stages(record, ctx), ctx, _at(AS_OF)) if s.name.startswith("answer")}
    assert set(answers) == {"answer:采购部", "answer:行政部"}
    assert answers["answer:采购部"].state == "met_on_time" and answers["answer:行政部"].state == "overdue"
    assert answers["answer:行政部"].responsible == "liu-yang"
    answered = {
        **record,
        "events": [*record["events"], {"type": "answered", "at": "2026-11-20 09:00", "by": "ma-chao"}],
    }
    assert answered_departments(answered, staff) == {"采购部", "行政部"}
    assert status(answered, policy, staff) == "in_progress"
    # progress on a task does not make a collaboration answered
    progress = {"type": "progress", "at": "2026-11-20 09:00", "by": "xiao-nan", "task": "1", "status": "done"}
    assert status({**record, "events": [*record["events"], progress]}, policy, staff) == "awaiting_feedback"


# -- escalation ----------------------------------------------------------------------------


def test_escalation_goes_up_the_chain_never_to_the_same_person(staff: dict[str, dict[str, Any]]) -> None:
    policy = _policy()
    assert escalation_target("zhang-wei", "市场部", staff, policy) == "wang-fang"  # staff -> head
    assert escalation_target("wang-fang", "市场部", staff, policy) == "li-qiang"  # head -> division leader
    assert escalation_target("li-qiang", "市场部", staff, policy) == "chen-jianguo"  # leader -> general manager
    assert escalation_target("chen-jianguo", "总经理办公室", staff, policy) is None  # the top
    assert escalation_target("customer-a/li-na", "市场部", staff, policy) == "wang-fang"  # an outside party's
    short = _policy(escalation={"chain": ["dept_head"]})
    assert escalation_target("wang-fang", "市场部", staff, short) is None


def test_overdue_report_escalates_a_heads_stage_to_the_division_leader() -> None:
    result = run_commlog("overdue", "--as-of", AS_OF, "--format", "json")
    items = {(i["id"], i["stage"]): i for i in json.loads(result.stdout)["items"]}
    late = items[("NJ-2026-003", "answer:市场部")]  # wang-fang heads 市场部
    assert late["responsible"] == "wang-fang" and late["escalate_to"] == "li-qiang"
    assert all(i["escalate_to"] != i["responsible"] for i in items.values())


# -- the feedback deadline -------------------------------------------------------------------


def test_feedback_deadline_is_the_promise_or_the_time_limit(staff: dict[str, dict[str, Any]]) -> None:
    ctx = Context.create(_policy(), staff, {})
    sent = _at("2024-12-23 10:00")
    sla = _at("2024-12-23 14:00")  # urgent: 4 hours on the clock
    plain = feedback_deadline(_message(), ctx, sent)
    assert (plain.due, plain.sla, plain.promised, plain.too_late) == (sla, sla, None, False)
    earlier = feedback_deadline(_message(feedback_due="2024-12-23 12:00"), ctx, sent)
    assert earlier.due == _at("2024-12-23 12:00") and not earlier.too_late
    later = feedback_deadline(_message(feedback_due="2024-12-24 18:00"), ctx, sent)
    assert later.due == sla and later.too_late  # an internal answer: the limit holds
    outside = _message(feedback_due="2024-12-24 18:00", direction="external", to=[{"org": "customer-a"}])
    assert feedback_deadline(outside, ctx, sent).due == _at("2024-12-24 18:00")  # outside_party in the demo policy
    strict = Context.create(_policy(feedback_due_beyond_sla="never"), staff, {})
    assert feedback_deadline(outside, strict, sent).too_late
    lenient = Context.create(_policy(feedback_due_beyond_sla="always"), staff, {})
    assert feedback_deadline(_message(feedback_due="2024-12-24 18:00"), lenient, sent).due == _at("2024-12-24 18:00")


def test_urgent_complaint_is_due_at_its_promise_everywhere(tmp_path: Path) -> None:
    """NX-2026-008: an urgent complaint promised for 13:40; due, overdue and the site show 13:40."""
    due = json.loads(run_commlog("due", "NX-2026-008", "--as-of", AS_OF, "--format", "json").stdout)
    stages_by_name = {s["stage"]: s for s in due["stages"]}
    assert stages_by_name["reply"]["due"] == "2026-11-20T13:40:00+08:00"
    assert stages_by_name["first_contact"]["due"] == "2026-11-20T14:10:00+08:00"  # urgent: 4 hours, not 1 working day
    report = json.loads(run_commlog("overdue", "--as-of", AS_OF, "--format", "json").stdout)
    item = next(i for i in report["items"] if i["id"] == "NX-2026-008")
    assert item["stage"] == "reply" and item["due"] == "2026-11-20T13:40:00+08:00" and item["state"] == "overdue"
    text = run_commlog("due", "NX-2026-008", "--as-of", AS_OF).stdout
    assert "截止 2026-11-20 13:40" in text


def test_customer_request_reply_honours_urgency(staff: dict[str, dict[str, Any]]) -> None:
    ctx = Context.create(_policy(), staff, {})
    record = _record("NX-2026-008")
    del record["feedback_due"]
    for urgency, due in (
        ("urgent", "2026-11-20 14:10"),
        ("critical", "2026-11-20 10:40"),
        ("normal", "2026-11-24 10:10"),
    ):
        reply = next(s for s in stages({**record, "urgency": urgency}, ctx) if s.name == "reply")
        assert reply.due == _at(due), urgency
