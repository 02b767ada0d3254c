"""A record's life: its status as the fold of its events, and the approvals it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commlog.events import EVENT_NAMES as EVENT_NAMES  # the table of event types is events.py
from commlog.policy import Policy

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


def status(record: dict[str, Any], policy: Policy) -> str:
    """The status the events add up to."""
    required = set(required_roles(record, policy))
    current, approved = "draft", set[str | None]()
    kind = record["kind"]
    for event in record["events"]:
        kind_of = event["type"]
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
        elif kind_of == "reopened" or (
            kind_of in ACTIVITY | {REPLY.get(kind)} and current in ("approved", "awaiting_feedback")
        ):
            current = "in_progress"
    return current
