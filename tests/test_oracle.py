"""The engine against an independent oracle (tests/oracle.py) that applies DESIGN.md's rules
step by step and finds latest dates by brute force ("Latest dates, precisely").

- hand-checked examples: the oracle gives the answer worked out by hand, and the engine gives
  what the oracle gives;
- the shipped timelines and tests/cases at several status dates;
- random programmes (hypothesis): tasks, milestones, meeting items (TBC windows, papers due on
  the day, Saturday and bank-holiday meetings), fixed events (windows, TBC, forecasts), FS/SS/FF
  links with lags -4..+6, progress (done, started, remaining, forecasts on weekends), status
  dates on weekends, deadlines, and two timelines of different nations linked together.

GOVFLOW_ORACLE_EXAMPLES sets the number of random programmes (default 1000), e.g.
    GOVFLOW_ORACLE_EXAMPLES=2000 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_oracle.py
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from govflow import InvalidTimeline, load, load_text, schedule
from govflow.model import Programme
from oracle import oracle_schedule

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
EXAMPLES = int(os.environ.get("GOVFLOW_ORACLE_EXAMPLES", "1000"))
FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "float", "status")
# what `Schedule.table()` reads for every item at once must be what `items[key]` gives
TABLE_FIELDS = (*FIELDS, "critical", "driving", "why", "papers_due", "ready", "meeting", "reason")


def disagreements(programme: Programme, as_of: date | None = None) -> list[str]:
    """Every field where the engine and the oracle differ, as 'item.field: engine X, oracle Y'."""
    s = schedule(programme, as_of=as_of)
    want = oracle_schedule(programme, as_of)
    found = []
    assert set(s.items) == set(want)
    deadlines = {d.key: d for d in s.deadlines}
    for key, w in want.items():
        got = s.items[key]
        for f in FIELDS:
            if getattr(got, f) != w[f]:
                found.append(f"{key}.{f}: engine {getattr(got, f)}, oracle {w[f]}")
        if w["deadline"] is not None:
            d = deadlines[key]
            for f in ("forecast", "margin", "met"):
                if getattr(d, f) != w["deadline"][f]:
                    found.append(f"{key} deadline {f}: engine {getattr(d, f)}, oracle {w['deadline'][f]}")
    assert len(deadlines) == sum(w["deadline"] is not None for w in want.values())
    table = s.table()
    assert table.keys == list(s.items)
    for j, key in enumerate(table.keys):
        for f in TABLE_FIELDS:
            if getattr(table, f)[j] != getattr(s.items[key], f):
                found.append(f"{key}.{f}: table {getattr(table, f)[j]}, items {getattr(s.items[key], f)}")
    return found


def assert_agree(programme: Programme, as_of: date | None = None) -> None:
    found = disagreements(programme, as_of)
    assert not found, f"engine and oracle differ (as_of {as_of}):\n" + "\n".join(found)


def load_files(*texts: str) -> Programme:
    """Several timelines (YAML texts) loaded together as one programme."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for text in texts:
            tid = re.search(r"^id:\s*(\S+)", text, re.M)[1]  # type: ignore[index]
            path = Path(folder) / f"{tid}.yaml"
            path.write_text(text)
            paths.append(path)
        return load(paths, discover=False)


# ---- hand-checked examples ------------------------------------------------------------------------

SATURDAY_PAPERS = """
govflow: 1
id: sat-papers
start: 2020-08-03
bodies:
  b: {papers_due: 0, meets: [2020-08-15]}   # a Saturday
items:
  t: {duration: 5}                          # Mon 3 - Fri 7 Aug
  m: {at: b, after: ["t +1"], deadline: 2020-08-15}
"""
# t +1 into papers due Sat 15 Aug: wd(finish, 1) <= 15 Aug, so t finishes by Thu 13 Aug
# (Fri 14 + 1 working day is Mon 17); float 7 -> 13 Aug = 4 working days.

BANK_HOLIDAY_MEETING = """
govflow: 1
id: boxing-day
start: 2019-12-02
bodies:
  b: {meets: [2019-11-26, 2019-12-26]}       # 26 Dec 2019: Boxing Day, a bank holiday
items:
  m: {at: b}                                # papers for 26 Dec due Wed 18 Dec -> held 26 Dec
  t: {duration: 1, after: [m], deadline: 2019-12-27}
"""
# t starts the working day after 26 Dec, Fri 27 Dec, in time: m may be held as late as 26 Dec.

