"""`govflow check` itself, without the command-line parser: what the `check` command and the
console script's quick path (`console`) both run. Reads the files, schedules, explains, prints
(standard output; warnings and errors on standard error) and returns the exit status."""

from __future__ import annotations

import gc
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import GovflowError, InvalidTimeline

if TYPE_CHECKING:
    from .model import Programme

FAST_EXIT = False  # set by the console script; tests call the app in-process and keep it off
KEPT_FOR_EXIT: list[object] = []  # what `check` built, alive until the console script exits


def say(text: str) -> None:
    """A line on standard error (as `typer.echo(..., err=True)` writes it)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def report_failure(error: GovflowError) -> int:
    """Print why the files could not be used, each problem with its file and line; exit status 2."""
    if isinstance(error, InvalidTimeline):
        for p in error.problems:
            say(str(p))
        n = len(error.problems)
        say(f"govflow: {n} error{'s' if n != 1 else ''}; nothing was scheduled")
    else:
        message = str(error)  # already 'where: error[code]: ...' when the error knows its place
        say(message if re.search(r"(^|: )error\[", message) else f"govflow: error: {message}")
    return 2


def load_reporting(files: list[Path]) -> Programme:
    """Load the files (raising `GovflowError` as `load` does), printing each load-time warning
    (`file:line: warning[code]: ...`) to standard error first, so `--json` output stays clean."""
    from .loading import load_with_warnings

    programme, warnings = load_with_warnings(files)
    for w in warnings:
        say(str(w))
    return programme


def risk_keys(sched: Any, summary: dict[str, Any]) -> dict[str, Any]:
    """Risk results by item key ('timeline:item'), from their labels."""
    by_label = {sched.programme.label(k): k for k in sched.programme.items}
    return {by_label[k]: v for k, v in summary.items()}


def run_check(
    files: list[Path],
    status: date | None = None,
    show_all: bool = False,
    as_json: bool = False,
    risk_runs: int | None = None,
    seed: int = 0,
    at_risk: int | None = None,
    width: int | None = None,
) -> int:
    """Check the files: exit status 0 all deadlines met, 1 a deadline missed or unschedulable,
    2 invalid input. `risk_runs`: add P(met) and P80 from that many runs (`--risk`)."""
    from .explain import AT_RISK_MARGIN, explain
    from .render import check_json_text, render_check
    from .scheduling import schedule

    threshold = AT_RISK_MARGIN if at_risk is None else at_risk
    gc_was = gc.isenabled()
    gc.disable()  # the model is acyclic: cyclic GC passes over 100k items only cost time
    try:
        try:
            sched = schedule(load_reporting(files), as_of=status)
        except GovflowError as e:
            return report_failure(e)
        explanations = explain(sched, at_risk=threshold)
        risk = None
        if risk_runs is not None:
            from .risk import deadline_summary, simulate

            risk = risk_keys(sched, deadline_summary(simulate(sched, risk_runs, seed, sensitivity=0)))
        if as_json:
            sys.stdout.write(check_json_text(sched, explanations, risk))
            sys.stdout.write("\n")
        else:
            if width is None:
                import shutil

                width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
            text = render_check(sched, explanations, show_all=show_all, risk=risk, width=width, at_risk=threshold)
            sys.stdout.write(text.rstrip("\n") + "\n")
        sys.stdout.flush()
        if FAST_EXIT:  # `check` only reads: the console script exits without tearing the programme down
            KEPT_FOR_EXIT.append((sched, explanations))
        return 0 if sched.all_met else 1
    finally:
        if gc_was and not FAST_EXIT:  # in-process (tests, callers of the app): leave the collector as it was
            gc.enable()
