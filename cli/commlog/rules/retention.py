"""Rules about keeping and disposing of records (保管期限, 留存冻结, 销毁)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from commlog.findings import Finding
from commlog.retention import archiving, hold_in_force
from commlog.rules import Corpus, finding, rule
from commlog.timeutil import parse_time
from commlog.workflow import ROLE_NAMES, may_archive


@rule("disposal-record")
def disposal_record(corpus: Corpus) -> Iterator[Finding]:
    """A disposed record was archived, due (or says why it went early), not on hold, disposed of by the archivist and approved in every role the policy names."""
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
        if day < date.fromisoformat(gone["due"]) and not gone.get("override"):
            yield finding(
                doc,
                "disposal-record",
                ("disposed", "at"),
                f"disposed of on {day}, before its term ended on {gone['due']}",
                "an early disposal says why in override (commlog dispose --before-due REASON)",
            )
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
        for index, person in enumerate(people):
            if person not in staff:
                yield finding(
                    doc,
                    "disposal-record",
                    ("disposed", "approved_by", index, "person"),
                    f"{person} is not in contacts/internal/",
                    "approvers are staff",
                )
