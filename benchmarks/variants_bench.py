"""Time the kernel's variant axis: one programme x V sampled-duration variants in one call.

Run in a fresh interpreter by ``run.py`` (one process per measurement, so the peak RSS it
reports belongs to this run alone). Loads a programme, compiles it for the kernel once
(``scheduling.compiled``), samples V x n task durations, then times
``scheduling.run_variants(plan, None, K.Variants(n=V, duration=dur), record=False, backward=...)``
forward only (``backward=False``) and forward + backward (``backward=True``), each the median
of ``calls`` in-process calls timed as ``cpm.py`` times the minimal CPM (``cpm.time_calls``).

Durations: each task's duration d is drawn from a triangular distribution on
[0.8 d, 1.5 d] with mode d, rounded, at least 1 working day (seed 2019); milestones, meetings
and events keep theirs. Variant 0 keeps every task's planned duration, and its early finishes
are checked against ``govflow.schedule(programme)`` item by item (``variant0_mismatches``
should be 0).

Prints one JSON line: ``{"forward_seconds", "forward_first_seconds", "both_seconds",
"both_first_seconds", "load_seconds", "compile_seconds", "sample_seconds", "variants",
"items", "tasks", "variant0_checked", "variant0_mismatches", "finish_spread_days"}``.

    python benchmarks/variants_bench.py benchmarks/out/programme-1k.json --variants 10000
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from datetime import date

import numpy as np
from cpm import time_calls  # this directory is on sys.path when run as a script

SEED = 2019
LOW, HIGH = 0.8, 1.5  # the triangular distribution's ends, as multiples of the planned duration


def sample_durations(base: np.ndarray, is_task: np.ndarray, variants: int, seed: int = SEED) -> np.ndarray:
    """(variants, n) int64 durations in kernel order: row 0 the plan, other rows sampled per task.

    >>> d = sample_durations(np.array([10, 0, 3]), np.array([True, False, True]), 4)
    >>> d.shape, d[0].tolist(), bool((d[:, 1] == 0).all()), bool((d[:, [0, 2]] >= 1).all())
    ((4, 3), [10, 0, 3], True, True)
    """
    rng = np.random.default_rng(seed)
    base = np.asarray(base, dtype=np.int64)
    dur = np.broadcast_to(base, (variants, len(base))).copy()
    tasks = np.flatnonzero(is_task)
    mode = base[tasks].astype(float)
    left, right = LOW * mode, HIGH * mode
    right = np.maximum(right, left + 1e-9)  # numpy wants left < right
    mode = np.clip(mode, left, right)
    if variants > 1 and len(tasks):
        draws = rng.triangular(left, mode, right, size=(variants - 1, len(tasks)))
        dur[1:, tasks] = np.maximum(np.rint(draws), 1).astype(np.int64)
    return dur


def check_variant0(programme, plan, ef0: np.ndarray) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(items checked, mismatches) of variant 0's early finishes against `govflow.schedule`."""
    import govflow
    from govflow import kernel as K

    sched = govflow.schedule(programme)
    pos, checked, bad = plan.compiled.pos, 0, 0
    for key in plan.keys:
        want = sched.items[key].early_finish
        o = int(ef0[pos[plan.index[key]]])
        got = date.fromordinal(o) if K.NONE < o < K.NEVER else None
        checked += 1
        bad += got != want
    return checked, bad


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("programme")
    ap.add_argument("--variants", type=int, default=10_000)
    ap.add_argument("--calls", type=int, default=5, help="in-process calls per pass (median)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import govflow
    from govflow import kernel as K
    from govflow import scheduling

    programme = govflow.load([args.programme])
    t1 = time.perf_counter()
    gc.collect()
    c0 = time.perf_counter()
    plan = scheduling.compiled(programme)
    c1 = time.perf_counter()
    cp = plan.compiled
    is_task = cp.kind == K.TASK
    s0 = time.perf_counter()
    dur = sample_durations(cp.dur, is_task, args.variants)
    s1 = time.perf_counter()

    def call(backward: bool):  # type: ignore[no-untyped-def]
        v = K.Variants(n=args.variants, duration=dur)
        return scheduling.run_variants(plan, None, v, record=False, backward=backward)

    f_first, f_med, res = time_calls(lambda: call(False), args.calls)
    ef0 = res.ef[0].copy()
    ef = res.ef
    real = (ef > K.NONE) & (ef < K.NEVER)
    last = np.where(real, ef, 0).max(axis=1)  # each variant's last early finish
    spread = int(last.max() - last.min())
    res = ef = real = None  # free the forward run's arrays before the next
    b_first, b_med, res = time_calls(lambda: call(True), args.calls)
    both_ef0_same = bool((res.ef[0] == ef0).all())
    res = None
    checked, bad = check_variant0(programme, plan, ef0)
    print(
        json.dumps(
            {
                "forward_seconds": f_med,
                "forward_first_seconds": f_first,
                "both_seconds": b_med,
                "both_first_seconds": b_first,
                "load_seconds": t1 - t0,
                "compile_seconds": c1 - c0,
                "sample_seconds": s1 - s0,
                "variants": args.variants,
                "items": cp.n,
                "tasks": int(is_task.sum()),
                "variant0_checked": checked,
                "variant0_mismatches": bad + (not both_ef0_same),
                "finish_spread_days": spread,
            }
        )
    )


if __name__ == "__main__":
    main()
