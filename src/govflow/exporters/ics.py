"""iCalendar (RFC 5545) export: diary entries that move in place when the schedule moves.

One VEVENT per meeting decision (timed at the meeting's own time when its date came from a
timed calendar event, else at the body's `time` when it has one), per papers
deadline, per agenda publication (bodies with `publish`) and forward plan notice of a key
decision (bodies with `notice`), per national deadline and per fixed event, and with
`tasks=True` per task and milestone. UIDs are built from the timeline id, the item id and the kind of entry, so a
re-export updates the entries a calendar already holds instead of duplicating them; the
SEQUENCE of an entry rises when its date, time, duration, status or location changes, which
needs the previous export (`History`, kept by `CalendarState` in a small SQLite file).

Everything here except `CalendarState` and `write_calendars` is a pure function of the
schedule, the DTSTAMP passed in and the options: no clock, no files.

>>> from datetime import datetime, timezone
>>> from govflow import load_text, schedule
>>> p = load_text('''
... govflow: 1
... id: demo
... start: 2019-09-02
... bodies:
...   board: {name: Trust Board, meets: [2019-09-26], time: "13:30", duration: 2h}
... items:
...   draft: {duration: 10}
...   approve: {title: Board approves the plan, at: board, after: [draft]}
...   submit: {title: Plan submitted, after: [approve], deadline: 2019-09-27}
... ''')
>>> ex = export(schedule(p), datetime(2019, 9, 5, 9, tzinfo=UTC))
>>> [(e.uid, str(e.start)) for e in ex.events]
[('demo.approve.papers@govflow', '2019-09-19'), ('demo.approve.meeting@govflow', '2019-09-26 13:30:00+01:00'), \
('demo.submit.deadline@govflow', '2019-09-27')]
>>> b"DTSTART;TZID=Europe/London:20190926T133000\\r\\n" in render_ics(ex.calendar)
True
"""

from __future__ import annotations

import calendar as _calendar
import io
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

from ..errors import GovflowError, did_you_mean
from ..explain import fmt
from ..model import LEVELS
from ..scheduling import DeadlineResult, Schedule

__all__ = [
    "KINDS",
    "CalEvent",
    "CalendarError",
    "CalendarOptions",
    "CalendarState",
    "Export",
    "History",
    "Message",
    "Record",
    "Shown",
    "Written",
    "attendees_of",
    "calendar",
    "collect",
    "export",
    "render_ics",
    "revise",
    "vtimezone",
    "write_calendars",
]

PRODID = "-//govflow//calendar export//EN"
# also the order within a day: forward plan notice, papers due, agenda published, the meeting, ...
KINDS = ("notice", "papers", "agenda", "meeting", "deadline", "event", "task", "milestone")
DEFAULT_MEETING = timedelta(hours=2)  # a body with a `time` but no `duration`
ALARM_AT = time(9, 0)  # reminders go off at 09:00 on the working day they fall on
REFRESH = timedelta(hours=12)  # how often subscribed clients should re-read the feed
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class CalendarError(GovflowError):
    """A calendar option that cannot be honoured: unknown body, no organizer for invites, ..."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class CalendarOptions:
    """What to put in the calendar. Repeated filter values are alternatives; filters combine with AND.

    `papers_alarm` / `deadline_alarm`: working days before the papers-due date (and the day a key
    decision's forward plan notice is due) / the deadline at which a reminder goes off (09:00 that
    day); None turns it off.
    """

    tasks: bool = False
    method: str = "publish"  # publish (files and feeds) | request (invitations)
    bodies: tuple[str, ...] = ()  # 'body' or 'timeline:body': only these bodies' meetings and papers
    owners: tuple[str, ...] = ()  # only items owned by one of these addresses
    levels: tuple[str, ...] = ()  # national | regional | local
    start: date | None = None  # only entries ending on or after this day
    end: date | None = None  # only entries starting on or before this day
    papers_alarm: int | None = 2
    deadline_alarm: int | None = 5
    cancel_removed: bool = False
    attendee: str | None = None  # only this person's entries (one file per person)
    name: str | None = None  # calendar name; default: the timeline's title


@dataclass(frozen=True, slots=True)
class CalEvent:
    """One calendar entry, before it is written as a VEVENT. `end` is exclusive (all-day: the next day)."""

    uid: str
    kind: str
    key: str  # 'timeline:item'
    summary: str
    description: str
    start: date | datetime
    end: date | datetime
    location: str = ""
    tentative: bool = False
    level: str = "local"
    body: str | None = None  # 'timeline:body' for meeting and papers entries
    owners: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    organizer: str | None = None
    alarm: timedelta | None = None  # TRIGGER relative to the start
    alarm_text: str = ""
    sequence: int = 0
    cancelled: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def first_day(self) -> date:
        return self.start.date() if isinstance(self.start, datetime) else self.start

    @property
    def last_day(self) -> date:
        if isinstance(self.end, datetime):
            return self.end.date()
        return self.end - timedelta(days=1)

    @property
    def timing(self) -> str:
        """Date, time and duration as compared between exports: a change here raises SEQUENCE."""
        return f"{_iso(self.start)}/{_iso(self.end)}"

    @property
    def status(self) -> str:
        """The VEVENT's STATUS: a change (TENTATIVE -> CONFIRMED) raises SEQUENCE (RFC 5545 3.8.7.4)."""
        return "CANCELLED" if self.cancelled else "TENTATIVE" if self.tentative else "CONFIRMED"


