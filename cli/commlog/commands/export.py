"""``commlog export``: the register and the contacts as spreadsheets (xlsx, CSV) or JSON."""

from __future__ import annotations

import json
from datetime import date, datetime
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
    repo_option,
    resolve_root,
    write_output,
)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2024-10-08", param_hint=option) from None


@click.command()
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only records of this kind: an id (notice) or its Chinese name (内部通知); repeatable. "
    "`contacts` (通讯录) exports the contacts registers instead.",
)
@click.option(
    "--from", "start", default=None, metavar="DATE", help="Only records started (发起时间) on or after this day."
)
@click.option("--to", "end", default=None, metavar="DATE", help="Only records started on or before this day.")
@click.option(
    "--department",
    "departments",
    multiple=True,
    metavar="DEPT",
    help="Only records this department started: its name (市场部) or code (NX); repeatable.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="STATUS",
    help="Only records in this status: an id (archived) or its Chinese name (已归档); repeatable.",
)
@click.option(
    "--clearance",
    type=click.Choice(CLEARANCES),
    default="internal",
    show_default=True,
    help="Highest classification exported; nothing above it is in the file. Contacts above it are left out; a "
    "contact's numbers are whole at or above its classification (private numbers: confidential; the policy's "
    "contacts.numbers_at may ask more), masked 138****1234 below.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["xlsx", "csv", "json"]),
    required=True,
    help="xlsx: one sheet per table, with a title row; csv: one table (--sheet), no title row; json: every table.",
)
@click.option(
    "--sheet",
    default=None,
    metavar="NAME",
    help="For csv: which table (信息交流记录表 by default; 任务分解表, 会议纪要行动项, 通知确认表; "
    "内部联络信息表 or 外部联络信息表 with --kind contacts).",
)
@encoding_option
@output_option
@as_of_option
@repo_option
@example(
    "commlog export --format xlsx --output 信息交流记录表.xlsx\n"
    "commlog export --from 2026-01-01 --to 2026-06-30 --department 市场部 --format csv --output 市场部.csv\n"
    "commlog export --kind collaboration --format csv --sheet 任务分解表 --encoding gb18030 --output 任务.csv\n"
    "commlog export --kind contacts --clearance confidential --format xlsx --output 联络信息表.xlsx"
)
def export(
    kinds: tuple[str, ...],
    start: str | None,
    end: str | None,
    departments: tuple[str, ...],
    statuses: tuple[str, ...],
    clearance: str,
    output_format: str,
    sheet: str | None,
    encoding: str,
    output: Path | None,
    as_of: str | None,
    repo: Path | None,
) -> None:
    """Export the register (信息交流记录表) or the contacts as a spreadsheet.

    The columns are the procedure's, in its order, with values as people write them (names, 紧急,
    企业邮箱, 已归档) and times as spreadsheet dates; the columns commlog needs to import the file again
    follow them. The xlsx has one sheet per table: the register, and where the records hold them the
    task decomposition table (任务分解表), the minutes' action items (会议纪要行动项) and the notices'
    read confirmations (通知确认表); each with a title row (organisation, period, clearance) and frozen
    headings. CSV is UTF-8 with a byte order mark (Excel and WPS read it), or --encoding gb18030.

    Records are as they stood at --as-of (default now). Files that fail validation are left out, with a warning.
    """
    from commlog.reports import export as exporting
    from commlog.reports.register import department_name, kind_id, status_id
    from commlog.reports.spreadsheet import csv_bytes, xlsx_bytes

    moment, plan = load_schedule(repo, as_of)
    root = resolve_root(repo)
    policy = plan.context.policy
    organisation = exporting.organisation_name(root)
    contacts = any(k.strip().lower() in ("contacts", "通讯录", "联络信息表") for k in kinds)
    if contacts:
        if len(kinds) > 1 or start or end or departments or statuses:
            raise click.UsageError("--kind contacts takes no other --kind, --from, --to, --department or --status")
        result = exporting.contacts_export(plan, clearance, organisation, moment)
    else:
        first, last = _day(start, "--from"), _day(end, "--to")
        if first and last and first > last:
            raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
        selection = exporting.Selection(
            kinds=choices(kinds, kind_id, "--kind"),
            departments=choices(departments, lambda v: department_name(v, policy), "--department"),
            statuses=choices(statuses, status_id, "--status"),
            start=first,
            end=last,
            clearance=clearance,
        )
        result = exporting.records_export(plan, selection, organisation, moment)
        if plan.skipped:
            click.echo(
                f"warning: {len({f.path for f in plan.skipped})} invalid file(s) left out; run `commlog validate`",
                err=True,
            )
    if sheet is not None and output_format != "csv":
        raise click.BadParameter("only CSV holds one table; xlsx and json hold them all", param_hint="--sheet")
    if output_format == "xlsx":
        write_output(output, xlsx_bytes(result.tables), root, binary=True)
    elif output_format == "csv":
        names = [t.name for t in result.tables]
        wanted = sheet or names[0]
        table = next((t for t in result.tables if t.name == wanted), None)
        if table is None:
            raise click.BadParameter(
                f"'{wanted}' is not among this export's tables: {', '.join(names)}", param_hint="--sheet"
            )
        write_output(output, csv_bytes(table, encoding), root)
    else:

        def value(cell: object) -> object:
            # JSON keeps times with their offsets, as the records write them, not as a spreadsheet shows them.
            return cell.isoformat() if isinstance(cell, datetime | date) else cell

        document = {
            "organisation": result.organisation,
            "period": result.period,
            "clearance": result.clearance,
            "as_of": moment.isoformat(),
            "tables": [
                {
                    "name": t.name,
                    "title": t.title,
                    "headings": t.headings,
                    "rows": [dict(zip(t.headings, map(value, row), strict=True)) for row in t.rows],
                }
                for t in result.tables
            ],
        }
        write_output(output, (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), root)
