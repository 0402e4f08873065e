"""The scheduling engine: forward and backward passes over working days and meeting dates.

A pure function of the programme and the status date: no clock, no files. Dates are handled
as proleptic ordinals inside the passes and turned back into `datetime.date` in the result.

The programme is first compiled (`prepare`, which `load` calls) into integer-indexed arrays in
topological order, with each dependency reduced to the constants of the working-day arithmetic
its type asks for, so the passes are list lookups. Items with progress reported, fixed events
and anything unusual take `_Run.general`, which applies the rules of DESIGN.md step by step;
it is also the reference the tests hold the fast path to (`schedule(..., reference=True)`),
and it explains an item (why, driving dependencies) when its schedule is read. The fast
arithmetic indexes the calendars' arrays directly, so it runs only while every date stays a
margin (three times the largest lag, duration or papers deadline) inside them; a programme
whose dates come that close to 1900 or 2300 is scheduled step by step throughout.

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

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import cast

from .calendars import WorkCalendar, gc_paused
from .errors import InvalidTimeline, Problem
from .loading import topological_order
from .model import Body, Dependency, Item, Meeting, Programme

__all__ = ["DeadlineResult", "ItemSchedule", "Schedule", "Warning", "calendar_for", "prepare", "schedule"]

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
    meeting: Meeting | None = None  # meeting items: the meeting chosen
    late_meeting: Meeting | None = None  # meeting items: latest meeting that still meets the deadlines
    late_papers_due: date | None = None
    bound: date | None = None  # meeting items: latest date before snapping to a real meeting
    reason: str = ""  # why an item cannot be scheduled


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    key: str
    deadline: date
    forecast: date | None
    margin: int | None
    met: bool
    driving_path: tuple[str, ...]


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


class _Results(Mapping[str, ItemSchedule]):
    """Item schedules, built from the passes' arrays when first asked for: a what-if run or a
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
        return key in self._done or (isinstance(key, str) and self._known(key))

    def _known(self, key: str) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class _Body:
    """A body's meetings as ordinal arrays sorted by the day each counts as held, for bisection.
    (The file's order is by window end: a window counts as held on its last working day, so a
    single meeting on a Saturday can sort after a window that ends on the Sunday.)"""

    __slots__ = ("held", "meetings", "monotone", "papers", "papers_due", "tbc", "working")

    def __init__(self, body: Body, cal: WorkCalendar):
        self.papers_due = body.papers_due
        self.held: list[int] = []
        self.papers: list[int] = []
        for m in body.meetings:
            first, last = m.when.first.toordinal(), m.when.last.toordinal()
            if m.when.first == m.when.last:
                held = first
                first_day = first
            else:
                held = cal.prev_ord(last)
                held = held if held >= first else last
                first_day = cal.next_ord(first)
                first_day = first_day if first_day <= last else first
            self.held.append(held)
            self.papers.append(cal.wd_ord(first_day, -body.papers_due) if body.papers_due else first_day)
        self.meetings = body.meetings
        if any(a > b for a, b in zip(self.held, self.held[1:], strict=False)):
            order = sorted(range(len(self.held)), key=lambda k: (self.held[k], self.papers[k]))
            self.meetings = tuple(body.meetings[k] for k in order)
            self.held = [self.held[k] for k in order]
            self.papers = [self.papers[k] for k in order]
        self.monotone = all(a <= b for a, b in zip(self.papers, self.papers[1:], strict=False))
        self.working = all(cal.next_ord(p) == p for p in self.papers)  # papers due on working days only
        self.tbc = any(m.when.tbc for m in body.meetings)  # some meeting not yet confirmed

    def first_from(self, ready: int, held_min: int) -> int | None:
        """Index of the first meeting held on/after held_min whose papers are due on/after ready."""
        j = bisect_left(self.held, held_min)
        if self.monotone:
            j = max(j, bisect_left(self.papers, ready))
            return j if j < len(self.held) else None
        while j < len(self.held):
            if self.papers[j] >= ready:
                return j
            j += 1
        return None

    def last_by(self, bound: int) -> int | None:
        """Index of the latest meeting held on or before bound."""
        j = bisect_right(self.held, bound) - 1
        return j if j >= 0 else None


_BODY_INDEX: dict[tuple[int, int, int], tuple[tuple[Meeting, ...], _Body]] = {}


def _body_index(body: Body, cal: WorkCalendar, path: str) -> _Body:
    """A body's meeting arrays, cached by identity of its meetings: what-if runs re-use the same
    bodies, and bodies with the same recurrence share one tuple of meetings."""
    key = (id(body.meetings), body.papers_due, id(cal))
    hit = _BODY_INDEX.get(key)
    if hit is not None and hit[0] is body.meetings:
        return hit[1]
    if len(_BODY_INDEX) > 50_000:
        _BODY_INDEX.clear()
    try:
        index = _Body(body, cal)
    except ValueError:  # papers due before 1900
        message = (
            f"body '{body.id}': papers for its first meeting would be due before 1900, the first year govflow schedules"
        )
        raise InvalidTimeline([Problem("out-of-range", message, path, body.line)]) from None
    _BODY_INDEX[key] = (body.meetings, index)
    return index


