"""A program no one here wrote reads and writes commlog's spreadsheets: LibreOffice Calc, headless.

Each test runs ``soffice --headless --convert-to`` with its own profile (two runs sharing one wait on each other's
lock). On Linux, a missing LibreOffice fails the tests with the fix (`scripts/install-office.sh`, which
``python3 tasks.py test`` runs), rather than skipping them.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT, run_commlog

AS_OF = "2026-11-20 17:00"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
UTF8_CSV = "44,34,76,1"
"""LibreOffice's CSV filter options: comma, double quote, UTF-8 (76), from the first line."""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if sys.platform.startswith("linux"):
        pytest.fail("LibreOffice is not installed: `bash scripts/install-office.sh` (python3 tasks.py test runs it)")
    pytest.skip("LibreOffice is not installed")


def convert(source: Path, to: str, outdir: Path, infilter: str | None = None) -> Path:
    """``source`` converted by LibreOffice to ``to`` (``csv:...``, ``xlsx``, ``pdf``) in ``outdir``."""
    profile = outdir / ".lo-profile"
    command = [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", to, "--outdir", str(outdir), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    target = outdir / f"{source.stem}.{to.split(':')[0]}"
    assert result.returncode == 0 and target.exists(), result.stdout + result.stderr
    return target


def _export(repo: Path, target: Path, *args: str) -> Path:
    result = run_commlog("export", "--as-of", AS_OF, "--repo", str(repo), "--output", str(target), *args)
    assert result.returncode == 0, result.stderr
    return target


def _csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _unquoted(cell: str) -> str:
    """Our CSV's neutralised formula-like value ('=1) as a spreadsheet holds it (=1, as text)."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@") else cell


def test_libreoffice_reads_the_exported_xlsx_as_commlog_wrote_it(demo_repo: Path, tmp_path: Path) -> None:
    workbook = _export(demo_repo, tmp_path / "register.xlsx", "--format", "xlsx")
    ours = _csv_rows(_export(demo_repo, tmp_path / "ours.csv", "--format", "csv").read_bytes())
    theirs_dir = tmp_path / "lo"
    theirs_dir.mkdir()
    theirs = _csv_rows(convert(workbook, f"csv:Text - txt - csv (StarCalc):{UTF8_CSV}", theirs_dir).read_bytes())
    assert theirs[0][0].startswith("恒泰") or theirs[0][0].startswith("repo")  # the title row
    body = [row[: len(ours[0])] for row in theirs[1:]]
    # LibreOffice writes every cell as the sheet shows it: times through their yyyy-mm-dd hh:mm format.
    assert body == [[_unquoted(c) for c in row] for row in ours]


def test_a_register_saved_by_libreoffice_imports(demo_repo: Path, tmp_path: Path) -> None:
    typed = tmp_path / "手工登记表.csv"
    rows = [
        ["信息编号", "发起部门", "发起人", "接收部门/单位", "接收人", "信息主题", "内容摘要", "紧急程度", "传递方式",
         "发起时间", "实际反馈时间", "处理状态"],
        ["", "市场部", "王芳", "客户A公司", "李娜", "样品寄送确认", "请确认样品收货地址", "普通", "企业邮箱",
         "2026-11-02 10:00", "2026-11-03 11:00", "已完成"],
        ["", "生产部", "邓刚", "采购部", "肖楠", "备件采购申请", "请采购注塑机备件", "紧急", "OA系统+电话",
         "2026-11-04", "", "待审核"],
    ]  # fmt: skip
    typed.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    saved = convert(typed, "xlsx", tmp_path, infilter=f"CSV:{UTF8_CSV}")
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet["J2"].is_date  # LibreOffice took the times for dates, as a person's sheet has
    result = run_commlog("import", str(saved), "--repo", str(demo_repo))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wrote 2 record(s)" in result.stdout
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0
    shown = run_commlog("show", "NX-2026-009", "--repo", str(demo_repo)).stdout
    assert "样品寄送确认" in shown and "李娜" in shown


def test_libreoffice_opens_the_exported_csv_with_the_chinese_right(demo_repo: Path, tmp_path: Path) -> None:
    exported = _export(demo_repo, tmp_path / "register.csv", "--format", "csv")
    # The CSV import with its separator and no character set: LibreOffice picks the encoding, and reads the byte order
    # mark as UTF-8. (Headless with no options at all it assumes a Western code page whatever the file says, as its
    # import dialog's first guess can; a person choosing UTF-8 there, or --encoding gb18030 for old systems, reads it.)
    opened = convert(exported, "xlsx", tmp_path, infilter="CSV:44,34,,1")
    sheet = load_workbook(opened).active
    assert sheet is not None
    assert sheet["A1"].value == "信息编号" and sheet["F1"].value == "信息主题"
    subjects = {str(c.value) for c in sheet["F"]}
    assert "关于Q4产品推广方案需求确认" in subjects


def test_the_exported_register_printed_by_libreoffice(demo_repo: Path, tmp_path: Path) -> None:
    """The register as LibreOffice prints it, saved as a screenshot to look at (headings, widths, dates)."""
    shutil.copy(ROOT / "mkdocs.yml", demo_repo)  # the title row names the organisation
    workbook = _export(demo_repo, tmp_path / "register.xlsx", "--format", "xlsx")
    pdf = convert(workbook, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "恒泰 信息交流记录表" in text and "预计反馈时间" in text and "2024-10-08 09:30" in text
    assert "记录类型" not in text  # a printed page holds the procedure's fifteen columns only
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SCREENSHOTS / "register-libreoffice"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)], check=True
    )
    assert prefix.with_suffix(".png").stat().st_size > 10_000
