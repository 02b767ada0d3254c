"""What the site shows: the records visible at the build's clearance, with their clocks and history."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from commlog import directory
from commlog.deadlines import Stage
from commlog.history import Commit, History, read_history
from commlog.identity import Entries
from commlog.reports.people import name_of
from commlog.repository import POLICY, RECORDS, role_of
from commlog.retention import Standing, standing
from commlog.schedule import Schedule, schedule
from commlog.schema import Schemas
from commlog.sensitive import Settings, mask_text, masked_detectors, settings_of, with_private
from commlog.site.attachments import withheld

log = logging.getLogger("mkdocs.plugins.commlog")  # the plugin's logger: MkDocs shows and counts its warnings
_DASHES = "\\-\u2010-\u2015\u2212\ufe63\uff0d"
"""Every dash a reader takes for the id's hyphen: ASCII, U+2010-U+2015, minus, small and full-width hyphen-minus."""
_ALNUM = "A-Za-z\uff21-\uff3a\uff41-\uff5a\\d"
"""Letters ASCII or full-width, and any decimal digit (\\d takes full-width ones too)."""
ID_LIKE = re.compile(
    rf"(?<![{_ALNUM}])(?P<code>[{_ALNUM}]+)[{_DASHES}]\d{{4}}[{_DASHES}]\d{{1,6}}(?!\d)"
)  # no \b: 见CW-... has no word boundary; cw-2024-001, ＣＷ－２０２４－００１ and CW‑2024‑001 are the same id to a reader
_TO_HYPHEN = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
HIDDEN = "（无权查看的记录）"
CLEARANCE = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}


def normal_id(text: str) -> str:
    """An id as a reader reads it: NFKC (full-width to ASCII), ASCII digits, upper case, every dash a hyphen.

    Each character of an id-like word stays one character, so positions in it still hold.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_TO_HYPHEN).upper()
    return folded if folded.isascii() else "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)


def _sequence_as_number(normal: str) -> str:
    """``CW-2024-001`` and ``CW-2024-1`` alike as ``CW-2024-1``: a reader drops the padding of a sequence number."""
    head, _, sequence = normal.rpartition("-")
    return f"{head}-{int(sequence)}" if sequence.isdigit() else normal


def visible(classification: str, clearance: str) -> bool:
    """Whether information of this class may appear in a build for this clearance."""
    return CLEARANCE[classification] <= CLEARANCE[clearance]


@dataclass
class RecordView:
    """One record as the site shows it."""

    data: dict[str, Any]
    """The record with only the events that had happened by the build's as-of time."""
    path: str
    """Repository path of the record's file."""
    status: str
    stages: list[Stage]
    submitted: datetime
    retention: Standing | None = None
    """Where the record stands in the retention schedule at the build's as-of time."""

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def url(self) -> str:
        return f"records/{self.id.split('-')[1]}/{self.id}/"

    @property
    def month(self) -> str:
        return f"{self.submitted:%Y-%m}"


