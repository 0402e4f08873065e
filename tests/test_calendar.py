"""`govflow calendar`: golden files, two independent parsers, updates in place, invitations, filters.

Every .ics these tests produce is read by icalendar and by the strict `ical` package, and both
must see the same entries (UID, start, end, SEQUENCE, STATUS, SUMMARY).

Regenerate the golden files after an intended change with:  GOVFLOW_REGEN=1 pytest tests/test_calendar.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.exporters.ics import (
    CalendarError,
    CalendarOptions,
    CalendarState,
    History,
    export,
    render_ics,
    vtimezone,
)
from govflow.model import Programme

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "ics"
TIMED = GOLDEN / "timed.yaml"
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"
STAMP = "2019-09-05T09:00:00Z"
runner = CliRunner()

Entry = tuple[object, object, int, str, str]


def _instant(v: object) -> object:
    return v.astimezone(UTC) if isinstance(v, datetime) else v


def parse(data: bytes) -> dict[str, Entry]:
    """{uid: (start, end, sequence, status, summary)}, read by both parsers, which must agree."""
    a = icalendar.Calendar.from_ical(data)
    b = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    by_a = {
        str(e["UID"]): (
            _instant(e.decoded("DTSTART")),
            _instant(e.decoded("DTEND")),
            int(e.get("SEQUENCE", 0)),
            str(e.get("STATUS")),
            str(e["SUMMARY"]),
        )
        for e in a.walk("VEVENT")
    }
    by_b = {
        e.uid: (
            _instant(e.dtstart),
            _instant(e.dtend),
            e.sequence or 0,
            e.status.value if e.status else "None",
            e.summary,
        )
        for e in b.events
    }
    assert data.count(b"BEGIN:VEVENT\r\n") == len(by_a) == len(b.events), "a parser dropped or merged entries"
    assert by_a == by_b
    return by_a


def run(*args: str | Path, code: int = 0) -> object:
    result = runner.invoke(app, ["calendar", *map(str, args)])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def said(result: object) -> str:
    """stderr as one line, without the box typer draws around usage errors."""
    return " ".join(result.stderr.replace("│", " ").split())  # type: ignore[attr-defined]


def ics(tmp_path: Path, *args: str | Path, name: str = "out.ics") -> tuple[bytes, dict[str, Entry]]:
    out = tmp_path / name
    run(*args, "-o", out, "--stamp", STAMP)
    data = out.read_bytes()
    return data, parse(data)


# ---- golden files ------------------------------------------------------------------------------

GOLDEN_CASES = {
    "north-cumbria-2019": ([NC], []),
    "lsc-ics-2019": ([ROOT / "timelines" / "lsc-ics-2019.yaml"], []),
    "morecambe-bay-bct2-2019": ([ROOT / "timelines" / "morecambe-bay-bct2-2019.yaml"], []),
    "statutory": ([GOLDEN / "statutory.yaml"], []),  # agenda publication, forward plan notice, call-in
}


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_golden_files_byte_for_byte(case: str, tmp_path: Path) -> None:
    files, extra = GOLDEN_CASES[case]
    data, entries = ics(tmp_path, *files, *extra, "--no-state")
    golden = GOLDEN / f"{case}.ics"
    if os.environ.get("GOVFLOW_REGEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{golden.name} differs; GOVFLOW_REGEN=1 regenerates it after a wanted change"
    assert entries and all(seq == 0 for _, _, seq, _, _ in entries.values())
    assert not (GOLDEN / ".govflow").exists(), "--no-state writes no state"


def invites(tmp_path: Path, *args: str | Path, name: str = "invites") -> dict[str, bytes]:
    """`--method request -o FOLDER`: {file name: bytes}, each file one invitation that both parsers read."""
    folder = tmp_path / name
    run(*args, "--method", "request", "-o", folder, "--stamp", STAMP)
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    for data in files.values():
        assert len(parse(data)) == 1, "one event per invitation"
    return files


def test_golden_invitations_folder_byte_for_byte(tmp_path: Path) -> None:
    files = invites(tmp_path, TIMED, "--tasks", "--no-state")
    golden = GOLDEN / "timed-request-tasks"
    if os.environ.get("GOVFLOW_REGEN"):
        shutil.rmtree(golden, ignore_errors=True)
        golden.mkdir()
        for name, data in files.items():
            (golden / name).write_bytes(data)
    assert sorted(files) == sorted(p.name for p in golden.iterdir())
    for name, data in files.items():
        assert data == (golden / name).read_bytes(), f"{name} differs; GOVFLOW_REGEN=1 regenerates it"


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("**/*.ics")), ids=lambda p: p.name)
def test_golden_files_are_crlf_folded_at_75_octets_and_utf8(golden: Path) -> None:
    data = golden.read_bytes()
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "bare LF"
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character
    parse(data)


def test_seed_golden_has_the_entries_a_planning_lead_expects() -> None:
    entries = parse((GOLDEN / "north-cumbria-2019.ics").read_bytes())
    nc = "north-cumbria-2019"
    assert entries[f"{nc}.trust-board-review.meeting@govflow"][:2] == (date(2019, 9, 26), date(2019, 9, 27))
    assert entries[f"{nc}.trust-board-review.papers@govflow"][0] == date(2019, 9, 19)
    assert entries[f"{nc}.initial-submission.deadline@govflow"][0] == date(2019, 9, 27)
    hwb = entries[f"{nc}.hwb-public.meeting@govflow"]
    assert hwb[0] == date(2019, 10, 31) and hwb[3] == "TENTATIVE" and "TBC" in hwb[4]
    assert entries[f"{nc}.ltp-framework.event@govflow"][3] == "CONFIRMED"
    assert not any(".task@" in uid for uid in entries), "tasks only with --tasks"
    text = (GOLDEN / "north-cumbria-2019.ics").read_bytes().decode()
    assert "on the driving path to initial-submission (27 Sep 2019)" in text.replace("\r\n ", "")


# ---- timed meetings, VTIMEZONE -------------------------------------------------------------------


def test_timed_meetings_are_in_london_time_on_both_sides_of_the_clock_change(tmp_path: Path) -> None:
    _, entries = ics(tmp_path, TIMED, "--no-state")
    review = entries["calendar-demo.board-review.meeting@govflow"]
    approval = entries["calendar-demo.board-approval.meeting@govflow"]
    assert review[:2] == (datetime(2019, 9, 26, 12, 30, tzinfo=UTC), datetime(2019, 9, 26, 15, 30, tzinfo=UTC))  # BST
    assert approval[:2] == (datetime(2019, 11, 28, 13, 30, tzinfo=UTC), datetime(2019, 11, 28, 16, 30, tzinfo=UTC))
    # bodies without a time give all-day entries
    assert entries["calendar-demo.hwb-review.meeting@govflow"][:2] == (date(2019, 10, 31), date(2019, 11, 1))


def test_vtimezone_has_one_yearly_rule_per_transition_and_no_rdate_lists(tmp_path: Path) -> None:
    data, _ = ics(tmp_path, TIMED, "--no-state")
    cal = icalendar.Calendar.from_ical(data)
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/London"
    parts = tz.subcomponents
    assert sorted(p.name for p in parts) == ["DAYLIGHT", "STANDARD"]
    for p in parts:
        assert "RDATE" not in p and p["RRULE"]["FREQ"] == ["YEARLY"] and p["RRULE"]["BYDAY"] == ["-1SU"]
    assert {p.name: p["RRULE"]["BYMONTH"] for p in parts} == {"DAYLIGHT": [3], "STANDARD": [10]}
    assert b"RDATE" not in data


@pytest.mark.parametrize(
    ("tzid", "rules"),
    [
        ("Europe/London", {"DAYLIGHT": ("-1SU", 3), "STANDARD": ("-1SU", 10)}),
        ("America/New_York", {"DAYLIGHT": ("2SU", 3), "STANDARD": ("1SU", 11)}),
        ("Europe/Berlin", None),
    ],
)
def test_vtimezone_rules_for_other_zones_match_zoneinfo(tzid: str, rules: dict[str, tuple[str, int]] | None) -> None:
    tz = vtimezone(tzid, 2019, 2024)
    parts = {p.name: p for p in tz.subcomponents}
    assert set(parts) == {"DAYLIGHT", "STANDARD"}
    if rules:
        assert {n: p["RRULE"].to_ical().decode() for n, p in parts.items()} == {
            n: f"FREQ=YEARLY;BYDAY={day};BYMONTH={month}" for n, (day, month) in rules.items()
        }
    zi = tz.to_tz()  # icalendar's reading of our rules must agree with the real zone every year
    from zoneinfo import ZoneInfo

    real = ZoneInfo(tzid)
    for year in range(2019, 2025):
        for month in range(1, 13):
            t = datetime(year, month, 15, 12)
            assert t.replace(tzinfo=zi).utcoffset() == t.replace(tzinfo=real).utcoffset(), (year, month)


def test_vtimezone_falls_back_to_icalendar_for_rules_that_are_not_nth_weekday() -> None:
    """Israel starts summer time on the Friday before the last Sunday of March: not an n-th weekday rule."""
    from zoneinfo import ZoneInfo

    tz = vtimezone("Asia/Jerusalem", 2019, 2024)
    assert any("RDATE" in p for p in tz.subcomponents)
    zi, real = tz.to_tz(), ZoneInfo("Asia/Jerusalem")
    for year in range(2019, 2025):
        for month in range(1, 13):
            t = datetime(year, month, 15, 12)
            assert t.replace(tzinfo=zi).utcoffset() == t.replace(tzinfo=real).utcoffset(), (year, month)


def test_vtimezone_of_a_zone_without_summer_time_is_one_standard_observance() -> None:
    tz = vtimezone("Asia/Tokyo", 2019, 2020)
    assert [p.name for p in tz.subcomponents] == ["STANDARD"]
    assert tz.subcomponents[0]["TZOFFSETTO"].td == timedelta(hours=9)


# ---- updates in place ------------------------------------------------------------------------------


def test_reexport_keeps_every_uid_and_raises_sequence_only_on_moved_entries(tmp_path: Path) -> None:
    timeline = tmp_path / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    _, first = ics(tmp_path, timeline, "--tasks", name="a.ics")
    assert (tmp_path / ".govflow" / "calendar.sqlite").exists()
    # guidance two days later (draft still makes the 19 Sep papers), and the Board moves to 14:00
    timeline.write_text(text.replace("on: 2019-09-02", "on: 2019-09-04").replace('"13:30"', '"14:00"'))
    result = run(timeline, "--tasks", "-o", tmp_path / "a.ics", "--stamp", "2019-09-06T09:00:00Z")
    assert "4 moved" in result.stdout
    second = parse((tmp_path / "a.ics").read_bytes())
    assert set(second) == set(first)
    moved = {uid for uid in first if first[uid][:2] != second[uid][:2]}
    assert moved == {
        "calendar-demo.guidance.event@govflow",
        "calendar-demo.draft.task@govflow",
        "calendar-demo.board-review.meeting@govflow",
        "calendar-demo.board-approval.meeting@govflow",
    }
    assert {uid: e[2] for uid, e in second.items()} == {uid: int(uid in moved) for uid in first}
    # unchanged again: nothing rises; moved again: only that entry rises, to 2
    run(timeline, "--tasks", "-o", tmp_path / "a.ics", "--stamp", STAMP)
    assert {uid: e[2] for uid, e in parse((tmp_path / "a.ics").read_bytes()).items()} == {
        uid: int(uid in moved) for uid in first
    }
    timeline.write_text(timeline.read_text().replace("on: 2019-09-04", "on: 2019-09-03"))
    run(timeline, "--tasks", "-o", tmp_path / "a.ics", "--stamp", STAMP)
    third = parse((tmp_path / "a.ics").read_bytes())
    assert third["calendar-demo.guidance.event@govflow"][2] == 2
    assert third["calendar-demo.board-review.meeting@govflow"][2] == 1
    assert third["calendar-demo.submission.deadline@govflow"][2] == 0


def test_sequence_rises_when_status_or_location_changes_and_the_file_counts_it(tmp_path: Path) -> None:
    """RFC 5545 3.8.7.4: a TBC meeting confirmed (TENTATIVE -> CONFIRMED) on its planned day, or a
    room change, is an update clients must apply: SEQUENCE rises, and the file says 'changed'."""
    timeline = tmp_path / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    _, first = ics(tmp_path, timeline)
    hwb, papers = "calendar-demo.hwb-review.meeting@govflow", "calendar-demo.hwb-review.papers@govflow"
    assert first[hwb][2:4] == (0, "TENTATIVE")
    timeline.write_text(text.replace("{date: late Oct 2019 TBC}", "2019-10-31"))  # confirmed, same day
    result = run(timeline, "-o", tmp_path / "out.ics", "--stamp", STAMP)
    second = parse((tmp_path / "out.ics").read_bytes())
    assert second[hwb][:4] == (first[hwb][0], first[hwb][1], 1, "CONFIRMED")
    assert second[papers][2:4] == (1, "CONFIRMED")  # and moved: due 5 working days before the day, not the window
    assert all(second[u][2] == 0 for u in second if ".hwb-review." not in u)
    assert "0 new, 1 moved, 1 changed, 0 cancelled" in result.stdout
    # the Board's room changes: its meetings rise, nothing else
    timeline.write_text(timeline.read_text().replace("Board Room, Carlisle", "Room 2, Penrith"))
    result = run(timeline, "-o", tmp_path / "out.ics", "--stamp", STAMP)
    third = parse((tmp_path / "out.ics").read_bytes())
    rose = {u for u in third if third[u][2] != second[u][2]}
    assert rose == {"calendar-demo.board-review.meeting@govflow", "calendar-demo.board-approval.meeting@govflow"}
    assert "0 new, 0 moved, 2 changed, 0 cancelled" in result.stdout
    # a longer meeting (same start) is a move: its end changed
    timeline.write_text(timeline.read_text().replace("duration: 3h", "duration: 4h"))
    result = run(timeline, "-o", tmp_path / "out.ics", "--stamp", STAMP)
    assert "0 new, 2 moved, 0 changed, 0 cancelled" in result.stdout
    # unchanged: nothing rises
    result = run(timeline, "-o", tmp_path / "out.ics", "--stamp", STAMP)
    assert "0 new, 0 moved, 0 changed, 0 cancelled" in result.stdout


def test_counts_are_for_the_file_written(tmp_path: Path) -> None:
    """A file's new/moved counts are what its own recipients see, whatever other files showed."""
    timeline = tmp_path / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    run(timeline, "-o", tmp_path / "all.ics", "--stamp", STAMP)
    people = tmp_path / "people"
    result = run(timeline, "--per-attendee", people, "--stamp", STAMP)  # a new folder after all.ics
    assert f"wrote {people / 'chair@example.nhs.uk.ics'} (4 entries: 4 new, 0 moved" in result.stdout
    timeline.write_text(text.replace('"13:30"', '"14:00"'))
    run(timeline, "-o", tmp_path / "all.ics", "--stamp", STAMP)  # all.ics first: the move is in the state
    result = run(timeline, "--per-attendee", people, "--stamp", STAMP)
    assert f"wrote {people / 'chair@example.nhs.uk.ics'} (4 entries: 0 new, 2 moved" in result.stdout
    chair = parse((people / "chair@example.nhs.uk.ics").read_bytes())
    assert chair["calendar-demo.board-review.meeting@govflow"][2] == 1  # one SEQUENCE per UID across files


