"""``commlog demo generate``: a valid repository of N generated records, the same for the same seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from commlog import codeowners, repository, scaffold
from commlog.fmt import canonical_text
from commlog.load import parse
from commlog.schema import Schemas

YEARS = (2024, 2025, 2026)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "丽",
    "霞",
    "平",
]
TOPICS = [
    "年度预算调整",
    "原材料交期变更",
    "产品推广方案",
    "设备维护计划",
    "质量问题整改",
    "合同条款确认",
    "人员招聘需求",
    "系统升级通知",
    "安全生产检查",
    "客户投诉处理",
]
ORG_TYPES = ["customer", "supplier", "partner", "regulator", "media", "other"]


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


class _Writer:
    def __init__(self, root: Path, seed: int):
        self.root, self.rng, self.schemas = root, random.Random(seed), Schemas(root / "schemas")

    def write(self, relative: str, data: dict[str, Any]) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical_text(self.schemas, relative, data), encoding="utf-8")


def generate(root: Path, count: int, seed: int = 1, open_share: float | None = None) -> None:
    """Write ``count`` records with contacts and a policy into a new folder ``root``.

    By default records stop at every stage of their life in equal measure (most are open). With
    ``open_share`` (e.g. 0.02) the rest are archived, as in a register kept for years, and notices
    go to one department whose members all confirm them.
    """
    scaffold.create(root, "演示集团", init_git=False)
    writer = _Writer(root, seed)
    policy = parse((root / repository.POLICY).read_text(encoding="utf-8"))
    per_bucket = count // (len(YEARS) * len(policy["departments"])) + 1
    policy["numbering"]["record_sequence_width"] = max(3, len(str(per_bucket)))
    policy["numbering"]["archive_sequence_width"] = max(
        4, len(str(policy["numbering"].get("archive_first", 1) + count))
    )
    writer.write(repository.POLICY, policy)
    staff = _staff(writer, policy)
    orgs = _orgs(writer, staff)
    sequences: dict[tuple[str, int], int] = {}
    records = [_record(writer, policy, staff, orgs, index, sequences, open_share) for index in range(count)]
    _number_archives(records, policy)
    for record in records:
        writer.write(f"records/{record['id'].split('-')[1]}/{record['id']}.yaml", record)
    (root / codeowners.FILE).write_text(codeowners.generate(root)[0], encoding="utf-8")


def _number_archives(records: list[dict[str, Any]], policy: dict[str, Any]) -> None:
    """Archive numbers in the order of archiving, in the series of the year archived (rule archive-no-order)."""
    numbering = policy["numbering"]
    archived = sorted(
        (event["at"], record["id"], event)
        for record in records
        for event in record["events"]
        if event["type"] == "archived"
    )
    last: dict[str, int] = {}
    for at, _, event in archived:
        year = at[:4]
        last[year] = sequence = last.get(year, numbering.get("archive_first", 1) - 1) + 1
        event["archive_no"] = f"{numbering['archive_prefix']}-{year}-{sequence:0{numbering['archive_sequence_width']}d}"


def _staff(writer: _Writer, policy: dict[str, Any]) -> list[dict[str, Any]]:
    rng, people = writer.rng, []
    leaders: set[str] = set()
    names = [d["name"] for d in policy["departments"]]
    keeper = "行政部" if "行政部" in names else names[0]  # the archivist's department
    for d_index, dept in enumerate(policy["departments"]):
        for p_index in range(5):
            number = d_index * 5 + p_index + 1
            roles = []
            if p_index == 0:
                roles.append("dept_head")
            if p_index == 1 and dept["division"] not in leaders:
                roles.append("division_leader")
                leaders.add(dept["division"])
            if p_index == 2 and d_index == 0:
                roles.append("general_manager")
            if p_index == 2 and dept["name"] == "法务部":
                roles.append("legal")
            if p_index == 2 and dept["name"] == keeper:
                roles.append(policy.get("archiving", {}).get("role", "archivist"))
            person = {
                "id": f"staff-{number:03d}",
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "department": dept["name"],
                "title": "部门负责人" if p_index == 0 else "专员",
                "mobile": f"138{number:08d}",
                "email": f"staff-{number:03d}@demo.example",
                "roles": roles,
                "status": "active",
                "joined": f"20{10 + number % 14:02d}-0{1 + number % 9}-1{number % 9}",
            }
            people.append(person)
            writer.write(f"{repository.INTERNAL}/{person['id']}.yaml", person)
    return people


def _orgs(writer: _Writer, staff: list[dict[str, Any]]) -> list[dict[str, Any]]:
    orgs = []
    for index in range(15):
        org_type = ORG_TYPES[index % len(ORG_TYPES)]
        org = {
            "id": f"org-{index + 1:02d}",
            "name": f"演示{['客户', '供应商', '合作伙伴', '监管机构', '媒体', '协会'][index % 6]}{index + 1}号单位",
            "type": org_type,
            "owner": writer.rng.choice(staff)["id"],
            "matters": [writer.rng.choice(TOPICS)],
            "status": "active",
            "people": [
                {"id": f"p{n}", "name": writer.rng.choice(SURNAMES) + writer.rng.choice(GIVEN), "title": "联络人"}
                for n in (1, 2)
            ],
        }
        orgs.append(org)
        writer.write(f"{repository.EXTERNAL}/{org['id']}.yaml", org)
    return orgs


def _holder(staff: list[dict[str, Any]], policy: dict[str, Any], role: str, division: str) -> dict[str, Any]:
    """The staff member who holds ``role`` (a division leader: for ``division``)."""
    divisions = {d["name"]: d["division"] for d in policy["departments"]}
    return next(
        p for p in staff if role in p["roles"] and (role != "division_leader" or divisions[p["department"]] == division)
    )


def _record(
    writer: _Writer,
    policy: dict[str, Any],
    staff: list[dict[str, Any]],
    orgs: list[dict[str, Any]],
    index: int,
    sequences: dict[tuple[str, int], int],
    open_share: float | None = None,
) -> dict[str, Any]:
    """One record (its archive number, if archived, is given later, in the order of archiving)."""
    rng = writer.rng
    kinds = [
        "message",
        "message",
        "message",
        "notice",
        "collaboration",
        "customer_request",
        "supplier_request",
        "minutes",
    ]
    kind = kinds[index % len(kinds)]
    dept = rng.choice(policy["departments"])
    year = YEARS[index % len(YEARS)]
    sequences[(dept["code"], year)] = number = sequences.get((dept["code"], year), 0) + 1
    record_id = f"{dept['code']}-{year}-{number:0{policy['numbering']['record_sequence_width']}d}"
    members = [p for p in staff if p["department"] == dept["name"]]
    sender, head = rng.choice(members), members[0]
    other = rng.choice([p for p in staff if p["department"] != dept["name"]])
    topic = rng.choice(TOPICS)
    wanted_type = {"customer_request": "customer", "supplier_request": "supplier"}.get(kind)
    external = kind in ("customer_request", "supplier_request") or (kind == "message" and index % 2 == 0)
    org = rng.choice([o for o in orgs if o["type"] == wanted_type] if wanted_type else orgs)
    to: list[dict[str, Any]]
    stage = rng.random()
    settled = open_share is not None and rng.random() >= open_share
    if settled:
        stage = 0.8  # past every step: archived
    readers = [p for p in staff if p["department"] == other["department"]]
    if kind == "notice" and settled:
        to = [{"department": other["department"]}]
    elif kind == "notice":
        to = [{"all_staff": True}]
    elif external:
        to = [{"org": org["id"], "person": "p1"}]
    else:
        to = [{"department": other["department"], "person": other["id"]}]
    moment = datetime(year, 1 + index % 12, 1 + index % 27, 9 + index % 8, (index * 7) % 60)
    events = [{"type": "submitted", "at": _time(moment), "by": sender["id"]}]

    def add(event_type: str, by: str, hours: float, **extra: Any) -> None:
        nonlocal moment
        moment += timedelta(hours=hours)
        events.append({"type": event_type, "at": _time(moment), "by": by, **extra})

    importance = rng.choice(["normal", "normal", "important"])
    if stage > 0.1:
        for role in (
            ["dept_head"]
            + (["division_leader"] if external else [])
            + (["general_manager"] if external and importance == "important" else [])
        ):
            approver = head if role == "dept_head" else _holder(staff, policy, role, dept["division"])
            add("approved", approver["id"], rng.uniform(0.5, 20), role=role, note="同意")
        if kind == "notice":
            add("published", sender["id"], 1, channel="oa")
            sample = readers if settled else rng.sample([p for p in staff if p["id"] != sender["id"]], 3)
            for person in sample:  # recipients only
                add("acknowledged", person["id"], rng.uniform(0.1, 3))
        elif kind == "customer_request":
            add("contacted", sender["id"], rng.uniform(0.5, 6), channel="email", note="已电话联系客户确认需求")
        elif kind != "minutes":
            add("sent", sender["id"], rng.uniform(0.5, 6), channel="email", evidence="邮件发送成功截图")
    if stage > 0.4 and kind == "collaboration":
        add("answered", other["id"], rng.uniform(1, 20), note="已收到,可按计划支持")
    if stage > 0.4 and kind in ("message", "customer_request", "supplier_request"):
        by = f"{org['id']}/p1" if external else other["id"]
        add(
            {"message": "feedback", "customer_request": "replied", "supplier_request": "quoted"}[kind],
            by if kind != "customer_request" else sender["id"],
            rng.uniform(1, 60),
            note="已收到并处理",
        )
    if settled:  # everything owed was done before the record was closed
        _settle(kind, add, sender["id"], other["id"])
    if stage > 0.6:
        add("completed", sender["id"], rng.uniform(1, 30))
    if stage > 0.75:
        archivist = next(p for p in staff if policy.get("archiving", {}).get("role", "archivist") in p["roles"])
        add("archived", archivist["id"], rng.uniform(1, 20), archive_no="")
    record: dict[str, Any] = {
        "id": record_id,
        "kind": kind,
        "direction": "external" if external else "internal",
        "subject": f"关于{topic}的{['沟通', '通知', '协作需求', '需求', '合作需求', '会议纪要'][kinds.index(kind) - 2 if kind != 'message' else 0]}",
        "summary": f"{dept['name']}就{topic}事项发起沟通,请于规定时限内反馈处理意见。编号{index}。",
        "from": {"department": dept["name"], "person": sender["id"]},
        "to": to,
        "urgency": rng.choice(["normal", "normal", "normal", "urgent", "critical"]),
        "channels": ["email"],
        "classification": rng.choice(["internal", "internal", "public", "confidential"]),
        "importance": importance,
        "category": {"project": topic} if not external else {"matter": topic},
        "events": events,
    }
    if kind == "notice":
        record["notice"] = {
            "background": f"为做好{topic}工作,特通知如下。",
            "items": [f"请各部门落实{topic}相关要求。"],
        }
    elif kind == "collaboration":
        day = moment.date()
        record["tasks"] = [
            {
                "no": "1",
                "name": "方案制定",
                "department": dept["name"],
                "owner": sender["id"],
                "start": str(day),
                "end": str(day + timedelta(days=5)),
            },
            {
                "no": "2",
                "name": "执行落实",
                "department": other["department"],
                "owner": other["id"],
                "start": str(day + timedelta(days=6)),
                "end": str(day + timedelta(days=15)),
                "depends_on": ["1"],
            },
        ]
    elif kind in ("customer_request", "supplier_request"):
        record["request"] = {"need": f"{topic}相关需求,请按约定时间处理。"}
    elif kind == "minutes":
        record["meeting"] = {"held_at": events[0]["at"], "host": head["id"], "recorder": sender["id"]}
        record["attendees"] = list(dict.fromkeys([head["id"], sender["id"], other["id"]]))
        record["action_items"] = [
            {"no": "1", "task": f"落实{topic}", "owner": other["id"], "due": _time(moment + timedelta(days=7))}
        ]
    return record


def _settle(kind: str, add: Any, sender: str, other: str) -> None:
    """The events that end a settled record's other clocks: tasks and action items done, a request resolved."""
    if kind == "collaboration":
        add("progress", sender, 24, task="1", status="done", note="方案已定稿")
        add("progress", other, 48, task="2", status="done", note="已执行完毕")
    elif kind == "minutes":
        add("progress", other, 24, task="1", status="done", note="已落实")
    elif kind == "customer_request":
        add("resolved", sender, 24, note="已按需求交付")
        add("satisfaction", sender, 2, note="客户表示满意", score=5)
