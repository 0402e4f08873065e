"""`govflow check` as users run it: exit codes, messages, JSON shape, the shipped timelines."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from govflow import load, schedule
from govflow.cli import app
from govflow.explain import explain
from govflow.model import Programme
from govflow.render import check_json, check_json_text
from test_oracle import DAY, _programme, programmes

ROOT = Path(__file__).parent.parent
TIMELINES = sorted((ROOT / "timelines").glob("*.yaml"))
QUICK = ROOT / "examples" / "quickstart.yaml"
runner = CliRunner()


def test_help_lists_check_and_its_options() -> None:
    result = runner.invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    for word in ("--as-of", "--all", "--json", "Exit status"):
        assert word in result.stdout


def test_missed_deadline_exits_1_and_explains_what_broke() -> None:
    result = runner.invoke(app, ["check", "--width", "200", str(QUICK)])
    assert result.exit_code == 1
    out = result.stdout
    assert "MISSED" in out and "submission" in out
    broke = "Finance committee reviews the draft missed the Finance and Performance Committee meeting of Tue 17 Sep"
    assert broke in out
    assert "2 working days late" in out
    assert "extraordinary Finance and Performance Committee meeting" in out


def test_as_of_overrides_the_file_and_can_turn_a_miss_into_a_met() -> None:
    result = runner.invoke(app, ["check", "--as-of", "2019-09-02", "--json", str(QUICK)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["as_of"] == "2019-09-02"
    (d,) = data["deadlines"]
    assert (d["forecast"], d["margin"], d["met"]) == ("2019-09-26", 1, True)
    assert d["driving_path"] == ["guidance", "draft", "committee-review", "board-approval", "submission"]
    assert "past Thu 12 Sep 2019" in d["explanation"]["next_break"]


def test_bad_as_of_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "--as-of", "someday", str(QUICK)])
    assert result.exit_code == 2
    assert "cannot read 'someday'" in result.stderr


def test_json_shape_matches_the_design() -> None:
    result = runner.invoke(app, ["check", "--json", str(QUICK)])
    data = json.loads(result.stdout)
    assert set(data) >= {"timeline", "as_of", "items", "deadlines", "warnings"}
    draft = data["items"]["draft"]
    for key in (
        "kind",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "float",
        "critical",
        "status",
        "driving",
    ):
        assert key in draft
    assert draft["kind"] == "task" and draft["early_start"] == "2019-09-05" and draft["early_finish"] == "2019-09-16"
    assert data["items"]["board-approval"]["papers_due"] == "2019-10-24"


def test_all_lists_every_item() -> None:
    result = runner.invoke(app, ["check", "--all", str(QUICK)])
    for item in ("guidance", "draft", "committee-review", "board-approval", "submission"):
        assert item in result.stdout
    assert "Late finish" in result.stdout


@pytest.mark.parametrize("path", TIMELINES, ids=[p.stem for p in TIMELINES])
def test_every_shipped_timeline_checks_with_a_verdict(path: Path) -> None:
    result = runner.invoke(app, ["check", "--json", str(path)])
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert data["deadlines"], "a shipped timeline should have deadlines"
    assert all(d["explanation"]["summary"] for d in data["deadlines"])
    assert result.exit_code == (0 if all(d["met"] for d in data["deadlines"]) else 1)


def test_north_cumbria_verdict_as_told_in_the_readme() -> None:
    result = runner.invoke(app, ["check", "--json", str(ROOT / "timelines" / "north-cumbria-2019.yaml")])
    deadlines = {d["id"]: d for d in json.loads(result.stdout)["deadlines"]}
    initial = deadlines["initial-submission"]
    assert (initial["deadline"], initial["forecast"], initial["margin"], initial["met"]) == (
        "2019-09-27",
        "2019-09-26",
        1,
        True,
    )
    assert "past Thu 19 Sep 2019" in initial["explanation"]["next_break"]
    assert (
        "next meeting is Thu 31 Oct 2019, 34 calendar days after the deadline" in initial["explanation"]["next_break"]
    )
    final = deadlines["plans-agreed"]
    assert final["met"] is False
    assert any("confirmed for 21-24 Oct 2019" in w for w in final["explanation"]["windows"])


def test_cross_timeline_programme_is_found_beside_the_file() -> None:
    path = ROOT / "timelines" / "morecambe-bay-bct2-2019.yaml"
    if not path.exists():
        pytest.fail("timelines/morecambe-bay-bct2-2019.yaml is missing")
    result = runner.invoke(app, ["check", "--json", str(path)])
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert "lsc-ics-2019" in data["timelines"]
    assert any(k.startswith("lsc-ics-2019:") for k in data["items"])


def test_examples_run() -> None:
    import runpy

    lines = runpy.run_path(str(ROOT / "examples" / "api_example.py"))["main"]()
    assert lines[0] == "as of 2019-09-02: submission met, forecast 2019-09-26, margin 1"
    assert lines[1] == "as of 2019-09-05: submission missed, forecast 2019-10-31, margin -24"


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(TIMELINES[0])],
        ["check", "--json", "--all", *map(str, TIMELINES)],
        ["check", "--all", str(QUICK)],
        ["check", str(ROOT / "tests" / "cases" / "err_cycle.yaml")],
        ["check", str(ROOT / "no-such-file.yaml")],
        ["check", "--as-of", "2019-09-02", str(QUICK)],  # not a plain check: typer reads it
        ["check", "--as-of", "someday", str(QUICK)],
    ],
)
def test_the_console_script_checks_as_the_command_line_app_does(args: list[str]) -> None:
    """`main` takes a plain `check` past typer's parser: the same output and exit status."""
    import subprocess
    import sys

    script = "import sys; from govflow.console import main; sys.argv[0] = 'govflow'; main()"
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False)
    want = runner.invoke(app, args, prog_name="govflow")
    assert (done.returncode, done.stdout, done.stderr) == (want.exit_code, want.stdout, want.stderr)


