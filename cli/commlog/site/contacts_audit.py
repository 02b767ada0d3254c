"""The site's 联络信息审核 page: the contacts audit as of the build's moment, at the build's clearance."""

from __future__ import annotations

from dataclasses import dataclass
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


def audit_sections(model: SiteModel) -> tuple[AuditReport, list[tuple[str, str, list[Row]]]]:
    """The audit and, per section with findings, its title, what to do and a row per finding."""
    report = contacts_audit(model.root, model.as_of)
    sections = []
    for rule_id, found in report.by_section():
        title, todo = SECTIONS[rule_id]
        rows = []
        for item in found:
            contact = _contact(model, item)
            if contact is not None and not directory.listed(model.clearance, *contact):
                continue  # about a contact this build does not list: its id and findings stay out too
            who, url = _subject(model, item.path)
            message = item.message
            field = pointer_parts(item.pointer)[-1] if item.pointer else ""
            if rule_id == "contact-format" and field in directory.NUMBERS and not _number_shown(model, contact, field):
                # The message quotes the number whole: below the clearance that shows it, only the field.
                message = f"{FIELD_NAMES.get(field, field)}格式无效"
            rows.append(Row(who, url, message, item.hint))
        if rows:
            sections.append((title, todo, rows))
    return report, sections


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
    return "管理程序参数 (policy.yaml)", "procedure/"
