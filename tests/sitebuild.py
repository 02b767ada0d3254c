"""Helpers for site tests: build a site with the real command, serve it, read every output file."""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import run_commlog

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
