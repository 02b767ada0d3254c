"""Rules about communication records (信息交流记录) and what they refer to."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from commlog.deadlines import TASK_ENDED, TASK_TABLES
from commlog.findings import Finding
from commlog.repository import attachment, attachment_folder
from commlog.rules import Corpus, finding, rule
from commlog.tenure import as_on, day_of
from commlog.timeutil import parse_time
from commlog.workflow import DRAFT_EVENTS, TASK_NAMES

Parts = tuple[object, ...]


def _departments(data: dict[str, Any]) -> Iterator[tuple[Parts, str]]:
    yield ("from", "department"), data["from"]["department"]
    for i, party in enumerate(data["to"]):
        if "department" in party:
            yield ("to", i, "department"), party["department"]
    for i, task in enumerate(data.get("tasks", [])):
        yield ("tasks", i, "department"), task["department"]


def _staff(data: dict[str, Any]) -> Iterator[tuple[Parts, str]]:
    yield ("from", "person"), data["from"]["person"]
    for i, party in enumerate(data["to"]):
        if "person" in party and "org" not in party:
            yield ("to", i, "person"), party["person"]
    if "contact" in data.get("notice", {}):
        yield ("notice", "contact"), data["notice"]["contact"]
    for i, task in enumerate(data.get("tasks", [])):
        yield ("tasks", i, "owner"), task["owner"]
    for key in ("host", "recorder"):
        if key in data.get("meeting", {}):
            yield ("meeting", key), data["meeting"][key]
    for i, item in enumerate(data.get("action_items", [])):
        yield ("action_items", i, "owner"), item["owner"]


def _actors(data: dict[str, Any]) -> Iterator[tuple[Parts, str]]:
    for i, party in enumerate(data["to"]):
        if "org" in party and "person" in party:
            yield ("to", i, "person"), f"{party['org']}/{party['person']}"
    for i, who in enumerate(data.get("attendees", [])):
        yield ("attendees", i), who
    for i, event in enumerate(data["events"]):
        yield ("events", i, "by"), event["by"]
        if "to" in event:
            yield ("events", i, "to"), event["to"]


@rule("unique-id", needs_policy=False, across=True)
def unique_id(corpus: Corpus) -> Iterator[Finding]:
    """Every record has its own number (信息编号); each holder of a shared one is told of the others."""
    compared = corpus.compared()
    shared = {record_id for record_id, count in Counter(f.id for f in compared).items() if count > 1}
    holders: dict[str, list[str]] = defaultdict(list)
    for f in compared:
        if f.id in shared:
            holders[f.id].append(f.path)
    for f in compared:
        if f.id in shared:
            others = [p for p in holders[f.id] if p != f.path]
            yield finding(
                f.path,
                "unique-id",
                ("id",),
                f"id {f.id} is also used by {', '.join(others)}",
                "take the next free number",
            )


@rule("id-file-name", "id-year-folder", needs_policy=False)
def id_file_name(corpus: Corpus) -> Iterator[Finding]:
    """A record lives at records/<year>/<id>.yaml, the year being the id's."""
    for doc in corpus.records:
        path = PurePosixPath(doc.path)
        record_id = doc.data["id"]
        if path.stem != record_id:
            yield finding(
                doc,
                "id-file-name",
                ("id",),
                f"id {record_id} differs from the file name {path.name}",
                f"rename the file to {record_id}.yaml or fix the id",
            )
        elif path.parent.name != record_id.split("-")[1]:
            yield finding(
                doc,
                "id-year-folder",
                ("id",),
                f"id {record_id} is in the folder records/{path.parent.name}/",
                f"move the file to records/{record_id.split('-')[1]}/",
            )


