"""Bodies shared across timelines (`use:` body libraries) and meeting dates read from the calendar
files committee systems export (`meets_from:` iCalendar and CSV), with the warnings they bring."""

from __future__ import annotations

import shutil
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow import InvalidTimeline, load, schedule
from govflow.cli import app
from govflow.loading import load_text_with_warnings, load_with_warnings

DATA = Path(__file__).parent / "data"
runner = CliRunner()

LIBRARY = """govflow: 1
title: Cumbria boards
holidays: england
bodies:
  hwb:
    name: Cumbria Health and Wellbeing Board
    papers_due: 5
    meets: [2019-09-19, 2019-10-24, 2019-11-21]
"""


def _timeline(tid: str, items: str, extra: str = "", use: str = "[bodies/cumbria.yaml]") -> str:
    return f"govflow: 1\nid: {tid}\nstart: 2019-09-02\nuse: {use}\n{extra}items:\n  draft: {{duration: 5}}\n" + items


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _errors(paths: list[Path]) -> list[str]:
    with pytest.raises(InvalidTimeline) as e:
        load(paths)
    return [str(p) for p in e.value.problems]


# --- use: ---------------------------------------------------------------------------------------


def test_a_used_body_is_the_same_body_in_every_timeline(tmp_path: Path) -> None:
    _write(tmp_path, "bodies/cumbria.yaml", LIBRARY)
    a = _write(tmp_path, "a.yaml", _timeline("a", "  review: {at: hwb, after: [draft]}\n"))
    b = _write(tmp_path, "b.yaml", _timeline("b", "  note: {at: hwb, after: [draft], deadline: 2019-10-31}\n"))
    p = load([a, b])
    hwb_a, hwb_b = p.timeline("a").bodies["hwb"], p.timeline("b").bodies["hwb"]
    assert hwb_a is hwb_b  # one Body object: same meetings, same papers rule
    assert hwb_a.path.endswith("cumbria.yaml") and hwb_a.line == 5
    s = schedule(p)
    # draft finishes Fri 6 Sep; papers for 19 Sep are due Thu 12 Sep: both timelines take that meeting
    assert s.item("a:review").early_finish == s.item("b:note").early_finish == date(2019, 9, 19)
    assert p.body(p.items["a:review"]) is p.body(p.items["b:note"])


def test_a_library_used_by_two_timelines_reports_its_problems_once_in_its_own_file(tmp_path: Path) -> None:
    _write(tmp_path, "bodies/cumbria.yaml", LIBRARY.replace("papers_due: 5", "papers_due: five"))
    a = _write(tmp_path, "a.yaml", _timeline("a", ""))
    b = _write(tmp_path, "b.yaml", _timeline("b", ""))
    errors = _errors([a, b])
    assert len(errors) == 1
    assert errors[0].startswith(f"{tmp_path}/bodies/cumbria.yaml:7: error[wrong-type]:")


def test_redefining_a_used_body_names_both_files_and_lines(tmp_path: Path) -> None:
    _write(tmp_path, "bodies/cumbria.yaml", LIBRARY)
    extra = "bodies:\n  hwb:\n    meets: [2019-10-01]\n"
    a = _write(tmp_path, "a.yaml", _timeline("a", "", extra))
    (error,) = _errors([a])
    assert error.startswith(f"{a}:6: error[redefined-body]: body 'hwb' is already defined in ")
    assert f"{tmp_path}/bodies/cumbria.yaml:5, which this timeline uses (line 4)" in error


def test_an_unknown_body_with_use_gets_did_you_mean_across_the_used_bodies(tmp_path: Path) -> None:
    _write(tmp_path, "bodies/cumbria.yaml", LIBRARY)
    a = _write(tmp_path, "a.yaml", _timeline("a", "  review: {at: hbw, after: [draft]}\n"))
    (error,) = _errors([a])
    assert error == (
        f"{a}:7: error[unknown-body]: item 'review' is at 'hbw', which is not a body of this timeline or of the "
        "body libraries it uses (bodies/cumbria.yaml); did you mean 'hwb'?"
    )
    result = runner.invoke(app, ["check", str(a)])
    assert result.exit_code == 2 and "did you mean 'hwb'?" in result.stderr and "Traceback" not in result.stderr


