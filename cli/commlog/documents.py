"""What an attachment holds, judged by its content: the one reading the sensitive-data check scans and the site
publishes, masks or withholds by.

:func:`read_attachment` looks at a file's first bytes, never only at its name: a PDF (``%PDF-``), a zip archive (an
OOXML or ODF document, or any archive: every member is read in turn), a legacy OLE file (doc, xls, ppt, msg: no
reader here), an image or a sound or video file (published as they are: no text to read), a saved email (its parts
decoded), or text in UTF-8, GB18030, UTF-16 with a mark or, at worst, Latin-1. A zip's XML is read with the standard
library under limits (no DTD is processed, so no entity can expand, and a zip bomb stops at :data:`UNPACK_LIMIT`);
PDF text comes from pypdf. Nothing is rendered, no macro or script runs. What cannot be read (corrupt, encrypted, over
a limit, an unknown binary) is ``unreadable``: the site publishes no such file in a build that masks anything.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from commlog.fileio import open_regular
from commlog.sensitive import TextFile, as_text

FILE_LIMIT = 32 * 1024 * 1024
"""Bytes of an attachment read at most; a larger one (but an image or media file) is unreadable."""
UNPACK_LIMIT = 64 * 1024 * 1024
"""Bytes unpacked from one zip archive at most, its members' members included."""
TEXT_LIMIT = 8 * 1024 * 1024
"""Characters of text kept from one document."""
PDF_PAGES = 2000
DEPTH = 4
"""Documents inside documents (an xlsx in a docx in a mail) are read this deep; deeper is unreadable."""
_BREAKS = re.compile(
    r"</(?:w:p|w:tc|a:p|a:tc|text:p|text:h|table:table-cell|si|c|is|row)>|<(?:w:br|w:tab|w:cr|text:line-break|text:tab)\b[^>]*>"
)
"""Where a paragraph, cell or line ends: a line break, so that two cells' numbers never run together (the runs
inside one paragraph are joined with nothing between them, as a reader sees them)."""
_TAG = re.compile(r"<[^>]*>")
_BOILERPLATE = re.compile(r"(?:styles|theme\d*|fontTable|settings|webSettings|numbering)\.xml$")
_MEDIA_MAGIC = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"ID3", b"OggS", b"fLaC", b"\x1aE\xdf\xa3",
    b"II*\x00", b"MM\x00*",
)  # fmt: skip
"""PNG, JPEG, GIF, MP3, Ogg, FLAC, Matroska/WebM, TIFF: images, sound and video, which hold no text to read."""
Kind = Literal["text", "document", "media", "unreadable"]


@dataclass(frozen=True)
class Reading:
    """An attachment as read: its kind, the text the checks read (None for media and the unreadable), and, for a
    text file, how to write it back (masked) in its own encoding."""

    kind: Kind
    text: str | None = None
    file: TextFile | None = None


UNREADABLE = Reading("unreadable")


def read_attachment(raw: bytes, name: str = "", depth: int = 0) -> Reading:
    """What ``raw`` (a whole file, at most :data:`FILE_LIMIT` bytes) holds, by its content; ``name`` decides only
    between an email and plain text."""
    if len(raw) > FILE_LIMIT or depth > DEPTH:
        return UNREADABLE
    head = raw[:1024]
    if _is_media(head) and as_text(head, truncated=True) is None:  # a text may begin with GIF89a or ID3
        return Reading("media")
    if b"%PDF-" in head:
        return _document(_pdf_text(raw))
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        return _document(_zipped_text(raw, depth))
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") or raw.startswith((b"7z\xbc\xaf", b"Rar!", b"\x1f\x8b")):
        return UNREADABLE  # legacy Office and Outlook files, 7-Zip, RAR, gzip: no reader here
    if PurePosixPath(name).suffix.lower() == ".eml":
        return _document(_email_text(raw, depth))
    text = as_text(raw) or _latin1(raw)  # not by name: a .txt in UTF-16 with no mark is no text to mask
    if text is None:
        return UNREADABLE
    shown = html.unescape(text.text) if "&" in text.text else text.text  # &#49;&#49;... is a number to a browser
    return Reading("text", shown, text)


def read_file(path: Path, name: str) -> Reading | None:
    """:func:`read_attachment` of the regular file at ``path`` (a media file by its first bytes alone, a file over
    :data:`FILE_LIMIT` unreadable); None when it cannot be opened (a link, missing: other rules say so)."""
    try:
        with open_regular(path, sole_name=True) as handle:
            head = handle.read(1024)
            if _is_media(head) and as_text(head, truncated=True) is None:
                return Reading("media")
            raw = head + handle.read(FILE_LIMIT + 1 - len(head))
    except OSError:
        return None
    return read_attachment(raw, name)


def _is_media(head: bytes) -> bool:
    if head.startswith(_MEDIA_MAGIC):
        return True
    riff = head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI ")
    return riff or head[4:8] == b"ftyp"  # MP4, MOV, M4A, HEIC


def _document(text: str | None) -> Reading:
    return UNREADABLE if text is None else Reading("document", text)


def _latin1(raw: bytes) -> TextFile | None:
    """A file of bytes with no NUL that is neither UTF-8 nor GB18030 (Windows-1252, a stray byte): read byte for byte,
    so that its digits are found and masked in place."""
    return None if b"\x00" in raw else TextFile(raw.decode("latin-1"), "latin-1")


def _inner(payload: bytes, name: str, depth: int) -> str | None:
    """The text of a file inside another (a zip's member, a mail's part): None when it cannot be read; '' for media."""
    reading = read_attachment(payload, name, depth + 1)
    if reading.kind == "unreadable":
        return None
    return reading.text or ""


def _email_text(raw: bytes, depth: int) -> str | None:
    """The headers people read and every part decoded: text parts in their charset, other parts read as attachments
    are (one that cannot be read makes the whole mail unreadable), forwarded mails within."""
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
            if part.get_content_maintype() == "text" and not name:
                charset = (part.get_content_charset() or "utf-8").lower()
                charset = "gb18030" if charset in ("gb2312", "gbk", "x-gbk") else charset
                try:
                    body = payload.decode(charset, "replace")
                except LookupError:
                    body = payload.decode("utf-8", "replace")
                pieces.append(html.unescape(body) if part.get_content_subtype() == "html" else body)
                continue
            inner = _inner(payload, name, depth)
            if inner is None:
                return None
            pieces += [name, inner]
    except (ValueError, TypeError, IndexError, LookupError, UnicodeError):
        return None
    return "\n".join(p for p in pieces if p)[:TEXT_LIMIT]


def _zipped_text(raw: bytes, depth: int) -> str | None:
    """Every member of a zip archive read: XML (an office document's parts) as its character data, any other member
    as an attachment is (an embedded workbook, a document in an archive); None when one cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [i for i in archive.infolist() if not i.is_dir() and not _BOILERPLATE.search(i.filename)]
            if sum(i.file_size for i in members) > UNPACK_LIMIT:
                return None
            pieces: list[str] = []
            left = UNPACK_LIMIT
            for info in members:
                with archive.open(info) as member:
                    data = member.read(left + 1)  # the header's size may lie: read no further than the limit
                left -= len(data)
                if left < 0:
                    return None
                if info.filename.endswith((".xml", ".rels")):
                    xml = data.decode("utf-8", "replace")
                    pieces.append(html.unescape(_TAG.sub("", _BREAKS.sub("\n", xml))))
                    continue
                inner = _inner(data, info.filename, depth)
                if inner is None:
                    return None
                pieces += [info.filename, inner]
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
