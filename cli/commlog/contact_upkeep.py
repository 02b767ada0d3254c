"""The contacts registers' upkeep behind ``commlog contacts add|update|depart|end``.

Each change reads the contact's file, builds its new content with the day the change took effect (``changed``,
and ``joined``/``departed``/``ended``/``left`` as fits), and returns a :class:`Change`; :func:`save` checks it
against the schema and the contact rules and replaces the file atomically, or refuses and writes nothing.

Who may: the contacts belong to the administrators (role admin, the owners of contacts/ in CODEOWNERS); an
organisation and its people also to its owner (对接负责人), who the procedure makes responsible for keeping
them current. The acting person is git's user.email, as for every step; the pull request's review by the
code owners remains the second check.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from commlog.findings import inert
from commlog.identity import IdentityError, acting_person
from commlog.lifecycle import Refusal, Register, write
from commlog.repository import EXTERNAL, INTERNAL
from commlog.tenure import TRACKED
from commlog.workflow import ROLE_NAMES

UPKEEP_ROLES = ("admin",)
"""Roles that may change any contact (schema: the admin role owns the contacts)."""

STAFF_FIELDS = (
    "name",
    "department",
    "title",
    "phone",
    "mobile",
    "private",
    "email",
    "forge_user",
    "responsibilities",
    "classification",
)
ORG_FIELDS = ("name", "type", "owner", "matters", "address", "phone", "classification")
PERSON_FIELDS = ("name", "title", "phone", "mobile", "private", "email", "classification")
OPTION_NAMES = {"responsibilities": "--responsibility", "matters": "--matter", "forge_user": "--forge-user"}


@dataclass
class Change:
    """A contact file's new content, what it was, and what the person running the command should know."""

    relative: str
    data: dict[str, Any]
    before: dict[str, Any] | None
    done: str
    """One line saying what changed, for the terminal."""
    warnings: list[str] = field(default_factory=list)


_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
"""A contact id (common.schema.json contact_id): checked before it names a file."""


@dataclass(frozen=True)
class Address:
    """Whom a command names: a member of staff, an organisation, or one of its people (``org/person``)."""

    kind: str  # "staff" | "org" | "person"
    id: str
    org: str = ""

    @property
    def relative(self) -> str:
        if self.kind == "staff":
            return f"{INTERNAL}/{self.id}.yaml"
        return f"{EXTERNAL}/{self.org or self.id}.yaml"

    def __str__(self) -> str:
        return f"{self.org}/{self.id}" if self.kind == "person" else self.id


def address_of(register: Register, text: str, new: bool = False) -> Address:
    """``text`` as an :class:`Address`: ``org/person``, else a staff id, else an organisation id.

    ``new``: the address is of someone to add, so it need not exist yet (an id without a slash is staff).
    """
    if "/" in text:
        org, _, person = text.partition("/")
        if not org or not person or "/" in person:
            raise Refusal(f"{text!r}: an organisation's person is written org/person (e.g. customer-a/li-na)")
    for part in text.split("/"):
        if not _ID.fullmatch(part):
            raise Refusal(
                f"{inert(part[:80])!r} is no contact id: lower-case letters, digits and hyphens, at most 63 characters"
            )
    if "/" in text:
        if org not in register.corpus.orgs and not new:
            raise Refusal(f"there is no organisation {org} in {EXTERNAL}/; `commlog contacts find` searches them")
        return Address("person", person, org)
    in_staff, in_orgs = text in register.staff, text in register.corpus.orgs
    if new or (in_staff and not in_orgs):
        return Address("staff", text)
    if in_orgs and not in_staff:
        return Address("org", text)
    if in_staff:
        raise Refusal(f"{text} is both a member of staff and an organisation; rename one of the files")
    raise Refusal(f"there is no contact {text} (staff id, organisation id or org/person); try `commlog contacts find`")