@dataclass(frozen=True, slots=True)
class Record:
    """What the previous exports said about one UID (kept by `CalendarState`)."""

    uid: str
    sequence: int
    start: date | datetime
    end: date | datetime
    summary: str
    attendees: tuple[str, ...] = ()
    organizer: str | None = None
    status: str | None = None  # None: not known (state written before govflow recorded it)
    location: str | None = None

    @property
    def timing(self) -> str:
        return f"{_iso(self.start)}/{_iso(self.end)}"

    def changed(self, e: CalEvent) -> bool:
        """Whether `e` differs from this record in date, time, duration, status or location."""
        return (
            self.timing != e.timing
            or (self.status is not None and self.status != e.status)
            or (self.location is not None and self.location != e.location)
        )


@dataclass(frozen=True, slots=True)
class Shown:
    """What one output file last showed of an entry, for the counts its recipients see."""

    sequence: int
    timing: str | None = None  # None: not known (older state file)
    status: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    """The previous exports: every UID ever written (`events`), and this feed's entries
    (`feed`: uid -> ('active' | 'cancelled', sequence): its last export, and what it cancelled;
    `shown`: uid -> what its last export showed of each active entry)."""

    events: Mapping[str, Record] = field(default_factory=dict)
    feed: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    shown: Mapping[str, Shown] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Message:
    """One invitation to send: a METHOD:REQUEST or METHOD:CANCEL calendar holding one event.

    Outlook reads only the first VEVENT of an emailed invitation (MS-STANOICAL 2.2.175), and
    RFC 5546 wants one UID per iTIP message, so invitations are never bundled.
    """

    event: CalEvent
    method: str  # request | cancel
    calendar: Calendar
    name: str  # file name that says what it is: '2019-09-26-meeting-trust-board-review.ics'


@dataclass(frozen=True, slots=True)
class Export:
    """A calendar ready to write, with the entries in it and what was left out.

    With `method='request'` the invitations to send are `messages`, one event each (REQUEST, or
    CANCEL for cancellations), and only for entries someone attends; `calendar` is then the same
    entries as a PUBLISH calendar (no ORGANIZER or ATTENDEE), to look at or import, not to send.
    """

    events: tuple[CalEvent, ...]  # every entry written, cancelled ones included
    calendar: Calendar
    messages: tuple[Message, ...]
    warnings: tuple[str, ...]
    moved: tuple[str, ...]  # UIDs whose date, time or duration changed since this feed's last export
    new: tuple[str, ...]  # UIDs not in this feed's last export
    changed: tuple[str, ...] = ()  # UIDs not moved whose status or location changed since then


# ---- collecting the entries -------------------------------------------------------------------


class _Text(vText):
    """A TEXT value escaped as RFC 5545 says and no more: icalendar's own escaping first turns a
    literal backslash-N in the text into a line break, so a title such as "Form \\N4" would
    come back as two lines (found by the round-trip test)."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n").encode("utf-8")


def _iso(v: date | datetime) -> str:
    if isinstance(v, datetime):
        tz = getattr(v.tzinfo, "key", "UTC")
        return f"{v.replace(tzinfo=None).isoformat()}[{tz}]"
    return v.isoformat()


def _from_iso(text: str) -> date | datetime:
    if "[" in text:
        local, tz = text.rstrip("]").split("[", 1)
        return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz) if tz != "UTC" else UTC)
    return date.fromisoformat(text)


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if abs(n) == 1 else 's'}"


def _people(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for g in groups:
        for a in g:
            seen.setdefault(a.strip().lower(), None)
    return tuple(a for a in seen if a)


def _state(sched: Schedule, key: str, on_paths: Mapping[str, list[DeadlineResult]]) -> str:
    """The item's state in words: 'on the driving path to initial-submission (27 Sep 2019), 0 working days of float'."""
    r = sched.items[key]
    if r.status == "done":
        return f"done on {fmt(r.early_finish)}"
    label = sched.programme.label
    paths = on_paths.get(key, [])
    flt = "no deadline depends on it" if r.float is None else f"{_plural(r.float, 'working day')} of float"
    if r.critical:
        flt += " (critical)"
    where = (
        "on the driving path to " + ", ".join(f"{label(d.key)} ({_day(d.deadline)})" for d in paths)
        if paths
        else "not on a driving path"
    )
    prefix = "in progress; " if r.status == "in-progress" else ""
    return f"{prefix}{where}, {flt}"


def _alarm(cal_wd: int | None, due: date, sched: Schedule, key: str) -> timedelta | None:
    """TRIGGER for 09:00 on the working day `cal_wd` working days before `due` (relative to its start)."""
    if not cal_wd:
        return None
    day = sched.calendar(key).wd(due, -cal_wd)
    return timedelta(days=-(due - day).days, hours=ALARM_AT.hour, minutes=ALARM_AT.minute)


def _verdict(sched: Schedule, key: str, results: Mapping[str, DeadlineResult]) -> str:
    label = sched.programme.label
    r = sched.items[key]
    d = results.get(key)
    if d is not None:
        if r.status == "unschedulable":
            return f"cannot be scheduled: {r.reason}"
        if r.status == "done":
            return f"done on {fmt(d.forecast)}"
        if d.met:
            return f"forecast {fmt(d.forecast)}: met, {_plural(d.margin or 0, 'working day')} to spare"
        path = " -> ".join(label(k) for k in d.driving_path)
        missed = _plural(-(d.margin or 0), "working day")
        return f"forecast {fmt(d.forecast)}: MISSED by {missed} (driving path: {path})"
    return ""


