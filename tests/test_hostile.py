"""Hostile and careless input: every class of bad file gets a finding, never a traceback, never silence.

One repository holds every kind of bad file at once (each in its own record file), and
validate, fmt, due, overdue and site build run over it as a user runs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from commlog.cache import folder as cache_folder

from conftest import ROOT, copy_demo, run_commlog, same_size_edit
from sitebuild import AS_OF

GOOD = "records/2024/NX-2024-001.yaml"
DEEP_FLOW = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)) + "\n"

# name -> (file content, the rule it must produce); each becomes records/2026/<name>.yaml
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "HX-2026-001": (b"id: HX-2026-001\nsubject: a\x00b\n", "yaml-control-character"),
    "HX-2026-002": (b"id: HX-2026-002\nsubject: \x1b[31mred\n", "yaml-control-character"),
    "HX-2026-003": ("id: HX-2026-003\nsubject: a\u0085b\n".encode(), "yaml-control-character"),
    "HX-2026-004": (b"id: HX-2026-004\nsubject: a\rb\n", "yaml-control-character"),
    "HX-2026-005": ("id: HX-2026-005\nsubject: a\u2028b\n".encode(), "yaml-control-character"),
    "HX-2026-006": (b'id: HX-2026-006\nsubject: "=cmd\\r|calc"\n', "yaml-control-character"),
    "HX-2026-007": (DEEP_FLOW.encode(), "yaml-too-deep"),
    "HX-2026-008": (DEEP_BLOCK.encode(), "yaml-too-deep"),
    "HX-2026-009": (b"id: HX-2026-009\namount: " + b"9" * 5000 + b"\n", "yaml-number"),
    "HX-2026-010": (b"a: [" + b"1, " * 100_000 + b"1]\n", "yaml-too-large"),
    "HX-2026-011": (b"\xef\xbb\xbfid: HX-2026-011\n", "yaml-bom"),
    "HX-2026-012": ("id: HX-2026-012\n".encode("utf-16"), "yaml-encoding"),
    "HX-2026-013": (b"id: HX-2026-013\n\tsubject: x\n", "yaml-tab"),
    "HX-2026-014": (b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "yaml-anchor"),
    "HX-2026-015": (b"id: HX-2026-015\nid: HX-2026-015\n", "yaml-duplicate-key"),
    "HX-2026-016": (b"id: HX-2026-016\nsubject: \xff\n", "yaml-encoding"),
    "HX-2026-017": ("id: HX-2026-017\nsubject: x\n\u3000remarks: y\n".encode(), "yaml-ideographic-space"),
    "HX-2026-018": (b"id: !!python/object:os.system x\n", "yaml-tag"),
}


def _special_files(repo: Path, outside: Path) -> dict[str, str]:
    """Links and special files where records belong; path -> the rule each must produce."""
    year = repo / "records/2026"
    (year / "HX-2026-101.yaml").symlink_to(year / "no-such-file.yaml")
    (year / "HX-2026-102.yaml").symlink_to(year / "HX-2026-102.yaml")
    (year / "HX-2026-103.yaml").symlink_to("/dev/zero")
    (outside / "NX-2026-104.yaml").write_text((repo / GOOD).read_text(encoding="utf-8"), encoding="utf-8")
    (year / "HX-2026-104.yaml").symlink_to(outside / "NX-2026-104.yaml")
    (year / "HX-2026-105.yaml").mkdir()
    os.mkfifo(year / "HX-2026-106.yaml")
    (repo / "contacts/internal/hx-link.yaml").symlink_to(repo / "contacts/internal/zhang-wei.yaml")
    record = repo / "records/2025/NX-2025-001.yaml"
    record.unlink()
    record.mkdir()  # a record replaced by a folder
    return {
        "records/2026/HX-2026-101.yaml": "file-symlink",
        "records/2026/HX-2026-102.yaml": "file-symlink",
        "records/2026/HX-2026-103.yaml": "file-symlink",
        "records/2026/HX-2026-104.yaml": "file-symlink",
        "records/2026/HX-2026-105.yaml": "file-not-regular",
        "records/2026/HX-2026-106.yaml": "file-not-regular",
        "contacts/internal/hx-link.yaml": "file-symlink",
        "records/2025/NX-2025-001.yaml": "file-not-regular",
    }


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("hostile")
    repo = copy_demo(base / "repo", with_site=True)
    outside = base / "outside"
    outside.mkdir()
    expected = _special_files(repo, outside)
    for name, (content, rule) in BAD_FILES.items():
        (repo / f"records/2026/{name}.yaml").write_bytes(content)
        expected[f"records/2026/{name}.yaml"] = rule
    return repo, expected


def copy_site_sources(repo: Path) -> None:
    shutil.copytree(ROOT / "site", repo / "site")
    shutil.copyfile(ROOT / "mkdocs.yml", repo / "mkdocs.yml")


def _no_traceback(result: object) -> None:
    text = result.stdout + result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in text and "Error:" not in result.stdout, text[-3000:]  # type: ignore[attr-defined]


def test_validate_reports_every_bad_file(hostile_repo: tuple[Path, dict[str, str]]) -> None:
    repo, expected = hostile_repo
    for flags in ((), ("--no-cache",), ()):  # the second plain run answers from the cache
        result = run_commlog("validate", "--repo", str(repo), "--format", "json", *flags)
        _no_traceback(result)
        assert result.returncode == 1
        found = {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
        missing = sorted((path, rule) for path, rule in expected.items() if (path, rule) not in found)
        assert missing == [], missing


def test_text_findings_name_path_line_and_column(hostile_repo: tuple[Path, dict[str, str]]) -> None:
    repo, _ = hostile_repo
    result = run_commlog("validate", "--repo", str(repo))
    assert "records/2026/HX-2026-001.yaml:2:11: yaml-control-character: character U+0000 (NUL)" in result.stdout
    assert "records/2026/HX-2026-007.yaml:1:" in result.stdout and "nested more than" in result.stdout


def test_other_commands_survive_the_bad_files(hostile_repo: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = hostile_repo
    before = {
        p: p.read_bytes() for p in (repo / "records/2026").glob("HX-*.yaml") if p.is_file() and not p.is_symlink()
    }
    fmt = run_commlog("fmt", "--repo", str(repo))
    _no_traceback(fmt)
    assert fmt.returncode == 1
    assert {p: p.read_bytes() for p in before} == before  # fmt leaves what it cannot read alone
    assert (repo / "records/2026/HX-2026-101.yaml").is_symlink()
    for args, code in (
        (("due", "HX-2026-001"), 2),  # not a valid record: a usage error naming it
        (("due", "NX-2024-001"), 0),
        (("overdue",), 0),
        (("overdue", "--format", "md"), 0),
    ):
        result = run_commlog(*args, "--repo", str(repo), "--as-of", AS_OF)
        _no_traceback(result)
        assert result.returncode == code, (args, result.stderr)
    site = run_commlog("site", "build", "--repo", str(repo), "--as-of", AS_OF, "--output", str(tmp_path / "out"))
    assert "Traceback" not in site.stdout + site.stderr
    assert site.returncode == 0 and "invalid file(s) left out" in site.stderr


INDEX = "index.sqlite"


def _damage_with_garbage(db: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))


def _damage_by_truncating(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _foreign_tables(db: Path) -> None:
    db.unlink()
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        other.execute("CREATE TABLE result (key TEXT, value TEXT)")


def _another_repository(db: Path) -> None:
    """An index copied from another repository's cache folder: it says so in its meta table."""
    with sqlite3.connect(db) as other:
        other.execute("UPDATE meta SET value = '/somewhere/else' WHERE key = 'root'")


