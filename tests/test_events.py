"""The table of event types (commlog.events) against the schemas, and the reference generated from it."""

from __future__ import annotations

from commlog.events import COMMON, EVENT_NAMES, EVENT_TYPES
from commlog.reference import event_commands, render
from commlog.schema import RECORD_KINDS, Schemas


def test_the_table_covers_every_event_type_of_the_schemas_and_no_other() -> None:
    schemas = Schemas()
    allowed = {kind: set(schemas.event_types(kind)) for kind in RECORD_KINDS}
    in_schemas = set().union(*allowed.values())
    assert sorted(in_schemas - set(EVENT_TYPES)) == [], "add these types to commlog/events.py"
    assert sorted(set(EVENT_TYPES) - in_schemas) == [], "no kind's schema allows these types"
    assert {t: e.name for t, e in EVENT_TYPES.items()} == EVENT_NAMES


def test_the_fields_the_table_names_are_event_fields() -> None:
    event = Schemas().documents["common"]["$defs"]["event"]
    fields = set(event["properties"])
    assert set(COMMON) <= fields and set(event["required"]) <= set(COMMON)
    for entry in EVENT_TYPES.values():
        assert set(entry.fields) <= fields - set(COMMON), entry.type
        assert len(set(entry.fields)) == len(entry.fields), entry.type  # needed or optional, not both


OPTION_FIELDS = {"reason": "note", "from": "by", "evidence_file": "evidence", "stage": None}
"""A command's options as the event fields they write (``--from`` is the event's ``by``; ``--stage`` picks whom to chase)."""
WRITTEN_BY_THE_COMMAND = {"approved": {"role"}, "rejected": {"role"}, "archived": {"archive_no"}}
WRITTEN_BY_THE_COMMAND |= {"follow_up": {"to"}, "escalated": {"to"}}
"""Fields the command always writes without an option: the role held, the next archive number, whom the stage waits on."""


def _fields(options: tuple[str, ...]) -> set[str]:
    return {OPTION_FIELDS.get(o, o) for o in options} - {"by", None}


def test_every_event_type_is_recorded_by_a_command_that_writes_its_fields() -> None:
    from commlog.steps import STEPS

    assert {step.event for step in STEPS.values()} <= set(EVENT_TYPES)
    for event_type, entry in EVENT_TYPES.items():
        commands = event_commands(event_type)
        assert commands, f"no command records {event_type}"
        steps = [s for s in STEPS.values() if s.event == event_type]
        if not steps:  # written by `commlog new` alone
            assert commands == ["new --draft"] and entry.fields == ()
            continue
        automatic = WRITTEN_BY_THE_COMMAND.get(event_type, set())
        optional = set().union(*(_fields(s.options + s.required) for s in steps))
        assert optional | automatic == set(entry.fields), event_type
        for step in steps:
            assert _fields(step.required) | automatic == set(entry.needs), step.command
    assert event_commands("submitted") == ["new", "submit", "resubmit"]
    assert event_commands("contract_signed") == ["sign"]
    assert all(entry.name and entry.meaning and entry.by for entry in EVENT_TYPES.values())


def _section(page: str, kind: str) -> str:
    start = page.index(f"`{kind}`\n")
    end = page.find("\n## ", start)
    return page[start:end]


def test_the_reference_lists_each_kinds_events_with_meaning_and_fields() -> None:
    schemas = Schemas()
    page = render(schemas)
    for kind in RECORD_KINDS:
        section = _section(page, kind)
        for type_name, entry in EVENT_TYPES.items():
            row = f"| `{type_name}` | {entry.name} | "
            assert (row in section) == (type_name in schemas.event_types(kind)), (kind, type_name)
    supplier = _section(page, "supplier_request")
    assert "| `contract_signed` | 签订合同 | `sign` |" in supplier and "| `contract_no` |" in supplier
    assert "| `archived` | 归档 | `archive` |" in supplier and "| `archive_no` | `note` |" in supplier
    assert "depend on the record's kind" not in page
