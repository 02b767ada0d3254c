"""JSON Schema validation (draft 2020-12) with findings in the user's words."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource

from commlog.findings import Finding, pointer
from commlog.resources import data_path
from commlog.timeutil import TIME_FORM, check_year, parse_time

if TYPE_CHECKING:
    from referencing._core import Resolver  # the type of Registry.resolver(); not exported

BASE_URI = "https://commlog.example/schemas/"
"""The base each schema file is registered under (its file name appended) to resolve ``$ref``s here.

The files carry no ``$id``: with one, an editor resolves ``$ref: common.schema.json`` against
the ``$id``'s address on the web (yaml-language-server 1.20 fails to load every record's
schema so) instead of beside the file; without one, every tool resolves it where it read the file.
"""

RECORD_KINDS = ("message", "notice", "collaboration", "customer_request", "supplier_request", "minutes")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("commlog-date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str) and _DATE_FORM.match(value):  # the pattern reports other shapes, once
        check_year(date.fromisoformat(value).year)
    return True


_DATE_FORM = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)


@FORMATS.checks("commlog-time", raises=ValueError)
def _is_time(value: object) -> bool:
    if isinstance(value, str) and TIME_FORM.match(value):  # the pattern reports other shapes
        parse_time(value, ZoneInfo("UTC"))
    return True


def _format_holds(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def holds(value: object) -> bool:
        try:
            return check(value)
        except ValueError:
            return False

    return holds


FORMS = {"commlog-time": "YYYY-MM-DD HH:MM", "commlog-date": "YYYY-MM-DD"}
"""How each of commlog's formats is written, as messages and the reference name it."""
FORM_DETAILS = {
    "YYYY-MM-DD HH:MM": "seconds (`:SS`) and a UTC offset (`+08:00`, `Z`) may follow; without an offset it is the "
    "policy's timezone",
    "YYYY-MM-DD": "four-digit year, two-digit month and day",
}
_FORM_HINTS = {
    "YYYY-MM-DD HH:MM": "e.g. 2024-10-08 09:30; seconds and a UTC offset may follow: 2024-10-08 09:30:00+08:00",
    "YYYY-MM-DD": "e.g. 2024-10-08, with a four-digit year and a two-digit month and day",
}

FAST_FORMATS = {
    "commlog-date": _format_holds(_is_date),
    "commlog-time": _format_holds(_is_time),
    "email": lambda value: True,
}


@dataclass
class Shape:
    """What a schema says about one place in a document: its title and its children."""

    title: str = ""
    description: str = ""
    props: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None
    form: str = ""
    """How a date or time is written (``YYYY-MM-DD HH:MM``), for fields that hold one."""
    number_as_text: bool = False
    """Whether the field is text that may be written as a whole number (``no: 1`` for ``no: '1'``)."""
    holds_number_as_text: bool = False
    """Whether this field or one inside it is such a field (where :func:`numbers_as_text` must look)."""

    def at(self, path: list[str | int]) -> Shape | None:
        node: Shape | None = self
        for part in path:
            if node is None:
                return None
            node = node.items if isinstance(part, int) else node.props.get(part)
        return node


