"""``commlog report``: the management reports; ``report summary`` is the monthly summary (报告汇总)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from commlog.commands.common import (
    as_of_option,
    example,
    load_schedule,
    no_cache_option,
    output_option,
    output_to,
    repo_option,
    resolve_root,
    warn_left_out,
    write_output,
)


@click.group()
def report() -> None:
    """Management reports (报告汇总) over the whole repository."""


@report.command()
@click.option(
    "--period",
    type=click.Choice(["month", "quarter", "year"]),
    default="month",
    show_default=True,
    help="The period holding the as-of time, compared with the one before it.",
)
@as_of_option
@click.option("--department", default=None, help="Only this department (name or code): its records and stages.")
@click.option("--format", "output_format", type=click.Choice(["md", "json", "xlsx"]), default="md", show_default=True)
@output_option
@no_cache_option
@repo_option
@example(
    'commlog report summary --as-of "2026-11-20 17:00"\n'
    "commlog report summary --period quarter --department 市场部 --format json --output summary.json\n"
    "commlog report summary --format xlsx --output 报告汇总.xlsx"
)
def summary(
    period: str,
    as_of: str | None,
    department: str | None,
    output_format: str,
    output: Path | None,
    no_cache: bool,
    repo: Path | None,
) -> None:
    """The summary (报告汇总) per department and in total, against the previous period.

    Records by kind, direction and urgency; each stage's on-time rate (a stage overdue
    at the as-of time counts as late); average and 90th-percentile working time to
    review, to feedback and to archive; stages overdue at the period's end; notices'
    reach; follow-ups sent. A record counts in the period it was submitted in; every
    definition is in site/summary.md. The site's statistics page shows the same figures.
    """
    from commlog.reports.register import BadChoice, department_name
    from commlog.reports.summary import PeriodKind, build_summary
    from commlog.reports.summary_writers import WRITERS, as_xlsx

    moment, plan = load_schedule(repo, as_of, use_cache=not no_cache)
    root = resolve_root(repo)
    if department is not None:
        try:
            department = department_name(department, plan.context.policy)
        except BadChoice as err:
            raise click.BadParameter(str(err), param_hint="--department") from err
    warn_left_out(plan.skipped)
    kind = cast(PeriodKind, period)  # click's Choice holds it to the three
    result = build_summary(root, plan, moment, kind, department, use_cache=not no_cache)
    if output_format == "xlsx":
        write_output(output, as_xlsx(result), root, binary=True)
        return
    with output_to(output, root) as out:
        WRITERS[output_format](result, out)
