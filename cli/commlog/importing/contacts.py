"""The contacts registers (内部联络信息表, 外部联络信息表) into contact files, as ``commlog export --kind contacts``
writes them: one member of staff per row; one row per person of an outside organisation, the organisation's
columns repeated."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import Any

from commlog.directory import NUMBER_NAMES
from commlog.fileio import atomic_write
from commlog.fmt import canonical_text
from commlog.importing.register import Outcome, Planned
from commlog.importing.rows import SPLIT
from commlog.importing.sheets import Problem, Unreadable, find_headings, read_grid
from commlog.importing.values import Bad, People, cell_text, choice, when
from commlog.lifecycle import Register, one_at_a_time
from commlog.load import Document
from commlog.rules import run
from commlog.workflow import CLASSIFICATION_NAMES, ORG_TYPE_NAMES, ROLE_NAMES

INTERNAL_ALIASES: dict[str, list[str]] = {
    "序号": [],
    "人员编号": ["编号", "id"],
    "姓名": ["name"],
    "部门": ["所属部门", "department"],
    "职务": ["岗位", "title"],
    "办公电话": ["电话", "phone"],
    "手机号码": ["手机", "mobile"],
    "邮箱": ["电子邮箱", "email"],
    "负责事项": ["responsibilities"],
    "审批角色": ["角色", "roles"],
    "状态": ["status"],
    "入职日期": ["joined"],
    "离职日期": ["departed"],
    "代码托管用户名": ["forge_user"],
    "变更日期": ["changed"],
    "私人号码": ["private"],
    "密级": ["classification"],
}
EXTERNAL_ALIASES: dict[str, list[str]] = {
    "序号": [],
    "单位编号": ["org"],
    "单位名称": ["单位", "name"],
    "单位类型": ["type"],
    "对接事项": ["合作事项", "matters"],
    "单位电话": ["联系电话"],
    "对接负责人": ["我方负责人", "owner"],
    "单位状态": [],
    "联系人编号": ["person"],
    "联系人": ["联系人姓名"],
    "职务": ["title"],
    "手机号码": ["手机", "mobile"],
    "邮箱": ["电子邮箱", "email"],
    "状态": ["status"],
    "终止日期": ["ended"],
    "单位变更日期": [],
    "离任日期": ["left"],
    "联系人变更日期": [],
    "单位密级": [],
    "私人号码": ["private"],
    "密级": ["classification"],
}
INTERNAL_REQUIRED = ["人员编号", "姓名", "部门", "职务", "邮箱"]
EXTERNAL_REQUIRED = ["单位编号", "单位名称", "单位类型", "对接负责人"]
STAFF_STATUS = {"active": "在职", "departed": "离职"}
ORG_STATUS = {"active": "合作中", "inactive": "已停止"}
SHEETS = ("内部联络信息表", "外部联络信息表")


def _number(text: str) -> str:
    if "*" in text:
        raise Bad(f"'{text}' is masked; export the contacts with --clearance confidential (or higher) to import them")
    return text


def _list(text: str) -> list[str]:
    return [part for part in SPLIT.split(text) if part]


def _private(text: str) -> list[str]:
    """私人号码: the numbers named (办公电话、手机号码, or phone, mobile)."""
    return [choice(part, NUMBER_NAMES, "私人号码") for part in _list(text)]


def _classification(text: str) -> str:
    return choice(text, CLASSIFICATION_NAMES, "密级")


def _internal(t: dict[str, str], cells: dict[str, Any], people: People) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    person: dict[str, Any] = {"id": t.get("人员编号", ""), "name": t.get("姓名", "")}

    def put(key: str, heading: str, parse: Any = None) -> None:
        if not t.get(heading):
            return
        try:
            person[key] = parse(t[heading]) if parse else t[heading]
        except Bad as err:
            problems.append((heading, str(err)))

    put("department", "部门", people.department)
    put("title", "职务")
    put("phone", "办公电话", _number)
    put("mobile", "手机号码", _number)
    put("email", "邮箱")
    put("forge_user", "代码托管用户名")
    put("responsibilities", "负责事项", _list)
    put("roles", "审批角色", lambda text: [choice(r, ROLE_NAMES, "审批角色") for r in _list(text)])
    put("private", "私人号码", _private)
    put("classification", "密级", _classification)
    person["status"] = "active"
    put("status", "状态", lambda text: choice(text, STAFF_STATUS, "状态"))
    for key, heading in (("joined", "入职日期"), ("departed", "离职日期"), ("changed", "变更日期")):
        if t.get(heading):
            try:
                person[key] = when(cells[heading], time(0)).date().isoformat()
            except Bad as err:
                problems.append((heading, str(err)))
    return person, problems


def import_contacts(
    register: Register, path: Path, sheet: str | None = None, encoding: str | None = None, dry_run: bool = False
) -> list[Outcome]:
    """Each sheet of contacts in the file (or ``sheet``): checked all together, written only if all are right."""
    names = [sheet] if sheet else _sheets(path)
    outcomes: list[Outcome] = []
    people = People(register)
    staff_docs, org_docs = list(register.corpus.staff_docs), list(register.corpus.org_docs)
    for name in names:
        grid = read_grid(path, name if name else None, encoding, SHEETS)
        internal = grid.name != "外部联络信息表" and "外部" not in grid.name
        aliases, required = (INTERNAL_ALIASES, INTERNAL_REQUIRED) if internal else (EXTERNAL_ALIASES, EXTERNAL_REQUIRED)
        outcome = Outcome(path.name, grid.name, dry_run=dry_run)
        outcomes.append(outcome)
        columns, problems = find_headings(grid, path.name, aliases, required)
        outcome.problems += grid.problems + problems
        if problems:
            continue
        column_of = {h: i + 1 for h, i in columns.where.items()}
        known = register.corpus.staff if internal else register.corpus.orgs
        orgs: dict[str, tuple[int, dict[str, Any]]] = {}
        for number, cells in grid.rows:
            if number <= columns.row or all(c in (None, "") for c in cells):
                continue
            values = {h: cells[i] if i < len(cells) else None for h, i in columns.where.items()}
            t = {h: cell_text(v) for h, v in values.items()}
            for heading in required:
                if not t.get(heading):
                    outcome.problems.append(
                        Problem(
                            path.name,
                            number,
                            column_of[heading],
                            heading,
                            "import-value",
                            "is empty; every row needs it",
                        )
                    )
            key = t.get("人员编号" if internal else "单位编号", "")
            if not key:
                continue
            if key in known:
                outcome.existing.append((number, key, f"contacts/{'internal' if internal else 'external'}/{key}.yaml"))
                continue
            if internal:
                data, found = _internal(t, values, people)
                for heading, reason in found:
                    outcome.problems.append(
                        Problem(path.name, number, column_of.get(heading, 0), heading, "import-value", reason)
                    )
                outcome.written.append(Planned(number, data, f"contacts/internal/{key}.yaml"))
            else:
                first, org = orgs.setdefault(key, (number, {"id": key, "name": t.get("单位名称", ""), "people": []}))
                heading = "单位类型"
                try:
                    org["type"] = choice(t.get("单位类型", ""), ORG_TYPE_NAMES, "单位类型")
                    heading = "对接负责人"
                    org["owner"] = people.staff_member(t.get("对接负责人", ""), None)
                    heading = "单位状态"
                    org["status"] = choice(t["单位状态"], ORG_STATUS, "单位状态") if t.get("单位状态") else "active"
                    if t.get("对接事项"):
                        org["matters"] = _list(t["对接事项"])
                    heading = "单位电话"
                    if t.get("单位电话"):
                        org["phone"] = _number(t["单位电话"])
                    for k, heading in (("ended", "终止日期"), ("changed", "单位变更日期")):
                        if t.get(heading):
                            org[k] = when(values[heading], time(0)).date().isoformat()
                    heading = "单位密级"
                    if t.get("单位密级"):
                        org["classification"] = _classification(t["单位密级"])
                    if t.get("联系人"):
                        person = {"id": t.get("联系人编号", ""), "name": t["联系人"]}
                        parsers: tuple[tuple[str, str, Any], ...] = (
                            ("title", "职务", str),
                            ("mobile", "手机号码", _number),
                            ("private", "私人号码", _private),
                            ("email", "邮箱", str),
                            ("classification", "密级", _classification),
                        )
                        for k, heading, parse in parsers:
                            if t.get(heading):
                                person[k] = parse(t[heading])
                        heading = "状态"
                        person["status"] = choice(t["状态"], STAFF_STATUS, "状态") if t.get("状态") else "active"
                        for k, heading in (("left", "离任日期"), ("changed", "联系人变更日期")):
                            if t.get(heading):
                                person[k] = when(values[heading], time(0)).date().isoformat()
                        org["people"].append(person)
                except Bad as err:
                    outcome.problems.append(
                        Problem(path.name, number, column_of.get(heading, 0), heading, "import-value", str(err))
                    )
        for key, (number, org) in orgs.items():
            outcome.written.append(Planned(number, org, f"contacts/external/{key}.yaml"))
        docs = [Document(p.relative, "", p.record) for p in outcome.written]
        (staff_docs if internal else org_docs).extend(docs)
        if internal:  # an organisation's owner may be among the staff imported just now
            people.staff = {**people.staff, **{p.record["id"]: p.record for p in outcome.written}}
    everything = [p for o in outcomes for p in o.written]
    if any(o.problems for o in outcomes):
        return outcomes
    by_path = {p.relative: (o, p) for o in outcomes for p in o.written}
    corpus = replace(
        register.corpus,
        staff_docs=staff_docs,
        org_docs=org_docs,
        staff_ids=register.corpus.staff_ids | {d.data["id"] for d in staff_docs},
        org_ids=register.corpus.org_ids | {d.data["id"] for d in org_docs},
    )
    for item in everything:
        for finding in register.schemas.check(item.relative, item.record):
            outcome, _ = by_path[item.relative]
            outcome.problems.append(Problem(path.name, item.row, 0, finding.pointer, finding.rule, finding.message))
    if not any(o.problems for o in outcomes):
        for finding in run(corpus):
            if finding.path in by_path:
                outcome, item = by_path[finding.path]
                outcome.problems.append(Problem(path.name, item.row, 0, finding.pointer, finding.rule, finding.message))
    if any(o.problems for o in outcomes) or dry_run:
        return outcomes
    with one_at_a_time(register.root):
        for item in everything:
            target = register.root / item.relative
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, canonical_text(register.schemas, item.relative, item.record), clean_leftovers=True)
    return outcomes


def _sheets(path: Path) -> list[str | None]:
    """The contacts sheets of a workbook (both, when it has both); a CSV is one table."""
    if path.read_bytes()[:4] != b"PK\x03\x04":
        return [None]
    from openpyxl import load_workbook

    try:
        names = load_workbook(path, read_only=True).sheetnames
    except Exception as err:  # a damaged workbook: read_grid says so with the file's name
        raise Unreadable(
            [Problem(path.name, 0, 0, "", "import-file", f"is not an xlsx workbook that can be read ({err})")]
        ) from None
    found: list[str | None] = [n for n in SHEETS if n in names]
    return found or [None]
