"""Time govflow's scheduling core alone: ``govflow.schedule(programme)`` after ``load``.

Run in a fresh interpreter by ``run.py`` (one process per measurement, so the peak RSS it
reports belongs to this load + schedule alone). Prints one JSON line:
``{"load_seconds", "prepare_seconds", "schedule_seconds", "schedule_first_seconds", "items",
"deadlines", "met"}``. schedule_seconds is the median of ``cpm.CALLS`` calls timed as ``cpm.py``
times the minimal CPM (``cpm.time_calls``); schedule_first_seconds is the first, cold, call.

``prepare_seconds`` times compiling the programme for the kernel (calendars, meeting arrays, the
integer graph grouped by depth), which the first ``schedule`` would otherwise do, so it can be
added to the core's time for a like-for-like view.

    python benchmarks/core_bench.py benchmarks/out/programme-10k.json
"""

from __future__ import annotations

import gc
import json
import sys
import time

from cpm import time_calls  # this directory is on sys.path when run as a script


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    t0 = time.perf_counter()
    import govflow  # imported inside the timer: load_seconds includes the import

    programme = govflow.load([args[0]])
    t1 = time.perf_counter()
    from govflow import scheduling

    gc.collect()
    p0 = time.perf_counter()
    scheduling.prepare(programme)  # the topological sort (shared with load) and the compile, timed
    p1 = time.perf_counter()
    first, median, sched = time_calls(lambda: govflow.schedule(programme))  # as cpm.py times cpm()
    deadlines = list(sched.deadlines)
    print(
        json.dumps(
            {
                "load_seconds": t1 - t0,
                "prepare_seconds": p1 - p0,
                "schedule_seconds": median,
                "schedule_first_seconds": first,
                "items": len(sched.items),
                "deadlines": len(deadlines),
                "met": sum(1 for d in deadlines if d.met),
            }
        )
    )


if __name__ == "__main__":
    main()
