"""What leaves the repository shows a detected number masked below the clearance its detector needs: every byte of
the site at each clearance (pages, search index, attachments) and of every export format."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path

import pytest

from commlog.sensitive import TextFile, as_text
from test_history import git

from conftest import copy_demo, run_commlog
from sitebuild import build_site, output_texts

ID = "110105199001011232"
CARD = "6222021234567890128"
MOBILE = "13812345678"
FULL_ID = "".join(chr(ord(c) + 0xFEE0) for c in "44030619851231002") + "２"  # 440306198512310022 in full width
FULL_ID_HALF = "440306198512310022"
EMAIL = "zhang.san@qq.com"
BOLD_ID = "".join(chr(0x1D7CE + int(c)) for c in "44030619851231002") + "２"  # mathematical bold, 440306198512310022
ARABIC_ID = "".join(chr(0x0660 + int(c)) for c in ID)
ZW_ID = "\u200b".join((ID[:6], ID[6:14], ID[14:]))
RECORD = f"""\
id: NX-2024-901
kind: message
direction: internal
subject: 关于客户张三退款的说明
summary: 客户身份证号{ID}，退款至卡号 6222 0212 3456 7890 128，手机{MOBILE}，邮箱{EMAIL}；又见{BOLD_ID}、{ARABIC_ID}、{ZW_ID}。
from: {{department: 市场部, person: zhang-wei}}
to:
  - {{department: 财务部}}
urgency: normal
channels: [email]
classification: internal
importance: normal
category: {{project: 退款}}
events:
  - {{type: submitted, at: 2024-10-08 09:30, by: zhang-wei, note: 另附证件{FULL_ID}}}
