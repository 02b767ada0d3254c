"""Rules about keeping and disposing of records (保管期限, 留存冻结, 销毁)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from commlog.findings import Finding
from commlog.load import Document
from commlog.retention import add_years, archiving, hold_in_force
from commlog.rules import Corpus, finding, rule
from commlog.tenure import as_on, day_of
from commlog.timeutil import parse_time
from commlog.workflow import HOLD_EVENTS, ROLE_NAMES, may_approve, may_archive, may_hold


@rule("disposal-record")
def disposal_record(corpus: Corpus) -> Iterator[Finding]:
    """A disposed record was archived, its stub's due date is its term counted from its archiving, it went when due (or says why it went early in override), not on hold, disposed of by the archivist and approved in every role the policy names, each by a different person who held that role for the record and was on the staff on the disposal day."""
    policy = corpus.policy
    assert policy is not None
    staff = corpus.staff
    for doc in corpus.records:
        gone = doc.data.get("disposed")
        if gone is None:
            continue
        day = parse_time(gone["at"], policy.timezone, strict=False).astimezone(policy.timezone).date()
        if archiving(doc.data) is None:
            yield finding(
                doc,
                "disposal-record",
                ("disposed",),
                "disposed of without being archived",
                "only an archived record's retention term runs",
            )
        hold = hold_in_force(doc.data)
        if hold is not None:
            yield finding(
                doc,
                "disposal-record",
                ("disposed",),
                f"disposed of while on legal hold (held {hold['at']})",
                "a held record is released (commlog release) before it is disposed of",
            )
        yield from _term(doc, gone, day, corpus)
        if not may_archive(staff.get(gone["by"]), policy, on=day):
            yield finding(
                doc,
                "disposal-record",
                ("disposed", "by"),
                f"{gone['by']} did not hold the archiving role on {day}",
                f"disposal is carried out by a holder of {policy.archive_role} (policy.yaml archiving.role)",
            )
        given = {a["role"] for a in gone["approved_by"]}
        people = [a["person"] for a in gone["approved_by"]]
        missing = [r for r in policy.disposal.approval_roles if r not in given]
        if missing or len(set(people)) < len(people):
            names = ", ".join(f"{r} ({ROLE_NAMES.get(r, r)})" for r in missing)
            yield finding(
                doc,
                "disposal-record",
                ("disposed", "approved_by"),
                f"the approvals lack {names}" if missing else "one person approved in two roles",
                f"each of {', '.join(policy.disposal.approval_roles)} (policy.yaml disposal.approval_roles) by a different person",
            )
        for index, approval in enumerate(gone["approved_by"]):
            person, role = approval["person"], approval["role"]
            if person not in staff:
                yield finding(
                    doc,
                    "disposal-record",
                    ("disposed", "approved_by", index, "person"),
                    f"{person} is not in contacts/internal/",
                    "approvers are staff",
                )
            elif not may_approve(role, as_on(staff[person], day.isoformat()), doc.data, policy):
                yield finding(
                    doc,
                    "disposal-record",
                    ("disposed", "approved_by", index, "person"),
                    f"{person} did not hold {role} ({ROLE_NAMES.get(role, role)}) for this record on {day}",
                    "each approver held the role they approve in, for the record's department, "
                    "and was on the staff on the disposal day (contacts/internal/)",
                )


def _term(doc: Document, gone: dict[str, Any], day: date, corpus: Corpus) -> Iterator[Finding]:
    """The stub's due date is its term counted from its archiving; a disposal before it says why. Whether that term
    was the schedule's is judged when the disposal is merged (``validate --base``, trail rule disposal-term), by the
    policy then: a retention period lengthened later does not make the stubs of earlier disposals wrong."""
    policy = corpus.policy
    assert policy is not None
    event = archiving(doc.data)
    years = gone.get("retention_years")
    if event is None or not isinstance(years, int):
        return  # not archived (said above), or the schema reports the term
    archived = parse_time(event["at"], policy.timezone, strict=False).astimezone(policy.timezone).date()
    due = add_years(archived, years)
    if day < archived:
        yield finding(
            doc,
            "disposal-record",
            ("disposed", "at"),
            f"disposed of on {day}, before it was archived on {archived}",
            "only an archived record is disposed of (commlog dispose)",
        )
    if str(gone["due"]) != due.isoformat():
        yield finding(
            doc,
            "disposal-record",
            ("disposed", "due"),
            f"due {gone['due']} is not {years} year(s) from the archiving on {archived} ({due})",
            "the term is counted from the archiving (commlog dispose writes it; commlog retention shows it)",
        )
    if day < due and not gone.get("override"):
        yield finding(
            doc,
            "disposal-record",
            ("disposed", "at"),
            f"disposed of on {day}, before its term ended on {due}",
            "an early disposal says why in override (commlog dispose --before-due REASON)",
        )


@rule("hold-role")
def hold_by_custodian(corpus: Corpus) -> Iterator[Finding]:
    """A legal hold is put on and released by a holder of a hold role (policy.yaml disposal.hold_roles) on the staff that day."""
    policy = corpus.policy
    assert policy is not None
    staff = corpus.staff
    for doc in corpus.records:
        for index, event in enumerate(doc.data["events"]):
            if event["type"] not in HOLD_EVENTS:
                continue
            day = day_of(event["at"])
            if not may_hold(as_on(staff.get(event["by"]), day), policy, date.fromisoformat(day)):
                yield finding(
                    doc,
                    "hold-role",
                    ("events", index, "by"),
                    f"{event['type']} by {event['by']}, who did not hold a hold role on {day}",
                    f"a legal hold is put on and released by a holder of {', '.join(policy.disposal.hold_roles)} "
                    "(policy.yaml disposal.hold_roles)",
                )
