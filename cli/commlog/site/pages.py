"""The generated pages: each a source path, a title, and a function that renders its HTML when MkDocs asks."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from commlog import directory
from commlog.deadlines import BASIS_NAMES, STATE_NAMES, TaskStatus, feedback_times, stage_label, task_statuses
from commlog.reports import summary as summary_report
from commlog.reports import summary_writers as summary_text
from commlog.reports.fields import TASK_NAMES, VALUE_LABELS
from commlog.reports.overdue import lateness, overdue_report
from commlog.retention import STATE_NAMES as RETENTION_NAMES
from commlog.site import charts, invalid
from commlog.site.attachments import published_name, published_names
from commlog.site.model import HIDDEN, RecordView, SiteModel
from commlog.site.render import environment, fields_table, relative
from commlog.site.search import FACET_NAMES, example_words
from commlog.timeutil import show
from commlog.workflow import (
    CLASSIFICATION_NAMES,
    DIRECTION_NAMES,
    EVENT_NAMES,
    KIND_NAMES,
    ORG_TYPE_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
    URGENCY_NAMES,
    approvals,
    notice_recipients,
)

REPLY_EVENTS = (
    "contacted",
    "reviewed",
    "replied",
    "quoted",
    "qualification_reviewed",
    "negotiated",
    "legal_reviewed",
    "contract_signed",
    "progress",
    "resolved",
    "acceptance",
    "feedback",
    "satisfaction",
)
"""What a customer or supplier request's reply section shows: each answer, step and the satisfaction result."""
UNIT_NAMES = {"minutes": "分钟", "hours": "小时", "days": "天"}
WEEKDAY_NAMES = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
}


def condition(key: str, value: Any) -> str:
    """One condition of the approval matrix in Chinese: 内部, 跨部门, 重要, 涉及法律效力, 内部通知."""
    if key == "direction":
        return DIRECTION_NAMES.get(value, str(value))
    if key == "kind":
        return KIND_NAMES.get(value, str(value))
    if key == "importance":
        return {"normal": "一般", "important": "重要"}.get(value, str(value))
    if key == "cross_department":
        return "跨部门" if value else "本部门内"
    if key == "legal_effect":
        return "涉及法律效力" if value else "不涉及法律效力"
    return f"{key} = {value}"


NAMES = {
    "STATUS_NAMES": STATUS_NAMES,
    "STATE_NAMES": STATE_NAMES,
    "RETENTION_NAMES": RETENTION_NAMES,
    "BASIS_NAMES": BASIS_NAMES,
    "KIND_NAMES": KIND_NAMES,
    "URGENCY_NAMES": URGENCY_NAMES,
    "DIRECTION_NAMES": DIRECTION_NAMES,
    "CLASSIFICATION_NAMES": CLASSIFICATION_NAMES,
    "EVENT_NAMES": EVENT_NAMES,
    "ROLE_NAMES": ROLE_NAMES,
    "TASK_NAMES": TASK_NAMES,
    "UNIT_NAMES": UNIT_NAMES,
    "WEEKDAY_NAMES": WEEKDAY_NAMES,
    "stage_label": stage_label,
    "condition": condition,
}


@dataclass(frozen=True)
class Page:
    src: str
    """Source path inside docs_dir, e.g. ``records/2024/NX-2024-001.md``."""
    title: str
    render: Callable[[], str]
    own_heading: bool = False
    """Whether the rendered HTML brings its own <h1> (record pages)."""

    @property
    def url(self) -> str:
        stem = self.src.removesuffix(".md")
        if stem == "index":
            return ""
        return stem.removesuffix("/index") + "/"


