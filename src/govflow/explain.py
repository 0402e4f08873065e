"""Explanations a planning lead can act on: what broke, what breaks next, what would save it.

Each sentence is printed only when a run of the engine proves it. The deadline's ancestors (all
that can move it) are scheduled as a programme of their own, with the other deadlines left out
so that float is measured against this deadline, and the kernel runs variants of it in one call:
the step that breaks next slipped by its float and by one working day more, every working day of
a TBC window confirmed in turn, an extraordinary meeting on every candidate day, chair's action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np

from . import kernel as K
from .errors import GovflowError
from .graph import ancestors
from .model import Meeting, Programme
from .scheduling import (
    DeadlineResult,
    HeldMeeting,
    Plan,
    Schedule,
    compiled,
    run_variants,
    schedule,
    schedule_apart,
    schedule_within,
)

__all__ = ["AT_RISK_MARGIN", "Explanation", "count", "explain", "fmt", "span"]

AT_RISK_MARGIN = 5  # working days: below this a met deadline is explained too
WHAT_IF_BUDGET = 3_000_000  # item placements per `explain` call (variants x items); then what-ifs stop
RUN_COST = 10_000  # a kernel call costs its placements plus its set-up, worth about this many
MAX_CANDIDATES = 130  # working days tried for an extraordinary meeting
AHEAD = 64  # deadlines whose ancestors are scheduled side by side in one kernel run
ALONE = 1_000  # items: a lab this large is scheduled on its own (its compiled plan serves its what-ifs)
_SKIPPED = (
    "what-if analysis was cut short: the programme is very large; check this deadline's timeline on its "
    "own for the full explanation"
)


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


def count(n: int, unit: str) -> str:
    """'1 working day', '3 working days', '-1 day'."""
    return f"{n} {unit}{'' if abs(n) == 1 else 's'}"


def _days(n: int) -> str:
    return count(n, "working day")


def fmt(d: date | None) -> str:
    """A date as planning papers write it: 'Thu 26 Sep 2019'."""
    return "-" if d is None else f"{d:%a} {d.day} {d:%b %Y}"


def span(days: Iterable[date]) -> str:
    """Working days as compact runs (a weekend does not break a run), each year named after its
    last run: '21-24 Oct, 28 Oct 2019'.

    >>> span([date(2019, 12, 30), date(2019, 12, 31), date(2020, 1, 2), date(2020, 1, 3)])
    '30-31 Dec 2019, 2-3 Jan 2020'
    >>> span([date(2020, 12, 31), date(2021, 1, 1)])
    '31 Dec 2020-1 Jan 2021'
    """
    runs: list[list[date]] = []
    for d in sorted(set(days)):
        gap = (d - runs[-1][-1]).days if runs else 0
        if runs and (gap == 1 or (gap <= 3 and d.weekday() == 0)):  # the next day, or Friday -> Monday
            runs[-1].append(d)
        else:
            runs.append([d])
    parts: list[tuple[str, int]] = []
    for r in runs:
        a, b = r[0], r[-1]
        if a == b:
            text = f"{a.day} {a:%b}"
        elif a.year != b.year:
            text = f"{a.day} {a:%b %Y}-{b.day} {b:%b}"  # the end's year follows
        elif a.month == b.month:
            text = f"{a.day}-{b.day} {a:%b}"
        else:
            text = f"{a.day} {a:%b}-{b.day} {b:%b}"
        parts.append((text, b.year))
    out = []
    for j, (text, year) in enumerate(parts):
        last_of_year = j + 1 == len(parts) or parts[j + 1][1] != year
        out.append(f"{text} {year}" if last_of_year else text)
    return ", ".join(out)


def _base(sched: Schedule, key: str, order: dict[str, int]) -> Programme:
    """The ancestors of one deadline as a programme of their own, the other deadlines left out
    (so that latest dates and float are relative to this deadline)."""
    items = sched.programme.items
    keys = sorted(ancestors(sched.programme, key), key=order.__getitem__)  # in the file's order
    return Programme(
        sched.programme.timelines,
        {k: items[k] if k == key or items[k].deadline is None else replace(items[k], deadline=None) for k in keys},
    )


class _Lab:
    """The ancestors of one deadline as a programme of their own (`_base`), its schedule, and
    variants of it on the kernel."""

    def __init__(
        self,
        sched: Schedule,
        key: str,
        budget: list[int],
        base: Programme,
        local: Schedule | None,
        plan: Plan | None = None,
        tbc: dict[int, bool] | None = None,
    ):
        self.sched, self.key, self.budget = sched, key, budget
        self.base = base
        self._plan = plan  # the plan `local` was computed on, when it holds `base` as its own
        budget[0] -= len(base.items) + RUN_COST  # the deadline's own schedule is a run too
        self.local = local if local is not None else schedule(base, as_of=sched.status_override)
        self.n = len(self.base.items)
        self.tbc = {} if tbc is None else tbc  # whether a body's meetings include a TBC one (`_windows`)
        self.due = sched.programme.items[key].deadline.last.toordinal()  # type: ignore[union-attr]

    @cached_property
    def plan(self) -> Plan:
        """The programme compiled for the what-if runs (when there are any): the whole
        programme's plan when the lab was scheduled on it (`schedule_within`), else its own."""
        return self._plan or compiled(self.base)

    def pos(self, key: str) -> int:
        return self.plan.compiled.pos[self.plan.index[key]]

    def reserve(self, rows: int) -> bool:
        """Take the budget for a run of `rows` variants; False when what is left is too little."""
        cost = rows * self.n + RUN_COST
        if self.budget[0] < cost:
            return False
        self.budget[0] -= cost
        return True

    def run(self, v: K.Variants) -> K.KernelResult | None:
        if not self.reserve(v.n):
            return None
        # what-ifs read early dates only: the deadline's forecast and the meetings chosen
        return run_variants(self.plan, self.sched.status_override, v, record=False, backward=False)

    def size(self) -> int:
        """Items and body meetings the kernel handles in each variant of this lab."""
        bodies = {(it.timeline, it.at) for it in self.base.items.values() if it.at is not None}
        p = self.base
        return self.n + sum(len(p.timeline(t).bodies[b].meetings) for t, b in bodies)

    def forecast(self, res: K.KernelResult, row: int) -> int | None:
        f = int(res.ef[row, self.pos(self.key)])
        return None if f >= K.NEVER else f

    def met(self, res: K.KernelResult, row: int) -> bool:
        f = self.forecast(res, row)
        return f is not None and f <= self.due


