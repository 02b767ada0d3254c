"""Registering a new record (登记): its number, its parties, its first event, its file."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from commlog import history, numbering
from commlog.deadlines import Context, Stage, judge, stages
from commlog.fileio import read_limited
from commlog.lifecycle import Actor, Refusal, Register, write, written
from commlog.load import LoadError, parse
from commlog.timeutil import parse_time
from commlog.workflow import holders, required_roles

TABLE_LIMIT = 1024 * 1024


@dataclass
class NewRecord:
    """What a person asks to register; the kind's own fields are already in ``own``."""

    kind: str
    to: list[str]
    subject: str
    summary: str
    channels: list[str]
    urgency: str = "normal"
    classification: str = "internal"
    importance: str | None = None
    legal_effect: bool = False
    feedback_due: str | None = None
    in_reply_to: str | None = None
    matter: str | None = None
    project: str | None = None
    draft: bool = False
    late_entry: str | None = None
    own: dict[str, Any] = field(default_factory=dict)


@dataclass
class Registered:
    record_id: str
    path: Path
    record: dict[str, Any]
    approvals: list[tuple[str, list[str]]]
    """Each role the record needs, with the staff who may give it."""
    stages: list[Stage]


def recipient(register: Register, text: str) -> dict[str, Any]:
    """A recipient as written on the command line: a department, ``部门/person``, an organisation, ``org/person``, a staff id or ``all``."""
    text = text.strip()
    if text in ("all", "全体员工"):
        return {"all_staff": True}
    if text in register.policy.departments:
        return {"department": text}
    orgs, staff = register.corpus.orgs, register.staff
    head, _, person = text.partition("/")
    head = next((oid for oid, org in orgs.items() if org.get("name") == head), head)  # 客户A as well as customer-a
    if person and head in register.policy.departments:
        if staff.get(person, {}).get("department") != head:
            raise Refusal(f"--to {text}: {person} is not a member of staff in {head}")
        return {"department": head, "person": person}
    if head in orgs:
        if person and person not in {p["id"] for p in orgs[head].get("people", [])}:
            raise Refusal(f"--to {text}: {person} is not among the people of contacts/external/{head}.yaml")
        return {"org": head, "person": person} if person else {"org": head}
    if not person and text in staff:
        return {"department": staff[text]["department"], "person": text}
    raise Refusal(
        f"--to {text}: not a department in policy.yaml, an organisation in contacts/external/, a member of staff, or 'all'; "
        "write a department name, 部门/person, org, org/person, a staff id, or all"
    )


def create(register: Register, new: NewRecord, actor: Actor, when: datetime) -> Registered:
    """Number, build, check and write a new record; refuse (writing nothing) what the procedure forbids."""
    sender = register.staff[actor.person]
    department = register.policy.departments.get(sender["department"])
    if department is None:
        raise Refusal(f"{register.name(actor.person)}'s department {sender['department']} is not in policy.yaml")
    to = [recipient(register, text) for text in new.to]
    record_id = numbering.next_record_id(register.root, register.policy, department.code, when.year)
    event = actor.stamp({"type": "drafted" if new.draft else "submitted", "at": written(register, when)})
    if new.late_entry:
        event["late_entry"] = new.late_entry
    record: dict[str, Any] = {
        "id": record_id,
        "kind": new.kind,
        "direction": "external" if any("org" in p for p in to) else "internal",
        "subject": new.subject,
        "summary": new.summary,
        "from": {"department": department.name, "person": actor.person},
        "to": to,
        "urgency": new.urgency,
        "channels": new.channels,
        "classification": new.classification,
        "events": [event],
        **new.own,
    }
    if new.importance:
        record["importance"] = new.importance
    if new.legal_effect:
        record["legal_effect"] = True
    if new.feedback_due:
        try:
            record["feedback_due"] = written(register, parse_time(new.feedback_due, register.policy.timezone))
        except ValueError as err:
            raise Refusal(f"--feedback-due: {err}") from err
    if new.in_reply_to:
        register.record(new.in_reply_to)  # refuses an unknown or invalid one
        record["in_reply_to"] = new.in_reply_to
    category = {k: v for k, v in (("project", new.project), ("matter", new.matter)) if v}
    if category:
        record["category"] = category
    relative = f"records/{when.year}/{record_id}.yaml"
    if (register.root / relative).exists():
        raise Refusal(f"{relative} exists but does not validate; run `commlog validate` and fix or remove it")
    path = write(register, relative, record, None)
    needed = [
        (role, holders(role, record, register.staff, register.policy))
        for role in required_roles(record, register.policy)
    ]
    ctx = Context.create(register.policy, register.staff, register.corpus.orgs)
    return Registered(record_id, path, record, needed, judge(stages(record, ctx), ctx, when))


