"""HTML helpers for generated pages: everything a record says is escaped here or by Jinja's autoescape."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from commlog.directory import mask_number
from commlog.schema import Shape


def environment() -> Environment:
    """The Jinja environment of the page templates, escaping every value."""
    env = Environment(
        loader=PackageLoader("commlog.site", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mask"] = mask_number
    return env


def relative(from_url: str, to_url: str) -> str:
    """A link from one page's directory URL to another (``records/2024/X/`` -> ``../../2025/Y/``)."""
    base = posixpath.dirname(from_url.rstrip("/") + "/x") if from_url else "."
    target = to_url or "./"
    link = posixpath.relpath(target.rstrip("/") or ".", base or ".")
    return link + ("/" if target.endswith("/") and link != "." else "") if link != "." else "./"


Labels = dict[str, dict[str, str]]
"""Chinese names of coded values, by field name: {"urgency": {"urgent": "紧急"}}."""


Names = Callable[[str, str], "str | None"]
"""The name of a person or organisation id, by field name and value; None for any other value."""


def fields_table(
    data: Any,
    shape: Shape | None,
    skip: tuple[str, ...] = (),
    labels: Labels | None = None,
    key: str = "",
    names: Names | None = None,
) -> Markup:
    """Every field of a mapping with its Chinese title, nested mappings and lists rendered in place; coded values and
    people named."""
    labels = labels or {}
    if isinstance(data, dict):
        rows = []
        for name, value in data.items():
            if name in skip:
                continue
            child = shape.props.get(name) if shape else None
            title = child.title if child and child.title else name
            if name == "person" and isinstance(data.get("org"), str) and isinstance(value, str):
                value = f"{data['org']}/{value}"  # someone outside, named with their organisation
            cell = fields_table(value, child, labels=labels, key=name, names=names)
            rows.append(Markup("<tr><th>{}<br><code>{}</code></th><td>{}</td></tr>").format(title, name, cell))
        return Markup('<table class="commlog-fields">') + Markup("").join(rows) + Markup("</table>")
    if isinstance(data, list):
        if not data:
            return Markup("—")
        item_shape = shape.items if shape else None
        items = Markup("").join(
            Markup("<li>{}</li>").format(fields_table(v, item_shape, labels=labels, key=key, names=names)) for v in data
        )
        return Markup("<ol>") + items + Markup("</ol>")
    if isinstance(data, bool):
        return Markup("是") if data else Markup("否")
    if data is None:
        return Markup("—")
    label = labels.get(key, {}).get(str(data))
    named = names(key, str(data)) if names and isinstance(data, str) else None
    if named is not None:
        return Markup('<span class="commlog-text">{}</span>').format(named)
    if label:
        return Markup('<span class="commlog-text">{} <code>{}</code></span>').format(label, str(data))
    return Markup('<span class="commlog-text">{}</span>').format(str(data))
