"""`commlog site serve`: a saved change to a record rebuilds the site being served; an invalid record says why."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import ROOT, copy_demo, run_commlog
from sitebuild import AS_OF, output_texts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = _fetch(url)
        if page is not None and text in page:
            return True
        time.sleep(0.5)
    return False


def _serve(repo: Path, port: int, output: Path) -> subprocess.Popen[bytes]:
    """`commlog site serve` of ``repo`` on ``port``, as of the demo's moment, its messages written to ``output``."""
    return subprocess.Popen(
        [sys.executable, "-m", "commlog", "site", "serve", "--repo", str(repo), "--dev-addr", f"127.0.0.1:{port}"]
        + ["--as-of", AS_OF],
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_serve_rebuilds_when_a_record_changes(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    port = _free_port()
    server = _serve(repo, port, tmp_path / "out.txt")
    try:
        url = f"http://127.0.0.1:{port}/records/2024/NB-2024-056/"
        assert _wait_for(url, "原材料订单交期调整", 120), "the site was not served"
        record = repo / "records/2024/NB-2024-056.yaml"
        record.write_text(
            record.read_text(encoding="utf-8").replace(
                "subject: 原材料订单交期调整", "subject: 原材料订单交期再次调整"
            ),
            encoding="utf-8",
        )
        assert _wait_for(url, "原材料订单交期再次调整", 120), "the change was not rebuilt"
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert f"on http://127.0.0.1:{port}/" in (tmp_path / "out.txt").read_text(encoding="utf-8")  # where to look


def _status(url: str) -> tuple[int, str]:
    """The status and body of a GET, errors included (urlopen raises on a 404)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


WRONG = "十万火急<b>"
"""An urgency the schema rejects, which the finding's message quotes (and the page must escape)."""


def test_serve_shows_what_is_wrong_with_an_invalid_record_and_build_publishes_none_of_it(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    record = repo / "records/2024/NX-2024-001.yaml"
    lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("urgency: "))
    lines[line - 1] = f"urgency: '{WRONG}'\n"
    record.write_text("".join(lines), encoding="utf-8")
    (repo / "records/2026/草稿<i>.yaml").write_text("id: [\n", encoding="utf-8")  # not an id: on the list only
    checked = run_commlog("validate", "--repo", str(repo), "--format", "json")
    assert f"records/2024/NX-2024-001.yaml:{line}:" in run_commlog("validate", "--repo", str(repo)).stdout
    assert checked.returncode == 1
    port = _free_port()
    server = _serve(repo, port, tmp_path / "out.txt")
    base = f"http://127.0.0.1:{port}/"
    try:
        assert _wait_for(base, "首页", 120), "the site was not served"
        status, html = _status(base + "records/2024/NX-2024-001/")
        assert status == 200, html[:500]
        assert "未通过校验" in html and "records/2024/NX-2024-001.yaml" in html
        assert f"{line}:" in html and "schema-enum" in html and "commlog validate" in html
        assert "十万火急&lt;b&gt;" in html and WRONG not in html  # the quoted text is escaped
        assert "关于Q4产品推广方案需求确认" not in html  # the page is the path, the findings and the fix
        status, listing = _status(base + "invalid/")
        assert (
            status == 200
            and "records/2024/NX-2024-001.yaml" in listing
            and "records/2026/草稿&lt;i&gt;.yaml" in listing
        )
        assert 'href="../records/2024/NX-2024-001/"' in listing
        assert 'href="invalid/"' in _status(base)[1]  # the dashboard's warning links to the list
        # Fixed and saved: the record's own page is back at its address.
        lines[line - 1] = "urgency: urgent\n"
        record.write_text("".join(lines), encoding="utf-8")
        assert _wait_for(base + "records/2024/NX-2024-001/", "关于Q4产品推广方案需求确认", 120), (
            "the fix was not rebuilt"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    # A build publishes nothing of an invalid file: no page, no list, not its findings nor its text.
    lines[line - 1] = f"urgency: '{WRONG}'\n"
    record.write_text("".join(lines), encoding="utf-8")
    output = tmp_path / "site"
    built = run_commlog("site", "build", "--repo", str(repo), "--as-of", AS_OF, "--output", str(output))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "2 invalid file(s) left out" in built.stderr
    assert (output / "records/2024/NX-2024-002/index.html").is_file()
    assert not (output / "records/2024/NX-2024-001").exists() and not (output / "invalid").exists()
    assert 'href="invalid/"' not in (output / "index.html").read_text(encoding="utf-8")
    needles = ["关于Q4产品推广方案需求确认", "客户A提出Q4需增加线上推广预算", "十万火急", "草稿<i>", "草稿&lt;i&gt;"]
    leaks = [(path.name, n) for path, text in output_texts(output) for n in needles if n.encode() in text]
    assert leaks == []


def test_the_invalid_pages_know_a_record_id_as_the_schema_does() -> None:
    from commlog.site.invalid import RECORD_ID

    pattern = json.loads((ROOT / "schemas/common.schema.json").read_text(encoding="utf-8"))["$defs"]["record_id"]
    assert f"^{RECORD_ID.pattern}$" == pattern["pattern"]
