"""Where things are in a records repository, and finding its files.

The repository's folders are walked without following links: a link in records/ or
contacts/ is a finding, never a way to read a file from elsewhere.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path, PurePosixPath

from commlog.fileio import TEMP_SUFFIX
from commlog.findings import Finding, inert

POLICY = "policy.yaml"
RECORDS = "records"
INTERNAL = "contacts/internal"
EXTERNAL = "contacts/external"
CONTACTS = "contacts"
SITE_SOURCES = "site"
DISPOSAL_ASIDE = ".commlog-dispose"
"""Ends the name of the folder (``records/<year>/.<id>.*.commlog-dispose``) an attachment folder is moved into
while ``commlog dispose`` writes its record's stub; one left behind is from an interrupted disposal."""


class NotARepository(Exception):
    """Raised when no records repository encloses the starting folder."""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a policy.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if os.path.lexists(folder / POLICY):
            return folder
    raise NotARepository(f"no {POLICY} in {start} or any folder above it")


def attachment_folder(root: Path, record_file: str) -> Path:
    """The folder of a record's attachments: records/<year>/<id>/."""
    return root / record_file.removesuffix(".yaml")


def attachment(root: Path, record_file: str, name: str) -> Path | None:
    """Where a record's attachment is, or None when the name leads out of the record's own folder.

    The name must be a plain relative path, and no folder on the way from the
    repository's root to the file may be a link: a link could point anywhere,
    including another record's folder, so the check is made on the path as written,
    not on where it resolves to.
    """
    parts = PurePosixPath(name).parts
    if not parts or "\\" in name or name.startswith("/") or any(p in ("..", ".") for p in parts):
        return None
    folder = attachment_folder(root, record_file)
    target = folder.joinpath(*parts)
    step = root
    for part in target.relative_to(root).parts:
        step = step / part
        try:
            if stat.S_ISLNK(os.lstat(step).st_mode):
                return None
        except FileNotFoundError:
            break  # missing: the rule says so; nothing further can be a link
        except OSError:
            return None
    return target


@dataclass
class Scan:
    """The YAML files commlog reads (policy, contacts, records) and what else was found where it should not be."""

    files: list[str] = field(default_factory=list)
    """Repository-relative paths, written with ``/``."""
    others: list[str] = field(default_factory=list)
    """Every other file under records/ and contacts/ (attachments): rules look at whether they exist."""
    findings: list[Finding] = field(default_factory=list)
    records: int = 0
    """How many of ``files`` are records: the last ones."""

    def roles(self) -> Iterator[tuple[str, str]]:
        """Each file with its :func:`role_of`; the records' is known from the walk (100,000 calls spared)."""
        split = len(self.files) - self.records
        for relative in self.files[:split]:
            yield relative, role_of(relative)
        for relative in self.files[split:]:
            yield relative, "record"


def scan(root: Path) -> Scan:
    """Every data file, in a stable order, and a finding for each link, special file or misplaced YAML file.

    Paths are handled as strings here: at 100,000 files, pathlib's objects cost seconds.
    """
    found = Scan()
    records: list[str] = []
    contacts: list[str] = []
    if os.path.lexists(root / POLICY) and _usable(root, POLICY, found):
        found.files.append(POLICY)
    for top in (CONTACTS, RECORDS):
        if os.path.lexists(root / top) and _usable(root, top, found, folder=True):
            _walk(root, top, records if top == RECORDS else contacts, found)
    if os.path.lexists(root / SITE_SOURCES) and _usable(root, SITE_SOURCES, found, folder=True):
        _walk(root, SITE_SOURCES, [], found, sources=True)  # MkDocs would publish where a link leads
    # Each folder is walked in the order of its names, so the files come in the order of their paths' parts.
    found.files += contacts + records
    found.records = len(records)  # every file the walk of records/ keeps is a record (role_of says so)
    return found


_NAME = attrgetter("name")


