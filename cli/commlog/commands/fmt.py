from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import example, paths_in, repo_option, resolve_root


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Only list files not in canonical form; exit 1 if any.")
@repo_option
@example("commlog fmt --check\ncommlog fmt records/2024/NX-2024-001.yaml")
def fmt(paths: tuple[Path, ...], check: bool, repo: Path | None) -> None:
    """Write YAML files in the one canonical form (key order, quoting, flow and block style).

    Every record, contact and the policy begins with a line naming its schema for editors
    (# yaml-language-server: $schema=../../schemas/record.schema.json): fmt adds it where it is
    missing and corrects it where it is wrong. No other comment is kept: write what matters in
    the record's remarks.
    Files that cannot be read are reported and left as they were.
    """
    from commlog.fmt import format_repository

    root = resolve_root(repo)
    result = format_repository(root, paths_in(root, paths, data_only=True), check=check)
    for item in result.findings:
        click.echo(item.as_text())
    verb = "not in canonical form" if check else "reformatted"
    for path in result.changed:
        click.echo(f"{path}: {verb}")
    click.echo(
        f"{len(result.changed)} file(s) {verb}" + (f", {len(result.findings)} unreadable" if result.findings else "")
    )
    sys.exit(1 if result.findings or (check and result.changed) else 0)
