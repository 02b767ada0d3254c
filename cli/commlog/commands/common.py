"""Option bundles and helpers shared by commands."""

from __future__ import annotations

import inspect
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from commlog.fileio import atomic_write, atomic_write_bytes
from commlog.repository import NotARepository, find_root, report_problem, role_of

repo_option = click.option(
    "--repo",
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Records repository (default: the one enclosing the current folder).",
)

CLEARANCES = ["public", "internal", "confidential", "secret"]
"""The classifications, lowest first: the choices of every --clearance option."""


def resolve_root(repo: Path | None) -> Path:
    """The repository root, or a usage error (exit 2) naming what is missing."""
    try:
        return find_root(repo or Path.cwd())
    except NotARepository as err:
        raise click.UsageError(
            f"{err}; run inside a records repository, pass --repo, or create one with `commlog init DIR`"
        ) from err


def paths_in(root: Path, paths: tuple[Path, ...], data_only: bool = False) -> list[Path] | None:
    """The given files, checked to exist inside the repository; None for 'all'.

    Files in records/ and contacts/ and the policy are accepted (validate reports a
    misplaced one); with ``data_only``, only records, contacts and the policy
    themselves (``fmt`` must never rewrite an attachment).
    """
    if not paths:
        return None
    result = []
    for path in paths:
        resolved = path.absolute().parent.resolve() / path.name  # a link itself is judged, not where it points
        if not (resolved.is_file() or resolved.is_symlink()):
            raise click.UsageError(f"{path}: no such file")
        try:
            relative = resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            raise click.UsageError(f"{path}: not inside the repository {root}") from None
        outside_data = relative != "policy.yaml" and not relative.startswith(("records/", "contacts/"))
        if outside_data or (data_only and role_of(relative) == "other"):
            raise click.UsageError(
                f"{path}: not a record, contact or policy file (those live in records/, contacts/ and policy.yaml)"
            )
        result.append(resolved)
    return result


def example(text: str) -> Callable[[Any], Any]:
    """Append an ``Example:`` block to a command's help."""

    def decorate(func: Any) -> Any:
        lines = "\n".join("  " + line for line in text.strip().splitlines())
        func.__doc__ = inspect.cleandoc(func.__doc__ or "") + "\n\n\b\nExample:\n" + lines
        return func

    return decorate


as_of_option = click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="TIME",
    help="Judge deadlines as of this time, 'YYYY-MM-DD HH:MM[+HH:MM]' (without an offset: policy timezone) "
    "or 'YYYY-MM-DD' (its start), years 1900-2199; default: now.",
)


def clock() -> datetime:
    """Now; ``COMMLOG_NOW`` ('YYYY-MM-DD HH:MM+08:00') stands in for the clock in demos and the walkthrough."""
    fixed = os.environ.get("COMMLOG_NOW")
    if fixed:
        try:
            return datetime.fromisoformat(fixed).astimezone()
        except ValueError as err:
            raise click.UsageError(f"COMMLOG_NOW={fixed!r} is not a time like '2026-11-16 09:30+08:00'") from err
    return datetime.now().astimezone()


def resolve_as_of(root: Path, text: str | None) -> datetime:
    """The moment a report is judged at: the given time in the policy's timezone, or now."""
    from commlog.asof import NoTimezone, moment

    try:
        return moment(root, text)
    except NoTimezone as err:
        raise click.UsageError(str(err)) from err
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--as-of") from err


def _checked_output(path: Path, root: Path | None) -> None:
    """Refuse an --output that is a folder, a link, in a missing folder or (with ``root``) the repository's own files."""
    problem = report_problem(root, path) if root is not None else None
    if not str(path) or path.is_dir():
        problem = f"{path} is a folder; name a file"
    elif path.is_symlink():
        problem = f"{path} is a symbolic link; name the file itself"
    elif not path.absolute().parent.is_dir():
        problem = f"{path.absolute().parent} does not exist"
    if problem:
        raise click.BadParameter(problem, param_hint="--output")


def output_to(path: Path | None, root: Path | None = None) -> AbstractContextManager[TextIO]:
    """A text stream for --output (a UTF-8 file, replaced atomically once the report is complete) or standard output.

    With ``root``, the repository's data, configuration and site sources are refused:
    a report must never replace what it reports on. A device or FIFO (``/dev/null``,
    ``/dev/stdout``) is written to as it is, never replaced by a file.
    """
    if path is None:
        return nullcontext(sys.stdout)
    _checked_output(path, root)
    if path.exists() and not path.is_file():
        return open(path, "w", encoding="utf-8")  # noqa: SIM115 - the caller closes it
    return _replaced_when_done(path)


def write_output(path: Path | None, data: bytes, root: Path | None = None, binary: bool = False) -> None:
    """Bytes (a CSV in its encoding, a workbook) to --output, checked and replaced atomically as :func:`output_to`
    does, or to standard output; a ``binary`` file (xlsx) is not written to a terminal."""
    if path is None:
        if binary and sys.stdout.isatty():
            raise click.UsageError("an xlsx workbook is not for the terminal; name a file with --output")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _checked_output(path, root)
    if path.exists() and not path.is_file():
        with open(path, "wb") as device:
            device.write(data)
        return
    atomic_write_bytes(path, data)


def choices(values: tuple[str, ...], parse: Callable[[str], str], option: str) -> frozenset[str]:
    """Filter values (``--status 待审核``) as ids, or a usage error naming the option and what it may be."""
    from commlog.reports.register import BadChoice

    try:
        return frozenset(parse(v) for v in values)
    except BadChoice as err:
        raise click.BadParameter(str(err), param_hint=option) from err


output_option = click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output (an xlsx workbook always needs one).",
)
"""--output for every report (written by :func:`output_to` or :func:`write_output`)."""
encoding_option = click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"]),
    default="utf-8",
    show_default=True,
    help="Of CSV output: UTF-8 with a byte order mark (Excel, WPS and LibreOffice read it), or GB18030 for older systems.",
)


@contextmanager
def _replaced_when_done(path: Path) -> Iterator[TextIO]:
    buffer = io.StringIO()
    yield buffer
    atomic_write(path, buffer.getvalue())


def load_schedule(repo: Path | None, as_of: str | None, use_cache: bool = True) -> tuple[datetime, Any]:
    """The moment judged and the repository's schedule as of it, or a usage error."""
    from commlog.schedule import NoPolicy, schedule

    root = resolve_root(repo)
    moment = resolve_as_of(root, as_of)
    try:
        return moment, schedule(root, moment, use_cache)
    except NoPolicy as err:
        raise click.UsageError(str(err)) from err


def warn_left_out(skipped: list[Any]) -> None:
    """Tell the user (on standard error) how many invalid files a report left out."""
    if skipped:
        click.echo(
            f"warning: {len({f.path for f in skipped})} invalid file(s) left out; run `commlog validate`", err=True
        )


no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Judge every file afresh: neither read nor write the index (see site/performance.md).",
)

strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when files that fail validation were left out (for CI); the output is still written.",
)
