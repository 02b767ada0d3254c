"""``commlog codeowners``: a CODEOWNERS file from the contacts and the policy.

Each department's records are owned by its head (active staff of the department holding
``dept_head``); the contacts, the policy, the schemas and everything else that is not a
record (CI files, the kept commlog wheel, CODEOWNERS itself) by the administrators
(active staff holding ``admin``).

One file serves GitHub, GitLab and Gitea/Forgejo, which read CODEOWNERS at the
repository's root but in two syntaxes:

- Gitea and Forgejo read each pattern as a regular expression over the whole path
  (``^pattern$``) and add up the owners of every line that matches; owners are user names.
- GitHub and GitLab read gitignore-style patterns, the last matching line deciding;
  owners are ``@user`` names or email addresses.

The file therefore has two parts. The first, Gitea's, comes first and is written so that
GitHub and GitLab either match nothing with its lines or overrule them with the catch-all
``*`` that opens the second part. The second part's lines are, read as Gitea's regular
expressions, either invalid (``*``, which Gitea skips with a warning), anchored on a
leading ``/`` that Gitea's paths do not have, or the same file for the same owners.

A contact's forge handle is its optional ``forge_user`` (written ``@forge_user``); without
one, GitHub and GitLab get the contact's email, which both resolve to the account that has
it, and Gitea gets nothing (Gitea resolves user names only).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commlog import repository
from commlog.load import LoadError, load

FILE = "CODEOWNERS"
"""Where the file goes: the repository's root, read by GitHub, GitLab and Gitea alike."""

ADMIN_ROLE = "admin"
HEAD_ROLE = "dept_head"

GITEA_ADMIN_PATHS = (
    "contacts/.*",
    "policy.yaml",
    "schemas/.*",
    "(CODEOWNERS|README.md|mkdocs.yml|.gitignore|.gitlab-ci.yml|.pre-commit-config.yaml)",
    "(site|.commlog|.github|.gitea|.forgejo|.gitlab)/.*",
)
"""Gitea's lines for what the administrators own. Read as gitignore patterns (by GitHub and GitLab)
each matches at most what a later line of the second part matches too, so it never decides there."""

GLOB_ADMIN_PATHS = ("/contacts/", "/policy.yaml", "/schemas/")

HEADER = """\
# CODEOWNERS, written by `commlog codeowners` from contacts/internal/ and policy.yaml: do not edit it by hand.
# A department's records are owned by its head (roles: [dept_head]); contacts, policy, schemas and
# everything else by the administrators (roles: [admin]). Change those in contacts/internal/, run
# `commlog codeowners` and commit this file with the change; CI's `commlog codeowners --check` fails while
# it is stale. Owners are each contact's forge_user (@name), else its email (GitHub and GitLab only).
#
# One file for GitHub, GitLab and Gitea/Forgejo. Part 1 is Gitea's and Forgejo's: regular expressions
# over the file's path, every matching line adding its owners. Part 2 is GitHub's and GitLab's:
# gitignore-style patterns, the last matching line deciding; its first line `*` overrules part 1 there.
# Gitea warns that `*` is not a regular expression and skips it, as it should.
"""


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    forge_user: str | None

    @property
    def handle(self) -> str:
        """GitHub's and GitLab's owner: ``@forge_user``, else the email."""
        return f"@{self.forge_user}" if self.forge_user else self.email

    @property
    def gitea_handle(self) -> str | None:
        """Gitea's owner: ``@forge_user``; Gitea cannot resolve an email."""
        return f"@{self.forge_user}" if self.forge_user else None


@dataclass(frozen=True)
class Department:
    name: str
    code: str
    heads: tuple[Person, ...]


@dataclass(frozen=True)
class Owners:
    """Who owns what, as read from the policy and the internal contacts."""

    departments: tuple[Department, ...]
    admins: tuple[Person, ...]
    skipped: tuple[str, ...] = ()
    """Contact files that could not be read (``commlog validate`` says why); they own nothing."""


class OwnersError(Exception):
    """The policy cannot be read, so there are no departments to give owners to."""


