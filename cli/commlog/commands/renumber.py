from __future__ import annotations

from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root
from commlog.commands.steps import refused


@click.command()
@click.argument("record_id")
@click.option("--next", "to_next", is_flag=True, required=True, help="Take the next free number (required).")
@repo_option
@example("commlog renumber NX-2026-008 --next")
def renumber(record_id: str, to_next: bool, repo: Path | None) -> None:
    """Give a record the next free number, when another branch took the same one.

    Renames the file and its attachment folder and rewrites every reference to the old
    id in other records, in one step. Run it on your branch before merging.
    """
    from commlog.lifecycle import Refusal, Register, actor, one_at_a_time
    from commlog.registration import renumber as run_renumber

    root = resolve_root(repo)
    try:
        with one_at_a_time(root):
            register = Register.open(root)
            done = run_renumber(register, record_id, actor(register))
    except Refusal as err:
        refused(str(err))
        return
    click.echo(f"{done.old} is now {done.new} ({', '.join(done.clashes)} holds another {done.old})")
    for path in done.paths:
        click.echo(f"  wrote {path}")
    click.echo("commit the change (git add -A records) and push")
