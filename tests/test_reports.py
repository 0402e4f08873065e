"""The weekly slippage report: the worked example, golden files, RAG rules, MTA chart, HTML in Chromium.

Golden files are compared byte for byte; `GOVFLOW_REGEN=1` rewrites them (then review the diff).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.reports import (
    MtaSeries,
    RagRules,
    WeeklyReport,
    render_html,
    render_json,
    render_markdown,
    render_mta,
    weekly_report,
)
from govflow.tracking import HistoryStore, snapshot_of
from readers import chromium

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "weekly-report"
GOLDEN = Path(__file__).parent / "golden" / "report"
ARTIFACTS = ROOT / "test-artifacts"
REGEN = os.environ.get("GOVFLOW_REGEN") == "1"
runner = CliRunner()
NOW = datetime(2019, 9, 27, 16, 0)
SVG = "{http://www.w3.org/2000/svg}"


def golden(path: Path, text: str) -> None:
    """Compare with a golden file byte for byte, or rewrite it with GOVFLOW_REGEN=1."""
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing golden file {path}; run with GOVFLOW_REGEN=1"
    assert text == path.read_bytes().decode("utf-8"), f"{path} differs (GOVFLOW_REGEN=1 to accept)"


def readme_commands() -> list[list[str]]:
    """The `govflow ...` lines of the example README's sh block, as argument lists."""
    text = (EXAMPLE / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None
    return [shlex.split(line)[1:] for line in block.group(1).splitlines() if line.startswith("govflow ")]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example directory replayed with the README's commands, in a fresh copy."""
    work = tmp_path_factory.mktemp("weekly-report")
    for f in EXAMPLE.glob("week*.yaml"):
        shutil.copy(f, work / f.name)
    (work / "reports").mkdir()
    old = Path.cwd()
    os.chdir(work)
    try:
        outputs = {}
        for args in readme_commands():
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (args, result.output)
            outputs[" ".join(args)] = result.stdout
        (work / "history.txt").write_text(outputs["history week4.yaml"])
    finally:
        os.chdir(old)
    return work


def test_example_readme_commands_reproduce_the_committed_reports(scenario: Path) -> None:
    produced = sorted(p.name for p in (scenario / "reports").iterdir())
    assert produced == ["mta.svg", "week1.md", "week2.md", "week3.md", "week4.html", "week4.json", "week4.md"]
    for name in produced:
        golden(EXAMPLE / "reports" / name, (scenario / "reports" / name).read_text(encoding="utf-8"))
    assert (scenario / ".govflow" / "history.sqlite").exists()


def test_history_lists_four_weeks_and_the_default_baseline(scenario: Path) -> None:
    text = (scenario / "history.txt").read_text()
    for day in ("Fri 6 Sep 2019", "Fri 13 Sep 2019", "Fri 20 Sep 2019", "Fri 27 Sep 2019"):
        assert day in text
    assert re.search(r"agreed\s+Fri 6 Sep 2019\s+\(default\)", text)


def test_week3_names_the_board_meeting_the_slip_cost(scenario: Path) -> None:
    md = (scenario / "reports" / "week3.md").read_text()
    assert "- **RED** Plan submitted to NHS England: due Fri 4 Oct, forecast Thu 31 Oct, 19 working days late" in md
    why = (
        "Trust Board approves the plan missed the Trust Board meeting of Thu 26 Sep (papers due Thu 19 Sep, "
        "ready Tue 1 Oct) and moves to Thu 31 Oct"
    )
    assert md.count(why) == 1  # the root cause once, the deadlines it moves under it
    assert "Draft the refreshed plan finishes Tue 24 Sep, was Mon 16 Sep (3 working days still to do)" in md
    assert "  Deadlines it moves: Plan submitted to NHS England." in md
    assert "**Done this week:** Finance and Performance Committee reviews the finance model (Wed 18 Sep)." in md
    assert "**Biggest change this week:** Plan submitted to NHS England slipped 25 working days" in md


def test_week4_json_shape_and_values(scenario: Path) -> None:
    data = json.loads((scenario / "reports" / "week4.json").read_text())
    assert list(data) == [
        "timeline",
        "as_of",
        "previous",
        "baseline",
        "deadlines",
        "slipped",
        "slipped_since_baseline",
        "newly_critical",
        "overdue",
        "completed",
        "lookahead",
        "to_confirm",
        "since",
    ]
    assert data["timeline"] == "annual-plan-2019" and data["as_of"] == "2019-09-27"
    assert data["previous"] == {"as_of": "2019-09-20"}
    assert data["baseline"] == {"name": "agreed", "as_of": "2019-09-06"}
    sub = data["deadlines"][0]
    assert {k: sub[k] for k in ("id", "deadline", "forecast", "previous_forecast", "baseline_forecast")} == {
        "id": "submission",
        "deadline": "2019-10-04",
        "forecast": "2019-10-18",
        "previous_forecast": "2019-10-31",
        "baseline_forecast": "2019-09-26",
    }
    assert (sub["margin"], sub["rag"], sub["since_previous"], sub["since_baseline"]) == (-10, "Red", -9, 16)
    assert sub["cause"].startswith(
        "gained 9 working days: Trust Board approves the plan now at the Trust Board meeting of Fri 18"
    )
    assert sub["root_cause"].startswith("Draft the refreshed plan finished Tue 24 Sep 2019")
    assert data["slipped"] == []
    slip = {s["id"]: s for s in data["slipped_since_baseline"]}
    assert slip["board-approval"]["from"] == "2019-09-26" and slip["board-approval"]["to"] == "2019-10-18"
    assert slip["board-approval"]["working_days"] == 16
    assert set(slip["draft-plan"]) == {"id", "title", "from", "to", "working_days", "cause"}
    assert data["to_confirm"] == [
        {
            "id": "board-approval",
            "title": "Trust Board approves the plan",
            "body": "Trust Board",
            "window": "mid Oct 2019 TBC",
            "planned": "2019-10-18",
            "confirm_by": "2019-10-04",
            "overdue": False,
        }
    ]
    assert [(e["date"], e["type"], e["id"]) for e in data["lookahead"]] == [
        ("2019-09-30", "papers", "exec-review"),
        ("2019-10-01", "meeting", "exec-review"),
        ("2019-10-04", "papers", "board-approval"),
        ("2019-10-04", "deadline", "submission"),
    ]
    assert [c["id"] for c in data["completed"]] == ["draft-plan"]


def test_week1_has_no_previous_but_the_baseline(scenario: Path) -> None:
    md = (scenario / "reports" / "week1.md").read_text()
    assert "Compared with no earlier snapshot and baseline 'agreed' (Fri 6 Sep)." in md
    assert "- **GREEN** Plan submitted to NHS England: due Fri 4 Oct" in md


def test_markdown_reads_as_plain_text(scenario: Path) -> None:
    """Pasted into an email: no tables, HTML, tabs, ids or 'None'; the summary in the first lines."""
    for week in ("week1", "week2", "week3", "week4"):
        md = (scenario / "reports" / f"{week}.md").read_text()
        assert "<" not in md and "\t" not in md and "|" not in md and "None" not in md
        assert not re.search(r"\b(draft-plan|exec-review|board-approval|submission|final-plan)\b", md)
        lines = md.splitlines()
        assert lines[2].startswith("**2 deadlines:**") and lines[3].startswith("**Biggest change ")
        assert lines[4].startswith("**Decision needed:**")


# The example reports as they were before the summary-first rewrite (issue 13), in bytes.
OLD_LENGTH = {"week2.md": 2118, "week4.md": 4310}


@pytest.mark.parametrize("name", sorted(OLD_LENGTH))
def test_the_worked_example_reports_are_a_third_of_their_old_length(scenario: Path, name: str) -> None:
    assert len((scenario / "reports" / name).read_bytes()) <= OLD_LENGTH[name] / 3


WEEK4 = (EXAMPLE / "week4.yaml").read_text(encoding="utf-8")


def _report_of(tmp_path: Path, text: str, as_of: date | None = None) -> WeeklyReport:
    base = govflow.schedule(govflow.load([EXAMPLE / "week1.yaml"]))
    path = tmp_path / "week.yaml"
    path.write_text(text, encoding="utf-8")
    sched = govflow.schedule(govflow.load([path]), as_of=as_of)
    prev = snapshot_of(base)
    return weekly_report(sched, prev, prev, "agreed")


def test_a_deadline_that_cannot_be_scheduled_says_so_in_words(tmp_path: Path) -> None:
    report = _report_of(tmp_path, WEEK4.replace("meets: [2019-11-14, 2019-12-12]", "meets: [2019-09-12]"))
    final = next(d for d in report.data["deadlines"] if d["id"] == "final-plan")
    assert final["forecast"] is None and "None" not in final["cause"]
    for text in (render_markdown(report), render_html(report), render_json(report)):
        assert "None" not in text
    md = render_markdown(report)
    assert "Final plan published: due Fri 29 Nov, can no longer be scheduled" in md


def test_a_tbc_past_its_confirm_by_date_is_flagged_overdue(tmp_path: Path) -> None:
    text = WEEK4.replace(
        "    at: exec-team\n    after: [draft-plan]\n",
        "    at: exec-team\n    after: [draft-plan]\n    done: 2019-10-01\n",
    )
    report = _report_of(tmp_path, text, as_of=date(2019, 10, 7))
    (tbc,) = report.data["to_confirm"]
    assert tbc["overdue"] is True
    assert "was due by Fri 4 Oct (OVERDUE)" in render_markdown(report)


def test_the_lookahead_includes_fixed_events(tmp_path: Path) -> None:
    text = WEEK4 + "  nhse-letter:\n    title: NHS England planning letter\n    level: national\n    on: 2019-10-03\n"
    report = _report_of(tmp_path, text)
    assert ("2019-10-03", "event", "nhse-letter") in [(e["date"], e["type"], e["id"]) for e in report.data["lookahead"]]
    assert "Thu 3 Oct NHS England planning letter (fixed)" in render_markdown(report)


def test_since_says_since_the_date_not_this_week(scenario: Path) -> None:
    old = Path.cwd()
    os.chdir(scenario)
    try:
        result = runner.invoke(app, ["report", "week4.yaml", "--since", "2019-09-13"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert "**Biggest change since Fri 13 Sep:**" in result.stdout and "this week" not in result.stdout


# -- golden files on a real timeline -----------------------------------------------------------


def north_cumbria_report(tmp_path: Path) -> tuple[govflow.Schedule, HistoryStore]:
    programme = govflow.load([ROOT / "timelines" / "north-cumbria-2019.yaml"])
    store = HistoryStore(tmp_path / "h.sqlite")
    files = [ROOT / "timelines" / "north-cumbria-2019.yaml"]
    store.record(govflow.schedule(programme, as_of=date(2019, 8, 1)), files, NOW, baseline="july")
    store.record(govflow.schedule(programme, as_of=date(2019, 8, 29)), files, NOW)
    return govflow.schedule(programme), store


def test_golden_north_cumbria(tmp_path: Path) -> None:
    sched, store = north_cumbria_report(tmp_path)
    with store:
        prev = store.latest("north-cumbria-2019", before=sched.as_of)
        base = store.baseline("north-cumbria-2019")
        assert base is not None
        report = weekly_report(sched, prev, base[1], base[0], history=store.snapshots("north-cumbria-2019"))
    golden(GOLDEN / "north-cumbria.md", render_markdown(report))
    golden(GOLDEN / "north-cumbria.json", render_json(report))
    golden(GOLDEN / "north-cumbria.html", render_html(report))
    golden(GOLDEN / "north-cumbria-mta.svg", render_mta(report.mta))
    rags = {d["id"]: d["rag"] for d in report.data["deadlines"]}
    assert rags == {"faw-draft": "Blue", "initial-submission": "Amber", "plans-agreed": "Red", "ogims": "Green"}
    tbc = report.data["to_confirm"]
    assert [(t["id"], t["confirm_by"]) for t in tbc] == [("hwb-public", "2019-10-14")]


# -- RAG rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rag"),
    [
        ({"done": True, "forecast": date(2019, 10, 9), "margin": -3}, "Blue"),
        ({"done": False, "forecast": None, "margin": None}, "Red"),
        ({"done": False, "forecast": date(2019, 10, 1), "margin": -2}, "Red"),
        ({"done": False, "forecast": date(2019, 9, 27), "margin": 0}, "Amber"),
        ({"done": False, "forecast": date(2019, 9, 20), "margin": 5, "baseline_forecast": date(2019, 9, 19)}, "Amber"),
        ({"done": False, "forecast": date(2019, 9, 20), "margin": 5, "baseline_forecast": date(2019, 9, 20)}, "Green"),
        ({"done": False, "forecast": date(2019, 9, 20), "margin": 5}, "Green"),
        ({"done": False, "forecast": date(2019, 9, 23), "margin": 4}, "Amber"),
    ],
)
def test_default_rag_rules(kwargs: dict, rag: str) -> None:  # type: ignore[type-arg]
    assert RagRules().rag(deadline=date(2019, 9, 27), **kwargs) == rag


def test_the_at_risk_threshold_is_configurable_from_the_cli(scenario: Path) -> None:
    db = scenario / ".govflow" / "history.sqlite"
    week2 = scenario / "week2.yaml"
    base = json.loads(runner.invoke(app, ["report", str(week2), "--format", "json", "--db", str(db)]).stdout)
    assert [d["rag"] for d in base["deadlines"]] == ["Green", "Green"]  # margins 6 and 11
    result = runner.invoke(app, ["report", str(week2), "--format", "json", "--db", str(db), "--at-risk", "7"])
    assert result.exit_code == 0
    assert [d["rag"] for d in json.loads(result.stdout)["deadlines"]] == ["Amber", "Green"]
    # --green-margin, the old name, still works (with a note), and is no longer in --help
    old = runner.invoke(app, ["report", str(week2), "--format", "json", "--db", str(db), "--green-margin", "7"])
    assert old.exit_code == 0 and old.stdout == result.stdout
    assert "--green-margin is now --at-risk" in old.stderr
    assert "--green-margin" not in runner.invoke(app, ["report", "--help"]).stdout
    both = runner.invoke(app, ["report", str(week2), "--db", str(db), "--green-margin", "7", "--at-risk", "3"])
    assert both.exit_code == 2 and "give one of them" in both.stderr


def test_since_picks_an_older_snapshot_and_unknown_names_are_clear(scenario: Path) -> None:
    db = str(scenario / ".govflow" / "history.sqlite")
    week4 = str(scenario / "week4.yaml")
    result = runner.invoke(app, ["report", week4, "--db", db, "--since", "2019-09-13", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["previous"] == {"as_of": "2019-09-13"}
    assert data["deadlines"][0]["since_previous"] == 16
    result = runner.invoke(app, ["report", week4, "--db", db, "--since", "2019-09-01"])
    assert result.exit_code == 2 and "no snapshot of annual-plan-2019 on or before 2019-09-01" in result.stderr
    result = runner.invoke(app, ["report", week4, "--db", db, "--baseline", "agred"])
    assert result.exit_code == 2 and "no baseline named 'agred'" in result.stderr and "agreed" in result.stderr
    result = runner.invoke(app, ["report", week4, "--db", db, "--format", "pdf"])
    assert result.exit_code == 2 and "md, html, json" in result.stderr


# -- MTA -----------------------------------------------------------------------------------------


def test_mta_chart_has_one_line_per_deadline_and_the_diagonal(scenario: Path) -> None:
    root = ET.fromstring((scenario / "reports" / "mta.svg").read_text())
    series = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
    assert [g.get("data-id") for g in series] == ["submission", "final-plan"]
    for g in series:
        assert len(g.findall(f"{SVG}circle")) == 4  # one point per weekly status date
        assert len(g.findall(f"{SVG}polyline")) == 1
    assert [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "diagonal"]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"6 Sep 19", "13 Sep 19", "20 Sep 19", "27 Sep 19"} <= set(labels)


def test_mta_submission_line_rises_in_week3_and_falls_back_in_week4(scenario: Path) -> None:
    root = ET.fromstring((scenario / "reports" / "mta.svg").read_text())
    (g,) = [g for g in root.iter(f"{SVG}g") if g.get("data-id") == "submission"]
    ys = [float(c.get("cy", "0")) for c in g.findall(f"{SVG}circle")]
    assert ys[0] == ys[1] > ys[3] > ys[2]  # SVG y grows downwards: later forecast = smaller y


def test_mta_breaks_the_line_where_a_deadline_cannot_be_scheduled() -> None:
    s = MtaSeries(
        "x",
        "X",
        date(2019, 10, 4),
        ((date(2019, 9, 6), date(2019, 9, 26)), (date(2019, 9, 13), None), (date(2019, 9, 20), date(2019, 10, 31))),
    )
    root = ET.fromstring(render_mta([s]))
    assert not list(root.iter(f"{SVG}polyline"))  # no two consecutive scheduled points
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    assert any("cannot be scheduled" in (t.text or "") for t in root.iter(f"{SVG}title"))


# -- HTML: self-contained, and really rendered ---------------------------------------------------


def test_html_is_self_contained(scenario: Path) -> None:
    page = (scenario / "reports" / "week4.html").read_text()
    assert not re.search(r"\b(?:src|href)\s*=", page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]  # the SVG namespace only


def _chromium_run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return chromium(args, tmp_path)


def test_html_report_renders_in_headless_chromium(scenario: Path, tmp_path: Path) -> None:
    page = scenario / "reports" / "week4.html"
    dom = _chromium_run(["--dump-dom", page.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert '<tr data-id="submission" data-rag="Red">' in html
    assert '<tr data-id="final-plan" data-rag="Green">' in html
    assert html.count('class="series"') == 2 and "<polyline" in html
    assert "Milestone trend analysis" in html and "confirm the Trust Board for Fri 18 Oct" in html
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "weekly-report-week4.png"
    shot.unlink(missing_ok=True)
    result = _chromium_run([f"--screenshot={shot}", "--window-size=1200,1800", page.as_uri()], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a real page, not a blank one


# -- properties ----------------------------------------------------------------------------------

NC_PROGRAMME = govflow.load([ROOT / "timelines" / "north-cumbria-2019.yaml"])


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=date(2019, 6, 3), max_value=date(2019, 12, 20)), st.integers(min_value=1, max_value=40))
def test_report_against_itself_shows_no_change_and_slips_are_signed(as_of: date, days: int) -> None:
    later = as_of + timedelta(days=days)
    now = govflow.schedule(NC_PROGRAMME, as_of=as_of)
    same = snapshot_of(now)
    rep = weekly_report(now, same, same, "self").data
    assert rep["slipped"] == [] and rep["slipped_since_baseline"] == [] and rep["newly_critical"] == []
    assert rep["completed"] == [] and all(d["since_previous"] in (0, None) for d in rep["deadlines"])
    # the same file a few days on: nothing moves earlier, and every slip is counted forwards
    nxt = weekly_report(govflow.schedule(NC_PROGRAMME, as_of=later), same, None).data
    for s in nxt["slipped"]:
        assert s["to"] is None or (s["to"] > s["from"] and s["working_days"] > 0)
        assert s["cause"]
    # progress reported between the two status dates may bring forecasts earlier; without it nothing can
    reported = [
        d for i in NC_PROGRAMME.items.values() for d in (i.done, i.started) if d is not None and as_of < d <= later
    ]
    if not reported:
        assert all(d["since_previous"] is None or d["since_previous"] >= 0 for d in nxt["deadlines"])