def test_a_plain_check_runs_without_typer() -> None:
    """The console script's quick path never imports typer (a few hundredths of a second of a
    short check); any other command line still goes to the app."""
    import subprocess
    import sys

    script = (
        "import os, sys; real = os._exit; "
        "os._exit = lambda code: (sys.stderr.write('typer loaded: ' + str('typer' in sys.modules)), real(code)); "
        "from govflow.console import main; sys.argv[0] = 'govflow'; main()"
    )
    plain = subprocess.run([sys.executable, "-c", script, "check", str(QUICK)], capture_output=True, text=True)
    assert plain.stderr.endswith("typer loaded: False"), plain.stderr
    other = subprocess.run(
        [sys.executable, "-c", script, "check", "--width", "100", str(QUICK)], capture_output=True, text=True
    )
    assert other.stderr.endswith("typer loaded: True"), other.stderr
    assert (plain.stdout, plain.returncode) == (other.stdout, other.returncode)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes(), st.one_of(st.none(), DAY), st.text(max_size=8), st.booleans())
def test_check_json_text_is_the_json_of_check_json(docs: list, as_of: date | None, title: str, risk: bool) -> None:
    """`check --json` writes the items itself (`check_json_text`): the same text as `json.dumps`
    of `check_json`, for any title (quotes, backslashes, any character), several timelines, risk."""
    p = _programme(docs)
    first = next(iter(p.items))
    p = Programme(p.timelines, {k: replace(it, title=title) if k == first else it for k, it in p.items.items()})
    sched = schedule(p, as_of=as_of)
    explanations = explain(sched)
    odds = {d.key: (0.1234567, d.forecast) for d in sched.deadlines[::2]} if risk else None
    assert check_json_text(sched, explanations, odds) == json.dumps(check_json(sched, explanations, odds))


VALID_CASES = [
    p for p in sorted((ROOT / "tests" / "cases").glob("*.yaml")) if "# expect-error" not in p.read_text("utf-8")
]


@pytest.mark.parametrize("path", [*TIMELINES, *VALID_CASES], ids=lambda p: p.name)
def test_check_json_text_is_the_json_of_check_json_on_the_shipped_files(path: Path) -> None:
    # the case files that state an error are left out above; a case loads with its `# with:` files
    partners = re.findall(r"^#\s*with:\s*(\S+)", path.read_text("utf-8"), re.M)
    sched = schedule(load([path, *(path.parent / name for name in partners)]))
    explanations = explain(sched)
    assert check_json_text(sched, explanations) == json.dumps(check_json(sched, explanations))
