"""`govflow meetings` and `govflow agenda`: each board's meetings and its forward agenda across plans.

The programme: two timelines share one Board from a body library. Timeline a's draft is ready
Tue 17 Sep, in time for the 26 Sep Board (papers due Thu 19 Sep), which its 27 Sep deadline needs:
float 0, so it is at risk, and missing that Board takes it to 31 Oct, 24 working days late. Timeline
b's work is ready Fri 11 Oct, so it goes to the 31 Oct Board with 20 working days of float against
its December deadline (the 28 Nov Board would still do); it could come to 26 Sep if its papers were
ready 16 working days sooner.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from govflow import load, schedule
from govflow.agenda import AgendaError, agenda, agenda_json, meetings, meetings_json, render_ics
from govflow.cli import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()

LIBRARY = """govflow: 1
bodies:
  board:
    name: Trust Board
    time: "13:30"
    meets: [2019-09-26, 2019-10-31, 2019-11-28]
"""
A = """govflow: 1
id: a
start: 2019-09-02
use: [bodies.yaml]
items:
  draft: {duration: 12}
  approve: {title: Board approves plan A, at: board, after: [draft], owner: [a.lead@example.nhs.uk]}
  submit: {title: Plan A submitted, after: [approve], deadline: 2019-09-27}
"""
B = """govflow: 1
id: b
start: 2019-09-02
use: [bodies.yaml]
items:
  work: {duration: 30}
  note: {title: Board notes plan B, at: board, after: [work]}
  final: {title: Plan B final, after: [note], deadline: 2019-12-31}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    (tmp_path / "bodies.yaml").write_text(LIBRARY, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(A, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(B, encoding="utf-8")
    return [tmp_path / "a.yaml", tmp_path / "b.yaml"]


def test_agenda_lists_items_from_every_timeline_at_risk_and_could_come(files: list[Path]) -> None:
    data = agenda_json(agenda(schedule(load(files))))
    (board,) = data["bodies"]
    assert (board["id"], board["name"], board["timelines"]) == ("board", "Trust Board", ["a", "b"])
    sep, octo = board["meetings"]  # 28 Nov has nothing on it: without --to the list stops at 31 Oct
    assert (sep["date"], sep["papers_due"]) == ("2019-09-26", "2019-09-19")
    item = {k: sep["items"][0][k] for k in ("timeline", "id", "title", "float", "rag", "deadline")}
    assert item == {
        "timeline": "a",
        "id": "approve",
        "title": "Board approves plan A",
        "float": 0,
        "rag": "Amber",
        "deadline": "a:submit",
    }
    (risk,) = sep["at_risk"]
    assert (risk["id"], risk["next_meeting"], risk["next_papers_due"]) == ("approve", "2019-10-31", "2019-10-24")
    (effect,) = risk["effects"]
    assert (effect["deadline"], effect["forecast"], effect["new_forecast"], effect["new_margin"]) == (
        "a:submit",
        "2019-09-26",
        "2019-10-31",
        -24,
    )
    (could,) = sep["could_come"]
    assert (could["timeline"], could["id"], could["planned"], could["sooner"], could["ready"]) == (
        "b",
        "note",
        "2019-10-31",
        16,
        "2019-10-11",
    )
    assert [(i["timeline"], i["id"], i["float"], i["rag"]) for i in octo["items"]] == [("b", "note", 20, "Green")]
    assert octo["at_risk"] == [] and octo["could_come"] == []


def test_what_missing_a_meeting_does_is_a_schedule_of_a_changed_copy(files: list[Path]) -> None:
    p = load(files)
    sched = schedule(p)
    (risk,) = agenda(sched).bodies[0].meetings[0].at_risk
    # the same question asked by hand: the Board without its 26 Sep meeting
    lib = files[0].parent / "bodies.yaml"
    lib.write_text(LIBRARY.replace("2019-09-26, ", ""), encoding="utf-8")
    by_hand = {d.key: d for d in schedule(load(files)).deadlines}["a:submit"]
    assert (risk.effects[0].new_forecast, risk.effects[0].new_margin) == (by_hand.forecast, by_hand.margin)
    assert risk.effects[0].text == (
        "a:submit: forecast Thu 26 Sep 2019 -> Thu 31 Oct 2019, met -> MISSED by 24 working days"
    )


def test_from_to_and_body_filters(files: list[Path]) -> None:
    sched = schedule(load(files))
    a = agenda(sched, ["board"], date(2019, 10, 1), date(2019, 12, 31))
    assert [m.held for m in a.bodies[0].meetings] == [date(2019, 10, 31), date(2019, 11, 28)]
    with pytest.raises(AgendaError, match="did you mean 'board'"):
        agenda(sched, ["bord"])


def test_text_markdown_html_and_json_through_the_cli(files: list[Path], tmp_path: Path) -> None:
    text = runner.invoke(app, ["agenda", *map(str, files)])
    assert text.exit_code == 0, text.stderr
    assert "Trust Board (board); papers due 5 working days before" in text.stdout
    assert "  Thu 26 Sep 2019 13:30, papers due Thu 19 Sep 2019" in text.stdout
    assert (
        "    ! approve [a] has 0 working days of float; if it misses this meeting it goes to Thu 31 Oct 2019 "
        "(papers due Thu 24 Oct 2019): a:submit: forecast Thu 26 Sep 2019 -> Thu 31 Oct 2019, met -> MISSED by "
        "24 working days" in text.stdout
    )
    assert (
        "    + note [b]: Board notes plan B (planned for Thu 31 Oct 2019; papers ready Fri 11 Oct 2019, " in text.stdout
    )
    md = runner.invoke(app, ["agenda", *map(str, files), "-f", "md"])
    assert "## Trust Board (board)" in md.stdout and "**At risk of missing it:**" in md.stdout
    out = tmp_path / "agenda.html"
    html = runner.invoke(app, ["agenda", *map(str, files), "-o", str(out)])
    assert html.exit_code == 0 and html.stdout.strip() == f"wrote {out} (html)"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page
    assert '<td class="Amber">Amber</td>' in page
    js = runner.invoke(app, ["agenda", *map(str, files), "--format", "json", "--from", "Oct 2019"])
    assert [m["date"] for m in json.loads(js.stdout)["bodies"][0]["meetings"]] == ["2019-10-31"]


def test_ics_has_one_entry_per_meeting_with_its_agenda(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "agenda.ics"
    result = runner.invoke(app, ["agenda", *map(str, files), "-o", str(out), "--stamp", "2019-09-05T09:00:00Z"])
    assert result.exit_code == 0, result.stderr
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == ["agenda.board.2019-09-26@govflow", "agenda.board.2019-10-31@govflow"]
    first = events[0]
    assert first["DTSTART"].dt == datetime(2019, 9, 26, 13, 30, tzinfo=first["DTSTART"].dt.tzinfo)
    assert str(first["SUMMARY"]) == "Trust Board: 1 item, 1 at risk"
    assert "At risk of missing it:" in str(first["DESCRIPTION"]) and "Could come" in str(first["DESCRIPTION"])
    again = render_ics(agenda(schedule(load(files))), datetime(2019, 9, 5, 9, tzinfo=UTC))
    assert again == out.read_bytes()  # same stamp, same bytes


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--body", "bord"], "did you mean 'board'?"),
        (["--format", "pdf"], "'pdf' is not one of text, md, html, json, ics"),
        (["--from", "someday"], "cannot read 'someday'"),
    ],
)
def test_bad_options_exit_2_without_a_traceback(files: list[Path], args: list[str], hint: str) -> None:
    result = runner.invoke(app, ["agenda", *map(str, files), *args])
    assert result.exit_code == 2
    assert hint in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_meetings_json_and_text_say_where_each_date_came_from(tmp_path: Path) -> None:
    shutil.copy(DATA / "hwb-2019.ics", tmp_path / "hwb-2019.ics")
    (tmp_path / "t.yaml").write_text(
        "govflow: 1\nid: t\nstart: 2019-07-01\nbodies:\n  hwb:\n    name: Health and Wellbeing Board\n"
        "    meets: [{date: late Jun 2019 TBC, note: development session}]\n"
        "    meets_from: {ics: hwb-2019.ics, match: 'wellbeing board$'}\n"
        "  board:\n    recurrence: FREQ=MONTHLY;BYDAY=-1TH\n    from: 2019-09-01\n    until: 2019-10-31\n"
        "items: {}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["meetings", str(tmp_path / "t.yaml"), "--json"])
    assert result.exit_code == 0, result.stderr
    hwb, board = json.loads(result.stdout)["bodies"]
    assert (hwb["id"], hwb["name"]) == ("hwb", "Health and Wellbeing Board")
    assert {k: hwb["meetings"][0][k] for k in ("date", "papers_due", "tbc", "source")} == {
        "date": "2019-06-28",  # a TBC window counts as held on its last working day
        "papers_due": "2019-06-14",  # papers due 5 working days before its first working day (21 Jun)
        "tbc": True,
        "source": "meets",
    }
    assert [(m["date"], m["source"], m["time"]) for m in hwb["meetings"][1:3]] == [
        ("2019-07-18", "hwb-2019.ics", "14:00"),
        ("2019-09-19", "hwb-2019.ics", "14:00"),
    ]
    assert [(m["date"], m["source"]) for m in board["meetings"]] == [
        ("2019-09-26", "recurrence"),
        ("2019-10-31", "recurrence"),
    ]
    text = runner.invoke(app, ["meetings", str(tmp_path / "t.yaml"), "--body", "board"])
    assert text.stdout.splitlines()[3] == "  Thu 26 Sep 2019   Thu 19 Sep 2019   recurrence"
    bad = runner.invoke(app, ["meetings", str(tmp_path / "t.yaml"), "--body", "hbw"])
    assert bad.exit_code == 2 and "did you mean 'hwb'?" in bad.stderr


def test_meetings_agree_with_the_engine_for_an_item_at_the_body(files: list[Path]) -> None:
    sched = schedule(load(files))
    (board,) = meetings(sched)
    assert board.meetings == sched.meetings("a:approve")
    assert meetings_json([board])["bodies"][0]["timelines"] == ["a", "b"]


def test_the_agenda_page_renders_in_headless_chromium(files: list[Path], tmp_path: Path) -> None:
    from readers import chromium

    out = tmp_path / "agenda.html"
    assert runner.invoke(app, ["agenda", *map(str, files), "-o", str(out)]).exit_code == 0
    shown = chromium(["--dump-dom", "--enable-logging=stderr", "--v=0", out.as_uri()], tmp_path)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "CONSOLE" not in shown.stderr, shown.stderr
    assert "Board approves plan A" in shown.stdout and "Thu 26 Sep 2019" in shown.stdout