class _Labs:
    """The labs of the deadlines to be explained. Their schedules are computed ahead, `AHEAD`
    deadlines at a time side by side in one kernel run (`schedule_apart`), rather than one run
    each: a national programme explains hundreds of deadlines. Never more are computed than the
    what-if budget left can still pay for, and what is computed is what `schedule` would give."""

    def __init__(self, sched: Schedule, todo: list[DeadlineResult], at_risk: int = AT_RISK_MARGIN):
        self.sched, self.at_risk = sched, at_risk
        self.order = {k: i for i, k in enumerate(sched.programme.items)}
        table = sched.table()  # every item's status at once (a national programme has thousands of deadlines)
        self.done = {k for k, status in zip(table.keys, table.status, strict=True) if status == "done"}
        self.todo = [d.key for d in todo if self.needs_lab(d)]
        self.at = {k: i for i, k in enumerate(self.todo)}
        self.ready: dict[str, tuple[Programme, Schedule]] = {}
        self.alone: dict[str, Programme] = {}  # large labs, scheduled each on its own
        self.tbc: dict[int, bool] = {}  # shared by its labs (`_Lab.tbc`)

    def needs_lab(self, d: DeadlineResult) -> bool:
        """Whether `_explain` runs the what-ifs for a deadline (budget permitting)."""
        return d.key not in self.done and not (d.met and (d.margin or 0) >= self.at_risk)

    def lab(self, d: DeadlineResult, budget: list[int]) -> _Lab:
        got = self.ready.pop(d.key, None)
        if got is None and d.key not in self.alone:
            self._ahead(d.key, budget[0])
            got = self.ready.pop(d.key, None)
        if got is None:  # a large lab, or one that could not be scheduled side by side with others
            base = self.alone.pop(d.key, None) or _base(self.sched, d.key, self.order)
            local = schedule_within(self.sched, base, d.key)
            plan = self.sched.engine.plan if local is not None and self.sched.engine is not None else None
            return _Lab(self.sched, d.key, budget, base, local, plan, self.tbc)
        return _Lab(self.sched, d.key, budget, *got, tbc=self.tbc)

    def _ahead(self, key: str, budget: int) -> None:
        i = self.at.get(key)
        if i is None:
            return
        # every lab costs more than RUN_COST, and no lab is made once the budget is spent
        keys, bases = [], []
        for k in self.todo[i : i + min(AHEAD, -(-budget // RUN_COST))]:
            if k in self.ready or k in self.alone:
                continue
            base = _base(self.sched, k, self.order)
            if len(base.items) > ALONE:  # scheduled on its own when it comes, its plan kept for its what-ifs
                self.alone[k] = base
            else:
                keys.append(k)
                bases.append(base)
        try:
            done = schedule_apart(bases, as_of=self.sched.status_override, own_bodies=True)
        except GovflowError:
            return  # one of them cannot be scheduled: each schedules on its own, as it comes, and says so
        self.ready.update(zip(keys, zip(bases, done, strict=True), strict=True))


def explain(
    sched: Schedule,
    keys: Iterable[str] | None = None,
    budget: int = WHAT_IF_BUDGET,
    at_risk: int = AT_RISK_MARGIN,
) -> list[Explanation]:
    """Explain each deadline (or those in `keys`): met or missed, why, and what would save it. A
    deadline met with `at_risk` working days or more to spare gets its verdict only."""
    left = [budget]
    wanted = set(keys) if keys is not None else None
    todo = [d for d in sched.deadlines if wanted is None or d.key in wanted]
    labs = _Labs(sched, todo, at_risk)
    out: list[Explanation | None] = []
    batches = _Batches(out)
    for d in todo:
        e = _explain(sched, d, left, labs, at_risk)
        out.append(e if isinstance(e, Explanation) else None)
        if isinstance(e, _Pending):
            batches.add(len(out) - 1, e)
    batches.run()
    assert all(e is not None for e in out)
    return [e for e in out if e is not None]


def _explain(
    sched: Schedule, d: DeadlineResult, budget: list[int], labs: _Labs, at_risk: int = AT_RISK_MARGIN
) -> Explanation | _Pending:
    if d.forecast is None:
        root = next((k for k in d.driving_path if sched.items[k].why == "no-meeting"), d.key)
        summary = f"MISSED: cannot be scheduled: {sched.programme.name(root)}: {sched.items[root].reason}"
    elif d.met:
        summary = f"met, {_days(d.margin or 0)} to spare" if d.margin else "met, with no working days to spare"
    else:
        summary = f"MISSED by {_days(-(d.margin or 0))} (forecast {fmt(d.forecast)})"
    if d.key in labs.done:
        return Explanation(d.key, f"done on {fmt(d.forecast)}" + ("" if d.met else f", {_days(-(d.margin or 0))} late"))
    if d.met and (d.margin or 0) >= at_risk:
        return Explanation(d.key, summary)
    if budget[0] <= 0:
        return Explanation(d.key, summary, notes=(_SKIPPED,))
    lab = labs.lab(d, budget)
    broke = tuple(_broke(lab, d)) if not d.met else ()
    nxt = _next_break(lab, d) if d.met else None
    batch = _Batch()  # the TBC confirmations and the recovery options, in one kernel call
    windows = _windows(lab, d, batch)
    recovery = _recovery(lab, d, batch) if not d.met else None
    run = bool(batch.rows) and lab.reserve(len(batch.rows))  # the budget is taken now, the run comes later
    notes = (_SKIPPED,) if budget[0] <= 0 else ()

    def finish(res: _Finishes | None) -> Explanation:
        windows_text = tuple(windows(res)) if batch.rows else ()
        recovery_text = tuple(recovery(res)) if recovery is not None else ()
        return Explanation(d.key, summary, broke, nxt, windows_text, recovery_text, notes)

    return _Pending(lab, batch, finish) if run else finish(None)


def _broke(lab: _Lab, d: DeadlineResult) -> Iterable[str]:
    """Meetings on the driving path that the papers (or a procedural rule) made it miss, what the
    next one cost, and call-in periods on the way: read from the meeting each item was given and
    the one before it that it could not take."""
    sched = lab.local
    label = sched.programme.name  # sentences name items by title (`Programme.name`)
    for key in d.driving_path:
        r = sched.items[key]
        if r.status == "unschedulable" and r.why == "no-meeting":
            yield f"{label(key)}: {r.reason}"
            continue
        missed = _missed(sched, key, lab.sched)
        if missed is not None:
            yield missed
        if r.takes_effect is not None and r.early_finish is not None and key != d.key:
            body = sched.programme.body(sched.programme.items[key])
            yield (
                f"{label(key)} ({fmt(r.early_finish)}) takes effect on {fmt(r.takes_effect)}, after the "
                f"{body.name}'s call-in period of {count(body.call_in, 'clear working day')}"
            )
    r = sched.items[d.key]
    if r.early_finish is not None and d.margin is not None:
        yield (
            f"the driving path reaches {label(d.key)} on {fmt(r.early_finish)}, "
            f"{_days(-d.margin)} after the deadline {fmt(d.deadline)}"
        )


def _missed(sched: Schedule, key: str, whole: Schedule) -> str | None:
    """The meeting a decision on the driving path could not take, and why (`whole`: the whole
    programme's schedule, whose body meetings are read once)."""
    label, r = sched.programme.name, sched.items[key]
    if r.meeting is None or r.status == "done" or r.ready is None or r.early_finish is None:
        return None
    meetings = whole.meetings(key)
    j = next(k for k, m in enumerate(meetings) if m.meeting is r.meeting and m.held == r.early_finish)
    statutory = _statutory_broke(sched, key, meetings, j)
    if statutory is not None or j == 0:
        return statutory
    prev = meetings[j - 1]
    floor = max(x for x in (r.held_from, sched.as_of, date.min) if x is not None)
    if prev.held < floor or prev.papers_due >= r.ready:  # not missed for want of papers
        return None
    cal = sched.calendar(key)
    late = cal.between(prev.papers_due, r.ready)
    ready = f"{label(r.driving[0])} is ready" if r.driving else "the papers are ready"
    body = sched.programme.body(sched.programme.items[key])
    due = f"papers were due {fmt(prev.papers_due)}"
    if prev.published is not None and prev.published == prev.papers_due and body.publish is not None:
        due += f" (its agenda is published {body.publish} before the meeting)"
    return (
        f"{label(key)} missed the {body.name} meeting of {fmt(prev.held)}: {due} but {ready} "
        f"{fmt(r.ready)}, {_days(late)} late; the next meeting is "
        f"{fmt(r.early_finish)}, {count((r.early_finish - prev.held).days, 'calendar day')} later"
    )


def _statutory_broke(sched: Schedule, key: str, meetings: Sequence[HeldMeeting], j: int) -> str | None:
    """Why a decision went to a later meeting than its papers allow, when a procedural rule set
    it: a deferral, a blackout, or a key decision's notice; in a committee clerk's words."""
    p, label, r = sched.programme, sched.programme.name, sched.items[key]
    item = p.items[key]
    body = p.body(item)
    chosen = meetings[j]
    later = f"the next meeting it can take is {fmt(chosen.held)}"
    if r.why == "deferred" and item.deferred:
        return f"{label(key)} was deferred by the {body.name} on {fmt(item.deferred[-1])}; {later}"
    free = skipped(sched, key, meetings, j)
    if free is None:
        return None
    if free.blackout is not None:
        spans = [b for b in p.blackouts(item) if free.held in b]
        when = f" ({fmt(spans[0].first)} to {fmt(spans[0].last)})" if spans else ""
        return (
            f"the {body.name} meeting of {fmt(free.held)} for {label(key)} falls in the {free.blackout}{when}, "
            f"when no decisions are taken; {later}"
        )
    if r.why == "notice" and body.notice is not None and r.notice_from is not None and free.first_day is not None:
        needed = sched.clear_before(key, free.first_day, body.notice)
        after = f" (after {label(r.driving[0])})" if r.driving else ""
        return (
            f"the {fmt(free.held)} {body.name} is too soon for {label(key)}, a key decision: "
            f"{body.notice}' notice in the forward plan was needed by {fmt(needed)}, but notice can be "
            f"published from {fmt(r.notice_from)}{after}; {later}"
        )
    return None


def skipped(sched: Schedule, key: str, meetings: Sequence[HeldMeeting], j: int) -> HeldMeeting | None:
    """The latest meeting before the chosen one (meetings[j]) that the item's papers and held-date
    bounds would allow, had no procedural rule (notice, blackout) ruled it out."""
    r = sched.items[key]
    floor = max(x for x in (r.held_from, sched.as_of, date.min) if x is not None)
    ready = r.ready or date.min
    fits = [m for m in meetings[:j] if m.held >= floor and m.papers_due >= ready and m.held < meetings[j].held]
    return fits[-1] if fits else None


def _slippable(sched: Schedule, d: DeadlineResult) -> list[str]:
    p = sched.programme
    return [
        k
        for k in d.driving_path
        if p.items[k].kind in ("task", "milestone")
        and sched.items[k].status != "done"
        and sched.items[k].float is not None
    ]


def _slips(lab: _Lab, plan: Sequence[tuple[str, Sequence[int]]]) -> tuple[K.KernelResult, list[list[int]]] | None:
    """One kernel call slipping each (item, slips) in turn; the rows of each item's slips."""
    rows = sum(len(ks) for _, ks in plan)
    delay: dict[int, K.I64] = {}
    where: list[list[int]] = []
    row = 0
    for key, ks in plan:
        arr = delay.setdefault(lab.pos(key), np.zeros(rows, dtype=np.int64))
        arr[row : row + len(ks)] = ks
        where.append(list(range(row, row + len(ks))))
        row += len(ks)
    res = lab.run(K.Variants(n=rows, delay=delay))
    return None if res is None else (res, where)


def _proven_float(lab: _Lab, key: str, flt: int) -> tuple[int, K.KernelResult, int, int] | None:
    """The largest slip of `key` that still meets the deadline, proven by slipping it that much
    and one working day more; with the rows of those two runs."""
    for ks in ([flt, flt + 1], list(range(0, min(flt + 2, 60)))):
        got = _slips(lab, [(key, ks)])
        if got is None:
            return None
        res, (rows,) = got
        met = [lab.met(res, r) for r in rows]
        for j in range(len(ks) - 1):
            if met[j] and not met[j + 1] and all(met[: j + 1]):
                return ks[j], res, rows[j], rows[j + 1]
    return None


def _next_break(lab: _Lab, d: DeadlineResult) -> str | None:
    """The step on the driving path that breaks first, and what a one-day-too-many slip costs."""
    sched = lab.local
    p, label = sched.programme, sched.programme.name
    candidates = [k for k in _slippable(sched, d) if k != d.key] or _slippable(sched, d)
    if not candidates:
        return "every step on the driving path is done, fixed or a meeting: nothing left can slip"
    proven = []
    for k in candidates:
        got = _proven_float(lab, k, max(sched.items[k].float or 0, 0))
        if got is not None:
            proven.append((k, *got))
    if not proven:
        return None
    x, flt, res, ok_row, bad_row = min(reversed(proven), key=lambda c: c[1])
    path = list(d.driving_path)
    nxt = path[path.index(x) + 1] if path.index(x) + 1 < len(path) else None
    xi = lab.pos(x)
    link = next((dep for dep in p.items[nxt].after if dep.pred == x), None) if nxt else None
    if link is not None and link.type == "SS":
        text = f"{label(x)} has {_days(flt)} of float; starting after {fmt(_day(res.es[ok_row, xi]))}"
    else:
        text = f"{label(x)} has {_days(flt)} of float; past {fmt(_day(res.ef[ok_row, xi]))}"
    later: date | None = None
    nitem = p.items[nxt] if nxt else None
    if nxt is not None and nitem is not None and nitem.kind == "meeting":
        body = p.body(nitem).name
        ni = lab.pos(nxt)
        before, after = int(res.slot[ok_row, ni]), int(res.slot[bad_row, ni])
        held_before = _day(res.held.ravel()[before]) if before >= 0 else None
        notice = p.body(nitem).notice
        if link is None and x in nitem.notice_after and notice is not None and before >= 0:
            by = sched.clear_before(nxt, _day(res.day1.ravel()[before]), notice)
            text += (
                f" it misses the forward-plan notice for the {body} of {fmt(held_before)} "
                f"({notice}' notice, by {fmt(by)})"
            )
        elif link is not None and link.type == "FS":
            text += f" it misses the {body} papers deadline ({fmt(_day(res.papers.ravel()[before]))})"
        else:
            text += f" it misses the {body} meeting of {fmt(held_before)}"
        if after >= 0 and after != before:
            later = _day(res.held.ravel()[after])
            text += f" and the next meeting is {fmt(later)}"
        elif after < 0:
            text += " and there is no later meeting"
    else:
        text += f" {label(d.key)} misses the deadline {fmt(d.deadline)}"
    moved = lab.forecast(res, bad_row)
    if moved is None:
        text += " (the deadline could then not be met at all)"
    else:
        fc = date.fromordinal(moved)
        gap = count((fc - d.deadline).days, "calendar day")
        if later is not None and later == fc:  # the next meeting is what reaches the deadline
            text += f", {gap} after the deadline"
        else:
            text += f"; the deadline forecast would become {fmt(fc)}, {gap} after the deadline"
    return text


def _day(o: object) -> date:
    return date.fromordinal(int(o))  # type: ignore[call-overload]


class _Batch:
    """What-if rows from several questions, run in one kernel call: each row changes one thing
    (an event or a TBC meeting confirmed on a day, an extra meeting) and keeps the rest as planned.
    Rows name the item (and the meeting) they change; `_side_by_side` finds them in the plan the
    rows run on, which may hold several labs side by side."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, Meeting | None, int, int]] = []  # (what, item, meeting, day, papers)

    def add(self, what: str, key: str, day: int, papers: int = -1, meeting: Meeting | None = None) -> int:
        self.rows.append((what, key, meeting, day, papers))
        return len(self.rows) - 1


class _Finishes:
    """The deadline's forecast (an ordinal; NEVER: cannot be scheduled) in each row of a batch,
    and for rows that take a key decision under another notice rule, the meeting it took (held
    date and first day, ordinals)."""

    def __init__(self, ef: list[int], due: int, taken: dict[int, tuple[int, int]] | None = None):
        self.ef, self.due, self.taken = ef, due, taken or {}

    def met(self, row: int) -> bool:
        return self.ef[row] < K.NEVER and self.ef[row] <= self.due


@dataclass
class _Pending:
    """An explanation waiting for its batch of what-ifs (its budget already taken)."""

    lab: _Lab
    batch: _Batch
    finish: Callable[[_Finishes | None], Explanation]


BATCH_CELLS = 1_000_000  # labs run side by side while rows x (items + meetings) stays under this
BATCH_LABS = 64


class _Batches:
    """Explanations waiting for their batches of what-ifs, finished many labs to a kernel call,
    side by side, their batches in parallel rows (`_side_by_side`: a call costs milliseconds
    whatever its size): a group runs as soon as the next lab would make it too large."""

    def __init__(self, out: list[Explanation | None]):
        self.out = out
        self.group: list[tuple[int, _Pending]] = []
        self.rows = self.size = 0

    def add(self, at: int, w: _Pending) -> None:
        rows, ahead = len(w.batch.rows), _ahead_plan(w)
        # labs scheduled side by side run their what-ifs on that plan, together: a call then
        # computes the whole plan, however many of its labs it serves
        size = w.lab.size() if ahead is None else ahead.compiled.n
        grown = self.size + size if ahead is None else size
        if self.group and (
            ahead is not _ahead_plan(self.group[0][1])
            or max(self.rows, rows) * grown > BATCH_CELLS
            or (ahead is None and len(self.group) >= BATCH_LABS)
        ):
            self.run()
            grown = size
        self.group.append((at, w))
        self.rows, self.size = max(self.rows, rows), grown

    def run(self) -> None:
        group = [w for _, w in self.group]
        if group:
            try:
                done = _side_by_side(group)
            except GovflowError:
                done = [_side_by_side([one])[0] for one in group]  # one of them says what cannot be scheduled
            for (at, w), fin in zip(self.group, done, strict=True):
                self.out[at] = w.finish(fin)
        self.group, self.rows, self.size = [], 0, 0


def _side_by_side(group: list[_Pending]) -> list[_Finishes]:
    """Each lab's batch of what-ifs in one kernel call, on the labs' programmes compiled side by
    side, each with its own copy of its bodies: row r applies every lab's r-th what-if, each to
    its own lab alone, so the labs' batches run at once in as many rows as the longest has."""
    shared = _shared_plan(group)
    if shared is not None:  # the labs were scheduled side by side: their plan, compiled once
        plan, parts = shared, [_part(w) for w in group]
    else:
        plan = Plan(*(w.lab.base for w in group), own_bodies=True) if len(group) > 1 else group[0].lab.plan
        parts = plan.parts
    cp, n = plan.compiled, max(len(w.batch.rows) for w in group)
    on: dict[int, K.I64] = {}
    confirm: dict[int, K.I64] = {}
    extra: dict[int, tuple[K.I64, K.I64]] = {}
    notice: dict[int, K.I64] = {}
    asked: list[tuple[int, int, int]] = []  # (lab, row, kernel index) of the notice rows
    for g, (w, (_, _, index)) in enumerate(zip(group, parts, strict=True)):
        for row, (what, key, meeting, day, papers) in enumerate(w.batch.rows):
            i = index[key]
            if what == "on":
                on.setdefault(cp.pos[i], np.full(n, -1, dtype=np.int64))[row] = day  # -1: as planned
            elif what == "notice":  # a key decision taken under another notice rule (K.NOTICE_RULES)
                notice.setdefault(cp.pos[i], np.zeros(n, dtype=np.int64))[row] = day
                asked.append((g, row, cp.pos[i]))
            elif what == "confirm":
                b = plan.item_body[i]
                first = int(cp.body_off[b])
                slot = first + next(j for j, m in enumerate(plan.meetings_of(b)) if m is meeting)
                confirm.setdefault(slot, np.full(n, -1, dtype=np.int64))[row] = day
            else:  # an extra meeting of the item's body (NEVER: none); papers -1: due by the body's rule
                held, due = extra.setdefault(
                    plan.item_body[i], (np.full(n, K.NEVER, dtype=np.int64), np.full(n, -1, dtype=np.int64))
                )
                held[row], due[row] = day, papers
    v = K.Variants(n=n, on=on, confirm=confirm, extra=dict(extra), notice=notice)
    res = run_variants(plan, group[0].lab.sched.status_override, v, record=False, backward=False)
    taken: dict[int, dict[int, tuple[int, int]]] = {}
    for g, r, k in asked:
        slot = int(res.slot[r, k])
        if slot >= 0:
            taken.setdefault(g, {})[r] = (int(res.held.ravel()[slot]), int(res.day1.ravel()[slot]))
    return [
        _Finishes(res.ef[: len(w.batch.rows), cp.pos[index[w.lab.key]]].tolist(), w.lab.due, taken.get(g))
        for g, (w, (_, _, index)) in enumerate(zip(group, parts, strict=True))
    ]


def _part(w: _Pending) -> tuple[int, int, dict[str, int]]:
    reader = w.lab.local.engine
    assert reader is not None
    return reader.lo, reader.hi, reader.index


def _ahead_plan(w: _Pending) -> Plan | None:
    """The plan a lab was scheduled in side by side with others, each with its own bodies."""
    reader = w.lab.local.engine
    plan = reader.plan if reader is not None else None
    return plan if plan is not None and plan.own_bodies and len(plan.parts) > 1 else None


def _shared_plan(group: list[_Pending]) -> Plan | None:
    """The plan all of a group's labs (two or more) were scheduled in, if they share one."""
    plan = _ahead_plan(group[0])
    return plan if len(group) > 1 and all(_ahead_plan(w) is plan for w in group) else None


Sentences = Callable[[_Finishes | None], list[str]]


def _windows(lab: _Lab, d: DeadlineResult, batch: _Batch) -> Sentences:
    """For each TBC date bearing on the deadline (a window event, the meeting an item is planned at,
    or one it skipped): which confirmed days would save it, from a run confirming each day."""
    sched = lab.local
    p, label = sched.programme, sched.programme.name
    trials: list[tuple[str, bool, list[date], list[int]]] = []
    seen: set[tuple[str, str | None, int]] = set()  # each body's TBC meetings once
    tbc = lab.tbc  # whether a body has any TBC meeting, by id (shared by the labs of one explain)
    for key in sorted(lab.base.items):
        item = p.items[key]
        if item.done is not None or not (item.kind == "meeting" or (item.on is not None and not item.on.exact)):
            continue
        if item.on is None:  # a meeting item: nothing to try unless its body has a TBC meeting
            pattern = p.body(item).meetings  # bodies on one pattern share one tuple of meetings
            if id(pattern) not in tbc:
                tbc[id(pattern)] = any(not m.when.exact for m in pattern)
            if not tbc[id(pattern)]:
                continue
        cal = sched.calendar(key)
        if item.on is not None:
            days = list(cal.days(item.on.first, item.on.last)) or [item.on.last]
            rows = [batch.add("on", key, x.toordinal()) for x in days]
            trials.append((f"{label(key)} ({item.on.text})", key in d.driving_path, days, rows))
            continue
        r = sched.items[key]
        if r.meeting is None:
            continue
        body = p.body(item)
        meetings = lab.sched.meetings(key)
        chosen = next(k for k, m in enumerate(meetings) if m.meeting is r.meeting and m.held == r.early_finish)
        for k, m in enumerate(meetings[: chosen + 1]):
            if m.meeting.when.exact or (sched.as_of is not None and m.held < sched.as_of):
                continue
            if (item.timeline, item.at, k) in seen:
                continue
            seen.add((item.timeline, item.at, k))
            when = m.meeting.when
            days = list(cal.days(when.first, when.last)) or [when.last]
            rows = [batch.add("confirm", key, x.toordinal(), meeting=m.meeting) for x in days]
            what = f"the {body.name} meeting ({when.text or when}) for {label(key)}"
            trials.append((what, key in d.driving_path and m.meeting is r.meeting, days, rows))

    def sentences(res: _Finishes | None) -> list[str]:
        name, out = label(d.key), list[str]()
        for what, on_path, days, rows in trials:
            if res is None:
                return [*out, f"{what}: not analysed (programme too large)"]
            good = [day for day, r in zip(days, rows, strict=True) if res.met(r)]
            if len(good) == len(days):
                if on_path:
                    out.append(f"{name} is met whichever day {what} is confirmed")
            elif not good:
                if on_path:
                    out.append(f"{name} is missed whichever day {what} is confirmed")
            else:
                out.append(f"{name} is met only if {what} is confirmed for {span(good)}")
        return out

    return sentences


def _notice_fallbacks(lab: _Lab, key: str, batch: _Batch) -> list[Callable[[_Finishes | None], str | None]]:
    """A key decision taken under general exception or special urgency (where its body allows
    them), each from a run that takes it under that rule."""
    sched = lab.local
    p, label = sched.programme, sched.programme.name
    item, r = p.items[key], sched.items[key]
    body = p.body(item)
    out: list[Callable[[_Finishes | None], str | None]] = []
    for rule, given in ((1, body.general_exception), (2, body.special_urgency)):
        if not given:
            continue
        row = batch.add("notice", key, rule)

        def fallback(res: _Finishes | None, row: int = row, rule: int = rule) -> str | None:
            if res is None or not res.met(row) or row not in res.taken:
                return None
            held, first = (_day(x) for x in res.taken[row])
            if r.early_finish is not None and held >= r.early_finish:
                return None  # the notice was not what held it back
            if rule == 1 and body.general_exception is not None and body.notice is not None:
                by = sched.clear_before(key, first, body.general_exception)
                needed = sched.clear_before(key, first, body.notice)
                return (
                    f"the {fmt(held)} {body.name} is too soon for {body.notice}' notice of {label(key)}, which "
                    f"was needed by {fmt(needed)}; under general exception it can be taken there if the "
                    f"scrutiny committee chair is told by {fmt(by)}"
                )
            return (
                f"under special urgency, with the agreement of the scrutiny committee chair, {label(key)} can be "
                f"taken at the {fmt(held)} {body.name}"
            )

        out.append(fallback)
    return out


def _recovery(lab: _Lab, d: DeadlineResult, batch: _Batch) -> Sentences:
    """Extraordinary meetings, chair's action and the finish dates that would save a missed deadline:
    each meeting option from a run with that meeting added."""
    sched = lab.local
    p, label = sched.programme, sched.programme.name
    plans: list[Callable[[_Finishes | None], str | None]] = []
    for key in d.driving_path:
        item, r = p.items[key], sched.items[key]
        cal = sched.calendar(key)
        if item.kind == "meeting" and r.status != "done" and r.ready is not None and r.bound is not None:
            body = p.body(item)
            start = max(x for x in (r.ready, r.held_from, sched.as_of) if x is not None)
            days = list(cal.days(start, r.bound))[:MAX_CANDIDATES]
            rows = [batch.add("extra", key, x.toordinal()) for x in days]

            def extraordinary(
                res: _Finishes | None,
                days: list[date] = days,
                rows: list[int] = rows,
                who: str = key,
                name: str = body.name,
            ) -> str | None:
                good = [x for x, row in zip(days, rows, strict=True) if res is not None and res.met(row)]
                if not good:
                    return None
                if len(good) == 1:
                    when = f"on {fmt(good[0])}"
                elif good == days[days.index(good[0]) : days.index(good[-1]) + 1]:
                    when = f"between {fmt(good[0])} and {fmt(good[-1])}"
                else:
                    when = f"on {span(good)}"
                return f"an extraordinary {name} meeting for {label(who)}, held {when}, would save it"

            plans.append(extraordinary)
            if item.key_decision and body.notice is not None and r.notice_from is not None:
                plans += _notice_fallbacks(lab, key, batch)
            if body.chairs_action is not None:
                by = cal.wd(cal.on_or_after(r.ready), body.chairs_action)
                row = batch.add("extra", key, by.toordinal(), r.ready.toordinal())  # papers the day they are ready

                def chair(
                    res: _Finishes | None,
                    row: int = row,
                    by: date = by,
                    who: str = key,
                    n: int = body.chairs_action,
                    name: str = body.name,
                ) -> str | None:
                    if res is None or not res.met(row):
                        return None
                    return (
                        f"chair's action by the {name} chair for {label(who)} (by {fmt(by)}, within "
                        f"{_days(n)} of the papers) would save it"
                    )

                plans.append(chair)
        elif (
            item.kind == "task"
            and r.status != "done"
            and r.late_finish
            and r.early_finish
            and r.late_finish < r.early_finish
            and (sched.as_of is None or r.late_finish >= sched.as_of)
        ):
            text = (
                f"{label(key)} would have to finish by {fmt(r.late_finish)} (forecast {fmt(r.early_finish)}, "
                f"{_days(-(r.float or 0))} sooner)"
            )
            plans.append(lambda res, text=text: text)  # type: ignore[misc]  # from this deadline's latest dates

    def sentences(res: _Finishes | None) -> list[str]:
        return [text for plan in plans if (text := plan(res)) is not None]

    return sentences
