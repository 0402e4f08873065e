"""Explanations a planning lead can act on: what broke, what breaks next, what would save it.

Each answer is computed, not guessed: the engine is re-run on a changed copy of the
programme (an item finishing later, an extra meeting, a TBC date confirmed) restricted to
the deadline's ancestors, which are all that can move it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from .dates import Window
from .model import Dependency, Item, Meeting, Programme
from .scheduling import DeadlineResult, Schedule, schedule

__all__ = ["AT_RISK_MARGIN", "Explanation", "explain", "fmt", "span"]

AT_RISK_MARGIN = 5  # working days: below this a met deadline is explained too
WHAT_IF_BUDGET = 200_000
RUN_COST = 100
_SKIPPED = (
    "what-if analysis was cut short: the programme is very large; check this deadline's timeline on its "
    "own for the full explanation"
)  # item re-schedules per `explain` call; beyond it what-ifs are skipped


@dataclass(frozen=True, slots=True)
class Explanation:
    """Plain-words reasons for one deadline's verdict."""

    key: str
    summary: str
    broke: tuple[str, ...] = ()
    next_break: str | None = None
    windows: tuple[str, ...] = ()
    recovery: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def fmt(d: date | None) -> str:
    """A date as planning papers write it: 'Thu 26 Sep 2019'."""
    return "-" if d is None else f"{d:%a} {d.day} {d:%b %Y}"


def span(days: Iterable[date]) -> str:
    """Working days as compact runs: '21-24 Oct, 28 Oct 2019'."""
    runs: list[list[date]] = []
    for d in sorted(days):
        gap = (d - runs[-1][-1]).days if runs else 0
        if runs and (gap == 1 or (gap <= 3 and d.weekday() == 0)):  # next day, or Friday -> Monday
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for r in runs:
        a, b = r[0], r[-1]
        if a == b:
            parts.append(f"{a.day} {a:%b}")
        elif a.month == b.month:
            parts.append(f"{a.day}-{b.day} {a:%b}")
        else:
            parts.append(f"{a.day} {a:%b}-{b.day} {b:%b}")
    year = max(days).year if runs else ""
    return ", ".join(parts) + (f" {year}" if parts else "")


class _WhatIf:
    """Re-runs the engine on the ancestors of one deadline with one change applied.

    Other deadlines are left out, so latest dates and float are relative to this deadline.
    """

    def __init__(self, sched: Schedule, key: str, budget: list[int]):
        self.sched, self.key, self.budget = sched, key, budget
        items = sched.programme.items
        self.base = Programme(
            sched.programme.timelines,
            {
                k: items[k] if k == key or items[k].deadline is None else replace(items[k], deadline=None)
                for k in ancestors(sched.programme, key)
            },
        )

    def schedule(self, change: Callable[[Programme], Programme] | None = None) -> Schedule | None:
        cost = len(self.base.items) + RUN_COST  # a run costs its items plus a fixed set-up
        if self.budget[0] < cost:
            return None
        self.budget[0] -= cost
        return schedule(change(self.base) if change else self.base, as_of=self.sched.status_override)

    def run(self, change: Callable[[Programme], Programme]) -> DeadlineResult | None:
        result = self.schedule(change)
        return None if result is None else next(d for d in result.deadlines if d.key == self.key)


def ancestors(programme: Programme, key: str) -> list[str]:
    """The item and everything it depends on, directly or not (everything that can move it)."""
    seen = {key}
    stack = [key]
    while stack:
        for dep in programme.items[stack.pop()].after:
            if dep.pred not in seen:
                seen.add(dep.pred)
                stack.append(dep.pred)
    return list(seen)


def _with_item(p: Programme, item: Item) -> Programme:
    items = dict(p.items)
    items[item.key] = item
    return Programme(p.timelines, items)


def _with_meetings(p: Programme, timeline_id: str, body_id: str, meetings: tuple[Meeting, ...]) -> Programme:
    timelines = []
    for t in p.timelines:
        if t.id == timeline_id:
            body = replace(
                t.bodies[body_id], meetings=tuple(sorted(meetings, key=lambda m: (m.when.last, m.when.first)))
            )
            t = replace(t, bodies={**t.bodies, body_id: body})
        timelines.append(t)
    return Programme(tuple(timelines), p.items)


def explain(sched: Schedule, keys: Iterable[str] | None = None, budget: int = WHAT_IF_BUDGET) -> list[Explanation]:
    """Explain each deadline (or those in `keys`): met or missed, why, and what would save it."""
    left = [budget]
    wanted = set(keys) if keys is not None else None
    return [_explain(sched, d, left) for d in sched.deadlines if wanted is None or d.key in wanted]


