"""Policy keys a newer commlog renamed, rewritten by ``commlog upgrade`` (the old names are still read meanwhile)."""

from __future__ import annotations

from pathlib import Path

from commlog.fileio import atomic_write
from commlog.fmt import canonical_text
from commlog.load import LoadError, load
from commlog.repository import POLICY
from commlog.schema import Schemas

RENAMED = {("contacts", "show_phones_at"): "numbers_at"}
"""(section, old key): new key, in policy.yaml."""


def rename_policy_keys(root: Path, schemas: Schemas) -> list[str]:
    """Rename the old keys in policy.yaml in place; what was done (or why not), one line each."""
    path = root / POLICY
    try:
        doc = load(root, path)
    except (LoadError, OSError):
        return []  # `commlog validate` reports a policy that does not load
    data = doc.data
    found = [(s, k) for s, k in RENAMED if isinstance(data.get(s), dict) and k in data[s]]
    if not found:
        return []
    if doc.text != canonical_text(schemas, POLICY, data):
        names = ", ".join(f"{s}.{k}" for s, k in found)
        return [f"{POLICY}: {names} kept (still read): run `commlog fmt {POLICY}`, then `commlog upgrade` renames it"]
    done = []
    for section, old in found:
        new = RENAMED[(section, old)]
        value = data[section].pop(old)
        data[section].setdefault(new, value)
        done.append(f"{POLICY}: {section}.{old} renamed {section}.{new}")
    atomic_write(path, canonical_text(schemas, POLICY, data))
    return done
