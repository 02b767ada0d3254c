"""One register row as a record: the columns every kind shares, then each kind's own parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from commlog.importing.history import Facts
from commlog.importing.values import Bad, People, choice, stamp, when
from commlog.reports.export import NONE
from commlog.workflow import CLASSIFICATION_NAMES, DIRECTION_NAMES, KIND_NAMES, STATUS_NAMES, URGENCY_NAMES

REQUIRED = ["发起部门", "发起人", "接收部门/单位", "信息主题", "内容摘要", "传递方式", "发起时间", "处理状态"]
SPLIT = re.compile(r"\s*[、,，;；\n]\s*")
CHANNEL_SPLIT = re.compile(r"\s*[+＋、,，;；/\n]\s*")
LINES = re.compile(r"\s*\n\s*")
ID = re.compile(r"^[A-Z][A-Z0-9]{0,7}-(\d{4})-\d{1,6}$")
OUTSIDE = re.compile(r"^(.+?)\s*[(（]\s*(.+?)\s*[)）]$")
"""An outside person as export writes one: 周刚 (北方医疗器械有限公司)."""
IMPORTED = "导入自 {file} 第 {row} 行"
FIRST_HOUR, LATER_HOUR = time(9, 0), time(18, 0)
"""A day written without a time: 发起时间 at the start of the working day, the others at its end."""
KIND_COLUMNS = {
    "需求描述": ("customer_request", "supplier_request"),
    "期望完成时间": ("customer_request", "supplier_request"),
    "预算": ("customer_request", "supplier_request"),
    "需求来源": ("customer_request",),
    "通知背景": ("notice",),
    "通知事项": ("notice",),
    "执行要求": ("notice",),
    "通知联系人": ("notice",),
    "生效日期": ("notice",),
    "会议时间": ("minutes",),
    "会议地点": ("minutes",),
    "主持人": ("minutes",),
    "记录人": ("minutes",),
    "参会人员": ("minutes",),
    "会议决议": ("minutes",),
}
"""The columns of one kind's own parts, and the kinds they belong to."""


@dataclass
class Row:
    number: int
    cells: dict[str, Any]
    text: dict[str, str]


class Problems(list[tuple[str, str]]):
    """(heading, reason) of one row."""

    def take(self, heading: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except Bad as err:
            self.append((heading, str(err)))
            return None


def record_of(row: Row, people: People, file: str) -> tuple[dict[str, Any], Facts | None, list[tuple[str, str]]]:
    """The record a row describes (without its events), what it says happened, and its problems as (heading,
    reason); the record is partial when there are any."""
    problems = Problems()
    take = problems.take
    t = row.text
    kind = take("记录类型", choice, t.get("记录类型") or "信息交流", KIND_NAMES, "kind (记录类型)") or "message"
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
    for heading, kinds in KIND_COLUMNS.items():
        if t.get(heading) and kind not in kinds:
            names = "、".join(KIND_NAMES[k] for k in kinds)
            problems.append((heading, f"is for {names} rows only; this row is {KIND_NAMES[kind]}: empty the cell"))
    if problems or not (
        department and sender and submitted and status_code and urgency and classification and importance
    ):
        return {}, None, problems
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
    assumed = _parts(record, row, people, problems, submitted)
    if problems:
        return {}, None, problems
    remark = IMPORTED.format(file=file, row=row.number)
    if assumed:
        remark += f"; 登记表未载 {'、'.join(assumed)}"
    record["remarks"] = f"{t['备注']}\n{remark}" if t.get("备注") else remark
    facts = Facts(status_code, submitted, archive_no, answered, times)
    return record, facts, problems


def _parts(record: dict[str, Any], row: Row, people: People, problems: Problems, submitted: Any) -> list[str]:
    """A kind's own parts (request, notice, meeting, and the task tables the other sheets fill); what the row leaves
    out and the schema requires is given the least surprising value, and named (for the remark)."""
    t, take, kind = row.text, problems.take, record["kind"]
    sender = record["from"]["person"]
    assumed: list[str] = []
    if kind in ("customer_request", "supplier_request"):
        if not t.get("需求描述"):
            assumed.append("需求描述 (按内容摘要记)")
        request: dict[str, Any] = {"need": t.get("需求描述") or record["summary"]}
        if t.get("期望完成时间"):
            moment = take("期望完成时间", when, row.cells["期望完成时间"], LATER_HOUR)
            if moment:
                request["expected_by"] = moment.date().isoformat()
        if t.get("预算"):
            request["budget"] = take("预算", _amount, row.cells["预算"])
        if t.get("需求来源"):
            request["source"] = t["需求来源"]
        record["request"] = request
    elif kind == "notice":
        if not t.get("通知背景") or not t.get("通知事项"):
            assumed.append("通知背景、通知事项 (按内容摘要记)")
        notice: dict[str, Any] = {
            "background": t.get("通知背景") or record["summary"],
            "items": [i for i in LINES.split(t.get("通知事项", "")) if i] or [record["summary"]],
        }
        if t.get("执行要求"):
            notice["requirements"] = t["执行要求"]
        if t.get("通知联系人"):
            notice["contact"] = take("通知联系人", people.staff_member, t["通知联系人"], None)
        if t.get("生效日期"):
            moment = take("生效日期", when, row.cells["生效日期"], LATER_HOUR)
            if moment:
                notice["effective"] = moment.date().isoformat()
        record["notice"] = notice
    elif kind == "minutes":
        held = take("会议时间", when, row.cells["会议时间"], FIRST_HOUR) if t.get("会议时间") else submitted
        missing = [h for h in ("会议时间", "主持人", "记录人") if not t.get(h)]
        if missing:
            assumed.append(f"{'、'.join(missing)} (按发起时间、发起人记)")
        meeting: dict[str, Any] = {"held_at": stamp(held) if held else ""}
        if t.get("会议地点"):
            meeting["place"] = t["会议地点"]
        for key, heading in (("host", "主持人"), ("recorder", "记录人")):
            meeting[key] = take(heading, people.staff_member, t[heading], None) if t.get(heading) else sender
        record["meeting"] = meeting
        if t.get("参会人员"):
            record["attendees"] = take("参会人员", _attendees, t["参会人员"], people) or []
        else:
            assumed.append("参会人员 (按发起人和接收人记)")
            named = [p["person"] for p in record["to"] if "person" in p and "org" not in p]
            record["attendees"] = list(dict.fromkeys([sender, *named]))
        decisions = [d for d in LINES.split(t.get("会议决议", "")) if d]
        if decisions:
            record["decisions"] = decisions
        record["action_items"] = []
    elif kind == "collaboration":
        record["tasks"] = []
    return assumed


def _amount(value: Any) -> float | int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value).replace(",", "").replace("，", "").strip()
    try:
        number = float(text)
    except ValueError:
        raise Bad(f"'{value}' is not an amount in yuan (600000)") from None
    if number < 0:
        raise Bad(f"{value} is below zero")
    return int(number) if number.is_integer() else number


def _attendees(text: str, people: People) -> list[str]:
    found: list[str] = []
    for part in (p for p in SPLIT.split(text) if p):
        outside = OUTSIDE.match(part)
        if outside:
            org = people.organisation(outside.group(2))
            who = f"{org}/{people.org_person(org, outside.group(1))}"
        else:
            who = people.staff_member(part, None)
        if who not in found:
            found.append(who)
    return found


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
