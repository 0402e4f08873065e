"""The `govflow` command line: thin commands over the library (load -> schedule -> render)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperArgument, TyperGroup

from .checking import load_reporting, report_failure, run_check
from .dates import DateError, parse_date
from .errors import GovflowError

if TYPE_CHECKING:
    pass


class _Argument(TyperArgument):
    """A positional argument in plain help as click writes it: `FILE...` (in the usage line and
    under Arguments), not typer's `{FILE}...` and `FILE <list[Path]>`."""

    def _shown(self) -> str:
        return (self.metavar or (self.name or "").upper()) + ("..." if self.nargs != 1 else "")

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        return [self._shown() if self.required else f"[{self._shown()}]"]

    def get_help_record(self, ctx: Any) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return None if record is None else (self._shown(), record[1])


class _Group(TyperGroup):
    """The command groups: each command's arguments are shown as `_Argument` shows them."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        for param in command.params if command is not None else ():
            if type(param) is TyperArgument:
                param.__class__ = _Argument  # the same object, with click's plain names
        return command


app = typer.Typer(
    cls=_Group,
    name="govflow",
    help="Governance timelines: board sign-offs, meeting dates and national deadlines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: flags without a "<bool>" metavar, no box drawing in pipes
)

StatusOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--as-of", help="Status date (overrides each file's as_of).", metavar="DATE"),
]
Files = Annotated[
    list[Path],
    typer.Argument(
        help="Timeline files (YAML or JSON); several form one programme.", show_default=False, metavar="FILE"
    ),
]


AtRiskOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--at-risk",
        help="A met deadline with fewer working days to spare than N is 'met, at risk' (default 5).",
        min=0,
        metavar="N",
        show_default=False,
    ),
]


def _at_risk(at_risk: int | None, green_margin: int | None = None) -> int:
    """The at-risk threshold in working days: `--at-risk`, else the deprecated `--green-margin`
    (the report's old name for it), else `explain.AT_RISK_MARGIN`."""
    from .explain import AT_RISK_MARGIN

    if green_margin is not None:
        if at_risk is not None and at_risk != green_margin:
            raise typer.BadParameter(
                f"--green-margin is the old name of --at-risk; give one of them, not {green_margin} and {at_risk}",
                param_hint="--green-margin",
            )
        typer.echo("govflow: note: --green-margin is now --at-risk, the same threshold as check and gantt", err=True)
        return green_margin
    return AT_RISK_MARGIN if at_risk is None else at_risk


def _as_of(value: Optional[str]) -> Optional[date]:  # noqa: UP045 - typer needs Optional
    if value is None:
        return None
    try:
        return parse_date(value)
    except DateError as e:
        raise typer.BadParameter(str(e), param_hint="--as-of") from None


def _fail(error: GovflowError) -> None:
    raise typer.Exit(report_failure(error))


CHECK_GLOSSARY = (
    "Glossary:\n\n"
    "Float: working days an item can slip without moving a deadline.\n\n"
    "Driving path: the chain of items that sets a deadline's forecast; a slip anywhere on it moves the deadline.\n\n"
    "Papers due: the last day papers can go to a meeting (the body's papers_due working days before it).\n\n"
    'TBC window: a meeting or event whose date is not confirmed yet ("late Oct 2019 TBC"); '
    "govflow plans it on the window's last day.\n\n"
    "At risk: met, but with fewer than --at-risk working days to spare (default 5)."
)


@app.command(epilog=CHECK_GLOSSARY)
def check(
    files: Files,
    as_of: StatusOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list every item's earliest and latest dates and float.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the machine-readable form instead.")] = False,
    with_risk: Annotated[
        bool, typer.Option("--risk", help="Add P(met) and P80 columns from `govflow risk` (--runs, --seed).")
    ] = False,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs for --risk.", min=1, metavar="N")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for --risk.", metavar="S")] = 0,
    at_risk: AtRiskOption = None,
    width: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--width", help="Lay out to N columns (default: the terminal's width, or 100).", min=40, metavar="N"
        ),
    ] = None,
) -> None:
    """Can we still make the deadlines? Verdict, forecast, margin and driving path of each.

    Exit status: 0 all deadlines met, 1 a deadline missed or unschedulable, 2 invalid input.
    """
    status = _as_of(as_of)
    threshold = _at_risk(at_risk)
    raise typer.Exit(run_check(files, status, show_all, as_json, runs if with_risk else None, seed, threshold, width))


# --- calendar (issue 3) ---


