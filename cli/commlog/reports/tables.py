"""The spreadsheets' columns, each heading with the other names ``commlog import`` accepts for it.

``commlog export`` writes these headings in this order and ``commlog import`` reads them back, so the two
cannot drift: a column is added here, once, with its aliases (field names among them).
"""

from __future__ import annotations

Columns = list[tuple[str, list[str]]]

REGISTER = "信息交流记录表"
REGISTER_COLUMNS: Columns = [
    ("信息编号", ["编号", "记录编号", "id"]),
    ("发起部门", ["部门", "from.department"]),
    ("发起人", ["发起人员", "经办人", "from.person"]),
    ("接收部门/单位", ["接收部门", "接收单位", "接收方", "to"]),
    ("接收人", ["接收人员", "to.person"]),
    ("信息主题", ["主题", "标题", "subject"]),
    ("内容摘要", ["摘要", "内容", "summary"]),
    ("紧急程度", ["紧急", "urgency"]),
    ("传递方式", ["传递渠道", "渠道", "channels"]),
    ("发起时间", ["发起日期", "日期", "submitted"]),
    ("预计反馈时间", ["预计反馈日期", "反馈时限", "feedback_due"]),
    ("实际反馈时间", ["实际反馈日期", "反馈时间", "feedback"]),
    ("处理状态", ["状态", "status"]),
    ("备注", ["说明", "remarks"]),
    ("归档编号", ["档案编号", "archive_no"]),
    # The procedure's fifteen columns end here; what commlog needs besides to keep a record follows.
    ("记录类型", ["类型", "kind"]),
    ("方向", ["内外部", "direction"]),
    ("密级", ["classification"]),
    ("重要程度", ["importance"]),
    ("项目", ["project"]),
    ("事项", ["matter"]),
    ("传递时间", ["发送时间", "传递日期", "sent"]),
    ("完成时间", ["办结时间", "completed"]),
    ("归档时间", ["归档日期", "archived"]),
    # Customer and supplier requests (客户沟通记录表's 客户需求, the supplier's 合作需求函).
    ("需求描述", ["客户需求", "合作需求", "request.need"]),
    ("期望完成时间", ["期望交付时间", "request.expected_by"]),
    ("预算", ["预算金额", "request.budget"]),
    ("需求来源", ["request.source"]),
    # Notices (内部通知): its parts.
    ("通知背景", ["notice.background"]),
    ("通知事项", ["notice.items"]),
    ("执行要求", ["notice.requirements"]),
    ("通知联系人", ["notice.contact"]),
    ("生效日期", ["notice.effective"]),
    # Minutes (会议纪要): the meeting.
    ("会议时间", ["meeting.held_at"]),
    ("会议地点", ["meeting.place"]),
    ("主持人", ["meeting.host"]),
    ("记录人", ["meeting.recorder"]),
    ("参会人员", ["attendees"]),
    ("会议决议", ["decisions"]),
]
PROCEDURE_COLUMNS = 15
"""The procedure's own columns come first; a printed register shows those."""

TASKS = "任务分解表"
TASK_COLUMNS: Columns = [
    ("信息编号", ["编号", "记录编号", "id"]),
    ("项目名称", ["项目", "project"]),
    ("任务编号", ["序号", "no"]),
    ("任务名称", ["任务", "name"]),
    ("任务描述", ["描述", "description"]),
    ("负责部门", ["部门", "department"]),
    ("负责人", ["owner"]),
    ("开始时间", ["开始日期", "start"]),
    ("结束时间", ["结束日期", "完成日期", "end"]),
    ("交付成果", ["交付物", "deliverable"]),
    ("依赖任务", ["前置任务", "depends_on"]),
    ("状态", ["任务状态", "status"]),
]
ACTIONS = "会议纪要行动项"
ACTION_COLUMNS: Columns = [
    ("信息编号", ["编号", "记录编号", "id"]),
    ("会议主题", ["主题", "subject"]),
    ("会议时间", ["held_at"]),
    ("序号", ["事项编号", "no"]),
    ("行动项", ["事项内容", "待办事项", "task"]),
    ("负责人", ["owner"]),
    ("完成期限", ["期限", "due"]),
    ("状态", ["status"]),
]
CONFIRMATIONS = "通知确认表"
CONFIRMATION_COLUMNS: Columns = [
    ("信息编号", ["编号", "记录编号", "id"]),
    ("通知主题", ["主题", "subject"]),
    ("发布时间", ["published"]),
    ("部门", ["department"]),
    ("姓名", ["确认人", "name"]),
    ("确认状态", ["状态", "status"]),
    ("确认时间", ["acknowledged"]),
]


def headings(columns: Columns) -> list[str]:
    return [heading for heading, _ in columns]


def aliases(columns: Columns) -> dict[str, list[str]]:
    return dict(columns)
