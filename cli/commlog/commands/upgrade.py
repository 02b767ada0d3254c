"""``commlog upgrade``: move a records repository to the running commlog."""

from __future__ import annotations

from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root


@click.command()
@click.option(
    "--ci-files",
    is_flag=True,
    help="Also replace the CI and hook files (.github/, .gitea/, .gitlab-ci.yml, .pre-commit-config.yaml) "
    "with this commlog's; without it, those that differ are only listed.",
)
@repo_option
@example(
    "python -m pip install commlog-0.2.0-py3-none-any.whl   # the newer commlog, in your venv\n"
    "commlog upgrade\n"
    "commlog validate && git add -A && git commit -m 'commlog 0.2.0'"
)
def upgrade(ci_files: bool, repo: Path | None) -> None:
    """Keep the running commlog in the repository: CI installs it from then on.

    Replaces the wheel in .commlog/ with one of the running commlog (the CI files install
    .commlog/commlog-*-py3-none-any.whl) and the schemas/ copy editors read with its schemas,
    and renames the policy keys it renamed (contacts.show_phones_at is now contacts.numbers_at).
    Run it with the commlog you are moving to, then commit the change by pull request: its
    CI already runs the new commlog. Running it again with the same commlog changes nothing.
    """
    from commlog.distribution import keep
    from commlog.migrate import rename_policy_keys
    from commlog.scaffold import refresh_schemas, stale_ci_files, write_ci_files
    from commlog.schema import Schemas

    root = resolve_root(repo)
    wheel, removed, changed = keep(root)
    shown = wheel.relative_to(root).as_posix()
    for old in removed:
        click.echo(f"removed {old.relative_to(root).as_posix()}")
    click.echo(f"{shown} {'written' if changed else 'is current'}")
    for name in refresh_schemas(root):
        click.echo(f"{name} updated")
    for line in rename_policy_keys(root, Schemas()):
        click.echo(line)
    if ci_files:
        for name in write_ci_files(root):
            click.echo(f"{name} updated")
    else:
        for name in stale_ci_files(root):
            click.echo(f"{name} differs from this commlog's (kept; `commlog upgrade --ci-files` replaces it)")
    click.echo("now run `commlog validate` and `commlog fmt --check`, and commit the change by pull request")
