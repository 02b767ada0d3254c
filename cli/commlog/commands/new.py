from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from commlog.commands.common import clock, example, repo_option, resolve_root
from commlog.commands.steps import at_option, for_option, format_option, late_option, refused

KINDS = ["message", "notice", "collaboration", "customer_request", "supplier_request", "minutes"]
table_file = click.Path(dir_okay=False, exists=True, path_type=Path)


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--to",
    "to",
    multiple=True,
    help="Recipient: a department, 部门/person, org, org/person, a staff id, or all (repeatable).",
)
@click.option("--subject", help="信息主题: what it is about, precisely.")
@click.option("--summary", help="内容摘要: background, request, who is concerned, the time asked for.")
@click.option("--urgency", type=click.Choice(["normal", "urgent", "critical"]), help="普通/紧急/特急 (default normal).")
@click.option("--channel", "channels", multiple=True, help="Channel id from policy.yaml (repeatable).")
@click.option(
    "--classification",
    type=click.Choice(["public", "internal", "confidential", "secret"]),
    help="密级 (default internal).",
)
@click.option(
    "--importance", type=click.Choice(["normal", "important"]), help="重要性; important adds approvals and retention."
)
@click.option("--legal-effect", is_flag=True, help="The document has legal effect (the legal department reviews it).")
@click.option("--feedback-due", metavar="TIME", help="预计反馈时间 agreed, 'YYYY-MM-DD HH:MM'.")
@click.option("--in-reply-to", metavar="ID", help="The record this one answers.")
@click.option("--matter", help="归档事项 (external archive).")
@click.option("--project", help="归档项目 (internal archive).")
@click.option("--draft", is_flag=True, help="Write a draft (草稿) to finish later; `commlog submit` submits it.")
@click.option("--background", help="Notice: 通知背景 (default: the summary).")
@click.option("--item", "items", multiple=True, help="Notice: one 通知事项 (repeatable).")
@click.option("--requirements", help="Notice: 执行要求.")
@click.option("--contact", help="Notice: staff id to ask (联系人).")
@click.option("--effective", metavar="DATE", help="Notice: 生效日期 'YYYY-MM-DD'.")
@click.option(
    "--tasks",
    "tasks_file",
    type=table_file,
    help="Collaboration: tasks from a YAML list or CSV (no,name,department,owner,start,end,...).",
)
@click.option("--acceptance-criteria", help="Collaboration: 验收标准.")
@click.option("--need", help="Customer or supplier request: 需求描述 (default: the summary).")
@click.option("--expected-by", metavar="DATE", help="Request: 期望完成时间 'YYYY-MM-DD'.")
@click.option("--budget", type=click.FloatRange(min=0), help="Request: budget in yuan.")
@click.option("--source", help="Customer request: how it came in (visit, phone, complaint...).")
@click.option("--held-at", metavar="TIME", help="Minutes: when the meeting began (default: --at).")
@click.option("--place", help="Minutes: room or link.")
@click.option("--host", help="Minutes: chair's staff id (default: you).")
@click.option("--attendee", "attendees", multiple=True, help="Minutes: staff id or org/person (repeatable).")
@click.option("--decision", "decisions", multiple=True, help="Minutes: one decision (repeatable).")
@click.option(
    "--action-items",
    "actions_file",
    type=table_file,
    help="Minutes: action items from a YAML list or CSV (no,task,owner,due).",
)
@at_option
@late_option
@for_option
@format_option
@repo_option
@example(
    'commlog new message --to customer-a/li-na --subject "确认11月交期" --summary "请客户确认……" --channel email --urgency urgent\n'
    'commlog new notice --to all --subject "元旦放假安排" --summary "……" --item "1月1日放假" --channel oa\n'
    "commlog new collaboration --to 生产部 --to 采购部 --subject 新品试产 --summary ... --channel oa --tasks tasks.csv"
)
def new(
    kind: str, repo: Path | None, on_behalf_of: str | None, at: str | None, output_format: str, **given: Any
) -> None:
    """Register a new record: the next number for your department, its file, and its submission.

    You are the member of staff whose contact email is `git config user.email`. In a
    terminal, what is missing is asked for; without one, missing options are an error.
    Prints the id, the file, the approvals it needs and its deadlines.
    """
    from commlog.lifecycle import Refusal, Register, actor, check_late, moment, one_at_a_time, written
    from commlog.registration import create

    root = resolve_root(repo)
    try:
        _ask_for_missing(kind, given, Register.open(root))  # before taking the lock: a prompt may wait long
        with one_at_a_time(root):
            register = Register.open(root)
            who = actor(register, on_behalf_of)
            now = clock()
            when = moment(register, at, now)
            check_late(register, when, now, given.get("late_entry"))
            registered = create(register, _new_record(kind, given, who.person, written(register, when)), who, when)
    except Refusal as err:
        refused(str(err))
        return
    relative = registered.path.relative_to(root).as_posix()
    if output_format == "json":
        stages = [
            {"stage": s.name, "due": register.time_text(s.due) if s.due else None, "responsible": s.responsible}
            for s in registered.stages
        ]
        needed = [{"role": role, "holders": people} for role, people in registered.approvals]
        click.echo(
            json.dumps(
                {"id": registered.record_id, "path": relative, "approvals_needed": needed, "stages": stages},
                ensure_ascii=False,
            )
        )
        return
    from commlog.lifecycle import role_text, status_line

    click.echo(f"registered {registered.record_id}: {relative}")
    click.echo(f"status: {status_line(register, registered.record)}")
    for role, people in registered.approvals:
        click.echo(f"  needs {role_text(role)}: {', '.join(map(register.name, people)) or 'no one holds it'}")
    from commlog.steps import stage_line

    for stage in registered.stages:
        if stage.due is not None:
            click.echo(f"  {stage_line(register, stage)}")
    click.echo(
        f"next: commit {relative} and open a pull request; approvers run `commlog approve {registered.record_id}`"
    )


