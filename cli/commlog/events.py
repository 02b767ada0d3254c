"""Every event type a record's history may hold: its Chinese name, who records it, what it means, its fields.

This table is the one place that knows what each event is in the procedure. The commands
that record events are :data:`commlog.steps.STEPS` (one per command, naming the event it
appends; ``commlog new`` writes ``submitted``, or ``drafted`` with ``--draft``); the format
reference (site/reference.md) joins the two. Which record kinds allow a type is the kinds'
schemas' business (``events.items.properties.type.enum`` in schemas/<kind>.schema.json).
Tests hold the table to the schemas (the same types, fields the event schema defines) and
to the commands (each type recorded by one, and a command's options are its event's fields).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    """One kind of step in a record's life."""

    type: str
    """The value of the event's ``type`` field."""
    name: str
    """Its Chinese name, as the register and the site show it."""
    by: str
    """Who the event's ``by`` is."""
    meaning: str
    """What the step is in the procedure, and what it starts or ends."""
    needs: tuple[str, ...] = ()
    """Fields the event must carry besides ``type``, ``at`` and ``by``."""
    uses: tuple[str, ...] = ()
    """Fields it may carry besides those (``recorded_by`` may be on any event: see :data:`COMMON`)."""

    @property
    def fields(self) -> tuple[str, ...]:
        return self.needs + self.uses


COMMON = ("type", "at", "by", "recorded_by", "late_entry")
"""Fields of every event: what, when, who, and who wrote it down when that was someone else (a delegate)."""