attachments: [退款说明.txt, 身份证{ID}.pdf, data.json, notepad.txt, be.txt, page.html, feed.xml, run.log, table.tsv, gbk.log, digits.md]
"""
TEXT_FILES = {
    "data.json": f'{{"证件号": "{ID}"}}'.encode(),
    "notepad.txt": codecs.BOM_UTF16_LE + f"证件号 {ID}\r\n".encode("utf-16-le"),  # as Notepad saves
    "be.txt": codecs.BOM_UTF16_BE + f"证件号 {ID}\n".encode("utf-16-be"),
    "page.html": f"<p>证件号 {ID}</p>".encode(),
    "feed.xml": f"<id>{ID}</id>".encode(),
    "run.log": f"refund card={CARD}\n".encode(),
    "digits.md": f"{BOLD_ID} {ARABIC_ID} {ZW_ID}\n".encode(),
    "table.tsv": f"name\tid\n张三\t{ID}\n".encode(),
    "gbk.log": f"证件号 {ID}".encode("gb18030"),
}
"""Text attachments whatever their name or encoding: scanned, and masked on the site."""
NUMBERS = [ID, CARD, "6222 0212 3456 7890 128", FULL_ID, FULL_ID_HALF, BOLD_ID, ARABIC_ID, ZW_ID]
"""Never whole below confidential."""
PUBLIC_NUMBERS = [*NUMBERS, MOBILE, EMAIL]
"""Never whole in a public build or export."""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_demo(tmp_path_factory.mktemp("sensitive") / "repo", with_site=True)
    record = target / "records/2024/NX-2024-901.yaml"
    record.write_text(RECORD, encoding="utf-8")
    folder = record.with_suffix("")
    folder.mkdir()
    (folder / "退款说明.txt").write_text(f"退款说明\n证件号 {ID}\n卡号：{CARD}\n", encoding="utf-8")
    (folder / f"身份证{ID}.pdf").write_bytes(b"%PDF-1.4")
    for name, data in TEXT_FILES.items():
        (folder / name).write_bytes(data)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", f"Record the refund of {ID}")  # a commit subject a record page may show
    return target


def _leaks(outputs: list[tuple[str, bytes]], numbers: list[str]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for name, data in outputs:
        haystack = data + name.encode()
        for number in numbers:
            if any(number.encode(e) in haystack for e in ("utf-8", "utf-16-le", "utf-16-be")):
                hits.setdefault(number, []).append(name)
    return hits


def _site(repo: Path, tmp_path: Path, clearance: str) -> list[tuple[str, bytes]]:
    site = build_site(repo, tmp_path / clearance, clearance=clearance)
    return [(str(p.relative_to(site)), data) for p, data in output_texts(site)]


@pytest.mark.parametrize("clearance", ["public", "internal", "confidential"])
def test_site_masks_below_the_clearance(repo: Path, tmp_path: Path, clearance: str) -> None:
    outputs = _site(repo, tmp_path, clearance)
    if clearance == "public":  # an internal record is not shown at all; the commit subject is not either
        assert _leaks(outputs, PUBLIC_NUMBERS) == {}
        return
    if clearance == "internal":
        assert _leaks(outputs, NUMBERS) == {}
        shown = b"".join(data for _, data in outputs)
        assert b"110105********1232" in shown and b"622202*********0128" in shown
        # a PDF that cannot be read (its bytes are "%PDF-1.4" alone): named on the page, masked, and not published
        assert any('身份证110105********1232.pdf <span class="commlog-withheld">'.encode() in d for _, d in outputs)
        assert not any(name.endswith(".pdf") for name, _ in outputs)
        assert any(b"\xe5\x8d\xa1\xe5\x8f\xb7\xef\xbc\x9a622202*********0128" in data for _, data in outputs)  # 卡号：
        assert any(name.startswith("search/") for name, _ in outputs)
        files = {name.rpartition("/")[2]: data for name, data in outputs}
        assert files["notepad.txt"] == codecs.BOM_UTF16_LE + "证件号 110105********1232\r\n".encode("utf-16-le")
        assert (
            files["be.txt"].startswith(codecs.BOM_UTF16_BE)
            and "110105********1232".encode("utf-16-be") in files["be.txt"]
        )
        assert b"110105********1232" in files["data.json.download"] and "证件号".encode() in files["data.json.download"]
        assert "证件号 110105********1232".encode("gb18030") == files["gbk.log.download"]
        return
    found = _leaks(outputs, [ID, CARD])  # a confidential reader sees the numbers whole
    assert set(found) == {ID, CARD}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("clearance", ["public", "internal"])
def test_exports_mask_below_the_clearance(repo: Path, tmp_path: Path, fmt: str, clearance: str) -> None:
    output = tmp_path / f"export.{fmt}"
    args = ["export", "--repo", str(repo), "--format", fmt, "--clearance", clearance, "--output", str(output)]
    done = run_commlog(*args)
    assert done.returncode == 0, done.stderr
    data = output.read_bytes()
    outputs = [("export", data)]
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            outputs = [(n, book.read(n)) for n in book.namelist()]
    numbers = NUMBERS if clearance == "internal" else PUBLIC_NUMBERS
    assert _leaks(outputs, numbers) == {}
    if clearance == "internal":
        assert any(b"110105********1232" in d for _, d in outputs)


def test_contacts_export_and_a_confidential_export(repo: Path, tmp_path: Path) -> None:
    output = tmp_path / "c.json"
    args = ["export", "--repo", str(repo), "--format", "json", "--clearance", "confidential", "--output", str(output)]
    assert run_commlog(*args).returncode == 0
    assert ID.encode() in output.read_bytes()
    args = ["export", "--repo", str(repo), "--kind", "contacts", "--format", "json", "--output", str(output)]
    assert run_commlog(*args).returncode == 0
    assert b"li.na@customer-a.example" in output.read_bytes()  # a contact's own email at internal clearance


def test_the_rule_reads_every_text_attachment(repo: Path) -> None:
    done = run_commlog("validate", "--repo", str(repo), "--format", "json")
    found = [f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "sensitive-data"]
    for name in TEXT_FILES:
        assert any(m.startswith(f"attachment {name} line ") for m in found), name


def test_what_is_text(tmp_path: Path) -> None:
    assert as_text(codecs.BOM_UTF16_LE + "证件号".encode("utf-16-le")) == TextFile(
        "证件号", "utf-16-le", codecs.BOM_UTF16_LE
    )
    assert as_text(codecs.BOM_UTF8 + b"a") == TextFile("a", "utf-8", codecs.BOM_UTF8)
    assert as_text("证件号".encode("gb18030")) == TextFile("证件号", "gb18030")
    assert as_text(b"PK\x03\x04\x00\x00" + ID.encode()) is None  # binary: not read as text
    assert as_text(b"\x89PNG\r\n\x1a\n\x00\x00" + ID.encode()) is None
    assert as_text("证件".encode()[:-1], truncated=True) == TextFile("证", "utf-8")  # a character cut by the limit


def test_the_rule_reads_any_decimal_digit(repo: Path) -> None:
    done = run_commlog("validate", "--repo", str(repo), "--format", "json")
    found = [f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "sensitive-data"]
    summary = [m for m in found if "resident_id" in m and not m.startswith("attachment")]
    assert len([m for m in summary if "440306********0022" in m]) == 2  # full width, mathematical bold
    assert len([m for m in summary if "110105********1232" in m]) == 4  # ASCII, Arabic-Indic, zero-width, a file name
    assert len([m for m in found if m.startswith("attachment digits.md line 1: resident_id")]) == 3


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_the_register_listed_for_a_clearance_is_masked(repo: Path, tmp_path: Path, fmt: str) -> None:
    """`commlog list --clearance` is a register that leaves the repository: filtered and masked as exports are."""
    output = tmp_path / f"list.{fmt}"
    base = ["list", "--repo", str(repo), "--format", fmt, "--output", str(output)]
    assert run_commlog(*base, "--clearance", "internal").returncode == 0
    data = output.read_bytes()
    assert _leaks([("list", data)], NUMBERS) == {} and b"NX-2024-901" in data
    if fmt == "csv":  # the whole register, summaries included; text and json show no summary
        assert b"110105********1232" in data
    assert run_commlog(*base, "--clearance", "public").returncode == 0
    assert b"NX-2024-901" not in output.read_bytes()  # an internal record is not in a public register
    assert run_commlog(*base).returncode == 0  # the repository's own reader: the files as they are
    assert b"NX-2024-901" in output.read_bytes()
    if fmt == "csv":
        assert ID.encode() in output.read_bytes()
