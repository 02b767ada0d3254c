"""Rules about archiving (归档): what may be archived, by whom, and under which number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from commlog.findings import Finding
from commlog.rules import Corpus, finding, rule
from commlog.tenure import as_on
from commlog.timeutil import parse_time, show
from commlog.workflow import ROLE_NAMES, STATUS_NAMES, archive_role, may_archive, next_archive_no, status


@rule("archive-not-closed")
def archive_closed_records(corpus: Corpus) -> Iterator[Finding]:
    """Only a record whose handling is completed (处理完成) or that was cancelled is archived."""
    assert corpus.policy is not None
    staff = corpus.staff
    for doc in corpus.records:
        events = doc.data["events"]
        for index, event in enumerate(events):
            if event["type"] != "archived":
                continue
            before = status({**doc.data, "events": events[:index]}, corpus.policy, staff)
            if before not in ("completed", "cancelled", "archived"):  # archived twice: event-after-close says so
                yield finding(
                    doc,
                    "archive-not-closed",
                    ("events", index, "type"),
                    f"archived while the record is {before} ({STATUS_NAMES[before]}); "
                    "only a completed or cancelled record is archived",
                    "append `completed` (处理完成) once the handling is done, or `cancelled`, before archiving",
                )


@rule("archive-role")
def archivist_archives(corpus: Corpus) -> Iterator[Finding]:
    """A record is archived by a member of staff holding the role the policy names for archiving (档案管理员)."""
    policy = corpus.policy
    assert policy is not None
    role = archive_role(policy)
    staff = corpus.staff
    holders = sorted(pid for pid, p in staff.items() if may_archive(p, policy))
    for doc in corpus.records:
        for index, event in enumerate(doc.data["events"]):
            if event["type"] != "archived":
                continue
            day = parse_time(event["at"], policy.timezone, strict=False).astimezone(policy.timezone).date()
            if not may_archive(as_on(staff.get(event["by"]), day.isoformat()), policy, on=day):
                who = f"{event['by']} does not hold" if event["by"] in staff else f"{event['by']} is not staff holding"
                yield finding(
                    doc,
                    "archive-role",
                    ("events", index, "by"),
                    f"{who} the archiving role {role} ({ROLE_NAMES.get(role, role)}) on {day}",
                    f"archiving is done by {', '.join(holders) or f'a holder of {role}'} "
                    "(policy.yaml archiving.role; the role is given in contacts/internal/)",
                )


class _Given(NamedTuple):
    """An archive number given: ordered by when, then where (the path and the event's index tell events apart)."""

    at: datetime
    path: str
    event: int
    id: str
    number: str
    year: int
    sequence: int


def _archive_numbers(corpus: Corpus) -> list[_Given]:
    """Every archive number in the policy's series, in the order given (the archiving time)."""
    policy = corpus.policy
    assert policy is not None
    tz, prefix, width = policy.timezone, policy.archive_prefix, policy.archive_sequence_width
    given = []
    for f in corpus.compared():
        for index, archived, at, number in f.archives:
            if archived:
                head, year, sequence = number.split("-")
                if head == prefix and len(sequence) == width:
                    given.append(
                        _Given(parse_time(at, tz, strict=False), f.path, index, f.id, number, int(year), int(sequence))
                    )
    given.sort()  # (at, path, index) is never equal for two events: the rest is never compared
    return given


@rule("archive-no-order", across=True)
def archive_numbers_in_order(corpus: Corpus) -> Iterator[Finding]:
    """Archive numbers are given in the order of archiving, from the series of the year archived in, starting at the policy's first number."""
    policy = corpus.policy
    assert policy is not None
    tz = policy.timezone
    given = _archive_numbers(corpus)
    by_year: dict[int, list[str]] = {}
    for g in given:
        by_year.setdefault(g.year, []).append(g.number)
    free: dict[int, str] = {}
    highest: dict[int, _Given] = {}
    owner: dict[str, str] = {}
    for g in given:
        if g.number in owner:
            continue  # archived again under its own number, or a duplicate (unique-archive-no)
        owner[g.number] = g.id
        year = g.at.astimezone(tz).year
        place = ("events", g.event, "archive_no")
        if year not in free:
            free[year] = next_archive_no(by_year.get(year, []), year, policy)
        fix = f"the next free number of the {year} series is {free[year]}"
        if g.year != year:
            yield finding(
                g.path,
                "archive-no-order",
                place,
                f"archive number {g.number} is from the {g.year} series, but the record was archived in {year}",
                fix,
            )
        elif g.sequence < policy.archive_first:
            yield finding(
                g.path,
                "archive-no-order",
                place,
                f"archive number {g.number} is below the first number of the series ({policy.archive_first})",
                fix,
            )
        elif year in highest and g.sequence < highest[year].sequence:
            earlier = highest[year]
            yield finding(
                g.path,
                "archive-no-order",
                place,
                f"archive number {g.number} is lower than {earlier.number}, given earlier "
                f"({earlier.id}, {show(earlier.at, tz)}); numbers are given in the order of archiving",
                fix,
            )
        else:
            highest[year] = g
