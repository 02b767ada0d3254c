"""Sensitive data (敏感信息) in what records and contacts say: it needs the classification and channels it demands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from commlog import repository
from commlog.documents import Reading, read_file
from commlog.fileio import open_regular
from commlog.findings import Finding
from commlog.load import Document
from commlog.rules import Corpus, finding, rule
from commlog.sensitive import (
    CLEARANCE,
    NAMES,
    Hit,
    Settings,
    fingerprint,
    level_of,
    line_of,
    mask,
    scan,
    settings_of,
    texts,
    with_private,
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
    settings = with_private(settings_of(corpus.policy.data), corpus.staff, corpus.orgs)
    for doc in corpus.records:
        yield from record_findings(corpus.root, doc, settings)
        yield from unreadable_notes(corpus.root, doc)
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
    """An attachment's text as :func:`commlog.documents.read_file` reads it, by its content (the site's reading too):
    a text file's, a document's; '' for an image, media, or a file that cannot be read or opened."""
    reading = attachment_reading(root, record_file, name)
    return (reading.text or "") if reading is not None else ""


def attachment_reading(root: Path, record_file: str, name: str) -> Reading | None:
    path = repository.attachment(root, record_file, name)
    return None if path is None else read_file(path, name)


def unreadable_notes(root: Path, doc: Document) -> Iterator[Finding]:
    """A note for each attachment whose content cannot be read for sensitive data (a legacy Office file, an encrypted
    or corrupt document, an unknown binary): a site build that masks anything does not publish it."""
    for index, name in enumerate(doc.data.get("attachments", [])):
        reading = attachment_reading(root, doc.path, name)
        if reading is not None and reading.kind == "unreadable":
            yield finding(
                doc,
                NOTE,
                ("attachments", index),
                f"attachment {name} cannot be read for sensitive data (a legacy Office or Outlook file, an archive "
                "that cannot be opened, an encrypted, damaged or unknown file, or one over 32 MiB)",
                "save it as docx, xlsx or a PDF with a text layer; until then an internal or public site does not "
                "publish it",
            )


def text_digest(root: Path, relative: str) -> str:
    """The digest of an attachment's bytes (what sensitive-data reads of it; '' when it cannot be opened)."""
    try:
        with open_regular(root / relative) as handle:
            digest = hashlib.blake2b(digest_size=12)
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


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
    level = level_of(hit, settings)
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
    if level != settings.levels.get(hit.detector, "confidential"):
        name += ", a contact's private number"
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
