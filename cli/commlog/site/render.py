"""HTML helpers for generated pages: everything a record says is escaped here or by Jinja's autoescape."""

from __future__ import annotations

import posixpath
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from commlog.schema import Shape


def environment() -> Environment:
    """The Jinja environment of the page templates, escaping every value."""
    env = Environment(
        loader=PackageLoader("commlog.site", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mask"] = mask_phone
    return env


def relative(from_url: str, to_url: str) -> str:
    """A link from one page's directory URL to another (``records/2024/X/`` -> ``../../2025/Y/``)."""
    base = posixpath.dirname(from_url.rstrip("/") + "/x") if from_url else "."
    target = to_url or "./"
    link = posixpath.relpath(target.rstrip("/") or ".", base or ".")
    return link + ("/" if target.endswith("/") and link != "." else "") if link != "." else "./"


def mask_phone(number: str | None) -> str:
    """138****1234: the first three and the last four characters kept."""
    if not number:
        return ""
    return number if len(number) <= 7 else number[:3] + "****" + number[-4:]


def fields_table(data: Any, shape: Shape | None, skip: tuple[str, ...] = ()) -> Markup:
    """Every field of a mapping with its Chinese title, nested mappings and lists rendered in place."""
    if isinstance(data, dict):
        rows = []
        for key, value in data.items():
            if key in skip:
                continue
            child = shape.props.get(key) if shape else None
            title = child.title if child and child.title else key
            rows.append(
                Markup("<tr><th>{}<br><code>{}</code></th><td>{}</td></tr>").format(
                    title, key, fields_table(value, child)
                )
            )
        return Markup('<table class="commlog-fields">') + Markup("").join(rows) + Markup("</table>")
    if isinstance(data, list):
        if not data:
            return Markup("—")
        item_shape = shape.items if shape else None
        return (
            Markup("<ol>")
            + Markup("").join(Markup("<li>{}</li>").format(fields_table(v, item_shape)) for v in data)
            + Markup("</ol>")
        )
    if isinstance(data, bool):
        return Markup("是") if data else Markup("否")
    if data is None:
        return Markup("—")
    return Markup('<span class="commlog-text">{}</span>').format(str(data))

