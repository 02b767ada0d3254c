from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root
from commlog.commands.steps import refused


@click.command()
@click.argument("record_id")
@click.option("--detector", required=True, help="The detector of the findings to accept (as the finding names it).")
@click.option("--reason", required=True, help="Why the data may stay in the record as it is.")
@repo_option
@example('commlog allow NX-2026-005 --detector bank_card --reason "供应商对公账户，合同已约定，法务确认"')
def allow(record_id: str, detector: str, reason: str, repo: Path | None) -> None:
    """Accept a record's sensitive-data findings of one detector into .commlog/allowed-sensitive.yaml.

    Only someone whose role the policy lets accept (sensitive_data.accept_roles) may run it, and the
    pull request checks that the entry is committed by that person. The file keeps a hash of each
    value, never the value. A finding found later, or changed, fails again.
    """
    from commlog.allowlist import ALLOW_FILE
    from commlog.allowlist import allow as run_allow
    from commlog.lifecycle import Refusal, Register, one_at_a_time

    root = resolve_root(repo)
    try:
        with one_at_a_time(root):
            new = run_allow(Register.open(root), record_id, detector, reason, datetime.now().astimezone())
    except Refusal as err:
        refused(str(err))
        return
    click.echo(f"accepted {len(new)} finding(s) of {detector} in {record_id} into {ALLOW_FILE}")
    click.echo(f"commit it yourself (git add {ALLOW_FILE}): the pull request checks who committed it")
