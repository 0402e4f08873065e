"""Benchmark govflow against a minimal CPM pass and TaskJuggler (tj3).

For each programme size (synthetic, from ``generate.py``) it measures, each run in a fresh
subprocess so that peak RSS belongs to that run alone (``os.wait4`` rusage of the child):

* ``govflow check --json FILE`` end to end (interpreter start-up, load, schedule, JSON);
* the scheduling core alone: ``govflow.schedule(programme)`` after ``govflow.load``;
* a minimal pure-Python CPM over the same DAG (``cpm.py``), the floor for the core;
* ``tj3`` on the dependency-only TaskJuggler export of the same DAG, when installed;

plus ``govflow check`` on a shipped timeline. Prints a Markdown table of medians, the ratios
and the performance targets with PASS/FAIL; ``--json`` prints the figures as JSON instead.

    python benchmarks/run.py                          # 1k, 10k, 100k; 5 repeats (3 at 100k)
    python benchmarks/run.py --sizes 1k,10k --repeat 3 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GOVFLOW = str(VENV_BIN / "govflow") if (VENV_BIN / "govflow").exists() else "govflow"
SHIPPED = ROOT / "timelines" / "north-cumbria-2019.yaml"

# Targets (see README.md).
TJ3_SPEEDUP_AT = 10_000
TJ3_SPEEDUP_MIN = 10.0
LARGE_AT = 100_000
LARGE_SECONDS_MAX = 5.0
LARGE_RSS_MAX_MB = 1024.0
CORE_OVER_CPM_MAX = 2.0
SHIPPED_SECONDS_MAX = 0.5


@dataclass
class Run:
    """One subprocess run: wall seconds, peak RSS (MB), exit status, captured output."""

    wall: float
    rss_mb: float
    rc: int | None
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""


def measure(cmd: list[str], timeout: float | None = None, keep_stdout: bool = False) -> Run:
    """Run cmd in a new process group; wall time to reap, and its peak RSS from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        reaped: dict[str, Any] = {}
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdout=out if keep_stdout else subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
        )

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            reaped.update(t=time.perf_counter(), status=status, usage=usage)

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        if timed_out:
            os.killpg(proc.pid, signal.SIGKILL)
            waiter.join()
        proc.returncode = os.waitstatus_to_exitcode(reaped["status"])  # already reaped
        out.seek(0)
        err.seek(0)
        return Run(
            wall=reaped["t"] - t0,
            rss_mb=reaped["usage"].ru_maxrss / 1024.0,  # Linux: KiB
            rc=None if timed_out else proc.returncode,
            timed_out=timed_out,
            stdout=out.read().decode(errors="replace") if keep_stdout else "",
            stderr=err.read().decode(errors="replace")[-2000:],
        )


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def ensure_programme(n: int, out: Path, regenerate: bool) -> dict[str, Path]:
    stem = out / f"programme-{generate.label(n)}"
    paths = {
        "govflow": stem.with_suffix(".json"),
        "tjp": stem.with_suffix(".tjp"),
        "dag": Path(f"{stem}.dag.json"),
    }
    if regenerate or not all(p.exists() for p in paths.values()):
        log(f"generating {n} items ...")
        generate.write(generate.build(n), out)
    return paths


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def summarise(runs: list[Run], extra: dict[str, list[float]] | None = None) -> dict[str, Any]:
    ok = [r for r in runs if not r.timed_out]
    res: dict[str, Any] = {
        "runs": len(runs),
        "wall_s": median([r.wall for r in ok]),
        "rss_mb": median([r.rss_mb for r in ok]),
        "walls": [round(r.wall, 4) for r in runs],
        "exit_codes": [r.rc for r in runs],
        "timed_out": any(r.timed_out for r in runs),
        # lower bounds when a run was killed: its wall time and its peak RSS so far
        "wall_max_s": max((r.wall for r in runs), default=None),
        "rss_mb_max": max((r.rss_mb for r in runs), default=None),
    }
    for k, xs in (extra or {}).items():
        res[k] = median(xs)
        res[k + "_all"] = [round(x, 5) for x in xs]
    return res


# A run slower than this is not repeated: its one figure is reported (``--slow``).
SLOW_SECONDS = 120.0
_slow = [SLOW_SECONDS]  # set from --slow in main()


def repeat_runs(
    cmd: list[str], repeat: int, timeout: float, ok: tuple[int, ...] = (0,), keep_stdout: bool = False
) -> tuple[list[Run], str]:
    """Up to ``repeat`` runs of cmd; stop early on an error, a timeout or a slow run."""
    runs: list[Run] = []
    for _ in range(repeat):
        r = measure(cmd, timeout, keep_stdout)
        runs.append(r)
        if r.timed_out or r.rc not in ok:
            return runs, error_text(r, timeout)
        if r.wall > _slow[0]:
            break
    return runs, ""


