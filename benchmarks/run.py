"""Benchmark govflow against its previous engine, a minimal CPM pass and TaskJuggler (tj3).

For each programme size (synthetic, from ``generate.py``) it measures, each run in a fresh
subprocess so that peak RSS belongs to that run alone (``os.wait4`` rusage of the child):

* ``govflow check --json FILE`` end to end (interpreter start-up, load, schedule, JSON);
* the scheduling core alone: ``govflow.schedule(programme)`` after ``govflow.load``;
* a minimal pure-Python CPM over the same DAG (``cpm.py``), the floor for the core;
* ``tj3`` on the dependency-only TaskJuggler export of the same DAG, when installed;
* the previous scheduling engine (``--baseline``, default 01f4329, extracted with ``git archive``
  and run from its own ``benchmarks/core_bench.py`` with ``PYTHONPATH`` on its ``src``);
* the kernel's variant axis: the 1k programme x 10,000 sampled-duration variants in one call
  (``variants_bench.py``), forward only and forward + backward;

plus ``govflow check`` on a shipped timeline. Prints a Markdown table of medians, the ratios
and the performance targets with PASS/FAIL; ``--json`` prints the figures as JSON instead.

The work tree's govflow is measured, or with ``--rev REV`` the commit REV (``git archive`` into
a temporary directory, its ``src`` first on every child's ``PYTHONPATH``).

    python benchmarks/run.py                          # 1k, 10k, 100k; 5 repeats (3 at 100k)
    python benchmarks/run.py --rev HEAD --tj3-max 10k # the last commit, as in README.md
    python benchmarks/run.py --sizes 1k,10k --repeat 3 --json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
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
SHIPPED = Path("timelines") / "north-cumbria-2019.yaml"  # in the measured tree (``--rev``) or the work tree

# Targets (see README.md).
TJ3_SPEEDUP_AT = 10_000
TJ3_SPEEDUP_MIN = 30.0
LARGE_AT = 100_000
LARGE_SECONDS_MAX = 4.0
LARGE_RSS_MAX_MB = 1024.0
KERNEL_OVER_BASELINE_MAX = 1.0  # the kernel's schedule() at least as fast as the previous engine's
VARIANTS_SECONDS_MAX = 1.0  # the 1k programme x 10,000 variants through the kernel, one call
SHIPPED_SECONDS_MAX = 0.5
BASELINE = "01f4329"  # the previous engine (its fast path), before the kernel
VARIANTS_AT = 1_000
VARIANTS_N = 10_000
VARIANTS_CALLS = 3  # in-process calls per pass in each variants_bench.py process


@dataclass
class Run:
    """One subprocess run: wall seconds, peak RSS (MB), exit status, captured output."""

    wall: float
    rss_mb: float
    rc: int | None
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""


def measure(
    cmd: list[str], timeout: float | None = None, keep_stdout: bool = False, env: dict[str, str] | None = None
) -> Run:
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
            env=env,
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
    cmd: list[str],
    repeat: int,
    timeout: float,
    ok: tuple[int, ...] = (0,),
    keep_stdout: bool = False,
    env: dict[str, str] | None = None,
) -> tuple[list[Run], str]:
    """Up to ``repeat`` runs of cmd; stop early on an error, a timeout or a slow run."""
    runs: list[Run] = []
    for _ in range(repeat):
        r = measure(cmd, timeout, keep_stdout, env)
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


def bench_inner(
    cmd: list[str], keys: list[str], repeat: int, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """A timing script printing one JSON line; ``keys`` are its timings to take medians of."""
    runs, err = repeat_runs(cmd, repeat, timeout, keep_stdout=True, env=env)
    return inner_summary(runs, err, keys)


def bench_interleaved(
    jobs: list[tuple[list[str], dict[str, str] | None]], keys: list[str], repeat: int, timeout: float
) -> list[dict[str, Any]]:
    """Like `bench_inner` for several timing scripts, run in turn (a, b, a, b, ...) so that a
    busy spell on the machine falls on each alike; a job that fails is not run again."""
    runs: list[list[Run]] = [[] for _ in jobs]
    errs = [""] * len(jobs)
    for _ in range(repeat):
        for j, (cmd, env) in enumerate(jobs):
            if errs[j]:
                continue
            r = measure(cmd, timeout, True, env)
            runs[j].append(r)
            if r.timed_out or r.rc != 0:
                errs[j] = error_text(r, timeout)
    return [inner_summary(rs, err, keys) for rs, err in zip(runs, errs, strict=True)]


def inner_summary(runs: list[Run], err: str, keys: list[str]) -> dict[str, Any]:
    """Medians of a timing script's JSON figures over its runs (the last run's other fields)."""
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


CORE_KEYS = ["schedule_seconds", "schedule_first_seconds", "load_seconds", "prepare_seconds"]
VARIANT_KEYS = ["forward_seconds", "forward_first_seconds", "both_seconds", "both_first_seconds", "compile_seconds"]


@contextlib.contextmanager
def git_tree(rev: str):  # type: ignore[no-untyped-def]
    """The repository at `rev`, extracted with ``git archive`` into a temporary directory."""
    with tempfile.TemporaryDirectory(prefix=f"govflow-{rev}-") as tmp:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        yield Path(tmp)


def bench_core(path: Path, repeat: int, timeout: float, tree: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The core (``core_bench.py``), and with `tree` the previous engine's core, timed by its own
    core_bench.py (which times its compile step, `prepare`, from scratch) with its own source
    first on PYTHONPATH; the two run in turn, one process each per round."""
    jobs: list[tuple[list[str], dict[str, str] | None]] = [([PYTHON, str(HERE / "core_bench.py"), str(path)], None)]
    if tree is not None:
        script = tree / "benchmarks" / "core_bench.py"
        if not script.exists():
            script = HERE / "core_bench.py"
        jobs.append(([PYTHON, str(script), str(path)], {**os.environ, "PYTHONPATH": str(tree / "src")}))
    res = bench_interleaved(jobs, CORE_KEYS, repeat, timeout)
    return res[0], res[1] if tree is not None else {}