def _window_days(cal: WorkCalendar, item: Item) -> tuple[int, int]:
    """(first working day, last working day) of an `on` window; exact dates as given."""
    assert item.on is not None
    first, last = item.on.first.toordinal(), item.on.last.toordinal()
    if first == last:
        return first, last
    a, b = cal.next_ord(first), cal.prev_ord(last)
    return (a, b) if a <= b else (first, last)


_TASK, _MILESTONE, _MEETING, _EVENT = 0, 1, 2, 3
_KIND = {"task": _TASK, "milestone": _MILESTONE, "meeting": _MEETING, "event": _EVENT}
_Edge = tuple[int, int, "int | None"]


def _forward_edge(q: int, kind: int, dep: Dependency, duration: int) -> _Edge:
    """A dependency as (q, sub, add): the earliest date it allows the item is
    ``days[count[pt[q] - lo - sub] + add]`` over the item's calendar (``pt[q]`` itself when add
    is None), where pt[q] is the predecessor's early start (q even) or finish (q odd).

    With count[o - lo] the working days on or before o and days[k] the (k+1)-th working day,
    wd(o, n) is days[count[o - lo] - 1 + n] for n > 0 and days[count[o - lo - 1] + n] for n < 0.
    The rules in those terms: a task starts on wd(wd(f, lag), 1) after FS, on nxt(wd(s, lag))
    after SS and on wd(nxt(wd(f, lag)), 1 - duration) after FF; milestones and meetings take
    wd(x, lag), with x the start after SS and the finish otherwise.
    """
    lag = dep.lag
    if kind == _TASK:
        if dep.type == "FS":
            return (q, 0, lag) if lag >= 0 else (q, 1, lag + 1)
        shift = 0 if dep.type == "SS" else 1 - duration
        return (q, 0, lag - 1 + shift) if lag > 0 else (q, 1, lag + shift)
    if lag == 0:
        return (q, 0, None)
    return (q, 0, lag - 1) if lag > 0 else (q, 1, lag)


def _backward_edge(s: int, kind: int, dep: Dependency, pred: Item, papers_working: bool) -> tuple[int, int] | None:
    """A dependency seen from its predecessor, as (r, c): the latest date it allows is
    ``days[count[bk[r] - lo] + c]``, where bk[3s], bk[3s + 1] and bk[3s + 2] are the successor's
    latest start, latest finish and latest papers date. None where only `_Run.back_general`
    will do: into a fixed event, or papers that may be due on a non-working day.

    prv(o) has index count[o - lo] - 1, so wd(prv(o), n) is days[count[o - lo] - 1 + n]. FS asks
    to finish by wd(ls, -1 - lag) before a task (ls is a working day), wd(prv(ls), -lag) before a
    milestone and wd(papers, -lag) before a meeting; SS asks to start by wd(prv(ls), -lag) (a
    task then finishes duration - 1 working days on); FF asks to finish by wd(prv(lf), -lag).
    """
    lag = dep.lag
    if dep.type == "FS":
        if kind == _TASK:
            return (3 * s, -2 - lag)
        if kind == _MILESTONE:
            return (3 * s, -1 - lag)
        if kind == _MEETING and papers_working:
            return (3 * s + 2, -1 - lag)
        return None
    if dep.type == "SS":
        return (3 * s, pred.duration - 2 - lag) if pred.kind == "task" else (3 * s, -1 - lag)
    return (3 * s + 1, -1 - lag)


