"""The one finding type that loading, schema checks and rules produce."""

from __future__ import annotations

from dataclasses import dataclass, field


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
        return f"{self.path}:{self.line}:{self.column}: {self.rule}: {self.message}{hint}"

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