@rule("id-department-code")
def id_department_code(corpus: Corpus) -> Iterator[Finding]:
    """A record's number starts with its sending department's code and has the policy's sequence width."""
    policy = corpus.policy
    assert policy is not None
    for doc in corpus.records:
        code, _, sequence = doc.data["id"].split("-")
        department = policy.departments.get(doc.data["from"]["department"])
        if department and department.code != code:
            yield finding(
                doc,
                "id-department-code",
                ("id",),
                f"id {doc.data['id']} starts with {code}, but {department.name}'s code is {department.code}",
                f"number the record {department.code}-...",
            )
        elif len(sequence) != policy.record_sequence_width:
            yield finding(
                doc,
                "id-department-code",
                ("id",),
                f"sequence {sequence} has {len(sequence)} digits, the policy says {policy.record_sequence_width}",
                "pad the sequence with zeros to the policy's width",
            )


@rule("unique-archive-no", across=True)
def unique_archive_no(corpus: Corpus) -> Iterator[Finding]:
    """Archive numbers (归档编号) are unique and follow the policy's series."""
    policy = corpus.policy
    assert policy is not None
    first: dict[str, str] = {}
    for f in corpus.compared():
        for i, _, _, number in f.archives:
            prefix, _, sequence = number.split("-")
            if number in first and first[number] != f.id:
                yield finding(
                    f.path,
                    "unique-archive-no",
                    ("events", i, "archive_no"),
                    f"archive number {number} is also {first[number]}'s",
                    "take the next free archive number",
                )
            elif prefix != policy.archive_prefix or len(sequence) != policy.archive_sequence_width:
                yield finding(
                    f.path,
                    "unique-archive-no",
                    ("events", i, "archive_no"),
                    f"archive number {number} is not in the series {policy.archive_prefix}-<year>-{'N' * policy.archive_sequence_width}",
                    "use the policy's archive prefix and width",
                )
            first.setdefault(number, f.id)


@rule("unknown-department")
def unknown_department(corpus: Corpus) -> Iterator[Finding]:
    """Every department a record names is in the policy."""
    assert corpus.policy is not None
    for doc in corpus.records:
        for parts, name in _departments(doc.data):
            if name not in corpus.policy.departments:
                yield finding(
                    doc,
                    "unknown-department",
                    parts,
                    f"department '{name}' is not in policy.yaml",
                    "use a department name from policy.yaml's departments",
                )


@rule("unknown-contact", needs_policy=False)
def unknown_contact(corpus: Corpus) -> Iterator[Finding]:
    """Every staff member a record names has a file in contacts/internal/."""
    for doc in corpus.records:
        for parts, person in _staff(doc.data):
            if person not in corpus.staff_ids:
                yield finding(
                    doc,
                    "unknown-contact",
                    parts,
                    f"'{person}' is not in contacts/internal/",
                    f"add contacts/internal/{person}.yaml or fix the id",
                )


@rule("person-department", needs_policy=False)
def person_department(corpus: Corpus) -> Iterator[Finding]:
    """The sender (发起人) and each internal recipient belong to the department named with them (when the record began)."""
    staff = corpus.staff
    for doc in corpus.records:
        day = day_of(doc.data["events"][0]["at"])
        parties = [(("from",), doc.data["from"])] + [(("to", i), p) for i, p in enumerate(doc.data["to"])]
        for parts, party in parties:
            person = as_on(staff.get(party.get("person", "")), day)
            if person and "department" in party and person["department"] != party["department"]:
                yield finding(
                    doc,
                    "person-department",
                    (*parts, "person"),
                    f"'{party['person']}' is in {person['department']}, not {party['department']}",
                    "fix the department or the person",
                )


