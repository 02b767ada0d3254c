"""``commlog todo``: what is waiting on one member of staff, most urgent first."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import as_of_option, example, load_schedule, repo_option, resolve_root


@click.command()
@click.option(
    "--person",
    default=None,
    metavar="PERSON",
    help="Whose list: a staff id (wang-fang), a name (王芳) or a work email; default: you (git's user.email).",
)
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@repo_option
@example('commlog todo\ncommlog todo --person wang-fang --as-of "2026-11-20 17:00"')
def todo(person: str | None, as_of: str | None, output_format: str, repo: Path | None) -> None:
    """What is waiting on a person right now, most urgent first.

    Overdue first, then at risk, then the rest by deadline: approvals to give, notices to confirm (已阅), feedback and answers owed (also those of the
    department they head), tasks and action items, reminders received (催办), their own drafts to submit and
    records to send, resubmit or chase, and for the archivist (档案管理员) records to archive.

    Each line gives the deadline and its state, the record, what to do and the command that does it
    (replace TEXT, N and C with your own).
    """
    from commlog.identity import IdentityError, acting_person
    from commlog.reports.people import UnknownPerson, find_person
    from commlog.reports.todo import WRITERS
    from commlog.reports.todo import todo as waiting_on

    moment, plan = load_schedule(repo, as_of)
    staff = plan.context.staff
    if person is None:
        try:
            who = acting_person(resolve_root(repo), staff)
        except IdentityError as err:
            raise click.UsageError(f"{err}; or name someone with --person") from err
    else:
        try:
            who = find_person(person, staff)
        except UnknownPerson as err:
            raise click.BadParameter(str(err), param_hint="--person") from err
    if plan.skipped:
        click.echo(
            f"warning: {len({f.path for f in plan.skipped})} invalid file(s) left out; run `commlog validate`", err=True
        )
    WRITERS[output_format](waiting_on(plan, who, moment), sys.stdout)