def _ask_for_missing(kind: str, given: dict[str, Any], register: Any) -> None:
    """Prompt in a terminal for what is missing; without one, name the missing options."""
    wanted = [("to", "--to"), ("subject", "--subject"), ("summary", "--summary"), ("channels", "--channel")]
    wanted += {"notice": [("items", "--item")], "minutes": [("attendees", "--attendee")]}.get(kind, [])
    missing = [(key, flag) for key, flag in wanted if not given.get(key)]
    interactive = sys.stdin.isatty()
    if missing and not interactive:
        raise click.UsageError(
            f"`commlog new {kind}` needs {', '.join(flag for _, flag in missing)} (no terminal to ask in)"
        )
    if not interactive:
        return
    for key, choices, default in (
        ("urgency", ["normal", "urgent", "critical"], "normal"),
        ("classification", ["public", "internal", "confidential", "secret"], "internal"),
    ):
        if given.get(key) is None:
            given[key] = click.prompt(key, type=click.Choice(choices), default=default)
    for key, flag in missing:
        if key == "channels":
            classification = given.get("classification") or "internal"
            fits = [c.id for c in register.policy.channels.values() if classification in c.classifications]
            given[key] = (click.prompt("channel", type=click.Choice(fits)),)
        elif key in ("to", "items", "attendees"):
            given[key] = tuple(
                part.strip() for part in click.prompt(f"{flag[2:]} (comma-separated)").split(",") if part.strip()
            )
        else:
            given[key] = click.prompt(flag[2:])


def _new_record(kind: str, given: dict[str, Any], person: str, at: str) -> Any:
    from commlog.registration import NewRecord, read_table

    own: dict[str, Any] = {}
    if kind == "notice":
        notice = {"background": given["background"] or given["summary"], "items": list(given["items"])}
        notice |= {k: given[k] for k in ("requirements", "contact", "effective") if given.get(k)}
        own["notice"] = notice
    elif kind == "collaboration":
        own["tasks"] = read_table(given["tasks_file"], "--tasks") if given.get("tasks_file") else []
        if given.get("acceptance_criteria"):
            own["acceptance_criteria"] = given["acceptance_criteria"]
    elif kind in ("customer_request", "supplier_request"):
        request: dict[str, Any] = {"need": given["need"] or given["summary"]}
        keys = ("expected_by", "budget", "source") if kind == "customer_request" else ("expected_by", "budget")
        request |= {k: given[k] for k in keys if given.get(k) is not None}
        own["request"] = request
    elif kind == "minutes":
        held = given.get("held_at") or at
        own["meeting"] = {
            k: v
            for k, v in (
                ("held_at", held),
                ("place", given.get("place")),
                ("host", given.get("host") or person),
                ("recorder", person),
            )
            if v
        }
        own["attendees"] = list(given["attendees"])
        if given.get("decisions"):
            own["decisions"] = list(given["decisions"])
        own["action_items"] = read_table(given["actions_file"], "--action-items") if given.get("actions_file") else []
    return NewRecord(
        kind=kind,
        to=list(given["to"]),
        subject=given["subject"],
        summary=given["summary"],
        channels=list(given["channels"]),
        urgency=given.get("urgency") or "normal",
        classification=given.get("classification") or "internal",
        importance=given.get("importance"),
        legal_effect=given.get("legal_effect", False),
        feedback_due=given.get("feedback_due"),
        in_reply_to=given.get("in_reply_to"),
        matter=given.get("matter"),
        project=given.get("project"),
        draft=given.get("draft", False),
        late_entry=given.get("late_entry"),
        own=own,
    )
