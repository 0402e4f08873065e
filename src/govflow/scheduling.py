"""The scheduling engine: forward and backward passes over working days and meeting dates.

A pure function of the programme and the status date: no clock, no files. Dates are handled
as proleptic ordinals inside the passes (working-day arithmetic is an array lookup) and
turned back into `datetime.date` in the result.

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

from .calendars import WorkCalendar, gc_paused
from .loading import topological_order
from .model import Body, Dependency, Item, Meeting, Programme

__all__ = ["DeadlineResult", "ItemSchedule", "Schedule", "Warning", "calendar_for", "schedule"]

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
        """The working-day calendar of an item's timeline."""
        return self.calendars[key.split(":", 1)[0]]

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
    """A body's meetings as sorted ordinal arrays for fast lookup."""

    __slots__ = ("held", "meetings", "monotone", "papers")

    def __init__(self, body: Body, cal: WorkCalendar):
        self.meetings = body.meetings
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
        self.monotone = all(a <= b for a, b in zip(self.papers, self.papers[1:], strict=False))

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


def _body_index(body: Body, cal: WorkCalendar) -> _Body:
    """A body's meeting arrays, cached by identity of its meetings: what-if runs re-use the same
    bodies, and bodies with the same recurrence share one tuple of meetings."""
    key = (id(body.meetings), body.papers_due, id(cal))
    hit = _BODY_INDEX.get(key)
    if hit is not None and hit[0] is body.meetings:
        return hit[1]
    if len(_BODY_INDEX) > 50_000:
        _BODY_INDEX.clear()
    index = _Body(body, cal)
    _BODY_INDEX[key] = (body.meetings, index)
    return index


def _as_known_on(items: Mapping[str, Item], status_date: Mapping[str, date | None]) -> Mapping[str, Item]:
    """Progress dated after the status date is not yet known on it: re-running an older status
    date treats later `done`/`started` entries (and `remaining`, which is counted from the
    status date) as not yet reported."""
    later: dict[str, Item] = {}
    for key, item in items.items():
        sd = status_date[item.timeline]
        if sd is None or not ((item.done and item.done > sd) or (item.started and item.started > sd)):
            continue
        started_later = item.started is not None and item.started > sd
        later[key] = replace(
            item,
            done=None if item.done and item.done > sd else item.done,
            started=None if started_later else item.started,
            remaining=None if started_later or (item.done and item.done > sd) else item.remaining,
        )
    return {**items, **later} if later else items


def _before(o: int, d: date | None) -> bool:
    return d is not None and o < d.toordinal()


def _window_days(cal: WorkCalendar, item: Item) -> tuple[int, int]:
    """(first working day, last working day) of an `on` window; exact dates as given."""
    assert item.on is not None
    first, last = item.on.first.toordinal(), item.on.last.toordinal()
    if first == last:
        return first, last
    a, b = cal.next_ord(first), cal.prev_ord(last)
    return (a, b) if a <= b else (first, last)


