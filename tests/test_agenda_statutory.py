"""`govflow agenda` and `govflow meetings` with statutory timing (issue 12): meetings inside a
blackout are marked with its reason and take no decisions; a body that publishes its agenda shows
the publication date beside the papers-due date.

The programme, worked by hand (England 2019: Good Friday 19 Apr, Easter Monday 22 Apr, early May
bank holiday 6 May). Pre-election period Mon 25 Mar - Thu 2 May. The Cabinet (papers due 2 working
days before, agenda published 5 clear working days before) meets:
  Thu 21 Mar: papers 20, 19 -> Tue 19 Mar; published: 14, 15, 18, 19, 20 lie between -> Wed 13 Mar;
              papers due the earlier: Wed 13 Mar.
  Thu 11 Apr: published Wed 3 Apr (4, 5, 8, 9, 10 between); in the pre-election period.
  Thu 25 Apr: published Mon 15 Apr (16, 17, 18, 23, 24 between: Easter); in the pre-election period.
  Thu 9 May:  published Tue 30 Apr (1, 2, 3, 7, 8 between: 6 May a bank holiday).
  Thu 23 May: published Wed 15 May (16, 17, 20, 21, 22 between).
Items: `early` (no predecessors, start Mon 11 Mar) takes 21 Mar, due Fri 22 Mar: float 0. Missing it,
  the next meeting that takes decisions is 9 May (11 and 25 Apr are in the pre-election period):
  Mar 25-29, Apr 1-5, 8-12, 15-18, 23-26, Apr 29-May 3, May 7-9 = 31 working days late.
  `report` (25 working days from 11 Mar -> Fri 12 Apr) -> `decide` misses 11 Apr anyway, would make
  25 Apr (papers Mon 15 Apr) but for the pre-election period -> 9 May. Due Fri 31 May, whose latest
  meeting is 23 May: float 10 (10, 13-17, 20-23 May).
  `report2` (27 working days -> Tue 16 Apr) -> `decide2` 9 May; due Fri 10 May: float 0; missing it,
  23 May, 9 working days late (13-17, 20-23 May). Its papers are one working day late for 25 Apr,
  but that meeting takes no decisions, so it is not offered as "could come if ready earlier".
The Overview and Scrutiny Committee (papers due 5 working days before) meets Thu 4 Apr (papers Thu
28 Mar; in the period) and Thu 6 Jun (papers Thu 30 May) and has nothing planned.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from govflow import load, schedule
from govflow.agenda import agenda, meetings, render_ics
from govflow.cli import app

runner = CliRunner()

COUNCIL = """govflow: 1
id: council
title: Council decisions around the 2019 local elections
start: 2019-03-11
holidays: england
blackout:
  - {from: 2019-03-25, to: 2019-05-02, reason: pre-election period}
bodies:
  cabinet:
    name: Cabinet
    papers_due: 2
    publish: 5
    meets: [2019-03-21, 2019-04-11, 2019-04-25, 2019-05-09, 2019-05-23]
  scrutiny:
    name: Overview and Scrutiny Committee
    meets: [2019-04-04, 2019-06-06]
items:
  early: {title: Cabinet notes the budget monitoring report, at: cabinet, deadline: 2019-03-22}
  report: {title: Draft the housing report, duration: 25}
  decide: {title: Cabinet decides the housing policy, at: cabinet, after: [report], deadline: 2019-05-31}
  report2: {title: Draft the parking report, duration: 27}
  decide2: {title: Cabinet decides the parking policy, at: cabinet, after: [report2], deadline: 2019-05-10}
"""

TEXT = """\
Forward agenda
At risk: float under 5 working days

Cabinet (cabinet); papers due 2 working days before; agenda published 5 clear working days before
  Thu 21 Mar 2019, papers due Wed 13 Mar 2019, agenda published Wed 13 Mar 2019
    - early: Cabinet notes the budget monitoring report; float 0; for early due Fri 22 Mar 2019; Amber
    At risk of missing it:
    ! early has 0 working days of float; if it misses this meeting it goes to Thu 9 May 2019 (papers due Tue 30 \
Apr 2019): early: forecast Thu 21 Mar 2019 -> Thu 9 May 2019, met -> MISSED by 31 working days
    Could come if ready earlier:
    + decide: Cabinet decides the housing policy (planned for Thu 9 May 2019; papers ready Fri 12 Apr 2019, \
needed 22 working days sooner)
    + decide2: Cabinet decides the parking policy (planned for Thu 9 May 2019; papers ready Tue 16 Apr 2019, \
needed 24 working days sooner)
  Thu 11 Apr 2019 \u2014 pre-election period: no decisions
  Thu 25 Apr 2019 \u2014 pre-election period: no decisions
  Thu 9 May 2019, papers due Tue 30 Apr 2019, agenda published Tue 30 Apr 2019
    - decide: Cabinet decides the housing policy; float +10; for decide due Fri 31 May 2019; Green
    - decide2: Cabinet decides the parking policy; float 0; for decide2 due Fri 10 May 2019; Amber
    At risk of missing it:
    ! decide2 has 0 working days of float; if it misses this meeting it goes to Thu 23 May 2019 (papers due Wed \
15 May 2019): decide2: forecast Thu 9 May 2019 -> Thu 23 May 2019, met -> MISSED by 9 working days

