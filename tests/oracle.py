"""A test oracle for govflow's scheduler: DESIGN.md's rules applied one step at a time.

Deliberately simple and slow, and independent of the engine in src/govflow/scheduling.py:

- working days are found by stepping one calendar day at a time; the only thing borrowed from
  govflow is `WorkCalendar.is_working` (which bank holidays and closures a timeline has);
- the forward pass applies the rules item by item as the step-by-step engine did (`_Run.general`
  and `_Run._meeting` in scheduling.py at commit 01f4329), with the changes below;
- the backward pass finds every latest date by brute force: for each link into a successor it
  tries one day after another, applying the link's *forward* rule to each candidate day, and
  keeps the latest day whose result the successor can still accept ("Latest dates, precisely"
  in DESIGN.md). No inverse arithmetic, so no off-by-one it could share with the engine.

Forward rules changed from that engine:
 1. a task's `forecast` on a non-working day counts as the last working day on or before it
    (a forecast only ever pushes a finish later);
 2. a `forecast` on a fixed event moves the event, later only: its date is max(held, forecast);
 3. a started (not done) task does not wait for its predecessors and is not blocked by one that
    cannot be scheduled; a done item is never blocked;
 4. progress dated after the status date is not known on it (as `_Run._as_known_on`).

Statutory timing (issue 12), by its definitions:
 - "N clear days before M" is found by stepping back from M a day at a time until a working day
   D has N counted days strictly between D and M (`clear_before`);
 - `publish`: a meeting's papers are due by the earlier of `papers_due` and publication;
 - a meeting held inside a blackout (the timeline's or the body's) is not a meeting at all;
 - `deferred`: a meeting held after the last deferral;
 - a key decision takes a meeting M only if at least `notice` counted days lie strictly between
   its notice (published on the first working day on or after the start, its `notice_after`
   items' finish and, until given, the status date; or on `notice_given`) and M's first working
   day; backwards, its `notice_after` items finish by the latest such notice for a meeting held
   by its bound;
 - call-in: successors read a decision's finish (FS, FF, notice links) as the N-th working day
   after it.

Decisions where the rules leave room:
 - a "done" successor imposes nothing backwards; done means the status is done: a `done` date
   (known on the status date), or a fixed event scheduled before the status date
   (`DONE_MEANS_STATUS = False` reads it as the `done` field only);
 - backwards, the forward meeting rule keeps its floor on readiness at the timeline's start
   (papers are never due before `start`); the status date is a floor on the held date for an
   item not done, nothing for a done one; a meeting item's own `forecast` is not used backwards;
 - a fixed event without a `done` date after an item that cannot be scheduled is itself
   unschedulable ("everything after them", DESIGN.md; only started tasks and items with a `done`
   date escape); `EVENTS_NEVER_BLOCKED = True` keeps every event on its date instead;
 - a fixed event constrains its predecessors, through FS, SS and FF links alike, by the first
   working day of its window (an exact date as given, even on a weekend), whatever its own
   latest date; and only when it leads to a deadline itself (else it has no latest date, and
   neither does anything that leads only to it).

>>> from govflow import load_text
>>> p = load_text('''
... govflow: 1
... id: d
... start: 2020-08-03
... bodies: {b: {papers_due: 0, meets: [2020-08-15]}}
... items:
...   t: {duration: 5}
...   m: {at: b, after: ["t +1"], deadline: 2020-08-15}
... ''')
>>> r = oracle_schedule(p)["d:t"]
>>> r["late_finish"], r["float"]
(datetime.date(2020, 8, 13), 4)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from govflow.calendars import WorkCalendar
from govflow.dates import Window
from govflow.model import Blackout, Body, ClearDays, Dependency, Item, Programme, Timeline

__all__ = ["Days", "oracle_schedule"]

ONE = timedelta(days=1)
# Two readings the rules leave open, as switches (see the module docstring):
DONE_MEANS_STATUS = True  # an event whose date is before the status date is done: it imposes nothing
EVENTS_NEVER_BLOCKED = False  # True: a fixed event after an item that cannot be scheduled keeps its date


class Days:
    """The working days of one timeline, by stepping a day at a time."""

    def __init__(self, timeline: Timeline):
        self._cal = WorkCalendar(timeline.holidays, timeline.closures, around=timeline.start)
        self._known: dict[date, bool] = {}

    def working(self, d: date) -> bool:
        w = self._known.get(d)
        if w is None:
            w = self._known[d] = self._cal.is_working(d)
        return w

    def nxt(self, d: date) -> date:
        """d if it is a working day, else the next one."""
        while not self.working(d):
            d += ONE
        return d

    def prv(self, d: date) -> date:
        """d if it is a working day, else the previous one."""
        while not self.working(d):
            d -= ONE
        return d

    def wd(self, d: date, n: int) -> date:
        """The date n working days after d (before, n < 0); wd(d, 0) = d."""
        step = ONE if n > 0 else -ONE
        for _ in range(abs(n)):
            d += step
            while not self.working(d):
                d += step
        return d

    def between(self, a: date, b: date) -> int:
        """Signed working days from a to b: those in (a, b], negative when b < a."""
        lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
        count, d = 0, lo + ONE
        while d <= hi:
            count += self.working(d)
            d += ONE
        return sign * count

    def spare(self, finish: date, due: date) -> int:
        """Working days from finish to due, counted like a margin: a finish after `due` on a
        non-working day counts from the next working day (so a Saturday is 1 late for a Friday)."""
        return self.between(finish if finish <= due else self.nxt(finish), due)


def window_days(days: Days, w: Window) -> tuple[date, date]:
    """(first, last) working day of a window; an exact date (one-day window) as given."""
    if w.first == w.last:
        return w.first, w.last
    work = [w.first + ONE * i for i in range((w.last - w.first).days + 1) if days.working(w.first + ONE * i)]
    return (work[0], work[-1]) if work else (w.first, w.last)


def body_days(timeline: Timeline, body: Body, days: Days) -> Days:
    """The working days a body's rules count: its library's nation when it differs from the
    timeline's (without the timeline's closures), else the timeline's."""
    if body.nation is None or body.nation == timeline.holidays:
        return days
    return Days(replace(timeline, holidays=body.nation, closures=frozenset()))


