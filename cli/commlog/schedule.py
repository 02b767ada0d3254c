"""The repository's open clocks: every record's stages judged as of a moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from commlog.deadlines import Context, Stage, judge, stages
from commlog.findings import Finding
from commlog.load import Document
from commlog.validate import load_corpus
from commlog.workflow import status


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


def schedule(root: Path, as_of: datetime) -> Schedule:
    """Every schema-valid record's status and judged stages."""
    corpus, findings = load_corpus(root)
    if corpus.policy is None:
        raise NoPolicy("policy.yaml is missing or invalid; run `commlog validate` to see why")
    ctx = Context.create(corpus.policy, corpus.staff, corpus.orgs)
    clocks, not_yet = [], set()
    for doc in corpus.records:
        record = as_it_was(doc.data, ctx, as_of)
        if record is None:
            not_yet.add(doc.data["id"])
        else:
            clocks.append(
                RecordClock(
                    doc, record, status(record, corpus.policy, ctx.staff), judge(stages(record, ctx), ctx, as_of)
                )
            )
    return Schedule(ctx, clocks, findings, not_yet, corpus.record_ids | corpus.record_names)


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