def _older_code(db: Path) -> None:
    with sqlite3.connect(db) as other:
        other.execute("UPDATE meta SET value = 'older' WHERE key = 'code'")


def _forged_answers(db: Path) -> None:
    """Entries the code did not write: every file valid, no findings (only a foreign index could say this)."""
    with sqlite3.connect(db) as other:
        other.execute("UPDATE judged SET ok = 1, findings = '[]'")
        other.execute('UPDATE result SET value = \'{"checked": 1, "records": 1, "findings": []}\'')
        other.execute("UPDATE meta SET value = 'older' WHERE key = 'code'")


@pytest.mark.parametrize(
    "damage",
    [
        lambda db: db.write_bytes(b""),
        lambda db: db.write_text("{not a database", encoding="utf-8"),
        _damage_with_garbage,
        _damage_by_truncating,
        _foreign_tables,
        _another_repository,
        _older_code,
        _forged_answers,
    ],
)
def test_a_damaged_or_foreign_index_is_rebuilt(demo_repo: Path, damage: Callable[[Path], None]) -> None:
    """Each gives the findings a run without the index gives, and leaves an index that works."""
    record = demo_repo / GOOD
    record.write_text(record.read_text(encoding="utf-8").replace("urgency: urgent", "urgency: 紧急"), encoding="utf-8")
    fresh = run_commlog("validate", "--format", "json", "--no-cache", "--repo", str(demo_repo))
    assert fresh.returncode == 1
    run_commlog("validate", "--repo", str(demo_repo))
    db = cache_folder(demo_repo) / INDEX
    assert db.is_file()
    damage(db)
    for _ in range(2):  # the run that finds the damage, and the one after it
        result = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
        _no_traceback(result)
        assert result.stdout == fresh.stdout
    report = run_commlog("overdue", "--format", "json", "--as-of", AS_OF, "--repo", str(demo_repo))
    assert (
        report.stdout
        == run_commlog("overdue", "--format", "json", "--as-of", AS_OF, "--no-cache", "--repo", str(demo_repo)).stdout
    )


