"""The archive site built from the demo organisation with the real `mkdocs build`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_demo, run_commlog
from sitebuild import build_site, output_texts


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(ROOT, tmp_path_factory.mktemp("site") / "out")


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_dashboard(site: Path) -> None:
    html = page(site, "")
    assert "已逾期环节" in html and "即将逾期环节" in html and "本月按时完成率 (2026-11)" in html
    assert "截至 2026-11-20 17:00" in html
    assert 'href="records/2026/CW-2026-003/"' in html  # the newest records link to their pages
    nav_links = html.count("md-nav__link")
    assert nav_links < 60, "the navigation must stay small: no entry per record"


def test_record_page_has_every_field_events_deadlines_and_approvals(site: Path) -> None:
    html = page(site, "records/2024/NX-2024-001")
    for text in (
        "关于Q4产品推广方案需求确认",
        "信息主题",
        "紧急程度",
        "预计反馈时间",
        "邮件发送成功截图",
        "归档编号 ND-2024-1001",
        "部门负责人 ✓ 王芳",
        "分管领导 ✓ 李强",
        "按时完成",
        "提交审核",
        "李娜 (客户A公司)",
        "紧急 <code>urgent</code>",
    ):
        assert text in html, text


def test_register_by_month_with_the_register_columns(site: Path) -> None:
    html = page(site, "register/2024-10")
    for column in (
        "信息编号",
        "发起部门",
        "接收部门/单位",
        "内容摘要",
        "紧急程度",
        "传递方式",
        "预计反馈时间",
        "实际反馈时间",
        "处理状态",
        "归档编号",
    ):
        assert f"<th>{column}</th>" in html
    for record_id in ("NX-2024-001", "NB-2024-056", "NJ-2024-032"):
        assert record_id in html
    text = _text(html)  # a time's date and hour are two unbreakable pieces: compare the text a reader sees
    assert "企业邮箱+电话" in text and "2024-10-11 18:00" in text and "2024-10-10 16:00" in text
    assert 'data-filter="department"' in html and 'data-urgency="urgent"' in html


def test_the_feedback_deadline_is_the_same_on_every_page(site: Path) -> None:
    """NX-2026-008, an urgent complaint promised for 13:40 (4 hours would end at 14:10): one time everywhere."""
    row = _text(page(site, "register/2026-11").split("NX-2026-008")[2].split("</tr>")[0])
    assert "2026-11-20 13:40" in row and "14:10" not in row
    record = page(site, "records/2026/NX-2026-008")
    assert "2026-11-20 13:40 (按预计反馈时间)" in record
    collaboration = _text(page(site, "register/2026-09").split("NB-2026-003")[2].split("</tr>")[0])
    assert "2026-09-03 11:30" in collaboration and "2026-09-02 07:30" not in collaboration  # 行政部 has not answered


def test_archive_by_classification(site: Path) -> None:
    internal = page(site, "archive/internal/nj")
    assert "年度体检" in internal and "NJ-2024-032" in internal and "2024-10" in internal
    external = page(site, "archive/external/customer")
    assert "产品推广" in external and "NX-2024-001" in external
    assert "NB-2024-056" in page(site, "archive/external/supplier")


def test_notices_collaborations_overdue_statistics(site: Path) -> None:
    notices = page(site, "notices")
    # 40 recipients: the 41 staff on the staff at publication (2024-10-08), less the sender
    assert "NJ-2024-032" in notices and "4 / 40" in notices and "到达率" in notices
    collaborations = page(site, "collaborations")
    assert collaborations.count('class="commlog-gantt"') >= 3 and "延期" in collaborations
    overdue = page(site, "overdue")
    assert "NJ-2024-032" in overdue and "人力资源部" in overdue and "逾期时长" in overdue
    statistics = page(site, "statistics")
    assert statistics.count('class="commlog-chart"') >= 5 and "按时完成率" in statistics


def test_reference_and_procedure(site: Path) -> None:
    assert "信息编号" in page(site, "reference") and "feedback_due" in page(site, "reference")
    procedure = page(site, "procedure")
    assert "普通信息1个工作日内完成审核" in procedure and "分管领导" in procedure and "保存期限" in procedure


def test_contacts_masked_unless_clearance_allows(site: Path, tmp_path: Path) -> None:
    person = yaml.safe_load((ROOT / "contacts/internal/zhang-wei.yaml").read_text(encoding="utf-8"))
    mobile = person["mobile"]
    internal = page(site, "contacts")
    assert mobile not in internal and f"{mobile[:3]}****{mobile[-4:]}" in internal
    assert "已离职" in internal  # departed staff are marked
    confidential = build_site(ROOT, tmp_path / "conf", "confidential")
    assert mobile in page(confidential, "contacts")


def test_hidden_records_appear_nowhere(site: Path, tmp_path: Path) -> None:
    """A record above the build's clearance leaves no trace: no page, no line, no search entry."""
    hidden = {}
    for path in (ROOT / "records").glob("*/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["classification"] == "confidential":
            hidden[data["id"]] = data
    assert len(hidden) >= 5
    needles = [value.encode() for d in hidden.values() for value in (d["id"], d["subject"], d["summary"])]
    leaks = [(path.name, needle.decode()) for path, text in output_texts(site) for needle in needles if needle in text]
    assert leaks == []
    # the same check does find a visible record's text inside the search index
    visible = "定于11月1日-11月10日组织员工体检".encode()
    assert any(visible in text for path, text in output_texts(site) if "search/data/docs" in path.as_posix())
    # a visible record that links to a hidden one shows the link, not the hidden id
    repo = copy_demo(tmp_path / "linked", with_site=True)
    record = repo / "records/2025/NX-2025-002.yaml"
    text = record.read_text(encoding="utf-8")
    text = (
        text.replace("remarks:", "remarks: 参见CW-2024-001的预算口径;")
        if "remarks:" in text
        else text + "remarks: 参见CW-2024-001的预算口径\n"
    )
    record.write_text(text + "in_reply_to: CW-2024-001\nreferences: [NJ-2026-001, NX-2024-001]\n", encoding="utf-8")
    assert run_commlog("validate", "--repo", str(repo)).returncode == 0
    linked = build_site(repo, tmp_path / "linked-site")
    assert "NX-2024-001" in (linked / "records/2025/NX-2025-002/index.html").read_text(encoding="utf-8")
    for path, text in output_texts(linked):
        assert b"CW-2024-001" not in text and b"NJ-2026-001" not in text, path
    public = build_site(ROOT, tmp_path / "public", "public")
    assert not (public / "records/2024/NX-2024-001").exists()  # internal record
    assert (public / "records/2024/NJ-2024-032").exists() is False  # internal notice


HOSTILE = "<script>alert(1)</script>"


def test_hostile_text_is_shown_as_text(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    link = "[点我](javascript:alert(2))"
    image = "<img src=x onerror=alert(3)>"
    record = f"""id: NX-2026-900
kind: collaboration
direction: internal
subject: '{HOSTILE}'
summary: '{link} {image} {HOSTILE}'
from: {{department: 市场部, person: zhang-wei}}
to:
  - {{department: 生产部, person: deng-gang}}
urgency: normal
channels: [oa]
classification: internal
category: {{project: '{HOSTILE}'}}
events:
  - {{type: submitted, at: 2026-11-02 09:00, by: zhang-wei}}
  - {{type: approved, at: 2026-11-02 10:00, by: wang-fang, role: dept_head, note: '{image}'}}
  - {{type: sent, at: 2026-11-02 11:00, by: zhang-wei, channel: oa, evidence: '{link}'}}
  - {{type: progress, at: 2026-11-04 09:00, by: deng-gang, task: '1', status: in_progress, note: 方案起草中}}
tasks:
  - {{no: '1', name: '{HOSTILE}', department: 生产部, owner: deng-gang, start: 2026-11-03, end: 2026-11-10, deliverable: '{image}'}}
remarks: '{link}'
attachments: ['<b>回执.txt']
"""
    (repo / "records/2026/NX-2026-900.yaml").write_text(record, encoding="utf-8")
    (repo / "records/2026/NX-2026-900").mkdir()
    (repo / "records/2026/NX-2026-900/<b>回执.txt").write_text("receipt", encoding="utf-8")
    contact = repo / "contacts/internal/ye-qing.yaml"
    contact.write_text(
        contact.read_text(encoding="utf-8").replace("name: 叶青", f"name: '{HOSTILE}'"), encoding="utf-8"
    )
    assert run_commlog("validate", "--repo", str(repo)).returncode == 0
    site = build_site(repo, tmp_path / "out")
    html = page(site, "records/2026/NX-2026-900")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    progress = html.split("进度更新", 1)[1].split("</tr>")[0]  # the event says which task and status it is about
    assert "任务 1 " in progress and "：进行中" in progress and "方案起草中" in progress
    for path, text in output_texts(site):
        if path.suffix == ".html":
            assert HOSTILE.encode() not in text, path
            assert b"<img src=x onerror" not in text, path
            assert not re.search(rb"href=[\"']?\s*javascript:", text, re.I), path
    assert (site / "records/2026/NX-2026-900/files/<b>回执.txt").read_text(encoding="utf-8") == "receipt"


def test_mkdocs_build_works_directly(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "direct")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "direct/records/2024/NX-2024-001/index.html").is_file()
    assert (tmp_path / "direct/search/data/meta.json").is_file()
    assert (tmp_path / "direct/assets/commlog-search.js").is_file()


def test_broken_policy_stops_the_build_with_a_message(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "repo", with_site=True)
    policy = repo / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("at_risk_share: 0.8", "at_risk_share: 8"), encoding="utf-8"
    )
    result = run_commlog("site", "build", "--repo", str(repo), "--output", str(tmp_path / "out"))
    assert (
        result.returncode == 2
        and "policy.yaml: schema-exclusive-maximum" in result.stderr
        and "Traceback" not in result.stderr
    )
    assert not (tmp_path / "out").exists()
    policy.write_text("timezone: [\n", encoding="utf-8")
    for command in (["site", "build"], ["overdue"], ["due", "NX-2024-001"]):
        broken = run_commlog(*command, "--repo", str(repo))
        assert broken.returncode == 2 and "policy.yaml" in broken.stderr and "Traceback" not in broken.stderr, command


