"""The register's rows as records: each row's values, the history they imply, the whole file checked, then written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

from commlog import numbering
from commlog.fileio import atomic_write
from commlog.fmt import canonical_text
from commlog.importing.sheets import Problem, find_headings, read_grid
from commlog.importing.values import Bad, People, cell_text, choice, stamp, when
from commlog.lifecycle import Register, one_at_a_time
from commlog.load import Document
from commlog.reports.export import NONE, REGISTER_HEADINGS
from commlog.rules import run
from commlog.workflow import (
    CLASSIFICATION_NAMES,
    DIRECTION_NAMES,
    KIND_NAMES,
    OUTGOING,
    REPLY,
    ROLE_NAMES,
    STATUS_NAMES,
    URGENCY_NAMES,
    holders,
    may_archive,
    required_roles,
)

ALIASES: dict[str, list[str]] = {
    "信息编号": ["编号", "记录编号", "id"],
    "发起部门": ["部门", "from.department"],
    "发起人": ["发起人员", "经办人", "from.person"],
    "接收部门/单位": ["接收部门", "接收单位", "接收方", "to"],
    "接收人": ["接收人员", "to.person"],
    "信息主题": ["主题", "标题", "subject"],
    "内容摘要": ["摘要", "内容", "summary"],
    "紧急程度": ["紧急", "urgency"],
    "传递方式": ["传递渠道", "渠道", "channels"],
    "发起时间": ["发起日期", "日期", "submitted"],
    "预计反馈时间": ["预计反馈日期", "反馈时限", "feedback_due"],
    "实际反馈时间": ["实际反馈日期", "反馈时间", "feedback"],
    "处理状态": ["状态", "status"],
    "备注": ["说明", "remarks"],
    "归档编号": ["档案编号", "archive_no"],
    "记录类型": ["类型", "kind"],
    "方向": ["内外部", "direction"],
    "密级": ["classification"],
    "重要程度": ["importance"],
    "项目": ["project"],
    "事项": ["matter"],
    "传递时间": ["发送时间", "传递日期", "sent"],
    "完成时间": ["办结时间", "completed"],
    "归档时间": ["归档日期", "archived"],
}
"""The register's headings (the procedure's and commlog's) and the other names accepted for each (field names too)."""
REQUIRED = ["发起部门", "发起人", "接收部门/单位", "信息主题", "内容摘要", "传递方式", "发起时间", "处理状态"]
SPLIT = re.compile(r"\s*[、,，;；\n]\s*")
CHANNEL_SPLIT = re.compile(r"\s*[+＋、,，;；/\n]\s*")
ID = re.compile(r"^[A-Z][A-Z0-9]{0,7}-(\d{4})-\d{1,6}$")
IMPORTED = "导入自 {file} 第 {row} 行"
APPROVAL_NOTE = "据原登记表导入: 登记表未载审核人, 按审批矩阵记为该角色的负责人"
FIRST_HOUR, LATER_HOUR = time(9, 0), time(18, 0)
"""A day written without a time: 发起时间 at the start of the working day, the others at its end."""


@dataclass(frozen=True)
class Planned:
    row: int
    record: dict[str, Any]
    relative: str


@dataclass
class Outcome:
    file: str
    sheet: str
    written: list[Planned] = field(default_factory=list)
    existing: list[tuple[int, str, str]] = field(default_factory=list)
    """(row, id, path) of rows whose record is in the repository already: left as they are."""
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False


# -- rows to records -------------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    cells: dict[str, Any]
    text: dict[str, str]