def add_totals(core: dict[str, Any], compiles_in_load: bool) -> None:
    """prepare + schedule, and file to first schedule (load, compile, first call), in place.

    The previous engine compiled as the last step of `load` (its prepare_seconds times that step
    again from scratch); the kernel compiles on the first `schedule` or `prepare`."""
    load, prep = core.get("load_seconds"), core.get("prepare_seconds")
    sched, first = core.get("schedule_seconds"), core.get("schedule_first_seconds")
    if None in (load, prep, sched, first):
        return
    core["prepared_seconds"] = prep + sched
    core["to_schedule_seconds"] = load + first + (0.0 if compiles_in_load else prep)


def error_text(r: Run, timeout: float) -> str:
    if r.timed_out:
        return f"timed out after {timeout:.0f} s"
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    return f"exit {r.rc}: " + (lines[-1] if lines else "(no message)")


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def byte_compile(*trees: Path) -> None:
    """Byte-compile the measured sources and the installed packages first, as installing a
    package does (pip compiles what it installs): a run then starts as a user's would, whether or
    not PYTHONDONTWRITEBYTECODE is set where the benchmark runs."""
    for path in (*trees, Path(sysconfig.get_paths()["purelib"])):
        subprocess.run([PYTHON, "-m", "compileall", "-q", str(path)], check=False, capture_output=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        args.tree = ROOT
        if args.rev:  # measure the commit, not the work tree: its src/ first on every child's path
            args.tree = stack.enter_context(git_tree(args.rev))
            os.environ["PYTHONPATH"] = str(args.tree / "src")
        baseline = None if args.no_baseline else args.baseline
        tree = stack.enter_context(git_tree(baseline)) if baseline else None
        byte_compile(args.tree / "src", *([tree / "src"] if tree else []))
        return run_in(args, tree)


def run_in(args: argparse.Namespace, tree: Path | None) -> dict[str, Any]:
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    tj3 = shutil.which("tj3") if not args.no_tj3 else None
    results: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "govflow": GOVFLOW,
            "git_head": git_head(args.rev or "HEAD"),
            "rev": args.rev,
            "govflow_src": govflow_src(),
            "src_modified": None if args.rev else src_modified(),
            "baseline": None if tree is None else args.baseline,
            "loadavg_start": os.getloadavg(),
            "tj3": tj3_version() if tj3 else None,
            "repeat": args.repeat,
            "large_repeat": args.large_repeat,
            "tj3_timeout_s": args.tj3_timeout,
        },
        "sizes": {},
    }
    for n in sizes:
        run_size(args, results, n, tj3, tree)
    if not args.no_variants:
        run_variants(args, results)
    _finish(args, results)
    return results


