"""``commlog codeowners``: write CODEOWNERS from the contacts and the policy, or check that it is current."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with the difference while the file is stale.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where the file goes (default: CODEOWNERS at the repository's root, which GitHub, GitLab and Gitea read).",
)
@repo_option
@example("commlog codeowners\ncommlog codeowners --check   # in CI: fails while CODEOWNERS is stale")
def codeowners(check: bool, output: Path | None, repo: Path | None) -> None:
    """Write CODEOWNERS: each department's records owned by its head, the rest by the administrators.

    A department's head is active staff of that department with roles [dept_head]; the
    administrators are active staff with roles [admin], and own contacts/, policy.yaml,
    schemas/ and every other file that is not a record (CI files, CODEOWNERS, .commlog/).
    Owners are each contact's forge_user (@name), else its email (GitHub and GitLab).
    One file serves GitHub, GitLab and Gitea/Forgejo; pair it with branch protection that
    requires the code owners' review (site/ci.md).
    Exit status: 0 written or current, 1 stale (with --check), 2 usage error.
    """
    from commlog.codeowners import FILE, OwnersError, difference, generate
    from commlog.fileio import atomic_write

    root = resolve_root(repo)
    target = output if output is not None else root / FILE
    try:
        wanted, owners = generate(root)
    except OwnersError as err:
        raise click.UsageError(str(err)) from err
    for path in owners.skipped:
        click.echo(f"warning: {path} cannot be read and owns nothing; run `commlog validate`", err=True)
    shown = _shown(target, root)
    try:
        current: str | None = target.read_text(encoding="utf-8") if target.is_file() else None
    except (OSError, UnicodeDecodeError):
        current = None
    diff = difference(current, wanted, shown)
    if check:
        if diff:
            click.echo(diff, nl=False)
            click.echo(f"{shown} is stale: run `commlog codeowners` and commit {shown}")
            sys.exit(1)
        click.echo(f"{shown} is current")
        return
    if not diff:
        click.echo(f"{shown} is current")
        return
    try:
        atomic_write(target, wanted)
    except OSError as err:
        raise click.UsageError(f"cannot write {shown}: {err.strerror or err}") from err
    click.echo(f"{shown} written: {len(owners.departments)} department(s), {len(owners.admins)} administrator(s)")


def _shown(target: Path, root: Path) -> str:
    try:
        return target.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(target)