def test_the_same_body_id_in_two_used_libraries_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "bodies/cumbria.yaml", LIBRARY)
    _write(tmp_path, "bodies/other.yaml", LIBRARY)
    a = _write(tmp_path, "a.yaml", _timeline("a", "", use="[bodies/cumbria.yaml, bodies/other.yaml]"))
    (error,) = _errors([a])
    assert f"{a}:4: error[duplicate-body]: body 'hwb' is defined in both " in error
    assert "cumbria.yaml:5 and " in error and "other.yaml:5" in error


@pytest.mark.parametrize(
    ("target", "code", "hint"),
    [
        ("bodies/missing.yaml", "no-file", "use: 'bodies/missing.yaml': no such file"),
        ("b.yaml", "not-a-library", "use: 'b.yaml': it is a timeline, not a body library"),
    ],
)
def test_use_of_a_missing_file_or_a_timeline(tmp_path: Path, target: str, code: str, hint: str) -> None:
    _write(tmp_path, "b.yaml", "govflow: 1\nid: b\nstart: 2019-09-02\nitems: {}\n")
    a = _write(tmp_path, "a.yaml", _timeline("a", "", use=f"[{target}]"))
    (error,) = _errors([a])
    assert error.startswith(f"{a}:4: error[{code}]: {hint}")


def test_a_library_given_as_a_timeline_says_how_to_use_it(tmp_path: Path) -> None:
    lib = _write(tmp_path, "bodies/cumbria.yaml", LIBRARY)
    result = runner.invoke(app, ["check", str(lib)])
    assert result.exit_code == 2
    assert f"{lib}:1: error[body-library]:" in result.stderr and "use: [<this file>]" in result.stderr


# --- meets_from ---------------------------------------------------------------------------------

ICS_BODY = """govflow: 1
id: t
start: 2019-07-01
timezone: Europe/London
bodies:
  hwb:
    name: Cumbria Health and Wellbeing Board
    meets_from: {{ics: hwb-2019.ics, match: "health and wellbeing"}}
{extra}items:
  draft: {{duration: 5, after: []}}
  review: {{at: hwb, after: [draft]}}
"""


def _ics_timeline(tmp: Path, extra: str = "") -> Path:
    shutil.copy(DATA / "hwb-2019.ics", tmp / "hwb-2019.ics")
    return _write(tmp, "t.yaml", ICS_BODY.format(extra=extra))


def test_meets_from_ics_expands_series_and_drops_cancelled_events(tmp_path: Path) -> None:
    p, warnings = load_with_warnings([_ics_timeline(tmp_path)])
    body = p.timeline("t").bodies["hwb"]
    got = [(m.when.first.isoformat(), m.when.tbc, m.time, m.source) for m in body.meetings]
    assert got == [
        ("2019-07-18", False, time(14), "hwb-2019.ics"),  # the series' first meeting
        # 15 Aug: EXDATE; 5 Sep: a CANCELLED extraordinary meeting; 12 Sep: another committee
        ("2019-09-19", False, time(14), "hwb-2019.ics"),
        # 26 Sep: an Outlook "Canceled:" briefing
        ("2019-10-04", True, None, "hwb-2019.ics"),  # STATUS:TENTATIVE, all day: TBC
        ("2019-10-24", False, time(10), "hwb-2019.ics"),  # RECURRENCE-ID override of 17 Oct, at 10:00
        ("2019-11-05", False, time(10), "hwb-2019.ics"),  # 10:00Z is 10:00 GMT in November
        # 21 Nov: the occurrence is cancelled by its override; 19 Dec: EXDATE
        ("2020-01-16", False, time(14), "hwb-2019.ics"),
        ("2020-02-20", False, time(14), "hwb-2019.ics"),
        ("2020-03-19", False, time(14), "hwb-2019.ics"),
    ]
    assert body.meetings[3].duration == timedelta(hours=2, minutes=30)
    assert warnings == ()
    # the engine takes these dates: draft ends Fri 5 Jul, so the 18 Jul meeting (papers due 11 Jul)
    assert schedule(p).item("review").early_finish == date(2019, 7, 18)