def authorise(register: Register, target: Address, owner: str | None = None) -> str:
    """The acting member of staff, if they may change ``target``; else a refusal naming who may."""
    try:
        me = acting_person(register.root, register.staff)
    except IdentityError as err:
        raise Refusal(str(err)) from err
    if set(register.staff[me].get("roles") or []) & set(UPKEEP_ROLES):
        return me
    if target.kind != "staff":
        org = register.corpus.orgs.get(target.org or target.id)
        if me == (org["owner"] if org else owner):
            return me
    admins = [
        register.name(p)
        for p, c in register.staff.items()
        if set(c.get("roles") or []) & set(UPKEEP_ROLES) and c["status"] == "active"
    ]
    also = "" if target.kind == "staff" else " and the organisation's owner (对接负责人)"
    raise Refusal(
        f"{register.name(me)} may not change {target}: the contacts are kept by the administrators "
        f"({', '.join(admins) or 'no one holds the admin role'}){also}; ask one of them"
    )


def _check_day(day: date, today: date, before: dict[str, Any] | None) -> str:
    if day > today:
        raise Refusal(f"--date {day} is in the future; record a change once it has taken effect")
    last = (before or {}).get("changed")
    if last and str(day) < str(last):
        raise Refusal(f"--date {day} is before the entry's last change ({last}); changes are recorded in order")
    return day.isoformat()


def _apply(entry: dict[str, Any], given: dict[str, Any], allowed: tuple[str, ...], what: str) -> list[str]:
    """Set the given fields on ``entry`` ('' or [] removes an optional one); the names of those that changed."""
    changed = []
    for name, value in given.items():
        if value is None:
            continue
        if name not in allowed:
            option = OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
            raise Refusal(f"{option} does not apply to {what}")
        if value in ("", []):
            if name in entry:
                del entry[name]
                changed.append(name)
        elif entry.get(name) != value:
            entry[name] = value
            changed.append(name)
    return changed


def _load(register: Register, target: Address) -> dict[str, Any]:
    data = (register.staff if target.kind == "staff" else register.corpus.orgs).get(target.org or target.id)
    if data is None:
        raise Refusal(f"there is no contact {target}")
    return copy.deepcopy(data)


def _person(org: dict[str, Any], target: Address) -> dict[str, Any]:
    for person in org["people"]:
        if person["id"] == target.id:
            return person
    raise Refusal(
        f"{org['name']} ({target.org}) has no person {target.id}; `commlog contacts find {target.org}` lists them"
    )


def add(
    register: Register,
    target: Address,
    given: dict[str, Any],
    org_given: dict[str, Any],
    roles: set[str],
    day: date,
    today: date,
) -> Change:
    """A member of staff who joins (joined, changed), with ``roles``, or an organisation's new person (the
    organisation too when ``org_given`` names it)."""
    when = _check_day(day, today, None)
    if roles and target.kind != "staff":
        raise Refusal("--role is for members of staff")
    if target.kind == "staff":
        if target.id in register.staff or (register.root / target.relative).exists():
            raise Refusal(f"{target.relative} exists; `commlog contacts update {target}` changes it")
        if any(v is not None for v in org_given.values()):
            raise Refusal("--org-name, --type, --owner, --matter and --address are for an organisation's person")
        entry: dict[str, Any] = {"id": target.id}
        _apply(entry, given, STAFF_FIELDS, "a member of staff")
        missing = [
            o
            for o, f in (("--name", "name"), ("--department", "department"), ("--title", "title"), ("--email", "email"))
            if f not in entry
        ]
        if missing:
            raise Refusal(f"a member of staff needs {', '.join(missing)}")
        if roles:
            entry["roles"] = [r for r in ROLE_NAMES if r in roles]
        entry.update(status="active", joined=when, changed=when)
        return Change(target.relative, entry, None, f"{entry['name']} ({target}) joins {entry['department']} on {when}")
    person: dict[str, Any] = {"id": target.id}
    _apply(person, given, PERSON_FIELDS, "an organisation's person")
    if "name" not in person:
        raise Refusal("an organisation's person needs --name")
    person.update(status="active", changed=when)
    org_id = target.org
    if org_id in register.corpus.orgs:
        if any(v is not None for v in org_given.values()):
            raise Refusal(f"{org_id} exists; change the organisation itself with `commlog contacts update {org_id}`")
        org = _load(register, Address("org", org_id))
        before: dict[str, Any] | None = copy.deepcopy(register.corpus.orgs[org_id])
        if any(p["id"] == target.id for p in org["people"]):
            raise Refusal(f"{target} exists; `commlog contacts update {target}` changes it")
        _check_day(day, today, before)
        org["people"].append(person)
        org["changed"] = when
        done = f"{person['name']} ({target}) added to {org['name']} on {when}"
    else:
        if (register.root / target.relative).exists():
            raise Refusal(f"{target.relative} exists but does not validate; run `commlog validate {target.relative}`")
        org = {"id": org_id}
        _apply(org, org_given, ORG_FIELDS, "an organisation")
        missing = [o for o, f in (("--org-name", "name"), ("--type", "type"), ("--owner", "owner")) if f not in org]
        if missing:
            raise Refusal(
                f"there is no organisation {org_id}: to add it with its first person give {', '.join(missing)}"
            )
        org.update(status="active", changed=when, people=[person])
        before, done = None, f"{org['name']} ({org_id}) added with {person['name']} ({target}) on {when}"
    return Change(target.relative, org, before, done)