def run_size(args: argparse.Namespace, results: dict[str, Any], n: int, tj3: str | None, tree: Path | None) -> None:
    """One programme size: check, core, previous engine, CPM floor and tj3, with the ratios."""
    lab = generate.label(n)
    paths = ensure_programme(n, args.out, args.regenerate)
    repeat = args.large_repeat if n >= LARGE_AT else args.repeat
    row: dict[str, Any] = {"items": n, "repeat": repeat}
    log(f"[{lab}] govflow check --json x{repeat}")
    row["check"] = bench_check(paths["govflow"], repeat, args.timeout)
    also = f", in turn with the previous engine ({args.baseline})" if tree is not None else ""
    log(f"[{lab}] govflow.schedule (core) x{repeat}{also}")
    row["core"], base = bench_core(paths["govflow"], repeat, args.timeout, tree)
    add_totals(row["core"], compiles_in_load=False)
    if tree is not None:
        row["baseline"] = base
        add_totals(row["baseline"], compiles_in_load=True)
        base = row["baseline"]
        for key in ("schedule_seconds", "schedule_first_seconds", "prepared_seconds", "to_schedule_seconds"):
            row[f"kernel_over_baseline_{key}"] = ratio(row["core"].get(key), base.get(key))
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


def run_variants(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """The 1k programme x V sampled-duration variants through the kernel (variants_bench.py)."""
    n, V = args.variants_size, args.variants
    paths = ensure_programme(n, args.out, args.regenerate)
    repeat = args.large_repeat if n >= LARGE_AT else args.repeat
    log(f"[variants] {generate.label(n)} x {V} variants x{repeat}")
    cmd = [PYTHON, str(HERE / "variants_bench.py"), str(paths["govflow"]), "--variants", str(V)]
    cmd += ["--calls", str(args.variants_calls)]
    res = bench_inner(cmd, VARIANT_KEYS, repeat, args.timeout)
    results["variants"] = {"size": generate.label(n), "calls": args.variants_calls, **res}


def _finish(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """The shipped timeline, bare interpreter start-up, and the targets."""
    shipped = args.tree / SHIPPED
    if shipped.exists():
        log(f"[shipped] govflow check {SHIPPED} x{args.repeat}")
        results["shipped"] = {"file": str(SHIPPED), **bench_check(shipped, args.repeat, args.timeout, json_out=False)}
    else:
        results["shipped"] = {"file": str(SHIPPED), "error": "missing"}
    log(f"[start-up] python -c pass x{args.repeat}")
    results["python_startup"] = summarise([measure([PYTHON, "-c", "pass"], args.timeout) for _ in range(args.repeat)])
    results["meta"]["loadavg_end"] = os.getloadavg()
    results["targets"] = targets(results)


def git_head(rev: str = "HEAD") -> str | None:
    try:
        p = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True)
        return p.stdout.strip() or None
    except OSError:
        return None


def govflow_src() -> str | None:
    """Where the measured processes import govflow from (PYTHONPATH can point elsewhere)."""
    try:
        code = "import govflow, os; print(os.path.dirname(os.path.dirname(govflow.__file__)))"
        p = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
        return p.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def src_modified() -> bool | None:
    """Whether the work tree's src/ differs from HEAD (the figures are then not HEAD's)."""
    try:
        p = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True)
        return bool(p.stdout.strip())
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
        if "baseline" not in row:
            continue
        r = row.get("kernel_over_baseline_schedule_seconds")
        note = row["core"].get("error", "") or row["baseline"].get("error", "")
        ok = None if r is None else r <= KERNEL_OVER_BASELINE_MAX
        name = f"{lab}: kernel schedule() / previous engine ({res['meta'].get('baseline')})"
        add(name, r, f"<= {KERNEL_OVER_BASELINE_MAX:g}x", ok, note)
    var = res.get("variants")
    if var is not None:
        size, V = var.get("size"), var.get("variants")
        for key, what in (("forward_seconds", "forward only"), ("both_seconds", "forward + backward")):
            v = None if var.get("error") else var.get(key)
            ok = None if v is None else v < VARIANTS_SECONDS_MAX
            limit = f"< {VARIANTS_SECONDS_MAX:g} s"
            add(f"{size} x {V} variants: kernel, {what} (s)", v, limit, ok, var.get("error", ""))
        bad = var.get("variant0_mismatches")
        add(
            f"{size} x {V} variants: variant 0 early finishes differing from schedule() (items)",
            bad,
            "= 0",
            None if bad is None else bad == 0,
            f"{var.get('variant0_checked')} items checked" if bad is not None else var.get("error", ""),
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
    if isinstance(x, int) and unit != "x":
        return str(x)
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
    rev = res["meta"].get("baseline") or "-"
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
        ("kernel: prepare + schedule (s)", lambda r: cell(r["core"], "prepared_seconds")),
        ("kernel: load, prepare and first schedule (s)", lambda r: cell(r["core"], "to_schedule_seconds")),
        (
            f"previous engine ({rev}): govflow.schedule, in-process (s)",
            lambda r: cell(r.get("baseline"), "schedule_seconds"),
        ),
        (
            "previous engine: prepare (compiled inside its load) (s)",
            lambda r: cell(r.get("baseline"), "prepare_seconds"),
        ),
        ("previous engine: prepare + schedule (s)", lambda r: cell(r.get("baseline"), "prepared_seconds")),
        ("previous engine: load and first schedule (s)", lambda r: cell(r.get("baseline"), "to_schedule_seconds")),
        (
            "ratio kernel / previous engine, schedule",
            lambda r: fmt(r.get("kernel_over_baseline_schedule_seconds"), "x"),
        ),
        (
            "ratio kernel / previous engine, first (cold) schedule",
            lambda r: fmt(r.get("kernel_over_baseline_schedule_first_seconds"), "x"),
        ),
        (
            "ratio kernel / previous engine, prepare + schedule",
            lambda r: fmt(r.get("kernel_over_baseline_prepared_seconds"), "x"),
        ),
        (
            "ratio kernel / previous engine, load to first schedule",
            lambda r: fmt(r.get("kernel_over_baseline_to_schedule_seconds"), "x"),
        ),
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
    lines += render_variants(res.get("variants"))
    errors = [
        f"- {lab} {part}: {sizes[lab][part]['error']}"
        for lab in labs
        for part in ("check", "core", "baseline", "cpm", "tj3")
        if isinstance(sizes[lab].get(part), dict) and sizes[lab][part].get("error")
    ]
    if errors:
        lines += ["", "Errors:", *errors]
    lines += target_table(
        res["targets"], lambda t: "x" if "/" in t["target"] else ("MB" if "MB" in t["target"] else "")
    )
    m = res["meta"]
    lines += [
        "",
        f"Python {m['python']} on {m['platform']}, {m['cpus']} CPUs; tj3: {m['tj3'] or 'not available'}; "
        f"govflow at {m.get('git_head')}"
        + source_note(m)
        + f"; load average {loadavg(m.get('loadavg_start'))} at the start, {loadavg(m.get('loadavg_end'))} at the end;"
        f" {m['date']}.",
    ]
    return "\n".join(lines)


def target_table(targets: list[dict[str, Any]], unit: Callable[[dict[str, Any]], str]) -> list[str]:
    """The targets as Markdown rows: what was measured, the limit, PASS, FAIL or not measured."""
    lines = ["", "| target | measured | limit | result |", "|---|---:|---|---|"]
    for t in targets:
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[t["pass"]]
        note = f" ({t['note']})" if t["note"] else ""
        lines.append(f"| {t['target']} | {fmt(t['measured'], unit(t))} | {t['limit']} | {verdict}{note} |")
    return lines


def source_note(m: dict[str, Any]) -> str:
    """Where the measured govflow came from, when not simply the work tree at HEAD."""
    if m.get("rev"):
        return f" (`--rev {m['rev']}`: as committed, extracted with git archive)"
    if m.get("govflow_src") != str(ROOT / "src"):
        return f", imported from {m.get('govflow_src')}"
    return " (src/ modified in the work tree)" if m.get("src_modified") else ""


def loadavg(xs: Any) -> str:
    return "/".join(f"{x:.2f}" for x in xs) if xs else "-"


def render_variants(var: dict[str, Any] | None) -> list[str]:
    """The variants benchmark as a small table and a line of context."""
    if var is None:
        return []
    head = f"The {var.get('size')} programme x {var.get('variants')} sampled-duration variants, one kernel call"
    if var.get("error"):
        return ["", f"{head}: {var['error']}"]
    return [
        "",
        f"| {head} (median) | forward only | forward + backward |",
        "|---|---:|---:|",
        f"| kernel call (s) | {cell(var, 'forward_seconds')} | {cell(var, 'both_seconds')} |",
        f"| first call in its process (s) | {cell(var, 'forward_first_seconds')} | {cell(var, 'both_first_seconds')} |",
        "",
        f"Compile once ({fmt(var.get('compile_seconds'))} s, not in the kernel figures); "
        f"{var.get('tasks')} tasks sampled; process peak RSS {fmt(var.get('rss_mb'), 'MB')} MB; "
        f"variant 0 (planned durations): {var.get('variant0_mismatches')} of {var.get('variant0_checked')} items' "
        f"early finishes differ from `govflow.schedule`; last finishes spread over {var.get('finish_spread_days')} "
        f"days across variants; median of {var.get('runs')} processes x {var.get('calls')} calls.",
    ]


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
    ap.add_argument("--rev", help="measure govflow as committed at this git revision (git archive), not the work tree")
    ap.add_argument("--baseline", default=BASELINE, help="git revision of the previous engine to compare with")
    ap.add_argument("--no-baseline", action="store_true", help="skip the previous engine")
    ap.add_argument("--variants", type=int, default=VARIANTS_N, help="variants in the variants benchmark")
    ap.add_argument(
        "--variants-size", type=parse_size, default=VARIANTS_AT, help="programme size for the variants benchmark"
    )
    ap.add_argument("--variants-calls", type=int, default=VARIANTS_CALLS, help="in-process calls per variants pass")
    ap.add_argument("--no-variants", action="store_true", help="skip the variants benchmark")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per govflow run")
    ap.add_argument("--slow", type=float, default=SLOW_SECONDS, help="do not repeat a run slower than this (s)")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="generated programmes")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the programme files")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    _slow[0] = args.slow
    res = run(args)
    write_results(args.out, "results", res, render(res), args.json)
    return 0


def write_results(out: Path, name: str, res: dict[str, Any], text: str, as_json: bool) -> None:
    """The figures as `out/NAME.json` and `out/NAME.md`, and on standard output (JSON or Markdown)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    (out / f"{name}.md").write_text(text + "\n")
    print(json.dumps(res, indent=1, default=str) if as_json else text)


if __name__ == "__main__":
    sys.exit(main())
