"""What leaves the repository shows a detected number masked below the clearance its detector needs: every byte of
the site at each clearance (pages, search index, attachments) and of every export format."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from test_history import git

from conftest import copy_demo, run_commlog
from sitebuild import build_site, output_texts

ID = "110105199001011232"
CARD = "6222021234567890128"
MOBILE = "13812345678"
FULL_ID = "".join(chr(ord(c) + 0xFEE0) for c in "44030619851231002") + "２"  # 440306198512310022 in full width
FULL_ID_HALF = "440306198512310022"
EMAIL = "zhang.san@qq.com"
RECORD = f"""\
id: NX-2024-901
kind: message
direction: internal
subject: 关于客户张三退款的说明
summary: 客户身份证号{ID}，退款至卡号 6222 0212 3456 7890 128，手机{MOBILE}，邮箱{EMAIL}。
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
attachments: [退款说明.txt, 身份证{ID}.pdf]
"""
NUMBERS = [ID, CARD, "6222 0212 3456 7890 128", FULL_ID, FULL_ID_HALF]
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
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", f"Record the refund of {ID}")  # a commit subject a record page may show
    return target


def _leaks(outputs: list[tuple[str, bytes]], numbers: list[str]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for name, data in outputs:
        haystack = data + name.encode()
        for number in numbers:
            if number.encode() in haystack:
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
        assert any(name.endswith("身份证110105********1232.pdf") for name, _ in outputs)
        assert any(b"\xe5\x8d\xa1\xe5\x8f\xb7\xef\xbc\x9a622202*********0128" in data for _, data in outputs)  # 卡号：
        assert any(name.startswith("search/") for name, _ in outputs)
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