def update(
    register: Register, target: Address, given: dict[str, Any], roles: tuple[set[str], set[str]], day: date, today: date
) -> Change:
    """New values for some of a contact's fields, in effect from ``day``; ``roles``: those to add and to remove."""
    data = _load(register, target)
    before = copy.deepcopy(data)
    when = _check_day(day, today, before)
    add_roles, remove_roles = roles
    if target.kind == "staff":
        changed = _apply(data, given, STAFF_FIELDS, "a member of staff")
        held = list(data.get("roles") or [])
        new_roles = [r for r in ROLE_NAMES if (r in held or r in add_roles) and r not in remove_roles]
        if new_roles != [r for r in ROLE_NAMES if r in held]:
            changed.append("roles")
            data.pop("roles", None)
            if new_roles:
                data["roles"] = new_roles
        _remember(data, before, [f for f in TRACKED if f in changed], day - timedelta(days=1))
        entry = data
    else:
        if add_roles or remove_roles:
            raise Refusal("--add-role and --remove-role are for members of staff")
        if target.kind == "org":
            changed = _apply(data, given, ORG_FIELDS, "an organisation")
            entry = data
        else:
            entry = _person(data, target)
            changed = _apply(entry, given, PERSON_FIELDS, "an organisation's person")
            if changed:
                data["changed"] = when
    if not changed:
        raise Refusal(f"nothing changes for {target}: give the fields to change with their new values")
    entry["changed"] = when
    return Change(target.relative, data, before, f"{target}: {', '.join(changed)} changed, in effect from {when}")


def unreplaced_roles(staff: dict[str, dict[str, Any]], pid: str) -> list[str]:
    """The roles ``pid`` holds that no other active member of staff holds (a dept_head: in the same department)."""
    person = staff[pid]
    missing = []
    for role in person.get("roles") or []:
        others = [
            other
            for oid, other in staff.items()
            if oid != pid
            and other["status"] == "active"
            and role in (other.get("roles") or [])
            and (role != "dept_head" or other["department"] == person["department"])
        ]
        if not others:
            missing.append(role)
    return missing


def _remember(data: dict[str, Any], before: dict[str, Any], fields: list[str], until: date) -> None:
    """Keep the earlier values of ``fields`` in the staff entry's history, in force up to ``until``."""
    if fields:
        earlier: dict[str, Any] = {"until": until.isoformat()}
        earlier.update({f: before.get(f, []) for f in fields})
        data["history"] = [*(data.get("history") or []), earlier]


