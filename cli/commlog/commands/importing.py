"""``commlog import``: a register kept in Excel (xlsx or CSV) into records, one per row."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    default="register",
    type=click.Choice(["register", "contacts"]),
    show_default=True,
    help="What the file holds: the register (信息交流记录表) or the contacts (内部/外部联络信息表).",
)
@click.option(
    "--sheet",
    default=None,
    metavar="NAME",
    help="The sheet to read (default: the one named like the register, or the only one).",
)
@click.option(
    "--encoding",
    default=None,
    metavar="ENCODING",
    help="Of a CSV file: utf-8 (with or without a byte order mark, the default) or gb18030 (GBK, as Excel on a "
    "Chinese Windows saves 'CSV').",
)
@click.option("--dry-run", is_flag=True, help="Check everything and report what would be written; write nothing.")
@repo_option
@example(
    "commlog import 信息交流记录表.xlsx --dry-run\n"
    "commlog import 信息交流记录表.xlsx\n"
    "commlog import 2023年登记表.csv --encoding gb18030\n"
    "commlog import 联络信息表.xlsx --kind contacts --sheet 内部联络信息表"
)
def import_(file: Path, kind: str, sheet: str | None, encoding: str | None, dry_run: bool, repo: Path | None) -> None:
    """Import a register kept in a spreadsheet: one record per row, with the events its columns imply.

    With --kind contacts, the contacts registers as `commlog export --kind contacts` writes them (内部联络信息表:
    one member of staff a row, 人员编号 the file name; 外部联络信息表: one person a row, the organisation's columns
    repeated); both sheets of a workbook unless --sheet names one. Masked numbers (138****1234) are refused.

    Every kind is imported (记录类型): a kind's own parts are in the columns after the procedure's (需求描述,
    通知事项, 会议时间, 参会人员, ...); in an xlsx workbook, unless --sheet names one sheet, the sheets 任务分解表,
    会议纪要行动项 and 通知确认表 give the collaborations' tasks, the minutes' action items and the notices' read
    confirmations, each row joined to its record by 信息编号.

    The headings may be the procedure's (信息编号, 发起部门, 发起人, ...) or their field names; a title row
    above them is skipped. People, organisations and departments are matched by name to the contacts and
    the policy. Everything is checked first: if any row is wrong, every wrong row is listed (file:row:column:
    rule: heading: reason) and nothing is written. Rows whose 信息编号 is in the repository already are
    reported and left as they are, so importing the same file twice changes nothing.

    The accepted headings and how each column becomes part of a record: site/spreadsheets.md.
    """
    from commlog.importing import Unreadable, import_register
    from commlog.importing.contacts import import_contacts
    from commlog.lifecycle import Refusal, Register

    root = resolve_root(repo)
    if not file.exists():
        raise click.BadParameter(f"{file}: no such file", param_hint="FILE")
    try:
        register = Register.open(root)
        if kind == "contacts":
            outcomes = import_contacts(register, file, sheet, encoding, dry_run)
        else:
            outcomes = [import_register(register, file, sheet, encoding, dry_run)]
    except Refusal as err:
        raise click.UsageError(str(err)) from err
    except Unreadable as err:
        for problem in err.problems:
            click.echo(problem.as_text(), err=True)
        click.echo("nothing was written", err=True)
        sys.exit(1)
    problems = [p for o in outcomes for p in o.problems]
    for outcome in outcomes:
        for row, record_id, path in outcome.existing:
            click.echo(f"{outcome.file}:{row}: {record_id} is in the repository already ({path}); left as it is")
    if problems:
        for problem in problems:
            click.echo(problem.as_text(), err=True)
        rows = len({(p.file, p.row) for p in problems})
        click.echo(f"{len(problems)} problem(s) in {rows} row(s) of {file.name}; nothing was written", err=True)
        sys.exit(1)
    verb = "would write" if dry_run else "wrote"
    noun = "contact file(s)" if kind == "contacts" else "record(s)"
    for outcome in outcomes:
        for item in outcome.written:
            click.echo(f"{outcome.file}:{item.row}: {verb} {item.relative}")
        click.echo(
            f"{outcome.file} ({outcome.sheet}): {verb} {len(outcome.written)} {noun}; "
            f"{len(outcome.existing)} already in the repository"
            + ("" if dry_run or not outcome.written else "; run `commlog validate`, then commit them")
        )