class _Graph:
    """A programme compiled for the passes: items in topological order, dependencies as edge
    constants, meeting indexes, and calendars that cover the programme's dates with room for
    its longest lag, duration and papers deadline. Built once per programme."""

    body: list[_Body | None]
    fast: list[bool]
    fwd: list[list[_Edge]]  # per item: its dependencies (FS only, for a meeting) as forward edges
    held_edges: list[list[_Edge]]  # per meeting item: its SS and FF dependencies
    back: list[list[tuple[int, int]] | None]  # per item: its successors' backward edges
    gback: dict[int, list[tuple[int, Dependency]]]  # backward edges `_Run.back_general` computes
    progress: list[int]
    attention: list[int]
    deadlines: list[int]

    __slots__ = (
        "attention",
        "back",
        "body",
        "cals",
        "deadlines",
        "dl",
        "fast",
        "fwd",
        "gback",
        "held_edges",
        "index",
        "items",
        "keys",
        "kind",
        "margin",
        "nm2",
        "ok",
        "progress",
        "reference",
        "span",
        "starts",
        "timelines",
        "tl",
    )

    def __init__(self, programme: Programme, reference: bool = False):
        self.reference = reference
        self.keys = keys = topological_order(programme)
        self.index = index = {k: i for i, k in enumerate(keys)}
        self.items = items = [programme.items[k] for k in keys]
        self.timelines = timelines = programme.timelines
        tix = {t.id: j for j, t in enumerate(timelines)}
        self.cals = cals = [calendar_for(t.holidays, t.closures, t.start) for t in timelines]
        self.starts = starts = [t.start.toordinal() for t in timelines]
        n = len(keys)
        self.kind = kind = [_KIND[it.kind] for it in items]
        self.tl = tl = [tix[it.timeline] for it in items]
        self.nm2 = [it.duration - 2 for it in items]
        self.dl = [it.deadline.last.toordinal() if it.deadline else None for it in items]
        body: list[_Body | None] = [None] * n
        fast = [False] * n
        fwd: list[list[_Edge]] = [[]] * n  # one shared empty list for items with no dependencies
        held_edges: list[list[_Edge]] = [[]] * n
        back: list[list[tuple[int, int]] | None] = [None] * n
        gback: dict[int, list[tuple[int, Dependency]]] = {}
        progress: list[int] = []
        attention: list[int] = []  # items on a date or at a body not yet confirmed
        deadlines: list[int] = []
        self.body, self.fast, self.fwd, self.held_edges, self.back, self.gback = (
            body,
            fast,
            fwd,
            held_edges,
            back,
            gback,
        )
        self.progress, self.attention, self.deadlines = progress, attention, deadlines
        bodies: dict[tuple[int, str], _Body] = {}
        dates = [*starts, *(t.as_of.toordinal() for t in timelines if t.as_of)]
        margin = 0
        one_calendar = len(set(cals)) == 1
        for i, it in enumerate(items):
            t = tl[i]
            b = None
            if it.at is not None:
                b = bodies.get((t, it.at))
                if b is None:
                    b = bodies[(t, it.at)] = _body_index(timelines[t].bodies[it.at], cals[t], timelines[t].path)
                    if b.held:  # papers out of meeting order can come first
                        dates += (min(b.papers), max(b.held))
                    margin = max(margin, b.papers_due)
                body[i] = b
                if b.tbc:
                    attention.append(i)
            elif it.on is not None:
                dates += (it.on.first.toordinal(), it.on.last.toordinal())
                if it.on.tbc:
                    attention.append(i)
            if it.deadline is not None:
                deadlines.append(i)
                dates.append(it.deadline.last.toordinal())
            k = kind[i]
            if it.done or it.started or it.forecast or it.remaining is not None:
                progress.append(i)
                dates += (d.toordinal() for d in (it.done, it.started, it.forecast) if d)
            elif not reference and k != _EVENT and (b is None or b.monotone):
                fast[i] = True
            if not it.after:
                continue
            fe: list[_Edge] = []
            he: list[_Edge] = [] if k == _MEETING else held_edges[i]  # only meetings get SS/FF here
            fwd[i], held_edges[i] = fe, he
            for d in it.after:
                p = index[d.pred]
                if d.lag > margin or -d.lag > margin:
                    margin = abs(d.lag)
                (he if k == _MEETING and d.type != "FS" else fe).append(
                    _forward_edge(2 * p + (d.type != "SS"), k, d, it.duration)
                )
                be = None
                if not reference and (one_calendar or cals[tl[p]] is cals[t]):
                    be = _backward_edge(i, k, d, items[p], b is None or b.working)
                if be is None:
                    gback.setdefault(p, []).append((i, d))
                elif (edges := back[p]) is None:
                    back[p] = [be]
                else:
                    edges.append(be)
        # three times the largest lag, duration or papers deadline, plus a fortnight: more than
        # any one edge's offset, so the passes' arithmetic stays inside the calendars' arrays
        self.margin = 3 * max(margin, max((it.duration for it in items), default=0)) + 10
        self.span = (min(dates), max(dates))
        self.ok = not reference and self.cover(*self.span)

    def cover(self, first: int, last: int) -> bool:
        """Make every calendar cover first..last with the margin the fast arithmetic needs."""
        return all([cal.reserve(first, last, self.margin) for cal in set(self.cals)])

    def widen(self) -> bool:
        """Grow the calendars after a pass ran past them; False when they cannot grow."""
        grew = False
        for cal in set(self.cals):
            lo, count, _ = cal.arrays()
            size = len(count)
            cal.reserve(lo, lo + 2 * size, self.margin)
            grew = grew or len(cal.arrays()[1]) > size
        return grew


def prepare(programme: Programme) -> Programme:
    """Compile a programme for scheduling (`load` does this; `schedule` does it when needed)."""
    _graph(programme)
    return programme


def _graph(programme: Programme) -> _Graph:
    g = programme.memo.get("graph")
    if g is None:
        g = programme.memo["graph"] = _Graph(programme)
    return g


class _Bail(Exception):
    """The fast path cannot place this item: `_Run.general` will, or will say why not."""


class _StepByStep(Exception):
    """A date came within a margin of 1900, where the fast arithmetic is not guaranteed to stay
    inside the calendars' arrays: schedule the whole programme by the rules step by step."""