TBC_WINDOW_BEFORE_EXACT = """
govflow: 1
id: tbc-window
start: 2019-09-02
bodies:
  b: {meets: ["late Oct 2019 TBC", 2019-10-29]}
items:
  t: {duration: 5}
  m: {at: b, after: [t], deadline: 2019-10-31}
"""
# The window counts as held Thu 31 Oct, papers due Mon 14 Oct (5 before Mon 21 Oct); the exact
# meeting Tue 29 Oct has papers due Tue 22 Oct. Papers ready by 22 Oct still get a meeting by
# 31 Oct (the 29th), so t may finish by 22 Oct; m's latest finish is 29 Oct.

ENGLAND = """
govflow: 1
id: eng
start: 2020-01-02
holidays: england
items:
  e: {duration: 1}                          # Thu 2 Jan 2020 (a working day in England)
"""
SCOTLAND = """
govflow: 1
id: sco
start: 2020-01-02
holidays: scotland                          # 1 and 2 Jan are Scottish bank holidays
items:
  s: {duration: 1, after: ["eng:e"], deadline: 2020-01-03}
"""
# s starts the first Scottish working day after 2 Jan: Fri 3 Jan, in time, so e (2 Jan) has
# float 0; counting back from 3 Jan in the English calendar, not the Scottish, is the trap.

SATURDAY_MEETING_FRIDAY_DEADLINE = """
govflow: 1
id: sat-meeting
start: 2020-08-03
bodies:
  b: {papers_due: 0, meets: [2020-08-15]}   # a Saturday
items:
  t: {duration: 3}
  m: {at: b, after: [t], deadline: 2020-08-14}
"""
# m is held Sat 15 Aug, a working day late for Fri 14 Aug: margin -1, and float -1 too (no
# meeting by 14 Aug, so m's latest finish is the bound itself, 14 Aug; counted from Mon 17).


def _ex(text: str) -> Callable[[], Programme]:
    return lambda: load_text(text)


HAND: dict[str, tuple[Callable[[], Programme], dict[str, object]]] = {
    "saturday-papers": (
        _ex(SATURDAY_PAPERS),
        {"t.late_finish": date(2020, 8, 13), "t.float": 4, "m.late_finish": date(2020, 8, 15), "m.float": 0},
    ),
    "bank-holiday-meeting": (
        _ex(BANK_HOLIDAY_MEETING),
        {"m.early_finish": date(2019, 12, 26), "m.late_finish": date(2019, 12, 26), "m.float": 0, "t.float": 0},
    ),
    "tbc-window-before-exact": (
        _ex(TBC_WINDOW_BEFORE_EXACT),
        {
            "t.late_finish": date(2019, 10, 22),
            "t.late_start": date(2019, 10, 16),
            "m.early_finish": date(2019, 10, 29),
            "m.late_finish": date(2019, 10, 29),
            "m.latest_ready": date(2019, 10, 22),
        },
    ),
    "england-into-scotland": (
        lambda: load_files(ENGLAND, SCOTLAND),
        {
            "eng:e.early_finish": date(2020, 1, 2),
            "eng:e.late_finish": date(2020, 1, 2),
            "eng:e.float": 0,
            "sco:s.early_finish": date(2020, 1, 3),
            "sco:s.float": 0,
        },
    ),
    "saturday-meeting-friday-deadline": (
        _ex(SATURDAY_MEETING_FRIDAY_DEADLINE),
        {
            "m.early_finish": date(2020, 8, 15),
            "m.late_finish": date(2020, 8, 14),
            "m.float": -1,
            "m.margin": -1,
            "m.met": False,
        },
    ),
}


@pytest.mark.parametrize("name", HAND)
def test_the_oracle_gives_the_hand_checked_answer(name: str) -> None:
    make, expected = HAND[name]
    p = make()
    got = oracle_schedule(p)
    for path, want in expected.items():
        key, field = path.rsplit(".", 1)
        if ":" not in key:
            key = f"{p.timelines[0].id}:{key}"
        r = got[key]
        value = r["deadline"][field] if field in ("forecast", "margin", "met") else r[field]
        assert value == want, (path, value, want)


@pytest.mark.parametrize("name", HAND)
def test_the_engine_gives_what_the_oracle_gives_on_the_hand_checked_examples(name: str) -> None:
    assert_agree(HAND[name][0]())


def test_float_of_a_missed_deadline_matches_its_margin() -> None:
    p = HAND["saturday-meeting-friday-deadline"][0]()
    r = oracle_schedule(p)["sat-meeting:m"]
    assert r["float"] == r["deadline"]["margin"] == -1


# ---- shipped timelines and cases ---------------------------------------------------------------


