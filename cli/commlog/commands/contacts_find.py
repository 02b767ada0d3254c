"""``commlog contacts find``: the contacts registers searched by name, department, organisation, duty or matter."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from commlog.commands.common import example, repo_option, resolve_root
from commlog.directory import CONTACT_TYPES, Entry

LABELS = {"phone": "电话", "mobile": "手机", "switchboard": "总机"}
DEPARTED = {"internal": "（已离职）", "external": "（已离开或已停止合作）"}


def _text(entry: Entry) -> str:
    numbers = "  ".join(f"{LABELS[k]} {v}" for k, v in entry.numbers.items())
    head = f"{entry.name} ({entry.address}){DEPARTED[entry.kind] if entry.status != 'active' else ''}"
    line = "  ".join(p for p in (head, f"{entry.organisation} · {entry.title}".rstrip(" ·"), numbers, entry.email) if p)
    duties = "；".join(entry.duties)
    label = "负责" if entry.kind == "internal" else "合作事项"
    return line + (f"\n    {label}：{duties}" if duties else "")


@click.command()
@click.argument("text")
@click.option("--department", help="Only staff of this department and the organisations its members own.")
@click.option("--type", "kind", type=click.Choice(CONTACT_TYPES), help="internal (staff) or an organisation's type.")
@click.option(
    "--reveal",
    is_flag=True,
    help="Show numbers whole: only for holders of the policy's contacts.reveal_roles (default admin).",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@repo_option
@example(
    "commlog contacts find 采购\ncommlog contacts find 张 --department 市场部\ncommlog contacts find 客户A --reveal"
)
def find(
    text: str, department: str | None, kind: str | None, reveal: bool, output_format: str, repo: Path | None
) -> None:
    """Find people by name, id, email, department, title, organisation, responsibilities or matters.

    TEXT is a part of any of them, Chinese or not ('' lists everyone the filters keep). Numbers are
    masked (138****1234) unless --reveal, which is refused (exit 2) to anyone whose contact
    (git's user.email) holds none of the policy's contacts.reveal_roles. Reveals are not logged.
    """
    from commlog import directory
    from commlog.index.corpus import load_corpus

    root = resolve_root(repo)
    corpus, _ = load_corpus(root)
    policy = corpus.policy.data if corpus.policy is not None else None
    if department and corpus.policy is not None and department not in corpus.policy.departments:
        raise click.BadParameter(f"no department {department} in policy.yaml", param_hint="--department")
    settings = directory.settings_of(policy)
    if reveal:
        try:
            directory.revealer(root, corpus.staff, settings)
        except directory.NotAllowed as err:
            click.echo(f"refused: {err}", err=True)
            sys.exit(2)
    found = directory.find(corpus.staff, corpus.orgs, text, department, kind, reveal, settings)
    if output_format == "json":
        click.echo(json.dumps([asdict(e) for e in found], ensure_ascii=False, indent=2))
        return
    for entry in found:
        click.echo(_text(entry))
    masked = "" if reveal else "; numbers masked (--reveal shows them to the policy's contacts.reveal_roles)"
    click.echo(f"{len(found)} contact(s){masked}")