class Schemas:
    """The schema files of one folder, each compiled once and reused."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or data_path("schemas")
        self.documents: dict[str, dict[str, Any]] = {}
        self.uris: dict[str, str] = {}
        for path in sorted(self.folder.glob("*.schema.json")):
            name = path.name.removesuffix(".schema.json")
            self.documents[name] = json.loads(path.read_text(encoding="utf-8"))
            self.uris[name] = self.documents[name].get("$id") or BASE_URI + path.name  # an older copy may have one
        self.registry: Registry = Registry().with_resources(
            (self.uris[name], Resource.from_contents(doc)) for name, doc in self.documents.items()
        )
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast: dict[str, Callable[[Any], Any]] = {}
        self._shapes: dict[str, Shape] = {}

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever any schema changes (for caches)."""
        return json.dumps(self.documents, sort_keys=True)

    def validator(self, name: str) -> Draft202012Validator:
        """A validator for one document type, built once.

        It runs on the schema with every ``$ref`` written out in place: the
        schemas have no recursion, and resolving references on each use was
        most of the validation time.
        """
        if name not in self._validators:
            root = self.documents[name]
            self._validators[name] = Draft202012Validator(
                self._inline(root, self.registry.resolver(self.uris[name])), format_checker=FORMATS
            )
        return self._validators[name]

    def fast(self, name: str) -> Callable[[Any], Any]:
        """A compiled check for one document type that only says valid or not (raises when not).

        fastjsonschema implements draft 7; the inlined schemas use no keyword whose
        meaning differs between draft 7 and 2020-12, and a test holds the two to the
        same verdict on every example. Findings always come from jsonschema.
        """
        if name not in self._fast:
            root = self.documents[name]
            inlined = self._inline(root, self.registry.resolver(self.uris[name]))
            draft7 = {**inlined, "$schema": "http://json-schema.org/draft-07/schema#"}
            self._fast[name] = fastjsonschema.compile(draft7, formats=FAST_FORMATS, use_formats=True)
        return self._fast[name]

    def _inline(self, node: Any, resolver: Resolver) -> Any:
        if isinstance(node, list):
            return [self._inline(item, resolver) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            target = self._inline(resolved.contents, resolved.resolver)
            extra = {k: self._inline(v, resolver) for k, v in node.items() if k not in ("$ref", "title", "description")}
            return {"allOf": [target, extra]} if extra else target
        return {
            k: v if k in ("enum", "const") else _python_anchored(v) if k == "pattern" else self._inline(v, resolver)
            for k, v in node.items()
        }

    def shape(self, name: str) -> Shape:
        """The shape tree of a document type (titles and key order)."""
        if name not in self._shapes:
            root = self.documents[name]
            self._shapes[name] = self._walk(root, self.registry.resolver(self.uris[name]))
        return self._shapes[name]

    def _walk(self, node: dict[str, Any], resolver: Resolver) -> Shape:
        title, description = node.get("title", ""), node.get("description", "")
        while "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            extra = node.get("properties")
            node, resolver = resolved.contents, resolved.resolver
            if extra and not node.get("properties"):
                node = {**node, "properties": extra}
        shape = Shape(
            title or node.get("title", ""),
            description or node.get("description", ""),
            form=FORMS.get(str(node.get("format")), ""),
            number_as_text=node.get("type") == ["string", "integer"],
        )
        for name, sub in node.get("properties", {}).items():
            shape.props[name] = self._walk(sub, resolver)
        if isinstance(node.get("items"), dict):
            shape.items = self._walk(node["items"], resolver)
        inner = [*shape.props.values(), *([shape.items] if shape.items else [])]
        shape.holds_number_as_text = shape.number_as_text or any(s.holds_number_as_text for s in inner)
        return shape

    def event_types(self, kind: str) -> list[str]:
        """The event types a record kind allows (its schema's ``events.items.properties.type.enum``)."""
        return list(self.documents[kind]["properties"]["events"]["items"]["properties"]["type"]["enum"])

    def document_type(self, path: str, data: dict[str, Any]) -> str:
        """Name of the schema a repository file is checked against."""
        if path == "policy.yaml":
            return "policy"
        if path.startswith("contacts/internal/"):
            return "contact-internal"
        if path.startswith("contacts/external/"):
            return "contact-external"
        kind = data.get("kind")
        return kind if isinstance(kind, str) and kind in RECORD_KINDS else "record"

    def normalise(self, path: str, data: dict[str, Any]) -> None:
        """Give a document, in place, the one form every reader expects (see :func:`numbers_as_text`)."""
        numbers_as_text(data, self.shape(self.document_type(path, data)))

    def check(self, path: str, data: dict[str, Any]) -> list[Finding]:
        """Schema findings for one document."""
        name = self.document_type(path, data)
        try:
            self.fast(name)(data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass  # explain it in full below
        shape = self.shape(name)
        findings: list[Finding] = []
        for error in self.validator(name).iter_errors(data):
            findings.extend(_explain(path, error, shape, data))
        return sorted(set(findings), key=lambda f: (f.pointer, f.rule))


def numbers_as_text(data: Any, shape: Shape) -> None:
    """Turn, in place, each whole number written where the schema takes text (``no: 1``, ``depends_on: [1]``) into that text.

    The schemas accept both so that people may write task numbers as they count them;
    everything that reads a document after its schema check sees the text, as written
    quoted (``'1'``), and the canonical form writes it so.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            child = shape.props.get(key)
            if child is None or not child.holds_number_as_text:
                continue
            if child.number_as_text and type(value) is int:
                data[key] = str(value)
            else:
                numbers_as_text(value, child)
    elif isinstance(data, list) and shape.items is not None and shape.items.holds_number_as_text:
        for i, item in enumerate(data):
            if shape.items.number_as_text and type(item) is int:
                data[i] = str(item)
            else:
                numbers_as_text(item, shape.items)


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}
_PYTHON_TYPE_NAMES = {
    "str": "text",
    "int": "a whole number",
    "float": "a decimal number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping of fields",
    "NoneType": "empty",
}


def _python_anchored(pattern: Any) -> Any:
    """A pattern that means in Python what it means in JSON Schema (ECMA-262).

    Python's ``$`` also matches before a final new line, so ``"NX-2024-001\\n"`` would
    pass ``^...$``; its ``\\d`` and ``\\w`` take any script's digits and letters, so
    ``NX-２０２４-001`` would too, where ECMA's are ASCII. The schema files stay
    standard (editors read them); the validators commlog compiles end patterns with
    ``\\Z`` and spell ``\\d`` and ``\\w`` out in ASCII (``\\s`` already agrees).
    """
    if not isinstance(pattern, str):
        return pattern
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    spelled, in_class, i = [], False, 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            ascii_set = _ASCII.get(escape)
            spelled.append(pattern[i : i + 2] if ascii_set is None else ascii_set if in_class else f"[{ascii_set}]")
            i += 2
            continue
        if pattern[i] == "[" and not in_class:
            in_class = True
        elif pattern[i] == "]" and in_class:
            in_class = False
        spelled.append(pattern[i])
        i += 1
    return "".join(spelled)


_ASCII = {"d": "0-9", "w": "A-Za-z0-9_"}


def _label(shape: Shape, path: list[str | int], data: Any = None) -> str:
    """Where in the document, as people count: ``event 5 (sent), at (时间)``, ``tasks #2, depends_on #1``.

    List items are numbered from 1 (the JSON pointer keeps the index from 0); an event is
    named with its type, as the history reads.
    """
    words: list[str] = []
    value = data
    for i, part in enumerate(path):
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and part < len(value) else None
            if path[:i] == ["events"]:
                kind = value.get("type") if isinstance(value, dict) else None
                words[-1] = f"event {part + 1}" + (f" ({kind})" if isinstance(kind, str) else "")
            else:
                words[-1] += f" #{part + 1}"
        else:
            value = value.get(part) if isinstance(value, dict) else None
            after_item = bool(path[:i]) and isinstance(path[i - 1], int)
            words.append(f", {part}" if after_item else f".{part}" if words else part)
    where = "".join(words) or "document"
    node = shape.at(path)
    if node is None or not node.title or (len(path) == 2 and path[0] == "events"):  # an event is named by its type
        return where
    return f"{where} ({node.title})"


def _explain(path: str, error: ValidationError, shape: Shape, data: Any = None) -> Iterator[Finding]:
    loc = list(error.absolute_path)
    keyword = str(error.validator)
    label = _label(shape, loc, data)
    node = shape.at(loc)
    described = node.description if node else ""
    if not described and loc and isinstance(loc[-1], int):  # an item of a list says what the list holds
        parent = shape.at(loc[:-1])
        described = parent.description if parent else ""
    if keyword == "required":
        name = str(error.message).split("'")[1]
        child = shape.at(loc + [name])
        title = f" ({child.title})" if child and child.title else ""
        yield Finding(
            path,
            0,
            0,
            "schema-required",
            f"{label}: missing required field '{name}'{title}",
            f"add `{name}:`" + (f"; {child.description}" if child and child.description else ""),
            pointer(*loc),
        )
    elif keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for name in sorted(set(error.instance) - set(known)):
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(known)
            yield Finding(
                path,
                0,
                0,
                "schema-unknown-field",
                f"{label}: unknown field '{name}'",
                hint,
                pointer(*loc, name),
                at_key=True,
            )
    elif keyword in ("enum", "const"):
        allowed = error.validator_value if keyword == "enum" else [error.validator_value]
        yield Finding(
            path,
            0,
            0,
            "schema-enum",
            f"{label}: {error.instance!r} is not allowed",
            "use one of: " + ", ".join(str(a) for a in allowed),
            pointer(*loc),
        )
    elif keyword in ("type", "pattern") and node is not None and node.form:
        what = "date" if node.form == "YYYY-MM-DD" else "time"
        yield Finding(
            path,
            0,
            0,
            f"schema-{keyword}",
            f"{label}: {error.instance!r} is not a {what}: expected {node.form}",
            _FORM_HINTS[node.form],
            pointer(*loc),
        )
    elif keyword == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        found = type(error.instance).__name__
        if node is not None and node.number_as_text and isinstance(error.instance, float):
            hint = "quote a number with a dot ('1.1'): unquoted, YAML reads it as a decimal number, and 1.10 as 1.1"
        elif "string" in wanted:
            hint = "quote text that looks like a number, true/false or a date"
        else:
            hint = described
        yield Finding(
            path,
            0,
            0,
            "schema-type",
            f"{label}: must be {' or '.join(_TYPE_NAMES.get(str(t), str(t)) for t in wanted)}, "
            f"not {_PYTHON_TYPE_NAMES.get(found, found)}",
            hint,
            pointer(*loc),
        )
    elif keyword == "pattern":
        yield Finding(
            path,
            0,
            0,
            "schema-pattern",
            f"{label}: {error.instance!r} is not in the expected form",
            described,
            pointer(*loc),
        )
    elif keyword == "format":
        yield Finding(
            path,
            0,
            0,
            "invalid-time",
            f"{label}: {error.instance!r} is not a real {'date' if node and node.form == 'YYYY-MM-DD' else 'time'}"
            f" ({error.cause or 'it does not exist'})",
            "check the month and the day of the month"
            if node and node.form == "YYYY-MM-DD"
            else "check the day of the month, the hour and the offset",
            pointer(*loc),
        )
    else:
        yield Finding(
            path,
            0,
            0,
            f"schema-{re.sub(r'(?<!^)(?=[A-Z])', '-', keyword).lower()}",
            f"{label}: {error.message}",
            described,
            pointer(*loc),
        )
