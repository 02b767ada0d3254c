"""Who may read a contact's numbers, and the contacts registers searched as people search them.

A contact (a member of staff, an outside organisation, one of its people) has a classification (default
internal): a build (site, export) below it does not list the contact. Each number is shown whole at the highest
of the contact's classification, confidential for a number marked private, and the policy's
``contacts.numbers_at`` (its former name ``show_phones_at`` is still read); below that it is masked
(``138****1234``). :func:`find` is ``commlog contacts find``: substring search over the words people look for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from commlog.sensitive import CLEARANCE

NUMBERS = ("phone", "mobile")
"""The number fields of a contact, in the order they are shown."""
NUMBER_NAMES = {"phone": "办公电话", "mobile": "手机号码"}
"""How the contacts tables name each number (the 私人号码 column)."""
PRIVATE_LEVEL = "confidential"
"""A number marked private is shown whole at this clearance or above."""
DEFAULT_LEVEL = "internal"
DEFAULT_REVEAL_ROLES = ("admin",)
CONTACT_TYPES = ("internal", "customer", "supplier", "partner", "regulator", "media", "other")
"""``--type`` of ``find``: internal is the staff, the rest are the organisations' types."""


def highest(*levels: str) -> str:
    """The highest of some classifications."""
    return max(levels, key=CLEARANCE.__getitem__)


def at_or_above(clearance: str, level: str) -> bool:
    return CLEARANCE[clearance] >= CLEARANCE[level]


def mask_number(number: str | None) -> str:
    """138****1234: of 11 characters or more, the first three and the last four kept; of a shorter one (a 7- or
    8-digit phone, +4912345), never more than a quarter at either end, so that most of it is always hidden."""
    if not number:
        return ""
    if len(number) >= 11:
        return number[:3] + "****" + number[-4:]
    keep = len(number) // 4
    return number[:keep] + "*" * (len(number) - 2 * keep) + (number[-keep:] if keep else "")


@dataclass(frozen=True)
class Settings:
    """The policy's contacts settings this module reads."""

    numbers_at: str = "public"
    reveal_roles: tuple[str, ...] = DEFAULT_REVEAL_ROLES


def settings_of(policy: dict[str, Any] | None) -> Settings:
    """The policy's ``contacts.numbers_at`` (or its old name ``show_phones_at``) and ``contacts.reveal_roles``."""
    contacts = (policy or {}).get("contacts") or {}
    floor = contacts.get("numbers_at", contacts.get("show_phones_at", "public"))
    return Settings(floor, tuple(contacts.get("reveal_roles", DEFAULT_REVEAL_ROLES)))


def level_of(contact: dict[str, Any], org: dict[str, Any] | None = None) -> str:
    """A contact's classification (default internal); an organisation's person has the organisation's, or their own
    where it is higher."""
    if org is None:
        return str(contact.get("classification", DEFAULT_LEVEL))
    inherited = str(org.get("classification", DEFAULT_LEVEL))
    return highest(inherited, str(contact.get("classification", inherited)))


def number_level(settings: Settings, contact: dict[str, Any], name: str, org: dict[str, Any] | None = None) -> str:
    """The lowest clearance at which the number ``name`` (phone, mobile) of ``contact`` is shown whole."""
    private = PRIVATE_LEVEL if name in (contact.get("private") or []) else "public"
    return highest(settings.numbers_at, level_of(contact, org), private)


def shown_number(
    settings: Settings, clearance: str, contact: dict[str, Any], name: str, org: dict[str, Any] | None = None
) -> str:
    """The number as a reader at ``clearance`` sees it: whole, masked, or empty when there is none."""
    number = contact.get(name)
    if not number:
        return ""
    return str(number) if at_or_above(clearance, number_level(settings, contact, name, org)) else mask_number(number)


def listed(clearance: str, contact: dict[str, Any], org: dict[str, Any] | None = None) -> bool:
    """Whether a build at ``clearance`` lists the contact at all."""
    return at_or_above(clearance, level_of(contact, org))


def named(clearance: str, contact: dict[str, Any], org: dict[str, Any] | None = None) -> bool:
    """Whether a build at ``clearance`` may name the contact where a record it shows names them: always for a
    contact at internal or below (that keeps the directory, not the names records carry, from public builds), and
    for a contact classified confidential or secret only at or above that."""
    level = level_of(contact, org)
    return CLEARANCE[level] <= CLEARANCE[DEFAULT_LEVEL] or at_or_above(clearance, level)


def file_level(settings: Settings, data: dict[str, Any], staff: bool) -> str:
    """The clearance at which everything in a contact file is shown whole (a commit touching it names it)."""
    if staff:
        return highest(level_of(data), *(number_level(settings, data, n) for n in NUMBERS))
    levels = [level_of(data), number_level(settings, data, "phone")]
    for person in data.get("people") or []:
        levels += [level_of(person, data), *(number_level(settings, person, n, data) for n in NUMBERS)]
    return highest(*levels)


