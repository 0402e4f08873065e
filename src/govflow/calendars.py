"""Working days (Mon-Fri, not a bank holiday of the nation, not a closure) and meeting dates.

Working-day arithmetic is O(1): the calendar keeps, over a span of years that grows on
demand, the ordinal of every working day and, for every day, how many working days fall on
or before it.

>>> cal = WorkCalendar("england")
>>> cal.wd(date(2019, 4, 18), 1)   # Thursday before Easter -> Tuesday after Easter Monday
datetime.date(2019, 4, 23)
>>> cal.wd(date(2019, 4, 23), -1)
datetime.date(2019, 4, 18)
>>> cal.between(date(2019, 4, 18), date(2019, 4, 23))
1
"""

from __future__ import annotations

import functools
import gc
import importlib.util
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import cache
from itertools import accumulate, compress
from pathlib import Path
from typing import ParamSpec, TypeVar

import holidays as holidays_lib

from .dates import FIRST_YEAR, LAST_YEAR

__all__ = ["FIRST_YEAR", "LAST_YEAR", "NATIONS", "WorkCalendar", "bank_holidays", "gc_paused"]

P = ParamSpec("P")
R = TypeVar("R")

NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR", "none": None}


def gc_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run fn with the cyclic garbage collector paused: loading and scheduling build many small
    acyclic objects, and collector passes over a large programme only cost time."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return run


@cache
def _united_kingdom() -> Callable[..., holidays_lib.HolidayBase]:
    """`holidays.country_holidays` for "GB", with the package's United Kingdom module imported on
    its own first. Importing it the usual way runs `holidays.countries`, which imports every one of
    the 270 countries and territories the package knows (a tenth of a second, at every command);
    the package's registry takes a module already imported as it is. Should the package be laid
    out otherwise, it is imported the usual way."""
    name = "holidays.countries.united_kingdom"
    path = Path(holidays_lib.__file__).parent / "countries" / "united_kingdom.py"
    if name not in sys.modules and "holidays.countries" not in sys.modules and path.is_file():
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except Exception:  # any failure: the usual import, as if this had not been tried
                del sys.modules[name]
    return functools.partial(holidays_lib.country_holidays, "GB")


@cache
def _holiday_set(nation: str, first_year: int, last_year: int) -> frozenset[date]:
    subdiv = NATIONS[nation]
    if subdiv is None:
        return frozenset()
    return frozenset(_united_kingdom()(subdiv=subdiv, years=range(first_year, last_year + 1)))


def bank_holidays(nation: str, years: Iterable[int]) -> dict[date, str]:
    """Bank holidays of a UK nation (from the `holidays` package), date -> name.

    >>> bank_holidays("scotland", [2019])[date(2019, 12, 2)]
    "Saint Andrew's Day (observed)"
    """
    return dict(_bank_holidays(nation, tuple(sorted(set(years)))))