def _body_key(sched: Schedule, text: str) -> str:
    """'body' or 'timeline:body' -> 'timeline:body'; CalendarError if no such body."""
    timelines = sched.programme.timelines
    if ":" in text:
        tid, bid = text.split(":", 1)
        for t in timelines:
            if t.id == tid and bid in t.bodies:
                return text
        known = [f"{t.id}:{b}" for t in timelines for b in t.bodies]
    else:
        hits = [t.id for t in timelines if text in t.bodies]
        if len(hits) == 1:
            return f"{hits[0]}:{text}"
        if len(hits) > 1:
            raise CalendarError(
                "ambiguous-body",
                f"--body '{text}' is a body of several timelines ({', '.join(hits)}); write it as 'timeline:{text}'",
            )
        known = [b for t in timelines for b in t.bodies]
    names = ", ".join(sorted(known)) or "none"
    hint = did_you_mean(text, known)
    raise CalendarError("unknown-body", f"--body '{text}' is not a body of the timelines given{hint} (bodies: {names})")


def _check(sched: Schedule, options: CalendarOptions) -> None:
    if options.method not in ("publish", "request"):
        raise CalendarError("bad-method", f"method must be 'publish' or 'request', not '{options.method}'")
    for level in options.levels:
        if level not in LEVELS:
            raise CalendarError(
                "unknown-level", f"--level '{level}' is not one of {', '.join(LEVELS)}{did_you_mean(level, LEVELS)}"
            )
    for body in options.bodies:
        _body_key(sched, body)
    if options.start and options.end and options.start > options.end:
        raise CalendarError("bad-range", f"--from {options.start} is after --to {options.end}")
    for name, n in (("papers", options.papers_alarm), ("deadline", options.deadline_alarm)):
        if n is not None and n < 0:
            raise CalendarError("bad-alarm", f"the {name} reminder must be 0 or more working days before, not {n}")


