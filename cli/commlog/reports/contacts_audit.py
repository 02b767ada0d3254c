"""The quarterly audit of the contacts registers (联络信息审核报告): what the procedure asks the administrator, HR and
the department heads to look at every quarter, as findings on the contact and record files.

What git says (reviews, the day a change was committed) comes from :mod:`commlog.contacts_trail`; everything else
from the files as they are, judged as of the moment given.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from commlog.contacts_trail import ContactTrail, contact_trail
from commlog.deadlines import Context
from commlog.findings import Finding
from commlog.load import Document
from commlog.rules import Corpus, finding
from commlog.timeutil import show

SECTIONS: dict[str, tuple[str, str]] = {
    "review-due": ("超过审核周期未审核", "核对该联系人的各项信息后提交（无改动时运行 commlog contacts review 编号）"),
    "late-change": ("变更登记超时", "今后在时限内登记；已登记的无需再改"),
    "departed-roles": ("离职人员仍有审批角色", "删去其 roles，并把角色交给接任者"),
    "departed-named": ("未结记录仍指向离职/离任人员", "在记录中改为接任者，或在完成后归档"),
    "departed-keep-expired": ("离职人员信息保存期满", "从 contacts/internal/ 删除该文件（git 历史保留其记录）"),
    "ended-review-due": (
        "合作终止满期待复核",
        "确认是否保留：长期合作方保留并运行 commlog contacts review 编号，一次性合作方删除文件",
    ),
    "contact-format": ("电话或邮箱格式无效", "按名片或邮件签名更正"),
    "unique-email": ("邮箱重复", "每人使用自己的邮箱"),
    "duplicate-mobile": ("手机号码重复", "核实号码归属，删去错误的一条"),
    "duplicate-org": ("同一单位有两个编号", "保留一个编号，把另一个的人员并入后删除，并更正记录中的引用"),
    "role-gap": ("审批角色缺位", "在接任者的联系人文件中加上该角色"),
}
"""Each finding's rule id: its section title in the report and what to do about it."""


@dataclass
class AuditReport:
    """The audit as of a moment: findings in the order of :data:`SECTIONS`, and notes on what could not be judged."""

    as_of: datetime
    tz: Any
    staff: int
    orgs: int
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    """Files left out because they do not load or match their schema."""

    def by_section(self) -> Iterator[tuple[str, list[Finding]]]:
        """Each section with findings, in the order of :data:`SECTIONS`."""
        for rule_id in SECTIONS:
            found = [f for f in self.findings if f.rule == rule_id]
            if found:
                yield rule_id, found


@dataclass(frozen=True)
class _Audit:
    """What every check reads."""

    corpus: Corpus
    ctx: Context
    as_of: datetime
    trail: ContactTrail

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.ctx.policy.data.get("contacts", {}))

    def day(self) -> date:
        return self.as_of.astimezone(self.ctx.policy.timezone).date()


def contacts_audit(root: Path, as_of: datetime, use_cache: bool = True) -> AuditReport:
    """The audit of the repository at ``root`` as of ``as_of`` (raises schedule.NoPolicy without a valid policy)."""
    from commlog.index.corpus import load_corpus, text_or_empty, with_lines
    from commlog.schedule import NoPolicy

    corpus, found = load_corpus(root, use_cache)
    if corpus.policy is None:
        raise NoPolicy("policy.yaml is missing or invalid; run `commlog validate` to see why")
    ctx = Context.create(corpus.policy, corpus.staff, corpus.orgs)
    ids = {d.path: d.data["id"] for d in corpus.staff_docs + corpus.org_docs}
    audit = _Audit(corpus, ctx, as_of, contact_trail(root, as_of, ids, use_cache))
    report = AuditReport(as_of, ctx.policy.timezone, len(corpus.staff_docs), len(corpus.org_docs))
    report.skipped = [f for f in found if f.path.startswith("contacts/") or f.path == "policy.yaml"]
    items: list[Finding] = []
    for check in (_reviews, _late_changes, _departed, _named_in_open_records, _ended, _formats, _duplicates, _roles):
        items += check(audit, report)
    order = {rule_id: i for i, rule_id in enumerate(SECTIONS)}
    items = with_lines(items, lambda path: text_or_empty(root / path))
    report.findings = sorted(items, key=lambda f: (order[f.rule], f.path, f.line, f.column, f.message))
    return report


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter: 08-31 + 1 month is 09-30)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def _docs(audit: _Audit) -> list[Document]:
    return audit.corpus.staff_docs + audit.corpus.org_docs