@rule("unknown-organisation", "unknown-org-person", "unknown-contact", needs_policy=False)
def unknown_organisation(corpus: Corpus) -> Iterator[Finding]:
    """Every outside person a record names is listed in their organisation's file."""
    orgs = corpus.orgs
    for doc in corpus.records:
        for i, party in enumerate(doc.data["to"]):
            if "org" in party and party["org"] not in corpus.org_ids:
                yield finding(
                    doc,
                    "unknown-organisation",
                    ("to", i, "org"),
                    f"organisation '{party['org']}' is not in contacts/external/",
                    f"add contacts/external/{party['org']}.yaml or fix the id",
                )
        for parts, actor in _actors(doc.data):
            if "/" not in actor:
                if actor not in corpus.staff_ids:
                    yield finding(
                        doc,
                        "unknown-contact",
                        parts,
                        f"'{actor}' is not in contacts/internal/",
                        f"add contacts/internal/{actor}.yaml, or write <organisation>/<person> for an outside person",
                    )
                continue
            org_id, person = actor.split("/")
            if org_id not in corpus.org_ids:
                if parts[0] != "to":  # reported above for recipients
                    yield finding(
                        doc,
                        "unknown-organisation",
                        parts,
                        f"organisation '{org_id}' is not in contacts/external/",
                        f"add contacts/external/{org_id}.yaml or fix the id",
                    )
            elif org_id in orgs and person not in {p["id"] for p in orgs[org_id]["people"]}:
                yield finding(
                    doc,
                    "unknown-org-person",
                    parts,
                    f"'{person}' is not among the people of contacts/external/{org_id}.yaml",
                    "add the person to the organisation's file or fix the id",
                )


@rule("recipient-shape", needs_policy=False)
def recipient_shape(corpus: Corpus) -> Iterator[Finding]:
    """Each recipient is one department, one organisation or all staff, as the record's direction requires."""
    for doc in corpus.records:
        direction = doc.data["direction"]
        for i, party in enumerate(doc.data["to"]):
            targets = [k for k in ("department", "org", "all_staff") if k in party]
            if len(targets) != 1:
                yield finding(
                    doc,
                    "recipient-shape",
                    ("to", i),
                    f"recipient names {' and '.join(targets) or 'only a person'}",
                    "write exactly one of department, org or all_staff (with person where it applies)",
                )
            elif "all_staff" in party and "person" in party:
                yield finding(
                    doc,
                    "recipient-shape",
                    ("to", i, "person"),
                    "all_staff addresses everyone; a person makes no sense with it",
                    "remove person",
                )
        has_org = any("org" in p for p in doc.data["to"])
        if direction == "external" and not has_org:
            yield finding(
                doc,
                "recipient-shape",
                ("direction",),
                "an external record has no outside organisation among its recipients",
                "add `{org: <id>}` to to:, or set direction: internal",
            )
        elif direction == "internal" and has_org:
            yield finding(
                doc,
                "recipient-shape",
                ("direction",),
                "an internal record is addressed to an outside organisation",
                "set direction: external",
            )


@rule("unknown-record", needs_policy=False, across=True)
def unknown_record(corpus: Corpus) -> Iterator[Finding]:
    """Thread links (in_reply_to, references, supersedes) point at existing records, not at the record itself."""
    for f in corpus.compared():
        for parts, target in f.links:
            if target == f.id:
                yield finding(
                    f.path, "unknown-record", parts, f"{parts[0]} points at the record itself", "link another record"
                )
            elif target not in corpus.record_ids:
                yield finding(
                    f.path,
                    "unknown-record",
                    parts,
                    f"{parts[0]} {target} is not a record in records/",
                    "fix the id or add the record",
                )


