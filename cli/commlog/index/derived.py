"""What a valid record implies whatever the moment judged: its status and every stage's clock.

A record's stages (start, due time, end, who answers for them) depend on the record, the policy,
its calendar and the contacts, never on the moment they are judged at, as long as that moment is
after the record's last event. They are stored in the index under the record's content digest
and the context's (:meth:`commlog.index.corpus.Snapshot.context_key`), so a run computes only
the records that changed; the moment is applied afterwards (:func:`commlog.deadlines.judge`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from commlog.deadlines import Context, Stage, stages
from commlog.index.store import Derived, OpenRow
from commlog.workflow import status
from commlog.worktime import WorkCalendar


def derive(record: dict[str, Any], ctx: Context) -> tuple[str, list[Stage]]:
    """A record's status and its stages, not yet judged."""
    return status(record, ctx.policy, ctx.staff), stages(record, ctx)


def row(digest: str, context: str, record: dict[str, Any], ctx: Context, state: str, found: list[Stage]) -> Derived:
    """The index row of a whole record's derivation (``found`` not yet judged)."""
    times = [ctx.time(e["at"]).timestamp() for e in record["events"]]
    years = sorted({y for s in found for y in s.missing_years})
    tz = ctx.policy.timezone
    opened = [open_row(seq, s, tz, ctx.calendar) for seq, s in enumerate(found) if s.met is None]
    value = encode(state, found, tz)
    return (digest, context, record["id"], record["subject"], min(times), max(times), json.dumps(years), value, opened)


def open_row(seq: int, s: Stage, tz: tzinfo, calendar: WorkCalendar) -> OpenRow:
    """An open stage as the index's open_stage table holds it (no explanation: the overdue report shows none),
    with its working-time positions, so that judging it later is a subtraction."""
    start, start_offset = _split(s.start, tz)
    due, due_offset = _split(s.due, tz)
    return (
        seq,
        s.name,
        start,
        start_offset,
        due,
        due_offset,
        s.responsible,
        s.department,
        int(s.provisional),
        json.dumps(sorted(s.missing_years)),
        int(s.working),
        int(s.clock),
        s.follow_ups,
        s.basis,
        " ".join(s.pending),  # staff ids (no spaces): split back faster than JSON is read
        calendar.position(s.start),
        None if s.due is None else calendar.position(s.due),
    )


def open_stage(row: tuple[Any, ...], tz: tzinfo) -> Stage:
    """An open stage read back from :meth:`commlog.index.store.Store.open_stages` (from its ``seq`` on)."""
    (
        _,
        name,
        start,
        start_offset,
        due,
        due_offset,
        who,
        dept,
        provisional,
        years,
        working,
        clock,
        follow,
        basis,
        pending,
        start_position,
        due_position,
    ) = row
    return Stage(
        name,
        _joined(start, start_offset, tz),
        None if due is None else _joined(due, due_offset, tz),
        None,
        who,
        dept,
        "on_time",
        bool(provisional),
        set(json.loads(years)) if years != "[]" else set(),
        bool(working),
        bool(clock),
        follow,
        0,
        None,
        basis,
        pending.split(" ") if pending else [],
        [],
        float(start_position),
        None if due_position is None else float(due_position),
    )


def _split(moment: datetime | None, tz: tzinfo) -> tuple[float | None, float | None]:
    """Epoch seconds, and the UTC offset when the time was written with one of its own (None: the policy's zone)."""
    if moment is None:
        return None, None
    if moment.tzinfo is tz:
        return moment.timestamp(), None
    offset = moment.utcoffset()
    assert offset is not None
    return moment.timestamp(), offset.total_seconds()


def _joined(stamp: float, offset: float | None, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(stamp, tz if offset is None else timezone(timedelta(seconds=offset)))


def encode(state: str, found: list[Stage], tz: tzinfo) -> str:
    """``[status, stage...]``, each stage a list in :class:`Stage`'s field order (its state not yet judged)."""
    stamp = _stamper(tz)
    items = [
        [
            s.name,
            stamp(s.start),
            stamp(s.due),
            stamp(s.met),
            s.responsible,
            s.department,
            s.provisional,
            sorted(s.missing_years),
            s.working,
            s.clock,
            s.follow_ups,
            s.basis,
            s.pending,
            s.explain,
        ]
        for s in found
    ]
    return json.dumps([state, *items], ensure_ascii=False)


def decode(text: str, ctx: Context) -> tuple[str, list[Stage]] | None:
    """A stored derivation read back; None for one of another shape (derived again)."""
    moment = _reader(ctx.policy.timezone)
    try:
        state, *items = json.loads(text)
        found = [
            Stage(n, moment(st), moment(du), moment(me), r, d, "on_time", p, set(y), w, c, f, 0, None, b, pe, ex)  # type: ignore[arg-type]  # start checked below
            for n, st, du, me, r, d, p, y, w, c, f, b, pe, ex in items
        ]
    except (TypeError, ValueError):
        return None
    if not isinstance(state, str) or any(s.start is None for s in found):
        return None
    return state, found


def _stamper(tz: tzinfo) -> Callable[[datetime | None], float | list[float] | None]:
    """A time as epoch seconds, or [epoch seconds, UTC offset] when it was written with an offset of its own."""

    def stamp(moment: datetime | None) -> float | list[float] | None:
        at, offset = _split(moment, tz)
        return at if offset is None or at is None else [at, offset]

    return stamp


def _reader(tz: tzinfo) -> Callable[[Any], datetime | None]:
    def moment(stamp: Any) -> datetime | None:
        if stamp is None:
            return None
        return _joined(stamp, None, tz) if type(stamp) is float else _joined(stamp[0], stamp[1], tz)

    return moment