def test_state_file_of_schema_1_is_upgraded_in_place(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    db = sqlite3.connect(state)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '1');"
        "CREATE TABLE events (uid TEXT PRIMARY KEY, sequence INTEGER NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL,"
        " summary TEXT NOT NULL, attendees TEXT NOT NULL, organizer TEXT, stamp TEXT NOT NULL);"
        "CREATE TABLE feed_events (feed TEXT NOT NULL, uid TEXT NOT NULL, status TEXT NOT NULL, sequence INTEGER"
        " NOT NULL, PRIMARY KEY (feed, uid));"
        "INSERT INTO events VALUES ('calendar-demo.guidance.event@govflow', 3, '2019-09-02', '2019-09-03', 'G', '',"
        " NULL, 'x');"
        "INSERT INTO feed_events VALUES ('out.ics', 'calendar-demo.guidance.event@govflow', 'active', 3);"
    )
    db.commit()
    db.close()
    result = run(TIMED, "--state", state, "-o", tmp_path / "out.ics", "--stamp", STAMP)
    entries = parse((tmp_path / "out.ics").read_bytes())
    assert entries["calendar-demo.guidance.event@govflow"][2] == 3  # unknown status: not a change
    assert "(10 entries: 9 new, 0 moved, 0 changed" in result.stdout
    db = sqlite3.connect(state)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("2",)
    assert db.execute("SELECT status FROM events WHERE uid = 'calendar-demo.guidance.event@govflow'").fetchone() == (
        "CONFIRMED",
    )


