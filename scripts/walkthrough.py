#!/usr/bin/env python3
"""Write site/workflow.md: the lifecycle walkthrough, made by running its commands on a copy of the demo.

    python scripts/walkthrough.py site/workflow.md

Each step runs as the member of staff named (git's user.email set to theirs) in a fresh git
repository holding the demo's policy, schemas, records and contacts; the page shows each
command and exactly what it printed. tests/test_walkthrough.py runs it again and fails when
the page is not what the commands print today.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AT = re.compile(r' --at "([^"]+)"')

INTRO = """\
# 工作流程示例 (walkthrough)

Every block below was produced by running its commands, in order, on a copy of the demo
repository (`python scripts/walkthrough.py site/workflow.md` makes this page again, and a test
fails when it is out of date). `# 张伟 (zhang-wei)` says who acts: the member of staff whose
contact email is `git config user.email`. Each step happens "now"; to keep the page the same
every time, the script sets the clock to the step's moment (`COMMLOG_NOW`). Between steps,
each person commits and opens a pull request as usual ([审计留痕](trail.md)); that is left out here.
"""

SCENES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "一条外部信息：从登记到归档",
        "A message to customer A, from registration to archiving. External, so it needs the head of "
        "市场部 and the division leader before it may be sent; the feedback is owed within two working days.",
        [
            (
                "zhang-wei",
                'new message --to customer-a/li-na --subject "确认12月供货计划" '
                '--summary "请客户A确认12月各批次的数量与到货日期。" --channel email --at "2026-11-16 09:30"',
            ),
            ("zhang-wei", "send {id} --channel email"),
            ("wang-fang", 'approve {id} --note "同意发送" --at "2026-11-16 10:10"'),
            ("li-qiang", 'approve {id} --at "2026-11-16 11:00"'),
            ("zhang-wei", 'send {id} --channel email --evidence "邮件系统显示已送达" --at "2026-11-16 11:20"'),
            ("zhang-wei", 'follow-up {id} --note "反馈时限为今日11:20，请及时确认" --at "2026-11-18 09:00"'),
            ("zhang-wei", 'feedback {id} --from customer-a/li-na --note "客户确认12月计划" --at "2026-11-18 15:00"'),
            ("zhang-wei", 'complete {id} --at "2026-11-18 16:00"'),
            ("zhang-wei", 'archive {id} --at "2026-11-19 10:00"'),
            ("zhao-min", 'archive {id} --at "2026-11-19 10:00"'),
            ("zhao-min", 'due {id} --as-of "2026-11-20 17:00"'),
        ],
    ),
    (
        "一份通知：全员确认已阅",
        "A notice from 行政部 to 法务部, approved by the head of 行政部, published, and confirmed by "
        "every recipient (已阅) within two working hours.",
        [
            (
                "guo-xia",
                'new notice --to 法务部 --subject "合同用印流程调整" --summary "自12月起合同用印须先在OA提交用印申请。" '
                '--item "12月1日起合同用印一律走OA流程" --channel oa --at "2026-11-17 09:00"',
            ),
            ("liu-yang", 'approve {id} --at "2026-11-17 09:40"'),
            ("guo-xia", 'publish {id} --channel oa --at "2026-11-17 10:00"'),
            ("zhang-wei", 'ack {id} --at "2026-11-17 10:05"'),
            ("hu-bin", 'ack {id} --at "2026-11-17 10:20"'),
            ("luo-qing", 'ack {id} --at "2026-11-17 10:45"'),
            ("gao-jun", 'ack {id} --at "2026-11-17 11:30"'),
            ("guo-xia", 'due {id} --as-of "2026-11-20 17:00"'),
        ],
    ),
]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _email(root: Path, person: str) -> str:
    for line in (root / "contacts" / "internal" / f"{person}.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("email:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"{person} has no email")


def _name(root: Path, person: str) -> str:
    for line in (root / "contacts" / "internal" / f"{person}.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip()
    return person


def render(repo: Path) -> str:
    """Run every scene in ``repo`` (a fresh copy of the demo) and return the page."""
    parts = [INTRO]
    for title, text, steps in SCENES:
        parts.append(f"\n## {title}\n\n{text}\n\n```console\n")
        record_id, now = "", ""
        for person, template in steps:
            command = template.replace("{id}", record_id)
            if found_at := AT.search(command):  # the step's moment: the clock stands there, as for a person acting then
                now, command = found_at.group(1), AT.sub("", command)
            _git(repo, "config", "user.email", _email(repo, person))
            done = subprocess.run(
                [sys.executable, "-m", "commlog", *shlex.split(command)],
                cwd=repo,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUTF8": "1", "COLUMNS": "100", "COMMLOG_NOW": f"{now}+08:00"},
            )
            parts.append(
                f"# {_name(repo, person)} ({person}), {now}\n$ commlog {command}\n{done.stdout}{done.stderr}\n"
            )
            if found := re.match(r"registered (\S+):", done.stdout):
                record_id = found.group(1)
        parts[-1] = parts[-1].rstrip("\n") + "\n```\n"
    return "".join(parts)


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site" / "workflow.md"
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "repo"
        repo.mkdir()
        for part in ("policy.yaml", "schemas", "records", "contacts"):
            source = ROOT / part
            (shutil.copytree if source.is_dir() else shutil.copyfile)(source, repo / part)
        _git(repo, "init", "-q", "-b", "main")
        target.write_text(render(repo), encoding="utf-8")


if __name__ == "__main__":
    main()