def bench_check(path: Path, repeat: int, timeout: float, json_out: bool = True) -> dict[str, Any]:
    """``govflow check [--json] FILE``; exit 1 (a deadline missed) counts as success."""
    cmd = [GOVFLOW, "check", *(["--json"] if json_out else []), str(path)]
    runs, err = repeat_runs(cmd, repeat, timeout, ok=(0, 1))
    return {**summarise(runs), **({"error": err} if err else {})}


def bench_inner(cmd: list[str], keys: list[str], repeat: int, timeout: float) -> dict[str, Any]:
    """A timing script printing one JSON line; ``keys`` are its timings to take medians of."""
    runs, err = repeat_runs(cmd, repeat, timeout, keep_stdout=True)
    if err:
        return {**summarise(runs), "error": err}
    extra: dict[str, list[float]] = {k: [] for k in keys}
    info: dict[str, Any] = {}
    for r in runs:
        data = json.loads(r.stdout.strip().splitlines()[-1])
        for k in keys:
            extra[k].append(data[k])
        info = {k: v for k, v in data.items() if k not in keys}
    return {**summarise(runs, extra), **info}


def bench_tj3(path: Path, repeat: int, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["tj3", "--silent", "--output-dir", tmp, str(path)]
        runs, err = repeat_runs(cmd, repeat, timeout)
    return {**summarise(runs), **({"error": err} if err else {})}


def error_text(r: Run, timeout: float) -> str:
    if r.timed_out:
        return f"timed out after {timeout:.0f} s"
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    return f"exit {r.rc}: " + (lines[-1] if lines else "(no message)")


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    tj3 = shutil.which("tj3") if not args.no_tj3 else None
    results: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "govflow": GOVFLOW,
            "git_head": git_head(),
            "tj3": tj3_version() if tj3 else None,
            "repeat": args.repeat,
            "large_repeat": args.large_repeat,
            "tj3_timeout_s": args.tj3_timeout,
        },
        "sizes": {},
    }
    for n in sizes:
        lab = generate.label(n)
        paths = ensure_programme(n, args.out, args.regenerate)
        repeat = args.large_repeat if n >= LARGE_AT else args.repeat
        row: dict[str, Any] = {"items": n, "repeat": repeat}
        log(f"[{lab}] govflow check --json x{repeat}")
        row["check"] = bench_check(paths["govflow"], repeat, args.timeout)
        log(f"[{lab}] govflow.schedule (core) x{repeat}")
        row["core"] = bench_inner(
            [PYTHON, str(HERE / "core_bench.py"), str(paths["govflow"])],
            ["schedule_seconds", "schedule_first_seconds", "load_seconds", "prepare_seconds"],
            repeat,
            args.timeout,
        )
        log(f"[{lab}] minimal CPM x{repeat}")
        row["cpm"] = bench_inner(
            [PYTHON, str(HERE / "cpm.py"), str(paths["dag"])], ["seconds", "first_seconds"], repeat, args.timeout
        )
        if tj3 and n <= args.tj3_max:
            tj_repeat = 1 if n >= LARGE_AT else repeat
            log(f"[{lab}] tj3 x{tj_repeat} (timeout {args.tj3_timeout:.0f} s)")
            row["tj3"] = bench_tj3(paths["tjp"], tj_repeat, args.tj3_timeout)
        row["core_over_cpm"] = ratio(row["core"].get("schedule_seconds"), row["cpm"].get("seconds"))
        row["first_over_cpm"] = ratio(row["core"].get("schedule_first_seconds"), row["cpm"].get("first_seconds"))
        core, prep = row["core"].get("schedule_seconds"), row["core"].get("prepare_seconds")
        row["prepared_over_cpm"] = ratio(
            core + prep if core is not None and prep is not None else None, row["cpm"].get("seconds")
        )
        tj3_wall = row.get("tj3", {}).get("wall_s") if "error" not in row.get("tj3", {}) else None
        row["tj3_over_check"] = ratio(tj3_wall, row["check"].get("wall_s"))
        results["sizes"][lab] = row
    if SHIPPED.exists():
        log(f"[shipped] govflow check {SHIPPED.relative_to(ROOT)} x{args.repeat}")
        results["shipped"] = {
            "file": str(SHIPPED.relative_to(ROOT)),
            **bench_check(SHIPPED, args.repeat, args.timeout, json_out=False),
        }
    else:
        results["shipped"] = {"file": str(SHIPPED.relative_to(ROOT)), "error": "missing"}
    log(f"[baseline] python -c pass x{args.repeat}")
    results["python_startup"] = summarise([measure([PYTHON, "-c", "pass"], args.timeout) for _ in range(args.repeat)])
    results["targets"] = targets(results)
    return results