def _calendar_alarm(value: str, flag: str) -> int | None:
    """'2' -> 2 working days; '0' or 'off' -> no reminder."""
    if value.strip().lower() in ("off", "none", "no"):
        return None
    try:
        n = int(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a number of working days or 'off'", param_hint=flag) from None
    if n < 0:
        raise typer.BadParameter(f"{n} is negative; give 0 or 'off' for no reminder", param_hint=flag)
    return n or None


@app.command("calendar")
def calendar_cmd(
    files: Files,
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help="The .ics file to write.", metavar="OUT.ics")
    ] = None,
    as_of: StatusOption = None,
    stamp: Annotated[
        str | None,
        typer.Option(
            "--stamp",
            help="DTSTAMP of every entry, e.g. 2019-09-05T09:00:00Z (default: now). Fix it for repeatable files.",
            metavar="DATETIME",
        ),
    ] = None,
    tasks: Annotated[bool, typer.Option("--tasks", help="Also add tasks (their working days) and milestones.")] = False,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="publish: a file to import or subscribe to. request: invitations, a folder (-o DIR) of one "
            ".ics per event with ORGANIZER and ATTENDEEs, or -o FILE.zip of them.",
            metavar="publish|request",
        ),
    ] = "publish",
    per_attendee: Annotated[
        Path | None,
        typer.Option(
            "--per-attendee",
            help="Also write DIR/<address>.ics: each person's entries (with --method request: DIR/<address>/, "
            "one invitation per event).",
            metavar="DIR",
        ),
    ] = None,
    body: Annotated[
        list[str] | None, typer.Option("--body", help="Only this body's meetings and papers (repeatable).", metavar="B")
    ] = None,
    owner: Annotated[
        list[str] | None, typer.Option("--owner", help="Only items this address owns (repeatable).", metavar="EMAIL")
    ] = None,
    level: Annotated[
        list[str] | None, typer.Option("--level", help="national, regional or local (repeatable).", metavar="LEVEL")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Only entries on or after DATE.", metavar="DATE")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Only entries on or before DATE.", metavar="DATE")] = None,
    papers_alarm: Annotated[
        str,
        typer.Option(
            "--papers-alarm", help="Reminder N working days before papers are due (0/off: none).", metavar="N"
        ),
    ] = "2",
    deadline_alarm: Annotated[
        str,
        typer.Option("--deadline-alarm", help="Reminder N working days before a deadline (0/off: none).", metavar="N"),
    ] = "5",
    cancel_removed: Annotated[
        bool, typer.Option("--cancel-removed", help="Cancel entries of the previous export that are now gone.")
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="State of previous exports (default: .govflow/calendar.sqlite beside the first file).",
            metavar="PATH",
        ),
    ] = None,
    no_state: Annotated[
        bool, typer.Option("--no-state", help="Neither read nor write the state: every SEQUENCE is 0.")
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Calendar name (default: the timeline's title).", metavar="NAME")
    ] = None,
) -> None:
    """Send everyone the dates: an iCalendar (.ics) file of meetings, papers deadlines and national deadlines.

    Import it into Outlook or Google Calendar, or publish it and subscribe to it.

    Re-export when the schedule moves: entries move in place (stable UIDs; SEQUENCE from the state file).

    Exit status: 0 written, 2 invalid input or options.
    """
    from datetime import UTC, datetime

    from .dates import parse_window
    from .exporters.ics import CalendarOptions, write_calendars
    from .scheduling import schedule

    status = _as_of(as_of)
    if out is None and per_attendee is None:
        raise typer.BadParameter("say where to write: -o OUT.ics and/or --per-attendee DIR", param_hint="-o")
    if method not in ("publish", "request"):
        raise typer.BadParameter(f"'{method}' is not 'publish' or 'request'", param_hint="--method")
    if no_state and (state is not None or cancel_removed):
        flag = "--state" if state is not None else "--cancel-removed"
        raise typer.BadParameter(f"{flag} needs the state of the previous export; drop --no-state", param_hint=flag)
    try:
        when = datetime.now(UTC) if stamp is None else datetime.fromisoformat(stamp.replace("z", "Z"))
    except ValueError:
        hint = f"cannot read '{stamp}'; write e.g. 2019-09-05T09:00:00Z"
        raise typer.BadParameter(hint, param_hint="--stamp") from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    bounds = []
    for flag, text in (("--from", start), ("--to", end)):
        try:
            w = parse_window(text) if text else None
        except DateError as e:
            raise typer.BadParameter(str(e), param_hint=flag) from None
        bounds.append(None if w is None else w.first if flag == "--from" else w.last)
    options = CalendarOptions(
        tasks=tasks,
        method=method,
        bodies=tuple(body or ()),
        owners=tuple(owner or ()),
        levels=tuple(level or ()),
        start=bounds[0],
        end=bounds[1],
        papers_alarm=_calendar_alarm(papers_alarm, "--papers-alarm"),
        deadline_alarm=_calendar_alarm(deadline_alarm, "--deadline-alarm"),
        cancel_removed=cancel_removed,
        name=name,
    )
    if out is not None and out.resolve() in {f.resolve() for f in files}:
        raise typer.BadParameter(f"{out} is a timeline file; govflow never overwrites timelines", param_hint="-o")
    try:
        sched = schedule(load_reporting(files), as_of=status)
        where = None if no_state else state or files[0].parent / ".govflow" / "calendar.sqlite"
        written, warnings = write_calendars(sched, when, options, out=out, per_attendee=per_attendee, state=where)
    except GovflowError as e:
        _fail(e)
        return
    for warning in warnings:
        typer.echo(f"govflow: warning: {warning}", err=True)
    for f in written:
        counts = f"{f.events} entr{'y' if f.events == 1 else 'ies'}: {f.new} new, {f.moved} moved, {f.changed} changed"
        if f.files is None:
            typer.echo(f"wrote {f.path} ({counts}, {f.cancelled} cancelled)")
        else:  # invitations: a folder (or a .zip) of one file per event
            sent = f"{f.files} invitation{'' if f.files == 1 else 's'}"
            shown = str(f.path) if f.path.suffix.lower() == ".zip" else f"{f.path}/"
            typer.echo(f"wrote {shown} ({sent}; {counts}, {f.cancelled} cancelled)")
    if per_attendee is not None and not any(f.path.parent == per_attendee for f in written):
        typer.echo(f"govflow: warning: no entry has an attendee; nothing written to {per_attendee}", err=True)