def _history_note(audit: _Audit, report: AuditReport, what: str) -> bool:
    """Whether git can judge ``what`` as of the moment; if not, why, as a note."""
    if not audit.trail.available:
        report.notes.append(f"{what}：没有 git 历史可查（不是 git 仓库，或尚无提交），未判断")
        return False
    if audit.trail.shallow:
        report.notes.append(
            f"{what}：浅克隆（shallow clone）看不到完整的 git 历史，未判断；CI 中请取完整历史（fetch-depth: 0）"
        )
        return False
    if audit.trail.started is None:
        report.notes.append(f"{what}：审核时点 {show(audit.as_of, report.tz)} 之前没有涉及 contacts/ 的提交，未判断")
        return False
    return True


def _reviews(audit: _Audit, report: AuditReport) -> list[Finding]:
    """Contacts whose latest review (see :mod:`commlog.contacts_trail`) is older than the policy's audit period."""
    if not _history_note(audit, report, "审核周期"):
        return []
    months = int(audit.settings.get("audit_every_months", 3))
    found = []
    for doc in _docs(audit):
        commit = audit.trail.reviewed.get(doc.path)
        if commit is None:
            found.append(
                finding(
                    doc,
                    "review-due",
                    ("id",),
                    f"{doc.data['id']} 在审核时点之前没有提交：从未审核",
                    "核对后提交该文件",
                )
            )
            continue
        reviewed = commit.moment.astimezone(report.tz).date()
        due = add_months(reviewed, months)
        if due <= audit.day():
            found.append(
                finding(
                    doc,
                    "review-due",
                    ("id",),
                    f"{doc.data['id']} 上次审核于 {reviewed}（提交 {commit.short}）；"
                    f"每 {months} 个月审核一次，应在 {due} 前审核",
                    f"核对后提交；无改动时运行 `commlog contacts review {doc.data['id']}`",
                )
            )
    return found


def _deadline(audit: _Audit, day: date, working_days: float) -> datetime:
    """The end of the ``working_days``-th working day after ``day`` (the end of ``day``'s own when 0)."""
    start = datetime.combine(day, time(), audit.ctx.policy.timezone)
    days = math.ceil(working_days)
    if days <= 0:
        return audit.ctx.calendar.close_of_business(start - timedelta(days=1), 1)
    return audit.ctx.calendar.close_of_business(start, days)


_DATE_NAMES = {"joined": "入职", "departed": "离职", "changed": "变更", "ended": "合作终止", "left": "离任"}


def _late_changes(audit: _Audit, report: AuditReport) -> list[Finding]:
    """Changes (the dates a contact carries) first committed after the policy's time limit, or not yet committed."""
    from commlog.contacts_trail import dates_of

    if not _history_note(audit, report, "变更登记时限"):
        return []
    started = audit.trail.started
    assert started is not None
    found = []
    for doc in _docs(audit):
        external = "people" in doc.data
        limit = float(
            audit.settings.get("external_update_working_days" if external else "staff_update_working_days", 1)
        )
        carried = audit.trail.first_carried.get(doc.path, {})
        dates = dates_of(doc.data)
        for (person, key), value in sorted(dates.items()):
            day = date.fromisoformat(value)
            if day > audit.day():
                continue  # takes effect later
            if key == "changed" and any(v == value and p == person and k != key for (p, k), v in dates.items()):
                continue  # the same change as the departure, ending or joining it dates: reported once
            deadline = _deadline(audit, day, limit)
            commit = carried.get(((person, key), value))
            if commit is not None and commit.sha == started.sha:
                continue  # the register's initial load
            parts: tuple[object, ...] = (key,)
            if person:
                index = next(i for i, p in enumerate(doc.data["people"]) if p.get("id") == person)
                parts = ("people", index, key)
            who = f"{doc.data['id']}/{person}" if person else doc.data["id"]
            what = f"{who} 的{_DATE_NAMES[key]}日期（{key}）{value}"
            allowed = f"登记时限为 {limit:g} 个工作日，至 {show(deadline, report.tz)}"
            if commit is None:
                if audit.as_of > deadline:
                    found.append(finding(doc, "late-change", parts, f"{what} 尚未提交；{allowed}", "立即提交"))
            elif commit.moment > deadline:
                found.append(
                    finding(
                        doc,
                        "late-change",
                        parts,
                        f"{what} 于 {show(commit.moment, report.tz)} 提交（提交 {commit.short}）；{allowed}",
                        "今后在时限内登记变动",
                    )
                )
    return found