def collect(
    sched: Schedule, options: CalendarOptions = CalendarOptions()
) -> tuple[tuple[CalEvent, ...], tuple[str, ...]]:
    """The calendar entries of a schedule, filtered and sorted (by day, kind, UID), and warnings
    for the items left out because they cannot be scheduled.

    Raises CalendarError for options that do not fit the programme (unknown body or level, ...).
    """
    _check(sched, options)
    p = sched.programme
    label = p.label
    bodies = {_body_key(sched, b) for b in options.bodies}
    owners = {o.strip().lower() for o in options.owners}
    events: list[CalEvent] = []
    warnings: list[str] = []
    results = {dl.key: dl for dl in sched.deadlines}
    on_paths: dict[str, list[DeadlineResult]] = {}
    for dl in sched.deadlines:
        for k in dl.driving_path:
            if k != dl.key:
                on_paths.setdefault(k, []).append(dl)

    for key, item in p.items.items():
        r = sched.items[key]
        t = p.timeline(item.timeline)
        zone = ZoneInfo(t.timezone)
        if options.levels and item.level not in options.levels:
            continue
        if owners and not owners & set(_people(item.owner)):
            continue
        body = p.body(item) if item.at else None
        bkey = f"{t.id}:{item.at}" if item.at else None
        if bodies and bkey not in bodies:
            continue
        uid = f"{t.id}.{item.id}.{{}}@govflow"
        where = f"Item: {label(key)}, in {t.title} ({t.id})"
        owned = f"Owner: {', '.join(item.owner)}" if item.owner else ""
        base: dict[str, object] = {"key": key, "level": item.level, "owners": _people(item.owner)}
        base["organizer"] = t.organizer

        def add(
            kind: str,
            summary: str,
            lines: Sequence[str],
            start: date | datetime,
            uid: str = uid,
            base: dict[str, object] = base,
            **kw: object,
        ) -> None:
            ev = CalEvent(
                uid=uid.format(kind),
                kind=kind,
                summary=summary + (" (TBC)" if kw.get("tentative") else ""),
                description="\n".join(x for x in lines if x),
                start=start,
                end=kw.pop("end", None) or start + timedelta(days=1),  # type: ignore[arg-type]
                **base,  # type: ignore[arg-type]
                **kw,  # type: ignore[arg-type]
            )
            events.append(ev)

        unschedulable = r.status == "unschedulable"
        if item.kind == "meeting" and body is not None:
            if unschedulable:
                warnings.append(f"{label(key)}: left out of the calendar: it cannot be scheduled ({r.reason})")
            else:
                assert r.early_finish is not None
                day = r.early_finish
                m = r.meeting
                tbc = m is not None and item.done is None and (m.when.tbc or m.when.first != m.when.last)
                attendees = _people(body.attendees, item.owner)
                start: date | datetime = day
                end: date | datetime | None = None
                when = fmt(day)
                own = m is not None and m.time is not None  # a timed event in the body's calendar file
                at = m.time if own and m is not None else body.time
                if at is not None:
                    start = datetime.combine(day, at, tzinfo=zone)
                    end = start + ((m.duration if own and m is not None else None) or body.duration or DEFAULT_MEETING)
                    when += f", {start:%H:%M}-{end:%H:%M}"
                tbc_line = (
                    f"Meeting date not confirmed ({m.when.text or m.when}); planned as held {fmt(day)}"
                    if tbc and m is not None
                    else ""
                )
                papers = f"Papers due {fmt(r.papers_due)}" if r.papers_due else ""
                published = f"Agenda published {fmt(r.published)}" if r.published else ""
                effect = (
                    f"Takes effect {fmt(r.takes_effect)}, when the call-in period "
                    f"({_plural(body.call_in, 'clear working day')}) ends"
                    if r.takes_effect
                    else ""
                )
                notice = (
                    f"Key decision: forward plan notice due {fmt(r.notice_by)} ({body.notice} before)"
                    if item.key_decision and body.notice is not None and r.notice_by is not None
                    else ""
                )
                state = f"State: {_state(sched, key, on_paths)}"
                lines = [item.title, f"{body.name}, {when}", tbc_line, notice, papers, published, effect]
                add(
                    "meeting",
                    item.title,
                    [*lines, state, where, owned],
                    start,
                    end=end,
                    location=body.location,
                    tentative=tbc,
                    body=bkey,
                    attendees=attendees,
                )
                if r.papers_due is not None:
                    d = r.papers_due
                    alarm = _alarm(options.papers_alarm, d, sched, key)
                    add(
                        "papers",
                        f"Papers due: {body.name} {day.day} {day:%b} - {item.title}",
                        [
                            f"Papers due today for the {body.name} meeting of {fmt(day)}: {item.title}",
                            tbc_line,
                            state,
                            where,
                            owned,
                        ],
                        d,
                        tentative=tbc,
                        body=bkey,
                        attendees=attendees,
                        alarm=alarm,
                        alarm_text=f"Papers due {fmt(d)} for {body.name} ({fmt(day)}): {item.title}",
                    )
                # publication and notice count back from the first day a TBC meeting may be held
                before = f"before the meeting's window opens ({m.when.text or m.when})" if tbc and m else "before it"
                if r.published is not None and body.publish is not None:
                    add(
                        "agenda",
                        f"Agenda published: {body.name}, {fmt(day)} — papers for {item.title} final",
                        [
                            f"The agenda for the {body.name} meeting of {fmt(day)} is published today, "
                            f"{body.publish} {before}: the papers for {item.title} must be final",
                            tbc_line,
                            papers,
                            state,
                            where,
                            owned,
                        ],
                        r.published,
                        tentative=tbc,
                        body=bkey,
                        attendees=attendees,
                    )
                if notice and r.notice_by is not None and body.notice is not None:
                    n = r.notice_by
                    given = item.notice_given
                    late = r.late_notice_by
                    add(
                        "notice",
                        f"Forward plan notice due: {item.title} ({body.name} {fmt(day)}, {body.notice})",
                        [
                            f"Key decision: its notice in the forward plan must be published by {fmt(n)}, "
                            f"{body.notice} {before}, for the {body.name} meeting of {fmt(day)}: {item.title}",
                            f"Notice published {fmt(given)}"
                            if given
                            else f"Notice can be published from {fmt(r.notice_from)}"
                            if r.notice_from
                            else "",
                            f"Latest notice that still meets the deadlines: {fmt(late)}"
                            if late is not None and late != n and not given
                            else "",
                            tbc_line,
                            state,
                            where,
                            owned,
                        ],
                        n,
                        tentative=tbc,
                        body=bkey,
                        attendees=attendees,
                        alarm=None if given else _alarm(options.papers_alarm, n, sched, key),
                        alarm_text=f"Forward plan notice due {fmt(n)} for {body.name} ({fmt(day)}): {item.title}",
                    )
        if bodies:
            continue  # --body: only meetings and their papers, agenda and notice dates
        if item.deadline is not None:
            due = item.deadline.last
            add(
                "deadline",
                f"Deadline: {item.title}",
                [
                    f"Deadline {fmt(due)}" + (f" ({item.deadline.text})" if item.deadline.text else ""),
                    item.title,
                    f"State: {_verdict(sched, key, results)}",
                    where,
                    owned,
                ],
                due,
                tentative=item.deadline.tbc,
                attendees=_people(item.owner),
                alarm=_alarm(options.deadline_alarm, due, sched, key),
                alarm_text=f"Deadline {fmt(due)}: {item.title}",
            )
        if item.kind == "event" and r.early_finish is not None:
            on = item.on
            tbc = on is not None and item.done is None and (on.tbc or on.first != on.last)
            day = r.early_finish
            add(
                "event",
                item.title,
                [
                    item.title,
                    f"Date: {on.text or on}" + (f"; planned as {fmt(day)}" if tbc else "") if on else "",
                    f"State: {_state(sched, key, on_paths)}" if r.status != "done" else "State: passed",
                    where,
                    owned,
                ],
                day,
                tentative=tbc,
                attendees=_people(item.owner),
            )
        if options.tasks and (item.kind == "task" or (item.kind == "milestone" and item.deadline is None)):
            if unschedulable:
                warnings.append(f"{label(key)}: left out of the calendar: it cannot be scheduled ({r.reason})")
                continue
            assert r.early_start is not None and r.early_finish is not None
            cal = sched.calendar(key)
            span = (
                f"{fmt(r.early_start)} to {fmt(r.early_finish)}, "
                f"{_plural(cal.between(r.early_start, r.early_finish) + 1, 'working day')}"
                if item.kind == "task"
                else fmt(r.early_finish)
            )
            add(
                item.kind,
                item.title,
                [item.title, span, f"State: {_state(sched, key, on_paths)}", where, owned],
                r.early_start,
                end=r.early_finish + timedelta(days=1),
                attendees=_people(item.owner),
            )

    person = options.attendee.strip().lower() if options.attendee else None
    chosen = [
        e
        for e in events
        if (options.start is None or e.last_day >= options.start)
        and (options.end is None or e.first_day <= options.end)
        and (person is None or person in e.attendees)
    ]
    chosen.sort(key=lambda e: (e.first_day, KINDS.index(e.kind), e.uid))
    return tuple(chosen), tuple(warnings)


