"""``commlog dispose``: replace a record past its retention term by a disposal stub, with the approvals the policy names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from commlog.commands.common import clock, example, repo_option, resolve_root


@click.command()
@click.argument("record_id")
@click.option(
    "--approve-by",
    "approvers",
    metavar="PERSON",
    multiple=True,
    required=True,
    help="A staff id who approved the disposal (repeat: one per role of policy.yaml disposal.approval_roles).",
)
@click.option(
    "--before-due",
    metavar="REASON",
    help="Dispose of a record whose term has not ended, saying why (kept in the stub as its override).",
)
@click.option("--at", metavar="TIME", help="When it was done, 'YYYY-MM-DD HH:MM' (policy timezone); default now.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@repo_option
@example("commlog dispose NB-2024-056 --approve-by deng-gang --approve-by luo-qing")
def dispose(
    record_id: str,
    approvers: tuple[str, ...],
    before_due: str | None,
    at: str | None,
    output_format: str,
    repo: Path | None,
) -> None:
    """Dispose of a record whose retention term has ended (销毁).

    Run by the archivist (档案管理员). The record's file becomes a stub that keeps its register
    row, its events' dates and its archive number, with a `disposed` block (when, by whom, the
    schedule's rule, who approved); every free text and the attachment folder records/<year>/<id>/
    are removed. Refused, with nothing changed (exit 2), when the record is not due (unless
    --before-due), on legal hold, not archived, or without the approvals. Git history still holds
    the old content: see site/retention.md for removing it for good.
    """
    from commlog.disposal import dispose as dispose_record
    from commlog.lifecycle import Refusal, Register, actor, moment, one_at_a_time

    root = resolve_root(repo)
    try:
        with one_at_a_time(root):
            register = Register.open(root)
            who = actor(register)
            done = dispose_record(register, record_id, who, moment(register, at, clock()), list(approvers), before_due)
    except Refusal as err:
        click.echo(f"refused: {err}", err=True)
        sys.exit(2)
    if output_format == "json":
        body = {
            "id": done.record_id,
            "path": done.path,
            "disposed": done.block,
            "attachments_removed": done.attachments_removed,
            "allow_entries_removed": done.accepted_removed,
        }
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    approved = ", ".join(f"{register.name(a['person'])} ({a['role']})" for a in done.block["approved_by"])
    click.echo(
        f"{done.record_id}: 已销毁 at {done.block['at']} by {register.name(done.block['by'])}, approved by {approved}"
    )
    click.echo(f"authority: {done.block['authority']}")
    if done.attachments_removed:
        click.echo(f"attachments removed: {done.attachments_removed} file(s)")
    if done.accepted_removed:
        click.echo(
            f"allow-list entries removed: {done.accepted_removed} (.commlog/allowed-sensitive.yaml: commit it too)"
        )
    click.echo(
        f"commit {done.path} (and the removed folder); git history still holds the old content: site/retention.md"
    )
