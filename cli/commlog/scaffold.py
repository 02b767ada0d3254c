"""``commlog init``: a new, empty records repository that validates clean."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from commlog import repository
from commlog.codeowners import FILE, generate
from commlog.distribution import keep
from commlog.history import init_repository
from commlog.resources import data_path, template_path

CI_FILES = {
    ".github/workflows/commlog.yml": "github.yml",
    ".gitea/workflows/commlog.yml": "gitea.yml",
    ".gitlab-ci.yml": "gitlab-ci.yml",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
}
"""The CI and hook files a new repository gets (path in the repository: template), for GitHub,
Gitea/Forgejo and GitLab alike: each forge reads its own and ignores the others'."""


class ScaffoldError(Exception):
    """The target folder cannot take a new repository."""


def create(target: Path, organisation: str = "本公司", init_git: bool = True) -> None:
    """Write schemas, policy, CI, CODEOWNERS, the kept commlog wheel and empty records/contacts folders
    into a new or empty ``target``."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} exists and is not an empty folder")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data_path("schemas"), target / "schemas")
    _write_policy(target / repository.POLICY)
    shutil.copytree(data_path("site"), target / "site")
    site_config = data_path("mkdocs.yml").read_text(encoding="utf-8")
    site_name = f"site_name: {json.dumps(organisation + ' 信息交流档案', ensure_ascii=False)}"
    (target / "mkdocs.yml").write_text(
        re.sub(r"^site_name: .*$", lambda _: site_name, site_config, count=1, flags=re.M), encoding="utf-8"
    )
    for folder in (repository.RECORDS, repository.INTERNAL, repository.EXTERNAL):
        (target / folder).mkdir(parents=True)
        (target / folder / ".gitkeep").write_text("")
    readme = template_path("README.md").read_text(encoding="utf-8")
    (target / "README.md").write_text(readme.replace("{organisation}", organisation), encoding="utf-8")
    write_ci_files(target)
    keep(target)
    (target / FILE).write_text(generate(target)[0], encoding="utf-8")
    (target / ".gitignore").write_text(GITIGNORE)
    if init_git:
        init_repository(target)


GITIGNORE = ".venv/\n/site-build/\n/site-*/\n/overdue.md\n/pr-summary.md\n*.commlog-dispose\n"
"""The new repository's .gitignore: tool output, and what an interrupted ``commlog dispose`` leaves aside."""


def write_ci_files(target: Path) -> list[str]:
    """Write the shipped CI and hook files into ``target``; the paths whose content changed."""
    changed = []
    for relative, template in CI_FILES.items():
        path = target / relative
        text = template_path(template).read_text(encoding="utf-8")
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(relative)
    return changed


def stale_ci_files(target: Path) -> list[str]:
    """The CI and hook files that differ from the running commlog's (or are missing)."""
    return [
        relative
        for relative, template in CI_FILES.items()
        if not (target / relative).is_file()
        or (target / relative).read_text(encoding="utf-8") != template_path(template).read_text(encoding="utf-8")
    ]


def refresh_schemas(target: Path) -> list[str]:
    """Make ``schemas/`` the running commlog's schemas (the copy editors read); the files changed."""
    changed = []
    folder = target / "schemas"
    folder.mkdir(exist_ok=True)
    for source in sorted(data_path("schemas").glob("*.json")):
        path = folder / source.name
        if not path.is_file() or path.read_bytes() != source.read_bytes():
            shutil.copyfile(source, path)
            changed.append(f"schemas/{source.name}")
    return changed


def _write_policy(path: Path) -> None:
    """The shipped policy without its delegates: those name the demo's people, not the new organisation's."""
    from commlog.fmt import canonical_text
    from commlog.load import parse
    from commlog.schema import Schemas

    policy = parse(data_path("policy.yaml").read_text(encoding="utf-8"))
    policy.pop("delegates", None)
    if "sensitive_data" in policy:
        policy["sensitive_data"]["own_domains"] = []  # the demo's domain is not the new organisation's
    path.write_text(canonical_text(Schemas(data_path("schemas")), repository.POLICY, policy), encoding="utf-8")