@gc_paused
def schedule(programme: Programme, as_of: date | None = None) -> Schedule:
    """Earliest and latest dates, float and driving paths of every item of a programme.

    `as_of` overrides the status date of every timeline (else each uses its own `as_of`).
    """
    order = topological_order(programme)
    items = programme.items
    succs: dict[str, list[tuple[str, Dependency]]] = {}
    for k in order:
        for d in items[k].after:
            if d.pred in succs:
                succs[d.pred].append((k, d))
            else:
                succs[d.pred] = [(k, d)]
    cals: dict[str, WorkCalendar] = {}
    bodies: dict[tuple[str, str | None], _Body] = {}
    by_id = {t.id: t for t in programme.timelines}
    for t in programme.timelines:
        cals[t.id] = calendar_for(t.holidays, t.closures, t.start)
    for item in items.values():  # only the bodies items meet at: what-if runs schedule small subsets
        if item.at is not None and (item.timeline, item.at) not in bodies:
            body = by_id[item.timeline].bodies[item.at]
            bodies[(item.timeline, item.at)] = _body_index(body, cals[item.timeline])
    status_date = {t.id: as_of or t.as_of for t in programme.timelines}
    starts = {t.id: t.start.toordinal() for t in programme.timelines}
    items = _as_known_on(items, status_date)

    es: dict[str, int | None] = {}
    ef: dict[str, int | None] = {}
    info: dict[str, dict[str, object]] = {}
    warnings: list[Warning] = []
    label = programme.label

    unscheduled = False  # has any item failed to schedule yet? (then successors check their preds)
    # ---- forward pass --------------------------------------------------------------------
    for key in order:
        item = items[key]
        cal = cals[item.timeline]
        wd, nxt = cal.wd_ord, cal.next_ord
        sd = status_date[item.timeline]
        asof = sd.toordinal() if sd else None
        extra: dict[str, object] = {}
        info[key] = extra
        blocked = [d.pred for d in item.after if ef[d.pred] is None] if unscheduled else None
        if blocked and item.done is None:
            es[key] = ef[key] = None
            extra["reason"] = f"after {label(blocked[0])}, which cannot be scheduled"
            extra["why"] = "blocked"
            extra["driving"] = (blocked[0],)
            unscheduled = True
            continue
        kind = item.kind
        # what each dependency asks: (start bound, finish bound, papers-ready bound)
        best = -1
        drivers: list[str] = []
        conflicts: list[str] = []
        if kind == "event":
            first_day, held = _window_days(cal, item)
            for d in item.after:
                asked = wd(ef[d.pred] if d.type != "SS" else es[d.pred], d.lag)  # type: ignore[arg-type]
                if asked > first_day:
                    conflicts.append(d.pred)
            es[key] = ef[key] = held
            extra["why"] = "fixed"
            if conflicts and item.done is None:
                p = conflicts[0]
                warnings.append(
                    Warning(
                        label(key),
                        "conflict",
                        f"fixed event '{label(key)}' on {item.on} comes before '{label(p)}' can finish "
                        f"({date.fromordinal(ef[p] or 0).isoformat()})",
                    )
                )
            if item.done is not None:
                es[key] = ef[key] = item.done.toordinal()
                extra["why"] = "done"
            continue
        if kind == "meeting":
            _meeting(
                item,
                key,
                cal,
                bodies[(item.timeline, str(item.at))],
                programme,
                es,
                ef,
                starts[item.timeline],
                asof,
                extra,
            )
            unscheduled = unscheduled or ef[key] is None
            continue
        n = item.duration
        for d in item.after:
            pe, pf = es[d.pred], ef[d.pred]
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
        start = starts[item.timeline]
        why = "deps" if drivers else "start"
        if kind == "task":
            lo = nxt(start)
            if best < lo:
                best, drivers, why = lo, [], "start"
            if item.done is not None:
                f = item.done.toordinal()
                s = item.started.toordinal() if item.started else wd(nxt(f), -(n - 1)) if n > 1 else f
                es[key], ef[key] = s, f
                extra["why"] = "done"
                extra["driving"] = tuple(drivers)
                continue
            if item.started is not None:
                s = item.started.toordinal()
                why = "started"
                drivers = []
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
            es[key], ef[key] = s, f
        else:  # milestone
            if best < start:
                best, drivers, why = start, [], "start"
            if item.done is not None:
                es[key] = ef[key] = item.done.toordinal()
                extra["why"] = "done"
                extra["driving"] = tuple(drivers)
                continue
            if asof is not None and best < asof:  # held back to the status date, on a working day
                best, drivers, why = nxt(asof), [], "as_of"
            if item.forecast is not None and item.forecast.toordinal() > best:
                best, drivers, why = item.forecast.toordinal(), [], "forecast"
            es[key] = ef[key] = best
        extra["why"] = why
        extra["driving"] = tuple(drivers)
        if item.forecast is not None and item.forecast.toordinal() < (ef[key] or 0) and item.done is None:
            warnings.append(
                Warning(
                    label(key),
                    "forecast-ignored",
                    f"forecast {item.forecast} for '{label(key)}' is earlier than its computed finish "
                    f"{date.fromordinal(ef[key] or 0).isoformat()}; a forecast can only push a finish later",
                )
            )

    # ---- backward pass -------------------------------------------------------------------
    ls: dict[str, int | None] = {}
    lf: dict[str, int | None] = {}
    for key in reversed(order):
        item = items[key]
        cal = cals[item.timeline]
        wd, prv = cal.wd_ord, cal.prev_ord
        bound = item.deadline.last.toordinal() if item.deadline else None
        for succ, d in succs.get(key, ()):
            s_ls = ls[succ]
            if s_ls is None:
                continue
            s_item = items[succ]
            scal = cals[s_item.timeline]
            if d.type == "FS":
                if s_item.kind == "task":
                    req = scal.wd_ord(s_ls, -1 - d.lag)
                elif s_item.kind == "meeting":
                    req = scal.wd_ord(info[succ]["late_papers"], -d.lag)  # type: ignore[arg-type]
                elif s_item.kind == "event":
                    first_day = _window_days(scal, s_item)[0]
                    req = scal.wd_ord(scal.prev_ord(min(first_day, s_ls)), -d.lag)
                else:
                    req = scal.wd_ord(scal.prev_ord(s_ls), -d.lag)
            elif d.type == "SS":
                late_start = scal.wd_ord(scal.prev_ord(s_ls), -d.lag)
                req = cal.wd_ord(prv(late_start), item.duration - 1) if item.kind == "task" else late_start
            else:
                req = scal.wd_ord(scal.prev_ord(lf[succ]), -d.lag)  # type: ignore[arg-type]
            if bound is None or req < bound:
                bound = req
        if bound is None:
            ls[key] = lf[key] = None
            continue
        if item.kind == "task":
            f = prv(bound)
            lf[key], ls[key] = f, wd(f, -(item.duration - 1))
        elif item.kind == "meeting":
            bi = bodies[(item.timeline, str(item.at))]
            extra = info[key]
            extra["bound"] = bound
            j = bi.last_by(bound)
            sd = status_date[item.timeline]
            if j is not None and item.done is None and sd is not None and bi.held[j] < sd.toordinal():
                j = None  # that meeting has passed: only a new meeting could still make the deadline
            if j is None:  # no meeting early enough: a meeting would be needed by `bound`
                extra["late_papers"] = wd(prv(bound), -programme.body(item).papers_due)
                lf[key] = ls[key] = bound
            else:
                extra["late_meeting"] = j
                extra["late_papers"] = bi.papers[j]
                lf[key] = ls[key] = bi.held[j]
        else:
            lf[key] = ls[key] = bound

    # ---- results -------------------------------------------------------------------------
    days_seen: dict[int, date] = {}

    def fromord(o: int) -> date:  # a programme has a few thousand distinct days, not 100k
        d = days_seen.get(o)
        if d is None:
            d = days_seen[o] = date.fromordinal(o)
        return d

    def day(o: int | None) -> date | None:
        return None if o is None else fromord(o)

    def build(key: str) -> ItemSchedule:
        item = items[key]
        extra = info[key]
        fin, lfin, s_, l_ = ef[key], lf[key], es[key], ls[key]
        flt = cals[item.timeline].between_ord(fin, lfin) if fin is not None and lfin is not None else None
        if fin is None:
            status = "unschedulable"
        elif item.done is not None or (item.kind == "event" and _before(fin, status_date[item.timeline])):
            status = "done"
        elif item.started is not None:
            status = "in-progress"
        else:
            status = "not-started"
        r = ItemSchedule(
            key,
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
        )
        if item.at is not None or "reason" in extra:
            bo = bodies.get((item.timeline, item.at)) if item.at else None
            mj, lj = extra.get("meeting"), extra.get("late_meeting")
            r = replace(
                r,
                papers_due=day(bo.papers[mj]) if bo is not None and isinstance(mj, int) else None,
                ready=day(extra.get("ready")),  # type: ignore[arg-type]
                meeting=bo.meetings[mj] if bo is not None and isinstance(mj, int) else None,
                late_meeting=bo.meetings[lj] if bo is not None and isinstance(lj, int) else None,
                late_papers_due=day(extra.get("late_papers")),  # type: ignore[arg-type]
                bound=day(extra.get("bound")),  # type: ignore[arg-type]
                reason=str(extra.get("reason", "")),
            )
        return r

    results = _Results(order, build)
    deadlines = []
    for key in order:
        item = items[key]
        if item.deadline is None:
            continue
        r = results[key]
        due = item.deadline.last
        cal = cals[item.timeline]
        margin = cal.between(r.early_finish, due) if r.early_finish else None
        deadlines.append(
            DeadlineResult(
                key,
                due,
                r.early_finish,
                margin,
                r.early_finish is not None and r.early_finish <= due,
                _trace(info, key),
            )
        )
        if r.status == "unschedulable":
            warnings.append(Warning(label(key), "unschedulable", f"'{label(key)}' cannot be scheduled: {r.reason}"))
    tbc_bodies = {k for k, b in bodies.items() if any(m.when.tbc for m in b.meetings)}
    attention = {
        k
        for k, it in items.items()
        if (it.on is not None and it.on.tbc) or (it.at is not None and (it.timeline, it.at) in tbc_bodies)
    }
    for key in order:  # only items with something to say are looked at here
        if ef[key] is not None and key not in attention:
            continue
        extra, item = info[key], items[key]
        if ef[key] is None and extra.get("why") != "blocked":
            r = results[key]
            warnings.append(Warning(label(key), "unschedulable", f"'{label(key)}' cannot be scheduled: {r.reason}"))
        mj = extra.get("meeting")
        if isinstance(mj, int) and bodies[(item.timeline, item.at)].meetings[mj].when.tbc:
            r = results[key]
            m = bodies[(item.timeline, item.at)].meetings[mj]
            warnings.append(
                Warning(
                    label(key),
                    "tbc",
                    f"'{label(key)}' is planned at a {programme.body(item).name} meeting not yet confirmed "
                    f"({m.when.text or m.when}); planned as held {r.early_finish}, papers due {r.papers_due}",
                )
            )
        on = item.on
        if on is not None and on.tbc:
            warnings.append(
                Warning(
                    label(key),
                    "tbc",
                    f"'{label(key)}' is on a date not yet confirmed ({on.text}); "
                    f"planned as {results[key].early_finish}",
                )
            )
    deadlines.sort(key=lambda d: (d.deadline, d.key))
    status_dates = {d for d in status_date.values() if d}
    return Schedule(
        programme,
        as_of or (max(status_dates) if status_dates else None),
        results,
        tuple(deadlines),
        tuple(warnings),
        cals,
        as_of,
    )