@dataclass
class SiteModel:
    root: Path
    clearance: str
    as_of: datetime
    plan: Schedule
    schemas: Schemas
    history: History
    records: dict[str, RecordView] = field(default_factory=dict)
    replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    referenced_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    superseded_by: dict[str, str] = field(default_factory=dict)
    hidden_ids: set[str] = field(default_factory=set)
    """Every record id in the repository that this build does not show, whatever the record's state."""
    subjects_shown: set[str] = field(default_factory=set)
    """Commits whose subject the build may show: every file they touched is shown (:func:`shows_file`) and none is
    a disposed record's file or in its attachment folder (the subjects of its past changes went with its content)."""
    unlisted: frozenset[str] = frozenset()
    """The ids (``li-na``, ``customer-a``, ``customer-a/li-na``), register names and emails of every contact this
    build does not list (:func:`commlog.directory.listed`): text naming one of them is left out where it names people."""
    unnamed: frozenset[str] = frozenset()
    """The register names of the contacts this build may not name (:func:`commlog.directory.named`)."""

    def redact(self, text: str) -> str:
        """``text`` with every id of a record this build does not show replaced by 无权查看, even glued to other letters,
        in lower case, full-width or with another dash; and every number the clearance may not see whole masked."""
        text = ID_LIKE.sub(self._redact, text) if self.hidden_ids else text
        return self.mask(text)

    def mask(self, text: str) -> str:
        """``text`` with every number the build's clearance may not see whole masked (commlog.sensitive)."""
        return mask_text(text, self._sensitive, self.clearance)

    @cached_property
    def withheld(self) -> dict[str, frozenset[str]]:
        """Each shown record's attachments this build may not publish, by record id: documents holding a number its
        clearance may not see whole, and documents it cannot read (:func:`commlog.site.attachments.withheld`)."""
        if not masked_detectors(self._sensitive, self.clearance):
            return {}
        found = (
            (view.id, withheld(self.root, view.path, view.data["attachments"], self.mask))
            for view in self.records.values()
            if view.data.get("attachments")
        )
        return {record_id: held for record_id, held in found if held}

    @cached_property
    def _sensitive(self) -> Settings:
        if self.plan is None:
            return settings_of(None)  # a bare model (tests): the defaults
        return with_private(settings_of(self.policy), self.staff, self.orgs)

    def _redact(self, match: re.Match[str]) -> str:
        word = match.group(0)
        hidden, longest = self._hidden
        # The id may be glued to letters before it (见XCW-...): try each start within the longest code, no further,
        # so that a 200,000-letter word costs one slice, not 200,000.
        code = len(match.group("code"))
        first = max(0, code - longest)
        tail = normal_id(word[first:])
        for start in range(code - first):
            if _sequence_as_number(tail[start:]) in hidden:
                return word[: first + start] + HIDDEN
        return word

    @cached_property
    def _hidden(self) -> tuple[frozenset[str], int]:
        """The hidden ids in normal form and the length of their longest code (build_model sets hidden_ids once)."""
        hidden = frozenset(_sequence_as_number(normal_id(i)) for i in self.hidden_ids)
        return hidden, max((len(i.partition("-")[0]) for i in hidden), default=0)

    @property
    def policy(self) -> dict[str, Any]:
        return self.plan.context.policy.data

    @property
    def staff(self) -> dict[str, dict[str, Any]]:
        return self.plan.context.staff

    @property
    def orgs(self) -> dict[str, dict[str, Any]]:
        return self.plan.context.orgs

    @cached_property
    def contact_rules(self) -> directory.Settings:
        """The policy's rules for showing contacts' numbers (commlog.directory)."""
        return directory.settings_of(self.policy)

    @cached_property
    def contact_levels(self) -> dict[str, str]:
        """Each contact file's path and the clearance at which all of it is shown (a commit touching it names it)."""
        rules = self.contact_rules
        levels = {
            f"contacts/internal/{pid}.yaml": directory.file_level(rules, p, True) for pid, p in self.staff.items()
        }
        levels.update(
            {f"contacts/external/{oid}.yaml": directory.file_level(rules, o, False) for oid, o in self.orgs.items()}
        )
        return levels

    def name(self, who: str) -> str:
        """A person's display name: 张伟, or 李娜 (客户A公司) for someone outside (无权查看 for a contact the build
        may not name: :func:`build_model` renames them in the registers it keeps)."""
        return name_of(who, self.staff, self.orgs)

    @cached_property
    def entries(self) -> Entries:
        """Who put each event in the register, from the history read for this build."""
        return Entries(self.history, self.staff)

    def author(self, commit: Commit) -> str:
        """Who made ``commit``, as this build may name them: the member of staff whose email it carries (无权查看 for
        one the build may not name), else git's author name, unless it holds the name of a contact the build may not
        name."""
        person = self.entries.emails.get(commit.email.strip().lower())
        if person is not None:
            return self.name(person)
        return directory.HIDDEN_NAME if any(n in commit.author for n in self.unnamed) else commit.author

    def mentions_unlisted(self, text: str) -> bool:
        """Whether ``text`` names a contact this build does not list: by id (a whole id, not part of a longer one),
        register name or email."""
        return bool(self.unlisted) and self._unlisted_pattern.search(text) is not None

    @cached_property
    def _unlisted_pattern(self) -> re.Pattern[str]:
        words = sorted(self.unlisted, key=len, reverse=True)
        ids = (rf"(?<![A-Za-z0-9_./@-]){re.escape(w)}(?![A-Za-z0-9_-])" if w.isascii() else re.escape(w) for w in words)
        return re.compile("|".join(ids), re.IGNORECASE)

    def newest(self, count: int) -> list[RecordView]:
        return sorted(self.records.values(), key=lambda r: (r.submitted, r.id), reverse=True)[:count]


def shows_file(path: str, records: set[str], clearance: str, contact_levels: dict[str, str]) -> bool:
    """Whether a build at ``clearance`` that shows these record files shows everything in the repository file ``path``.

    A record file, or a file in its attachment folder, only if its record is shown; a contact
    only if the build lists it and shows all its numbers whole (a subject may quote one), and a
    contact file that is gone only in a secret build; the policy always.
    """
    if path == POLICY:
        return True
    if path.startswith("contacts/"):
        return directory.at_or_above(clearance, contact_levels.get(path, "secret"))
    parts = path.split("/")
    if parts[0] != RECORDS or len(parts) < 3:
        return False
    return "/".join(parts[:3]) + ("" if len(parts) == 3 else ".yaml") in records