def clear_before(days: Days, m: date, rule: ClearDays) -> date:
    """The last working day D with at least rule.days counted days strictly between D and m."""
    d = m - ONE
    while not (days.working(d) and clear_between(days, d, m, rule)):
        d -= ONE
    return d


def clear_between(days: Days, a: date, m: date, rule: ClearDays) -> bool:
    """At least rule.days counted days lie strictly between a and m."""
    between = [a + ONE * i for i in range(1, (m - a).days)]
    return a < m and (len(between) if rule.calendar else sum(days.working(x) for x in between)) >= rule.days


Meet = tuple[date, date, date]  # held, papers due, first working day


def meetings_of(body: Body, days: Days, blackouts: tuple[Blackout, ...] = ()) -> list[Meet]:
    """A body's meetings as (held, papers due, first day), sorted by held date (then papers date).

    A window counts as held on its last working day with papers due `papers_due` working days
    before its first working day; an exact date (even TBC) is held that day, papers due
    `papers_due` working days before it (on it, for papers due 0); with `publish`, no later than
    the agenda is published. Meetings held in a blackout take no decisions: left out."""
    out = []
    for m in body.meetings:
        first_day, held = window_days(days, m.when)
        if any(b.first <= held <= b.last for b in blackouts):
            continue
        papers = days.wd(first_day, -body.papers_due)
        if body.publish is not None:
            papers = min(papers, clear_before(days, first_day, body.publish))
        assert papers <= held
        out.append((held, papers, first_day))
    return sorted(out)


Notice = tuple[date, ClearDays, Days]  # a key decision's notice: published on, the rule, its calendar