SHIPPED = ("north-cumbria-2019", "lsc-ics-2019", "morecambe-bay-bct2-2019")


def _case_programmes() -> list[tuple[str, Callable[[], Programme]]]:
    def loader(*paths: Path) -> Callable[[], Programme]:
        return lambda: load(list(paths))

    found = [(name, loader(ROOT / "timelines" / f"{name}.yaml")) for name in SHIPPED]
    for path in sorted(CASES.glob("*.yaml")):
        if path.stem.startswith("err_"):
            continue
        others = [CASES / m for m in re.findall(r"^#\s*with:\s*(\S+)", path.read_text(), re.M)]
        found.append((path.stem, loader(path, *others)))
    return found


@pytest.mark.parametrize("name,make", _case_programmes(), ids=[n for n, _ in _case_programmes()])
def test_the_engine_gives_what_the_oracle_gives_on_the_shipped_timelines_and_cases(
    name: str, make: Callable[[], Programme]
) -> None:
    try:
        p = make()
    except InvalidTimeline:
        pytest.skip("not a valid programme")
    found = []
    for as_of in (None, date(2019, 6, 1), date(2019, 9, 21), date(2019, 11, 1)):  # 21 Sep 2019: a Saturday
        found += [f"[as_of {as_of}] {line}" for line in disagreements(p, as_of)]
    assert not found, "\n".join(found)


# ---- random programmes -----------------------------------------------------------------------------

BODIES = {
    "board": {"recurrence": "FREQ=MONTHLY;BYDAY=-1TH", "from": "2019-01-01", "until": "2021-12-31", "papers_due": 5},
    "committee": {
        "recurrence": "FREQ=WEEKLY;BYDAY=TU",
        "from": "2019-01-01",
        "until": "2021-12-31",
        "papers_due": 2,
        "skip": ["2019-08"],
    },
    # papers due on the meeting day itself; a Saturday meeting; TBC windows
    "panel": {
        "meets": ["2019-03-16", "2019-05-21", "2019-09-10", "2019-11-12 TBC", "late Jan 20 TBC"],
        "papers_due": 0,
    },
    # a TBC window ending after a fixed date inside it: the window's papers are due first
    "hwb": {"meets": ["late Oct 19 TBC", "2019-10-24", "2019-12-05", "2020-03-12"], "papers_due": 10},
    # bank holidays of some nations only (Easter Monday, 5 Aug, 26 Aug, St Andrew's, 2 Jan), a
    # Saturday, Boxing Day, and a TBC window just after an exact date
    "forum": {
        "meets": [
            "2019-04-22",
            "2019-06-15",
            "2019-08-05",
            "2019-08-26",
            "2019-10-29",
            "late Oct 2019 TBC",
            "2019-12-02",
            "2019-12-26",
            "2020-01-02",
            "Feb 2020 TBC",
        ],
        "papers_due": 1,
    },
    # every third Saturday, papers due on the day
    "weekend": {
        "recurrence": "FREQ=WEEKLY;INTERVAL=3;BYDAY=SA",
        "from": "2019-02-02",
        "until": "2020-06-30",
        "papers_due": 0,
    },
    # statutory timing (issue 12): publication, notice, call-in, a blackout
    "cabinet": {
        "recurrence": "FREQ=MONTHLY;BYDAY=2TH",
        "from": "2019-01-01",
        "until": "2021-12-31",
        "papers_due": 3,
        "publish": 5,
        "notice": 28,
        "general_exception": 5,
        "special_urgency": True,
        "call_in": 5,
        "blackout": [{"from": "2019-03-25", "to": "2019-05-02", "reason": "pre-election period"}],
    },
    "council": {
        "meets": ["2019-04-23", "2019-05-02", "2019-07-18", "late Sep 2019 TBC", "2019-12-23", "2020-01-02"],
        "papers_due": 1,
        "publish": {"days": 7, "count": "calendar"},
        "notice": {"days": 10, "count": "working"},
        "call_in": 3,
    },
}
STATUTORY = ("cabinet", "council")

DAY = st.dates(min_value=date(2019, 2, 1), max_value=date(2020, 3, 31))
NATIONS = ["england", "scotland", "wales", "northern-ireland", "none"]


