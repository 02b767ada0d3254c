"""A document's fields as plain-text lines with the schemas' Chinese titles, coded values named (the terminal's twin of
``site.render.fields_table``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from commlog.reports.columns import width
from commlog.schema import Shape
from commlog.workflow import CLASSIFICATION_NAMES, DIRECTION_NAMES, KIND_NAMES, TASK_NAMES, URGENCY_NAMES

OUTCOME_NAMES = {"passed": "通过", "failed": "未通过", "conditional": "有条件通过"}
VALUE_LABELS = {
    "kind": KIND_NAMES,
    "direction": DIRECTION_NAMES,
    "urgency": URGENCY_NAMES,
    "classification": CLASSIFICATION_NAMES,
    "importance": {"normal": "一般", "important": "重要"},
    "status": TASK_NAMES,
    "outcome": OUTCOME_NAMES,
}
"""Chinese names of the coded values in a record, by field name: {"urgency": {"urgent": "紧急"}}."""

INLINE_WIDTH = 80
"""A list of ids or codes fits on its field's line up to this many terminal columns; a longer one is numbered."""
_CODE = re.compile(r"[A-Za-z0-9_./-]+\Z")
"""A value that is an id or a code (a channel, a staff id): a list of them is one line; free text is numbered."""


def value_text(key: str, value: Any, name: Callable[[str, str], str]) -> str:
    """One value as a reader reads it: 紧急 (urgent), 是/否, a person's name with the id, or the text itself."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    text = str(value)
    label = VALUE_LABELS.get(key, {}).get(text)
    if label:
        return f"{label} ({text})"
    return name(key, text)


def field_lines(
    data: dict[str, Any],
    shape: Shape | None,
    name: Callable[[str, str], str] = lambda key, text: text,
    skip: tuple[str, ...] = (),
) -> list[str]:
    """Every field of ``data`` as ``标题: 值`` lines, nested mappings and lists indented under their title.

    ``name(key, value)`` turns a value into what a reader knows it by (a staff id into 王芳 (wang-fang));
    a value of several lines keeps them, each indented under its field.
    """
    lines: list[str] = []
    for key, value in data.items():
        if key in skip:
            continue
        child = shape.props.get(key) if shape else None
        title = child.title if child and child.title else key
        lines += _field(title, key, value, child, name)
    return lines


def _field(title: str, key: str, value: Any, shape: Shape | None, name: Callable[[str, str], str]) -> list[str]:
    if isinstance(value, dict):
        return [f"{title}:"] + _indent(field_lines(value, shape, name), "  ")
    if isinstance(value, list):
        if not value:
            return [f"{title}: —"]
        item_shape = shape.items if shape else None
        if all(not isinstance(v, dict | list) for v in value):
            texts = [value_text(key, v, name) for v in value]
            inline = "、".join(texts)
            one_line = len(texts) == 1 and "\n" not in inline
            if one_line or (all(_CODE.match(str(v)) for v in value) and width(inline) <= INLINE_WIDTH):
                return [f"{title}: {inline}"]
            return [f"{title}:"] + [
                line for i, t in enumerate(texts, 1) for line in _numbered(i, t.splitlines() or [""])
            ]
        lines = [f"{title}:"]
        for i, item in enumerate(value, 1):
            inner = field_lines(item, item_shape, name) if isinstance(item, dict) else [value_text(key, item, name)]
            lines += _numbered(i, inner or [""])
        return lines
    text = value_text(key, value, name).splitlines() or [""]
    return [f"{title}: {text[0]}"] + _indent(text[1:], "  ")


def _numbered(number: int, lines: list[str]) -> list[str]:
    mark = f"  {number}. "
    return [mark + lines[0]] + _indent(lines[1:], " " * len(mark))


def _indent(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line for line in lines]
