"""``commlog dispose``: a record past its retention term replaced by a stub that proves it existed and was disposed of.

The stub keeps the register's row of the record (id, kind, direction, sender, recipients,
urgency, channels, classification, importance), its events' types, dates, people and archive
number, and adds a ``disposed`` block (when, by whom, on what authority, approved by whom). Every
free text (subject, summary, notes, evidence, remarks, task names, decisions...) is removed, or
replaced by :data:`STUB_TEXT` where the schema needs a value, and the attachment folder goes with it.
The same :func:`stub_of` serves the pull request check, which accepts a disposal only when the new
content is exactly the base's record made a stub.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from commlog.lifecycle import Actor, Refusal, Register, write, written
from commlog.repository import DISPOSAL_ASIDE, attachment_folder
from commlog.retention import STATE_NAMES, standing
from commlog.rules.sensitive import RECORD_CODED
from commlog.schema import Schemas
from commlog.sensitive import texts
from commlog.tenure import as_on, day_of
from commlog.workflow import ROLE_NAMES, holders, may_approve, may_archive, may_hold

STUB_TEXT = "已销毁"
"""What a free text the schema requires reads in a stub."""
KEPT = RECORD_CODED | {"to", "currency", "outcome", "score", "amount", "attendees"}
"""Keys whose values a stub keeps: the coded ones (ids, times, choices, numbers), never words someone wrote."""


def stub_of(record: dict[str, Any], schemas: Schemas) -> dict[str, Any]:
    """The record without its free text, attachments and ``disposed`` block, still valid against its kind's schema."""
    stub = copy.deepcopy(record)
    stub.pop("disposed", None)
    stub.pop("attachments", None)
    for parts, _ in texts(stub, KEPT):
        *where, key = parts
        parent: Any = stub
        for part in where:
            parent = parent[part]
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = STUB_TEXT
    for item in stub.get("action_items", []):  # an action item's `task` is its wording (an event's is a number)
        if "task" in item:
            item["task"] = STUB_TEXT
    _drop_emptied(stub, record)
    validator = schemas.validator(record["kind"])
    for _ in range(20):  # each pass fills what the schema requires; a stub is a handful of passes deep at most
        missing = [e for e in validator.iter_errors(stub) if e.validator == "required"]
        if not missing:
            break
        for error in missing:
            holder: Any = stub
            for part in error.absolute_path:
                holder = holder[part]
            for key in error.validator_value:
                shape = error.schema.get("properties", {}).get(key, {})
                holder.setdefault(key, {} if shape.get("type") == "object" else STUB_TEXT)
    return stub


def _drop_emptied(value: Any, original: Any) -> None:
    """Remove the mappings that stripping the text left empty (a ``category`` with only a matter)."""
    if isinstance(value, dict):
        for key in list(value):
            _drop_emptied(value[key], original.get(key) if isinstance(original, dict) else None)
            if value[key] == {} and original.get(key) != {}:
                del value[key]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _drop_emptied(item, original[index] if isinstance(original, list) and index < len(original) else None)


@dataclass(frozen=True)
class Disposed:
    """What ``dispose`` wrote."""

    record_id: str
    path: str
    block: dict[str, Any]
    attachments_removed: int
    accepted_removed: int = 0
    """Entries of the sensitive-data allow list that named the record (stale once it is a stub), taken out."""


def approvals(register: Register, record: dict[str, Any], approvers: list[str]) -> list[dict[str, str]]:
    """Each role the policy's ``disposal.approval_roles`` names, given by a different approver; refuse what is missing."""
    policy, staff = register.policy, register.staff
    for person in approvers:
        contact = staff.get(person)
        if contact is None or contact.get("status") != "active":
            raise Refusal(f"--approve-by {person}: no active member of staff has that id in contacts/internal/")
    given: list[dict[str, str]] = []
    used: set[str] = set()
    missing: list[str] = []
    for role in policy.disposal.approval_roles:
        approver = next((p for p in approvers if p not in used and may_approve(role, staff[p], record, policy)), None)
        if approver is None:
            missing.append(role)
            continue
        used.add(approver)
        given.append({"person": approver, "role": role})
    if missing:
        who = "; ".join(
            f"{ROLE_NAMES.get(r, r)} ({r}): "
            + (", ".join(register.name(p) for p in holders(r, record, staff, policy)) or "no one holds it")
            for r in missing
        )
        raise Refusal(f"disposing of {record['id']} needs the approval of {who}; name them with --approve-by")
    extra = [p for p in approvers if p not in used]
    if extra:
        raise Refusal(
            f"{', '.join(map(register.name, extra))} approve(s) in no role the disposal needs "
            f"({', '.join(policy.disposal.approval_roles)}); leave them out"
        )
    return given


