"""The steps of a record's life after registration: what each writes, when it may happen, who may take it.

One table, :data:`STEPS`, drives the commands (one per step), their help and the checks;
:func:`take` applies a step to a record through :mod:`commlog.lifecycle`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from commlog import numbering
from commlog.deadlines import Context, Stage, judge, stage_label, stages
from commlog.fileio import read_limited
from commlog.lifecycle import (
    Actor,
    Refusal,
    Register,
    check_late,
    not_before_last,
    role_text,
    with_event,
    write,
    written,
)
from commlog.repository import attachment_folder
from commlog.retention import hold_in_force
from commlog.workflow import (
    EVENT_NAMES,
    REPLY,
    STATUS_NAMES,
    answered_departments,
    answering_departments,
    answering_for,
    approvals,
    holders,
    may_approve,
    may_archive,
    may_hold,
    next_archive_no,
    required_roles,
)

OPEN = frozenset({"pending_review", "approved", "awaiting_feedback", "in_progress"})
OUT = frozenset({"awaiting_feedback", "in_progress"})
"""Statuses of a record that has gone out (sent, published or replied)."""
READY = frozenset({"approved", "awaiting_feedback", "in_progress"})
Who = Literal["sender", "handler", "approver", "archivist", "recipient", "answerer", "legal", "custodian", "anyone"]
WHO_TEXT = {
    "sender": "staff of the sending department (发起部门)",
    "handler": "staff of the sending or an addressed department, or the task's owner",
    "approver": "a holder of an approval role the record still needs",
    "archivist": "the archivist (档案管理员)",
    "recipient": "a recipient of the notice",
    "answerer": "staff of an addressed department that has not answered yet",
    "legal": "the legal department (法务)",
    "custodian": "a holder of a role the policy lets put records on legal hold (disposal.hold_roles: 法务, 档案管理员)",
    "anyone": "any active member of staff",
}


@dataclass(frozen=True)
class Step:
    command: str
    event: str
    summary: str
    statuses: frozenset[str]
    who: Who
    options: tuple[str, ...] = ()
    """Extra options the command takes, from :data:`commlog.commands.steps.OPTIONS`."""
    required: tuple[str, ...] = ()
    after: str | None = None
    """An event the record must already have."""


STEPS: dict[str, Step] = {
    s.command: s
    for s in [
        Step("submit", "submitted", "Submit a draft for review (提交审核).", frozenset({"draft"}), "sender"),
        Step("resubmit", "submitted", "Submit a returned record again (重新提交).", frozenset({"rejected"}), "sender", ("note",)),
        Step("approve", "approved", "Approve a record in your role (审核通过).", frozenset({"pending_review"}), "approver", ("note", "role")),
        Step("reject", "rejected", "Return a record for changes, with the reason (退回修改).", frozenset({"pending_review"}), "approver", ("reason", "role"), ("note",)),
        Step("send", "sent", "Record the delivery, with its channel and evidence (传递).", READY, "sender", ("channel", "evidence", "evidence_file", "to", "note"), ("channel",)),
        Step("publish", "published", "Publish a notice or minutes (发布).", READY, "sender", ("channel", "note")),
        Step("reply", "replied", "Record the formal reply letter to the customer (出具反馈函).", READY | {"pending_review"}, "sender", ("note", "channel", "evidence", "evidence_file"), ("note",)),
        Step("feedback", "feedback", "Record the feedback received (反馈).", OUT, "handler", ("from", "note"), ("from", "note")),
        Step("answer", "answered", "Answer a collaboration request for your department (协作答复).", OUT, "answerer", ("note",), ("note",)),
        Step("quote", "quoted", "Record a supplier's quote and qualification documents (报价及资质).", OUT, "sender", ("from", "amount", "currency", "note"), ("from",)),
        Step("ack", "acknowledged", "Confirm you have read a notice (确认已阅).", OUT, "recipient"),
        Step("follow-up", "follow_up", "Chase an open stage (催办).", OPEN, "handler", ("note", "to", "stage"), ("note",)),
        Step("escalate", "escalated", "Escalate an overdue stage up the chain (升级).", OPEN, "handler", ("note", "to", "stage"), ("note",)),
        Step("progress", "progress", "Record progress, optionally a task's new status (进度更新).", READY, "handler", ("note", "task", "status"), ("note",)),
        Step("issue", "issue", "Record a problem met while carrying it out (问题反馈).", READY, "handler", ("note", "task"), ("note",)),
        Step("accept", "acceptance", "Record the acceptance of the result (验收).", READY, "handler", ("outcome", "note"), ("outcome",)),
        Step("contact", "contacted", "Record the first contact with the customer (首次联系).", OPEN, "sender", ("note", "channel"), ("note",)),
        Step("review", "reviewed", "Record the review of the customer's need (需求评审).", OPEN, "sender", ("outcome", "note"), ("note",)),
        Step("resolve", "resolved", "Record that the customer's problem is solved (问题解决).", READY, "sender", ("note",), ("note",)),
        Step("satisfaction", "satisfaction", "Record the satisfaction visit (满意度回访).", READY | {"completed"}, "sender", ("score", "note"), ("score",), "resolved"),
        Step("qualify", "qualification_reviewed", "Record the review of the supplier's qualifications (资质审核).", OUT, "sender", ("outcome", "note"), ("outcome",), "quoted"),
        Step("negotiate", "negotiated", "Record a negotiation (商务谈判).", OUT, "sender", ("note",), ("note",)),
        Step("legal-review", "legal_reviewed", "Record the legal department's review (法务审核).", OUT, "legal", ("outcome", "note"), ("outcome",)),
        Step("sign", "contract_signed", "Record the signed contract (签订合同).", OUT, "sender", ("contract_no", "amount", "currency", "note"), ("contract_no",)),
        Step("quarterly-review", "quarterly_review", "Record a quarterly review of the supplier (季度复盘).", READY | {"completed"}, "sender", ("note",), ("note",)),
        Step("complete", "completed", "Mark the matter done (处理完成).", frozenset({"in_progress"}), "sender", ("note",)),
        Step("archive", "archived", "Archive a completed or cancelled record with the next archive number (归档).", frozenset({"completed", "cancelled"}), "archivist", ("note",)),
        Step("reopen", "reopened", "Reopen a completed, archived or cancelled record (重新打开).", frozenset({"completed", "archived", "cancelled"}), "sender", ("reason",), ("note",)),
        Step("cancel", "cancelled", "Cancel a record that is no longer needed (取消).", frozenset({"draft"}) | OPEN | {"rejected", "completed"}, "sender", ("reason",), ("note",)),
        Step("hold", "held", "Put a record on legal hold, with the reason (留存冻结).", frozenset(STATUS_NAMES), "custodian", ("reason",), ("note",)),
        Step("release", "released", "Release a record's legal hold, with the reason (解除冻结).", frozenset(STATUS_NAMES), "custodian", ("reason",), ("note",), "held"),
        Step("comment", "comment", "Add a remark to the record's history (备注).", frozenset(STATUS_NAMES) - {"archived", "cancelled"}, "anyone", ("note",), ("note",)),
    ]
}  # fmt: skip


@dataclass
class Request:
    """What the person asked for, beyond the record and the step."""

    note: str | None = None
    channel: str | None = None
    evidence: str | None = None
    evidence_file: Path | None = None
    to: str | None = None
    stage: str | None = None
    task: str | None = None
    status: str | None = None
    outcome: str | None = None
    score: int | None = None
    amount: float | None = None
    currency: str | None = None
    contract_no: str | None = None
    role: str | None = None
    from_: str | None = None
    late_entry: str | None = None


@dataclass
class Done:
    """What a step wrote and what the record needs next."""

    record_id: str
    path: Path
    event: dict[str, Any]
    status: str
    next: list[str] = field(default_factory=list)


def allowed_events(register: Register, kind: str) -> list[str]:
    """Event types the kind's schema allows."""
    schema = register.schemas.documents[kind]
    return list(schema["properties"]["events"]["items"]["properties"]["type"]["enum"])