def read_owners(root: Path) -> Owners:
    """The departments with their heads and the administrators, from policy.yaml and contacts/internal/.

    Only the policy and the internal contacts are read (not the records), so the check stays
    instant in a repository of any size. A contact that cannot be read is skipped and named.
    """
    try:
        policy = load(root, root / repository.POLICY).data
    except (LoadError, OSError) as err:
        raise OwnersError(f"cannot read {repository.POLICY}: {err}; run `commlog validate`") from err
    staff: list[dict[str, Any]] = []
    skipped: list[str] = []
    folder = root / repository.INTERNAL
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = load(root, path).data
        except (LoadError, OSError):
            skipped.append(path.relative_to(root).as_posix())
            continue
        if isinstance(data.get("id"), str) and isinstance(data.get("email"), str):
            staff.append(data)
        else:
            skipped.append(path.relative_to(root).as_posix())
    active = [p for p in staff if p.get("status") == "active"]

    def person(data: dict[str, Any]) -> Person:
        user = data.get("forge_user")
        return Person(
            data["id"], str(data.get("name", data["id"])), data["email"], user if isinstance(user, str) else None
        )

    def holding(role: str, department: str | None = None) -> tuple[Person, ...]:
        return tuple(
            person(p)
            for p in sorted(active, key=lambda p: p["id"])
            if role in (p.get("roles") or []) and (department is None or p.get("department") == department)
        )

    departments = tuple(
        Department(str(d["name"]), str(d["code"]), holding(HEAD_ROLE, d["name"]))
        for d in policy.get("departments") or []
        if isinstance(d, dict) and isinstance(d.get("name"), str) and isinstance(d.get("code"), str)
    )
    return Owners(departments, holding(ADMIN_ROLE), tuple(skipped))


def render(owners: Owners) -> str:
    """The CODEOWNERS text: a header, Gitea's part, then GitHub's and GitLab's part."""
    lines = [HEADER]
    admins = [p.handle for p in owners.admins]
    gitea_admins = [h for p in owners.admins if (h := p.gitea_handle)]
    if not owners.admins:
        lines.append("# No active contact has roles: [admin]: the administrators' files have no owner yet.\n")
    no_user = "has a forge_user (Gitea resolves user names only)"
    lines.append("# Part 1: Gitea and Forgejo")
    _owned(lines, GITEA_ADMIN_PATHS, gitea_admins, f"no administrator {no_user}")
    for department in owners.departments:
        handles = [h for p in department.heads if (h := p.gitea_handle)]
        label = f"{department.name} ({department.code})"
        _owned(lines, [f"records/..../{department.code}-.*"], handles, f"no head of {label} {no_user}")
    lines.append("")
    lines.append("# Part 2: GitHub and GitLab")
    _owned(lines, ["*", *GLOB_ADMIN_PATHS], admins, "no administrator")
    for department in owners.departments:
        label = f"{department.name} ({department.code})"
        patterns = [f"/records/*/{department.code}-*", f"/records/*/{department.code}-*/"]
        if department.heads:
            lines.append(f"# {label}: " + ", ".join(f"{p.name} ({p.id})" for p in department.heads))
        _owned(lines, patterns, [p.handle for p in department.heads], f"{label} has no head: the `*` line decides")
    return "\n".join(lines) + "\n"


def _owned(lines: list[str], patterns: Any, handles: list[str], missing: str) -> None:
    """A line per pattern with its owners, or a comment saying why there are none (a line without
    owners is an error on GitLab and Gitea, and on GitHub would take the files' owners away)."""
    if not handles:
        lines.append(f"# {' '.join(patterns)}: {missing}")
        return
    width = min(max(len(p) for p in patterns), 24)
    lines.extend(f"{pattern.ljust(width)}  {' '.join(handles)}" for pattern in patterns)


def generate(root: Path) -> tuple[str, Owners]:
    """The CODEOWNERS text the repository's contacts and policy call for, and who was read."""
    owners = read_owners(root)
    return render(owners), owners


def difference(current: str | None, wanted: str, path: str) -> str:
    """A unified diff from the file as it is to the file as it should be ('' when equal)."""
    if current == wanted:
        return ""
    before = (current or "").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(before, wanted.splitlines(keepends=True), f"{path} (committed)", f"{path} (wanted)")
    )
