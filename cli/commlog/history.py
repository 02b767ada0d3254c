"""Every call to git: history in one pass (each file's commits, and the commit that added each event of a record), and making a repository.

One ``git log`` over the whole repository costs about as much as one ``git log -- file``
per file costs for a hundred files (TECH-NOTES), so history is always read in one pass, and
that pass is kept by commit (:mod:`commlog.history_cache`): when HEAD has moved on, only
``git log OLD..HEAD`` is read and added to what was kept.

Commits are taken in one order that both ways reach alike: a depth-first walk from HEAD,
first parents first, each commit after its parents. Every commit of a first-parent ancestor's
history then comes before the commits made since, so the kept history of that ancestor
followed by the new commits is the whole history in the same order (git's own orders, by
date or ``--topo-order``, can put a merged branch's commits among older ones). The walk
runs over git's rewritten parents (``--full-history --parents``): with pathspecs, the
parents are the nearest commits that touch them, and every commit that touches them is read
whatever the merges kept. (By default git follows only the parent a merge kept the paths of,
so which older commits it shows can change when a later merge reaches them another way, and
the history kept at an older HEAD would lack them.)

Git's output is parsed so that no content can break it: it is split on ``\\n`` only (never
``str.splitlines``, which also splits on U+001C-001E, U+0085, U+2028...); each commit starts
with a line that begins with NUL, which no diff line can (every diff line starts with a
sign, a space or a header word, and a file holding NUL is shown as binary or as a ``+``
line); hunks are read by their line counts, so an added line that looks like a header is
still content; paths come from ``--raw`` (one line per file, C-quoted when odd) and are
unquoted; and git prints each header field as a C string, with no NUL and no line break.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

_FORMAT = "%x00%H%x00%P%x00%an%x00%ae%x00%aI%x00%s"
_LOG = (
    "log",
    "--full-history",  # every commit touching the paths, whatever a merge kept: see the module's docstring
    "--parents",  # %P: the nearest parents that touch the paths (for the order of the walk)
    "--root",  # the first commit's files too (log.showRoot may say otherwise)
    "--raw",
    "-p",
    "-U0",
    "-M",
    "--diff-merges=off",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--no-show-signature",
    "--src-prefix=a/",  # diff.noprefix and diff.mnemonicPrefix may say otherwise
    "--dst-prefix=b/",
    "--encoding=UTF-8",
    f"--format={_FORMAT}",
)
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_QUOTED = re.compile(rb"\\([0-7]{3}|.)", re.S)
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13}
_EVENT_TYPE = re.compile(r"^\+\s*-?\s*\{?\s*type: ([a-z_]+)")
_EVENT_AT = re.compile(
    r"(?:^\+\s*|[{,]\s*)at: '?(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?(?: ?(?:Z|[+-]\d{2}:\d{2}))?)"
)


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    date: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:8]

    @property
    def moment(self) -> datetime:
        """When it was authored (``date`` is git's strict ISO 8601, with the author's offset)."""
        return datetime.fromisoformat(self.date)


FULL = "full"
CACHED = "cached"
EXTENDED = "extended"


@dataclass
class History:
    """Commits per file (newest first) and, per record file, the commit that added each (type, at) event."""

    files: dict[str, list[Commit]] = field(default_factory=lambda: defaultdict(list))
    """Newest first in the order of the walk: a merged branch's commits just below its merge, whatever their dates."""
    events: dict[str, dict[tuple[str, str], Commit | None]] = field(default_factory=lambda: defaultdict(dict))
    """None: the event was there before the visible history began (a shallow clone's boundary)."""
    touched: dict[str, set[str]] = field(default_factory=dict)
    """Per commit id, every path it touched among those read (old and new path of a rename)."""
    available: bool = False
    shallow: bool = False
    """A shallow clone: the commits before the boundary are missing."""
    boundary: set[str] = field(default_factory=set)
    """The shallow clone's boundary commits: their diffs add every file, so they are credited with nothing."""
    boundary_date: str = ""
    """The newest boundary commit's date: the visible history begins after it."""
    partial: bool = False
    """A partial clone: git fetches past file versions from the promisor remote while reading."""
    read_as: str = field(default=FULL, compare=False)
    """How it was read: :data:`FULL`, :data:`CACHED` (HEAD unchanged) or :data:`EXTENDED` (the new commits added)."""

    def added(self, path: str, event: Mapping[str, Any]) -> Added:
        """The commit that added ``event`` to the record file ``path``, or why there is none.

        The one way an event is attributed to a commit: ``show``, ``due`` and the site all ask here.
        """
        if not self.available:
            return Added(NO_HISTORY)
        known = self.events.get(path, {})
        key = (str(event["type"]), str(event["at"]))
        if key not in known:
            return Added(UNCOMMITTED)
        commit = known[key]
        return Added(BEFORE_HISTORY) if commit is None else Added(COMMITTED, commit)


