"""The pull request summary: what a change does to the register, for the reviewer (Markdown or JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from commlog.deadlines import STATE_NAMES, Context, Stage, judge, stage_label, stages
from commlog.findings import Finding
from commlog.reports.overdue import md_cell
from commlog.reports.people import name_of
from commlog.reports.register import receiver
from commlog.retention import archiving
from commlog.rules import Corpus
from commlog.timeutil import show
from commlog.trail import Trail
from commlog.workflow import (
    CLASSIFICATION_NAMES,
    DIRECTION_NAMES,
    EVENT_NAMES,
    KIND_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
    URGENCY_NAMES,
    approvals,
    holders,
    status,
)


@dataclass
class RecordChange:
    path: str
    record: dict[str, Any]
    new: bool
    events: list[dict[str, Any]]
    missing: list[tuple[str, list[str]]]
    started: list[Stage]
    closed: list[Stage]
    resolved_overdue: list[Stage]
    findings: list[Finding] = field(default_factory=list)
    disposed_here: bool = False
    """This change disposed of the record (its old subject is never shown: it must not outlive a purge)."""


@dataclass
class Summary:
    ref: str
    base: str
    now: datetime
    records: list[RecordChange]
    removed: list[str]
    findings: list[Finding]
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)
    """Sensitive data to look at though it is no finding: (path, field, detector, value masked)."""

    @property
    def sensitive(self) -> list[Finding]:
        """The change's findings about sensitive data (listed first: they are what must not be merged)."""
        return [f for f in self.findings if f.rule.startswith("sensitive")]


def summarise(trail: Trail, ref: str, corpus: Corpus, findings: list[Finding], now: datetime) -> Summary:
    """The summary of a change judged by :func:`commlog.trail.check`, with every finding on the files it touched."""
    assert corpus.policy is not None
    ctx = Context.create(corpus.policy, corpus.staff, corpus.orgs)
    current = {doc.path: doc.data for doc in corpus.records}
    changes = []
    for path, added in trail.added.items():
        record = current[path]
        before = trail.before.get(path)
        now_stages = judge(stages(record, ctx), ctx, now)
        then_stages = judge(stages(before, ctx), ctx, now) if before else []
        then_open = {s.name: s for s in then_stages if s.open}
        started = [s for s in now_stages if s.name not in {t.name for t in then_stages}]
        closed = [s for s in now_stages if not s.open and s.name in then_open]
        events = [
            {
                **event,
                "number": index + 1,
                "commit": author.sha,
                "author_email": author.email,
                "signature": author.signature,
            }
            for index, event, author in added
        ]
        missing = (
            [
                (role, holders(role, record, corpus.staff, corpus.policy))
                for role in approvals(record, corpus.policy).missing
            ]
            if status(record, corpus.policy, corpus.staff) == "pending_review"
            else []
        )
        changes.append(
            RecordChange(
                path,
                record,
                before is None,
                events,
                missing,
                started,
                closed,
                [s for s in closed if then_open[s.name].state == "overdue"],
                [f for f in findings if f.path == path],
                before is not None and "disposed" in record and "disposed" not in before,
            )
        )
    changes.sort(key=lambda c: c.record["id"])
    return Summary(ref, trail.base, now, changes, trail.removed, findings, _notes(corpus, changes))


def _notes(corpus: Corpus, changes: list[RecordChange]) -> list[tuple[str, str, str, str]]:
    from commlog.load import Document
    from commlog.rules.sensitive import low_confidence
    from commlog.sensitive import mask, settings_of, with_private

    assert corpus.policy is not None
    settings = with_private(settings_of(corpus.policy.data), corpus.staff, corpus.orgs)
    return [
        (c.path, pointer.lstrip("/"), hit.detector, mask(hit))
        for c in changes
        for pointer, hit in low_confidence(corpus.root, Document(c.path, "", c.record), settings)
    ]


