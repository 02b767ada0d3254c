"""``commlog contacts``: the contacts registers (内部/外部沟通联络信息表), their upkeep and their audit."""

from __future__ import annotations

from importlib import import_module

import click

CONTACT_COMMANDS: dict[str, str] = {
    "add": "contacts_edit:add",
    "update": "contacts_edit:update",
    "depart": "contacts_edit:depart",
    "end": "contacts_edit:end",
    "find": "contacts_find:find",
    "review": "contacts_review:review",
    "audit": "contacts_audit:audit",
}
"""Each subcommand's module in commlog.commands and its function (``module:function``), imported when it runs."""


class ContactCommands(click.Group):
    """The contacts subcommands, each imported when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(CONTACT_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in CONTACT_COMMANDS:
            module, _, attribute = CONTACT_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(import_module(f"commlog.commands.{module}"), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=ContactCommands)
def contacts() -> None:
    """The contacts registers: staff and outside organisations, their upkeep and the quarterly audit."""
