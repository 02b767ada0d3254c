"""Charts drawn as SVG at build time, so that pages work offline and need no script."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from markupsafe import Markup, escape

from commlog.deadlines import TaskStatus
from commlog.reports.fields import TASK_NAMES

_BAR = 22
_LABEL = 150


def bar_chart(rows: list[tuple[str, float]], unit: str = "", width: int = 640) -> Markup:
    """Horizontal bars, one per (label, value), largest value filling the width."""
    if not rows:
        return Markup("<p>无数据</p>")
    top = max(value for _, value in rows) or 1
    span = width - _LABEL - 60
    parts = [
        f'<svg class="commlog-chart" role="img" width="{width}" height="{len(rows) * _BAR + 8}" viewBox="0 0 {width} {len(rows) * _BAR + 8}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(rows):
        y = i * _BAR + 4
        length = max(1.0, span * value / top)
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{_LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{_LABEL}" y="{y + 3}" width="{length:.1f}" height="{_BAR - 8}" fill="#3f6ec6"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{_LABEL + length + 4:.1f}" y="{y + 15}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def gantt(tasks: list[dict], current: Mapping[str, TaskStatus], today: date, width: int = 760) -> Markup:
    """A collaboration's task table (no, name, start, end, depends_on) as bars on a day axis, coloured by each task's
    current status (``current``, from :func:`commlog.deadlines.task_statuses`), late ones red, dependencies as lines."""
    if not tasks:
        return Markup("")
    starts = [date.fromisoformat(t["start"]) for t in tasks]
    ends = [date.fromisoformat(t["end"]) for t in tasks]
    first, last = min(starts), max(ends)
    days = (last - first).days + 1
    span = width - _LABEL - 20
    per_day = span / days
    height = len(tasks) * _BAR + 30
    row = {t["no"]: i for i, t in enumerate(tasks)}
    colours = {
        "done": "#4caf50",
        "in_progress": "#3f6ec6",
        "blocked": "#ff9800",
        "cancelled": "#9e9e9e",
        "not_started": "#90a4ae",
    }
    parts = [
        f'<svg class="commlog-gantt" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{_LABEL}" y="12" font-size="11">{first:%Y-%m-%d}</text>',
        f'<text x="{width - 20}" y="12" font-size="11" text-anchor="end">{last:%Y-%m-%d}</text>',
    ]
    if first <= today <= last:
        x = _LABEL + per_day * ((today - first).days + 0.5)
        parts.append(
            f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height}" stroke="#d32f2f" stroke-dasharray="4 3"><title>{today:%Y-%m-%d}</title></line>'
        )
    for i, task in enumerate(tasks):
        y = 20 + i * _BAR
        x = _LABEL + per_day * (starts[i] - first).days
        length = max(per_day, per_day * ((ends[i] - starts[i]).days + 1))
        now = current[task["no"]]
        colour = "#d32f2f" if now.late else colours.get(now.status, "#90a4ae")
        label = f"{task['no']} {task['name']}"
        shown = TASK_NAMES.get(now.status, now.status) + ("，已延期" if now.late else "")
        parts.append(
            f'<text x="{_LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{x:.1f}" y="{y + 3}" width="{length:.1f}" height="{_BAR - 8}" rx="3" fill="{colour}">'
            f"<title>{escape(label)}: {starts[i]} – {ends[i]} {shown}</title></rect>"
        )
        for dep in task.get("depends_on", []):
            if dep in row:
                j = row[dep]
                x0 = _LABEL + per_day * ((ends[j] - first).days + 1)
                parts.append(
                    f'<path d="M{x0:.1f},{20 + j * _BAR + 11} L{x:.1f},{y + 11}" stroke="#555" fill="none" marker-end="url(#arrow)"/>'
                )
    parts.insert(
        1,
        '<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="#555"/></marker></defs>',
    )
    parts.append("</svg>")
    return Markup("".join(parts))
