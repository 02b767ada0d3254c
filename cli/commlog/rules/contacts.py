"""Rules about the contacts registers (联络信息表)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from commlog.findings import Finding
from commlog.load import Document
from commlog.rules import Corpus, finding, rule


@rule("contact-file-name", needs_policy=False)
def id_is_file_name(corpus: Corpus) -> Iterator[Finding]:
    """A contact's id is its file name, so that references find it."""
    for doc in corpus.staff_docs + corpus.org_docs:
        stem = PurePosixPath(doc.path).stem
        if doc.data["id"] != stem:
            yield finding(
                doc,
                "contact-file-name",
                ("id",),
                f"id '{doc.data['id']}' differs from the file name '{stem}'",
                f"rename the file to {doc.data['id']}.yaml or set id: {stem}",
            )


@rule("unique-email", needs_policy=False)
def unique_email(corpus: Corpus) -> Iterator[Finding]:
    """Each email belongs to one person: it is their git identity for approvals."""
    places: list[tuple[Document, tuple[object, ...], str, str]] = []
    for doc in corpus.staff_docs:
        places.append((doc, ("email",), doc.data["email"].lower(), doc.data["id"]))
    for doc in corpus.org_docs:
        for index, person in enumerate(doc.data["people"]):
            if "email" in person:
                places.append(
                    (doc, ("people", index, "email"), person["email"].lower(), f"{doc.data['id']}/{person['id']}")
                )
    owners: dict[str, list[str]] = defaultdict(list)
    for _, _, email, who in places:
        owners[email].append(who)
    for doc, parts, email, who in places:
        others = [o for o in owners[email] if o != who]
        if others:
            yield finding(
                doc,
                "unique-email",
                parts,
                f"email {email} is also {', '.join(others)}'s",
                "give each person their own email",
            )


@rule("unique-person", needs_policy=False)
def unique_person(corpus: Corpus) -> Iterator[Finding]:
    """People within one organisation have distinct ids."""
    for doc in corpus.org_docs:
        seen: set[str] = set()
        for index, person in enumerate(doc.data["people"]):
            if person["id"] in seen:
                yield finding(
                    doc,
                    "unique-person",
                    ("people", index, "id"),
                    f"person id '{person['id']}' appears twice in this organisation",
                    "give each person their own id",
                )
            seen.add(person["id"])


@rule("unknown-department")
def contact_department(corpus: Corpus) -> Iterator[Finding]:
    """A staff member's department is one the policy lists."""
    assert corpus.policy is not None
    for doc in corpus.staff_docs:
        if doc.data["department"] not in corpus.policy.departments:
            yield finding(
                doc,
                "unknown-department",
                ("department",),
                f"department '{doc.data['department']}' is not in policy.yaml",
                "use a department name from policy.yaml's departments",
            )


@rule("departed-date", needs_policy=False)
def departed_date(corpus: Corpus) -> Iterator[Finding]:
    """Departed staff carry their departure date (their data is kept for a set time after it); active staff carry none."""
    for doc in corpus.staff_docs:
        status, departed = doc.data["status"], doc.data.get("departed")
        if status == "departed" and not departed:
            yield finding(
                doc,
                "departed-date",
                ("status",),
                "status is departed but there is no departed date (离职日期)",
                "add `departed: YYYY-MM-DD`",
            )
        elif status == "active" and departed:
            yield finding(
                doc,
                "departed-date",
                ("departed",),
                "an active staff member has a departed date",
                "set status: departed, or remove the date",
            )
        joined = doc.data.get("joined")
        if joined and departed and departed < joined:
            yield finding(
                doc,
                "departed-date",
                ("departed",),
                f"departed {departed} is before joined {joined}",
                "check both dates",
            )


