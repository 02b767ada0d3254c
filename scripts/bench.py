"""Benchmark `commlog validate` on generated repositories, beside the YAML parse floor and check-jsonschema.

Usage: python scripts/bench.py [--sizes 20000,100000] [--site-sizes 1000,10000,100000] [--data bench-data]

For each size it generates a repository (once; kept in --data), then times, each in a
fresh process: parsing every file with PyYAML's C loader alone (the floor), `commlog
validate` twice (cold, then warm: nothing changed), and check-jsonschema on a sample
of records (its per-record rate, scaled); then `commlog site build` for each site size,
with its output size and its search index's (search/data/: size, files, records indexed). It
prints Markdown tables; scripts/bench_search.py times queries on the sites it builds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

FLOOR = """
import sys, yaml, pathlib
root = pathlib.Path(sys.argv[1])
for p in sorted(root.glob("records/*/*.yaml")) + sorted(root.glob("contacts/*/*.yaml")):
    yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""
SAMPLE = 2000
SEARCH_DATA = "search/data"
"""Where a built site keeps its search index (commlog.site.search.SEARCH_DATA)."""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one child process (GNU time's figure)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--site-sizes", default="1000,10000,100000")
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    args = parser.parse_args()
    python = sys.executable
    validation = bench_validation(python, args.data, [int(s) for s in args.sizes.split(",") if s])
    site = bench_site(python, args.data, [int(s) for s in args.site_sizes.split(",") if s])
    print("\n".join(validation + [""] + site))


def repository(python: str, data: Path, size: int) -> Path:
    """A generated repository of ``size`` records (made once, kept in ``data``)."""
    repo = data / f"r{size}"
    if not repo.exists():
        subprocess.run([python, "-m", "commlog", "demo", "generate", "--records", str(size), str(repo)], check=True)
    for part in ("mkdocs.yml", "site"):  # this checkout's site sources, so that a kept repository builds today's site
        source = Path(part)
        if source.is_dir():
            shutil.copytree(source, repo / part, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, repo / part)
    return repo


def bench_site(python: str, data: Path, sizes: list[int]) -> list[str]:
    rows = [
        "| records | site build | peak MiB | output | pages | search index | index files | records indexed |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        repo = repository(python, data, size)
        out = data / f"site{size}"
        shutil.rmtree(out, ignore_errors=True)
        elapsed, peak = timed(
            [
                python,
                "-m",
                "commlog",
                "site",
                "build",
                "--as-of",
                "2026-11-20 17:00",
                "--output",
                str(out),
                "--repo",
                str(repo),
            ]
        )
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


def bench_validation(python: str, data: Path, sizes: list[int]) -> list[str]:
    rows = [
        "| records | floor: C loader | validate cold | validate warm | records/s (cold) | cold / floor "
        "| check-jsonschema (scaled) | speed-up | validate peak MiB | overdue | overdue peak MiB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        repo = repository(python, data, size)
        floor, _ = timed([python, "-c", FLOOR, str(repo)])
        cold, peak = timed([python, "-m", "commlog", "validate", "--no-cache", "--repo", str(repo)])
        timed([python, "-m", "commlog", "validate", "--repo", str(repo)])  # fills the cache
        warm, _ = timed([python, "-m", "commlog", "validate", "--repo", str(repo)])
        report, report_peak = timed(
            [
                python,
                "-m",
                "commlog",
                "overdue",
                "--as-of",
                "2026-11-20 17:00",
                "--format",
                "json",
                "--output",
                os.devnull,
                "--repo",
                str(repo),
            ]
        )
        sample = sorted(repo.glob("records/*/*.yaml"))[:SAMPLE]
        schema = Path("schemas/record.schema.json").resolve()
        other, _ = timed(
            [
                python,
                "-m",
                "check_jsonschema",
                "--schemafile",
                str(schema),
                *map(str, sample),
            ]
        )
        other_scaled = other * size / len(sample)
        rows.append(
            f"| {size:,} | {floor:.1f} s | {cold:.1f} s | {warm:.1f} s | {size / cold:,.0f} | {cold / floor:.1f}x | "
            f"{other_scaled:.0f} s | {other_scaled / cold:.1f}x | {peak:.0f} | {report:.1f} s | {report_peak:.0f} |"
        )
        print(rows[-1], file=sys.stderr)
    return rows


if __name__ == "__main__":
    main()
