"""The schedule of a programme: earliest and latest dates, float, driving paths and verdicts.

A pure function of the programme and the status date: no clock, no files. The dates come from
the kernel (`govflow.kernel`), which computes every placement once, with what set it; this
module compiles the programme for it, states the progress known on the status date, and turns
the kernel's arrays into the values users read.

>>> from govflow.loading import load_text
>>> p = load_text('''
... govflow: 1
... id: demo
... start: 2019-09-02
... bodies:
...   board: {meets: [2019-09-26, 2019-10-31], papers_due: 5}
... items:
...   draft: {duration: 10}
...   approve: {at: board, after: [draft]}
...   submit: {after: [approve], deadline: 2019-09-27}
... ''')
>>> s = schedule(p)
>>> s.item("draft").early_finish, s.item("approve").early_finish, s.item("draft").float
(datetime.date(2019, 9, 13), datetime.date(2019, 9, 26), 4)
>>> d = s.deadlines[0]; d.met, d.margin, d.driving_path
(True, 1, ('demo:draft', 'demo:approve', 'demo:submit'))
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from weakref import WeakKeyDictionary

import numpy as np

from . import kernel as K
from .calendars import FIRST_YEAR, LAST_YEAR, WorkCalendar, gc_paused
from .dates import Window
from .errors import InvalidTimeline, Problem
from .graph import topological_order
from .model import Body, ClearDays, Item, Meeting, Programme

__all__ = [
    "DeadlineResult",
    "HeldMeeting",
    "ItemSchedule",
    "ItemTable",
    "Plan",
    "Schedule",
    "Warning",
    "calendar_for",
    "compiled",
    "prepare",
    "schedule",
    "schedule_apart",
]

_CALENDARS: dict[tuple[str, frozenset[date]], WorkCalendar] = {}


def calendar_for(nation: str, closures: frozenset[date], around: date) -> WorkCalendar:
    """A shared working-day calendar per (nation, closures)."""
    key = (nation, closures)
    if key not in _CALENDARS:
        _CALENDARS[key] = WorkCalendar(nation, closures, around=around)
    return _CALENDARS[key]


@dataclass(frozen=True, slots=True)
class Warning:
    """Something a planner should look at that does not stop the schedule."""

    item: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ItemSchedule:
    """Computed dates of one item. Dates are None where they cannot be computed."""

    key: str
    kind: str
    status: str  # done | in-progress | not-started | unschedulable
    early_start: date | None
    early_finish: date | None
    late_start: date | None = None
    late_finish: date | None = None
    float: int | None = None
    critical: bool = False
    driving: tuple[str, ...] = ()
    why: str = ""  # what set the early date: deps | start | as_of | done | started | remaining | forecast | fixed
    papers_due: date | None = None  # meeting items: papers due for the chosen meeting
    ready: date | None = None  # meeting items: the day the papers are ready
    held_from: date | None = None  # meeting items: the earliest day a meeting may be held (start, status date, SS/FF)
    meeting: Meeting | None = None  # meeting items: the meeting chosen
    late_meeting: Meeting | None = None  # meeting items: latest meeting that still meets the deadlines
    late_papers_due: date | None = None  # meeting items: the latest day the papers can be ready
    bound: date | None = None  # latest date before snapping to a real meeting
    reason: str = ""  # why an item cannot be scheduled
    # statutory timing (meeting items, where the body's rules apply)
    published: date | None = None  # the chosen meeting's agenda is published (`publish`)
    notice_from: date | None = None  # key decisions: the first day notice can be (or was) published
    notice_by: date | None = None  # key decisions: notice needed by, for the chosen meeting
    late_notice_by: date | None = None  # key decisions: the latest notice that still meets the deadlines
    takes_effect: date | None = None  # after the body's call-in period: what successors wait for


@dataclass(frozen=True, slots=True)
class ItemTable:
    """Every item's computed values at once, as columns in `Schedule.items` order: the same values
    `items[key]` gives one item at a time (for readers of every item, such as `check --json`).
    The meeting columns are None for items that are not at a body."""

    keys: list[str]
    status: list[str]
    early_start: list[date | None]
    early_finish: list[date | None]
    late_start: list[date | None]
    late_finish: list[date | None]
    float: list[int | None]
    critical: list[bool]
    driving: list[tuple[str, ...]]
    why: list[str]
    papers_due: list[date | None]
    ready: list[date | None]
    meeting: list[Meeting | None]
    reason: list[str]

    @classmethod
    def of(cls, items: Mapping[str, ItemSchedule]) -> ItemTable:
        rs = list(items.values())
        return cls(
            [r.key for r in rs],
            [r.status for r in rs],
            [r.early_start for r in rs],
            [r.early_finish for r in rs],
            [r.late_start for r in rs],
            [r.late_finish for r in rs],
            [r.float for r in rs],
            [r.critical for r in rs],
            [r.driving for r in rs],
            [r.why for r in rs],
            [r.papers_due for r in rs],
            [r.ready for r in rs],
            [r.meeting for r in rs],
            [r.reason for r in rs],
        )


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    key: str
    deadline: date
    forecast: date | None
    margin: int | None
    met: bool
    driving_path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HeldMeeting:
    """A meeting as the engine holds it: the day it counts as held (a window's last working day),
    the day its papers are due (`papers_due` working days before its first working day, and no
    later than the agenda is published), the day its agenda is published (bodies with `publish`)
    and, inside a blackout, its reason (no decisions are taken there)."""

    meeting: Meeting
    held: date
    papers_due: date
    published: date | None = None
    blackout: str | None = None
    first_day: date | None = None  # a window's first working day (the held date for an exact one)


@dataclass(frozen=True, slots=True)
class Schedule:
    """The computed schedule of a programme at a status date."""

    programme: Programme
    as_of: date | None
    items: Mapping[str, ItemSchedule]
    deadlines: tuple[DeadlineResult, ...]
    warnings: tuple[Warning, ...] = field(default=())
    calendars: Mapping[str, WorkCalendar] = field(default_factory=dict, repr=False)
    status_override: date | None = None  # the `as_of` passed in, if any (else each timeline's own)
    engine: _Reader | None = field(default=None, repr=False, compare=False)  # the kernel's arrays

    def item(self, key: str) -> ItemSchedule:
        """An item by key ('timeline:item'), or by bare id in a single-timeline programme."""
        if key not in self.items and ":" not in key:
            key = f"{self.programme.timelines[0].id}:{key}"
        return self.items[key]

    def calendar(self, key: str) -> WorkCalendar:
        """The working-day calendar of an item's timeline (bare ids as for `item`)."""
        return self.calendars[key.split(":", 1)[0] if ":" in key else self.programme.timelines[0].id]

    @property
    def all_met(self) -> bool:
        return all(d.met for d in self.deadlines)

    def _key(self, key: str) -> str:
        return key if ":" in key else f"{self.programme.timelines[0].id}:{key}"

    def table(self) -> ItemTable:
        """Every item's values as columns (`ItemTable`), read from the kernel's arrays at once."""
        engine = self.engine
        if engine is None or engine.hi - engine.lo != len(self.items):  # `schedule_within`: some of its items
            return ItemTable.of(self.items)
        return engine.table()

    def meetings(self, key: str) -> tuple[HeldMeeting, ...]:
        """The meetings of a meeting item's body, in the order the meeting rule takes them, with
        the held and papers-due dates the engine uses (the one statement of that rule)."""
        assert self.engine is not None
        return self.engine.meetings_of(self.engine.index[self._key(key)])

    def clear_before(self, key: str, day: date, rule: ClearDays) -> date:
        """`rule` clear days before a meeting on `day`, in the calendar of item `key`: the last
        working day with that many counted days strictly between it and `day`."""
        assert self.engine is not None
        cp = self.engine.plan.compiled
        k = cp.pos[self.engine.index[self._key(key)]]
        return date.fromordinal(K.at_item(cp, k, "clear", day.toordinal(), rule.days, rule.calendar))

    def window(self, key: str) -> tuple[date, date]:
        """A fixed event's window as the engine plans it: (first, last working day); an exact
        date is both."""
        assert self.engine is not None
        return self.engine.window(self.engine.index[self._key(key)])


class _Results(Mapping[str, ItemSchedule]):
    """Item schedules, built from the kernel's arrays when first asked for: a what-if run or a
    check of one deadline reads a few items of a large programme, `--json` reads them all."""

    __slots__ = ("_build", "_done", "_order")

    def __init__(self, order: list[str], build: Callable[[str], ItemSchedule]):
        self._order, self._build = order, build
        self._done: dict[str, ItemSchedule] = {}

    def __getitem__(self, key: str) -> ItemSchedule:
        r = self._done.get(key)
        if r is None:
            r = self._done[key] = self._build(key)  # KeyError for a key not in the programme
        return r

    def __contains__(self, key: object) -> bool:
        if key in self._done:
            return True
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class Plan:
    """A programme compiled for the kernel: items in topological order, bodies and their
    meetings, calendars. `compiled(programme)` builds it once per programme.

    `Plan(a, b, ...)` compiles programmes that share their timelines side by side, as one plan
    with no links between them (`schedule_apart`): each keeps its own copy of an item they have
    in common, `parts` holds each one's (first, last + 1) plan indices and key -> plan index,
    and `index` is the first one's. They share their bodies' meetings, unless `own_bodies`: then
    each has its own copy of each body, so that a variant can change one's meetings alone."""

    def __init__(self, programme: Programme, *more: Programme, own_bodies: bool = False):
        # no reference to the programme itself: plans are kept weakly keyed by it
        self.single = programme.single
        self.own_bodies = own_bodies
        self.timelines = timelines = programme.timelines
        if any(other.timelines is not timelines for other in more):
            raise ValueError("programmes compiled side by side share their timelines")
        keys: list[str] = []
        items: list[Item] = []
        self.parts: list[tuple[int, int, dict[str, int]]] = []
        part_of: list[int] = []  # each plan index's part
        for part in (programme, *more):
            lo, order = len(keys), topological_order(part)
            part_of += [len(self.parts)] * len(order)
            keys += order
            items += map(part.items.__getitem__, order)
            self.parts.append((lo, len(keys), dict(zip(order, range(lo, len(keys)), strict=True))))
        self.keys = keys
        self.index = self.parts[0][2]
        self.items = items
        tix = {t.id: j for j, t in enumerate(timelines)}
        cal_of: dict[int, int] = {}
        self.cals: list[WorkCalendar] = []
        for j, t in enumerate(timelines):
            cal = calendar_for(t.holidays, t.closures, t.start)
            if cal not in self.cals:
                self.cals.append(cal)
            cal_of[j] = self.cals.index(cal)
        self.tl = tl = [tix[it.timeline] for it in items]
        self.tl_kernel: np.ndarray | None = None  # tl in kernel order (`progress_on`)
        self.timeline_cal = [cal_of[j] for j in range(len(timelines))]
        levels = [0] * len(keys)
        edges: list[tuple[int, int, str, int]] = []
        add = edges.append
        for lo, hi, index in self.parts:
            for i in range(lo, hi):
                level = 0
                for d in items[i].after:
                    p = index[d.pred]
                    add((p, i, d.type, d.lag))
                    if levels[p] >= level:
                        level = levels[p] + 1
                for pred in items[i].notice_after:  # a key decision's notice waits for these
                    p = index[pred]
                    add((p, i, "N", 0))
                    if levels[p] >= level:
                        level = levels[p] + 1
                levels[i] = level
        self.body_ids: list[tuple[int, str]] = []
        body_index: dict[tuple[int, int, str], int] = {}
        bodies: list[tuple[int, int, list[tuple[int, int]]]] = []
        self.meetings: list[Meeting] = []
        tbc_body: set[int] = set()  # bodies with a meeting not yet confirmed
        item_body = [-1] * len(items)
        dates = [t.start.toordinal() for t in timelines] + [t.as_of.toordinal() for t in timelines if t.as_of]
        # bodies with the same recurrence share one tuple of meetings: sort and convert it once
        seen: dict[int, tuple[tuple[Meeting, ...], list[Meeting], list[tuple[int, int]], bool]] = {}
        for i, it in enumerate(items):
            if it.at is None:
                continue
            key = (part_of[i] if own_bodies else 0, tl[i], it.at)
            b = body_index.get(key)
            if b is None:
                b = body_index[key] = len(bodies)
                self.body_ids.append((tl[i], it.at))
                body = timelines[tl[i]].bodies[it.at]
                hit = seen.get(id(body.meetings))
                if hit is None or hit[0] is not body.meetings:
                    ms = sorted(body.meetings, key=lambda m: (m.when.last, m.when.first))
                    spans = [(m.when.first.toordinal(), m.when.last.toordinal()) for m in ms]
                    hit = seen[id(body.meetings)] = (body.meetings, ms, spans, any(m.when.tbc for m in ms))
                    if spans:
                        dates += (spans[0][0], spans[-1][1], min(f for f, _ in spans))
                bodies.append((self._body_calendar(body, tl[i], cal_of), body.papers_due, hit[2]))
                self.meetings.extend(hit[1])
                if hit[3]:
                    tbc_body.add(b)
            item_body[i] = b
        statutory = self._statutory(programme, items, item_body)
        for it in items:
            if it.on is not None:
                dates += (it.on.first.toordinal(), it.on.last.toordinal())
            if it.deadline is not None:
                dates += (it.deadline.first.toordinal(), it.deadline.last.toordinal())
            if it.done or it.started or it.forecast:
                dates += (d.toordinal() for d in (it.done, it.started, it.forecast) if d)
        self.bodies = bodies
        self.compiled = K.Compiled(
            kinds=[K.KINDS[it.kind] for it in items],
            levels=levels,
            cal=[cal_of[t] for t in tl],
            calendars=self.cals,
            duration=[it.duration for it in items],
            deadline=[it.deadline.last.toordinal() if it.deadline else K.NEVER for it in items],
            start=[timelines[t].start.toordinal() for t in tl],
            edges=edges,
            body=[max(b, 0) for b in item_body],
            bodies=bodies,
            window=[(it.on.first.toordinal(), it.on.last.toordinal()) if it.on else None for it in items],
            dates=dates,
            statutory=statutory,
        )
        self.item_body = item_body
        self.deadlines = [i for i, it in enumerate(items) if it.deadline is not None]
        self.progress = [
            i for i, it in enumerate(items) if it.done or it.started or it.forecast or it.remaining is not None
        ]
        # items on a date or at a body not yet confirmed
        self.attention = [
            i
            for i, it in enumerate(items)
            if (it.on is not None and it.on.tbc) or (tbc_body and item_body[i] in tbc_body)
        ]

    def _body_calendar(self, body: Body, t: int, cal_of: dict[int, int]) -> int:
        """A body's working days: its library's nation (`holidays`) when it has one other than the
        timeline's, else its timeline's (closures included). Its papers, agenda publication, notice
        and call-in count them."""
        timeline = self.timelines[t]
        if body.nation is None or body.nation == timeline.holidays:
            return cal_of[t]
        cal = calendar_for(body.nation, frozenset(), timeline.start)
        if cal not in self.cals:
            self.cals.append(cal)
        return self.cals.index(cal)

    def _statutory(self, programme: Programme, items: list[Item], item_body: list[int]) -> K.Statutory | None:
        """The procedural rules for the kernel: each body's agenda publication, call-in and
        blackouts (its own and its timeline's), each key decision's notice, each deferral."""
        st = K.Statutory()
        for b in range(len(self.body_ids)):
            body = self.body(b)
            if body.publish is not None:
                st.publish[b] = (body.publish.days, body.publish.calendar)
            if body.call_in:
                st.call_in[b] = body.call_in
            t = self.timelines[self.body_ids[b][0]]
            for x in t.blackouts + body.blackouts:
                st.blackouts.append((b, x.first.toordinal(), x.last.toordinal()))
        for i, it in enumerate(items):
            if it.at is None:
                continue
            body = self.body(item_body[i])
            if it.key_decision and body.notice is not None:
                ge = body.general_exception
                st.notice[i] = (
                    (body.notice.days, body.notice.calendar),
                    None if ge is None else (ge.days, ge.calendar),
                    (K.NO_NOTICE, False) if body.special_urgency else None,
                )
                if it.notice_given:
                    st.notice_given[i] = it.notice_given.toordinal()
            if it.deferred:
                st.deferred[i] = it.deferred[-1].toordinal() + 1
        empty = not (st.publish or st.call_in or st.blackouts or st.notice or st.deferred)
        return None if empty else st

    def label(self, key: str) -> str:
        """How an item is named to users (as `Programme.label`)."""
        return key.split(":", 1)[1] if self.single else key

    def meetings_of(self, b: int) -> list[Meeting]:
        off = self.compiled.body_off
        return self.meetings[int(off[b]) : int(off[b + 1])]

    def body(self, b: int) -> Body:
        t, bid = self.body_ids[b]
        return self.timelines[t].bodies[bid]

    def progress_on(self, as_of: date | None) -> tuple[K.Progress, list[date | None]]:
        """The progress known on the status date (each timeline's own, unless `as_of` is given),
        in kernel order. Progress dated after the status date is not yet known: re-running an
        older status date treats later `done`/`started` entries (and `remaining`, counted from
        the status date) as not yet reported."""
        cp, n = self.compiled, len(self.items)
        status = [as_of or t.as_of for t in self.timelines]
        done = np.full(n, K.NONE, dtype=K.DT)
        started = np.full(n, K.NONE, dtype=K.DT)
        remaining = np.full(n, -1, dtype=K.DT)
        forecast = np.full(n, K.NONE, dtype=K.DT)
        if self.tl_kernel is None:
            self.tl_kernel = np.asarray(self.tl, dtype=np.int64)[np.asarray(cp.order, dtype=np.int64)]
        ords = np.asarray([d.toordinal() if d else K.NONE for d in status], dtype=K.DT)
        asof = ords[self.tl_kernel]  # each item's timeline's status date
        pos = cp.pos
        for i in self.progress:
            it, sd, k = self.items[i], status[self.tl[i]], pos[i]
            done_later = it.done is not None and sd is not None and it.done > sd
            started_later = it.started is not None and sd is not None and it.started > sd
            if it.done and not done_later:
                done[k] = it.done.toordinal()
            if it.started and not started_later:
                started[k] = it.started.toordinal()
            if it.remaining is not None and not (done_later or started_later):
                remaining[k] = it.remaining
            if it.forecast:
                forecast[k] = it.forecast.toordinal()
        return K.Progress(done, started, remaining, forecast, asof), status


_PLANS: WeakKeyDictionary[Programme, Plan] = WeakKeyDictionary()


def compiled(programme: Programme) -> Plan:
    """The programme compiled for the kernel, built once per programme (and dropped with it)."""
    plan = _PLANS.get(programme)
    if plan is None:
        plan = _PLANS[programme] = Plan(programme)
    return plan


def prepare(programme: Programme) -> Programme:
    """Compile a programme for scheduling ahead of the first `schedule` call."""
    compiled(programme)
    return programme


def _out_of_range(plan: Plan, k: int, body: int | None = None) -> InvalidTimeline:
    if body is not None:
        t, bid = plan.body_ids[body]
        message = (
            f"body '{bid}': papers for its first meeting would be due before {FIRST_YEAR}, "
            "the first year govflow schedules"
        )
        defined = plan.body(body)  # a body from a library file is reported where it is defined
        path = defined.path or plan.timelines[t].path
        return InvalidTimeline([Problem("out-of-range", message, path, defined.line)])
    i = plan.compiled.order[k]
    item = plan.items[i]
    path = plan.timelines[plan.tl[i]].path
    message = f"item '{item.id}': its dates would fall outside {FIRST_YEAR}-{LAST_YEAR}, the years govflow schedules"
    return InvalidTimeline(
        [Problem("out-of-range", f"{message}; check its lags and durations", path, item.line, item.id)]
    )


def run_variants(
    plan: Plan,
    as_of: date | None = None,
    variants: K.Variants | None = None,
    record: bool = False,
    backward: bool = True,
) -> K.KernelResult:
    """The kernel's arrays for V variants of a compiled programme (kernel order; see `kernel`)."""
    progress, _ = plan.progress_on(as_of)
    try:
        return K.run(plan.compiled, progress, variants, record, backward)
    except K.OutOfRange as e:
        raise _out_of_range(plan, e.item, e.body) from None


class _Reader:
    """Reads one variant of a kernel result as users see it."""

    def __init__(self, plan: Plan, res: K.KernelResult, status: list[date | None], v: int = 0):
        self.plan, self.res, self.status, self.v = plan, res, status, v
        self.days: dict[int, date] = {}
        self.label = plan.label
        self.held: dict[int, tuple[HeldMeeting, ...]] = {}  # per body
        self.same: dict[tuple[object, ...], tuple[HeldMeeting, ...]] = {}  # per body's meetings, dates and rules
        self.rows: dict[int, list[int]] = {}  # by id() of an array of `res`, which this reader keeps alive
        self.pos = plan.compiled.pos
        # each item's links as lists, read once and shared with the readers of the other parts
        self.links: list[tuple[list[int], list[int], list[int], list[bool]]] = []
        self._table: ItemTable | None = None
        self.lo, self.hi, self.index = plan.parts[0]  # the programme read: plan indices and keys

    def part(self, j: int) -> _Reader:
        """A reader of part j of a plan of programmes side by side, sharing this one's caches."""
        other = copy.copy(self)
        other.lo, other.hi, other.index = self.plan.parts[j]
        other._table = None
        return other

    def day(self, o: int) -> date | None:
        if o >= K.NEVER or o <= K.NONE:
            return None
        d = self.days.get(o)
        if d is None:
            d = self.days[o] = date.fromordinal(o)
        return d

    def at(self, arr: np.ndarray, i: int) -> int:
        """One item's value in this variant (each array read into a list once: a `--json` check
        reads every item of a large programme)."""
        row = self.rows.get(id(arr))
        if row is None:
            row = self.rows[id(arr)] = arr[self.v if arr.shape[0] > 1 else 0].tolist()
        return row[self.pos[i]]

    def meeting(self, slot: int) -> Meeting | None:
        if slot < 0:
            return None
        res, plan = self.res, self.plan
        src = int(res.source.ravel()[slot])
        if src < len(plan.meetings):
            return plan.meetings[src]
        held = date.fromordinal(int(res.held.ravel()[slot]))  # an extra meeting of a what-if
        return Meeting(Window(held, held, False, held.isoformat()), "extraordinary", True)

    def papers(self, slot: int) -> date | None:
        return None if slot < 0 else self.day(int(self.res.papers.ravel()[slot]))

    def meetings_of(self, i: int) -> tuple[HeldMeeting, ...]:
        plan = self.plan
        b = plan.item_body[i]
        if b < 0:
            return ()
        found = self.held.get(b)
        if found is None:
            cp = plan.compiled
            held_a, papers_a, day1_a = cp.meeting_base  # type: ignore[misc]
            first, end = int(cp.body_off[b]), int(cp.body_off[b + 1])
            held, papers, day1 = held_a[first:end], papers_a[first:end], day1_a[first:end]
            assert cp.cals is not None
            pub = K.published(cp, cp.cals, day1, cp.m_body[first:end])
            order = np.lexsort((papers, held))  # by held date, then papers date (a stable sort)
            body = plan.body(b)
            blackouts = self.plan.timelines[plan.body_ids[b][0]].blackouts + body.blackouts
            # bodies on one pattern under one rule (a national programme's hundreds of committees)
            # hold the same meetings on the same dates: one tuple for them all
            same = (
                tuple(map(id, plan.meetings[first:end])),  # the same meetings (the plan holds them)
                *(a.tobytes() for a in (held, papers, pub, day1)),
                blackouts,
            )
            found = self.same.get(same)
            if found is not None:
                self.held[b] = found
                return found
            day = date.fromordinal
            out = []
            columns = (order.tolist(), held[order].tolist(), papers[order].tolist(), pub[order].tolist())
            for j, h, p, q, f in zip(*columns, day1[order].tolist(), strict=True):
                held_on = day(h)
                out.append(
                    HeldMeeting(
                        plan.meetings[first + j],
                        held_on,
                        day(p),
                        None if q >= K.NEVER else day(q),
                        next((x.reason for x in blackouts if held_on in x), None) if blackouts else None,
                        day(f),
                    )
                )
            found = self.held[b] = self.same[same] = tuple(out)
        return found

    def window(self, i: int) -> tuple[date, date]:
        res = self.res
        k = self.plan.compiled.pos[i]
        row = self.v if res.window_first.shape[0] > 1 else 0
        return date.fromordinal(int(res.window_first[row, k])), date.fromordinal(int(res.window_last[row, k]))

    def driving(self, i: int) -> tuple[str, ...]:
        """The predecessors whose links gave item i its date (ties in `after` order)."""
        plan, res, cp = self.plan, self.res, self.plan.compiled
        k = cp.pos[i]
        why = self.at(res.why, i)
        drv = self.at(res.drv, i) if why != K.DONE else self.at(res.ddrv, i)
        if drv < 0:
            return ()
        keys = plan.keys
        if why in (K.BLOCKED,) or res.ties is None:
            return (keys[cp.order[drv]],)
        if not self.links:
            self.links.append(
                (
                    np.searchsorted(cp.e_succ, np.arange(cp.n + 1)).tolist(),
                    cp.e_pred.tolist(),
                    (cp.e_held + 2 * cp.e_notice).tolist(),
                    res.ties.tolist(),
                )
            )
        starts, pred, held, ties = self.links[0]
        edges = range(starts[k], starts[k + 1])
        # the papers' links, the held-date links or the notice links: the class the driver is in
        cls = next(held[e] for e in edges if ties[e] and pred[e] == drv)
        order = cp.order
        return tuple(keys[order[pred[e]]] for e in edges if ties[e] and held[e] == cls)

    def item(self, i: int) -> ItemSchedule:
        plan, res = self.plan, self.res
        item = plan.items[i]
        t = plan.tl[i]
        cal = plan.cals[plan.timeline_cal[t]]
        at = self.at
        es, ef, ls, lf = at(res.es, i), at(res.ef, i), at(res.ls, i), at(res.lf, i)
        why = self.at(res.why, i)
        flt = None
        if ef < K.NEVER and lf < K.NEVER:
            flt = cal.between_ord(ef if ef <= lf else cal.next_ord(ef), lf)
        if ef >= K.NEVER:
            status = "unschedulable"
        elif self.at(res.done, i):
            status = "done"
        elif self._started(i):
            status = "in-progress"
        else:
            status = "not-started"
        meeting: dict[str, object] = {}
        if item.at is not None or why in (K.NO_MEETING, K.BLOCKED):
            slot, lslot = self.at(res.slot, i), self.at(res.lslot, i)
            meeting = {
                "papers_due": self.papers(slot) if item.at is not None else None,
                "ready": self.day(self.at(res.ready, i)) if item.at is not None and why != K.BLOCKED else None,
                "held_from": self.day(self.at(res.hmin, i)) if item.at is not None and why != K.BLOCKED else None,
                "meeting": self.meeting(slot) if item.at is not None else None,
                "late_meeting": self.meeting(lslot) if item.at is not None else None,
                "late_papers_due": self.day(self.at(res.lready, i)) if item.at is not None else None,
                "bound": self.day(self.at(res.bound, i)) if item.at is not None else None,
                "reason": self.reason(i, why),
            }
            if item.at is not None:
                meeting.update(self.statutory(i, slot))
        return ItemSchedule(
            plan.keys[i],
            item.kind,
            status,
            self.day(es),
            self.day(ef),
            self.day(ls),
            self.day(lf),
            flt,
            flt is not None and flt <= 0 and status != "done",
            self.driving(i),
            K.WHY[why],
            **meeting,  # type: ignore[arg-type]
        )

    def statutory(self, i: int, slot: int) -> dict[str, date | None]:
        """A meeting item's agenda publication, notice and call-in dates (where its body has them)."""
        plan, res, cp = self.plan, self.res, self.plan.compiled
        body = plan.body(plan.item_body[i])
        item, k = plan.items[i], cp.pos[i]
        out: dict[str, date | None] = {}
        day1 = int(res.day1.ravel()[slot]) if slot >= 0 else None
        if body.publish is not None and day1 is not None:
            p = body.publish
            out["published"] = self.day(K.at_item(cp, k, "clear", day1, p.days, p.calendar))
        if item.key_decision and body.notice is not None:
            n = body.notice
            out["notice_from"] = self.day(self.at(res.notice, i)) if res.notice.shape[0] else None
            if day1 is not None:
                out["notice_by"] = self.day(K.at_item(cp, k, "clear", day1, n.days, n.calendar))
            if res.lnotice.shape[0]:
                out["late_notice_by"] = self.day(self.at(res.lnotice, i))
        held = self.at(res.ef, i)
        if body.call_in and held < K.NEVER:
            out["takes_effect"] = self.day(K.at_item(cp, k, "effect", held))
        return out

    def table(self) -> ItemTable:
        """Every item as `item` reads it, computed over whole arrays at once."""
        if self._table is None:
            self._table = self._columns()
        return self._table

    def _columns(self) -> ItemTable:
        plan, res, cp = self.plan, self.res, self.plan.compiled
        lo, hi = self.lo, self.hi  # this reader's part of the plan (all of it but side by side)
        n = hi - lo
        pos = np.asarray(cp.pos[lo:hi], dtype=np.int64)  # plan index (from lo) -> kernel index

        def kernel_row(arr: np.ndarray) -> np.ndarray:
            out: np.ndarray = arr[self.v if arr.shape[0] > 1 else 0]
            return out

        def row(arr: np.ndarray) -> np.ndarray:  # this variant's values in plan order
            out: np.ndarray = kernel_row(arr)[pos]
            return out

        def dates(ords: np.ndarray) -> list[date | None]:
            uniq, _, inv = _unique(ords)
            look = [self.day(o) for o in uniq.tolist()]
            return list(map(look.__getitem__, inv.ravel().tolist()))

        es, ef, ls, lf = (row(a).astype(np.int64) for a in (res.es, res.ef, res.ls, res.lf))
        why = row(res.why)
        # float: working days from the early finish (the next working day, when later) to the latest
        placed = (ef < K.NEVER) & (lf < K.NEVER)
        flt = np.zeros(n, dtype=np.int64)
        cal_of = np.asarray([plan.timeline_cal[t] for t in plan.tl[lo:hi]], dtype=np.int64)
        for c, cal in enumerate(plan.cals):
            sel = np.flatnonzero(placed & (cal_of == c))
            if not len(sel):
                continue
            e, f = ef[sel], lf[sel]
            a, b = int(min(e.min() - 1, f.min())), int(max(e.max(), f.max()))
            cal.cover(a, b)
            base, count, _ = cal.arrays()
            cnt = np.asarray(count[a - base : b + 1 - base], dtype=np.int64)
            first = np.where(e <= f, cnt[e - a], cnt[e - 1 - a] + 1)  # the next working day's count
            flt[sel] = cnt[f - a] - first
        floats: list[int | None] = [x if ok else None for x, ok in zip(flt.tolist(), placed.tolist(), strict=True)]
        # status: unschedulable, done, in progress, not started
        started = np.zeros(n, dtype=bool)
        for i in _within(plan.progress, lo, hi):
            started[i - lo] = self._started(i)
        code = np.where(ef >= K.NEVER, 0, np.where(row(res.done), 1, np.where(started, 2, 3)))
        names = ("unschedulable", "done", "in-progress", "not-started")
        critical = placed & (flt <= 0) & (code != 1)
        # driving: the predecessors whose links gave each item its date (ties in `after` order)
        keys = [plan.keys[o] for o in cp.order]  # by kernel index
        why_k = kernel_row(res.why)
        drv = np.where(why_k == K.DONE, kernel_row(res.ddrv), kernel_row(res.drv)).astype(np.int64)
        driving: list[tuple[str, ...]] = [()] * cp.n  # by kernel index
        blocked = why_k == K.BLOCKED
        single = (drv >= 0) & (blocked | (res.ties is None))
        for k in np.flatnonzero(single).tolist():
            driving[k] = (keys[int(drv[k])],)
        if res.ties is not None and cp.m:
            succ, pred = cp.e_succ, cp.e_pred
            held = cp.e_held + 2 * cp.e_notice  # 0 papers' links, 1 held-date links, 2 notice links
            tie = res.ties & (drv[succ] >= 0) & ~blocked[succ]
            hit = np.flatnonzero(tie & (pred == drv[succ]))
            got, first, _ = _unique(succ[hit])
            cls = np.zeros(cp.n, dtype=np.int64)
            has = np.zeros(cp.n, dtype=bool)
            cls[got], has[got] = held[hit[first]], True  # the class of links the driver is in
            chosen = np.flatnonzero(tie & has[succ] & (held == cls[succ]))
            ss, names_p = succ[chosen].tolist(), [keys[x] for x in pred[chosen].tolist()]
            a = 0
            for b in range(1, len(ss) + 1):
                if b == len(ss) or ss[b] != ss[a]:
                    driving[ss[a]] = tuple(names_p[a:b])
                    a = b
            for k in np.flatnonzero((drv >= 0) & ~blocked & ~has).tolist():
                driving[k] = self.driving(cp.order[k])  # no link gives the date (not expected)
        # meeting items
        papers_due: list[date | None] = [None] * n
        ready: list[date | None] = [None] * n
        meeting: list[Meeting | None] = [None] * n
        reason = [""] * n
        why_l = why.tolist()
        slot, rdy = row(res.slot).tolist(), row(res.ready).tolist()
        for i, b in enumerate(plan.item_body[lo:hi]):
            if b >= 0:
                papers_due[i] = self.papers(slot[i])
                ready[i] = self.day(rdy[i]) if why_l[i] != K.BLOCKED else None
                meeting[i] = self.meeting(slot[i])
        for i in np.flatnonzero((why == K.NO_MEETING) | (why == K.BLOCKED)).tolist():
            reason[i] = self.reason(lo + i, why_l[i])
        return ItemTable(
            plan.keys[lo:hi],
            list(map(names.__getitem__, code.tolist())),
            dates(es),
            dates(ef),
            dates(ls),
            dates(lf),
            floats,
            critical.tolist(),
            list(map(driving.__getitem__, cp.pos[lo:hi])),
            list(map(K.WHY.__getitem__, why_l)),
            papers_due,
            ready,
            meeting,
            reason,
        )

    def _started(self, i: int) -> bool:
        item, sd = self.plan.items[i], self.status[self.plan.tl[i]]
        return item.started is not None and (sd is None or item.started <= sd)

    def reason(self, i: int, why: int) -> str:
        plan, res = self.plan, self.res
        if why == K.BLOCKED:
            drv = self.at(res.drv, i)
            return f"after {self.label(plan.keys[plan.compiled.order[drv]])}, which cannot be scheduled"
        if why != K.NO_MEETING:
            return ""
        body = plan.body(plan.item_body[i])
        held = self.meetings_of(i)
        last = f"{held[-1].meeting.when} (papers due {held[-1].papers_due})" if held else "None (papers due -)"
        notice = ""
        if plan.items[i].key_decision and body.notice is not None and res.notice.shape[0]:
            notice = f", forward-plan notice from {self.day(self.at(res.notice, i))} ({body.notice}' notice)"
        return (
            f"no meeting of {body.name} ('{body.id}') is late enough: papers ready "
            f"{self.day(self.at(res.ready, i))}, meetings from {self.day(self.at(res.hmin, i))}{notice}; the last "
            f"meeting is {last}"
        )

    def trace(self, i: int) -> tuple[str, ...]:
        """The driving path into item i: each step the link that set the date; it stops at a done
        item (what drove it no longer matters)."""
        cp, keys = self.plan.compiled, self.plan.keys
        k = cp.pos[i]
        path = []
        row = self.v if self.res.drv.shape[0] > 1 else 0
        drv = self.res.drv[row]
        while k >= 0:
            path.append(keys[cp.order[k]])
            k = int(drv[k])
        path.reverse()
        return tuple(path)


def _margin(cal: WorkCalendar, forecast: int | None, due: int) -> int | None:
    """Working days to spare (negative: late). A late forecast on a non-working day counts from
    the next working day, so a missed deadline is never shown with a margin of 0."""
    if forecast is None:
        return None
    return cal.between_ord(forecast if forecast <= due else cal.next_ord(forecast), due)


@gc_paused
def schedule(programme: Programme, as_of: date | None = None) -> Schedule:
    """Earliest and latest dates, float and driving paths of every item of a programme.

    `as_of` overrides the status date of every timeline (else each uses its own `as_of`).
    Raises `InvalidTimeline` (error code out-of-range) when an item's dates would fall outside
    the years govflow schedules.
    """
    plan = compiled(programme)
    res, status = _run(plan, as_of)
    return _assemble(programme, plan, res, status, as_of, _Reader(plan, res, status))


@gc_paused
def schedule_apart(
    programmes: Sequence[Programme], as_of: date | None = None, own_bodies: bool = False
) -> list[Schedule]:
    """`[schedule(p, as_of) for p in programmes]` in one kernel run, for programmes that share
    their timelines (explanations schedule each deadline's ancestors as a programme of their own):
    compiled side by side as one plan, so that the kernel's cost per run is paid once. With
    `own_bodies` each has its own copy of its bodies (`Plan`), and the plan (each schedule's
    `engine.plan`) can then run variants of each one alone."""
    if not programmes:
        return []
    plan = Plan(*programmes, own_bodies=own_bodies)
    res, status = _run(plan, as_of)
    first = _Reader(plan, res, status)
    return [_assemble(p, plan, res, status, as_of, first.part(j)) for j, p in enumerate(programmes)]


@gc_paused
def schedule_within(sched: Schedule, base: Programme, key: str) -> Schedule | None:
    """`schedule(base, sched.status_override)` for `base`, the ancestors of the deadline item
    `key` of `sched`'s programme with the other deadlines dropped (an explanation's own programme),
    run on `sched`'s compiled plan with `key`'s deadline alone instead of compiling `base`: no item
    of `base` depends on one outside it, and with no other deadline nothing outside it bounds one,
    so every date is the same. None when `sched` is not one programme's schedule."""
    reader = sched.engine
    if reader is None or len(reader.plan.parts) != 1:
        return None
    plan = reader.plan
    cp = plan.compiled
    k = cp.pos[plan.index[key]]
    deadline = np.full(cp.n, K.NEVER, dtype=cp.deadline.dtype)
    deadline[k] = cp.deadline[k]
    res, status = _run(plan, sched.status_override, K.Variants(deadline=deadline))
    return _assemble(base, plan, res, status, sched.status_override, _Reader(plan, res, status), within=base)


def _run(
    plan: Plan, as_of: date | None, variants: K.Variants | None = None
) -> tuple[K.KernelResult, list[date | None]]:
    if as_of is not None and not date(FIRST_YEAR, 1, 1) <= as_of <= date(LAST_YEAR, 12, 31):
        raise ValueError(f"as_of {as_of} is outside the years govflow schedules ({FIRST_YEAR}-{LAST_YEAR})")
    progress, status = plan.progress_on(as_of)
    try:
        return K.run(plan.compiled, progress, variants, record=True), status
    except K.OutOfRange as e:
        raise _out_of_range(plan, e.item, e.body) from None


def _unique(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`np.unique(a, return_index=True, return_inverse=True)` for a 1-D array, by one stable sort
    (`np.unique` imports `numpy.ma`, a cost a short command need not pay).

    >>> [x.tolist() for x in _unique(np.array([5, 3, 5, 1]))]
    [[1, 3, 5], [3, 1, 0], [2, 1, 2, 0]]
    """
    order = np.argsort(a, kind="stable")
    s = a[order]
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] != s[:-1]
    inverse = np.empty(len(a), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return s[new], order[new], inverse


def _within(indices: list[int], lo: int, hi: int) -> list[int]:
    """The sorted plan indices in lo..hi-1 (one part of a plan)."""
    return indices[bisect_left(indices, lo) : bisect_left(indices, hi)]


def _assemble(
    programme: Programme,
    plan: Plan,
    res: K.KernelResult,
    status: list[date | None],
    as_of: date | None,
    reader: _Reader,
    within: Programme | None = None,
) -> Schedule:
    """The schedule of the programme that is the reader's part of the plan (or, `within`, of
    that programme: some of the plan's items, the deadlines it keeps)."""
    label = programme.label
    lo, hi, index = reader.lo, reader.hi, reader.index
    keys = plan.keys[lo:hi] if within is None else [k for k in plan.keys[lo:hi] if k in within.items]
    results = _Results(keys, lambda key: reader.item(index[key]))
    warnings = _warnings(plan, reader, results)
    if within is not None:
        names = {label(k) for k in keys}
        warnings = [w for w in warnings if w.item in names]
    deadlines = []
    pos = plan.compiled.pos
    for i in _within(plan.deadlines, lo, hi):
        item = plan.items[i] if within is None else within.items.get(plan.keys[i])
        if item is None or item.deadline is None:  # not in `within`, or its deadline dropped
            continue
        due = item.deadline.last
        fin = int(res.ef[0, pos[i]])
        fin_ord = None if fin >= K.NEVER else fin
        cal = plan.cals[plan.timeline_cal[plan.tl[i]]]
        deadlines.append(
            DeadlineResult(
                plan.keys[i],
                due,
                reader.day(fin),
                _margin(cal, fin_ord, due.toordinal()),
                fin_ord is not None and fin_ord <= due.toordinal(),
                reader.trace(i),
            )
        )
        if fin_ord is None:
            name = label(plan.keys[i])
            warnings.append(
                Warning(name, "unschedulable", f"'{name}' cannot be scheduled: {results[plan.keys[i]].reason}")
            )
    for i in sorted(
        {*_within(plan.attention, lo, hi), *_failed(plan, res, lo, hi)}
    ):  # only items with something to say
        item, key = plan.items[i], plan.keys[i]
        if within is not None:
            if key not in within.items:
                continue
            item = within.items[key]
        r = results[key]
        why = reader.at(res.why, i)
        if r.early_finish is None and why != K.BLOCKED and item.deadline is None:  # deadlines: above
            warnings.append(Warning(label(key), "unschedulable", f"'{label(key)}' cannot be scheduled: {r.reason}"))
        if r.meeting is not None and r.meeting.when.tbc:
            m = r.meeting
            warnings.append(
                Warning(
                    label(key),
                    "tbc",
                    f"'{label(key)}' is planned at a {programme.body(item).name} meeting not yet confirmed "
                    f"({m.when.text or m.when}); planned as held {r.early_finish}, papers due {r.papers_due}",
                )
            )
        if item.on is not None and item.on.tbc:
            warnings.append(
                Warning(
                    label(key),
                    "tbc",
                    f"'{label(key)}' is on a date not yet confirmed ({item.on.text}); planned as {r.early_finish}",
                )
            )
    deadlines.sort(key=lambda d: (d.deadline, d.key))
    status_dates = {d for d in status if d}
    return Schedule(
        programme,
        as_of or (max(status_dates) if status_dates else None),
        results,
        tuple(deadlines),
        tuple(warnings),
        {t.id: plan.cals[plan.timeline_cal[j]] for j, t in enumerate(plan.timelines)},
        as_of,
        reader,
    )


def _failed(plan: Plan, res: K.KernelResult, lo: int, hi: int) -> list[int]:
    """Items (plan indices lo..hi-1) that cannot be scheduled for want of a meeting (not those
    merely after one)."""
    why = res.why[0]
    return [i for i in (plan.compiled.order[k] for k in np.flatnonzero(why == K.NO_MEETING)) if lo <= i < hi]


def _warnings(plan: Plan, reader: _Reader, results: _Results) -> list[Warning]:
    """Fixed events that come before a predecessor can finish, and forecasts that cannot move a
    finish earlier: in topological order."""
    res, label, cp = reader.res, reader.label, plan.compiled
    out: list[Warning] = []
    conflict = res.conflict[0]
    lo, hi = reader.lo, reader.hi
    fixed = (i for i in (cp.order[k] for k in np.flatnonzero(conflict >= 0)) if lo <= i < hi)
    for i in sorted({*_within(plan.progress, lo, hi), *fixed}):
        item, key = plan.items[i], plan.keys[i]
        k = cp.pos[i]
        if conflict[k] >= 0:
            p = cp.order[int(conflict[k])]
            pf = reader.day(int(res.ef[0, int(conflict[k])]))
            out.append(
                Warning(
                    label(key),
                    "conflict",
                    f"fixed event '{label(key)}' on {item.on} comes before '{label(plan.keys[p])}' can finish "
                    f"({pf.isoformat() if pf else '-'})",
                )
            )
        why = int(res.why[0, k])
        if item.forecast is None or why in (K.DONE, K.BLOCKED, K.NO_MEETING) or item.kind == "meeting":
            continue
        f = int(res.ef[0, k])
        fc = item.forecast.toordinal()
        if item.kind == "task":
            fc = plan.cals[plan.timeline_cal[plan.tl[i]]].prev_ord(fc)
        if fc < f:
            out.append(
                Warning(
                    label(key),
                    "forecast-ignored",
                    f"forecast {item.forecast} for '{label(key)}' is earlier than its computed finish "
                    f"{date.fromordinal(f).isoformat()}; a forecast can only push a finish later",
                )
            )
    return out