def test_as_of_later_moves_entries_without_changing_uids(tmp_path: Path) -> None:
    timeline = tmp_path / "nc.yaml"
    shutil.copy(NC, timeline)
    shutil.copytree(NC.parent / "bodies", tmp_path / "bodies")  # the body library it uses
    _, first = ics(tmp_path, timeline, "--tasks")
    result = run(timeline, "--tasks", "--as-of", "2019-09-10", "-o", tmp_path / "out.ics", "--stamp", STAMP)
    later = parse((tmp_path / "out.ics").read_bytes())
    assert set(later) <= set(first)  # same UIDs; what can no longer be scheduled is left out and said so
    for uid in set(first) - set(later):
        assert f"warning: {uid.split('.')[1]}: left out of the calendar: it cannot be scheduled" in result.stderr
    moved = {uid for uid in later if first[uid][:2] != later[uid][:2]}
    assert "north-cumbria-2019.summary-strategy.task@govflow" in moved  # not started by 10 Sep: starts later
    assert all(later[uid][2] == (1 if uid in moved else 0) for uid in later)


def test_cancel_removed_cancels_what_the_previous_export_had(tmp_path: Path) -> None:
    timeline = tmp_path / "nc.yaml"
    shutil.copytree(NC.parent / "bodies", tmp_path / "bodies")  # the body library it uses
    text = NC.read_text()
    timeline.write_text(text)
    _, first = ics(tmp_path, timeline)
    gone = "north-cumbria-2019.implementation-programme.event@govflow"
    assert gone in first
    block = (
        "  implementation-programme:\n"
        "    title: Publication of the national implementation programme for the Long Term Plan\n"
        "    level: national\n"
        "    on: Dec-19\n"
    )
    assert block in text
    timeline.write_text(text.replace(block, ""))
    _, second = ics(tmp_path, timeline, "--cancel-removed")
    assert set(second) == set(first)
    start, end, seq, status, summary = second[gone]
    assert (start, end, seq, status) == (date(2019, 12, 31), date(2020, 1, 1), 1, "CANCELLED")
    assert summary.startswith("Cancelled: Publication of the national implementation programme")
    assert all(e[3] != "CANCELLED" for uid, e in second.items() if uid != gone)
    # the cancellation stays in later exports, at the same SEQUENCE
    _, third = ics(tmp_path, timeline, "--cancel-removed")
    assert third[gone][2:4] == (1, "CANCELLED")
    # without --cancel-removed a removed entry just disappears
    _, fourth = ics(tmp_path, timeline)
    assert gone not in fourth
    # restored: it comes back above the cancellation
    timeline.write_text(text)
    _, fifth = ics(tmp_path, timeline, "--cancel-removed")
    assert fifth[gone][2:4] == (2, "TENTATIVE")


