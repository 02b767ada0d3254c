"""The table of event types (commlog.events) against the schemas, and the reference generated from it."""

from __future__ import annotations

from commlog.events import COMMON, EVENT_NAMES, EVENT_TYPES
from commlog.reference import render
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


def test_each_command_records_one_event_type() -> None:
    commands = [c for entry in EVENT_TYPES.values() for c in entry.commands]
    assert len(commands) == len(set(commands))
    assert EVENT_TYPES["submitted"].commands == ("submit", "resubmit")
    assert EVENT_TYPES["contract_signed"].commands == ("sign",)
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
