"""``commlog contacts add|update|depart|end``: keep the contacts registers, each change with the day it took effect."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from commlog.commands.common import clock, example, repo_option, resolve_root

if TYPE_CHECKING:
    from commlog.contact_upkeep import Address, Change
    from commlog.lifecycle import Register

ROLES = ("dept_head", "division_leader", "general_manager", "legal", "archivist", "admin")
CLASSIFICATIONS = ("public", "internal", "confidential", "secret")
ORG_TYPES = ("customer", "supplier", "partner", "regulator", "media", "other")

date_option = click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    default=None,
    help="The day the change took effect, YYYY-MM-DD (default: today in the policy's timezone); never in the future.",
)


def _fields(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options that set a contact's fields (an empty value removes an optional one)."""
    options = [
        click.option("--name", help="Full name (姓名), or the organisation's name when updating one."),
        click.option("--department", help="Department (所属部门), a name from policy.yaml."),
        click.option("--title", help="Job title (职务)."),
        click.option("--phone", help="Office phone or switchboard (办公电话); '' removes it."),
        click.option("--mobile", help="Mobile (手机号码); '' removes it."),
        click.option(
            "--private",
            type=click.Choice(["phone", "mobile", "none"]),
            multiple=True,
            help="A number that is the person's own (私人号码): shown whole only at confidential or above; "
            "repeatable; none clears the mark.",
        ),
        click.option("--email", help="Email (电子邮箱); a member of staff's is their git identity."),
        click.option("--forge-user", help="User name on the forge, for CODEOWNERS."),
        click.option(
            "--responsibility", multiple=True, help="What the person handles (负责事项); repeatable, replaces the list."
        ),
        click.option(
            "--classification", type=click.Choice(CLASSIFICATIONS), help="The contact's classification (密级)."
        ),
        click.option("--type", "org_type", type=click.Choice(ORG_TYPES), help="The organisation's type (单位类型)."),
        click.option("--owner", help="The organisation's owner (对接负责人), a staff id."),
        click.option("--matter", multiple=True, help="What the organisation and the company deal about; repeatable."),
        click.option("--address", "postal", help="The organisation's postal address."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _listed(values: tuple[str, ...], none: str = "") -> list[str] | None:
    """A repeatable option's values: None when not given, [] for '' (or ``none``) alone."""
    if not values:
        return None
    return [v for v in values if v not in ("", none)]


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The fields the options set, by field name (None where not given)."""
    return {
        "name": options["name"],
        "department": options["department"],
        "title": options["title"],
        "phone": options["phone"],
        "mobile": options["mobile"],
        "private": _listed(options["private"], "none"),
        "email": options["email"],
        "forge_user": options["forge_user"],
        "responsibilities": _listed(options["responsibility"]),
        "classification": options["classification"],
    }


def _org_given(options: dict[str, Any], name: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "type": options["org_type"],
        "owner": options["owner"],
        "matters": _listed(options["matter"]),
        "address": options["postal"],
    }


def _refused(message: str) -> None:
    """Print why nothing was written, and exit 2."""
    click.echo(f"refused: {message}", err=True)
    sys.exit(2)


def _run(repo: Path | None, address: str, new: bool, day: datetime | None, make: Callable[..., Change]) -> None:
    """Open the repository, check who acts, build the change with ``make(register, target, day, today)``, save it."""
    from commlog import contact_upkeep
    from commlog.lifecycle import Refusal, Register, one_at_a_time

    root = resolve_root(repo)
    try:
        with one_at_a_time(root):
            register = Register.open(root)
            target = contact_upkeep.address_of(register, address, new)
            today = clock().astimezone(register.policy.timezone).date()
            change = make(register, target, day.date() if day else today, today)
            contact_upkeep.authorise(register, target, change.data.get("owner"))
            contact_upkeep.save(register, change)
    except Refusal as err:
        _refused(str(err))
        return
    click.echo(f"{change.relative}: {change.done}")
    for warning in change.warnings:
        click.echo(f"warning: {warning}", err=True)
    if contact_upkeep.codeowners_stale(root):
        click.echo("CODEOWNERS no longer matches the contacts: run `commlog codeowners` and commit it with this change")
    click.echo(f"commit it (git add {change.relative}) and open a pull request: the administrators review contacts")


@click.command()
@click.argument("who", metavar="ID|ORG/PERSON")
@_fields
@click.option("--org-name", help="The organisation's name, to add it with its first person.")
@click.option("--role", multiple=True, type=click.Choice(ROLES), help="An approval role (审批角色); repeatable.")
@date_option
@repo_option
@example(
    "commlog contacts add wu-fang --name 吴芳 --department 市场部 --title 市场专员 \\\n"
    "    --email wu.fang@hengtai.example --mobile 13800001234 --private mobile --date 2026-11-20\n"
    "commlog contacts add customer-a/zhou-qi --name 周琪 --title 采购专员 --mobile 13900002222\n"
    "commlog contacts add customer-z/lin-xi --name 林曦 --org-name 远景科技有限公司 --type customer --owner zhao-jie"
)
def add(
    who: str, org_name: str | None, role: tuple[str, ...], day: datetime | None, repo: Path | None, **options: Any
) -> None:
    """Add a member of staff who joins (ID) or an organisation's person (ORG/PERSON).

    A member of staff needs --name, --department, --title and --email; joined and changed are the
    --date. An organisation that does not exist yet is added with its first person when --org-name,
    --type and --owner are given. Run by an administrator (role admin) or, for an organisation, its
    owner (对接负责人), as git's user.email says; the file is checked before it is written.
    """
    from commlog import contact_upkeep

    given = _given(options)

    def make(register: Register, target: Address, when: date, today: date) -> Change:
        return contact_upkeep.add(register, target, given, _org_given(options, org_name), set(role), when, today)

    _run(repo, who, True, day, make)


@click.command()
@click.argument("who", metavar="ID|ORG|ORG/PERSON")
@_fields
@click.option("--org-name", help="The organisation's new name (same as --name for an organisation).")
@click.option("--add-role", multiple=True, type=click.Choice(ROLES), help="A role to give; repeatable.")
@click.option("--remove-role", multiple=True, type=click.Choice(ROLES), help="A role to take away; repeatable.")
@date_option
@repo_option
@example(
    "commlog contacts update zhang-wei --department 采购部 --title 采购专员 --date 2026-11-18\n"
    "commlog contacts update zhang-wei --mobile 13900001111 --private mobile\n"
    "commlog contacts update wang-fang --add-role dept_head\n"
    "commlog contacts update customer-a --owner zhao-jie --matter 产品推广 --matter 年度框架协议\n"
    "commlog contacts update customer-a/li-na --title 采购总监 --classification confidential"
)
def update(
    who: str,
    org_name: str | None,
    add_role: tuple[str, ...],
    remove_role: tuple[str, ...],
    day: datetime | None,
    repo: Path | None,
    **options: Any,
) -> None:
    """Change a member of staff (department, title, numbers, roles...), an organisation or one of its people.

    Only the fields given change ('' removes an optional one; a repeatable option replaces its list);
    changed is set to --date. A member of staff's earlier department, title and roles are kept in the
    entry's history up to the day before, so that past records are judged by them. Run by an
    administrator or, for an organisation, its owner.
    """
    from commlog import contact_upkeep

    given = _given(options)
    org_fields = _org_given(options, None)

    def make(register: Register, target: Address, when: date, today: date) -> Change:
        fields = dict(given)
        if target.kind == "org":
            if org_name is not None and given["name"] is not None:
                raise contact_upkeep.Refusal("give the organisation's name once (--name or --org-name)")
            fields["name"] = org_name if org_name is not None else given["name"]
        elif org_name is not None:
            raise contact_upkeep.Refusal(
                f"--org-name is the organisation's: `commlog contacts update {target.org or target.id}`"
            )
        fields.update({k: v for k, v in org_fields.items() if k != "name"})
        return contact_upkeep.update(register, target, fields, (set(add_role), set(remove_role)), when, today)

    _run(repo, who, False, day, make)


@click.command()
@click.argument("who", metavar="ID|ORG/PERSON")
@click.option(
    "--vacate-roles",
    is_flag=True,
    help="Depart although no one else holds one of the person's roles yet (the role stays vacant; the audit reports it).",
)
@date_option
@repo_option
@example(
    "commlog contacts depart liu-yang --date 2026-11-19\ncommlog contacts depart customer-a/wang-tao --date 2026-11-18"
)
def depart(who: str, vacate_roles: bool, day: datetime | None, repo: Path | None) -> None:
    """Record that a member of staff left (departed) or an organisation's person stopped being its contact (left).

    The entry stays, marked, for the retention the policy sets; a member of staff's roles move to
    the entry's history (past approvals stay judged by them). The only holder of a role is refused
    until another member of staff holds it (`commlog contacts update OTHER --add-role ROLE`), or with
    --vacate-roles. A departure dated before an event the person recorded is refused.
    """
    from commlog import contact_upkeep

    def make(register: Register, target: Address, when: date, today: date) -> Change:
        return contact_upkeep.depart(register, target, when, today, vacate_roles)

    _run(repo, who, False, day, make)


@click.command()
@click.argument("org", metavar="ORG")
@date_option
@repo_option
@example("commlog contacts end media-n --date 2026-11-16")
def end(org: str, day: datetime | None, repo: Path | None) -> None:
    """Record the end of the relationship with an outside organisation (status inactive, ended).

    Its entry and people stay, marked 已停止合作; the audit asks for its review 3 months later.
    """
    from commlog import contact_upkeep

    def make(register: Register, target: Address, when: date, today: date) -> Change:
        return contact_upkeep.end(register, target, when, today)

    _run(repo, org, False, day, make)