def pick(meetings: list[Meet], ready: date, held_min: date | None, notice: Notice | None = None) -> Meet | None:
    """The forward meeting rule: the first meeting (by held date) held on or after held_min
    whose papers are due on or after `ready` (and for a key decision, with its notice's clear
    days before the meeting's first day)."""
    for held, papers, day1 in meetings:
        in_time = (held_min is None or held >= held_min) and papers >= ready
        if in_time and (notice is None or clear_between(notice[2], notice[0], day1, notice[1])):
            return held, papers, day1
    return None


def known_on(item: Item, sd: date | None) -> Item:
    """Progress dated after the status date is not yet known (remaining goes with it)."""
    if sd is None:
        return item
    done_later = item.done is not None and item.done > sd
    started_later = item.started is not None and item.started > sd
    if not (done_later or started_later):
        return item
    return replace(
        item,
        done=None if done_later else item.done,
        started=None if started_later else item.started,
        remaining=None if done_later or started_later else item.remaining,
    )


def topological(programme: Programme) -> list[str]:
    order: list[str] = []
    placed: set[str] = set()
    left = list(programme.items)
    while left:
        rest = []
        for key in left:
            item = programme.items[key]
            if all(d.pred in placed for d in item.after) and all(k in placed for k in item.notice_after):
                order.append(key)
                placed.add(key)
            else:
                rest.append(key)
        assert len(rest) < len(left), "dependency cycle"
        left = rest
    return order


def latest_day(f: Callable[[date], date], need: date) -> date:
    """The latest day x with f(x) <= need, for f non-decreasing: step up until f(x) > need,
    then down a day at a time until f(x) <= need."""
    x = need + timedelta(days=60)
    while f(x) <= need:
        x += timedelta(days=60)
    while f(x) > need:
        x -= ONE
    return x


