from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import (
    as_of_option,
    encoding_option,
    example,
    no_cache_option,
    output_option,
    output_to,
    repo_option,
    resolve_as_of,
    resolve_root,
    strict_option,
    write_output,
)


@click.command()
@as_of_option
@click.option("--department", default=None, help="Only stages this department is accountable for.")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "md", "json", "csv"]), default="text", show_default=True
)
@output_option
@encoding_option
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when anything is overdue (for CI on a schedule).")
@strict_option
@no_cache_option
@repo_option
@example(
    'commlog overdue --as-of "2026-11-20 17:00"\ncommlog overdue --department 市场部 --format csv --output overdue.csv'
)
def overdue(
    as_of: str | None,
    department: str | None,
    output_format: str,
    output: Path | None,
    encoding: str,
    fail_on_overdue: bool,
    strict: bool,
    no_cache: bool,
    repo: Path | None,
) -> None:
    """List every overdue and at-risk stage (逾期报告), most overdue first.

    Overdue time is working hours (工时), or clock hours (小时) for a stage with a
    24x7 SLA; times are shown in the policy's timezone. Files that fail validation are left out, with a
    warning that counts them (--strict: exit 1); run `commlog validate` to see them.
    """
    from commlog.reports.overdue import WRITERS, overdue_report, sheet
    from commlog.reports.spreadsheet import csv_bytes
    from commlog.schedule import NoPolicy, open_stages, provisional_warning

    root = resolve_root(repo)
    moment = resolve_as_of(root, as_of)
    try:
        plan = open_stages(root, moment, use_cache=not no_cache)
    except NoPolicy as err:
        raise click.UsageError(str(err)) from err
    if plan.missing_years:
        click.echo(provisional_warning(plan.missing_years), err=True)
    if department and department not in plan.context.policy.departments:
        raise click.BadParameter(f"'{department}' is not a department in policy.yaml", param_hint="--department")
    if plan.skipped:
        click.echo(
            f"warning: {len({f.path for f in plan.skipped})} invalid file(s) left out; run `commlog validate`", err=True
        )
    report = overdue_report(plan.context, plan.clocks, moment, department)
    if output_format == "csv":
        write_output(output, csv_bytes(sheet(report), encoding), root)
    else:
        with output_to(output, root) as out:
            WRITERS[output_format](report, out)
    overdue_found = fail_on_overdue and any(i.state == "overdue" for i in report.items)
    sys.exit(1 if overdue_found or (strict and plan.skipped) else 0)
