"""What a site build names only through its model: the contacts audit's rows, commit authors, a disposed record's
commit subjects. Every byte of real builds at each clearance is searched.

The fixture makes 刘洋 (liu-yang, head of 行政部, to whom the disposed NB-2024-057 was addressed) confidential and gives
郭霞 the same role (行政部 has two heads), gives supplier-b's 张敏 刘洋's mobile, adds a secret organisation under
supplier-b's name and makes customer-c's departed 孙燕, whom the open NX-2026-004 names, confidential. 刘洋 commits
NB-2024-057 with an attachment, and a record's later changes under another email; a clerk not in the contacts
commits too.
"""

from __future__ import annotations

import html
import os
import subprocess
from pathlib import Path

import pytest

from conftest import copy_demo
from sitebuild import build_site, output_texts

CLEARANCES = ("public", "internal", "confidential", "secret")
DISPOSED_SUBJECT = "QZDISPOSEDSUBJECT第四季度原材料到货计划"
SHOWN_SUBJECT = "QZSHOWNSUBJECT"
AUDIT = "contacts/audit/index.html"


def _commit(repo: Path, subject: str, author: str, day: str, *paths: str) -> None:
    name, email = author[:-1].split(" <")
    moment = f"2026-11-{day}T02:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name}
    env |= {"GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment}
    run = {"cwd": repo, "env": env, "check": True, "capture_output": True}
    subprocess.run(["git", "add", "-A", "--", *paths], **run)  # type: ignore[call-overload]
    subprocess.run(["git", "commit", "-q", "-m", subject], **run)  # type: ignore[call-overload]


def _edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("site-leaks") / "repo", with_site=True)
    _edit(root, "contacts/internal/liu-yang.yaml", "status: active", "classification: confidential\nstatus: active")
    _edit(root, "contacts/internal/guo-xia.yaml", "status: active", "roles: [dept_head]\nstatus: active")
    _edit(root, "contacts/external/supplier-b.yaml", "mobile: '13940028000'", "mobile: '17600418916'")
    _edit(root, "contacts/external/customer-c.yaml", "    status: departed", "    classification: confidential\n"
          "    status: departed")  # fmt: skip
    (root / "contacts/external/secret-org.yaml").write_text(
        "id: secret-org\nname: 供应商B公司\ntype: supplier\nowner: cheng-hao\nmatters: [原材料供应]\n"
        "classification: secret\nstatus: active\npeople:\n"
        "  - {id: qz-person, name: QZSECRETORGPERSON, email: qz@secret-org.example, status: active}\n",
        encoding="utf-8",
    )
    for doc in (root / "site").rglob("*.md"):  # the hand-written guides quote the demo's 刘洋 in examples
        doc.write_text(doc.read_text(encoding="utf-8").replace("刘洋", "某负责人"), encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    disposed = "records/2024/NB-2024-057"
    record = "records/2026/NB-2026-003.yaml"
    (root / ".gitignore").write_text("site-build/\n", encoding="utf-8")
    _commit(root, "Initial", "Alice Admin <alice@hengtai.example>", "01", ":(exclude)" + disposed + ".yaml")
    (root / disposed).mkdir()
    (root / disposed / "到货计划.txt").write_text("附件\n", encoding="utf-8")
    _commit(root, f"NB-2024-057: {DISPOSED_SUBJECT} 附件", "刘洋 <liu.yang@hengtai.example>", "02", ".")
    _edit(root, record, "\nevents:", "\n# 刘洋 checked\nevents:")
    _commit(root, f"{SHOWN_SUBJECT} from another address", "刘洋 <liuyang@home.example>", "03", record)
    _edit(root, record, "\nevents:", "\n# clerk checked\nevents:")
    _commit(root, f"{SHOWN_SUBJECT} by a clerk", "Outside Clerk <clerk@elsewhere.example>", "04", record)
    subprocess.run(["git", "rm", "-rq", disposed], cwd=root, check=True)
    _commit(root, "Dispose NB-2024-057", "Alice Admin <alice@hengtai.example>", "05", ".")
    return root


@pytest.fixture(scope="module")
def builds(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("site-leaks-builds")
    return {c: build_site(repo, out / c, c) for c in CLEARANCES}


def _everything(site: Path) -> bytes:
    return b"\n".join(data for _, data in output_texts(site))


def _audit(site: Path) -> str:
    return html.unescape((site / AUDIT).read_text(encoding="utf-8"))


def test_the_audit_leaves_out_rows_naming_a_contact_the_build_does_not_list(builds: dict[str, Path]) -> None:
    page = _audit(builds["internal"])
    for word in ("liu-yang", "刘洋", "secret-org", "customer-c/sun-yan", "孙燕"):
        assert word not in page, word
    # the duplicate mobile and organisation (a row on each side), 行政部's two heads, NX-2026-004 naming 孙燕
    assert "另有 6 项涉及本版本（内部版）不列出的联络人，未列出" in page
    # 41 staff less 刘洋; 16 organisations less partner-i (confidential) and secret-org
    assert "本版本列出内部 40 人，外部单位 14 家" in page
    assert "远景咨询有限公司" in page  # a row about a listed organisation stays
    confidential = _audit(builds["confidential"])
    assert "customer-c/sun-yan" in confidential and "guo-xia、liu-yang" in confidential
    assert "zhang-min 的手机号码与 liu-yang 的相同" in confidential and "secret-org" not in confidential
    assert "另有 2 项" in confidential  # supplier-b and secret-org, the same organisation: the name is supplier-b's too
    secret = _audit(builds["secret"])
    assert "与 secret-org 是同一单位" in secret and "另有" not in secret


def test_a_public_build_has_no_audit(builds: dict[str, Path]) -> None:
    page = _audit(builds["public"])
    assert "联络信息审核只在内部及以上版本中提供" in page
    assert "sun-yan" not in page and "NX-2026-004" not in page and "内部 " not in page


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_commit_authors_are_named_as_the_build_may_name_them(builds: dict[str, Path], clearance: str) -> None:
    everything = _everything(builds[clearance])
    assert ("刘洋".encode() in everything) == (clearance in ("confidential", "secret")), clearance
    assert b"liuyang@home.example" not in everything
    if clearance == "public":
        return  # the internal record NB-2026-003 is not shown
    page = (builds[clearance] / "records/2026/NB-2026-003/index.html").read_text(encoding="utf-8")
    assert "Outside Clerk" in page  # not in the contacts: git's name, as before
    if clearance == "internal":
        assert page.count("（无权查看的联络人）") >= 1 and SHOWN_SUBJECT in page


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_a_disposed_record_shows_no_commit_subject(builds: dict[str, Path], clearance: str) -> None:
    assert DISPOSED_SUBJECT.encode() not in _everything(builds[clearance])
    if clearance in ("internal", "confidential", "secret"):
        page = (builds[clearance] / "records/2024/NB-2024-057/index.html").read_text(encoding="utf-8")
        assert "（记录已销毁：提交说明随内容删除）" in page
