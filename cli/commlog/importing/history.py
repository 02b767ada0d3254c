"""The events a register row implies, for every kind: what its 处理状态 and its times say happened, and by whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from commlog.importing.values import Bad, People, stamp
from commlog.workflow import OUTGOING, REPLY, ROLE_NAMES, TASK_NAMES, holders, may_archive, required_roles

APPROVAL_NOTE = "据原登记表导入: 登记表未载审核人, 按审批矩阵记为该角色的负责人"
ANSWER_NOTE = "据原登记表导入: 登记表未载答复内容, 答复人按接收人记"
REPLY_NOTE = "据原登记表导入: 登记表未载答复内容"
CONTACT_NOTE = "据原登记表导入: 已受理未答复, 登记表未载首次联系时间"
PROGRESS_NOTE = "据原登记表导入: 任务分解表记为{status}, 登记表未载其时间"


@dataclass
class Facts:
    """What a row (and the sheets beside it) says about a record's life."""

    status: str
    submitted: datetime
    archive_no: str = ""
    feedback: datetime | None = None
    """实际反馈时间."""
    times: dict[str, datetime | None] = field(default_factory=dict)
    """传递时间, 完成时间, 归档时间 (each None when the row leaves it empty)."""
    acknowledged: list[tuple[str, datetime]] = field(default_factory=list)
    """A notice's read confirmations from 通知确认表: (staff id, 确认时间)."""
    progress: list[tuple[str, str, date]] = field(default_factory=list)
    """Tasks 任务分解表 gives as done that started after the registration: (任务编号, status, 结束时间)."""


def history(record: dict[str, Any], facts: Facts, people: People) -> list[dict[str, Any]]:
    """The events a row implies.

    - 草稿: drafted; otherwise submitted at 发起时间 by 发起人.
    - Past review (待发送 and later, but 已退回 and 已取消): the approvals the policy's matrix requires, each by the
      role's holder for the record, marked as imported (the register names no approver).
    - Sent (待反馈 and later): the kind's outgoing event (sent, published; a customer request's reply) at 传递时间
      (else 发起时间), over the first 传递方式.
    - 实际反馈时间: the answer the kind waits for: a message's feedback and a supplier's quote from the first person in
      接收人, a collaboration's answer from each department addressed (its person in 接收人, else its head). A
      notice's read confirmations are 通知确认表's, each by the person at the time it gives.
    - 已退回: rejected by the department head; 已取消: cancelled at 完成时间; 已归档 never sent (no 传递时间, no
      实际反馈时间): cancelled, then archived; 已完成 and 已归档: completed at 完成时间 (else the latest time given),
      and archived at 归档时间 (else then) with 归档编号 by the holder of the archiving role; 进行中 with a 归档编号:
      archived, then reopened.
    """
    times, status, archive_no = facts.times, facts.status, facts.archive_no
    sender = record["from"]["person"]
    at = stamp(facts.submitted)
    if status == "draft":
        return [{"type": "drafted", "at": at, "by": sender}]
    events: list[dict[str, Any]] = [{"type": "submitted", "at": at, "by": sender}]
    if status == "rejected":
        head = holder("dept_head", record, people)
        return [*events, {"type": "rejected", "at": at, "by": head, "role": "dept_head", "note": APPROVAL_NOTE}]
    never_sent = status == "archived" and not times.get("传递时间") and facts.feedback is None
    if status == "cancelled" or never_sent:  # archived without being sent: it was cancelled, then archived
        events.append({"type": "cancelled", "at": stamp(times.get("完成时间") or facts.submitted), "by": sender})
        if status == "cancelled":
            return events
        moment = times.get("归档时间") or times.get("完成时间") or facts.submitted
        return [*events, archived(record, moment, archive_no, people)]
    if status == "pending_review":
        return events
    sent = times.get("传递时间") or facts.submitted
    for role in required_roles(record, people.policy):
        # The register names no approver and no time: the role's holder, at the latest moment it can have been.
        approval = {"type": "approved", "at": stamp(sent), "by": holder(role, record, people), "role": role}
        events.append({**approval, "note": APPROVAL_NOTE})
    if status == "approved":
        return events
    outgoing, sent = _outgoing(record, facts, sent)
    events.append(outgoing)
    later = _answers(record, facts, people) + _progress(record, facts)
    last = max([sent, *(moment for moment, _ in later)])
    events += [event for _, event in sorted(later, key=lambda pair: pair[0])]
    reopened = status == "in_progress" and bool(archive_no)  # archived once, then taken up again
    completed = times.get("完成时间") or last
    if status in ("completed", "archived") or reopened:
        events.append({"type": "completed", "at": stamp(completed), "by": sender})
    if status == "archived" or reopened:
        moment = times.get("归档时间") or completed
        events.append(archived(record, moment, archive_no, people))
        if reopened:
            note = "导入: 原登记表记为进行中且有归档编号"
            events.append({"type": "reopened", "at": stamp(moment), "by": sender, "note": note})
    return events


