"""Safe, exact YAML loading: YAML 1.2 core scalars only, with every fault located.

Built on PyYAML's C parser (TECH-NOTES: as fast as plain ``CSafeLoader``). Dates
and times stay strings; the schemas check their shape and that they exist.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from commlog.fileio import NotRegular, is_link_error, read_limited
from commlog.findings import Finding, pointer_parts

MAX_FILE_BYTES = 256 * 1024
"""A record is a page of text; anything bigger is a mistake or an attack."""

_STR = "tag:yaml.org,2002:str"
_CORE_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]


class StrictLoader(yaml.CSafeLoader):
    """C loader that resolves only the YAML 1.2 core schema's plain scalars."""

    yaml_implicit_resolvers: dict = {}


for _tag, _regexp, _first in _CORE_RESOLVERS:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


class LoadError(Exception):
    """A file that cannot be turned into a document, with where and why."""

    def __init__(self, rule: str, message: str, hint: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.rule, self.message, self.hint = rule, message, hint
        self.line, self.column = line, column

    def finding(self, path: str) -> Finding:
        """This fault as a finding in the file at ``path``."""
        return Finding(path, self.line, self.column, self.rule, self.message, self.hint)


@dataclass(frozen=True)
class Document:
    """A loaded YAML file: its repository-relative path, text and data."""

    path: str
    text: str
    data: dict[str, Any]


def read_text(path: Path) -> str:
    """Read an ordinary file as UTF-8 text, refusing links, special files, huge files, BOMs and other encodings."""
    return decode(read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """The bytes of an ordinary file of at most :data:`MAX_FILE_BYTES`, or a :class:`LoadError` saying why not."""
    try:
        raw = read_limited(path, MAX_FILE_BYTES)
    except NotRegular as err:
        raise LoadError(
            "file-not-regular",
            "not an ordinary file (a folder, FIFO or device)",
            "records and contacts are plain files",
        ) from err
    except OSError as err:
        if is_link_error(err):
            raise LoadError(
                "file-symlink",
                "a symbolic link; commlog does not follow links",
                "replace the link with the file itself",
            ) from err
        raise LoadError(
            "file-unreadable", f"cannot read the file: {err.strerror}", "check the path and its permissions"
        ) from err
    if isinstance(raw, int):
        raise LoadError(
            "yaml-too-large",
            f"file is {raw} bytes, over the limit of {MAX_FILE_BYTES}",
            "keep large content in attachments and refer to them",
        )
    return raw


def decode(raw: bytes) -> str:
    """UTF-8 text without a byte order mark, or a :class:`LoadError` at the first bad byte."""
    if raw.startswith(codecs.BOM_UTF8):
        raise LoadError("yaml-bom", "file starts with a byte order mark (BOM)", "save the file as UTF-8 without BOM")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise LoadError(
            "yaml-encoding", f"byte 0x{raw[err.start]:02x} is not valid UTF-8", "save the file as UTF-8", line, column
        ) from err


def parse(text: str) -> dict[str, Any]:
    """Parse YAML text into a mapping, or raise :class:`LoadError` at the fault."""
    _check_characters(text)
    if "&" in text or "*" in text:
        _check_anchors(text)
    if _nesting_bound(text) > _SAFE_TO_COMPOSE:
        _check_depth(text)
    try:
        node = yaml.compose(text, Loader=StrictLoader)
    except yaml.YAMLError as err:
        # Every error libyaml raises here is marked; the rest are caught too, never a traceback.
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or getattr(err, "context", None) or "invalid YAML"
        raise _at(
            mark, "yaml-syntax", f"invalid YAML: {problem}", "check indentation, colons and quotes on this line"
        ) from err
    if not isinstance(node, yaml.MappingNode):
        raise _at(
            node.start_mark if node is not None else None,
            "yaml-not-mapping",
            "the document is not a mapping of fields",
            "write `field: value` lines at the top level",
        )
    return _construct(node)


def parse_written(text: str) -> dict[str, Any]:
    """What a reader will make of ``text`` once written: every check a file read makes (encoding, size, characters, YAML)."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise LoadError(
            "yaml-encoding",
            f"the text holds {text[err.start]!r}, which is not a character (text from a terminal that is not UTF-8?)",
            "set the terminal to UTF-8 (e.g. LANG=zh_CN.UTF-8) and give the text again",
        ) from err
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(
            "yaml-too-large",
            f"the file would be {len(raw)} bytes, over the limit of {MAX_FILE_BYTES}",
            "keep large content in attachments and refer to them",
        )
    return parse(decode(raw))


def load(root: Path, path: Path) -> Document:
    """Read and parse one repository file."""
    text = read_text(path)
    return Document(path.relative_to(root).as_posix(), text, parse(text))


def _check_characters(text: str) -> None:
    tab = text.find("\t")
    if tab >= 0:
        line, column = _position(text, tab)
        raise LoadError("yaml-tab", "tab character", "indent with spaces and write no tabs in values", line, column)
    control = _FORBIDDEN.search(text)
    if control:
        line, column = _position(text, control.start())
        raise LoadError(
            "yaml-control-character",
            f"character U+{ord(control.group()[0]):04X} ({_describe(control.group()[0])}) is not allowed",
            "delete it; write line breaks as ordinary new lines",
            line,
            column,
        )
    space = _IDEOGRAPHIC_INDENT.search(text)  # the fast pre-check: most files hold no U+3000 at all
    if space:
        offset = _outside_text(text, space)
        if offset is not None:
            line, column = _position(text, offset)
            raise LoadError(
                "yaml-ideographic-space",
                "full-width space (U+3000) used as indentation or after a colon",
                "replace it with an ordinary space",
                line,
                column,
            )


def _outside_text(text: str, first: re.Match[str]) -> int | None:
    """Offset of the first suspect U+3000 that is not inside a block (``|``, ``>``) or quoted scalar.

    Inside those it is text (a paragraph indent, 　　请于...); anywhere else YAML reads it as
    part of a plain key or value, which silently makes odd keys and strings. The parser's
    events need no recursion (unlike compose, so this runs before the depth check) and come
    in document order, as do the matches: one merge, linear in the text.
    """
    spans: list[tuple[int, int]] = []
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.ScalarEvent) and event.style in _TEXT_STYLES:
                assert event.start_mark is not None and event.end_mark is not None  # the C parser marks every event
                spans.append((event.start_mark.index, event.end_mark.index))
    except yaml.YAMLError:
        pass  # past a syntax error nothing is text: the U+3000 is reported, as it is the likely cause
    i = 0
    match: re.Match[str] | None = first
    while match:
        offset = match.end() - 1
        while i < len(spans) and spans[i][1] <= offset:
            i += 1
        if i == len(spans) or offset < spans[i][0]:
            return offset
        match = _IDEOGRAPHIC_INDENT.search(text, match.end())
    return None


_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\r(?!\n)")
"""Characters no record needs and YAML or a terminal would misread: C0 and C1 controls (NEL, U+0085, is a
line break to YAML), DEL, the line and paragraph separators, a carriage return not followed by a new line."""
_VALUE_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""The same, inside a value written with escapes ("\\x1b", "\\r", "\\t"): only the new line is text."""
_IDEOGRAPHIC_INDENT = re.compile("(?m)(?:^|:)[^\\S\\n]*?\u3000")
"""A full-width space in the indentation or after a colon (one pass: a long line costs no more than its length)."""
_TEXT_STYLES = ("|", ">", "'", '"')
"""Scalar styles whose content is text wherever a U+3000 stands in it."""


def _describe(char: str) -> str:
    names = {"\r": "carriage return", "\x00": "NUL", "\x85": "next line, NEL", "\u2028": "line separator"}
    return names.get(char, "control character" if unicodedata.category(char) == "Cc" else unicodedata.category(char))


def _check_anchors(text: str) -> None:
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                assert mark is not None  # the C parser marks every event
                raise LoadError(
                    "yaml-anchor",
                    "anchors and aliases (&name, *name) are not allowed",
                    "write the value out in full",
                    mark.line + 1,
                    mark.column + 1,
                )
    except yaml.MarkedYAMLError:
        return  # compose() reports the syntax error with its own rule


MAX_DEPTH = 20
"""Nesting deeper than a record, contact or policy ever needs (they go about six levels deep)."""
_SAFE_TO_COMPOSE = 1000
"""libyaml's composer recurses in C and crashes the interpreter somewhere past 20,000 levels."""


def _nesting_bound(text: str) -> int:
    """An upper bound of the nesting depth: every level opens with a bracket, a dash, a ``?`` or a new line."""
    return sum(text.count(c) for c in "[{-?\n") + 1


def _check_depth(text: str) -> None:
    """Find nesting deeper than :data:`MAX_DEPTH` from the parser's events, which need no recursion."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as err:
        if "maximum nesting depth" in str(
            getattr(err, "problem", "")
        ):  # the scanner's own limit (seen in PyYAML 6.0.4)
            raise _too_deep(getattr(err, "problem_mark", None)) from err
        return  # compose() reports the syntax error with its own rule


def _too_deep(mark: Any) -> LoadError:
    return _at(
        mark,
        "yaml-too-deep",
        f"values nested more than {MAX_DEPTH} levels deep",
        "records are a few levels deep; check the brackets and indentation",
    )


def _at(mark: Any, rule: str, message: str, hint: str) -> LoadError:
    """A LoadError placed at a YAML mark (1-based line and column), or at the file's start without one."""
    return LoadError(rule, message, hint, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_SCALARS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda v: v in ("true", "True", "TRUE"),
    "tag:yaml.org,2002:null": lambda v: None,
}


MAX_DIGITS = 40
"""Longer integers are no quantity a record holds, and Python refuses to convert past 4,300 digits."""


def _construct(node: yaml.Node, depth: int = 1) -> Any:
    if depth > MAX_DEPTH:
        raise _too_deep(node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        make = _SCALARS.get(node.tag)
        if make is None:
            raise _tag_error(node)
        if node.tag == "tag:yaml.org,2002:float":
            return yaml.constructor.SafeConstructor.construct_yaml_float(yaml.constructor.SafeConstructor(), node)
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_DIGITS:
            raise _at(
                node.start_mark, "yaml-number", f"a number of {len(node.value)} digits", "write it as quoted text"
            )
        if node.style == '"':
            _check_escapes(node, node.value)
        return make(node.value)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise _tag_error(node)
        return [_construct(item, depth + 1) for item in node.value]
    if node.tag != "tag:yaml.org,2002:map":
        raise _tag_error(node)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        mark = key_node.start_mark
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise LoadError(
                "yaml-key-type",
                f"key {key_node.value!r} is not a string"
                if isinstance(key_node, yaml.ScalarNode)
                else "key is not a string",
                "use field names made of letters and underscores",
                mark.line + 1,
                mark.column + 1,
            )
        if key_node.style == '"':
            _check_escapes(key_node, key_node.value)
        if key_node.value in result:
            raise LoadError(
                "yaml-duplicate-key",
                f"key '{key_node.value}' appears twice in this mapping",
                "keep one of them",
                mark.line + 1,
                mark.column + 1,
            )
        result[key_node.value] = _construct(value_node, depth + 1)
    return result


def _check_escapes(node: yaml.ScalarNode, value: str) -> None:
    """A double-quoted value can spell control characters with escapes (\\r, \\x1b, \\u2028): refuse them too."""
    control = _VALUE_FORBIDDEN.search(value)
    if control:
        char = control.group()
        raise _at(
            node.start_mark,
            "yaml-control-character",
            f"the value holds character U+{ord(char):04X} ({_describe(char)})",
            "write plain text; only a multi-line value may hold new lines",
        )


def _tag_error(node: yaml.Node) -> LoadError:
    mark = node.start_mark
    return LoadError(
        "yaml-tag",
        f"tag '{node.tag}' is not allowed",
        "remove the tag (`!...`); write plain values",
        mark.line + 1,
        mark.column + 1,
    )


def locate(text: str, targets: list[tuple[str, bool]]) -> list[tuple[int, int]]:
    """Line and column (1-based) of each JSON pointer's node, or of its nearest parent.

    A target is ``(pointer, at_key)``; with ``at_key`` the last part is a mapping
    key and the key's own position is given (for unknown fields).
    """
    try:
        root = yaml.compose(text, Loader=StrictLoader)
    except yaml.YAMLError:
        root = None
    return [_node_position(root, ptr, at_key) for ptr, at_key in targets]


def _node_position(node: yaml.Node | None, ptr: str, at_key: bool) -> tuple[int, int]:
    if node is None:
        return 1, 1
    parts = pointer_parts(ptr)
    for i, part in enumerate(parts):
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    child = key_node if at_key and i == len(parts) - 1 else value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1
