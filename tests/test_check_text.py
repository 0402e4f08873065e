"""`govflow check` as read in a terminal or pasted into an email: laid out to the width asked for,
hanging indents, nothing broken mid-word, titles first, a legend for every term it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow.cli import app
from govflow.explain import AT_RISK_MARGIN
from govflow.loading import load

ROOT = Path(__file__).parent.parent
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"
TIMELINES = [*sorted((ROOT / "timelines").glob("*.yaml")), ROOT / "examples" / "quickstart.yaml"]
runner = CliRunner()


def _check(*args: str) -> str:
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.mark.parametrize("width", [80, 100, 160])
@pytest.mark.parametrize("path", TIMELINES, ids=lambda p: p.stem)
def test_every_line_fits_the_width_and_none_ends_in_a_space(path: Path, width: int) -> None:
    out = _check("--all", "--width", str(width), str(path))
    for line in out.splitlines():
        assert len(line) <= width, f"{len(line)} > {width}: {line!r}"
        assert line == line.rstrip(), f"trailing space: {line!r}"
    ids = {item.id for item in load([path]).items.values()}
    words = set(re.findall(r"[\w:-]+", out))
    assert ids <= words, f"ids broken across lines: {sorted(ids - words)}"


def test_not_a_terminal_lays_out_to_100_columns() -> None:
    lines = _check(str(NC)).splitlines()
    assert max(map(len, lines)) <= 100
    assert max(map(len, lines)) > 90  # it uses the room: not the old 80 or a narrower default


def test_titles_come_first_with_the_id_after() -> None:
    out = _check("--width", "160", str(NC))
    assert re.search(r"\nInitial system planning submission \(initial-submission\) +Fri 27 Sep 2019", out)
    assert "\nInitial system planning submission (initial-submission)\n  met, 1 working day to spare" in out


def test_continuation_lines_hang_under_their_label() -> None:
    lines = _check("--width", "80", str(NC)).splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("  What broke: Trust Board signs off the FINAL"))
    assert lines[i + 1].startswith("      ") and lines[i + 1].strip()


def test_every_count_of_days_says_working_or_calendar() -> None:
    out = " ".join(_check("--width", "100", str(NC)).split())
    assert "34 calendar days after the deadline" in out and "28 calendar days later" in out
    assert not re.search(r"\d+ days?\b", out), re.findall(r".{30}\d+ days?\b", out)


def test_dates_in_sentences_have_one_style() -> None:
    out = _check(str(NC))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", out)
    assert "planned as held Thu 31 Oct 2019" in " ".join(out.split())


def test_the_legend_defines_at_risk_and_at_risk_sets_it() -> None:
    assert AT_RISK_MARGIN == 5
    out = _check(str(NC))
    assert "Met, at risk: met with fewer than 5 working days to spare" in " ".join(out.split())
    assert "met, at risk" in out and "Margin: working days" in out
    relaxed = _check("--at-risk", "1", str(NC))
    assert "met, at risk" not in relaxed.split("Margin:")[0]
    assert "fewer than 1 working day to spare" in " ".join(relaxed.split())


def test_warnings_keep_their_code() -> None:
    assert "hwb-public: warning[tbc]:" in _check(str(NC))


def test_all_columns_are_aligned() -> None:
    lines = _check("--all", "--width", "160", str(NC)).splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("Item "))
    col = lines[header].index("Early start")
    rows = lines[header + 1 : lines.index("", header)]
    assert len(rows) == len(load([NC]).items)
    for row in rows:
        assert row[col - 2 : col] == "  " and row[col] != " ", row
    assert "Float: working days an item can slip" in " ".join(lines[header:])


def test_with_several_timelines_an_unambiguous_item_has_no_prefix(tmp_path: Path) -> None:
    head = "govflow: 1\nid: {0}\nstart: 2019-09-02\nas_of: 2019-09-02\nitems:\n"
    a = tmp_path / "a.yaml"
    a.write_text(head.format("a") + "  draft: {duration: 3}\n  shared: {after: [draft], deadline: 2019-09-30}\n")
    b = tmp_path / "b.yaml"
    b.write_text(head.format("b") + "  review: {duration: 2}\n  shared: {after: [review], deadline: 2019-09-30}\n")
    out = _check("--all", str(a), str(b))
    assert "a:draft" not in out and "b:review" not in out
    assert "draft" in out and "review" in out
    assert "a:shared" in out and "b:shared" in out  # the same id in both: the prefix tells them apart


def test_help_ends_with_a_glossary() -> None:
    out = runner.invoke(app, ["check", "--help"]).stdout
    glossary = out[out.index("Glossary") :]
    for term in ("Float:", "Driving path:", "Papers due:", "TBC window:", "At risk:"):
        assert term in glossary


def test_the_readme_tour_is_what_check_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = "$ govflow check timelines/north-cumbria-2019.yaml\n"
    start = readme.index(marker) + len(marker)
    pasted = readme[start : readme.index("```", start)]
    result = runner.invoke(app, ["check", str(NC)])
    assert result.stdout == pasted
