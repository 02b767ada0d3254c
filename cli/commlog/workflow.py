"""A record's life: its status as the fold of its events, and the approvals it needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from commlog.events import EVENT_NAMES as EVENT_NAMES  # the table of event types is events.py
from commlog.policy import Policy
from commlog.timeutil import parse_time

Staff = Mapping[str, dict[str, Any]]

STATUS_NAMES = {
    "draft": "草稿",
    "pending_review": "待审核",
    "rejected": "已退回",
    "approved": "待发送",
    "awaiting_feedback": "待反馈",
    "in_progress": "进行中",
    "completed": "已完成",
    "archived": "已归档",
    "cancelled": "已取消",
}

TASK_NAMES = {
    "not_started": "未开始",
    "in_progress": "进行中",
    "done": "已完成",
    "blocked": "受阻",
    "cancelled": "已取消",
}
"""A task's or action item's status (任务状态), as the task table and `progress` events write it."""

OUTGOING = {
    "message": "sent",
    "collaboration": "sent",
    "supplier_request": "sent",
    "notice": "published",
    "minutes": "published",
    "customer_request": "replied",
}
"""The event that takes a record out of the house; the approvals must be complete before it."""

REPLY = {"message": "feedback", "collaboration": "answered", "supplier_request": "quoted"}
"""The event that answers an outgoing record, for kinds that wait for one."""

KIND_NAMES = {
    "message": "信息交流",
    "notice": "内部通知",
    "collaboration": "跨部门协作",
    "customer_request": "客户需求",
    "supplier_request": "供应商合作",
    "minutes": "会议纪要",
}
URGENCY_NAMES = {"normal": "普通", "urgent": "紧急", "critical": "特急"}
DIRECTION_NAMES = {"internal": "内部", "external": "外部"}
CLASSIFICATION_NAMES = {"public": "公开", "internal": "内部", "confidential": "秘密", "secret": "机密"}
ORG_TYPE_NAMES = {
    "customer": "客户",
    "supplier": "供应商",
    "partner": "合作伙伴",
    "regulator": "监管机构",
    "media": "媒体",
    "other": "其他",
}
ROLE_NAMES = {
    "dept_head": "部门负责人",
    "division_leader": "分管领导",
    "general_manager": "总经理",
    "legal": "法务",
    "archivist": "档案管理员",
    "admin": "管理员",
}
CLOSING = {"completed", "archived", "cancelled"}
PERSONAL = frozenset({"approved", "rejected", "acknowledged"})
"""Steps that are the person's own: only they, or a delegate the policy names, enter them."""
HOLD_EVENTS = ("held", "released")
"""A legal hold and its release: about keeping the record, never a step of its handling."""
DRAFT_EVENTS = {"drafted", "comment", "cancelled"}
"""What may happen to a draft before it is submitted."""
ACTIVITY = {
    "contacted",
    "reviewed",
    "progress",
    "issue",
    "acceptance",
    "resolved",
    "satisfaction",
    "answered",
    "quoted",
    "qualification_reviewed",
    "negotiated",
    "legal_reviewed",
    "contract_signed",
    "quarterly_review",
}
"""Work on the matter itself: once approved or sent, the record is in progress."""


def delegates_of(policy: Policy, person: str) -> list[str]:
    """Staff the policy lets record steps on ``person``'s behalf (policy.yaml ``delegates``)."""
    return [d["delegate"] for d in policy.data.get("delegates", []) if person in d["for"]]


def is_cross_department(record: dict[str, Any]) -> bool:
    """Whether an internal record reaches beyond its own department."""
    own = record["from"]["department"]
    return any(p.get("all_staff") or p.get("department", own) != own or "org" in p for p in record["to"])


def required_roles(record: dict[str, Any], policy: Policy) -> list[str]:
    """Roles whose approval the approval matrix requires, in the matrix's order."""
    facts = {
        "direction": record["direction"],
        "kind": record["kind"],
        "importance": record.get("importance", "normal"),
        "legal_effect": record.get("legal_effect", False),
        "cross_department": is_cross_department(record),
    }
    roles: list[str] = []
    for entry in policy.data["approvals"]:
        if all(facts[key] == value for key, value in entry["when"].items()):
            roles += [r for r in entry["roles"] if r not in roles]
    return roles


