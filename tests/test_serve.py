"""`commlog site serve`: a saved change to a record rebuilds the site being served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import copy_demo


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


def test_serve_rebuilds_when_a_record_changes(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commlog",
            "site",
            "serve",
            "--repo",
            str(repo),
            "--dev-addr",
            f"127.0.0.1:{port}",
            "--as-of",
            "2026-11-20 17:00",
        ],
        stdout=(tmp_path / "out.txt").open("w"),
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
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