COMMITTED = "committed"
UNCOMMITTED = "uncommitted"
"""In no commit of the visible history: the work tree's change."""
BEFORE_HISTORY = "before_history"
"""There before a shallow clone's boundary: the commit that added it is not in the clone."""
NO_HISTORY = "no_history"
"""No git history to ask: not a git repository of its own, or one without commits yet."""


@dataclass(frozen=True)
class Added:
    """Where an event of a record came from: :data:`COMMITTED` by ``commit``, or one of the states without a commit."""

    state: str
    commit: Commit | None = None


def init_repository(folder: Path) -> None:
    """Make ``folder`` a git repository on branch main (no commit)."""
    import git  # GitPython: only here, so that reading history does not pay for its import

    with git.Repo.init(folder, initial_branch="main"):
        pass


def _git(root: Path, *args: str) -> bytes | None:
    """Git's output for ``args`` run in ``root``; None when git fails or is missing."""
    try:
        # A partial clone fetches from its remote while reading: never wait for a password there.
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, stdin=subprocess.DEVNULL)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def tracked(root: Path, path: Path) -> bool:
    """Whether git keeps ``path`` (a file of the repository at ``root``) under version control."""
    return bool(_git(root, "ls-files", "-z", "--", str(path.resolve())))


def user_email(root: Path) -> str | None:
    """``git config user.email`` as git resolves it in ``root`` (the repository's, else the global one)."""
    out = _git(root, "config", "--get", "user.email")
    return _text(out).strip() or None if out else None


