"""Benchmark commlog on generated repositories, beside the floor or peer of each measure.

Usage: python scripts/bench.py [--sizes 1000,100000] [--mixes mixed,settled] [--runs 3]
                               [--site-sizes 10000,100000] [--history-commits 10000] [--data bench-data]

For each size and mix it generates a repository once (kept in --data; `commlog demo generate`,
`--open-share 0.02` for the settled mix, 98% of records archived as in a register kept for
years), commits it with git as a records repository is, and times each command in a fresh
process, each as the median of --runs runs with the spread (min-max) and the peak resident
memory: the parse floor (PyYAML's C loader alone, one core), `validate --no-cache`, `validate`
cold (an empty index; parsing on every core), warm (nothing changed) and after one record
changed, `overdue --format json` first and warm, `validate --base main` for a 5-file change (the
pull request check, the index warm as CI leaves it), and once each the other reports (`list`,
`report summary`, `export`) for their peak memory; check-jsonschema on a sample, scaled. Then
the history pass on a repository of --history-commits commits (scripts/bench_history.py) and
`commlog site build` for each site size. It prints Markdown tables for site/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_history import bench_history, series, timed

FLOOR = """
import sys, yaml, pathlib
root = pathlib.Path(sys.argv[1])
for p in sorted(root.glob("records/*/*.yaml")) + sorted(root.glob("contacts/*/*.yaml")):
    yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""
AS_OF = "2026-11-20 17:00"
MIXES = {"mixed": None, "settled": "0.02"}
"""The generator's mix (records stop at every step alike: most are open), and a register kept for years."""
SAMPLE = 2000
SEARCH_DATA = "search/data"
"""Where a built site keeps its search index (commlog.site.search.SEARCH_DATA)."""
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@demo.example", "-c", "commit.gpgsign=false"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--mixes", default="mixed,settled")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site-sizes", default="10000,100000")
    parser.add_argument("--history-commits", type=int, default=10000, help="0: no history pass")
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    args = parser.parse_args()
    python = sys.executable
    print(machine())
    rows = [
        "| records | mix | run | median | spread (min-max) | peak MiB | beside it |",
        "| ---: | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for size in [int(s) for s in args.sizes.split(",") if s]:
        for mix in [m for m in args.mixes.split(",") if m]:
            rows += bench_register(python, args.data, size, mix, args.runs)
    print("\n".join(rows))
    if args.history_commits:
        print("\n" + "\n".join(bench_history(python, args.data, args.history_commits, args.runs)))
    sites = [int(s) for s in args.site_sizes.split(",") if s]
    if sites:
        print("\n" + "\n".join(bench_site(python, args.data, sites)))


def machine() -> str:
    """The date, the machine and the versions the figures were measured with."""
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")),
        "?",
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0]
    return (
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({model}), {int(memory) / 2**20:.0f} GiB, "
        f"Python {platform.python_version()}, {git}; load average {load:.1f} at the start.\n"
    )


