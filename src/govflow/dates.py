"""Dates as planning papers write them, each read as a window [first, last].

>>> parse_window("27-Sep-19")
Window(first=datetime.date(2019, 9, 27), last=datetime.date(2019, 9, 27), tbc=False)
>>> w = parse_window("late Oct-19 TBC"); (w.first.isoformat(), w.last.isoformat(), w.tbc)
('2019-10-21', '2019-10-31', True)
>>> str(parse_window("2020/21 Q1"))
'2020-04-01 to 2020-06-30'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["DateError", "Window", "parse_date", "parse_window"]

FIRST_YEAR, LAST_YEAR = 1900, 2300  # the years govflow reads and schedules

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MON = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_YEAR = r"(\d{4}|\d{2})"

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY_MON_YEAR = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[-\s/]*{_MON}[-\s,]*{_YEAR}")
_DMY_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_PART_MON_YEAR = re.compile(rf"(early|mid|late)[-\s]+{_MON}(?:[-\s,]*{_YEAR})?")
_MON_YEAR = re.compile(rf"{_MON}(?:[-\s,]*{_YEAR})?")
_QUARTER = re.compile(r"q([1-4])[-\s]*(\d{4})|(\d{4})[-\s]*q([1-4])")
_FIN_QUARTER = re.compile(r"(\d{4})/(\d{2})[-\s]*q([1-4])|q([1-4])[-\s]*(\d{4})/(\d{2})")
_YEAR_ONLY = re.compile(r"(\d{4})")
_RANGE = re.compile(r"\s+(?:to|until)\s+|\s+[-–—]\s+|\s*[–—]\s*", re.IGNORECASE)
_MON_DASH_MON = re.compile(rf"{_MON}\s*-\s*({_MON}.*)", re.IGNORECASE)
_TBC = re.compile(r"[\s(]*\btbc\b\)?\s*$", re.IGNORECASE)


class DateError(ValueError):
    """A date that cannot be read, or that does not exist (31 February)."""


@dataclass(frozen=True, slots=True)
class Window:
    """The days a date may fall on: an exact date is a one-day window."""

    first: date
    last: date
    tbc: bool = False
    text: str = field(default="", compare=False, repr=False)

    @property
    def exact(self) -> bool:
        return self.first == self.last and not self.tbc

    def __str__(self) -> str:
        span = self.first.isoformat()
        if self.last != self.first:
            span += f" to {self.last.isoformat()}"
        return span + (" TBC" if self.tbc else "")


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _day(y: int, m: int, d: int) -> date:
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise DateError(f"year {y} is outside {FIRST_YEAR}-{LAST_YEAR}")
    if not 1 <= m <= 12:
        raise DateError(f"no such month: {m}")
    try:
        return date(y, m, d)
    except ValueError:
        raise DateError(f"no such date: day {d} of {calendar.month_name[m] if 1 <= m <= 12 else m} {y}") from None


def _month(y: int, m: int, lo: int = 1, hi: int | None = None) -> tuple[date, date]:
    if not 1 <= m <= 12:
        raise DateError(f"no such month: {m}")
    end = calendar.monthrange(y, m)[1] if FIRST_YEAR <= y <= LAST_YEAR else 28
    return _day(y, m, lo), _day(y, m, min(hi or end, end))


def _single(text: str, default_year: int | None = None) -> tuple[date, date] | None:
    """Read one date form (no range, no TBC); None when the form is not recognised."""
    s = text.strip().lower()
    if m := _ISO.fullmatch(s):
        d = _day(int(m[1]), int(m[2]), int(m[3]))
        return d, d
    if m := _ISO_MONTH.fullmatch(s):
        return _month(int(m[1]), int(m[2]))
    if m := _DAY_MON_YEAR.fullmatch(s):
        d = _day(_year(m[3]) or 0, _MONTHS[m[2]], int(m[1]))
        return d, d
    if m := _DMY_SLASH.fullmatch(s):
        d = _day(_year(m[3]) or 0, int(m[2]), int(m[1]))
        return d, d
    if m := _PART_MON_YEAR.fullmatch(s):
        y = _year(m[3]) or default_year
        if y is None:
            return None
        lo, hi = {"early": (1, 10), "mid": (11, 20), "late": (21, None)}[m[1]]
        return _month(y, _MONTHS[m[2]], lo, hi)
    if m := _MON_YEAR.fullmatch(s):
        y = _year(m[2]) or default_year
        return None if y is None else _month(y, _MONTHS[m[1]])
    if m := _FIN_QUARTER.fullmatch(s):
        start_year, end_yy, q = (m[1], m[2], m[3]) if m[1] else (m[5], m[6], m[4])
        y = int(start_year)
        if (y + 1) % 100 != int(end_yy):
            raise DateError(f"'{text}' is not a financial year (expected {y}/{(y + 1) % 100:02d})")
        first_month = 4 + 3 * (int(q) - 1)  # Q1 = Apr-Jun ... Q4 = Jan-Mar of the next year
        y, first_month = (y + 1, first_month - 12) if first_month > 12 else (y, first_month)
        return _month(y, first_month)[0], _month(y, first_month + 2)[1]
    if m := _QUARTER.fullmatch(s):
        q, y = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        return _month(y, 3 * q - 2)[0], _month(y, 3 * q)[1]
    if m := _YEAR_ONLY.fullmatch(s):
        return _day(int(m[1]), 1, 1), _day(int(m[1]), 12, 31)
    return None


def parse_window(value: object) -> Window:
    """Read a date as written in a timeline file; raises DateError with the reason.

    >>> str(parse_window("Jan - Mar 20"))
    '2020-01-01 to 2020-03-31'
    >>> str(parse_window("Jul-19 to Aug-19"))
    '2019-07-01 to 2019-08-31'
    >>> parse_window("31-Feb-19")
    Traceback (most recent call last):
    ...
    govflow.dates.DateError: no such date: day 31 of February 2019
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Window(value, value, False, value.isoformat())
    if not isinstance(value, str):
        raise DateError(f"expected a date, got {type(value).__name__} {value!r}")
    text = value.strip()
    if len(text) > 64:
        raise DateError(f"'{text[:40]}...' is too long to be a date")
    tbc = bool(_TBC.search(text))
    body = _TBC.sub("", text).strip() if tbc else text
    if not body:
        raise DateError(f"'{text}' has no date before TBC")
    m = _MON_DASH_MON.fullmatch(body)  # "Jan-Mar 20"
    parts = [m[1], m[2]] if m else _RANGE.split(body)
    if len(parts) > 2:
        raise DateError(f"'{text}' has more than two ends")
    if len(parts) == 2:
        end = _single(parts[1])
        if end is None:
            raise DateError(f"cannot read '{parts[1].strip()}' in '{text}'")
        start = _single(parts[0], default_year=end[1].year)
        if start is None:
            raise DateError(f"cannot read '{parts[0].strip()}' in '{text}'")
        if start[0] > end[1]:
            start = _single(parts[0], default_year=end[1].year - 1) or start
        first, last = start[0], end[1]
        if first > last:
            raise DateError(f"'{text}' ends before it starts")
    else:
        one = _single(body)
        if one is None:
            raise DateError(
                f"cannot read '{text}' as a date (try 2019-09-27, 27-Sep-19, Sep 2019, "
                "late Oct 2019, Q3 2019, 2020/21 Q1, or 'A to B')"
            )
        first, last = one
    return Window(first, last, tbc, text)


def parse_date(value: object) -> date:
    """Read a date that must be one exact day (no window, no TBC).

    >>> parse_date("27 September 2019")
    datetime.date(2019, 9, 27)
    """
    w = parse_window(value)
    if w.first != w.last or w.tbc:
        raise DateError(f"'{w.text}' must be one exact date, not a window")
    return w.first