def depart(register: Register, target: Address, day: date, today: date, vacate: bool) -> Change:
    """A member of staff who leaves (departed), or an organisation's person who is no longer its contact (left).

    A member of staff's roles move to their history (past approvals are judged by them); one who is the only
    holder of a role is refused unless ``vacate`` (the role is then held by no one, which the audit reports)."""
    if target.kind == "org":
        raise Refusal(f"{target} is an organisation: `commlog contacts end {target}` ends the relationship")
    data = _load(register, target)
    before = copy.deepcopy(data)
    when = _check_day(day, today, before)
    warnings: list[str] = []
    if target.kind == "staff":
        if data["status"] == "departed":
            raise Refusal(f"{target} departed on {data.get('departed')} already")
        alone = unreplaced_roles(register.staff, target.id)
        if alone and not vacate:
            names = ", ".join(f"{ROLE_NAMES[r]} ({r})" for r in alone)
            hint = (
                "a department has one head: depart with --vacate-roles, then `commlog contacts update SUCCESSOR "
                "--add-role dept_head`, and commit both changes together"
                if "dept_head" in alone
                else "hand it over first (`commlog contacts update OTHER --add-role ROLE`), or depart with --vacate-roles"
            )
            raise Refusal(f"{target} is the only one holding {names}: {hint}")
        if (joined := data.get("joined")) and when < str(joined):
            raise Refusal(f"--date {when} is before {target} joined ({joined})")
        if data.get("roles"):
            _remember(data, before, ["roles"], day)
            del data["roles"]
        data.update(status="departed", departed=when, changed=when)
        owned = sorted(
            oid for oid, org in register.corpus.orgs.items() if org["owner"] == target.id and org["status"] == "active"
        )
        if owned:
            warnings.append(
                f"{target} owns {', '.join(owned)}: give each a new owner (`commlog contacts update ORG --owner ID`)"
            )
        if alone:
            warnings.append(f"no active member of staff holds {', '.join(alone)} now: give it to someone")
        return Change(target.relative, data, before, f"{data['name']} ({target}) departs on {when}", warnings)
    person = _person(data, target)
    if person.get("status") == "departed":
        raise Refusal(f"{target} left on {person.get('left')} already")
    person.update(status="departed", left=when, changed=when)
    data["changed"] = when
    if data["status"] == "active" and not any(p.get("status", "active") == "active" for p in data["people"]):
        warnings.append(
            f"{data['name']} has no active contact person now: add one (`commlog contacts add {target.org}/ID ...`)"
        )
    return Change(target.relative, data, before, f"{person['name']} ({target}) left {data['name']} on {when}", warnings)


def end(register: Register, target: Address, day: date, today: date) -> Change:
    """The end of the relationship with an organisation (status inactive, ended)."""
    if target.kind != "org":
        raise Refusal(f"{target} is a person: `commlog contacts depart {target}` records that they left")
    data = _load(register, target)
    before = copy.deepcopy(data)
    when = _check_day(day, today, before)
    if data["status"] == "inactive":
        raise Refusal(f"{target}'s relationship ended on {data.get('ended')} already")
    data.update(status="inactive", ended=when, changed=when)
    return Change(target.relative, data, before, f"{data['name']} ({target}): relationship ended on {when}")


def save(register: Register, change: Change) -> Path:
    """Check the change against the schema and the contact rules and write it; refuse and write nothing otherwise."""
    return write(register, change.relative, change.data, change.before)


def codeowners_stale(root: Path) -> bool:
    """Whether the repository's CODEOWNERS no longer says what the contacts make it (a role, an email changed)."""
    from commlog.codeowners import FILE, OwnersError, generate

    target = root / FILE
    if not target.is_file():
        return False
    try:
        wanted, _ = generate(root)
        return target.read_text(encoding="utf-8") != wanted
    except (OSError, UnicodeDecodeError, OwnersError):
        return False
