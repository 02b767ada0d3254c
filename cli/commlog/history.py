"""Every call to git: history in one pass (each file's commits, and the commit that added each event of a record), and making a repository.

One ``git log`` over the whole repository costs about as much as one ``git log -- file``
per file costs for a hundred files (TECH-NOTES), so history is always read in one pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import git

_COMMIT = "\x1e"
_FIELD = "\x1f"
_FORMAT = f"{_COMMIT}%H{_FIELD}%an{_FIELD}%ae{_FIELD}%aI{_FIELD}%s"
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


@dataclass
class History:
    """Commits per file (newest first) and, per record file, the commit that added each (type, at) event."""

    files: dict[str, list[Commit]] = field(default_factory=lambda: defaultdict(list))
    events: dict[str, dict[tuple[str, str], Commit]] = field(default_factory=lambda: defaultdict(dict))
    available: bool = False


def init_repository(folder: Path) -> None:
    """Make ``folder`` a git repository on branch main (no commit)."""
    with git.Repo.init(folder, initial_branch="main"):
        pass


def read_history(root: Path, folders: tuple[str, ...] = ("records", "contacts", "policy.yaml")) -> History:
    """The repository's history for the given paths; empty when ``root`` is not a git work tree with commits."""
    history = History()
    try:
        with git.Repo(root, search_parent_directories=True) as repo:
            prefix = Path(root).resolve().relative_to(Path(str(repo.working_tree_dir)).resolve()).as_posix()
            if not repo.head.is_valid():
                return history
            output = repo.git.log("--reverse", "-p", "-U0", "-M", "--no-color", f"--format={_FORMAT}", "--", *folders)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError):
        return history
    history.available = True
    strip = "" if prefix in ("", ".") else prefix + "/"
    for chunk in output.split(_COMMIT)[1:]:
        header, _, body = chunk.partition("\n")
        sha, author, email, date, subject = header.split(_FIELD, 4)
        commit = Commit(sha, author, email, date, subject)
        _read_patch(body, commit, history, strip)
    for commits in history.files.values():
        commits.reverse()
    return history


def _read_patch(body: str, commit: Commit, history: History, strip: str) -> None:
    path, pending_type = "", None
    renames: dict[str, str] = {}
    for line in body.splitlines():
        if line.startswith("diff --git "):
            pending_type = None
            path = ""
        elif line.startswith("rename from "):
            renames["from"] = line[len("rename from ") :]
        elif line.startswith("rename to "):
            old, new = renames.pop("from", ""), line[len("rename to ") :]
            _moved(history, old.removeprefix(strip), new.removeprefix(strip))
            path = new.removeprefix(strip)
            history.files[path].append(commit)
        elif line.startswith("+++ "):
            target = line[4:]
            if target != "/dev/null":
                path = target.removeprefix("b/").removeprefix(strip)
                if not history.files[path] or history.files[path][-1] is not commit:
                    history.files[path].append(commit)
        elif line.startswith("--- a/") and not path:
            path = line[6:].removeprefix(strip)  # a deleted file: record the commit on its last path
            history.files[path].append(commit)
        elif line.startswith("+") and path.startswith("records/"):
            found_type = _EVENT_TYPE.match(line)
            if found_type:
                pending_type = found_type.group(1)
            found_at = _EVENT_AT.search(line)
            if found_at and pending_type:
                history.events[path].setdefault((pending_type, found_at.group(1)), commit)
                pending_type = None


def _moved(history: History, old: str, new: str) -> None:
    if old in history.files:
        history.files[new] = history.files.pop(old) + history.files.get(new, [])
    if old in history.events:
        history.events[new] = {**history.events.pop(old), **history.events.get(new, {})}
