"""One at-risk threshold: `--at-risk N` (default 5 working days) decides "met, at risk" in `check`,
the verdict and amber fill of the Gantt chart, and Amber in the weekly report. The timeline is
`tests/cases/at_risk_margin_three.yaml`: one deadline met with 3 working days to spare (hand
computed in the file), so at risk by default and not with `--at-risk 2`."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow.cli import app

CASE = Path(__file__).parent / "cases" / "at_risk_margin_three.yaml"
SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


@pytest.mark.parametrize(("flags", "verdict", "threshold"), [([], "met, at risk", 5), (["--at-risk", "2"], "met", 2)])
def test_check(flags: list[str], verdict: str, threshold: int) -> None:
    result = runner.invoke(app, ["check", "--width", "120", str(CASE), *flags])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("Submit the plan (submit)"))
    assert re.search(r"Wed 11 Sep 2019\s+Fri 6 Sep 2019\s+\+3\s+" + re.escape(verdict) + "$", row), row
    legend = f"Met, at risk: met with fewer than {threshold} working days to spare (--at-risk)."
    assert legend in " ".join(result.stdout.split())


def _chart(tmp_path: Path, flags: list[str]) -> tuple[str, ET.Element]:
    out = tmp_path / "chart.html"
    result = runner.invoke(app, ["gantt", str(CASE), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    svg = re.search(r"<svg.*</svg>", page, re.S)
    assert svg is not None
    return page, ET.fromstring(svg.group(0))


@pytest.mark.parametrize(
    ("flags", "verdict", "rag", "legend"),
    [
        ([], "met, at risk", "amber", "at risk: under 5 working days of float"),
        (["--at-risk", "2"], "met", "green", "on track: 2+ working days of float"),
    ],
)
def test_gantt_html(tmp_path: Path, flags: list[str], verdict: str, rag: str, legend: str) -> None:
    page, root = _chart(tmp_path, flags)
    assert f'<td class="num">+3</td><td>{verdict}</td></tr>' in page
    bars = {g.get("data-item"): g.get("class", "").split() for g in root.iter(f"{SVG}g") if g.get("data-item")}
    assert f"rag-{rag}" in bars["submit"] and f"rag-{rag}" in bars["draft"], bars
    legends = ["".join(g.itertext()) for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert legend in legends, legends
    threshold = 5 if not flags else 2
    assert f"Met, at risk: met with fewer than {threshold} working days to spare (--at-risk)." in page


@pytest.mark.parametrize(("flags", "rag"), [([], "Amber"), (["--at-risk", "2"], "Green")])
def test_report(tmp_path: Path, flags: list[str], rag: str) -> None:
    db = str(tmp_path / "h.sqlite")
    data = runner.invoke(app, ["report", str(CASE), "--db", db, "--format", "json", *flags])
    assert data.exit_code == 0, data.output
    ((deadline),) = json.loads(data.stdout)["deadlines"]
    assert (deadline["id"], deadline["margin"], deadline["rag"]) == ("submit", 3, rag)
    md = runner.invoke(app, ["report", str(CASE), "--db", db, *flags])
    assert md.exit_code == 0, md.output
    assert (
        f"**{rag.upper()}** Submit the plan: due Wed 11 Sep, forecast Fri 6 Sep, 3 working days to spare." in md.stdout
    )
    footer = "At risk (Amber): met, but under 5 working days to spare or behind the baseline."
    assert (footer in md.stdout) == (rag == "Amber")


def test_a_negative_threshold_is_refused() -> None:
    for command in ("check", "gantt", "report"):
        result = runner.invoke(app, [command, str(CASE), "--at-risk", "-1"])
        assert result.exit_code == 2 and "--at-risk" in result.stderr, (command, result.output)


@pytest.mark.parametrize(("flags", "explained"), [([], True), (["--at-risk", "2"], False)])
def test_check_explains_a_deadline_only_while_it_is_at_risk(flags: list[str], explained: bool) -> None:
    """Met with 3 to spare: at risk by default, so 'Next to break' is worked out; with --at-risk 2
    it is simply met and gets its verdict only."""
    result = runner.invoke(app, ["check", "--width", "120", str(CASE), *flags])
    assert result.exit_code == 0, result.output
    assert ("Next to break: Draft the plan has 3 working days of float" in result.stdout) is explained


@pytest.mark.parametrize(("flags", "threshold", "rag"), [([], 5, "Amber"), (["--at-risk", "2"], 2, "Green")])
def test_agenda_takes_the_same_threshold(tmp_path: Path, flags: list[str], threshold: int, rag: str) -> None:
    """A decision with 3 working days of float at the board: at risk (Amber) by default, Green with
    --at-risk 2. The draft finishes Fri 6 Sep 2019, so the decision takes the board of Thu 12 Sep
    (papers due Wed 11 Sep); it feeds a milestone due Tue 17 Sep, so its latest meeting is the
    board of Tue 17 Sep: float = working days in (12 Sep, 17 Sep] = 13, 16, 17 = 3."""
    path = tmp_path / "board.yaml"
    path.write_text(
        "govflow: 1\nid: b\nstart: 2019-09-02\nas_of: 2019-09-02\nholidays: england\n"
        "bodies:\n  board: {name: Board, meets: [2019-09-12, 2019-09-17, 2019-10-10], papers_due: 1}\n"
        "items:\n  draft: {title: Draft the plan, duration: 5}\n"
        "  approve: {title: Board approves the plan, at: board, after: [draft]}\n"
        "  submit: {title: Submit the plan, after: [approve], deadline: 2019-09-17}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["agenda", str(path), "-f", "json", *flags])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["at_risk_margin"] == threshold
    (meeting,) = [m for m in data["bodies"][0]["meetings"] if m["date"] == "2019-09-12"]
    (item,) = meeting["items"]
    assert (item["float"], item["rag"]) == (3, rag)
    assert bool(meeting["at_risk"]) is (rag == "Amber")