_TYPES = [
    EventType(
        "drafted",
        "起草",
        "the author",
        "The record is written down but not handed in; no deadline runs until it is submitted.",
    ),
    EventType(
        "submitted",
        "提交审核",
        "the sender (发起人)",
        "The sender hands the record in for review (`commlog new` writes it unless `--draft`); after a rejection, "
        "the corrected record is submitted again and the approvals start afresh. Starts the review deadline.",
        uses=("note",),
    ),
    EventType(
        "approved",
        "审核通过",
        "the reviewer, who holds `role` for this record",
        "A reviewer approves the record in one role of the approval matrix (部门负责人, 分管领导, 总经理, 法务); "
        "when every required role has approved, the record may go out.",
        needs=("role",),
        uses=("note",),
    ),
    EventType(
        "rejected",
        "退回修改",
        "the reviewer, who holds `role` for this record",
        "A reviewer sends the record back to the sender with the reason (`note`); it goes out only after it is "
        "resubmitted and approved again.",
        needs=("role", "note"),
    ),
    EventType(
        "sent",
        "传递",
        "the sender",
        "The approved record is delivered to its recipients over a channel allowed for its classification; "
        "`evidence` is the proof (screenshot, system status, signed receipt 签收回执). Starts the feedback "
        "deadline (the answer deadline for a collaboration, the quote deadline for a supplier request).",
        needs=("channel",),
        uses=("evidence", "to", "note"),
    ),
    EventType(
        "published",
        "发布",
        "the issuing department's sender",
        "The approved notice or minutes is published to its recipients; starts the read-confirmation deadline "
        "(确认已阅, 2 hours by default).",
        uses=(
            "channel",
            "note",
        ),
    ),
    EventType(
        "acknowledged",
        "确认已阅",
        "a recipient of the notice or minutes, for themselves",
        "A recipient confirms having read it (已阅 or a signature); the read-confirmation stage is met when "
        "every recipient has.",
    ),
    EventType(
        "feedback",
        "反馈",
        "the person who answers (an outside person as `<organisation>/<person>`)",
        "The recipient's answer to a message arrives (反馈内容 in `note`); meets the feedback deadline. "
        "`recorded_by` names the staff member who entered it when that is not the one answering.",
        needs=("note",),
    ),
    EventType(
        "follow_up",
        "催办",
        "the person chasing, usually the sender",
        "A reminder to whoever owes the next step (`to`); follow-ups are counted per stage and enough of them "
        "escalate an overdue stage.",
        needs=(
            "note",
            "to",
        ),
    ),
    EventType(
        "escalated",
        "升级",
        "the person escalating",
        "An overdue matter is taken one level up the chain (department head, division leader, general manager): "
        "`to` is the person it now waits on.",
        needs=(
            "note",
            "to",
        ),
    ),
    EventType(
        "completed",
        "处理完成",
        "the sender or the person responsible",
        "The matter is dealt with; open deadlines stop, and the archive deadline (2 working days by default) starts.",
        uses=("note",),
    ),
    EventType(
        "archived",
        "归档",
        "the archivist (档案管理员)",
        "The completed record is filed under the next free number of the policy's archive series; only "
        "`reopened` may follow.",
        needs=("archive_no",),
        uses=("note",),
    ),
    EventType(
        "reopened",
        "重新打开",
        "the sender or the person responsible",
        "A completed, archived or cancelled record is taken up again, with the reason; it is in progress again.",
        needs=("note",),
    ),
    EventType(
        "cancelled",
        "取消",
        "the sender or the person responsible",
        "The record is withdrawn, with the reason; no deadline runs any more and only `reopened` may follow.",
        needs=("note",),
    ),
    EventType(
        "comment",
        "备注",
        "anyone concerned",
        "A remark kept in the history; it changes neither the status nor a deadline.",
        needs=("note",),
    ),
    EventType(
        "held",
        "留存冻结",
        "a holder of a hold role (policy.yaml disposal.hold_roles: 法务, 档案管理员)",
        "A legal hold: the record is kept whatever its retention schedule says (litigation, an inquiry, an audit) "
        "until it is released; the reason is the note. It changes neither the status nor a deadline.",
        needs=("note",),
    ),
    EventType(
        "released",
        "解除冻结",
        "a holder of a hold role",
        "The legal hold ends, with the reason; the retention schedule applies again.",
        needs=("note",),
    ),
    EventType(
        "answered",
        "协作答复",
        "a person of a department the collaboration request addresses",
        "An addressed department answers the collaboration request (what it can support, with whom, by when; "
        "within 2 working days by default); meets the answer deadline.",
        needs=("note",),
    ),
    EventType(
        "progress",
        "进度更新",
        "the person doing the work",
        "Progress on the matter: a collaboration task or a minutes action item (`task`, with its new `status`; "
        "`done` meets the task's deadline), or the update a customer is owed every 3 days.",
        needs=("note",),
        uses=("task", "status"),
    ),
    EventType(
        "issue",
        "问题反馈",
        "the person who meets the problem",
        "A problem that delays or blocks collaboration work (a milestone slipping, a missing input), for the "
        "leading department to resolve.",
        needs=("note",),
        uses=("task",),
    ),
    EventType(
        "acceptance",
        "验收",
        "the person accepting the result",
        "The result is checked and accepted: a collaboration's results by the leading department (协作成果确认), "
        "a customer's solution by the customer, a supplier's delivery by quality control (验收报告).",
        needs=("outcome",),
        uses=("note",),
    ),
    EventType(
        "contacted",
        "首次联系",
        "the person handling the customer's request",
        "The first contact with the customer after the request came in, confirming the details and the first "
        "steps (within 1 working day by default).",
        needs=("note",),
        uses=("channel",),
    ),
    EventType(
        "reviewed",
        "需求评审",
        "the person handling the request, with the departments concerned",
        "The customer's request is reviewed inside the company (technical, after-sales, legal as needed) and a "
        "plan is agreed.",
        needs=("note",),
        uses=("outcome",),
    ),
    EventType(
        "replied",
        "出具反馈函",
        "the person handling the request",
        "The formal reply to the customer (phone and email): the steps, who is responsible, by when (within 2 "
        "working days by default); then progress is owed every 3 days.",
        needs=("note",),
        uses=("channel", "evidence"),
    ),
    EventType(
        "resolved",
        "问题解决",
        "the person handling the request",
        "The customer's problem is solved; starts the satisfaction visit deadline (3 working days by default).",
        needs=("note",),
    ),
    EventType(
        "satisfaction",
        "满意度回访",
        "the person who made the visit",
        "The satisfaction visit after the resolution: the customer's `score` from 1 to 5, their words in `note`.",
        needs=("score",),
        uses=("note",),
    ),
    EventType(
        "quoted",
        "报价及资质",
        "the supplier's person (`<organisation>/<person>`)",
        "The supplier's quote and qualification documents (business licence, certifications) arrive; meets the "
        "quote deadline (3 working days by default). `recorded_by` names the staff member who entered it.",
        uses=(
            "amount",
            "currency",
            "note",
        ),
    ),
    EventType(
        "qualification_reviewed",
        "资质审核",
        "the purchasing or quality-control reviewer",
        "Purchasing and quality control review the supplier's qualifications.",
        needs=("outcome",),
        uses=("note",),
    ),
    EventType(
        "negotiated",
        "商务谈判",
        "the person leading the negotiation",
        "The negotiation with the supplier and its minutes (合作谈判纪要): price, payment terms, liability.",
        needs=("note",),
    ),
    EventType(
        "legal_reviewed",
        "法务审核",
        "the legal reviewer (法务)",
        "The legal department reviews the contract text before it is signed.",
        needs=("outcome",),
        uses=("note",),
    ),
    EventType(
        "contract_signed",
        "签订合同",
        "the person signing for the company",
        "Both parties sign the contract (an electronic contract as the Electronic Signature Law requires).",
        needs=("contract_no",),
        uses=("amount", "currency", "note"),
    ),
    EventType(
        "quarterly_review",
        "季度复盘",
        "the person responsible for the supplier",
        "The quarter's review with the supplier: delivery quality, next quarter's needs.",
        needs=("note",),
    ),
]

EVENT_TYPES: dict[str, EventType] = {t.type: t for t in _TYPES}
"""Every event type, by its ``type`` value, in the order of a record's life."""
EVENT_NAMES: dict[str, str] = {t.type: t.name for t in _TYPES}
"""The Chinese name of every event type."""
