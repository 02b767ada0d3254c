from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import as_of_option, example, load_schedule, repo_option, resolve_root


@click.command()
@click.argument("record_id")
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@repo_option
@example('commlog show NX-2024-001\ncommlog show NJ-2024-032 --as-of "2024-10-08 15:00" --format json')
def show(record_id: str, as_of: str | None, output_format: str, repo: Path | None) -> None:
    """One record as a person reads it.

    Its fields under their Chinese names, status, approvals given and still needed (with who may give
    them), the events as a timeline, each deadline and the records it is linked to, as of --as-of.

    Each event names the commit that added it and that commit's author (未提交 when it is not
    committed yet, (历史之前) when a shallow clone lacks it); an event whose author is not the
    person it names, nor the one who recorded it for them, is marked ⚠.

    Record text is printed with control characters made visible, so a record cannot drive the terminal.
    """
    from commlog.reports.record import WRITERS, UnknownRecord, describe

    moment, plan = load_schedule(repo, as_of)
    try:
        description = describe(plan, record_id.strip(), moment, root=resolve_root(repo))
    except UnknownRecord as err:
        raise click.BadParameter(str(err), param_hint="RECORD_ID") from err
    WRITERS[output_format](description, sys.stdout)