def _walk(root: Path, folder: str, data: list[str], found: Scan, sources: bool = False) -> None:
    """Walk ``folder`` for data files and problems; with ``sources``, only links and special files are problems."""
    try:
        with os.scandir(root / folder) as listing:
            entries = sorted(listing, key=_NAME)
    except OSError as err:
        found.findings.append(_problem(folder, "file-unreadable", f"cannot read the folder: {err.strerror}"))
        return
    year_folder = not sources and folder.startswith(RECORDS + "/") and folder.count("/") == 1
    for entry in entries:
        name = entry.name
        if (  # the common case, 100,000 times over: a record file, said in fewer steps than below
            year_folder
            and name.endswith(".yaml")
            and not name.endswith(TEMP_SUFFIX)
            and not _BAD_NAME.search(name)
            and entry.is_file(follow_symlinks=False)
        ):
            data.append(f"{folder}/{name}")
            continue
        if entry.name.endswith(TEMP_SUFFIX) and not sources and entry.is_file(follow_symlinks=False):
            continue  # an interrupted write's temporary file; anything else by that name is judged like the rest
        relative = f"{folder}/{entry.name}"
        if _BAD_NAME.search(entry.name):
            found.findings.append(
                _problem(
                    inert(relative),
                    "file-name",
                    "the name holds a control character or bytes that are not UTF-8",
                    "rename it with ordinary characters; commlog does not read it",
                )
            )
            continue
        is_dir = entry.is_dir(follow_symlinks=False)
        # The entry's type comes from the folder listing; only a link or special file needs a stat (to say which).
        if not (is_dir or entry.is_file(follow_symlinks=False)):
            _usable(root, relative, found)
            continue
        kind = "other" if sources else role_of(relative)
        if is_dir and year_folder and name.startswith(".") and name.endswith(DISPOSAL_ASIDE):
            record_id = name[1:].split(".", 1)[0]
            found.findings.append(
                _problem(
                    relative,
                    "disposal-interrupted",
                    f"left by an interrupted disposal of {record_id}: the attachments moved aside",
                    f"run commlog dispose {record_id} again to finish or undo it",
                )
            )
            continue  # what it holds is the record's old attachments, not files commlog reads
        if is_dir:
            if kind != "other":
                found.findings.append(
                    _problem(relative, "file-not-regular", "a folder where a YAML file belongs", "remove or rename it")
                )
            else:
                _walk(root, relative, data, found, sources)
        elif sources:
            continue
        elif kind in ("internal", "external", "record"):
            data.append(relative)
        elif not _misplaced(root, relative):
            found.others.append(relative)
        else:
            found.findings.append(
                _problem(
                    relative,
                    "file-location",
                    "commlog does not read a file here",
                    "records go in records/<year>/<id>.yaml, contacts in contacts/internal/ or contacts/external/, as .yaml",
                )
            )


def _misplaced(root: Path, relative: str) -> bool:
    """A YAML file in records/ or contacts/ that is not a data file, nor inside a record's own attachment folder."""
    if not relative.lower().endswith((".yaml", ".yml")):
        return False
    parts = relative.split("/")
    if parts[0] == CONTACTS or len(parts) <= 3:
        return True
    return not os.path.lexists(root / f"{'/'.join(parts[:3])}.yaml")  # records/<year>/<id>/... needs <id>.yaml


_BAD_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")
"""Control characters, or bytes that are not UTF-8 (read by Python as lone surrogates), in a file name."""


def _usable(root: Path, relative: str, found: Scan, folder: bool = False) -> bool:
    """Whether a path is an ordinary file (or, with ``folder``, a folder); a finding when it is a link or special file."""
    try:
        mode = os.lstat(root / relative).st_mode
    except OSError as err:
        found.findings.append(_problem(relative, "file-unreadable", f"cannot read it: {err.strerror}"))
        return False
    if stat.S_ISLNK(mode):
        found.findings.append(
            _problem(
                relative,
                "file-symlink",
                "a symbolic link; commlog does not follow links in records/, contacts/ or site/",
                "replace the link with the file or folder itself",
            )
        )
        return False
    if stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode):
        return True
    found.findings.append(
        _problem(relative, "file-not-regular", "not an ordinary file or folder (a FIFO, device or socket)", "remove it")
    )
    return False


