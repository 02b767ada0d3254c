"""Documents attached to records (docx, xlsx, pdf, legacy doc): the rule reads the text inside them, and a site
build that would have to mask a number in one, or cannot read one, does not publish it.

The documents are made by the programs staff use: LibreOffice writes the docx, pdf and doc from a text file,
openpyxl the xlsx."""

from __future__ import annotations

import io
import json
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from commlog.documents import UNPACK_LIMIT, read_attachment
from test_history import git
from test_office import convert

from conftest import copy_demo, run_commlog
from sitebuild import build_site, output_texts

ID = "110105199001011232"
CARD = "6222021234567890128"
RECORD = """\
id: NX-2024-902
kind: message
direction: internal
subject: 客户退款材料
summary: 退款材料见附件。
from: {department: 市场部, person: zhang-wei}
to:
  - {department: 财务部}
urgency: normal
channels: [email]
classification: internal
importance: normal
category: {project: 退款}
events:
  - {type: submitted, at: 2024-10-09 09:30, by: zhang-wei}
attachments: [退款函.docx, 退款函.pdf, 退款函.doc, 明细.xlsx, 会议通知.docx, 空白.pdf, 客户来信.eml, 转发.eml, 通知邮件.eml, 材料.zip]
"""


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each attachment's bytes, as the programs staff use write them."""
    work = tmp_path_factory.mktemp("documents")
    letter = work / "letter.txt"  # LibreOffice may not load a non-ASCII path under a C locale
    letter.write_text(f"退款函\n客户身份证号：{ID}\n退款卡号：6222 0212 3456 7890 128\n", encoding="utf-8")
    made = {f"退款函.{kind}": convert(letter, kind, work).read_bytes() for kind in ("docx", "pdf", "doc")}
    notice = work / "notice.txt"
    notice.write_text("会议通知\n请于2024年10月10日14:00到三楼会议室，电话分机8021。\n", encoding="utf-8")
    made["会议通知.docx"] = convert(notice, "docx", work).read_bytes()
    blank = work / "blank.txt"
    blank.write_text("无\n", encoding="utf-8")
    made["空白.pdf"] = convert(blank, "pdf", work).read_bytes()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "银行卡号", "金额"])
    sheet.append(["张三", CARD, 1200])
    buffer = io.BytesIO()
    book.save(buffer)
    made["明细.xlsx"] = buffer.getvalue()
    made["客户来信.eml"] = _mail(f"您好，我的身份证号是{ID}，请办理退款。", "gb2312")
    made["转发.eml"] = _mail("请见附件。", "utf-8", ("退款函.docx", made["退款函.docx"]))
    made["通知邮件.eml"] = _mail("明天上午九点开会，分机8021。", "gb2312")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("letter.docx", made["退款函.docx"])
    made["材料.zip"] = archive.getvalue()
    return made


def _mail(body: str, charset: str, attached: tuple[str, bytes] | None = None) -> bytes:
    """A mail as a Chinese mail client saves it: the body base64 in its charset, a document attached."""
    message = EmailMessage()
    message["From"] = "客户 <kehu@example.com>"
    message["To"] = "zhang.wei@hengtai.example"
    message["Subject"] = "退款申请"
    message.set_content(body, charset=charset, cte="base64")
    if attached:
        message.add_attachment(attached[1], maintype="application", subtype="octet-stream", filename=attached[0])
    data = message.as_bytes()
    assert ID.encode() not in data and ID.encode("utf-16-le") not in data  # the number is not in the bytes as such
    return data


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, documents: dict[str, bytes]) -> Path:
    target = copy_demo(tmp_path_factory.mktemp("sensitive-documents") / "repo", with_site=True)
    record = target / "records/2024/NX-2024-902.yaml"
    record.write_text(RECORD, encoding="utf-8")
    folder = record.with_suffix("")
    folder.mkdir()
    for name, data in documents.items():
        (folder / name).write_bytes(data)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "Record the refund documents")
    return target


def text_of(raw: bytes, name: str = "") -> str | None:
    reading = read_attachment(raw, name)
    return None if reading.kind == "unreadable" else reading.text


def test_the_text_inside_each_document(documents: dict[str, bytes]) -> None:
    for name in ("退款函.docx", "退款函.pdf"):
        text = text_of(documents[name], name)
        assert text is not None and ID in text and "6222 0212 3456 7890 128" in text, name
    assert CARD in (text_of(documents["明细.xlsx"]) or "")
    assert text_of(documents["退款函.doc"], "退款函.doc") is None  # legacy Word: no extractor reads it
    assert text_of(b"PK\x03\x04 not a zip", "x.docx") is None
    assert text_of(b"%PDF-1.4 broken\x00", "x.pdf") is None
    assert ID in (text_of(documents["客户来信.eml"], "客户来信.eml") or "")
    assert ID in (text_of(documents["转发.eml"], "转发.eml") or "")  # in the document attached to the mail
    assert ID in (text_of(documents["材料.zip"]) or "")  # an archive: every member read


