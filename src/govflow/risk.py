"""`govflow risk`: how likely each deadline is, meeting by meeting.

Monte Carlo on the engine's variant axis: each run is one variant of the plan, and a chunk of
runs is one kernel call. What varies (DESIGN.md, README "Risk"):

- a task with `range` takes a whole number of working days drawn from its distribution
  (`uniform`: each whole number from optimistic to pessimistic equally likely; `triangular`
  and `pert`: a continuous draw rounded to the nearest day, at least 1); a task in progress
  takes its `remaining` days scaled by the same draw;
- a meeting or fixed event in a window (TBC) is confirmed on a working day of the window,
  uniformly; a body's `cancel_rate` is the share of runs in which each of its meetings does
  not take place;
- each `risks:` entry occurs with its probability and then delays the items it names;
- with `risk: {correlation: r}` the duration draws of a timeline share one common factor
  (a Gaussian copula): every pair has rank correlation r.

Runs come in chunks of `CHUNK` (fewer for a programme of more than 20,000 items), each from its
own stream of a `numpy.random.SeedSequence` of the seed, so results are the same for a seed
whatever the number of workers. Each duration is drawn
by the inverse of its distribution function from one uniform number, so widening a bound never
shortens a draw: a wider pessimistic bound cannot raise P(met).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from . import kernel as K
from .errors import GovflowError
from .explain import fmt
from .model import Programme
from .scheduling import Plan, Schedule, compiled, run_variants, schedule

__all__ = [
    "CHUNK",
    "RUNS",
    "SEED",
    "DeadlineRisk",
    "MeetingRisk",
    "RiskResult",
    "declares_risk",
    "overview",
    "render_html",
    "render_json",
    "render_text",
    "runs_shown",
    "simulate",
]

CHUNK = 1000  # runs per kernel call and per random stream (fewer for a large programme: `_chunk_size`)
DENSE_PAIRS = 20_000_000  # deadlines x items up to which driving-path counts are kept in a dense table
CELLS = 20_000_000  # runs x items per kernel call: bounds the memory a chunk takes (about 30 bytes each)
_NORMAL_QUANTILE_975 = 1.959963984540054
_DRIVING_SHOWN = 5  # items named as most often on a deadline's driving path (text and HTML)


class RiskError(GovflowError):
    """A risk analysis that cannot run as asked (e.g. --scheduler without Dask installed)."""


@dataclass(frozen=True, slots=True)
class DeadlineRisk:
    key: str
    title: str
    deadline: date
    p_met: float
    p_met_low: float
    p_met_high: float
    p50: date | None  # None: not reached in that share of runs (the deadline cannot be scheduled)
    p80: date | None
    p90: date | None
    forecast: date | None  # the plan's own (deterministic) forecast
    forecast_percentile: float | None  # the share of runs finishing by the plan's forecast, in %
    p_unscheduled: float
    finishes: tuple[tuple[date, float], ...]  # each finish date and the share of runs on it
    sensitivity: tuple[Sensitivity, ...] = ()
    criticality: tuple[tuple[str, float], ...] = ()  # items on this deadline's driving path, share of runs


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """How one uncertain input moves a deadline: rank correlation with its finish, and P(met) with
    the input held at its optimistic and its pessimistic value."""

    input: str
    rank_correlation: float
    p_met_optimistic: float | None
    p_met_pessimistic: float | None


@dataclass(frozen=True, slots=True)
class MeetingRisk:
    key: str
    body: str
    dates: tuple[tuple[date, float], ...]
    p_unscheduled: float


@dataclass(frozen=True, slots=True)
class RiskResult:
    runs: int
    seed: int
    as_of: date | None
    deadlines: tuple[DeadlineRisk, ...]
    meetings: tuple[MeetingRisk, ...]
    criticality: dict[str, float] = field(default_factory=dict)
    inputs: int = 0  # how many uncertain inputs the plan has


# ---- the uncertain inputs of a plan ------------------------------------------------------------


@dataclass(slots=True)
class _Task:
    k: int  # kernel position
    name: str
    low: int
    likely: int
    high: int
    dist: str
    timeline: int
    duration: int
    remaining: int  # -1 when not in progress with `remaining`


@dataclass(slots=True)
class _Inputs:
    tasks: list[_Task]
    events: list[tuple[int, str, np.ndarray]]  # kernel position, name, working days of the window
    meetings: list[tuple[int, str, np.ndarray, float]]  # compiled slot, name, days (empty: exact), cancel rate
    risks: list[tuple[str, float, list[tuple[str, int, int, int]]]]  # id, p, (kind, k, low, high)
    correlation: list[float]  # per timeline
    names: list[str]  # every sampled input, in the order of the samples' columns
    touches: list[list[int]]  # per input (same order): the items it acts on (kernel positions)


def _inputs(sched: Schedule, plan: Plan) -> _Inputs:
    p = sched.programme
    cp = plan.compiled
    status = [sched.status_override or t.as_of for t in p.timelines]
    tix = {t.id: j for j, t in enumerate(p.timelines)}
    label = p.label
    tasks, events, meetings = [], [], []
    for i, key in enumerate(plan.keys):
        item = plan.items[i]
        k = cp.pos[i]
        t = tix[item.timeline]
        sd = status[t]
        done = item.done is not None and (sd is None or item.done <= sd)
        if done:
            continue
        if item.range is not None and item.kind == "task":
            low, likely, high = item.range
            dist = item.distribution or p.timelines[t].risk.distribution
            started = item.started is not None and (sd is None or item.started <= sd)
            rem = item.remaining if started and item.remaining is not None and sd is not None else -1
            if high > low:
                tasks.append(_Task(k, label(key), low, likely, high, dist, t, item.duration, rem))
        if item.on is not None and not item.on.exact:
            cal = sched.calendar(key)
            days = np.asarray([d.toordinal() for d in cal.days(item.on.first, item.on.last)], dtype=np.int64)
            if len(days) > 1:
                events.append((k, f"{label(key)} ({item.on.text or item.on})", days))
    for b, (ti, bid) in enumerate(plan.body_ids):
        body = plan.body(b)
        cal = plan.cals[plan.timeline_cal[ti]]
        off = cp.body_off
        for slot in range(int(off[b]), int(off[b + 1])):
            m = plan.meetings[slot]
            days = np.zeros(0, dtype=np.int64)
            if not m.when.exact:
                days = np.asarray([d.toordinal() for d in cal.days(m.when.first, m.when.last)], dtype=np.int64)
            if len(days) > 1 or body.cancel_rate > 0:
                name = f"{body.name} meeting {m.when.text or m.when}" + (
                    "" if len(plan.timelines) == 1 else f" ({bid})"
                )
                meetings.append((slot, name, days if len(days) > 1 else np.zeros(0, dtype=np.int64), body.cancel_rate))
    risks: list[tuple[str, float, list[tuple[str, int, int, int]]]] = []
    for timeline in p.timelines:
        for r in timeline.risks:
            delays: list[tuple[str, int, int, int]] = []
            for key, low, high in r.delays:
                i = plan.index[key]
                delays.append((plan.items[i].kind, cp.pos[i], low, high))
            risks.append((r.id, r.probability, delays))
    names = (
        [x.name for x in tasks] + [e[1] for e in events] + [m[1] for m in meetings] + [f"risk {r[0]}" for r in risks]
    )
    at_body: dict[int, list[int]] = {}  # a meeting slot acts on the meeting items at its body
    for k in np.flatnonzero(cp.kind == K.MEETING).tolist():
        at_body.setdefault(int(cp.body[k]), []).append(k)
    touches = (
        [[x.k] for x in tasks]
        + [[e[0]] for e in events]
        + [at_body.get(int(cp.m_body[m[0]]), []) for m in meetings]
        + [[d[1] for d in r[2]] for r in risks]
    )
    return _Inputs(tasks, events, meetings, risks, [t.risk.correlation for t in p.timelines], names, touches)


def _triangular(u: np.ndarray, a: Any, c: Any, b: Any) -> np.ndarray:
    """Inverse distribution function of the triangular distribution (a <= c <= b; arrays of
    them, one per column of u, give each column its own)."""
    if np.ndim(b) == 0 and b <= a:
        return np.full(u.shape, a, dtype=float)
    lower = u < (c - a) / (b - a)  # b > a for every task that varies (`_inputs`)
    # a + sqrt(u (b - a) (c - a)) below the mode, b - sqrt((1 - u) (b - a) (b - c)) above it
    root = np.sqrt(np.where(lower, u, 1 - u) * (b - a) * np.where(lower, c - a, b - c))
    out: np.ndarray = np.where(lower, a + root, b - root)
    return out


def _pert(u: np.ndarray, a: float, c: float, b: float) -> np.ndarray:
    """Inverse distribution function of the PERT (beta) distribution, from its distribution
    function tabulated on a fine grid (numerical integration of the density)."""
    if b <= a:
        return np.full(u.shape, a, dtype=float)
    alpha = 1 + 4 * (c - a) / (b - a)
    beta = 1 + 4 * (b - c) / (b - a)
    x = np.linspace(0.0, 1.0, 4097)
    mid = (x[1:] + x[:-1]) / 2
    density = mid ** (alpha - 1) * (1 - mid) ** (beta - 1)
    cdf = np.concatenate([[0.0], np.cumsum(density)])
    cdf /= cdf[-1]
    out: np.ndarray = a + (b - a) * np.interp(u, cdf, x)
    return out


def _draw(task: _Task, u: np.ndarray) -> np.ndarray:
    """Whole working days for a task from uniform numbers u."""
    a, c, b = task.low, task.likely, task.high
    if task.dist == "uniform":
        out: np.ndarray = np.minimum(a + np.floor(u * (b - a + 1)), b).astype(np.int64)
        return out
    x = _triangular(u, a, c, b) if task.dist == "triangular" else _pert(u, a, c, b)
    return np.maximum(np.floor(x + 0.5), 1).astype(np.int64)


def _draws(tasks: list[_Task], u: np.ndarray, block: int = 1 << 18) -> np.ndarray:
    """`_draw` for every task at once (u: tasks x runs), the same arithmetic row by row, in
    blocks of about `block` numbers so that the temporaries stay small; PERT tasks one by one
    (each has its own tabulated distribution)."""
    out = np.empty(u.shape, dtype=K.DT)
    a, c, b = (np.asarray([getattr(t, f) for t in tasks], dtype=np.int64)[:, None] for f in ("low", "likely", "high"))
    dist = np.asarray([t.dist for t in tasks])
    step = max(1, block // max(u.shape[1], 1))
    for rows in (np.flatnonzero(dist == "uniform"), np.flatnonzero(dist == "triangular")):
        for i in range(0, len(rows), step):
            r = rows[i : i + step]
            ar, cr, br, ur = a[r], c[r], b[r], u[r]
            if dist[r[0]] == "uniform":
                out[r] = np.minimum(ar + np.floor(ur * (br - ar + 1)), br)
            else:
                x = _triangular(ur, ar, cr, br)
                out[r] = np.maximum(np.floor(x + 0.5), 1)
    for j in np.flatnonzero((dist != "uniform") & (dist != "triangular")).tolist():
        out[j] = _draw(tasks[j], u[j])
    return out


def _uniforms(rng: np.random.Generator, n: int, inputs: _Inputs) -> np.ndarray:
    """One uniform number per run and task; within a timeline with a correlation, from a Gaussian
    copula with one common factor (turned into uniforms by rank, so no normal quantiles are
    needed: the ranks carry the copula)."""
    u = rng.random((n, len(inputs.tasks)))
    timelines = sorted({t.timeline for t in inputs.tasks})
    for t in timelines:
        rho = inputs.correlation[t]
        cols = [j for j, x in enumerate(inputs.tasks) if x.timeline == t]
        if rho <= 0 or len(cols) < 2 or n < 2:
            continue
        c = 2 * math.sin(math.pi * rho / 6)  # the normal correlation that gives rank correlation rho
        z = math.sqrt(c) * rng.standard_normal((n, 1)) + math.sqrt(1 - c) * rng.standard_normal((n, len(cols)))
        ranks = np.argsort(np.argsort(z, axis=0), axis=0)
        u[:, cols] = (ranks + 0.5) / n
    return u


def _variants(
    sched: Schedule, plan: Plan, inputs: _Inputs, rng: np.random.Generator, n: int, hold: dict[str, float]
) -> tuple[K.Variants, np.ndarray]:
    """The variants of one chunk, and each run's value of each input (for sensitivity). `hold`
    fixes inputs at a quantile (0: optimistic, 1: pessimistic)."""
    cp = plan.compiled
    # each run's value of each input, input by input (exact in float32: days and ordinals)
    samples = np.zeros((len(inputs.names), n), dtype=np.float32)
    col = 0
    # durations and remainings item by item (the kernel's layout: (runs, items) in Fortran order)
    duration: np.ndarray | None = None
    remaining: np.ndarray | None = None
    u = _uniforms(rng, n, inputs)
    if inputs.tasks:
        duration = np.empty((cp.n, n), dtype=K.DT)
        duration[:] = cp.dur[:, None]
        for j, task in enumerate(inputs.tasks):
            if task.name in hold:
                u[:, j] = min(hold[task.name], 1 - 1e-12)
        drawn = _draws(inputs.tasks, np.ascontiguousarray(u.T))
        duration[[task.k for task in inputs.tasks]] = drawn
        for j, task in enumerate(inputs.tasks):
            if task.remaining >= 0:
                if remaining is None:
                    remaining = np.full((cp.n, n), -1, dtype=K.DT)
                scaled = np.floor(task.remaining * drawn[j] / max(task.duration, 1) + 0.5)
                remaining[task.k] = np.maximum(scaled, 1 if task.remaining > 0 else 0)
        col = len(inputs.tasks)
        samples[:col] = drawn
        duration = duration.T
        remaining = None if remaining is None else remaining.T
    on: dict[int, np.ndarray] = {}
    for k, name, days in inputs.events:
        uu = rng.random(n)
        if name in hold:
            uu = np.full(n, min(hold[name], 1 - 1e-12))
        pick = days[np.minimum((uu * len(days)).astype(np.int64), len(days) - 1)]
        on[k] = pick
        samples[col] = pick
        col += 1
    confirm: dict[int, np.ndarray] = {}
    for slot, name, days, rate in inputs.meetings:
        uu, cancel = rng.random(n), rng.random(n) < rate
        held = np.full(n, -1, dtype=np.int64)
        if len(days):
            if name in hold:
                uu = np.full(n, min(hold[name], 1 - 1e-12))
            held = days[np.minimum((uu * len(days)).astype(np.int64), len(days) - 1)]
        if name in hold:
            cancel = np.full(n, hold[name] >= 1 and rate > 0) if not len(days) else cancel
        held = np.where(cancel, K.NEVER, held)
        confirm[slot] = held
        samples[col] = np.where(cancel, np.inf, held)
        col += 1
    delay: dict[int, np.ndarray] = {}
    for rid, prob, delays in inputs.risks:
        occurs = rng.random(n) < prob
        if f"risk {rid}" in hold:
            occurs = np.full(n, hold[f"risk {rid}"] >= 1)
        total = np.zeros(n)
        for kind, k, low, high in delays:
            extra = np.where(occurs, low + np.floor(rng.random(n) * (high - low + 1)), 0).astype(np.int64)
            total += extra
            if kind == "task":
                if duration is None:
                    duration = np.array(np.broadcast_to(cp.dur[:, None], (cp.n, n))).T
                duration[:, k] += extra
                if remaining is not None and (remaining[:, k] >= 0).any():
                    remaining[:, k] = np.where(remaining[:, k] >= 0, remaining[:, k] + extra, -1)
            elif kind == "event":
                base = on.get(k)
                if base is None:
                    base = np.full(n, _event_day(sched, plan, k), dtype=np.int64)
                on[k] = _shift(plan, k, base, extra)
            else:
                delay[k] = delay.get(k, np.zeros(n, dtype=np.int64)) + extra
        samples[col] = total
        col += 1
    return K.Variants(n=n, duration=duration, remaining=remaining, on=on, confirm=confirm, delay=delay), samples


def _event_day(sched: Schedule, plan: Plan, k: int) -> int:
    key = plan.keys[plan.compiled.order[k]]
    return sched.window(key)[1].toordinal()


def _shift(plan: Plan, k: int, days: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Each day moved `by` working days later in the item's calendar."""
    i = plan.compiled.order[k]
    cal = plan.cals[plan.timeline_cal[plan.tl[i]]]
    return np.asarray([cal.wd_ord(int(d), int(n)) if n else int(d) for d, n in zip(days, by, strict=True)])