def _outgoing(record: dict[str, Any], facts: Facts, sent: datetime) -> tuple[dict[str, Any], datetime]:
    """The kind's outgoing event. A customer request's is the reply to the customer (传递时间, else 实际反馈时间);
    one taken up but not yet answered (neither time given) was contacted, when is not known: at 发起时间."""
    kind, sender, channel = record["kind"], record["from"]["person"], record["channels"][0]
    if kind != "customer_request":
        return {"type": OUTGOING[kind], "at": stamp(sent), "by": sender, "channel": channel}, sent
    replied = facts.times.get("传递时间") or facts.feedback
    if replied is None:
        return {"type": "contacted", "at": stamp(sent), "by": sender, "channel": channel, "note": CONTACT_NOTE}, sent
    return {"type": "replied", "at": stamp(replied), "by": sender, "note": REPLY_NOTE}, replied


def _answers(record: dict[str, Any], facts: Facts, people: People) -> list[tuple[datetime, dict[str, Any]]]:
    """The events after the outgoing one: answers at 实际反馈时间, or a notice's read confirmations."""
    kind = record["kind"]
    if kind == "notice":
        return [
            (moment, {"type": "acknowledged", "at": stamp(moment), "by": who}) for who, moment in facts.acknowledged
        ]
    if facts.feedback is None or kind not in REPLY:
        return []
    moment = facts.feedback
    if kind == "collaboration":
        return [
            (moment, {"type": "answered", "at": stamp(moment), "by": who, "note": ANSWER_NOTE})
            for who in collaboration_answerers(record, people)
        ]
    by = answerer(record, people)
    if by is None:
        raise Bad("实际反馈时间 is given, but no one is named who answered; name the person in 接收人")
    event = {"type": REPLY[kind], "at": stamp(moment), "by": by}
    return [(moment, event if kind == "message" else {**event, "note": ANSWER_NOTE})]


def _progress(record: dict[str, Any], facts: Facts) -> list[tuple[datetime, dict[str, Any]]]:
    """A task 任务分解表 gives as done that could not be registered so: done at its planned end (the register gives
    no time), within the record's life (not before it went out, not after it was completed)."""
    sent = facts.times.get("传递时间") or facts.submitted
    upper = facts.times.get("完成时间") or max(sent, facts.feedback or sent)
    found = []
    for no, status, end in facts.progress:
        moment = max(sent, min(datetime.combine(end, time(18, 0)), upper))
        note = PROGRESS_NOTE.format(status=TASK_NAMES[status])
        event = {"type": "progress", "at": stamp(moment), "by": record["from"]["person"], "note": note}
        found.append((moment, {**event, "task": no, "status": status}))
    return found


def archived(record: dict[str, Any], at: datetime, archive_no: str, people: People) -> dict[str, Any]:
    """The archiving, by the member of staff who held the archiving role that day."""
    archivist = next(
        (pid for pid, p in sorted(people.staff.items()) if may_archive(p, people.policy, on=at.date())), None
    )
    if archivist is None:
        raise Bad("no one held the archiving role on that day (contacts/internal/ roles: archivist)")
    event = {"type": "archived", "at": stamp(at), "by": archivist}
    if archive_no:
        event["archive_no"] = archive_no
    return event


def holder(role: str, record: dict[str, Any], people: People) -> str:
    found = holders(role, record, people.staff, people.policy)
    if role == "dept_head":
        found = [p for p in found if people.staff[p]["department"] == record["from"]["department"]]
    if not found:
        raise Bad(
            f"the record needs the approval of a {ROLE_NAMES[role]} and no one in contacts/internal/ holds that role for it"
        )
    return sorted(found)[0]


def _head(department: str, people: People) -> str | None:
    return next(
        (
            pid
            for pid, p in sorted(people.staff.items())
            if p["department"] == department and "dept_head" in p.get("roles", []) and p.get("status") == "active"
        ),
        None,
    )


def answerer(record: dict[str, Any], people: People) -> str | None:
    """Who answered a message or a quote: the first person in 接收人, else the head of the first department."""
    for party in record["to"]:
        if "person" in party:
            return f"{party['org']}/{party['person']}" if "org" in party else str(party["person"])
    for party in record["to"]:
        if "department" in party and (head := _head(party["department"], people)):
            return head
    return None


def collaboration_answerers(record: dict[str, Any], people: People) -> list[str]:
    """One answer per department addressed: its person in 接收人, else its head."""
    found: dict[str, str] = {}
    for party in record["to"]:
        department = party.get("department")
        if department is None or department in found:
            continue
        who = party.get("person") or _head(department, people)
        if who is None:
            raise Bad(f"实际反馈时间 is given, but {department} has no one named in 接收人 and no head to answer")
        found[department] = str(who)
    return list(found.values())
