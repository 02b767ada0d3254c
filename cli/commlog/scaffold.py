"""``commlog init``: a new, empty records repository that validates clean."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from commlog import repository
from commlog.history import init_repository
from commlog.resources import data_path, template_path


class ScaffoldError(Exception):
    """The target folder cannot take a new repository."""


def create(target: Path, organisation: str = "本公司", init_git: bool = True) -> None:
    """Write schemas, policy, CI and empty records/contacts folders into a new or empty ``target``."""
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
    (target / ".github" / "workflows").mkdir(parents=True)
    shutil.copyfile(template_path("workflow.yml"), target / ".github" / "workflows" / "commlog.yml")
    (target / ".gitignore").write_text(".venv/\n/site-build/\n")
    if init_git:
        init_repository(target)


def _write_policy(path: Path) -> None:
    """The shipped policy without its delegates: those name the demo's people, not the new organisation's."""
    from commlog.fmt import canonical_text
    from commlog.load import parse
    from commlog.schema import Schemas

    policy = parse(data_path("policy.yaml").read_text(encoding="utf-8"))
    policy.pop("delegates", None)
    path.write_text(canonical_text(Schemas(data_path("schemas")), repository.POLICY, policy), encoding="utf-8")
