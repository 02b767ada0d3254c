"""The built site in headless Chromium (Debian's), driven by Playwright: navigate and search as a person would."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ROOT
from sitebuild import SCREENSHOTS, build_site, site_in_chromium

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory):
    site = build_site(ROOT, tmp_path_factory.mktemp("browser") / "site")
    with site_in_chromium(site) as (base, page):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield base, page, dialogs


def test_dashboard_to_record(browser_page) -> None:
    base, page, dialogs = browser_page
    page.goto(base)
    assert "首页" in page.title()
    assert page.locator(".commlog-card-overdue strong").inner_text().isdigit()
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    page.locator("table.commlog-list a", has_text="CW-2026-003").click()
    page.wait_for_url("**/records/2026/CW-2026-003/")
    assert "关于2026年度费用报销截止日期的通知" in page.locator("h1.commlog-title").inner_text()
    page.goto(base + "records/2024/NX-2024-001/")
    page.screenshot(path=str(SCREENSHOTS / "record.png"), full_page=True)
    assert dialogs == []


def test_register_filter(browser_page) -> None:
    base, page, _ = browser_page
    page.goto(base + "register/2024-10/")
    rows = page.locator("table.commlog-register tbody tr")
    total = rows.count()
    page.select_option("select[data-filter='urgency']", "urgent")
    visible = [r for r in rows.all() if r.is_visible()]
    assert 0 < len(visible) < total
    assert all("紧急" in r.inner_text() for r in visible)


@pytest.mark.parametrize(
    ("word", "record_id"), [("参检", "NJ-2024-032"), ("人员名单", "NJ-2024-032"), ("预算明细", "NX-2024-001")]
)
def test_search_finds_a_chinese_word_inside_a_sentence(browser_page, word: str, record_id: str) -> None:
    base, page, _ = browser_page
    page.goto(base + "search/")
    page.fill("#commlog-search input[name=q]", word)
    results = page.locator(".commlog-search-title")
    results.first.wait_for(timeout=15000)
    titles = " ".join(results.all_inner_texts())
    assert record_id in titles, f"{word!r} did not find {record_id}: {titles}"


def test_search_from_the_dashboard_box(browser_page) -> None:
    base, page, _ = browser_page
    page.goto(base)
    page.fill("form.commlog-search-form input[name=q]", "参检")
    page.press("form.commlog-search-form input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.locator(".commlog-search-title").first.wait_for(timeout=15000)
    assert "NJ-2024-032" in " ".join(page.locator(".commlog-search-title").all_inner_texts())


def test_no_request_leaves_the_site(browser_page) -> None:
    """Offline and in mainland China the site must work: every request goes to the site's own host."""
    base, page, _ = browser_page
    outside: list[str] = []

    def judge(route) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", judge)
    try:
        for path in (
            "",
            "register/",
            "records/2026/NX-2026-001/",
            "notices/",
            "statistics/",
            "search/?q=%E5%8D%8E%E6%96%B0",
        ):
            page.goto(f"{base}{path}", wait_until="networkidle")
    finally:
        page.unroute("**/*")
    assert outside == [], outside


READER_PAGES = {
    "dashboard": "",
    "register": "register/2026-11/",
    "minutes": "records/2024/NB-2024-058/",
    "notice": "records/2024/NJ-2024-032/",
    "collaboration": "records/2026/NB-2026-003/",
    "statistics": "statistics/",
}


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_pages_staff_read(browser_page, width: int) -> None:
    """Desk and phone: no page is wider than the screen (tables scroll inside it), screenshots saved to look at."""
    base, page, _ = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    try:
        for name, path in READER_PAGES.items():
            page.goto(base + path)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} at {width} px is {wide} px wide"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def _lines(page, selector: str) -> list[int]:
    """How many lines the text of each matching element takes on the screen."""
    return page.evaluate(
        f"[...document.querySelectorAll({selector!r})].map(e => {{ const r = document.createRange(); "
        "r.selectNodeContents(e); return Math.round(r.getBoundingClientRect().height / "
        "parseFloat(getComputedStyle(e).lineHeight)) })"
    )


def test_register_reads_at_desk_and_phone_widths(browser_page) -> None:
    """At 1280 px a time, a sender and an id keep to at most two lines (date / hour), never a character a line;
    at 390 px the table scrolls sideways and the id column stays in view."""
    base, page, _ = browser_page
    page.goto(base + "register/2026-11/")
    times = _lines(page, "table.commlog-register td.commlog-date")
    assert times and max(times) <= 2, times  # 2026-11-20 / 13:40
    names = _lines(page, "table.commlog-register td.commlog-nowrap")
    assert max(names) == 1, names
    page.set_viewport_size({"width": 390, "height": 900})
    try:
        page.goto(base + "register/2026-11/")
        scroller = page.locator(".commlog-scroll").first
        first = page.locator("table.commlog-register tbody tr td").first
        before = first.bounding_box()
        scroller.evaluate("e => e.scrollLeft = 400")
        assert scroller.evaluate("e => e.scrollLeft") > 0, "the register does not scroll sideways"
        after = first.bounding_box()
        assert before and after and abs(before["x"] - after["x"]) < 1, "the id column scrolled away"
        page.screenshot(path=str(SCREENSHOTS / "register-390-scrolled.png"))
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_a_record_prints_on_a4(browser_page) -> None:
    """Print a record page to PDF as Chromium prints it: A4, no navigation; pdftoppm renders it to look at."""
    base, page, _ = browser_page
    page.goto(base + "records/2024/NB-2024-058/")
    page.emulate_media(media="print")
    try:
        assert page.locator(".md-header").is_hidden() and page.locator(".md-tabs").count() in (0, 1)
        assert page.locator("h1.commlog-title").is_visible()
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.emulate_media(media="null")  # back to what the browser does: not "screen", which page.pdf would use
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    width, height = (float(x) for x in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (595, 842), "not A4 portrait"
    out = ROOT / "test-output" / "print"
    out.mkdir(parents=True, exist_ok=True)
    (out / "record.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(out / "record.pdf"), str(out / "record")], check=True)
        assert list(out.glob("record*.png"))


def test_a_register_month_prints_on_a4_landscape(browser_page) -> None:
    base, page, _ = browser_page
    page.goto(base + "register/2024-10/")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all((round(float(w)), round(float(h))) == (842, 595) for w, h in boxes), boxes
    (ROOT / "test-output" / "print").mkdir(parents=True, exist_ok=True)
    (ROOT / "test-output" / "print" / "register-2024-10.pdf").write_bytes(pdf)
