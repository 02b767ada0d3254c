"""Attachments on the site: copied from the record's own folder only, and served so that none can run script.

The archive site is static, so it cannot send ``Content-Disposition`` headers. Instead
an attachment keeps its name only when its type is one a browser shows without
running anything in the site's origin (PDF, images, plain text, office documents,
archives); any other (``.html``, ``.svg``, ``.xml``, ``.js``, unknown types) is
published as ``<name>.download``, which web servers send as
``application/octet-stream`` and browsers save instead of opening, and its link
carries the ``download`` attribute with the original name.
"""

from __future__ import annotations

import html
import logging
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from commlog.documents import read_file
from commlog.fileio import open_regular
from commlog.repository import attachment

log = logging.getLogger("mkdocs.plugins.commlog")

SHOWN_AS_IS = frozenset(
    [
        ".pdf",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".bmp",
        ".txt",
        ".csv",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".rtf",
        ".zip",
        ".7z",
        ".rar",
        ".gz",
        ".eml",
        ".msg",
        ".mp3",
        ".mp4",
        ".wav",
        ".m4a",
    ]
)
"""Types a browser displays or saves without running script in the page's origin."""
DOWNLOAD_SUFFIX = ".download"


def published_name(name: str) -> str:
    """The name an attachment has on the site: its own, or ``<name>.download`` for a type that could run script."""
    return name if PurePosixPath(name).suffix.lower() in SHOWN_AS_IS else name + DOWNLOAD_SUFFIX


def published_names(names: list[str], redact: Callable[[str], str]) -> dict[str, str]:
    """Each attachment's name on the site: published, without hidden ids, and distinct.

    Two names may come out the same once the ids of hidden records are taken out of
    them (or differ only in case): the later ones get ``-2``, ``-3``... before the
    suffix, so that no file overwrites another.
    """
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        candidate = base = published_name(redact(name))
        stem, dot, suffix = base.rpartition(".") if "." in base.rpartition("/")[2] else (base, "", "")
        count = 1
        while candidate.casefold() in taken:
            count += 1
            candidate = f"{stem}-{count}{dot}{suffix}"
        taken.add(candidate.casefold())
        result[name] = candidate
    return result


def withheld(root: Path, record_file: str, names: list[str], mask: Callable[[str], str]) -> frozenset[str]:
    """The attachments a build that masks (``mask`` changes a text holding a number its clearance may not see
    whole) may not publish, judged by their content (:func:`commlog.documents.read_file`, the rule sensitive-data's
    reading too): a document (docx, xlsx, pdf, a mail, an archive) whose text it would mask, as it cannot be masked
    inside the file; a text file whose masked copy still shows such a number to a browser (written as HTML
    character references); and every file it cannot read, as it cannot check it. Images and media are published."""
    held = set()
    for name in names:
        source = attachment(root, record_file, name)
        reading = read_file(source, name) if source is not None else None
        if reading is None or reading.kind == "media":
            continue  # not published at all (publish says why), or no text in it
        if reading.kind == "unreadable":
            held.add(name)
        elif reading.kind == "document":
            text = reading.text or ""
            if mask(text) != text:
                held.add(name)
        elif reading.file is not None:
            shown = mask(reading.file.text)
            shown = html.unescape(shown) if "&" in shown else shown
            if mask(shown) != shown:
                held.add(name)
    return frozenset(held)


def publish(
    root: Path,
    record_file: str,
    record_id: str,
    names: list[str],
    target: Path,
    redact: Callable[[str], str],
    mask: Callable[[str], str] | None = None,
    held: frozenset[str] = frozenset(),
) -> None:
    """Copy a record's attachments into ``target`` (its page's files/ folder) under their published names.

    What is not an ordinary file in the record's own folder is left out; ``redact``
    takes the ids of records the build does not show out of the names; ``mask`` the numbers the build's
    clearance may not see whole out of every attachment whose content is text, whatever its name (written back in
    its own encoding); ``held`` (:func:`withheld`) is not copied at all.
    """
    for name, published in published_names(names, redact).items():
        if name in held:
            continue
        source = attachment(root, record_file, name)
        try:
            if source is None:
                raise FileNotFoundError
            reading = read_file(source, name) if mask is not None else None
            with open_regular(source, sole_name=True) as handle:
                destination = target / published
                destination.parent.mkdir(parents=True, exist_ok=True)
                with destination.open("wb") as out:
                    if mask is not None and reading is not None and reading.file is not None:
                        done = mask(reading.file.text)
                        if done != reading.file.text:
                            out.write(reading.file.encode(done))
                            continue
                    shutil.copyfileobj(handle, out)
        except OSError:
            log.warning(
                "commlog: attachment %s of %s is missing, a link (symbolic or hard), or outside its folder; not copied",
                name,
                record_id,
            )