def _text(html: str) -> str:
    """A page's visible text: tags and scripts gone, whitespace as single spaces."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"</?(?:span|wbr|a|code|strong)\b[^>]*>", "", html)  # inline: no space where none is shown
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_record_pages_name_people_and_organisations(site: Path) -> None:
    """Nobody is shown as an id (tang-lei, customer-d/zhou-gang), not even in the folded field dump."""
    slug = re.compile(r"(?<![\w/.@-])[a-z]+-[a-z]+(?:/[a-z]+-[a-z]+)?(?![\w.-])")
    staff = {p.stem for p in (ROOT / "contacts" / "internal").glob("*.yaml")}
    orgs = {p.stem for p in (ROOT / "contacts" / "external").glob("*.yaml")}
    for path in (site / "records").rglob("index.html"):
        text = _text(path.read_text(encoding="utf-8"))
        text = text[: text.find("文件历史")]  # commit messages are the developers' text
        ids = [m for m in slug.findall(text) if m in staff or m.partition("/")[0] in orgs]
        assert ids == [], f"{path}: {ids}"
    record = _text(page(site, "records/2024/NX-2024-001"))
    assert "接收方 客户A公司：李娜" in record
    register = _text(page(site, "register/2024-10"))
    assert "客户A公司 客户A公司" not in register


def test_record_badges_are_labelled_and_the_field_dump_is_folded(site: Path) -> None:
    html = page(site, "records/2024/NX-2024-001")
    for label in ("状态: 已归档", "类型: 信息交流", "方向: 外部", "紧急程度: 紧急", "密级: 内部"):
        assert label in html, label
    assert '<details class="commlog-raw"><summary>全部字段' in html


def test_minutes_page_shows_the_meeting(site: Path) -> None:
    text = _text(page(site, "records/2024/NB-2024-058"))
    for part in (
        "会议时间 2024-11-14 15:00 会议地点 三楼第一会议室 主持人 邓刚 记录人 唐磊",
        "曹琳 生产部",
        "周刚 北方医疗器械有限公司",
        "会议决议 更换外壳供应商的备选方案 增加出厂前外观全检",
        "1 出厂外观全检方案 曹琳 2024-11-20 18:00 已完成",
    ):
        assert part in text, part


def test_notice_page_shows_items_and_who_confirmed_by_department(site: Path) -> None:
    text = _text(page(site, "records/2024/NJ-2024-032"))
    for part in (
        "通知事项 体检时间:11月1日至11月10日,分部门错峰进行",
        "执行要求 各部门负责人督促本部门员工按时参检并确认已阅",
        "联系人：吴艳（人力资源部）",
        "市场部 1 人：王芳 7 人：",
        "财务部 1 人：钱红",
    ):
        assert part in text, part


def test_request_page_shows_the_request_replies_and_satisfaction(site: Path) -> None:
    text = _text(page(site, "records/2025/NX-2025-005"))
    for part in (
        "需求描述 外包装增加防震内衬，运输破损率降至0.5%以下 期望完成时间 2025-06-30",
        "承诺反馈时间",
        "出具反馈函 赵杰 已收到,按要求处理",
        "满意度回访 赵杰 客户表示满意 满意度 5/5",
    ):
        assert part in text, part


def test_statistics_is_this_months_summary_beside_last_months(site: Path) -> None:
    """The statistics page and the dashboard show the summary's figures (commlog.reports.summary), the same ones."""
    text = _text(page(site, "statistics"))
    assert "指标 本月 2026-11 上月 2026-10 变化" in text and "各环节按时完成率（本月）" in text
    rate = re.search(r"按时完成率 (\d+\.\d%) (\d+\.\d%) ", text)
    overdue = re.search(r"期末逾期环节 (\d+) ", text)
    assert rate and overdue, text
    dashboard = _text(page(site, ""))
    assert f"{rate[1]}本月按时完成率 (2026-11) {rate[2]}上月按时完成率 (2026-10)" in dashboard
    assert f"{overdue[1]}已逾期环节" in dashboard  # overdue at the end of this month so far: overdue now


def test_procedure_page_is_chinese(site: Path) -> None:
    text = _text(page(site, "procedure"))
    assert "内部、跨部门 部门负责人" in text and "外部、重要 总经理" in text and "涉及法律效力 法务" in text
    assert "跨部门疑问沟通" in text
    for raw in ("direction =", "cross_department", "legal_effect", "kind =", "question"):
        assert raw not in text, raw
