"""Meeting dates from the files committee systems export: iCalendar (`.ics`) and CSV.

A body's `meets_from: {ics: FILE, match: REGEX}` or `{csv: FILE, column: NAME}` reads its meetings
from such a file. The iCalendar file is read with `icalendar`, and recurring events are expanded
by `recurring-ical-events` (with their EXDATEs, RDATEs and RECURRENCE-ID overrides):

- an event with `STATUS:CANCELLED` (or an Outlook "Cancelled:"/"Canceled:" summary) is not a
  meeting, and an override that cancels one occurrence of a series removes that occurrence;
- an event with `STATUS:TENTATIVE` is a meeting not yet confirmed (TBC);
- a timed event keeps its start time and length (in the body's time zone) for calendar exports;
- `match` is a regular expression searched for in SUMMARY, ignoring case; without it every
  event is a meeting.

>>> from pathlib import Path
>>> import tempfile
>>> ics = '''BEGIN:VCALENDAR
... VERSION:2.0
... PRODID:-//example//EN
... BEGIN:VEVENT
... UID:1
... DTSTART;TZID=Europe/London:20190926T140000
... DTEND;TZID=Europe/London:20190926T160000
... RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=-1TH
... EXDATE;TZID=Europe/London:20191031T140000
... SUMMARY:Health and Wellbeing Board
... END:VEVENT
... END:VCALENDAR
... '''
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "hwb.ics"; _ = p.write_text(ics)
...     found = read_ics(p, "wellbeing")
>>> [(f.when.first.isoformat(), f.time.isoformat(), f.duration.seconds) for f in found]
[('2019-09-26', '14:00:00', 7200), ('2019-11-28', '14:00:00', 7200)]
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .dates import FIRST_YEAR, LAST_YEAR, DateError, Window, parse_window
from .errors import did_you_mean

__all__ = ["MAX_EVENTS", "Found", "SourceError", "read_csv", "read_ics"]

MAX_EVENTS = 10_000  # meetings read from one file (an open-ended series would go on for ever)
MAX_BYTES = 64 * 1024 * 1024
OPEN_YEARS = 3  # without `until`, read a file up to this many years after its latest event start
_CANCELLED_SUMMARY = re.compile(r"^\s*(cancell?ed|canceled)\s*:", re.IGNORECASE)


class SourceError(ValueError):
    """A calendar or CSV file that cannot be used; `line` is a line of that file when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


@dataclass(frozen=True, slots=True)
class Found:
    """One meeting date read from a file: its window (TBC for a tentative event), its start time
    and length when the event is timed, and its summary (or the CSV row's text)."""

    when: Window
    time: time | None = None
    duration: timedelta | None = None
    summary: str = ""
    line: int | None = None  # the CSV row's line


def _bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{path.name} is larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except OSError as e:
        raise SourceError(f"cannot read {path.name}: {e.strerror or e}") from None


def _day(value: Any, zone: ZoneInfo) -> tuple[date, time | None]:
    """The local day (and time, for a timed value) of a DTSTART in the body's time zone; a floating
    time is taken as local already."""
    if isinstance(value, datetime):
        local = value.astimezone(zone) if value.tzinfo is not None else value
        return local.date(), local.time().replace(tzinfo=None)
    return value, None