Overview and Scrutiny Committee (scrutiny); papers due 5 working days before
  Thu 4 Apr 2019 \u2014 pre-election period: no decisions
  Thu 6 Jun 2019, papers due Thu 30 May 2019
    nothing planned
"""


@pytest.fixture
def council(tmp_path: Path) -> Path:
    path = tmp_path / "council.yaml"
    path.write_text(COUNCIL, encoding="utf-8")
    return path


def agenda_cli(*args: str | Path) -> str:
    result = runner.invoke(app, ["agenda", *map(str, args)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_text_marks_blackout_meetings_and_shows_publication_beside_papers(council: Path) -> None:
    assert agenda_cli(council) == TEXT


def test_markdown_and_html_mark_blackout_meetings_with_nothing_under_them(council: Path, tmp_path: Path) -> None:
    md = agenda_cli(council, "-f", "md").splitlines()
    assert "Papers due 2 working days before; agenda published 5 clear working days before each meeting." in md
    assert "### Thu 21 Mar 2019, papers due Wed 13 Mar 2019, agenda published Wed 13 Mar 2019" in md
    i = md.index("### Thu 11 Apr 2019 \u2014 pre-election period: no decisions")
    assert md[i : i + 5] == [
        "### Thu 11 Apr 2019 \u2014 pre-election period: no decisions",
        "",
        "### Thu 25 Apr 2019 \u2014 pre-election period: no decisions",
        "",
        "### Thu 9 May 2019, papers due Tue 30 Apr 2019, agenda published Tue 30 Apr 2019",
    ]
    assert md[-5:] == [
        "### Thu 4 Apr 2019 \u2014 pre-election period: no decisions",
        "",
        "### Thu 6 Jun 2019, papers due Thu 30 May 2019",
        "",
        "Nothing planned.",
    ]
    out = tmp_path / "agenda.html"
    result = runner.invoke(app, ["agenda", str(council), "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == f"wrote {out} (html)\n"
    page = out.read_text(encoding="utf-8").splitlines()
    i = page.index("<h3>Thu 11 Apr 2019 \u2014 pre-election period: no decisions</h3>")
    assert page[i + 1 : i + 3] == [
        "<h3>Thu 25 Apr 2019 \u2014 pre-election period: no decisions</h3>",
        "<h3>Thu 9 May 2019, papers due Tue 30 Apr 2019, agenda published Tue 30 Apr 2019</h3>",
    ]
    assert '<p class="note">Papers due 2 working days before; agenda published 5 clear working days before each ' in (
        "\n".join(page)
    )
    assert page.count("<p>Nothing planned.</p>") == 1  # 6 Jun only: a blackout meeting says why instead


def test_json_has_the_publication_date_and_the_blackout_reason(council: Path) -> None:
    data = json.loads(agenda_cli(council, "--format", "json"))
    cabinet, scrutiny = data["bodies"]
    got = [
        (m["date"], m["papers_due"], m["published"], m["blackout"], [i["id"] for i in m["items"]])
        for m in cabinet["meetings"]
    ]
    assert got == [
        ("2019-03-21", "2019-03-13", "2019-03-13", None, ["early"]),
        ("2019-04-11", "2019-04-03", "2019-04-03", "pre-election period", []),
        ("2019-04-25", "2019-04-15", "2019-04-15", "pre-election period", []),
        ("2019-05-09", "2019-04-30", "2019-04-30", None, ["decide", "decide2"]),
    ]
    assert all(m["could_come"] == [] for m in cabinet["meetings"][1:3])
    (risk,) = cabinet["meetings"][0]["at_risk"]
    assert (risk["next_meeting"], risk["next_papers_due"]) == ("2019-05-09", "2019-04-30")
    assert [(m["date"], m["published"], m["blackout"]) for m in scrutiny["meetings"]] == [
        ("2019-04-04", None, "pre-election period"),
        ("2019-06-06", None, None),  # nothing planned: its next meeting that takes decisions
    ]


def test_to_lists_every_meeting_in_range_and_the_library_says_the_same(council: Path) -> None:
    out = agenda_cli(council, "--body", "cabinet", "--from", "2019-04-01", "--to", "2019-05-31")
    assert out.splitlines()[4:] == [
        "  Thu 11 Apr 2019 \u2014 pre-election period: no decisions",
        "  Thu 25 Apr 2019 \u2014 pre-election period: no decisions",
        "  Thu 9 May 2019, papers due Tue 30 Apr 2019, agenda published Tue 30 Apr 2019",
        "    - decide: Cabinet decides the housing policy; float +10; for decide due Fri 31 May 2019; Green",
        "    - decide2: Cabinet decides the parking policy; float 0; for decide2 due Fri 10 May 2019; Amber",
        "    At risk of missing it:",
        "    ! decide2 has 0 working days of float; if it misses this meeting it goes to Thu 23 May 2019 (papers due "
        "Wed 15 May 2019): decide2: forecast Thu 9 May 2019 -> Thu 23 May 2019, met -> MISSED by 9 working days",
        "  Thu 23 May 2019, papers due Wed 15 May 2019, agenda published Wed 15 May 2019",
        "    nothing planned",
    ]
    a = agenda(schedule(load([council])), ["cabinet"], date(2019, 4, 1), date(2019, 5, 31))
    assert [(m.held, m.published, m.blackout) for m in a.bodies[0].meetings] == [
        (date(2019, 4, 11), date(2019, 4, 3), "pre-election period"),
        (date(2019, 4, 25), date(2019, 4, 15), "pre-election period"),
        (date(2019, 5, 9), date(2019, 4, 30), None),
        (date(2019, 5, 23), date(2019, 5, 15), None),
    ]


def test_ics_agenda_marks_blackout_meetings(council: Path) -> None:
    a = agenda(schedule(load([council])))
    cal = icalendar.Calendar.from_ical(render_ics(a, datetime(2019, 3, 1, 9, tzinfo=UTC)))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    blackout = events["agenda.cabinet.2019-04-25@govflow"]
    assert str(blackout["SUMMARY"]) == "Cabinet: no decisions (pre-election period)"
    assert str(blackout["DESCRIPTION"]) == "Pre-election period: no decisions are taken at this meeting."
    may = events["agenda.cabinet.2019-05-09@govflow"]
    assert str(may["SUMMARY"]) == "Cabinet: 2 items, 1 at risk"
    assert str(may["DESCRIPTION"]).splitlines()[0] == "Papers due Tue 30 Apr 2019. Agenda published Tue 30 Apr 2019."
    assert str(events["agenda.scrutiny.2019-06-06@govflow"]["DESCRIPTION"]) == "Papers due Thu 30 May 2019."


def test_meetings_lists_publication_and_marks_blackouts(council: Path) -> None:
    result = runner.invoke(app, ["meetings", str(council)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Cabinet (cabinet): papers due 2 working days before; agenda published 5 clear working days before; in council",
        f"  defined in {council}",
        "  Held              Papers due        Agenda published  Source                 Note",
        "  Thu 21 Mar 2019   Wed 13 Mar 2019   Wed 13 Mar 2019   meets",
        "  Thu 11 Apr 2019   Wed 3 Apr 2019    Wed 3 Apr 2019    meets                  pre-election period: no "
        "decisions",
        "  Thu 25 Apr 2019   Mon 15 Apr 2019   Mon 15 Apr 2019   meets                  pre-election period: no "
        "decisions",
        "  Thu 9 May 2019    Tue 30 Apr 2019   Tue 30 Apr 2019   meets",
        "  Thu 23 May 2019   Wed 15 May 2019   Wed 15 May 2019   meets",
        "",
        "Overview and Scrutiny Committee (scrutiny): papers due 5 working days before; in council",
        f"  defined in {council}",
        "  Held              Papers due        Source                 Note",
        "  Thu 4 Apr 2019    Thu 28 Mar 2019   meets                  pre-election period: no decisions",
        "  Thu 6 Jun 2019    Thu 30 May 2019   meets",
    ]
    js = runner.invoke(app, ["meetings", str(council), "--json", "--body", "scrutiny"])
    assert js.exit_code == 0, js.stderr
    ((body),) = json.loads(js.stdout)["bodies"]
    assert [(m["date"], m["papers_due"], m["published"], m["blackout"]) for m in body["meetings"]] == [
        ("2019-04-04", "2019-03-28", None, "pre-election period"),
        ("2019-06-06", "2019-05-30", None, None),
    ]
    (cabinet,) = meetings(schedule(load([council])), ["cabinet"])
    assert [m.blackout for m in cabinet.meetings] == [None, "pre-election period", "pre-election period", None, None]


def test_a_body_blackout_in_a_body_library_marks_its_meetings(tmp_path: Path) -> None:
    """`blackout:` on a body in a library file (the body's own, not the timeline's)."""
    (tmp_path / "bodies.yaml").write_text(
        "govflow: 1\nholidays: england\nbodies:\n  hwb:\n    name: Health and Wellbeing Board\n"
        "    meets: [2019-04-09, 2019-05-07]\n    blackout: [{from: 2019-04-01, to: 2019-04-30, reason: purdah}]\n",
        encoding="utf-8",
    )
    (tmp_path / "t.yaml").write_text(
        "govflow: 1\nid: t\nstart: 2019-03-04\nuse: [bodies.yaml]\n"
        "items:\n  draft: {duration: 10}\n  note: {title: HWB notes the plan, at: hwb, after: [draft]}\n",
        encoding="utf-8",
    )
    # draft: 10 working days from Mon 4 Mar -> Fri 15 Mar, in time for 9 Apr (papers Tue 2 Apr), which
    # is in purdah -> Tue 7 May (papers 5 working days before: 3, 2, 1 May, 30, 29 Apr -> Mon 29 Apr)
    out = agenda_cli(tmp_path / "t.yaml")
    assert out.splitlines()[3:7] == [
        "Health and Wellbeing Board (hwb); papers due 5 working days before",
        "  Tue 9 Apr 2019 \u2014 purdah: no decisions",
        "  Tue 7 May 2019, papers due Mon 29 Apr 2019",
        "    - note: HWB notes the plan; float -; leads to no deadline; None",
    ]


def test_readme_statutory_agenda_lines_are_real_output() -> None:
    root = Path(__file__).parent.parent
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    polling = agenda_cli(root / "tests" / "cases" / "statutory_blackout_polling_day.yaml", "--body", "cabinet")
    assert "  Thu 11 Apr 2019 \u2014 pre-election period: no decisions" in polling.splitlines()
    assert "```text\n  Thu 11 Apr 2019 \u2014 pre-election period: no decisions\n```" in (root / "README.md").read_text(
        encoding="utf-8"
    )
    council = agenda_cli(root / "tests" / "golden" / "ics" / "statutory.yaml", "--body", "cabinet")
    line = "Thu 23 May 2019 18:00, papers due Mon 13 May 2019, agenda published Wed 15 May 2019"
    assert f"  {line}" in council.splitlines() and f'("{line}")' in readme


def test_could_come_leaves_out_a_meeting_the_key_decisions_notice_cannot_reach(tmp_path: Path) -> None:
    """The report is ready Fri 18 Oct (35 working days from Mon 2 Sep), a day after the 24 Oct
    Cabinet's papers deadline (Thu 17 Oct). With notice publishable from Wed 25 Sep (scope, 18
    days) the 24 Oct Cabinet could take it were the papers a day sooner; from Thu 26 Sep (19
    days), it could not: its 28 clear days' notice was needed by Wed 25 Sep."""
    base = (
        "govflow: 1\nid: c\nstart: 2019-09-02\nholidays: england\nbodies:\n"
        "  cabinet: {name: Cabinet, meets: [2019-09-26, 2019-10-24, 2019-11-21], notice: 28}\n"
        "items:\n  report: {duration: 35}\n  scope: {duration: SCOPE}\n"
        "  decide: {title: Cabinet decides, at: cabinet, after: [report], key_decision: true, notice_after: [scope]}\n"
    )
    runner = CliRunner()
    for scope, listed in (("18", True), ("19", False)):
        path = tmp_path / f"c{scope}.yaml"
        path.write_text(base.replace("SCOPE", scope), encoding="utf-8")
        r = runner.invoke(app, ["agenda", str(path)])
        assert r.exit_code == 0, r.output
        block = r.stdout.split("Thu 24 Oct 2019")[1].split("Thu 21 Nov 2019")[0]
        assert ("Could come if ready earlier" in block) is listed, r.stdout