def history(
    record: dict[str, Any],
    status_code: str,
    submitted: datetime,
    feedback: tuple[datetime, str] | None,
    archive_no: str,
    people: People,
    times: dict[str, datetime | None] | None = None,
) -> list[dict[str, Any]]:
    """The events a row implies.

    - 草稿: drafted; otherwise submitted at 发起时间 by 发起人.
    - Past review (待发送 and later, but 已退回 and 已取消): the approvals the policy's matrix requires, each by the
      role's holder for the record, marked as imported (the register names no approver).
    - Sent (待反馈 and later): the kind's outgoing event at 传递时间 (else 发起时间), over the first 传递方式.
    - 实际反馈时间: the answer (feedback) from the first person in 接收人.
    - 已退回: rejected by the department head; 已取消: cancelled at 完成时间; 已归档 never sent (no 传递时间, no
      实际反馈时间): cancelled, then archived; 已完成 and 已归档: completed at 完成时间 (else the latest time given),
      and archived at 归档时间 (else then) with 归档编号 by the holder of the archiving role; 进行中 with a 归档编号: archived, then
      reopened.
    """
    times = times or {}
    sender = record["from"]["person"]
    at = stamp(submitted)
    if status_code == "draft":
        return [{"type": "drafted", "at": at, "by": sender}]
    events: list[dict[str, Any]] = [{"type": "submitted", "at": at, "by": sender}]
    kind = record["kind"]
    if status_code == "rejected":
        head = _holder("dept_head", record, people)
        return [*events, {"type": "rejected", "at": at, "by": head, "role": "dept_head", "note": APPROVAL_NOTE}]
    never_sent = status_code == "archived" and not times.get("传递时间") and feedback is None
    if status_code == "cancelled" or never_sent:  # archived without being sent: it was cancelled, then archived
        events.append({"type": "cancelled", "at": stamp(times.get("完成时间") or submitted), "by": sender})
        if status_code == "cancelled":
            return events
        return [
            *events,
            _archived(record, times.get("归档时间") or times.get("完成时间") or submitted, archive_no, people),
        ]
    if status_code == "pending_review":
        return events
    sent = times.get("传递时间") or submitted
    for role in required_roles(record, people.policy):
        # The register names no approver and no time: the role's holder, at the latest moment it can have been.
        approval = {"type": "approved", "at": stamp(sent), "by": _holder(role, record, people), "role": role}
        events.append({**approval, "note": APPROVAL_NOTE})
    if status_code == "approved":
        return events
    events.append({"type": OUTGOING[kind], "at": stamp(sent), "by": sender, "channel": record["channels"][0]})
    last = sent
    if feedback is not None:
        moment, by = feedback
        events.append({"type": REPLY.get(kind, "feedback"), "at": stamp(moment), "by": by})
        last = max(last, moment)
    reopened = status_code == "in_progress" and bool(archive_no)  # archived once, then taken up again
    completed = times.get("完成时间") or last
    if status_code in ("completed", "archived") or reopened:
        events.append({"type": "completed", "at": stamp(completed), "by": sender})
    if status_code == "archived" or reopened:
        archived = times.get("归档时间") or completed
        events.append(_archived(record, archived, archive_no, people))
        if reopened:
            note = "导入: 原登记表记为进行中且有归档编号"
            events.append({"type": "reopened", "at": stamp(archived), "by": sender, "note": note})
    return events


def _archived(record: dict[str, Any], at: datetime, archive_no: str, people: People) -> dict[str, Any]:
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


def _holder(role: str, record: dict[str, Any], people: People) -> str:
    found = holders(role, record, people.staff, people.policy)
    if role == "dept_head":
        found = [p for p in found if people.staff[p]["department"] == record["from"]["department"]]
    if not found:
        raise Bad(
            f"the record needs the approval of a {ROLE_NAMES[role]} and no one in contacts/internal/ holds that role for it"
        )
    return sorted(found)[0]