def branches(root: Path) -> list[str]:
    """Every local and remote-tracking branch (none outside a git repository)."""
    out = _git(root, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
    return [ref for ref in _text(out or b"").splitlines() if ref and not ref.endswith("/HEAD")]


def names_on_branches(root: Path, folder: str) -> set[str]:
    """Names of the files directly in ``folder`` on any branch."""
    names: set[str] = set()
    for ref in branches(root):
        out = _git(root, "ls-tree", "--name-only", "-z", f"{ref}:{folder}") or b""
        names |= {_text(name) for name in out.split(b"\0") if name}
    return names


def grep_branches(root: Path, pattern: str, folder: str) -> bytes:
    """The parts of files under ``folder`` on every branch that match the extended regular expression."""
    refs = branches(root)
    if not refs:
        return b""
    return _git(root, "grep", "-h", "-o", "-a", "-E", pattern, *refs, "--", folder) or b""


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


FOLDERS = ("records", "contacts", "policy.yaml")
"""What the site reads the history of."""


@dataclass(frozen=True)
class _Logged:
    """One commit of ``git log``'s output: the commit, its rewritten parents and its --raw and -p lines."""

    commit: Commit
    parents: list[str]
    body: bytes


def read_history(root: Path, folders: tuple[str, ...] = FOLDERS, use_cache: bool = True) -> History:
    """The repository's history for the given paths, from the cache kept by HEAD's commit where it can be.

    Empty (``available`` False) unless ``root`` is the top of a git work tree with commits:
    a records folder without its own .git inside another repository must not show that
    repository's commits as its own. With ``use_cache`` False the whole history is read and
    nothing is kept: the reference the cache is tested against.
    """
    history = History()
    root = root.resolve()
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or Path(os.fsdecode(top.removesuffix(b"\n"))).resolve() != root:
        return history
    found = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if found is None:
        return history
    head = _text(found).strip()
    history.shallow = _git(root, "rev-parse", "--is-shallow-repository") == b"true\n"
    if history.shallow:
        shallow_file = _git(root, "rev-parse", "--git-path", "shallow") or b""
        path = root / os.fsdecode(shallow_file.removesuffix(b"\n"))
        history.boundary = set(path.read_text(encoding="ascii").split()) if path.is_file() else set()
    promisor = _git(root, "config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$")
    history.partial = bool(promisor and promisor.strip())
    if not use_cache:
        return _read_whole(root, folders, head, history)
    return _read_cached(root, folders, head, history)


def _read_whole(root: Path, folders: tuple[str, ...], head: str, history: History) -> History:
    """``history`` (made of the repository's state alone) with every commit up to ``head`` read into it."""
    output = _git(root, *_LOG, head, "--", *folders)
    if output is None:
        return history
    history.available = True
    logged = _parse_log(output)
    _add_commits(history, logged, _walk(logged))
    for commits in history.files.values():
        commits.reverse()
    return history


def _read_cached(root: Path, folders: tuple[str, ...], head: str, history: History) -> History:
    """The history kept for ``head``; else the kept one extended by the commits since; else the whole, kept anew."""
    from commlog import history_cache

    key = _cache_key(root, folders, history.boundary)
    state = history_cache.load(root, key)
    decoded = _decode(state, history) if state is not None else None
    if decoded is not None:
        kept, old = decoded
        if old == head:
            kept.read_as = CACHED
            return kept
        if _extend(root, folders, old, head, kept):
            kept.read_as = EXTENDED
            history_cache.save(root, key, _encode(kept, head))
            return kept
    whole = _read_whole(root, folders, head, history)
    if whole.available:
        history_cache.save(root, key, _encode(whole, head))
    return whole


def _extend(root: Path, folders: tuple[str, ...], old: str, head: str, history: History) -> bool:
    """Add the commits of ``old..head`` to ``history`` (read up to ``old``), if ``old`` is a first-parent ancestor.

    Only then is the kept history, followed by the new commits, what the whole walk reads
    (see the module's docstring). The new commits' first-parent line must leave them at
    ``old`` itself: git leaves a parent outside the range as it is, not rewritten. Anything
    else (a rewritten history, a reset, ``old`` reached only through a merged branch) is False.
    """
    output = _git(root, *_LOG, f"{old}..{head}", "--", *folders)
    if output is None:
        return False
    logged = _parse_log(output)
    if not logged:  # nothing new touches the paths: the kept history holds if it is one of head's
        return _git(root, "merge-base", "--is-ancestor", old, head) is not None
    tips = _tips(logged)
    if len(tips) != 1:
        return False
    sha = tips[0]
    while sha in logged:
        parents = logged[sha].parents
        if not parents:
            return False
        sha = parents[0]
    if sha != old:
        return False
    for commits in history.files.values():
        commits.reverse()  # oldest first while commits are added, as in the whole read
    _add_commits(history, logged, _walk(logged))
    for commits in history.files.values():
        commits.reverse()
    return True


def _parse_log(output: bytes) -> dict[str, _Logged]:
    """Each commit of ``git log``'s output by id, in git's order."""
    logged: dict[str, _Logged] = {}
    for chunk in output.split(b"\n\x00"):
        header, _, body = chunk.removeprefix(b"\x00").partition(b"\n")
        if not header:
            continue
        # git prints each field as a C string: no NUL inside; the subject goes last, so any
        # surprise stays in the subject.
        sha, parents, author, email, date, subject = (_text(f) for f in (header.split(b"\x00", 5) + [b""] * 5)[:6])
        logged[sha] = _Logged(Commit(sha, author, email, date, subject), parents.split(), body)
    return logged


def _tips(logged: dict[str, _Logged]) -> list[str]:
    """The commits no other commit of ``logged`` has as a parent (one: HEAD's nearest that touches the paths)."""
    parents = {parent for entry in logged.values() for parent in entry.parents}
    return [sha for sha in logged if sha not in parents]


def _walk(logged: dict[str, _Logged]) -> list[str]:
    """The commits of ``logged`` in the order they are read: depth first from the tip, first parents first, parents
    before children. Parents outside ``logged`` (before a range, or a shallow clone's cut) are left out."""
    order: list[str] = []
    seen: set[str] = set()
    for tip in _tips(logged):
        seen.add(tip)
        stack = [(tip, iter(logged[tip].parents))]
        while stack:  # a loop, not recursion: a first-parent line is as long as the history
            sha, parents = stack[-1]
            for parent in parents:
                if parent in logged and parent not in seen:
                    seen.add(parent)
                    stack.append((parent, iter(logged[parent].parents)))
                    break
            else:
                stack.pop()
                order.append(sha)
    return order


def _add_commits(history: History, logged: dict[str, _Logged], order: list[str]) -> None:
    """Read each commit into ``history`` in ``order`` (its files' commit lists kept oldest first meanwhile)."""
    for sha in order:
        entry = logged[sha]
        if sha in history.boundary:
            history.boundary_date = max(history.boundary_date, entry.commit.date)
        _read_commit(entry.body.split(b"\n"), entry.commit, history)


# -- the kept history: its key and its form in the cache file --


def _cache_key(root: Path, folders: tuple[str, ...], boundary: set[str]) -> dict[str, Any]:
    """What a kept history must have been read under: this code, repository, paths, git and shallow boundary."""
    from commlog import history_cache

    code = hashlib.blake2b(Path(__file__).read_bytes() + Path(history_cache.__file__).read_bytes()).hexdigest()
    return {
        "code": code,
        "root": os.fsdecode(root),
        "folders": list(folders),
        "git": _text(_git(root, "version") or b"").strip(),
        "boundary": sorted(boundary),
    }


def _encode(history: History, head: str) -> dict[str, Any]:
    """``history`` read up to ``head`` as JSON values: each commit once, referred to by its place in a list."""
    commits: list[list[str]] = []
    place: dict[str, int] = {}

    def ref(commit: Commit) -> int:
        if commit.sha not in place:
            place[commit.sha] = len(commits)
            commits.append([commit.sha, commit.author, commit.email, commit.date, commit.subject])
        return place[commit.sha]

    return {
        "head": head,
        "files": {path: [ref(c) for c in commits_of] for path, commits_of in history.files.items()},
        "events": {
            path: [[kind, at, -1 if c is None else ref(c)] for (kind, at), c in added.items()]
            for path, added in history.events.items()
        },
        "touched": {sha: sorted(paths) for sha, paths in history.touched.items()},
        "boundary_date": history.boundary_date,
        "commits": commits,
    }


def _decode(state: dict[str, Any], fresh: History) -> tuple[History, str] | None:
    """The kept history with ``fresh``'s state of the repository (shallow, boundary, partial), and the commit it
    was read up to; None if malformed."""
    try:
        head = state["head"]
        if not isinstance(head, str):
            return None
        commits = [Commit(*map(str, fields)) for fields in state["commits"]]
        history = History(
            available=True,
            shallow=fresh.shallow,
            boundary=set(fresh.boundary),
            partial=fresh.partial,
            boundary_date=str(state["boundary_date"]),
        )
        for path, places in state["files"].items():
            history.files[path] = [commits[i] for i in places]
        for path, added in state["events"].items():
            history.events[path] = {(kind, at): None if i < 0 else commits[i] for kind, at, i in added}
        history.touched = {sha: set(paths) for sha, paths in state["touched"].items()}
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None  # the right digest and key but not our shape: made by hand, never trusted
    return history, head


def record_history(root: Path, path: str) -> History:
    """The history of one record file, under every name it had (``commlog renumber`` renames files).

    Reading the whole repository's history costs as much as the repository is large; one record's
    is read with the names ``git log --follow`` finds, so that a rename is paired with the file's
    earlier name and the renaming commit is not credited with every event before it. Not kept:
    each record's would replace the site's.
    """
    out = _git(root.resolve(), "log", "--follow", "--name-only", "-z", "--format=", "--", f":(literal){path}")
    names = {path} | {os.fsdecode(n.strip(b"\n")) for n in (out or b"").split(b"\x00") if n.strip(b"\n")}
    return read_history(root, tuple(f":(literal){name}" for name in sorted(names)), use_cache=False)


def _unquote(path: bytes) -> str:
    """A path as git printed it (C-quoted with octal escapes when it holds odd bytes), as a str."""
    if len(path) >= 2 and path.startswith(b'"') and path.endswith(b'"'):
        path = _QUOTED.sub(
            lambda m: bytes([int(m[1], 8) if m[1].isdigit() else _ESCAPES.get(m[1], m[1][0])]), path[1:-1]
        )
    return os.fsdecode(path)


def _read_commit(lines: list[bytes], commit: Commit, history: History) -> None:
    before = commit.sha in history.boundary  # its diff adds every file: credit it with nothing
    touched: set[str] = set()
    path, pending_type = "", None
    old = new = 0  # lines of the current hunk still to come
    for raw in lines:
        if old > 0 or new > 0:  # inside a hunk: content, whatever it looks like
            sign = raw[:1]
            old -= sign in (b"-", b" ")
            new -= sign in (b"+", b" ")
            if sign == b"+" and path.startswith("records/"):
                line = _text(raw)
                found_type = _EVENT_TYPE.match(line)
                if found_type:
                    pending_type = found_type.group(1)
                found_at = _EVENT_AT.search(line)
                if found_at and pending_type:
                    history.events[path].setdefault((pending_type, found_at.group(1)), None if before else commit)
                    pending_type = None
        elif raw.startswith(b":"):  # --raw: ":modes ids status\tpath[\tnew path]"; tabs in paths are quoted
            status, *paths = raw.split(b"\t")
            names = [_unquote(p) for p in paths]
            touched.update(names)
            if before:
                continue
            if status.split(b" ")[-1].startswith(b"R") and len(names) == 2:
                _moved(history, names[0], names[1])
            history.files[names[-1]].append(commit)
        elif raw.startswith(b"diff --git "):
            path, pending_type = "", None
        elif raw.startswith(b"+++ "):
            target = raw[4:].removesuffix(b"\t")  # git adds a tab after a name with a space
            path = "" if target == b"/dev/null" else _unquote(target).removeprefix("b/")
        elif raw.startswith(b"@@ "):
            hunk = _HUNK.match(raw)
            if hunk:
                old, new = (int(n) if n is not None else 1 for n in hunk.groups())
    if not before and touched:
        history.touched[commit.sha] = touched


def _moved(history: History, old: str, new: str) -> None:
    if old in history.files:
        history.files[new] = history.files.pop(old) + history.files.get(new, [])
    if old in history.events:
        history.events[new] = {**history.events.pop(old), **history.events.get(new, {})}


# -- the trail of a change: what a branch changed since its base, and which commit did it --


@dataclass(frozen=True)
class Change:
    """A file changed between a base commit and the work tree: A(dded), M(odified), D(eleted) or R(enamed)."""

    status: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class TrailCommit:
    """A commit of a change, with what the trail needs of it."""

    sha: str
    email: str
    committed: datetime
    signature: str
    """git's %G?: G good, U good with unknown validity, N none, B bad, E cannot check, X/Y/R expired or revoked."""
    signer: str = ""
    """git's %GS: the signer (for ssh signing, the principal the allowed-signers file gives the key)."""


def commit_of(root: Path, ref: str) -> str | None:
    """The commit a ref names, or None."""
    if ref.startswith("-"):
        return None
    out = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    return _text(out).strip() if out else None


def merge_base(root: Path, a: str, b: str = "HEAD") -> str | None:
    out = _git(root, "merge-base", a, b)
    return _text(out).strip() if out else None


def changes_since(root: Path, base: str, folders: tuple[str, ...]) -> list[Change]:
    """Files under ``folders`` that differ between ``base`` and the work tree (committed or not, untracked too)."""
    out = _git(root, "diff", "-z", "--name-status", "-M", "--no-ext-diff", "--no-relative", base, "--", *folders)
    if out is None:
        return []
    fields = [os.fsdecode(f) for f in out.split(b"\x00")]
    changes: list[Change] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][:1]
        if status in ("R", "C"):
            changes.append(
                Change("R" if status == "R" else "A", fields[i + 1] if status == "R" else None, fields[i + 2])
            )
            i += 3
        else:
            path = fields[i + 1]
            changes.append(Change(status, None if status == "A" else path, None if status == "D" else path))
            i += 2
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", *folders) or b""
    changes += [Change("A", None, os.fsdecode(p)) for p in untracked.split(b"\x00") if p]
    return changes


