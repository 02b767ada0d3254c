"""``commlog contacts audit``: the quarterly audit of the contacts registers (联络信息审核报告)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import (
    as_of_option,
    example,
    no_cache_option,
    output_option,
    output_to,
    repo_option,
    resolve_as_of,
    resolve_root,
    write_output,
)


@click.command()
@as_of_option
@click.option(
    "--format", "output_format", type=click.Choice(["text", "md", "json", "xlsx"]), default="text", show_default=True
)
@output_option
@click.option("--fail-on-findings", is_flag=True, help="Exit 1 when the audit finds anything (for CI on a schedule).")
@no_cache_option
@repo_option
@example(
    'commlog contacts audit --as-of "2026-11-20 17:00"\n'
    "commlog contacts audit --format xlsx --output 联络信息审核报告.xlsx\n"
    'git commit --allow-empty -m "2026年第四季度联络信息审核" -m "Contacts-Reviewed: all"'
)
def audit(
    as_of: str | None,
    output_format: str,
    output: Path | None,
    fail_on_findings: bool,
    no_cache: bool,
    repo: Path | None,
) -> None:
    """The quarterly audit of the contacts (联络信息审核报告).

    Lists contacts not reviewed within the policy's period (from git: a commit that changed the
    file, or one whose message has the trailer `Contacts-Reviewed: ID...` or `all`), changes
    committed later than the policy allows, departed staff still holding roles, named on open
    records or past the keep period, ended organisations due for review, bad numbers and emails,
    duplicates, and approval roles without a holder. Commits after --as-of do not count. See
    site/contacts-audit.md.
    """
    from commlog.reports.contacts_audit import contacts_audit
    from commlog.reports.contacts_audit_writers import WRITERS, xlsx
    from commlog.schedule import NoPolicy

    root = resolve_root(repo)
    moment = resolve_as_of(root, as_of)
    if output_format == "xlsx" and output is None:
        raise click.UsageError("an xlsx workbook needs --output FILE")
    try:
        report = contacts_audit(root, moment, use_cache=not no_cache)
    except NoPolicy as err:
        raise click.UsageError(str(err)) from err
    if report.skipped:
        click.echo(
            f"warning: {len({f.path for f in report.skipped})} invalid file(s) left out; run `commlog validate`",
            err=True,
        )
    if output_format == "xlsx":
        write_output(output, xlsx(report), root, binary=True)
    else:
        with output_to(output, root) as out:
            WRITERS[output_format](report, out)
    sys.exit(1 if fail_on_findings and report.findings else 0)
