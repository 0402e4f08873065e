"""The engine on the programmes that stress it: random timelines, several nations, the synthetic
national programme, calendars that must grow, dates near the years govflow schedules.

Each schedule is held to the step-by-step oracle (`tests/oracle.py`, DESIGN.md's rules applied
item by item, latest dates by brute force): every early and latest date, float, status and
deadline verdict must agree."""

from __future__ import annotations

import gc
import importlib.util
import json
import sys
import weakref
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from govflow import InvalidTimeline, load, load_text, schedule, scheduling
from govflow.cli import app
from govflow.model import Programme
from govflow.scheduling import Schedule
from test_invariants import BODY
from test_oracle import assert_agree

ROOT = Path(__file__).resolve().parents[1]

BODIES = {
    **BODY,  # the monthly board and weekly committee of the invariant tests
    # papers due on the meeting day itself, and a meeting on a Saturday: the general backward rule
    "panel": {
        "meets": ["2019-03-16", "2019-05-21", "2019-09-10", "2019-11-12 TBC", "late Jan 20 TBC"],
        "papers_due": 0,
    },
    # a TBC window before a fixed date: papers for the window are due before those of the next meeting
    "hwb": {"meets": ["late Oct 19 TBC", "2019-10-24", "2019-12-05", "2020-03-12"], "papers_due": 10},
}


def _check(p: Programme, as_of: date | None = None) -> Schedule:
    assert_agree(p, as_of)
    return schedule(p, as_of=as_of)


DAY = st.dates(min_value=date(2019, 2, 1), max_value=date(2020, 3, 31))


@st.composite
def timelines(draw: st.DrawFn) -> dict:
    n = draw(st.integers(min_value=1, max_value=14))
    items: dict[str, dict] = {}
    for i in range(n):
        kind = draw(st.sampled_from(["task", "task", "milestone", "meeting", "meeting", "event"]))
        item: dict = {}
        if kind == "task":
            item["duration"] = draw(st.integers(min_value=1, max_value=25))
        elif kind == "meeting":
            item["at"] = draw(st.sampled_from(sorted(BODIES)))
        elif kind == "event":
            first = draw(DAY)
            item["on"] = draw(
                st.sampled_from([first.isoformat(), f"{first.isoformat()} TBC", f"{first:%b-%y}", "Q3 2019 TBC"])
            )
        if i:
            deps = []
            for p in draw(st.lists(st.integers(min_value=0, max_value=i - 1), max_size=3, unique=True)):
                typ = draw(st.sampled_from(["FS", "FS", "SS", "FF"]))
                deps.append({"id": f"i{p}", "type": typ, "lag": draw(st.integers(min_value=-4, max_value=6))})
            if deps:
                item["after"] = deps
        progress = draw(st.sampled_from(["none", "none", "none", "done", "started", "remaining", "forecast"]))
        day = draw(DAY)
        if progress == "done":
            item["done"] = day.isoformat()
        elif progress in ("started", "remaining") and kind == "task":
            item["started"] = day.isoformat()
            if progress == "remaining":
                item["remaining"] = draw(st.integers(min_value=0, max_value=10))
        elif progress == "forecast" and kind in ("task", "milestone", "meeting"):
            item["forecast"] = day.isoformat()
        if draw(st.integers(min_value=0, max_value=3)) == 0 or i == n - 1:
            item["deadline"] = draw(DAY).isoformat()
        items[f"i{i}"] = item
    data = {
        "govflow": 1,
        "id": "prop",
        "start": draw(st.sampled_from(["2019-02-04", "2019-02-09", "2019-04-19"])),  # a Saturday, Good Friday
        "holidays": draw(st.sampled_from(["england", "scotland", "wales", "northern-ireland", "none"])),
        "bodies": BODIES,
        "items": items,
    }
    if draw(st.booleans()):
        data["closures"] = ["2019-12-24 to 2020-01-01"]
    if draw(st.booleans()):
        data["as_of"] = draw(DAY).isoformat()
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(), st.one_of(st.none(), DAY))
def test_the_engine_follows_the_rules_on_random_timelines(data: dict, as_of: date | None) -> None:
    _check(load_text(yaml.safe_dump(data, sort_keys=False)), as_of)


