"""The archive's search: every word a record shows finds it, in Chromium, and nothing above the clearance does.

The words are taken from the record files themselves (read with plain PyYAML and the contacts),
not from the index, so a field the index forgot shows as a miss.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
import yaml

from commlog.site.search import fold, shard_of, terms

from conftest import ROOT
from sitebuild import AS_OF, SCREENSHOTS, build_site, site_in_chromium

pytest.importorskip("playwright.sync_api")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
LATIN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
CODED = {"kind", "direction", "urgency", "classification", "importance", "status", "outcome", "type", "role"}
CODED |= {"channel", "channels", "unit", "by", "owner", "host", "recorder", "person", "org", "recorded_by"}
TIME = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?")
SHOWN = ("public", "internal")


def test_terms_are_characters_pairs_and_latin_words() -> None:
    assert terms("华新精密 Q4方案，批号20260915-03") == {
        *"华新精密方案",
        "华新",
        "新精",
        "精密",
        "方案",
        "q4",
        "批",
        "号",
        "批号",
        "20260915",
        "03",
    }
    assert terms("ＮＸ－２０２４") == {"nx", "2024"}  # full-width folds to ASCII, as a reader reads it
    assert fold("ＡＢＣ１２３") == "abc123"
    assert 0 <= shard_of("华新", 64) < 64 and shard_of("20260915", 64) == shard_of("20", 64)


def _people() -> dict[str, str]:
    names = {}
    for path in (ROOT / "contacts/internal").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names[data["id"]] = data["name"]
    for path in (ROOT / "contacts/external").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names[data["id"]] = data["name"]
        for person in data.get("people", []):
            names[f"{data['id']}/{person['id']}"] = person["name"]
    return names


def _texts(value: Any, key: str, names: dict[str, str], out: list[str]) -> None:
    """Every text a record shows: free text as written, people and organisations by name."""
    if isinstance(value, dict):
        if value.get("at") and str(value["at"]) > AS_OF:
            return  # an event after the build's moment is not on the page yet
        for k, v in value.items():
            if k == "person" and "org" in value:
                v = f"{value['org']}/{v}"
            _texts(v, k, names, out)
    elif isinstance(value, list):
        for v in value:
            _texts(v, key, names, out)
    elif isinstance(value, str):
        if value in names:
            out.append(names[value])
        elif key not in CODED and not TIME.fullmatch(value) and value not in ("true", "false"):  # 是/否 on the page
            out.append(value)


def _records() -> dict[str, tuple[str, list[str]]]:
    """Each record's id -> (classification, its texts)."""
    names = _people()
    found = {}
    for path in sorted((ROOT / "records").glob("*/*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # every value as text
        out: list[str] = []
        _texts(data, "", names, out)
        found[data["id"]] = (data["classification"], out)
    return found


def _queries(records: dict[str, tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """(query, record id that must be found): random Chinese substrings, Latin words and numbers, pairs of words."""
    rng = random.Random(20261204)
    chinese: list[tuple[str, str]] = []
    latin: list[tuple[str, str]] = []
    for record_id, (classification, texts) in records.items():
        if classification not in SHOWN:
            continue
        for text in texts:
            chinese += [(run, record_id) for run in CJK_RUN.findall(text)]
            latin += [(word, record_id) for word in LATIN.findall(text)]
    queries = []
    for run, record_id in rng.sample(chinese, 240):
        length = rng.randint(2, min(5, len(run)))
        start = rng.randint(0, len(run) - length)
        queries.append((run[start : start + length], record_id))
    queries += rng.sample(latin, min(60, len(latin)))
    for _ in range(30):
        ((a, record_id),) = rng.sample(chinese, 1)
        others = [run for run, r in chinese if r == record_id and run != a]
        if others:
            queries.append((f"{a[:3]} {rng.choice(others)[-3:]}", record_id))
    return queries


@pytest.fixture(scope="module")
def search_page(tmp_path_factory: pytest.TempPathFactory):
    site = build_site(ROOT, tmp_path_factory.mktemp("search") / "site")
    with site_in_chromium(site) as (base, page):
        page.goto(base + "search/")
        yield base, page


def _search(page, queries: list[str], filters: dict[str, str] | None = None) -> list[list[str]]:
    """The ids each query finds, searched one after another by the page's own search code."""
    return page.evaluate(
        """async ([queries, filters]) => {
            const out = [];
            for (const q of queries) {
                const docs = await window.commlogSearch("data/", q, filters);
                out.push(docs.map(d => d.title.split(" ")[0]));
            }
            return out;
        }""",
        [queries, filters or {}],
    )


def test_every_word_a_record_shows_finds_it(search_page) -> None:
    _, page = search_page
    queries = _queries(_records())
    assert len(queries) > 300
    found = _search(page, [q for q, _ in queries])
    missed = [(q, r) for (q, r), ids in zip(queries, found, strict=True) if r not in ids]
    assert missed == [], f"{len(missed)} of {len(queries)} queries missed their record: {missed[:20]}"


def test_results_contain_the_words(search_page) -> None:
    """The pairs only choose candidates: a result holds the word as typed (精密 and 密度 apart are not 精密度)."""
    _, page = search_page
    records = _records()
    for query, ids in zip(
        ["体检", "人员名单", "产品 预算"], _search(page, ["体检", "人员名单", "产品 预算"]), strict=True
    ):
        assert ids, query
        for record_id in ids:
            text = fold(" ".join([record_id, *records[record_id][1]]))
            assert all(w in text for w in fold(query).split()), (query, record_id)


def test_full_width_and_lower_case_find_the_same(search_page) -> None:
    _, page = search_page
    plain, wide, lower = _search(page, ["NJ-2024-032", "ＮＪ－２０２４－０３２", "nj-2024-032"])
    assert "NJ-2024-032" in plain
    assert plain == wide == lower


def test_nothing_above_the_clearance_is_found(search_page) -> None:
    _, page = search_page
    records = _records()
    shown_text = fold(" ".join(t for c, texts in records.values() if c in SHOWN for t in texts))
    hidden = {r: texts for r, (c, texts) in records.items() if c not in SHOWN}
    assert hidden, "the demo has confidential records"
    words = list(hidden)  # their ids
    for texts in hidden.values():
        words += [run for t in texts for run in CJK_RUN.findall(t) if fold(run) not in shown_text]
    assert len(words) > len(hidden)
    found = _search(page, words)
    assert all(ids == [] for ids in found), [(w, ids) for w, ids in zip(words, found, strict=True) if ids]


def test_filters_narrow_by_kind_department_year_and_status(search_page) -> None:
    base, page = search_page
    page.goto(base + "search/?q=通知")
    page.locator(".commlog-search-results li").first.wait_for(timeout=15000)
    everything = page.locator(".commlog-search-results li").count()
    page.select_option("select[name=kind]", label="内部通知")
    page.wait_for_function("document.querySelector('.commlog-search-count').textContent.includes('条')")
    page.wait_for_timeout(300)
    notices = page.locator(".commlog-search-results li").all_inner_texts()
    assert 0 < len(notices) < everything
    assert "kind=" in page.url  # the filtered search is a link to share
    page.select_option("select[name=year]", label="2024")
    page.wait_for_timeout(500)
    assert all("2024-" in item for item in page.locator(".commlog-search-results li").all_inner_texts())
    year_only = _search(page, [""], {"year": "2"})  # no words: every record of that year (the third listed)
    assert year_only[0]


def test_results_show_id_subject_status_date_and_the_words_marked(search_page) -> None:
    base, page = search_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "search/")
    page.fill("#commlog-search input[name=q]", "参检")
    page.locator(".commlog-search-results li").first.wait_for(timeout=15000)
    first = page.locator(".commlog-search-results li").first
    assert "NJ-2024-032 关于2024年年度体检安排通知" in first.locator("a").inner_text()
    assert re.search(r"(进行中|已完成|已归档).*\d{4}-\d{2}-\d{2}", first.inner_text())
    assert "参检" in first.locator("mark").all_inner_texts()
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    first.locator("a").click()
    page.wait_for_url("**/records/2024/NJ-2024-032/")


def test_more_results_a_page_at_a_time(search_page) -> None:
    base, page = search_page
    page.goto(base + "search/?q=部")
    page.locator(".commlog-search-results li").first.wait_for(timeout=15000)
    assert page.locator(".commlog-search-results li").count() == 20
    page.click(".commlog-search-more")
    page.wait_for_function("document.querySelectorAll('.commlog-search-results li').length > 20")


def test_the_hint_names_words_from_the_repository_itself(search_page) -> None:
    base, page = search_page
    page.goto(base + "search/")
    examples = page.locator(".commlog-hint a").all_inner_texts()
    assert examples
    found = _search(page, examples)
    assert all(found), dict(zip(examples, found, strict=True))