def _explain(sched: Schedule, d: DeadlineResult, budget: list[int]) -> Explanation:
    if d.forecast is None:
        root = next((k for k in d.driving_path if sched.items[k].why == "no-meeting"), d.key)
        summary = f"MISSED: cannot be scheduled: {sched.programme.label(root)}: {sched.items[root].reason}"
    elif d.met:
        summary = f"met, {_days(d.margin or 0)} to spare" if d.margin else "met, with no working days to spare"
    else:
        summary = f"MISSED by {_days(-(d.margin or 0))} (forecast {fmt(d.forecast)})"
    if sched.items[d.key].status == "done":
        return Explanation(d.key, f"done on {fmt(d.forecast)}" + ("" if d.met else f", {_days(-(d.margin or 0))} late"))
    if d.met and (d.margin or 0) >= AT_RISK_MARGIN:
        return Explanation(d.key, summary)
    if budget[0] <= 0:
        return Explanation(d.key, summary, notes=(_SKIPPED,))
    what_if = _WhatIf(sched, d.key, budget)
    local = what_if.schedule() or sched  # latest dates and float with respect to this deadline only
    broke = tuple(_broke(local, d)) if not d.met else ()
    nxt = _next_break(local, d, what_if) if d.met else None
    windows = tuple(_windows(local, d, what_if))
    recovery = tuple(_recovery(local, d, what_if)) if not d.met else ()
    notes: tuple[str, ...] = ()
    if budget[0] <= 0:
        notes = (_SKIPPED,)
    return Explanation(d.key, summary, broke, nxt, windows, recovery, notes)


def _broke(sched: Schedule, d: DeadlineResult) -> Iterable[str]:
    """Meetings on the driving path that the papers missed, and what the next one cost."""
    p, label = sched.programme, sched.programme.label
    for key in d.driving_path:
        r = sched.items[key]
        item = p.items[key]
        if r.status == "unschedulable" and r.why == "no-meeting":
            yield f"{label(key)}: {r.reason}"
            continue
        if item.kind != "meeting" or r.meeting is None or r.status == "done" or r.ready is None:
            continue
        body = p.body(item)
        meetings = list(body.meetings)
        j = meetings.index(r.meeting)
        if j == 0:
            continue
        prev = meetings[j - 1]
        cal = sched.calendar(key)
        prev_held = cal.on_or_before(prev.when.last) if not prev.when.exact else prev.when.first
        if sched.as_of is not None and prev_held < sched.as_of:
            continue
        prev_papers = cal.wd(cal.on_or_after(prev.when.first), -body.papers_due)
        if prev_papers >= r.ready:
            continue
        late = cal.between(prev_papers, r.ready)
        src = label(r.driving[0]) if r.driving else "the papers"
        assert r.early_finish is not None
        yield (
            f"{label(key)} missed the {body.name} meeting of {fmt(prev_held)}: papers were due "
            f"{fmt(prev_papers)} but {src} is ready {fmt(r.ready)}, {late} working day"
            f"{'s' if late != 1 else ''} late; the next meeting is {fmt(r.early_finish)}, "
            f"{(r.early_finish - prev_held).days} days later"
        )
    r = sched.items[d.key]
    if r.early_finish is not None and d.margin is not None:
        yield (
            f"the driving path reaches {label(d.key)} on {fmt(r.early_finish)}, "
            f"{-d.margin} working days after the deadline {fmt(d.deadline)}"
        )


def _slippable(sched: Schedule, d: DeadlineResult) -> list[str]:
    p = sched.programme
    return [
        k
        for k in d.driving_path
        if p.items[k].kind in ("task", "milestone")
        and sched.items[k].status != "done"
        and sched.items[k].float is not None
    ]


def _next_break(sched: Schedule, d: DeadlineResult, what_if: _WhatIf) -> str | None:
    """The step on the driving path that breaks first, and what a one-day-too-many slip costs."""
    p, label = sched.programme, sched.programme.label
    candidates = [k for k in _slippable(sched, d) if k != d.key] or _slippable(sched, d)
    if not candidates:
        return "every step on the driving path is done, fixed or a meeting: nothing left can slip"
    x = min(reversed(candidates), key=lambda k: sched.items[k].float)  # type: ignore[arg-type,return-value]
    r = sched.items[x]
    cal = sched.calendar(x)
    flt = r.float or 0
    text = f"{label(x)} has {flt} working day{'s' if flt != 1 else ''} of float; past {fmt(r.late_finish)}"
    path = list(d.driving_path)
    nxt = path[path.index(x) + 1] if path.index(x) + 1 < len(path) else None
    late = cal.wd(r.early_finish, flt + 1)  # type: ignore[arg-type]
    moved = what_if.run(lambda q: _with_item(q, replace(q.items[x], forecast=late)))
    nitem = p.items[nxt] if nxt else None
    later: date | None = None
    if nitem is not None and nitem.kind == "meeting":
        nr = sched.items[nxt]  # type: ignore[index]
        body = p.body(nitem)
        text += f" it misses the {body.name} papers deadline ({fmt(nr.late_papers_due)})"
        later = _meeting_after(sched, nitem, late)
        text += f" and the next meeting is {fmt(later)}" if later else " and there is no later meeting"
    else:
        text += f" {label(d.key)} misses the deadline {fmt(d.deadline)}"
    if moved is not None and moved.forecast is not None and not moved.met:
        gap = (moved.forecast - d.deadline).days
        if later is not None and later == moved.forecast:  # the next meeting is what reaches the deadline
            text += f", {gap} days after the deadline"
        else:
            text += f"; the deadline forecast would become {fmt(moved.forecast)}, {gap} days after the deadline"
    elif moved is not None and moved.forecast is None:
        text += " (the deadline could then not be met at all)"
    return text