def test_the_engine_follows_the_rules_on_the_shipped_timelines() -> None:
    for name in ("north-cumbria-2019", "lsc-ics-2019", "morecambe-bay-bct2-2019"):
        p = load([ROOT / "timelines" / f"{name}.yaml"])
        for as_of in (None, date(2019, 6, 3), date(2019, 9, 20), date(2019, 11, 1)):
            _check(p, as_of)


def test_the_engine_follows_the_rules_across_nations(tmp_path: Path) -> None:
    """Cross-timeline dependencies between English and Scottish calendars (St Andrew's Day)."""
    eng = {
        "govflow": 1,
        "id": "eng",
        "start": "2019-11-01",
        "as_of": "2019-11-15",  # each timeline its own status date
        "holidays": "england",
        "bodies": {"board": {"meets": ["2019-12-03", "2020-01-07"], "papers_due": 3}},
        "items": {
            "draft": {"duration": 15, "started": "2019-11-04"},
            "sign": {"at": "board", "after": ["draft", {"id": "sco:review", "type": "SS", "lag": 2}]},
            "go": {"after": ["sign"], "deadline": "2019-12-10"},
        },
    }
    sco = {
        "govflow": 1,
        "id": "sco",
        "start": "2019-11-01",
        "holidays": "scotland",
        "items": {
            "review": {"duration": 10, "after": [{"id": "eng:draft", "type": "FF", "lag": 1}]},
            "close": {"after": ["review", "eng:go"], "deadline": "2019-12-20"},
        },
    }
    folder = tmp_path
    (folder / "eng.yaml").write_text(yaml.safe_dump(eng, sort_keys=False))
    (folder / "sco.yaml").write_text(yaml.safe_dump(sco, sort_keys=False))
    p = load([folder / "eng.yaml"])
    assert {t.id for t in p.timelines} == {"eng", "sco"}
    s = _check(p)
    _check(p, date(2019, 11, 20))
    # St Andrew's Day (observed Mon 2 Dec 2019) is a Scottish holiday only
    assert s.calendar("sco:review").is_working(date(2019, 12, 2)) is False
    assert s.calendar("eng:draft").is_working(date(2019, 12, 2)) is True


def _generate() -> object:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def test_the_engine_follows_the_rules_on_the_synthetic_national_programme() -> None:
    gen = _generate()
    text = json.dumps(gen.to_govflow(gen.build(1000, 2019)))  # type: ignore[attr-defined]
    p = load_text(text, "programme-1k.json")
    s = _check(p)
    assert 0 < sum(d.met for d in s.deadlines) < len(s.deadlines)  # both verdicts are exercised
    for as_of in (date(2025, 3, 3), date(2025, 9, 1)):
        _check(p, as_of)


def _chain(n: int, days: int, deadline: str, start: str = "2019-09-02") -> str:
    items = "".join(f"  t{i}: {{duration: {days}{f', after: [t{i - 1}]' if i else ''}}}\n" for i in range(n))
    # a closure of its own gives the chain a calendar no other test has grown
    return (
        f"govflow: 1\nid: chain\nstart: {start}\nclosures: [{start}]\nitems:\n{items}"
        f"  end: {{after: [t{n - 1}], deadline: {deadline}}}\n"
    )


