"""Benchmark the site's git history pass on a generated repository with 10,000+ commits, beside `git log` alone.

Usage: python scripts/bench_history.py [--commits 10000] [--runs 5] [--data bench-data]

It writes (once; kept in --data as h<commits>) a repository through `git fast-import`: eight
authors registering records and appending their events one commit at a time, contacts and the
policy edited now and then, and every 25th change made on a branch of one to three commits and
merged; then `git gc`. Then it times, each in a fresh process, the median of --runs runs with the spread:
`git log -z -M --name-status` over the same paths (the peer), the history pass with nothing kept
(cold), with HEAD unchanged (warm), and after one new commit (extended), with peak memory
(the largest of the process and the git it ran).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

AUTHORS = [
    ("张伟", "zhang.wei"),
    ("王芳", "wang.fang"),
    ("李娜", "li.na"),
    ("刘洋", "liu.yang"),
    ("陈静", "chen.jing"),
    ("赵敏", "zhao.min"),
    ("唐磊", "tang.lei"),
    ("叶青", "ye.qing"),
]
EVENTS = ["approved", "sent", "feedback", "follow_up", "progress", "completed", "archived"]
PATHS = ("records", "contacts", "policy.yaml")
PEER = [
    "git",
    "log",
    "-z",
    "-M",
    "--name-status",
    "--diff-merges=off",
    "--format=%x00%H%x00%P%x00%an%x00%ae%x00%aI%x00%s",
    "--",
    *PATHS,
]
PASS = """
import sys
from pathlib import Path
from commlog.history import read_history
history = read_history(Path(sys.argv[1]), use_cache=sys.argv[2] != "none")
wanted = {"none": "full", "cold": "full", "warm": "cached", "extended": "extended"}[sys.argv[2]]
sys.exit(0 if history.available and history.read_as == wanted else f"read as {history.read_as}, not {wanted}")
"""
START = "import commlog.history"


class Stream:
    """A `git fast-import` stream of one repository's history, with the files' contents kept to write merges."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.out: list[bytes] = []
        self.mark = 0
        self.moment = 1_704_070_800  # 2024-01-01 09:00 +08:00
        self.main: dict[str, str] = {}
        self.records: dict[str, list[str]] = {}  # path -> its event lines
        self.open: list[str] = []  # records still gaining events
        self.count = 0
        self.merges = 0

    def commit(self, ref: str, parent: int | None, changes: dict[str, str], message: str, merge: int = 0) -> int:
        self.mark += 1
        self.count += 1
        self.moment += self.random.randint(600, 5400)
        name, email = self.random.choice(AUTHORS)
        head = f"commit {ref}\nmark :{self.mark}\n"
        who = f"{name} <{email}@hengtai.example> {self.moment} +0800\n"
        body = message.encode()
        self.out.append(f"{head}author {who}committer {who}data {len(body)}\n".encode() + body + b"\n")
        if parent:
            self.out.append(f"from :{parent}\n".encode())
        if merge:
            self.out.append(f"merge :{merge}\n".encode())
            self.merges += 1
        for path, text in changes.items():
            data = text.encode()
            self.out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        self.out.append(b"\n")
        return self.mark

    def at(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.gmtime(self.moment + 8 * 3600))

    def new_record(self) -> tuple[str, str]:
        year = self.at()[:4]
        number = sum(1 for p in self.records if p.startswith(f"records/{year}/")) + 1
        path = f"records/{year}/NX-{year}-{number:04d}.yaml"
        self.records[path] = [f"  - {{type: submitted, at: {self.at()}, by: zhang-wei}}"]
        self.open.append(path)
        return path, self.render(path)

    def add_event(self, path: str) -> str:
        events = self.records[path]
        kind = EVENTS[min(len(events) - 1, len(EVENTS) - 1)]
        events.append(f"  - {{type: {kind}, at: {self.at()}, by: wang-fang, note: 第{len(events)}步}}")
        if len(events) > len(EVENTS):
            self.open.remove(path)
        return self.render(path)

    def render(self, path: str) -> str:
        ident = Path(path).stem
        return (
            "# yaml-language-server: $schema=../../schemas/record.schema.json\n"
            f"id: {ident}\nkind: message\ndirection: external\nsubject: 关于{ident}的联络\n"
            "summary: 客户提出需求, 需在期限内反馈\nfrom: {department: 市场部, person: zhang-wei}\n"
            "to:\n  - {org: customer-a, person: li-na}\nurgency: normal\nchannels: [email]\n"
            "classification: internal\nimportance: normal\nevents:\n"
            + "\n".join(self.records[path])
            + "\nremarks: 无\n"
        )

    def change(self, avoid: set[str]) -> tuple[dict[str, str], str]:
        """One ordinary change: mostly an event appended, sometimes a new record, a contact or the policy."""
        roll = self.random.random()
        choices = [p for p in self.open[-400:] if p not in avoid]
        if roll < 0.02:
            self.main["policy.yaml"] = self.main.get("policy.yaml", "timezone: Asia/Shanghai\n") + f"# {self.at()}\n"
            return {"policy.yaml": self.main["policy.yaml"]}, "Policy: adjust a time limit"
        if roll < 0.06:
            path = f"contacts/internal/staff-{self.random.randint(1, 60):02d}.yaml"
            return {
                path: f"id: {Path(path).stem}\nphone: 138{self.random.randint(0, 99999999):08d}\n"
            }, "Contacts: update"
        if roll < 0.3 or not choices:
            path, text = self.new_record()
            return {path: text}, f"Register {Path(path).stem}"
        path = self.random.choice(choices)
        return {path: self.add_event(path)}, f"{Path(path).stem}: {self.records[path][-1].split(',')[0][11:]}"


