"""The schemas themselves: valid against the metaschema, documented, and their reference page current."""

from __future__ import annotations

import subprocess
import sys

from commlog.reference import render, render_cli, render_rules
from commlog.schema import Schemas, Shape

from conftest import ROOT


def test_schemas_pass_the_metaschema() -> None:
    files = sorted(str(p) for p in (ROOT / "schemas").glob("*.schema.json"))
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--check-metaschema", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _undocumented(shape: Shape, path: str) -> list[str]:
    missing = [] if shape.title and shape.description else [path]
    for name, child in shape.props.items():
        missing += _undocumented(child, f"{path}.{name}")
    if shape.items is not None and shape.items.props:
        missing += [m for m in _undocumented(shape.items, path + "[]") if m != path + "[]"]
    return missing


def test_every_property_has_a_chinese_title_and_description() -> None:
    schemas = Schemas()
    for name, doc in schemas.documents.items():
        assert "$id" not in doc, f"{name}: an $id makes editors resolve $ref on the web, not beside the file"
        if name in ("common", "record"):
            continue
        assert _undocumented(schemas.shape(name), name) == []
        assert all(
            any("\u4e00" <= ch <= "\u9fff" for ch in child.title) for child in schemas.shape(name).props.values()
        )


def test_format_reference_is_current() -> None:
    page = (ROOT / "site" / "reference.md").read_text(encoding="utf-8")
    assert page == render(Schemas()), (
        "site/reference.md is stale: run `python -m commlog.reference site/reference.md site/rules.md site/cli.md`"
    )


def test_rules_page_is_current() -> None:
    page = (ROOT / "site" / "rules.md").read_text(encoding="utf-8")
    assert page == render_rules(), (
        "site/rules.md is stale: run `python -m commlog.reference site/reference.md site/rules.md site/cli.md`"
    )


def test_command_reference_is_current() -> None:
    page = (ROOT / "site" / "cli.md").read_text(encoding="utf-8")
    assert page == render_cli(), (
        "site/cli.md is stale: run `python -m commlog.reference site/reference.md site/rules.md site/cli.md`"
    )
    for command in ("validate", "fmt", "init", "due", "overdue", "site build", "site serve", "demo generate"):
        assert f"## `commlog {command}`" in page