def _role_name(role: str) -> str:
    from commlog.workflow import ROLE_NAMES

    return f"{ROLE_NAMES.get(role, role)}（{role}）"


def _departed(audit: _Audit, report: AuditReport) -> list[Finding]:
    """Departed staff who still hold approval roles, or whose data is past the policy's keep period."""
    years = int(audit.settings.get("departed_retention_years", 2))
    found = []
    for doc in audit.corpus.staff_docs:
        if doc.data["status"] != "departed":
            continue
        if doc.data.get("roles"):
            found.append(
                finding(
                    doc,
                    "departed-roles",
                    ("roles",),
                    f"{doc.data['id']} 已离职，仍担任{'、'.join(_role_name(r) for r in doc.data['roles'])}",
                    "删去其 roles，把角色交给接任者",
                )
            )
        departed = doc.data.get("departed")
        if departed:
            until = add_months(date.fromisoformat(str(departed)), 12 * years)
            if until <= audit.day():
                found.append(
                    finding(
                        doc,
                        "departed-keep-expired",
                        ("departed",),
                        f"{doc.data['id']} 于 {departed} 离职；其联络信息保存 {years} 年，至 {until}",
                        "删除该文件（git 历史保留其记录）",
                    )
                )
    return found


def _named_in_open_records(audit: _Audit, report: AuditReport) -> list[Finding]:
    """Records not yet closed that name, as sender or recipient, staff who have left, outside people who have, or the
    people of an organisation whose relationship ended."""
    from commlog.schedule import as_it_was
    from commlog.workflow import CLOSING, status

    left: dict[str, str] = {}
    for pid, person in audit.ctx.staff.items():
        if person["status"] == "departed":
            left[pid] = f"已于 {person.get('departed', '?')} 离职"
    for oid, org in audit.ctx.orgs.items():
        for person in org["people"]:
            if person.get("status") == "departed":
                left[f"{oid}/{person['id']}"] = f"已于 {person.get('left', '?')} 离开{org['name']}"
            elif org.get("status") == "inactive":  # the relationship ended: nobody there is waiting on us or we on them
                left[f"{oid}/{person['id']}"] = f"所在的{org['name']}已于 {org.get('ended', '?')} 终止合作"
    if not left:
        return []
    found = []
    for doc in audit.corpus.records:
        record = as_it_was(doc.data, audit.ctx, audit.as_of)
        if record is None or status(record, audit.ctx.policy, audit.ctx.staff) in CLOSING:
            continue
        named: list[tuple[tuple[object, ...], str, str]] = []
        if record["from"].get("person"):
            named.append((("from", "person"), record["from"]["person"], "发件人"))
        for index, party in enumerate(record["to"]):
            person = party.get("person")
            if person:
                named.append(
                    (("to", index, "person"), f"{party['org']}/{person}" if "org" in party else person, "收件人")
                )
        for parts, who, role in named:
            if who in left:
                found.append(
                    finding(
                        doc,
                        "departed-named",
                        parts,
                        f"{record['id']} 尚未办结，{role}仍为 {who}，其{left[who]}",
                        "改为接任者，或办结该记录",
                    )
                )
    return found


