"""What `commlog site serve` shows of files that fail validation: where the record would be, what is wrong, the fix.

Only a served site has these pages. A built site shows nothing of an invalid file, not even its
findings: its classification cannot be trusted, so nothing of it may be published at any clearance.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from itertools import groupby

from jinja2 import Environment

from commlog.findings import Finding, inert
from commlog.repository import role_of

RECORD_ID = re.compile(r"[A-Z][A-Z0-9]{0,7}-\d{4}-\d{1,6}", re.ASCII)
"""A record id, as common.schema.json's ``record_id`` pattern has it (ASCII digits, as in JSON Schema)."""
INDEX_SRC = "invalid.md"
INDEX_URL = "invalid/"
INDEX_TITLE = "未通过校验的文件"


@dataclass(frozen=True)
class Shown:
    """One finding as the page shows it: control characters made visible (Jinja escapes the rest)."""

    place: str
    rule: str
    message: str


@dataclass(frozen=True)
class InvalidFile:
    path: str
    """The file's path in the repository, control characters made visible."""
    findings: list[Shown]
    url: str | None
    """The page of the record this file would be (``records/<year>/<id>/``); None for a file with no page of its own."""

    @property
    def title(self) -> str:
        return f"{self.id or self.path} 未通过校验"

    @property
    def id(self) -> str | None:
        return self.url.split("/")[2] if self.url else None

    @property
    def command(self) -> str:
        return f"commlog validate {shlex.quote(self.path)}"


def invalid_files(skipped: list[Finding], taken: set[str]) -> list[InvalidFile]:
    """The files a build left out, by path, each with its findings and, for a record named by its id, its page.

    A record file gets the page its record would have when its name is an id of its folder's year
    (records/2024/NX-2024-001.yaml); any other file, and one whose page a valid record holds
    (``taken``), is on the list only.
    """
    files = []
    for path, found in groupby(sorted(skipped), key=lambda f: f.path):
        url = _record_url(path)
        files.append(InvalidFile(inert(path), [_shown(f) for f in found], url if url not in taken else None))
    return files


def _record_url(path: str) -> str | None:
    if role_of(path) != "record":
        return None
    _, year, name = path.split("/")
    stem = name.removesuffix(".yaml")
    return f"records/{year}/{stem}/" if RECORD_ID.fullmatch(stem) and stem.split("-")[1] == year else None


def _shown(finding: Finding) -> Shown:
    place = f"{finding.line}:{finding.column}" if finding.line else "—"
    message = f"{finding.message} ({finding.hint})" if finding.hint else finding.message
    return Shown(place, inert(finding.rule), inert(message))


def record_page(env: Environment, file: InvalidFile) -> str:
    assert file.url is not None
    return env.get_template("invalid.html").render(here=file.url, file=file)


def index_page(env: Environment, files: list[InvalidFile]) -> str:
    return env.get_template("invalid_index.html").render(here=INDEX_URL, files=files)