def dispose(
    register: Register, record_id: str, actor: Actor, when: datetime, approvers: list[str], before_due: str | None
) -> Disposed:
    """Replace the record by its stub and remove its attachments, or raise :class:`Refusal` having changed nothing."""
    record = register.record(record_id)
    relative = register.path_of(record_id)
    _recover(register, relative, record)
    if not may_archive(register.staff.get(actor.person), register.policy):
        raise Refusal(
            f"{register.name(actor.person)} may not dispose of records: that is for the archivist (档案管理员, "
            f"the policy's archiving.role {register.policy.archive_role})"
        )
    state = standing(relative, record, register.corpus.orgs, register.policy, when)
    if state.state in ("disposed", "held", "open"):
        why = {
            "disposed": f"was disposed of on {record.get('disposed', {}).get('at')}",
            "held": f"is on legal hold since {state.hold['at'] if state.hold else '?'}; `commlog release` it first",
            "open": "is not archived; only an archived record's retention term runs",
        }[state.state]
        raise Refusal(f"{record_id} {why} (nothing was written)")
    assert state.row is not None and state.due is not None and state.archived is not None
    _refuse_unauthorised_release(register, record)
    if state.state != "due" and not before_due:
        raise Refusal(
            f"{record_id} is {STATE_NAMES[state.state]}: its {state.row.years}-year term ends on {state.due}; "
            "dispose of it then, or say why it goes earlier with --before-due REASON"
        )
    block: dict[str, Any] = {
        "at": written(register, when),
        "by": actor.person,
        "authority": f"{state.row.note or 'policy.yaml retention'} (保管{state.row.years}年), "
        f"{state.archived.astimezone(register.policy.timezone).date()} 归档 ({state.archive_no}), {state.due} 到期",
        "retention_years": state.row.years,
        "due": state.due.isoformat(),
        "approved_by": approvals(register, record, approvers),
    }
    if state.state != "due" and before_due:
        block["override"] = before_due
    stub = {**stub_of(record, register.schemas), "disposed": block}
    removed = _write_without_attachments(register, relative, stub, record)
    return Disposed(record_id, relative, block, removed, _forget_accepted(register.root, record_id))


def _refuse_unauthorised_release(register: Register, record: dict[str, Any]) -> None:
    """A legal hold counts as released only by a holder of a hold role (rule hold-role): refuse otherwise."""
    for event in record["events"]:
        day = day_of(event["at"])
        if event["type"] == "released" and not may_hold(
            as_on(register.staff.get(event["by"]), day), register.policy, date.fromisoformat(day)
        ):
            raise Refusal(
                f"{record['id']}'s legal hold was released on {event['at']} by {event['by']}, who held no hold role "
                f"({', '.join(register.policy.disposal.hold_roles)}) then (rule hold-role): revert that release, "
                "or a holder of one puts the record on hold again and releases it (nothing was written)"
            )


def _forget_accepted(root: Path, record_id: str) -> int:
    """Take the allow list's entries for the disposed record out (their findings went with its text, so they would
    be stale and fail validation); a list that does not load is left as it is, for validate to report."""
    from commlog import allowlist

    entries, problems = allowlist.load(root)
    kept = [e for e in entries if e.record != record_id]
    if problems or len(kept) == len(entries):
        return 0
    allowlist.write(root, kept)
    return len(entries) - len(kept)


ASIDE = DISPOSAL_ASIDE


def _recover(register: Register, relative: str, record: dict[str, Any]) -> None:
    """Finish or undo a disposal that was interrupted: the attachments go if the stub was written, else come back."""
    folder = attachment_folder(register.root, relative)
    for aside in folder.parent.glob(f".{folder.name}.*{ASIDE}"):
        moved = aside / folder.name
        if "disposed" not in record:
            if os.path.lexists(folder):
                raise Refusal(
                    f"{aside.relative_to(register.root)} is left from an interrupted disposal beside "
                    f"{folder.relative_to(register.root)}; keep what belongs in the latter and remove it"
                )
            if moved.is_dir():
                os.rename(moved, folder)
        shutil.rmtree(aside)


def _write_without_attachments(register: Register, relative: str, stub: dict[str, Any], record: dict[str, Any]) -> int:
    """Move the attachment folder aside, write the stub, then delete the folder (put back if the write is refused)."""
    folder = attachment_folder(register.root, relative)
    if not folder.is_dir() or folder.is_symlink():
        write(register, relative, stub, record)
        return 0
    count = sum(len(files) for _, _, files in os.walk(folder))
    aside = tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=ASIDE, dir=folder.parent)
    moved = os.path.join(aside, folder.name)
    os.rename(folder, moved)
    try:
        write(register, relative, stub, record)
    except BaseException:
        os.rename(moved, folder)
        os.rmdir(aside)
        raise
    shutil.rmtree(aside)
    return count