def files_at(root: Path, ref: str, folder: str) -> list[str]:
    """Every file under ``folder`` in the commit ``ref``."""
    out = _git(root, "ls-tree", "-r", "-z", "--name-only", ref, "--", folder) or b""
    return [os.fsdecode(p) for p in out.split(b"\x00") if p]


def read_blobs(root: Path, specs: list[str]) -> dict[str, bytes | None]:
    """The content of each ``<commit>:<path>`` (None where there is no such file), in one git process."""
    asked = [spec for spec in specs if "\n" not in spec]  # one request per line: a name with a newline cannot be asked
    result: dict[str, bytes | None] = dict.fromkeys(specs)
    if not asked:
        return result
    request = b"".join(os.fsencode(spec) + b"\n" for spec in asked)
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=root,
            input=request,
            capture_output=True,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except OSError:
        return result
    out, at = done.stdout, 0
    for spec in asked:
        end = out.find(b"\n", at)
        if end < 0:
            break
        header = out[at:end]
        at = end + 1
        # "<sha> <type> <size>" then the content (a tree's too), or "<spec> missing|ambiguous": the spec
        # may hold spaces, so the reply is read from its end.
        fields = header.rsplit(b" ", 2)
        if len(fields) == 3 and fields[2].isdigit() and fields[1] in (b"blob", b"tree", b"commit", b"tag"):
            size = int(fields[2])
            result[spec] = out[at : at + size] if fields[1] == b"blob" else None
            at += size + 1
    return result