def repository(python: str, data: Path, size: int, mix: str) -> Path:
    """A generated repository of ``size`` records in ``mix``, committed (made once, kept in ``data``)."""
    repo = data / (f"r{size}" if mix == "mixed" else f"r{size}-{mix}")
    if not (repo / ".git").exists():
        shutil.rmtree(repo, ignore_errors=True)
        share = MIXES[mix]
        command = [python, "-m", "commlog", "demo", "generate", "--records", str(size), str(repo)]
        subprocess.run(command + (["--open-share", share] if share else []), check=True)
        subprocess.run([*GIT, "init", "-q", "-b", "main"], cwd=repo, check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
        subprocess.run([*GIT, "commit", "-q", "-m", "generated register"], cwd=repo, check=True)
    return repo.resolve()


def record_files(repo: Path, count: int) -> list[Path]:
    """The first ``count`` record files git keeps (the same ones in every run)."""
    listed = subprocess.run(["git", "ls-files", "-z", "records"], cwd=repo, capture_output=True, check=True).stdout
    names = [n for n in listed.decode().split("\0") if n.endswith(".yaml")]
    return [repo / n for n in sorted(names)[:count]]


def edited(path: Path, mark: str) -> None:
    """A record's summary with ``mark`` added at its end: a content the index has not seen, still valid."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("summary: "))
    lines[at] += mark
    path.write_text("\n".join(lines), encoding="utf-8")


def bench_register(python: str, data: Path, size: int, mix: str, runs: int) -> list[str]:
    """Markdown rows: validation, the overdue report and the pull request check on one repository."""
    repo = repository(python, data, size, mix)
    cache = Path(tempfile.mkdtemp(prefix="bench-index-"))
    env = {**os.environ, "COMMLOG_CACHE_DIR": str(cache)}
    commlog = [python, "-m", "commlog"]
    validate = [*commlog, "validate", "--repo", str(repo)]
    overdue = [*commlog, "overdue", "--as-of", AS_OF, "--format", "json", "--output", os.devnull, "--repo", str(repo)]
    results: list[tuple[str, dict[str, float], str]] = []

    def measure(name: str, command: list[str], beside: str = "", before: Callable[[], None] | None = None) -> None:
        results.append((name, series(runs, command, env, before=before), beside))
        print(f"{size} {mix} {name}: {results[-1][1]['median']:.2f} s", file=sys.stderr)

    def empty_index() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()

    def empty_index_then_validate() -> None:
        empty_index()
        subprocess.run(validate, env=env, stdout=subprocess.DEVNULL, check=True)

    measure("parse floor: PyYAML's C loader alone, one core", [python, "-c", FLOOR, str(repo)])
    floor = results[-1][1]["median"]
    measure("validate --no-cache", [*validate, "--no-cache"])
    measure("validate cold (an empty index)", validate, before=empty_index)
    cold = results[-1][1]["median"]
    results[-1] = (*results[-1][:2], f"{cold / floor:.2f}x the floor")
    measure("validate warm (nothing changed)", validate)
    changing = record_files(repo, runs + 1)
    turn = iter(range(runs))

    def change_one() -> None:
        subprocess.run(["git", "checkout", "-q", "--", "records"], cwd=repo, check=True)
        edited(changing[next(turn)], f"改{time.time_ns()}")

    measure("validate after one record changed", validate, before=change_one)
    subprocess.run(["git", "checkout", "-q", "--", "records"], cwd=repo, check=True)
    measure("overdue --format json, first run (derives every record)", overdue, before=empty_index_then_validate)
    measure("overdue --format json, warm", overdue)
    results += pull_request(repo, env, commlog, runs)
    sample = [str(p) for p in record_files(repo, min(SAMPLE, size))]
    schema = Path("schemas/record.schema.json").resolve()
    peer, peer_peak = timed([python, "-m", "check_jsonschema", "--schemafile", str(schema), *sample], env)
    scaled = peer * size / len(sample)
    results.append(
        (
            f"check-jsonschema ({len(sample):,} records, time scaled)",
            {"median": scaled, "min": scaled, "max": scaled, "peak": peer_peak},
            f"validate cold is {scaled / cold:.0f}x faster",
        )
    )
    for name, args in (
        ("list --format json", ["list", "--format", "json"]),
        ("report summary --format json", ["report", "summary", "--format", "json"]),
        ("export --format xlsx", ["export", "--format", "xlsx", "--output", str(cache / "register.xlsx")]),
    ):
        elapsed, peak = timed([*commlog, *args, "--as-of", AS_OF, "--repo", str(repo)], env)
        results.append((name, {"median": elapsed, "min": elapsed, "max": elapsed, "peak": peak}, "one run"))
    shutil.rmtree(cache, ignore_errors=True)
    return [
        f"| {size:,} | {mix} | {name} | {r['median']:.2f} s | {r['min']:.2f}-{r['max']:.2f} s | "
        f"{r['peak']:,.0f} | {beside} |"
        for name, r, beside in results
    ]


def pull_request(
    repo: Path, env: dict[str, str], commlog: list[str], runs: int
) -> list[tuple[str, dict[str, float], str]]:
    """`validate --base main` on a branch whose one commit changes 5 records, after one run (CI's warm index)."""
    subprocess.run([*GIT, "checkout", "-q", "-B", "five", "main"], cwd=repo, check=True)
    for number, path in enumerate(record_files(repo, 5)):
        edited(path, f"(补充说明{number})")
    subprocess.run([*GIT, "commit", "-q", "-am", "five records amended"], cwd=repo, check=True)
    command = [*commlog, "validate", "--base", "main", "--repo", str(repo)]
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL)
    result = series(runs, command, env)
    subprocess.run([*GIT, "checkout", "-q", "main"], cwd=repo, check=True)
    print(f"--base: {result['median']:.2f} s", file=sys.stderr)
    return [("validate --base main (5 records changed)", result, "")]


def bench_site(python: str, data: Path, sizes: list[int]) -> list[str]:
    rows = [
        "| records | site build | peak MiB | output | pages | search index | index files | records indexed |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        repo = repository(python, data, size, "mixed")
        for part in (
            "mkdocs.yml",
            "site",
        ):  # this checkout's site sources, so that a kept repository builds today's site
            source = Path(part)
            if source.is_dir():
                shutil.copytree(source, repo / part, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, repo / part)
        out = data / f"site{size}"
        shutil.rmtree(out, ignore_errors=True)
        command = [
            python,
            "-m",
            "commlog",
            "site",
            "build",
            "--as-of",
            AS_OF,
            "--output",
            str(out),
            "--repo",
            str(repo),
        ]
        elapsed, peak = timed(command, dict(os.environ))
        files = [p for p in out.rglob("*") if p.is_file()]
        megabytes = sum(p.stat().st_size for p in files) / 2**20
        pages = sum(1 for p in files if p.name == "index.html")
        index = out / SEARCH_DATA
        indexed = [p for p in files if index in p.parents]
        index_mib = sum(p.stat().st_size for p in indexed) / 2**20
        meta = index / "meta.json"
        docs = json.loads(meta.read_text(encoding="utf-8"))["docs"] if meta.exists() else 0
        rows.append(
            f"| {size:,} | {elapsed:.0f} s | {peak:.0f} | {megabytes:,.0f} MiB | {pages:,} "
            f"| {index_mib:,.1f} MiB | {len(indexed):,} | {docs:,} |"
        )
        print(rows[-1], file=sys.stderr)
    return rows


if __name__ == "__main__":
    main()