def git_head() -> str | None:
    try:
        p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return p.stdout.strip() or None
    except OSError:
        return None


def tj3_version() -> str:
    try:
        p = subprocess.run(["tj3", "--version"], capture_output=True, text=True, timeout=60)
        return p.stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Evaluate the performance targets that the measured sizes allow."""
    out: list[dict[str, Any]] = []
    sizes = res["sizes"]

    def add(name: str, value: float | None, limit: str, ok: bool | None, note: str = "") -> None:
        out.append({"target": name, "measured": value, "limit": limit, "pass": ok, "note": note})

    lab = generate.label(TJ3_SPEEDUP_AT)
    if lab in sizes:
        row = sizes[lab]
        r = row.get("tj3_over_check")
        ok = None if r is None else r >= TJ3_SPEEDUP_MIN
        tj, chk = row.get("tj3"), row["check"]
        note = "" if tj else "tj3 not run"
        note = note or (tj or {}).get("error", "") or chk.get("error", "")
        if tj and chk.get("timed_out") and not tj.get("error"):  # ratio at most tj3 / timeout
            r = tj["wall_s"] / chk["wall_max_s"]
            ok = False if r < TJ3_SPEEDUP_MIN else None
            note = "govflow check timed out: ratio is an upper bound"
        elif tj and tj.get("timed_out") and not chk.get("error"):  # ratio at least timeout / check
            r = tj["wall_max_s"] / chk["wall_s"]
            ok = True if r >= TJ3_SPEEDUP_MIN else None
            note = "tj3 timed out: ratio is a lower bound"
        add(f"{lab}: tj3 / govflow check (end to end)", r, f">= {TJ3_SPEEDUP_MIN:g}x", ok, note)
    lab = generate.label(LARGE_AT)
    if lab in sizes:
        c = sizes[lab]["check"]
        err = c.get("error", "")
        w_ok: bool | None
        m_ok: bool | None
        if c.get("timed_out"):  # killed: wall and peak RSS so far are lower bounds
            w, m = c["wall_max_s"], c["rss_mb_max"]
            w_ok, m_ok = False, (False if m >= LARGE_RSS_MAX_MB else None)
            m_note = "peak RSS when killed, a lower bound"
        else:
            w, m = (None, None) if err else (c["wall_s"], c["rss_mb"])
            w_ok = None if w is None else w < LARGE_SECONDS_MAX
            m_ok = None if m is None else m < LARGE_RSS_MAX_MB
            m_note = err
        add(f"{lab}: govflow check --json wall (s)", w, f"< {LARGE_SECONDS_MAX:g} s", w_ok, err)
        add(f"{lab}: govflow check --json peak RSS (MB)", m, f"< {LARGE_RSS_MAX_MB:g} MB", m_ok, m_note)
    for lab, row in sizes.items():
        r = row.get("core_over_cpm")
        add(
            f"{lab}: core schedule / minimal CPM",
            r,
            f"<= {CORE_OVER_CPM_MAX:g}x",
            None if r is None else r <= CORE_OVER_CPM_MAX,
            row["core"].get("error", ""),
        )
    sh = res.get("shipped", {})
    w = None if sh.get("error") else sh.get("wall_s")
    w_ok = None if w is None else w < SHIPPED_SECONDS_MAX
    if sh.get("timed_out"):
        w = sh["wall_max_s"]
        w_ok = False if w >= SHIPPED_SECONDS_MAX else None
    name = f"shipped: govflow check {Path(sh.get('file', '?')).name} (s)"
    add(name, w, f"< {SHIPPED_SECONDS_MAX:g} s", w_ok, sh.get("error", ""))
    return out


# --------------------------------------------------------------------------- rendering


def fmt(x: float | None, unit: str = "", digits: int = 3) -> str:
    if x is None:
        return "-"
    if unit == "x":
        return f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"
    if unit == "MB":
        return f"{x:.0f}"
    return f"{x:.{digits}f}" if x < 100 else f"{x:.1f}"


def cell(part: dict[str, Any] | None, key: str, unit: str = "") -> str:
    if part is None:
        return "n/a"
    if part.get("timed_out"):
        if key == "wall_s":
            return f"> {fmt(part['wall_max_s'])} (timed out)"
        if key == "rss_mb":
            return f">= {part['rss_mb_max']:.0f} (when killed)"
        return "timed out"
    if part.get("error"):
        return "error"
    return fmt(part.get(key), unit)


def render(res: dict[str, Any]) -> str:
    """The results as Markdown: a table of medians per size, then the targets."""
    sizes = res["sizes"]
    labs = list(sizes)
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("govflow check --json, wall (s)", lambda r: cell(r["check"], "wall_s")),
        ("govflow check --json, peak RSS (MB)", lambda r: cell(r["check"], "rss_mb", "MB")),
        ("govflow.load, in-process (s)", lambda r: cell(r["core"], "load_seconds")),
        ("of which prepare (compile for scheduling) (s)", lambda r: cell(r["core"], "prepare_seconds")),
        ("govflow.schedule (core), in-process (s)", lambda r: cell(r["core"], "schedule_seconds")),
        ("load+schedule process, peak RSS (MB)", lambda r: cell(r["core"], "rss_mb", "MB")),
        ("minimal CPM, in-process (s)", lambda r: cell(r["cpm"], "seconds")),
        ("tj3, wall (s)", lambda r: cell(r.get("tj3"), "wall_s")),
        ("tj3, peak RSS (MB)", lambda r: cell(r.get("tj3"), "rss_mb", "MB")),
        ("ratio core / minimal CPM", lambda r: fmt(r.get("core_over_cpm"), "x")),
        ("ratio core / minimal CPM, first (cold) call", lambda r: fmt(r.get("first_over_cpm"), "x")),
        ("ratio (prepare + core) / minimal CPM", lambda r: fmt(r.get("prepared_over_cpm"), "x")),
        ("ratio tj3 / govflow check", lambda r: fmt(r.get("tj3_over_check"), "x")),
        ("deadlines met / total", lambda r: f"{r['core'].get('met', '-')} / {r['core'].get('deadlines', '-')}"),
        ("runs (median of)", lambda r: str(r["repeat"])),
    ]
    lines = ["| measure (median) | " + " | ".join(f"{lab} items" for lab in labs) + " |", "|---|" + "---:|" * len(labs)]
    for name, get in rows:
        lines.append(f"| {name} | " + " | ".join(get(sizes[lab]) for lab in labs) + " |")
    sh = res.get("shipped", {})
    st = res.get("python_startup", {})
    lines += [
        "",
        f"Shipped timeline `govflow check {sh.get('file')}`: "
        + (
            sh["error"]
            if sh.get("error")
            else f"{fmt(sh.get('wall_s'))} s wall, {fmt(sh.get('rss_mb'), 'MB')} MB peak RSS"
        )
        + f" (bare `python -c pass`: {fmt(st.get('wall_s'))} s).",
    ]
    errors = [
        f"- {lab} {part}: {sizes[lab][part]['error']}"
        for lab in labs
        for part in ("check", "core", "cpm", "tj3")
        if isinstance(sizes[lab].get(part), dict) and sizes[lab][part].get("error")
    ]
    if errors:
        lines += ["", "Errors:", *errors]
    lines += ["", "| target | measured | limit | result |", "|---|---:|---|---|"]
    for t in res["targets"]:
        unit = "x" if "/" in t["target"] else ("MB" if "MB" in t["target"] else "")
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[t["pass"]]
        note = f" ({t['note']})" if t["note"] else ""
        lines.append(f"| {t['target']} | {fmt(t['measured'], unit)} | {t['limit']} | {verdict}{note} |")
    m = res["meta"]
    lines += [
        "",
        f"Python {m['python']} on {m['platform']}, {m['cpus']} CPUs; tj3: {m['tj3'] or 'not available'}; "
        f"govflow at {m.get('git_head')}; {m['date']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark govflow (see benchmarks/README.md).")
    ap.add_argument("--sizes", default="1k,10k,100k", help="comma-separated, e.g. 1k,10k")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--large-repeat", type=int, default=3, help=f"runs per measurement at >= {LARGE_AT} items")
    ap.add_argument("--tj3-timeout", type=float, default=600.0, help="seconds per tj3 run")
    ap.add_argument(
        "--tj3-max", type=parse_size, default=100_000, help="largest size to run tj3 on (tj3 runs once at 100k)"
    )
    ap.add_argument("--no-tj3", action="store_true", help="skip tj3 even if installed")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per govflow run")
    ap.add_argument("--slow", type=float, default=SLOW_SECONDS, help="do not repeat a run slower than this (s)")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="generated programmes")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the programme files")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    _slow[0] = args.slow
    res = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    (args.out / "results.md").write_text(render(res) + "\n")
    print(json.dumps(res, indent=1, default=str) if args.json else render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