def take(
    register: Register,
    step: Step,
    record_id: str,
    actor: Actor,
    when: datetime,
    request: Request,
    now: datetime | None = None,
) -> Done:
    """Apply ``step`` to the record, or raise :class:`Refusal` having written nothing."""
    record = register.record(record_id)
    kind = record["kind"]
    if "disposed" in record:
        raise Refusal(f"{record_id} was disposed of on {record['disposed']['at']}; its stub takes no more steps")
    if step.event not in allowed_events(register, kind):
        others = [s.command for s in STEPS.values() if s.event in allowed_events(register, kind)]
        raise Refusal(f"a {kind} record has no '{step.command}' step; its steps are: {', '.join(others)}")
    current = register.status(record)
    if current not in step.statuses:
        wanted = ", ".join(f"{STATUS_NAMES[s]} ({s})" for s in sorted(step.statuses))
        raise Refusal(
            f"{record_id} is {STATUS_NAMES[current]} ({current}); `{step.command}` needs it {wanted}{_why(record, current, register)}"
        )
    if step.after and not any(e["type"] == step.after for e in record["events"]):
        raise Refusal(
            f"`{step.command}` comes after '{step.after}' ({EVENT_NAMES[step.after]}), which {record_id} does not have yet"
        )
    not_before_last(register, record, when)
    if now is not None:
        check_late(register, when, now, request.late_entry)
    event: dict[str, Any] = {"type": step.event, "at": written(register, when)}
    actor.stamp(event)
    _check_who(register, step, record, actor)
    BUILD.get(step.event, _plain)(register, record, actor, event, request)
    _copy_common(event, request)
    changed = with_event(record, event)
    relative = register.path_of(record_id)
    if request.evidence_file is None:
        path = write(register, relative, changed, record)
    else:
        name = _evidence_name(register, relative, request.evidence_file)
        changed.setdefault("attachments", []).append(name)
        changed["events"][-1].setdefault("evidence", name)
        path = _write_with_evidence(register, relative, request.evidence_file, name, changed, record)
    return Done(record_id, path, event, register.status(changed), next_steps(register, changed))