def commits_between(root: Path, base: str, paths: list[str], allowed_signers: Path | None = None) -> list[TrailCommit]:
    """Commits after ``base`` up to HEAD touching ``paths``, oldest first, with author email, commit time and signature."""
    if not paths:
        return []
    config = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"] if allowed_signers else []
    out = _git(
        root,
        *config,
        "log",
        "--reverse",
        "--topo-order",
        "--format=%x00%H%x00%ae%x00%cI%x00%G?%x00%GS",
        f"{base}..HEAD",
        "--",
        *paths,
    )
    commits = []
    for record in (out or b"").split(b"\n"):
        parts = record.split(b"\x00")
        if len(parts) == 6:
            sha, email, when, signature, signer = (_text(p) for p in parts[1:])
            commits.append(TrailCommit(sha, email.lower(), datetime.fromisoformat(when), signature, signer.lower()))
    return commits


def changed_between(root: Path, base: str, commit: str, folder: str) -> list[str]:
    """The files under ``folder`` that ``commit`` added or changed since ``base`` (renamed ones by their new path)."""
    out = _git(root, "diff", "-z", "--name-only", "--no-renames", "--diff-filter=d", base, commit, "--", folder) or b""
    return [os.fsdecode(p) for p in out.split(b"\x00") if p]


