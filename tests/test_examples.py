"""Every file in tests/examples/ placed into the demo repository: valid ones pass, invalid ones give their finding."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from commlog.commands import main
from commlog.findings import NOTE_RULES

EXAMPLES = Path(__file__).parent / "examples"
HEADER = re.compile(rb"# path: (\S+)\n(?:# expect: (\S+) (\d+)\n)?")


def _examples(folder: str) -> list[Path]:
    return sorted((EXAMPLES / folder).glob("*.yaml"))


def _header(example: Path) -> tuple[str, str | None, int | None]:
    match = HEADER.search(example.read_bytes()[:300])
    assert match, f"{example.name} must start with '# path: ...' (and '# expect: RULE LINE' when invalid)"
    path, rule, line = match.groups()
    return path.decode(), rule.decode() if rule else None, int(line) if line else None


def _place(example: Path, repo: Path) -> Path:
    relative, _, _ = _header(example)
    target = repo / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(example, target)
    return target


def _validate(repo: Path, target: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["validate", "--repo", str(repo), "--format", "json", str(target)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)


@pytest.mark.parametrize("example", _examples("valid"), ids=lambda p: p.stem)
def test_valid_example(example: Path, demo_repo: Path) -> None:
    code, report = _validate(demo_repo, _place(example, demo_repo))
    assert report["findings"] == [] and code == 0


@pytest.mark.parametrize("example", _examples("invalid"), ids=lambda p: p.stem)
def test_invalid_example(example: Path, demo_repo: Path) -> None:
    before = example.read_bytes()
    target = _place(example, demo_repo)
    _, rule, line = _header(example)
    code, report = _validate(demo_repo, target)
    if rule in NOTE_RULES:  # a note for the reviewer: reported, failing nothing
        assert code == 0 and report["findings"] == []
        report["findings"] = report["notes"]
    else:
        assert code == 1
    found = [(f["rule"], f["line"]) for f in report["findings"]]
    assert (rule, line) in found, f"expected {rule} at line {line}, got {found}"
    assert all(f["message"] and f["column"] >= 1 for f in report["findings"])
    assert target.read_bytes() == before  # validation never changes a file


SCHEMA_FOR = {"records": "record", "contacts/internal": "contact-internal", "contacts/external": "contact-external"}


def _schema_of(relative: str) -> str:
    if relative == "policy.yaml":
        return "policy"
    folder = "records" if relative.startswith("records/") else relative.rsplit("/", 1)[0]
    return SCHEMA_FOR[folder]


def _schema_examples() -> list[Path]:
    chosen = _examples("valid")
    chosen += [p for p in _examples("invalid") if (_header(p)[1] or "").startswith("schema-")]
    return chosen


@pytest.mark.parametrize("example", _schema_examples(), ids=lambda p: p.stem)
def test_check_jsonschema_agrees(example: Path) -> None:
    """A validator no one here wrote gives the same verdict on every schema-level example."""
    relative, rule, _ = _header(example)
    schema = Path(__file__).resolve().parents[1] / "schemas" / f"{_schema_of(relative)}.schema.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(schema),
            str(example),
        ],
        capture_output=True,
        text=True,
    )
    assert (result.returncode == 0) == (rule is None), result.stdout + result.stderr


def _loadable_examples() -> list[tuple[Path, dict]]:
    from commlog.load import LoadError, parse

    loadable = []
    for example in _examples("valid") + _examples("invalid"):
        try:
            loadable.append((example, parse(example.read_bytes().decode("utf-8"))))
        except (LoadError, UnicodeDecodeError):
            continue  # no document, so no schema verdict to compare
    return loadable


@pytest.mark.parametrize(("example", "data"), _loadable_examples(), ids=lambda v: v.stem if isinstance(v, Path) else "")
def test_fast_path_agrees_with_jsonschema(example: Path, data: dict) -> None:
    """The compiled fast check says 'valid' exactly when jsonschema finds no error."""
    import fastjsonschema

    from commlog.schema import Schemas

    relative, _, _ = _header(example)
    schemas = Schemas()
    name = schemas.document_type(relative, data)
    slow_valid = not list(schemas.validator(name).iter_errors(data))
    try:
        schemas.fast(name)(data)
        fast_valid = True
    except fastjsonschema.JsonSchemaException:
        fast_valid = False
    assert fast_valid == slow_valid


def test_every_rule_has_an_invalid_example() -> None:
    from commlog.rules import all_rules

    expected = {_header(p)[1] for p in _examples("invalid")}
    missing = sorted({rule_id for rule in all_rules() for rule_id in rule.ids} - expected)
    assert missing == [], f"add an example to tests/examples/invalid/ for: {missing}"