def attendees_of(events: Iterable[CalEvent]) -> tuple[str, ...]:
    """Everyone invited to at least one entry, sorted (lower-case addresses)."""
    return tuple(sorted({a for e in events for a in e.attendees}))


# ---- SEQUENCE and cancellations ---------------------------------------------------------------


def revise(events: Sequence[CalEvent], history: History, cancel_removed: bool = False) -> tuple[CalEvent, ...]:
    """Entries with their SEQUENCE against the previous exports, plus cancellations.

    SEQUENCE: 0 for a new UID; the previous one while date, time, duration, status and location
    are unchanged; one more when one of them changed, or when the entry returns to a feed that
    cancelled it. With
    `cancel_removed`, every UID of this feed's previous export that is gone (and every one it
    cancelled before that is still gone) comes back as a cancelled entry.

    >>> e = CalEvent("t.a.deadline@govflow", "deadline", "t:a", "A", "", date(2019, 9, 27), date(2019, 9, 28))
    >>> h = History({e.uid: Record(e.uid, 3, date(2019, 9, 26), date(2019, 9, 27), "A")}, {e.uid: ("active", 3)})
    >>> revise([e], h)[0].sequence
    4
    >>> [(x.uid, x.sequence, x.cancelled) for x in revise([], h, cancel_removed=True)]
    [('t.a.deadline@govflow', 4, True)]
    """
    out: list[CalEvent] = []
    for e in events:
        rec = history.events.get(e.uid)
        seq = 0
        if rec is not None:
            came_back = history.feed.get(e.uid, ("", 0))[0] == "cancelled"
            seq = rec.sequence + (1 if rec.changed(e) or came_back else 0)
        out.append(replace(e, sequence=seq))
    if cancel_removed:
        present = {e.uid for e in events}
        for uid, (status, feed_seq) in sorted(history.feed.items()):
            rec = history.events.get(uid)
            if uid in present or rec is None:
                continue
            kind = uid.rsplit("@", 1)[0].rsplit(".", 1)[-1]
            out.append(
                CalEvent(
                    uid=uid,
                    kind=kind if kind in KINDS else "event",
                    key="",
                    summary=f"Cancelled: {rec.summary}",
                    description=f"{rec.summary}\nRemoved from the schedule: this entry is cancelled.",
                    start=rec.start,
                    end=rec.end,
                    attendees=rec.attendees,
                    organizer=rec.organizer,
                    sequence=feed_seq if status == "cancelled" else rec.sequence + 1,
                    cancelled=True,
                )
            )
        out.sort(key=lambda e: (e.first_day, KINDS.index(e.kind), e.uid))
    return tuple(out)


# ---- VTIMEZONE ----------------------------------------------------------------------------------


def _transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta, bool, str]]:
    """(local wall time just before, offset before, offset after, DST after, name after) per change in `year`."""
    found: list[tuple[datetime, timedelta, timedelta, bool, str]] = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    prev = t.astimezone(zone).utcoffset()
    while t < end:
        nxt = t + timedelta(days=1)
        if nxt.astimezone(zone).utcoffset() != prev:
            q = t
            while q.astimezone(zone).utcoffset() == prev:  # real zones change on a quarter hour
                q += timedelta(minutes=15)
            after = q.astimezone(zone)
            offset = after.utcoffset()
            assert prev is not None and offset is not None
            found.append(((q + prev).replace(tzinfo=None), prev, offset, bool(after.dst()), after.tzname() or ""))
            prev = offset
        t = nxt
    return found


def _nth(d: date) -> int:
    """Which weekday of the month d is: 1..4, or -1 for the last."""
    return -1 if d.day + 7 > _calendar.monthrange(d.year, d.month)[1] else (d.day - 1) // 7 + 1