# --- gantt (issue 4) ---

_GANTT_SUFFIX = {".json": "json", ".csv": "csv", ".mmd": "mermaid", ".md": "mermaid", ".xml": "mspdi",
                 ".html": "html", ".htm": "html", ".svg": "svg"}  # fmt: skip


@app.command("gantt")
def gantt_cmd(
    files: Files,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="json (frappe-gantt), csv (Excel, UTF-8 with BOM), mermaid (GitHub/GitLab), mspdi (MS Project XML), "
            "html or svg (the chart). Default: from OUT's suffix (.json .csv .mmd .xml .html .svg); with neither "
            "-f nor -o, the HTML chart in TIMELINE-gantt.html.",
            metavar="FORMAT",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write ('-' or none with -f: standard output).", metavar="OUT"),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Swimlanes (mermaid sections) by level or by body.", metavar="level|body")
    ] = "level",
    as_of: StatusOption = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="Baseline bars from this recorded baseline (default: the default baseline, if one is recorded).",
            metavar="NAME",
        ),
    ] = None,
    no_baseline: Annotated[bool, typer.Option("--no-baseline", help="No baseline bars or dates.")] = False,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="History store (default: .govflow/history.sqlite beside the first file).", metavar="PATH"
        ),
    ] = None,
    at_risk: AtRiskOption = None,
) -> None:
    """Gantt data and chart: JSON, CSV, Mermaid, MS Project XML, or a self-contained HTML/SVG chart.

    RAG colours: amber is under --at-risk working days of float, as check's "met, at risk".

    When the files declare risk inputs (range, cancel_rate, risks:), the HTML/SVG chart draws each deadline's
    P50 to P90 span and gives its P(met) (10,000 runs, seed 0, as govflow risk).

    Items that cannot be scheduled are CSV rows and listed under the HTML chart; other formats leave them out.

    Exit status: 0 written, 2 invalid input or options.
    """
    from .exporters.gantt import FORMATS, baseline_of, render
    from .scheduling import schedule

    status = _as_of(as_of)
    if no_baseline and (baseline is not None or db is not None):
        raise typer.BadParameter("--baseline and --db name a baseline; drop --no-baseline", param_hint="--no-baseline")
    if fmt is None and out is None:  # neither: the chart, in a file named after the timeline
        fmt, out = "html", Path(f"{files[0].stem}-gantt.html")
    if fmt is None:
        fmt = _GANTT_SUFFIX.get(out.suffix.lower()) if out is not None else None
        if fmt is None:
            raise typer.BadParameter(f"say which format: one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}", param_hint="--format")
    if by not in ("level", "body"):
        raise typer.BadParameter(f"'{by}' is not 'level' or 'body'", param_hint="--by")
    if out is not None and out.resolve() in {f.resolve() for f in files}:
        raise typer.BadParameter(f"{out} is a timeline file; govflow never overwrites timelines", param_hint="-o")
    base_note = ""
    try:
        sched = schedule(load_reporting(files), as_of=status)
        base = None
        if not no_baseline:
            from .tracking import HistoryStore, default_db_path, timeline_key

            path = db or default_db_path(files[0])
            if path.exists() or db is not None or baseline is not None:  # else: no store, so no baseline
                with HistoryStore(path, create=False) as store:
                    found = store.baseline(timeline_key(sched), baseline)
                if found is not None:
                    base = baseline_of(found[1])
                    base_note = f", baseline '{found[0]}' of {found[1].as_of}"
        risk = None
        if fmt in ("html", "svg"):  # the chart draws each deadline's P50-P90 span when risk is declared
            from .risk import overview

            risk = overview(sched)
        text = render(sched, fmt, by=by, baseline=base, at_risk=_at_risk(at_risk), risk=risk)  # type: ignore[arg-type]
    except GovflowError as e:
        _fail(e)
        return
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as e:
        typer.echo(f"{out}: error[cannot-write]: cannot write the file: {e.strerror or e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {out} ({fmt}{base_note})")