GREP_PATHS = 1000
"""Paths named on one ``git grep`` command line (far below any system's limit)."""


def grep_commit(root: Path, commit: str, pattern: str, paths: list[str]) -> dict[str, str]:
    """Each ``archive_no``-like match in these files of ``commit``, with the path holding it."""
    found: dict[str, str] = {}
    for start in range(0, len(paths), GREP_PATHS):
        specs = [f":(literal){p}" for p in paths[start : start + GREP_PATHS]]
        out = (
            _git(root, "grep", "-z", "-o", "-a", "-E", pattern, commit, "--", *specs) or b""
        )  # no -I: attributes cannot hide a file
        for line in out.split(b"\n"):
            parts = line.split(b"\x00")
            if len(parts) == 2:  # "<commit>:<path>\0<match>"
                path = os.fsdecode(parts[0]).split(":", 1)[1]
                value = _text(parts[1]).split(":", 1)[1].strip().strip("'\"")
                found[value] = path
    return found


def versions_on_branches(root: Path, path: str) -> dict[str, str]:
    """The blob id of ``path`` on each local and remote-tracking branch that has it."""
    found = {}
    for ref in branches(root):
        out = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}:{path}")
        if out:
            found[ref] = _text(out).strip()
    return found


def blob_id(root: Path, path: Path) -> str | None:
    """The id git would give the file's content."""
    out = _git(root, "hash-object", "--no-filters", "--", str(path))
    return _text(out).strip() if out else None