@rule("event-order")
def event_order(corpus: Corpus) -> Iterator[Finding]:
    """Events start with the submission (提交) and are in time order; nothing happens before it."""
    assert corpus.policy is not None
    tz = corpus.policy.timezone
    for doc in corpus.records:
        events = doc.data["events"]
        drafting = events[0]["type"] == "drafted"
        if not drafting and events[0]["type"] != "submitted":
            yield finding(
                doc,
                "event-order",
                ("events", 0, "type"),
                f"the first event is '{events[0]['type']}', not 'submitted' (or 'drafted')",
                "begin the history with `{type: submitted, at: ..., by: ...}` (`commlog new` writes it)",
            )
        for i, event in enumerate(events[1:], start=1):
            if not drafting or event["type"] == "submitted":
                break
            if event["type"] not in DRAFT_EVENTS:
                yield finding(
                    doc,
                    "event-order",
                    ("events", i, "type"),
                    f"'{event['type']}' on a draft that was never submitted",
                    "submit the draft first (`commlog submit ID`)",
                )
        times = [parse_time(e["at"], tz, strict=False) for e in events]
        for i in range(1, len(events)):
            if times[i] < times[i - 1]:
                yield finding(
                    doc,
                    "event-order",
                    ("events", i, "at"),
                    f"event {i + 1} ({events[i]['type']}, {events[i]['at']}) is earlier than event {i} before it ({events[i - 1]['type']}, {events[i - 1]['at']})",
                    "events are appended in the order they happen; fix the time",
                )
        submitted = next((times[i] for i, e in enumerate(events) if e["type"] == "submitted"), times[0])
        for key in ("feedback_due",):
            if key in doc.data and parse_time(doc.data[key], tz, strict=False) < submitted:
                yield finding(
                    doc,
                    "event-order",
                    (key,),
                    f"{key} {doc.data[key]} is before the submission {events[0]['at']}",
                    "a deadline comes after the submission",
                )


def _times(data: dict[str, Any]) -> Iterator[tuple[Parts, str]]:
    """Every time a record states (the fields its schema types as a time)."""
    for i, event in enumerate(data["events"]):
        yield ("events", i, "at"), event["at"]
    if "feedback_due" in data:
        yield ("feedback_due",), data["feedback_due"]
    if "held_at" in data.get("meeting", {}):
        yield ("meeting", "held_at"), data["meeting"]["held_at"]
    for i, item in enumerate(data.get("action_items", [])):
        if "due" in item:
            yield ("action_items", i, "due"), item["due"]


@rule("time-exists")
def time_exists(corpus: Corpus) -> Iterator[Finding]:
    """Times without an offset exist in the policy's timezone (none falls in a daylight-saving gap)."""
    assert corpus.policy is not None
    tz = corpus.policy.timezone
    for doc in corpus.records:
        for parts, text in _times(doc.data):
            try:
                parse_time(text, tz)
            except ValueError as err:  # the schema has checked the form, the year and the offset
                yield finding(
                    doc, "time-exists", parts, str(err), "write the time the clocks showed, or give its offset"
                )


@rule("unknown-channel", "channel-classification")
def unknown_channel(corpus: Corpus) -> Iterator[Finding]:
    """Channels are the ones the policy allows, and each may carry the record's classification."""
    policy = corpus.policy
    assert policy is not None
    for doc in corpus.records:
        classification = doc.data["classification"]
        used: list[tuple[Parts, str]] = [(("channels", i), c) for i, c in enumerate(doc.data["channels"])]
        used += [(("events", i, "channel"), e["channel"]) for i, e in enumerate(doc.data["events"]) if "channel" in e]
        for parts, channel_id in used:
            channel = policy.channels.get(channel_id)
            if channel is None:
                yield finding(
                    doc,
                    "unknown-channel",
                    parts,
                    f"channel '{channel_id}' is not in policy.yaml",
                    "use one of: " + ", ".join(policy.channels),
                )
            elif classification not in channel.classifications:
                yield finding(
                    doc,
                    "channel-classification",
                    parts,
                    f"{channel.name} may not carry {classification} information",
                    "use a channel whose classifications include " + classification,
                )