def test_damaged_index_entries_are_judged_again(demo_repo: Path) -> None:
    run_commlog("validate", "--repo", str(demo_repo))
    run_commlog("overdue", "--as-of", "2027-03-01 09:00", "--repo", str(demo_repo))  # derives every record
    with sqlite3.connect(cache_folder(demo_repo) / INDEX) as db:
        assert db.execute("SELECT count(*) FROM open_stage").fetchone()[0] > 0
        db.execute("""UPDATE judged SET findings = '[{"no": "such field"}]', data = '[1, 2'""")
        db.execute("UPDATE derived SET value = '{\"stages\": 7}'")
        db.execute("UPDATE open_stage SET start = 'soon', pending = '[1'")
        db.execute("DELETE FROM result")
    result = run_commlog("validate", "--repo", str(demo_repo))
    _no_traceback(result)
    assert result.returncode == 0
    for moment in (AS_OF, "2027-03-01 09:00"):
        args = ("overdue", "--format", "json", "--as-of", moment, "--repo", str(demo_repo))
        assert run_commlog(*args).stdout == run_commlog(*args, "--no-cache").stdout


def test_a_cache_in_the_work_tree_is_never_read(demo_repo: Path) -> None:
    """A cache that came with the checkout (committed by a pull request) must not vouch for anything."""
    record = demo_repo / GOOD
    record.write_text(record.read_text(encoding="utf-8").replace("urgency: urgent", "urgency: 紧急"), encoding="utf-8")
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 1
    planted = demo_repo / ".commlog-cache"
    shutil.copytree(cache_folder(demo_repo), planted)
    with sqlite3.connect(planted / INDEX) as db:
        db.execute("UPDATE judged SET ok = 1, findings = '[]'")
        db.execute('UPDATE result SET value = \'{"checked": 1, "records": 1, "findings": []}\'')
    shutil.rmtree(cache_folder(demo_repo))
    copy = demo_repo.parent / "clone"
    shutil.copytree(demo_repo, copy, symlinks=True)
    result = run_commlog("validate", "--repo", str(copy))
    assert result.returncode == 1 and "schema-enum" in result.stdout


def test_cache_never_answers_for_changed_content(demo_repo: Path) -> None:
    record = demo_repo / GOOD
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0  # warm
    same_size_edit(record, "urgency: urgent", "urgency: urgenx")
    result = run_commlog("validate", "--repo", str(demo_repo))
    assert result.returncode == 1 and "schema-enum" in result.stdout, result.stdout


