"""Rules about the answers a record asks for: read confirmations, collaboration answers, promised feedback times."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from commlog.deadlines import FEEDBACK_STAGE, STAGE_NAMES, Context, feedback_deadline, feedback_start
from commlog.findings import Finding
from commlog.rules import Corpus, finding, rule
from commlog.timeutil import show
from commlog.workflow import KIND_NAMES, URGENCY_NAMES, answering_departments, notice_recipients


def _why_not(by: str, record: dict[str, Any], staff: dict[str, dict[str, Any]]) -> str:
    """Why someone is not among a notice's recipients, in a few words."""
    if by == record["from"]["person"]:
        return "is the sender (发起人), who does not confirm their own notice"
    person = staff.get(by)
    if person is None:
        return "is not a member of staff"
    published = next((e["at"] for e in record["events"] if e["type"] == "published"), "")[:10]
    if person.get("departed") and str(person["departed"]) < published:
        return f"had left on {person['departed']}, before the publication ({published})"
    if person.get("joined") and str(person["joined"]) > published:
        return f"joined on {person['joined']}, after the publication ({published})"
    return f"is in {person['department']}, which the notice is not addressed to"


@rule("ack-not-recipient")
def ack_by_recipients(corpus: Corpus) -> Iterator[Finding]:
    """Read confirmations (已阅) come only from the notice's recipients: the people, departments or all staff it is addressed to, as on the staff when it was published."""
    assert corpus.policy is not None
    staff = corpus.staff
    for doc in corpus.records:
        if doc.data["kind"] not in ("notice", "minutes"):
            continue
        recipients = notice_recipients(doc.data, staff, corpus.policy.timezone)
        for index, event in enumerate(doc.data["events"]):
            by = event["by"]
            if event["type"] != "acknowledged" or by in recipients or ("/" not in by and by not in staff):
                continue  # an unknown id is unknown-contact's
            yield finding(
                doc,
                "ack-not-recipient",
                ("events", index, "by"),
                f"{by} confirmed reading but {_why_not(by, doc.data, staff)}",
                "only recipients confirm (确认已阅): remove the event, or add the person or their department to `to`",
            )


@rule("answer-not-addressed")
def answer_by_addressed(corpus: Corpus) -> Iterator[Finding]:
    """A collaboration is answered by the departments (or organisations) it is addressed to, each for itself."""
    staff = corpus.staff
    for doc in corpus.records:
        if doc.data["kind"] != "collaboration":
            continue
        departments = answering_departments(doc.data)
        orgs = {p["org"] for p in doc.data["to"] if "org" in p}
        named = {p["person"] for p in doc.data["to"] if "person" in p and "org" not in p}
        for index, event in enumerate(doc.data["events"]):
            by = event["by"]
            if event["type"] != "answered":
                continue
            if "/" in by:
                if by.split("/")[0] in orgs:
                    continue
                what = f"{by} is outside the company and their organisation is not addressed"
            elif by not in staff or by in named or staff[by]["department"] in departments:
                continue  # an unknown id is unknown-contact's
            else:
                what = f"{by} is in {staff[by]['department']}, which the collaboration is not addressed to"
            addressed = "、".join(departments + sorted(orgs)) or "nobody"
            yield finding(
                doc,
                "answer-not-addressed",
                ("events", index, "by"),
                f"{what} (addressed: {addressed})",
                "each addressed department answers for itself: fix `by`, or add the department to `to`",
            )


@rule("feedback-due-too-late")
def feedback_due_within_limit(corpus: Corpus) -> Iterator[Finding]:
    """A promised feedback time (预计反馈时间) is no later than the policy's time limit for the record's urgency, unless the policy permits it."""
    policy = corpus.policy
    assert policy is not None
    ctx: Context | None = None
    for doc in corpus.records:
        record = doc.data
        if "feedback_due" not in record or record["kind"] not in FEEDBACK_STAGE:
            continue
        ctx = ctx or Context.create(policy, corpus.staff, corpus.orgs)
        start = feedback_start(record, ctx)
        if start is None:
            continue  # the clock has not started: nothing to compare with yet
        deadline = feedback_deadline(record, ctx, start)
        if not deadline.too_late or deadline.sla is None:
            continue
        stage = FEEDBACK_STAGE[record["kind"]]
        what = f"{URGENCY_NAMES[record['urgency']]}{KIND_NAMES[record['kind']]}, {record['urgency']} {record['kind']}"
        yield finding(
            doc,
            "feedback-due-too-late",
            ("feedback_due",),
            f"feedback_due {show(deadline.promised or start, policy.timezone)} is later than the time limit allows: "
            f"the {STAGE_NAMES[stage]} ({stage}) of this record ({what}) is due by {show(deadline.sla, policy.timezone)}, "
            f"counted from {show(start, policy.timezone)}",
            f"promise a time no later than {show(deadline.sla, policy.timezone)} (meanwhile that is the deadline), "
            "or let policy.yaml's feedback_due_beyond_sla permit later promises",
        )