@st.composite
def timeline(draw: st.DrawFn, tid: str, nation: str, outside: list[str], max_items: int = 12) -> dict[str, Any]:
    """One timeline; its items may also depend on `outside` (qualified keys of another)."""
    n = draw(st.integers(min_value=1, max_value=max_items))
    items: dict[str, dict[str, Any]] = {}
    for i in range(n):
        kind = draw(st.sampled_from(["task", "task", "milestone", "meeting", "meeting", "event"]))
        item: dict[str, Any] = {}
        if kind == "task":
            item["duration"] = draw(st.integers(min_value=1, max_value=25))
        elif kind == "meeting":
            item["at"] = draw(st.sampled_from(sorted(BODIES)))
            if item["at"] in STATUTORY and draw(st.booleans()):
                item["key_decision"] = True
                earlier = [f"i{p}" for p in range(i)] + outside
                if earlier and draw(st.booleans()):
                    item["notice_after"] = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True))
                elif draw(st.integers(0, 3)) == 0:
                    item["notice_given"] = draw(DAY).isoformat()
            if draw(st.integers(0, 4)) == 0:
                item["deferred"] = sorted({draw(DAY).isoformat() for _ in range(draw(st.integers(1, 2)))})
        elif kind == "event":
            first = draw(DAY)
            item["on"] = draw(
                st.sampled_from(
                    [
                        first.isoformat(),
                        first.isoformat(),
                        f"{first.isoformat()} TBC",
                        f"{first:%b-%y}",
                        "Q3 2019 TBC",
                        "late Oct 2019 TBC",
                        f"{first.isoformat()} to {date.fromordinal(first.toordinal() + 3).isoformat()}",
                    ]
                )
            )
        preds = [f"i{p}" for p in range(i)] + outside
        if preds:
            deps = []
            for p in draw(st.lists(st.sampled_from(preds), max_size=3, unique=True)):
                typ = draw(st.sampled_from(["FS", "FS", "SS", "FF"]))
                deps.append({"id": p, "type": typ, "lag": draw(st.integers(min_value=-4, max_value=6))})
            if deps:
                item["after"] = deps
        progress = draw(
            st.sampled_from(["none", "none", "none", "done", "started", "remaining", "forecast", "started+forecast"])
        )
        day = draw(DAY)
        if progress == "done":
            item["done"] = day.isoformat()
        elif progress in ("started", "remaining", "started+forecast") and kind == "task":
            item["started"] = day.isoformat()
            if progress == "remaining":
                item["remaining"] = draw(st.integers(min_value=0, max_value=10))
            if progress == "started+forecast":
                item["forecast"] = draw(DAY).isoformat()
        elif progress in ("forecast", "started+forecast"):
            item["forecast"] = day.isoformat()  # any kind, weekends included
        if draw(st.integers(min_value=0, max_value=3)) == 0 or i == n - 1:
            due = draw(DAY)
            item["deadline"] = due.isoformat() if draw(st.integers(0, 5)) else f"{due:%b-%y}"
        items[f"i{i}"] = item
    data = {
        "govflow": 1,
        "id": tid,
        # a Monday, a Saturday, Good Friday, St Andrew's Day observed (Scotland)
        "start": draw(st.sampled_from(["2019-02-04", "2019-02-09", "2019-04-19", "2019-12-02"])),
        "holidays": nation,
        "bodies": BODIES,
        "items": items,
    }
    if draw(st.booleans()):
        data["closures"] = ["2019-12-24 to 2020-01-01"]
    if draw(st.integers(0, 3)) == 0:
        first = draw(DAY)
        data["blackout"] = [
            {"from": first.isoformat(), "to": (first + timedelta(days=draw(st.integers(0, 40)))).isoformat()}
        ]
    if draw(st.booleans()):
        data["as_of"] = draw(DAY).isoformat()  # weekends included
    return data


@st.composite
def programmes(draw: st.DrawFn, max_items: int = 12) -> list[dict[str, Any]]:
    """One timeline, or two of different nations with the second depending on the first."""
    nation = draw(st.sampled_from(NATIONS))
    first = draw(timeline("a", nation, [], max_items))
    if draw(st.integers(min_value=0, max_value=2)):
        return [first]
    other = draw(st.sampled_from([x for x in NATIONS if x != nation]))
    second = draw(timeline("b", other, [f"a:{k}" for k in first["items"]], max_items))
    return [first, second]


def _programme(docs: list[dict[str, Any]]) -> Programme:
    texts = [yaml.safe_dump(d, sort_keys=False) for d in docs]
    return load_text(texts[0]) if len(texts) == 1 else load_files(*texts)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes(), st.one_of(st.none(), DAY))
def test_the_engine_gives_what_the_oracle_gives_on_random_programmes(
    docs: list[dict[str, Any]], as_of: date | None
) -> None:
    for doc in docs:
        note(yaml.safe_dump(doc, sort_keys=False))
    assert_agree(_programme(docs), as_of)