def _rule_day(year: int, month: int, nth: int, weekday: int) -> date:
    days = [date(year, month, d) for d in range(1, _calendar.monthrange(year, month)[1] + 1)]
    matches = [d for d in days if d.weekday() == weekday]
    return matches[-1] if nth == -1 else matches[nth - 1]


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE with one yearly rule per transition (as Outlook wants), valid first_year..last_year.

    The rules are read from the zone in `first_year - 1` (each observance starts there) and
    checked against every later year up to `last_year`; a zone whose changes do not follow a
    "n-th weekday of the month" rule falls back to icalendar's own (RDATE) description.

    >>> tz = vtimezone("Europe/London", 2019, 2020)
    >>> [(c.name, str(c["TZNAME"]), c["RRULE"].to_ical().decode()) for c in tz.subcomponents]
    [('DAYLIGHT', 'BST', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3'), ('STANDARD', 'GMT', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10')]
    """
    zone = ZoneInfo(tzid)
    ref = first_year - 1
    changes = _transitions(zone, ref)
    tz = Timezone()
    tz.add("tzid", tzid)
    tz.add("x-lic-location", tzid)
    if not changes:
        off = datetime(ref, 7, 1, tzinfo=zone)
        std = TimezoneStandard()
        std.add("dtstart", datetime(1970, 1, 1))
        std.add("tzname", off.tzname() or tzid)
        std.add("tzoffsetfrom", off.utcoffset())
        std.add("tzoffsetto", off.utcoffset())
        tz.add_component(std)
        return tz
    rules = [(c, _nth(c[0].date()), c[0].weekday()) for c in changes]
    for year in range(ref + 1, last_year + 1):
        actual = _transitions(zone, year)
        expected = [
            (datetime.combine(_rule_day(year, c[0].month, nth, wd), c[0].time()), c[1], c[2]) for c, nth, wd in rules
        ]
        if len(changes) > 2 or [(a[0], a[1], a[2]) for a in actual] != expected:
            return Timezone.from_tzid(tzid)
    for (local, before, after, dst, name), nth, wd in rules:
        part = TimezoneDaylight() if dst else TimezoneStandard()
        part.add("dtstart", local)
        part.add("tzname", name)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("rrule", {"FREQ": "YEARLY", "BYMONTH": local.month, "BYDAY": f"{nth}{_DAYS[wd]}"})
        tz.add_component(part)
    return tz


# ---- building the calendar ---------------------------------------------------------------------


def _address(email: str, **params: str) -> vCalAddress:
    a = vCalAddress(f"mailto:{email}")
    for k, v in params.items():
        a.params[k] = v
    return a


def _vevent(e: CalEvent, stamp: datetime, method: str) -> Event:
    ev = Event()
    ev.add("uid", e.uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", e.start)
    ev.add("dtend", e.end)
    ev.add("sequence", e.sequence)
    ev.add("summary", _Text(e.summary))
    if e.description:
        ev.add("description", _Text(e.description))
    if e.location:
        ev.add("location", _Text(e.location))
    ev.add("status", e.status)
    ev.add("transp", "TRANSPARENT" if e.all_day else "OPAQUE")
    ev.add("categories", ["govflow", e.kind, e.level] if not e.cancelled else ["govflow", e.kind])
    if method in ("request", "cancel") and e.organizer:
        ev.add("organizer", _address(e.organizer))
        for a in e.attendees:
            rsvp = "TRUE" if e.kind == "meeting" and method == "request" else "FALSE"
            ev.add("attendee", _address(a, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP=rsvp))
    if e.alarm is not None and not e.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _Text(e.alarm_text or e.summary))
        alarm.add("trigger", e.alarm)
        ev.add_component(alarm)
    return ev


def _shell(sched: Schedule, events: Sequence[CalEvent], stamp: datetime, method: str, name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method.upper())
    cal.add("name", _Text(name))
    cal.add("x-wr-calname", _Text(name))
    timelines = sched.programme.timelines
    cal.add("x-wr-timezone", vText(timelines[0].timezone))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT12H"))
    years = [d.year for e in events for d in (e.first_day, e.last_day)] or [t.start.year for t in timelines]
    for tzid in sorted({t.timezone for t in timelines}):
        cal.add_component(vtimezone(tzid, min(years), max(years)))
    for e in events:
        cal.add_component(_vevent(e, stamp, method))
    return cal


def _utc(stamp: datetime) -> datetime:
    if stamp.tzinfo is None:
        raise ValueError("stamp must be timezone-aware (it is written in UTC)")
    return stamp.astimezone(UTC).replace(microsecond=0)


def _name(sched: Schedule, options: CalendarOptions) -> str:
    if options.name:
        return options.name
    timelines = sched.programme.timelines
    name = timelines[0].title
    if len(timelines) > 1:
        name += f" (+ {_plural(len(timelines) - 1, 'other timeline')})"
    if options.attendee:
        name += f" - {options.attendee.strip().lower()}"
    return name


def export(
    sched: Schedule, stamp: datetime, options: CalendarOptions = CalendarOptions(), history: History | None = None
) -> Export:
    """Build the calendar of a schedule: entries, SEQUENCE from `history`, cancellations, VTIMEZONE.

    `stamp` (timezone-aware) is the DTSTAMP of every entry: pass it in for repeatable output.
    Raises CalendarError for options that do not fit (unknown body, invitations without organizer).
    """
    utc = _utc(stamp)
    events, warnings = collect(sched, options)
    history = history or History()
    request = options.method == "request"
    if request:
        unattended = sum(not e.attendees for e in events)
        if unattended:
            warnings += (
                f"{unattended} entr{'y has' if unattended == 1 else 'ies have'} no attendee and "
                "cannot be sent as invitations; they are in the publish calendar (--method publish)",
            )
        events = tuple(e for e in events if e.attendees)
    revised = revise(events, history, options.cancel_removed)
    if request:
        revised = tuple(e for e in revised if e.attendees)  # a cancellation needs someone to send it to
        missing = sorted({t.path for t in sched.programme.timelines if not t.organizer} & _paths(sched, events))
        if missing:
            raise CalendarError(
                "no-organizer",
                f"invitations need an organizer: add 'organizer: <address>' to {', '.join(missing)}",
            )
    moved, new, changed = _counts(revised, history)
    name = _name(sched, options)
    if not request:
        return Export(revised, _shell(sched, revised, utc, "publish", name), (), warnings, moved, new, changed)
    main = _shell(sched, [e for e in revised if not e.cancelled], utc, "publish", name)
    messages = []
    used: set[str] = set()
    for e in revised:
        method = "cancel" if e.cancelled else "request"
        messages.append(Message(e, method, _shell(sched, [e], utc, method, name), _message_name(e, used)))
    return Export(revised, main, tuple(messages), warnings, moved, new, changed)


def _message_name(e: CalEvent, used: set[str]) -> str:
    """'2019-09-26-meeting-trust-board-review.ics' ('...-cancelled-meeting-...' for a cancellation):
    the day, the kind of entry and the item id, so a person can tell the files apart; the timeline
    id is added when two timelines share an item id on the same day."""
    timeline, rest = e.uid.split("@", 1)[0].split(".", 1)
    item = rest.rsplit(".", 1)[0]
    head = f"{e.first_day.isoformat()}-{'cancelled-' if e.cancelled else ''}{e.kind}"
    name = _safe(f"{head}-{item}") + ".ics"
    if name in used:
        name = _safe(f"{head}-{timeline}-{item}") + ".ics"
    used.add(name)
    return name


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", text)


def _counts(events: Sequence[CalEvent], history: History) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(moved, new, changed) as the file's own recipients see them: against this feed's last export.

    An entry another file already showed is still new here; an entry another file already moved
    is still moved here.
    """
    moved: list[str] = []
    new: list[str] = []
    changed: list[str] = []
    for e in events:
        if e.cancelled:
            continue
        if history.feed.get(e.uid, ("", 0))[0] != "active":
            new.append(e.uid)
            continue
        shown = history.shown.get(e.uid)
        rec = history.events.get(e.uid)
        timing = shown.timing if shown is not None and shown.timing is not None else rec.timing if rec else None
        if timing is not None and timing != e.timing:
            moved.append(e.uid)
        elif shown is not None and (
            (shown.status is not None and shown.status != e.status)
            or (shown.location is not None and shown.location != e.location)
        ):
            changed.append(e.uid)
    return tuple(moved), tuple(new), tuple(changed)