def _meeting_after(sched: Schedule, item: Item, ready: date) -> date | None:
    body = sched.programme.body(item)
    cal = sched.calendar(item.key)
    for m in body.meetings:
        papers = cal.wd(cal.on_or_after(m.when.first), -body.papers_due)
        if papers >= ready:
            return cal.on_or_before(m.when.last) if not m.when.exact else m.when.first
    return None


def _windows(sched: Schedule, d: DeadlineResult, what_if: _WhatIf) -> Iterable[str]:
    """For each TBC/window date bearing on the deadline: which confirmed days would save it."""
    p, label = sched.programme, sched.programme.label
    for key in sorted(what_if.base.items):
        item, r = p.items[key], sched.items[key]
        cal = sched.calendar(key)
        if item.on is not None and not item.on.exact and item.done is None:
            days = list(cal.days(item.on.first, item.on.last)) or [item.on.last]

            def fix_on(q: Programme, day: date, item: Item = item) -> Programme:
                return _with_item(q, replace(item, on=Window(day, day, False, day.isoformat())))

            yield from _confirm(what_if, days, fix_on, f"{label(key)} ({item.on.text})", key in d.driving_path)
        elif item.kind == "meeting" and r.meeting is not None and not r.meeting.when.exact and item.done is None:
            m = r.meeting
            body = p.body(item)
            days = list(cal.days(m.when.first, m.when.last)) or [m.when.last]

            def fix_meeting(q: Programme, day: date, m: Meeting = m, item: Item = item) -> Programme:
                body = q.body(item)
                ms = tuple(
                    Meeting(Window(day, day, False, day.isoformat()), x.note) if x == m else x for x in body.meetings
                )
                return _with_meetings(q, item.timeline, body.id, ms)

            yield from _confirm(
                what_if,
                days,
                fix_meeting,
                f"the {body.name} meeting ({m.when.text or m.when}) for {label(key)}",
                key in d.driving_path,
            )


def _confirm(
    what_if: _WhatIf, days: list[date], change: Callable[[Programme, date], Programme], what: str, on_path: bool
) -> Iterable[str]:
    good = []
    for day in days:
        result = what_if.run(lambda q, day=day: change(q, day))  # type: ignore[misc]
        if result is None:
            yield f"{what}: not analysed (programme too large)"
            return
        if result.met:
            good.append(day)
    name = what_if.sched.programme.label(what_if.key)
    if len(good) == len(days):
        if on_path:
            yield f"{name} is met whichever day {what} is confirmed"
    elif not good:
        if on_path:
            yield f"{name} is missed whichever day {what} is confirmed"
    else:
        yield f"{name} is met only if {what} is confirmed for {span(good)}"


def _recovery(sched: Schedule, d: DeadlineResult, what_if: _WhatIf) -> Iterable[str]:
    """Extraordinary meetings, chair's action and the finish dates that would save a missed deadline."""
    p, label = sched.programme, sched.programme.label
    for key in d.driving_path:
        item, r = p.items[key], sched.items[key]
        cal = sched.calendar(key)
        if item.kind == "meeting" and r.status != "done" and r.ready is not None and r.bound is not None:
            body = p.body(item)
            earliest = cal.wd(r.ready, body.papers_due) if body.papers_due else r.ready
            if sched.as_of is not None and earliest < sched.as_of:
                earliest = cal.on_or_after(sched.as_of)
            latest = cal.on_or_before(r.bound)
            if earliest <= latest:
                extra = Meeting(Window(latest, latest, False, latest.isoformat()), "extraordinary", True)
                result = what_if.run(
                    partial(
                        _with_meetings, timeline_id=item.timeline, body_id=body.id, meetings=(*body.meetings, extra)
                    )
                )
                if result is not None and result.met:
                    when = f"on {fmt(latest)}" if earliest == latest else f"between {fmt(earliest)} and {fmt(latest)}"
                    yield f"an extraordinary {body.name} meeting for {label(key)}, held {when}, would save it"
            if body.chairs_action is not None:
                lag = body.chairs_action
                chair = replace(
                    item,
                    kind="milestone",
                    at=None,
                    after=tuple(Dependency(x.pred, x.type, x.lag + lag) for x in item.after),
                )
                result = what_if.run(partial(_with_item, item=chair))
                if result is not None and result.met:
                    by = cal.wd(r.ready, body.chairs_action)
                    yield (
                        f"chair's action by the {body.name} chair for {label(key)} (by {fmt(by)}, within "
                        f"{body.chairs_action} working days of the papers) would save it"
                    )
        elif (
            item.kind == "task"
            and r.status != "done"
            and r.late_finish
            and r.early_finish
            and r.late_finish < r.early_finish
            and (sched.as_of is None or r.late_finish >= sched.as_of)
        ):
            yield (
                f"{label(key)} would have to finish by {fmt(r.late_finish)} (forecast {fmt(r.early_finish)}, "
                f"{_days(-(r.float or 0))} sooner)"
            )
