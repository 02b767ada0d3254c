"""The site's 联络信息审核 page: the contacts audit as of the build's moment, at the build's clearance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from commlog.findings import pointer_parts
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
            who, url = _subject(model, item.path)
            message = item.message
            if rule_id == "contact-format" and not model.show_phones:
                # The message quotes the number whole: below the clearance that shows numbers, only the field.
                field = pointer_parts(item.pointer)[-1] if item.pointer else ""
                message = f"{FIELD_NAMES.get(field, field)}格式无效"
            rows.append(Row(who, url, message, item.hint))
        sections.append((title, todo, rows))
    return report, sections


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