def read_ics(
    path: Path,
    match: str | None = None,
    timezone: str = "Europe/London",
    first: date | None = None,
    until: date | None = None,
) -> list[Found]:
    """The meetings in an iCalendar file, in date order: events whose SUMMARY matches `match`
    (a regular expression, ignoring case; all events when None), recurring events expanded, from
    `first` to `until` (without `until`: three years after the latest event start in the file)."""
    import icalendar
    import recurring_ical_events

    pattern = None
    if match is not None:
        try:
            pattern = re.compile(match, re.IGNORECASE)
        except re.error as e:
            raise SourceError(f"'match' is not a regular expression: {e}") from None
    raw = _bytes(path)
    if b"BEGIN:VCALENDAR" not in raw[:4096].upper():
        raise SourceError(f"{path.name} is not an iCalendar file (no BEGIN:VCALENDAR)")
    try:
        calendars = icalendar.Calendar.from_ical(raw, multiple=True)
    except Exception as e:  # icalendar raises ValueError and others on bad input
        raise SourceError(f"cannot read {path.name} as iCalendar: {e}") from None
    zone = ZoneInfo(timezone)
    out: list[Found] = []
    for cal in calendars:
        events = list(cal.walk("VEVENT"))
        starts = []
        for ev in events:
            dt = ev.get("DTSTART")
            if dt is not None:
                starts.append(_day(dt.dt, zone)[0])
        if not starts:
            continue
        lo = first or max(min(starts), date(FIRST_YEAR, 1, 1))
        hi = until or _years_after(max(starts), OPEN_YEARS)
        hi = min(hi, date(LAST_YEAR, 12, 30))
        if hi < lo:
            continue
        try:
            occurrences = recurring_ical_events.of(cal).between(lo, hi + timedelta(days=1))
        except Exception as e:  # recurring_ical_events.InvalidCalendar, bad rules, ...
            raise SourceError(f"cannot expand the events of {path.name}: {e}") from None
        for occ in occurrences:
            summary = str(occ.get("SUMMARY", "") or "")
            status = str(occ.get("STATUS", "") or "").upper()
            if status == "CANCELLED" or _CANCELLED_SUMMARY.match(summary):
                continue
            if pattern is not None and not pattern.search(summary):
                continue
            start = occ.get("DTSTART")
            if start is None:
                continue
            day, at = _day(start.dt, zone)
            if not lo <= day <= hi:
                continue
            length = _length(occ, start.dt) if at is not None else None
            tbc = status == "TENTATIVE"
            text = day.isoformat() + (" TBC" if tbc else "")
            out.append(Found(Window(day, day, tbc, text), at, length, summary))
            if len(out) > MAX_EVENTS:
                raise SourceError(f"{path.name} gives more than {MAX_EVENTS} meetings; give the body an 'until'")
    out.sort(key=lambda f: (f.when.first, f.time or time()))
    return out


def _length(event: Any, start: datetime) -> timedelta | None:
    """A timed event's length (DTEND - DTSTART, or DURATION), when it is one a meeting can have."""
    end, dur = event.get("DTEND"), event.get("DURATION")
    try:
        length = end.dt - start if end is not None else dur.dt if dur is not None else None
    except TypeError:  # DTEND a date beside a timed DTSTART, or naive beside aware
        return None
    return length if isinstance(length, timedelta) and timedelta(0) < length <= timedelta(hours=24) else None


def _years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=min(d.year + years, LAST_YEAR))
    except ValueError:
        return date(min(d.year + years, LAST_YEAR), 3, 1)


def read_csv(path: Path, column: str) -> list[Found]:
    """The meeting dates in one column of a CSV file (comma, semicolon or tab separated; UTF-8,
    with or without a byte-order mark). Dates are read as `meets` reads them (`26/09/2019`,
    `26-Sep-19`, `late Oct 2019 TBC`, ...); empty cells are skipped. A cell that cannot be read is
    a `SourceError` carrying its line."""
    raw = _bytes(path)
    if b"\x00" in raw[:65536]:
        raise SourceError(f"{path.name} is a binary file, not CSV text (save the sheet as CSV UTF-8)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SourceError(f"{path.name} is not UTF-8 text (byte {e.start}); save it as CSV UTF-8") from None
    head = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(head.splitlines()[0] if head else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(f"{path.name} is empty") from None
    names = [h.strip() for h in header]
    if column in names:
        col = names.index(column)
    else:
        lower = [h.lower() for h in names]
        if column.strip().lower() not in lower:
            raise SourceError(
                f"{path.name} has no column '{column}' (its columns: {', '.join(names)}){did_you_mean(column, names)}"
            )
        col = lower.index(column.strip().lower())
    out: list[Found] = []
    for row in reader:
        line = reader.line_num
        cell = row[col].strip() if col < len(row) else ""
        if not cell:
            continue
        try:
            w = parse_window(cell)
        except DateError as e:
            raise SourceError(f"column '{names[col]}': cannot read '{cell}' as a date: {e}", line) from None
        out.append(Found(w, summary=" ".join(c.strip() for c in row if c.strip()), line=line))
        if len(out) > MAX_EVENTS:
            raise SourceError(f"{path.name} gives more than {MAX_EVENTS} meetings", line)
    out.sort(key=lambda f: (f.when.last, f.when.first))
    return out
