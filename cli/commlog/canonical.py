"""The one canonical YAML form commlog writes, so that edits make minimal diffs.

- keys in the order of the schema's ``properties`` (unknown keys after, sorted);
- a mapping or list of single-line scalars that fits in :data:`FLOW_WIDTH` is
  written on one line (``{type: sent, at: ..., by: ...}``), anything else in block style;
  ``events`` and ``attachments`` are always one item per line (commands append to them);
- multi-line text as a literal block (``|``); strings quoted only where a YAML
  reader could take them for another type, or where they start or end with a space
  (U+3000 included) or the loader would read a U+3000 as indentation; lists indented
  under their key;
- the first line tells editors where the file's schema is (:func:`modeline`): a record
  ``records/<year>/<id>.yaml`` begins ``# yaml-language-server: $schema=../../schemas/record.schema.json``,
  a contact points at its register's schema, ``policy.yaml`` at ``schemas/policy.schema.json``;
  ``fmt`` adds the line where it is missing and corrects a wrong one, and no other file has one.
  VS Code's YAML extension (and any client of yaml-language-server) then completes and checks
  fields as people type. It is the only comment kept: what matters goes in ``remarks``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from commlog import repository
from commlog.schema import Shape

MODELINE_PREFIX = "# yaml-language-server: $schema="
_SCHEMA_OF_ROLE = {
    "record": "record",
    "internal": "contact-internal",
    "external": "contact-external",
    "policy": "policy",
}

FLOW_WIDTH = 100
BLOCK_LISTS = frozenset({"events", "attachments"})
"""Lists the commands append to: one item per line, so that appending adds a line and changes none."""


_COLON_SAFE = re.compile(r"^(?!:)(?:[^,?\[\]{}:#]|:(?=[^\s,\[\]{}]))*$")


class _Dumper(yaml.SafeDumper):
    yaml_implicit_resolvers: dict = {}

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def analyze_scalar(self, scalar: str) -> yaml.emitter.ScalarAnalysis:
        # PyYAML quotes any ':' inside flow collections; YAML (and libyaml, ruamel)
        # read a ':' followed by a non-space as text, so times stay unquoted in events.
        analysis = super().analyze_scalar(scalar)
        if not analysis.allow_flow_plain and analysis.allow_block_plain and _COLON_SAFE.match(scalar):
            analysis.allow_flow_plain = True
        if (analysis.allow_flow_plain or analysis.allow_block_plain) and _misread_plain(scalar):
            analysis.allow_flow_plain = analysis.allow_block_plain = False
        return analysis


_SPACES = re.compile(r"\s+")


def _misread_plain(scalar: str) -> bool:
    """Whether ``scalar`` written plain could be misread, or refused by the loader's full-width space rule.

    A plain value loses leading and trailing spaces to the eye (and U+3000 to the loader);
    a U+3000 after a colon, or after a space where a long line may be folded (the next line
    then starts with it), is ``yaml-ideographic-space``. Quoted, all of it is text.
    """
    if scalar[:1].isspace() or scalar[-1:].isspace():
        return True
    if "\u3000" not in scalar:
        return False
    for run in _SPACES.finditer(scalar):  # maximal runs: one pass
        spaces = run.group()
        last = spaces.rfind("\u3000")
        if last >= 0 and (scalar[run.start() - 1] == ":" or " " in spaces[:last]):
            return True
    return False


# Quote every string that this loader or a YAML 1.1 reader would take for something else.
for _tag, _regexp, _first in [
    (
        "tag:yaml.org,2002:bool",
        r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        "yYnNtTfFoO",
    ),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:[0-9][0-9_:]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$|^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^<<$", "<"),
]:
    _Dumper.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.rstrip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _ordered(data: Any, shape: Shape | None) -> Any:
    if isinstance(data, dict):
        props = shape.props if shape else {}
        rank = {k: i for i, k in enumerate(props)}
        names = sorted(data, key=lambda k: (rank.get(k, len(rank)), k))
        return {k: _ordered(data[k], props.get(k)) for k in names}
    if isinstance(data, list):
        return [_ordered(item, shape.items if shape else None) for item in data]
    if shape is not None and shape.number_as_text and type(data) is int:
        return str(data)  # `no: 1` is accepted; the canonical form writes it as text, like '1.1'
    return data


def _is_flat(value: Any) -> bool:
    return not isinstance(value, (dict, list)) and not (isinstance(value, str) and "\n" in value)


def _flow_length(data: dict[str, Any] | list[Any]) -> int:
    parts = [f"{k}: {v}" for k, v in data.items()] if isinstance(data, dict) else [str(v) for v in data]
    return sum(len(p) + 2 for p in parts) + 2


def _set_styles(node: yaml.Node, data: Any, root: bool = False, key: object = None) -> None:
    if isinstance(node, yaml.MappingNode):
        values = list(data.values())
        node.flow_style = not root and all(map(_is_flat, values)) and _flow_length(data) <= FLOW_WIDTH
        for (_, value_node), name, value in zip(node.value, data, values, strict=True):
            _set_styles(value_node, value, key=name if root else None)
    elif isinstance(node, yaml.SequenceNode):
        node.flow_style = key not in BLOCK_LISTS and all(map(_is_flat, data)) and _flow_length(data) <= FLOW_WIDTH
        for item_node, item in zip(node.value, data, strict=True):
            _set_styles(item_node, item)


def dump(data: dict[str, Any], shape: Shape | None = None) -> str:
    """The canonical text of a document whose schema has the given shape."""
    data = _ordered(data, shape)
    dumper = _Dumper(None, sort_keys=False)  # type: ignore[arg-type]  # only represents; never writes
    node = dumper.represent_data(data)
    _set_styles(node, data, root=True)
    return yaml.serialize(node, Dumper=_Dumper, allow_unicode=True, width=4096, indent=2)


def modeline(relative_path: str) -> str | None:
    """The first line of a repository file's canonical form, naming its schema for editors; None for other files.

    ``relative_path`` is the file's path from the repository's root, with ``/``:
    ``records/2026/NX-2026-001.yaml`` gives ``# yaml-language-server: $schema=../../schemas/record.schema.json``
    (a path relative to the file, so that it holds in every clone). Every record points at
    ``record.schema.json``, which dispatches on ``kind``: the line stays right when the kind changes.
    """
    schema = _SCHEMA_OF_ROLE.get(repository.role_of(relative_path))
    if schema is None:
        return None
    return f"{MODELINE_PREFIX}{'../' * relative_path.count('/')}schemas/{schema}.schema.json"