# --- history, snapshot, baseline, report, mta (issue 5) ---

DbOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional
    typer.Option(
        "--db", help="History store (default: .govflow/history.sqlite beside the first file).", metavar="PATH"
    ),
]
AsOfOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--as-of", help="Status date (default: the file's as_of, else today).", metavar="DATE"),
]


def _history_schedule(files: list[Path], as_of: str | None):  # type: ignore[no-untyped-def]
    """Load and schedule the files for the history commands; the status date defaults to today."""
    from .scheduling import schedule

    status = _as_of(as_of)
    try:
        programme = load_reporting(files)
        if status is None and any(t.as_of is None for t in programme.timelines):
            status = date.today()
        return schedule(programme, as_of=status)
    except GovflowError as e:
        _fail(e)


def _history_run(files: list[Path], db: Path | None, action, create: bool = True):  # type: ignore[no-untyped-def]
    """Open the history store and run `action(store)`; store problems exit 2 with a clear message."""
    import sqlite3

    from .tracking import HistoryError, HistoryStore, default_db_path

    path = db or default_db_path(files[0])
    if db is not None and not db.parent.is_dir():
        typer.echo(
            f"{db}: error[no-directory]: the directory {db.parent} does not exist; create it or choose another --db",
            err=True,
        )
        raise typer.Exit(2)
    try:
        with HistoryStore(path, create=create) as store:
            return action(store)
    except HistoryError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    except sqlite3.DatabaseError as e:
        typer.echo(f"{path}: error[history]: the history store is damaged ({e}); move it aside or use --db", err=True)
        raise typer.Exit(2) from None


def _recorded_risk(sched: Any) -> Any:
    """Each deadline's P(met) for a snapshot or the report (`risk.overview`: fixed runs and seed),
    as a `tracking.RecordedRisk`; None when the files declare no risk inputs."""
    from .risk import overview
    from .tracking import RecordedRisk

    try:
        result = overview(sched)
    except GovflowError as e:
        _fail(e)
    return None if result is None else RecordedRisk.of(sched, result)


def _record(files: list[Path], db: Path | None, as_of: str | None, name: str | None) -> None:
    from datetime import UTC, datetime

    from .explain import fmt

    sched = _history_schedule(files, as_of)
    paths = [t.path for t in sched.programme.timelines]
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    risk = _recorded_risk(sched)
    r = _history_run(files, db, lambda store: store.record(sched, paths, now, baseline=name, risk=risk))
    what = f"snapshot of {r.timeline} as of {fmt(r.as_of)}"
    verb = "Replaced the" if r.replaced else "Recorded a"
    n = f"{r.items} item{'s' * (r.items != 1)}, {r.deadlines} deadline{'s' * (r.deadlines != 1)}"
    typer.echo(f"{verb} {what}: {n} (files {r.files_hash[:12]})")
    if r.replaced:
        typer.echo("  (a snapshot for this status date existed; it now holds the dates computed today)")
    if risk is not None:
        typer.echo(f"  with each deadline's P(met), from {risk.runs:,} runs (seed {risk.seed})")
    if name is not None:
        typer.echo(
            f"{'Moved' if r.baseline_replaced else 'Named'} baseline '{name}' to this snapshot"
            + (" (the default baseline)" if r.baseline_default else "")
        )


@app.command()
def snapshot(files: Files, db: DbOption = None, as_of: AsOfOption = None) -> None:
    """Record the computed schedule in the history store (one snapshot per timeline and status date).

    Every item's dates, float and status and each deadline's verdict, with the time taken and a file hash;
    with risk inputs (range, cancel_rate, risks:), each deadline's P(met) too (10,000 runs, seed 0).

    Recording again for the same status date replaces the snapshot (and says so).
    """
    _record(files, db, as_of, None)