def write_markdown(summary: Summary, corpus: Corpus, out: TextIO) -> None:
    assert corpus.policy is not None
    tz, staff, orgs = corpus.policy.timezone, corpus.staff, corpus.orgs

    def who(actor: str) -> str:
        return md_cell(name_of(actor, staff, orgs))

    out.write(f"## commlog 变更摘要 (相对 {md_cell(summary.ref)}, 合并基点 {summary.base[:8]})\n\n")
    _write_sensitive(summary, out)
    if not summary.records and not summary.removed:
        out.write("本次变更未改动任何记录。\n")
    for change in summary.records:
        record = change.record
        sender = f"{record['from']['department']} {who(record['from']['person'])}"
        receivers = "、".join(receiver(p, staff, orgs) for p in record["to"])
        state = STATUS_NAMES[status(record, corpus.policy, staff)]
        out.write(f"### {record['id']} {md_cell(record['subject'])}{' (新登记)' if change.new else ''}\n\n")
        out.write(
            f"{KIND_NAMES[record['kind']]} · {DIRECTION_NAMES[record['direction']]} · {URGENCY_NAMES[record['urgency']]} · "
            f"{CLASSIFICATION_NAMES[record['classification']]} · {md_cell(sender)} → {md_cell(receivers)} · 状态: {state}\n\n"
        )
        out.write("| # | 事件 | 时间 | 操作人 | 提交 |\n| --- | --- | --- | --- | --- |\n")
        for event in change.events:
            commit = event["commit"][:8] if event["commit"] else "未提交"
            by = who(event["by"]) + (f" (由 {who(event['recorded_by'])} 登记)" if "recorded_by" in event else "")
            late = f" · 补录: {md_cell(event['late_entry'])}" if "late_entry" in event else ""
            out.write(
                f"| {event['number']} | {EVENT_NAMES.get(event['type'], event['type'])}{late} | {event['at']} | {by} | "
                f"{commit} {md_cell(event['author_email'])} |\n"
            )
        if change.disposed_here:
            gone = record["disposed"]
            approvers = "、".join(
                f"{who(a['person'])} ({ROLE_NAMES.get(a['role'], a['role'])})" for a in gone["approved_by"]
            )
            kept = archiving(record)
            filed = f"{kept['at']} 归档 ({md_cell(kept.get('archive_no', '-'))})" if kept else "未归档"
            early = f", 提前销毁: {md_cell(gone['override'])}" if gone.get("override") else ""
            out.write(
                f"\n- 销毁: {record['id']} ({KIND_NAMES[record['kind']]}), {filed}, 保管{gone['retention_years']}年 "
                f"{gone['due']} 到期, {gone['at']} 由 {who(gone['by'])} 执行{early}, 审批: {approvers}; 内容与附件已删除"
            )
        for role, people in change.missing:
            out.write(f"\n- 待审核: {ROLE_NAMES[role]} ({role}): {'、'.join(map(who, people)) or '无人持有该角色'}")
        for stage in change.started:
            due = show(stage.due, tz) if stage.due else "-"
            out.write(f"\n- 开始计时: {stage_label(stage.name)}, 截止 {due}, 负责 {who(stage.responsible)}")
        for stage in change.closed:
            out.write(f"\n- 完成: {stage_label(stage.name)}, {STATE_NAMES[stage.state]}")
        for stage in change.resolved_overdue:
            out.write(f"\n- 消除逾期: {stage_label(stage.name)} (原截止 {show(stage.due, tz) if stage.due else '-'})")
        for finding in change.findings:
            out.write(
                f"\n- ⚠ `{finding.rule}` 第 {finding.line} 行: {md_cell(finding.message)} ({md_cell(finding.hint)})"
            )
        out.write("\n\n")
    for path in summary.removed:
        out.write(f"### ⚠ {md_cell(path)} 被删除或改名\n\n")
    others = [f for f in summary.findings if f.path not in {c.path for c in summary.records}]
    if others:
        out.write("### 其他发现\n\n")
        for finding in others:
            out.write(f"- `{md_cell(finding.path)}:{finding.line}` `{finding.rule}`: {md_cell(finding.message)}\n")
    out.write(f"\n共 {len(summary.records)} 条记录, {len(summary.findings)} 项发现。\n")


def _write_sensitive(summary: Summary, out: TextIO) -> None:
    if not summary.sensitive and not summary.notes:
        return
    out.write(f"### ⚠ 敏感信息 ({len(summary.sensitive)} 项发现)\n\n")
    for finding in summary.sensitive:
        out.write(
            f"- `{md_cell(finding.path)}:{finding.line}` `{finding.rule}`: {md_cell(finding.message)} "
            f"({md_cell(finding.hint)})\n"
        )
    for path, where, detector, shown in summary.notes:
        out.write(f"- 请留意 `{md_cell(path)}` {md_cell(where)}: {detector} {md_cell(shown)} (置信度低, 不阻止合并)\n")
    out.write("\n")


def write_json(summary: Summary, corpus: Corpus, out: TextIO) -> None:
    tz = corpus.policy.timezone if corpus.policy else None

    def stage(s: Stage) -> dict[str, Any]:
        return {
            "stage": s.name,
            "due": show(s.due, tz) if s.due and tz else None,
            "state": s.state,
            "responsible": s.responsible,
        }

    data = {
        "ref": summary.ref,
        "base": summary.base,
        "sensitive": {
            "findings": [f.as_json() for f in summary.sensitive],
            "notes": [{"path": p, "field": w, "detector": d, "masked": m} for p, w, d, m in summary.notes],
        },
        "records": [
            {
                "id": c.record["id"],
                "path": c.path,
                "new": c.new,
                "subject": c.record["subject"],
                "kind": c.record["kind"],
                "direction": c.record["direction"],
                "urgency": c.record["urgency"],
                "classification": c.record["classification"],
                "from": c.record["from"],
                "to": c.record["to"],
                "events": c.events,
                "approvals_needed": [{"role": role, "holders": people} for role, people in c.missing],
                "stages_started": [stage(s) for s in c.started],
                "stages_closed": [stage(s) for s in c.closed],
                "overdue_resolved": [stage(s) for s in c.resolved_overdue],
                "disposed": c.record["disposed"] if c.disposed_here else None,
            }
            for c in summary.records
        ],
        "removed": summary.removed,
        "findings": [f.as_json() for f in summary.findings],
    }
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")
