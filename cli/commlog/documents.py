"""The text inside office documents and PDFs: what the sensitive-data check reads and the site judges them by.

OOXML (docx, xlsx, pptx) and ODF (odt, ods, odp) files are zip archives of XML; their text is the character
data of those XML parts, read with the standard library under limits (no DTD is processed, so no entity can
expand, and a zip bomb stops at :data:`UNPACK_LIMIT`). PDF text comes from pypdf. Nothing is rendered, no macro
or script runs. A document that cannot be read (corrupt, encrypted, over a limit) gives None, and so does a
legacy binary format (doc, xls, ppt) that no extractor here reads: the caller decides what that means (the site
publishes no such file in a build that masks anything, :mod:`commlog.site.attachments`).
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from pathlib import PurePosixPath

ZIPPED = frozenset((".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".odt", ".ods", ".odp"))
PDF = ".pdf"
EMAIL = ".eml"
"""A saved email: text, but its parts are mostly base64 or quoted-printable (a Chinese mail's body almost always),
so its text is what the parts decode to, attachments included; its bytes can hide a number from a plain scan."""
UNREADABLE = frozenset((".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".msg", ".zip", ".7z", ".rar", ".gz", ".tar"))
"""Formats that carry text no extractor here reads: legacy binary Word, Excel, PowerPoint and WPS, Outlook's .msg,
and archives (which may hold any of the others)."""
DOCUMENTS = ZIPPED | {PDF, EMAIL} | UNREADABLE
"""Every attachment type judged as a document (by its name: its content is binary)."""
FILE_LIMIT = 32 * 1024 * 1024
"""Bytes of a document read at most; a larger one is not read (None)."""
UNPACK_LIMIT = 64 * 1024 * 1024
"""Bytes of XML unpacked from one zipped document at most."""
TEXT_LIMIT = 4 * 1024 * 1024
"""Characters of text kept from one document."""
PDF_PAGES = 2000
_BREAKS = re.compile(
    r"</(?:w:p|w:tc|a:p|a:tc|text:p|text:h|table:table-cell|si|c|is|row)>|<(?:w:br|w:tab|w:cr|text:line-break|text:tab)\b[^>]*>"
)
"""Where a paragraph, cell or line ends: a line break, so that two cells' numbers never run together (the runs
inside one paragraph are joined with nothing between them, as a reader sees them)."""
_TAG = re.compile(r"<[^>]*>")
_CONTENT_PARTS = re.compile(r"(?:^|/)[^/]+\.xml$")
_SKIPPED_PARTS = re.compile(r"(?:styles|theme\d*|fontTable|settings|webSettings|numbering|app|\[Content_Types\])\.xml$")


def is_document(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in DOCUMENTS


def is_text_document(name: str) -> bool:
    """A document whose bytes are text (an email): judged by what it decodes to, never masked as plain text."""
    return PurePosixPath(name).suffix.lower() == EMAIL


def document_text(raw: bytes, name: str) -> str | None:
    """The text of the document ``raw`` named ``name``, or None when it cannot be read."""
    suffix = PurePosixPath(name).suffix.lower()
    if len(raw) > FILE_LIMIT or suffix in UNREADABLE:
        return None
    if suffix in ZIPPED:
        return _zipped_text(raw)
    if suffix == PDF:
        return _pdf_text(raw)
    if suffix == EMAIL:
        return _email_text(raw)
    return None


def _email_text(raw: bytes) -> str | None:
    """The headers people read and every part decoded: text parts in their charset, attached documents by
    :func:`document_text` (one it cannot read makes the whole mail unreadable), forwarded mails within."""
    import email
    import email.policy

    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        pieces = [str(message.get(h, "")) for h in ("From", "To", "Cc", "Subject")]
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            name = part.get_filename() or ""
            if name and is_document(name):
                inner = document_text(payload, name)
                if inner is None:
                    return None
                pieces += [name, inner]
            elif part.get_content_maintype() == "text":
                charset = (part.get_content_charset() or "utf-8").lower()
                charset = "gb18030" if charset in ("gb2312", "gbk", "x-gbk") else charset
                try:
                    pieces += [name, payload.decode(charset, "replace")]
                except LookupError:
                    pieces += [name, payload.decode("utf-8", "replace")]
            else:
                pieces.append(name)  # an image or other binary part: its name only
    except (ValueError, TypeError, IndexError, LookupError, UnicodeError):
        return None
    return "\n".join(p for p in pieces if p)[:TEXT_LIMIT]


def _zipped_text(raw: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = [
                i
                for i in archive.infolist()
                if _CONTENT_PARTS.search(i.filename) and not _SKIPPED_PARTS.search(i.filename)
            ]
            if not parts or sum(i.file_size for i in parts) > UNPACK_LIMIT:
                return None
            pieces: list[str] = []
            left = UNPACK_LIMIT
            for info in parts:
                with archive.open(info) as member:
                    data = member.read(left + 1)  # the header's size may lie: read no further than the limit
                left -= len(data)
                if left < 0:
                    return None
                xml = data.decode("utf-8", "replace")
                pieces.append(html.unescape(_TAG.sub("", _BREAKS.sub("\n", xml))))
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, NotImplementedError):
        return None  # corrupt, encrypted (RuntimeError), or compressed in a way zipfile does not read
    return "\n".join(pieces)[:TEXT_LIMIT]


def _pdf_text(raw: bytes) -> str | None:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a malformed object is a warning there: the text is the answer
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        if len(reader.pages) > PDF_PAGES:
            return None
        pieces: list[str] = []
        size = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            pieces.append(text)
            size += len(text)
            if size > TEXT_LIMIT:
                break
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a malformed file; any of them means unreadable
        return None
    return "\n".join(pieces)[:TEXT_LIMIT]