# ---- running ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Chunk:
    finish: np.ndarray  # (runs, deadlines)
    meeting: np.ndarray  # (runs, meeting items): held date or NEVER
    path_count: tuple[np.ndarray, np.ndarray]  # (deadline * items + item, runs with it on that path)
    any_count: np.ndarray  # (items,): runs in which the item is on some deadline's driving path
    samples: np.ndarray  # (inputs, runs)


def _run_chunk(sched: Schedule, plan: Plan, inputs: _Inputs, seed: int, chunk: int, n: int) -> _Chunk:
    variants, samples = _variants(sched, plan, inputs, _stream(seed, chunk), n, {})
    res = run_variants(plan, sched.status_override, variants, record=False, backward=False)
    cp = plan.compiled
    dl = _deadline_positions(plan)
    mk = np.asarray([cp.pos[i] for i, it in enumerate(plan.items) if it.kind == "meeting"], dtype=np.int64)
    finish = res.ef[:, dl]
    meeting = res.ef[:, mk]
    # every deadline's driving path walked back in all runs at once; (deadline, item) pairs counted
    # as sparse keys deadline * items + item, so a large programme does not need a dense table
    # one walker per (run, deadline), dropped when its path ends
    # (flat indexes into the item-major (items x runs) arrays: item * runs + run)
    drv = res.drv.T.ravel()  # the kernel's arrays are item-major: no copy
    anywhere = np.zeros(cp.n * n, dtype=bool)
    size = len(dl) * cp.n
    key_type = np.int32 if size < 2**31 else np.int64  # half the memory to sort
    cols = np.tile(np.arange(len(dl), dtype=key_type), n)
    at = np.tile(dl.astype(key_type), n)
    flat = at.astype(np.int64) * n + np.repeat(np.arange(n), len(dl))
    pairs = []
    while len(at):
        pairs.append(cols * np.asarray(cp.n, dtype=key_type) + at)
        anywhere[flat] = True
        step = drv[flat]
        live = step >= 0
        flat = (flat + (step - at).astype(np.int64) * n)[live]
        cols, at = cols[live], step[live]
    pair = np.concatenate(pairs) if pairs else np.zeros(0, dtype=key_type)
    if size <= DENSE_PAIRS:  # counted in a dense table, else sorted
        dense = np.bincount(pair, minlength=size)
        key = np.flatnonzero(dense)
        count = dense[key]
    else:
        key, count = _tally(np.sort(pair))
    return _Chunk(
        finish, meeting, (key.astype(np.int64), count.astype(np.int64)), anywhere.reshape(cp.n, n).sum(axis=1), samples
    )


