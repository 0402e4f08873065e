"""`govflow risk`: Monte Carlo on the engine's variant axis, against hand-computed probabilities.

Every expected probability below is worked by hand from the timeline; the simulated value must lie
within four standard errors of it (sqrt(p(1-p)/runs)) at a fixed seed.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow import load, load_text, schedule
from govflow.cli import app
from govflow.risk import render_html, simulate
from readers import chromium

ROOT = Path(__file__).resolve().parents[1]
RUNS = 10_000

HEAD = """
govflow: 1
id: r
start: 2019-09-02
bodies:
  b: {{name: Board, meets: [{meets}], papers_due: 0{body}}}
items:
"""
# Mon 2 Sep 2019: a task of d working days finishes on the d-th working day, so d <= 7 finishes by
# Tue 10 Sep, the papers date of the 10 Sep meeting (papers due 0): 7 cases of 10 for 1..10.
ONE_TASK = (
    HEAD
    + """  t: {{duration: 5, range: [1, 10], distribution: uniform}}
  m: {{at: b, after: [t], deadline: 2019-09-10}}
"""
)


def _p(text: str, key: str = "m", **fmt: str) -> float:
    fmt = {"meets": "2019-09-10, 2019-10-08", "body": "", **fmt}
    result = simulate(schedule(load_text(text.format(**fmt))), runs=RUNS, seed=7)
    return next(d.p_met for d in result.deadlines if d.key == key)


def _close(got: float, want: float) -> None:
    se = math.sqrt(want * (1 - want) / RUNS) or 1 / RUNS
    assert abs(got - want) <= 4 * se, f"P = {got}, expected {want} +- {4 * se:.4f}"


def test_a_uniform_task_makes_the_papers_date_in_seven_cases_of_ten() -> None:
    _close(_p(ONE_TASK), 0.7)


def test_two_such_tasks_in_parallel_both_make_it_in_049() -> None:
    text = (
        HEAD
        + """  t: {{duration: 5, range: [1, 10], distribution: uniform}}
  u: {{duration: 5, range: [1, 10], distribution: uniform}}
  m: {{at: b, after: [t, u], deadline: 2019-09-10}}
"""
    )
    _close(_p(text), 0.49)


def test_a_tbc_window_with_four_of_six_working_days_early_enough() -> None:
    # 9-16 Sep 2019 has 6 working days (9-13, 16); the papers (ready Wed 4 Sep) make any of them,
    # and the deadline 12 Sep is met when the meeting is confirmed for 9-12 Sep: 4 of 6
    text = (
        HEAD
        + """  t: {{duration: 3}}
  m: {{at: b, after: [t], deadline: 2019-09-12}}
"""
    )
    assert not schedule(load_text(text.format(meets='"2019-09-09 to 2019-09-16 TBC"', body=""))).deadlines[0].met
    _close(_p(text, meets='"2019-09-09 to 2019-09-16 TBC"'), 4 / 6)


def test_a_cancel_rate_on_the_only_meeting_in_time() -> None:
    text = (
        HEAD
        + """  t: {{duration: 3}}
  m: {{at: b, after: [t], deadline: 2019-09-10}}
"""
    )
    _close(_p(text, body=", cancel_rate: 0.2"), 0.8)


def test_a_risk_that_always_misses_the_papers_when_it_occurs() -> None:
    # t: 2-6 Sep, in time for 10 Sep; the risk adds exactly 10 working days: too late
    text = (
        HEAD
        + """  t: {{duration: 5}}
  m: {{at: b, after: [t], deadline: 2019-09-10}}
risks:
  - {{id: late-data, title: Finance data late, probability: 0.3, delays: {{t: [10, 10]}}}}
"""
    )
    _close(_p(text), 0.7)


def test_sensitivity_names_only_inputs_upstream_with_their_bounds() -> None:
    """Two chains that share nothing: t feeds m, u feeds n (each made in 7 cases of 10). Each
    deadline's tornado names its own task only: u cannot move m, whatever chance correlation the
    runs show. By hand: Spearman's rho of t (uniform on 1..10, equal tie groups, so its ranks are
    linear in t) with m's finish (late exactly when t >= 8) is cov / (sd sd) = (2.7 - 5.5 x 0.3) /
    sqrt(8.25 x 0.21) = 0.798; held at 1 day m is always met, at 10 days never."""
    text = (
        HEAD
        + """  t: {{duration: 5, range: [1, 10], distribution: uniform}}
  u: {{duration: 5, range: [1, 10], distribution: uniform}}
  m: {{at: b, after: [t], deadline: 2019-09-10}}
  n: {{at: b, after: [u], deadline: 2019-09-10}}
