"""`govflow calendar` and statutory timing (issue 12): "Agenda published" and "Forward plan notice
due" entries, and when a decision takes effect after call-in.

The timeline is `tests/golden/ics/statutory.yaml`; every date below is worked by hand in its header
(England 2019: Good Friday 19 Apr, Easter Monday 22 Apr, bank holidays 6 and 27 May). The new
entries follow the rules of the existing ones: stable UIDs, SEQUENCE rising when they move,
cancellation when they go, the same people as the meeting's papers entry. Both Python parsers read
every file (`parse`); ical.js, libical and Radicale read them in `test_calendar_readers.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
from ical.calendar_stream import IcsCalendarStream

from test_calendar import GOLDEN, STAMP, ics, invites, parse, run

STAT = GOLDEN / "statutory.yaml"
T = "statutory-demo"


def uid(item: str, kind: str) -> str:
    return f"{T}.{item}.{kind}@govflow"


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def lines(ev: icalendar.Event) -> list[str]:
    return str(ev["DESCRIPTION"]).split("\n")


def test_agenda_published_and_notice_due_entries_are_on_the_hand_worked_days() -> None:
    entries = parse((GOLDEN / "statutory.ics").read_bytes())
    day = {u: (e[0], e[3], e[4]) for u, e in entries.items()}
    assert day[uid("approve", "notice")] == (
        date(2019, 4, 24),  # 28 clear days before Thu 23 May: Wed 24 Apr
        "CONFIRMED",
        "Forward plan notice due: Cabinet approves the strategy (Cabinet Thu 23 May 2019, 28 clear calendar days)",
    )
    assert day[uid("approve", "papers")][0] == date(2019, 5, 13)  # 8 working days before
    assert day[uid("approve", "agenda")] == (
        date(2019, 5, 15),  # 5 clear working days before: 16, 17, 20, 21, 22 May lie between
        "CONFIRMED",
        "Agenda published: Cabinet, Thu 23 May 2019 \u2014 papers for Cabinet approves the strategy final",
    )
    assert entries[uid("approve", "meeting")][:2] == (  # 18:00-20:00 BST
        datetime(2019, 5, 23, 17, tzinfo=UTC),
        datetime(2019, 5, 23, 19, tzinfo=UTC),
    )
    assert entries[uid("approve", "agenda")][1] == date(2019, 5, 16), "all-day: ends the next day"
    # the done key decision: notice needed by Wed 20 Feb, papers Mon 11 Mar, agenda Wed 13 Mar
    assert [day[uid("consult", k)][0] for k in ("notice", "papers", "agenda")] == [
        date(2019, 2, 20),
        date(2019, 3, 11),
        date(2019, 3, 13),
    ]
    # the TBC Health and Wellbeing Board (mid Jun): agenda 7 clear calendar days before Tue 11 Jun
    assert day[uid("hwb-note", "agenda")] == (
        date(2019, 6, 3),
        "TENTATIVE",
        "Agenda published: Health and Wellbeing Board, Thu 20 Jun 2019 \u2014 papers for HWB notes the strategy "
        "final (TBC)",
    )
    # no notice entry where the item is not a key decision or the body asks for none
    assert set(entries) == {
        *(uid(i, k) for i in ("consult", "approve") for k in ("notice", "papers", "agenda", "meeting")),
        *(uid("hwb-note", k) for k in ("papers", "agenda", "meeting")),
        uid("publish-strategy", "deadline"),
    }
    # the Cabinet of Thu 25 Apr is in the pre-election period: no decision is planned there
    assert not any(e[0] == date(2019, 4, 25) for e in entries.values())


def test_descriptions_say_when_notice_is_due_was_given_and_when_a_decision_takes_effect() -> None:
    ev = events((GOLDEN / "statutory.ics").read_bytes())
    assert lines(ev[uid("approve", "meeting")])[1:6] == [
        "Cabinet, Thu 23 May 2019, 18:00-20:00",
        "Key decision: forward plan notice due Wed 24 Apr 2019 (28 clear calendar days before)",
        "Papers due Mon 13 May 2019",
        "Agenda published Wed 15 May 2019",
        # call-in: 5 clear working days after Thu 23 May: 24, 28, 29, 30, 31 May (27 May a bank holiday)
        "Takes effect Fri 31 May 2019, when the call-in period (5 clear working days) ends",
    ]
    assert "Takes effect Thu 28 Mar 2019, when the call-in period" in str(ev[uid("consult", "meeting")]["DESCRIPTION"])
    assert lines(ev[uid("approve", "notice")])[:3] == [
        "Key decision: its notice in the forward plan must be published by Wed 24 Apr 2019, 28 clear calendar "
        "days before it, for the Cabinet meeting of Thu 23 May 2019: Cabinet approves the strategy",
        "Notice can be published from Fri 15 Feb 2019",  # scope, its notice_after, finishes then
        "Latest notice that still meets the deadlines: Wed 22 May 2019",  # for the 20 Jun Cabinet
    ]
    consult = ev[uid("consult", "notice")]
    assert lines(consult)[1] == "Notice published Mon 18 Feb 2019"
    assert not consult.walk("VALARM"), "notice already given: no reminder"
    assert lines(ev[uid("approve", "agenda")])[0] == (
        "The agenda for the Cabinet meeting of Thu 23 May 2019 is published today, 5 clear working days before "
        "it: the papers for Cabinet approves the strategy must be final"
    )
    assert lines(ev[uid("hwb-note", "agenda")])[:2] == [
        "The agenda for the Health and Wellbeing Board meeting of Thu 20 Jun 2019 is published today, 7 clear "
        "calendar days before the meeting's window opens (mid Jun 2019 TBC): the papers for HWB notes the "
        "strategy must be final",
        "Meeting date not confirmed (mid Jun 2019 TBC); planned as held Thu 20 Jun 2019",
    ]
    assert [str(c) for c in ev[uid("approve", "notice")]["CATEGORIES"].cats] == ["govflow", "notice", "local"]
    assert [str(c) for c in ev[uid("approve", "agenda")]["CATEGORIES"].cats] == ["govflow", "agenda", "local"]


def test_notice_reminder_counts_working_days_back_over_easter(tmp_path: Path) -> None:
    ev = events((GOLDEN / "statutory.ics").read_bytes())
    (alarm,) = ev[uid("approve", "notice")].walk("VALARM")
    # 2 working days before Wed 24 Apr: Tue 23, then Thu 18 Apr (Good Friday and Easter Monday skipped), 09:00
    assert alarm.decoded("TRIGGER") == -timedelta(days=6) + timedelta(hours=9)
    assert str(alarm["DESCRIPTION"]) == (
        "Forward plan notice due Wed 24 Apr 2019 for Cabinet (Thu 23 May 2019): Cabinet approves the strategy"
    )
    assert not ev[uid("approve", "agenda")].walk("VALARM"), "the papers-due entry already reminds"
    strict = IcsCalendarStream.calendar_from_ics((GOLDEN / "statutory.ics").read_text(encoding="utf-8"))
    assert [a.trigger for e in strict.events if e.uid == uid("approve", "notice") for a in e.alarm] == [
        timedelta(days=-6, hours=9)
    ]
    data, _ = ics(tmp_path, STAT, "--no-state", "--papers-alarm", "1")
    (alarm,) = events(data)[uid("approve", "notice")].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=1) + timedelta(hours=9)  # Tue 23 Apr
    data, _ = ics(tmp_path, STAT, "--no-state", "--papers-alarm", "off")
    assert not events(data)[uid("approve", "notice")].walk("VALARM")


def test_entries_move_in_place_when_the_cabinet_defers_and_are_cancelled_when_they_go(tmp_path: Path) -> None:
    timeline = tmp_path / "statutory.yaml"
    text = STAT.read_text(encoding="utf-8")
    timeline.write_text(text, encoding="utf-8")
    out = tmp_path / "council.ics"
    first = run(timeline, "-o", out, "--stamp", STAMP)
    assert first.stdout == f"wrote {out} (12 entries: 12 new, 0 moved, 0 changed, 0 cancelled)\n"
    before = parse(out.read_bytes())

    # the Cabinet of 23 May defers the strategy: it goes to Thu 20 Jun. Notice by 20 Jun - 29 days =
    # Wed 22 May; papers 8 working days before: Mon 10 Jun; agenda 5 clear working days before: Wed
    # 12 Jun (13, 14, 17, 18, 19 Jun lie between); takes effect Thu 27 Jun, after the HWB's mid-June
    # window, so the HWB item can no longer be scheduled and its entries are cancelled.
    deferred = text.replace("    notice_after: [scope]\n", "    notice_after: [scope]\n    deferred: [2019-05-23]\n")
    assert deferred != text
    timeline.write_text(deferred, encoding="utf-8")
    second = run(timeline, "-o", out, "--cancel-removed", "--stamp", "2019-05-24T09:00:00Z")
    assert second.stdout == f"wrote {out} (9 entries: 0 new, 4 moved, 0 changed, 3 cancelled)\n"
    assert "hwb-note: left out of the calendar: it cannot be scheduled" in second.stderr
    after = parse(out.read_bytes())
    assert set(after) == set(before), "same UIDs: calendars update the entries they hold"
    moved = {uid("approve", k) for k in ("notice", "papers", "agenda", "meeting")}
    assert after[uid("approve", "notice")][:3] == (date(2019, 5, 22), date(2019, 5, 23), 1)
    assert after[uid("approve", "papers")][:3] == (date(2019, 6, 10), date(2019, 6, 11), 1)
    assert after[uid("approve", "agenda")][:3] == (date(2019, 6, 12), date(2019, 6, 13), 1)
    assert after[uid("approve", "meeting")][:3] == (
        datetime(2019, 6, 20, 17, tzinfo=UTC),
        datetime(2019, 6, 20, 19, tzinfo=UTC),
        1,
    )
    assert after[uid("approve", "agenda")][4] == (
        "Agenda published: Cabinet, Thu 20 Jun 2019 \u2014 papers for Cabinet approves the strategy final"
    )
    gone = {uid("hwb-note", k) for k in ("papers", "agenda", "meeting")}
    for u in gone:
        assert after[u][2:4] == (1, "CANCELLED") and after[u][4].startswith("Cancelled: ")
    unchanged = set(after) - set(moved) - gone
    assert {after[u][2] for u in unchanged} == {0} and all(after[u][:2] == before[u][:2] for u in unchanged)

    # it is no longer treated as a key decision: its notice entry is cancelled, nothing else moves
    not_key = deferred.replace("    key_decision: true\n    notice_after: [scope]\n", "")
    assert not_key.count("key_decision") == 1  # consult's
    timeline.write_text(not_key, encoding="utf-8")
    third = run(timeline, "-o", out, "--cancel-removed", "--stamp", "2019-05-25T09:00:00Z")
    assert third.stdout == f"wrote {out} (8 entries: 0 new, 0 moved, 0 changed, 4 cancelled)\n"
    last = parse(out.read_bytes())
    assert last[uid("approve", "notice")][:4] == (date(2019, 5, 22), date(2019, 5, 23), 2, "CANCELLED")
    assert last[uid("approve", "agenda")][2:4] == (1, "CONFIRMED")
    # and back again: the notice entry returns (new again in this file) above its cancellation
    timeline.write_text(deferred, encoding="utf-8")
    fourth = run(timeline, "-o", out, "--cancel-removed", "--stamp", "2019-05-26T09:00:00Z")
    assert fourth.stdout == f"wrote {out} (9 entries: 1 new, 0 moved, 0 changed, 3 cancelled)\n"
    assert parse(out.read_bytes())[uid("approve", "notice")][2:4] == (3, "CONFIRMED")


def test_filters_and_one_file_per_person_route_the_new_entries_like_the_papers(tmp_path: Path) -> None:
    _, hwb = ics(tmp_path, STAT, "--no-state", "--body", "hwb")
    assert set(hwb) == {uid("hwb-note", k) for k in ("papers", "agenda", "meeting")}
    _, cabinet = ics(tmp_path, STAT, "--no-state", "--body", "cabinet")
    assert set(cabinet) == {
        uid(i, k) for i in ("consult", "approve") for k in ("notice", "papers", "agenda", "meeting")
    }
    _, may = ics(tmp_path, STAT, "--no-state", "--from", "2019-04-01", "--to", "2019-05-20")
    assert set(may) == {uid("approve", "notice"), uid("approve", "papers"), uid("approve", "agenda")}
    people = tmp_path / "people"
    result = run(STAT, "--no-state", "--per-attendee", people, "--stamp", STAMP)
    assert sorted(p.name for p in people.iterdir()) == [
        "democratic.services@example.gov.uk.ics",
        "hwb.clerk@example.gov.uk.ics",
        "strategy.lead@example.gov.uk.ics",
    ]
    assert f"wrote {people / 'democratic.services@example.gov.uk.ics'} (8 entries: 8 new," in result.stdout
    assert set(parse((people / "democratic.services@example.gov.uk.ics").read_bytes())) == set(cabinet)
    assert set(parse((people / "strategy.lead@example.gov.uk.ics").read_bytes())) == set(cabinet)  # the owner
    assert set(parse((people / "hwb.clerk@example.gov.uk.ics").read_bytes())) == set(hwb)


def test_invitations_are_one_file_per_entry_named_by_its_kind(tmp_path: Path) -> None:
    files = invites(tmp_path, STAT, "--no-state")
    assert sorted(files) == [
        "2019-02-20-notice-consult.ics",
        "2019-03-11-papers-consult.ics",
        "2019-03-13-agenda-consult.ics",
        "2019-03-21-meeting-consult.ics",
        "2019-04-24-notice-approve.ics",
        "2019-05-13-papers-approve.ics",
        "2019-05-15-agenda-approve.ics",
        "2019-05-23-meeting-approve.ics",
        "2019-06-03-agenda-hwb-note.ics",
        "2019-06-03-papers-hwb-note.ics",
        "2019-06-20-meeting-hwb-note.ics",
    ]  # the deadline has no owner: only in the publish calendar
    for name in ("2019-04-24-notice-approve.ics", "2019-05-15-agenda-approve.ics"):
        cal = icalendar.Calendar.from_ical(files[name])
        assert cal["METHOD"] == "REQUEST"
        (ev,) = cal.walk("VEVENT")
        assert ev["ORGANIZER"] == "mailto:planning.lead@example.gov.uk"
        assert sorted(str(a) for a in ev["ATTENDEE"]) == [
            "mailto:democratic.services@example.gov.uk",
            "mailto:strategy.lead@example.gov.uk",
        ]
        assert {a.params["RSVP"] for a in ev["ATTENDEE"]} == {"FALSE"}, "a reminder, not a meeting to accept"