def test_what_a_file_is_comes_from_its_content(documents: dict[str, bytes]) -> None:
    """A name says nothing: a docx named .txt, a PDF named .png are read as what they are; images are media."""
    assert ID in (text_of(documents["退款函.docx"], "notes.txt") or "")
    assert ID in (text_of(documents["退款函.pdf"], "photo.png") or "")
    assert read_attachment(b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "scan.pdf").kind == "media"
    assert read_attachment(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "x.txt").kind == "unreadable"
    cp1252 = f"Caf\xe9 \u2013 {ID}".encode("cp1252")  # neither UTF-8 nor GB18030
    assert ID in (text_of(cp1252, "a.log") or "")
    assert ID in (
        text_of(("".join(f"&#{ord(c)};" for c in ID)).encode(), "a.html") or ""
    )  # entities, as a browser reads
    assert (
        text_of(("证件号 " + ID).encode("utf-16-le"), "a.txt") is None
    )  # UTF-16 with no mark: not read, so not published


def test_a_zip_bomb_stops_at_the_limit() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + b"0" * (UNPACK_LIMIT + 10) + b"</w:t>")
    assert len(buffer.getvalue()) < 1024 * 1024
    assert text_of(buffer.getvalue(), "bomb.docx") is None


def test_the_rule_reads_documents(repo: Path) -> None:
    done = run_commlog("validate", "--repo", str(repo), "--format", "json")
    found = [f["message"] for f in json.loads(done.stdout)["findings"] if f["path"].endswith("NX-2024-902.yaml")]
    for name in ("退款函.docx", "退款函.pdf"):
        assert any(m.startswith(f"attachment {name} line ") and "resident_id" in m for m in found), (name, found)
        assert any(m.startswith(f"attachment {name} line ") and "bank_card" in m for m in found), (name, found)
    assert any(m.startswith("attachment 明细.xlsx line ") and "bank_card" in m for m in found), found
    for name in ("客户来信.eml", "转发.eml", "材料.zip"):
        assert any(m.startswith(f"attachment {name} line ") and "resident_id" in m for m in found), (name, found)
    notes = [n["message"] for n in json.loads(done.stdout)["notes"] if n["path"].endswith("NX-2024-902.yaml")]
    assert [n.split(" cannot")[0] for n in notes if "cannot be read" in n] == ["attachment 退款函.doc"]
    assert not any(
        "会议通知" in m or "空白" in m or "通知邮件" in m for m in found
    )  # an extension number and a date are no finding
    assert done.returncode == 1


def _published(site: Path) -> dict[str, bytes]:
    folder = site / "records/2024/NX-2024-902/files"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def test_an_internal_build_withholds_what_it_would_have_to_mask(
    repo: Path, tmp_path: Path, documents: dict[str, bytes]
) -> None:
    site = build_site(repo, tmp_path / "internal", clearance="internal")
    published = _published(site)
    assert sorted(published) == ["会议通知.docx", "空白.pdf", "通知邮件.eml"]  # nothing to mask: published as they are
    assert published["通知邮件.eml"] == documents["通知邮件.eml"]
    page = (site / "records/2024/NX-2024-902/index.html").read_text(encoding="utf-8")
    for name in ("退款函.docx", "退款函.pdf", "退款函.doc", "明细.xlsx", "客户来信.eml", "转发.eml", "材料.zip"):
        assert f'{name} <span class="commlog-withheld">（未发布' in page, name
    for path, data in output_texts(site):
        if path.suffix in {".docx", ".xlsx", ".pdf", ".doc", ".eml"}:
            continue  # the published ones hold no number (above); their bytes are compressed
        assert ID.encode() not in data and CARD.encode() not in data, path


def test_a_confidential_build_publishes_every_document(repo: Path, tmp_path: Path, documents: dict[str, bytes]) -> None:
    site = build_site(repo, tmp_path / "confidential", clearance="confidential")
    assert _published(site) == documents
    page = (site / "records/2024/NX-2024-902/index.html").read_text(encoding="utf-8")
    assert "commlog-withheld" not in page


@pytest.mark.parametrize("head", [b"ID3 ", b"GIF89a ", b"abcdftyp ", b"OggS "])
def test_a_text_that_begins_like_an_image_is_text(head: bytes) -> None:
    """Media is known by its first bytes only when they are not text: 'GIF89a 身份证号…' is read and masked."""
    reading = read_attachment(head + f"身份证号 {ID}".encode(), "a.txt")
    assert reading.kind == "text" and ID in (reading.text or "")