def test_reclassified_record_leaves_the_public_site_at_once(demo_repo: Path) -> None:
    from commlog.asof import moment
    from commlog.site.model import build_model

    record = demo_repo / "records/2024/XZ-2024-001.yaml"
    as_of = moment(demo_repo, AS_OF)
    assert "XZ-2024-001" in build_model(demo_repo, "public", as_of).records  # fills the cache
    same_size_edit(record, "classification: public", "classification: secret")
    assert "XZ-2024-001" not in build_model(demo_repo, "public", as_of).records


def test_a_repository_without_records_says_so(tmp_path: Path) -> None:
    assert run_commlog("init", str(tmp_path / "new")).returncode == 0
    result = run_commlog("validate", "--repo", str(tmp_path / "new"))
    assert result.returncode == 0 and "no records at all" in result.stdout and "all valid" not in result.stdout
    report = json.loads(run_commlog("validate", "--repo", str(tmp_path / "new"), "--format", "json").stdout)
    assert report["records"] == 0
    broken = tmp_path / "new/records/2026/NX-2026-001.yaml"
    broken.parent.mkdir()
    broken.write_text("id: [\n")  # a record that does not parse is still a record
    result = run_commlog("validate", "--repo", str(tmp_path / "new"))
    assert result.returncode == 1 and "no records" not in result.stdout


@pytest.mark.parametrize(
    "output",
    [
        lambda repo: repo / "records",
        lambda repo: repo / "contacts",
        lambda repo: repo / "records/2024",
        lambda repo: repo / "schemas",
        lambda repo: repo / "site",
        lambda repo: repo / ".git",
        lambda repo: repo,
        lambda repo: repo.parent,
        lambda repo: repo / "contacts/../records",
        lambda repo: repo.parent / "notes",  # a folder of someone's files
    ],
    ids=["records", "contacts", "a-year", "schemas", "site", "git", "repo", "parent", "dotdot", "non-empty-folder"],
)
def test_site_build_never_empties_the_repository(demo_repo: Path, output: Callable[[Path], Path]) -> None:
    copy_site_sources(demo_repo)
    (demo_repo / ".git").mkdir()
    notes = demo_repo.parent / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me")
    (demo_repo / "records/2026/draft.txt").write_text("uncommitted work")
    before = sorted(p.relative_to(demo_repo.parent) for p in demo_repo.parent.rglob("*"))
    result = run_commlog("site", "build", "--repo", str(demo_repo), "--output", str(output(demo_repo)))
    assert result.returncode == 2 and "choose a new or empty folder" in result.stderr, result.stderr
    assert sorted(p.relative_to(demo_repo.parent) for p in demo_repo.parent.rglob("*")) == before


def test_mkdocs_build_directly_refuses_a_site_dir_in_records(demo_repo: Path) -> None:
    import subprocess
    import sys

    copy_site_sources(demo_repo)
    config = (demo_repo / "mkdocs.yml").read_text(encoding="utf-8")
    (demo_repo / "mkdocs.yml").write_text(config.replace("site_dir: site-build", "site_dir: records"))
    count = len(list((demo_repo / "records").rglob("*.yaml")))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=demo_repo, capture_output=True, text=True)
    assert result.returncode != 0 and "set another site_dir" in result.stderr
    assert len(list((demo_repo / "records").rglob("*.yaml"))) == count


def test_fmt_keeps_mode_and_links_and_cleans_up(demo_repo: Path) -> None:
    record = demo_repo / "records/2024/NB-2024-056.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("urgency: normal", "urgency:   normal"))
    record.chmod(0o600)
    stale = record.with_name(f".{record.name}.tmp4242")  # left by a write killed before its rename
    stale.write_text("half")
    os.utime(stale, (0, 0))
    link = demo_repo / "records/2024/NB-2024-900.yaml"
    link.symlink_to(record)
    result = run_commlog("fmt", "--repo", str(demo_repo))
    assert "file-symlink" in result.stdout
    assert "urgency: normal" in record.read_text(encoding="utf-8")
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert link.is_symlink() and not stale.exists()
    assert not [p for p in record.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("id: NX-2024-001", 'id: "NX-2024-001\\n"', "schema-pattern"),
        ("from: {department: 市场部,", 'from: {department: "市场部\\n",', "schema-pattern"),
    ],
)
def test_a_final_new_line_does_not_slip_past_a_pattern(demo_repo: Path, old: str, new: str, rule: str) -> None:
    record = demo_repo / GOOD
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new), encoding="utf-8")
    result = run_commlog("validate", "--repo", str(demo_repo), "--format", "json")
    assert (GOOD, rule) in {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}, result.stdout


