"""The site's 联络信息审核 page: the contacts audit as of the build's moment, at the build's clearance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from commlog import directory
from commlog.findings import Finding, pointer_parts
from commlog.reports.contacts_audit import SECTIONS, AuditReport, contacts_audit
from commlog.site.model import HIDDEN, SiteModel

FIELD_NAMES = {"phone": "办公电话", "mobile": "手机号码", "email": "电子邮箱"}


@dataclass(frozen=True)
class Row:
    who: str
    url: str | None
    """The record's page, for a finding on a record this build shows."""
    message: str
    hint: str


@dataclass
class AuditPage:
    """What the page shows: the audit's sections at the build's clearance, and what it counts and leaves out."""

    report: AuditReport
    sections: list[tuple[str, str, list[Row]]] = field(default_factory=list)
    staff: int = 0
    """Members of staff the build lists."""
    orgs: int = 0
    """Organisations the build lists."""
    shown: int = 0
    left_out: int = 0
    """Findings about or naming a contact the build does not list."""
    available: bool = True
    """False below internal: such a build lists no contact at the default level, so it has no audit to show."""


def audit_page(model: SiteModel) -> AuditPage:
    """The audit as the build at its clearance may show it (none below internal, :data:`directory.DEFAULT_LEVEL`)."""
    report = contacts_audit(model.root, model.as_of)
    if not directory.at_or_above(model.clearance, directory.DEFAULT_LEVEL):
        return AuditPage(report, available=False)
    page = AuditPage(
        report,
        staff=sum(directory.listed(model.clearance, p) for p in model.staff.values()),
        orgs=sum(directory.listed(model.clearance, o) for o in model.orgs.values()),
    )
    for rule_id, found in report.by_section():
        title, todo = SECTIONS[rule_id]
        rows = []
        for item in found:
            row = _row(model, rule_id, item)
            if row is None:
                page.left_out += 1
            else:
                rows.append(row)
        if rows:
            page.sections.append((title, todo, rows))
            page.shown += len(rows)
    return page


def _row(model: SiteModel, rule_id: str, item: Finding) -> Row | None:
    """A finding's row; None for one about a contact this build does not list, or whose text names one (by id, name
    or email), whichever file it is on."""
    contact = _contact(model, item)
    if contact is not None and not directory.listed(model.clearance, *contact):
        return None
    who, url = _subject(model, item.path)
    if contact is not None and contact[1] is not None:  # one of an organisation's people: 李娜 (客户A公司)
        who = f"{contact[0].get('name', '')} ({who})"
    if any(model.mentions_unlisted(text) for text in (who, item.message, item.hint)):
        return None
    message = item.message
    field_name = pointer_parts(item.pointer)[-1] if item.pointer else ""
    if (
        rule_id == "contact-format"
        and field_name in directory.NUMBERS
        and not _number_shown(model, contact, field_name)
    ):
        # The message quotes the number whole: below the clearance that shows it, only the field.
        message = f"{FIELD_NAMES.get(field_name, field_name)}格式无效"
    return Row(who, url, message, item.hint)


Contact = tuple[dict[str, Any], dict[str, Any] | None]


def _contact(model: SiteModel, item: Finding) -> Contact | None:
    """The contact (and its organisation) a finding on a contacts file is about; None for any other file."""
    stem = PurePosixPath(item.path).stem
    if item.path.startswith("contacts/internal/"):
        return model.staff.get(stem, {}), None
    if item.path.startswith("contacts/external/"):
        org = model.orgs.get(stem, {})
        parts = pointer_parts(item.pointer) if item.pointer else []
        if len(parts) > 1 and parts[0] == "people" and str(parts[1]).isdigit() and int(parts[1]) < len(org["people"]):
            return org["people"][int(parts[1])], org
        return org, None
    return None


def _number_shown(model: SiteModel, contact: Contact | None, field: str) -> bool:
    if contact is None:
        return False
    person, org = contact
    level = directory.number_level(directory.settings_of(model.policy), person, field, org)
    return directory.at_or_above(model.clearance, level)


def _subject(model: SiteModel, path: str) -> tuple[str, str | None]:
    """Whom or what a finding is about, as the site names it, and the page to link to."""
    stem = PurePosixPath(path).stem
    if path.startswith("records/"):
        view = model.records.get(stem)
        return (stem, view.url) if view else (HIDDEN, None)
    if path.startswith("contacts/internal/"):
        return model.name(stem), None
    if path.startswith("contacts/external/"):
        return str(model.orgs.get(stem, {}).get("name", stem)), None
    return "管理程序参数（policy.yaml）", "procedure/"
