"""Benchmark ``govflow risk``: Monte Carlo over a synthetic programme, engine and end to end.

For each case (programme size x runs, ``--cases``, default ``1k:10000,10k:1000,100k:1000``):

* the risk programme ``benchmarks/out/programme-<size>-risk.json`` is made from
  ``programme-<size>.json`` (``generate.py``, through ``run.ensure_programme`` when missing) by
  giving every item that has a ``duration`` and none of ``done``, ``on``, ``at`` a
  ``range: [max(1, int(0.8 d)), int(1.5 d) + 1]`` (d its duration; the default triangular
  distribution, mode d). It is rebuilt when the source is newer, or with ``--regenerate``;
* the engine: a fresh process per repeat loads the file and runs ``govflow.schedule`` (not timed),
  then times ``govflow.risk.simulate(sched, runs, seed=0)``, the whole Monte Carlo with its
  sensitivity runs, as ``cpm.time_calls`` times a call (garbage collector off during it); peak RSS
  of that process;
* end to end: ``govflow risk FILE --runs N --json`` in a fresh process per repeat, wall time and
  peak RSS (``os.wait4``); its output is parsed as a sanity check (runs, deadlines, mean P(met)).

Medians over the repeats (``--repeat``, default 3; 1 for a case of more than 20,000 items unless
``--large-repeat``), with min-max; then the targets (README.md) with PASS/FAIL. The work tree's
``src`` is measured, or with ``--rev REV`` the commit REV (``git archive``, as ``run.py`` does);
either way ``PYTHONPATH`` is that ``src`` for every measured process.

    python benchmarks/risk_bench.py                                  # the three cases
    python benchmarks/risk_bench.py --cases 1k:10000,10k:1000 --rev HEAD
    python benchmarks/risk_bench.py --cases 1k:2000 --repeat 1 --json
    python benchmarks/risk_bench.py --child engine FILE RUNS         # one engine measurement
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import generate  # this directory is on sys.path when run as a script
import run
from cpm import time_calls
from run import Run, fmt, git_head, git_tree, loadavg, log, parse_size, src_modified

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
_next_to_python = Path(sys.executable).parent / "govflow"
GOVFLOW = str(_next_to_python) if _next_to_python.exists() else run.GOVFLOW

CASES = "1k:10000,10k:1000,100k:1000"
LARGE_ITEMS = 20_000  # a case with more items runs --large-repeat times (default 1)
SEED = 0
ENGINE_KEYS = ["simulate_seconds", "setup_seconds"]


@dataclass(frozen=True)
class Target:
    items: int
    runs: int
    part: str  # "engine" or "e2e"
    key: str  # the figure in that part
    limit: float
    what: str


# The targets of the issue (see README.md). The 10k target is judged on the end-to-end figure.
TARGETS = [
    Target(1_000, 10_000, "engine", "simulate_seconds", 1.0, "simulate(), in-process (s)"),
    Target(1_000, 10_000, "e2e", "wall_s", 2.0, "govflow risk --json, end to end (s)"),
    Target(10_000, 1_000, "e2e", "wall_s", 2.0, "govflow risk --json, end to end (s)"),
    Target(100_000, 1_000, "e2e", "wall_s", 30.0, "govflow risk --json, end to end (s)"),
    Target(100_000, 1_000, "e2e", "rss_mb", 2048.0, "govflow risk --json, peak RSS (MB)"),
]


# --------------------------------------------------------------------------- the risk programme


def add_ranges(data: dict[str, Any]) -> int:
    """Give each item with a duration, not done and not fixed (`on`, `at`), a range; how many.

    >>> d = {"items": {"a": {"duration": 10}, "b": {"duration": 1}, "c": {"duration": 5, "at": "x"}}}
    >>> add_ranges(d), d["items"]["a"]["range"], d["items"]["b"]["range"], "range" in d["items"]["c"]
    (2, [8, 16], [1, 2], False)
    """
    count = 0
    for item in data["items"].values():
        d = item.get("duration")
        if d is None or any(k in item for k in ("done", "on", "at")):
            continue
        item["range"] = [max(1, int(0.8 * d)), int(1.5 * d) + 1]
        count += 1
    return count


def risk_programme(n: int, out: Path, regenerate: bool) -> tuple[Path, int]:
    """``programme-<size>-risk.json`` (made or brought up to date) and its number of ranges."""
    lab = generate.label(n)
    src = out / f"programme-{lab}.json"
    if not src.exists():
        run.ensure_programme(n, out, False)
    dst = out / f"programme-{lab}-risk.json"
    fresh = not regenerate and dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime
    if fresh:
        data = json.loads(dst.read_text())
        count = sum(1 for it in data["items"].values() if "range" in it)
    else:
        data = json.loads(src.read_text())
        count = add_ranges(data)
        dst.write_text(json.dumps(data, indent=1) + "\n")
    done = "up to date" if fresh else f"written from {src.name}"
    log(f"[{lab}] {dst.name} ({done}): {count} of {len(data['items'])} items have a range")
    return dst, count


# --------------------------------------------------------------------------- measuring


def child_engine(path: str, runs: int) -> None:
    """One engine measurement, in its own process: prints one JSON line."""
    t0 = time.perf_counter()
    import govflow
    from govflow import risk

    sched = govflow.schedule(govflow.load([path]))
    t1 = time.perf_counter()
    _, seconds, result = time_calls(lambda: risk.simulate(sched, runs, seed=SEED), 1)
    p = [d.p_met for d in result.deadlines]
    print(
        json.dumps(
            {
                "simulate_seconds": seconds,
                "setup_seconds": t1 - t0,  # import, load and schedule: not in simulate_seconds
                "items": len(sched.items),
                "inputs": result.inputs,
                "result_runs": result.runs,
                "deadlines": len(p),
                "mean_p_met": statistics.fmean(p) if p else None,
            }
        )
    )


def spread(runs: list[Run], values: list[float] | None = None) -> list[float] | None:
    """[min, max] over the runs that finished (of `values` when given, else their wall times)."""
    xs = values if values is not None else [r.wall for r in runs if not r.timed_out]
    return [min(xs), max(xs)] if xs else None


def rss_fields(runs: list[Run]) -> dict[str, Any]:
    ok = [r.rss_mb for r in runs if not r.timed_out]
    return {"rss_mb_all": [round(x, 1) for x in ok], "rss_mb_range": spread(runs, ok)}


def bench_engine(path: Path, runs: int, repeat: int, timeout: float) -> dict[str, Any]:
    cmd = [PYTHON, str(HERE / "risk_bench.py"), "--child", "engine", str(path), str(runs)]
    done, err = run.repeat_runs(cmd, repeat, timeout, keep_stdout=True)
    res = run.inner_summary(done, err, ENGINE_KEYS)
    if not err:
        res["simulate_seconds_range"] = spread(done, res["simulate_seconds_all"])
    return {**res, **rss_fields(done)}


def sanity(stdout: str) -> dict[str, Any]:
    """What `govflow risk --json` printed: runs, deadlines and the mean P(met)."""
    try:
        data = json.loads(stdout)
        p = [d["p_met"] for d in data["deadlines"]]
    except (ValueError, KeyError, TypeError) as e:
        return {"json_error": f"output is not the risk JSON: {e}"}
    return {"result_runs": data["runs"], "deadlines": len(p), "mean_p_met": statistics.fmean(p) if p else None}


def bench_e2e(path: Path, runs: int, repeat: int, timeout: float) -> dict[str, Any]:
    """`govflow risk FILE --runs N --json`; stdout goes to a temporary file so the last can be parsed."""
    cmd = [GOVFLOW, "risk", str(path), "--runs", str(runs), "--json"]
    done, err = run.repeat_runs(cmd, repeat, timeout, keep_stdout=True)
    res: dict[str, Any] = {**run.summarise(done), "wall_s_range": spread(done), **rss_fields(done)}
    if err:
        res["error"] = err
    elif done:
        res.update(sanity(done[-1].stdout))
    return res


def parse_cases(text: str) -> list[tuple[int, int]]:
    """``1k:10000,10k:1000`` -> [(1000, 10000), (10000, 1000)]."""
    cases = []
    for part in text.split(","):
        if not part.strip():
            continue
        size, sep, runs = part.partition(":")
        if not sep:
            raise argparse.ArgumentTypeError(f"{part!r}: expected SIZE:RUNS, e.g. 1k:10000")
        cases.append((parse_size(size), int(runs)))
    return cases


def case_key(n: int, runs: int) -> str:
    return f"{generate.label(n)}:{runs}"


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        tree = run.ROOT
        if args.rev:
            tree = stack.enter_context(git_tree(args.rev))
        os.environ["PYTHONPATH"] = str(tree / "src")  # the measured govflow, for every child
        run.byte_compile(tree / "src")
        res: dict[str, Any] = {
            "meta": {
                "date": dt.datetime.now().isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "python_executable": PYTHON,
                "govflow": GOVFLOW,
                "git_head": git_head(args.rev or "HEAD"),
                "rev": args.rev,
                "govflow_src": run.govflow_src(),
                "src_modified": None if args.rev else src_modified(),
                "loadavg_start": os.getloadavg(),
                "repeat": args.repeat,
                "large_repeat": args.large_repeat,
                "timeout_s": args.timeout,
                "seed": SEED,
            },
            "cases": {},
        }
        for n, runs in args.cases:
            repeat = args.large_repeat if n > LARGE_ITEMS else args.repeat
            path, ranges = risk_programme(n, args.out, args.regenerate)
            key = case_key(n, runs)
            log(f"[{key}] engine: simulate() x{repeat}")
            engine = bench_engine(path, runs, repeat, args.timeout)
            log(f"[{key}] end to end: govflow risk --json x{repeat}")
            e2e = bench_e2e(path, runs, repeat, args.timeout)
            res["cases"][key] = {
                "items": n,
                "runs": runs,
                "repeat": repeat,
                "file": str(path),
                "ranges": ranges,
                "engine": engine,
                "e2e": e2e,
            }
        res["meta"]["loadavg_end"] = os.getloadavg()
        res["targets"] = targets(res)
        return res


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its figure and PASS (True) / FAIL (False) / not measured (None)."""
    out = []
    for t in TARGETS:
        case = res["cases"].get(case_key(t.items, t.runs))
        name = f"{generate.label(t.items)} x {t.runs} runs: {t.what}"
        limit = f"< {t.limit:g} {'MB' if t.key == 'rss_mb' else 's'}"
        value: float | None = None
        ok: bool | None = None
        note = ""
        if case is None:
            note = "case not run"
        else:
            part = case[t.part]
            if part.get("timed_out"):
                if t.part == "e2e":  # killed: its wall time and peak RSS so far are lower bounds
                    value = part["wall_max_s"] if t.key == "wall_s" else part["rss_mb_max"]
                    ok = False if value >= t.limit else None
                    note = "timed out: a lower bound"
                else:  # the process's wall time includes load and schedule: no bound on simulate()
                    note = f"engine process timed out after {part['wall_max_s']:.0f} s"
            elif part.get("error"):
                note = part["error"]
            else:
                value = part.get(t.key)
                ok = None if value is None else value < t.limit
            if t.items == 10_000 and t.part == "e2e":
                eng = case["engine"].get("simulate_seconds")
                note = "; ".join(x for x in (note, f"judged on end to end; engine {fmt(eng)} s") if x)
        out.append({"target": name, "measured": value, "limit": limit, "pass": ok, "note": note})
    return out