def current_branch(root: Path) -> str | None:
    out = _git(root, "symbolic-ref", "--quiet", "HEAD")
    return _text(out).strip() if out else None


def renames_between(root: Path, base: str, folder: str) -> dict[str, str]:
    """New path -> old path for every file renamed under ``folder`` by the commits after ``base`` (renumbered records)."""
    out = (
        _git(root, "log", "--format=", "--name-status", "-M", "-z", "--diff-merges=off", f"{base}..HEAD", "--", folder)
        or b""
    )
    fields = [os.fsdecode(f).strip("\n") for f in out.split(b"\x00")]
    renamed, i = {}, 0
    while i < len(fields):
        status = fields[i]
        if status.startswith(("R", "C")) and i + 2 < len(fields):
            renamed[fields[i + 2]] = fields[i + 1]
            i += 3
        else:
            i += 2 if status else 1
    return renamed


# -- what git vouches for in the work tree: content keys without reading or stat-ing each file --

_TRUSTED_SETTINGS = {
    "core.ignorestat": "false",
    "core.trustctime": "true",
    "core.checkstat": "default",
    "core.autocrlf": "false",
    "core.fsmonitor": "false",
}
"""Settings under which ``git status`` might call a file unchanged whose bytes differ from its blob, each with the
one value that is trusted: ``core.ignoreStat`` assumes files unchanged, ``core.trustCtime``/``core.checkStat``
stop comparing change times, inodes and devices, ``core.autocrlf`` converts line ends, a file-system monitor
answers for git. Any other value (git reads many spellings of true and false) turns the vouching off."""
_ATTRIBUTES = "core.attributesfile"
_LISTED = re.compile(r"([A-Za-z]) (\d{6}) ([0-9a-f]{40}) (\d)\t([^\0]*)\0")
_FILE_MODES = ("100644", "100755")


