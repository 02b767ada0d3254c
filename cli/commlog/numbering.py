"""Numbers that must be unique across the repository and every branch: record ids and archive numbers.

Two members of staff on two branches would otherwise both take NX-2026-008. The next
number is one past the highest seen in the work tree and on every local and
remote-tracking branch (``git ls-tree`` / ``git grep`` per ref), so a clash is left only
between clones that have not fetched each other; ``commlog renumber`` mends that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from commlog.history import grep_branches, names_on_branches
from commlog.policy import Policy

ARCHIVE_GREP = r"archive_no: *['\"]?[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]+"
"""An archive number as git grep -E finds it in a record file (every reader of other commits uses this)."""
ARCHIVE_LINE = re.compile(rb"archive_no: *['\"]?([A-Z][A-Z0-9]{0,7}-\d{4}-\d{1,6})")


def record_names(root: Path, year: int) -> set[str]:
    """Names (without .yaml) of the record files of ``year`` in the work tree and on every branch."""
    folder = root / "records" / str(year)
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    names |= names_on_branches(root, f"records/{year}")
    return {n.removesuffix(".yaml") for n in names if n.endswith(".yaml")}


def _sequence_after(taken: Iterable[str], prefix: str, first: int) -> int:
    """One past the highest ``<prefix>-<n>`` among ``taken`` (``first`` when there is none)."""
    pattern = re.compile(re.escape(prefix) + r"-(\d{1,6})\Z")
    numbers = [int(m.group(1)) for name in taken if (m := pattern.match(name))]
    return max([first - 1, *numbers]) + 1


def next_record_id(root: Path, policy: Policy, code: str, year: int) -> str:
    """The next free record id for a department code and year."""
    sequence = _sequence_after(record_names(root, year), f"{code}-{year}", 1)
    return f"{code}-{year}-{sequence:0{policy.record_sequence_width}d}"


def archive_numbers(root: Path, in_work_tree: Iterable[str]) -> set[str]:
    """Archive numbers given in the work tree (as loaded) and on every branch."""
    out = grep_branches(root, ARCHIVE_GREP, "records")
    return set(in_work_tree) | {m.group(1).decode() for m in ARCHIVE_LINE.finditer(out)}
