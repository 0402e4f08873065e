"""Risk where users already look: each deadline's P(met) in the weekly report (with its change
since the previous snapshot, which records it), and the P50-P90 span of each deadline in the HTML
Gantt chart, for timelines that declare risk inputs; timelines that do not look as they did.

`tests/cases/risk_week1.yaml` and `risk_week2.yaml` work the expected values out by hand: the
draft is uniform over 1..10 working days in week 1 (P(met) 7/10; P50 Tue 10 Sep, P90 Tue 8 Oct)
and over 1..20 in week 2 (P(met) 7/20). Simulated values must lie within four standard errors of
them (10,000 runs at seed 0, as the report says).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.exporters.gantt_html import render_html
from govflow.tracking import _SCHEMA_V2, APPLICATION_ID, SCHEMA_VERSION, HistoryStore, snapshot_of
from readers import CHROMIUM, chromium, need

CASES = Path(__file__).parent / "cases"
WEEK1, WEEK2 = CASES / "risk_week1.yaml", CASES / "risk_week2.yaml"
QUICK = Path(__file__).parent.parent / "examples" / "quickstart.yaml"
RUNS = 10_000
runner = CliRunner()


def near(got: float, want: float) -> bool:
    """Within four standard errors of the hand-computed probability."""
    return abs(got - want) <= 4 * math.sqrt(want * (1 - want) / RUNS)


def shown_near(text: str, want: float) -> bool:
    """A percentage as the report shows it (rounded) is within four standard errors (and the rounding)."""
    return abs(int(text) / 100 - want) <= 4 * math.sqrt(want * (1 - want) / RUNS) + 0.005


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


# ---- the weekly report and snapshots --------------------------------------------------------------


def test_the_report_shows_p_met_and_its_change_since_the_last_snapshot(tmp_path: Path) -> None:
    db = str(tmp_path / "h.sqlite")
    said = run("snapshot", str(WEEK1), "--db", db)
    assert "with each deadline's P(met), from 10,000 runs (seed 0)" in said
    md = run("report", str(WEEK2), "--db", db)
    line = next(x for x in md.splitlines() if x.startswith("- **AMBER** Trust Board approves the plan"))
    m = re.fullmatch(
        r"- \*\*AMBER\*\* Trust Board approves the plan: due Tue 10 Sep, forecast Tue 10 Sep, no working days to "
        r"spare; P\(met\) (\d+)%, down from (\d+)% this week\.",
        line,
    )
    assert m is not None, line
    assert shown_near(m[1], 0.35) and shown_near(m[2], 0.7), line
    summary = re.search(
        r"no deadline moved, but the chance of meeting Trust Board approves the plan fell from (\d+)% to (\d+)%", md
    )
    assert summary is not None and summary.groups() == (m[2], m[1]), md
    assert "P(met): the share of 10,000 simulated runs (seed 0, so the same files give the same figures)" in md
    data = json.loads(run("report", str(WEEK2), "--db", db, "--format", "json"))
    (d,) = data["deadlines"]
    assert near(d["p_met"], 0.35) and near(d["previous_p_met"], 0.7), d
    assert data["risk"] == {"runs": RUNS, "seed": 0}
    assert run("report", str(WEEK2), "--db", db) == md  # the same files give the same report
    page = run("report", str(WEEK2), "--db", db, "--format", "html")
    assert "<th>P(met)</th>" in page and f"<td>{m[1]}%, down from {m[2]}% this week</td>" in page


def test_snapshots_record_p_met_with_its_runs_and_seed(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    run("snapshot", str(WEEK1), "--db", str(db))
    run("snapshot", str(QUICK), "--db", str(db))  # no risk inputs: nothing recorded for it
    with HistoryStore(db) as store:
        (snap,) = store.snapshots("risk-weekly")
        assert snap.risk is not None and (snap.risk.runs, snap.risk.seed) == (RUNS, 0)
        assert near(snap.risk.p_met["risk-weekly:approve"], 0.7)
        (plain,) = store.snapshots("quickstart")
        assert plain.risk is None
        rows = store.conn.execute("SELECT p_met FROM deadlines WHERE p_met IS NULL").fetchall()
        assert len(rows) == len(plain.deadlines)


def make_v2_store(path: Path) -> None:
    """A store as the previous govflow (schema version 2) wrote it: week 1, without P(met)."""
    snap = snapshot_of(govflow.schedule(govflow.load([WEEK1])), "2019-09-02T17:00:00", "ab" * 32, [str(WEEK1)])

    def iso(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    with sqlite3.connect(path) as c:
        c.executescript(_SCHEMA_V2)
        c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        c.execute("PRAGMA user_version = 2")
        c.execute(
            "INSERT INTO snapshots VALUES (1, 'risk-weekly', '2019-09-02', ?, ?, ?, ?)",
            (snap.taken_at, snap.files_hash, json.dumps(list(snap.files)), len(snap.items)),
        )
        for it in snap.items.values():
            c.execute(
                "INSERT INTO items VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (it.key, it.title, it.kind, it.status, iso(it.early_start), iso(it.early_finish), iso(it.late_start),
                 iso(it.late_finish), it.float, int(it.critical), it.why, json.dumps(list(it.driving)),
                 iso(it.meeting), int(it.meeting_tbc), iso(it.papers_due), iso(it.ready)),
            )  # fmt: skip
        for d in snap.deadlines.values():
            c.execute(
                "INSERT INTO deadlines VALUES (1, ?, ?, ?, ?, ?, ?)",
                (d.key, d.deadline.isoformat(), iso(d.forecast), d.margin, int(d.met), json.dumps(d.driving_path)),
            )
        c.execute("INSERT INTO baselines VALUES ('risk-weekly', 'agreed', 1, '2019-09-02T17:00:00', 1)")


def test_a_version_2_store_is_migrated_and_keeps_working(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite"
    make_v2_store(db)
    data = json.loads(run("report", str(WEEK2), "--db", str(db), "--format", "json"))
    assert data["previous"] == {"as_of": "2019-09-02"} and data["baseline"] == {"name": "agreed", "as_of": "2019-09-02"}
    (d,) = data["deadlines"]
    assert near(d["p_met"], 0.35) and d["previous_p_met"] is None  # the old snapshot has no P(met)
    md = run("report", str(WEEK2), "--db", str(db))
    assert re.search(r"no working days to spare; P\(met\) \d+%\.\n", md), md  # no change to state
    with HistoryStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 3 and store.integrity_check() == "ok"
        (old,) = store.snapshots("risk-weekly")
        assert old.risk is None and len(old.items) == 2 and old.baselines == ("agreed",)
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(deadlines)")}
        assert "p_met" in columns
    run("snapshot", str(WEEK2), "--db", str(db))  # and it records new snapshots, with P(met)
    with HistoryStore(db) as store:
        new = store.latest("risk-weekly")
        assert new is not None and new.as_of == date(2019, 9, 3) and new.risk is not None
        assert near(new.risk.p_met["risk-weekly:approve"], 0.35)


def test_timelines_without_risk_inputs_get_no_risk_figures(tmp_path: Path) -> None:
    db = str(tmp_path / "h.sqlite")
    assert "P(met)" not in run("snapshot", str(QUICK), "--db", db)
    data = json.loads(run("report", str(QUICK), "--db", db, "--format", "json"))
    assert "risk" not in data and all("p_met" not in d for d in data["deadlines"])
    out = tmp_path / "q.html"
    run("gantt", str(QUICK), "-o", str(out), "--no-baseline")
    sched = govflow.schedule(govflow.load([QUICK]))
    assert out.read_text(encoding="utf-8") == render_html(sched)  # exactly the chart without risk
    assert "risk-span" not in out.read_text(encoding="utf-8")


# ---- the Gantt chart: the P50-P90 span, measured in Chromium ----------------------------------

SPAN = """<script>
(function () {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  const ticks = Array.from(document.querySelectorAll('g.axis text.tick')).map((t) =>
    [t.textContent, box(t.previousElementSibling)[0]]);
  const spans = Array.from(document.querySelectorAll('g.bar rect.risk-span')).map((r) =>
    [r.closest('g.bar').getAttribute('data-item'), box(r)]);
  const shape = box(document.querySelector('g.bar[data-item="approve"] .shape'));
  const pre = document.createElement('pre');
  pre.id = 'gf-span';
  pre.textContent = JSON.stringify({ticks: ticks, spans: spans, shape: shape});
  document.body.appendChild(pre);
})();
</script>"""


def test_the_gantt_chart_draws_each_deadlines_p50_to_p90_span(tmp_path: Path) -> None:
    need(CHROMIUM is not None, "chromium")
    out = tmp_path / "chart.html"
    run("gantt", str(WEEK1), "-o", str(out), "--no-baseline")
    page = out.read_text(encoding="utf-8")
    assert "P50 to P90 of a deadline (10,000 runs)" in page  # in the legend
    assert "<th>P(met)</th>" in page
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", SPAN + "</body>"), encoding="utf-8")
    result = chromium(["--dump-dom", "--window-size=1400,1000", probe.as_uri()], tmp_path)
    m = re.search(r'<pre id="gf-span">(.*?)</pre>', result.stdout, re.S)
    assert m is not None, result.stderr[-1500:]
    seen = json.loads(m.group(1).replace("&quot;", '"'))
    # the axis as drawn: weekly ticks ("2 Sep", "9 Sep", ...) give the x of any day
    ticks = [(date(2019, *_month_day(text)), x) for text, x in seen["ticks"]]
    (d0, x0), (d1, x1) = ticks[0], ticks[-1]
    per_day = (x1 - x0) / (d1 - d0).days

    def x_of(d: date) -> float:
        return x0 + (d - d0).days * per_day

    ((item, (left, right)),) = seen["spans"]  # one deadline, one span
    assert item == "approve"
    # from the start of P50's day (Tue 10 Sep) to the end of P90's (Tue 8 Oct), by hand
    assert abs(left - x_of(date(2019, 9, 10))) < 0.6, (left, x_of(date(2019, 9, 10)))
    assert abs(right - x_of(date(2019, 10, 8) + timedelta(days=1))) < 0.6, (right, x_of(date(2019, 10, 9)))
    # the forecast's diamond (10 Sep) sits in the span's first day
    assert left < (seen["shape"][0] + seen["shape"][1]) / 2 < left + per_day, seen["shape"]


def _month_day(text: str) -> tuple[int, int]:
    day, month = text.split()
    return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].index(month) + 1, int(
        day
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "mermaid", "mspdi"])
def test_other_gantt_formats_are_unchanged_by_risk(fmt: str, tmp_path: Path) -> None:
    from govflow.exporters.gantt import render

    sched = govflow.schedule(govflow.load([WEEK1]))
    out = tmp_path / "chart.out"
    run("gantt", str(WEEK1), "-f", fmt, "-o", str(out), "--no-baseline")
    assert out.read_bytes() == render(sched, fmt).encode("utf-8")
