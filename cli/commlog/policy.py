"""policy.yaml, typed: the parts of the enterprise's rules that code reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ESCALATION_CHAIN = ("dept_head", "division_leader", "general_manager")
"""The default chain: 部门负责人 -> 分管领导 -> 总经理."""


@dataclass(frozen=True)
class Department:
    name: str
    code: str
    division: str


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    classifications: frozenset[str]


NATIONAL_MINIMUM_YEARS = 10
"""国家档案局《企业文件材料归档范围和档案保管期限规定》(2012): 保管期限分为永久、定期30年和定期10年."""


@dataclass(frozen=True)
class RetentionRow:
    """One row of the retention schedule (policy.yaml ``retention``): what it matches, how many years."""

    years: int
    importance: str | None = None
    classification: str | None = None
    note: str = ""

    def matches(self, importance: str, classification: str) -> bool:
        return self.importance in (None, importance) and self.classification in (None, classification)


@dataclass(frozen=True)
class Disposal:
    """policy.yaml ``disposal``: important-by-nature entries, the due-soon window, hold and approval roles."""

    important_by_nature: tuple[dict[str, Any], ...]
    due_soon_days: int
    hold_roles: tuple[str, ...]
    approval_roles: tuple[str, ...]
    national_minimum_years: int

    @classmethod
    def of(cls, data: dict[str, Any]) -> Disposal:
        given = data.get("disposal", {})
        archivist = str(data.get("archiving", {}).get("role", "archivist"))
        return cls(
            important_by_nature=tuple(given.get("important_by_nature", ())),
            due_soon_days=int(given.get("due_soon_days", 90)),
            hold_roles=tuple(given.get("hold_roles", ("legal", archivist))),
            approval_roles=tuple(given.get("approval_roles", ("dept_head", "legal"))),
            national_minimum_years=int(given.get("national_minimum_years", NATIONAL_MINIMUM_YEARS)),
        )


@dataclass(frozen=True)
class Policy:
    """The typed view of a schema-valid policy.yaml."""

    data: dict[str, Any]
    timezone: ZoneInfo
    departments: dict[str, Department]
    channels: dict[str, Channel]
    record_sequence_width: int
    archive_prefix: str
    archive_sequence_width: int

    @property
    def codes(self) -> dict[str, Department]:
        return {d.code: d for d in self.departments.values()}

    @property
    def archive_first(self) -> int:
        """The first sequence number of each year's archive series (ND-2024-1001: 1001)."""
        return int(self.data["numbering"].get("archive_first", 1))

    @cached_property
    def retention(self) -> list[RetentionRow]:
        """The retention schedule, in the policy's order."""
        return [
            RetentionRow(r["years"], r.get("importance"), r.get("classification"), r.get("note", ""))
            for r in self.data["retention"]
        ]

    @property
    def archive_role(self) -> str:
        """The role whose holders archive records (档案管理员)."""
        return str(self.data.get("archiving", {}).get("role", "archivist"))

    @property
    def escalation_chain(self) -> list[str]:
        """The roles an overdue stage is escalated up, lowest first."""
        return list(self.data.get("escalation", {}).get("chain", ESCALATION_CHAIN))

    @cached_property
    def disposal(self) -> Disposal:
        """The retention schedule's companions (policy.yaml ``disposal``), defaults filled in."""
        return Disposal.of(self.data)

    @property
    def feedback_due_beyond_sla(self) -> str:
        """Whether a record's feedback_due may be later than the SLA: never, outside_party or always."""
        return str(self.data.get("feedback_due_beyond_sla", "never"))


def timezone_of(name: str) -> ZoneInfo | None:
    """The IANA zone of that name, or None when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def from_data(data: dict[str, Any]) -> Policy:
    """Build the typed policy from schema-valid data (an unknown timezone falls back to UTC)."""
    numbering = data["numbering"]
    return Policy(
        data=data,
        timezone=timezone_of(data["timezone"]) or ZoneInfo("UTC"),
        departments={d["name"]: Department(d["name"], d["code"], d["division"]) for d in data["departments"]},
        channels={c["id"]: Channel(c["id"], c["name"], frozenset(c["classifications"])) for c in data["channels"]},
        record_sequence_width=numbering["record_sequence_width"],
        archive_prefix=numbering["archive_prefix"],
        archive_sequence_width=numbering["archive_sequence_width"],
    )
