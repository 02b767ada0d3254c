from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from commlog.commands.common import example, no_cache_option, paths_in, repo_option, resolve_root


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@no_cache_option
@click.option(
    "--base",
    metavar="REF",
    help="Also judge the change since REF (a pull request's target branch): append-only records, "
    "approvals and read confirmations committed by their own person, events entered on time, numbers not taken twice.",
)
@click.option(
    "--changed",
    metavar="REF",
    is_flag=False,
    flag_value="main",
    default=None,
    help="Report only the records, contacts and policy changed since REF (default main); deleted files and other files are skipped.",
)
@repo_option
@example(
    "commlog validate\n"
    "commlog validate records/2024/NX-2024-001.yaml --format json\n"
    "commlog validate --base origin/main      # in a pull request's CI job\n"
    "commlog validate --changed origin/main   # only what the branch changed"
)
def validate(
    paths: tuple[Path, ...],
    output_format: str,
    no_cache: bool,
    base: str | None,
    changed: str | None,
    repo: Path | None,
) -> None:
    """Check records, contacts and policy against the schemas and the cross-record rules.

    Without PATHS the whole repository is checked; with them, only their findings
    are reported (the rest is still read, as the rules look across records).
    Exit status: 0 valid, 1 findings, 2 usage error.
    """
    from commlog.report import REPORTERS
    from commlog.validate import validate as run_validation

    root = resolve_root(repo)
    only = paths_in(root, paths)
    if changed is not None:
        from commlog.trail import BadBase, changed_files

        try:
            only = [root / p for p in changed_files(root, changed)]
        except BadBase as err:
            raise click.UsageError(str(err)) from err
    result = run_validation(root, only, use_cache=not no_cache)
    if base is not None:
        result = _with_trail(root, base, result, only, use_cache=not no_cache)
    REPORTERS[output_format](result, sys.stdout)
    sys.exit(1 if result.findings else 0)


def _with_trail(root: Path, base: str, result: Any, only: list[Path] | None, use_cache: bool) -> Any:
    """The result with the findings of the change since ``base`` added."""
    from datetime import datetime

    from commlog.history import user_email
    from commlog.trail import BadBase, NoPolicy, check
    from commlog.validate import Result, placed

    try:
        trail = check(root, base, user_email(root), datetime.now().astimezone(), use_cache)
    except BadBase as err:
        raise click.UsageError(str(err)) from err
    except NoPolicy:
        return result  # validate reports the policy; the trail needs it
    wanted = {p.relative_to(root).as_posix() for p in only} if only is not None else None
    found = [
        f for f in placed(root, trail.findings) if wanted is None or f.path in wanted or f.rule == "record-removed"
    ]
    findings = sorted(result.findings + found, key=lambda f: (f.path, f.line, f.column, f.rule))
    return Result(result.checked, findings, result.records, result.accepted, result.notes)
