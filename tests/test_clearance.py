"""Nothing above a build's clearance reaches any byte of its output, whatever the repository holds.

The confidential and secret records carry unique marker words in every field, in their
attachments' names and bytes, in the subjects and author names of the commits that
touched them; public records try to reach a secret folder and /etc through symbolic
links. The site is built at each clearance and every output file (the search index,
sitemap, 404 page) is searched for the markers.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from commlog.site.model import HIDDEN, SiteModel, normal_id
from test_history import git

from conftest import copy_demo, pdf_bytes, run_commlog
from sitebuild import build_site, output_texts

TEMPLATE = "records/2024/NX-2024-001.yaml"
MARKS = {
    "confidential": ("QZCONFMARK", "秘密标记甲"),
    "secret": ("QZSECRETMARK", "机密标记乙"),
}
SECRET_AUTHOR = "QZSECRETAUTHOR 机密作者 <secret-author@hengtai.example>"
SECRET_ID_VARIANTS = [
    "nx-2026-902",
    "NX－2026－902",  # full-width hyphen-minus U+FF0D
    "NX\u20112026\u2011902",  # non-breaking hyphen
    "NX\u20142026\u2212902",  # em dash, minus sign
    "NX\ufe632026\u2010902",  # small hyphen-minus, hyphen
    "ＮＸ－２０２６－９０２",  # full-width letters and digits
    "ｎｘ-２０２６-902",
]
"""How a reader may write the secret record's id, each of which a build that hides the record must redact."""


