"""Sensitive data (敏感信息) in what records and contacts say: it needs the classification and channels it demands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from commlog import repository
from commlog.documents import FILE_LIMIT, document_text, is_document
from commlog.fileio import open_regular
from commlog.findings import Finding
from commlog.load import Document
from commlog.rules import Corpus, finding, rule
from commlog.sensitive import (
    CLEARANCE,
    NAMES,
    TEXT_ATTACHMENTS,
    Hit,
    Settings,
    as_text,
    fingerprint,
    line_of,
    mask,
    maybe_text,
    scan,
    settings_of,
    texts,
)
from commlog.workflow import CLASSIFICATION_NAMES

RECORD_CODED = frozenset((
    "id", "kind", "direction", "urgency", "classification", "importance", "channels", "channel", "type", "at", "by",
    "person", "role", "department", "org", "status", "archive_no", "no", "owner", "task", "depends_on", "due",
    "feedback_due", "held_at", "host", "recorder", "recorded_by", "in_reply_to", "supersedes", "references",
    "signature", "start", "end", "legal_effect",
))  # fmt: skip
"""Keys whose values are coded (ids, times, choices), not words someone wrote."""
CONTACT_OWN = frozenset(("id", "department", "phone", "mobile", "phones", "email", "status", "roles", "owner", "type"))
"""A contact's own numbers and email are its fields, not leaks; the rest of what it says is free text."""
ATTACHMENT_LIMIT = 4 * 1024 * 1024
"""Bytes read of a text attachment (the records' own size limit is far below; an attachment can be larger)."""
SNIFF = 8192
"""Bytes read first: a NUL among them (and no UTF-16 mark) is a binary file, not read further."""
RULE = "sensitive-data"
NOTE = "sensitive-note"
"""What a reviewer should look at though it fails nothing (:data:`commlog.findings.NOTE_RULES`): a keyword with no
number near it, a document number with no word before it, in a record whose classification or channels would not
do if it were the real thing."""
FINGERPRINT = "指纹"
"""Ends a finding's message with the hash the allow list keeps of its value (commlog.allowlist)."""


@rule(RULE, NOTE)
def sensitive_data(corpus: Corpus) -> Iterator[Finding]:
    """Personal and sensitive data stays in records classified, and sent over channels, as the policy requires."""
    assert corpus.policy is not None
    settings = settings_of(corpus.policy.data)
    for doc in corpus.records:
        yield from record_findings(corpus.root, doc, settings)
    for doc in corpus.staff_docs + corpus.org_docs:
        for parts, text in texts(doc.data, CONTACT_OWN, settings):
            for hit in scan(text, settings):
                yield from _judge(doc, doc.data["id"], parts, text, hit, "internal", set(), settings, "")


def record_findings(root: Path, doc: Document, settings: Settings) -> Iterator[Finding]:
    """The findings of one record: its free text, its attachments' names and its text attachments' content."""
    return (found for _, found in judged(root, doc, settings))


def judged(root: Path, doc: Document, settings: Settings) -> Iterator[tuple[Hit, Finding]]:
    """Each finding of one record with the hit it reports (``commlog allow`` hashes the hit)."""
    data = doc.data
    classification = data["classification"]
    channels = set(data.get("channels", [])) | {e["channel"] for e in data["events"] if "channel" in e}
    for parts, text in texts(data, RECORD_CODED, settings):
        for hit in scan(text, settings):
            for found in _judge(doc, data["id"], parts, text, hit, classification, channels, settings, ""):
                yield hit, found
    for index, name in enumerate(data.get("attachments", [])):
        content = attachment_text(root, doc.path, name)
        for hit in scan(content, settings) if content else ():
            where = f"attachment {name} line {line_of(content, hit.start)}: "
            for found in _judge(
                doc, data["id"], ("attachments", index), content, hit, classification, channels, settings, where
            ):
                yield hit, found


