"""The archive's search index: every word a record shows, found by overlapping character pairs.

Chinese has no spaces, and no dictionary segments every name and trade word the way a reader
would cut it. So, as Lucene's CJK bigram analyzer does, every run of Chinese characters is
indexed as its single characters and its overlapping pairs (华新精密 -> 华 新 精 密 华新 新精 精密),
and a query is cut the same way: a word of any length is found where all its pairs are. Latin
words and numbers are indexed whole and found by their beginning (2026091 finds 20260915).
Both sides fold text first (NFKC, lower case), so ＮＸ and NX, full-width and ASCII digits, are
one. The pairs only choose candidates: the page then checks each candidate's own text for the
words as typed, so a result always contains them.

The index is static files under ``search/data/`` (read by ``static/search.js``, published as ``assets/commlog-search.js``):

- ``meta.json``: the counts, the number of term shards and of records per text chunk, and the
  filters' values;
- ``terms/<n>.json``: the terms whose hash falls in shard n, each with the numbers of the
  records holding it, as ascending gaps (a query reads one shard per term);
- ``docs/<n>.json``: the records, newest first, in chunks: url, title, status, date and the
  text that was indexed (what a result shows and highlights);
- ``facets.json``: each record's kind, sending department, year and status, one character each.

Only what the build shows goes in: the records visible at its clearance, their text after the
build's redaction of hidden ids. The terms come from that same text, so nothing is findable
that the docs do not show, and a test that greps every output byte sees it all.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commlog.reports.fields import VALUE_LABELS
from commlog.workflow import KIND_NAMES, STATUS_NAMES

if TYPE_CHECKING:
    from commlog.site.model import RecordView
    from commlog.site.pages import Site

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003ffff"
"""Characters indexed one by one and in pairs: kana, CJK ideographs (with extensions and compatibility forms), hangul.
static/search.js holds the same ranges."""
_TERM_RUN = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")
_CJK_CHAR = re.compile(f"[{CJK}]")
"""A run of CJK characters, or a run of other letters and digits: everything else separates words."""
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?([+-]\d{2}:\d{2}|Z)?")
CODED = frozenset({*VALUE_LABELS, "type", "role", "channel", "channels", "unit"})
"""Fields whose values are codes (urgent, sent, dept_head): the page shows them as badges, the filters narrow by them."""
SEARCH_DATA = "search/data"
"""Where in the built site the index lies (beside the search page, search/index.html)."""
SEARCH_SCRIPT = "assets/commlog-search.js"
"""The search page's script (static/search.js in the package), emitted into every build so it matches the index."""
DOCS_PER_CHUNK = 64
TERMS_PER_SHARD = 24_000
"""About this many postings per term shard: a few tens of kilobytes per query term at any size."""
FACETS = ("kind", "department", "year", "status")
FACET_NAMES = {"kind": "类型", "department": "发起部门", "year": "年份", "status": "状态"}
_FACET_BASE = 0x30
"""Facet value i is stored as the character chr(0x30 + i)."""


