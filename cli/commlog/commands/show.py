from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import as_of_option, example, load_schedule, repo_option


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

    Record text is printed with control characters made visible, so a record cannot drive the terminal.
    """
    from commlog.reports.record import WRITERS, UnknownRecord, describe

    moment, plan = load_schedule(repo, as_of)
    try:
        description = describe(plan, record_id.strip(), moment)
    except UnknownRecord as err:
        raise click.BadParameter(str(err), param_hint="RECORD_ID") from err
    WRITERS[output_format](description, sys.stdout)