@app.command()
def baseline(
    files: Files,
    name: Annotated[
        str, typer.Option("--name", help="Baseline name; the first one recorded is the default.", metavar="NAME")
    ] = "baseline",
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Record a snapshot and mark it as a named baseline to report slippage against."""
    _record(files, db, as_of, name)


@app.command()
def history(files: Files, db: DbOption = None) -> None:
    """List the snapshots and baselines recorded for these timeline files."""
    from .reports import render_history

    try:
        programme = load_reporting(files)
    except GovflowError as e:
        _fail(e)
    key = ",".join(t.id for t in programme.timelines)

    def run(store):  # type: ignore[no-untyped-def]
        bases = [(b.name, b.as_of, b.is_default) for b in store.baselines(key)]
        return render_history(key, store.snapshots(key), bases)

    typer.echo(_history_run(files, db, run, create=False).rstrip("\n"))


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        typer.echo(f"{out}: error[cannot-write]: cannot write the file: {e.strerror or e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {out}", err=True)


@app.command()
def report(
    files: Files,
    db: DbOption = None,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--since", help="Compare with the latest snapshot on or before DATE.", metavar="DATE"),
    ] = None,
    baseline_name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--baseline", help="Baseline to compare with (default: the default baseline).", metavar="NAME"),
    ] = None,
    fmt_: Annotated[str, typer.Option("--format", "-f", help="md, html or json.", metavar="md|html|json")] = "md",
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("-o", "--output", help="Write to this file instead of standard output.", metavar="OUT"),
    ] = None,
    as_of: AsOfOption = None,
    at_risk: AtRiskOption = None,
    green_margin: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--green-margin", help="Deprecated: --at-risk.", min=0, metavar="N", hidden=True),
    ] = None,
) -> None:
    """The weekly slippage report: the schedule now against last week's snapshot and the baseline.

    Compares the schedule computed from the files now with the latest snapshot before the status date.

    RAG: Blue done; Red missed or unschedulable; Amber met, but slipped against the baseline or with fewer
    than --at-risk working days to spare; Green met, on or ahead of the baseline, with --at-risk or more.

    When the files declare risk inputs (range, cancel_rate, risks:), each deadline's P(met) and its change
    since the earlier snapshot (10,000 runs, seed 0, as govflow risk).
    """
    from .reports import RagRules, render_html, render_json, render_markdown, weekly_report
    from .tracking import HistoryError, timeline_key

    if fmt_ not in ("md", "html", "json"):
        raise typer.BadParameter(f"'{fmt_}' is not one of md, html, json", param_hint="--format")
    margin = _at_risk(at_risk, green_margin)
    since_d = None
    if since is not None:
        try:
            since_d = parse_date(since)
        except DateError as e:
            raise typer.BadParameter(str(e), param_hint="--since") from None
    sched = _history_schedule(files, as_of)
    key = timeline_key(sched)

    def run(store):  # type: ignore[no-untyped-def]
        if since_d is not None:
            prev = store.latest(key, on_or_before=since_d)
            if prev is None:
                raise HistoryError(store.path, f"no snapshot of {key} on or before {since_d}")
        else:
            prev = store.latest(key, before=sched.as_of)
        base = store.baseline(key, baseline_name)
        return prev, base, store.snapshots(key)

    prev, base, hist = _history_run(files, db, run)
    rep = weekly_report(
        sched,
        prev,
        base[1] if base else None,
        base[0] if base else None,
        history=hist,
        rules=RagRules(green_margin=margin),
        since=since_d,
        risk=_recorded_risk(sched),
    )
    render = {"md": render_markdown, "html": render_html, "json": render_json}[fmt_]
    _write(render(rep), out)


@app.command()
def mta(
    files: Files,
    db: DbOption = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("-o", "--output", help="Write the SVG to this file instead of standard output.", metavar="OUT"),
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Milestone trend analysis chart (SVG): forecast of each deadline at every recorded status date.

    x: report date, y: forecast date, one line per deadline; the diagonal is report = forecast.
    """
    from .reports import mta_series, render_mta
    from .tracking import timeline_key

    sched = _history_schedule(files, as_of)
    key = timeline_key(sched)
    hist = _history_run(files, db, lambda store: store.snapshots(key))
    _write(render_mta(mta_series(sched, hist)) + "\n", out)


@app.command()
def risk(
    files: Files,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.", min=1, max=10_000_000, metavar="N")] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same answer.", metavar="S")
    ] = 0,
    as_of: StatusOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the machine-readable form instead.")] = False,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("-o", "--output", help="Also write a self-contained HTML report to this file.", metavar="OUT"),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Processes to spread the runs over.", min=1, metavar="N")
    ] = 1,
    scheduler: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--scheduler",
            help="Run the chunks on a Dask cluster at this address (pip install 'govflow[dask]').",
            metavar="ADDRESS",
        ),
    ] = None,
) -> None:
    """How likely is each deadline? P(met), P50/P80/P90 dates and which meeting each decision goes to.

    Durations vary within each task's `range`, TBC dates over their windows, meetings are cancelled
    at their body's `cancel_rate`, and `risks:` occur with their probability (README: "Risk").
    The same --seed gives the same answer whatever --workers.
    """
    from .risk import has_inputs, render_html, render_json, render_text, simulate
    from .scheduling import schedule

    status = _as_of(as_of)
    try:
        programme = load_reporting(files)
        sched = schedule(programme, as_of=status)
    except GovflowError as e:
        _fail(e)
        return
    if not has_inputs(programme):
        typer.echo(
            "govflow: note: nothing in these files is uncertain (no range, TBC window, cancel_rate or risks), "
            "so every run is the plan itself",
            err=True,
        )
    try:
        result = _simulate_with_progress(simulate, sched, runs, seed, workers, quiet=as_json, scheduler=scheduler)
    except GovflowError as e:
        _fail(e)
        return
    if out is not None:
        title = programme.timelines[0].title if programme.single else "Programme"
        out.write_text(render_html(result, title), encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
    typer.echo((render_json if as_json else render_text)(result).rstrip("\n"))


def _simulate_with_progress(
    simulate: Any, sched: Any, runs: int, seed: int, workers: int, quiet: bool, scheduler: str | None = None
) -> Any:
    """`simulate` with a progress bar on standard error when the runs take a while."""
    from rich.progress import Progress

    options = {"runs": runs, "seed": seed, "workers": workers, "scheduler": scheduler}
    if quiet or runs * len(sched.items) < 20_000_000:
        return simulate(sched, **options)
    with Progress(transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("simulating", total=runs)
        return simulate(sched, **options, progress=lambda n: bar.advance(task, n))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


# --- import (issue 15) ---


def _print_problems(problems: Any) -> None:
    for p in problems:
        typer.echo(str(p), err=True)


@app.command("import")
def import_cmd(
    table: Annotated[
        Path,
        typer.Argument(
            help="A table (.csv, .xlsx) or an MS Project plan (.xml; .mpp, .xer and others with the mpxj extra).",
            metavar="TABLE",
            show_default=False,
        ),
    ],
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("-o", "--output", help="Timeline file to write (default: standard output).", metavar="OUT.yaml"),
    ] = None,
    sheet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sheet", help="The sheet to read (default: the first with a table).", metavar="NAME"),
    ] = None,
    column: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--column",
            help="Which column holds what, e.g. --column title=Milestone --column date=C (repeatable). Roles: "
            "id level title date start end duration owner body after deadline status done forecast notes.",
            metavar="ROLE=HEADER",
        ),
    ] = None,
    chain: Annotated[
        bool,
        typer.Option("--chain", help="No 'Depends on' column: link rows in table order within each level."),
    ] = False,
    timeline_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--id", help="The new timeline's id (default: from the file name).", metavar="ID"),
    ] = None,
    title: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--title", help="Its title (default: a title row above the table, else the file name).", metavar="TEXT"
        ),
    ] = None,
    holidays: Annotated[
        str,
        typer.Option(
            "--holidays", help="Bank holidays: england, wales, scotland, northern-ireland or none.", metavar="NATION"
        ),
    ] = "england",
    as_of: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--as-of", help="Status date to write into the timeline.", metavar="DATE"),
    ] = None,
    papers_due: Annotated[
        int,
        typer.Option("--papers-due", help="Working days before a meeting that its papers are due.", min=0, metavar="N"),
    ] = 5,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
) -> None:
    """Start from the spreadsheet you have: a timeline file from a Gantt table or an MS Project plan.

    Columns are found by their headers: Level, Activity/Milestone/Task, Date or Start/End, Duration, Owner.

    Also Body/Meeting, Depends on, Deadline, Status. Decisions at meetings become items at bodies that meet then.

    Every assumption is marked '# check:' in the file; run `govflow check` on it next.

    Exit status: 0 every row imported, 1 written but rows left out (listed by sheet and row), 2 nothing imported.
    """
    from .importing import ImportOptions, import_file
    from .sheets import SheetError

    status = _as_of(as_of)
    columns: dict[str, str] = {}
    for spec in column or []:
        role, sep, header = spec.partition("=")
        if not sep or not role.strip() or not header.strip():
            raise typer.BadParameter(f"'{spec}' is not ROLE=HEADER (e.g. date=Due)", param_hint="--column")
        columns[role.strip().lower()] = header.strip()
    if out is not None and out.exists() and not force:
        raise typer.BadParameter(f"{out} exists; give --force to overwrite it", param_hint="-o")
    options = ImportOptions(
        sheet=sheet,
        columns=columns,
        chain=chain,
        id=timeline_id,
        title=title,
        holidays=holidays,
        as_of=status,
        papers_due=papers_due,
    )
    try:
        result = import_file(table, options)
    except SheetError as e:
        _print_problems(e.problems)
        typer.echo("govflow: nothing was imported", err=True)
        raise typer.Exit(2) from None
    except GovflowError as e:
        _fail(e)
        return
    for note in result.notes:
        typer.echo(f"govflow: note: {note}", err=True)
    _print_problems(result.skipped)
    if out is None or str(out) == "-":
        sys.stdout.write(result.text)
    else:
        try:
            out.write_text(result.text, encoding="utf-8")
        except OSError as e:
            typer.echo(f"{out}: error[cannot-write]: cannot write the file: {e.strerror or e}", err=True)
            raise typer.Exit(2) from None
    names = {"meeting": "decision at a meeting", "task": "task", "milestone": "milestone", "event": "fixed event"}
    plural = {"decision at a meeting": "decisions at meetings"}

    def count(n: int, word: str) -> str:
        return f"{n} {word if n == 1 else plural.get(word, word + 's')}"

    kinds = ", ".join(count(n, names.get(k, k)) for k, n in result.kinds.items() if n)
    left = len(result.skipped)
    typer.echo(
        f"{'wrote ' + str(out) if out is not None else 'imported'}: {count(result.items, 'item')} ({kinds}), "
        f"{result.bodies} bod{'y' if result.bodies == 1 else 'ies'}; "
        f"{count(result.checks, 'assumption')} marked '# check:'"
        + (f"; {left} row{'s' * (left != 1)} left out (listed above)" if left else ""),
        err=True,
    )
    raise typer.Exit(1 if left else 0)


