"""`commlog codeowners`: who owns what, read back the way each forge reads the file.

GitHub's and GitLab's reading (gitignore-style patterns, the last match deciding) is judged by the
`codeowners` package, a port of GitHub's matcher; Gitea's and Forgejo's (each pattern a regular
expression over the whole path, every matching line adding its owners, the leading `/` stripped by
newer versions) by Python's `re`, whose syntax agrees with Go's for these patterns.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from codeowners import CodeOwners

from conftest import run_commlog

PATHS = {
    "records/2024/NX-2024-001.yaml": "NX",
    "records/2024/NX-2024-001/邮件截图.png": "NX",
    "records/2026/NB-2026-003.yaml": "NB",
    "records/2026/NB-2026-003/NX-对照表.xlsx": "NB",  # an attachment named like another department's record
    "contacts/internal/wang-fang.yaml": "admin",
    "contacts/external/customer-a.yaml": "admin",
    "policy.yaml": "admin",
    "schemas/record.schema.json": "admin",
    "CODEOWNERS": "admin",
    ".commlog/commlog-0.1.0-py3-none-any.whl": "admin",
    ".commlog/allowed_signers": "admin",
    ".github/workflows/commlog.yml": "admin",
    ".gitea/workflows/commlog.yml": "admin",
    ".gitlab-ci.yml": "admin",
    ".pre-commit-config.yaml": "admin",
    "mkdocs.yml": "admin",
    "site/ci.md": "admin",
}
OWNER = {"NX": "@wangfang", "NB": "deng.gang@hengtai.example", "admin": "@ma-chao"}
GITEA_OWNER = {"NX": ["@wangfang"], "NB": [], "admin": ["@ma-chao"]}  # deng-gang has no forge_user


def gitea_owners(text: str, path: str, strip_slash: bool) -> list[str]:
    owners: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *handles = line.split()
        if strip_slash:
            pattern = pattern.removeprefix("/")
        try:
            matched = re.fullmatch(pattern, path)
        except re.error:  # Gitea skips the line with a warning
            continue
        if matched:
            owners += [h for h in handles if h not in owners]
    return owners


@pytest.fixture
def written(demo_repo: Path) -> str:
    result = run_commlog("codeowners", "--repo", str(demo_repo))
    assert result.returncode == 0, result.stderr
    assert "8 department(s), 1 administrator(s)" in result.stdout
    return (demo_repo / "CODEOWNERS").read_text(encoding="utf-8")


def test_github_and_gitlab_read_each_department_to_its_head(written: str) -> None:
    owners = CodeOwners(written)
    for path, who in PATHS.items():
        assert [handle for _, handle in owners.of(path)] == [OWNER[who]], path


@pytest.mark.parametrize("strip_slash", [False, True], ids=["gitea-1.21", "gitea-newer"])
def test_gitea_reads_the_same_owners(written: str, strip_slash: bool) -> None:
    for path, who in PATHS.items():
        assert gitea_owners(written, path, strip_slash) == GITEA_OWNER[who], path


def test_gitea_part_never_decides_on_github(written: str) -> None:
    """Read alone as GitHub reads it, Gitea's part owns no record: the `*` after it overrules the rest."""
    gitea_part = written.split("# Part 2")[0]
    owners = CodeOwners(gitea_part)
    for path, who in PATHS.items():
        if who != "admin":
            assert owners.of(path) == [], path
    assert written.split("# Part 2: GitHub and GitLab\n")[1].startswith("*  ")


def test_departed_heads_and_roles(demo_repo: Path) -> None:
    head = demo_repo / "contacts/internal/deng-gang.yaml"
    head.write_text(
        head.read_text(encoding="utf-8").replace("status: active", "status: departed\ndeparted: 2026-10-31"), "utf-8"
    )
    admin = demo_repo / "contacts/internal/ma-chao.yaml"
    admin.write_text(admin.read_text(encoding="utf-8").replace("roles: [admin]\n", ""), "utf-8")
    assert run_commlog("codeowners", "--repo", str(demo_repo)).returncode == 0
    text = (demo_repo / "CODEOWNERS").read_text(encoding="utf-8")
    assert "deng.gang" not in text and "生产部 (NB) has no head: the `*` line decides" in text
    assert "No active contact has roles: [admin]" in text
    assert CodeOwners(text).of("records/2026/NB-2026-003.yaml") == []
    assert CodeOwners(text).of("records/2024/NX-2024-001.yaml") == [("USERNAME", "@wangfang")]


def test_check_fails_while_stale_and_names_the_fix(demo_repo: Path) -> None:
    missing = run_commlog("codeowners", "--check", "--repo", str(demo_repo))
    assert missing.returncode == 1 and "CODEOWNERS is stale: run `commlog codeowners`" in missing.stdout
    assert not (demo_repo / "CODEOWNERS").exists()
    assert run_commlog("codeowners", "--repo", str(demo_repo)).returncode == 0
    assert run_commlog("codeowners", "--check", "--repo", str(demo_repo)).returncode == 0
    head = demo_repo / "contacts/internal/qian-hong.yaml"
    head.write_text(head.read_text(encoding="utf-8").replace("email: ", "forge_user: qianhong\nemail: "), "utf-8")
    stale = run_commlog("codeowners", "--check", "--repo", str(demo_repo))
    assert stale.returncode == 1
    assert "-/records/*/CW-*   qian.hong@hengtai.example" in stale.stdout
    assert "+/records/*/CW-*   @qianhong" in stale.stdout
    again = run_commlog("codeowners", "--repo", str(demo_repo))
    assert again.returncode == 0 and "written" in again.stdout
    assert "is current" in run_commlog("codeowners", "--repo", str(demo_repo)).stdout


def test_output_elsewhere_and_unreadable_contacts(demo_repo: Path, tmp_path: Path) -> None:
    (demo_repo / "contacts/internal/broken.yaml").write_text("id: [\n", encoding="utf-8")
    target = tmp_path / "owners.txt"
    result = run_commlog("codeowners", "--output", str(target), "--repo", str(demo_repo))
    assert result.returncode == 0 and target.is_file()
    assert "contacts/internal/broken.yaml cannot be read" in result.stderr
    (demo_repo / "policy.yaml").write_text("departments: [\n", encoding="utf-8")
    bad = run_commlog("codeowners", "--repo", str(demo_repo))
    assert bad.returncode == 2 and "cannot read policy.yaml" in bad.stderr


def test_forge_user_is_checked_by_the_schema(demo_repo: Path) -> None:
    person = demo_repo / "contacts/internal/wang-fang.yaml"
    person.write_text(
        person.read_text(encoding="utf-8").replace("forge_user: wangfang", "forge_user: '@wangfang'"), "utf-8"
    )
    result = run_commlog("validate", "--repo", str(demo_repo))
    assert result.returncode == 1 and "forge_user" in result.stdout
