"""Rules about policy.yaml itself, beyond its schema."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from commlog.findings import Finding
from commlog.policy import timezone_of
from commlog.rules import Corpus, finding, rule


@rule("policy-duplicate")
def duplicate_entries(corpus: Corpus) -> Iterator[Finding]:
    """Division ids, department names and codes, and channel ids are each unique."""
    doc = corpus.policy_doc
    assert doc is not None
    for section, key in (("divisions", "id"), ("departments", "name"), ("departments", "code"), ("channels", "id")):
        counts = Counter(entry[key] for entry in doc.data[section])
        for index, entry in enumerate(doc.data[section]):
            if counts[entry[key]] > 1:
                counts[entry[key]] = 0  # report each repeat once, at its first place
                yield finding(
                    doc,
                    "policy-duplicate",
                    (section, index, key),
                    f"{section}: {key} '{entry[key]}' is listed more than once",
                    "keep one entry per value",
                )


@rule("unknown-division")
def department_division(corpus: Corpus) -> Iterator[Finding]:
    """Every department belongs to a division listed in the policy."""
    doc = corpus.policy_doc
    assert doc is not None
    divisions = {d["id"] for d in doc.data["divisions"]}
    for index, dept in enumerate(doc.data["departments"]):
        if dept["division"] not in divisions:
            yield finding(
                doc,
                "unknown-division",
                ("departments", index, "division"),
                f"department {dept['name']}: division '{dept['division']}' is not in divisions",
                "add it to divisions or fix the id",
            )


@rule("policy-timezone")
def known_timezone(corpus: Corpus) -> Iterator[Finding]:
    """The timezone is a real IANA timezone."""
    doc = corpus.policy_doc
    assert doc is not None
    if timezone_of(doc.data["timezone"]) is None:
        yield finding(
            doc,
            "policy-timezone",
            ("timezone",),
            f"timezone '{doc.data['timezone']}' is not an IANA timezone",
            "use a name such as Asia/Shanghai",
        )


@rule("policy-working-hours")
def working_hours(corpus: Corpus) -> Iterator[Finding]:
    """Each day's working intervals start before they end and do not overlap."""
    doc = corpus.policy_doc
    assert doc is not None
    for day, intervals in doc.data["working_hours"].items():
        previous_end = "00:00"
        for index, interval in enumerate(intervals):
            start, end = interval.split("-")
            if not previous_end <= start < end:
                yield finding(
                    doc,
                    "policy-working-hours",
                    ("working_hours", day, index),
                    f"{day}: interval {interval} is empty, reversed or overlaps the one before",
                    "write intervals in order, each HH:MM-HH:MM with start before end",
                )
            previous_end = end


@rule("delegate-unknown")
def delegates_known(corpus: Corpus) -> Iterator[Finding]:
    """Delegates, and those they record for, are members of staff."""
    doc = corpus.policy_doc
    assert doc is not None
    for index, entry in enumerate(doc.data.get("delegates", [])):
        people: list[tuple[tuple[object, ...], str]] = [(("delegates", index, "delegate"), entry["delegate"])]
        people += [(("delegates", index, "for", j), person) for j, person in enumerate(entry["for"])]
        for parts, person in people:
            if person not in corpus.staff_ids:
                yield finding(
                    doc,
                    "delegate-unknown",
                    parts,
                    f"'{person}' is not in contacts/internal/",
                    f"add contacts/internal/{person}.yaml or fix the id",
                )
