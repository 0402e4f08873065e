"""The history store: snapshots, baselines, migrations, and what happens when things go wrong.

The reliability tests use real processes: a writer killed with SIGKILL part-way through its
transactions many times, and two `govflow snapshot` commands racing on one store.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.explain import fmt
from govflow.tracking import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    HistoryError,
    HistoryStore,
    default_db_path,
    files_hash,
    snapshot_of,
)

ROOT = Path(__file__).parent.parent
QUICK = ROOT / "examples" / "quickstart.yaml"
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"
WEEKS = ROOT / "examples" / "weekly-report"
NOW = datetime(2019, 9, 5, 17, 30)
GOVFLOW = Path(sys.executable).parent / "govflow"
runner = CliRunner()


def sched(path: Path = QUICK, as_of: date | None = None) -> govflow.Schedule:
    return govflow.schedule(govflow.load([path]), as_of=as_of)


@pytest.fixture
def quick(tmp_path: Path) -> Path:
    f = tmp_path / "quickstart.yaml"
    f.write_text(QUICK.read_text())
    return f


# -- recording and reading -----------------------------------------------------------------------


def test_snapshot_round_trips_every_item_and_deadline(tmp_path: Path) -> None:
    s = sched(NC)
    with HistoryStore(tmp_path / "h.sqlite") as store:
        r = store.record(s, [NC], NOW)
        snap = store.latest("north-cumbria-2019")
    assert snap is not None and not r.replaced
    expected = snapshot_of(s)
    assert snap.items == expected.items  # dates, float, status, meetings: all of them
    assert snap.deadlines == expected.deadlines
    assert (snap.as_of, snap.taken_at) == (date(2019, 9, 5), "2019-09-05T17:30:00")
    assert snap.files_hash == files_hash([NC]) and len(snap.files_hash) == 64
    assert snap.items["north-cumbria-2019:hwb-public"].meeting_tbc


def test_store_is_in_wal_mode_with_our_schema_version(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.schema_version == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"snapshots", "items", "deadlines", "baselines"}


def test_one_snapshot_per_timeline_and_status_date_rerecording_replaces(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        first = store.record(sched(), [QUICK], NOW, baseline="original")
        again = store.record(sched(), [QUICK], NOW + timedelta(hours=1))
        other = store.record(sched(as_of=date(2019, 9, 12)), [QUICK], NOW)
        snaps = store.snapshots("quickstart")
        assert (again.replaced, again.snapshot_id) == (True, first.snapshot_id)
        assert not other.replaced
        assert [s.as_of for s in snaps] == [date(2019, 9, 5), date(2019, 9, 12)]
        assert snaps[0].taken_at == "2019-09-05T18:30:00" and snaps[0].baselines == ("original",)
        assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 10  # 5 items x 2, no leftovers


def test_baselines_first_is_default_and_names_can_be_chosen(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        a = store.record(sched(as_of=date(2019, 9, 2)), [QUICK], NOW, baseline="original")
        b = store.record(sched(), [QUICK], NOW, baseline="replan")
        c = store.record(sched(as_of=date(2019, 9, 12)), [QUICK], NOW, baseline="replan")
        assert a.baseline_default and not b.baseline_default and c.baseline_replaced
        name, snap = store.baseline("quickstart") or ("", None)
        assert (name, snap.as_of if snap else None) == ("original", date(2019, 9, 2))
        picked = store.baseline("quickstart", "replan")
        assert picked is not None and picked[1].as_of == date(2019, 9, 12)
        with pytest.raises(HistoryError, match="no baseline named 'x' for quickstart; there are: original, replan"):
            store.baseline("quickstart", "x")
        assert store.baseline("other") is None


def test_latest_before_and_on_or_before(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        for d in (date(2019, 9, 2), date(2019, 9, 5), date(2019, 9, 12)):
            store.record(sched(as_of=d), [QUICK], NOW)
        assert store.latest("quickstart", before=date(2019, 9, 12)).as_of == date(2019, 9, 5)  # type: ignore[union-attr]
        assert store.latest("quickstart", on_or_before=date(2019, 9, 12)).as_of == date(2019, 9, 12)  # type: ignore[union-attr]
        assert store.latest("quickstart", before=date(2019, 9, 2)) is None


def test_files_hash_follows_the_file_contents(tmp_path: Path, quick: Path) -> None:
    h1 = files_hash([quick])
    quick.write_text(quick.read_text().replace("duration: 8", "duration: 9"))
    assert files_hash([quick]) != h1


# -- the commands --------------------------------------------------------------------------------


def test_snapshot_command_defaults_to_a_store_beside_the_file_and_says_when_it_replaces(quick: Path) -> None:
    result = runner.invoke(app, ["snapshot", str(quick)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Recorded a snapshot of quickstart as of Thu 5 Sep 2019: 5 items, 1 deadline")
    assert default_db_path(quick) == quick.parent / ".govflow" / "history.sqlite"
    assert (quick.parent / ".govflow" / "history.sqlite").exists()
    result = runner.invoke(app, ["snapshot", str(quick)])
    assert result.exit_code == 0
    assert result.stdout.startswith("Replaced the snapshot of quickstart as of Thu 5 Sep 2019")
    assert "it now holds the dates computed today" in result.stdout


def test_baseline_and_history_commands(quick: Path, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()  # --db never creates a directory (issue 13)
    db = str(tmp_path / "x" / "store.sqlite")
    r1 = runner.invoke(app, ["baseline", str(quick), "--db", db, "--as-of", "2019-09-02", "--name", "original"])
    assert r1.exit_code == 0 and "Named baseline 'original' to this snapshot (the default baseline)" in r1.stdout
    r2 = runner.invoke(app, ["baseline", str(quick), "--db", db, "--name", "replan"])
    assert r2.exit_code == 0 and "Named baseline 'replan'" in r2.stdout and "default" not in r2.stdout
    r3 = runner.invoke(app, ["history", str(quick), "--db", db])
    assert r3.exit_code == 0
    assert "Mon 2 Sep 2019" in r3.stdout and "1/1 met" in r3.stdout and "0/1 met" in r3.stdout
    assert "original             Mon 2 Sep 2019  (default)" in r3.stdout
    assert "replan               Thu 5 Sep 2019" in r3.stdout


def test_a_file_without_status_date_is_snapshotted_as_of_today(tmp_path: Path, quick: Path) -> None:
    quick.write_text(quick.read_text().replace("as_of: 2019-09-05\n", ""))
    result = runner.invoke(app, ["snapshot", str(quick)])
    assert result.exit_code == 0
    assert f"as of {fmt(date.today())}" in result.stdout


def test_history_without_a_store_is_a_clear_error(quick: Path) -> None:
    result = runner.invoke(app, ["history", str(quick)])
    assert result.exit_code == 2
    assert "no history store here" in result.stderr and "Traceback" not in result.output
    assert not (quick.parent / ".govflow" / "history.sqlite").exists()


def test_invalid_timeline_is_reported_not_recorded(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("govflow: 1\nid: bad\nstart: 2019-09-02\nitems:\n  a: {after: [nope]}\n")
    result = runner.invoke(app, ["snapshot", str(bad)])
    assert result.exit_code == 2 and "unknown" in result.stderr
    assert not (tmp_path / ".govflow").exists()


# -- bad stores ----------------------------------------------------------------------------------


def _cli_error(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit 2, not an exception escaping
    return result.stderr


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path, quick: Path) -> None:
    db = tmp_path / "notes.sqlite"
    db.write_bytes(b"Minutes of the Trust Board, 26 September 2019\n" * 50)
    before = db.read_bytes()
    err = _cli_error(["snapshot", str(quick), "--db", str(db)])
    assert "error[history]: not a govflow history store (not an SQLite database)" in err
    assert db.read_bytes() == before


def test_another_applications_sqlite_file_is_refused(tmp_path: Path, quick: Path) -> None:
    db = tmp_path / "crm.sqlite"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    err = _cli_error(["snapshot", str(quick), "--db", str(db)])
    assert "not a govflow history store (tables: customers)" in err
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA application_id = 1234")
    err = _cli_error(["report", str(quick), "--db", str(db)])
    assert "another application" in err


def test_a_store_from_a_newer_govflow_is_refused(tmp_path: Path, quick: Path) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db):
        pass
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA user_version = 99")
    err = _cli_error(["history", str(quick), "--db", str(db)])
    assert "newer govflow (schema version 99; this one reads up to 3)" in err


def test_a_damaged_store_is_a_clear_error(tmp_path: Path, quick: Path) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        for i in range(10):
            store.record(sched(as_of=date(2019, 9, 2) + timedelta(days=i)), [QUICK], NOW)
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0
    data = bytearray(db.read_bytes())
    assert len(data) > 8192
    data[4096:] = bytes(random.Random(5).getrandbits(8) for _ in range(len(data) - 4096))
    db.write_bytes(bytes(data))
    err = _cli_error(["history", str(quick), "--db", str(db)])
    assert "error[history]" in err and ("damaged" in err or "not a usable history store" in err)


def test_a_directory_as_store_is_refused(tmp_path: Path, quick: Path) -> None:
    err = _cli_error(["snapshot", str(quick), "--db", str(tmp_path)])
    assert "is a directory" in err


# -- migration from schema version 1 ------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE snapshots (id INTEGER PRIMARY KEY, timeline TEXT NOT NULL, as_of TEXT NOT NULL,
    taken_at TEXT NOT NULL, UNIQUE (timeline, as_of));
CREATE TABLE items (snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, early_start TEXT, early_finish TEXT,
    late_finish TEXT, float INTEGER, PRIMARY KEY (snapshot_id, key));
CREATE TABLE deadlines (snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL, deadline TEXT NOT NULL, forecast TEXT, margin INTEGER, met INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, key));
CREATE TABLE baselines (timeline TEXT NOT NULL, name TEXT NOT NULL,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), PRIMARY KEY (timeline, name));
PRAGMA user_version = 1;
"""


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()  # NULL, as the first schema stored a missing date