# --- meetings and agenda (issue 11) ---

_AGENDA_SUFFIX = {".txt": "text", ".md": "md", ".html": "html", ".htm": "html", ".json": "json", ".ics": "ics"}


@app.command("meetings")
def meetings_cmd(
    files: Files,
    body: Annotated[
        list[str] | None,
        typer.Option("--body", help="Only this body (its id, or timeline:id; repeatable).", metavar="B"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the machine-readable form instead.")] = False,
) -> None:
    """Each body's meetings: the date govflow counts it as held, its papers-due date, TBC window and source.

    Source is 'meets', 'recurrence' or the calendar file (meets_from) the date came from.

    Exit status: 0 listed, 2 invalid input or an unknown body.
    """
    from .agenda import meetings, meetings_json, render_meetings
    from .scheduling import schedule

    try:
        found = meetings(schedule(load_reporting(files)), body)
    except GovflowError as e:
        _fail(e)
        return
    if as_json:
        sys.stdout.write(json.dumps(meetings_json(found)) + "\n")
    else:
        typer.echo(render_meetings(found).rstrip("\n"))


@app.command("agenda")
def agenda_cmd(
    files: Files,
    body: Annotated[
        list[str] | None,
        typer.Option("--body", help="Only this body (its id, or timeline:id; repeatable).", metavar="B"),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Meetings held on or after DATE (default: the status date).", metavar="DATE"),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help="Meetings held on or before DATE (default: each body's last busy meeting).", metavar="DATE"
        ),
    ] = None,
    fmt_: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="text, md, html, json or ics (default: from OUT's suffix, else text).",
            metavar="FORMAT",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: standard output).", metavar="OUT")
    ] = None,
    as_of: StatusOption = None,
    stamp: Annotated[
        str | None,
        typer.Option(
            "--stamp", help="DTSTAMP of an .ics agenda, e.g. 2019-09-05T09:00:00Z (default: now).", metavar="DATETIME"
        ),
    ] = None,
    at_risk: AtRiskOption = None,
) -> None:
    """Each board's forward agenda across every plan given: what comes to each meeting, and what is at risk.

    For each meeting: the items planned for it (timeline, owner, float, deadline, RAG), those at risk of
    missing it (float under --at-risk working days, default 5) with the meeting they would go to and what
    that does to their deadlines, and the items that could come to it if they were ready earlier.

    Exit status: 0 written, 2 invalid input or options.
    """
    from datetime import UTC, datetime

    from .agenda import FORMATS, agenda, render
    from .dates import parse_window
    from .scheduling import schedule

    status = _as_of(as_of)
    if fmt_ is None:
        fmt_ = _AGENDA_SUFFIX.get(out.suffix.lower(), "text") if out is not None else "text"
    if fmt_ not in FORMATS:
        raise typer.BadParameter(f"'{fmt_}' is not one of {', '.join(FORMATS)}", param_hint="--format")
    bounds = []
    for flag, text in (("--from", start), ("--to", end)):
        try:
            w = parse_window(text) if text else None
        except DateError as e:
            raise typer.BadParameter(str(e), param_hint=flag) from None
        bounds.append(None if w is None else w.first if flag == "--from" else w.last)
    try:
        when = datetime.now(UTC) if stamp is None else datetime.fromisoformat(stamp.replace("z", "Z"))
    except ValueError:
        hint = f"cannot read '{stamp}'; write e.g. 2019-09-05T09:00:00Z"
        raise typer.BadParameter(hint, param_hint="--stamp") from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if out is not None and out.resolve() in {f.resolve() for f in files}:
        raise typer.BadParameter(f"{out} is a timeline file; govflow never overwrites timelines", param_hint="-o")
    try:
        sched = schedule(load_reporting(files), as_of=status)
        found = agenda(sched, body, bounds[0], bounds[1], _at_risk(at_risk))
        result = render(found, fmt_, when, sched.programme.timelines[0].timezone)
    except GovflowError as e:
        _fail(e)
        return
    data = result.encode("utf-8") if isinstance(result, str) else result
    if out is None or str(out) == "-":
        sys.stdout.buffer.write(data) if fmt_ == "ics" else sys.stdout.write(str(result))
        return
    try:
        out.write_bytes(data)
    except OSError as e:
        typer.echo(f"govflow: error: cannot write {out}: {e.strerror or e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {out} ({fmt_})")