def oracle_schedule(programme: Programme, as_of: date | None = None) -> dict[str, dict[str, Any]]:
    """Every item's dates by the rules: key -> early_start, early_finish, late_start,
    late_finish, float, status (and latest_ready for meeting items), plus `deadline`:
    {forecast, margin, met} for an item with a deadline (else None)."""
    timelines = {t.id: t for t in programme.timelines}
    days = {t.id: Days(t) for t in programme.timelines}
    status = {t.id: as_of or t.as_of for t in programme.timelines}
    items = {k: known_on(it, status[it.timeline]) for k, it in programme.items.items()}
    # a body's rules count its own nation's working days (a library's `holidays`), else its timeline's
    bdays = {(t.id, bid): body_days(t, body, days[t.id]) for t in programme.timelines for bid, body in t.bodies.items()}
    meetings = {
        (t.id, bid): meetings_of(body, bdays[(t.id, bid)], t.blackouts + body.blackouts)
        for t in programme.timelines
        for bid, body in t.bodies.items()
    }
    order = topological(programme)

    # ---- forward: earliest dates ----------------------------------------------------------
    es: dict[str, date | None] = {}
    ef: dict[str, date | None] = {}
    eff: dict[str, date | None] = {}  # the finish successors read (after a call-in period)
    for key in order:
        item = items[key]
        t = timelines[item.timeline]
        body = t.bodies[item.at] if item.at else None
        bd = bdays.get((item.timeline, item.at or ""))
        es[key], ef[key] = _forward(
            item,
            t,
            days[item.timeline],
            status[item.timeline],
            meetings.get((item.timeline, item.at or "")),
            es,
            eff,
            bd,
        )
        f = ef[key]
        eff[key] = bd.wd(f, body.call_in) if f is not None and body and bd and body.call_in else f

    # ---- backward: latest dates, by brute force --------------------------------------------
    succs: dict[str, list[tuple[str, Dependency | None]]] = {k: [] for k in items}
    for key, item in items.items():
        for d in item.after:
            succs[d.pred].append((key, d))
        for k in item.notice_after:
            succs[k].append((key, None))  # a notice link
    ls: dict[str, date | None] = {}
    lf: dict[str, date | None] = {}
    ready: dict[str, date | None] = {}  # meeting items: latest readiness
    notice: dict[str, date | None] = {}  # key decisions: latest notice
    for key in reversed(order):
        item = items[key]
        cal = days[item.timeline]
        bounds = [item.deadline.last] if item.deadline else []
        for s, d in succs[key]:
            s_item = items[s]
            if lf[s] is None or _imposes_nothing(s_item, ef[s], status[s_item.timeline]):
                continue
            scal = days[s_item.timeline]
            as_pred = _as_pred_date(item, cal, d, timelines[item.timeline], bdays.get((item.timeline, item.at or "")))
            if d is None:  # notice, published on a working day, by the successor's latest notice
                if notice.get(s) is not None:
                    bounds.append(latest_day(_compose(scal.nxt, as_pred), notice[s]))  # type: ignore[arg-type]
                continue
            need, link = _need(s_item, d, scal, ls[s], lf[s], ready.get(s))  # type: ignore[arg-type]
            bounds.append(latest_day(_compose(link, as_pred), need))
        ls[key] = lf[key] = ready[key] = notice[key] = None
        if not bounds:
            continue  # leads to no deadline
        bound = min(bounds)
        if item.kind == "task":
            finish = lf[key] = cal.prv(bound)
            ls[key] = cal.wd(finish, -(item.duration - 1))
        elif item.kind == "meeting":
            assert item.at is not None
            body = timelines[item.timeline].bodies[item.at]
            floor = None if item.done is not None else status[item.timeline]
            if item.done is None and item.deferred:
                after = item.deferred[-1] + ONE
                floor = after if floor is None else max(floor, after)
            ms = meetings[(item.timeline, item.at)]
            bcal = bdays[(item.timeline, item.at)]
            ls[key], lf[key], ready[key] = _latest_meeting(
                ms, body.papers_due, bcal, bound, timelines[item.timeline].start, floor, body
            )
            if item.key_decision and body.notice is not None and item.notice_given is None and item.done is None:
                notice[key] = _latest_notice(ms, bcal, bound, floor, body.notice)
        else:
            ls[key] = lf[key] = bound

    # ---- results --------------------------------------------------------------------------
    out: dict[str, dict[str, Any]] = {}
    for key in order:
        item = items[key]
        cal, sd = days[item.timeline], status[item.timeline]
        fin, late = ef[key], lf[key]
        if fin is None:
            state = "unschedulable"
        elif item.done is not None or (item.kind == "event" and sd is not None and fin < sd):
            state = "done"
        elif item.started is not None:
            state = "in-progress"
        else:
            state = "not-started"
        r: dict[str, Any] = {
            "early_start": es[key],
            "early_finish": fin,
            "late_start": ls[key],
            "late_finish": late,
            "float": _float(cal, fin, late),
            "status": state,
            "deadline": None,
        }
        if item.kind == "meeting":
            r["latest_ready"] = ready[key]
        if item.deadline is not None:
            due = item.deadline.last
            r["deadline"] = {
                "forecast": fin,
                "margin": None if fin is None else cal.spare(fin, due),
                "met": fin is not None and fin <= due,
            }
        out[key] = r
    return out


def _float(cal: Days, early_finish: date | None, late_finish: date | None) -> int | None:
    """Signed working days from early to latest finish, counted like a margin."""
    if early_finish is None or late_finish is None:
        return None
    return cal.spare(early_finish, late_finish)


# ---- forward rules, one item ------------------------------------------------------------------