"""
    )
    # with the two draws rank-correlated 0.9 (a common factor), u follows m's finish closely but
    # still cannot move it: it is left out all the same
    for extra in ("", "risk: {{correlation: 0.9}}\n"):
        source = text.replace("items:\n", extra + "items:\n").format(meets="2019-09-10, 2019-10-08", body="")
        result = simulate(schedule(load_text(source)), runs=RUNS, seed=7)
        for deadline, task in (("m", "t"), ("n", "u")):
            d = next(x for x in result.deadlines if x.key == deadline)
            assert [s.input for s in d.sensitivity] == [task], (extra, d.sensitivity)
            (s,) = d.sensitivity
            assert abs(s.rank_correlation - 0.798) < 0.02, s
            assert (s.p_met_optimistic, s.p_met_pessimistic) == (1.0, 0.0)


def test_zero_width_ranges_give_the_plans_verdict_and_forecast() -> None:
    text = (
        HEAD
        + """  t: {{duration: 5, range: [5, 5]}}
  u: {{duration: 8, range: [8, 8, 8], distribution: pert}}
  m: {{at: b, after: [t, u], deadline: 2019-09-10}}
  n: {{after: [u], deadline: 2019-09-11}}
"""
    )
    sched = schedule(load_text(text.format(meets="2019-09-10, 2019-10-08", body="")))
    result = simulate(sched, runs=500, seed=3)
    for d in sched.deadlines:
        got = next(x for x in result.deadlines if x.key == d.key.split(":", 1)[1])
        assert got.p_met == (1.0 if d.met else 0.0)
        assert got.p50 == d.forecast == got.p90


def test_the_shipped_timeline_without_its_uncertainty_gives_the_plan() -> None:
    """North Cumbria has ranges and a TBC window: held at their planned values (zero width) every
    run is the plan, so P(met) is the check's verdict for every deadline."""
    from dataclasses import replace

    from govflow.model import Programme

    p = load([ROOT / "timelines" / "north-cumbria-2019.yaml"])
    items = {
        k: replace(it, range=None if it.range is None else (it.duration,) * 3, on=None if it.on is None else it.on)
        for k, it in p.items.items()
    }
    flat = Programme(p.timelines, items)
    sched = schedule(flat)
    result = simulate(sched, runs=200, seed=1, sensitivity=0)
    for d in sched.deadlines:
        got = next(x for x in result.deadlines if x.key == d.key.split(":", 1)[1])
        tbc = d.key.endswith("plans-agreed") or d.key.endswith("ogims")  # after the HWB's TBC window
        if not tbc:
            assert got.p_met == (1.0 if d.met else 0.0), d.key
            assert got.p50 == d.forecast, d.key


def test_widening_a_pessimistic_bound_never_raises_p_met() -> None:
    last = 1.0
    for high in (10, 12, 15, 20):
        for dist in ("uniform", "triangular"):
            text = ONE_TASK.replace(
                "range: [1, 10], distribution: uniform", f"range: [1, {high}], distribution: {dist}"
            )
            p = _p(text)
            if dist == "uniform":
                assert p <= last + 1e-12, (high, p, last)
                last = p