class _Run:
    """One `schedule` call: the passes' arrays, and each item's result read from them.

    pt[2i], pt[2i + 1]: early start and finish of item i; bk[3i], bk[3i + 1], bk[3i + 2]: latest
    start, finish and (meetings) papers date; drv[i]: 2 * index of the item that drove i's
    early date (plus one for its finish), or -1. Ordinals throughout; None where unschedulable."""

    __slots__ = (
        "asof",
        "bk",
        "bnd",
        "done",
        "drv",
        "failed",
        "g",
        "info",
        "items",
        "label",
        "lmj",
        "mj",
        "programme",
        "pt",
        "status",
        "warnings",
    )

    def __init__(self, g: _Graph, programme: Programme, as_of: date | None):
        self.g, self.programme, self.label = g, programme, programme.label
        self.status = [as_of or t.as_of for t in g.timelines]
        self.asof = [d.toordinal() if d else None for d in self.status]
        a = as_of.toordinal() if as_of else None
        if not g.reference and a is not None and not g.span[0] <= a <= g.span[1]:  # noqa: SIM102
            if not g.cover(min(g.span[0], a), max(g.span[1], a)):  # dates near 1900 or 2300
                raise _StepByStep
        self.items = self._as_known_on()
        self.done = {i for i in g.progress if self.items[i].done is not None}
        n = len(g.keys)
        self.pt: list[int | None] = [None] * (2 * n)
        self.bk: list[int | None] = [None] * (3 * n)
        self.drv = [-1] * n
        self.mj: list[int | None] = [None] * n  # meeting chosen, index into the body's meetings
        self.lmj: list[int | None] = [None] * n  # latest meeting that still meets the deadlines
        self.bnd: list[int | None] = [None] * n  # meetings: latest date before snapping to a meeting
        self.info: dict[int, dict[str, object]] = {}  # what `general` found, for items it placed
        self.warnings: list[Warning] = []
        self.failed: list[int] = []

    def _as_known_on(self) -> list[Item]:
        """Progress dated after the status date is not yet known on it: re-running an older status
        date treats later `done`/`started` entries (and `remaining`, which is counted from the
        status date) as not yet reported."""
        items = self.g.items
        for i in self.g.progress:
            item = items[i]
            sd = self.status[self.g.tl[i]]
            if sd is None or not ((item.done and item.done > sd) or (item.started and item.started > sd)):
                continue
            if items is self.g.items:
                items = list(items)
            started_later = item.started is not None and item.started > sd
            items[i] = replace(
                item,
                done=None if item.done and item.done > sd else item.done,
                started=None if started_later else item.started,
                remaining=None if started_later or (item.done and item.done > sd) else item.remaining,
            )
        return items

    def out_of_range(self, i: int) -> InvalidTimeline:
        """The error for an item whose dates would leave the years the calendars cover."""
        item = self.items[i]
        path = self.g.timelines[self.g.tl[i]].path
        message = f"item '{item.id}': its dates would fall outside 1900-2300, the years govflow schedules"
        return InvalidTimeline(
            [Problem("out-of-range", f"{message}; check its lags and durations", path, item.line, item.id)]
        )

    # ---- forward pass ----------------------------------------------------------------------
    def forward(self) -> None:
        g = self.g
        kind, tl, fwd, held_edges, body, nm2, st, cals = (
            g.kind,
            g.tl,
            g.fwd,
            g.held_edges,
            g.body,
            g.nm2,
            g.starts,
            g.cals,
        )
        fast = g.fast  # all False in a step-by-step (reference) graph
        # None (unschedulable) in pt makes the fast arithmetic raise TypeError: `general` takes over
        pt = cast(list[int], self.pt)
        drv, mj = self.drv, self.mj
        # per timeline: the calendar's arrays, a task's earliest start, the start, and the status
        # date a milestone or meeting waits for (and the working day it then moves to)
        per_timeline = []
        for t, cal in enumerate(cals):
            a = self.asof[t]
            floor = max(cal.next_ord(st[t]), cal.next_ord(a) if a is not None else 0)
            per_timeline.append((*cal.arrays(), floor, st[t], a if a is not None else -1, cal.next_ord(a or st[t])))
        t = -1
        lo, count, days, floor, s0, wait_for, next_after = 0, [0], [0], 0, 0, -1, 0
        for i in range(len(kind)):
            if fast[i]:
                if tl[i] != t:
                    t = tl[i]
                    lo, count, days, floor, s0, wait_for, next_after = per_timeline[t]
                try:
                    k = kind[i]
                    if k == _TASK:
                        best, d = floor - 1, -1
                        for q, sub, add in fwd[i]:
                            b = days[count[pt[q] - lo - sub] + add]  # type: ignore[operator]  # never None for a task
                            if b > best:
                                best, d = b, q
                        if d < 0:
                            best = floor
                        pt[2 * i] = best
                        pt[2 * i + 1] = days[count[best - lo] + nm2[i]]
                    elif k == _MILESTONE:
                        best, d = s0 - 1, -1
                        for q, sub, add in fwd[i]:
                            b = pt[q] if add is None else days[count[pt[q] - lo - sub] + add]
                            if b > best:
                                best, d = b, q
                        if d < 0:
                            best = s0
                        if best < wait_for:
                            best, d = next_after, -1
                        pt[2 * i] = pt[2 * i + 1] = best
                    else:  # a meeting: the first whose papers the FS chain is ready for, held late enough
                        ready, rd = s0, -1
                        for q, sub, add in fwd[i]:
                            b = pt[q] if add is None else days[count[pt[q] - lo - sub] + add]
                            if b > ready:
                                ready, rd = b, q
                        hmin, hd = s0, -1
                        for q, sub, add in held_edges[i]:
                            b = pt[q] if add is None else days[count[pt[q] - lo - sub] + add]
                            if b > hmin:
                                hmin, hd = b, q
                        if wait_for > hmin:
                            hmin, hd = wait_for, -1
                        bo = body[i]
                        held, papers = bo.held, bo.papers  # type: ignore[union-attr]
                        j = max(bisect_left(held, hmin), bisect_left(papers, ready))
                        if j >= len(held):
                            raise _Bail
                        pt[2 * i] = pt[2 * i + 1] = held[j]
                        mj[i] = j
                        # the papers' chain drives, unless the held-date bound alone forces a later meeting
                        if rd < 0:
                            d = hd
                        elif hmin == s0:
                            d = rd
                        else:
                            later = max(bisect_left(held, hmin), bisect_left(papers, s0))
                            d = hd if later > max(bisect_left(held, s0), bisect_left(papers, ready)) else rd
                    drv[i] = d
                    continue
                except (TypeError, _Bail):  # TypeError: a predecessor could not be scheduled
                    pass
            self._place(i)

    def _place(self, i: int) -> None:
        try:
            es, ef, extra = self.general(i, self.warnings)
        except ValueError:  # a date past the years govflow schedules
            raise self.out_of_range(i) from None
        self.pt[2 * i], self.pt[2 * i + 1] = es, ef
        self.info[i] = extra
        driving = extra.get("driving")
        self.drv[i] = 2 * self.g.index[driving[0]] if driving else -1  # type: ignore[index]
        meeting = extra.get("meeting")
        self.mj[i] = meeting if isinstance(meeting, int) else None
        if ef is None:
            self.failed.append(i)

    def general(self, i: int, warnings: list[Warning] | None) -> tuple[int | None, int | None, dict[str, object]]:
        """Item i's early start and finish by the rules, step by step, from its predecessors'
        dates, with what set them (`why`, `driving`, meeting chosen, reason it cannot be placed).
        Warnings about the item go to `warnings` when given."""
        g, pt = self.g, self.pt
        item = self.items[i]
        key = g.keys[i]
        t = g.tl[i]
        cal = g.cals[t]
        wd, nxt = cal.wd_ord, cal.next_ord
        asof = self.asof[t]
        start = g.starts[t]
        label = self.label
        extra: dict[str, object] = {}
        deps = [(d, pt[2 * g.index[d.pred]], pt[2 * g.index[d.pred] + 1]) for d in item.after]
        blocked = [d.pred for d, _, pf in deps if pf is None]
        if blocked:
            if item.done is None:
                extra["reason"] = f"after {label(blocked[0])}, which cannot be scheduled"
                extra["why"] = "blocked"
                extra["driving"] = (blocked[0],)
                return None, None, extra
            deps = [dep for dep in deps if dep[2] is not None]  # done all the same
        kind = item.kind
        if kind == "event":
            first_day, held = _window_days(cal, item)
            if item.done is not None:
                extra["why"] = "done"
                return item.done.toordinal(), item.done.toordinal(), extra
            extra["why"] = "fixed"
            conflicts = [(d, pf) for d, pe, pf in deps if wd(pe if d.type == "SS" else pf, d.lag) > first_day]  # type: ignore[arg-type]
            if conflicts and warnings is not None:
                (p, pf), name = conflicts[0], label(key)
                warnings.append(
                    Warning(
                        name,
                        "conflict",
                        f"fixed event '{name}' on {item.on} comes before '{label(p.pred)}' can finish "
                        f"({date.fromordinal(pf or 0).isoformat()})",
                    )
                )
            return held, held, extra
        if kind == "meeting":
            return self._meeting(i, item, deps, extra)
        n = item.duration
        best = -1
        drivers: list[str] = []
        for d, pe, pf in deps:
            assert pe is not None and pf is not None
            if kind == "task":
                if d.type == "FS":
                    b = wd(wd(pf, d.lag), 1)
                elif d.type == "SS":
                    b = nxt(wd(pe, d.lag))
                else:
                    b = wd(nxt(wd(pf, d.lag)), -(n - 1))
            else:
                b = wd(pe if d.type == "SS" else pf, d.lag)
            if b > best:
                best, drivers = b, [d.pred]
            elif b == best:
                drivers.append(d.pred)
        why = "deps" if drivers else "start"
        if kind == "task":
            lo = nxt(start)
            if best < lo:
                best, drivers, why = lo, [], "start"
            if item.done is not None:
                f = item.done.toordinal()
                s = item.started.toordinal() if item.started else wd(nxt(f), -(n - 1)) if n > 1 else f
                extra["why"], extra["driving"] = "done", tuple(drivers)
                return s, f, extra
            if item.started is not None:
                s = item.started.toordinal()
                why, drivers = "started", []
                if item.remaining is not None and asof is not None:
                    f = wd(nxt(asof), item.remaining - 1) if item.remaining > 0 else asof
                    why = "remaining"
                else:
                    f = wd(nxt(s), n - 1)
                    if asof is not None and f < nxt(asof):
                        f, why = nxt(asof), "as_of"
            else:
                if asof is not None and best < nxt(asof):
                    best, drivers, why = nxt(asof), [], "as_of"
                s = nxt(best)
                f = wd(s, n - 1)
            if item.forecast is not None and nxt(item.forecast.toordinal()) > f:
                f, why, drivers = nxt(item.forecast.toordinal()), "forecast", []
        else:  # milestone
            if best < start:
                best, drivers, why = start, [], "start"
            if item.done is not None:
                extra["why"], extra["driving"] = "done", tuple(drivers)
                return item.done.toordinal(), item.done.toordinal(), extra
            if asof is not None and best < asof:  # held back to the status date, on a working day
                best, drivers, why = nxt(asof), [], "as_of"
            if item.forecast is not None and item.forecast.toordinal() > best:
                best, drivers, why = item.forecast.toordinal(), [], "forecast"
            s = f = best
        extra["why"], extra["driving"] = why, tuple(drivers)
        if item.forecast is not None and item.forecast.toordinal() < f and warnings is not None:
            name = label(key)
            warnings.append(
                Warning(
                    name,
                    "forecast-ignored",
                    f"forecast {item.forecast} for '{name}' is earlier than its computed finish "
                    f"{date.fromordinal(f).isoformat()}; a forecast can only push a finish later",
                )
            )
        return s, f, extra

    def _meeting(
        self, i: int, item: Item, deps: list[tuple[Dependency, int | None, int | None]], extra: dict[str, object]
    ) -> tuple[int | None, int | None, dict[str, object]]:
        """Place a meeting item at the first meeting its papers and other bounds allow."""
        g = self.g
        t = g.tl[i]
        wd = g.cals[t].wd_ord
        body = g.body[i]
        assert body is not None
        start, asof = g.starts[t], self.asof[t]
        ready, ready_by = start, []
        held_min, held_by = start, []
        held_why = "start"
        for d, pe, pf in deps:
            assert pe is not None and pf is not None
            if d.type == "FS":
                b = wd(pf, d.lag)
                if b > ready:
                    ready, ready_by = b, [d.pred]
                elif b == ready and ready_by:
                    ready_by.append(d.pred)
            else:
                b = wd(pe if d.type == "SS" else pf, d.lag)
                if b > held_min:
                    held_min, held_by, held_why = b, [d.pred], "deps"
                elif b == held_min and held_by:
                    held_by.append(d.pred)
        extra["ready"] = ready
        if item.done is not None:
            done = item.done.toordinal()
            extra["why"], extra["driving"] = "done", tuple(ready_by or held_by)
            j = body.last_by(done)
            if j is not None and body.held[j] == done:
                extra["meeting"] = j
            return done, done, extra
        if asof is not None and asof > held_min:
            held_min, held_by, held_why = asof, [], "as_of"
        if item.forecast is not None and item.forecast.toordinal() > held_min:
            held_min, held_by, held_why = item.forecast.toordinal(), [], "forecast"
        j = body.first_from(ready, held_min)
        if j is None:
            defn = self.programme.body(item)
            last = body.meetings[-1].when if body.meetings else None
            extra["why"] = "no-meeting"
            extra["driving"] = tuple(ready_by)
            extra["reason"] = (
                f"no meeting of {defn.name} ('{defn.id}') is late enough: papers ready "
                f"{date.fromordinal(ready)}, meetings from {date.fromordinal(held_min)}; the last "
                f"meeting is {last} (papers due {date.fromordinal(body.papers[-1]) if body.papers else '-'})"
            )
            return None, None, extra
        extra["meeting"] = j
        # the driver is the papers' chain, unless the date bound alone forces a later meeting
        j_ready = body.first_from(ready, start)
        j_held = body.first_from(start, held_min)
        if (j_held is not None and (j_ready is None or j_held > j_ready)) or not ready_by:
            extra["why"], extra["driving"] = held_why, tuple(held_by)
        else:
            extra["why"], extra["driving"] = "deps", tuple(ready_by)
        return body.held[j], body.held[j], extra

    # ---- backward pass ---------------------------------------------------------------------
    def backward(self) -> None:
        g = self.g
        kind, tl, back, gback, body, dl, cals, nm2 = g.kind, g.tl, g.back, g.gback, g.body, g.dl, g.cals, g.nm2
        bk, bnd, lmj, done, asof = self.bk, self.bnd, self.lmj, self.done, self.asof
        margin, fast = g.margin, not g.reference
        # Invariant of the fast arithmetic: every date stored in bk is at least `safe`, `margin`
        # working days into the calendar, so no edge's offset can index before its start.
        t, cur = -1, cals[0]
        lo, count, days, safe = 0, [0], [0], 0
        for i in range(len(kind) - 1, -1, -1):
            if tl[i] != t:
                t = tl[i]
                cur = cals[t]
                lo, count, days = cur.arrays()
                safe = days[margin] if fast else 0
            bound = dl[i]
            edges = back[i]
            if edges is not None:
                for r, c in edges:
                    v = bk[r]
                    if v is None:
                        continue
                    req = days[count[v - lo] + c]
                    if bound is None or req < bound:
                        bound = req
            if i in gback:
                for s, d in gback[i]:
                    if bk[3 * s] is None:
                        continue
                    try:
                        req = self.back_general(i, s, d)
                    except ValueError:
                        raise self.out_of_range(i) from None
                    if bound is None or req < bound:
                        bound = req
            if bound is None:
                continue
            if not fast:
                try:
                    self.back_item(i, bound)
                except ValueError:
                    raise self.out_of_range(i) from None
                continue
            if bound < safe:
                lo, count, days, safe = self._room(cur, bound)
            k = kind[i]
            if k == _TASK:
                c = count[bound - lo]
                bk[3 * i + 1] = days[c - 1]
                late = bk[3 * i] = days[c - 2 - nm2[i]]  # duration - 1 working days before the finish
            elif k == _MEETING:
                bo = body[i]
                assert bo is not None
                bnd[i] = bound
                j = bisect_right(bo.held, bound) - 1
                sd = asof[t]
                if j >= 0 and sd is not None and bo.held[j] < sd and i not in done:
                    j = -1  # that meeting has passed: only a new meeting could still make the deadline
                if j < 0:  # no meeting early enough: a meeting would be needed by `bound`
                    late = bk[3 * i + 2] = days[count[bound - lo] - 1 - bo.papers_due]
                    bk[3 * i] = bk[3 * i + 1] = bound
                else:
                    lmj[i] = j
                    late = bk[3 * i + 2] = bo.papers[j]
                    bk[3 * i] = bk[3 * i + 1] = bo.held[j]
            else:
                late = bk[3 * i] = bk[3 * i + 1] = bound
            if late < safe:  # papers or a start well before the bound: keep the invariant
                lo, count, days, safe = self._room(cur, late)

    def _room(self, cal: WorkCalendar, o: int) -> tuple[int, list[int], list[int], int]:
        """Grow a calendar so that `margin` working days precede ordinal o; its arrays and new
        `safe`. Raises _StepByStep when 1900 is too close."""
        if not cal.reserve(o, o, self.g.margin):
            raise _StepByStep
        lo, count, days = cal.arrays()
        return lo, count, days, days[self.g.margin]

    def back_item(self, i: int, bound: int) -> None:
        """Item i's latest dates from the latest date its deadline and successors allow, by the
        rules step by step (the reference for the arithmetic in `backward`)."""
        g, bk = self.g, self.bk
        item = self.items[i]
        cal = g.cals[g.tl[i]]
        wd, prv = cal.wd_ord, cal.prev_ord
        if item.kind == "task":
            f = prv(bound)
            bk[3 * i + 1], bk[3 * i] = f, wd(f, -(item.duration - 1))
        elif item.kind == "meeting":
            bi = g.body[i]
            assert bi is not None
            self.bnd[i] = bound
            j = bi.last_by(bound)
            sd = self.status[g.tl[i]]
            if j is not None and item.done is None and sd is not None and bi.held[j] < sd.toordinal():
                j = None  # that meeting has passed: only a new meeting could still make the deadline
            if j is None:  # no meeting early enough: a meeting would be needed by `bound`
                bk[3 * i + 2] = wd(prv(bound), -bi.papers_due)
                bk[3 * i] = bk[3 * i + 1] = bound
            else:
                self.lmj[i] = j
                bk[3 * i + 2] = bi.papers[j]
                bk[3 * i] = bk[3 * i + 1] = bi.held[j]
        else:
            bk[3 * i] = bk[3 * i + 1] = bound

    def back_general(self, p: int, s: int, d: Dependency) -> int:
        """The latest date successor s lets p reach (its finish, or its start after SS), by the
        rules step by step (the reference for `_backward_edge`)."""
        g, bk = self.g, self.bk
        item, s_item = self.items[p], self.items[s]
        cal, scal = g.cals[g.tl[p]], g.cals[g.tl[s]]
        s_ls = bk[3 * s]
        assert s_ls is not None
        if d.type == "FS":
            if s_item.kind == "task":
                return scal.wd_ord(s_ls, -1 - d.lag)
            if s_item.kind == "meeting":
                return scal.wd_ord(bk[3 * s + 2], -d.lag)  # type: ignore[arg-type]
            if s_item.kind == "event":
                first_day = _window_days(scal, s_item)[0]
                return scal.wd_ord(scal.prev_ord(min(first_day, s_ls)), -d.lag)
            return scal.wd_ord(scal.prev_ord(s_ls), -d.lag)
        if d.type == "SS":
            late_start = scal.wd_ord(scal.prev_ord(s_ls), -d.lag)
            return cal.wd_ord(cal.prev_ord(late_start), item.duration - 1) if item.kind == "task" else late_start
        return scal.wd_ord(scal.prev_ord(bk[3 * s + 1]), -d.lag)  # type: ignore[arg-type]

    # ---- results ---------------------------------------------------------------------------
    def build(self, i: int, fromord: Callable[[int], date]) -> ItemSchedule:
        """Item i's schedule as users see it."""
        g, pt, bk = self.g, self.pt, self.bk
        item = self.items[i]
        extra = self.info.get(i)
        if extra is None:
            extra = self.general(i, None)[2]
        fin, lfin, s_, l_ = pt[2 * i + 1], bk[3 * i + 1], pt[2 * i], bk[3 * i]
        t = g.tl[i]
        flt = g.cals[t].between_ord(fin, lfin) if fin is not None and lfin is not None else None
        sd = self.asof[t]
        if fin is None:
            status = "unschedulable"
        elif item.done is not None or (item.kind == "event" and sd is not None and fin < sd):
            status = "done"
        elif item.started is not None:
            status = "in-progress"
        else:
            status = "not-started"
        meeting: dict[str, object] = {}  # the fields of meeting items and of items that cannot be placed
        if item.at is not None or "reason" in extra:
            bo = g.body[i]
            mj, lj = self.mj[i], self.lmj[i]
            lp, bound, ready = bk[3 * i + 2], self.bnd[i], extra.get("ready")
            meeting = {
                "papers_due": fromord(bo.papers[mj]) if bo is not None and mj is not None else None,
                "ready": None if ready is None else fromord(ready),  # type: ignore[arg-type]
                "meeting": bo.meetings[mj] if bo is not None and mj is not None else None,
                "late_meeting": bo.meetings[lj] if bo is not None and lj is not None else None,
                "late_papers_due": None if lp is None else fromord(lp),
                "bound": None if bound is None else fromord(bound),
                "reason": str(extra.get("reason", "")),
            }
        return ItemSchedule(
            g.keys[i],
            item.kind,
            status,
            None if s_ is None else fromord(s_),
            None if fin is None else fromord(fin),
            None if l_ is None else fromord(l_),
            None if lfin is None else fromord(lfin),
            flt,
            flt is not None and flt <= 0 and status != "done",
            extra.get("driving", ()),  # type: ignore[arg-type]
            extra.get("why", ""),  # type: ignore[arg-type]
            **meeting,  # type: ignore[arg-type]
        )

    def trace(self, i: int) -> tuple[str, ...]:
        """The driving path into item i: each step the dependency that set the date. A driver
        is always a predecessor, earlier in topological order, so the walk ends."""
        keys, drv, path = self.g.keys, self.drv, []
        while i >= 0:
            path.append(keys[i])
            i = drv[i] >> 1  # -1 >> 1 is -1: no driver
        path.reverse()
        return tuple(path)


