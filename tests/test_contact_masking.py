"""Who may read a contact's numbers: every byte of a real site build at each clearance, and of the contacts export.

The demo marks some contacts: 张伟's and 曹琳's mobiles are private (shown whole at confidential), 客户A's 王涛 and
安信物流 (partner-i) are confidential (not listed below it), regulator-j is public. The fixture adds a secret member
of staff with a marker name and makes 客户A's 李娜, named by internal records, confidential. Each build and export is searched for the numbers whole and for the names.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from test_history import git

from conftest import copy_demo, run_commlog
from sitebuild import build_site, output_texts

CLEARANCES = ("public", "internal", "confidential", "secret")
SECRET_NAME = "QZCONTACTSECRET机密联络人"
SECRET_MOBILE = "13712345678"
# (what, the text, the lowest clearance at which it may appear whole)
WHOLE = [
    ("secret staff name", SECRET_NAME, "secret"),
    ("secret staff mobile", SECRET_MOBILE, "secret"),
    ("secret staff email", "qz.secret@hengtai.example", "secret"),
    ("confidential person's name, named by NX-2026-001", "王涛", "confidential"),
    ("confidential organisation", "安信物流有限公司", "confidential"),
    ("its person's mobile", "13980056000", "confidential"),
    ("confidential person's mobile", "13910013000", "confidential"),
    ("private mobile of 张伟", "18301780393", "confidential"),
    ("private mobile of 曹琳", "13003141870", "confidential"),
    ("internal staff mobile (李强)", "13201885122", "internal"),
]


NAMED = [("confidential person named by internal records", "李娜 (客户A公司)", "confidential")]
"""How a record page, a notice's table or the overdue report names a person (the directory lists them otherwise)."""


def _level(clearance: str) -> int:
    return CLEARANCES.index(clearance)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("contact-masking") / "repo", with_site=True)
    (root / "contacts/internal/qz-secret.yaml").write_text(
        "id: qz-secret\n"
        f"name: {SECRET_NAME}\n"
        "department: 行政部\n"
        "title: 专员\n"
        f"mobile: '{SECRET_MOBILE}'\n"
        "email: qz.secret@hengtai.example\n"
        "classification: secret\n"
        "status: active\n",
        encoding="utf-8",
    )
    org = root / "contacts/external/customer-a.yaml"  # 李娜, to whom internal records are addressed, is confidential
    text = org.read_text(encoding="utf-8")
    org.write_text(text.replace("    email: li.na@customer-a.example\n", "    email: li.na@customer-a.example\n"
                                "    classification: confidential\n"), encoding="utf-8")  # fmt: skip
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Add {SECRET_NAME} {SECRET_MOBILE}")  # a commit subject naming the contact
    assert run_commlog("validate", "--repo", str(root)).returncode == 0
    return root


@pytest.fixture(scope="module")
def builds(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("contact-builds")
    return {c: b"\n".join(d for _, d in output_texts(build_site(repo, out / c, c))) for c in CLEARANCES}


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_the_site_shows_each_number_only_at_or_above_its_level(builds: dict[str, bytes], clearance: str) -> None:
    everything = builds[clearance]
    for what, text, lowest in WHOLE + NAMED:
        shown = text.encode() in everything
        assert shown == (_level(clearance) >= _level(lowest)), f"{what} at {clearance}"
    if clearance == "internal":  # masked, not dropped, where the contact is listed
        assert b"183****0393" in everything and "张伟".encode() in everything
        assert "（无权查看的联络人）".encode() in everything  # 李娜 on NX-2024-001's page, 机密联络人 on a notice's
    if clearance == "public":  # regulator-j is public: listed, its numbers masked (the policy's numbers_at: internal)
        assert "徐军".encode() in everything and b"139****3000" in everything
        assert b"13990063000" not in everything and b"021-55660009" not in everything


def _xlsx_text(path: Path) -> str:
    book = load_workbook(path)
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_the_contacts_export_shows_each_number_only_at_or_above_its_level(
    repo: Path, tmp_path: Path, clearance: str
) -> None:
    xlsx = tmp_path / "c.xlsx"
    args = ("export", "--kind", "contacts", "--clearance", clearance, "--repo", str(repo))
    assert run_commlog(*args, "--format", "xlsx", "--output", str(xlsx)).returncode == 0
    tables = []
    for sheet in ("内部联络信息表", "外部联络信息表"):
        result = run_commlog(*args, "--format", "csv", "--sheet", sheet)
        assert result.returncode == 0, result.stderr
        tables.append(result.stdout.lstrip("\ufeff"))
    texts = {"xlsx": _xlsx_text(xlsx), "csv": "\n".join(tables)}
    for fmt, text in texts.items():
        for what, value, lowest in WHOLE:
            assert (value in text) == (_level(clearance) >= _level(lowest)), f"{what} in {fmt} at {clearance}"
    if clearance == "internal":
        rows = list(csv.reader(io.StringIO(texts["csv"])))
        zhang = next(r for r in rows if "zhang-wei" in r)
        assert "183****0393" in zhang and "手机号码" in zhang  # masked, and marked private (私人号码)


@pytest.mark.parametrize("clearance", ["internal", "confidential"])
def test_the_register_export_names_no_contact_above_its_clearance(repo: Path, tmp_path: Path, clearance: str) -> None:
    xlsx = tmp_path / "register.xlsx"
    args = ("export", "--clearance", clearance, "--format", "xlsx", "--output", str(xlsx), "--repo", str(repo))
    assert run_commlog(*args).returncode == 0
    text = _xlsx_text(xlsx)
    assert ("李娜" in text) == (clearance == "confidential")  # NX-2024-001 (internal) is addressed to her
    assert SECRET_NAME not in text and "无权查看的联络人" in text  # the secret 行政部 member of the notices' tables


def test_a_short_number_is_mostly_hidden() -> None:
    """A 7-digit office phone was shown whole, an 8-character mobile all but one character: never more than a
    quarter of either end now."""
    from commlog.directory import mask_number

    assert mask_number("13812345678") == "138****5678"
    assert mask_number("6588017") == "6*****7"
    assert mask_number("+4912345") == "+4****45"
    for number in ("6588017", "+4912345", "021-556600", "123"):  # under 11 characters
        shown = mask_number(number)
        assert shown != number and sum(a == b for a, b in zip(shown, number, strict=True)) <= len(number) // 2
