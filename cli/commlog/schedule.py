"""The repository's open clocks: every record's stages judged as of a moment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from commlog.deadlines import Context, Stage, judge
from commlog.findings import Finding
from commlog.index import derived
from commlog.index.corpus import Snapshot, context_corpus, load_corpus, take_snapshot
from commlog.index.store import Derived
from commlog.load import Document
from commlog.rules import Corpus


class NoPolicy(Exception):
    """The repository's policy.yaml is missing or invalid, so no deadline can be computed."""


@dataclass
class RecordClock:
    doc: Document
    record: dict[str, Any]
    """The record with only the events that had happened by the moment judged."""
    status: str
    stages: list[Stage]


@dataclass
class Schedule:
    context: Context
    records: list[RecordClock]
    skipped: list[Finding]
    """Files left out because they do not load or match their schema."""
    not_yet: set[str]
    """Ids of valid records whose first event is after the moment judged."""
    record_ids: set[str] = field(default_factory=set)
    """The ``id`` of every record file that loads, valid or not, and every record file's name."""


def schedule(root: Path, as_of: datetime, use_cache: bool = True) -> Schedule:
    """Every schema-valid record's status and judged stages (each record's stages derived once per content)."""
    snap = take_snapshot(root, use_cache)
    corpus, findings = load_corpus(root, snap=snap)
    ctx = _context(corpus)
    deriving = _Deriving(snap, ctx, as_of)
    stored = snap.store.derived(deriving.context)
    clocks: list[RecordClock] = []
    not_yet: set[str] = set()
    for doc in corpus.records:
        digest = snap.digests[doc.path]
        known = deriving.stored(stored.get(digest))
        if known is not None:
            record, (state, found) = doc.data, known
        else:
            fresh = deriving.fresh(doc.data, digest)
            if fresh is None:
                not_yet.add(doc.data["id"])
                continue
            record, state, found = fresh
        clocks.append(RecordClock(doc, record, state, judge(found, ctx, as_of)))
    snap.save(derived=deriving.rows)
    return Schedule(ctx, clocks, findings, not_yet, corpus.record_ids | corpus.record_names)


@dataclass
class OpenStages:
    """The open stages of every schema-valid record, judged: what the overdue report needs, and no more."""

    context: Context
    clocks: list[tuple[str, str, list[Stage]]]
    """(id, subject, open stages judged) of each record with an open stage; the stages carry no explanation."""
    skipped: list[Finding]
    missing_years: list[int]
    """Years without statutory calendar data that some deadline was computed through."""


def open_stages(root: Path, as_of: datetime, use_cache: bool = True) -> OpenStages:
    """Like :func:`schedule`, but records without an open stage are only counted: their data is not even read.

    The policy and contacts are loaded; a record whose derivation the index holds (and whose last
    event is before ``as_of``) is taken from it; the others are loaded and derived as
    :func:`schedule` does.
    """
    snap = take_snapshot(root, use_cache)
    verdicts = snap.verdicts()
    corpus, skipped = context_corpus(snap)
    ctx = _context(corpus)
    tz = ctx.policy.timezone
    deriving = _Deriving(snap, ctx, as_of)
    heads = snap.store.heads(deriving.context)
    clocks: list[tuple[str, str, list[Stage]]] = []
    years: set[int] = set()
    missing: list[str] = []
    current: set[str] = set()
    for relative, verdict in verdicts.items():
        if verdict.role != "record" or not verdict.ok:
            continue
        head = heads.get(verdict.digest)
        if head is not None and head[0] > deriving.moment:
            continue  # registered after the moment judged: it did not exist yet
        if head is None or head[1] > deriving.moment:
            missing.append(relative)  # not derived yet, or only some of its events had happened: derived now
            continue
        current.add(verdict.digest)
        if head[2] != "[]":
            years.update(json.loads(head[2]))
    rows = snap.store.open_stages(deriving.context) if current else []
    damaged: set[str] = set()
    for digest, group in groupby(rows, key=itemgetter(0)):
        if digest in current:
            stages_of = list(group)
            try:
                found = [derived.open_stage(row[3:], tz) for row in stages_of]
            except (TypeError, ValueError, OverflowError, OSError):
                damaged.add(digest)  # an entry of another shape: derived again
                continue
            clocks.append((stages_of[0][1], stages_of[0][2], found))
    missing += [r for r, v in verdicts.items() if v.digest in damaged]
    snap.load(missing)
    for relative in missing:
        data = verdicts[relative].data
        assert data is not None
        fresh = deriving.fresh(data, verdicts[relative].digest)
        if fresh is not None:
            record, _, found = fresh
            years.update(y for s in found for y in s.missing_years)
            clocks.append((record["id"], record["subject"], found))
    judge([stage for _, _, found in clocks for stage in found], ctx, as_of)  # one call: the moment placed once
    for _, _, found in clocks:
        years.update(y for s in found for y in s.missing_years)
    snap.save(derived=deriving.rows)
    return OpenStages(ctx, clocks, skipped, sorted(years))