@rule("ended-date", needs_policy=False)
def ended_date(corpus: Corpus) -> Iterator[Finding]:
    """An organisation that is no longer dealt with carries the day it ended, and a person who left carries that day."""
    for doc in corpus.org_docs:
        status, ended = doc.data["status"], doc.data.get("ended")
        if status == "inactive" and not ended:
            yield finding(
                doc,
                "ended-date",
                ("status",),
                "status is inactive but there is no ended date (合作终止日期)",
                "add `ended: YYYY-MM-DD`",
            )
        elif status == "active" and ended:
            yield finding(
                doc,
                "ended-date",
                ("ended",),
                "an active organisation has an ended date",
                "set status: inactive, or remove the date",
            )
        for index, person in enumerate(doc.data["people"]):
            left = person.get("left")
            if person.get("status") == "departed" and not left:
                yield finding(
                    doc,
                    "ended-date",
                    ("people", index, "status"),
                    f"{person['id']} is departed but has no left date (离任日期)",
                    "add `left: YYYY-MM-DD`",
                )
            elif person.get("status", "active") == "active" and left:
                yield finding(
                    doc,
                    "ended-date",
                    ("people", index, "left"),
                    f"{person['id']} is active but has a left date",
                    "set status: departed, or remove the date",
                )


@rule("unknown-contact", needs_policy=False)
def org_owner(corpus: Corpus) -> Iterator[Finding]:
    """Each outside organisation has an internal owner who is on the staff list."""
    for doc in corpus.org_docs:
        if doc.data["owner"] not in corpus.staff_ids:
            yield finding(
                doc,
                "unknown-contact",
                ("owner",),
                f"owner '{doc.data['owner']}' is not in contacts/internal/",
                "add the staff member or fix the id",
            )


def _numbers(corpus: Corpus) -> Iterator[tuple[Document, tuple[object, ...], str, str]]:
    """Each phone, mobile and email the contacts give: the document, the field, its kind and its value."""
    for doc in corpus.staff_docs:
        for key in ("phone", "mobile", "email"):
            if isinstance(doc.data.get(key), str):
                yield doc, (key,), key, doc.data[key]
    for doc in corpus.org_docs:
        if isinstance(doc.data.get("phone"), str):
            yield doc, ("phone",), "phone", doc.data["phone"]
        for index, person in enumerate(doc.data["people"]):
            for key in ("phone", "mobile", "email"):
                if isinstance(person.get(key), str):
                    yield doc, ("people", index, key), key, person[key]


@rule("contact-format", needs_policy=False)
def contact_format(corpus: Corpus) -> Iterator[Finding]:
    """Phone numbers, mobiles and emails are written so that they can be dialled and sent to (a mainland mobile has 11 digits)."""
    from commlog.contact_formats import email_problem, mobile_problem, phone_problem

    check = {"phone": phone_problem, "mobile": mobile_problem, "email": email_problem}
    names = {"phone": "办公电话", "mobile": "手机号码", "email": "电子邮箱"}
    for doc, parts, key, value in _numbers(corpus):
        problem = check[key](value)
        if problem:
            yield finding(
                doc,
                "contact-format",
                parts,
                f"{key} ({names[key]}) '{value}' {problem}",
                "correct it from the person's card or signature, or remove the field",
            )


@rule("dept-head")
def one_head(corpus: Corpus) -> Iterator[Finding]:
    """A department has one head (部门负责人): two active staff members of one department do not both hold dept_head."""
    from commlog.roles import heads_of

    assert corpus.policy is not None
    by_id = {doc.data["id"]: doc for doc in corpus.staff_docs}
    for name in corpus.policy.departments:
        heads = heads_of(name, corpus.staff)
        if len(heads) > 1:
            for head in heads:
                others = ", ".join(h for h in heads if h != head)
                yield finding(
                    by_id[head],
                    "dept-head",
                    ("roles",),
                    f"{name} has {len(heads)} heads: {head} and {others} both hold dept_head",
                    "keep dept_head on the one head and take it off the others' roles",
                )


@rule("private-number", needs_policy=False)
def private_number(corpus: Corpus) -> Iterator[Finding]:
    """A number marked private is one the contact has, so that the mark protects what it names."""
    places: list[tuple[Document, tuple[object, ...], dict[str, Any]]] = [(d, (), d.data) for d in corpus.staff_docs]
    for doc in corpus.org_docs:
        places += [(doc, ("people", i), person) for i, person in enumerate(doc.data["people"])]
    for doc, parts, contact in places:
        for index, name in enumerate(contact.get("private") or []):
            if not contact.get(name):
                yield finding(
                    doc,
                    "private-number",
                    (*parts, "private", index),
                    f"private names {name}, but there is no {name} number",
                    f"add the {name} number or take {name} out of private",
                )
