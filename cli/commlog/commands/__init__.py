"""The ``commlog`` command: one module per command, each thin."""

from __future__ import annotations

import click

from commlog import __version__
from commlog.commands.common import example

COMMANDS = {
    "init": "init",
    "new": "new",
    "renumber": "renumber",
    "show": "show",
    "list": "register:register_list",
    "todo": "todo",
    "validate": "validate",
    "fmt": "fmt",
    "codeowners": "codeowners",
    "upgrade": "upgrade",
    "due": "due",
    "overdue": "overdue",
    "report": "report",
    "retention": "retention",
    "dispose": "dispose",
    "export": "export",
    "import": "importing:import_",
    "pr-summary": "pr_summary",
    "allow": "allow",
    "contacts": "contacts",
    "site": "site",
    "demo": "demo",
}
"""Each command's module in commlog.commands (and its function, where the name differs); the step commands
(approve, send, archive...) come from :data:`commlog.commands.steps.STEP_COMMANDS`. A command's module is
imported when the command runs: ``commlog validate`` does not pay for the step commands' imports."""

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
    ("Retention", ["retention", "hold", "release", "dispose"]),
    ("Read and report", ["show", "list", "todo", "due", "overdue", "report", "pr-summary", "site"]),
    ("Spreadsheets", ["export", "import"]),
    ("Contacts", ["contacts"]),
    ("Repository", ["init", "validate", "allow", "fmt", "codeowners", "upgrade", "demo"]),
]


class Sections(click.Group):
    """A group whose help lists its commands by the part of the procedure they serve, each imported when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        for name in [*COMMANDS, "approve"]:
            self.get_command(ctx, name)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            from importlib import import_module

            if cmd_name in COMMANDS:
                module, _, attribute = COMMANDS[cmd_name].partition(":")
                self.add_command(getattr(import_module(f"commlog.commands.{module}"), attribute or module))
            else:
                from commlog.commands.steps import STEP_COMMANDS

                for command in STEP_COMMANDS:
                    self.add_command(command)
        return super().get_command(ctx, cmd_name)

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