def may_approve(role: str, person: dict[str, Any] | None, record: dict[str, Any], policy: Policy) -> bool:
    """Whether this staff member holds the role for this record (a head for its department, a leader for its division)."""
    if person is None or role not in person.get("roles", []) or person.get("status") != "active":
        return False
    sender = policy.departments.get(record["from"]["department"])
    if role == "dept_head":
        return person["department"] == record["from"]["department"]
    if role == "division_leader":
        own = policy.departments.get(person["department"])
        return sender is not None and own is not None and own.division == sender.division
    return True


def holders(role: str, record: dict[str, Any], staff: dict[str, dict[str, Any]], policy: Policy) -> list[str]:
    """Staff ids that may give this approval."""
    return [pid for pid, person in staff.items() if may_approve(role, person, record, policy)]


@dataclass(frozen=True)
class Approvals:
    required: list[str]
    given: dict[str, tuple[str, str]]
    """role -> (person, time) in the current submission."""

    @property
    def missing(self) -> list[str]:
        return [r for r in self.required if r not in self.given]


def approvals(record: dict[str, Any], policy: Policy, upto: int | None = None) -> Approvals:
    """Approvals given since the latest submission (before event index ``upto``)."""
    given: dict[str, tuple[str, str]] = {}
    for event in record["events"][:upto]:
        if event["type"] == "submitted":
            given = {}
        elif event["type"] == "approved" and "role" in event:
            given.setdefault(event["role"], (event["by"], event["at"]))
    return Approvals(required_roles(record, policy), given)


def status(record: dict[str, Any], policy: Policy, staff: Staff | None = None) -> str:
    """The status the events add up to.

    A collaboration stays awaiting_feedback until every addressed department has answered; ``staff`` tells
    the department of each answer (without it, only people named in ``to`` are placed).
    """
    required = set(required_roles(record, policy))
    current, approved = "draft", set[str | None]()
    kind = record["kind"]
    waiting_for = set(answering_departments(record)) if kind == "collaboration" else set()
    answered: set[str] = set()
    for event in record["events"]:
        kind_of = event["type"]
        if kind_of == "answered" and (department := answering_for(event["by"], record, staff or {})):
            answered.add(department)
        if kind_of == "submitted":
            approved = set()
            current = "pending_review" if required else "approved"
        elif kind_of == "approved":
            approved.add(event.get("role"))
            if current == "pending_review" and required <= approved:
                current = "approved"
        elif kind_of == "rejected":
            current = "rejected"
        elif kind_of == OUTGOING[kind]:
            current = "awaiting_feedback" if kind in REPLY else "in_progress"
        elif kind_of in CLOSING:
            current = kind_of
        elif current == "awaiting_feedback" and not waiting_for <= answered:
            continue  # a collaboration is not answered while an addressed department is silent
        elif kind_of == "reopened" or (
            kind_of in ACTIVITY | {REPLY.get(kind)} and current in ("approved", "awaiting_feedback")
        ):
            current = "in_progress"
    return current


def _day(text: str, tz: tzinfo | None) -> date:
    """The date of a schema-valid time, in ``tz`` (as written when None)."""
    if tz is None:
        return date.fromisoformat(text[:10])
    return parse_time(text, tz, strict=False).astimezone(tz).date()


def _on_staff(person: dict[str, Any], day: date | None) -> bool:
    """Whether a member of staff was employed on ``day`` (now, going by their status, when None)."""
    if day is None:
        return person.get("status") == "active"
    joined, departed = person.get("joined"), person.get("departed")
    if joined and str(joined) > day.isoformat():
        return False
    if departed:
        return str(departed) >= day.isoformat()
    return person.get("status") == "active"


def _holds(role: str, person: dict[str, Any] | None, department: str, policy: Policy) -> bool:
    """Whether this active staff member holds ``role`` over ``department`` (a head its own, a leader its division's)."""
    if person is None or role not in person.get("roles", []) or person.get("status") != "active":
        return False
    if role == "dept_head":
        return person["department"] == department
    if role == "division_leader":
        own, theirs = policy.departments.get(person["department"]), policy.departments.get(department)
        return own is not None and theirs is not None and own.division == theirs.division
    return True