def _ended(audit: _Audit, report: AuditReport) -> list[Finding]:
    """Organisations whose relationship ended the policy's months ago, not reviewed since that review fell due."""
    months = int(audit.settings.get("ended_review_months", 3))
    found = []
    for doc in audit.corpus.org_docs:
        ended = doc.data.get("ended")
        if doc.data["status"] != "inactive" or not ended:
            continue
        due = add_months(date.fromisoformat(str(ended)), months)
        commit = audit.trail.reviewed.get(doc.path)
        recorded = audit.trail.first_carried.get(doc.path, {}).get((("", "ended"), str(ended)))
        confirmed = (
            commit is not None
            and commit.moment.astimezone(report.tz).date() >= due
            and (recorded is None or recorded.sha != commit.sha)  # the commit that recorded the end confirms nothing
        )
        if due > audit.day() or confirmed:
            continue
        found.append(
            finding(
                doc,
                "ended-review-due",
                ("ended",),
                f"{doc.data['id']} 已于 {ended} 终止合作；自 {due} 起应确认是否保留其信息",
                f"长期合作方：保留，运行 `commlog contacts review {doc.data['id']}`；"
                "一次性合作方：删除文件（git 历史保留其记录）",
            )
        )
    return found


def _formats(audit: _Audit, report: AuditReport) -> list[Finding]:
    """The validate rules about the contacts' numbers and emails, repeated so that the audit is complete."""
    from commlog.rules.contacts import contact_format, unique_email

    return [*contact_format(audit.corpus), *unique_email(audit.corpus)]


def _mobile_key(text: str) -> str:
    digits = re.sub(r"[^0-9+]", "", text)
    return digits[3:] if digits.startswith("+86") else digits


_NOT_NAME = re.compile(r"[\s\W_]+")


def org_name_key(name: str) -> str:
    """An organisation's name compared as people mean it: full-width forms, spaces, punctuation and case ignored."""
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name)).casefold()


def _duplicates(audit: _Audit, report: AuditReport) -> list[Finding]:
    """One mobile on two contacts, and one organisation (by its name) under two ids."""
    places: dict[str, list[tuple[Document, tuple[object, ...], str]]] = defaultdict(list)
    for doc in audit.corpus.staff_docs:
        if doc.data.get("mobile"):
            places[_mobile_key(doc.data["mobile"])].append((doc, ("mobile",), doc.data["id"]))
    for doc in audit.corpus.org_docs:
        for index, person in enumerate(doc.data["people"]):
            if person.get("mobile"):
                who = f"{doc.data['id']}/{person['id']}"
                places[_mobile_key(person["mobile"])].append((doc, ("people", index, "mobile"), who))
    found = []
    for owners in places.values():
        for doc, parts, who in owners if len(owners) > 1 else []:
            others = "、".join(o for _, _, o in owners if o != who)
            found.append(finding(doc, "duplicate-mobile", parts, f"{who} 的手机号码与 {others} 的相同", "核实号码归属"))
    names: dict[str, list[Document]] = defaultdict(list)
    for doc in audit.corpus.org_docs:
        names[org_name_key(doc.data["name"])].append(doc)
    for docs in names.values():
        for doc in docs if len(docs) > 1 else []:
            others = "、".join(d.data["id"] for d in docs if d is not doc)
            found.append(
                finding(
                    doc,
                    "duplicate-org",
                    ("name",),
                    f"{doc.data['id']}（{doc.data['name']}）与 {others} 是同一单位",
                    "保留一个编号，把另一个并入",
                )
            )
    return found


def _roles(audit: _Audit, report: AuditReport) -> list[Finding]:
    """Departments without exactly one head, divisions without a leader, a missing general manager or legal counsel,
    approvals the matrix requires that no one can give."""
    from commlog.roles import role_gaps

    return [
        finding("policy.yaml", "role-gap", gap.where, gap.message, gap.hint)
        for gap in role_gaps(audit.ctx.policy, audit.ctx.staff)
    ]