def _problem(relative: str, rule: str, message: str, hint: str = "check the path and its permissions") -> Finding:
    return Finding(relative, 1, 1, rule, message, hint)


def role_of(relative: str) -> str:
    """What a repository file is: policy, internal, external, record, or other."""
    if relative == POLICY:
        return "policy"
    folder, _, name = relative.rpartition("/")
    if not name.endswith(".yaml"):
        return "other"
    if folder == INTERNAL:
        return "internal"
    if folder == EXTERNAL:
        return "external"
    if folder.startswith(RECORDS + "/") and folder.count("/") == 1:
        return "record"
    return "other"


PROTECTED = (RECORDS, CONTACTS, "schemas", "site", ".git")
"""Folders a site build must never write into: MkDocs empties its output folder first."""
SITE_MARKER = ".commlog-site"
"""Left in a built site, so that a later build knows the folder is one it may empty."""


def output_problem(root: Path, output: Path, also_protected: tuple[Path, ...] = ()) -> str | None:
    """Why a site may not be built into ``output`` (MkDocs deletes what is there), or None when it may."""
    out, repo = output.resolve(), root.resolve()
    if repo.is_relative_to(out):
        return f"{output} is or contains the repository {root}"
    for guarded in (*(repo / name for name in PROTECTED), *(p.resolve() for p in also_protected)):
        if _overlap(out, guarded):
            return f"{output} would overlap {guarded.relative_to(repo) if guarded.is_relative_to(repo) else guarded}"
    if out.exists() and not out.is_dir():
        return f"{output} is a file"
    if out.is_dir() and not _is_site(out) and any(not p.name.startswith(".") for p in out.iterdir()):
        return f"{output} holds files that are not a site built before, and the build would delete them"
    return None


def sources_problem(root: Path, docs_dir: Path) -> str | None:
    """Why the site's sources (MkDocs' ``docs_dir``) may not be published, or None.

    MkDocs copies every file of ``docs_dir`` into the site, following links: the folder
    must be the repository's own site sources, hold no records, and contain no link or
    special file (a link could publish /etc/passwd or a secret record's raw YAML).
    """
    docs, repo = docs_dir.resolve(), root.resolve()
    if docs == repo or not docs.is_relative_to(repo):
        return f"docs_dir {docs_dir} is the repository or outside it"
    for name in (RECORDS, CONTACTS, ".git"):
        guarded = repo / name
        if _overlap(docs, guarded):
            return f"docs_dir {docs_dir} would overlap {name}"
    found = Scan()
    relative = docs.relative_to(repo).as_posix()
    if _usable(repo, relative, found, folder=True):
        _walk(repo, relative, [], found, sources=True)
    return next((f"{f.path}: {f.message}" for f in found.findings), None)


def report_problem(root: Path, output: Path) -> str | None:
    """Why a report may not be written to the file ``output``, or None.

    Never into records/, contacts/, schemas/, site/ or .git, never over a YAML file of
    the repository or a file git keeps: a report must not replace what it reports on,
    nor the code and docs beside it. A report written before (untracked) may be replaced.
    """
    from commlog.history import tracked  # git is asked only when a report is written into the repository

    out, repo = output.resolve(), root.resolve()
    if any(out.is_relative_to(repo / name) for name in PROTECTED):
        return f"{output} is in the repository's {out.relative_to(repo).parts[0]}; write reports elsewhere"
    if out.is_relative_to(repo) and out.exists() and (out.suffix.lower() in (".yaml", ".yml") or tracked(repo, out)):
        return f"{output} is one of the repository's own files; write reports elsewhere"
    return None


def _overlap(a: Path, b: Path) -> bool:
    """Whether one of two resolved folders is, or is inside, the other."""
    return a.is_relative_to(b) or b.is_relative_to(a)


def _is_site(folder: Path) -> bool:
    """A folder a site was built into: it has commlog's marker, or MkDocs' index, 404 page and sitemap."""
    mkdocs = all((folder / name).is_file() for name in ("index.html", "404.html", "sitemap.xml"))
    return (folder / SITE_MARKER).is_file() or mkdocs