# --------------------------------------------------------------------------- rendering


def cell(part: dict[str, Any], key: str, rng: str, unit: str = "") -> str:
    """`run.cell` (the median), and (min-max) when there was more than one run."""
    text = run.cell(part, key, unit)
    lo_hi = part.get(rng)
    if lo_hi and part.get("runs", 1) > 1 and not (part.get("timed_out") or part.get("error")):
        text += f" ({fmt(lo_hi[0], unit)}-{fmt(lo_hi[1], unit)})"
    return text


def summary_line(key: str, case: dict[str, Any]) -> str:
    def said(part: dict[str, Any]) -> str:
        if part.get("json_error"):
            return part["json_error"]
        if part.get("error") or part.get("timed_out") or "deadlines" not in part:
            return "no result"
        p = part.get("mean_p_met")
        return f"{part['result_runs']} runs, {part['deadlines']} deadlines, mean P(met) {fmt(p, digits=4)}"

    e2e, eng = case["e2e"], case["engine"]
    agree = ""
    if "mean_p_met" in e2e and "mean_p_met" in eng:
        same = all(abs(e2e[k] - eng[k]) < 1e-6 for k in ("result_runs", "deadlines", "mean_p_met"))
        agree = "; the same" if same else "; they DIFFER"
    return f"- {key}: `govflow risk --json` printed {said(e2e)}; the engine's `simulate()`: {said(eng)}{agree}."


