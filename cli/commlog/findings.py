"""The one finding type that loading, schema checks and rules produce."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\udc80-\udcff]")


def inert(text: str) -> str:
    """Text safe to print on a terminal or in a CI log: each control character becomes a visible escape.

    ESC becomes ``\\x1b``, a line break inside a file name ``\\x0a``, and a byte of a file
    name that is not UTF-8 (decoded by Python as a lone surrogate) ``\\xff``; bidirectional
    overrides are escaped too, so text cannot forge finding lines or CI commands.
    """
    return _INVISIBLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


NOTE_RULES = frozenset(("sensitive-note",))
"""Rules whose findings are notes for a reviewer: printed by ``validate`` and the pull request summary, but no
file is invalid for them, no command refuses a write for them, and the exit status ignores them."""


def is_note(item: Finding) -> bool:
    return item.rule in NOTE_RULES


@dataclass(frozen=True, order=True)
class Finding:
    """A problem in one file, pointing at a line when one is known.

    ``pointer`` is a JSON pointer into the document (``/to/0/person``); when
    ``line`` is 0 the reporter resolves it from the pointer.
    """

    path: str
    line: int
    column: int
    rule: str
    message: str
    hint: str = ""
    pointer: str = ""
    at_key: bool = field(default=False, compare=False)

    def as_text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return inert(f"{self.path}:{self.line}:{self.column}: {self.rule}: {self.message}{hint}")

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
            "pointer": self.pointer,
        }


def pointer(*parts: object) -> str:
    """JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_parts(ptr: str) -> list[str]:
    """Inverse of :func:`pointer`."""
    if not ptr:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]
