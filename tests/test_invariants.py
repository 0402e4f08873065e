"""Scheduler invariants over random timelines (hypothesis)."""

from __future__ import annotations

from datetime import date

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govflow import load_text, schedule

BODY = {
    "board": {"recurrence": "FREQ=MONTHLY;BYDAY=-1TH", "from": "2019-01-01", "until": "2021-12-31", "papers_due": 5},
    "committee": {
        "recurrence": "FREQ=WEEKLY;BYDAY=TU",
        "from": "2019-01-01",
        "until": "2021-12-31",
        "papers_due": 2,
        "skip": ["2019-08"],
    },
}


@st.composite
def timelines(draw: st.DrawFn) -> dict:
    n = draw(st.integers(min_value=1, max_value=12))
    items: dict[str, dict] = {}
    for i in range(n):
        kind = draw(st.sampled_from(["task", "task", "milestone", "meeting"]))
        item: dict = {}
        if kind == "task":
            item["duration"] = draw(st.integers(min_value=1, max_value=30))
        elif kind == "meeting":
            item["at"] = draw(st.sampled_from(sorted(BODY)))
        preds = draw(st.lists(st.integers(min_value=0, max_value=max(i - 1, 0)), max_size=3, unique=True)) if i else []
        deps = []
        for p in preds:
            typ = draw(st.sampled_from(["FS", "FS", "SS", "FF"]))
            lag = draw(st.integers(min_value=-3, max_value=5))
            deps.append({"id": f"i{p}", "type": typ, "lag": lag})
        if deps:
            item["after"] = deps
        items[f"i{i}"] = item
    last = f"i{n - 1}"
    items[last]["deadline"] = draw(st.dates(min_value=date(2019, 3, 1), max_value=date(2020, 6, 30))).isoformat()
    nation = draw(st.sampled_from(["england", "scotland", "wales", "northern-ireland"]))
    return {"govflow": 1, "id": "prop", "start": "2019-02-04", "holidays": nation, "bodies": BODY, "items": items}


def _schedule(data: dict):
    return schedule(load_text(yaml.safe_dump(data, sort_keys=False)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines())
def test_tasks_start_and_end_on_working_days_and_meetings_on_meeting_dates(data: dict) -> None:
    sched = _schedule(data)
    for key, r in sched.items.items():
        cal = sched.calendar(key)
        item = sched.programme.items[key]
        if r.early_start is None:
            continue
        if item.kind == "task":
            assert cal.is_working(r.early_start) and cal.is_working(r.early_finish)
            assert cal.between(r.early_start, r.early_finish) == item.duration - 1
        if item.kind == "meeting":
            held = {m.when.first for m in sched.programme.body(item).meetings}
            assert r.early_finish in held
            assert r.papers_due is not None and r.ready is not None and r.papers_due >= r.ready
        assert r.early_start >= date(2019, 2, 4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines())
def test_earliest_is_not_after_latest_when_every_deadline_is_met(data: dict) -> None:
    sched = _schedule(data)
    if not sched.all_met:
        return
    for r in sched.items.values():
        if r.late_finish is not None and r.early_finish is not None:
            assert r.early_finish <= r.late_finish, r
            assert r.float is not None and r.float >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(), st.data())
def test_adding_a_dependency_never_makes_anything_earlier(data: dict, extra: st.DataObject) -> None:
    keys = list(data["items"])
    if len(keys) < 2:
        return
    j = extra.draw(st.integers(min_value=1, max_value=len(keys) - 1))
    i = extra.draw(st.integers(min_value=0, max_value=j - 1))
    before = _schedule(data)
    target = data["items"][keys[j]]
    target.setdefault("after", [])
    assume(all(d["id"] != keys[i] for d in target["after"]))  # the same predecessor twice is an error
    target["after"] = [
        *target["after"],
        {
            "id": keys[i],
            "type": extra.draw(st.sampled_from(["FS", "SS", "FF"])),
            "lag": extra.draw(st.integers(min_value=0, max_value=4)),
        },
    ]
    after = _schedule(data)
    for key, r in before.items.items():
        a = after.items[key]
        if r.early_finish is None:
            assert a.early_finish is None
        elif a.early_finish is not None:
            assert a.early_finish >= r.early_finish, key
            assert a.early_start >= r.early_start, key


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(), st.integers(min_value=0, max_value=200))
def test_a_later_status_date_never_makes_anything_earlier(data: dict, days: int) -> None:
    p = load_text(yaml.safe_dump(data, sort_keys=False))
    early = schedule(p, as_of=date(2019, 3, 1))
    late = schedule(p, as_of=date.fromordinal(date(2019, 3, 1).toordinal() + days))
    for key, r in early.items.items():
        if r.early_finish is not None and late.items[key].early_finish is not None:
            assert late.items[key].early_finish >= r.early_finish