class WorkTreeBlobs:
    """Git's own answer to "which files are as committed to the index, and with which blob id".

    Started before a caller walks the repository and read after: ``git ls-files`` and ``git status``
    run meanwhile on another core. A file counts as vouched for only when it is an ordinary file of
    the index (not assumed unchanged, not skip-worktree, not in a conflict) that ``git status`` does
    not name; git checks each file's size, times, inode and device against its index and re-reads
    one changed within its timestamp's resolution (racy git), so a same-size edit in the same second
    is seen. Nothing is vouched for when ``root`` is not the top of a git work tree, git is missing,
    or the repository's settings weaken those checks.
    """

    def __init__(self, root: Path, paths: tuple[str, ...]):
        self.root, self.paths = root, paths
        self._processes: list[subprocess.Popen[bytes]] = []
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}  # never write .git/index
        if not self._trusted():
            return
        pathspec = ["--", *(f":(literal){p}" for p in paths)]
        commands = (
            ["git", "ls-files", "--stage", "-v", "-z", *pathspec],
            [
                "git",
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=no",
                "--no-renames",
                "--ignore-submodules=all",
                *pathspec,
            ],
        )
        try:
            for command in commands:
                self._processes.append(
                    subprocess.Popen(
                        command,
                        cwd=root,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL,
                    )
                )
        except OSError:
            self._processes = []

    def _trusted(self) -> bool:
        """Whether git's "unchanged" means "the same bytes as the blob" here: the top of a work tree, git's stat
        checks in full, and no attributes that convert content (filters, line ends, encodings, ident)."""
        top = _git(self.root, "rev-parse", "--show-toplevel", "--git-path", "info/attributes")
        if top is None:
            return False
        lines = os.fsdecode(top).split("\n")
        if len(lines) < 2 or Path(lines[0]).resolve() != self.root.resolve():
            return False
        settings = _git(
            self.root,
            "config",
            "-z",
            "--get-regexp",
            r"^core\.(ignorestat|trustctime|checkstat|autocrlf|fsmonitor|attributesfile)$",
        )
        for entry in _text(settings or b"").split("\0"):
            key, _, value = entry.partition("\n")
            if key and (key.lower() == _ATTRIBUTES or _TRUSTED_SETTINGS.get(key.lower()) != value.strip().lower()):
                return False
        info = Path(lines[1]) if Path(lines[1]).is_absolute() else self.root / lines[1]
        home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
        return not any(
            os.path.lexists(p) for p in (info, Path(home) / "git" / "attributes", self.root / ".gitattributes")
        )

    def blobs(self) -> dict[str, str]:
        """The blob id of every file git vouches for, by repository-relative path (empty when none)."""
        if len(self._processes) != 2:
            return {}
        outputs = []
        for process in self._processes:
            out, _ = process.communicate()
            if process.returncode != 0:
                return {}
            outputs.append(out)
        listed, changed = (os.fsdecode(out) for out in outputs)
        if "/.gitattributes\0" in listed:
            return {}  # attributes inside the data folders may convert what git compares
        dirty = {entry[3:] for entry in changed.split("\0") if len(entry) > 3}
        # H: an ordinary cached entry (lower case: assumed unchanged; S: skip-worktree); stage 0: no conflict.
        vouched = {
            path: blob
            for tag, mode, blob, stage, path in _LISTED.findall(listed)
            if tag == "H" and stage == "0" and mode in _FILE_MODES and path not in dirty
        }
        return vouched


def trailer_commits(root: Path, key: str) -> list[tuple[Commit, list[str]]]:
    """Each commit reachable from HEAD whose message carries the trailer ``key`` (``Contacts-Reviewed: a b``), with
    the trailer's values, newest first; empty without git history."""
    fields = f"%H%x1e%an%x1e%ae%x1e%aI%x1e%(trailers:key={key},valueonly,separator=%x1f)%x1e%s"
    out = _git(root.resolve(), "log", "-z", "--encoding=UTF-8", "--no-show-signature", f"--format={fields}", "HEAD")
    found: list[tuple[Commit, list[str]]] = []
    for entry in (out or b"").split(b"\x00"):
        parts = _text(entry).split("\x1e", 5)
        if len(parts) != 6 or not parts[4].strip():
            continue
        sha, author, email, date, values, subject = parts
        found.append(
            (Commit(sha, author, email, date, subject), [v.strip() for v in values.split("\x1f") if v.strip()])
        )
    return found


def commit_empty(root: Path, message: str) -> str | None:
    """Make a commit that changes nothing (what is staged stays staged) with ``message``, as git's configured user;
    its id, or None when git refuses (no identity, not a repository)."""
    done = _git(root, "commit", "--allow-empty", "--only", "--no-verify", "-q", "-m", message)
    if done is None:
        return None
    head = _git(root, "rev-parse", "HEAD")
    return _text(head).strip() if head else None
