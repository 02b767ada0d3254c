"""What the site shows: the records visible at the build's clearance, with their clocks and history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from commlog.deadlines import Stage
from commlog.history import History, read_history
from commlog.schedule import Schedule, schedule
from commlog.schema import Schemas

CLEARANCE = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}


def visible(classification: str, clearance: str) -> bool:
    """Whether information of this class may appear in a build for this clearance."""
    return CLEARANCE[classification] <= CLEARANCE[clearance]


@dataclass
class RecordView:
    """One record as the site shows it."""

    data: dict[str, Any]
    """The record with only the events that had happened by the build's as-of time."""
    path: str
    """Repository path of the record's file."""
    status: str
    stages: list[Stage]
    submitted: datetime

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def url(self) -> str:
        return f"records/{self.id.split('-')[1]}/{self.id}/"

    @property
    def month(self) -> str:
        return f"{self.submitted:%Y-%m}"


@dataclass
class SiteModel:
    root: Path
    clearance: str
    as_of: datetime
    plan: Schedule
    schemas: Schemas
    history: History
    records: dict[str, RecordView] = field(default_factory=dict)
    replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    referenced_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    superseded_by: dict[str, str] = field(default_factory=dict)

    @property
    def policy(self) -> dict[str, Any]:
        return self.plan.context.policy.data

    @property
    def staff(self) -> dict[str, dict[str, Any]]:
        return self.plan.context.staff

    @property
    def orgs(self) -> dict[str, dict[str, Any]]:
        return self.plan.context.orgs

    @property
    def show_phones(self) -> bool:
        threshold = self.policy.get("contacts", {}).get("show_phones_at", "confidential")
        return CLEARANCE[self.clearance] >= CLEARANCE[threshold]

    def name(self, who: str) -> str:
        """A person's display name: 张伟, or 李娜 (客户A公司) for someone outside."""
        if who in self.staff:
            return self.staff[who]["name"]
        org_id, _, person = who.partition("/")
        org = self.orgs.get(org_id)
        if org is None:
            return who
        if not person:
            return org["name"]
        found = next((p["name"] for p in org["people"] if p["id"] == person), person)
        return f"{found} ({org['name']})"

    def newest(self, count: int) -> list[RecordView]:
        return sorted(self.records.values(), key=lambda r: (r.submitted, r.id), reverse=True)[:count]


def build_model(root: Path, clearance: str, as_of: datetime) -> SiteModel:
    """Load the repository and keep what a build at ``clearance`` may show, as of ``as_of``."""
    plan = schedule(root, as_of)
    model = SiteModel(root, clearance, as_of, plan, Schemas(), read_history(root))
    ctx = plan.context
    for clock in plan.records:
        if not visible(clock.doc.data["classification"], clearance):
            continue
        record = clock.record
        model.records[record["id"]] = RecordView(
            record, clock.doc.path, clock.status, clock.stages, ctx.time(record["events"][0]["at"])
        )
    for view in model.records.values():
        data = view.data
        if data.get("in_reply_to") in model.records:
            model.replies[data["in_reply_to"]].append(view.id)
        for target in data.get("references", []):
            if target in model.records:
                model.referenced_by[target].append(view.id)
        if data.get("supersedes") in model.records:
            model.superseded_by[data["supersedes"]] = view.id
    return model