def _meeting(
    item: Item,
    key: str,
    cal: WorkCalendar,
    body: _Body,
    programme: Programme,
    es: dict[str, int | None],
    ef: dict[str, int | None],
    start: int,
    asof: int | None,
    extra: dict[str, object],
) -> None:
    """Place a meeting item at the first meeting its papers and other bounds allow."""
    wd = cal.wd_ord
    ready, ready_by = start, []
    held_min, held_by = start, []
    held_why = "start"
    for d in item.after:
        pe, pf = es[d.pred], ef[d.pred]
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
        es[key] = ef[key] = item.done.toordinal()
        extra["why"], extra["driving"] = "done", tuple(ready_by or held_by)
        j = body.last_by(item.done.toordinal())
        if j is not None and body.held[j] == item.done.toordinal():
            extra["meeting"] = j
        return
    if asof is not None and asof > held_min:
        held_min, held_by, held_why = asof, [], "as_of"
    if item.forecast is not None and item.forecast.toordinal() > held_min:
        held_min, held_by, held_why = item.forecast.toordinal(), [], "forecast"
    j = body.first_from(ready, held_min)
    if j is None:
        body_def = programme.body(item)
        last = body_def.meetings[-1].when if body_def.meetings else None
        es[key] = ef[key] = None
        extra["why"] = "no-meeting"
        extra["driving"] = tuple(ready_by)
        extra["reason"] = (
            f"no meeting of {body_def.name} ('{body_def.id}') is late enough: papers ready "
            f"{date.fromordinal(ready)}, meetings from {date.fromordinal(held_min)}; the last "
            f"meeting is {last} (papers due {date.fromordinal(body.papers[-1]) if body.papers else '-'})"
        )
        return
    es[key] = ef[key] = body.held[j]
    extra["meeting"] = j
    # the driver is the papers' chain, unless the date bound alone forces a later meeting
    j_ready = body.first_from(ready, start)
    j_held = body.first_from(start, held_min)
    if (j_held is not None and (j_ready is None or j_held > j_ready)) or not ready_by:
        extra["why"], extra["driving"] = held_why, tuple(held_by)
    else:
        extra["why"], extra["driving"] = "deps", tuple(ready_by)


def _trace(info: Mapping[str, Mapping[str, object]], key: str) -> tuple[str, ...]:
    path = [key]
    seen = {key}
    while True:
        driving = info[path[-1]].get("driving")
        if not driving:
            break
        nxt = driving[0]  # type: ignore[index]
        if nxt in seen:
            break
        seen.add(nxt)
        path.append(nxt)
    return tuple(reversed(path))
