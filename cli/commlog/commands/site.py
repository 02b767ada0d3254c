from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from commlog.commands.common import (
    CLEARANCES,
    as_of_option,
    example,
    repo_option,
    resolve_as_of,
    resolve_root,
    strict_option,
)

clearance_option = click.option(
    "--clearance",
    type=click.Choice(CLEARANCES),
    default="internal",
    show_default=True,
    help="Highest classification the site may show; anything above it appears nowhere in the output.",
)


def _prepare(repo: Path | None, clearance: str, as_of: str | None) -> Path:
    root = resolve_root(repo)
    if not (root / "mkdocs.yml").is_file():
        raise click.UsageError(f"no mkdocs.yml in {root}; `commlog init` writes one")
    moment = resolve_as_of(root, as_of)  # also stops here, with a clear message, when the policy is broken
    _check_policy(root)
    os.environ["COMMLOG_CLEARANCE"] = clearance
    if as_of:  # without it every (re)build is judged as of its own moment
        os.environ["COMMLOG_AS_OF"] = f"{moment:%Y-%m-%d %H:%M:%S}"
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    return root


class BuildFailed(click.ClickException):
    """MkDocs stopped; what it said was logged above. An environment error: exit 2."""

    exit_code = 2


def _check_policy(root: Path) -> None:
    """A usage error naming the first problem of policy.yaml, which every page depends on."""
    from commlog.load import LoadError, load
    from commlog.schema import Schemas

    try:
        problems = Schemas().check("policy.yaml", load(root, root / "policy.yaml").data)
    except LoadError as err:
        raise click.UsageError(
            f"policy.yaml:{err.line}:{err.column}: {err.rule}: {err.message}; run `commlog validate`"
        ) from err
    if problems:
        raise click.UsageError(f"policy.yaml: {problems[0].rule}: {problems[0].message}; run `commlog validate`")


def _refuse_output(root: Path, output: Path | None, *protected: Path) -> None:
    """A usage error, before MkDocs empties the folder, when the site may not be written to ``output``."""
    from commlog.repository import output_problem

    problem = output_problem(root, output, protected) if output else None
    if problem:
        raise click.UsageError(f"{problem}; choose a new or empty folder for --output")


@click.group()
def site() -> None:
    """The archive website (MkDocs): build it, or serve it while editing."""


@site.command()
@clearance_option
@as_of_option
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: site-build/).",
)
@strict_option
@repo_option
@example("commlog site build\ncommlog site build --clearance public --output public-site --strict")
def build(clearance: str, as_of: str | None, output: Path | None, strict: bool, repo: Path | None) -> None:
    """Build the archive site, with its search index, into a folder of static files.

    Files that fail validation are left out, with a warning that counts them; with
    --strict the build is still written but the command exits 1 (for CI).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    root = _prepare(repo, clearance, as_of)
    _refuse_output(root, output)
    try:
        config = load_config(str(root / "mkdocs.yml"), **({"site_dir": str(output.resolve())} if output else {}))
        _refuse_output(root, Path(config.site_dir), Path(config.docs_dir))
        config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does: a build, never a serve
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as err:
        raise BuildFailed(f"the site could not be built: {err} (see the messages above)") from err
    click.echo(
        f"site ({clearance}) written to {config.site_dir}; open it over HTTP, e.g. "
        f"`python -m http.server -d {config.site_dir}` then http://127.0.0.1:8000/"
    )
    model = getattr(config.plugins.get("commlog"), "model", None)
    if strict and model is not None and model.plan.skipped:
        sys.exit(1)


@site.command()
@clearance_option
@as_of_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@repo_option
@example("commlog site serve\ncommlog site serve --clearance confidential --dev-addr 127.0.0.1:8080")
def serve(clearance: str, as_of: str | None, dev_addr: str, repo: Path | None) -> None:
    """Serve the site locally; a saved change to a record, contact or the policy rebuilds it and reloads the browser.

    A record file that fails validation is shown at its record's address with what is wrong
    and how to fix it, and invalid/ lists every such file; `site build` publishes none of this.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve

    root = _prepare(repo, clearance, as_of)
    click.echo(
        f"serving the {clearance} site of {root} on http://{dev_addr}/ (Ctrl+C stops it); the first build takes a moment"
    )
    mkdocs_serve(config_file=str(root / "mkdocs.yml"), dev_addr=dev_addr, livereload=True)
