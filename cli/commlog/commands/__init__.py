"""The ``commlog`` command: one module per command, each thin."""

from __future__ import annotations

import click

from commlog import __version__
from commlog.commands.codeowners import codeowners
from commlog.commands.common import example
from commlog.commands.demo import demo
from commlog.commands.due import due
from commlog.commands.export import export
from commlog.commands.fmt import fmt
from commlog.commands.init import init
from commlog.commands.new import new
from commlog.commands.overdue import overdue
from commlog.commands.pr_summary import pr_summary
from commlog.commands.register import register_list
from commlog.commands.renumber import renumber
from commlog.commands.report import report
from commlog.commands.show import show
from commlog.commands.site import site
from commlog.commands.steps import STEP_COMMANDS
from commlog.commands.todo import todo
from commlog.commands.upgrade import upgrade
from commlog.commands.validate import validate

SECTIONS = [
    ("Register and review", ["new", "submit", "resubmit", "approve", "reject", "renumber"]),
    ("Deliver and answer", ["send", "publish", "reply", "feedback", "answer", "quote", "ack"]),
    ("Chase and carry out", ["follow-up", "escalate", "progress", "issue", "accept", "comment"]),
    (
        "Customers and suppliers",
        [
            "contact",
            "review",
            "resolve",
            "satisfaction",
            "qualify",
            "negotiate",
            "legal-review",
            "sign",
            "quarterly-review",
        ],
    ),
    ("Close", ["complete", "archive", "reopen", "cancel"]),
    ("Read and report", ["show", "list", "todo", "due", "overdue", "report", "pr-summary", "site"]),
    ("Spreadsheets", ["export", "import"]),
    ("Repository", ["init", "validate", "fmt", "codeowners", "upgrade", "demo"]),
]


class Sections(click.Group):
    """A group whose help lists its commands by the part of the procedure they serve."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        listed = {name for _, names in SECTIONS for name in names}
        others = [name for name in self.list_commands(ctx) if name not in listed]
        width = formatter.width - 6 - max(len(name) for name in self.commands)
        for title, names in [*SECTIONS, ("Other", others)]:
            rows = [(n, c.get_short_help_str(width)) for n in names if (c := self.get_command(ctx, n)) is not None]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


@click.group(cls=Sections, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="commlog")
@example(
    'commlog new message --to customer-a/li-na --subject "确认11月交期" --summary "……" --channel email\n'
    "commlog approve NX-2026-012\n"
    "commlog todo\n"
    "commlog validate"
)
def main() -> None:
    """Keep an enterprise's communications as validated records in git.

    Run inside a records repository (a folder with policy.yaml), or pass --repo. You
    act as the member of staff whose contact email is `git config user.email`.
    """


for command in (
    init,
    new,
    *STEP_COMMANDS,
    renumber,
    show,
    register_list,
    todo,
    validate,
    fmt,
    codeowners,
    upgrade,
    due,
    overdue,
    report,
    export,
    pr_summary,
    site,
    demo,
):
    main.add_command(command)