def test_a_plan_running_past_the_calendar_is_scheduled_the_same() -> None:
    """Forty 200-day tasks run decades past the years the calendar first covers, and their
    latest dates decades before: the calendar grows in both directions as the passes need."""
    s = _check(load_text(_chain(40, 200, "2019-12-20", start="2019-09-03")))
    cal = s.calendar("end")
    assert s.item("t1").early_start == cal.wd(s.item("t0").early_finish, 1)
    assert cal.between(s.item("t0").early_start, s.item("t39").early_finish) == 40 * 200 - 1
    assert s.item("t39").early_finish.year == 2051
    assert s.item("t0").late_start.year == 1988  # type: ignore[union-attr]
    assert s.item("t0").early_start == date(2019, 9, 4)  # the start date is closed
    assert s.deadlines[0].margin == cal.between(date(2019, 9, 4), date(2019, 12, 20)) - (40 * 200 - 1)


def test_latest_dates_before_1900_are_an_error_naming_the_item() -> None:
    with pytest.raises(InvalidTimeline) as e:
        schedule(load_text(_chain(3, 400, "1902-06-30", start="1901-01-07")))
    assert [(p.code, p.item) for p in e.value.problems] == [("out-of-range", "t1")]


def test_dates_past_2300_are_an_error_naming_the_item(tmp_path: Path) -> None:
    path = tmp_path / "far.yaml"
    path.write_text(
        "govflow: 1\nid: far\nstart: 2019-09-02\nitems:\n  a: {duration: 5}\n"
        "  b: {after: ['a +99999'], deadline: 2019-12-01}\n"
    )
    with pytest.raises(InvalidTimeline) as e:
        schedule(load([path]))
    (problem,) = e.value.problems
    assert (problem.code, problem.line, problem.item) == ("out-of-range", 6, "b")
    for command in (["check"], ["check", "--json"], ["gantt", "--format", "json"], ["snapshot", "--db", "h.sqlite"]):
        result = CliRunner().invoke(app, [*command, str(path)])
        assert result.exit_code == 2, (command, result.output)
        assert f"{path}:6: error[out-of-range]: item 'b': its dates would fall outside 1900-2300" in result.output
        assert "Traceback" not in result.output


def test_a_done_item_after_one_that_cannot_be_scheduled_keeps_its_date() -> None:
    text = """
govflow: 1
id: t
start: 2019-09-02
as_of: 2019-10-01
bodies:
  board: {meets: [2019-09-05], papers_due: 5}
items:
  draft: {duration: 10}
  approve: {at: board, after: [draft]}
  told: {after: [approve], done: 2019-09-30}
  publish: {after: [told], deadline: 2019-10-31}
"""
    s = _check(load_text(text))
    assert s.item("approve").status == "unschedulable"
    assert (s.item("told").status, s.item("told").early_finish) == ("done", date(2019, 9, 30))
    assert s.item("publish").early_finish == date(2019, 10, 1)  # the status date, after the done item
    assert s.deadlines[0].met


def test_schedule_of_a_programme_built_in_code_compiles_it_on_first_use() -> None:
    p = load_text("govflow: 1\nid: t\nstart: 2019-09-02\nitems:\n  a: {duration: 3}\n")
    fresh = Programme(p.timelines, p.items)  # not through load: nothing compiled yet
    assert fresh not in scheduling._PLANS
    assert schedule(fresh).item("a").early_finish == date(2019, 9, 4)
    assert fresh in scheduling._PLANS
    ref = weakref.ref(fresh)
    del fresh
    gc.collect()
    assert ref() is None  # the compiled form does not keep the programme alive


def test_an_unschedulable_deadline_is_warned_about_once() -> None:
    text = """
govflow: 1
id: t
start: 2019-09-02
bodies:
  board: {meets: [2019-09-05], papers_due: 5}
items:
  draft: {duration: 10}
  approve: {at: board, after: [draft], deadline: 2019-09-30}
  publish: {after: [approve], deadline: 2019-10-31}
"""
    s = _check(load_text(text))
    assert [(w.item, w.code) for w in s.warnings] == [("approve", "unschedulable"), ("publish", "unschedulable")]
    assert "no meeting of board ('board') is late enough" in s.warnings[0].message
    assert s.warnings[1].message == "'publish' cannot be scheduled: after approve, which cannot be scheduled"


