"""``commlog retention``: the retention schedule applied (records due for disposal, due soon, held, disposed)."""

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
    warn_left_out,
    write_output,
)


@click.command()
@as_of_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "md", "json", "csv", "xlsx"]),
    default="text",
    show_default=True,
)
@click.option("--all", "all_rows", is_flag=True, help="Also list the records kept and those not archived yet.")
@output_option
@encoding_option
@click.option("--fail-on-due", is_flag=True, help="Exit 1 when a record is due for disposal (for CI on a schedule).")
@no_cache_option
@repo_option
@example(
    'commlog retention --as-of "2026-11-20 17:00"\n'
    "commlog retention --format xlsx --output 留存报告.xlsx\n"
    "commlog retention --fail-on-due"
)
def retention(
    as_of: str | None,
    output_format: str,
    all_rows: bool,
    output: Path | None,
    encoding: str,
    fail_on_due: bool,
    no_cache: bool,
    repo: Path | None,
) -> None:
    """List the records due for disposal, due soon, on legal hold and disposed (留存报告).

    A record's term is the longest policy.yaml retention row matching its importance (records
    important by nature count as important: disposal.important_by_nature) and classification, from
    its archiving. A schedule row shorter than the national archives rules' 10 years is warned about
    at the top of the report (on standard error for json, csv and xlsx). text and md list what needs
    attention (--all: every record); json, csv and xlsx hold every record.
    """
    from commlog.index.corpus import load_corpus
    from commlog.reports.retention import WRITERS, retention_report, sheet
    from commlog.reports.spreadsheet import csv_bytes, xlsx_bytes

    root = resolve_root(repo)
    moment = resolve_as_of(root, as_of)
    corpus, findings = load_corpus(root, use_cache=not no_cache)
    if corpus.policy is None:
        raise click.UsageError("policy.yaml is missing or invalid; run `commlog validate` to see why")
    warn_left_out(findings)
    report = retention_report(corpus, moment)
    if output_format != "text":
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
    if output_format == "csv":
        write_output(output, csv_bytes(sheet(report), encoding), root)
    elif output_format == "xlsx":
        write_output(output, xlsx_bytes([sheet(report)]), root, binary=True)
    else:
        with output_to(output, root) as out:
            WRITERS[output_format](report, out, all_rows or output_format == "json")
    sys.exit(1 if fail_on_due and report.count("due") else 0)
