"""Plain-text columns that line up in a terminal when the cells hold Chinese (each Han character takes two places)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """How many terminal columns ``text`` takes: two for a wide or full-width character, none for a combining mark."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text
    )


def pad(text: str, columns: int) -> str:
    """``text`` followed by spaces up to ``columns`` terminal columns."""
    return text + " " * max(0, columns - width(text))


def table(heading: Sequence[str], rows: Sequence[Sequence[str]], gap: str = "  ") -> list[str]:
    """Lines of a table, each column as wide as its widest cell; the last column is not padded."""
    every = [list(heading), *(list(r) for r in rows)]
    widths = [max(width(row[i]) for row in every) for i in range(len(heading))]
    lines = []
    for row in every:
        cells = [pad(cell, widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append(gap.join(cells).rstrip())
    return lines