# --- progress export | import (issue 15) ---

progress_app = typer.Typer(
    cls=_Group,
    help="The owners' weekly progress sheet: export it (XLSX or CSV), then import what they filled in.",
    no_args_is_help=True,
)
app.add_typer(progress_app, name="progress")


@progress_app.command("export")
def progress_export(
    files: Files,
    out: Annotated[
        Path,
        typer.Option("-o", "--output", help="The sheet to write: .xlsx (validated) or .csv.", metavar="OUT"),
    ],
    owner: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--owner", help="Only the items this address owns (repeatable).", metavar="EMAIL"),
    ] = None,
    as_of: StatusOption = None,
) -> None:
    """Write the progress sheet: one row per open item, with empty columns done, started, remaining, forecast, note.

    In .xlsx the input columns are validated (dates; remaining a whole number >= 0; started and remaining for tasks).

    Exit status: 0 written, 2 invalid input or options.
    """
    from .progress import export_rows, render_csv, write_xlsx
    from .scheduling import schedule

    status = _as_of(as_of)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise typer.BadParameter(f"'{out.name}': give a .xlsx or .csv file", param_hint="-o")
    if out.resolve() in {f.resolve() for f in files}:
        raise typer.BadParameter(f"{out} is a timeline file; govflow never overwrites timelines", param_hint="-o")
    try:
        sched = schedule(load_reporting(files), as_of=status)
    except GovflowError as e:
        _fail(e)
        return
    rows = export_rows(sched, owner or ())
    when = sched.as_of or status
    try:
        if suffix == ".csv":
            out.write_text(render_csv(rows, when), encoding="utf-8", newline="")
        else:
            write_xlsx(rows, out, when, [str(f) for f in files])
    except OSError as e:
        typer.echo(f"{out}: error[cannot-write]: cannot write the file: {e.strerror or e}", err=True)
        raise typer.Exit(2) from None
    if owner and not rows:
        typer.echo(f"govflow: warning: no open item is owned by {', '.join(owner)}", err=True)
    typer.echo(f"wrote {out} ({len(rows)} open item{'s' * (len(rows) != 1)})")


