from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from commlog.commands.common import example, output_to, repo_option, resolve_root


@click.command("pr-summary")
@click.option(
    "--base", "ref", required=True, metavar="REF", help="The pull request's target branch (e.g. origin/main)."
)
@click.option("--format", "output_format", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=True, path_type=Path), help="Write to this file (e.g. $GITHUB_STEP_SUMMARY)."
)
@repo_option
@example(
    'commlog pr-summary --base origin/main >> "$GITHUB_STEP_SUMMARY"\ncommlog pr-summary --base origin/main --format json'
)
def pr_summary(ref: str, output_format: str, output: Path | None, repo: Path | None) -> None:
    """What a pull request does to the register, for its reviewer.

    Each new or changed record (kind, direction, urgency, classification, from -> to), the
    events appended with who committed them, approvals still needed and from whom, the
    deadlines the change starts or closes, the overdue items it resolves, and every
    finding of `commlog validate --base` on the files it touches. Exit status: 0, or 2
    for a usage error (the findings are for the check, not for the summary).
    """
    from commlog.history import user_email
    from commlog.reports.pr_summary import summarise, write_json, write_markdown
    from commlog.trail import BadBase, NoPolicy, check
    from commlog.validate import placed
    from commlog.validate import validate as run_validation

    root = resolve_root(repo)
    now = datetime.now().astimezone()
    try:
        trail = check(root, ref, user_email(root), now)
    except BadBase as err:
        raise click.UsageError(str(err)) from err
    except NoPolicy as err:
        raise click.UsageError("policy.yaml is missing or invalid; run `commlog validate` to see why") from err
    corpus = trail.corpus
    touched = [root / path for path in trail.added if (root / path).is_file()]
    findings = run_validation(root, touched).findings if touched else []
    findings = sorted(findings + placed(root, trail.findings), key=lambda f: (f.path, f.line, f.rule))
    summary = summarise(trail, ref, corpus, findings, now)
    with output_to(output, root) as out:
        (write_json if output_format == "json" else write_markdown)(summary, corpus, out)
    sys.exit(0)