def low_confidence(root: Path, doc: Document, settings: Settings) -> Iterator[tuple[str, Hit]]:
    """What a reviewer should look at though it is no finding (the notes of :data:`NOTE`: a keyword with no number
    near it, a document number with no word before it, where the record's class or channels would not do for the
    real thing), each with the JSON pointer of its field; the pull request summary lists them."""
    for hit, found in judged(root, doc, settings):
        if found.rule == NOTE:
            yield found.pointer, hit


def attachment_text(root: Path, record_file: str, name: str) -> str:
    """An attachment's text, whatever its name ('' for one with none that can be read: other rules say why).
    A document (docx, xlsx, pdf...) gives the text inside it (:mod:`commlog.documents`); any other file is text
    when :func:`commlog.sensitive.as_text` says so, the site's decision too."""
    path = repository.attachment(root, record_file, name)
    return "" if path is None else _content(path, name)


def _content(path: Path, name: str) -> str:
    if is_document(name):
        raw = _raw(path)
        text = document_text(raw, name) if raw is not None else None
        if text is not None:
            return text
    return _decoded(path, name)  # a file named .pdf may be text all the same


def _raw(path: Path) -> bytes | None:
    try:
        with open_regular(path) as handle:
            raw = handle.read(FILE_LIMIT + 1)
    except OSError:
        return None
    return raw if len(raw) <= FILE_LIMIT else None


def _decoded(path: Path, name: str) -> str:
    try:
        with open_regular(path) as handle:
            raw = handle.read(SNIFF)
            if not maybe_text(raw) and PurePosixPath(name).suffix.lower() not in TEXT_ATTACHMENTS:
                return ""  # binary: not read further
            raw += handle.read(ATTACHMENT_LIMIT - len(raw))
            truncated = bool(handle.read(1))
    except OSError:
        return ""
    text = as_text(raw, name, truncated)
    return "" if text is None else text.text


def text_digest(root: Path, relative: str) -> str:
    """The digest of what sensitive-data reads of an attachment: a document's bytes, other files' text ('' for a
    binary one, whose name alone the rules read)."""
    if is_document(relative):
        raw = _raw(root / relative)
        return hashlib.blake2b(raw, digest_size=12).hexdigest() if raw else ""
    text = _decoded(root / relative, relative)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest() if text else ""


def _judge(
    doc: Document,
    record_id: str,
    parts: tuple[object, ...],
    text: str,
    hit: Hit,
    classification: str,
    channels: set[str],
    settings: Settings,
    where: str,
) -> Iterator[Finding]:
    level = settings.levels.get(hit.detector, "confidential")
    reasons = []
    if CLEARANCE[classification] < CLEARANCE[level]:
        reasons.append(
            f"needs classification {level} ({CLASSIFICATION_NAMES[level]}) or above, the record is {classification}"
        )
    banned = sorted(channels & settings.never_over.get(hit.detector, frozenset()))
    if banned:
        reasons.append(f"may never go over {', '.join(banned)}")
    if not reasons:
        return
    line = where or (f"line {line_of(text, hit.start)}: " if "\n" in text.strip() else "")
    name = NAMES.get(hit.detector, f"keyword list {hit.detector}")
    shown = mask(hit)
    hint = (
        f"raise the classification to {level}, remove the data, or change the channel; "
        f"if a reviewer accepts it: commlog allow {record_id} --detector {hit.detector} --reason ..."
    )
    if banned:
        hint = f"send it over another channel than {', '.join(banned)}, or remove the data; " + hint.split("; ", 1)[1]
    message = (
        f"{line}{hit.detector} ({name}) {shown}: {'; '.join(reasons)} [{FINGERPRINT} {fingerprint(record_id, hit)}]"
    )
    if hit.confidence != "high":  # a keyword with no number near it, a document number with no word before it
        doubt = "no number near it" if hit.detector in settings.keywords else "no word naming the document before it"
        message = (
            f"{line}{hit.detector} ({name}) {shown} with {doubt}: if the record carries the real thing, it "
            f"{'; '.join(reasons)}"
        )
        hint = "a note for the reviewer, failing nothing: check the text; raise the classification or remove the data if it is"
        yield finding(doc, NOTE, parts, message, hint)
        return
    yield finding(doc, RULE, parts, message, hint)
