"""The history store: snapshots and named baselines of computed schedules, in SQLite.

A *snapshot* records, for one timeline (or programme of timelines) and one status date, every
item's computed dates, float and status and every deadline's verdict, with the time it was
taken and a SHA-256 hash of the timeline files. There is one snapshot per timeline(s) and
status date: recording again replaces it. A *baseline* is a name given to a snapshot; the first
baseline recorded for a timeline is its default.

The store is one SQLite file (standard library `sqlite3`) in WAL mode, by default
`.govflow/history.sqlite` beside the first timeline file. Every snapshot is written in a single
`BEGIN IMMEDIATE` transaction, so a writer killed part-way leaves the store as it was, and
concurrent writers queue on SQLite's lock instead of corrupting it.

Tables (schema version 3, `PRAGMA user_version`; `PRAGMA application_id` = 0x476F7646, "GovF"):

- ``snapshots(id, timeline, as_of, taken_at, files_hash, files, items_count, risk_runs, risk_seed)``:
  one row per snapshot; `timeline` is the timeline id (ids joined by ',' for a programme of several
  files), dates ISO, `taken_at` an ISO timestamp, `files` a JSON list of paths; unique (timeline,
  as_of); `risk_runs` and `risk_seed` the Monte Carlo runs and seed behind the deadlines' `p_met`
  (NULL when none was recorded: the files declared no risk inputs).
- ``items(snapshot_id, key, title, kind, status, early_start, early_finish, late_start,
  late_finish, float, critical, why, driving, meeting, meeting_tbc, papers_due, ready)``: every
  item's computed schedule (`key` is 'timeline:item'; `driving` a JSON list of keys; `meeting`
  the date of the meeting chosen for a meeting item, `meeting_tbc` 1 when it is not confirmed).
- ``deadlines(snapshot_id, key, deadline, forecast, margin, met, driving_path, p_met)``: each
  deadline's verdict (`driving_path` a JSON list of keys; `p_met` its probability of being met,
  or NULL).
- ``baselines(timeline, name, snapshot_id, created_at, is_default)``: named baselines.

Older stores are migrated in place on first open, and nothing is dropped: version 1 (no hash,
titles, late starts, meetings or default flag) and version 2 (no P(met)); a new store is created
as version 2 and migrated, so it is exactly what a migrated store is. A file that is not an SQLite
database, or an SQLite database of another application, or one from a newer govflow, is refused
with a clear error.

>>> import tempfile, pathlib
>>> from datetime import date, datetime
>>> from govflow.loading import load_text
>>> from govflow.scheduling import schedule
>>> p = load_text('''
... govflow: 1
... id: demo
... start: 2019-09-02
... as_of: 2019-09-02
... items:
...   draft: {duration: 10}
...   submit: {after: [draft], deadline: 2019-09-27}
... ''')
>>> db = pathlib.Path(tempfile.mkdtemp()) / "h.sqlite"
>>> with HistoryStore(db) as store:
...     result = store.record(schedule(p), files=(), now=datetime(2019, 9, 2, 9, 0))
...     snap = store.latest("demo")
>>> result.replaced, snap.as_of, snap.items["demo:draft"].early_finish
(False, datetime.date(2019, 9, 2), datetime.date(2019, 9, 13))
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .errors import GovflowError
from .scheduling import DeadlineResult as SnapDeadline  # a recorded verdict has the same fields
from .scheduling import Schedule

if TYPE_CHECKING:
    from .risk import RiskResult

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "BaselineInfo",
    "HistoryError",
    "HistoryStore",
    "RecordResult",
    "RecordedRisk",
    "SnapDeadline",
    "SnapItem",
    "Snapshot",
    "default_db_path",
    "files_hash",
    "snapshot_of",
    "timeline_key",
]

SCHEMA_VERSION = 3
APPLICATION_ID = 0x476F7646  # "GovF"
BUSY_TIMEOUT_S = 30.0

_SCHEMA_V2 = """
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    timeline TEXT NOT NULL,
    as_of TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    files_hash TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL DEFAULT '[]',
    items_count INTEGER NOT NULL,
    UNIQUE (timeline, as_of)
);
CREATE TABLE items (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    early_start TEXT,
    early_finish TEXT,
    late_start TEXT,
    late_finish TEXT,
    float INTEGER,
    critical INTEGER NOT NULL DEFAULT 0,
    why TEXT NOT NULL DEFAULT '',
    driving TEXT NOT NULL DEFAULT '[]',
    meeting TEXT,
    meeting_tbc INTEGER NOT NULL DEFAULT 0,
    papers_due TEXT,
    ready TEXT,
    PRIMARY KEY (snapshot_id, key)
);
CREATE TABLE deadlines (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    deadline TEXT NOT NULL,
    forecast TEXT,
    margin INTEGER,
    met INTEGER NOT NULL,
    driving_path TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (snapshot_id, key)
);
CREATE TABLE baselines (
    timeline TEXT NOT NULL,
    name TEXT NOT NULL,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    created_at TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (timeline, name)
);
"""

# Version 1 -> 2: add the columns version 1 lacked; the first baseline of each timeline becomes
# its default. Existing rows are kept.
_MIGRATE_1_TO_2 = """
ALTER TABLE snapshots ADD COLUMN files_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
ALTER TABLE snapshots ADD COLUMN items_count INTEGER NOT NULL DEFAULT 0;
UPDATE snapshots SET items_count = (SELECT count(*) FROM items WHERE items.snapshot_id = snapshots.id);
ALTER TABLE items ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN late_start TEXT;
ALTER TABLE items ADD COLUMN critical INTEGER NOT NULL DEFAULT 0;
UPDATE items SET critical = (float IS NOT NULL AND float <= 0);
ALTER TABLE items ADD COLUMN why TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN driving TEXT NOT NULL DEFAULT '[]';
ALTER TABLE items ADD COLUMN meeting TEXT;
ALTER TABLE items ADD COLUMN meeting_tbc INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN papers_due TEXT;
ALTER TABLE items ADD COLUMN ready TEXT;
UPDATE items SET meeting = early_finish WHERE kind = 'meeting';
ALTER TABLE deadlines ADD COLUMN driving_path TEXT NOT NULL DEFAULT '[]';
ALTER TABLE baselines ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE baselines ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0;
UPDATE baselines SET is_default = 1 WHERE rowid IN (
    SELECT b.rowid FROM baselines b JOIN snapshots s ON s.id = b.snapshot_id
    WHERE NOT EXISTS (
        SELECT 1 FROM baselines b2 JOIN snapshots s2 ON s2.id = b2.snapshot_id
        WHERE b2.timeline = b.timeline
          AND (s2.taken_at < s.taken_at OR (s2.taken_at = s.taken_at AND b2.rowid < b.rowid))
    )
);
"""

# Version 2 -> 3: P(met) per deadline, and the runs and seed it came from (NULL in older snapshots).
_MIGRATE_2_TO_3 = """
ALTER TABLE snapshots ADD COLUMN risk_runs INTEGER;
ALTER TABLE snapshots ADD COLUMN risk_seed INTEGER;
ALTER TABLE deadlines ADD COLUMN p_met REAL;
"""

_MIGRATIONS = {1: _MIGRATE_1_TO_2, 2: _MIGRATE_2_TO_3}


class HistoryError(GovflowError):
    """The history store cannot be used: not a database, another application's, corrupt, too new."""

    def __init__(self, path: str | Path, message: str):
        self.path = str(path)
        super().__init__(f"{path}: error[history]: {message}")