class Site:
    """Every generated page of one build; when ``serving``, also a page for each file that fails validation."""

    def __init__(self, model: SiteModel, serving: bool = False):
        self.model = model
        shown = {v.url for v in model.records.values()}
        self.invalid = invalid.invalid_files(model.plan.skipped, shown) if serving else []
        self.env = environment()
        self.env.globals.update(
            NAMES, rel=relative, name=model.name, short_name=self.short_name, when=self.when, lateness=lateness
        )
        self.departments = [d["name"] for d in model.policy["departments"]]
        self.codes = {d["name"]: d["code"].lower() for d in model.policy["departments"]}

    def when(self, moment: datetime | str) -> str:
        """A time as every page shows it: in the policy's timezone (a record's own text is read first)."""
        ctx = self.model.plan.context
        return show(ctx.time(moment) if isinstance(moment, str) else moment, ctx.policy.timezone)

    def short_name(self, who: str) -> str:
        """A person's name without the organisation: 李娜 for ``customer-a/li-na`` (where the organisation is shown)."""
        org_id, _, person = who.partition("/")
        org = self.model.orgs.get(org_id)
        if person and org is not None:
            return next((p["name"] for p in org["people"] if p["id"] == person), person)
        return self.model.name(who)

    def affiliation(self, who: str) -> str:
        """A person's department, or the name of the organisation an outside person belongs to."""
        if who in self.model.staff:
            return str(self.model.staff[who].get("department", ""))
        org = self.model.orgs.get(who.partition("/")[0])
        return org["name"] if org else ""

    def recipients(self, data: dict[str, Any]) -> list[tuple[str, list[str]]]:
        """Each addressed department or organisation once, with the names of the people addressed in it."""
        groups: dict[str, list[str]] = {}
        for p in data["to"]:
            if "org" in p:
                label = self.model.orgs.get(p["org"], {}).get("name", p["org"])
                person = self.short_name(f"{p['org']}/{p['person']}") if "person" in p else None
            else:
                label = p.get("department") or ("全体员工" if p.get("all_staff") else "")
                person = self.model.name(p["person"]) if "person" in p else None
            people = groups.setdefault(label, [])
            if person and person not in people:
                people.append(person)
        return list(groups.items())

    def field_name(self, key: str, text: str) -> str | None:
        """A person's or an organisation's name for an id in the field dump; None for any other value."""
        m = self.model
        if text in m.staff or ("/" in text and text.partition("/")[0] in m.orgs):
            return m.name(text)
        if key == "org" and text in m.orgs:
            return str(m.orgs[text]["name"])
        return None

    def render(self, template: str, here: str, **context: Any) -> str:
        html = self.env.get_template(template).render(
            here=here, as_of=self.model.as_of, clearance=self.model.clearance, **context
        )
        # Free text (notes, remarks, commit messages) may name a record this build does not show.
        return self.model.redact(html)

    def pages(self) -> list[Page]:
        """All pages: the fixed ones, the register by month, the archive groups and one per record."""
        m = self.model
        pages = [
            Page("index.md", "首页", self.dashboard),
            Page("register/index.md", "信息交流记录表", self.register_index),
            Page("archive/index.md", "归档", self.archive_index),
            Page("notices.md", "通知确认", self.notices),
            Page("collaborations.md", "跨部门协作", self.collaborations),
            Page("overdue.md", "逾期报告", self.overdue),
            Page("statistics.md", "统计", self.statistics),
            Page("contacts.md", "通讯录", self.contacts),
            Page("contacts/audit.md", "联络信息审核", self.contacts_audit),
            Page("procedure.md", "管理程序参数", self.procedure),
            Page("search.md", "搜索", self.search),
        ]
        for month in sorted({v.month for v in m.records.values()}):
            pages.append(Page(f"register/{month}.md", f"信息交流记录表 {month}", partial(self.register_month, month)))
        for name, code in self.codes.items():
            pages.append(
                Page(
                    f"archive/internal/{code}.md",
                    f"归档 · 内部 · {name}",
                    partial(self.archive_internal, name, code),
                )
            )
        for org_type, type_name in ORG_TYPE_NAMES.items():
            pages.append(
                Page(
                    f"archive/external/{org_type}.md",
                    f"归档 · 外部 · {type_name}",
                    partial(self.archive_external, org_type),
                )
            )
        for view in m.records.values():
            pages.append(Page(view.url.rstrip("/") + ".md", view.id, partial(self.record, view), own_heading=True))
        return pages + self.invalid_pages()

    def invalid_pages(self) -> list[Page]:
        """The list of invalid files and a page at each invalid record's address: not redacted, since they name
        their own file, and only ever served to the author (see :mod:`commlog.site.invalid`)."""
        if not self.invalid:
            return []
        pages = [Page(invalid.INDEX_SRC, invalid.INDEX_TITLE, partial(invalid.index_page, self.env, self.invalid))]
        for file in self.invalid:
            if file.url:
                render = partial(invalid.record_page, self.env, file)
                pages.append(Page(file.url.rstrip("/") + ".md", file.title, render, own_heading=True))
        return pages

    # -- pages -------------------------------------------------------------------------------

    def dashboard(self) -> str:
        m = self.model
        counts: dict[str, Counter] = defaultdict(Counter)
        all_stages = [s for v in m.records.values() for s in v.stages]
        for stage in all_stages:
            if stage.state in ("on_time", "at_risk", "overdue"):
                counts[stage_label(stage.name.split(":")[0])][stage.state] += 1
        summary = self.summary
        on_time = summary_report.METRICS[1]
        return self.render(
            "dashboard.html",
            "",
            total=len(m.records),
            overdue=sum(c["overdue"] for c in counts.values()),
            at_risk=sum(c["at_risk"] for c in counts.values()),
            open_by_stage=sorted(counts.items()),
            this_month=summary.period.label,
            last_month=summary.previous.label,
            rate_this=summary_text.shown(on_time, on_time.value(summary.total.now)),
            rate_last=summary_text.shown(on_time, on_time.value(summary.total.before)),
            newest=m.newest(10),
            invalid=len(self.invalid),
        )

    def register_index(self) -> str:
        months = Counter(v.month for v in self.model.records.values())
        years: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for month in sorted(months, reverse=True):
            years[month[:4]].append((month, months[month]))
        return self.render("register_index.html", "register/", years=sorted(years.items(), reverse=True))

    def register_month(self, month: str) -> str:
        m = self.model
        views = sorted((v for v in m.records.values() if v.month == month), key=lambda v: (v.submitted, v.id))
        channels = {c["id"]: c["name"] for c in m.policy["channels"]}
        rows = []
        for v in views:
            data = v.data
            groups = self.recipients(data)
            expected, actual = feedback_times(data, v.stages)
            archived = [e["archive_no"] for e in data["events"] if e["type"] == "archived"]
            rows.append(
                {
                    "view": v,
                    "sender": m.name(data["from"]["person"]),
                    "receivers": [label for label, _ in groups],
                    "receiver_people": [p for _, people in groups for p in people],
                    "channels": "+".join(channels.get(c, c) for c in data["channels"]),
                    "expected": self.when(expected) if expected else "-",
                    "actual": self.when(actual) if actual else "-",
                    "archive_no": archived[-1] if archived else "",
                }
            )
        return self.render("register_month.html", f"register/{month}/", rows=rows, departments=self.departments)

    def archive_index(self) -> str:
        views = list(self.model.records.values())
        internal = [
            (
                n,
                f"archive/internal/{c}/",
                sum(1 for v in views if v.data["direction"] == "internal" and v.data["from"]["department"] == n),
            )
            for n, c in self.codes.items()
        ]
        external = [(n, f"archive/external/{t}/", len(self._external(t))) for t, n in ORG_TYPE_NAMES.items()]
        return self.render("archive_index.html", "archive/", internal=internal, external=external)

    def _grouped(
        self, views: list[RecordView], key: Callable[[RecordView], str]
    ) -> list[tuple[str, list[tuple[str, list[RecordView]]]]]:
        groups: dict[str, dict[str, list[RecordView]]] = defaultdict(lambda: defaultdict(list))
        for v in sorted(views, key=lambda v: (v.submitted, v.id)):
            groups[key(v)][v.month].append(v)
        return [(g, sorted(months.items(), reverse=True)) for g, months in sorted(groups.items())]

    def archive_internal(self, name: str, code: str) -> str:
        views = [
            v
            for v in self.model.records.values()
            if v.data["direction"] == "internal" and v.data["from"]["department"] == name
        ]
        groups = self._grouped(views, lambda v: v.data.get("category", {}).get("project", "未分类项目"))
        return self.render("archive_group.html", f"archive/internal/{code}/", groups=groups)

    def _external(self, org_type: str) -> list[RecordView]:
        orgs = self.model.orgs
        return [
            v
            for v in self.model.records.values()
            if any(orgs.get(p.get("org", ""), {}).get("type") == org_type for p in v.data["to"])
        ]

    def archive_external(self, org_type: str) -> str:
        groups = self._grouped(
            self._external(org_type), lambda v: v.data.get("category", {}).get("matter", "未分类事项")
        )
        return self.render("archive_group.html", f"archive/external/{org_type}/", groups=groups)

    def _notice(self, view: RecordView) -> dict[str, Any] | None:
        ack = next((s for s in view.stages if s.name == "ack"), None)
        if ack is None:
            return None
        recipients = notice_recipients(view.data, self.model.staff, self.model.plan.context.policy.timezone)
        confirmed = sorted({e["by"] for e in view.data["events"] if e["type"] == "acknowledged"} & recipients)
        total = len(recipients)
        published = next((e["at"] for e in view.data["events"] if e["type"] == "published"), "")
        departments: dict[str, tuple[list[str], list[str]]] = {}
        pending, done = set(ack.pending), set(confirmed)
        for person in sorted(recipients, key=lambda p: (self.affiliation(p), p)):
            yes, no = departments.setdefault(self.affiliation(person) or "—", ([], []))
            if person in done:
                yes.append(self.model.name(person))
            elif person in pending:
                no.append(self.model.name(person))
        return {
            "by_department": sorted(
                departments.items(),
                key=lambda d: (
                    self.departments.index(d[0]) if d[0] in self.departments else len(self.departments),
                    d[0],
                ),
            ),
            "view": view,
            "confirmed": len(confirmed),
            "confirmed_people": confirmed,
            "pending": ack.pending,
            "total": total,
            "reach": f"{len(confirmed) / total:.0%}" if total else "—",
            "published": published,
        }

    def notices(self) -> str:
        rows = [
            n
            for v in self.model.newest(len(self.model.records))
            if v.data["kind"] == "notice" and (n := self._notice(v))
        ]
        return self.render("notices.html", "notices/", notices=rows)

    def _tasks(self, view: RecordView) -> dict[str, TaskStatus]:
        """Each task's or action item's current status and the state of its clock: what every part of a page shows."""
        return task_statuses(view.data, self.model.plan.context.policy.timezone, view.stages)

    def _gantt(self, view: RecordView, tasks: dict[str, TaskStatus]) -> Markup:
        return charts.gantt(view.data.get("tasks", []), tasks, self.model.as_of.date())

    def collaborations(self) -> str:
        rows = []
        for v in self.model.newest(len(self.model.records)):
            if v.data["kind"] == "collaboration":
                tasks = self._tasks(v)
                rows.append({"view": v, "tasks": tasks, "gantt": self._gantt(v, tasks)})
        return self.render("collaborations.html", "collaborations/", collaborations=rows)

    def overdue(self) -> str:
        m = self.model
        shown = [
            (c.doc.data["id"], c.doc.data["subject"], c.stages) for c in m.plan.records if c.doc.data["id"] in m.records
        ]
        report = overdue_report(m.plan.context, shown, m.as_of)
        by_department: dict[str, list] = defaultdict(list)
        for item in report.items:
            by_department[item.department].append(item)
        overdue = sum(1 for i in report.items if i.state == "overdue")
        return self.render(
            "overdue.html",
            "overdue/",
            by_department=sorted(by_department.items()),
            overdue=overdue,
            at_risk=len(report.items) - overdue,
            url_of=lambda i: m.records[i].url,
        )

    @cached_property
    def summary(self) -> summary_report.Summary:
        """This month's and last month's figures (报告汇总) over the records this build shows."""
        m = self.model
        return summary_report.build_summary(m.root, m.plan, m.as_of, "month", shown=m.records.__contains__)

    def statistics(self) -> str:
        summary = self.summary
        now = summary.total.now
        by_department = [(n, c.now) for n, c in summary.departments.items()]
        on_time = [(n, f.on_time.rate) for n, f in by_department if f.on_time.rate is not None]
        ctx = self.model.plan.context
        months = Counter(
            f"{at.astimezone(ctx.policy.timezone):%Y-%m}"
            for v in self.model.records.values()
            if (at := summary_report.submitted_at(v.data, ctx)) is not None
        )
        charts_list = [
            ("本月各部门记录数", charts.bar_chart([(n, f.records) for n, f in by_department if f.records])),
            ("本月各部门按时完成率", charts.bar_chart([(n, round(100 * r, 1)) for n, r in on_time], unit="%")),
            ("本月按记录类型", self._counts(now.by_kind, KIND_NAMES)),
            ("本月按内外部", self._counts(now.by_direction, DIRECTION_NAMES)),
            ("本月按紧急程度", self._counts(now.by_urgency, URGENCY_NAMES)),
            ("各月记录数（全部）", charts.bar_chart(sorted(months.items()))),
        ]
        metrics, overview = summary_text.overview(summary)
        return self.render(
            "statistics.html",
            "statistics/",
            summary=summary,
            total=len(self.model.records),
            metrics=summary_report.METRICS,
            shown=summary_text.shown,
            shown_change=summary_text.shown_change,
            change=summary_report.change,
            overview_metrics=metrics,
            overview=overview,
            composition=summary_text.composition(summary.total),
            stage_rates=summary_text.stage_rates(summary.total),
            scope=summary_text.scope_line(summary),
            charts=charts_list,
        )

    @staticmethod
    def _counts(counts: Counter[str], names: dict[str, str]) -> Markup:
        return charts.bar_chart([(label, counts[key]) for key, label in names.items() if counts[key]])

    def contacts(self) -> str:
        m = self.model
        rules, clearance = m.contact_rules, m.clearance

        def person(contact: dict[str, Any], org: dict[str, Any] | None = None) -> dict[str, Any]:
            numbers = {n: directory.shown_number(rules, clearance, contact, n, org) for n in directory.NUMBERS}
            return {**contact, **numbers}

        internal = [
            (
                d,
                sorted(
                    (person(p) for p in m.staff.values() if p["department"] == d and directory.listed(clearance, p)),
                    key=lambda p: (p["status"] != "active", p["id"]),
                ),
            )
            for d in self.departments
        ]
        external = [
            (
                name,
                [
                    {
                        **o,
                        "phone": directory.shown_number(rules, clearance, o, "phone"),
                        "people": [person(p, o) for p in o["people"] if directory.listed(clearance, p, o)],
                    }
                    for o in sorted(m.orgs.values(), key=lambda o: o["id"])
                    if o["type"] == t and directory.listed(clearance, o)
                ],
            )
            for t, name in ORG_TYPE_NAMES.items()
        ]
        return self.render(
            "contacts.html",
            "contacts/",
            internal=[i for i in internal if i[1]],
            external=[e for e in external if e[1]],
            numbers_at=rules.numbers_at,
            private_level=directory.PRIVATE_LEVEL,
        )

    def contacts_audit(self) -> str:
        from commlog.site.contacts_audit import audit_page

        return self.render("contacts_audit.html", "contacts/audit/", page=audit_page(self.model))

    def procedure(self) -> str:
        policy = self.model.policy
        typed = self.model.plan.context.policy
        escalation = policy.get("escalation", {})
        after = [f"催办 {escalation['after_follow_ups']} 次"] if "after_follow_ups" in escalation else []
        if "after_overdue_working_hours" in escalation:
            after.append(f"逾期 {escalation['after_overdue_working_hours']} 工时")
        return self.render(
            "procedure.html",
            "procedure/",
            policy=policy,
            divisions={d["id"]: d["name"] for d in policy["divisions"]},
            escalation_after=after,
            escalation_chain=typed.escalation_chain,
            feedback_due_beyond_sla=typed.feedback_due_beyond_sla,
            archive_role=typed.archive_role,
            archive_first=typed.archive_first,
        )

    def search(self) -> str:
        views = self.model.newest(len(self.model.records))
        return self.render(
            "search.html", "search/", facets=list(FACET_NAMES.items()), examples=example_words(self, views)
        )

    def _without_hidden_links(self, data: dict[str, Any]) -> dict[str, Any]:
        """The record with thread links to records this build does not show replaced, so that not even their ids leak."""
        hidden = HIDDEN
        shown = dict(data)
        for key in ("in_reply_to", "supersedes"):
            if key in shown and shown[key] not in self.model.records:
                shown[key] = hidden
        if "references" in shown:
            shown["references"] = [r if r in self.model.records else hidden for r in shown["references"]]
        return shown

    def record(self, view: RecordView) -> str:
        m = self.model
        data = view.data
        tasks = self._tasks(view)
        entries = [m.entries.of(view.path, e) for e in data["events"]]
        events = [
            (e, entry, m.entries.mark(entry, e, m.name)) for e, entry in zip(data["events"], entries, strict=True)
        ]
        channels = {c["id"]: c["name"] for c in m.policy["channels"]}
        held = m.withheld.get(view.id, frozenset())
        attachments = [
            (
                m.redact(name) if name in held else name,
                "files/" + quote(published),
                published_name(name) != name,
                name in held,
            )
            for name, published in published_names(data.get("attachments", []), m.redact).items()
        ]
        return self.render(
            "record.html",
            view.url,
            view=view,
            data=data,
            events=events,
            records=m.records,
            replies=m.replies.get(view.id, []),
            referenced_by=m.referenced_by.get(view.id, []),
            superseded_by=m.superseded_by.get(view.id),
            approvals=approvals(data, m.plan.context.policy),
            recipients=self.recipients(data),
            promised=feedback_times(data, view.stages)[0],
            affiliation=self.affiliation,
            task_names={
                **{t["no"]: t["name"] for t in data.get("tasks", [])},
                **{a["no"]: a["task"] for a in data.get("action_items", [])},
            },
            stage_states={s.name: s.state for s in view.stages},
            replies_events=[e for e in data["events"] if e["type"] in REPLY_EVENTS],
            notice=self._notice(view) if data["kind"] == "notice" else None,
            gantt=self._gantt(view, tasks) if data.get("tasks") else "",
            tasks=tasks,
            attachments=attachments,
            fields=fields_table(
                self._without_hidden_links(data),
                m.schemas.shape(data["kind"]),
                skip=("events",),
                labels=VALUE_LABELS,
                names=self.field_name,
            ),
            file_history=m.history.files.get(view.path, []),
            history=m.history,
            subject_shown=lambda c: c.sha in m.subjects_shown,
            author=m.author,
            channel_name=lambda c: channels.get(c, c),
        )