def record_of(row: Row, people: People, file: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The record a row describes, and its problems as (heading, reason); the record is partial when there are any."""
    problems: list[tuple[str, str]] = []
    t = row.text

    def take(heading: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except Bad as err:
            problems.append((heading, str(err)))
            return None

    kind = take("记录类型", choice, t.get("记录类型") or "信息交流", KIND_NAMES, "kind (记录类型)") or "message"
    if kind != "message":
        problems.append(
            (
                "记录类型",
                f"{KIND_NAMES[kind]} rows need fields the register does not carry (items, tasks, attendees); "
                "import 信息交流 rows here and register the others with `commlog new`",
            )
        )
    department = take("发起部门", people.department, t["发起部门"]) if t.get("发起部门") else None
    sender = take("发起人", people.staff_member, t["发起人"], department) if t.get("发起人") else None
    for heading in REQUIRED:
        if not t.get(heading):
            problems.append((heading, "is empty; every row needs it"))
    to = take("接收部门/单位", _recipients, t.get("接收部门/单位", ""), t.get("接收人", ""), people) or []
    urgency = take("紧急程度", choice, t.get("紧急程度") or "普通", URGENCY_NAMES, "紧急程度")
    channels = take("传递方式", _channels, t.get("传递方式", ""), people) or []
    submitted = take("发起时间", when, row.cells.get("发起时间"), FIRST_HOUR) if t.get("发起时间") else None
    status_code = (
        take("处理状态", choice, t.get("处理状态", ""), STATUS_NAMES, "处理状态") if t.get("处理状态") else None
    )
    classification = take("密级", choice, t.get("密级") or "内部", CLASSIFICATION_NAMES, "密级")
    importance = take(
        "重要程度", choice, t.get("重要程度") or "一般", {"normal": "一般", "important": "重要"}, "重要程度"
    )
    direction = (
        take("方向", choice, t["方向"], DIRECTION_NAMES, "方向")
        if t.get("方向")
        else ("external" if any("org" in p for p in to) else "internal")
    )
    due = take("预计反馈时间", when, row.cells["预计反馈时间"], LATER_HOUR) if t.get("预计反馈时间") else None
    answered = take("实际反馈时间", when, row.cells["实际反馈时间"], LATER_HOUR) if t.get("实际反馈时间") else None
    times = {
        h: take(h, when, row.cells[h], LATER_HOUR) if t.get(h) else None for h in ("传递时间", "完成时间", "归档时间")
    }
    archive_no = t.get("归档编号", "")
    if archive_no and status_code not in (None, "archived", "in_progress"):
        problems.append(
            ("归档编号", f"an archive number, but 处理状态 is {t.get('处理状态')}: only 已归档 records have one")
        )
    record_id = t.get("信息编号", "")
    if record_id and not ID.match(record_id):
        problems.append(
            (
                "信息编号",
                f"'{record_id}' is not a record number like NX-2024-001; correct it, or leave the cell empty to get the next number",
            )
        )
    if record_id and department and ID.match(record_id):
        code = people.policy.departments[department].code
        if not record_id.startswith(code + "-"):
            problems.append(("信息编号", f"{record_id} does not begin with {department}'s code {code}"))
    if submitted and due and due < submitted:
        problems.append(("预计反馈时间", f"{stamp(due)} is before 发起时间 {stamp(submitted)}"))
    if submitted and answered and answered < submitted:
        problems.append(("实际反馈时间", f"{stamp(answered)} is before 发起时间 {stamp(submitted)}"))
    if problems or not (
        department and sender and submitted and status_code and urgency and classification and importance
    ):
        return {}, problems
    remark = IMPORTED.format(file=file, row=row.number)
    record: dict[str, Any] = {
        "id": record_id,
        "kind": kind,
        "direction": direction,
        "subject": t["信息主题"],
        "summary": t["内容摘要"],
        "from": {"department": department, "person": sender},
        "to": to,
        "urgency": urgency,
        "channels": channels,
        "classification": classification,
        "importance": importance,
    }
    if due and status_code not in ("draft",):
        record["feedback_due"] = stamp(due)
    category = {k: t[h] for k, h in (("project", "项目"), ("matter", "事项")) if t.get(h)}
    if category:
        record["category"] = category
    feedback = None
    if answered is not None:
        by = _answerer(record, people)
        if by is None:
            problems.append(
                ("接收人", "实际反馈时间 is given, but no one is named who answered; name the person in 接收人")
            )
            return {}, problems
        feedback = (answered, by)
    try:
        record["events"] = history(record, status_code, submitted, feedback, archive_no, people, times)
    except Bad as err:
        problems.append(("处理状态", str(err)))
        return {}, problems
    record["remarks"] = f"{t['备注']}\n{remark}" if t.get("备注") else remark
    return record, problems


def _answerer(record: dict[str, Any], people: People) -> str | None:
    for party in record["to"]:
        if "person" in party:
            return f"{party['org']}/{party['person']}" if "org" in party else str(party["person"])
    for party in record["to"]:
        if "department" in party:
            head = next(
                (
                    pid
                    for pid, p in sorted(people.staff.items())
                    if p["department"] == party["department"]
                    and "dept_head" in p.get("roles", [])
                    and p.get("status") == "active"
                ),
                None,
            )
            if head:
                return head
    return None


def _recipients(units_text: str, people_text: str, people: People) -> list[dict[str, Any]]:
    units = [u for u in SPLIT.split(units_text) if u]
    names = [n for n in SPLIT.split(people_text) if n] if people_text else []
    if not units:
        raise Bad("is empty; name the department(s) or organisation(s) addressed, or 全体员工")
    if names and len(names) != len(units) and len(units) != 1:
        raise Bad(
            f"{len(units)} recipients but {len(names)} names in 接收人; give one name per recipient, in the same order "
            f"(write {NONE} for a recipient without a person)"
        )
    pairs = (
        list(zip(units, names, strict=True))
        if len(names) == len(units)
        else [(units[0], n) for n in names] or [(u, "") for u in units]
    )
    result: list[dict[str, Any]] = []
    for unit, name in pairs:
        name = "" if name in (NONE, "—", "－", "*") else name
        if unit in ("全体员工", "all"):
            result.append({"all_staff": True})
            continue
        try:
            department = people.department(unit)
        except Bad:
            org = people.organisation(unit)
            result.append({"org": org, "person": people.org_person(org, name)} if name else {"org": org})
            continue
        result.append(
            {"department": department, "person": people.staff_member(name, department)}
            if name
            else {"department": department}
        )
    return result


def _channels(text: str, people: People) -> list[str]:
    found = []
    channels = people.policy.channels.values()
    for part in (p for p in CHANNEL_SPLIT.split(text) if p):
        match = next((c.id for c in channels if part in (c.id, c.name)), None)
        if match is None:
            raise Bad(f"'{part}' is not a channel in policy.yaml; write one of {'、'.join(c.name for c in channels)}")
        if match not in found:
            found.append(match)
    if not found:
        raise Bad("is empty; write how it was passed on (企业邮箱, 电话, ...)")
    return found


# -- the whole import ------------------------------------------------------------------------------------------


FIELD_HEADINGS = {
    "id": "信息编号",
    "subject": "信息主题",
    "summary": "内容摘要",
    "from": "发起人",
    "to": "接收部门/单位",
    "urgency": "紧急程度",
    "channels": "传递方式",
    "feedback_due": "预计反馈时间",
    "classification": "密级",
    "importance": "重要程度",
    "category": "项目",
    "remarks": "备注",
    "direction": "方向",
    "kind": "记录类型",
}
EVENT_HEADINGS = {
    "submitted": "发起时间",
    "drafted": "发起时间",
    "feedback": "实际反馈时间",
    "archived": "归档编号",
    "sent": "传递时间",
    "approved": "传递时间",
    "completed": "完成时间",
    "reopened": "处理状态",
}


def _heading_of(record: dict[str, Any], pointer: str) -> str:
    parts = pointer.strip("/").split("/")
    if parts[0] == "events" and len(parts) > 1 and parts[1].isdigit():
        event = record["events"][int(parts[1])]
        return EVENT_HEADINGS.get(event["type"], "处理状态")
    if parts[0] == "from" and len(parts) > 1 and parts[1] == "department":
        return "发起部门"
    if parts[0] == "to" and len(parts) > 2 and parts[2] == "person":
        return "接收人"
    return FIELD_HEADINGS.get(parts[0], "")


def import_register(
    register: Register, path: Path, sheet: str | None = None, encoding: str | None = None, dry_run: bool = False
) -> Outcome:
    """Read, check and (unless ``dry_run`` or anything is wrong) write the records of a register file."""
    file = path.name
    grid = read_grid(path, sheet, encoding, ("信息交流记录表",))
    outcome = Outcome(file, grid.name, dry_run=dry_run)
    outcome.problems += grid.problems
    columns, heading_problems = find_headings(grid, file, ALIASES, REQUIRED)
    merged = [p for p in outcome.problems if p.rule == "import-merged" and p.row < columns.row]
    outcome.problems = [p for p in outcome.problems if p not in merged] + heading_problems
    if heading_problems:
        return outcome
    people = People(register)
    existing = {doc.data["id"]: doc.path for doc in register.corpus.records}
    taken = register.corpus.record_ids | register.corpus.record_names
    planned: list[Planned] = []
    new_ids: dict[str, int] = {}
    rows = [(n, cells) for n, cells in grid.rows if n > columns.row]
    column_of = {h: i + 1 for h, i in columns.where.items()}
    for number, cells in rows:
        if all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        values = {h: cells[i] if i < len(cells) else None for h, i in columns.where.items()}
        row = Row(number, values, {h: cell_text(v) for h, v in values.items()})
        for heading, value in row.text.items():
            raw = values[heading]
            if grid.text_formulas and isinstance(raw, str) and raw.strip().startswith("="):
                outcome.problems.append(
                    Problem(
                        file,
                        number,
                        column_of[heading],
                        heading,
                        "import-formula",
                        f"'{value[:60]}' is a formula, not a value; type the value itself",
                    )
                )
        record_id = row.text.get("信息编号", "")
        if record_id in existing:
            outcome.existing.append((number, record_id, existing[record_id]))
            continue
        if record_id and record_id in new_ids:
            outcome.problems.append(
                Problem(
                    file,
                    number,
                    column_of["信息编号"],
                    "信息编号",
                    "import-duplicate",
                    f"{record_id} is on row {new_ids[record_id]} as well",
                )
            )
            continue
        if record_id and record_id in taken:
            outcome.problems.append(
                Problem(
                    file,
                    number,
                    column_of["信息编号"],
                    "信息编号",
                    "import-duplicate",
                    f"a file for {record_id} is in records/ but does not validate; run `commlog validate`",
                )
            )
            continue
        record, problems = record_of(row, people, file)
        for heading, reason in problems:
            outcome.problems.append(Problem(file, number, column_of.get(heading, 0), heading, "import-value", reason))
        if problems:
            continue
        if not record["id"]:
            year = int(record["events"][0]["at"][:4])
            code = register.policy.departments[record["from"]["department"]].code
            record["id"] = _next_id(register, code, year, set(new_ids))
        new_ids[record["id"]] = number
        planned.append(Planned(number, record, f"records/{record['id'].split('-')[1]}/{record['id']}.yaml"))
    if outcome.problems:
        return outcome
    outcome.problems += _check(register, planned, file, column_of)
    if outcome.problems:
        return outcome
    outcome.written = planned
    if not dry_run and planned:
        with one_at_a_time(register.root):
            for item in planned:
                target = register.root / item.relative
                if target.exists():  # written meanwhile by someone else: leave it, as for an id known before
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, canonical_text(register.schemas, item.relative, item.record), clean_leftovers=True)
    return outcome


def _next_id(register: Register, code: str, year: int, also: set[str]) -> str:
    candidate = numbering.next_record_id(register.root, register.policy, code, year)
    head, _, number = candidate.rpartition("-")
    width = len(number)
    sequence = int(number)
    while candidate in also:
        sequence += 1
        candidate = f"{head}-{sequence:0{width}d}"
    return candidate


def _check(register: Register, planned: list[Planned], file: str, column_of: dict[str, int]) -> list[Problem]:
    """The schemas and every rule over the records to write together with the repository's; problems by row."""
    by_path = {p.relative: p for p in planned}
    problems: list[Problem] = []
    documents = []
    for item in planned:
        register.schemas.normalise(item.relative, item.record)
        for finding in register.schemas.check(item.relative, item.record):
            heading = _heading_of(item.record, finding.pointer)
            problems.append(Problem(file, item.row, column_of.get(heading, 0), heading, finding.rule, finding.message))
        documents.append(Document(item.relative, "", item.record))
    if problems:
        return problems
    corpus = register.corpus
    changed = replace(
        corpus,
        records=[*corpus.records, *documents],
        record_ids=corpus.record_ids | {p.record["id"] for p in planned},
        record_names=corpus.record_names | {p.record["id"] for p in planned},
    )
    for finding in _findings(changed):
        owner = by_path.get(finding.path)
        if owner is None:
            continue  # the repository's own findings are `commlog validate`'s to report
        heading = _heading_of(owner.record, finding.pointer)
        hint = f" ({finding.hint})" if finding.hint else ""
        problems.append(
            Problem(file, owner.row, column_of.get(heading, 0), heading, finding.rule, finding.message + hint)
        )
    return sorted(problems, key=lambda p: (p.row, p.column, p.rule))


def _findings(corpus: Any) -> Iterator[Any]:
    yield from run(corpus)


REGISTER_COLUMNS = REGISTER_HEADINGS
"""What ``commlog export`` writes and this module reads back (the same headings)."""
