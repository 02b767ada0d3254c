"""``commlog contacts review``: record that contacts were reviewed and found right, as an empty commit."""

from __future__ import annotations

from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root


@click.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="Every contact was reviewed (the quarterly audit's close).")
@click.option("--message", default="联络信息审核", show_default=True, help="The commit's subject.")
@repo_option
@example(
    'commlog contacts review customer-a wang-fang\ncommlog contacts review --all --message "2026年第四季度联络信息审核"'
)
def review(ids: tuple[str, ...], everyone: bool, message: str, repo: Path | None) -> None:
    """Record contacts reviewed with nothing to change: an empty commit the audit counts.

    IDS are staff ids and organisation ids (an organisation's covers its people). Makes
    one empty commit, as you (git's user), whose message ends with the trailer
    `Contacts-Reviewed: ID...` (or `all`); `commlog contacts audit` counts it as their review.
    What is staged stays staged. A contact you changed needs no such commit: the change's
    commit is its review.
    """
    from commlog.contacts_trail import EVERY_CONTACT, TRAILER
    from commlog.history import commit_empty

    root = resolve_root(repo)
    if everyone == bool(ids):
        raise click.UsageError("name the contacts reviewed, or give --all (not both)")
    unknown = [
        i for i in ids if not any((root / "contacts" / k / f"{i}.yaml").is_file() for k in ("internal", "external"))
    ]
    if unknown:
        raise click.BadParameter(
            f"not in contacts/internal/ or contacts/external/: {', '.join(unknown)}", param_hint="IDS"
        )
    if "\n" in message or not message.strip():
        raise click.BadParameter("one line of text", param_hint="--message")
    named = EVERY_CONTACT if everyone else " ".join(dict.fromkeys(ids))
    sha = commit_empty(root, f"{message}\n\n{TRAILER}: {named}")
    if sha is None:
        raise click.UsageError("git made no commit: is this a git repository, and are user.name and user.email set?")
    click.echo(f"{sha[:8]} {TRAILER}: {named}")