def generate(repo: Path, commits: int, seed: int = 7) -> None:
    """A repository of at least ``commits`` commits (merges included) on main, and a branch `next` one commit on."""
    stream = Stream(seed)
    tip = 0
    while stream.count < commits:
        if stream.count % 25 == 24:  # a pull request: a branch of one to three commits, main moves, a merge
            side, touched = tip, {}
            for _ in range(stream.random.randint(1, 3)):
                changes, message = stream.change(set())
                touched.update(changes)
                side = stream.commit("refs/heads/pr", side, changes, message)
            path, text = stream.new_record()
            tip = stream.commit("refs/heads/main", tip, {path: text}, f"Register {Path(path).stem}")
            tip = stream.commit("refs/heads/main", tip, touched, "Merge pull request", merge=side)
        else:
            changes, message = stream.change(set())
            tip = stream.commit("refs/heads/main", tip or None, changes, message)
    changes, message = stream.change(set())
    stream.commit("refs/heads/next", tip, changes, message)
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream.out), check=True)
    subprocess.run(["git", "update-ref", "-d", "refs/heads/pr"], cwd=repo, check=True)
    subprocess.run(["git", "gc", "-q"], cwd=repo, check=True)  # packed, with a commit-graph, as a kept repository is
    (repo / "generated").write_text(f"{stream.count} {stream.merges} {len(stream.records)}\n", encoding="utf-8")


def repository(data: Path, commits: int) -> Path:
    """The generated repository (made once, kept in ``data``)."""
    repo = data / f"h{commits}"
    if not (repo / "generated").exists():
        shutil.rmtree(repo, ignore_errors=True)
        generate(repo, commits)
    return repo


def timed(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB; the largest of the process and the children it waited for)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=cwd, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:3]} failed")
    return elapsed, usage.ru_maxrss / 1024


def series(
    runs: int,
    command: list[str],
    env: dict[str, str],
    before: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> dict[str, float]:
    """The median, min, max and peak memory of ``runs`` runs (``before`` called ahead of each, untimed)."""
    times: list[float] = []
    peaks: list[float] = []
    for _ in range(runs):
        if before is not None:
            before()
        elapsed, peak = timed(command, env, cwd)
        times.append(elapsed)
        peaks.append(peak)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "peak": max(peaks)}


def bench_history(python: str, data_dir: Path, commits: int = 10000, runs: int = 5) -> list[str]:
    """Markdown rows: each run of the history pass beside `git log --name-status` alone."""
    repo = repository(Path(data_dir), commits).resolve()
    count, merges, records = (repo / "generated").read_text(encoding="utf-8").split()
    cache = Path(tempfile.mkdtemp(prefix="bench-history-"))
    env = {**os.environ, "COMMLOG_CACHE_DIR": str(cache)}
    kept = cache / "kept.json"

    def head(branch: str) -> None:
        subprocess.run(["git", "symbolic-ref", "HEAD", f"refs/heads/{branch}"], cwd=repo, check=True)

    def no_cache() -> None:
        for entry in cache.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)

    head("main")
    results = {
        "git log --name-status (the peer)": series(runs, PEER, env, cwd=repo),
        "python start and import": series(runs, [python, "-c", START], env),
        "pass with no cache (use_cache=False)": series(runs, [python, "-c", PASS, str(repo), "none"], env),
        "pass cold (nothing kept: reads all, keeps it)": series(
            runs, [python, "-c", PASS, str(repo), "cold"], env, before=no_cache
        ),
        "pass warm (HEAD unchanged)": series(runs, [python, "-c", PASS, str(repo), "warm"], env),
    }
    head("main")
    no_cache()
    subprocess.run([python, "-c", PASS, str(repo), "cold"], env=env, check=True)
    stored = next(cache.glob("*/history.json"))
    shutil.copyfile(stored, kept)

    def one_commit_on() -> None:
        shutil.copyfile(kept, stored)
        head("next")

    results["pass after one new commit (extended)"] = series(
        runs, [python, "-c", PASS, str(repo), "extended"], env, before=one_commit_on
    )
    head("main")
    size = stored.stat().st_size / 2**20
    shutil.rmtree(cache)
    peer = results["git log --name-status (the peer)"]["median"]
    label = f"{int(count):,} commits ({int(merges):,} merges), {len(AUTHORS)} authors, {int(records):,} records"
    rows = [
        f"| repository | run | median | spread (min-max, {runs} runs) | peak MiB | / git log |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        rows.append(
            f"| {label} | {name} | {r['median']:.2f} s | {r['min']:.2f}-{r['max']:.2f} s | {r['peak']:.0f} "
            f"| {r['median'] / peer:.1f}x |"
        )
    rows.append(f"| {label} | (the kept file: {size:.1f} MiB) | | | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    args = parser.parse_args()
    print("\n".join(bench_history(sys.executable, args.data, args.commits, args.runs)))


if __name__ == "__main__":
    main()