def _both_fail(text: str) -> list[tuple[str, str | None]]:
    """The problems scheduling reports."""
    with pytest.raises(InvalidTimeline) as e:
        schedule(load_text(text))
    return [(p.code, p.item) for p in e.value.problems]


def test_latest_dates_that_would_fall_before_1900_are_errors_in_both_ways() -> None:
    """Found in review: the fast backward pass used to wrap past the calendar's first day and
    report dates in 2300 instead."""
    head = "govflow: 1\nid: t\nstart: {}\nitems:\n"
    near_1900 = head.format("1900-01-02") + "  a: {duration: 1}\n  b: {after: ['a +20'], deadline: 1900-01-10}\n"
    assert _both_fail(near_1900) == [("out-of-range", "a")]
    chain = "".join(f"  t{i}: {{duration: 2700, after: [{'pre +5' if i == 0 else f't{i - 1}'}]}}\n" for i in range(12))
    long_2019 = head.format("2019-09-02") + f"  pre: {{}}\n{chain}  end: {{after: [t11], deadline: 2027-04-13}}\n"
    assert _both_fail(long_2019) == [("out-of-range", "pre")]
    huge_lag = head.format("2019-09-02") + "  a: {duration: 5}\n  b: {after: ['a +31000'], deadline: 2019-12-20}\n"
    assert _both_fail(huge_lag) == [("out-of-range", "a")]


def test_papers_out_of_meeting_order_are_covered_by_the_calendar() -> None:
    text = """
govflow: 1
id: t
start: 2019-09-02
closures: [2019-09-05]
bodies:
  board: {meets: [2019-10-10, "Jan-10 to Nov-19", 2019-12-12], papers_due: 0}
items:
  p: {}
  s: {at: board, after: ['p +600'], deadline: 2019-12-05}
"""
    s = _check(load_text(text))
    # the window meeting (held Fri 29 Nov 2019) has papers due on its first working day, Mon 4 Jan
    # 2010; the latest readiness that still gives a meeting by 5 Dec is the 10 Oct meeting's papers
    # (ready any later, the forward rule passes both and takes 12 Dec)
    assert s.item("s").late_papers_due == date(2019, 10, 10)
    # p +600 must give papers by 10 Oct: wd(x, 600) <= 10 Oct for every x up to the day before the
    # 599th working day before it, Tue 30 May 2017; that day, Mon 29 May, is a bank holiday, and a
    # milestone's latest date may be a non-working day
    assert s.calendar("p").wd(date(2019, 10, 10), -599) == date(2017, 5, 30)
    assert s.item("p").late_finish == date(2017, 5, 29)


def test_very_long_durations_and_the_first_day_of_1900() -> None:
    s = _check(load_text("govflow: 1\nid: t\nstart: 2019-09-02\nitems:\n  a: {duration: 35000}\n"))
    a = s.item("a")
    assert a.early_start and a.early_finish and s.calendar("a").between(a.early_start, a.early_finish) == 35000 - 1
    text = """
govflow: 1
id: t
start: 1900-01-01
items:
  e: {on: 1900-01-01}
  a: {duration: 3, after: [e], deadline: 1900-01-31}
"""
    s = _check(load_text(text))
    assert (s.item("a").early_start, s.item("a").early_finish) == (date(1900, 1, 2), date(1900, 1, 4))
    papers = "govflow: 1\nid: t\nstart: 1900-01-01\nbodies:\n  b: {meets: [1900-01-03], papers_due: 5}\n"
    papers += "items:\n  m: {at: b}\n"
    with pytest.raises(InvalidTimeline) as e:
        schedule(load_text(papers))
    assert [(p.code, p.line) for p in e.value.problems] == [("out-of-range", 5)]
    assert "body 'b': papers for its first meeting would be due before 1900" in str(e.value)


