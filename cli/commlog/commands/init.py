from __future__ import annotations

from pathlib import Path

import click

from commlog.commands.common import example


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--organisation", default="本公司", show_default=True, help="Organisation name for the README.")
@example("commlog init ../acme-records --organisation 示例科技有限公司")
def init(directory: Path, organisation: str) -> None:
    """Create an empty records repository in DIRECTORY (new or empty).

    It holds the schemas, a policy.yaml with the procedure's defaults, a CI
    workflow and empty records/ and contacts/ folders, and validates clean.
    """
    from commlog.scaffold import ScaffoldError, create

    try:
        create(directory, organisation)
    except ScaffoldError as err:
        raise click.UsageError(str(err)) from err
    click.echo(f"created {directory}; edit policy.yaml (departments, channels), then add contacts")
