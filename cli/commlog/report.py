"""Reporters: findings as text lines or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from commlog.validate import Result


def text(result: Result, out: TextIO) -> None:
    for item in result.findings:
        out.write(item.as_text() + "\n")
    files = len({f.path for f in result.findings})
    if result.findings:
        out.write(f"{len(result.findings)} finding(s) in {files} of {result.checked} file(s)\n")
    elif result.records == 0:
        out.write(
            f"{result.checked} file(s) checked and valid, but there are no records at all "
            "(a record goes in records/<year>/<id>.yaml)\n"
        )
    else:
        out.write(f"{result.checked} file(s) checked, all valid\n")
    for item in result.notes:
        out.write(item.as_text() + "\n")
    if result.notes:
        out.write(
            f"{len(result.notes)} note(s) for a reviewer in {len({f.path for f in result.notes})} file(s), failing nothing\n"
        )
    if result.accepted:
        out.write(f"{result.accepted} sensitive-data finding(s) accepted in .commlog/allowed-sensitive.yaml\n")


def as_json(result: Result, out: TextIO) -> None:
    json.dump(
        {
            "checked": result.checked,
            "records": result.records,
            "findings": [f.as_json() for f in result.findings],
            "notes": [f.as_json() for f in result.notes],
        },
        out,
        ensure_ascii=False,
        indent=2,
    )
    out.write("\n")


REPORTERS: dict[str, Callable[[Result, TextIO], None]] = {"text": text, "json": as_json}
