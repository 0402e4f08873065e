"""The `govflow` command line: thin commands over the library (load -> schedule -> render)."""

from __future__ import annotations

import gc
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from .dates import DateError, parse_date
from .errors import GovflowError, InvalidTimeline

app = typer.Typer(
    name="govflow",
    help="Governance timelines: board sign-offs, meeting dates and national deadlines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Files = Annotated[
    list[Path], typer.Argument(help="Timeline files (YAML or JSON); several form one programme.", show_default=False)
]


def _as_of(value: Optional[str]) -> Optional[date]:  # noqa: UP045 - typer needs Optional
    if value is None:
        return None
    try:
        return parse_date(value)
    except DateError as e:
        raise typer.BadParameter(str(e), param_hint="--as-of") from None


def _fail(error: GovflowError) -> None:
    if isinstance(error, InvalidTimeline):
        for p in error.problems:
            typer.echo(str(p), err=True)
        n = len(error.problems)
        typer.echo(f"govflow: {n} error{'s' if n != 1 else ''}; nothing was scheduled", err=True)
    else:
        typer.echo(f"govflow: error: {error}", err=True)
    raise typer.Exit(2)


@app.command()
def check(
    files: Files,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Status date (overrides each file's as_of).",
            metavar="DATE",
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list every item's earliest and latest dates and float.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the machine-readable form instead.")] = False,
) -> None:
    """Can we still make the deadlines? Verdict, forecast, margin and driving path of each.

    Exit status: 0 all deadlines met, 1 a deadline missed or unschedulable, 2 invalid input.
    """
    from .explain import explain
    from .loading import load
    from .render import check_json, render_check
    from .scheduling import schedule

    status = _as_of(as_of)
    gc.disable()  # the model is acyclic: cyclic GC passes over 100k items only cost time
    try:
        programme = load(files)
    except GovflowError as e:
        _fail(e)
        return
    sched = schedule(programme, as_of=status)
    explanations = explain(sched)
    if as_json:
        sys.stdout.write(json.dumps(check_json(sched, explanations)) + "\n")
    else:
        typer.echo(render_check(sched, explanations, show_all=show_all).rstrip("\n"))
    raise typer.Exit(0 if sched.all_met else 1)


# --- calendar (issue 3) ---


# --- gantt (issue 4) ---


# --- history, snapshot, baseline, report, mta (issue 5) ---


@app.callback()
def _main() -> None:
    """Governance timelines: board sign-offs, meeting dates and national deadlines."""


def main() -> None:
    app()