def render(res: dict[str, Any]) -> str:
    cases = res["cases"]
    keys = list(cases)
    rows = [
        ("items / tasks with a range", lambda c: f"{c['items']} / {c['ranges']}"),
        (
            "engine: simulate(), in-process (s)",
            lambda c: cell(c["engine"], "simulate_seconds", "simulate_seconds_range"),
        ),
        ("engine process, peak RSS (MB)", lambda c: cell(c["engine"], "rss_mb", "rss_mb_range", "MB")),
        ("engine: import, load and schedule, not timed (s)", lambda c: cell(c["engine"], "setup_seconds", "")),
        ("govflow risk --json, end to end (s)", lambda c: cell(c["e2e"], "wall_s", "wall_s_range")),
        ("govflow risk --json, peak RSS (MB)", lambda c: cell(c["e2e"], "rss_mb", "rss_mb_range", "MB")),
        ("runs (median of)", lambda c: str(c["repeat"])),
    ]
    labels = [f"{generate.label(cases[k]['items'])} x {cases[k]['runs']} runs" for k in keys]
    lines = ["| measure: median (min-max) | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(keys)]
    for name, get in rows:
        lines.append(f"| {name} | " + " | ".join(get(cases[k]) for k in keys) + " |")
    lines += ["", "Sanity (seed 0):", *(summary_line(k, cases[k]) for k in keys)]
    errors = [
        f"- {k} {part}: {cases[k][part]['error']}"
        for k in keys
        for part in ("engine", "e2e")
        if cases[k][part].get("error")
    ]
    if errors:
        lines += ["", "Errors:", *errors]
    lines += run.target_table(res["targets"], lambda t: "MB" if "MB" in t["limit"] else "")
    m = res["meta"]
    lines += [
        "",
        f"Python {m['python']} on {m['platform']}, {m['cpus']} CPUs; govflow at {m.get('git_head')}"
        + run.source_note(m)
        + f"; load average {loadavg(m.get('loadavg_start'))} at the start, {loadavg(m.get('loadavg_end'))} at the end;"
        f" {m['date']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark govflow risk (see benchmarks/README.md).")
    ap.add_argument("--cases", type=parse_cases, default=parse_cases(CASES), help=f"SIZE:RUNS,... (default {CASES})")
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement (median)")
    ap.add_argument(
        "--large-repeat", type=int, default=1, help=f"processes per measurement above {LARGE_ITEMS} items (default 1)"
    )
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per process (default 900)")
    ap.add_argument("--rev", help="measure govflow as committed at this git revision (git archive), not the work tree")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="programmes and results")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the risk programmes from their sources")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--child", nargs=3, metavar=("engine", "FILE", "RUNS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, path, runs = args.child
        if kind != "engine":
            ap.error(f"unknown child {kind!r}")
        child_engine(path, int(runs))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    res = run_all(args)
    run.write_results(args.out, "risk-results", res, render(res), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