def test_a_meeting_window_is_chosen_by_the_day_it_counts_as_held() -> None:
    """A window 21-27 Oct counts as held Fri 25 Oct, before a single meeting on Sat 26 Oct that
    the file lists first (meetings are ordered by window end)."""
    text = """
govflow: 1
id: t
start: 2019-10-14
bodies:
  bd: {meets: [2019-10-26, 2019-10-21 to 2019-10-27], papers_due: 0}
items:
  d: {duration: 2}
  m: {at: bd, after: [d], deadline: 2019-10-25}
"""
    s = _check(load_text(text))
    assert s.item("m").early_finish == date(2019, 10, 25) and s.deadlines[0].met
    assert s.item("m").meeting is not None and s.item("m").meeting.when.first == date(2019, 10, 21)


def test_a_deadline_missed_by_a_weekend_is_missed_by_a_working_day() -> None:
    s = _check(load_text("govflow: 1\nid: t\nstart: 2019-02-09\nitems:\n  m: {deadline: 2019-02-08}\n"))
    d = s.deadlines[0]
    assert (d.forecast, d.met, d.margin) == (date(2019, 2, 9), False, -1)  # Sat; Mon is 1 working day late


def test_many_variants_run_in_blocks_give_what_one_pass_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of variants run in blocks; stacked, they are the same as one pass over all of them
    (dates, drivers and the meeting each variant chose, with TBC confirmations and cancellations)."""
    import numpy as np

    from govflow import kernel as K

    p = load([ROOT / "timelines" / "north-cumbria-2019.yaml"])
    plan = scheduling.compiled(p)
    cp = plan.compiled
    n = 2500
    rng = np.random.default_rng(3)
    dur = np.broadcast_to(cp.dur, (n, cp.n)).copy()
    task = cp.kind == K.TASK
    dur[:, task] = np.maximum(1, dur[:, task] + rng.integers(-3, 8, (n, int(task.sum()))))
    slot = next(j for j, m in enumerate(plan.meetings) if not m.when.exact)
    confirm = rng.choice([-1, plan.meetings[slot].when.first.toordinal() + 7, K.NEVER], n)
    v = K.Variants(n=n, duration=dur, confirm={slot: confirm})
    blocks = scheduling.run_variants(plan, None, v)
    monkeypatch.setattr(K, "BLOCK", 10**9)
    whole = scheduling.run_variants(plan, None, v)
    meeting = cp.kind == K.MEETING
    for name in ("es", "ef", "ls", "lf", "drv"):
        assert (getattr(blocks, name) == getattr(whole, name)).all(), name
    for res in (blocks, whole):
        assert (res.slot[:, meeting] >= 0).any()
    assert ((blocks.slot[:, meeting] >= 0) == (whole.slot[:, meeting] >= 0)).all()
    for name in ("held", "papers", "source"):  # the same meeting, on the same dates (slots index each run's own)
        chosen = [getattr(res, name).ravel()[np.maximum(res.slot[:, meeting], 0)] for res in (blocks, whole)]
        assert (chosen[0] == chosen[1]).all(), name


def _parts(p: Programme) -> list[Programme]:
    """The programme, and each deadline's ancestors as a programme of their own (as explanations
    schedule them), with the other deadlines left out."""
    from dataclasses import replace

    from govflow.graph import ancestors

    parts = [p]
    for key, item in p.items.items():
        if item.deadline is not None:
            keep = ancestors(p, key)
            parts.append(
                Programme(
                    p.timelines,
                    {k: it if k == key else replace(it, deadline=None) for k, it in p.items.items() if k in keep},
                )
            )
    return parts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(), st.one_of(st.none(), DAY))
def test_programmes_scheduled_side_by_side_are_scheduled_as_on_their_own(data: dict, as_of: date | None) -> None:
    parts = _parts(load_text(yaml.safe_dump(data, sort_keys=False)))
    apart = scheduling.schedule_apart(parts, as_of=as_of)
    for p, got in zip(parts, apart, strict=True):
        _same(p, got, schedule(p, as_of=as_of))


def _same(p: Programme, got: Schedule | None, want: Schedule) -> None:
    """Two schedules of p alike: every item's values, the deadlines, the warnings, the columns and
    each body's meetings."""
    assert got is not None
    assert got == want
    assert list(got.items) == list(want.items)
    assert got.table() == want.table()
    for key in p.items:
        if p.items[key].at is not None:
            assert got.meetings(key) == want.meetings(key)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(), st.one_of(st.none(), DAY))
