"""``commlog list``: the register (信息交流记录表) in the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from commlog.commands.common import (
    CLEARANCES,
    as_of_option,
    choices,
    encoding_option,
    example,
    load_schedule,
    output_option,
    output_to,
    repo_option,
    resolve_root,
    write_output,
)


@click.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="STATUS",
    help="Only records in this status: an id (pending_review) or its Chinese name (待审核); repeatable.",
)
@click.option(
    "--department",
    "departments",
    multiple=True,
    metavar="DEPT",
    help="Only records this department started: its name (市场部) or code (NX); repeatable.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only records of this kind: an id (notice) or its Chinese name (内部通知); repeatable.",
)
@click.option(
    "--mine",
    is_flag=True,
    help="Only records that concern you (git's user.email): you sent or receive them, owe an approval on them or own one of their tasks.",
)
@as_of_option
@click.option(
    "--clearance",
    type=click.Choice(CLEARANCES),
    default=None,
    help="For a register that leaves the repository: only records at or below this classification, numbers its "
    "readers may not see whole masked (as `commlog export` and the site do). Without it: every record, as in the files.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="csv is the whole register, UTF-8 with a byte order mark for Excel (see --encoding); `commlog export` "
    "writes the register as xlsx.",
)
@output_option
@encoding_option
@repo_option
@example(
    "commlog list --status 待审核\ncommlog list --department NX --kind message --mine\ncommlog list --clearance internal --format csv --output 信息交流记录表.csv"
)
def register_list(
    statuses: tuple[str, ...],
    departments: tuple[str, ...],
    kinds: tuple[str, ...],
    mine: bool,
    as_of: str | None,
    clearance: str | None,
    output_format: str,
    output: Path | None,
    encoding: str,
    repo: Path | None,
) -> None:
    """The register (信息交流记录表), one row per record.

    Records in the order they were started, each with its status and expected feedback time as of --as-of.

    Filters of different kinds all apply; a filter given twice takes either value.
    Files that fail validation are left out, with a warning; run `commlog validate` to see them.
    """
    from commlog.identity import IdentityError, acting_person
    from commlog.reports.register import (
        WRITERS,
        Filters,
        department_name,
        kind_id,
        register,
        sheet,
        status_id,
    )
    from commlog.reports.spreadsheet import csv_bytes

    moment, plan = load_schedule(repo, as_of)
    root = resolve_root(repo)
    ctx = plan.context

    person = None
    if mine:
        try:
            person = acting_person(root, ctx.staff)
        except IdentityError as err:
            raise click.UsageError(f"--mine: {err}") from err
    filters = Filters(
        statuses=choices(statuses, status_id, "--status"),
        departments=choices(departments, lambda v: department_name(v, ctx.policy), "--department"),
        kinds=choices(kinds, kind_id, "--kind"),
        person=person,
        clearance=clearance,
    )
    if plan.skipped:
        click.echo(
            f"warning: {len({f.path for f in plan.skipped})} invalid file(s) left out; run `commlog validate`", err=True
        )
    reg = register(plan, moment, filters)
    if output_format == "csv":
        write_output(output, csv_bytes(sheet(reg), encoding), root)
        return
    with output_to(output, root) as out:
        WRITERS[output_format](reg, out)
