"""policy.yaml, typed: the parts of the enterprise's rules that code reads."""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def archive_role(self) -> str:
        """The role whose holders archive records (档案管理员)."""
        return str(self.data.get("archiving", {}).get("role", "archivist"))

    @property
    def escalation_chain(self) -> list[str]:
        """The roles an overdue stage is escalated up, lowest first."""
        return list(self.data.get("escalation", {}).get("chain", ESCALATION_CHAIN))

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
