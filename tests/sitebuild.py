"""Helpers for site tests: build a site with the real command, serve it, read every output file."""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import ROOT, run_commlog

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

AS_OF = "2026-11-20 17:00"


def build_site(repo: Path, output: Path, clearance: str = "internal") -> Path:
    result = run_commlog(
        "site", "build", "--repo", str(repo), "--clearance", clearance, "--as-of", AS_OF, "--output", str(output)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def output_texts(site: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file of a built site as bytes, any gzip-compressed file decompressed.

    The search index keeps each record's text as UTF-8 JSON (commlog.site.search), so a plain
    substring test finds text there as on the pages.
    """
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        yield path, data


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """No line per request in the test output."""


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on a free localhost port for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def site_in_chromium(site: Path) -> Iterator[tuple[str, Any]]:
    """The built ``site`` served on loopback and a page of headless Chromium (1280 x 900, zh-CN): (base URL, page)."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: `apt-get install chromium` (python3 tasks.py test does it)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield base, browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        finally:
            browser.close()