def _paths(sched: Schedule, events: Iterable[CalEvent]) -> set[str]:
    p = sched.programme
    return {p.timeline(p.items[e.key].timeline).path for e in events if e.key}


def calendar(
    sched: Schedule, stamp: datetime, options: CalendarOptions = CalendarOptions(), history: History | None = None
) -> Calendar:
    """The icalendar.Calendar of a schedule (for invitations, see `export(...).messages`)."""
    return export(sched, stamp, options, history).calendar


def render_ics(cal: Calendar) -> bytes:
    """The RFC 5545 text of a calendar: CRLF line ends, lines folded at 75 octets, UTF-8."""
    return bytes(cal.to_ical())


# ---- state between exports (SQLite) ------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    uid TEXT PRIMARY KEY,           -- e.g. north-cumbria-2019.trust-board-review.meeting@govflow
    sequence INTEGER NOT NULL,      -- highest SEQUENCE written for this UID
    start TEXT NOT NULL,            -- ISO date, or local ISO date-time with [time zone]
    end TEXT NOT NULL,              -- exclusive, same form
    summary TEXT NOT NULL,
    attendees TEXT NOT NULL,        -- space-separated addresses (for cancelling invitations)
    organizer TEXT,
    stamp TEXT NOT NULL,            -- DTSTAMP of the export that last wrote it
    status TEXT,                    -- STATUS last written: CONFIRMED | TENTATIVE
    location TEXT                   -- LOCATION last written ('' for none)
);
CREATE TABLE IF NOT EXISTS feed_events (
    feed TEXT NOT NULL,             -- the output file's name, or 'attendee:<address>'
    uid TEXT NOT NULL,              -- active: in the feed's last export; cancelled: cancelled, still gone
    status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    sequence INTEGER NOT NULL,
    timing TEXT,                    -- start/end this feed last showed (active entries)
    shown_status TEXT,              -- STATUS this feed last showed
    location TEXT,                  -- LOCATION this feed last showed
    PRIMARY KEY (feed, uid)
);
"""

_ADDED = {  # columns of schema 2, added to a schema 1 file when it is opened
    "events": ("status TEXT", "location TEXT"),
    "feed_events": ("timing TEXT", "shown_status TEXT", "location TEXT"),
}


class CalendarState:
    """The SQLite file that remembers previous exports, so SEQUENCE can rise and removals be cancelled.

    Default place: `.govflow/calendar.sqlite` beside the first timeline file. Tables: `events`
    (one row per UID ever exported: its highest SEQUENCE and the date/time last written) and
    `feed_events` (per output file: the UIDs of its last export, and those it cancelled).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path)
            self.db.executescript(_SCHEMA)
            for table, columns in _ADDED.items():
                have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
                for column in columns:
                    if column.split()[0] not in have:
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', '2')")
            self.db.commit()
        except (sqlite3.Error, OSError) as e:
            raise CalendarError("bad-state", f"cannot use the calendar state file {self.path}: {e}") from None

    def close(self) -> None:
        self.db.close()

    def feeds(self, prefix: str = "") -> list[str]:
        rows = self.db.execute("SELECT DISTINCT feed FROM feed_events WHERE feed LIKE ? || '%'", (prefix,))
        return sorted(r[0] for r in rows)

    def history(self, feed: str) -> History:
        events = {}
        for uid, seq, start, end, summary, attendees, organizer, status, location in self.db.execute(
            "SELECT uid, sequence, start, end, summary, attendees, organizer, status, location FROM events"
        ):
            events[uid] = Record(
                uid,
                seq,
                _from_iso(start),
                _from_iso(end),
                summary,
                tuple(attendees.split()),
                organizer,
                status,
                location,
            )
        rows = self.db.execute(
            "SELECT uid, status, sequence, timing, shown_status, location FROM feed_events WHERE feed = ?", (feed,)
        ).fetchall()
        return History(
            events,
            {uid: (status, seq) for uid, status, seq, *_ in rows},
            {uid: Shown(seq, t, st, loc) for uid, status, seq, t, st, loc in rows if status == "active"},
        )

    def record(self, feed: str, events: Sequence[CalEvent], stamp: datetime) -> None:
        """Remember what `feed` now holds (call after the file is written)."""
        s = _utc(stamp).isoformat()
        with self.db:
            for e in events:
                if e.cancelled:
                    self.db.execute(
                        "UPDATE events SET sequence = max(sequence, ?) WHERE uid = ?",
                        (e.sequence, e.uid),
                    )
                    continue
                self.db.execute(
                    "INSERT INTO events (uid, sequence, start, end, summary, attendees, organizer, stamp, status, "
                    "location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE SET "
                    "sequence = max(sequence, excluded.sequence), start = excluded.start, end = excluded.end, "
                    "summary = excluded.summary, attendees = excluded.attendees, organizer = excluded.organizer, "
                    "stamp = excluded.stamp, status = excluded.status, location = excluded.location",
                    (
                        e.uid,
                        e.sequence,
                        _iso(e.start),
                        _iso(e.end),
                        e.summary,
                        " ".join(e.attendees),
                        e.organizer,
                        s,
                        e.status,
                        e.location,
                    ),
                )
            # what left the feed without being cancelled is forgotten; cancellations are kept
            self.db.execute("DELETE FROM feed_events WHERE feed = ? AND status = 'active'", (feed,))
            self.db.executemany(
                "INSERT OR REPLACE INTO feed_events (feed, uid, status, sequence, timing, shown_status, location) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (feed, e.uid, "cancelled" if e.cancelled else "active", e.sequence, e.timing, e.status, e.location)
                    for e in events
                ],
            )