def test_full_width_spaces_after_colons_inside_quoted_text_are_text() -> None:
    """A long quoted value full of ':　' (each a match of the quick check) loads; the same outside quotes does not.

    The check used to rescan the line for every U+3000 (19 s for one 256 KiB line);
    its cost is measured by the benchmark, this test holds its verdicts.
    """
    from commlog.load import LoadError, parse

    value = "说明:\u3000" * 30_000
    assert parse(f'remarks: "{value}"\n') == {"remarks": value}
    with pytest.raises(LoadError, match="full-width space"):
        parse(f'remarks: "{value}"\nb:\u3000y\n')


@pytest.mark.parametrize("target", ["records/2024/NX-2024-001.yaml", "policy.yaml", "contacts/internal/zhang-wei.yaml"])
def test_a_report_never_replaces_the_data(demo_repo: Path, target: str) -> None:
    before = (demo_repo / target).read_bytes()
    result = run_commlog("overdue", "--repo", str(demo_repo), "--as-of", AS_OF, "--output", str(demo_repo / target))
    assert result.returncode == 2 and "write reports elsewhere" in result.stderr
    assert (demo_repo / target).read_bytes() == before


def test_a_link_named_on_the_command_line_is_judged_as_a_link(demo_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((demo_repo / GOOD).read_text(encoding="utf-8"), encoding="utf-8")
    link = demo_repo / "records/2026/NX-2026-950.yaml"
    link.symlink_to(outside)
    for command in ("validate", "fmt"):
        result = run_commlog(command, "--repo", str(demo_repo), str(link))
        _no_traceback(result)
        assert result.returncode == 1 and "file-symlink" in result.stdout, result.stdout + result.stderr
    assert link.is_symlink()


def test_a_time_with_a_final_new_line_is_not_a_time(demo_repo: Path) -> None:
    result = run_commlog("overdue", "--repo", str(demo_repo), "--as-of", "2026-11-20 17:00\n")
    assert result.returncode == 2 and "--as-of" in result.stderr


def test_a_date_outside_the_supported_years_is_a_finding(demo_repo: Path) -> None:
    record = demo_repo / "records/2025/NX-2025-004.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("start: 2025-03-05", "start: 9999-03-05", 1), encoding="utf-8")
    result = run_commlog("validate", "--repo", str(demo_repo), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert any(f["path"] == "records/2025/NX-2025-004.yaml" and "9999-03-05" in f["message"] for f in findings), (
        findings
    )
    for args in (("overdue",), ("due", "NX-2025-004")):
        _no_traceback(run_commlog(*args, "--repo", str(demo_repo), "--as-of", AS_OF))


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_links_in_the_site_sources_stop_the_build(demo_repo: Path, tmp_path: Path) -> None:
    copy_site_sources(demo_repo)
    (demo_repo / "site/passwd.txt").symlink_to("/etc/passwd")
    (demo_repo / "site/raw").symlink_to(demo_repo / "records")
    (demo_repo / "site/dump.commlog-tmp").symlink_to(demo_repo / "records")  # named like a temporary file
    (demo_repo / "records/2024/x.commlog-tmp").symlink_to("/etc/passwd")
    validate = run_commlog("validate", "--repo", str(demo_repo), "--format", "json")
    found = {(f["path"], f["rule"]) for f in json.loads(validate.stdout)["findings"]}
    assert {
        ("site/passwd.txt", "file-symlink"),
        ("site/raw", "file-symlink"),
        ("site/dump.commlog-tmp", "file-symlink"),
        ("records/2024/x.commlog-tmp", "file-symlink"),
    } <= found
    result = run_commlog("site", "build", "--repo", str(demo_repo), "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and "may not be published" in result.stderr, result.stderr
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name in ("passwd.txt", "raw", "dump.commlog-tmp")]


def test_the_records_are_never_the_site_sources(demo_repo: Path, tmp_path: Path) -> None:
    copy_site_sources(demo_repo)
    config = demo_repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("docs_dir: site", "docs_dir: records"))
    result = run_commlog("site", "build", "--repo", str(demo_repo), "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and "docs_dir" in result.stderr, result.stderr
    assert not list((tmp_path / "out").rglob("*.yaml"))


def test_a_link_in_an_earlier_build_leads_no_write_out_of_the_output(demo_repo: Path, tmp_path: Path) -> None:
    copy_site_sources(demo_repo)
    out = tmp_path / "out"
    assert (
        run_commlog("site", "build", "--repo", str(demo_repo), "--as-of", AS_OF, "--output", str(out)).returncode == 0
    )
    before = _tree(demo_repo)
    shutil.rmtree(out / "records")
    (out / "records").symlink_to(demo_repo / "records")
    (out / ".commlog-site").unlink()
    (out / ".commlog-site").symlink_to(demo_repo / "policy.yaml")
    policy = (demo_repo / "policy.yaml").read_bytes()
    result = run_commlog("site", "build", "--repo", str(demo_repo), "--as-of", AS_OF, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert _tree(demo_repo) == before and (demo_repo / "policy.yaml").read_bytes() == policy
    assert not (out / "records").is_symlink() and (out / "records/2024/NX-2024-001/index.html").is_file()


@pytest.mark.parametrize("target", ["/dev/null", "", "/no/such/folder/x.csv", "mkdocs.yml"])
def test_report_outputs_that_are_not_new_files(demo_repo: Path, target: str) -> None:
    copy_site_sources(demo_repo)
    config = (demo_repo / "mkdocs.yml").read_bytes()
    path = str(demo_repo / target) if target == "mkdocs.yml" else target
    result = run_commlog("overdue", "--repo", str(demo_repo), "--as-of", AS_OF, "--output", path, cwd=demo_repo)
    _no_traceback(result)
    if target == "/dev/null":
        assert result.returncode == 0 and Path("/dev/null").is_char_device()
    else:
        assert result.returncode == 2 and "--output" in result.stderr
    assert (demo_repo / "mkdocs.yml").read_bytes() == config
    assert not [p for p in demo_repo.iterdir() if "atomic" in p.name or p.name.endswith(".commlog-tmp")]


def test_a_removed_attachment_is_noticed_at_once(demo_repo: Path) -> None:
    record = demo_repo / GOOD
    _append_line(record, "attachments: [letter.pdf]")
    folder = record.with_suffix("")
    folder.mkdir()
    (folder / "letter.pdf").write_bytes(b"%PDF-1.4")
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0
    (folder / "letter.pdf").unlink()
    result = run_commlog("validate", "--repo", str(demo_repo))
    assert result.returncode == 1 and "attachment-missing" in result.stdout


def _append_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def test_fmt_takes_only_data_files_from_the_command_line(demo_repo: Path) -> None:
    folder = demo_repo / "records/2024/NX-2024-001"
    folder.mkdir()
    evidence = folder / "evidence.yaml"
    evidence.write_text("# a customer's file, kept as it came\nb:   1\n")
    result = run_commlog("fmt", "--repo", str(demo_repo), str(evidence))
    assert result.returncode == 2 and "not a record, contact or policy file" in result.stderr
    assert evidence.read_text() == "# a customer's file, kept as it came\nb:   1\n"


def test_odd_file_names_are_findings_printed_inert(demo_repo: Path) -> None:
    year = demo_repo / "records/2024"
    good = (demo_repo / GOOD).read_bytes()
    (year / os.fsdecode(b"\xff-2024-001.yaml")).write_bytes(good)
    (year / "NX-2024-777.yaml\n::warning::forged").write_bytes(good)
    (year / "NX-2024-778.YAML").write_bytes(good)
    deeper = year / "03"
    deeper.mkdir()
    (deeper / "NX-2024-779.yaml").write_bytes(good)
    for args in (("validate",), ("validate", "--no-cache"), ("validate", "--format", "json")):
        result = run_commlog(*args, "--repo", str(demo_repo))
        _no_traceback(result)
        assert result.returncode == 1
    text = run_commlog("validate", "--repo", str(demo_repo)).stdout
    assert "records/2024/\\xff-2024-001.yaml:1:1: file-name" in text
    assert "NX-2024-777.yaml\\x0a::warning::forged:1:1: file-name" in text
    assert "\n::warning::" not in text
    assert "records/2024/NX-2024-778.YAML:1:1: file-location" in text
    assert "records/2024/03/NX-2024-779.yaml:1:1: file-location" in text
    for args in (("overdue",), ("due", "NX-2024-001"), ("fmt", "--check")):
        _no_traceback(run_commlog(*args, "--repo", str(demo_repo), *(("--as-of", AS_OF) if args[0] != "fmt" else ())))


def test_fmt_handles_a_long_name_and_keeps_the_owner(demo_repo: Path) -> None:
    long_name = demo_repo / "contacts/internal" / ("a" * 240 + ".yaml")
    source = (demo_repo / "contacts/internal/zhang-wei.yaml").read_text(encoding="utf-8")
    long_name.write_text(source.replace("\n", "\n\n", 1), encoding="utf-8")
    record = demo_repo / "records/2024/NB-2024-056.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("urgency: normal", "urgency:   normal"))
    os.chown(record, 65534, 65534)
    result = run_commlog("fmt", "--repo", str(demo_repo))
    _no_traceback(result)
    assert "urgency: normal" in record.read_text(encoding="utf-8")
    assert (record.stat().st_uid, record.stat().st_gid) == (65534, 65534)
    assert long_name.read_text(encoding="utf-8") == source


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to run commlog as another user"
)
def test_an_unreadable_file_is_a_finding() -> None:
    """Run as the unprivileged user nobody, for whom a file with mode 000 cannot be read (root reads anything)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)
        repo = copy_demo(Path(base) / "repo")
        for path in [repo, *repo.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        (repo / GOOD).chmod(0)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "commlog"]
        env = {**os.environ, "COMMLOG_CACHE_DIR": f"{base}/cache", "HOME": base, "PYTHONUTF8": "1"}
        os.mkdir(f"{base}/cache")
        os.chmod(f"{base}/cache", 0o777)
        result = subprocess.run([*command, "validate", "--repo", str(repo)], capture_output=True, text=True, env=env)
        _no_traceback(result)
        assert result.returncode == 1
        assert f"{GOOD}:1:1: file-unreadable: cannot read the file: Permission denied" in result.stdout, result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("id: NX-2024-001", "id: NX-２０２４-001"),
        ("{type: submitted, at: 2024-10-08 09:30,", "{type: submitted, at: '２０２４-10-08 09:30',"),
        ("feedback_due: 2024-10-11 18:00", "feedback_due: 2024-10-11 18:00 +０8:00"),
    ],
)
def test_digits_are_ascii_digits(demo_repo: Path, old: str, new: str) -> None:
    """JSON Schema's \\d is 0-9; Python's would take full-width and other digits."""
    record = demo_repo / GOOD
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new), encoding="utf-8")
    result = run_commlog("validate", "--repo", str(demo_repo), "--format", "json")
    assert (GOOD, "schema-pattern") in {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}


def test_a_pattern_keeps_the_spaces_json_schema_knows(demo_repo: Path) -> None:
    """ECMA's \\s takes U+00A0 and U+3000: an e-mail address holding one is not an address."""
    contact = demo_repo / "contacts/internal/zhang-wei.yaml"
    text = contact.read_text(encoding="utf-8")
    contact.write_text(re.sub(r"email: (\S+)", lambda m: f'email: "zhang\\u00a0{m[1]}"', text), encoding="utf-8")
    result = run_commlog("validate", "--repo", str(demo_repo), "--format", "json")
    found = {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
    assert ("contacts/internal/zhang-wei.yaml", "schema-pattern") in found, found


def test_report_writes_respect_their_folder_and_umask(demo_repo: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "mine"
    folder.mkdir()
    keep = [folder / ".thesis.tmp1", folder / ".draft.docx.commlog-tmp"]
    for path in keep:
        path.write_text("someone's work")
        os.utime(path, (0, 0))
    report = folder / "overdue.csv"
    command = f"umask 077; {sys.executable} -m commlog overdue --repo {demo_repo} --as-of '{AS_OF}' --output {report}"
    assert subprocess.run(["sh", "-c", command], capture_output=True).returncode == 0
    assert all(p.exists() for p in keep)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    link = folder / "link.csv"
    link.symlink_to(report)
    result = run_commlog("overdue", "--repo", str(demo_repo), "--as-of", AS_OF, "--output", str(link))
    assert result.returncode == 2 and "symbolic link" in result.stderr and link.is_symlink()


def test_a_report_never_replaces_a_file_git_keeps(demo_repo: Path) -> None:
    from test_history import git

    (demo_repo / "README.md").write_text("# our records\n")
    git(demo_repo, "init", "-q", "-b", "main")
    git(demo_repo, "add", "README.md")
    git(demo_repo, "commit", "-q", "-m", "readme")
    args = ("overdue", "--repo", str(demo_repo), "--as-of", AS_OF, "--output")
    refused = run_commlog(*args, str(demo_repo / "README.md"))
    assert refused.returncode == 2 and (demo_repo / "README.md").read_text() == "# our records\n"
    for _ in range(2):  # an untracked report of one's own may be written again
        assert run_commlog(*args, str(demo_repo / "overdue.md")).returncode == 0


FACT_DAMAGE = (  # each kind of row the code never writes, in place of one record's facts
    "UPDATE fact SET id = 7 WHERE rowid = {0}",
    "UPDATE fact SET links = '[1, 2' WHERE rowid = {0}",
    """UPDATE fact SET links = '[["references", null, "NX-2024-001"]]' WHERE rowid = {0}""",
    """UPDATE fact SET links = '{{"in_reply_to": 1}}' WHERE rowid = {0}""",
    "UPDATE fact SET links = '[]' WHERE rowid = {0}",
    """UPDATE fact SET archives = '[[0, true, "soon", "ND-2024-1001"]]' WHERE rowid = {0}""",
    """UPDATE fact SET archives = '[[0, 1, "2024-10-11 10:00", "ND-2024-1001"]]' WHERE rowid = {0}""",
    """UPDATE fact SET archives = '[[0, true, "2024-10-11 10:00", "ND-2024"]]' WHERE rowid = {0}""",
    "DELETE FROM fact WHERE rowid = {0}",
)


def test_damaged_fact_rows_are_taken_again(demo_repo: Path) -> None:
    """A row of the facts table that the code does not write is refused: the record is read and its row written again."""
    fresh = run_commlog("validate", "--format", "json", "--no-cache", "--repo", str(demo_repo)).stdout
    run_commlog("validate", "--repo", str(demo_repo))
    db = cache_folder(demo_repo) / INDEX
    with sqlite3.connect(db) as index:
        plain = [r for (r,) in index.execute("SELECT rowid FROM fact WHERE archives IS NULL ORDER BY rowid")]
        archived = [r for (r,) in index.execute("SELECT rowid FROM fact WHERE archives IS NOT NULL ORDER BY rowid")]
        assert len(plain) >= 5 and len(archived) >= 4
        rows = sorted(index.execute("SELECT * FROM fact").fetchall())
        for statement, rowid in zip(FACT_DAMAGE, plain[:5] + archived[:4], strict=True):
            index.execute(statement.format(rowid))
        index.execute("DELETE FROM result")
    index.close()
    result = run_commlog("validate", "--format", "json", "--repo", str(demo_repo))
    _no_traceback(result)
    assert result.stdout == fresh
    with sqlite3.connect(db) as index:
        assert sorted(index.execute("SELECT * FROM fact").fetchall()) == rows
    index.close()


def test_the_walk_knows_each_file_s_role(hostile_repo: tuple[Path, dict[str, str]]) -> None:
    from commlog.repository import role_of, scan

    found = scan(hostile_repo[0])
    assert found.records > 50
    assert list(found.roles()) == [(relative, role_of(relative)) for relative in found.files]