def _stream(seed: int, chunk: int) -> np.random.Generator:
    """The random numbers of one chunk of runs: its own stream of the seed."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))


def _deadline_positions(plan: Plan) -> np.ndarray:
    cp = plan.compiled
    return np.asarray([cp.pos[i] for i in plan.deadlines], dtype=np.int64)


def _finishes(plan: Plan, sched: Schedule, variants: K.Variants) -> np.ndarray:
    """Each deadline's finish (runs x deadlines) in one kernel call, forwards only."""
    res = run_variants(plan, sched.status_override, variants, record=False, backward=False)
    return res.ef[:, _deadline_positions(plan)]


def _stack(parts: list[K.Variants]) -> K.Variants:
    """Variants one after another (each made by `_variants` for the same inputs, so each sets the
    same fields)."""

    def cat(xs: list[np.ndarray | None]) -> np.ndarray | None:  # (runs, items), item by item
        return None if xs[0] is None else np.concatenate([x.T for x in xs], axis=1).T  # type: ignore[union-attr]

    def join(ds: list[dict[int, np.ndarray]]) -> dict[int, np.ndarray]:
        return {k: np.concatenate([d[k] for d in ds]) for k in ds[0]}

    return K.Variants(
        n=sum(v.n for v in parts),
        duration=cat([v.duration for v in parts]),
        remaining=cat([v.remaining for v in parts]),
        on=join([v.on for v in parts]),
        confirm=join([v.confirm for v in parts]),
        delay=join([v.delay for v in parts]),
    )


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sparse (key, count) tables added together."""
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(parts) == 1:
        return parts[0]
    keys = np.concatenate([k for k, _ in parts])
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], np.concatenate([c for _, c in parts])[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    return keys[first], np.add.reduceat(counts, first) if len(first) else counts


def _chunk_size(items: int) -> int:
    """Runs per chunk: `CHUNK`, or fewer so that a chunk of a large programme fits in memory. It
    depends on the programme only, so a seed gives the same runs whatever the number of workers."""
    return max(10, min(CHUNK, CELLS // max(items, 1)))


def _chunks(runs: int, size: int) -> list[tuple[int, int]]:
    return [(c, min(size, runs - c * size)) for c in range(math.ceil(runs / size))]


def _worker(args: tuple[Programme, date | None, int, int, int]) -> _Chunk:
    programme, as_of, seed, chunk, n = args
    sched = schedule(programme, as_of)
    plan = compiled(programme)
    return _run_chunk(sched, plan, _inputs(sched, plan), seed, chunk, n)


def _simulate_runs(
    sched: Schedule,
    runs: int,
    seed: int,
    workers: int,
    progress: Callable[[int], None] | None,
    scheduler: str | None = None,
    inputs: _Inputs | None = None,
) -> _Chunk:
    plan = compiled(sched.programme)
    inputs = inputs or _inputs(sched, plan)
    parts: list[_Chunk] = []
    jobs = _chunks(runs, _chunk_size(plan.compiled.n))
    if scheduler is not None:  # chunks on a Dask cluster (the optional extra govflow[dask])
        try:
            from dask.distributed import Client, as_completed
        except ImportError as e:
            raise RiskError("--scheduler needs Dask: pip install 'govflow[dask]'") from e
        args = [(sched.programme, sched.status_override, seed, c, n) for c, n in jobs]
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            futures = client.map(_worker, args, pure=False)
            done: dict[int, _Chunk] = {}
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                part = future.result()
                done[futures.index(future)] = part
                if progress:
                    progress(part.finish.shape[0])
        parts = [done[j] for j in range(len(futures))]  # in chunk order: the same answer for a seed
    elif workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        args = [(sched.programme, sched.status_override, seed, c, n) for c, n in jobs]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(_worker, args):
                parts.append(part)
                if progress:
                    progress(part.finish.shape[0])
    else:
        for c, n in jobs:
            parts.append(_run_chunk(sched, plan, inputs, seed, c, n))
            if progress:
                progress(n)
    return _Chunk(
        np.concatenate([p.finish for p in parts]),
        np.concatenate([p.meeting for p in parts]),
        _merge_counts([p.path_count for p in parts]),
        sum(p.any_count for p in parts),  # type: ignore[arg-type]
        np.concatenate([p.samples for p in parts], axis=1),
    )


def simulate(
    sched: Schedule,
    runs: int = 10_000,
    seed: int = 0,
    workers: int = 1,
    sensitivity: int = 5,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
) -> RiskResult:
    """Run the plan `runs` times with its uncertain inputs drawn; see the module docstring.
    `sensitivity`: how many inputs each deadline lists (the upstream ones of greatest rank
    correlation with its finish), and at most how many of the plan's strongest get extra runs at
    their optimistic and pessimistic values; `scheduler`: the address of a Dask scheduler to run
    the chunks on (`workers` is then unused)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    plan = compiled(sched.programme)
    inputs = _inputs(sched, plan)
    out = _simulate_runs(sched, runs, seed, workers, progress, scheduler, inputs)
    label = sched.programme.label
    deadlines = []
    strongest = _strongest_inputs(plan, inputs, out, sensitivity) if inputs.names and sensitivity > 0 else None
    # P(met) with an input held at each bound: extra runs (drawn from the main runs' first random
    # stream) for the inputs that move some deadline most, strongest first, costing about a
    # quarter of the main runs
    bounds: dict[tuple[int, float], np.ndarray] = {}
    if strongest is not None:
        held_runs = max(min(runs, 100), min(250, runs // 20))
        budget = max(1, min(sensitivity, runs // 4 // (2 * held_runs)))
        bounds = _held_finishes(sched, plan, inputs, seed, held_runs, strongest.held(budget))
    for j, i in enumerate(plan.deadlines):
        key = plan.keys[i]
        item = plan.items[i]
        assert item.deadline is not None
        due = item.deadline.last.toordinal()
        f = out.finish[:, j]
        met = f <= due
        p_met = float(met.mean())
        low, high = _wilson(int(met.sum()), runs)
        det = sched.item(key).early_finish
        forecast_pct = float((f <= det.toordinal()).mean() * 100) if det is not None else None
        sens = []
        if strongest is not None:
            cols, rho = strongest.per_deadline[j]
            for c, r in zip(cols.tolist(), rho.tolist(), strict=True):
                lo_runs, hi_runs = bounds.get((c, 0.0)), bounds.get((c, 1.0))
                opt = None if lo_runs is None else float((lo_runs[:, j] <= due).mean())
                pes = None if hi_runs is None else float((hi_runs[:, j] <= due).mean())
                moves = opt is not None and pes is not None and abs(opt - pes) >= 0.005
                if moves or abs(r) >= 0.1:  # an input that moves it
                    sens.append(Sensitivity(inputs.names[c], r, opt, pes))
                if len(sens) == sensitivity:
                    break
        pairs, on_path = out.path_count
        a, b = np.searchsorted(pairs, [j * plan.compiled.n, (j + 1) * plan.compiled.n])
        items_on, shares = pairs[a:b] - j * plan.compiled.n, on_path[a:b] / runs
        path_items = [
            (label(plan.keys[plan.compiled.order[int(items_on[x])]]), float(shares[x]))
            for x in np.argsort(-shares, kind="stable")
        ]
        ordered = np.sort(f)
        values, counts = _tally(ordered[ordered < K.NEVER])
        deadlines.append(
            DeadlineRisk(
                key=label(key),
                title=item.title,
                deadline=item.deadline.last,
                p_met=p_met,
                p_met_low=low,
                p_met_high=high,
                p50=_quantile(ordered, 0.5),
                p80=_quantile(ordered, 0.8),
                p90=_quantile(ordered, 0.9),
                forecast=det,
                forecast_percentile=forecast_pct,
                p_unscheduled=float((f >= K.NEVER).mean()),
                finishes=tuple((date.fromordinal(int(v)), int(c) / runs) for v, c in zip(values, counts, strict=True)),
                sensitivity=tuple(sens),
                criticality=tuple(path_items),
            )
        )
    deadlines.sort(key=lambda d: (d.deadline, d.key))
    meetings = []
    mitems = [i for i, it in enumerate(plan.items) if it.kind == "meeting"]
    for j, i in enumerate(mitems):
        h = out.meeting[:, j]
        values, counts = _tally(np.sort(h[h < K.NEVER]))
        meetings.append(
            MeetingRisk(
                label(plan.keys[i]),
                sched.programme.body(plan.items[i]).name,
                tuple((date.fromordinal(int(v)), int(c) / runs) for v, c in zip(values, counts, strict=True)),
                float((h >= K.NEVER).mean()),
            )
        )
    any_path = out.any_count / runs
    criticality = {label(plan.keys[plan.compiled.order[k]]): float(any_path[k]) for k in range(plan.compiled.n)}
    criticality = {k: criticality[k] for k in (label(x) for x in plan.keys)}  # in the plan's order
    return RiskResult(runs, seed, sched.as_of, tuple(deadlines), tuple(meetings), criticality, len(inputs.names))


def _wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval for a proportion k/n."""
    z = _NORMAL_QUANTILE_975
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _tally(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value of a sorted array and how many times it occurs.

    >>> [x.tolist() for x in _tally(np.array([3, 3, 5, 7, 7, 7]))]
    [[3, 5, 7], [2, 1, 3]]
    """
    first = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if len(s) else np.zeros(0, dtype=np.int64)
    return s[first], np.diff(np.r_[first, len(s)])


def _distinct(a: np.ndarray) -> np.ndarray:
    """The distinct values of an array, sorted (as `np.unique`, which imports `numpy.ma`)."""
    return _tally(np.sort(a))[0]


def _quantile(s: np.ndarray, q: float) -> date | None:
    """The date by which a share q of runs finish, from their finishes sorted (None: the deadline
    cannot be scheduled in more than 1 - q of runs)."""
    v = int(s[max(math.ceil(q * len(s)) - 1, 0)])
    return None if v >= K.NEVER else date.fromordinal(v)


def _ranks(x: np.ndarray) -> np.ndarray:
    """The ranks within each row of x (columns x runs), from 0, ties given their average rank.

    >>> _ranks(np.array([[3.0, 1.0, 3.0], [1.0, 1.0, 2.0]])).tolist()
    [[1.5, 0.0, 1.5], [0.5, 0.5, 2.0]]
    """
    m, n = x.shape
    counted = _places(x)
    if counted is not None:
        code, start, span = counted
        out: np.ndarray = _place_ranks(code, start, span)[0][code]
        return out
    order = np.argsort(x, axis=1)  # ties are averaged, so the sort need not be stable
    s = np.take_along_axis(x, order, axis=1)
    new = np.ones((m, n), dtype=bool)  # where a run of equal values starts, row by row
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    starts = np.flatnonzero(new)
    length = np.diff(np.append(starts, n * m))  # every row starts a run, so no run spans two
    average = ((starts % n) + ((starts + length - 1) % n)) / 2
    out = np.empty((m, n))
    np.put_along_axis(out, order, np.repeat(average, length).reshape(m, n), axis=1)
    return out


def _places(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For whole numbers of a modest span (days, ordinals; inf or NEVER past the rest), each
    value's place in one table of counts, row by row: (places, each row's first place, each row's
    number of places); None for other values (then ranks are sorted)."""
    m, n = x.shape
    if not (m and n):
        return None
    big = (x >= K.NEVER) | ~np.isfinite(x)
    lo = np.where(big, np.inf, x).min(axis=1)
    hi = np.where(big, -np.inf, x).max(axis=1)
    lo, hi = np.where(np.isfinite(lo), lo, 0), np.where(np.isfinite(hi), hi, 0)
    span = (hi - lo + 2).astype(np.int64)  # the values, and one place for every value past them
    if int(span.sum()) * 8 > max(x.size, 1 << 20) * 4:
        return None
    if x.dtype.kind == "f" and not bool((np.where(big, 0, x) % 1 == 0).all()):
        return None
    start = np.cumsum(span) - span
    code: np.ndarray = np.where(big, span[:, None] - 1, x - lo[:, None]).astype(np.int64) + start[:, None]
    return code, start, span


def _place_ranks(code: np.ndarray, start: np.ndarray, span: np.ndarray) -> tuple[np.ndarray, ...]:
    """The average rank of the values at each place (the number of smaller values in its row plus
    half the number of others equal to it), how many values are there, and each place's row."""
    counts = np.bincount(code.ravel(), minlength=int(span.sum()))
    before = np.cumsum(counts) - counts  # values before each place, the rows before it included
    row = np.repeat(np.arange(len(span)), span)
    return before - before[start][row] + (counts - 1) / 2, counts, row


def _standard_ranks(x: np.ndarray, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Each row of x (columns x runs) as ranks standardised to mean 0 and standard deviation 1,
    as float32, so that a rank correlation is one dot product; and which rows never varied (left
    at 0). In blocks of rows, to bound the memory taken. Whole numbers are counted: their
    standardised ranks are worked out once per distinct value and looked up."""
    m, n = x.shape
    z = np.zeros((m, n), dtype=np.float32)
    constant = np.zeros(m, dtype=bool)
    for a in range(0, m, block):
        counted = _places(x[a : a + block])
        if counted is not None:
            code, start, span = counted
            average, counts, row = _place_ranks(code, start, span)
            centred = average - (n - 1) / 2  # every row's ranks average (n - 1) / 2
            sd = np.sqrt(np.bincount(row, weights=counts * centred**2, minlength=len(span)) / n)
            flat = sd == 0
            table = np.where(flat[row], 0.0, centred / np.where(flat, 1, sd)[row]).astype(np.float32)
            z[a : a + block] = table[code]
        else:
            r = _ranks(x[a : a + block])
            sd = r.std(axis=1)
            flat = sd == 0
            r -= r.mean(axis=1)[:, None]
            r /= np.where(flat, 1, sd)[:, None]
            r[flat] = 0.0
            z[a : a + block] = r
        constant[a : a + block] = flat
    return z, constant


def _expand(hi: np.ndarray, k: np.ndarray, indptr: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (hi, k): the pairs (hi, v) for every v in values[indptr[k]:indptr[k + 1]]."""
    count = indptr[k + 1] - indptr[k]
    rep = np.repeat(np.arange(len(k)), count)
    at = np.repeat(indptr[k] - (np.cumsum(count) - count), count) + np.arange(len(rep))
    return hi[rep], values[at]


def _upstream(plan: Plan, inputs: _Inputs) -> tuple[np.ndarray, np.ndarray]:
    """The inputs upstream of each deadline: those acting on it or on one of its ancestors (only
    they can move it; any other correlation is chance). As (offsets, columns): deadline j's
    inputs are columns[offsets[j]:offsets[j + 1]], ascending. All deadlines walk back together,
    as (deadline, item) pairs, one link a step."""
    cp = plan.compiled
    n, m = cp.n, len(inputs.names)
    dl = np.asarray([cp.pos[i] for i in plan.deadlines], dtype=np.int64)
    by_succ = np.searchsorted(cp.e_succ, np.arange(n + 1))  # the compiled links are sorted by successor
    front = np.arange(len(dl)) * n + dl
    seen = [front]
    while len(front):
        j, pred = _expand(front // n, front % n, by_succ, cp.e_pred)
        front = _distinct(j * n + pred)
        seen.append(front)
    pairs = _distinct(np.concatenate(seen))
    item = np.asarray([k for ks in inputs.touches for k in ks], dtype=np.int64)
    col = np.asarray([c for c, ks in enumerate(inputs.touches) for _ in ks], dtype=np.int64)
    o = np.argsort(item, kind="stable")
    j, c = _expand(pairs // n, pairs % n, np.searchsorted(item[o], np.arange(n + 1)), col[o])
    keys = _distinct(j * m + c)
    return np.searchsorted(keys, np.arange(len(dl) + 1) * m), keys % m


@dataclass(slots=True)
class _Strongest:
    per_deadline: list[tuple[np.ndarray, np.ndarray]]  # input columns, strongest first, and their rho

    def held(self, budget: int) -> list[int]:
        """The `budget` inputs that move some deadline most (by |rho|), strongest first."""
        cols = np.concatenate([c for c, _ in self.per_deadline] + [np.zeros(0, np.int64)])
        rho = np.concatenate([np.abs(r) for _, r in self.per_deadline] + [np.zeros(0)])
        chosen: list[int] = []
        for c in cols[np.argsort(-rho, kind="stable")].tolist():
            if c not in chosen:
                chosen.append(c)
                if len(chosen) == budget:
                    break
        return chosen


def _strongest_inputs(plan: Plan, inputs: _Inputs, out: _Chunk, sensitivity: int) -> _Strongest:
    """Each deadline's `2 * sensitivity` upstream inputs of greatest rank correlation with its
    finish (Spearman's rho over the runs), strongest first; an input that never varied, or a
    deadline that never moved, has none."""
    z, constant = _standard_ranks(out.samples)
    zy, fixed = _standard_ranks(np.ascontiguousarray(out.finish.T))
    offsets, columns = _upstream(plan, inputs)
    runs = out.finish.shape[0]
    per_deadline = []
    for j in range(len(plan.deadlines)):
        cols = columns[offsets[j] : offsets[j + 1]]
        cols = cols[~constant[cols]]
        if fixed[j] or not len(cols):
            per_deadline.append((np.zeros(0, np.int64), np.zeros(0)))
            continue
        rho = (z[cols] @ zy[j]).astype(np.float64) / runs
        order = np.argsort(-np.abs(rho), kind="stable")
        order = order[rho[order] != 0][: 2 * sensitivity]
        per_deadline.append((cols[order], rho[order]))
    return _Strongest(per_deadline)


def _held_finishes(
    sched: Schedule, plan: Plan, inputs: _Inputs, seed: int, runs: int, held: list[int]
) -> dict[tuple[int, float], np.ndarray]:
    """Each deadline's finish in `runs` runs with input c held at its optimistic (0) and its
    pessimistic (1) value, for each c in `held`: (runs, deadlines) per (c, bound). The runs of
    several bounds share a kernel call, as many as a chunk holds."""
    jobs = [(c, q) for c in held for q in (0.0, 1.0)]
    per_call = max(1, _chunk_size(plan.compiled.n) // runs)
    out: dict[tuple[int, float], np.ndarray] = {}
    for a in range(0, len(jobs), per_call):
        batch = jobs[a : a + per_call]
        parts = [_variants(sched, plan, inputs, _stream(seed, 0), runs, {inputs.names[c]: q})[0] for c, q in batch]
        finish = _finishes(plan, sched, _stack(parts))
        for b, job in enumerate(batch):
            out[job] = finish[b * runs : (b + 1) * runs]
    return out


# ---- what users read ----------------------------------------------------------------------------


def _pct(p: float) -> str:
    return f"{p * 100:.0f}%"


def _date(d: date | None) -> str:
    return fmt(d) if d is not None else "not reached"


def render_text(result: RiskResult) -> str:
    lines = [f"{result.runs} runs (seed {result.seed}), {result.inputs} uncertain inputs", ""]
    for d in result.deadlines:
        lines.append(f"{d.key}: {d.title}")
        lines.append(
            f"  due {fmt(d.deadline)}: P(met) {_pct(d.p_met)} (95% {_pct(d.p_met_low)}-{_pct(d.p_met_high)}); "
            f"P50 {_date(d.p50)}, P80 {_date(d.p80)}, P90 {_date(d.p90)}"
        )
        if d.forecast is not None and d.forecast_percentile is not None:
            lines.append(f"  the plan's forecast {fmt(d.forecast)} is a P{d.forecast_percentile:.0f} date")
        if d.p_unscheduled:
            lines.append(f"  cannot be scheduled in {_pct(d.p_unscheduled)} of runs")
        driving = [f"{k} {_pct(p)}" for k, p in d.criticality[:_DRIVING_SHOWN] if p >= 0.005 and k != d.key]
        if driving:
            lines.append("  on its driving path: " + ", ".join(driving))
        for s in d.sensitivity:
            held = (
                f"; P(met) {_pct(s.p_met_optimistic)} if optimistic, {_pct(s.p_met_pessimistic)} if pessimistic"
                if s.p_met_optimistic is not None and s.p_met_pessimistic is not None
                else ""
            )
            lines.append(f"  moved by {s.input}: rank correlation {s.rank_correlation:+.2f}{held}")
        lines.append("")
    if result.meetings:
        lines.append("Meetings each decision goes to:")
        for m in result.meetings:
            parts = [f"{fmt(day)}: {_pct(p)}" for day, p in m.dates if p >= 0.005]
            if m.p_unscheduled:
                parts.append(f"cannot be scheduled: {_pct(m.p_unscheduled)}")
            lines.append(f"  {m.key} ({m.body}): " + "; ".join(parts))
    return "\n".join(lines).rstrip() + "\n"


def render_json(result: RiskResult) -> str:
    def iso(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    data = {
        "runs": result.runs,
        "seed": result.seed,
        "as_of": iso(result.as_of),
        "deadlines": [
            {
                "id": d.key,
                "title": d.title,
                "deadline": iso(d.deadline),
                "p_met": round(d.p_met, 6),
                "p_met_low": round(d.p_met_low, 6),
                "p_met_high": round(d.p_met_high, 6),
                "p50": iso(d.p50),
                "p80": iso(d.p80),
                "p90": iso(d.p90),
                "forecast": iso(d.forecast),
                "forecast_percentile": None if d.forecast_percentile is None else round(d.forecast_percentile, 3),
                "p_unscheduled": round(d.p_unscheduled, 6),
                "driving": {k: round(p, 6) for k, p in d.criticality if k != d.key},  # most often first
                "sensitivity": [
                    {
                        "input": s.input,
                        "rank_correlation": round(s.rank_correlation, 6),
                        "p_met_optimistic": s.p_met_optimistic,
                        "p_met_pessimistic": s.p_met_pessimistic,
                    }
                    for s in d.sensitivity
                ],
            }
            for d in result.deadlines
        ],
        "meetings": [
            {
                "item": m.key,
                "body": m.body,
                "dates": [{"date": iso(day), "p": round(p, 6)} for day, p in m.dates],
                "p_unscheduled": round(m.p_unscheduled, 6),
            }
            for m in result.meetings
        ],
        "criticality": {k: round(v, 6) for k, v in result.criticality.items()},
    }
    return _indented(data) + "\n"


_QUOTE = json.encoder.encode_basestring_ascii


def _indented(o: Any, pad: str = "\n") -> str:
    """`json.dumps(o, indent=1)` for JSON values, about twice as fast (json's indented encoder is
    pure Python, one generator step per token; a large programme's report has millions).

    >>> value = {"a": [1, 2.5, None, True], "b": {}, "c": [], "d\u00e9": {"x": "q\\"", "y": float("nan")}}
    >>> _indented(value) == json.dumps(value, indent=1)
    True
    """
    t = type(o)
    if t is str:
        out: str = _QUOTE(o)
        return out
    if t is float:
        return float.__repr__(o) if o == o and o not in (math.inf, -math.inf) else json.dumps(o)
    if t is int:
        return int.__repr__(o)
    if o is None or t is bool:
        return json.dumps(o)
    inner = pad + " "
    if t is dict:
        body = ("," + inner).join(f"{_QUOTE(k)}: {_indented(v, inner)}" for k, v in o.items())
        return "{" + inner + body + pad + "}" if o else "{}"
    body = ("," + inner).join(_indented(v, inner) for v in o)
    return "[" + inner + body + pad + "]" if o else "[]"


def _scurve(d: DeadlineRisk, width: int = 640, height: int = 220) -> str:
    """Cumulative probability against date, as steps (meetings make staircases)."""
    if not d.finishes:
        return "<p>The deadline cannot be scheduled in any run.</p>"
    first = min(d.finishes[0][0], d.deadline).toordinal() - 3
    last = max(d.finishes[-1][0], d.deadline).toordinal() + 3
    pad_l, pad_b = 50, 30

    def x(o: int) -> float:
        return pad_l + (o - first) / max(last - first, 1) * (width - pad_l - 10)

    def y(p: float) -> float:
        return 10 + (1 - p) * (height - pad_b - 10)

    pts, cum = [f"{x(first):.1f},{y(0):.1f}"], 0.0
    for day, p in d.finishes:
        pts.append(f"{x(day.toordinal()):.1f},{y(cum):.1f}")
        cum += p
        pts.append(f"{x(day.toordinal()):.1f},{y(cum):.1f}")
    pts.append(f"{x(last):.1f},{y(cum):.1f}")
    due = x(d.deadline.toordinal())
    bars = []
    top = max(p for _, p in d.finishes)
    for day, p in d.finishes:
        h = p / top * (height - pad_b - 10) * 0.35
        bars.append(
            f'<rect class="hist" x="{x(day.toordinal()) - 1.5:.1f}" y="{y(0) - h:.1f}" width="3" height="{h:.1f}">'
            f"<title>{html.escape(fmt(day))}: {_pct(p)}</title></rect>"
        )
    ticks = "".join(
        f'<text x="{pad_l - 6}" y="{y(p) + 4:.1f}" text-anchor="end">{int(p * 100)}%</text>' for p in (0, 0.5, 1)
    )
    return (
        f'<svg class="scurve" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Cumulative probability of finishing by each date">'
        f'<line x1="{pad_l}" y1="{y(0)}" x2="{width - 10}" y2="{y(0)}" class="axis"/>{ticks}{"".join(bars)}'
        f'<polyline class="cum" points="{" ".join(pts)}"/>'
        f'<line x1="{due:.1f}" y1="10" x2="{due:.1f}" y2="{y(0)}" class="due"/>'
        f'<text x="{due + 4:.1f}" y="22" class="due-label">due {html.escape(fmt(d.deadline))}</text>'
        f'<text x="{pad_l}" y="{height - 8}">{html.escape(fmt(date.fromordinal(first)))}</text>'
        f'<text x="{width - 10}" y="{height - 8}" text-anchor="end">{html.escape(fmt(date.fromordinal(last)))}</text>'
        "</svg>"
    )


def _tornado(d: DeadlineRisk, width: int = 640) -> str:
    shown = [s for s in d.sensitivity if s.p_met_optimistic is not None and s.p_met_pessimistic is not None]
    if not shown:
        return ""
    row, left, mid = 26, 260, 260 + (width - 270) / 2
    half = (width - 270) / 2
    out = []
    for n, s in enumerate(shown):
        y0 = 10 + n * row
        lo, hi = s.p_met_pessimistic or 0.0, s.p_met_optimistic or 0.0
        a, b = mid + (lo - d.p_met) * half * 2, mid + (hi - d.p_met) * half * 2
        out.append(
            f'<text x="{left - 8}" y="{y0 + 15}" text-anchor="end">{html.escape(s.input[:40])}</text>'
            f'<rect class="pess" x="{min(a, mid):.1f}" y="{y0 + 3}" width="{abs(mid - a):.1f}" height="16"/>'
            f'<rect class="opt" x="{min(b, mid):.1f}" y="{y0 + 3}" width="{abs(b - mid):.1f}" height="16"/>'
            f'<text x="{width - 4}" y="{y0 + 15}" text-anchor="end">{_pct(lo)}-{_pct(hi)}</text>'
        )
    height = 20 + row * len(shown)
    return (
        f'<svg class="tornado" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="P(met) with each input at its pessimistic and optimistic value">'
        f'<line x1="{mid:.1f}" y1="4" x2="{mid:.1f}" y2="{height - 4}" class="axis"/>{"".join(out)}</svg>'
    )


def render_html(result: RiskResult, title: str) -> str:
    """A self-contained report: per deadline an S-curve with the histogram, the tornado; the
    meetings each decision goes to; criticality."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)} - risk</title><style>",
        "body{font:14px/1.4 system-ui,sans-serif;margin:24px;max-width:900px;color:#222}",
        "h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}",
        "td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd}",
        "svg text{font-size:11px;fill:#333}.axis{stroke:#999}.cum{fill:none;stroke:#1f4e79;stroke-width:2}",
        ".hist{fill:#9dc3e6}.due{stroke:#c00;stroke-dasharray:4 3}.due-label{fill:#c00}",
        ".pess{fill:#c55a11}.opt{fill:#548235}",
        "</style></head><body>",
        f"<h1>{html.escape(title)}: how likely each deadline is</h1>",
        f"<p>{result.runs} runs, seed {result.seed}, {result.inputs} uncertain inputs"
        + (f", status date {html.escape(fmt(result.as_of))}" if result.as_of else "")
        + ".</p>",
    ]
    for d in result.deadlines:
        parts.append(f"<section class='deadline' data-id='{html.escape(d.key)}'>")
        parts.append(f"<h2>{html.escape(d.title)} ({html.escape(d.key)}), due {html.escape(fmt(d.deadline))}</h2>")
        parts.append(
            f"<p>P(met) <b>{_pct(d.p_met)}</b> (95% interval {_pct(d.p_met_low)}-{_pct(d.p_met_high)}); "
            f"P50 {html.escape(_date(d.p50))}, P80 {html.escape(_date(d.p80))}, P90 {html.escape(_date(d.p90))}."
            + (
                f" The plan's forecast, {html.escape(fmt(d.forecast))}, is a P{d.forecast_percentile:.0f} date."
                if d.forecast and d.forecast_percentile is not None
                else ""
            )
            + "</p>"
        )
        parts.append(_scurve(d))
        driving = [(k, p) for k, p in d.criticality[:_DRIVING_SHOWN] if p >= 0.005 and k != d.key]
        if driving:
            parts.append(
                "<p>Most often on its driving path: "
                + ", ".join(f"{html.escape(k)} {_pct(p)}" for k, p in driving)
                + "</p>"
            )
        if d.sensitivity:
            parts.append("<p>What moves it most (P(met) with the input pessimistic | optimistic):</p>")
            parts.append(_tornado(d))
    if result.meetings:
        parts.append("<h2>Which meeting each decision goes to</h2><table><tr><th>Decision</th><th>Meetings</th></tr>")
        for m in result.meetings:
            cells = "; ".join(f"{html.escape(fmt(day))}: {_pct(p)}" for day, p in m.dates if p >= 0.005)
            if m.p_unscheduled:
                cells += f"; cannot be scheduled: {_pct(m.p_unscheduled)}"
            parts.append(f"<tr><td>{html.escape(m.key)} ({html.escape(m.body)})</td><td>{cells}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>Criticality</h2><p>Share of runs in which each item is on a deadline's driving path.</p>")
    parts.append("<table><tr><th>Item</th><th>Critical in</th></tr>")
    for k, v in sorted(result.criticality.items(), key=lambda kv: -kv[1]):
        if v > 0:
            parts.append(f"<tr><td>{html.escape(k)}</td><td>{_pct(v)}</td></tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)


def deadline_summary(result: RiskResult) -> dict[str, tuple[float, date | None]]:
    """P(met) and P80 per deadline id (for `check --risk`)."""
    return {d.key: (d.p_met, d.p80) for d in result.deadlines}


def has_inputs(programme: Programme) -> bool:
    """Whether a programme has anything uncertain to simulate."""
    return any(
        it.range is not None or (it.on is not None and not it.on.exact) for it in programme.items.values()
    ) or any(
        t.risks or any(b.cancel_rate or any(not m.when.exact for m in b.meetings) for b in t.bodies.values())
        for t in programme.timelines
    )


# ---- risk where users already look: the weekly report, snapshots, the Gantt chart ----------------

RUNS = 10_000  # runs behind the figures shown without asking: `govflow risk`'s default, so they agree
SEED = 0  # ... and its default seed: the same files give the same figures every time
_CELLS_SHOWN = 20_000_000  # runs x items above which those figures come from fewer runs (at least 1,000)


def declares_risk(programme: Programme) -> bool:
    """Whether the files declare risk inputs: a task `range`, a body's `cancel_rate` or `risks:`.
    A TBC window alone does not count (every plan with a TBC meeting would otherwise grow risk
    figures in its report and chart); once risk is declared, windows vary in the runs too."""
    return any(it.range is not None for it in programme.items.values()) or any(
        t.risks or any(b.cancel_rate for b in t.bodies.values()) for t in programme.timelines
    )


def runs_shown(items: int) -> int:
    """Runs behind the risk figures of a report, snapshot or chart of a programme of `items`
    items: `RUNS`, fewer (in whole thousands, at least 1,000) for a very large programme.

    >>> runs_shown(26), runs_shown(5_000), runs_shown(100_000)
    (10000, 4000, 1000)
    """
    return max(1_000, min(RUNS, _CELLS_SHOWN // max(items, 1) // 1_000 * 1_000))


def overview(sched: Schedule, runs: int | None = None, seed: int = SEED) -> RiskResult | None:
    """The risk figures shown where users already look (P(met) in the weekly report and snapshots,
    the P50-P90 span in the Gantt chart): `simulate` at a fixed seed, with `runs_shown` runs unless
    `runs` is given, and no sensitivity runs. None when the files declare no risk inputs."""
    if not declares_risk(sched.programme):
        return None
    return simulate(sched, runs or runs_shown(len(sched.items)), seed, sensitivity=0)