@dataclass(frozen=True, slots=True)
class SnapItem:
    """One item's computed schedule as recorded (or as computed now, for comparison)."""

    key: str
    title: str
    kind: str
    status: str
    early_start: date | None
    early_finish: date | None
    late_start: date | None
    late_finish: date | None
    float: int | None
    critical: bool
    why: str = ""
    driving: tuple[str, ...] = ()
    meeting: date | None = None
    meeting_tbc: bool = False
    papers_due: date | None = None
    ready: date | None = None


@dataclass(frozen=True, slots=True)
class RecordedRisk:
    """Each deadline's probability of being met (key 'timeline:item' -> P(met)), from `runs` Monte
    Carlo runs at `seed` (`govflow.risk.overview`)."""

    runs: int
    seed: int
    p_met: Mapping[str, float]

    @classmethod
    def of(cls, sched: Schedule, result: RiskResult) -> RecordedRisk:
        """From a `govflow.risk` result for this schedule (whose deadlines are named by label)."""
        key = {sched.programme.label(k): k for k in sched.programme.items}
        return cls(result.runs, result.seed, {key[d.key]: d.p_met for d in result.deadlines})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A recorded schedule: the items and deadlines of a timeline at one status date (and, when
    the files declare risk inputs, each deadline's P(met))."""

    timeline: str
    as_of: date
    taken_at: str
    files_hash: str
    items: Mapping[str, SnapItem]
    deadlines: Mapping[str, SnapDeadline]
    files: tuple[str, ...] = ()
    id: int | None = None
    baselines: tuple[str, ...] = field(default=())
    risk: RecordedRisk | None = None


@dataclass(frozen=True, slots=True)
class BaselineInfo:
    name: str
    as_of: date
    snapshot_id: int
    is_default: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What `record` did: the snapshot's id, whether it replaced one, the baseline name set."""

    snapshot_id: int
    timeline: str
    as_of: date
    replaced: bool
    items: int
    deadlines: int
    baseline: str | None = None
    baseline_replaced: bool = False
    baseline_default: bool = False
    files_hash: str = ""


def timeline_key(sched: Schedule) -> str:
    """The name under which a programme's snapshots are kept: its timeline ids, joined by ','."""
    return ",".join(t.id for t in sched.programme.timelines)


def files_hash(paths: Iterable[str | Path]) -> str:
    """SHA-256 over the timeline files' bytes (each preceded by its length), in the order given."""
    h = hashlib.sha256()
    for p in paths:
        data = Path(p).read_bytes()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def default_db_path(first_file: str | Path) -> Path:
    """`.govflow/history.sqlite` beside the first timeline file."""
    return Path(first_file).resolve().parent / ".govflow" / "history.sqlite"


def snapshot_of(
    sched: Schedule,
    taken_at: str = "",
    hash_: str = "",
    files: Sequence[str] = (),
    risk: RecordedRisk | None = None,
) -> Snapshot:
    """The computed schedule in the form a snapshot records (no I/O); `risk`: its P(met) figures."""
    if sched.as_of is None:
        raise GovflowError("the schedule has no status date: give one (as_of in the file, or --as-of)")
    p = sched.programme
    items = {}
    for key, r in sched.items.items():
        m = r.meeting
        items[key] = SnapItem(
            key=key,
            title=p.items[key].title,
            kind=r.kind,
            status=r.status,
            early_start=r.early_start,
            early_finish=r.early_finish,
            late_start=r.late_start,
            late_finish=r.late_finish,
            float=r.float,
            critical=r.critical,
            why=r.why,
            driving=tuple(r.driving),
            meeting=r.early_finish if r.kind == "meeting" else None,
            meeting_tbc=bool(m is not None and m.when.tbc),
            papers_due=r.papers_due,
            ready=r.ready,
        )
    deadlines = {d.key: d for d in sched.deadlines}  # engine verdicts are frozen values already
    return Snapshot(timeline_key(sched), sched.as_of, taken_at, hash_, items, deadlines, tuple(files), risk=risk)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _d(s: str | None) -> date | None:
    return None if s is None else date.fromisoformat(s)


class HistoryStore:
    """An open history store. Use as a context manager; `path` is created if missing.

    All writes go through `record`, one transaction each.
    """

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise HistoryError(self.path, "no history store here; record one with 'govflow snapshot'")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.path.is_dir():
            raise HistoryError(self.path, "is a directory, not a history store")
        else:
            self._check_header()
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise HistoryError(self.path, f"cannot open the history store: {e}") from None
        try:
            self._setup()
        except sqlite3.DatabaseError as e:
            self.conn.close()
            raise HistoryError(self.path, f"not a usable history store ({e}); move it aside or choose --db") from None
        except HistoryError:
            self.conn.close()
            raise

    # -- opening and migrating -------------------------------------------------------------

    def _check_header(self) -> None:
        with self.path.open("rb") as f:
            head = f.read(16)
        if head and head != b"SQLite format 3\x00":
            raise HistoryError(self.path, "not a govflow history store (not an SQLite database); choose another --db")

    def _retry(self, sql: str) -> list[tuple[object, ...]]:
        """Run a statement that can meet a lock that the busy handler does not wait for."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                return self.conn.execute(sql).fetchall()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _setup(self) -> None:
        c = self.conn
        c.execute("PRAGMA foreign_keys = ON")
        c.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # one read transaction, so that the version and the tables are seen at the same moment: another
        # `snapshot` creating the store at the same time commits both together
        self._retry("BEGIN")
        try:
            (version,) = c.execute("PRAGMA user_version").fetchone()
            (app,) = c.execute("PRAGMA application_id").fetchone()
            self._check_identity(version, app)
        finally:
            c.execute("COMMIT")
        mode = self._retry("PRAGMA journal_mode = WAL")
        if str(mode[0][0]).lower() != "wal":  # pragma: no cover - WAL works on local filesystems
            raise HistoryError(self.path, f"cannot switch the store to WAL mode (got {mode[0][0]})")
        if version == SCHEMA_VERSION and app == APPLICATION_ID:
            return
        self._retry("BEGIN IMMEDIATE")
        try:
            (version,) = c.execute("PRAGMA user_version").fetchone()  # another process may have got here first
            (app,) = c.execute("PRAGMA application_id").fetchone()
            self._check_identity(version, app)
            if version == 0:  # a new store: version 2, then migrated like any other
                # statement by statement: executescript would COMMIT part-way
                for stmt in _statements(_SCHEMA_V2):
                    c.execute(stmt)
                version = 2
            while version < SCHEMA_VERSION:
                for stmt in _statements(_MIGRATIONS[version]):
                    c.execute(stmt)
                version += 1
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _check_identity(self, version: int, app: int) -> None:
        if version > SCHEMA_VERSION:
            raise HistoryError(
                self.path,
                f"written by a newer govflow (schema version {version}; this one reads up to {SCHEMA_VERSION}); "
                "upgrade govflow",
            )
        if app not in (0, APPLICATION_ID):
            raise HistoryError(self.path, "an SQLite database of another application, not a govflow history store")
        if version == 0:
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables:
                raise HistoryError(
                    self.path,
                    "an SQLite database that is not a govflow history store (tables: "
                    + ", ".join(sorted(tables))
                    + "); choose another --db",
                )
        elif app == 0 and version != 1:
            raise HistoryError(self.path, f"unknown schema version {version}; not a govflow history store")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_check(self) -> str:
        """SQLite's own consistency check: 'ok' when the file is sound."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- writing ---------------------------------------------------------------------------

    def record(
        self,
        sched: Schedule,
        files: Sequence[str | Path],
        now: datetime,
        baseline: str | None = None,
        _pause: float = 0.0,
        risk: RecordedRisk | None = None,
    ) -> RecordResult:
        """Record the schedule as the snapshot of its timeline(s) and status date, in one transaction.

        A snapshot already recorded for the same timeline(s) and status date is replaced (its id
        is kept, so baselines naming it hold the new dates). With `baseline`, the snapshot is also
        given that name (the first baseline of a timeline is its default). With `risk`, each
        deadline's P(met) is recorded too, with its runs and seed. `now` is the time the
        snapshot is taken (the library never reads the clock). `_pause` sleeps between the rows
        (for the crash tests only).
        """
        digest = files_hash(files)
        snap = snapshot_of(sched, now.isoformat(timespec="seconds"), digest, [str(f) for f in files], risk)
        c = self.conn
        self._retry("BEGIN IMMEDIATE")
        try:
            row = c.execute(
                "SELECT id FROM snapshots WHERE timeline = ? AND as_of = ?", (snap.timeline, snap.as_of.isoformat())
            ).fetchone()
            values = (
                snap.taken_at,
                snap.files_hash,
                json.dumps(list(snap.files)),
                len(snap.items),
                None if risk is None else risk.runs,
                None if risk is None else risk.seed,
            )
            if row is None:
                sid = c.execute(
                    "INSERT INTO snapshots (timeline, as_of, taken_at, files_hash, files, items_count, risk_runs,"
                    " risk_seed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (snap.timeline, snap.as_of.isoformat(), *values),
                ).lastrowid
                assert sid is not None
            else:
                sid = int(row[0])
                c.execute(
                    "UPDATE snapshots SET taken_at = ?, files_hash = ?, files = ?, items_count = ?, risk_runs = ?,"
                    " risk_seed = ? WHERE id = ?",
                    (*values, sid),
                )
                c.execute("DELETE FROM items WHERE snapshot_id = ?", (sid,))
                c.execute("DELETE FROM deadlines WHERE snapshot_id = ?", (sid,))
            for it in snap.items.values():
                c.execute(
                    "INSERT INTO items (snapshot_id, key, title, kind, status, early_start, early_finish, late_start,"
                    " late_finish, float, critical, why, driving, meeting, meeting_tbc, papers_due, ready)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sid,
                        it.key,
                        it.title,
                        it.kind,
                        it.status,
                        _iso(it.early_start),
                        _iso(it.early_finish),
                        _iso(it.late_start),
                        _iso(it.late_finish),
                        it.float,
                        int(it.critical),
                        it.why,
                        json.dumps(list(it.driving)),
                        _iso(it.meeting),
                        int(it.meeting_tbc),
                        _iso(it.papers_due),
                        _iso(it.ready),
                    ),
                )
                if _pause:
                    time.sleep(_pause)
            for d in snap.deadlines.values():
                c.execute(
                    "INSERT INTO deadlines (snapshot_id, key, deadline, forecast, margin, met, driving_path, p_met)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sid,
                        d.key,
                        d.deadline.isoformat(),
                        _iso(d.forecast),
                        d.margin,
                        int(d.met),
                        json.dumps(list(d.driving_path)),
                        None if risk is None else risk.p_met.get(d.key),
                    ),
                )
            b_replaced = b_default = False
            if baseline is not None:
                b_replaced = (
                    c.execute(
                        "SELECT 1 FROM baselines WHERE timeline = ? AND name = ?", (snap.timeline, baseline)
                    ).fetchone()
                    is not None
                )
                has_default = c.execute(
                    "SELECT 1 FROM baselines WHERE timeline = ? AND is_default = 1 AND name != ?",
                    (snap.timeline, baseline),
                ).fetchone()
                was_default = c.execute(
                    "SELECT is_default FROM baselines WHERE timeline = ? AND name = ?", (snap.timeline, baseline)
                ).fetchone()
                b_default = not has_default or bool(was_default and was_default[0])
                c.execute(
                    "INSERT OR REPLACE INTO baselines (timeline, name, snapshot_id, created_at, is_default)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (snap.timeline, baseline, sid, snap.taken_at, int(b_default)),
                )
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        return RecordResult(
            sid,
            snap.timeline,
            snap.as_of,
            row is not None,
            len(snap.items),
            len(snap.deadlines),
            baseline,
            b_replaced,
            b_default,
            digest,
        )

    # -- reading ---------------------------------------------------------------------------

    def snapshots(self, timeline: str) -> list[Snapshot]:
        """Every snapshot of a timeline(s), oldest status date first (items included)."""
        rows = self.conn.execute("SELECT id FROM snapshots WHERE timeline = ? ORDER BY as_of", (timeline,)).fetchall()
        return [self._load(int(r[0])) for r in rows]

    def timelines(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT timeline FROM snapshots ORDER BY timeline")]

    def latest(self, timeline: str, before: date | None = None, on_or_before: date | None = None) -> Snapshot | None:
        """The snapshot with the latest status date strictly before `before` / on or before `on_or_before`."""
        sql, args = "SELECT id FROM snapshots WHERE timeline = ?", [timeline]
        if before is not None:
            sql += " AND as_of < ?"
            args.append(before.isoformat())
        if on_or_before is not None:
            sql += " AND as_of <= ?"
            args.append(on_or_before.isoformat())
        row = self.conn.execute(sql + " ORDER BY as_of DESC LIMIT 1", args).fetchone()
        return None if row is None else self._load(int(row[0]))

    def baselines(self, timeline: str) -> list[BaselineInfo]:
        rows = self.conn.execute(
            "SELECT b.name, s.as_of, b.snapshot_id, b.is_default, b.created_at FROM baselines b"
            " JOIN snapshots s ON s.id = b.snapshot_id WHERE b.timeline = ? ORDER BY b.is_default DESC, b.created_at,"
            " b.name",
            (timeline,),
        ).fetchall()
        return [BaselineInfo(r[0], date.fromisoformat(r[1]), int(r[2]), bool(r[3]), r[4]) for r in rows]

    def baseline(self, timeline: str, name: str | None = None) -> tuple[str, Snapshot] | None:
        """The named baseline (or the default one) of a timeline, or None when there is none.

        An unknown name is an error that lists the names there are.
        """
        known = self.baselines(timeline)
        if not known:
            if name is not None:
                raise HistoryError(self.path, f"no baseline named '{name}' for {timeline}: no baseline recorded yet")
            return None
        pick = next((b for b in known if b.name == name), None) if name is not None else known[0]
        if pick is None:
            names = ", ".join(b.name for b in known)
            raise HistoryError(self.path, f"no baseline named '{name}' for {timeline}; there are: {names}")
        return pick.name, self._load(pick.snapshot_id)

    def _load(self, sid: int) -> Snapshot:
        c = self.conn
        row = c.execute(
            "SELECT timeline, as_of, taken_at, files_hash, files, risk_runs, risk_seed FROM snapshots WHERE id = ?",
            (sid,),
        ).fetchone()
        items = {}
        for r in c.execute(
            "SELECT key, title, kind, status, early_start, early_finish, late_start, late_finish, float, critical, why,"
            " driving, meeting, meeting_tbc, papers_due, ready FROM items WHERE snapshot_id = ? ORDER BY rowid",
            (sid,),
        ):
            items[r[0]] = SnapItem(
                r[0],
                r[1],
                r[2],
                r[3],
                _d(r[4]),
                _d(r[5]),
                _d(r[6]),
                _d(r[7]),
                r[8],
                bool(r[9]),
                r[10],
                tuple(json.loads(r[11])),
                _d(r[12]),
                bool(r[13]),
                _d(r[14]),
                _d(r[15]),
            )
        deadlines = {}
        p_met = {}
        for r in c.execute(
            "SELECT key, deadline, forecast, margin, met, driving_path, p_met FROM deadlines WHERE snapshot_id = ?"
            " ORDER BY rowid",
            (sid,),
        ):
            deadlines[r[0]] = SnapDeadline(
                r[0], date.fromisoformat(r[1]), _d(r[2]), r[3], bool(r[4]), tuple(json.loads(r[5]))
            )
            if r[6] is not None:
                p_met[r[0]] = float(r[6])
        risk = None if row[5] is None else RecordedRisk(int(row[5]), int(row[6]), p_met)
        names = tuple(r[0] for r in c.execute("SELECT name FROM baselines WHERE snapshot_id = ? ORDER BY name", (sid,)))
        return Snapshot(
            row[0],
            date.fromisoformat(row[1]),
            row[2],
            row[3],
            items,
            deadlines,
            tuple(json.loads(row[4])),
            sid,
            names,
            risk,
        )

    def counts(self) -> Iterator[tuple[int, int, int]]:
        """(snapshot id, items_count recorded, items present) for every snapshot: equal when consistent."""
        yield from self.conn.execute(
            "SELECT s.id, s.items_count, (SELECT count(*) FROM items i WHERE i.snapshot_id = s.id) FROM snapshots s"
        )


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (ours contain no ';' inside literals)."""
    return [s.strip() for s in script.split(";\n") if s.strip().rstrip(";")]