def test_the_same_seed_gives_byte_identical_json_whatever_the_workers(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(ONE_TASK.format(meets="2019-09-10, 2019-10-08", body=""), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["risk", str(path), "--runs", "2500", "--seed", "11", "--json"])
    again = runner.invoke(app, ["risk", str(path), "--runs", "2500", "--seed", "11", "--json", "--workers", "2"])
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert first.stdout == again.stdout
    data = json.loads(first.stdout)
    assert first.stdout == json.dumps(data, indent=1) + "\n"  # as json.dumps writes it
    (d,) = data["deadlines"]
    assert set(d) >= {"id", "deadline", "p_met", "p_met_low", "p_met_high", "p50", "p80", "p90", "forecast"}
    assert d["p_met_low"] <= d["p_met"] <= d["p_met_high"]
    (m,) = data["meetings"]
    assert [x["date"] for x in m["dates"]] == ["2019-09-10", "2019-10-08"]
    assert abs(sum(x["p"] for x in m["dates"]) + m["p_unscheduled"] - 1) < 1e-9
    # t drives the meeting except when it takes 1 day: it then finishes on the start day, and the
    # start, not t, sets the papers date (9 cases of 10)
    assert abs(data["criticality"]["t"] - 0.9) < 4 * math.sqrt(0.09 / 2500)
    # and on the deadline's own driving path: the same share, the deadline itself left out
    assert d["driving"] == {"t": data["criticality"]["t"]}
    other = runner.invoke(app, ["risk", str(path), "--runs", "2500", "--seed", "12", "--json"])
    assert other.stdout != first.stdout


def test_terminal_output_says_which_meeting_each_decision_goes_to(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(ONE_TASK.format(meets="2019-09-10, 2019-10-08", body=""), encoding="utf-8")
    result = CliRunner().invoke(app, ["risk", str(path), "--runs", "4000", "--seed", "5"])
    assert result.exit_code == 0, result.output
    shares = re.search(r"m \(Board\): Tue 10 Sep 2019: (\d+)%; Tue 8 Oct 2019: (\d+)%", result.stdout)
    assert shares, result.stdout
    assert 68 <= int(shares[1]) <= 72 and int(shares[1]) + int(shares[2]) in (99, 100, 101)
    # t is on m's driving path unless it takes 1 day (then the start sets the papers): 9 runs of 10
    driving = re.search(r"on its driving path: t (\d+)%", result.stdout)
    assert driving and 88 <= int(driving[1]) <= 92, result.stdout


@pytest.mark.parametrize(
    ("snippet", "code", "message"),
    [
        ("range: [3, 2]", "bad-range", "range must be"),
        ("range: [2, 8], distribution: normal", "bad-value", "distribution must be one of"),
        ("range: [6, 9]", "bad-range", "most likely duration (5)"),
    ],
)
def test_bad_risk_inputs_name_file_line_and_item(tmp_path: Path, snippet: str, code: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    text = ONE_TASK.format(meets="2019-09-10", body="").replace("range: [1, 10], distribution: uniform", snippet)
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["risk", str(path)])
    assert result.exit_code == 2
    assert f"{path}:8: error[{code}]: item 't'" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_an_unknown_item_in_a_risk_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = (
        ONE_TASK.format(meets="2019-09-10", body="") + "risks:\n  - {id: x, probability: 0.5, delays: {tt: [1, 2]}}\n"
    )
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "error[unknown-ref]: risk 'x' delays 'tt', which is not an item; did you mean 't'?" in result.output


def test_the_html_report_renders_without_console_errors(tmp_path: Path) -> None:
    p = load([ROOT / "timelines" / "north-cumbria-2019.yaml"])
    result = simulate(schedule(p), runs=1000, seed=2)
    page = tmp_path / "risk.html"
    page.write_text(render_html(result, "North Cumbria"), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert "http" not in text.replace("http://www.w3.org", "") and "<script" not in text
    out = chromium(["--dump-dom", "--enable-logging=stderr", "--v=0", page.as_uri()], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count('class="scurve"') == len(result.deadlines) - sum(not d.finishes for d in result.deadlines)
    assert "CONSOLE" not in out.stderr, out.stderr


def test_check_risk_adds_p_met_and_p80(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(ONE_TASK.format(meets="2019-09-10, 2019-10-08", body=""), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--json", "--risk", "--runs", "3000", "--seed", "4"])
    assert result.exit_code == 0, result.output
    (d,) = json.loads(result.stdout)["deadlines"]
    assert abs(d["p_met"] - 0.7) < 4 * math.sqrt(0.21 / 3000) and d["p80"] == "2019-10-08"
    text = CliRunner().invoke(app, ["check", str(path), "--risk", "--runs", "3000", "--seed", "4"]).stdout
    assert "P(met)" in text.splitlines()[3] and "Tue 8 Oct 2019" in text.splitlines()[4]


def test_chunks_on_a_dask_cluster_give_the_same_answer(tmp_path: Path) -> None:
    """`--scheduler` runs the chunks on a Dask cluster (here a LocalCluster of two worker processes):
    the same seed gives the same JSON as on one process."""
    from dask.distributed import LocalCluster

    path = tmp_path / "r.yaml"
    path.write_text(ONE_TASK.format(meets="2019-09-10, 2019-10-08", body=""), encoding="utf-8")
    runner = CliRunner()
    local = runner.invoke(app, ["risk", str(path), "--runs", "2500", "--seed", "11", "--json"])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = runner.invoke(
            app,
            ["risk", str(path), "--runs", "2500", "--seed", "11", "--json", "--scheduler", cluster.scheduler_address],
        )
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