def read_table(path: Path, what: str) -> list[dict[str, Any]]:
    """Rows of a small YAML (a list of mappings) or CSV (a header row) file, e.g. a collaboration's tasks."""
    try:
        raw = read_limited(path, TABLE_LIMIT)
    except OSError as err:
        raise Refusal(f"{what} {path}: {err.strerror or err}") from err
    if isinstance(raw, int):
        raise Refusal(f"{what} {path} has {raw} bytes; a table of tasks is far smaller")
    text = raw.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() == ".csv":
        rows: list[dict[str, Any]] = []
        for row in csv.DictReader(io.StringIO(text)):
            item = {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
            if "depends_on" in item:
                item["depends_on"] = [d.strip() for d in item["depends_on"].replace(";", ",").split(",") if d.strip()]
            rows.append(item)
        return rows
    listed = text.lstrip().startswith("-")  # a bare list: read it as the value of a key
    try:
        data = parse("rows:\n" + _indent(text))["rows"] if listed else parse(text)
    except LoadError as err:
        raise Refusal(f"{path}:{err.line - listed}:{err.column}: {err.rule}: {err.message}; {err.hint}") from err
    rows_found = data.get("rows", data.get("tasks", data.get("action_items"))) if isinstance(data, dict) else data
    if not isinstance(rows_found, list) or not all(isinstance(r, dict) for r in rows_found):
        raise Refusal(f"{what} {path}: expected a list of mappings (YAML) or a CSV file with a header row")
    return rows_found


def _indent(text: str) -> str:
    return "".join("  " + line for line in text.splitlines(keepends=True))


@dataclass
class Renumbered:
    old: str
    new: str
    paths: list[str]
    """Every file written (the record at its new path first), repository-relative."""
    clashes: list[str] = field(default_factory=list)
    """The branches that hold another record under the old number."""


def renumber(register: Register, old: str, actor: Actor) -> Renumbered:
    """Give a record the next free number of its department and year, when another branch took the same one.

    Only staff of the record's department may, and only while another branch holds a
    different file under the same number. The file and its attachment folder are renamed
    and every reference to the old id in other records (in_reply_to, references,
    supersedes) is rewritten; if a write is refused, the folder is moved back.
    """
    record = register.record(old)
    sender = record["from"]["department"]
    if register.staff.get(actor.person, {}).get("department") != sender:
        raise Refusal(f"only staff of {sender} renumber {old}")
    old_path = register.path_of(old)
    mine = history.blob_id(register.root, register.root / old_path)
    own = history.current_branch(register.root)
    clashes = [
        ref
        for ref, blob in history.versions_on_branches(register.root, old_path).items()
        if blob != mine and ref != own
    ]
    if not clashes:
        raise Refusal(f"no other branch holds a different {old}: there is nothing to renumber")
    code, year, _ = old.split("-")
    new = numbering.next_record_id(register.root, register.policy, code, int(year))
    new_path = f"records/{year}/{new}.yaml"
    changed = {**record, "id": new}
    referring = []
    for doc in register.corpus.records:
        if doc.path == old_path:
            continue
        data = _relinked(doc.data, old, new)
        if data != doc.data:
            referring.append((doc.path, data, doc.data))
    folder = register.root / old_path.removesuffix(".yaml")
    target = register.root / new_path.removesuffix(".yaml")
    if os.path.lexists(target) or os.path.lexists(register.root / new_path):
        raise Refusal(f"{new_path} or its folder exists already; move it away first")
    moved = folder.is_dir() and not folder.is_symlink()
    if moved:
        folder.rename(target)  # first, so that the attachments are where the renumbered record looks
    check = replace_corpus(register, old_path, new_path, changed)
    try:
        write(check, new_path, changed, None)
    except BaseException:
        if moved:
            target.rename(folder)
        raise
    for path, data, before in referring:
        write(check, path, data, before)
    (register.root / old_path).unlink()
    return Renumbered(old, new, [new_path, *(p for p, _, _ in referring)], clashes)


def _relinked(data: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    result = dict(data)
    for key in ("in_reply_to", "supersedes"):
        if result.get(key) == old:
            result[key] = new
    if old in result.get("references", []):
        result["references"] = [new if r == old else r for r in result["references"]]
    return result


def replace_corpus(register: Register, old_path: str, new_path: str, data: dict[str, Any]) -> Register:
    """The register as it will be once the record at ``old_path`` lives at ``new_path`` with ``data``."""
    from dataclasses import replace as copy_with

    from commlog.load import Document

    records = [d for d in register.corpus.records if d.path != old_path] + [Document(new_path, "", data)]
    names = (register.corpus.record_names - {old_path.rpartition("/")[2].removesuffix(".yaml")}) | {data["id"]}
    corpus = copy_with(
        register.corpus, records=records, record_names=names, record_ids=register.corpus.record_ids | {data["id"]}
    )
    return copy_with(register, corpus=corpus)