def test_state_file_tables_are_as_documented(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    ics(tmp_path, TIMED, "--state", state)
    db = sqlite3.connect(state)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"meta", "events", "feed_events"}
    row = db.execute(
        "SELECT sequence, start, end FROM events WHERE uid = 'calendar-demo.board-review.meeting@govflow'"
    ).fetchone()
    assert row == (0, "2019-09-26T13:30:00[Europe/London]", "2019-09-26T16:30:00[Europe/London]")
    assert db.execute("SELECT DISTINCT feed FROM feed_events").fetchall() == [("out.ics",)]
    assert not (TIMED.parent / ".govflow").exists(), "--state elsewhere leaves the timeline's folder alone"


# ---- invitations, people ---------------------------------------------------------------------------


def test_request_is_one_invitation_per_event_each_with_organizer_and_attendees(tmp_path: Path) -> None:
    """Outlook reads only the first VEVENT of an invitation; RFC 5546 wants an ATTENDEE in each REQUEST."""
    result = run(TIMED, "--no-state", "--tasks", "--method", "request", "-o", tmp_path / "inv", "--stamp", STAMP)
    files = {p.name: p.read_bytes() for p in sorted((tmp_path / "inv").iterdir())}
    _, everything = ics(tmp_path, TIMED, "--no-state", "--tasks", name="all.ics")
    uids = {}
    for name, data in files.items():
        cal = icalendar.Calendar.from_ical(data)
        assert cal["METHOD"] == "REQUEST"
        (ev,) = cal.walk("VEVENT")
        assert ev["ORGANIZER"] == "mailto:planning.lead@example.nhs.uk" and ev.get("ATTENDEE"), name
        uids[str(ev["UID"])] = name
        assert parse(data)[str(ev["UID"])] == everything[str(ev["UID"])]  # the same entry as the publish file
    assert uids["calendar-demo.board-review.meeting@govflow"] == "2019-09-26-meeting-board-review.ics"
    assert uids["calendar-demo.board-review.papers@govflow"] == "2019-09-19-papers-board-review.ics"
    # the national event nobody owns or attends is only in the publish calendar, and the user is told
    unattended = set(everything) - set(uids)
    assert unattended == {"calendar-demo.guidance.event@govflow", "calendar-demo.bank-holiday-papers.meeting@govflow",
                          "calendar-demo.bank-holiday-papers.papers@govflow"}  # fmt: skip
    assert "3 entries have no attendee and cannot be sent as invitations" in said(result)
    assert f"wrote {tmp_path / 'inv'}/ (8 invitations; 8 entries: 8 new, 0 moved, 0 changed, 0 cancelled)" in (
        result.stdout
    )
    cal = icalendar.Calendar.from_ical(files[uids["calendar-demo.board-review.meeting@govflow"]])
    ev = next(e for e in cal.walk("VEVENT") if e["UID"] == "calendar-demo.board-review.meeting@govflow")
    assert ev["ORGANIZER"] == "mailto:planning.lead@example.nhs.uk"
    assert sorted(str(a) for a in ev["ATTENDEE"]) == [
        "mailto:board.secretary@example.nhs.uk",
        "mailto:chair@example.nhs.uk",
        "mailto:strategy.lead@example.nhs.uk",
    ]
    assert all(a.params["RSVP"] == "TRUE" for a in ev["ATTENDEE"])
    published, _ = ics(tmp_path, TIMED, "--no-state", name="pub.ics")
    assert b"METHOD:PUBLISH" in published and b"ATTENDEE" not in published and b"ORGANIZER" not in published