@rule("task-dependency", needs_policy=False)
def task_dependency(corpus: Corpus) -> Iterator[Finding]:
    """Task and action item numbers are unique, dependencies name tasks of the same record, and no task ends before it starts."""
    for doc in corpus.records:
        for key in ("tasks", "action_items"):
            numbers: dict[str, int] = {}
            for i, item in enumerate(doc.data.get(key, [])):
                if item["no"] in numbers:
                    yield finding(
                        doc,
                        "task-dependency",
                        (key, i, "no"),
                        f"number {item['no']} is used twice in {key}",
                        "number each entry once",
                    )
                numbers[item["no"]] = i
            for i, task in enumerate(doc.data.get("tasks", []) if key == "tasks" else []):
                for j, dep in enumerate(task.get("depends_on", [])):
                    if dep not in numbers or dep == task["no"]:
                        yield finding(
                            doc,
                            "task-dependency",
                            (key, i, "depends_on", j),
                            f"task {task['no']} depends on '{dep}', which is not another task here",
                            "name a task number from this table",
                        )
                if task["end"] < task["start"]:
                    yield finding(
                        doc,
                        "task-dependency",
                        (key, i, "end"),
                        f"task {task['no']} ends ({task['end']}) before it starts ({task['start']})",
                        "fix the dates",
                    )


@rule("task-status")
def task_status_at_registration(corpus: Corpus) -> Iterator[Finding]:
    """A task table's status is each task's status at registration (登记时状态): a task registered done or cancelled is not done or cancelled again by a later event, and no task is done at registration before it starts."""
    assert corpus.policy is not None
    tz = corpus.policy.timezone
    for doc in corpus.records:
        key, _ = TASK_TABLES.get(doc.data["kind"], ("", ""))
        events = doc.data["events"]
        submitted = next((e for e in events if e["type"] == "submitted"), None)
        for i, item in enumerate(doc.data.get(key, []) if key else []):
            registered = item.get("status", "not_started")
            if registered not in TASK_ENDED:
                continue
            what = f"{'task' if key == 'tasks' else 'action item'} {item['no']}"
            said = f"{registered} ({TASK_NAMES[registered]})"
            first = next(
                (
                    j
                    for j, e in enumerate(events)
                    if e["type"] == "progress" and e.get("task") == item["no"] and "status" in e
                ),
                None,
            )
            if first is not None and events[first]["status"] == registered:
                yield finding(
                    doc,
                    "task-status",
                    (key, i, "status"),
                    f"{what} is registered as {said}, yet event {first + 1} records it {registered} at {events[first]['at']}",
                    "the table keeps the status the record was registered with: put that back (not_started or "
                    "in_progress) and let the progress event say when it changed",
                )
            elif key == "tasks" and registered == "done" and submitted is not None:
                day = parse_time(submitted["at"], tz, strict=False).astimezone(tz).date().isoformat()
                if item["start"] > day:
                    yield finding(
                        doc,
                        "task-status",
                        (key, i, "status"),
                        f"{what} is registered as {said}, but it starts on {item['start']}, after the registration on {day}",
                        f"write the status it had at registration (not_started) and record its completion when it comes: "
                        f"`commlog progress {doc.data['id']} --task {item['no']} --status done`",
                    )


@rule("attachment-missing", "attachment-outside", needs_policy=False)
def attachments(corpus: Corpus) -> Iterator[Finding]:
    """Attachments exist inside the record's own folder records/<year>/<id>/."""
    for doc in corpus.records:
        for i, name in enumerate(doc.data.get("attachments", [])):
            target = attachment(corpus.root, doc.path, name)
            if target is None:
                yield finding(
                    doc,
                    "attachment-outside",
                    ("attachments", i),
                    f"attachment {name} leads outside records/.../{doc.data['id']}/ or through a symbolic link",
                    "keep attachments as ordinary files in the record's folder and name them relative to it",
                )
            elif not target.is_file():
                folder = attachment_folder(corpus.root, doc.path).relative_to(corpus.root).as_posix()
                yield finding(
                    doc,
                    "attachment-missing",
                    ("attachments", i),
                    f"attachment {name} is not in {folder}/",
                    "add the file or remove the entry",
                )
