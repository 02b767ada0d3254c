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

    It holds the schemas, a policy.yaml with the procedure's defaults, empty
    records/ and contacts/ folders, CI for GitHub (.github/workflows/), Gitea and
    Forgejo (.gitea/workflows/) and GitLab (.gitlab-ci.yml), a .pre-commit-config.yaml,
    a CODEOWNERS file, and a wheel of this commlog in .commlog/, which CI installs (so
    CI runs this very commlog; `commlog upgrade` replaces it). It validates clean.
    """
    from commlog.scaffold import ScaffoldError, create

    try:
        create(directory, organisation)
    except ScaffoldError as err:
        raise click.UsageError(str(err)) from err
    from commlog.distribution import kept

    wheel = kept(directory)[0].relative_to(directory).as_posix()
    click.echo(
        f"created {directory} with CI that installs {wheel}; edit policy.yaml (departments, channels), "
        "add contacts (heads with roles [dept_head], administrators with [admin]), run `commlog codeowners`, "
        "and commit everything, .commlog/ included"
    )