def test_request_cancellations_are_method_cancel_files_one_per_event(tmp_path: Path) -> None:
    timeline = tmp_path / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    first = invites(tmp_path, timeline)
    assert "2019-10-31-meeting-hwb-review.ics" in first
    # hwb-review is dropped from the route: its meeting and papers invitations must be cancelled
    removed = text.replace("    after: [hwb-review]\n", "    after: [board-review]\n")
    removed = removed.replace(
        "  hwb-review:\n    title: HWB recommends the plan\n    at: hwb\n    after: [board-review]\n", ""
    )
    assert removed.count("hwb-review") == 0
    timeline.write_text(removed)
    result = run(timeline, "--method", "request", "--cancel-removed", "-o", tmp_path / "invites", "--stamp", STAMP)
    assert "2 cancelled" in result.stdout
    folder = tmp_path / "invites"
    cancels = {"2019-10-31-cancelled-meeting-hwb-review.ics", "2019-10-14-cancelled-papers-hwb-review.ics"}
    names = {p.name for p in folder.iterdir()}
    assert cancels <= names and not names & {c.replace("cancelled-", "") for c in cancels}
    # the Board's approval moves up to October: its file is renamed, the November one is gone
    assert "2019-10-31-meeting-board-approval.ics" in names and "2019-11-28-meeting-board-approval.ics" not in names
    assert len(names) == len(first), "one file per entry, nothing stale"
    for name in cancels:
        data = (folder / name).read_bytes()
        ((uid, e),) = parse(data).items()
        assert e[2:4] == (1, "CANCELLED") and ".hwb-review." in uid
        cal = icalendar.Calendar.from_ical(data)
        assert cal["METHOD"] == "CANCEL"
        (ev,) = cal.walk("VEVENT")
        assert ev["ORGANIZER"] == "mailto:planning.lead@example.nhs.uk"
        assert str(ev["ATTENDEE"]) == "mailto:hwb.clerk@example.nhs.uk"
    for name in {p.name for p in folder.iterdir()} - cancels:
        assert icalendar.Calendar.from_ical((folder / name).read_bytes())["METHOD"] == "REQUEST"
    # without --cancel-removed nothing is cancelled, and the old cancel files are not left to be sent again
    run(timeline, "--method", "request", "-o", folder, "--stamp", STAMP)
    assert not any("cancelled" in p.name for p in folder.iterdir())
    (folder / "notes.ics").write_bytes(b"BEGIN:VCALENDAR\r\nPRODID:someone else\r\nEND:VCALENDAR\r\n")
    run(timeline, "--method", "request", "-o", folder, "--stamp", STAMP)
    assert (folder / "notes.ics").exists(), "files govflow did not write are left alone"


def test_request_without_organizer_is_a_clear_error(tmp_path: Path) -> None:
    timeline = tmp_path / "t.yaml"
    timeline.write_text(TIMED.read_text().replace("organizer: planning.lead@example.nhs.uk\n", ""))
    result = run(timeline, "--no-state", "--method", "request", "-o", tmp_path / "x", code=2)
    assert f"invitations need an organizer: add 'organizer: <address>' to {timeline}" in result.stderr
    assert not (tmp_path / "x").exists()
    result = run(TIMED, "--no-state", "--method", "request", "-o", tmp_path / "x.ics", code=2)
    assert f"invitations are one file per event: give a folder, e.g. -o {tmp_path / 'x'}/" in said(result)


def test_per_attendee_invitations_are_one_file_per_person_per_event(tmp_path: Path) -> None:
    people = tmp_path / "people"
    result = run(TIMED, "--no-state", "--tasks", "--method", "request", "--per-attendee", people, "--stamp", STAMP)
    chair = people / "chair@example.nhs.uk"
    assert sorted(p.name for p in chair.iterdir()) == [
        "2019-09-19-papers-board-review.ics",
        "2019-09-26-meeting-board-review.ics",
        "2019-11-21-papers-board-approval.ics",
        "2019-11-28-meeting-board-approval.ics",
    ]
    assert f"wrote {chair}/ (4 invitations; 4 entries: 4 new, 0 moved, 0 changed, 0 cancelled)" in result.stdout
    for person in people.iterdir():
        for f in person.iterdir():
            cal = icalendar.Calendar.from_ical(f.read_bytes())
            (ev,) = cal.walk("VEVENT")
            attendees = ev["ATTENDEE"] if isinstance(ev["ATTENDEE"], list) else [ev["ATTENDEE"]]
            assert cal["METHOD"] == "REQUEST" and f"mailto:{person.name}" in [str(a) for a in attendees]


def test_per_attendee_writes_one_file_per_person_with_only_their_entries(tmp_path: Path) -> None:
    _, everything = ics(tmp_path, TIMED, "--no-state", "--tasks")
    people = tmp_path / "people"
    result = run(TIMED, "--no-state", "--tasks", "--per-attendee", people, "--stamp", STAMP)
    files = sorted(p.name for p in people.iterdir())
    assert files == [
        "board.secretary@example.nhs.uk.ics",
        "chair@example.nhs.uk.ics",
        "hwb.clerk@example.nhs.uk.ics",
        "strategy.lead@example.nhs.uk.ics",
    ]
    assert result.stdout.count("wrote ") == 4
    hwb = parse((people / "hwb.clerk@example.nhs.uk.ics").read_bytes())
    assert set(hwb) == {"calendar-demo.hwb-review.meeting@govflow", "calendar-demo.hwb-review.papers@govflow"}
    chair = parse((people / "chair@example.nhs.uk.ics").read_bytes())
    assert set(chair) == {
        f"calendar-demo.{i}.{k}@govflow" for i in ("board-review", "board-approval") for k in ("meeting", "papers")
    }
    lead = parse((people / "strategy.lead@example.nhs.uk.ics").read_bytes())
    assert "calendar-demo.draft.task@govflow" in lead and "calendar-demo.submission.deadline@govflow" in lead
    assert "calendar-demo.hwb-review.meeting@govflow" not in lead
    for name in files:  # each person's entries are the same entries as in the full file
        for uid, e in parse((people / name).read_bytes()).items():
            assert e == everything[uid]
    cal = icalendar.Calendar.from_ical((people / "chair@example.nhs.uk.ics").read_bytes())
    assert "chair@example.nhs.uk" in str(cal["X-WR-CALNAME"])


# ---- content -----------------------------------------------------------------------------------


def test_tbc_is_tentative_and_unschedulable_items_are_left_out_with_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "t.ics"
    result = run(TIMED, "--no-state", "-o", out, "--stamp", STAMP)
    entries = parse(out.read_bytes())
    hwb = entries["calendar-demo.hwb-review.meeting@govflow"]
    assert hwb[3] == "TENTATIVE" and hwb[4] == "HWB recommends the plan (TBC)"
    assert entries["calendar-demo.hwb-review.papers@govflow"][3] == "TENTATIVE"
    assert entries["calendar-demo.board-review.meeting@govflow"][3] == "CONFIRMED"
    assert not any("late-review" in uid for uid in entries)
    assert "govflow: warning: late-review: left out of the calendar: it cannot be scheduled" in result.stderr
    assert "no meeting of Clinical panel ('panel') is late enough" in result.stderr