def test_meets_from_combines_with_meets_recurrence_and_skip(tmp_path: Path) -> None:
    extra = (
        "    meets: [2019-09-19, {date: 2019-12-05, note: extraordinary}]\n"
        "    recurrence: FREQ=MONTHLY;BYDAY=1MO\n    from: 2019-07-01\n    until: 2019-09-30\n"
        "    skip: [2019-10-24, 2019-08-05, 2020-01, 2019-08-12]\n"
    )
    p, warnings = load_with_warnings([_ics_timeline(tmp_path, extra)])
    meetings = p.timeline("t").bodies["hwb"].meetings
    got = [(m.when.first.isoformat(), m.source) for m in meetings]
    # `from`/`until` bound the recurrence only; the skip removes 24 Oct and January (calendar) and 5 Aug
    # (recurrence); 19 Sep is in `meets` and in the calendar: listed once, from `meets`
    assert got == [
        ("2019-07-01", "recurrence"),
        ("2019-07-18", "hwb-2019.ics"),
        ("2019-09-02", "recurrence"),
        ("2019-09-19", "meets"),
        ("2019-10-04", "hwb-2019.ics"),
        ("2019-11-05", "hwb-2019.ics"),
        ("2019-12-05", "meets"),
        ("2020-02-20", "hwb-2019.ics"),
        ("2020-03-19", "hwb-2019.ics"),
    ]
    assert [(w.code, w.line) for w in warnings] == [("skip-matches-nothing", 13)]  # 12 Aug: no meeting


def test_meets_from_csv_reads_a_date_column(tmp_path: Path) -> None:
    shutil.copy(DATA / "ics-board.csv", tmp_path / "ics-board.csv")
    text = (
        "govflow: 1\nid: t\nstart: 2019-07-01\nbodies:\n  ics-board:\n"
        "    meets_from: {csv: ics-board.csv, column: date}\nitems: {}\n"
    )
    p = load([_write(tmp_path, "t.yaml", text)])
    ms = p.timeline("t").bodies["ics-board"].meetings
    assert [(str(m.when), m.source) for m in ms] == [
        ("2019-09-11", "ics-board.csv"),
        ("2019-10-09", "ics-board.csv"),
        ("2019-11-21 to 2019-11-30 TBC", "ics-board.csv"),
        ("2019-12-11", "ics-board.csv"),
    ]


@pytest.mark.parametrize(
    ("meets_from", "where", "hint"),
    [
        ("{csv: ics-board.csv, column: Dates}", "t.yaml:6", "no column 'Dates' (its columns: Committee, Date, Venue)"),
        ("{csv: ics-board.csv}", "t.yaml:6", "needs 'column: NAME'"),
        ("{ics: nowhere.ics}", "t.yaml:6", "meets_from ics 'nowhere.ics': no such file"),
        ("{ics: ics-board.csv}", "t.yaml:6", "is not an iCalendar file"),
        ("{ics: hwb-2019.ics, match: '(unclosed'}", "t.yaml:6", "'match' is not a regular expression"),
        ("{ics: hwb-2019.ics, csv: ics-board.csv}", "t.yaml:6", "needs one of 'ics: FILE' or 'csv: FILE'"),
        ("{icss: hwb-2019.ics}", "t.yaml:6", "did you mean 'ics'?"),
        ("{csv: bad.csv, column: Date}", "bad.csv:3", "cannot read '31/02/2019' as a date"),
    ],
)
def test_meets_from_errors_point_at_the_line(tmp_path: Path, meets_from: str, where: str, hint: str) -> None:
    shutil.copy(DATA / "ics-board.csv", tmp_path / "ics-board.csv")
    shutil.copy(DATA / "hwb-2019.ics", tmp_path / "hwb-2019.ics")
    _write(tmp_path, "bad.csv", "Date\n2019-09-11\n31/02/2019\n")
    text = f"govflow: 1\nid: t\nstart: 2019-07-01\nbodies:\n  b:\n    meets_from: {meets_from}\nitems: {{}}\n"
    path = _write(tmp_path, "t.yaml", text)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr + result.stdout
    assert f"{tmp_path}/{where}: error[" in result.stderr, result.stderr
    assert hint in result.stderr


def test_a_calendar_with_nothing_matching_warns_and_the_body_has_no_meetings(tmp_path: Path) -> None:
    shutil.copy(DATA / "hwb-2019.ics", tmp_path / "hwb-2019.ics")
    text = "govflow: 1\nid: t\nstart: 2019-07-01\nbodies:\n  b:\n    meets_from: {ics: hwb-2019.ics, match: Cabinet}\n"
    result = runner.invoke(app, ["check", str(_write(tmp_path, "t.yaml", text + "items: {}\n"))])
    assert result.exit_code == 2
    assert (
        "t.yaml:6: warning[meets-from-empty]: body 'b': hwb-2019.ics has no meetings matching 'Cabinet'"
        in (result.stderr)
        or "error[body-no-meetings]" in result.stderr
    )
    assert "error[body-no-meetings]" in result.stderr and "'meets_from'" in result.stderr


