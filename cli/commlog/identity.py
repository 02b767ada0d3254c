"""Who is acting: the member of staff whose contact email is git's ``user.email``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commlog.history import user_email


class IdentityError(Exception):
    """Git's identity names nobody who may act; the message says how to fix it."""


def person_with_email(staff: dict[str, dict[str, Any]], email: str) -> str | None:
    """The staff id whose contact email is ``email`` (case-insensitive), or None."""
    wanted = email.strip().lower()
    return next((pid for pid, person in staff.items() if person.get("email", "").lower() == wanted), None)


def acting_person(root: Path, staff: dict[str, dict[str, Any]]) -> str:
    """The active member of staff git says is acting, or :class:`IdentityError` with the exact fix."""
    email = user_email(root)
    if email is None:
        raise IdentityError(
            "git has no user.email here, so commlog cannot tell who is acting; "
            "run `git config user.email you@example.com` with the email in your contacts/internal/ file"
        )
    pid = person_with_email(staff, email)
    if pid is None:
        raise IdentityError(
            f"no one in contacts/internal/ has the email {email}; run `git config user.email ...` with your "
            "work email, or add yourself to contacts/internal/ (by pull request, reviewed like any record)"
        )
    if staff[pid].get("status") != "active":
        raise IdentityError(f"{pid} ({email}) is marked departed in contacts/internal/{pid}.yaml and may not act")
    return pid