def _why(record: dict[str, Any], current: str, register: Register) -> str:
    if current == "pending_review":
        missing = approvals(record, register.policy).missing
        return "; it still needs the approval of " + ", ".join(map(role_text, missing))
    if current == "awaiting_feedback":
        reply = {"collaboration": "answers are", "supplier_request": "quote is"}.get(record["kind"], "feedback is")
        command = {"collaboration": "answer", "supplier_request": "quote"}.get(record["kind"], "feedback")
        return f"; its {reply} still owed (`commlog {command}`), or cancel it"
    if current == "rejected":
        return "; change it and `commlog resubmit` it"
    if current == "draft":
        return "; `commlog submit` it first"
    return ""


def _department(register: Register, person: str) -> str | None:
    contact = register.staff.get(person)
    return contact["department"] if contact else None


def _check_who(register: Register, step: Step, record: dict[str, Any], actor: Actor) -> None:
    person, dept = actor.person, _department(register, actor.person)
    sender_dept = record["from"]["department"]
    allowed = True
    if step.who == "sender":
        allowed = dept == sender_dept
    elif step.who == "handler":
        addressed = {p["department"] for p in record["to"] if "department" in p}
        owners = {t["owner"] for t in record.get("tasks", []) + record.get("action_items", [])}
        allowed = dept == sender_dept or dept in addressed or person in owners
    elif step.who == "legal":
        allowed = "legal" in register.staff.get(person, {}).get("roles", [])
    elif step.who == "archivist":
        allowed = may_archive(register.staff.get(person), register.policy)
    elif step.who == "custodian":
        allowed = may_hold(register.staff.get(person), register.policy)
    if not allowed:
        raise Refusal(
            f"{register.name(person)} ({dept}) may not `{step.command}` {record['id']}: that is for {WHO_TEXT[step.who]}"
            + (f", here {sender_dept}" if step.who == "sender" else "")
        )


def _plain(register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request) -> None:
    if request.note:
        event["note"] = request.note