def test_titles_with_newlines_commas_semicolons_and_non_ascii_round_trip(tmp_path: Path) -> None:
    data, entries = ics(tmp_path, TIMED, "--no-state", "--tasks")
    assert entries["calendar-demo.board-review.meeting@govflow"][4] == (
        "Board reviews the plan:\nfirst reading, questions; Cymraeg: Bwrdd"
    )
    assert entries["calendar-demo.draft.task@govflow"][4] == "Draft the plan, v1; «résumé» ✓"
    assert b"SUMMARY:Draft the plan\\, v1\\; \xc2\xabr\xc3\xa9sum\xc3\xa9\xc2\xbb \xe2\x9c\x93\r\n" in data
    assert b"NAME:Calendar demo: Caf\xc3\xa9\\, Ysbyty\\; sign-off\r\n" in data
    assert IcsCalendarStream.calendar_from_ics(data.decode()).name == ["Calendar demo: Café, Ysbyty; sign-off"]
    cal = icalendar.Calendar.from_ical(data)
    ev = next(e for e in cal.walk("VEVENT") if e["UID"] == "calendar-demo.board-review.meeting@govflow")
    assert str(ev["LOCATION"]) == "Board Room, Carlisle; 2nd floor"
    assert "Trust Board, Thu 26 Sep 2019, 13:30-16:30" in str(ev["DESCRIPTION"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from('\n,;\\:"'), min_size=1))
@example(title="Form \\N4 \\n")  # a literal backslash-N is not a line break (icalendar's escaping made it one)
def test_any_title_round_trips_through_both_parsers(title: str) -> None:
    programme = govflow.load([TIMED])
    (t,) = programme.timelines
    items = dict(t.items)
    items["draft"] = replace(items["draft"], title=title)
    items["submission"] = replace(items["submission"], title=title)
    t2 = replace(t, items=items)
    sched = govflow.schedule(Programme.of((t2,)))
    entries = parse(
        render_ics(export(sched, datetime(2019, 9, 5, 9, tzinfo=UTC), CalendarOptions(tasks=True)).calendar)
    )
    assert entries["calendar-demo.draft.task@govflow"][4] == title
    assert entries["calendar-demo.submission.deadline@govflow"][4] == f"Deadline: {title}"