def _forward(
    item: Item,
    timeline: Timeline,
    cal: Days,
    sd: date | None,
    body_meetings: list[tuple[date, date]] | None,
    es: dict[str, date | None],
    ef: dict[str, date | None],
    bcal: Days | None = None,
) -> tuple[date | None, date | None]:
    """An item's early dates; `ef` holds the finishes its successors read (after call-in); `bcal`
    the working days of a meeting item's body."""
    start = timeline.start
    n = item.duration
    if item.done is not None:  # on its actual date, whatever came before
        f = item.done
        if item.kind == "task":
            s = item.started or (cal.wd(cal.nxt(f), -(n - 1)) if n > 1 else f)
            return s, f
        return f, f
    if item.kind == "task" and item.started is not None:  # no longer waits for its predecessors
        s = item.started
        if item.remaining is not None and sd is not None:
            f = cal.wd(cal.nxt(sd), item.remaining - 1) if item.remaining > 0 else sd
        else:
            f = cal.wd(cal.nxt(s), n - 1)
            if sd is not None and f < cal.nxt(sd):
                f = cal.nxt(sd)
        return s, _task_forecast(item, cal, f)
    deps = [(d, es[d.pred], ef[d.pred]) for d in item.after]
    if any(pf is None for _, _, pf in deps) and not (item.kind == "event" and EVENTS_NEVER_BLOCKED):
        return None, None  # after an item that cannot be scheduled
    if item.kind == "event":
        held = window_days(cal, item.on)[1]
        if item.forecast is not None and item.forecast > held:
            held = item.forecast
        return held, held
    if item.kind == "meeting":
        assert body_meetings is not None
        ready, held_min = start, start
        for d, pe, pf in deps:
            if d.type == "FS":
                ready = max(ready, cal.wd(pf, d.lag))  # type: ignore[arg-type]
            else:
                held_min = max(held_min, cal.wd(pe if d.type == "SS" else pf, d.lag))  # type: ignore[arg-type]
        if sd is not None:
            held_min = max(held_min, sd)
        if item.forecast is not None:
            held_min = max(held_min, item.forecast)
        if item.deferred:
            held_min = max(held_min, item.deferred[-1] + ONE)
        body = timeline.bodies[item.at]  # type: ignore[index]
        notice = None
        if item.key_decision and body.notice is not None:
            given = item.notice_given
            if given is None:
                after = [ef[k] for k in item.notice_after]
                if any(x is None for x in after):
                    return None, None
                given = (bcal or cal).nxt(max([start, *after, *([sd] if sd else [])]))  # type: ignore[type-var]
            notice = (given, body.notice, bcal or cal)
        m = pick(body_meetings, ready, held_min, notice)
        return (None, None) if m is None else (m[0], m[0])
    if item.kind == "task":
        best = cal.nxt(start)
        for d, pe, pf in deps:
            best = max(best, _task_start_after(d, pe, pf, cal, n))  # type: ignore[arg-type]
        if sd is not None:
            best = max(best, cal.nxt(sd))
        s = cal.nxt(best)
        return s, _task_forecast(item, cal, cal.wd(s, n - 1))
    # milestone
    best = start
    for d, pe, pf in deps:
        best = max(best, cal.wd(pe if d.type == "SS" else pf, d.lag))  # type: ignore[arg-type]
    if sd is not None and best < sd:
        best = cal.nxt(sd)  # held to the status date, on a working day
    if item.forecast is not None and item.forecast > best:
        best = item.forecast
    return best, best


def _task_forecast(item: Item, cal: Days, f: date) -> date:
    """A forecast only pushes a task's finish later; on a non-working day it counts as the last
    working day on or before it."""
    if item.forecast is not None and cal.prv(item.forecast) > f:
        return cal.prv(item.forecast)
    return f


def _task_start_after(d: Dependency, pe: date, pf: date, cal: Days, n: int) -> date:
    """The earliest start one dependency allows a task of n days (cal: the task's calendar)."""
    if d.type == "FS":
        return cal.wd(cal.wd(pf, d.lag), 1)  # the first working day after wd(finish, lag)
    if d.type == "SS":
        return cal.nxt(cal.wd(pe, d.lag))
    return cal.wd(cal.nxt(cal.wd(pf, d.lag)), -(n - 1))  # FF: finish on/after wd(finish, lag)