def _context(corpus: Corpus) -> Context:
    if corpus.policy is None:
        raise NoPolicy("policy.yaml is missing or invalid; run `commlog validate` to see why")
    return Context.create(corpus.policy, corpus.staff, corpus.orgs)


class _Deriving:
    """Each record's status and stages, from the index or derived now (and kept for the next run)."""

    def __init__(self, snap: Snapshot, ctx: Context, as_of: datetime):
        self.ctx, self.as_of, self.moment = ctx, as_of, as_of.timestamp()
        self.context = snap.context_key()
        self.rows: list[Derived] = []

    def stored(self, entry: tuple[float, str] | None) -> tuple[str, list[Stage]] | None:
        """A stored derivation, if it holds at the moment judged (every event of the record is before it)."""
        if entry is None or entry[0] > self.moment:
            return None
        return derived.decode(entry[1], self.ctx)

    def fresh(self, data: dict[str, Any], digest: str) -> tuple[dict[str, Any], str, list[Stage]] | None:
        """The record as it was at the moment, its status and stages; None if it did not exist yet."""
        # The whole record is derived and kept whatever the moment: what it implies holds at any moment after its
        # last event, and a later run learns from its first event that before it there was nothing to judge.
        whole_state, whole = derived.derive(data, self.ctx)
        self.rows.append(derived.row(digest, self.context, data, self.ctx, whole_state, whole))
        record = as_it_was(data, self.ctx, self.as_of)
        if record is None:
            return None
        if record is data:
            # Read back as a later run will: a run that derives and one that reads give the same stages.
            known = derived.decode(self.rows[-1][7], self.ctx)
            assert known is not None
            return record, *known
        state, found = derived.derive(record, self.ctx)
        return record, state, found


def missing_years(plan: Schedule) -> list[int]:
    """Years without statutory calendar data that some deadline was computed through."""
    return sorted({y for clock in plan.records for stage in clock.stages for y in stage.missing_years})


def provisional_warning(years: list[int]) -> str:
    """What to tell a user whose deadlines run through years the calendar does not cover."""
    listed = year_ranges(years)
    return (
        f"warning: deadlines through {listed} are provisional (暂定): the statutory calendar has no holidays for {listed}; "
        "add the official schedule to policy.yaml calendar.overrides (see site/deadlines.md)"
    )


def year_ranges(years: list[int]) -> str:
    """Sorted years, runs shortened: ``2027-2199`` rather than 173 numbers."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def as_it_was(record: dict[str, Any], ctx: Context, as_of: datetime) -> dict[str, Any] | None:
    """The record with only the events that had happened by ``as_of`` (None if it did not exist yet)."""
    events = [e for e in record["events"] if ctx.time(e["at"]) <= as_of]
    if not events:
        return None
    return record if len(events) == len(record["events"]) else {**record, "events": events}
