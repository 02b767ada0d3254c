"""Rules about the order of a record's life: approvals before sending, nothing after closing."""

from __future__ import annotations

from collections.abc import Iterator

from commlog.findings import Finding
from commlog.rules import Corpus, finding, rule
from commlog.tenure import as_on, day_of
from commlog.workflow import HOLD_EVENTS, OUTGOING, PERSONAL, ROLE_NAMES, approvals, delegates_of, may_approve


@rule("approval-missing")
def approval_before_sending(corpus: Corpus) -> Iterator[Finding]:
    """Nothing goes out before every approval the matrix requires is given (审核后传递)."""
    assert corpus.policy is not None
    for doc in corpus.records:
        outgoing = OUTGOING[doc.data["kind"]]
        for index, event in enumerate(doc.data["events"]):
            if event["type"] != outgoing:
                continue
            missing = approvals(doc.data, corpus.policy, upto=index).missing
            if missing:
                names = ", ".join(f"{r} ({ROLE_NAMES[r]})" for r in missing)
                yield finding(
                    doc,
                    "approval-missing",
                    ("events", index, "type"),
                    f"'{outgoing}' before the approval of {names}",
                    "append the approvals (`commlog approve`) before sending, or fix importance/legal_effect",
                )
            break


@rule("approval-role")
def approver_holds_role(corpus: Corpus) -> Iterator[Finding]:
    """Whoever approves or rejects states the role and holds it for this record (head of its department, leader of its division) on that day."""
    assert corpus.policy is not None
    staff = corpus.staff
    for doc in corpus.records:
        for index, event in enumerate(doc.data["events"]):
            if event["type"] not in ("approved", "rejected"):
                continue
            role = event.get("role")
            if role is None:
                yield finding(
                    doc,
                    "approval-role",
                    ("events", index),
                    f"{event['type']} by {event['by']} names no role",
                    "add role: dept_head, division_leader, general_manager or legal",
                )
            elif not may_approve(role, as_on(staff.get(event["by"]), day_of(event["at"])), doc.data, corpus.policy):
                yield finding(
                    doc,
                    "approval-role",
                    ("events", index, "by"),
                    f"{event['by']} does not hold {role} ({ROLE_NAMES[role]}) for this record",
                    "the approver must have the role in contacts/internal/ and, for a head or leader, the sender's department or division",
                )


@rule("event-after-close")
def nothing_after_closing(corpus: Corpus) -> Iterator[Finding]:
    """After a record is archived, the only events allowed are 'reopened' and a legal hold or its release; after it is cancelled, also its archiving."""
    for doc in corpus.records:
        closed_by = None
        for index, event in enumerate(doc.data["events"]):
            if (
                closed_by
                and event["type"] not in ("reopened", *HOLD_EVENTS)
                and (closed_by, event["type"]) != ("cancelled", "archived")
            ):
                yield finding(
                    doc,
                    "event-after-close",
                    ("events", index, "type"),
                    f"'{event['type']}' after the record was {closed_by}",
                    "append `reopened` first, or remove the event",
                )
            if event["type"] in ("archived", "cancelled"):
                closed_by = event["type"]
            elif event["type"] == "reopened":
                closed_by = None


@rule("recorded-by")
def recorded_by_delegate(corpus: Corpus) -> Iterator[Finding]:
    """An approval, rejection or read confirmation entered by someone else is entered by a delegate the policy names."""
    assert corpus.policy is not None
    for doc in corpus.records:
        for index, event in enumerate(doc.data["events"]):
            clerk = event.get("recorded_by")
            if clerk is None or clerk == event["by"] or event["type"] not in PERSONAL:
                continue
            allowed = delegates_of(corpus.policy, event["by"])
            if clerk not in allowed:
                yield finding(
                    doc,
                    "recorded-by",
                    ("events", index, "recorded_by"),
                    f"{clerk} entered {event['by']}'s {event['type']}, but policy.yaml names no such delegate"
                    + (f" (it names: {', '.join(allowed)})" if allowed else ""),
                    f"let {event['by']} record it, or add the delegate to policy.yaml delegates",
                )
