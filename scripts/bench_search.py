"""Time the archive site's search in headless Chromium, on sites that `commlog site build` wrote.

Usage: python scripts/bench_search.py [SITE ...] [--chromium /usr/bin/chromium] [--queries "华新,2026 采购"]

SITE defaults to bench-data/site10000 and bench-data/site100000 (the folders scripts/bench.py
builds). Each site is served on 127.0.0.1 (a free port, loopback only) and its search page,
SITE/search/, opened in Chromium through Playwright. The queries are picked from the site's own
index (the records of search/data/docs/0.json, rare and common by their terms' posting counts
in search/data/terms/): a rare and a common two-character Chinese word, a phrase of 4 to 6
characters, two words (values of the first record), a record id, a batch-number-like number
and one common character; --queries replaces them. Each query runs once in a new browser context (cold: an empty HTTP
cache; the page's own start-up reads of meta.json and facets.json done) and once more in the
same page (warm: the page keeps what it read), through `window.commlogSearch("data/", query)`,
which finds every record, not the first page of 20 the page shows, and timed with
performance.now() inside the page. Bytes are the index files the query fetched (the Resource
Timing API: bodies as sent, `transferSize` for what came over the network). It prints a
Markdown table per site and the load average around it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from commlog.site.search import SEARCH_DATA, fold, shard_of

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
CJK_LINE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
NUMBER = re.compile(r"(?<![0-9A-Za-z-])[0-9]{4,}(?![0-9A-Za-z-])")
"""A number standing alone (编号9908), not a part of an id or archive number (ND-2026-01610)."""
MEASURE = """async (query) => {
    performance.setResourceTimingBufferSize(1000000);
    performance.clearResourceTimings();
    const t0 = performance.now();
    const docs = await window.commlogSearch("data/", query, {});
    const ms = performance.now() - t0;
    await new Promise(resolve => setTimeout(resolve, 50));  // the last entries are queued after the body
    const got = performance.getEntriesByType("resource").filter(e => e.startTime >= t0 && e.name.includes("/data/"));
    return {
        ms, found: docs.length, requests: got.length,
        bytes: got.reduce((s, e) => s + e.encodedBodySize, 0),
        network: got.reduce((s, e) => s + e.transferSize, 0),
    };
}"""
STARTUP = """() => performance.getEntriesByType("resource").filter(e => e.name.includes("/data/"))
    .map(e => [e.name.split("/data/")[1], e.encodedBodySize])"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 at a free port, in a thread: its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def load() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def postings(data: Path, shards: int, term: str, cache: dict[int, dict]) -> int:
    """How many records hold ``term`` (an exact CJK term), from its shard."""
    shard = shard_of(term, shards)
    if shard not in cache:
        cache[shard] = json.loads((data / "terms" / f"{shard}.json").read_text(encoding="utf-8"))
    return len(cache[shard].get(term, ()))


def pick_queries(site: Path) -> list[tuple[str, str]]:
    """(kind, query) pairs taken from the records of docs/0.json, so that each finds something.

    A record's indexed text holds a value a line (a name, a department, a matter, a number), so
    the words are whole lines of Chinese; rare and common by how many records hold them in the
    whole index (their pair's, or character's, posting list in its term shard).
    """
    data = site / SEARCH_DATA
    meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
    docs = json.loads((data / "docs" / "0.json").read_text(encoding="utf-8"))
    cache: dict[int, dict] = {}

    def count(term: str) -> int:
        return postings(data, meta["shards"], term, cache)

    lines: Counter[str] = Counter()
    for doc in docs:
        lines.update({line for line in fold(doc[4]).split("\n") if CJK_LINE.fullmatch(line)})
    pairs = sorted((w for w in lines if len(w) == 2), key=lambda w: (count(w), w))
    phrases = sorted((w for w in lines if 4 <= len(w) <= 6), key=lambda w: (lines[w], w))
    chars = sorted({c for w in lines for c in w}, key=lambda c: (-count(c), c))
    first = [w for w in fold(docs[0][4]).split("\n") if CJK_LINE.fullmatch(w) and 2 <= len(w) <= 6]
    numbers = [n for doc in docs for n in NUMBER.findall(doc[4])]
    return [
        (f"rare 2-character word ({count(pairs[0]):,} records hold the pair)", pairs[0]),
        (f"common 2-character word ({count(pairs[-1]):,} hold the pair)", pairs[-1]),
        (f"phrase of {len(phrases[0])} characters", phrases[0]),
        ("two words", " ".join(first[:2])),
        ("record id", docs[0][1].split()[0]),
        ("batch-number-like number", numbers[0] if numbers else "2026"),
        (f"single common character ({count(chars[0]):,} hold it)", chars[0]),
    ]


def bench(browser, site: Path, queries: list[tuple[str, str]]) -> list[str]:
    meta = json.loads((site / SEARCH_DATA / "meta.json").read_text(encoding="utf-8"))
    rows = [
        f"**{site.name}**: {meta['docs']:,} records indexed, {meta['shards']:,} term shards; {load()} at the start",
        "",
        "| query | kind | results | cold ms | warm ms | cold requests | cold bytes fetched | of which over the network |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    startup: list[list] = []
    with serve(site) as base:
        for kind, query in queries:
            context = browser.new_context(locale="zh-CN")  # a fresh HTTP cache
            page = context.new_page()
            page.goto(base + "search/", wait_until="networkidle")
            startup = page.evaluate(STARTUP)
            cold = page.evaluate(MEASURE, query)
            warm = page.evaluate(MEASURE, query)
            context.close()
            assert cold["found"] == warm["found"], (query, cold, warm)
            rows.append(
                f"| `{query}` | {kind} | {cold['found']:,} | {cold['ms']:,.0f} | {warm['ms']:,.0f} "
                f"| {cold['requests']:,} | {cold['bytes']:,} | {cold['network']:,} |"
            )
            print(rows[-1], flush=True)
    rows += [
        "",
        "The page's own start-up reads, before any query: "
        + ", ".join(f"{name} {size:,} bytes" for name, size in startup)
        + f"; {load()} at the end.",
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sites", nargs="*", type=Path, default=[Path("bench-data/site10000"), Path("bench-data/site100000")]
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--queries", help="comma-separated queries instead of the picked ones")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS, headless=True)
        for site in args.sites:
            queries = [("given", q) for q in args.queries.split(",")] if args.queries else pick_queries(site)
            out += bench(browser, site, queries) + [""]
        browser.close()
    print("\n" + "\n".join(out).rstrip())


if __name__ == "__main__":
    main()
