"""The ``commlog`` command: one module per command, each thin."""

from __future__ import annotations

import click

from commlog import __version__
from commlog.commands.demo import demo
from commlog.commands.due import due
from commlog.commands.fmt import fmt
from commlog.commands.init import init
from commlog.commands.overdue import overdue
from commlog.commands.register import register_list
from commlog.commands.show import show
from commlog.commands.site import site
from commlog.commands.todo import todo
from commlog.commands.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="commlog")
def main() -> None:
    """Keep an enterprise's communications as validated records in git.

    Run inside a records repository (a folder with policy.yaml), or pass --repo.
    """


for command in (validate, fmt, init, show, register_list, todo, due, overdue, site, demo):
    main.add_command(command)