@progress_app.command("import")
def progress_import(
    sheet: Annotated[
        Path, typer.Argument(help="The filled-in progress sheet (.xlsx or .csv).", metavar="SHEET", show_default=False)
    ],
    files: Files,
    write: Annotated[bool, typer.Option("--write", help="Change the timeline files (default: only show the diff).")] = (
        False
    ),
    as_of: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--as-of", help="Status date the progress is true on, written as as_of (default: today).", metavar="DATE"
        ),
    ] = None,
) -> None:
    """Apply a filled-in progress sheet to the timeline files, keeping their comments, key order and layout.

    Every value is checked (dates, remaining >= 0, done not before started, known items).

    Each problem names the sheet and row; nothing is changed while there is one.

    Prints the change as a diff; the files change only with --write.

    Exit status: 0 applied (or shown), 2 a problem in the sheet or the files (nothing written).
    """
    from .progress import apply_progress, check_changes, read_progress, sheet_status_date
    from .scheduling import schedule
    from .sheets import SheetError

    when = _as_of(as_of) or date.today()
    try:
        sched = schedule(load_reporting(files))
        exported = sheet_status_date(sheet)
        if exported is not None and when < exported:
            typer.echo(
                f"{sheet}: error[status-date]: the status date {when} is before the sheet's own ({exported}); "
                "give --as-of",
                err=True,
            )
            raise typer.Exit(2)
        updates = read_progress(sheet, sched, when)
        changes = apply_progress(sched, updates, when) if updates else []
    except SheetError as e:
        _print_problems(e.problems)
        n = len(e.problems)
        typer.echo(f"govflow: {n} problem{'s' * (n != 1)} in {sheet}; nothing was changed", err=True)
        raise typer.Exit(2) from None
    except GovflowError as e:
        _fail(e)
        return
    if not changes:
        typer.echo("no changes: the sheet reports nothing new", err=True)
        return
    try:
        check_changes(sched, changes)  # the edited files must still load, together
    except OSError as e:
        typer.echo(f"govflow: error: cannot check the edited files: {e.strerror or e}; nothing was changed", err=True)
        raise typer.Exit(2) from None
    except GovflowError as e:  # pragma: no cover - every value was checked first
        typer.echo("govflow: error: the edited files would not load; nothing was changed", err=True)
        _fail(e)
    sys.stdout.write("".join(c.diff for c in changes))
    for c in changes:
        n = len(c.items)
        what = f"{n} item{'s' * (n != 1)}" + (", as_of" if "as_of:" in c.diff else "")
        if write:
            try:
                c.path.write_text(c.new, encoding="utf-8")
            except OSError as e:
                typer.echo(f"{c.path}: error[cannot-write]: {e.strerror or e}", err=True)
                raise typer.Exit(2) from None
            typer.echo(f"wrote {c.path} ({what})", err=True)
        else:
            typer.echo(f"would change {c.path} ({what})", err=True)
    if not write:
        typer.echo("nothing written: add --write to apply these changes", err=True)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"govflow {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print govflow's version and exit.", callback=_version, is_eager=True),
    ] = False,
) -> None:
    """Governance timelines: board sign-offs, meeting dates and national deadlines."""
