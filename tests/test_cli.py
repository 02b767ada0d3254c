"""The commands as a user runs them: exit codes, output, files left as they were."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from commlog.cache import folder as cache_folder

from conftest import ROOT, run_commlog


def test_demo_validates_clean() -> None:
    result = run_commlog("validate")
    assert result.returncode == 0, result.stdout
    assert "all valid" in result.stdout


def test_json_output_parses() -> None:
    result = run_commlog("validate", "--format", "json")
    report = json.loads(result.stdout)
    assert report["checked"] > 100 and report["findings"] == []


def test_text_finding_points_at_line(demo_repo: Path) -> None:
    record = demo_repo / "records/2024/NX-2024-001.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("urgency: urgent", "urgency: 紧急"), encoding="utf-8")
    result = run_commlog("validate", cwd=demo_repo / "records")
    assert result.returncode == 1
    assert (
        "records/2024/NX-2024-001.yaml:10:10: schema-enum: urgency (紧急程度): '紧急' is not allowed" in result.stdout
    )
    assert "1 finding(s) in 1 of" in result.stdout
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    outside = run_commlog("validate", cwd=tmp_path)
    assert outside.returncode == 2 and "no policy.yaml" in outside.stderr and "Traceback" not in outside.stderr
    missing = run_commlog("validate", "records/2024/NOPE.yaml")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    other = run_commlog("validate", "mkdocs.yml")
    assert other.returncode == 2 and "not a record, contact or policy file" in other.stderr


def test_fmt_check_on_demo_is_clean() -> None:
    result = run_commlog("fmt", "--check")
    assert result.returncode == 0, result.stdout


def test_fmt_rewrites_and_leaves_broken_files_alone(demo_repo: Path) -> None:
    record = demo_repo / "records/2024/NB-2024-056.yaml"
    canonical = record.read_text(encoding="utf-8")
    messy = canonical.replace("urgency: normal\n", "").replace(
        "kind: message\n", "kind: message\nurgency:   'normal'\n"
    )
    record.write_text(messy, encoding="utf-8")
    broken = demo_repo / "records/2024/NJ-2024-032.yaml"
    broken_text = broken.read_text(encoding="utf-8") + "urgency: again\n"
    broken.write_text(broken_text, encoding="utf-8")

    check = run_commlog("fmt", "--check", "--repo", str(demo_repo))
    assert check.returncode == 1
    assert "records/2024/NB-2024-056.yaml: not in canonical form" in check.stdout
    assert "yaml-duplicate-key" in check.stdout
    assert record.read_text(encoding="utf-8") == messy

    run_commlog("fmt", "--repo", str(demo_repo))
    assert record.read_text(encoding="utf-8") == canonical
    assert broken.read_text(encoding="utf-8") == broken_text


def test_init_makes_a_clean_git_repository(tmp_path: Path) -> None:
    target = tmp_path / "acme"
    result = run_commlog("init", str(target), "--organisation", "示例科技")
    assert result.returncode == 0, result.stderr
    assert (target / ".git").is_dir() and (target / ".github/workflows/commlog.yml").is_file()
    assert "示例科技" in (target / "README.md").read_text(encoding="utf-8")
    assert run_commlog("validate", cwd=target).returncode == 0
    assert run_commlog("fmt", "--check", cwd=target).returncode == 0
    again = run_commlog("init", str(target))
    assert again.returncode == 2 and "not an empty folder" in again.stderr


def test_generate_is_valid_and_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run_commlog("demo", "generate", "--records", "300", "--seed", "7", str(tmp_path / name)).returncode == 0
    first = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert len([p for p in first if p.parts[0] == "records"]) == 300
    for relative in first:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()
    result = run_commlog("validate", "--repo", str(tmp_path / "a"))
    assert result.returncode == 0, result.stdout[-2000:]
    other = run_commlog("demo", "generate", "--records", "300", "--seed", "8", str(tmp_path / "c"))
    assert other.returncode == 0

    def records_of(name: str) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (tmp_path / name).glob("records/*/*.yaml")}

    assert records_of("c") != records_of("a")


def test_generate_a_settled_register(tmp_path: Path) -> None:
    """--open-share archives the rest, with every task, action item and request ended: few clocks stay open."""
    target = tmp_path / "settled"
    assert run_commlog("demo", "generate", "--records", "400", "--open-share", "0.02", str(target)).returncode == 0
    result = run_commlog("validate", "--repo", str(target))
    assert result.returncode == 0, result.stdout[-2000:]
    texts = [p.read_text(encoding="utf-8") for p in target.glob("records/*/*.yaml")]
    archived = sum(1 for t in texts if "type: archived" in t)
    assert archived >= 0.95 * len(texts)
    report = run_commlog("overdue", "--as-of", "2026-11-20 17:00", "--format", "json", "--repo", str(target))
    items = json.loads(report.stdout)["items"]
    assert 0 < len(items) <= 0.05 * len(texts)


def test_help_has_examples() -> None:
    for command in (["validate"], ["fmt"], ["init"], ["demo", "generate"]):
        result = run_commlog(*command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout


def test_demo_has_the_register_rows() -> None:
    for record_id in ("NX-2024-001", "NB-2024-056", "NJ-2024-032"):
        assert (ROOT / "records/2024" / f"{record_id}.yaml").is_file()
    assert shutil.which("git")


def test_cache_answers_unchanged_and_misses_on_change(demo_repo: Path) -> None:
    cold = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
    assert (cache_folder(demo_repo) / "index.sqlite").is_file()
    assert not (demo_repo / ".commlog-cache").exists()  # never in the work tree
    warm = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
    assert warm.stdout == cold.stdout and warm.returncode == 0
    record = demo_repo / "records/2025/NX-2025-001.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("kind: message", "kind: memo"), encoding="utf-8")
    changed = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
    assert changed.returncode == 1
    assert [f["rule"] for f in json.loads(changed.stdout)["findings"]] == ["schema-enum"]
    assert run_commlog("validate", "--no-cache", "--repo", str(demo_repo)).returncode == 1


def test_changed_files_alone_are_read_again(demo_repo: Path) -> None:
    """After an edit, unchanged files come from the per-file cache; the result equals a run without caches."""
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0
    assert (cache_folder(demo_repo) / "index.sqlite").is_file()
    broken = demo_repo / "records/2024/NB-2024-056.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("urgency: normal", "urgency: 普通"), encoding="utf-8")
    first = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
    other = demo_repo / "contacts/internal/ye-qing.yaml"
    other.write_text(
        other.read_text(encoding="utf-8").replace("department: 市场部", "department: 营销部"), encoding="utf-8"
    )
    second = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
    fresh = run_commlog("validate", "--format", "json", "--no-cache", "--repo", str(demo_repo))
    assert second.stdout == fresh.stdout
    rules = [(f["path"], f["rule"], f["line"]) for f in json.loads(second.stdout)["findings"]]
    assert ("records/2024/NB-2024-056.yaml", "schema-enum", 10) in rules  # kept from the cache, with its line
    assert ("contacts/internal/ye-qing.yaml", "unknown-department", 4) in rules
    assert json.loads(first.stdout)["findings"][0]["rule"] == "schema-enum"


def test_reports_count_invalid_files_and_strict_fails_on_them(demo_repo: Path) -> None:
    broken = demo_repo / "records/2026/NX-2026-002.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("urgency: normal", "urgency: soon"), "utf-8")
    plain = run_commlog("overdue", "--repo", str(demo_repo), "--as-of", "2026-11-20 17:00")
    assert plain.returncode == 0 and "1 invalid file(s) left out; run `commlog validate`" in plain.stderr
    strict = run_commlog("overdue", "--repo", str(demo_repo), "--as-of", "2026-11-20 17:00", "--strict")
    assert strict.returncode == 1 and "1 invalid file(s) left out" in strict.stderr
    (demo_repo / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(ROOT / "site", demo_repo / "site")
    out = demo_repo.parent / "out"
    built = run_commlog("site", "build", "--repo", str(demo_repo), "--output", str(out), "--strict")
    assert built.returncode == 1 and "1 invalid file(s) left out of the site" in built.stderr
    assert (out / "index.html").is_file()
