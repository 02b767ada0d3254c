from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import example, paths_in, repo_option, resolve_root


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
@click.option(
    "--no-cache",
    is_flag=True,
    help="Judge every file afresh instead of reusing the result for an unchanged repository.",
)
@repo_option
@example("commlog validate\ncommlog validate records/2024/NX-2024-001.yaml --format json")
def validate(paths: tuple[Path, ...], output_format: str, no_cache: bool, repo: Path | None) -> None:
    """Check records, contacts and policy against the schemas and the cross-record rules.

    Without PATHS the whole repository is checked; with them, only their findings
    are reported (the rest is still read, as the rules look across records).
    Exit status: 0 valid, 1 findings, 2 usage error.
    """
    from commlog.report import REPORTERS
    from commlog.validate import validate as run_validation

    root = resolve_root(repo)
    result = run_validation(root, paths_in(root, paths), use_cache=not no_cache)
    REPORTERS[output_format](result, sys.stdout)
    sys.exit(1 if result.findings else 0)