def fold(text: str) -> str:
    """Text as the index compares it: NFKC (full-width to ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(text: str) -> set[str]:
    """The index terms of a text: each CJK character and pair of neighbours, and each Latin word or number."""
    found: set[str] = set()
    for match in _TERM_RUN.finditer(fold(text)):
        run = match.group()
        if _CJK_CHAR.match(run):
            found.update(run)
            found.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            found.add(run)
    return found


def shard_of(term: str, shards: int) -> int:
    """The shard holding ``term``: FNV-1a over its code points (a Latin word's first two), as search.js computes it."""
    key = term if _CJK_CHAR.match(term) else term[:2]
    h = 0x811C9DC5
    for char in key:
        h = ((h ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
    return h % shards


def record_text(site: Site, view: RecordView) -> str:
    """What a record shows in words below its title: every free-text value, people and organisations by name, ids
    and archive numbers.

    Coded values and times are left out (the filters and the register cover them); ids of records
    this build does not show are redacted as on the page.
    """
    parts: list[str] = []
    shown = {k: v for k, v in site._without_hidden_links(view.data).items() if k not in ("id", "subject")}
    _collect(site, shown, "", parts)
    return site.model.redact("\n".join(dict.fromkeys(parts)))


def _collect(site: Site, value: Any, key: str, parts: list[str]) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            if name == "person" and isinstance(value.get("org"), str) and isinstance(child, str):
                child = f"{value['org']}/{child}"  # someone outside, named with their organisation
            _collect(site, child, name, parts)
    elif isinstance(value, list):
        for child in value:
            _collect(site, child, key, parts)
    elif isinstance(value, str) and key not in CODED and not _TIME.fullmatch(value):
        parts.append(site.field_name(key, value) or value)
    elif isinstance(value, int | float) and not isinstance(value, bool) and key not in CODED:
        parts.append(str(value))  # amounts, quantities


class SearchIndex:
    """The terms of every record added, and the records' own lines, written out as the static index."""

    def __init__(self, out: Path, order: dict[str, list[str]] | None = None):
        self.out = out
        self.order = order or {}
        """Each filter's values in the order the page lists them (the rest after, by name)."""
        self.postings: dict[str, array] = defaultdict(lambda: array("I"))
        self.facets: dict[str, list[int]] = {f: [] for f in FACETS}
        self.values: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        self.count = 0
        self._chunk: list[list[str]] = []
        (out / "docs").mkdir(parents=True, exist_ok=True)
        (out / "terms").mkdir(exist_ok=True)

    def add(self, url: str, title: str, text: str, shown: dict[str, str], date: str) -> None:
        """One record: its page, heading, indexed text, filter values (kind, department, year, status) and date."""
        number = self.count
        for term in terms(f"{title}\n{text}"):
            self.postings[term].append(number)
        for facet in FACETS:
            codes = self.values[facet]
            self.facets[facet].append(codes.setdefault(shown[facet], len(codes)))
        self._chunk.append([url, title, shown["status"], date, text])
        self.count += 1
        if len(self._chunk) == DOCS_PER_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            chunk = (self.count - 1) // DOCS_PER_CHUNK
            _write_json(self.out / "docs" / f"{chunk}.json", self._chunk)
            self._chunk = []

    def write(self) -> None:
        """The term shards, the filters and meta.json (written last: a reader finds a whole index or none)."""
        self._flush()
        total = sum(len(p) for p in self.postings.values())
        shards = 8
        while shards < 4096 and total / shards > TERMS_PER_SHARD:
            shards *= 2
        grouped: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for term, numbers in self.postings.items():
            grouped[shard_of(term, shards)][term] = _gaps(numbers)
        for shard in range(shards):
            _write_json(self.out / "terms" / f"{shard}.json", grouped.get(shard, {}))
        listed: dict[str, list[str]] = {}
        codes: dict[str, str] = {}
        for f in FACETS:
            order = self.order.get(f, [])
            listed[f] = sorted(self.values[f], key=lambda v: (order.index(v) if v in order else len(order), v))
            new = {self.values[f][v]: chr(_FACET_BASE + i) for i, v in enumerate(listed[f])}
            codes[f] = "".join(new[v] for v in self.facets[f])
        _write_json(self.out / "facets.json", codes)
        meta = {
            "version": 1,
            "docs": self.count,
            "chunk": DOCS_PER_CHUNK,
            "shards": shards,
            "facet_base": _FACET_BASE,
            "facets": [{"key": f, "name": FACET_NAMES[f], "values": listed[f]} for f in FACETS],
        }
        _write_json(self.out / "meta.json", meta)


def _gaps(numbers: array) -> list[int]:
    """Ascending record numbers as the first and the differences: smaller numbers, a smaller file."""
    return [numbers[0], *(b - a for a, b in zip(numbers, numbers[1:], strict=False))]


def _write_json(path: Path, data: Any) -> None:
    # Into the build's own fresh folder, as MkDocs writes the pages. ensure_ascii=False: the text
    # stays readable (and greppable) UTF-8, as on the pages.
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def example_words(site: Site, views: Iterable[RecordView]) -> list[str]:
    """Words from the repository's own records for the search page's hint: an organisation, a person, a newest id."""
    listed = list(views)
    orgs: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for view in listed:
        for p in view.data["to"]:
            if "org" in p and p["org"] in site.model.orgs:
                orgs[site.model.orgs[p["org"]]["name"]] += 1
        people[site.model.name(view.data["from"]["person"])] += 1
    words = [w for counter in (orgs, people) for w, _ in counter.most_common(1)]
    if listed:
        words.append(listed[0].id)
    return words


def build_index(site: Site, out: Path) -> int:
    """Write the search index of every record the build shows into ``out``; the number of records indexed."""
    model = site.model
    views = model.newest(len(model.records))
    order = {
        "kind": list(KIND_NAMES.values()),
        "department": [d["name"] for d in model.policy["departments"]],
        "year": sorted({str(v.submitted.year) for v in views}, reverse=True),
        "status": list(STATUS_NAMES.values()),
    }
    index = SearchIndex(out, order)
    for view in views:
        data = view.data
        index.add(
            view.url,
            model.redact(f"{view.id} {data['subject']}"),
            record_text(site, view),
            {
                "kind": KIND_NAMES[data["kind"]],
                "department": data["from"]["department"],
                "year": str(view.submitted.year),
                "status": STATUS_NAMES[view.status],
            },
            f"{view.submitted:%Y-%m-%d}",
        )
    index.write()
    return index.count


def documents(out: Path) -> Iterator[list[str]]:
    """The records of a written index, in its order (for tests and the benchmark)."""
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    for chunk in range((meta["docs"] + meta["chunk"] - 1) // meta["chunk"]):
        yield from json.loads((out / "docs" / f"{chunk}.json").read_text(encoding="utf-8"))