# ---- backward rules -----------------------------------------------------------------------------


def _imposes_nothing(s_item: Item, s_early_finish: date | None, sd: date | None) -> bool:
    """A done successor (an event whose date has passed counts as done), or a started task, no
    longer waits for its predecessors."""
    if s_item.done is not None:
        return True
    if DONE_MEANS_STATUS and s_item.kind == "event" and sd is not None and s_early_finish is not None:
        return s_early_finish < sd
    return s_item.kind == "task" and s_item.started is not None


def _compose(link: Callable[[date], date], as_pred: Callable[[date], date]) -> Callable[[date], date]:
    return lambda x: link(as_pred(x))


def _as_pred_date(
    item: Item, cal: Days, d: Dependency | None, timeline: Timeline, bcal: Days | None = None
) -> Callable[[date], date]:
    """From a candidate finish x of the predecessor, the date the link reads: its start for SS
    (a task starts duration - 1 working days before it finishes), its finish otherwise (for a
    decision subject to call-in, the N-th working day after it). d None: a notice link."""
    if d is not None and d.type == "SS":
        if item.kind == "task":
            return lambda x: cal.wd(x, -(item.duration - 1))
        return lambda x: x
    body = timeline.bodies.get(item.at) if item.at else None
    if body is not None and body.call_in:
        return lambda x: (bcal or cal).wd(x, body.call_in)
    return lambda x: x


def _need(
    s_item: Item, d: Dependency, scal: Days, s_ls: date, s_lf: date, s_ready: date | None
) -> tuple[date, Callable[[date], date]]:
    """What successor s needs, and the forward rule of link d (in s's calendar) that must
    give a date no later than that, as a function of the date the link reads."""
    lag = d.lag
    if s_item.kind == "task":
        n = s_item.duration
        return s_ls, lambda x: _task_start_after(d, x, x, scal, n)
    if s_item.kind == "meeting":
        if d.type == "FS":
            assert s_ready is not None
            return s_ready, lambda x: scal.wd(x, lag)  # papers ready by its latest readiness
        return s_lf, lambda x: scal.wd(x, lag)  # held no earlier than that: by its latest held date
    if s_item.kind == "event":
        return window_days(scal, s_item.on)[0], lambda x: scal.wd(x, lag)
    return s_lf, lambda x: scal.wd(x, lag)  # milestone


def _latest_meeting(
    body_meetings: list[tuple[date, date]],
    papers_due: int,
    cal: Days,
    bound: date,
    start: date,
    held_min: date | None,
    body: Body,
) -> tuple[date, date, date]:
    """(latest start, latest finish, latest readiness) of a meeting item whose latest finish may
    be no later than `bound`: the latest day r for which the forward rule (papers never before
    `start`, held on/after held_min) gives a meeting held by `bound`; else a meeting would be
    needed by the bound itself, papers due papers_due working days before its last working day
    on or before it."""
    # every qualifying r is at most the papers date of a meeting held by the bound, so at most the
    # bound; below `start`, or below every papers date, the rule gives the same as at that floor
    floor = max(start, min((p for _, p, _ in body_meetings), default=start))
    r = bound
    while True:
        m = pick(body_meetings, max(r, start), held_min)
        if m is not None and m[0] <= bound:
            return m[0], m[0], r
        if r <= floor:
            break
        r -= ONE
    late_ready = cal.wd(cal.prv(bound), -papers_due)
    return bound, bound, late_ready


def _latest_notice(ms: list[Meet], cal: Days, bound: date, held_min: date | None, rule: ClearDays) -> date:
    """The latest working day notice can be published for some meeting held from held_min to the
    bound (for the bound itself where there is none)."""
    usable = [day1 for held, _, day1 in ms if held <= bound and (held_min is None or held >= held_min)]
    if not usable:
        return clear_before(cal, bound, rule)
    n = bound
    while not (cal.working(n) and any(clear_between(cal, n, day1, rule) for day1 in usable)):
        n -= ONE
    return n