# --- warnings -----------------------------------------------------------------------------------


def test_a_recurrence_on_a_bank_holiday_or_a_calendar_meeting_on_a_weekend_warns(tmp_path: Path) -> None:
    ics = (DATA / "hwb-2019.ics").read_bytes().decode("utf-8")
    weekend = (
        "BEGIN:VEVENT\r\nUID:sat@example\r\nSUMMARY:Health and Wellbeing Board away day\r\n"
        "DTSTART;VALUE=DATE:20191005\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (tmp_path / "hwb-2019.ics").write_bytes(ics.replace("END:VCALENDAR\r\n", weekend).encode("utf-8"))
    extra = "    recurrence: FREQ=MONTHLY;BYDAY=-1TH\n    from: 2019-12-01\n    until: 2019-12-31\n"
    path = _write(tmp_path, "t.yaml", ICS_BODY.format(extra=extra))
    _, warnings = load_with_warnings([path])
    assert [str(w).split(f"{tmp_path}/")[1] for w in warnings] == [
        "t.yaml:8: warning[meeting-on-weekend]: body 'hwb': hwb-2019.ics has a meeting on Sat 5 Oct 2019, a "
        "Saturday; if the body does not meet that day, add 2019-10-05 to its 'skip'",
        "t.yaml:9: warning[meeting-on-holiday]: body 'hwb': the recurrence gives a meeting on Thu 26 Dec 2019, "
        "Boxing Day, a bank holiday in England; if the body does not meet that day, add 2019-12-26 to its 'skip'",
    ]


def test_a_library_body_is_checked_against_the_librarys_nation(tmp_path: Path) -> None:
    lib = LIBRARY.replace("holidays: england", "holidays: scotland").replace(
        "    meets: [2019-09-19, 2019-10-24, 2019-11-21]\n",
        "    recurrence: FREQ=MONTHLY;BYDAY=1MO\n    from: 2019-08-01\n    until: 2019-08-31\n",
    )
    _write(tmp_path, "bodies/cumbria.yaml", lib)
    a = _write(tmp_path, "a.yaml", _timeline("a", ""))  # an English timeline
    _, warnings = load_with_warnings([a])
    (w,) = warnings  # 5 Aug 2019 is the Summer bank holiday in Scotland only
    assert (w.code, Path(w.file).name, w.line) == ("meeting-on-holiday", "cumbria.yaml", 8)
    assert "a bank holiday in Scotland" in w.message


def test_two_bodies_with_one_name_and_different_meetings_warn(tmp_path: Path) -> None:
    board = "bodies:\n  hwb:\n    name: Cumbria Health and Wellbeing Board\n    meets: [{d}]\n"
    a = _write(
        tmp_path, "a.yaml", "govflow: 1\nid: a\nstart: 2019-09-02\n" + board.format(d="2019-09-19") + "items: {}\n"
    )
    b = _write(
        tmp_path, "b.yaml", "govflow: 1\nid: b\nstart: 2019-09-02\n" + board.format(d="2019-09-26") + "items: {}\n"
    )
    _, warnings = load_with_warnings([a, b])
    (w,) = warnings
    assert str(w) == (
        f"{b}:5: warning[same-name-bodies]: body 'hwb' has the same name, 'Cumbria Health and Wellbeing Board', "
        f"as body 'hwb' ({a}:5) but different meetings; if they are one board, define it once in a body library "
        "and bring it into each timeline with 'use:'"
    )
    same = _write(tmp_path, "c.yaml", b.read_text().replace("id: b", "id: c").replace("09-26", "09-19"))
    assert load_with_warnings([a, same])[1] == ()  # the same definition twice: nothing to say


def test_load_text_reads_use_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "bodies/cumbria.yaml", LIBRARY)
    monkeypatch.chdir(tmp_path)
    p, warnings = load_text_with_warnings(_timeline("a", "  review: {at: hwb, after: [draft]}\n"), "a.yaml")
    assert p.timeline("a").bodies["hwb"].name == "Cumbria Health and Wellbeing Board" and warnings == ()