def make_v1_store(path: Path) -> None:
    """A store as the first schema wrote it: week 1 of the example, named 'agreed'."""
    s = sched(WEEKS / "week1.yaml")
    with sqlite3.connect(path) as c:
        c.executescript(V1_SCHEMA)
        c.execute("INSERT INTO snapshots VALUES (1, 'annual-plan-2019', '2019-09-06', '2019-09-06T17:00:00')")
        for k, r in s.items.items():
            c.execute(
                "INSERT INTO items VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                (k, r.kind, r.status, _iso(r.early_start), _iso(r.early_finish), _iso(r.late_finish), r.float),
            )
        for d in s.deadlines:
            c.execute(
                "INSERT INTO deadlines VALUES (1, ?, ?, ?, ?, ?)",
                (d.key, str(d.deadline), _iso(d.forecast), d.margin, int(d.met)),
            )
        c.execute("INSERT INTO baselines VALUES ('annual-plan-2019', 'agreed', 1)")


def test_a_version_1_store_is_migrated_not_dropped(tmp_path: Path) -> None:
    db = tmp_path / "v1.sqlite"
    make_v1_store(db)
    result = runner.invoke(app, ["report", str(WEEKS / "week3.yaml"), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    assert data["previous"] == {"as_of": "2019-09-06"} and data["baseline"] == {"name": "agreed", "as_of": "2019-09-06"}
    sub = data["deadlines"][0]
    assert (sub["previous_forecast"], sub["baseline_forecast"], sub["since_baseline"]) == ("2019-09-26",) * 2 + (25,)
    assert "Trust Board approves the plan missed the Trust Board meeting of Thu 26 Sep 2019" in sub["cause"]
    with HistoryStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        (snap,) = store.snapshots("annual-plan-2019")
        assert snap.taken_at == "2019-09-06T17:00:00" and len(snap.items) == 9
        assert snap.items["annual-plan-2019:board-approval"].meeting == date(2019, 9, 26)
        assert snap.items["annual-plan-2019:exec-review"].critical  # float 0, computed by the migration
        assert store.baselines("annual-plan-2019")[0].is_default
        assert store.integrity_check() == "ok"
        store.record(sched(WEEKS / "week2.yaml"), [WEEKS / "week2.yaml"], NOW)  # and it takes new snapshots
        assert len(store.snapshots("annual-plan-2019")) == 2


# -- reliability with real processes -----------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, datetime, timedelta
    import govflow
    from govflow.tracking import HistoryStore

    db, path = sys.argv[1], sys.argv[2]
    p = govflow.load([path])
    scheds = [govflow.schedule(p, as_of=date(2019, 8, 1) + timedelta(days=7 * i)) for i in range(6)]
    store = HistoryStore(db)
    print("ready", flush=True)
    i = store.conn.execute("SELECT count(*) FROM snapshots").fetchone()[0]  # go on where the last one stopped
    while True:
        print("begin", flush=True)
        store.record(scheds[i % 6], [path], datetime(2019, 9, 1) + timedelta(minutes=i), _pause=0.003)
        print("commit", flush=True)
        i += 1
    """
)


def assert_consistent(db: Path, expected: dict[date, object]) -> int:
    """integrity_check ok, and every stored snapshot is exactly the schedule of its status date."""
    with HistoryStore(db) as store:
        assert store.integrity_check() == "ok"
        snaps = store.snapshots("north-cumbria-2019")
        for s in snaps:
            want = expected[s.as_of]
            assert s.items == want.items, f"partial or mixed snapshot for {s.as_of}"  # type: ignore[attr-defined]
            assert s.deadlines == want.deadlines  # type: ignore[attr-defined]
        for sid, recorded, present in store.counts():
            assert recorded == present, sid
        return len(snaps)


def test_a_writer_killed_part_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    p = govflow.load([NC])
    days = [date(2019, 8, 1) + timedelta(days=7 * i) for i in range(6)]
    expected = {d: snapshot_of(govflow.schedule(p, as_of=d)) for d in days}
    rng = random.Random(20191)
    mid_transaction = 0
    counts = []
    for _ in range(30):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(db), str(NC)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        lines = proc.stdout.read().split()
        mid_transaction += bool(lines) and lines[-1] == "begin"
        counts.append(assert_consistent(db, expected))
    assert mid_transaction >= 15, f"only {mid_transaction} of 30 kills landed inside a transaction"
    assert counts[-1] == 6 and counts == sorted(counts)  # progress was made and nothing was lost


def test_two_snapshot_commands_at_once_do_not_corrupt_the_store(tmp_path: Path) -> None:
    assert GOVFLOW.exists()
    for round_ in range(4):
        db = tmp_path / f"race{round_}.sqlite"  # fresh each round: creation itself is raced too
        same = round_ % 2 == 1
        procs = [
            subprocess.Popen(
                [str(GOVFLOW), "snapshot", str(NC), "--db", str(db), "--as-of", "2019-09-05" if same else day],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for day in ("2019-09-05", "2019-09-12")
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        with HistoryStore(db) as store:
            assert store.integrity_check() == "ok"
            snaps = store.snapshots("north-cumbria-2019")
            assert len(snaps) == (1 if same else 2)
            for s in snaps:
                assert s.items == snapshot_of(sched(NC, s.as_of)).items
        verbs = sorted(o[0].split(" ")[0] for o in outs)
        assert verbs == (["Recorded", "Replaced"] if same else ["Recorded", "Recorded"])
