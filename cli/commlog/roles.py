"""Who holds the approval roles, and where the contacts leave a role the procedure needs without a holder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commlog.policy import Policy
from commlog.workflow import ROLE_NAMES

ALWAYS_NEEDED = ("general_manager", "legal")
"""Roles the procedure names whatever the approval matrix says: 总经理 and 法务."""


def active(staff: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The staff members on the staff now (status active)."""
    return {pid: p for pid, p in staff.items() if p.get("status") == "active"}


def heads_of(department: str, staff: dict[str, dict[str, Any]]) -> list[str]:
    """Active staff ids holding dept_head in ``department``."""
    return sorted(pid for pid, p in active(staff).items() if p["department"] == department and _has(p, "dept_head"))


def leaders_of(division: str, staff: dict[str, dict[str, Any]], policy: Policy) -> list[str]:
    """Active staff ids holding division_leader whose own department is in ``division``."""
    return sorted(
        pid
        for pid, p in active(staff).items()
        if _has(p, "division_leader") and (d := policy.departments.get(p["department"])) and d.division == division
    )


def holders_for(role: str, department: str, staff: dict[str, dict[str, Any]], policy: Policy) -> list[str]:
    """Active staff ids who may give ``role``'s approval to a record of ``department``."""
    if role == "dept_head":
        return heads_of(department, staff)
    if role == "division_leader":
        own = policy.departments.get(department)
        return leaders_of(own.division, staff, policy) if own else []
    return sorted(pid for pid, p in active(staff).items() if _has(p, role))


def _has(person: dict[str, Any], role: str) -> bool:
    return role in person.get("roles", [])


@dataclass(frozen=True)
class Gap:
    """A role the procedure needs that the contacts leave without a holder (or with too many)."""

    kind: str
    """dept_head (a department without exactly one head), division_leader, role (GM or legal), matrix."""
    where: tuple[object, ...]
    """The field of policy.yaml the gap is about (``("departments", 3)``)."""
    message: str
    hint: str


def role_gaps(policy: Policy, staff: dict[str, dict[str, Any]]) -> list[Gap]:
    """Every department with no head or more than one, every division without a leader, a general manager or legal
    counsel missing, and each approval the matrix may require of a department that no one on the staff can give."""
    gaps: list[Gap] = []
    data = policy.data
    for index, dept in enumerate(data["departments"]):
        heads = heads_of(dept["name"], staff)
        if len(heads) != 1:
            said = "没有在职的部门负责人" if not heads else f"有 {len(heads)} 名部门负责人（{'、'.join(heads)}）"
            hint = "只给本部门一名在职人员 roles: [dept_head]"
            gaps.append(Gap("dept_head", ("departments", index), f"{dept['name']}{said}", hint))
    for index, division in enumerate(data["divisions"]):
        if not leaders_of(division["id"], staff, policy):
            gaps.append(
                Gap(
                    "division_leader",
                    ("divisions", index),
                    f"{division['name']}（{division['id']}）没有在职的分管领导",
                    "给其下属部门的一名在职人员 roles: [division_leader]",
                )
            )
    for role in ALWAYS_NEEDED:
        if not holders_for(role, "", staff, policy):
            gaps.append(
                Gap(
                    "role",
                    (),
                    f"没有在职人员担任{ROLE_NAMES[role]}（{role}）",
                    f"在担任者的 roles 中加上 {role}",
                )
            )
    for index, entry in enumerate(data["approvals"]):
        for role in entry["roles"]:
            if role in ("dept_head", "division_leader") or role in ALWAYS_NEEDED:
                continue  # reported above, per department, division or once
            if not holders_for(role, "", staff, policy):
                gaps.append(
                    Gap(
                        "matrix",
                        ("approvals", index, "roles"),
                        f"审批矩阵要求{ROLE_NAMES.get(role, role)}（{role}）审批，但没有在职人员担任",
                        f"在担任者的 roles 中加上 {role}，或修改审批矩阵",
                    )
                )
    return gaps
