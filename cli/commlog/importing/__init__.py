"""Bringing a register kept in Excel (信息交流记录表, xlsx or CSV) into the repository, one record per row, of every
kind; in a workbook, the sheets beside it (任务分解表, 会议纪要行动项, 通知确认表) give the records' tasks, action items
and read confirmations.

Everything is read and checked first: the file (encoding, hidden sheets, merged cells, formulas), the
headings, every row's values (departments, people and organisations matched by name to the contacts,
dates that exist), and then the records it would write, against the schemas and every rule, together
with the repository's. Any problem is a :class:`Problem` naming the row and the column heading, and
then nothing is written. Rows whose id is in the repository already are reported, never overwritten,
so importing the same file twice changes nothing.

The history a row implies is written as events (发起时间 -> submitted, 实际反馈时间 -> feedback,
处理状态 已完成 -> completed, 归档编号 -> archived, ...); see :func:`history`.
"""

from __future__ import annotations

from commlog.importing.register import ALIASES, Outcome, import_register
from commlog.importing.rows import REQUIRED
from commlog.importing.sheets import Problem, Unreadable

__all__ = ["ALIASES", "REQUIRED", "Outcome", "Problem", "Unreadable", "import_register"]