def _marked_record(repo: Path, record_id: str, classification: str, archive_no: str) -> Path:
    """A copy of NX-2024-001 at ``classification`` with its markers in every free-text field and an attachment."""
    latin, chinese = MARKS[classification]
    mark = f"{latin}{chinese}"
    text = (repo / TEMPLATE).read_text(encoding="utf-8")
    for old, new in (
        ("NX-2024-001", record_id),
        ("ND-2024-1001", archive_no),
        ("classification: internal", f"classification: {classification}"),
        ("subject: 关于Q4产品推广方案需求确认", f"subject: 关于{mark}的方案"),
        ("summary: 客户A", f"summary: {mark}客户A"),
        ("note: 同意}", f"note: 同意{mark}}}"),
        ("evidence: 邮件发送成功截图", f"evidence: {mark}截图"),
        ("category: {matter: 产品推广}", f"category: {{matter: {mark}事项}}"),
        ("remarks: 方案已发送客户,待最终确认", f"remarks: {mark}备注\nattachments: [{latin}-附件.pdf, 合同.pdf]"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = repo / f"records/2026/{record_id}.yaml"
    path.write_text(text, encoding="utf-8")
    folder = path.with_suffix("")
    folder.mkdir()
    for name in (f"{latin}-附件.pdf", "合同.pdf"):
        (folder / name).write_bytes(pdf_bytes(f"{latin}BYTES"))
    return path


def _append(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def leak_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_demo(tmp_path_factory.mktemp("leak") / "repo", with_site=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Import the register")
    _marked_record(repo, "NX-2026-901", "confidential", "ND-2026-1901")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Register {''.join(MARKS['confidential'])} NX-2026-901")
    secret = _marked_record(repo, "NX-2026-902", "secret", "ND-2026-1902")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Register {''.join(MARKS['secret'])} NX-2026-902", author=SECRET_AUTHOR)
    # A commit that touches a public record and the secret one: its subject must not show on the public page.
    public = repo / "records/2024/XZ-2024-001.yaml"
    _append(
        public,
        "category: {project: 制度通知}",
        "category: {project: 制度通知}\nremarks: 另见 NX-2026-902、" + "、".join(SECRET_ID_VARIANTS),
    )
    _append(secret, "备注", "备注二")
    git(repo, "commit", "-q", "-am", f"QZMIXEDMARK {MARKS['secret'][1]}: cross-reference")
    # Public records that try to publish /etc/passwd, the secret record's attachment, and script.
    _append(public, "remarks: 另见", "attachments: [passwd]\nremarks: 另见")
    public.with_suffix("").symlink_to("/etc")
    borrower = repo / "records/2025/NX-2025-001.yaml"
    _append(borrower, "\nevents:", "\nattachments: [合同.pdf]\nevents:")
    borrower.with_suffix("").symlink_to(secret.with_suffix(""))
    scripted = repo / "records/2025/XZ-2025-002.yaml"
    _append(
        scripted,
        "\nevents:",
        "\nattachments: [图.svg, 页.html, 说明.pdf, hostname.txt, NX-2026-902回执.pdf, ｎｘ\u20112026\u2011902附件.pdf, hard.pdf]\nevents:",
    )
    folder = scripted.with_suffix("")
    folder.mkdir()
    (folder / "图.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (folder / "页.html").write_text("<script>alert(document.cookie)</script>")
    (folder / "说明.pdf").write_bytes(pdf_bytes("plain"))
    (folder / "NX-2026-902回执.pdf").write_bytes(pdf_bytes("receipt"))  # a visible file named after a hidden record
    (folder / "ｎｘ\u20112026\u2011902附件.pdf").write_bytes(pdf_bytes("annex"))  # ... with the id written otherwise
    (folder / "hostname.txt").symlink_to("/etc/hostname")
    os.link(secret.with_suffix("") / "合同.pdf", folder / "hard.pdf")  # a hard link to the secret record's file
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Attach files")
    return repo


@pytest.fixture(scope="module")
def builds(leak_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("leak-builds")
    return {c: build_site(leak_repo, out / c, clearance=c) for c in ("public", "internal", "confidential")}


def _found(site: Path, words: list[str]) -> dict[str, list[str]]:
    """Which of ``words`` occur (case-insensitively) in which output files or file names."""
    hits: dict[str, list[str]] = {}
    needles = [(w, w.lower().encode()) for w in words]
    for path, data in output_texts(site):
        haystack = data.lower() + str(path.relative_to(site)).lower().encode()
        for word, needle in needles:
            if needle in haystack:
                hits.setdefault(word, []).append(str(path.relative_to(site)))
    return hits


def _words(classification: str) -> list[str]:
    latin, chinese = MARKS[classification]
    return [latin, chinese, f"{latin}BYTES"]


SECRET_WORDS = [*_words("secret"), "QZSECRETAUTHOR", "机密作者", "QZMIXEDMARK", "NX-2026-902"]


@pytest.mark.parametrize("clearance", ["public", "internal"])
def test_nothing_above_the_clearance_in_any_byte(builds: dict[str, Path], clearance: str) -> None:
    hits = _found(builds[clearance], [*SECRET_WORDS, *_words("confidential"), "NX-2026-901", "root:x:0:0"])
    assert hits == {}


def test_confidential_build_shows_confidential_but_not_secret(builds: dict[str, Path]) -> None:
    site = builds["confidential"]
    assert set(_found(site, _words("confidential"))) == set(_words("confidential"))  # the search finds what is there
    assert _found(site, SECRET_WORDS) == {}


def test_links_publish_nothing(builds: dict[str, Path]) -> None:
    for site in builds.values():
        names = {p.name for p in site.rglob("*")}
        assert "passwd" not in names and "hostname.txt" not in names
        assert not [p for p in site.rglob("*") if p.is_symlink()]


def test_attachments_that_could_run_script_are_downloads(builds: dict[str, Path]) -> None:
    site = builds["public"]
    files = site / "records/2025/XZ-2025-002/files"
    assert sorted(p.name for p in files.iterdir()) == [
        "图.svg.download",
        "说明.pdf",
        "页.html.download",
        "（无权查看的记录）回执.pdf",
        "（无权查看的记录）附件.pdf",
    ]
    page = (site / "records/2025/XZ-2025-002/index.html").read_text(encoding="utf-8")
    assert re.search(r'href="files/%E5%9B%BE\.svg\.download" download="图\.svg"', page)
    assert 'href="files/%E8%AF%B4%E6%98%8E.pdf">' in page
    for href in set(re.findall(r'href="(files/[^"]+)"', page)) - {
        "files/hostname.txt",
        "files/hard.pdf",
    }:  # each leads to its file
        assert (site / "records/2025/XZ-2025-002" / unquote(href)).is_file(), href


def test_validate_names_each_link(leak_repo: Path) -> None:
    result = run_commlog("validate", "--repo", str(leak_repo), "--format", "json")
    found = {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
    assert {
        ("records/2024/XZ-2024-001", "file-symlink"),
        ("records/2025/NX-2025-001", "file-symlink"),
        ("records/2025/XZ-2025-002/hostname.txt", "file-symlink"),
        ("records/2024/XZ-2024-001.yaml", "attachment-outside"),
        ("records/2025/NX-2025-001.yaml", "attachment-outside"),
        ("records/2025/XZ-2025-002.yaml", "attachment-outside"),
    } <= found, found
    assert result.returncode == 1


@pytest.mark.parametrize("clearance", ["public", "internal", "confidential"])
def test_every_spelling_of_a_hidden_id_is_redacted(builds: dict[str, Path], clearance: str) -> None:
    """Lower case, full-width, any dash: a reader takes each for the id, so each is redacted, in text and file names."""
    site = builds[clearance]
    page = (site / "records/2024/XZ-2024-001/index.html").read_text(encoding="utf-8")
    assert "另见 " + "、".join([HIDDEN] * (1 + len(SECRET_ID_VARIANTS))) in page
    assert (site / "records/2025/XZ-2025-002/files" / f"{HIDDEN}附件.pdf").exists()
    for path, data in output_texts(site):
        text = normal_id(data.decode("utf-8", "replace") + str(path.relative_to(site)))
        assert "NX-2026-902" not in text, path


def _model(hidden: set[str]) -> SiteModel:
    """A site model with only the ids it hides: all :meth:`SiteModel.redact` reads."""
    return SiteModel(Path(), "public", datetime(2026, 11, 20), None, None, None, hidden_ids=hidden)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("见cw-2024-001。", f"见{HIDDEN}。"),
        ("ＣＷ－２０２４－００１号", f"{HIDDEN}号"),
        ("refCW\u20132024\u2013001", f"ref{HIDDEN}"),
        ("CW-2024-0011、NX-2024-001、CW-2024-12", "CW-2024-0011、NX-2024-001、CW-2024-12"),  # other ids stay
        ("CW-2024-1号与CW-2024-01", f"{HIDDEN}号与{HIDDEN}"),  # the sequence without its padding
    ],
)
def test_redaction_reads_ids_as_a_reader_does(text: str, shown: str) -> None:
    assert _model({"CW-2024-001", "draft"}).redact(text) == shown


def test_redaction_of_a_long_word_takes_one_pass() -> None:
    """A 200,000-letter word ending like an id: 7.6 s when each start in the word was tried, now one slice."""
    word = "x" * 200_000
    text = f"{word}CW-2024-001 {word}-2024-001"
    assert _model({"CW-2024-001"}).redact(text) == f"{word}{HIDDEN} {word}-2024-001"


def test_ids_of_records_deleted_from_the_repository_stay_hidden(tmp_path: Path) -> None:
    """A record removed since (disposed of, or moved out) is still in history: a public page never names it."""
    from commlog.asof import moment
    from commlog.site.model import build_model

    repo = copy_demo(tmp_path / "repo")
    _marked_record(repo, "NX-2026-903", "secret", "ND-2026-1903")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Import")
    git(repo, "rm", "-q", "-r", "records/2026/NX-2026-903.yaml", "records/2026/NX-2026-903")
    git(repo, "commit", "-q", "-m", "Dispose of a record")
    model = build_model(repo, "public", moment(repo, "2026-11-20 17:00"))
    assert model.redact("见NX-2026-903") == f"见{HIDDEN}"


def test_attachments_never_share_a_published_name() -> None:
    from commlog.site.attachments import published_names

    model = _model({"NX-2026-902"})
    names = ["NX-2026-902回执.pdf", "nx-2026-902回执.pdf", "图.svg", "图.SVG", "说明"]
    published = published_names(names, model.redact)
    assert list(published.values()) == [
        f"{HIDDEN}回执.pdf",
        f"{HIDDEN}回执-2.pdf",
        "图.svg.download",
        "图.SVG-2.download",
        "说明.download",
    ]