@cache
def _bank_holidays(nation: str, years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    subdiv = NATIONS[nation]
    if subdiv is None:
        return ()
    return tuple(_united_kingdom()(subdiv=subdiv, years=list(years)).items())


class WorkCalendar:
    """The working days of one timeline: weekdays less bank holidays and closures."""

    __slots__ = ("_count", "_days", "_lo", "closures", "nation")

    def __init__(self, nation: str = "england", closures: Iterable[date] = (), around: date | None = None):
        if nation not in NATIONS:
            raise ValueError(f"unknown nation {nation!r}")
        self.nation = nation
        self.closures = frozenset(closures)
        year = (around or date.today()).year
        self._build(year - 3, year + 6)

    def _build(self, first_year: int, last_year: int) -> None:
        first_year, last_year = max(first_year, FIRST_YEAR), min(last_year, LAST_YEAR)
        off = {d.toordinal() for d in _holiday_set(self.nation, first_year, last_year) | self.closures}
        # from 1900 the arrays start on Sun 31 Dec 1899, a non-working day, so that "working days
        # before 1 Jan 1900" is a lookup like any other
        lo = date(first_year, 1, 1).toordinal() - (first_year == FIRST_YEAR)
        hi = date(last_year, 12, 31).toordinal()
        # date.fromordinal(o).weekday() == (o + 6) % 7
        working = [1 if (o + 6) % 7 < 5 and o not in off else 0 for o in range(lo, hi + 1)]
        self._lo, self._days, self._count = lo, list(compress(range(lo, hi + 1), working)), list(accumulate(working))

    def _ensure(self, o: int) -> None:
        year = date.fromordinal(max(1, min(o, date.max.toordinal()))).year
        if not (FIRST_YEAR <= year <= LAST_YEAR):
            raise ValueError(f"date in {year} is outside the years govflow schedules ({FIRST_YEAR}-{LAST_YEAR})")
        self._grow(year - 2, year + 5)

    def _grow(self, first_year: int, last_year: int) -> None:
        """Rebuild the arrays to cover at least first_year..last_year as well as what they cover."""
        lo_year = date.fromordinal(self._lo).year
        hi_year = date.fromordinal(self._lo + len(self._count) - 1).year
        self._build(min(lo_year, first_year), max(hi_year, last_year))

    def reserve(self, first: int, last: int, margin: int) -> bool:
        """Cover ordinals first..last with at least `margin` working days either side (capped at
        the years govflow schedules); False when the cap leaves less. The scheduler's passes index
        the arrays directly inside that guarantee."""
        floor, ceil = date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal()
        pad = 2 * margin + 60
        while True:
            a, b = max(first - pad, floor), min(last + pad, ceil)
            if a < self._lo or b >= self._lo + len(self._count):
                self._grow(date.fromordinal(a).year, date.fromordinal(b).year)
            i, j = max(first, floor) - self._lo, min(last, ceil) - self._lo
            if i >= 1 and self._count[i - 1] >= margin and len(self._days) - self._count[j] >= margin:
                return floor <= first and last <= ceil
            if a == floor and b == ceil:
                return False
            pad *= 2

    def cover(self, first: int, last: int) -> None:
        """Make the arrays cover ordinals first..last (within the years govflow schedules)."""
        if first < self._lo or last >= self._lo + len(self._count):
            self._grow(date.fromordinal(first).year, date.fromordinal(last).year)

    def arrays(self) -> tuple[int, list[int], list[int]]:
        """(first ordinal, working days on or before each day from it, ordinals of working days)."""
        return self._lo, self._count, self._days

    def _cnt(self, o: int) -> int:
        """Working days on or before ordinal o."""
        i = o - self._lo
        if i < 0 or i >= len(self._count):
            self._ensure(o)
            i = o - self._lo
        return self._count[i]

    def is_working(self, d: date) -> bool:
        o = d.toordinal()
        return self._cnt(o) - self._cnt(o - 1) == 1

    def wd(self, d: date, n: int) -> date:
        """The date n working days after d (before, for n < 0); wd(d, 0) = d."""
        if n == 0:
            return d
        return date.fromordinal(self.wd_ord(d.toordinal(), n))

    def wd_ord(self, o: int, n: int) -> int:
        """`wd` on ordinals (the scheduler's hot path: two list lookups)."""
        if n == 0:
            return o
        i = o - self._lo
        count, days = self._count, self._days
        if 0 < i < len(count):
            # n > 0: the n-th working day after o; n < 0: counted back from the last working day before o
            j = count[i] - 1 + n if n > 0 else count[i - 1] + n
            if 0 <= j < len(days):
                return days[j]
        size = (self._lo, len(count))
        self._ensure(o + 2 * n + (30 if n > 0 else -30))  # ValueError outside the years govflow schedules
        self._ensure(o)
        if (self._lo, len(self._count)) == size:  # could not grow: the answer is outside them
            raise ValueError(f"a date outside the years govflow schedules ({FIRST_YEAR}-{LAST_YEAR})")
        return self.wd_ord(o, n)

    def on_or_after(self, d: date) -> date:
        """d itself if it is a working day, else the next working day."""
        return date.fromordinal(self.next_ord(d.toordinal()))

    def on_or_before(self, d: date) -> date:
        """d itself if it is a working day, else the previous working day."""
        return date.fromordinal(self.prev_ord(d.toordinal()))

    def next_ord(self, o: int) -> int:
        """o if it is a working day, else the next working day (ordinals)."""
        i = o - self._lo
        count = self._count
        if 0 < i < len(count) and count[i] != count[i - 1]:
            return o
        return self.wd_ord(o, 1) if self._cnt(o) == self._cnt(o - 1) else o

    def prev_ord(self, o: int) -> int:
        """o if it is a working day, else the previous working day (ordinals)."""
        i = o - self._lo
        count = self._count
        if 0 < i < len(count) and count[i] != count[i - 1]:
            return o
        return self.wd_ord(o, -1) if self._cnt(o) == self._cnt(o - 1) else o

    def between(self, a: date, b: date) -> int:
        """Signed working days from a to b: working days <= b minus working days <= a."""
        return self._cnt(b.toordinal()) - self._cnt(a.toordinal())

    def between_ord(self, a: int, b: int) -> int:
        return self._cnt(b) - self._cnt(a)

    def days(self, first: date, last: date) -> Iterator[date]:
        """The working days from first to last inclusive."""
        lo = bisect_left(self._days, self.next_ord(first.toordinal()))
        for o in self._days[lo:]:
            if o > last.toordinal():
                break
            yield date.fromordinal(o)

    def holidays_in(self, first: date, last: date) -> dict[date, str]:
        """Bank holidays and closures between first and last (for explanations and exports)."""
        found = {
            d: name
            for d, name in bank_holidays(self.nation, range(first.year, last.year + 1)).items()
            if first <= d <= last
        }
        found.update({d: "closure" for d in self.closures if first <= d <= last})
        return dict(sorted(found.items()))