def _approved(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    needed = (
        approvals(record, register.policy).missing
        if event["type"] == "approved"
        else required_roles(record, register.policy)
    )
    mine = [r for r in needed if may_approve(r, register.staff.get(actor.person), record, register.policy)]
    if request.role:
        if request.role not in needed:
            raise Refusal(
                f"{record['id']} does not need {role_text(request.role)} now; it needs: {', '.join(map(role_text, needed))}"
            )
        mine = [request.role] if request.role in mine else []
    if not mine:
        who = "; ".join(
            f"{role_text(r)}: "
            + (
                ", ".join(register.name(p) for p in holders(r, record, register.staff, register.policy))
                or "no one holds it"
            )
            for r in needed
        )
        raise Refusal(f"{register.name(actor.person)} holds none of the roles {record['id']} needs ({who})")
    event["role"] = mine[0]
    _plain(register, record, actor, event, request)


def _sent(register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request) -> None:
    if request.channel:
        channel = register.policy.channels.get(request.channel)
        if channel is None:
            raise Refusal(
                f"--channel {request.channel} is not in policy.yaml; use one of: {', '.join(register.policy.channels)}"
            )
        if record["classification"] not in channel.classifications:
            fits = [c.id for c in register.policy.channels.values() if record["classification"] in c.classifications]
            raise Refusal(
                f"{channel.name} may not carry {record['classification']} information; use one of: {', '.join(fits)}"
            )
        event["channel"] = request.channel
    if request.to:
        event["to"] = request.to
    if request.evidence:
        event["evidence"] = request.evidence
    _plain(register, record, actor, event, request)


def _from(register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request) -> None:
    who = request.from_ or actor.person
    if who != actor.person:
        event["by"], event["recorded_by"] = who, actor.recorded_by or actor.person
    _plain(register, record, actor, event, request)


def _acknowledged(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    ctx = Context.create(register.policy, register.staff, register.corpus.orgs)
    ack = next((s for s in stages(record, ctx) if s.name == "ack"), None)
    if any(e["type"] == "acknowledged" and e["by"] == actor.person for e in record["events"]):
        raise Refusal(f"{register.name(actor.person)} has already confirmed {record['id']}")
    if ack is None or actor.person not in ack.pending:
        raise Refusal(
            f"{register.name(actor.person)} is not among the recipients of {record['id']}; only they confirm it"
        )


def _answered(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    dept = answering_for(actor.person, record, register.staff)
    addressed = answering_departments(record)
    if dept not in addressed:
        raise Refusal(f"{dept} is not addressed by {record['id']}; the answers are owed by: {', '.join(addressed)}")
    if dept in answered_departments(record, register.staff):
        raise Refusal(f"{dept} has already answered {record['id']}; add to it with `commlog comment`")
    _plain(register, record, actor, event, request)


def _chase(register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request) -> None:
    if request.to is None:
        ctx = Context.create(register.policy, register.staff, register.corpus.orgs)
        moment = register.time(event["at"])
        open_stages = [s for s in judge(stages(record, ctx), ctx, moment) if s.open and s.due is not None]
        if request.stage:
            open_stages = [s for s in open_stages if s.name == request.stage]
        if not open_stages:
            raise Refusal(
                f"{record['id']} has no open stage{' ' + request.stage if request.stage else ''} to chase; name the person with --to"
            )
        stage = min(open_stages, key=lambda s: s.due or moment)
        target = stage.escalate_to if event["type"] == "escalated" else stage.responsible
        if not target or target == actor.person:
            raise Refusal(
                f"no one above {register.name(stage.responsible)} to go to for the {stage.name} stage; name the person with --to"
            )
        event["to"] = target
    else:
        event["to"] = request.to
    _plain(register, record, actor, event, request)


def _progress(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    if request.task is not None:
        numbers = [t["no"] for t in record.get("tasks", []) + record.get("action_items", [])]
        if request.task not in numbers:
            raise Refusal(f"{record['id']} has no task {request.task}; its tasks are: {', '.join(numbers) or 'none'}")
        event["task"] = request.task
    elif request.status:
        raise Refusal("--status needs --task: the status is a task's")
    if request.status:
        event["status"] = request.status
    _plain(register, record, actor, event, request)


def _completed(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    reply = REPLY.get(record["kind"])
    if reply and not any(e["type"] == reply for e in record["events"]):
        raise Refusal(
            f"{record['id']} has no {EVENT_NAMES[reply]} ({reply}) yet; record it first, or cancel the record"
        )
    _plain(register, record, actor, event, request)


def _archived(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    given = {e["archive_no"] for doc in register.corpus.records for e in doc.data["events"] if "archive_no" in e}
    taken = numbering.archive_numbers(register.root, given)
    event["archive_no"] = next_archive_no(taken, register.time(event["at"]).year, register.policy)
    _plain(register, record, actor, event, request)


def _hold(register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request) -> None:
    held = hold_in_force(record)
    if event["type"] == "held" and held is not None:
        raise Refusal(f"{record['id']} is already on legal hold since {held['at']} ({held.get('note', '')})")
    if event["type"] == "released" and held is None:
        raise Refusal(f"{record['id']} is not on legal hold; its hold was released already")
    _plain(register, record, actor, event, request)


def _contract(
    register: Register, record: dict[str, Any], actor: Actor, event: dict[str, Any], request: Request
) -> None:
    if record.get("legal_effect") and not any(e["type"] == "legal_reviewed" for e in record["events"]):
        raise Refusal(
            f"{record['id']} has legal effect: the legal department reviews the contract first (`commlog legal-review`)"
        )
    _plain(register, record, actor, event, request)


STEP_OF = {"feedback": "feedback", "answered": "answer", "quoted": "quote"}

BUILD = {
    "approved": _approved,
    "rejected": _approved,
    "sent": _sent,
    "published": _sent,
    "replied": _sent,
    "contacted": _sent,
    "feedback": _from,
    "quoted": _from,
    "acknowledged": _acknowledged,
    "answered": _answered,
    "follow_up": _chase,
    "escalated": _chase,
    "progress": _progress,
    "issue": _progress,
    "completed": _completed,
    "archived": _archived,
    "contract_signed": _contract,
    "held": _hold,
    "released": _hold,
}


def _copy_common(event: dict[str, Any], request: Request) -> None:
    for key in ("outcome", "score", "amount", "currency", "contract_no", "late_entry"):
        value = getattr(request, key)
        if value is not None:
            event[key] = value


def _evidence_name(register: Register, relative: str, source: Path) -> str:
    """The file's name in the record's folder, numbered if that name is taken."""
    name = source.name
    folder = attachment_folder(register.root, relative)
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 2
    while os.path.lexists(folder / candidate):  # a link (even a broken one) takes the name too
        candidate = f"{stem}-{n}.{suffix}" if dot else f"{name}-{n}"
        n += 1
    return candidate


def _write_with_evidence(
    register: Register, relative: str, source: Path, name: str, changed: dict[str, Any], record: dict[str, Any]
) -> Path:
    """Copy an evidence file into the record's folder and write the record; the copy goes again if the write is refused."""
    limit = 50 * 1024 * 1024
    try:
        data = read_limited(source, limit)
    except OSError as err:
        raise Refusal(f"--evidence-file {source}: {err.strerror or err}; name an ordinary file") from err
    if isinstance(data, int):
        raise Refusal(
            f"--evidence-file {source} has {data} bytes, more than {limit}; keep large files elsewhere and cite them"
        )
    folder = attachment_folder(register.root, relative)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with open(target, "xb") as out:
        out.write(data)
    try:
        return write(register, relative, changed, record)
    except BaseException:
        target.unlink()
        raise


def next_steps(register: Register, record: dict[str, Any]) -> list[str]:
    """What the record waits for now, as lines for a person."""
    current = register.status(record)
    lines = []
    if current == "pending_review":
        for role in approvals(record, register.policy).missing:
            names = ", ".join(register.name(p) for p in holders(role, record, register.staff, register.policy))
            lines.append(f"needs {role_text(role)}: {names or 'no one holds it'} (`commlog approve {record['id']}`)")
    ctx = Context.create(register.policy, register.staff, register.corpus.orgs)
    last = register.time(record["events"][-1]["at"])
    for stage in judge(stages(record, ctx), ctx, last):
        if stage.open and stage.due is not None:
            lines.append(stage_line(register, stage))
    return lines


def stage_line(register: Register, stage: Stage) -> str:
    """``确认已阅 (ack) due 2026-11-17 12:00, 郭霞 (guo-xia); not yet confirmed: 高军 (gao-jun)``."""
    due = register.time_text(stage.due) if stage.due else "-"
    line = f"{stage_label(stage.name)} ({stage.name}) due {due}, {register.name(stage.responsible)}"
    if stage.pending:
        line += "; not yet confirmed: " + ", ".join(map(register.name, stage.pending))
    return line