# -- find ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One person as ``find`` lists them."""

    address: str
    """zhang-wei, or customer-a/li-na."""
    kind: Literal["internal", "external"]
    name: str
    organisation: str
    """市场部 for staff (their department), 客户A公司 for someone outside."""
    title: str
    status: str
    email: str
    duties: tuple[str, ...]
    """Responsibilities (staff) or the organisation's matters."""
    numbers: dict[str, str] = field(default_factory=dict)
    """Each number as the reader may see it (label: value), masked unless revealed."""
    org_type: str = ""


def _matches(words: Iterable[str], text: str) -> bool:
    needle = text.casefold()
    return any(needle in str(word).casefold() for word in words)


def find(
    staff: dict[str, dict[str, Any]],
    orgs: dict[str, dict[str, Any]],
    text: str,
    department: str | None = None,
    kind: str | None = None,
    reveal: bool = False,
    settings: Settings | None = None,
) -> list[Entry]:
    """Everyone whose name, id, email, department, title, organisation, responsibilities or matters hold ``text``.

    ``department`` keeps staff of that department and the people of organisations a member of it owns;
    ``kind`` is ``internal`` (staff) or an organisation type. Numbers are masked unless ``reveal``.
    """
    rules = settings or Settings()
    clearance = "secret" if reveal else "public"
    found: list[Entry] = []
    if kind in (None, "internal"):
        for pid, person in sorted(staff.items(), key=lambda item: (item[1]["department"], item[0])):
            if department and person["department"] != department:
                continue
            duties = tuple(person.get("responsibilities") or [])
            words = (pid, person["name"], person["department"], person.get("title", ""), person["email"], *duties)
            if not _matches(words, text):
                continue
            numbers = {n: shown_number(rules, clearance, person, n) for n in NUMBERS if person.get(n)}
            found.append(
                Entry(
                    pid,
                    "internal",
                    person["name"],
                    person["department"],
                    person.get("title", ""),
                    person["status"],
                    person["email"],
                    duties,
                    numbers,
                )
            )
    if kind == "internal":
        return found
    for oid, org in sorted(orgs.items()):
        if kind and org["type"] != kind:
            continue
        if department and staff.get(org["owner"], {}).get("department") != department:
            continue
        matters = tuple(org.get("matters") or [])
        org_words = (oid, org["name"], *matters)
        for person in org["people"]:
            words = (person["id"], person["name"], person.get("title", ""), person.get("email", ""))
            if not (_matches(org_words, text) or _matches(words, text)):
                continue
            numbers = {n: shown_number(rules, clearance, person, n, org) for n in NUMBERS if person.get(n)}
            if org.get("phone"):
                numbers["switchboard"] = shown_number(rules, clearance, org, "phone")
            status = "departed" if person.get("status") == "departed" or org["status"] == "inactive" else "active"
            found.append(
                Entry(
                    f"{oid}/{person['id']}",
                    "external",
                    person["name"],
                    org["name"],
                    person.get("title", ""),
                    status,
                    person.get("email", ""),
                    matters,
                    numbers,
                    org["type"],
                )
            )
    return found


class NotAllowed(Exception):
    """The person asking may not see whole numbers; the message says why and who may."""


def revealer(root: Path, staff: dict[str, dict[str, Any]], settings: Settings) -> str:
    """The acting member of staff (git's user.email) if they hold one of the policy's reveal roles."""
    from commlog.identity import IdentityError, acting_person

    try:
        me = acting_person(root, staff)
    except IdentityError as err:
        raise NotAllowed(str(err)) from err
    if set(staff[me].get("roles") or []) & set(settings.reveal_roles):
        return me
    raise NotAllowed(
        f"{staff[me]['name']} ({me}) may not see whole numbers: the policy lets the roles "
        f"{', '.join(settings.reveal_roles)} (contacts.reveal_roles); find without --reveal shows them masked"
    )


HIDDEN_NAME = "（无权查看的联络人）"
"""What a build or an export shows in place of a contact classified above its clearance."""


def names_at(
    staff: dict[str, dict[str, Any]], orgs: dict[str, dict[str, Any]], clearance: str
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Copies of the registers in which every contact the build may not name (:func:`named`) is named
    :data:`HIDDEN_NAME`, for what names people by their registers' names (an export of records)."""
    shown_staff = {pid: p if named(clearance, p) else {**p, "name": HIDDEN_NAME} for pid, p in staff.items()}
    shown_orgs = {}
    for oid, org in orgs.items():
        people = [p if named(clearance, p, org) else {**p, "name": HIDDEN_NAME} for p in org["people"]]
        shown_orgs[oid] = {**org, "people": people, **({} if named(clearance, org) else {"name": HIDDEN_NAME})}
    return shown_staff, shown_orgs
