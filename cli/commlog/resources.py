"""Where the files that ship with commlog live (schemas, default policy, templates).

In a wheel they are inside the package (``commlog/_data``); in a source checkout
(editable install, tests) they are the repository's own top-level files.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "_data"
_SOURCE = Path(__file__).resolve().parents[2]


def data_path(name: str) -> Path:
    """Path of a shipped file or folder, e.g. ``schemas`` or ``policy.yaml``."""
    packaged = _PACKAGED / name
    return packaged if packaged.exists() else _SOURCE / name


def template_path(name: str) -> Path:
    """Path of a template inside the package (``commlog/templates``)."""
    return Path(__file__).parent / "templates" / name
