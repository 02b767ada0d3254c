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
    """Every file of a built site as bytes, Pagefind's compressed index files decompressed.

    Pagefind stores page text with a zero-width space between the words it segments
    (NX\u200b-\u200b2024...): those are removed so that a plain substring test finds text.
    """
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data).replace("\u200b".encode(), b"")
        yield path, data


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on a free localhost port for the duration of the block."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