def escalation_target(person: str, department: str, staff: Staff, policy: Policy) -> str | None:
    """Whom an overdue stage of ``person``'s, accountable to ``department``, is escalated to.

    The first holder of a role in the policy's chain above every role ``person`` holds over the department,
    never ``person``: a member of staff's stage goes to the head, the head's to the division leader, the
    leader's to the general manager; None at the top of the chain.
    """
    chain = policy.escalation_chain
    held = [i for i, role in enumerate(chain) if _holds(role, staff.get(person), department, policy)]
    for role in chain[max(held) + 1 if held else 0 :]:
        holder = next((pid for pid, p in sorted(staff.items()) if _holds(role, p, department, policy)), None)
        if holder is not None and holder != person:
            return holder
    return None


def archive_role(policy: Policy) -> str:
    """The role the policy names for archiving (档案管理员 by default)."""
    return policy.archive_role


def may_archive(person: dict[str, Any] | None, policy: Policy, on: date | None = None) -> bool:
    """Whether this member of staff may archive: they hold the policy's archiving role and are on the staff
    (now, or on the day ``on`` when it is given: for an archiving already recorded)."""
    return person is not None and archive_role(policy) in person.get("roles", []) and _on_staff(person, on)


def may_hold(person: dict[str, Any] | None, policy: Policy, on: date | None = None) -> bool:
    """Whether this member of staff may put a record on legal hold or release it: they hold one of the policy's
    ``disposal.hold_roles`` and are on the staff (now, or on the day ``on``; ``person`` as they stood that day)."""
    roles = set(person.get("roles", [])) if person is not None else set()
    return person is not None and bool(roles & set(policy.disposal.hold_roles)) and _on_staff(person, on)


def next_archive_no(taken: Iterable[str], year: int, policy: Policy) -> str:
    """The next free number of ``year``'s archive series after every number in ``taken``."""
    head = f"{policy.archive_prefix}-{year:04d}-"
    used = [int(n[len(head) :]) for n in taken if n.startswith(head) and n[len(head) :].isdigit()]
    sequence = max([*used, policy.archive_first - 1]) + 1
    return f"{head}{sequence:0{policy.archive_sequence_width}d}"


def notice_recipients(record: dict[str, Any], staff: Staff, tz: tzinfo | None = None) -> set[str]:
    """Staff ids a notice (or minutes) is addressed to, the sender excluded.

    A person named in ``to`` is addressed; a department or all staff means every member of it on the staff
    on the day of the first publication (before it: those active now), that day taken in ``tz`` (the
    policy's timezone; without it, as written). Minutes also reach their attendees.
    """
    published = next((e["at"] for e in record["events"] if e["type"] == OUTGOING[record["kind"]]), None)
    day = _day(published, tz) if published else None
    addressed: set[str] = set()
    for party in record["to"]:
        if "org" in party:
            continue
        if "person" in party:
            addressed.add(party["person"])
        elif party.get("all_staff") or "department" in party:
            addressed |= {
                pid
                for pid, p in staff.items()
                if (party.get("all_staff") or p["department"] == party["department"]) and _on_staff(p, day)
            }
    if record["kind"] == "minutes":
        addressed |= {a for a in record.get("attendees", []) if "/" not in a}
    addressed.discard(record["from"]["person"])
    return addressed


def answering_departments(record: dict[str, Any]) -> list[str]:
    """The departments a collaboration is addressed to, each of which answers, in the order of ``to``."""
    return list(dict.fromkeys(p["department"] for p in record["to"] if "department" in p))


def answering_for(person: str, record: dict[str, Any], staff: Staff) -> str | None:
    """The department an answer by ``person`` speaks for: theirs, or the one ``to`` names them with."""
    if person in staff:
        return str(staff[person]["department"])
    return next((p["department"] for p in record["to"] if p.get("person") == person and "department" in p), None)


def answered_departments(record: dict[str, Any], staff: Staff) -> set[str]:
    """The departments of the people who have answered a collaboration (``answered`` events)."""
    found = (answering_for(e["by"], record, staff) for e in record["events"] if e["type"] == "answered")
    return {department for department in found if department is not None}
