"""Validation through the index: only what changed is judged again.

The rules fall in two kinds (:attr:`commlog.rules.Rule.across`). Those that judge a record on its own,
with the policy and the contacts, keep their findings in the index under the record's path, content,
attachments and the context's digest; a run judges only the records without such an entry. Those
that compare records (one id, one archive number, numbers in order, links to existing records) run
over every record's :class:`commlog.rules.Facts`, which the index keeps in a table of their own
(:mod:`commlog.index.facts`), so the rest of the repository is compared without being loaded. The policy and the contacts are always
loaded and their own rules always run (they are few).

``commlog validate --no-cache`` does not come here: it loads everything and runs every rule, the
reference this path is tested against (tests/test_index.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from commlog import repository
from commlog.findings import Finding
from commlog.index.corpus import Snapshot, bulk, context_corpus, text_or_empty, with_lines
from commlog.index.facts import from_row, to_row
from commlog.load import Document
from commlog.rules import Corpus, Facts, facts, run


def findings(snap: Snapshot) -> tuple[Corpus, list[Finding]]:
    """Every finding of the repository (lines placed for the records judged now), and the corpus of context files."""
    verdicts = snap.verdicts()
    corpus, found = context_corpus(snap)
    valid = [r for r, v in verdicts.items() if v.role == "record" and v.ok]
    compared = _facts(snap, valid)
    corpus.record_ids.update(f.id for f in compared)

    context = snap.context_key()
    new: dict[str, str] = {}
    pending: list[str] = []
    with bulk():
        keys = _keys(snap, valid)
        stored = snap.store.checked(context)
        for relative in valid:
            entry = stored.get(keys[relative])
            if entry == "[]":  # the common case: nothing found
                continue
            parsed = None if entry is None else _parsed(entry, relative)
            if parsed is None:
                pending.append(relative)
            else:
                found += parsed
    snap.load(pending)
    alone = replace(corpus, records=[Document(r, "", verdicts[r].data) for r in pending])  # type: ignore[arg-type]
    judged_now = with_lines(list(run(alone, across=False, notes=True)), lambda path: text_or_empty(snap.root / path))
    by_path: dict[str, list[Finding]] = {r: [] for r in pending}
    for item in judged_now:
        if item.path in by_path:
            by_path[item.path].append(item)
        found.append(item)  # a record's own findings, and those of the policy and contacts
    for relative, own in by_path.items():
        new[keys[relative]] = json.dumps([f.as_json() for f in own], ensure_ascii=False)

    across = replace(corpus)
    across.facts = compared
    with bulk():
        found += run(across, across=True, notes=True)
    snap.save(checked=(context, new, set(keys.values())))
    return corpus, found


def _facts(snap: Snapshot, valid: list[str]) -> list[Facts]:
    """Each valid record's facts, in order: from the index, or from its data (loaded for the few it lacks)."""
    verdicts = snap.verdicts()
    out: dict[str, Facts] = {}
    lacking: list[str] = []
    with bulk():
        stored = snap.store.facts() if snap.enabled else {}
        for relative in valid:
            verdict = verdicts[relative]
            if verdict.data is not None:
                out[relative] = facts(relative, verdict.data)
                continue
            row = stored.get(verdict.digest)
            value = None if row is None else from_row(relative, *row)
            if value is None:
                lacking.append(relative)
            else:
                out[relative] = value
    snap.load(lacking)
    for relative in lacking:
        verdict = verdicts[relative]
        if verdict.data is None or not verdict.ok:  # judged again and found otherwise: cannot happen for a digest
            continue
        out[relative] = facts(relative, verdict.data)
        snap.new_facts[verdict.digest] = to_row(out[relative])
    return [out[r] for r in valid if r in out]


def _keys(snap: Snapshot, valid: list[str]) -> dict[str, str]:
    """What a record's own findings depend on besides the context: its path, its content, its attachments."""
    attachments: dict[str, list[str]] = {}
    for other in snap.scan.others:
        parts = other.split("/")
        if len(parts) > 3 and parts[0] == repository.RECORDS:
            attachments.setdefault("/".join(parts[:3]) + ".yaml", []).append("/".join(parts[3:]))
    keys = {}
    for relative in valid:
        present = attachments.get(relative)
        if present:  # an attachment's content is read by sensitive-data: its digest is part of the key
            folder = relative.removesuffix(".yaml")
            present = [f"{name}\0{snap.other_digest(f'{folder}/{name}')}" for name in present]
        listing = hashlib.blake2b("\0".join(present).encode(), digest_size=12).hexdigest() if present else "-"
        keys[relative] = f"{relative}\0{snap.digests[relative]}\0{listing}"
    return keys


def _parsed(entry: str, relative: str) -> list[Finding] | None:
    try:
        return [Finding(**{**f, "path": relative}) for f in json.loads(entry)]
    except (TypeError, ValueError):
        return None