def test_a_deadlines_ancestors_scheduled_within_the_whole_plan_are_scheduled_as_on_their_own(
    data: dict, as_of: date | None
) -> None:
    """`schedule_within` (an explanation's programme on the whole programme's plan, with its own
    deadline alone) gives what compiling and scheduling that programme on its own gives."""
    whole, *parts = _parts(load_text(yaml.safe_dump(data, sort_keys=False)))
    sched = schedule(whole, as_of=as_of)
    for p in parts:
        (key,) = [k for k, it in p.items.items() if it.deadline is not None]
        _same(p, scheduling.schedule_within(sched, p, key), schedule(p, as_of=as_of))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(), st.data())
def test_variants_that_confirm_or_add_meetings_give_the_programmes_they_stand_for(
    data: dict, draw: st.DataObject
) -> None:
    """Each variant row that confirms a TBC meeting on a day (or cancels it) or adds an extra
    meeting to a body gives every item the early dates of the programme with that meeting so
    written in its body's `meets` (rows are computed together; only the bodies a row changes get
    meetings of their own)."""
    import copy

    import numpy as np

    from govflow import kernel as K

    p = load_text(yaml.safe_dump(data, sort_keys=False))
    plan = scheduling.compiled(p)
    cp = plan.compiled
    bodies = [bid for _, bid in plan.body_ids]
    listed = [b for b, bid in enumerate(bodies) if "meets" in BODIES[bid]]  # (not those on a recurrence)
    if not listed:
        return
    tbc = [j for j, m in enumerate(plan.meetings) if not m.when.exact]
    rows = draw.draw(st.integers(min_value=2, max_value=6))
    confirm: dict[int, np.ndarray] = {}
    extra: dict[int, np.ndarray] = {}
    wanted = []
    for r in range(rows):
        meets = {bodies[b]: list(BODIES[bodies[b]]["meets"]) for b in listed}
        if tbc and draw.draw(st.booleans()):
            slot = draw.draw(st.sampled_from(tbc))
            m, b = plan.meetings[slot], bodies[int(cp.m_body[slot])]
            day = draw.draw(st.one_of(st.none(), st.dates(min_value=m.when.first, max_value=m.when.last)))
            confirm.setdefault(slot, np.full(rows, -1, dtype=np.int64))[r] = K.NEVER if day is None else day.toordinal()
            meets[b].remove(m.when.text)
            if day is not None:
                meets[b].append(day.isoformat())
        if draw.draw(st.booleans()):
            b = draw.draw(st.sampled_from(listed))
            day = draw.draw(DAY)
            extra.setdefault(b, np.full(rows, K.NEVER, dtype=np.int64))[r] = day.toordinal()
            meets[bodies[b]].append(day.isoformat())
        variant = copy.deepcopy(data)
        for b, dates in meets.items():
            variant["bodies"][b]["meets"] = dates
        wanted.append(schedule(load_text(yaml.safe_dump(variant, sort_keys=False))))
    res = scheduling.run_variants(plan, None, K.Variants(n=rows, confirm=confirm, extra=dict(extra)), backward=False)
    for r, want in enumerate(wanted):
        for key in p.items:
            got = int(res.ef[r, cp.pos[plan.index[key]]])
            assert (None if got >= K.NEVER else date.fromordinal(got)) == want.items[key].early_finish, (r, key)
