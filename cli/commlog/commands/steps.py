"""One command per step of a record's life (approve, send, ack, archive, ...), made from :data:`commlog.steps.STEPS`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from commlog.commands.common import clock, example, repo_option, resolve_root
from commlog.steps import STEPS, Request, Step

EXAMPLES = {
    "submit": "commlog submit NX-2026-012",
    "resubmit": 'commlog resubmit NX-2026-012 --note "按审核意见补充了报价依据"',
    "approve": 'commlog approve NX-2026-012 --note "同意"',
    "reject": 'commlog reject NX-2026-012 --reason "请补充交期依据"',
    "send": 'commlog send NX-2026-012 --channel email --evidence "邮件已送达 2026-11-23 10:05"\n'
    "commlog send NX-2026-012 --channel letter --evidence-file 签收回执.pdf",
    "publish": "commlog publish XZ-2026-004 --channel oa",
    "reply": 'commlog reply NX-2026-020 --note "已出具反馈函" --channel email',
    "feedback": 'commlog feedback NX-2026-012 --from customer-a/li-na --note "客户确认交期"',
    "answer": 'commlog answer NB-2026-003 --note "生产部可于11月30日前完成"',
    "quote": "commlog quote CG-2026-005 --from supplier-b/zhou-min --amount 128000",
    "ack": "commlog ack XZ-2026-004",
    "follow-up": 'commlog follow-up NX-2026-012 --note "请于今日下班前反馈"',
    "escalate": 'commlog escalate NX-2026-012 --note "两次催办未复"',
    "progress": 'commlog progress NB-2026-003 --task 2 --status done --note "样品已交付"',
    "issue": 'commlog issue NB-2026-003 --task 2 --note "原料延期两天"',
    "accept": 'commlog accept NB-2026-003 --outcome passed --note "验收合格"',
    "contact": 'commlog contact NX-2026-020 --note "电话联系客户确认需求" --channel phone',
    "review": 'commlog review NX-2026-020 --outcome passed --note "需求可行"',
    "resolve": 'commlog resolve NX-2026-020 --note "更换批次后问题消除"',
    "satisfaction": 'commlog satisfaction NX-2026-020 --score 5 --note "客户满意"',
    "qualify": "commlog qualify CG-2026-005 --outcome passed",
    "negotiate": 'commlog negotiate CG-2026-005 --note "单价下调3%"',
    "legal-review": 'commlog legal-review CG-2026-005 --outcome passed --note "合同条款无异议"',
    "sign": "commlog sign CG-2026-005 --contract-no HT-2026-031 --amount 124000",
    "quarterly-review": 'commlog quarterly-review CG-2026-005 --note "第三季度交付准时率98%"',
    "complete": "commlog complete NX-2026-012",
    "archive": "commlog archive NX-2026-012",
    "reopen": 'commlog reopen NX-2026-012 --reason "客户追加需求"',
    "cancel": 'commlog cancel NX-2026-012 --reason "需求已撤回"',
    "hold": 'commlog hold CG-2024-001 --reason "供应商质量纠纷诉讼, 法务部要求保全"',
    "release": 'commlog release CG-2024-001 --reason "诉讼已结案"',
    "comment": 'commlog comment NX-2026-012 --note "客户来电询问进度"',
}

OPTIONS: dict[str, Callable[[Any], Any]] = {
    "note": click.option("--note", help="Opinion, content or remark (审核意见, 反馈内容, 说明)."),
    "reason": click.option("--reason", "note", help="Why (退回原因, 取消原因, 冻结或解除冻结的原因)."),
    "role": click.option(
        "--role",
        type=click.Choice(["dept_head", "division_leader", "general_manager", "legal"]),
        help="The role you act in, when you hold several the record needs.",
    ),
    "channel": click.option("--channel", help="Channel id from policy.yaml (oa, email, letter, ...)."),
    "evidence": click.option("--evidence", help="Proof of delivery in words (签收回执, 系统状态)."),
    "evidence_file": click.option(
        "--evidence-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A file kept as evidence: copied into the record's attachment folder.",
    ),
    "to": click.option(
        "--to", help="Who it is addressed to: a staff id or org/person (default: whoever the stage waits on)."
    ),
    "stage": click.option(
        "--stage", help="The stage chased (review, feedback, answer, ...; default: the most urgent open one)."
    ),
    "from": click.option("--from", "from_", help="Who gave it: a staff id, or org/person for an outside person."),
    "task": click.option("--task", help="Task (or action item) number."),
    "status": click.option(
        "--status",
        type=click.Choice(["not_started", "in_progress", "done", "blocked", "cancelled"]),
        help="The task's new status.",
    ),
    "outcome": click.option("--outcome", type=click.Choice(["passed", "failed", "conditional"]), help="Conclusion."),
    "score": click.option("--score", type=click.IntRange(1, 5), help="Satisfaction from 1 to 5."),
    "amount": click.option("--amount", type=click.FloatRange(min=0), help="Amount in yuan (or --currency)."),
    "currency": click.option("--currency", help="ISO 4217 code when not CNY."),
    "contract_no": click.option("--contract-no", help="The signed contract's number."),
}

for_option = click.option(
    "--for",
    "on_behalf_of",
    metavar="PERSON",
    help="Record the step for this person (a delegate the policy names, e.g. for a decision given by phone).",
)
at_option = click.option(
    "--at",
    metavar="TIME",
    help="When it happened, 'YYYY-MM-DD HH:MM' (policy timezone); default now. Not before the record's last event.",
)
late_option = click.option(
    "--late-entry",
    metavar="REASON",
    help="Why the step is entered later than the policy allows (e.g. 电话答复，次日补录); shown to the reviewer.",
)
format_option = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def refused(message: str) -> None:
    """Print why nothing was written, and exit 1."""
    click.echo(f"refused: {message}", err=True)
    sys.exit(1)


def make_command(step: Step) -> click.Command:
    def command(
        record_id: str, repo: Path | None, on_behalf_of: str | None, at: str | None, output_format: str, **given: Any
    ) -> None:
        from commlog.lifecycle import Refusal, Register, actor, moment, one_at_a_time
        from commlog.steps import take

        root = resolve_root(repo)
        try:
            with one_at_a_time(root):
                register = Register.open(root)
                who = actor(register, on_behalf_of)
                now = clock()
                done = take(register, step, record_id, who, moment(register, at, now), Request(**given), now)
        except Refusal as err:
            refused(str(err))
            return
        if output_format == "json":
            click.echo(
                json.dumps(
                    {
                        "id": done.record_id,
                        "path": str(done.path.relative_to(root)),
                        "event": done.event,
                        "status": done.status,
                        "next": done.next,
                    },
                    ensure_ascii=False,
                )
            )
            return
        from commlog.workflow import EVENT_NAMES, STATUS_NAMES

        click.echo(
            f"{done.record_id}: {EVENT_NAMES[step.event]} ({step.event}) at {done.event['at']} by {register.name(done.event['by'])}"
            + (f", recorded by {register.name(done.event['recorded_by'])}" if "recorded_by" in done.event else "")
        )
        if "archive_no" in done.event:
            click.echo(f"archive number: {done.event['archive_no']}")
        click.echo(f"status: {STATUS_NAMES[done.status]} ({done.status})")
        for line in done.next:
            click.echo(f"  {line}")
        evidence = f" and {done.path.parent.relative_to(root)}/{done.record_id}/" if given.get("evidence_file") else ""
        click.echo(f"wrote {done.path.relative_to(root)}{evidence}; commit it and open a pull request")

    command.__doc__ = (
        step.summary
        + f"\n\nWho may: {_who(step)}. The event is appended to records/<year>/RECORD_ID.yaml; nothing else changes."
    )
    decorated: Any = command
    for name in reversed(step.options):
        decorated = OPTIONS[name](decorated)
    for decorate in (format_option, late_option, at_option, for_option, repo_option):
        decorated = decorate(decorated)
    decorated = click.argument("record_id")(decorated)
    decorated = example(EXAMPLES[step.command])(decorated)
    command_object = click.command(step.command)(decorated)
    required = {_key(name) for name in step.required}
    for param in command_object.params:
        if param.name in required:
            param.required = True  # click names it in the usage error and marks it [required] in --help
    return command_object


def _key(name: str) -> str:
    return "from_" if name == "from" else name


def _who(step: Step) -> str:
    from commlog.steps import WHO_TEXT

    return WHO_TEXT[step.who]


STEP_COMMANDS = [make_command(step) for step in STEPS.values()]