# ---- writing files -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    """One file written: how many entries, and how many of them its recipients see as new, moved
    (date, time or duration), changed (status or location only) or cancelled."""

    path: Path
    events: int
    moved: int
    new: int
    cancelled: int
    changed: int = 0
    files: int | None = None  # a folder of invitations: how many files in it; None: one file


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a subscribed client never reads half a file."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise CalendarError("cannot-write", f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise CalendarError("cannot-write", f"cannot write {path}: {e.strerror or e}") from None


def _write_folder(folder: Path, messages: Sequence[Message]) -> None:
    """One .ics per invitation in `folder`; govflow's files there from earlier exports that are
    not in this one are removed, so nothing out of date is left to be sent."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise CalendarError("cannot-write", f"cannot create {folder}: {e.strerror or e}") from None
    names = set()
    for m in messages:
        _write(folder / m.name, render_ics(m.calendar))
        names.add(m.name)
    mark = f"PRODID:{PRODID}\r\n".encode()
    for old in folder.glob("*.ics"):
        if old.name not in names and old.is_file() and mark in old.read_bytes()[:400]:
            old.unlink()


def _write_zip(path: Path, messages: Sequence[Message]) -> None:
    """The invitations as one .zip of .ics files (to attach to one email, or hand to a mail merge),
    written atomically; a fixed timestamp inside, so the same export gives the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for m in messages:
            info = zipfile.ZipInfo(m.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, render_ics(m.calendar))
    _write(path, buf.getvalue())


def write_calendars(
    sched: Schedule,
    stamp: datetime,
    options: CalendarOptions = CalendarOptions(),
    *,
    out: Path | None = None,
    per_attendee: Path | None = None,
    state: Path | None = None,
) -> tuple[list[Written], tuple[str, ...]]:
    """Write `out` and/or one file per person into `per_attendee`; keep SEQUENCE in `state` (None: no state).

    With invitations (`method='request'`) `out` is a folder of one .ics per invitation (one
    event each; cancellations are METHOD:CANCEL files in it), or a .zip of them, and
    `per_attendee` holds one such folder per person. Returns the files (or folders) written and the warnings.
    """
    request = options.method == "request"
    if request and out is not None and out.suffix.lower() == ".ics":
        raise CalendarError(
            "invitations-folder",
            f"invitations are one file per event: give a folder, e.g. -o {out.with_suffix('')}/, not {out}",
        )
    store = CalendarState(state) if state is not None else None
    written: list[Written] = []
    warnings: tuple[str, ...] = ()
    try:
        jobs: list[tuple[Path, str, CalendarOptions]] = []
        if out is not None:
            jobs.append((out, out.name, options))
        if per_attendee is not None:
            events, _ = collect(sched, options)
            people = set(attendees_of(events))
            if store is not None and options.cancel_removed:
                people |= {f.split(":", 1)[1] for f in store.feeds("attendee:")}
            if people:
                try:
                    per_attendee.mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    raise CalendarError("cannot-write", f"cannot create {per_attendee}: {e.strerror or e}") from None
            for person in sorted(people):
                only = replace(options, attendee=person)
                where = per_attendee / (_safe(person) if request else _safe(person) + ".ics")
                jobs.append((where, f"attendee:{person}", only))
        for path, feed, opts in jobs:
            history = store.history(feed) if store is not None else None
            ex = export(sched, stamp, opts, history)
            warnings = warnings or ex.warnings
            if request and path.suffix.lower() == ".zip":
                _write_zip(path, ex.messages)
            elif request:
                _write_folder(path, ex.messages)
            else:
                _write(path, render_ics(ex.calendar))
            cancelled = sum(e.cancelled for e in ex.events)
            if store is not None:
                store.record(feed, ex.events, stamp)
            files = len(ex.messages) if request else None
            n = len(ex.events) - cancelled
            written.append(Written(path, n, len(ex.moved), len(ex.new), cancelled, len(ex.changed), files))
    finally:
        if store is not None:
            store.close()
    return written, warnings
