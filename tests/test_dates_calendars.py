"""Date forms planning papers use, and working-day arithmetic (examples and properties)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.calendars import NATIONS, WorkCalendar
from govflow.dates import DateError, parse_date, parse_window


@pytest.mark.parametrize(
    ("text", "first", "last", "tbc"),
    [
        ("2019-09-27", "2019-09-27", "2019-09-27", False),
        ("27-Sep-19", "2019-09-27", "2019-09-27", False),
        ("27 September 2019", "2019-09-27", "2019-09-27", False),
        ("Sep 2019", "2019-09-01", "2019-09-30", False),
        ("Sep-19", "2019-09-01", "2019-09-30", False),
        ("early Oct 2019", "2019-10-01", "2019-10-10", False),
        ("mid Oct 2019", "2019-10-11", "2019-10-20", False),
        ("late Oct 2019", "2019-10-21", "2019-10-31", False),
        ("Late Oct-19 TBC", "2019-10-21", "2019-10-31", True),
        ("Q3 2019", "2019-07-01", "2019-09-30", False),
        ("2020/21 Q1", "2020-04-01", "2020-06-30", False),
        ("2019/20 Q4", "2020-01-01", "2020-03-31", False),
        ("Jul-19 to Aug-19", "2019-07-01", "2019-08-31", False),
        ("Jan - Mar 20", "2020-01-01", "2020-03-31", False),
        ("Nov 19 - Jan 20", "2019-11-01", "2020-01-31", False),
        ("2019-11-06 to 2019-12-12", "2019-11-06", "2019-12-12", False),
        ("2019-08", "2019-08-01", "2019-08-31", False),
        ("Feb 2020", "2020-02-01", "2020-02-29", False),
        ("15 Nov 2019 (TBC)", "2019-11-15", "2019-11-15", True),
    ],
)
def test_date_forms_read_as_windows(text: str, first: str, last: str, tbc: bool) -> None:
    w = parse_window(text)
    assert (w.first.isoformat(), w.last.isoformat(), w.tbc) == (first, last, tbc)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31-Feb-19", "no such date"),
        ("2019-13-01", "no such month"),
        ("Smarch 2019", "cannot read"),
        ("Dec 2019 to Jan 2019", "ends before it starts"),
        ("TBC", "no date before TBC"),
        ("2019/21 Q1", "not a financial year"),
        ("99999-01-01", "cannot read"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(DateError, match=reason):
        parse_window(text)


def test_exact_date_refuses_a_window() -> None:
    with pytest.raises(DateError, match="exact"):
        parse_date("Sep 2019")


days = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
nations = st.sampled_from(sorted(NATIONS))
steps = st.integers(min_value=-400, max_value=400)
_cals = {n: WorkCalendar(n, around=date(2020, 1, 1)) for n in NATIONS}


@given(days, st.sampled_from(["%Y-%m-%d", "%d-%b-%y", "%d %B %Y", "%d %b %Y"]))
def test_exact_dates_round_trip_in_every_written_form(d: date, form: str) -> None:
    assert parse_date(d.strftime(form)) == d


@given(nations, days, steps)
def test_wd_lands_on_a_working_day_and_round_trips(nation: str, d: date, n: int) -> None:
    cal = _cals[nation]
    out = cal.wd(d, n)
    if n == 0:
        assert out == d
        return
    assert cal.is_working(out)
    assert (out > d) == (n > 0)
    assert cal.between(d, out) == n if cal.is_working(d) or n > 0 else cal.between(d, out) == n + 1
    if cal.is_working(d):
        assert cal.wd(out, -n) == d


@given(nations, days, days, steps)
def test_wd_is_monotone(nation: str, a: date, b: date, n: int) -> None:
    cal = _cals[nation]
    a, b = min(a, b), max(a, b)
    assert cal.wd(a, n) <= cal.wd(b, n)


@settings(max_examples=50)
@given(nations, st.integers(min_value=2016, max_value=2029))
def test_working_days_exclude_weekends_and_bank_holidays(nation: str, year: int) -> None:
    cal = _cals[nation]
    hols = cal.holidays_in(date(year, 1, 1), date(year, 12, 31))
    d = date(year, 1, 1)
    while d.year == year:
        assert cal.is_working(d) == (d.weekday() < 5 and d not in hols)
        d += timedelta(1)


def test_known_bank_holidays_per_nation() -> None:
    eng, sco, nir = _cals["england"], _cals["scotland"], _cals["northern-ireland"]
    assert not eng.is_working(date(2019, 4, 19)) and not eng.is_working(date(2019, 4, 22))  # Easter
    assert not eng.is_working(date(2019, 8, 26)) and sco.is_working(date(2019, 8, 26))
    assert not sco.is_working(date(2019, 8, 5)) and eng.is_working(date(2019, 8, 5))
    assert not sco.is_working(date(2019, 12, 2))  # St Andrew's Day, substitute for Saturday 30 Nov
    assert not nir.is_working(date(2019, 3, 18)) and not nir.is_working(date(2019, 7, 12))
    assert eng.wd(date(2019, 4, 18), 1) == date(2019, 4, 23)


def test_closures_are_not_working_days() -> None:
    cal = WorkCalendar("england", {date(2019, 12, 27)}, around=date(2019, 1, 1))
    assert cal.wd(date(2019, 12, 24), 1) == date(2019, 12, 30)


def test_calendar_grows_to_far_dates() -> None:
    cal = WorkCalendar("england", around=date(2019, 1, 1))
    assert cal.wd(date(2019, 1, 1), 5000).year == 2038
    assert cal.is_working(date(2100, 3, 1))


def test_bank_holidays_are_the_holidays_package_s_whichever_way_it_is_imported() -> None:
    """The calendars import the package's United Kingdom module on its own (`_united_kingdom`):
    the same days and names as after the package's usual import of every country."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "if sys.argv[1] == 'usual':\n"
        "    import holidays.countries\n"
        "from govflow.calendars import NATIONS, _holiday_set, bank_holidays\n"
        "print([(n, sorted(_holiday_set(n, 1900, 2300)), sorted(bank_holidays(n, range(1990, 2040)).items()))"
        " for n in NATIONS])\n"
        "print(len([m for m in sys.modules if m.startswith('holidays.countries.')]))\n"
    )
    alone, usual = (
        subprocess.run([sys.executable, "-c", script, way], capture_output=True, text=True, check=True).stdout
        for way in ("alone", "usual")
    )
    assert alone.splitlines()[0] == usual.splitlines()[0]
    assert int(alone.splitlines()[1]) < int(usual.splitlines()[1])  # fewer modules imported
