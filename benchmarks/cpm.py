"""Minimal pure-Python critical path method: the floor for govflow's scheduling core.

Runs over the ``<stem>.dag.json`` written by ``generate.py``: the same graph as the govflow
timeline, with meetings as zero-length milestones (no quantisation, no calendars, no window
logic, no explanations). Time is integer working-day points: a task of d days starting at
point s finishes at s + d; FS successors start at ``ef(p) + lag``, SS at ``es(p) + lag``.

    >>> dag = {"ids": ["a", "b", "c"], "dur": [3, 2, 0], "fixed": [None, None, None],
    ...        "deadline": [None, None, 4], "preds": [[], [[0, "FS", 0]], [[1, "FS", 0]]]}
    >>> r = cpm(dag)
    >>> r["ef"], r["lf"], r["float"]
    ([3, 5, 5], [2, 4, 4], [-1, -1, -1])

    python benchmarks/cpm.py benchmarks/out/programme-10k.dag.json   # prints timing as JSON
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = ["CALLS", "cpm", "main", "time_calls"]

CALLS = 7  # in-process calls per measurement: at 1k items one call takes about a millisecond


def time_calls(fn: Callable[[], Any], calls: int = CALLS) -> tuple[float, float, Any]:
    """(first call's seconds, median seconds over `calls` calls, last result).

    The protocol of `timeit`: the garbage collector is off while a call is timed, and calls
    follow one another with the data already loaded (the first call is also reported, cold).
    Shared with core_bench.py, so the CPM floor and govflow's core are timed alike."""
    times, result = [], None
    gc.collect()
    for _ in range(calls):
        result = None  # the previous call's result is freed before the next call, untimed
        gc.disable()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        gc.enable()
    return times[0], statistics.median(times), result


def cpm(dag: dict[str, Any]) -> dict[str, list[Any]]:
    """Topological order (Kahn), forward pass (es/ef), backward pass (ls/lf) from deadlines.

    Items that lead to no deadline have no latest dates (None), as in govflow.
    """
    dur: list[int] = dag["dur"]
    fixed: list[int | None] = dag["fixed"]
    deadline: list[int | None] = dag["deadline"]
    preds: list[list[list[Any]]] = dag["preds"]
    n = len(dur)

    succs: list[list[tuple[int, bool, int]]] = [[] for _ in range(n)]
    indeg = [0] * n
    for i, ps in enumerate(preds):
        indeg[i] = len(ps)
        for p, typ, lag in ps:
            succs[p].append((i, typ == "SS", lag))
    order = [i for i in range(n) if indeg[i] == 0]
    k = 0
    while k < len(order):
        for s, _, _ in succs[order[k]]:
            indeg[s] -= 1
            if indeg[s] == 0:
                order.append(s)
        k += 1
    if len(order) != n:
        raise ValueError("dependency cycle")

    es = [0] * n
    ef = [0] * n
    for i in order:
        f = fixed[i]
        if f is not None:
            es[i] = ef[i] = f
            continue
        t = 0
        for p, typ, lag in preds[i]:
            v = (es[p] if typ == "SS" else ef[p]) + lag
            if v > t:
                t = v
        es[i] = t
        ef[i] = t + dur[i]

    lf: list[int | None] = [None] * n
    ls: list[int | None] = [None] * n
    for i in reversed(order):
        best = deadline[i]
        for s, ss, lag in succs[i]:
            ls_s = ls[s]
            if ls_s is None:
                continue
            v = ls_s - lag + dur[i] if ss else ls_s - lag
            if best is None or v < best:
                best = v
        if best is not None:
            lf[i] = best
            ls[i] = best - dur[i]

    flt = [None if lf[i] is None else lf[i] - ef[i] for i in range(n)]  # type: ignore[operator]
    return {"order": order, "es": es, "ef": ef, "ls": ls, "lf": lf, "float": flt}


def main(argv: list[str] | None = None) -> None:
    """Load a dag.json, time ``cpm`` on it, print {"seconds", "first_seconds", "items",
    "critical"} as JSON: seconds is the median of CALLS calls, first_seconds the first."""
    args = sys.argv[1:] if argv is None else argv
    with open(args[0]) as f:
        dag = json.load(f)
    first, median, r = time_calls(lambda: cpm(dag))
    critical = sum(1 for x in r["float"] if x is not None and x <= 0)
    print(json.dumps({"seconds": median, "first_seconds": first, "items": len(dag["ids"]), "critical": critical}))


if __name__ == "__main__":
    main()
