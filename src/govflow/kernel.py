"""The scheduling kernel: one forward and one backward pass, written once per item kind, over
a compiled programme and a leading *variant* axis.

Every array of dates has shape ``(V, n)``: V variants of one plan (V = 1 for a plain schedule;
sampled durations, a TBC meeting confirmed on each day of its window, an extra meeting or a
slipped item for the what-ifs behind explanations and for Monte Carlo), item-major in memory
(order F), so gathering a link's predecessor copies a contiguous run of variants. Items are
grouped by topological depth, and within a depth by kind, so each group is a handful of numpy
operations whatever its size: predecessors gathered by index and reduced over each item's links
(rank by rank, or with ``ufunc.reduceat``: `_Links`), working-day arithmetic through each
calendar's cumulative counts, meeting choice by ``searchsorted`` over each body's held and
papers-due arrays (or lookup tables of them, for many variants). Many variants run in blocks
(`BLOCK`) that write their rows of one set of result arrays.

Dates are proleptic ordinals (int32). Two sentinels: ``NEVER`` as an early date means "cannot be
scheduled" and propagates through ``max`` to everything after; as a latest date it means "no
bound" (the item leads to no deadline). Each placement records what set it (`drv`, `why`, the
meeting chosen) as it is computed.

The working-day arithmetic has one closed form. With ``count[o]`` the working days on or before
ordinal o and ``days[k]`` the (k+1)-th working day, ``wd(o, n)`` is ``days[count[o] - 1 + n]``
for n > 0 and ``days[count[o - 1] + n]`` for n < 0; the next working day on or after o is
``days[count[o - 1]]`` and the last on or before it ``days[count[o] - 1]``. Every dependency is
reduced to constants ``(sub, add)`` of ``F(x) = days[count[x - sub] + add]`` (`edge_constants`),
the earliest date it allows its successor; the backward pass inverts the very same F: the
latest x with ``F(x) <= L`` is ``days[count[L] - 1 - add] - 1 + sub``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from .calendars import FIRST_YEAR, LAST_YEAR, WorkCalendar

__all__ = ["NEVER", "WHY", "Compiled", "KernelResult", "OutOfRange", "Variants", "edge_constants", "run"]

DT = np.int32  # dates (ordinals) and day counts: half the memory traffic of int64
I64 = npt.NDArray[Any]  # integer arrays (dates as DT, indices as int64)
NEVER = 1 << 30  # early: cannot be scheduled; latest: no bound (far past any ordinal, inside int32)
NONE = -(1 << 30)  # a bound that bounds nothing (no status date, no forecast)

TASK, MILESTONE, MEETING, EVENT = 0, 1, 2, 3
KINDS = {"task": TASK, "milestone": MILESTONE, "meeting": MEETING, "event": EVENT}
# what set an item's early date
WHY = (
    "deps",
    "start",
    "as_of",
    "done",
    "started",
    "remaining",
    "forecast",
    "fixed",
    "no-meeting",
    "blocked",
    "deferred",
    "notice",
)
DEPS, START, AS_OF, DONE, STARTED, REMAINING, FORECAST, FIXED, NO_MEETING, BLOCKED, DEFERRED, NOTICE = range(12)
LINK_TYPES = ("FS", "SS", "FF", "N")  # N: a key decision's `notice_after` (notice published after it)
NOTICE_RULES = ("notice", "general exception", "special urgency")  # a key decision's, in `Variants.notice`
NO_RULE, NO_NOTICE = -1, -2  # notice days of a rule the body does not have; of one with no notice period

_K = 1 << 20  # days per body segment in meeting search keys (more than 1900-2300)
_MIN_ORD = date(FIRST_YEAR, 1, 1).toordinal()
_MAX_ORD = date(LAST_YEAR, 12, 31).toordinal()


class OutOfRange(Exception):
    """An item's dates would leave the years govflow schedules; `item` is its kernel index (or
    `body` a body whose papers would be due before them)."""

    def __init__(self, item: int, body: int | None = None):
        super().__init__(item, body)
        self.item, self.body = item, body


def edge_constants(kind: int, dep_type: str, lag: int) -> tuple[int, int | None, int]:
    """(sub, add, ff) of a dependency into an item of `kind`: the earliest date it allows is
    ``days[count[x - sub] + add + ff * (1 - duration)]`` in the successor's calendar, x being the
    predecessor's start (SS) or finish, or x itself when add is None.

    The rules (DESIGN.md): a task starts on wd(wd(f, lag), 1) after FS, on the next working day
    on or after wd(s, lag) after SS, and finishes on or after wd(f, lag) after FF (so starts
    duration - 1 working days before the next working day on or after it); milestones, events
    and meetings take wd(x, lag).

    >>> edge_constants(TASK, "FS", 0), edge_constants(TASK, "FS", -2), edge_constants(MILESTONE, "FS", 0)
    ((0, 0, 0), (1, -1, 0), (0, None, 0))
    """
    sub, add, ff, ident = _edge_arrays(np.asarray([kind]), np.asarray([LINK_TYPES.index(dep_type)]), np.asarray([lag]))
    return int(sub[0]), None if ident[0] else int(add[0]), int(ff[0])


def _edge_arrays(kind: I64, typ: I64, lag: I64) -> tuple[I64, I64, I64, npt.NDArray[np.bool_]]:
    """`edge_constants` over arrays of links (typ 0 FS, 1 SS, 2 FF): (sub, add, ff, identity)."""
    task = kind == TASK
    fs, ff = typ == 0, typ == 2
    sub = np.where(task & fs, (lag < 0).astype(np.int64), np.where(task, (lag <= 0).astype(np.int64), (lag < 0)))
    add = np.where(task & fs, np.where(lag >= 0, lag, lag + 1), np.where(task, np.where(lag > 0, lag - 1, lag), 0))
    add = np.where(~task & (lag != 0), np.where(lag > 0, lag - 1, lag), add)
    return sub.astype(DT), add.astype(DT), (task & ff).astype(DT), ~task & (lag == 0)


def clear_before(cals: Calendars, cb: I64, db: I64, m: I64, days: I64, calendar: Any) -> I64:
    """ "`days` clear days before a meeting on m": the last working day D with at least `days`
    counted days strictly between D and m; working days are counted unless `calendar`. The one
    statement of the rule (agenda publication, key-decision notice, general exception).

    Working days: D = days[count[m - 1] - n - 1]; calendar days: the last working day on or
    before m - n - 1."""
    days = np.asarray(days, dtype=DT)
    working = cals.day(db, cals.cnt(cb, m - 1) - days - 1)
    out: I64 = np.where(calendar, cals.prv(cb, db, m - days - 1), working)
    return np.where(m >= NEVER, NEVER, out)


def at_item(cp: Compiled, k: int, what: str, day: int, days: int = 0, calendar: bool = False) -> int:
    """One date for item k (kernel index), in its calendar: `clear_before` a meeting on `day`
    (what="clear"), or the day a decision on `day` takes effect after its body's call-in
    ("effect"). For reports that read one item at a time."""
    cals = cp.cals
    assert cals is not None
    c = int(cp.body_cal[cp.body[k]])  # the rules count the body's working days
    cb, db, o = cals.cbase[c : c + 1], cals.dbase[c : c + 1], np.asarray([day], dtype=DT)
    if what == "clear":
        return int(clear_before(cals, cb, db, o, np.asarray([days]), calendar)[0])
    n = int(cp.callin[cp.body[k]])
    return int(cals.wd(cb, db, o, n)[0]) if n else day


def _notice_floor(cals: Calendars, cb: I64, db: I64, given: I64, days: I64, calendar: Any) -> I64:
    """The first day a meeting may be held when notice is published on `given`: the inverse of
    `clear_before` (held on or after it, at least `days` counted days lie strictly between)."""
    days = np.asarray(days, dtype=DT)
    working = np.maximum(cals.day(db, cals.cnt(cb, given) + days - 1), given) + 1
    out: I64 = np.where(calendar, given + days + 1, working)
    return out


def _clip(a: Any, lo: int, hi: int) -> Any:
    """`np.clip` as two ufunc calls (np.clip's argument checks cost more than the work here)."""
    return np.minimum(np.maximum(a, lo), hi)


def _take(table: I64, i: I64) -> I64:
    """table[i], i clipped to the table, in one pass (np.take, mode "clip"); an order-F index is
    taken through its transpose, which np.take reads without copying it to order C."""
    if i.ndim == 2 and i.flags.f_contiguous and not i.flags.c_contiguous:
        out: I64 = np.take(table, i.T, mode="clip").T
        return out
    out = np.take(table, i, mode="clip")
    return out


class Calendars:
    """The working-day calendars of a programme stacked over one span of ordinals, for vectorised
    lookups: ``count[c * width + o - lo]`` and ``days[c * depth + k]``."""

    def __init__(self, cals: Sequence[WorkCalendar], lo: int, hi: int, pad: int = 64):
        for cal in cals:
            cal.cover(lo - 1, hi)
        self.lo, self.hi = lo, hi
        self.width = width = hi - lo + 2  # from lo - 1, so that count[o - 1] is a lookup for o = lo
        counts, dayss = [], []
        for cal in cals:
            base, count, days = cal.arrays()
            counts.append(np.asarray(count[lo - 1 - base : hi + 1 - base], dtype=DT))
            dayss.append(np.asarray(days, dtype=DT))
        # rebase the counts so that every calendar's days[] starts at index 0 for its own first day
        firsts = [int(c[0]) for c in counts]
        self.depth = depth = max(len(d) for d in dayss) + 2
        self.count = np.concatenate([c - f for c, f in zip(counts, firsts, strict=True)])
        # before the span's first working day, lo - 2; past its last, hi + 1: a date that runs out of
        # the span is seen as such
        self.pad = pad  # more than any one link moves a date, so a lookup before the span stays in its row
        table = np.full((len(cals), pad + depth), hi + 1, dtype=DT)
        table[:, :pad] = lo - 2
        for j, (d, f) in enumerate(zip(dayss, firsts, strict=True)):
            table[j, pad : pad + len(d) - f] = d[f:]
        self.depth = depth = pad + depth
        self.days: I64 = table.ravel()
        self.cbase = np.arange(len(cals), dtype=np.int64) * width - (lo - 1)
        self.dbase = np.arange(len(cals), dtype=np.int64) * depth + pad
        self.one = len(cals) == 1  # then every item's cbase and dbase are the same

    def cnt(self, cb: I64, o: I64, shift: I64 | int = 0) -> I64:
        """Working days on or before o - shift (clipped to the span; callers check for overflow)."""
        i = np.subtract(o, shift + (self.lo - 1), dtype=np.intp)  # indices as intp: numpy converts others
        if self.one:  # one calendar spans the whole array: clipping the index clips the date
            return _take(self.count, i)
        np.maximum(i, 0, out=i)
        np.minimum(i, self.width - 1, out=i)
        out: I64 = self.count[i + (cb + (self.lo - 1))]  # calendar c's counts start at c * width
        return out

    def day(self, db: I64, k: I64, shift: I64 | int = 0) -> I64:
        """The (k+shift+1)-th working day of the span; before it, lo - 2, after it, hi + 1 (so a
        date that runs out of the span is seen as such)."""
        return _take(self.days, np.add(k, shift + (self.pad if self.one else db), dtype=np.intp))

    def nxt(self, cb: I64, db: I64, o: I64) -> I64:
        """o if a working day, else the next working day."""
        return self.day(db, self.cnt(cb, o - 1))

    def prv(self, cb: I64, db: I64, o: I64) -> I64:
        """o if a working day, else the last working day before it."""
        return self.day(db, self.cnt(cb, o) - 1)

    def wd(self, cb: I64, db: I64, o: I64, n: I64 | int) -> I64:
        """The date n working days after o (before, for n < 0); o itself for n = 0."""
        n = np.asarray(n, dtype=DT)
        after = self.day(db, self.cnt(cb, o) - 1 + n)
        before = self.day(db, self.cnt(cb, o - 1) + n)
        return np.where(n > 0, after, np.where(n < 0, before, o))


@dataclass(frozen=True, slots=True)
class Variants:
    """How V variants of a plan differ from it. Every field is optional; None keeps the plan.

    - duration, remaining: (V, n) working days per item (tasks; `remaining` for tasks in progress);
    - finish_floor: item -> (V,) ordinals the item may not finish before (a task finishes no
      earlier than the last working day on or before it; a milestone, meeting or event is held
      no earlier than it);
    - delay: item -> (V,) working days a task or milestone slips: its start and finish move that
      many working days later than the rules give (0: as planned);
    - on: item -> (V,) ordinal on which a fixed event with a window is confirmed (-1: as planned);
    - confirm: meeting slot -> (V,) ordinal on which a (TBC) meeting is held, NEVER = cancelled,
      -1 = as planned;
    - extra: body -> (V,) ordinal of an extra meeting of that body, NEVER = none, or (held,
      papers) to set its papers-due date too (chair's action: papers the day they are ready;
      -1: by the body's rule).
    - notice: key decision -> (V,) index into NOTICE_RULES of the notice it is taken under (0: the
      body's `notice`; 1: general exception; 2: special urgency, no notice period);
    - deadline: (n,) each item's deadline (ordinal, NEVER: none) in place of the programme's, in
      every variant: latest dates relative to some deadlines only (one deadline's explanation).
    """

    n: int = 1
    duration: I64 | None = None
    remaining: I64 | None = None
    finish_floor: dict[int, I64] = field(default_factory=dict)
    delay: dict[int, I64] = field(default_factory=dict)
    on: dict[int, I64] = field(default_factory=dict)
    confirm: dict[int, I64] = field(default_factory=dict)
    extra: dict[int, I64 | tuple[I64, I64]] = field(default_factory=dict)
    notice: dict[int, I64] = field(default_factory=dict)
    deadline: I64 | None = None


@dataclass(slots=True)
class Progress:
    """Per-item progress as known on the status date, and each item's status date (ordinals;
    NONE where absent). Built by the caller (`scheduling`) for each run."""

    done: I64
    started: I64
    remaining: I64  # -1: not given
    forecast: I64
    asof: I64


@dataclass(slots=True)
class KernelResult:
    """What one run computed, per variant and item (kernel order)."""

    es: I64
    ef: I64
    ls: I64
    lf: I64
    lready: I64  # meeting items: latest day the papers can be ready
    bound: I64  # latest finish before snapping to a real meeting
    ready: I64  # meeting items: day the papers are ready
    hmin: I64  # meeting items: earliest day a meeting may be held
    slot: I64  # meeting items: meeting chosen (index into the compiled meetings), -1 none
    lslot: I64  # meeting items: latest meeting that still meets the deadlines, -1 none
    drv: I64  # the predecessor (kernel index) whose link set the early date, -1 none
    ddrv: I64  # the same before progress (done) overrides it: what a done item waited for
    why: npt.NDArray[np.int8]
    ties: npt.NDArray[np.bool_] | None  # per edge: the link gives the item's date (first variant)
    conflict: I64  # fixed events: the first predecessor that finishes too late, -1 none
    done: npt.NDArray[np.bool_]  # status done (done, or an event already past)
    # the meetings as held, in one row that `slot` indexes (variants that change a body's meetings
    # add segments of their own), for explanations
    held: I64
    papers: I64
    source: I64  # each sorted meeting's compiled index (>= the compiled count: an extra meeting)
    window_first: I64  # fixed events: first and last working day of the window (rows 1 or V)
    window_last: I64
    notice: I64  # key decisions: the first day notice can be (or was) published
    lnotice: I64  # key decisions: the latest day notice can be published and still meet the deadlines
    day1: I64  # the meetings' first working days (as `held`)


@dataclass(frozen=True, slots=True)
class Statutory:
    """The procedural rules of a programme (DESIGN.md "Statutory timing"), for `Compiled`. Bodies
    by index, items by the caller's index, dates as ordinals.

    - publish: body -> (clear days, calendar?) before each meeting its agenda is published;
    - call_in: body -> clear working days before a decision there takes effect;
    - blackouts: (body, first, last): meetings held in the period take no decisions;
    - notice: key decision -> per NOTICE_RULES (days, calendar?) or None where the body has no such
      rule (special urgency: (NO_NOTICE, False));
    - notice_given: key decision -> the day notice was published;
    - deferred: meeting item -> the first day a meeting may be held after its last deferral.
    """

    publish: dict[int, tuple[int, bool]] = field(default_factory=dict)
    call_in: dict[int, int] = field(default_factory=dict)
    blackouts: list[tuple[int, int, int]] = field(default_factory=list)
    notice: dict[int, tuple[tuple[int, bool] | None, ...]] = field(default_factory=dict)
    notice_given: dict[int, int] = field(default_factory=dict)
    deferred: dict[int, int] = field(default_factory=dict)


class Compiled:
    """A programme reduced to arrays in kernel order (by depth, then kind). Built once per
    programme by `scheduling.compiled`; the kernel reads nothing else."""

    def __init__(
        self,
        kinds: Sequence[int],
        levels: Sequence[int],
        cal: Sequence[int],
        calendars: Sequence[WorkCalendar],
        duration: Sequence[int],
        deadline: Sequence[int],
        start: Sequence[int],
        edges: Sequence[tuple[int, int, str, int]],
        body: Sequence[int],
        bodies: Sequence[tuple[int, int, Sequence[tuple[int, int]]]],
        window: Sequence[tuple[int, int] | None],
        dates: Sequence[int],
        statutory: Statutory | None = None,
    ):
        """kinds..start, body, window: per item in the caller's order; edges: (pred, succ, type,
        lag) in each successor's `after` order (type N: a key decision's `notice_after`); bodies:
        (calendar, papers_due, meetings as (first, last) ordinals of each meeting's window) per
        body; window: an event's (first, last) ordinals; dates: every date the programme names
        (for the calendars' span); statutory: the procedural rules, if any."""
        n = len(kinds)
        kinds_a = np.asarray(kinds, dtype=np.int64)
        levels_a = np.asarray(levels, dtype=np.int64)
        order_a = np.lexsort((np.arange(n), kinds_a, levels_a)) if n else np.zeros(0, dtype=np.int64)
        self.order = order = order_a.tolist()  # kernel index -> caller index
        pos_a = np.empty(n, dtype=np.int64)
        pos_a[order_a] = np.arange(n)
        self.pos = pos_a.tolist()

        def arr(xs: Sequence[int]) -> I64:
            return np.asarray(xs, dtype=DT)[order_a]

        self.n = n
        self.kind = kd_a = kinds_a[order_a]
        self.cal = arr(cal)
        self.calendars = list(calendars)
        self.dur = arr(duration)
        self.deadline = arr(deadline)
        self.start = arr(start)
        self.body = arr(body)
        # fixed events: the (first, last) ordinals of each window (0 for other items)
        self.wfirst = np.asarray([window[i][0] if window[i] else 0 for i in order], dtype=DT)
        self.wlast = np.asarray([window[i][1] if window[i] else 0 for i in order], dtype=DT)
        # groups: runs of one depth and kind, as (first, last + 1, kind)
        lv = levels_a[order_a]
        cut = np.flatnonzero((lv[1:] != lv[:-1]) | (kd_a[1:] != kd_a[:-1])) + 1 if n else np.zeros(0, np.int64)
        bounds = [0, *cut.tolist(), n] if n else [0]
        self.groups = [(bounds[g], bounds[g + 1], int(kd_a[bounds[g]])) for g in range(len(bounds) - 1)]
        # edges sorted by successor, each successor's in its `after` order (forward), kernel indices
        m = len(edges)
        self.m = m
        e_p = np.asarray([e[0] for e in edges], dtype=np.int64)
        e_s = np.asarray([e[1] for e in edges], dtype=np.int64)
        e_t = np.asarray([LINK_TYPES.index(e[2]) for e in edges], dtype=np.int64)
        e_l = np.asarray([e[3] for e in edges], dtype=np.int64)
        succ_k = pos_a[e_s] if m else e_s
        eo = np.lexsort((np.arange(m), succ_k)) if m else np.zeros(0, dtype=np.int64)
        self.e_succ = succ_k[eo]
        self.e_pred = pos_a[e_p][eo] if m else e_p
        typ, lag = e_t[eo], e_l[eo]
        self.e_ss, self.e_fs = typ == 1, typ == 0
        sk = kd_a[self.e_succ] if m else e_t
        self.e_sub, self.e_add, self.e_ff, self.e_ident = _edge_arrays(sk, typ, lag)
        # meeting items: SS/FF links bound the held date, FS links the papers, N links the notice
        self.e_notice = typ == 3
        self.e_held = (sk == MEETING) & ((typ == 1) | (typ == 2))
        self.e_src = np.where(self.e_ss, 0, 1)  # 0: the predecessor's start, 1: its finish
        # per group: its forward edges (main, held and notice) as index arrays with reduceat starts
        self.fwd = [self._segments(a, b, ~self.e_held & ~self.e_notice) for a, b, _ in self.groups]
        self.fwd_held = [self._segments(a, b, self.e_held) for a, b, _ in self.groups]
        self.fwd_notice = [self._segments(a, b, self.e_notice) for a, b, _ in self.groups]
        # backward: edges by predecessor
        bo = np.lexsort((np.arange(m), self.e_pred)) if m else np.zeros(0, dtype=np.int64)
        bp = self.e_pred[bo]
        self.back = []
        for a, b, _ in self.groups:
            lo_, hi_ = np.searchsorted(bp, a), np.searchsorted(bp, b)
            sel = bo[lo_:hi_]
            items = bp[lo_:hi_]
            starts = np.flatnonzero(np.r_[True, items[1:] != items[:-1]]) if len(items) else np.zeros(0, np.int64)
            self.back.append((sel, starts, items[starts] - a if len(items) else items))
        self._sets = {"fwd": self.fwd, "held": self.fwd_held, "notice": self.fwd_notice, "back": self.back}
        # meetings: every body's meetings in one array, each body's sorted by held date
        self.papers_due = np.asarray([b[1] for b in bodies], dtype=DT)
        self.body_cal = np.asarray([b[0] for b in bodies], dtype=np.int64)
        self.body_off = np.zeros(len(bodies) + 1, dtype=np.int64)
        first, last, mbody = [], [], []
        for j, (_, _, ms) in enumerate(bodies):
            for f, lst in ms:
                first.append(f)
                last.append(lst)
                mbody.append(j)
            self.body_off[j + 1] = len(first)
        self.m_first = np.asarray(first, dtype=DT)
        self.m_last = np.asarray(last, dtype=DT)
        self.m_body = np.asarray(mbody, dtype=np.int64)
        self.n_meetings = len(first)
        self.span = (min(dates), max(dates))
        self._statutory(statutory or Statutory(), order_a, len(bodies))
        reach = max([1, int(np.abs(e_l).max()) if m else 0, int(self.dur.max()) if n else 0, *(b[1] for b in bodies)])
        self.guard = 3 * reach + 40  # calendar days: more than any one link can move a date
        self.cals: Calendars | None = None
        self.meeting_base: tuple[I64, I64, I64] | None = None
        self.plain_meetings: _Meetings | None = None  # the meetings when no variant changes them
        self._ranks: dict[tuple[str, int], list[int]] = {}
        self._layouts: dict[tuple[str, int, int], _Links] = {}

    def _statutory(self, st: Statutory, order: I64, nb: int) -> None:
        n = self.n
        self.pub_days = np.full(nb, -1, dtype=DT)
        self.pub_cal = np.zeros(nb, dtype=bool)
        self.callin = np.zeros(nb, dtype=DT)
        for b, (days, cal) in st.publish.items():
            self.pub_days[b], self.pub_cal[b] = days, cal
        for b, days in st.call_in.items():
            self.callin[b] = days
        self.blackouts = [(b, f, lst) for b, f, lst in st.blackouts]
        # key decisions, kernel order: per notice rule (NOTICE_RULES) its days and whether calendar
        self.key = np.zeros(n, dtype=bool)
        self.nt_days = np.full((len(NOTICE_RULES), n), NO_RULE, dtype=DT)
        self.nt_cal = np.zeros((len(NOTICE_RULES), n), dtype=bool)
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        for i, rules in st.notice.items():
            k = pos[i]
            self.key[k] = True
            for r, rule in enumerate(rules):
                if rule is not None:
                    self.nt_days[r, k], self.nt_cal[r, k] = rule
        self.notice_given = np.full(n, NONE, dtype=DT)
        self.defer = np.full(n, NONE, dtype=DT)
        for i, d in st.notice_given.items():
            self.notice_given[pos[i]] = d
        for i, d in st.deferred.items():
            self.defer[pos[i]] = d
        # links from a meeting item with a call-in period: its successors see the day it takes effect
        pk = self.kind[self.e_pred] if self.m else np.zeros(0, dtype=np.int64)
        ci = self.callin[self.body[self.e_pred]] if self.m and nb else np.zeros(self.m, dtype=DT)
        self.e_callin = np.where((pk == MEETING) & ~self.e_ss, ci, 0).astype(DT)
        self.has_callin = bool(self.e_callin.any())
        self.has_notice = bool(self.key.any())

    def _segments(self, a: int, b: int, mask: npt.NDArray[np.bool_]) -> tuple[I64, I64, I64]:
        lo_, hi_ = np.searchsorted(self.e_succ, a), np.searchsorted(self.e_succ, b)
        idx = np.arange(lo_, hi_)[mask[lo_:hi_]]
        succ = self.e_succ[idx]
        starts = np.flatnonzero(np.r_[True, succ[1:] != succ[:-1]]) if len(idx) else np.zeros(0, np.int64)
        return idx, starts, (succ[starts] - a) if len(idx) else succ

    def links(self, role: str, g: int, many: int | None) -> _Links:
        """Group g's links of `role` ("fwd", "held", "notice": into its items; "back": out of them)
        laid out for a segmented reduction: rank by rank while more than `many` items have a link
        of that rank (every rank when there are at most two), the rest item by item (`_Links`);
        many=None: every link item by item."""
        counts = self._ranks.get((role, g))
        if counts is None:
            idx, starts, _ = self._sets[role][g]
            lens = np.diff(np.r_[starts, len(idx)])
            counts = self._ranks[role, g] = np.bincount(lens, minlength=1)[::-1].cumsum()[::-1][1:].tolist()
        ranks = 0
        if many is not None:
            ranks = len(counts) if len(counts) <= 2 else sum(c > many for c in counts)
        key = (role, g if counts else -1, ranks)  # no links: one empty layout serves every group
        lk = self._layouts.get(key)
        if lk is None:
            links = self._sets[role][g] if counts else (np.zeros(0, dtype=np.int64),) * 3
            lk = self._layouts[key] = _Links(self, role, links, ranks)
        return lk

    def calendars_for(self, lo: int, hi: int) -> Calendars:
        """The stacked calendars, covering at least lo..hi (grown and rebuilt when asked for more)."""
        c = self.cals
        if c is None or lo < c.lo or hi > c.hi:
            if c is not None:
                lo, hi = min(lo, c.lo), max(hi, c.hi)
            lo, hi = max(lo, _MIN_ORD), min(hi, _MAX_ORD)
            c = self.cals = Calendars(self.calendars, lo, hi, pad=self.guard)
            self.meeting_base = None
        return c


class _Links:
    """One group's links of one role, laid out for a segmented reduction over each item's links,
    with each link's constants. Items are sorted by their number of links, most first; the first
    `len(counts)` ranks come rank by rank (rank r: the r-th link of items 0..counts[r]-1), then the
    remaining links item by item (items 0..tail-1, from `tstarts`). A rank costs a few numpy calls
    whatever the number of variants, `ufunc.reduceat` a little per item and variant: many variants
    take ranks, one variant the tail (`Compiled.links`)."""

    def __init__(self, cp: Compiled, role: str, links: tuple[I64, I64, I64], ranks: int):
        idx, starts, where = links
        lens = np.diff(np.r_[starts, len(idx)])
        by = np.argsort(-lens, kind="stable")
        lens, starts, self.where = lens[by], starts[by], where[by]
        self.counts = [int((lens > r).sum()) for r in range(ranks)]
        self.tail = t = int((lens > ranks).sum())
        rest = lens[:t] - ranks
        self.tstarts = np.r_[0, np.cumsum(rest)[:-1]].astype(np.int64) if t else np.zeros(0, np.int64)
        pos = [starts[:c] + r for r, c in enumerate(self.counts)]
        pos.append(np.repeat(starts[:t] + ranks - self.tstarts, rest) + np.arange(rest.sum(), dtype=np.int64))
        seg = [np.arange(c) for c in self.counts] + [np.repeat(np.arange(t), rest)]
        self.seg = np.concatenate(seg).astype(np.int64)  # each link's item, as an index into `where`
        e = self.idx = idx[np.concatenate(pos).astype(np.int64)] if len(idx) else idx
        self.pred, self.succ = cp.e_pred[e].astype(DT), cp.e_succ[e]
        self.sub, self.add = cp.e_sub[e], cp.e_add[e]
        self.ff = _some(cp.e_ff[e])  # FF into a task: add 1 - duration
        ident = cp.e_ident[e]
        self.ident_all = bool(ident.all())  # milestones and meetings after a link of lag 0: x itself
        self.ident = None if self.ident_all else _some(ident)
        self.callin = _some(cp.e_callin[e])
        # a meeting predecessor's call-in counts its body's working days (its only use of `pcal`
        # besides SS into a task)
        pcal = cp.cal[self.pred]
        if self.callin is not None:
            pcal = np.where(cp.kind[self.pred] == MEETING, cp.body_cal[cp.body[self.pred]], pcal)
        self.scal, self.pcal = cp.cal[self.succ], pcal
        self.cals: Calendars | None = None
        self.col: I64
        if role != "back":  # the predecessor's start (SS) or finish, in `_Run.pt`
            self.col = cp.e_src[e] * cp.n + self.pred
            return
        # backward: the successor's latest start (tasks), latest papers (FS into meetings) or latest
        # finish, in `_Run.lt`; notice links read its latest notice, events their window's first day
        sk = cp.kind[self.succ]
        self.col = np.where(sk == TASK, 0, np.where((sk == MEETING) & cp.e_fs[e], 2, 1)) * cp.n + self.succ
        self.notice = _some(cp.e_notice[e])
        self.event = _some(sk == EVENT)
        self.ss_task = _some(cp.e_ss[e] & (cp.kind[self.pred] == TASK))

    def at(self, cals: Calendars) -> tuple[I64, I64, I64, I64]:
        """(cb, db) of each link's successor and predecessor in `cals`."""
        if self.cals is not cals:
            self.cals = cals
            self.cbdb = (cals.cbase[self.scal], cals.dbase[self.scal], cals.cbase[self.pcal], cals.dbase[self.pcal])
        return self.cbdb


def _some(x: I64) -> I64 | None:
    """x, or None where it is all zeros (a link constant that applies to none of the links)."""
    return x if x.any() else None


def _segmented(lk: _Links, x: I64, op: Any, pred: I64 | None = None) -> tuple[I64, I64 | None]:
    """Per item of `lk` (as `lk.where`), the maximum or minimum (`op`) of its links' values x
    (V, links, as laid out), and with `pred` the pred of the first link (in `after` order) that
    gives it."""
    better = np.greater if op is np.maximum else np.less
    top: I64 | None = None
    first: I64 | None = None
    off = 0
    if lk.counts:
        c0 = lk.counts[0]
        top = np.array(x[:, :c0], order="F")
        if pred is not None:
            first = np.empty(top.shape, dtype=DT, order="F")
            first[:] = pred[:c0]
        off = c0
        for c in lk.counts[1:]:
            xr, t = x[:, off : off + c], top[:, :c]
            if first is not None:
                np.copyto(first[:, :c], pred[off : off + c], where=better(xr, t))  # type: ignore[index]
            op(t, xr, out=t)
            off += c
    if lk.tail:
        rest = x[:, off:]
        tt = op.reduceat(rest, lk.tstarts, axis=1)
        tf = None
        if pred is not None:
            n = rest.shape[1]
            hit = rest == tt[:, lk.seg[off:]]
            k = np.minimum.reduceat(np.where(hit, np.arange(n), n), lk.tstarts, axis=1)
            tf = pred[off + np.minimum(k, n - 1)]
        if top is None:
            top, first = tt, tf
        else:
            t = top[:, : lk.tail]
            if first is not None:
                np.copyto(first[:, : lk.tail], tf, where=better(tt, t))  # type: ignore[arg-type]
            op(t, tt, out=t)
    assert top is not None
    return top, first


def _meeting_dates(cp: Compiled, cals: Calendars, first: I64, last: I64, body: I64) -> tuple[I64, I64, I64]:
    """The held, papers-due and first dates of meetings given as windows: a window counts as held
    on its last working day, its papers are due `papers_due` working days before its first working
    day, and no later than the agenda is published (`publish` clear days before that day); an
    exact date is held on that day, papers due `papers_due` working days before it (on it, for
    papers due 0). The one statement of the meeting rule."""
    c = cp.body_cal[body]
    cb, db = cals.cbase[c], cals.dbase[c]
    exact = first == last
    held = np.where(exact, first, cals.prv(cb, db, last))
    held = np.where(held >= first, held, last)
    day1 = np.where(exact, first, cals.nxt(cb, db, first))
    day1 = np.where(day1 <= last, day1, first)
    pd = cp.papers_due[body]
    papers = np.where(pd > 0, cals.wd(cb, db, day1, -pd), day1)
    pub = cp.pub_days[body]
    if (pub >= 0).any():
        papers = np.where(pub >= 0, np.minimum(papers, clear_before(cals, cb, db, day1, pub, cp.pub_cal[body])), papers)
    never = first >= NEVER
    return np.where(never, NEVER, held), np.where(never, NEVER, papers), np.where(never, NEVER, day1)


def published(cp: Compiled, cals: Calendars, day1: I64, body: I64) -> I64:
    """The day each meeting's agenda is published (NEVER where its body has no `publish`)."""
    c = cp.body_cal[body]
    pub = cp.pub_days[body]
    out: I64 = np.where(
        pub >= 0, clear_before(cals, cals.cbase[c], cals.dbase[c], day1, np.maximum(pub, 0), cp.pub_cal[body]), NEVER
    )
    return out


def _blacked_out(cp: Compiled, held: I64, body: I64) -> npt.NDArray[np.bool_]:
    """Meetings held inside one of their body's blackout periods (no decisions taken)."""
    out = np.zeros(np.broadcast(held, body).shape, dtype=bool)
    for b, f, lst in cp.blackouts:
        out |= (body == b) & (held >= f) & (held <= lst)
    return out


def _meetings(cp: Compiled, cals: Calendars, v: Variants) -> _Meetings:
    """The meetings of a run: built for the variants that change them, else the programme's own
    (kept with its calendars, read-only as every run shares them)."""
    m = cp.plain_meetings
    if m is None or m.cals is not cals:
        m = cp.plain_meetings = _Meetings(cp, cals, Variants())
        for x in (m.held, m.papers, m.day1, m.source):
            x.flags.writeable = False
    if v.confirm or v.extra:  # the programme's own meetings as they are, and the changed bodies'
        return _Meetings(cp, cals, v, m.own)
    return m


class _Meetings:
    """Every body's meetings sorted by (body, held date, papers date) as flat search keys, in
    segments: one per body for the programme's own meetings and, where variants change a body's
    meetings (a TBC date confirmed, an extra meeting), one per variant for that body, so that a
    run of many variants copies only what they change. `first(...)` is the one place the meeting
    rule picks a meeting."""

    def __init__(self, cp: Compiled, cals: Calendars, v: Variants, own: tuple[I64, ...] | None = None):
        """`own`: the programme's own meetings as `_sorted` lays them out (the plain run's, reused)."""
        if cp.meeting_base is None:
            cp.meeting_base = _meeting_dates(cp, cals, cp.m_first, cp.m_last, cp.m_body)
        held, papers, day1 = cp.meeting_base
        body = cp.m_body
        nb = len(cp.papers_due)
        self.nb, self.lo, self.cals = nb, cals.lo, cals
        varies = bool(v.confirm or v.extra)
        self.rows = v.n if varies else 1
        # the programme's own meetings, one segment per body
        if own is None:
            count = np.bincount(body, minlength=nb)
            own = self._sorted(cp, cals, body, count, held, papers, day1, body, np.arange(len(held)))
        self.own = own
        parts = [own]
        self.pairs: I64 | None = None  # (variant * bodies + body) of each segment of a changed body
        if varies:
            parts.append(self._varied(cp, cals, v, held, papers, day1, body))
        seg, hflat, pflat, dflat, source, hk, pk, dk, count = (np.concatenate(x) for x in zip(*parts, strict=True))
        self.held, self.papers, self.day1, self.source = (x[None, :] for x in (hflat, pflat, dflat, source))
        self.hflat, self.pflat, self.dflat = hflat, pflat, dflat
        self.seg_sorted = seg
        self.hkey = seg * _K + hk
        # papers (and first days) as a running maximum within each segment: the first meeting whose
        # papers are due on or after a day is the first whose running maximum is (papers out of
        # held order: TBC windows). Segments ascend and keys are below _K: offsetting each by its
        # segment keeps the running maximum from crossing into the next
        run = np.maximum.accumulate(pk + seg * _K) - seg * _K
        self.monotone = bool((run == pk).all())
        self.pkey = seg * _K + run
        self.dkey: I64 | None = None
        if cp.has_notice:
            run = np.maximum.accumulate(dk + seg * _K) - seg * _K
            self.monotone &= bool((run == dk).all())
            self.dkey = seg * _K + run
        # per segment: where its run ends, and where the meetings that take place end (a cancelled
        # one sorts last in its segment)
        self.seg_end = np.cumsum(count)
        live = np.zeros(len(hflat) + 1, dtype=np.int64)
        np.cumsum(hflat < NEVER, out=live[1:])
        start = self.seg_end - count
        self.real_end = start + live[self.seg_end] - live[start]
        self.keys = {"held": self.hkey, "papers": self.pkey, "day1": self.dkey}
        self.tables: dict[str, tuple[I64, int]] = {}
        self.starts: dict[tuple[int, int], tuple[I64, I64]] = {}

    @staticmethod
    def _sorted(
        cp: Compiled, cals: Calendars, seg: I64, count: I64, held: I64, papers: I64, day1: I64, body: I64, source: I64
    ) -> tuple[I64, ...]:
        """Meetings (flat: each one's segment, dates, body and source column) sorted by (segment,
        held date, papers date), a cancelled meeting (NEVER) last in its segment, ties in the
        order given; those in one of their body's blackouts as cancelled. Gives the segment, held,
        papers, first day, source column, the held, papers and first-day offsets from the
        calendars' start (below _K), and each segment's count (`count`, passed through)."""
        if cp.blackouts:  # meetings in a blackout take no decisions: as if cancelled
            out = _blacked_out(cp, held, body)
            held, papers, day1 = (np.where(out, NEVER, x) for x in (held, papers, day1))
        hk = np.minimum(held - cals.lo + 1, _K - 1)
        pk = np.minimum(papers - cals.lo + 1, _K - 1)
        one_key = not len(seg) or int(seg.max()) < 1 << 22  # (segment, held, papers) in 64 bits
        o = np.argsort((seg * _K + hk) * _K + pk, kind="stable") if one_key else np.lexsort((pk, hk, seg))
        dk = np.minimum(day1[o] - cals.lo + 1, _K - 1)
        return seg[o], held[o], papers[o], day1[o], source[o], hk[o], pk[o], dk, count

    def _varied(
        self, cp: Compiled, cals: Calendars, v: Variants, held: I64, papers: I64, day1: I64, body: I64
    ) -> tuple[I64, ...]:
        """A segment for each (variant, body) whose meetings the variant changes: the body's own
        meetings with the dates it confirms, then its extra meeting (source: the compiled count +
        the extra's index); laid out by `_sorted`, the pairs in (variant, body) order. A
        confirmation of -1 (as planned) or an extra of NEVER (none) changes nothing."""
        nb, off, m, rows = self.nb, cp.body_off, len(held), self.rows

        def per_row(values: list[Any]) -> I64:  # (rows, len(values)) from per-variant arrays
            out: I64 = np.zeros((rows, len(values)), dtype=np.int64)
            for c, x in enumerate(values):
                out[:, c] = x
            return out

        slots = np.fromiter(v.confirm, dtype=np.int64, count=len(v.confirm))
        cday = per_row(list(v.confirm.values()))
        cr, cc = np.nonzero(cday >= 0)
        bodies = np.fromiter(v.extra, dtype=np.int64, count=len(v.extra))
        given = [e if isinstance(e, tuple) else (e, None) for e in v.extra.values()]
        eday = per_row([g[0] for g in given])
        er, ec = np.nonzero(eday < NEVER)
        # the (variant, body) pairs changed, as sorted keys variant * bodies + body
        keys = np.concatenate([cr * nb + body[slots[cc]], er * nb + bodies[ec]])
        keys.sort()
        pairs = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
        self.pairs = pairs
        pb = pairs % nb
        # each pair's own meetings: its body's compiled columns, pair by pair
        count = off[pb + 1] - off[pb]
        start = np.cumsum(count) - count
        total = int(count.sum())
        pair = np.repeat(np.arange(len(pairs)), count)
        col = np.repeat(off[pb] - start, count) + np.arange(total)
        h, p, d1 = held[col], papers[col], day1[col]
        if len(cr):  # the confirmed dates
            slot, day = slots[cc], cday[cr, cc]
            ch, cpp, cd = _meeting_dates(cp, cals, day, day, body[slot])
            at = start[np.searchsorted(pairs, cr * nb + body[slot])] + slot - off[body[slot]]
            h[at], p[at], d1[at] = ch, cpp, cd
        # then the extra meetings, one per (variant, body) at most
        eb, day = bodies[ec], eday[er, ec]
        xh, xp, xd = _meeting_dates(cp, cals, day, day, eb)
        for c, (_, due) in enumerate(given):
            if due is not None:  # papers given (-1: due by the body's rule)
                due_r = per_row([due])[er, 0]
                xp = np.where((ec == c) & (due_r >= 0), due_r, xp)
        pair = np.r_[pair, np.searchsorted(pairs, er * nb + eb)]
        count = count + np.bincount(pair[total:], minlength=len(pairs))
        h, p, d1 = np.r_[h, xh], np.r_[p, xp], np.r_[d1, xd]
        return self._sorted(cp, cals, nb + pair, count, h, p, d1, pb[pair], np.r_[col, m + ec])

    def _seg(self, vrow: I64, body: I64) -> I64:
        """The segment of `body`'s meetings in variant row vrow: its own, where the variant
        changes them."""
        pairs = self.pairs
        if pairs is None or not len(pairs):
            out: I64 = vrow * 0 + body
            return out
        key = vrow * self.nb + body
        at = np.minimum(np.searchsorted(pairs, key), len(pairs) - 1)
        out = np.where(pairs[at] == key, self.nb + at, body)
        return out

    def build_tables(self) -> None:
        """Lookup tables for `position` when the meetings are the same in every variant: for each
        body and day offset, where that day falls (one gather instead of a binary search); not for
        a programme so large the tables would outweigh the searches (`TABLE_CELLS`)."""
        if self.rows > 1 or self.tables:
            return
        width = {}
        for which, keys in self.keys.items():
            if keys is None:
                continue
            off = keys - self.seg_sorted * _K  # the day offsets: keys are (body * _K + offset)
            if len(off) and off.min() < 0:  # a date before the calendars (the run is done again)
                return
            real = off[off < _K - 1]
            width[which] = int(real.max()) + 2 if len(real) else 2
        if self.nb * sum(width.values()) > TABLE_CELLS:
            return
        for which, t in width.items():
            grid = (np.arange(self.nb, dtype=np.int64)[:, None] * _K + np.arange(t)).ravel()
            self.tables[which] = (np.searchsorted(self.keys[which], grid).astype(np.int64), t)

    def position(self, which: str, vrow: I64, body: I64, day: I64, right: bool = False) -> I64:
        """Flat index of the first meeting of `body` (in variant row vrow) whose held date
        ("held"), papers-due date ("papers") or first day ("day1") is on or after `day` (after it,
        with `right`); the papers and first days as running maxima within each body, so the
        search is over sorted keys. All arguments broadcast together."""
        table = self.tables.get(which)
        off = day - self.lo + 1
        if table is not None:  # offsets past the table's last all fall where its last does
            tab, t = table
            k: I64 = body * t + (_clip(off, 0, t - 2) + 1 if right else _clip(off, 0, t - 1))
            out: I64 = tab[k]
            return out
        keys = self.keys[which]
        assert keys is not None
        k = self._seg(vrow, body) * _K + _clip(off, 0, _K - 2 if right else _K - 1)
        out = np.searchsorted(keys, k.ravel(), "right" if right else "left").reshape(k.shape)
        return out

    def at_start(self, a: int, b: int, vrow: I64, body: I64, s0: I64) -> tuple[I64, I64]:
        """The held and papers positions of items a..b-1's start dates (kept, as the programme's
        own meetings are, from run to run)."""
        out = self.starts.get((a, b))
        if out is None:
            out = self.position("held", vrow, body, s0), self.position("papers", vrow, body, s0)
            if self.rows == 1:
                self.starts[a, b] = out
        return out

    def first(self, vrow: I64, body: I64, hmin: I64, ready: I64, dmin: I64 | None = None) -> I64:
        """Flat index of the first meeting of `body` held on or after hmin whose papers are due on
        or after ready (and whose first day is on or after dmin: a key decision's notice); -1
        where there is none. All arguments broadcast together."""
        j = np.maximum(self.position("held", vrow, body, hmin), self.position("papers", vrow, body, ready))
        if dmin is not None and self.dkey is not None:
            j = np.maximum(j, self.position("day1", vrow, body, dmin))
        return self.pick(vrow, body, j, ready, dmin)

    def pick(self, vrow: I64, body: I64, j: I64, ready: I64, dmin: I64 | None = None) -> I64:
        """`first` from j, the largest of the positions of its bounds: j itself when the papers
        and first days are in held order, else the first from j that fits; -1 where none does."""
        if not self.monotone:  # papers or first days out of held order: from j, the first that fits
            last = self.seg_end[self._seg(vrow, body)]
            shape = np.broadcast_shapes(
                np.shape(j), np.shape(last), np.shape(ready), np.shape(NONE if dmin is None else dmin)
            )
            j = np.broadcast_to(j, shape)  # every variant row: the rows' meetings differ
            end = np.broadcast_to(last, j.shape)
            top = len(self.pflat) - 1
            ready_b = np.broadcast_to(ready, j.shape)
            dmin_b = np.broadcast_to(NONE if dmin is None else dmin, j.shape)

            def fits(k: I64, r: I64, d: I64) -> npt.NDArray[np.bool_]:
                k = np.minimum(k, top)
                out: npt.NDArray[np.bool_] = (self.pflat[k] >= r) & (self.dflat[k] >= d)
                return out

            slow = (j < end) & ~fits(j, ready_b, dmin_b)
            if slow.any():
                k, rs, ds, es = j[slow], ready_b[slow], dmin_b[slow], end[slow]
                found = np.full(k.shape, -1, dtype=np.int64)
                while True:
                    live = (found < 0) & (k < es)
                    if not live.any():
                        break
                    found = np.where(live & fits(k, rs, ds), k, found)
                    k = k + 1
                j = j.copy()
                j[slow] = np.where(found >= 0, found, es)
        out: I64 = np.where(j < self.real_end[self._seg(vrow, body)], j, -1)
        return out

    def last_by(self, vrow: I64, body: I64, lo: I64, bound: I64) -> tuple[I64, I64]:
        """(first, end) flat indices of the meetings of `body` held from lo to bound."""
        # a cancelled meeting's key is _K - 1: `bound` stops short of it
        return self.position("held", vrow, body, lo), self.position("held", vrow, body, bound, right=True)

    def papers_max(self, a: I64, b: I64, flat: I64 | None = None) -> I64:
        """The latest papers-due date (or value of `flat`, e.g. first days) among flat indices
        a..b-1 (NONE where empty)."""
        flat = self.pflat if flat is None else flat
        out = np.where(b > a, flat[np.maximum(b - 1, 0)], NONE)
        if not self.monotone:
            k = a.copy()
            best = np.full(a.shape, NONE, dtype=DT)
            while True:
                live = k < b
                if not live.any():
                    break
                best = np.where(live, np.maximum(best, flat[np.minimum(k, len(flat) - 1)]), best)
                k = k + 1
            out = best
        return out


def run(
    cp: Compiled, progress: Progress, variants: Variants | None = None, record: bool = True, backward: bool = True
) -> KernelResult:
    """Schedule V variants of a compiled programme: early dates forward, latest dates backward.

    Grows the calendars and runs again when a date comes near the edge of their span; raises
    OutOfRange when that would pass 1900 or 2300. `record=False` skips what only explanations
    read: ties, and every per-variant array but the dates, drivers and meetings chosen (es, ef,
    ls, lf, drv, slot) comes back with no rows; `backward=False` computes early dates only
    (Monte Carlo). Many variants run in blocks of `BLOCK`, whose arrays stay in the processor's
    caches, each writing its rows of the result.

    The per-variant arrays are item-major in memory (order "F": an item's variants side by side),
    so gathering the predecessors of a group's links copies contiguous runs of variants."""
    v = variants or Variants()
    store = _Store(cp.n, v, record)
    for a in range(0, v.n, BLOCK) if v.n > BLOCK else [0]:
        b = min(a + BLOCK, v.n)
        part = _run(cp, progress, _rows(v, a, b) if v.n > BLOCK else v, record, backward, store.rows(a, b))
        store.add(part, a)
    return store.result()


BLOCK = 1024  # variants per pass
TABLE_CELLS = 8_000_000  # the largest meeting lookup tables built (`_Meetings.build_tables`)
TABLE_VARIANTS = 64  # and only for runs of at least this many variants
RANK_ITEMS = 32  # see `_Run.many`


def _rows(v: Variants, a: int, b: int) -> Variants:
    """Variants a..b-1 of v."""

    def cut(x: Any) -> Any:
        return tuple(cut(y) for y in x) if isinstance(x, tuple) else x[a:b]

    return Variants(
        n=b - a,
        duration=None if v.duration is None else v.duration[a:b],
        remaining=None if v.remaining is None else v.remaining[a:b],
        finish_floor={k: x[a:b] for k, x in v.finish_floor.items()},
        delay={k: x[a:b] for k, x in v.delay.items()},
        on={k: x[a:b] for k, x in v.on.items()},
        confirm={k: x[a:b] for k, x in v.confirm.items()},
        extra={k: cut(x) for k, x in v.extra.items()},
        notice={k: x[a:b] for k, x in v.notice.items()},
        deadline=v.deadline,
    )


# the per-variant arrays a caller gets back; the others are computed block by block and, unless
# recorded, returned with no rows (`record=False`: only the dates, drivers and meetings chosen)
_KEPT = {"pt", "lt", "drv", "slot"}
_RECORDED = {"ddrv", "why", "conflict", "ready", "hmin", "done", "notice", "bound", "lslot", "lnotice"}


class _Store:
    """The result arrays of all V variants, allocated once: each block of variants computes into
    its rows (`rows`), and the arrays only a block needs are its own."""

    def __init__(self, n: int, v: Variants, record: bool):
        self.n, self.variants = n, v.n
        self.keep = _KEPT | _RECORDED if record else _KEPT
        # arrays that are per variant only when the variants change them: meetings, events' windows
        self.vary = set(_MEETING) if v.confirm or v.extra else set()
        self.vary |= {"window_first", "window_last"} if v.on else set()
        self.arrays: dict[str, I64] = {}
        self.parts: list[KernelResult] = []

    def rows(self, a: int, b: int) -> _Rows:
        return _Rows(self, a, b)

    def add(self, part: KernelResult, a: int) -> None:
        """A block's result; its meeting slots index its own meetings when they vary per variant,
        so they move by the meetings of the blocks before it (all side by side in one row)."""
        if "held" in self.vary and self.parts:
            shift = sum(p.held.size for p in self.parts)
            for name in ("slot", "lslot"):
                arr = getattr(part, name)
                arr[arr >= 0] += shift
        self.parts.append(part)

    def result(self) -> KernelResult:
        parts, first = self.parts, self.parts[0]
        out = {}
        for name in KernelResult.__dataclass_fields__:
            x = getattr(first, name)
            packed = _PACKED.get(name)
            if packed and packed[0] in self.arrays:  # a view of the dates packed side by side
                k, n = packed[1], self.n
                out[name] = self.arrays[packed[0]][:, k * n : (k + 1) * n]
            elif name in self.arrays:
                out[name] = self.arrays[name]
            elif name in _PER_VARIANT:
                out[name] = x[:0]  # not kept (or no rows in any block)
            elif name in self.vary and len(parts) > 1:  # meetings side by side, windows row by row
                out[name] = np.concatenate([getattr(p, name) for p in parts], axis=1 if name in _MEETING else 0)
            else:
                out[name] = x
        return KernelResult(**out)


class _Rows:
    """Variants a..b-1 of a `_Store`: where a block's `_Run` puts its arrays."""

    def __init__(self, store: _Store, a: int, b: int):
        self.store, self.a, self.b = store, a, b

    def array(self, name: str, cols: int, dtype: Any, fill: int | None = None, rows: bool = True) -> I64:
        """A (block rows, cols) array for `name` (no rows when `rows` is false), filled if asked."""
        st = self.store
        if not rows:
            return np.full((0, cols), 0 if fill is None else fill, dtype=dtype)
        if name in st.keep:
            whole = st.arrays.get(name)
            if whole is None:
                whole = st.arrays[name] = np.empty((st.variants, cols), dtype=dtype, order="F")
            out = whole[self.a : self.b]
        else:
            out = np.empty((self.b - self.a, cols), dtype=dtype, order="F")
        if fill is not None:
            out.fill(fill)
        return out


_MEETING = {"held", "papers", "source", "day1"}  # a run's meetings: one row, flat slots index it
_PACKED = {"es": ("pt", 0), "ef": ("pt", 1), "ls": ("lt", 0), "lf": ("lt", 1), "lready": ("lt", 2)}
_PER_VARIANT = {
    "es",
    "ef",
    "ls",
    "lf",
    "lready",
    "bound",
    "ready",
    "hmin",
    "slot",
    "lslot",
    "drv",
    "ddrv",
    "why",
    "conflict",
    "done",
    "notice",
    "lnotice",
}


def _run(cp: Compiled, progress: Progress, v: Variants, record: bool, backward: bool, out: _Rows) -> KernelResult:
    span_lo, span_hi = cp.span
    pad = 2 * cp.guard + 400
    lo, hi = span_lo - pad, span_hi + pad
    while True:
        cals = cp.calendars_for(lo, hi)
        run_ = _Run(cp, cals, progress, v, record, backward, out)
        res, near, beyond = run_.result()
        papers = cp.meeting_base[1] if cp.meeting_base is not None else np.zeros(0, dtype=np.int64)
        early = np.flatnonzero(papers < cals.lo)
        if len(early):  # papers due before the calendars begin: grow them, else out of range
            if cals.lo <= _MIN_ORD:
                raise OutOfRange(-1, int(cp.m_body[early[0]]))
            near = (0, near[1])
        grow_lo = near[0] is not None and cals.lo > _MIN_ORD
        grow_hi = near[1] is not None and cals.hi < _MAX_ORD
        if not (grow_lo or grow_hi):
            if beyond[0] is not None or beyond[1] is not None:
                raise OutOfRange(beyond[0] if beyond[0] is not None else beyond[1])  # type: ignore[arg-type]
            return res
        width = cals.hi - cals.lo
        lo = cals.lo - width if grow_lo else cals.lo
        hi = cals.hi + width if grow_hi else cals.hi


def _latest(x: I64) -> I64:
    """Each item's latest real date over the variants (NONE where every one is NEVER)."""
    high: I64 = x.max(axis=0)
    cols = np.flatnonzero(high >= NEVER)  # only items with no date in some variant need a second look
    if len(cols):
        high[cols] = np.where(x[:, cols] < NEVER, x[:, cols], NONE).max(axis=0)
    return high


class _Run:
    def __init__(
        self, cp: Compiled, cals: Calendars, pr: Progress, v: Variants, record: bool, backward: bool, out: _Rows
    ):
        self.cp, self.cals, self.pr, self.v, self.record, self.backward = cp, cals, pr, v, record, backward
        self.out = out

    def result(self) -> tuple[KernelResult, tuple[int | None, int | None], tuple[int | None, int | None]]:
        """Run both passes; (an item below, an item above) the calendars' safe span, if any."""
        cp, cals, v = self.cp, self.cals, self.v
        n, V = cp.n, v.n
        self.cb, self.db = cals.cbase[cp.cal], cals.dbase[cp.cal]
        self.meet = _meetings(cp, cals, v)
        if V >= TABLE_VARIANTS:
            self.meet.build_tables()
        dur = np.asarray(v.duration, dtype=DT, order="F") if v.duration is not None else np.broadcast_to(cp.dur, (V, n))
        self.durv = dur
        # links reduced rank by rank while more items than this have a link of the rank (`_Links`)
        self.many = max(4, RANK_ITEMS // max(V, 1))
        # every group writes every cell of its items, so most arrays start empty
        # early starts and finishes side by side, so one gather reads a link's start or finish
        out = self.out
        self.pt = out.array("pt", 2 * n, DT)
        es, ef = self.pt[:, :n], self.pt[:, n:]
        self.es, self.ef = es, ef
        self.drv = out.array("drv", n, DT)
        self.ddrv = out.array("ddrv", n, DT)  # the driver before progress overrides it
        self.why = out.array("why", n, np.int8, fill=0)
        self.ready = out.array("ready", n, DT)  # meeting items only
        self.hmin = out.array("hmin", n, DT)
        self.slot = out.array("slot", n, DT)
        self.notice = out.array("notice", n, DT, fill=NONE, rows=cp.has_notice)
        self.conflict = out.array("conflict", n, DT, fill=-1 if self.record else None)
        self.ties = np.zeros(cp.m, dtype=bool) if self.record else None
        # fixed events: first and last working day of each window, as confirmed in each variant
        day1, dayz = self._window_days(self.cb, self.db, cp.wfirst, cp.wlast)
        rows = V if v.on else 1
        self.day1 = np.array(np.broadcast_to(day1, (rows, n)))
        self.dayz = np.array(np.broadcast_to(dayz, (rows, n)))
        for i, day in v.on.items():
            self.day1[:, i] = np.where(day < 0, self.day1[:, i], day)
            self.dayz[:, i] = np.where(day < 0, self.dayz[:, i], day)
        # what the forward pass needs of each item whatever the variant, once for all groups
        pr = self.pr
        self.has_asof = pr.asof > NONE
        # the next working day from the status date; tasks' first working day from the start
        self.na = np.where(self.has_asof, cals.nxt(self.cb, self.db, pr.asof), NONE)
        self.day0 = cals.nxt(self.cb, self.db, cp.start)
        self.tfloor = np.maximum(self.day0, self.na)  # no task starts before either
        self.twhy = np.where(self.na > self.day0, AS_OF, START).astype(np.int8)
        self.is_done = pr.done > NONE
        # per group: whether any of its items is done, started or forecast
        firsts = [a for a, _, _ in cp.groups]
        flags = np.stack([self.is_done, pr.started > NONE, pr.forecast > NONE, cp.defer > NONE])
        per_group = np.logical_or.reduceat(flags, firsts, axis=1).tolist() if n else [[]] * len(flags)
        self.g_done, self.g_started, self.g_forecast, self.g_defer = per_group
        for g, (a, b, kind) in enumerate(cp.groups):
            self._forward(g, a, b, kind)
        # done: reported done, or a fixed event already past the status date
        self.isdone = out.array("done", n, bool)
        self.isdone[:] = (self.pr.done < NEVER) & (self.pr.done > NONE)
        ev = np.flatnonzero((cp.kind == EVENT) & (self.pr.asof > NONE))
        if len(ev):
            self.isdone[:, ev] |= ef[:, ev] < self.pr.asof[ev]
        self.any_done = bool(self.isdone.any())
        self.started_task = (self.pr.started > NONE) & (cp.kind == TASK)
        self.any_started = bool(self.started_task.any())
        back = self.backward
        # latest starts, finishes and papers side by side, so one gather reads a link's target
        self.lt = out.array("lt", 3 * n, DT, rows=back)
        self.ls, self.lf, self.lr = self.lt[:, :n], self.lt[:, n : 2 * n], self.lt[:, 2 * n :]
        self.bnd = out.array("bound", n, DT, rows=back)
        self.lslot = out.array("lslot", n, DT, rows=back)  # meeting items only
        self.lnotice = out.array("lnotice", n, DT, fill=NEVER, rows=back and cp.has_notice)  # key decisions only
        for g in range(len(cp.groups) - 1 if self.backward else -1, -1, -1):
            a, b, kind = cp.groups[g]
            self._backward(g, a, b, kind)
        # a date near the edge of the calendars' span (grow them), or past it (out of range): the
        # item the pass reached first (forwards, the earliest in order; backwards, the latest)
        meeting = np.flatnonzero(cp.kind == MEETING)
        found: dict[tuple[int, int], int] = {}
        first_out: int | None = None  # out of range, in the first pass that went out
        edges = (cals.lo + cp.guard, cals.hi - cp.guard, cals.lo, cals.hi)
        # per item, its earliest and latest real date over the variants (NEVER is no date): a start
        # is never after its finish, nor latest papers after the latest finish
        spans = [(es.min(axis=0), _latest(ef), min)]
        if self.backward:
            low = self.ls.min(axis=0)
            if len(meeting):
                low[meeting] = np.minimum(low[meeting], self.lr[:, meeting].min(axis=0))
            spans.append((low, _latest(self.lf), max))
        for low, high, pick in spans:  # the forward pass first
            in_pass: dict[tuple[int, int], int] = {}
            for which, flag in enumerate((low < edges[0], high > edges[1], low < edges[2], high > edges[3])):
                cols = np.flatnonzero(flag)
                if len(cols):
                    k = int(pick(cols))
                    key = (which // 2, which % 2)
                    in_pass[key] = pick(in_pass[key], k) if key in in_pass else k
            for key, k in in_pass.items():
                found.setdefault(key, k)
            if first_out is None:
                first_out = in_pass.get((1, 0), in_pass.get((1, 1)))
        near = (found.get((0, 0)), found.get((0, 1)))
        res = KernelResult(
            es,
            ef,
            self.ls,
            self.lf,
            self.lr,
            self.bnd,
            self.ready,
            self.hmin,
            self.slot,
            self.lslot,
            self.drv,
            self.ddrv,
            self.why,
            self.ties,
            self.conflict,
            self.isdone,
            self.meet.held,
            self.meet.papers,
            self.meet.source,
            self.day1,
            self.dayz,
            self.notice,
            self.lnotice,
            self.meet.day1,
        )
        return res, near, (first_out, None)

    # ---- forward ---------------------------------------------------------------------------
    def _links(self, role: str, g: int, ranks: bool = True) -> _Links:
        return self.cp.links(role, g, self.many if ranks else None)

    def _gather(self, lk: _Links) -> I64:
        """Each link's earliest date for its successor (NEVER if the predecessor is not placed)."""
        cals = self.cals
        x = self.pt[:, lk.col]
        placed = x < NEVER
        scb, sdb, pcb, pdb = lk.at(cals)
        if lk.callin is not None:  # a decision subject to call-in takes effect its N-th working day after
            x = np.where((lk.callin > 0) & placed, cals.wd(pcb, pdb, x, lk.callin), x)
        if lk.ident_all:
            cand = x
        else:
            k = cals.cnt(scb, x, lk.sub)
            if lk.ff is not None:  # FF into a task: its start is duration - 1 working days before
                k += lk.ff * (1 - self.durv[:, lk.succ])
            cand = cals.day(sdb, k, lk.add)
            if lk.ident is not None:
                cand = np.where(lk.ident, x, cand)
        out: I64 = np.where(placed, cand, NEVER)
        return out

    def _reduce(self, role: str, g: int, a: int, b: int, init: I64 | int) -> tuple[I64, I64]:
        """(best date, driving predecessor or -1) of items a..b-1 over their links of `role`: the
        latest date a link gives, if later than init, and the first link (in `after` order) that
        gives it."""
        V = self.v.n
        best = np.empty((V, b - a), dtype=DT, order="F")
        best[:] = init
        drv = np.full((V, b - a), -1, dtype=DT, order="F")
        lk = self._links(role, g)
        if len(lk.idx) == 0:
            return best, drv
        cand = self._gather(lk)
        top, first = _segmented(lk, cand, np.maximum, lk.pred)
        assert first is not None
        w = lk.where
        bw = best[:, w]
        drv[:, w] = np.where(top > bw, first, -1)
        best[:, w] = np.maximum(top, bw)
        if self.ties is not None:
            self.ties[lk.idx] = (cand == top[:, lk.seg])[0]
        return best, drv

    def _forward(self, g: int, a: int, b: int, kind: int) -> None:
        cp, cals, pr = self.cp, self.cals, self.pr
        sl = slice(a, b)
        cb, db = self.cb[sl], self.db[sl]
        s0 = cp.start[sl]
        asof = pr.asof[sl]  # NONE where there is no status date
        has_asof = self.has_asof[sl]
        done, started, fc = pr.done[sl], pr.started[sl], pr.forecast[sl]
        is_done = self.is_done[sl]
        if kind == EVENT:
            day1, held = self.day1[:, sl], self.dayz[:, sl]
            d = np.maximum(held, fc)
            why = np.where(fc > held, FORECAST, FIXED)
            d, why = self._floor(a, b, d, why)
            drv = np.full((self.v.n, b - a), -1, dtype=DT)  # a fixed event is driven by nothing
            lk = self._links("fwd", g, ranks=False)
            idx, starts, where, pred = lk.idx, lk.tstarts, lk.where, lk.pred
            if len(idx):
                cand = self._gather(lk)
                local = where[lk.seg]
                # after an item that cannot be scheduled, the event cannot be either (unless done)
                unplaced = cand >= NEVER
                first = np.minimum.reduceat(np.where(unplaced, np.arange(len(idx)), len(idx)), starts, axis=1)
                stop = np.where(first < len(idx), pred[np.minimum(first, len(idx) - 1)], -1)
                drv[:, where] = stop
                blocked = (drv >= 0) & ~is_done
                d = np.where(blocked, NEVER, d)
                why = np.where(blocked, BLOCKED, why)
                drv = np.where(blocked, drv, -1)
                # a predecessor that cannot finish in time for the event: a conflict to report
                late = (cand > np.broadcast_to(day1, (self.v.n, b - a))[:, local]) & ~unplaced
                first = np.minimum.reduceat(np.where(late, np.arange(len(idx)), len(idx)), starts, axis=1)
                conf = np.where(first < len(idx), pred[np.minimum(first, len(idx) - 1)], -1)
                self.conflict[:, a + where] = np.where(is_done[where], -1, conf)
            d = np.where(is_done, done, d)
            why = np.where(is_done, DONE, why)
            self.es[:, sl] = self.ef[:, sl] = d
            self.why[:, sl] = why
            self.drv[:, sl] = drv
            self.ddrv[:, sl] = -1
            return
        if kind == MEETING:
            self._meeting(g, a, b, cb, db, s0, asof, has_asof, is_done, done, fc)
            return
        edge, drv = self._reduce("fwd", g, a, b, NONE)
        rec = self.record  # what set each date is kept for explanations only
        blocked = edge >= NEVER
        na = self.na[sl]
        why = np.zeros((), dtype=np.int8)
        if kind == TASK:
            floor = self.tfloor[sl]  # no task starts before the start, or before the status date
            use = edge < floor
            s = np.maximum(edge, floor)
            drv = np.where(use, -1, drv)
            if rec:
                self.ddrv[:, sl] = np.where(edge < self.day0[sl], -1, drv)
                why = np.where(use, self.twhy[sl], DEPS).astype(np.int8)
            dur = self.durv[:, sl]
            k = cals.cnt(cb, s)
            k += dur
            f = cals.day(db, k, -2)  # duration - 1 working days after s
            # in progress: the finish comes from the status date, not the predecessors
            is_started = (started > NONE) & ~is_done
            if self.g_started[g] and is_started.any():
                rem = pr.remaining[sl] if self.v.remaining is None else self.v.remaining[:, sl].astype(DT)
                na1 = cals.nxt(cb, db, asof)
                f_rem = np.where(rem > 0, cals.day(db, cals.cnt(cb, na1) - 1 + rem - 1), asof)
                f_dur = cals.day(db, cals.cnt(cb, cals.nxt(cb, db, started)) - 1 + dur - 1)
                late = has_asof & (f_dur < na1)
                f_st = np.where(late, na1, f_dur)
                why_st = np.where(late, AS_OF, STARTED)
                use_rem = (pr.remaining[sl] >= 0) & has_asof
                f_st = np.where(use_rem, f_rem, f_st)
                why_st = np.where(use_rem, REMAINING, why_st)
                s = np.where(is_started, started, s)
                f = np.where(is_started, f_st, f)
                why = np.where(is_started, why_st, why)
                drv = np.where(is_started, -1, drv)
                blocked = blocked & ~is_started
            if self.g_forecast[g]:  # a forecast pushes the finish later, never earlier
                fl = np.where(fc > NONE, cals.prv(cb, db, fc), NONE)
                later = fl > f
                f, why, drv = np.where(later, fl, f), np.where(later, FORECAST, why), np.where(later, -1, drv)
            f, why, drv = self._floor(a, b, f, why, drv, task=True)
            s, f = self._delay(a, b, s, f)
            if self.g_done[g]:
                n1 = dur - 1
                s_done = np.where(
                    started > NONE,
                    started,
                    np.where(n1 > 0, cals.day(db, cals.cnt(cb, cals.nxt(cb, db, done) - 1) - n1), done),
                )
                s = np.where(is_done, s_done, s)
                f = np.where(is_done, done, f)
                why = np.where(is_done, DONE, why)
                drv = np.where(is_done, -1, drv)
                blocked = blocked & ~is_done
        else:  # milestone: on the day its links give, not before the start; held back by the status date
            t = np.maximum(edge, s0)
            use = t < asof
            best = np.where(use, na, t)
            early = edge < s0
            if rec:
                self.ddrv[:, sl] = np.where(early, -1, drv)
                why = np.where(use, AS_OF, np.where(early, START, DEPS)).astype(np.int8)
            drv = np.where(use | early, -1, drv)
            if self.g_forecast[g]:
                later = fc > best
                best, drv, why = np.where(later, fc, best), np.where(later, -1, drv), np.where(later, FORECAST, why)
            best, why, drv = self._floor(a, b, best, why, drv)
            best = self._delay(a, b, best, best)[0]
            s = f = best
            if self.g_done[g]:
                s = f = np.where(is_done, done, best)
                why = np.where(is_done, DONE, why)
                drv = np.where(is_done, -1, drv)
                blocked = blocked & ~is_done
        if blocked.any():
            s, f, why = np.where(blocked, NEVER, s), np.where(blocked, NEVER, f), np.where(blocked, BLOCKED, why)
        self.es[:, sl], self.ef[:, sl] = s, f
        if rec:
            self.why[:, sl] = why
        self.drv[:, sl] = drv

    def _floor(self, a: int, b: int, f: I64, why: I64, drv: I64 | None = None, task: bool = False):  # type: ignore[no-untyped-def]
        """Apply the variants' finish floors (slips) to items a..b-1."""
        floors = [(i, x) for i, x in self.v.finish_floor.items() if a <= i < b]
        if not floors:
            return (f, why) if drv is None else (f, why, drv)
        f, why = np.array(np.broadcast_to(f, (self.v.n, b - a))), np.array(np.broadcast_to(why, (self.v.n, b - a)))
        if drv is not None:
            drv = np.array(np.broadcast_to(drv, (self.v.n, b - a)))
        for i, x in floors:
            k = i - a
            if task:
                x = self.cals.prv(self.cb[i], self.db[i], x)
            later = x > f[:, k]
            f[:, k] = np.where(later, x, f[:, k])
            why[:, k] = np.where(later, FORECAST, why[:, k])
            if drv is not None:
                drv[:, k] = np.where(later, -1, drv[:, k])
        return (f, why) if drv is None else (f, why, drv)

    def _delay(self, a: int, b: int, s: I64, f: I64) -> tuple[I64, I64]:
        """Move items a..b-1 that the variants slip by their delay, in working days."""
        slips = [(i, k) for i, k in self.v.delay.items() if a <= i < b]
        if not slips:
            return s, f
        s, f = np.array(np.broadcast_to(s, (self.v.n, b - a))), np.array(np.broadcast_to(f, (self.v.n, b - a)))
        for i, k in slips:
            j = i - a
            cb, db = self.cb[i], self.db[i]
            s[:, j] = np.where(k > 0, self.cals.wd(cb, db, s[:, j], k), s[:, j])
            f[:, j] = np.where(k > 0, self.cals.wd(cb, db, f[:, j], k), f[:, j])
        return s, f

    def _window_days(self, cb: I64, db: I64, first: I64, last: I64) -> tuple[I64, I64]:
        """(first working day, last working day) of windows; exact dates as given."""
        exact = first == last
        a = np.where(exact, first, self.cals.nxt(cb, db, first))
        z = np.where(exact, last, self.cals.prv(cb, db, last))
        ok = a <= z
        return np.where(ok, a, first), np.where(ok, z, last)

    def _meeting(self, g, a, b, cb, db, s0, asof, has_asof, is_done, done, fc) -> None:  # type: ignore[no-untyped-def]
        cp, V, rec = self.cp, self.v.n, self.record
        sl = slice(a, b)
        ready, rd = self._reduce("fwd", g, a, b, s0)
        hmin, hd = self._reduce("held", g, a, b, s0)
        blocked = (ready >= NEVER) | (hmin >= NEVER)
        # the earliest day it may be held, and what set it: its SS/FF links or the start, then the
        # status date, a forecast, the day after its last deferral (each NONE where absent)
        hwhy = np.where(hd >= 0, DEPS, START) if rec else np.zeros((), dtype=np.int8)
        later_by = ((asof, AS_OF, True), (fc, FORECAST, self.g_forecast[g]), (cp.defer[sl], DEFERRED, self.g_defer[g]))
        for day, code, present in later_by:
            if present:
                later = day > hmin
                hmin = np.maximum(hmin, day)
                hd = np.where(later, -1, hd)
                if rec:
                    hwhy = np.where(later, code, hwhy)
        hmin, hwhy, hd = self._floor(a, b, hmin, hwhy, hd)
        body = cp.body[sl]
        vrow = np.arange(V)[:, None] if self.meet.rows > 1 else np.zeros((1, 1), dtype=np.int64)
        dmin, nd = None, None
        if cp.has_notice and cp.key[sl].any():
            dmin, nd, blocked = self._notice(g, a, b, cb, db, s0, asof, has_asof, blocked)  # type: ignore[no-untyped-call]
        # `first` for the meeting and for each bound on its own, from the positions of the bounds
        meet = self.meet
        jh, jp = meet.position("held", vrow, body, hmin), meet.position("papers", vrow, body, ready)
        free = np.maximum(jh, jp)
        at = free if dmin is None or meet.dkey is None else np.maximum(free, meet.position("day1", vrow, body, dmin))
        j = meet.pick(vrow, body, at, ready, dmin)
        found = j >= 0
        # the papers' chain drives, unless the held-date bound alone forces a later meeting
        hs0, ps0 = meet.at_start(a, b, vrow, body, s0)
        j_ready = meet.pick(vrow, body, np.maximum(hs0, jp), ready)
        j_held = meet.pick(vrow, body, np.maximum(jh, ps0), s0)
        held_drives = ((j_held >= 0) & ((j_ready < 0) | (j_held > j_ready))) | (rd < 0)
        drv = np.where(held_drives, hd, rd)
        why = np.where(held_drives, hwhy, DEPS) if rec else hwhy
        if dmin is not None and nd is not None:  # the notice holds it back: later than it would be
            j_free = meet.pick(vrow, body, free, ready)
            by_notice = found & (j != j_free)
            drv, why = np.where(by_notice, nd, drv), np.where(by_notice, NOTICE, why)
        if not found.all():
            why = np.where(found, why, NO_MEETING)
            drv = np.where(found, drv, rd)
        held = meet.hflat[np.maximum(j, 0)]
        if blocked.any():  # blocked: the first predecessor that cannot be scheduled
            why = np.where(blocked, BLOCKED, why)
            stop = (
                np.where(ready >= NEVER, rd, hd)
                if nd is None
                else np.where(ready >= NEVER, rd, np.where(hmin >= NEVER, hd, nd))
            )
            drv = np.where(blocked, stop, drv)
            found &= ~blocked
            j = np.where(blocked, -1, j)
        held = np.where(found, held, NEVER)
        if rec:
            self.ddrv[:, sl] = np.where(rd >= 0, rd, hd)
        if self.g_done[g]:
            jd = self.meet.first(vrow, body, done, np.asarray(NONE))
            exact = (jd >= 0) & (self.meet.hflat[np.maximum(jd, 0)] == done)
            held = np.where(is_done, done, held)
            j = np.where(is_done, np.where(exact, jd, -1), j)
            why = np.where(is_done, DONE, why)
            drv = np.where(is_done, -1, drv)
        self.es[:, sl] = self.ef[:, sl] = held
        self.slot[:, sl] = j
        self.drv[:, sl] = drv
        if rec:
            self.ready[:, sl], self.hmin[:, sl] = ready, hmin
            self.why[:, sl] = why

    def _notice(self, g, a, b, cb, db, s0, asof, has_asof, blocked):  # type: ignore[no-untyped-def]
        """Key decisions among items a..b-1: the first day a meeting may be held given the notice
        (published once the `notice_after` items finish, not before the start nor, until given,
        the status date), the notice's driver, and `blocked` with items whose notice cannot be
        published."""
        cp, sl = self.cp, slice(a, b)
        key = cp.key[sl]
        bc = cp.body_cal[cp.body[sl]]  # notice counts the body's working days
        cb, db = self.cals.cbase[bc], self.cals.dbase[bc]
        ready, nd = self._reduce("notice", g, a, b, s0)
        nblocked = ready >= NEVER
        low = has_asof & (asof > ready)
        ready, nd = np.where(low, asof, ready), np.where(low, -1, nd)
        ready = self.cals.nxt(cb, db, ready)  # published on a working day
        given = cp.notice_given[sl]
        ready = np.where(given > NONE, given, ready)
        nd = np.where(given > NONE, -1, nd)
        nblocked &= given <= NONE
        days, cal = self._notice_rule(a, b)
        floor = _notice_floor(self.cals, cb, db, ready, np.maximum(days, 0), cal)
        floor = np.where(key & (days != NO_NOTICE), floor, NONE)
        self.notice[:, sl] = np.where(key & ~nblocked, ready, NONE)
        return np.where(nblocked & key, NONE, floor), nd, blocked | (nblocked & key)

    # ---- backward --------------------------------------------------------------------------
    def _backward(self, g: int, a: int, b: int, kind: int) -> None:
        cp, cals, V = self.cp, self.cals, self.v.n
        sl = slice(a, b)
        bound = np.empty((V, b - a), dtype=DT, order="F")
        bound[:] = (cp.deadline if self.v.deadline is None else self.v.deadline)[sl]
        lk = self._links("back", g)
        if len(lk.idx):
            target = self.lt[:, lk.col]
            if lk.notice is not None:  # notice links: the latest day the notice can be published
                target = np.where(lk.notice, self.lnotice[:, lk.succ], target)
            if lk.event is not None:
                # an event leading to a deadline asks for its predecessors by its window's first working day
                target = np.where(lk.event & (target < NEVER), self.day1[:, lk.succ], target)
            # successors that are done, and tasks once started, impose nothing
            free = target >= NEVER
            if self.any_done:
                free |= self.isdone[:, lk.succ]
            if self.any_started:
                free |= self.started_task[lk.succ]
            scb, sdb, pcb, pdb = lk.at(cals)
            if lk.ident_all:
                x = target
            else:  # the inverse of the forward rule: days[count[target] - 1 - add] - 1 + sub
                k = cals.cnt(scb, target)
                if lk.ff is not None:
                    k -= lk.ff * (1 - self.durv[:, lk.succ])
                x = cals.day(sdb, k, -1 - lk.add)
                x += lk.sub - 1
                if lk.ident is not None:
                    x = np.where(lk.ident, target, x)
            # SS: x bounds the predecessor's start; a task then finishes duration - 1 working days on
            if lk.callin is not None:  # x bounds the day a decision takes effect: the latest y with wd(y, N) <= x
                x = np.where((lk.callin > 0) & (x < NEVER), cals.day(pdb, cals.cnt(pcb, x) - lk.callin) - 1, x)
            if lk.ss_task is not None:
                xs = cals.day(pdb, cals.cnt(pcb, x) - 1 + self.durv[:, lk.pred] - 1)
                x = np.where(lk.ss_task, xs, x)
            np.copyto(x, NEVER, where=free)
            low, _ = _segmented(lk, x, np.minimum)
            w = lk.where
            bound[:, w] = np.minimum(bound[:, w], low)
        if self.record:
            self.bnd[:, sl] = bound
        unbounded = bound >= NEVER
        cb, db = self.cb[sl], self.db[sl]
        if kind == TASK:
            # the last working day on or before the bound, and duration - 1 working days before it
            # (its count is the bound's: cnt(prv(o)) = cnt(o), clipping included)
            c = cals.cnt(cb, bound)
            lf = cals.day(db, c, -1)
            ls = cals.day(db, np.subtract(c, self.durv[:, sl]))
            np.copyto(lf, NEVER, where=unbounded)
            np.copyto(ls, NEVER, where=unbounded)
            self.lf[:, sl], self.ls[:, sl] = lf, ls
        elif kind == MEETING:
            body = cp.body[sl]
            vrow = np.arange(V)[:, None] if self.meet.rows > 1 else np.zeros((1, 1), dtype=np.int64)
            lo = np.maximum(self.pr.asof[sl], cp.defer[sl])
            if self.any_done:
                lo = np.where(self.isdone[:, sl], NONE, lo)
            meet = self.meet
            ja, jb = meet.last_by(vrow, body, lo, bound)
            r = meet.papers_max(ja, jb)
            r = np.where(r >= cp.start[sl], r, NONE)  # papers due before the start are never taken
            j = np.where(r > NONE, meet.pick(vrow, body, np.maximum(ja, meet.position("papers", vrow, body, r)), r), -1)
            held = self.meet.hflat[np.maximum(j, 0)]
            ok = (j >= 0) & (held <= bound)
            bc = cp.body_cal[body]  # papers count the body's working days
            lr_none = cals.day(cals.dbase[bc], cals.cnt(cals.cbase[bc], bound), -1 - cp.papers_due[body])
            lf = np.where(ok, held, bound)
            lr = np.where(ok, r, lr_none)
            np.copyto(lf, NEVER, where=unbounded)
            np.copyto(lr, NEVER, where=unbounded)
            self.lf[:, sl] = self.ls[:, sl] = lf
            self.lr[:, sl] = lr
            if self.record:
                self.lslot[:, sl] = np.where(ok & ~unbounded, j, -1)
            if cp.has_notice and cp.key[sl].any():
                self._latest_notice(a, b, cb, db, ja, jb, bound, unbounded)
        else:
            self.lf[:, sl] = self.ls[:, sl] = bound

    def _notice_rule(self, a: int, b: int) -> tuple[I64, I64]:
        """(clear days, calendar?) of the notice each key decision among items a..b-1 is taken
        under in each variant (`Variants.notice`; the body's `notice` unless a variant says)."""
        rule = np.zeros((self.v.n, b - a), dtype=np.int64)
        for i, r in self.v.notice.items():
            if a <= i < b:
                rule[:, i - a] = r
        cols = np.arange(a, b)[None, :]
        return self.cp.nt_days[rule, cols], self.cp.nt_cal[rule, cols]

    def _latest_notice(self, a, b, cb, db, ja, jb, bound, unbounded) -> None:  # type: ignore[no-untyped-def]
        """Key decisions among items a..b-1: the latest day notice can be published for the latest
        meeting they may take (`clear_before` its first day; the bound itself where no meeting
        fits), unless it has been given."""
        cp, sl = self.cp, slice(a, b)
        bc = cp.body_cal[cp.body[sl]]
        cb, db = self.cals.cbase[bc], self.cals.dbase[bc]
        days, cal = self._notice_rule(a, b)
        first = self.meet.papers_max(ja, jb, self.meet.dflat)
        m = np.where(first > NONE, first, bound)
        ln = clear_before(self.cals, cb, db, m, np.maximum(days, 0), cal)
        free = ~cp.key[sl] | (days == NO_NOTICE) | (cp.notice_given[sl] > NONE) | unbounded | self.isdone[:, sl]
        self.lnotice[:, sl] = np.where(free, NEVER, ln)