def test_papers_reminder_counts_working_days_over_the_bank_holiday(tmp_path: Path) -> None:
    data, _ = ics(tmp_path, TIMED, "--no-state")
    cal = icalendar.Calendar.from_ical(data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    papers = events["calendar-demo.bank-holiday-papers.papers@govflow"]
    assert papers.decoded("DTSTART") == date(2019, 8, 28)
    (alarm,) = papers.walk("VALARM")
    # 2 working days before Wed 28 Aug is Fri 23 Aug (Mon 26 Aug is a bank holiday), at 09:00
    assert alarm.decoded("TRIGGER") == -timedelta(days=5) + timedelta(hours=9)
    (deadline_alarm,) = events["calendar-demo.submission.deadline@govflow"].walk("VALARM")
    assert deadline_alarm.decoded("TRIGGER") == -timedelta(days=7) + timedelta(hours=9)  # 5 working days: Fri 22 Nov
    assert not events["calendar-demo.board-review.meeting@govflow"].walk("VALARM")
    ical_alarms = IcsCalendarStream.calendar_from_ics(data.decode()).events
    assert [a.trigger for e in ical_alarms if e.uid == papers["UID"] for a in e.alarm] == [timedelta(days=-5, hours=9)]


def test_reminders_can_be_moved_or_turned_off(tmp_path: Path) -> None:
    data, _ = ics(tmp_path, TIMED, "--no-state", "--papers-alarm", "off", "--deadline-alarm", "0")
    assert b"VALARM" not in data
    data, _ = ics(tmp_path, TIMED, "--no-state", "--papers-alarm", "1", "--deadline-alarm", "off")
    cal = icalendar.Calendar.from_ical(data)
    papers = next(e for e in cal.walk("VEVENT") if e["UID"] == "calendar-demo.bank-holiday-papers.papers@govflow")
    assert papers.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(days=1) + timedelta(hours=9)  # Tue 27 Aug
    assert data.count(b"BEGIN:VALARM") == sum(1 for e in cal.walk("VEVENT") if ".papers@" in str(e["UID"]))


def test_feed_properties_for_subscribing(tmp_path: Path) -> None:
    data, _ = ics(tmp_path, NC, "--no-state", "--name", "Strategy dates")
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0"
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == "Strategy dates"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data and b"X-PUBLISHED-TTL:PT12H\r\n" in data
    strict = IcsCalendarStream.calendar_from_ics(data.decode())
    assert strict.refresh_interval == timedelta(hours=12)


def test_dtstamp_is_the_stamp_passed_in_and_output_is_repeatable() -> None:
    sched = govflow.schedule(govflow.load([TIMED]))
    a = render_ics(export(sched, datetime(2019, 9, 5, 10, tzinfo=UTC)).calendar)
    b = render_ics(export(sched, datetime(2019, 9, 5, 10, tzinfo=UTC)).calendar)
    c = render_ics(export(sched, datetime(2020, 1, 1, tzinfo=UTC)).calendar)
    assert a == b and a != c
    assert a.count(b"DTSTAMP:20190905T100000Z\r\n") == a.count(b"BEGIN:VEVENT")
    with pytest.raises(ValueError, match="timezone-aware"):
        export(sched, datetime(2019, 9, 5, 10))


def test_default_stamp_is_now(tmp_path: Path) -> None:
    out = tmp_path / "now.ics"
    run(TIMED, "--no-state", "-o", out)
    ev = next(iter(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")))
    assert abs(ev.decoded("DTSTAMP") - datetime.now(UTC)) < timedelta(minutes=5)


# ---- filters ---------------------------------------------------------------------------------------


def test_filters_by_body_owner_level_and_dates(tmp_path: Path) -> None:
    _, board = ics(tmp_path, TIMED, "--no-state", "--body", "board")
    assert set(board) == {
        f"calendar-demo.{i}.{k}@govflow" for i in ("board-review", "board-approval") for k in ("meeting", "papers")
    }
    _, owned = ics(tmp_path, TIMED, "--no-state", "--owner", "Strategy.Lead@example.nhs.uk", "--tasks")
    assert {u.split(".")[1] for u in owned} == {"draft", "board-review", "board-approval", "submission"}
    _, national = ics(tmp_path, TIMED, "--no-state", "--level", "national")
    assert set(national) == {"calendar-demo.guidance.event@govflow", "calendar-demo.submission.deadline@govflow"}
    _, october = ics(tmp_path, TIMED, "--no-state", "--from", "2019-10-01", "--to", "Oct 2019")
    assert set(october) == {"calendar-demo.hwb-review.papers@govflow", "calendar-demo.hwb-review.meeting@govflow"}
    _, both = ics(tmp_path, TIMED, "--no-state", "--body", "board", "--body", "hwb", "--to", "2019-10-31")
    assert {u.split(".")[1] for u in both} == {"board-review", "hwb-review"}


def test_library_checks_options_against_the_programme() -> None:
    sched = govflow.schedule(govflow.load([NC]))
    stamp = datetime(2019, 9, 5, tzinfo=UTC)
    with pytest.raises(CalendarError, match="did you mean 'trust-board'"):
        export(sched, stamp, CalendarOptions(bodies=("trust-bord",)))
    with pytest.raises(CalendarError, match="'regoinal' is not one of national, regional, local"):
        export(sched, stamp, CalendarOptions(levels=("regoinal",)))
    with pytest.raises(CalendarError, match="method must be"):
        export(sched, stamp, CalendarOptions(method="invite"))
    assert export(sched, stamp, CalendarOptions(bodies=("north-cumbria-2019:trust-board",))).events


# ---- CLI errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--body", "trust-bord"],
            "--body 'trust-bord' is not a body of the timelines given; did you mean 'trust-board'?",
        ),
        (["--level", "county"], "--level 'county' is not one of national, regional, local"),
        (["--from", "2019-12-01", "--to", "2019-11-01"], "--from 2019-12-01 is after --to 2019-11-01"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], message: str, tmp_path: Path) -> None:
    result = run(NC, "--no-state", "-o", tmp_path / "x.ics", *args, code=2)
    assert f"govflow: error: {message}" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.ics").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stamp", "yesterday"], "cannot read 'yesterday'"),
        (["--method", "invite"], "'invite' is not 'publish' or 'request'"),
        (["--papers-alarm", "two"], "'two' is not a number of working days or 'off'"),
        (["--deadline-alarm", "-1"], "-1 is negative"),
        (["--no-state", "--cancel-removed"], "--cancel-removed needs the state of the previous export"),
        (["--from", "someday"], "cannot read 'someday'"),
        (["--as-of", "someday"], "cannot read 'someday'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = run(NC, "-o", tmp_path / "x.ics", *args, code=2)
    assert message in said(result), result.stderr


def test_output_is_required_and_never_a_timeline(tmp_path: Path) -> None:
    assert "-o OUT.ics and/or --per-attendee DIR" in said(run(NC, code=2))
    timeline = tmp_path / "nc.yaml"
    shutil.copy(NC, timeline)
    shutil.copytree(NC.parent / "bodies", tmp_path / "bodies")  # the body library it uses
    before = hashlib.sha256(timeline.read_bytes()).hexdigest()
    result = run(timeline, "-o", timeline, code=2)
    assert "is a timeline file; govflow never overwrites timelines" in said(result)
    run(timeline, "-o", tmp_path / "ok.ics", "--cancel-removed", "--tasks")
    assert hashlib.sha256(timeline.read_bytes()).hexdigest() == before


def test_invalid_timeline_is_reported_compiler_style(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TIMED.read_text().replace("at: board\n", "at: bord\n", 1))
    result = run(bad, "--no-state", "-o", tmp_path / "x.ics", code=2)
    assert (
        f"{bad}:" in result.stderr
        and "error[unknown-body]" in result.stderr
        and "did you mean 'board'" in result.stderr
    )


def test_unwritable_output_and_damaged_state_exit_2(tmp_path: Path) -> None:
    result = run(TIMED, "--no-state", "-o", tmp_path / "missing" / "x.ics", code=2)
    assert "govflow: error: cannot write" in result.stderr
    state = tmp_path / "state.sqlite"
    state.write_bytes(b"this is not a database" * 100)
    result = run(TIMED, "--state", state, "-o", tmp_path / "x.ics", code=2)
    assert f"govflow: error: cannot use the calendar state file {state}" in result.stderr


def test_state_history_round_trips_through_sqlite(tmp_path: Path) -> None:
    sched = govflow.schedule(govflow.load([TIMED]))
    stamp = datetime(2019, 9, 5, tzinfo=UTC)
    ex = export(sched, stamp)
    store = CalendarState(tmp_path / "s.sqlite")
    store.record("feed.ics", ex.events, stamp)
    history = store.history("feed.ics")
    store.close()
    assert set(history.feed) == {e.uid for e in ex.events}
    for e in ex.events:
        assert history.events[e.uid].timing == e.timing
    again = export(sched, stamp, history=history)
    assert again.moved == () and again.new == ()
    assert export(sched, stamp, history=History()).new == tuple(e.uid for e in ex.events)


def test_readme_calendar_examples_are_real_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text()
    (tmp_path / "timelines").mkdir()
    for f in (ROOT / "timelines").glob("*.yaml"):
        shutil.copy(f, tmp_path / "timelines" / f.name)
    shutil.copytree(ROOT / "timelines" / "bodies", tmp_path / "timelines" / "bodies")
    monkeypatch.chdir(tmp_path)
    nc = "timelines/north-cumbria-2019.yaml"
    for args in (
        [nc, "-o", "north-cumbria.ics"],
        [nc, "-o", "north-cumbria.ics", "--as-of", "2019-09-12", "--cancel-removed"],
    ):
        result = run(*args)
        assert f"$ govflow calendar {' '.join(args)}\n" in readme
        for line in (result.stderr + result.stdout).splitlines():
            assert line in readme, line
    fresh = tmp_path / "fresh"  # the per-attendee example is a first export
    shutil.copytree(tmp_path / "timelines", fresh / "timelines", ignore=shutil.ignore_patterns(".govflow"))
    monkeypatch.chdir(fresh)
    result = run(nc, "--per-attendee", "people/", "--method", "request")
    assert f"$ govflow calendar {nc} --per-attendee people/ --method request\n" in readme
    for line in result.stdout.splitlines()[:3]:
        assert line in readme, line


def test_sequence_is_one_counter_per_uid_across_files_and_never_goes_down(tmp_path: Path) -> None:
    """A file filtered to some bodies cancels what leaves it; the other files never see SEQUENCE fall."""
    timeline = tmp_path / "timed.yaml"
    shutil.copy(TIMED, timeline)
    ics(tmp_path, timeline, name="all.ics")
    ics(tmp_path, timeline, "--body", "board", "--body", "hwb", name="boards.ics")
    _, narrowed = ics(tmp_path, timeline, "--body", "board", "--cancel-removed", name="boards.ics")
    hwb = "calendar-demo.hwb-review.meeting@govflow"
    assert narrowed[hwb][2:4] == (1, "CANCELLED")  # left that file: cancelled there
    _, everything = ics(tmp_path, timeline, "--cancel-removed", name="all.ics")
    assert everything[hwb][3] == "TENTATIVE"
    assert {e[3] for e in everything.values()} == {"CONFIRMED", "TENTATIVE"}
    # the global SEQUENCE went up with the cancellation, and never goes back down
    assert everything[hwb][2] == 1 and all(e[2] == 0 for uid, e in everything.items() if ".hwb-review." not in uid)
    _, widened = ics(tmp_path, timeline, "--body", "board", "--body", "hwb", "--cancel-removed", name="boards.ics")
    assert widened[hwb][2:4] == (2, "TENTATIVE")  # back in the file that cancelled it: above the cancellation


def test_per_attendee_cancels_for_a_person_who_no_longer_attends_anything(tmp_path: Path) -> None:
    timeline = tmp_path / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    people = tmp_path / "people"
    run(timeline, "--per-attendee", people, "--stamp", STAMP)
    clerk = people / "hwb.clerk@example.nhs.uk.ics"
    assert len(parse(clerk.read_bytes())) == 2
    removed = text.replace("    after: [hwb-review]\n", "    after: [board-review]\n").replace(
        "  hwb-review:\n    title: HWB recommends the plan\n    at: hwb\n    after: [board-review]\n", ""
    )
    timeline.write_text(removed)
    result = run(timeline, "--per-attendee", people, "--cancel-removed", "--stamp", STAMP)
    assert f"wrote {clerk} (0 entries: 0 new, 0 moved, 0 changed, 2 cancelled)" in result.stdout
    assert {e[2:4] for e in parse(clerk.read_bytes()).values()} == {(1, "CANCELLED")}


def test_bodies_in_a_programme_of_several_timelines(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "govflow: 1\nid: other\nstart: 2019-04-01\n"
        "bodies:\n  board: {name: Other Board, meets: [2019-10-10]}\n"
        "items:\n  sign: {title: Other Board signs, at: board}\n"
    )
    out = tmp_path / "x.ics"
    result = run(TIMED, other, "--no-state", "-o", out, "--body", "board", code=2)
    assert "--body 'board' is a body of several timelines (calendar-demo, other); write it as 'timeline:board'" in (
        result.stderr
    )
    run(TIMED, other, "--no-state", "-o", out, "--body", "other:board", "--stamp", STAMP)
    assert set(parse(out.read_bytes())) == {"other.sign.meeting@govflow", "other.sign.papers@govflow"}
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    assert str(cal["X-WR-CALNAME"]).endswith("(+ 1 other timeline)")


def test_meetings_from_a_calendar_file_keep_their_own_time(tmp_path: Path) -> None:
    """A meeting read from a timed calendar event is at that event's time and length; the body's
    `time` is for the meetings that have none (an all-day TBC event, a `meets` date)."""
    shutil.copy(ROOT / "tests" / "data" / "hwb-2019.ics", tmp_path / "hwb-2019.ics")
    timeline = tmp_path / "t.yaml"
    timeline.write_text(
        "govflow: 1\nid: t\nstart: 2019-07-01\ntimezone: Europe/London\n"
        "bodies:\n  hwb:\n    name: Health and Wellbeing Board\n    time: '09:00'\n    duration: 1h\n"
        "    meets_from: {ics: hwb-2019.ics, match: 'health and wellbeing'}\n"
        "items:\n  draft: {duration: 5}\n  review: {at: hwb, after: [draft]}\n"
        "  long: {duration: 55}\n  later: {at: hwb, after: [long]}\n"
        "  longer: {duration: 72}\n  moved: {at: hwb, after: [longer]}\n"
    )
    _, entries = ics(tmp_path, timeline, "--no-state")
    london = ZoneInfo("Europe/London")
    got = {uid.split(".")[1]: e[:2] for uid, e in entries.items() if uid.endswith(".meeting@govflow")}
    assert got == {
        "review": (datetime(2019, 7, 18, 14, tzinfo=london), datetime(2019, 7, 18, 16, tzinfo=london)),
        "later": (datetime(2019, 10, 4, 9, tzinfo=london), datetime(2019, 10, 4, 10, tzinfo=london)),  # TBC
        "moved": (datetime(2019, 10, 24, 10, tzinfo=london), datetime(2019, 10, 24, 12, 30, tzinfo=london)),
    }


def test_invitations_as_a_zip_hold_the_folders_files_byte_for_byte(tmp_path: Path) -> None:
    """`-o invites.zip`: the same invitations as the folder (names and bytes), one event each, and
    the same zip for the same export."""
    import zipfile

    folder = invites(tmp_path, TIMED, "--tasks", "--no-state")
    result = run(
        TIMED, "--tasks", "--no-state", "--method", "request", "-o", tmp_path / "invites.zip", "--stamp", STAMP
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'invites.zip'} ({len(folder)} invitations;" in result.stdout
    with zipfile.ZipFile(tmp_path / "invites.zip") as z:
        assert z.testzip() is None
        packed = {name: z.read(name) for name in z.namelist()}
    assert packed == folder
    first = (tmp_path / "invites.zip").read_bytes()
    run(TIMED, "--tasks", "--no-state", "--method", "request", "-o", tmp_path / "invites.zip", "--stamp", STAMP)
    assert (tmp_path / "invites.zip").read_bytes() == first
