"""How the summary (报告汇总) reads: its figures as people read them, and the md, json and xlsx writers.

The site's statistics page shows the figures through the same helpers (:func:`shown`, :func:`overview`...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from commlog.deadlines import STAGE_NAMES, stage_label
from commlog.reports.overdue import md_cell
from commlog.reports.summary import (
    METRICS,
    PERIOD_NAMES,
    Compared,
    Figures,
    Metric,
    Period,
    Rate,
    Summary,
    change,
)
from commlog.timeutil import show
from commlog.workflow import DIRECTION_NAMES, KIND_NAMES, URGENCY_NAMES


def shown(metric: Metric, value: float | None) -> str:
    """A figure as people read it: 12, 87.5%, 3.2 工时; — when there is none."""
    if value is None:
        return "—"
    if metric.unit == "share":
        return f"{value:.1%}"
    if metric.unit == "hours":
        return f"{value / 60:.1f} 工时"
    return f"{value:g}"


def shown_change(metric: Metric, delta: float | None) -> str:
    """A change as people read it: +4, -2.5 个百分点, +0.5 工时, 持平; — when either period has no figure."""
    if delta is None:
        return "—"
    if metric.unit == "share":
        text = f"{delta * 100:+.1f} 个百分点"
    elif metric.unit == "hours":
        text = f"{delta / 60:+.1f} 工时"
    else:
        text = f"{delta:+g}"
    return "持平" if text.lstrip("+-").split(" ")[0].strip("0.") == "" else text


def composition(compared: Compared) -> list[tuple[str, int, int]]:
    """(label, now, before) for every kind, direction and urgency either period has records of."""
    rows = []
    for title, names, counts in (
        ("类型", KIND_NAMES, lambda f: f.by_kind),
        ("内外部", DIRECTION_NAMES, lambda f: f.by_direction),
        ("紧急程度", URGENCY_NAMES, lambda f: f.by_urgency),
    ):
        for key, name in names.items():
            now, before = counts(compared.now)[key], counts(compared.before)[key]
            if now or before:
                rows.append((f"{title} · {name}", now, before))
    return rows


def stage_rates(compared: Compared) -> list[tuple[str, Rate, Rate]]:
    """(stage, now, before) for every stage counted in either period, in the order of the procedure."""
    order = list(STAGE_NAMES)
    found = set(compared.now.stages) | set(compared.before.stages)
    return [
        (name, compared.now.stages.get(name, Rate()), compared.before.stages.get(name, Rate()))
        for name in sorted(found, key=lambda n: (order.index(n) if n in order else len(order), n))
    ]


def heading(summary: Summary) -> str:
    """报告汇总 · 月度 2026-11 (· 市场部)."""
    scope = f" · {summary.department}" if summary.department else ""
    return f"报告汇总 · {PERIOD_NAMES[summary.period.kind]} {summary.period.label}{scope}"


def scope_line(summary: Summary) -> str:
    """When the figures stand: the as-of moment, the period (cut at the as-of moment) and the previous one."""
    period, previous = summary.period, summary.previous
    return (
        f"截至 {show(summary.as_of, summary.tz)}。本期 {period.label}（{period.start:%Y-%m-%d} 起至统计时刻），"
        f"上期 {previous.label}（{previous.start:%Y-%m-%d} 至 {previous.end:%Y-%m-%d}）。"
    )


# -- writers ---------------------------------------------------------------------------------------------------------


def _table(out: TextIO, headings: list[str], rows: Iterable[list[str]]) -> None:
    """A Markdown table of figures; names from the policy are escaped by the caller (:func:`md_cell`)."""
    out.write("| " + " | ".join(headings) + " |\n|" + " --- |" * len(headings) + "\n")
    for row in rows:
        out.write("| " + " | ".join(row) + " |\n")
    out.write("\n")


def _md_section(out: TextIO, title: str, compared: Compared, summary: Summary) -> None:
    out.write(f"## {md_cell(title)}\n\n")
    _table(
        out,
        ["指标", f"本期 {summary.period.label}", f"上期 {summary.previous.label}", "变化"],
        (
            [
                m.label,
                shown(m, m.value(compared.now)),
                shown(m, m.value(compared.before)),
                shown_change(m, change(m, compared)),
            ]
            for m in METRICS
        ),
    )
    rows = composition(compared)
    if rows:
        out.write("### 记录构成\n\n")
        _table(
            out,
            ["项目", "本期", "上期", "变化"],
            ([n, str(a), str(b), shown_change(METRICS[0], a - b)] for n, a, b in rows),
        )
    rates = stage_rates(compared)
    if rates:
        share = METRICS[1]
        out.write("### 各环节按时完成率\n\n")
        _table(
            out,
            ["环节", "按时", "逾期完成", "逾期未完成", "按时完成率", "上期按时完成率", "变化"],
            (
                [
                    stage_label(name),
                    str(now.on_time),
                    str(now.met_late),
                    str(now.overdue),
                    shown(share, now.rate),
                    shown(share, before.rate),
                    shown_change(share, None if now.rate is None or before.rate is None else now.rate - before.rate),
                ]
                for name, now, before in rates
            ),
        )


OVERVIEW = (
    "records",
    "on_time_rate",
    "review_mean_minutes",
    "feedback_mean_minutes",
    "archive_mean_minutes",
    "overdue",
    "notice_reach",
    "follow_ups",
)
"""The figures of the per-department table: one line per department."""


def overview(summary: Summary) -> tuple[list[Metric], list[tuple[str, list[tuple[str, str]]]]]:
    """The per-department table: its metrics, and per department each value with its change ("" when neither
    period has the figure)."""
    metrics = [m for m in METRICS if m.key in OVERVIEW]
    rows = [
        (name, [(shown(m, m.value(c.now)), _beside(m, c)) for m in metrics]) for name, c in summary.departments.items()
    ]
    return metrics, rows


def _beside(metric: Metric, compared: Compared) -> str:
    """The change shown beside a value: nothing when neither period has the figure."""
    if metric.value(compared.now) is None and metric.value(compared.before) is None:
        return ""
    return shown_change(metric, change(metric, compared))


def markdown(summary: Summary, out: TextIO) -> None:
    out.write(f"# {heading(summary)}\n\n{scope_line(summary)}\n\n")
    if summary.department:
        _md_section(out, summary.department, summary.total, summary)
    else:
        _md_section(out, "总计", summary.total, summary)
        metrics, rows = overview(summary)
        out.write("## 各部门\n\n本期数值，括号内为较上期的变化。\n\n")
        _table(
            out,
            ["部门", *(m.label for m in metrics)],
            ([md_cell(name), *(f"{v} ({d})" if d else v for v, d in cells)] for name, cells in rows),
        )
        for name, compared in summary.departments.items():
            if compared.now.active or compared.before.active:
                _md_section(out, name, compared, summary)
    out.write(NOTE + "\n")


NOTE = "注: 用时按工作时间计 (工时); 按时完成率把截至统计时刻已逾期仍未完成的环节计为逾期; 各项口径见 site/summary.md。"


def _figures_json(figures: Figures) -> dict[str, Any]:
    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {
        **{m.key: rounded(m.value(figures), 4 if m.unit == "share" else 1) for m in METRICS},
        "by_kind": dict(figures.by_kind),
        "by_direction": dict(figures.by_direction),
        "by_urgency": dict(figures.by_urgency),
        "stages": {
            name: {"on_time": r.on_time, "met_late": r.met_late, "overdue": r.overdue, "rate": rounded(r.rate, 4)}
            for name, r in sorted(figures.stages.items())
        },
        "durations": {
            name: {"count": len(d.minutes), "mean_minutes": rounded(d.mean, 1), "p90_minutes": rounded(d.p90, 1)}
            for name, d in figures.durations.items()
        },
        "notices": {
            "published": figures.reach.notices,
            "recipients": figures.reach.recipients,
            "confirmed": figures.reach.confirmed,
        },
    }


def _compared_json(compared: Compared) -> dict[str, Any]:
    def rounded(m: Metric) -> float | None:
        delta = change(m, compared)
        return None if delta is None else round(delta, 4 if m.unit == "share" else 1)

    return {
        "current": _figures_json(compared.now),
        "previous": _figures_json(compared.before),
        "change": {m.key: rounded(m) for m in METRICS},
    }


def _period_json(period: Period) -> dict[str, str]:
    return {
        "kind": period.kind,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def as_json(summary: Summary, out: TextIO) -> None:
    json.dump(
        {
            "as_of": summary.as_of.isoformat(),
            "period": _period_json(summary.period),
            "previous": _period_json(summary.previous),
            "department": summary.department,
            "total": _compared_json(summary.total),
            "departments": {name: _compared_json(c) for name, c in summary.departments.items()},
        },
        out,
        ensure_ascii=False,
        indent=2,
    )
    out.write("\n")


WRITERS: dict[str, Callable[[Summary, TextIO], None]] = {"md": markdown, "json": as_json}


UNITS = {"count": "", "share": "%", "hours": "工时"}


def _number(metric: Metric, value: float | None) -> float | None:
    """A figure as a spreadsheet number: rates in per cent (changes in percentage points), times in working hours."""
    if value is None:
        return None
    if metric.unit == "share":
        return round(value * 100, 1)
    if metric.unit == "hours":
        return round(value / 60, 1)
    return value


def _scopes(summary: Summary) -> list[tuple[str, Compared]]:
    """总计 and each department; only the department when the summary is limited to one."""
    if summary.department:
        return [(summary.department, summary.total)]
    return [("总计", summary.total), *summary.departments.items()]


def as_xlsx(summary: Summary) -> bytes:
    """A workbook: the headline figures, each stage's on-time rate and the records' make-up, per scope a block."""
    from commlog.reports.spreadsheet import Cell, Table, xlsx_bytes

    title = f"{heading(summary)}  {scope_line(summary)}"
    share = METRICS[1]
    figures: list[list[Cell]] = []
    stages: list[list[Cell]] = []
    made_of: list[list[Cell]] = []
    for scope, compared in _scopes(summary):
        for m in METRICS:
            now, before = _number(m, m.value(compared.now)), _number(m, m.value(compared.before))
            figures.append([scope, m.label, UNITS[m.unit], now, before, _number(m, change(m, compared))])
        for name, now_rate, before_rate in stage_rates(compared):
            delta = None if now_rate.rate is None or before_rate.rate is None else now_rate.rate - before_rate.rate
            stages.append(
                [
                    scope,
                    stage_label(name),
                    now_rate.on_time,
                    now_rate.met_late,
                    now_rate.overdue,
                    _number(share, now_rate.rate),
                    _number(share, before_rate.rate),
                    _number(share, delta),
                ]
            )
        made_of += [[scope, name, now, before, now - before] for name, now, before in composition(compared)]
    period, previous = f"本期 {summary.period.label}", f"上期 {summary.previous.label}"
    return xlsx_bytes(
        [
            Table("汇总", ["范围", "指标", "单位", period, previous, "变化 (比率为百分点)"], figures, title),
            Table(
                "各环节按时完成率",
                [
                    "范围",
                    "环节",
                    "按时",
                    "逾期完成",
                    "逾期未完成",
                    "按时完成率 (%)",
                    "上期按时完成率 (%)",
                    "变化 (百分点)",
                ],
                stages,
                title,
            ),
            Table("记录构成", ["范围", "项目", period, previous, "变化"], made_of, title),
        ]
    )