def _margin(cal: WorkCalendar, forecast: int | None, due: int) -> int | None:
    """Working days to spare (negative: late). A late forecast on a non-working day counts from
    the next working day, so a missed deadline is never shown with a margin of 0."""
    if forecast is None:
        return None
    return cal.between_ord(forecast if forecast <= due else cal.next_ord(forecast), due)


def _run(programme: Programme, as_of: date | None, reference: bool) -> _Run:
    g = _Graph(programme, reference=True) if reference else _graph(programme)
    if not g.ok:  # the calendars cannot give the fast arithmetic its margin (dates near 1900 or 2300)
        g = _Graph(programme, reference=True)
    while True:
        try:
            run = _Run(g, programme, as_of)
            run.forward()
            run.backward()
            return run
        except IndexError:  # a pass ran past the calendars' last day: grow them, else step by step
            if g.reference:
                raise
            if not g.widen():
                g = _Graph(programme, reference=True)
        except _StepByStep:
            g = _Graph(programme, reference=True)


@gc_paused
def schedule(programme: Programme, as_of: date | None = None, *, reference: bool = False) -> Schedule:
    """Earliest and latest dates, float and driving paths of every item of a programme.

    `as_of` overrides the status date of every timeline (else each uses its own `as_of`).
    `reference=True` places every item by the rules step by step instead of the compiled fast
    path; the results are the same, only slower (the tests hold the fast path to it).
    Raises `InvalidTimeline` (error code out-of-range) when an item's dates would fall outside
    1900-2300.
    """
    if as_of is not None and not date(1900, 1, 1) <= as_of <= date(2300, 12, 31):
        raise ValueError(f"as_of {as_of} is outside the years govflow schedules (1900-2300)")
    run = _run(programme, as_of, reference)
    g, pt, label = run.g, run.pt, run.label
    days_seen: dict[int, date] = {}

    def fromord(o: int) -> date:  # a programme has a few thousand distinct days, not 100k
        d = days_seen.get(o)
        if d is None:
            d = days_seen[o] = date.fromordinal(o)
        return d

    results = _Results(g.keys, lambda key: run.build(g.index[key], fromord))
    warnings = run.warnings
    deadlines = []
    for i in g.deadlines:
        item = run.items[i]
        assert item.deadline is not None
        due, fin = item.deadline.last, pt[2 * i + 1]
        deadlines.append(
            DeadlineResult(
                g.keys[i],
                due,
                None if fin is None else fromord(fin),
                _margin(g.cals[g.tl[i]], fin, due.toordinal()),
                fin is not None and fin <= due.toordinal(),
                run.trace(i),
            )
        )
        if fin is None:
            name = label(g.keys[i])
            warnings.append(Warning(name, "unschedulable", f"'{name}' cannot be scheduled: {run.info[i]['reason']}"))
    for i in sorted({*g.attention, *run.failed}):  # only items with something to say
        item, key = run.items[i], g.keys[i]
        extra = run.info.get(i, {})
        if pt[2 * i + 1] is None and extra.get("why") != "blocked" and g.dl[i] is None:  # deadlines: above
            warnings.append(
                Warning(label(key), "unschedulable", f"'{label(key)}' cannot be scheduled: {extra['reason']}")
            )
        mj, bo = run.mj[i], g.body[i]
        if mj is not None and bo is not None and bo.meetings[mj].when.tbc:
            r = results[key]
            m = bo.meetings[mj]
            warnings.append(
                Warning(
                    label(key),
                    "tbc",
                    f"'{label(key)}' is planned at a {run.programme.body(item).name} meeting not yet confirmed "
                    f"({m.when.text or m.when}); planned as held {r.early_finish}, papers due {r.papers_due}",
                )
            )
        if item.on is not None and item.on.tbc:
            warnings.append(
                Warning(
                    label(key),
                    "tbc",
                    f"'{label(key)}' is on a date not yet confirmed ({item.on.text}); "
                    f"planned as {results[key].early_finish}",
                )
            )
    deadlines.sort(key=lambda d: (d.deadline, d.key))
    status_dates = {d for d in run.status if d}
    return Schedule(
        programme,
        as_of or (max(status_dates) if status_dates else None),
        results,
        tuple(deadlines),
        tuple(warnings),
        {t.id: g.cals[j] for j, t in enumerate(g.timelines)},
        as_of,
    )