def _unlisted(
    staff: dict[str, dict[str, Any]], orgs: dict[str, dict[str, Any]], clearance: str
) -> tuple[frozenset[str], frozenset[str]]:
    """The ids, names and emails of the contacts a build at ``clearance`` does not list, and the names of those it may
    not name, read from the registers as they are (before :func:`commlog.directory.names_at` renames anyone)."""
    unlisted: set[str] = set()
    unnamed: set[str] = set()
    shown: set[str] = set()
    """Names and emails a listed contact bears too: text holding one names nothing the build does not list."""

    def add(address: str, contact: dict[str, Any], org: dict[str, Any] | None = None) -> None:
        if directory.listed(clearance, contact, org):
            shown.update(str(contact.get(key) or "").strip() for key in ("name", "email"))
            return
        words = (address, str(contact.get("name") or ""), str(contact.get("email") or ""))
        unlisted.update(w.strip() for w in words if w.strip())
        if not directory.named(clearance, contact, org) and str(contact.get("name") or "").strip():
            unnamed.add(str(contact["name"]).strip())

    for pid, person in staff.items():
        add(pid, person)
    for oid, org in orgs.items():
        add(oid, org)
        for person in org["people"]:
            add(f"{oid}/{person['id']}", person, org)
    unlisted -= shown
    unlisted.discard(directory.HIDDEN_NAME)
    return frozenset(unlisted), frozenset(unnamed)


def _disposed_files(model: SiteModel) -> set[str]:
    """The files of the shown records that have been disposed of (a ``disposed`` block in place of their content)."""
    return {view.path for view in model.records.values() if view.data.get("disposed")}


def _touches(paths: set[str], files: set[str]) -> bool:
    """Whether a commit that touched ``paths`` touched one of the record ``files`` or its attachment folder."""
    return any(p in files or _folder_of(p) in files for p in paths)


def _folder_of(path: str) -> str:
    """The record file whose attachment folder holds ``path`` (records/2025/CG-2025-002/a.pdf: records/2025/CG-2025-002.yaml)."""
    parts = path.split("/")
    return "/".join(parts[:3]) + ".yaml" if parts[0] == RECORDS and len(parts) > 3 else ""


def build_model(root: Path, clearance: str, as_of: datetime) -> SiteModel:
    """Load the repository and keep what a build at ``clearance`` may show, as of ``as_of``."""
    plan = schedule(root, as_of)
    unlisted, unnamed = _unlisted(plan.context.staff, plan.context.orgs, clearance)
    # Every page, report and index of this build names people from these registers: a contact classified above
    # the clearance is 无权查看 in all of them (commlog.directory.named).
    staff, orgs = directory.names_at(plan.context.staff, plan.context.orgs, clearance)
    plan = replace(plan, context=replace(plan.context, staff=staff, orgs=orgs))
    history = read_history(root)
    model = SiteModel(root, clearance, as_of, plan, Schemas(), history, unlisted=unlisted, unnamed=unnamed)
    ctx = plan.context
    for clock in plan.records:
        if not visible(clock.doc.data["classification"], clearance):
            continue
        record = clock.record
        model.records[record["id"]] = RecordView(
            record,
            clock.doc.path,
            clock.status,
            clock.stages,
            ctx.time(record["events"][0]["at"]).astimezone(ctx.policy.timezone),
            standing(clock.doc.path, record, ctx.orgs, ctx.policy, as_of),
        )
    for view in model.records.values():
        data = view.data
        if data.get("in_reply_to") in model.records:
            model.replies[data["in_reply_to"]].append(view.id)
        for target in data.get("references", []):
            if target in model.records:
                model.referenced_by[target].append(view.id)
        if data.get("supersedes") in model.records:
            model.superseded_by[data["supersedes"]] = view.id
    shown = {view.path for view in model.records.values()}
    model.subjects_shown = {
        sha
        for sha, paths in history.touched.items()
        if all(shows_file(p, shown, clearance, model.contact_levels) for p in paths)
    }
    disposed = _disposed_files(model)
    model.subjects_shown = {sha for sha in model.subjects_shown if not _touches(history.touched[sha], disposed)}
    # By classification alone: an invalid record, or one not yet submitted, is hidden all the same.
    deleted = {Path(p).stem for p in history.files if role_of(p) == "record"}  # gone from the tree, not from history
    model.hidden_ids = (plan.record_ids | deleted) - set(model.records)
    if history.shallow:
        log.warning(
            "commlog: the git history is a shallow clone: commits up to %s are missing, so record pages show a cut "
            "history; build from the whole history (git fetch --unshallow; fetch-depth: 0 in CI)",
            history.boundary_date[:10] or "the boundary",
        )
    if history.partial:
        log.warning(
            "commlog: the repository is a partial clone: git fetches past versions of files from its remote to read "
            "the history, and shows none if it cannot; build from a full clone"
        )
    return model
