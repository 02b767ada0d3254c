"""Each valid record's facts (:class:`commlog.rules.Facts`) as the index keeps them: a row of columns.

The rules that compare records read every record's facts on every run that changed something, so they are
kept in a form that loads fast: the id in a column, the links and the events that give an archive number
as JSON only where a record has any (NULL otherwise), and no JSON at all for a record that has neither.
A row of another shape (damaged, or written by something else) is refused: its record is loaded and its
facts are taken and stored again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from commlog.rules import LINKS, Facts
from commlog.timeutil import TIME_FORM

Row = tuple[str, str | None, str | None]
"""A record's id, its links (JSON or NULL), its archive-numbered events (JSON or NULL)."""
_NUMBER = re.compile(r"[A-Z][A-Z0-9]{0,7}-\d{4}-\d{1,6}\Z")
"""What the record schema lets a record id and an archive number be (the rules split them at the dashes)."""


def to_row(facts: Facts) -> Row:
    links = [[parts[0], parts[1] if len(parts) > 1 else None, target] for parts, target in facts.links]
    return (
        facts.id,
        json.dumps(links, ensure_ascii=False) if links else None,
        json.dumps(facts.archives, ensure_ascii=False) if facts.archives else None,
    )


def from_row(path: str, record_id: Any, links: Any, archives: Any) -> Facts | None:
    """The facts a row holds, or None when it is not a row :func:`to_row` writes."""
    if not isinstance(record_id, str) or not _NUMBER.match(record_id):
        return None
    if links is None and archives is None:  # most records: said without a call more
        return Facts(path, record_id, (), ())
    try:
        return Facts(path, record_id, _links(links), _archives(archives))
    except (TypeError, ValueError):  # json's errors included
        return None


def _links(text: Any) -> tuple[tuple[tuple[str] | tuple[str, int], str], ...]:
    if text is None:
        return ()
    out: list[tuple[tuple[str] | tuple[str, int], str]] = []
    for name, index, target in json.loads(text):
        if (
            not isinstance(target, str)
            or not _NUMBER.match(target)
            or name not in LINKS
            or (index is None) != (name != "references")
        ):
            raise ValueError("not a link")
        if index is None:
            out.append(((name,), target))
        elif type(index) is int:
            out.append(((name, index), target))
        else:
            raise ValueError("not a link")
    if not out:
        raise ValueError("an empty list is written as NULL")
    return tuple(out)


def _archives(text: Any) -> tuple[tuple[int, bool, str, str], ...]:
    if text is None:
        return ()
    out = []
    for index, archived, at, number in json.loads(text):
        if type(index) is not int or type(archived) is not bool or not isinstance(at, str) or not TIME_FORM.match(at):
            raise ValueError("not an archive-numbered event")
        if not isinstance(number, str) or not _NUMBER.match(number):
            raise ValueError("not an archive number")
        out.append((index, archived, at, number))
    if not out:
        raise ValueError("an empty list is written as NULL")
    return tuple(out)
