"""The index's database: one SQLite file in the repository's cache folder (:func:`commlog.cache.folder`).

Tables, every answer keyed by content:

- ``seen``: each data file's stat signature, when it was hashed and its content digest (so a
  file is read again only when it may have changed: :meth:`commlog.cache.known_digest`);
- ``judged``: each file's parsed data and its parse and schema findings, by role and digest;
- ``fact``: each valid record's facts (what the rules that compare records read: :mod:`commlog.index.facts`),
  by its digest;
- ``derived``: what a valid record implies whatever the moment (its status, every stage's start,
  due time, end and who answers for it), by its digest and the context's (policy, contacts,
  calendar): :mod:`commlog.index.derived`;
- ``checked``: the findings of the rules that judge a record on its own, by its path, digest and
  attachments and the context's digest (the rules that compare records read ``fact``);
- ``result``: a whole validation's findings, by the digest of every file and the code.

``meta`` names the format, the code (:func:`commlog.cache.code_state`) and the repository the
index was made for. An index of another format, code or repository, a file that is not an
SQLite database, or one that fails when read is dropped and made again, never trusted. Writes go
in one transaction: a reader sees the index before or after, never half of it, and two processes
at once take turns (SQLite's own locking); one that cannot get its turn within the timeout
writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from commlog.cache import folder

FORMAT = "16"
"""Bumped whenever the tables change shape."""
FILE = "index.sqlite"
BUSY_MS = 10_000
"""How long a writer waits for another process's transaction."""
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE seen (path TEXT PRIMARY KEY, signature TEXT NOT NULL, hashed_at INTEGER NOT NULL, digest TEXT NOT NULL);
CREATE TABLE judged (key TEXT PRIMARY KEY, ok INTEGER NOT NULL, data TEXT, findings TEXT NOT NULL);
CREATE TABLE checked (key TEXT NOT NULL, context TEXT NOT NULL, findings TEXT NOT NULL, PRIMARY KEY (key, context));
CREATE TABLE derived (
    digest TEXT NOT NULL, context TEXT NOT NULL, id TEXT NOT NULL, subject TEXT NOT NULL,
    first REAL NOT NULL, last REAL NOT NULL, years TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (digest, context)
);
CREATE TABLE open_stage (
    context TEXT NOT NULL, digest TEXT NOT NULL, id TEXT NOT NULL, subject TEXT NOT NULL,
    seq INTEGER NOT NULL, name TEXT NOT NULL,
    start REAL NOT NULL, start_offset REAL, due REAL, due_offset REAL, responsible TEXT NOT NULL,
    department TEXT NOT NULL, provisional INTEGER NOT NULL, years TEXT NOT NULL, working INTEGER NOT NULL,
    clock INTEGER NOT NULL, follow_ups INTEGER NOT NULL, basis TEXT NOT NULL, pending TEXT NOT NULL,
    start_position REAL NOT NULL, due_position REAL,
    PRIMARY KEY (context, digest, seq)
) WITHOUT ROWID;
CREATE TABLE result (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE fact (digest TEXT PRIMARY KEY, id TEXT NOT NULL, links TEXT, archives TEXT);
"""
Judged = tuple[bool, str | None, str]
"""A judged file: valid, its data (JSON), its parse and schema findings (JSON)."""
FactRow = tuple[str, str | None, str | None]
"""A valid record's facts: its id, links (JSON or NULL), archive-numbered events (JSON or NULL)."""
Seen = tuple[str, int, str]
"""A file's stat signature (:func:`commlog.cache.signature`), when it was hashed (ns), its content digest."""
OpenRow = tuple[Any, ...]
"""An open stage's columns after digest and context: seq, name, start, start offset, due, due offset,
responsible, department, provisional, missing years (JSON), working, clock, follow-ups, basis, pending (JSON),
and the start's and due time's working-time positions (:meth:`commlog.worktime.WorkCalendar.position`)."""
Derived = tuple[str, str, str, str, float, float, str, str, list[OpenRow]]
"""A derived record: digest, context, id, subject, first and last event (epoch seconds), calendar years missing
(JSON), all the stages (JSON), and its open stages' rows."""
KEEP_FACTOR = 2
"""Entries of files not seen in a run are kept (another branch's) until there are this many times more."""


class Store:
    """The index of one repository; with ``enabled`` False (``--no-cache``) it holds and keeps nothing."""

    def __init__(self, root: Path, code: str, enabled: bool = True):
        self.root, self.code = root.resolve(), code
        self.path = folder(root) / FILE
        self.db: sqlite3.Connection | None = None
        if enabled:
            self.db = self._open()

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        """The database if it is this repository's and this code's, else a new empty one (None if none can be made)."""
        target = self.path.parent
        try:
            target.mkdir(mode=0o700, parents=True, exist_ok=True)
            if target.is_symlink() or not target.is_dir() or self.path.is_symlink():
                return None
        except OSError:
            return None
        db = self._connect()
        if db is not None and self._meta(db) == self._wanted():
            return db
        if db is not None:
            db.close()
        self._remove()
        db = self._connect()
        if db is None:
            return None
        try:
            with db:
                db.executescript(SCHEMA)
                db.executemany("INSERT INTO meta VALUES (?, ?)", self._wanted().items())
        except sqlite3.Error:
            db.close()
            return None
        return db

    def _connect(self) -> sqlite3.Connection | None:
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("PRAGMA synchronous=NORMAL")
            return db
        except sqlite3.Error:
            return None

    def _wanted(self) -> dict[str, str]:
        return {"format": FORMAT, "code": self.code, "root": os.fsdecode(self.root)}

    @staticmethod
    def _meta(db: sqlite3.Connection) -> dict[str, str] | None:
        try:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            return None  # not a database, a damaged one, or one without our tables

    def _remove(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    def _failed(self) -> None:
        """A read or write failed: the file is damaged or foreign. Drop it; the next run makes it again."""
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
        self.db = None
        self._remove()

    def _rows(self, query: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        if self.db is None:
            return []
        try:
            return self.db.execute(query, tuple(args)).fetchall()
        except sqlite3.Error:
            self._failed()
            return []

    # -- reading ---------------------------------------------------------------------------

    def seen(self) -> dict[str, Seen]:
        """Every file's stat signature when it was hashed last, the time it was hashed (ns) and its content digest."""
        rows = self._rows("SELECT path, signature, hashed_at, digest FROM seen")
        return {path: (signature, hashed_at, digest) for path, signature, hashed_at, digest in rows}

    def validity(self) -> dict[str, bool]:
        """Whether each judged file (``role:digest``) loaded and matched its schema."""
        return {key: bool(ok) for key, ok in self._rows("SELECT key, ok FROM judged")}

    def judged(self, keys: list[str]) -> dict[str, tuple[str | None, str]]:
        """The stored data and findings (JSON text) of these ``role:digest`` keys (absent ones left out)."""
        if len(keys) > 20000:  # much of the table: one scan beats a query per key
            wanted = set(keys)
            rows = self._rows("SELECT key, data, findings FROM judged")
            return {key: (data, found) for key, data, found in rows if key in wanted}
        out: dict[str, tuple[str | None, str]] = {}
        for chunk in _chunks(keys, 500):
            query = f"SELECT key, data, findings FROM judged WHERE key IN ({','.join('?' * len(chunk))})"
            out.update((key, (data, found)) for key, data, found in self._rows(query, chunk))
        return out

    def facts(self) -> dict[str, tuple[Any, ...]]:
        """Every valid record's :data:`FactRow`, by its digest (the columns unchecked: :func:`commlog.index.facts.from_row`)."""
        return {row[0]: row[1:] for row in self._rows("SELECT digest, id, links, archives FROM fact")}

    def checked(self, context: str) -> dict[str, str]:
        """The stored findings (JSON) of each record judged on its own in ``context``, by its key."""
        return dict(self._rows("SELECT key, findings FROM checked WHERE context = ?", (context,)))

    def result(self, key: str) -> Any | None:
        rows = self._rows("SELECT value FROM result WHERE key = ?", (key,))
        try:
            return json.loads(rows[0][0]) if rows else None
        except ValueError:
            return None

    def derived(self, context: str) -> dict[str, tuple[float, str]]:
        """Each record derived in ``context``, by digest: (last event, stages as JSON)."""
        return {
            row[0]: row[1:]
            for row in self._rows("SELECT digest, last, value FROM derived WHERE context = ?", (context,))
        }

    def heads(self, context: str) -> dict[str, tuple[float, float, str]]:
        """Each record derived in ``context``, by digest: (first event, last event, calendar years missing as JSON)."""
        return {
            row[0]: row[1:]
            for row in self._rows("SELECT digest, first, last, years FROM derived WHERE context = ?", (context,))
        }

    def open_stages(self, context: str) -> list[tuple[Any, ...]]:
        """Every open stage derived in ``context``: (digest, id, subject, *:data:`OpenRow`), by record and order."""
        return self._rows(
            # The record's id and subject are kept in each row, and the key starts with the context, so this reads
            # one stretch of the table in order, with no join and no sort.
            "SELECT digest, id, subject, seq, name, start, start_offset, due, due_offset, responsible, department, "
            "provisional, years, working, clock, follow_ups, basis, pending, start_position, due_position "
            "FROM open_stage WHERE context = ? ORDER BY digest, seq",
            (context,),
        )

    # -- writing ---------------------------------------------------------------------------

    def write(
        self,
        seen: tuple[dict[str, Seen], list[str]] | None = None,
        judged: dict[str, Judged] | None = None,
        keep: set[str] | None = None,
        derived: list[Derived] | None = None,
        result: tuple[str, Any] | None = None,
        checked: tuple[str, dict[str, str], set[str]] | None = None,
        facts: dict[str, FactRow] | None = None,
    ) -> None:
        """Store what a run learnt, in one transaction; where the index cannot be written there simply is none.

        ``seen`` is the files hashed anew and those gone; ``judged`` adds entries;
        ``keep``, the judged keys the run used, lets the others go once there are too many;
        ``facts`` adds valid records' facts by digest.
        """
        if self.db is None or not (seen is not None or judged or derived or result or checked or facts):
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self._write(seen, judged or {}, keep, derived or [], result, checked, facts or {})
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                self._failed()
            # Another process held the index past the timeout: this run's findings are simply not kept.
        except sqlite3.Error:
            self._failed()

    def _write(
        self,
        seen: tuple[dict[str, Seen], list[str]] | None,
        judged: dict[str, Judged],
        keep: set[str] | None,
        derived: list[Derived],
        result: tuple[str, Any] | None,
        checked: tuple[str, dict[str, str], set[str]] | None,
        facts: dict[str, FactRow],
    ) -> None:
        assert self.db is not None
        if seen is not None:
            hashed, gone = seen
            self.db.executemany("DELETE FROM seen WHERE path = ?", ((p,) for p in gone))
            self.db.executemany(
                "INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?)", ((p, *entry) for p, entry in hashed.items())
            )
        self.db.executemany(
            "INSERT OR REPLACE INTO judged VALUES (?, ?, ?, ?)",
            ((key, int(ok), data, found) for key, (ok, data, found) in judged.items()),
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO fact VALUES (?, ?, ?, ?)", ((digest, *row) for digest, row in facts.items())
        )
        if checked is not None:
            context, entries, used = checked
            self.db.execute("DELETE FROM checked WHERE context != ?", (context,))
            self.db.executemany(
                "INSERT OR REPLACE INTO checked VALUES (?, ?, ?)", ((k, context, v) for k, v in entries.items())
            )
            (count,) = self.db.execute("SELECT count(*) FROM checked").fetchone()
            if count > KEEP_FACTOR * len(used) + 1000:  # entries of files long changed: keep only this run's
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM used")
                self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in used))
                self.db.execute("DELETE FROM checked WHERE key NOT IN (SELECT key FROM used)")
        if keep is not None:
            (count,) = self.db.execute("SELECT count(*) FROM judged").fetchone()
            if count > KEEP_FACTOR * len(keep) + 1000:
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM kept")
                self.db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((k,) for k in keep))
                self.db.execute("DELETE FROM judged WHERE key NOT IN (SELECT key FROM kept)")
                for table in ("derived", "open_stage"):
                    self.db.execute(f"DELETE FROM {table} WHERE 'record:' || digest NOT IN (SELECT key FROM kept)")
                self.db.execute("DELETE FROM fact WHERE 'record:' || digest NOT IN (SELECT key FROM kept)")
        if derived:  # one context is kept: the policy and contacts of the last run that derived anything
            for table in ("derived", "open_stage"):
                self.db.execute(f"DELETE FROM {table} WHERE context != ?", (derived[0][1],))
        for digest, context, *head, opened in derived:
            record_id, subject = head[0], head[1]
            self.db.execute("DELETE FROM open_stage WHERE context = ? AND digest = ?", (context, digest))
            self.db.execute("INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (digest, context, *head))
            self.db.executemany(
                f"INSERT INTO open_stage VALUES ({', '.join('?' * 21)})",
                ((context, digest, record_id, subject, *row) for row in opened),
            )
        if result is not None:
            self.db.execute("DELETE FROM result")
            self.db.execute("INSERT INTO result VALUES (?, ?)", (result[0], json.dumps(result[1], ensure_ascii=False)))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
