"""The owners' weekly progress sheet: `govflow progress export` and `govflow progress import`.

`export_rows` lists every open item (not done) of a schedule with what an owner needs to see;
`write_xlsx` / `write_csv` write it with empty columns `done`, `started`, `remaining`,
`forecast`, `note` (validated in Excel: dates, whole numbers >= 0, started/remaining only
for tasks). `read_progress` reads a filled-in sheet back, checking every value and naming
sheet, row and column for each problem; `apply_progress` edits the timeline files with
ruamel.yaml's round trip, so comments, key order and layout stay as they were, and returns
the new texts and their diff. Nothing is written here: the CLI writes only with `--write`.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .dates import DateError, parse_window
from .errors import InvalidTimeline, Problem, did_you_mean
from .loading import ITEM_KEYS
from .scheduling import Schedule
from .sheets import Cell, Sheet, SheetError, excel_serial, read_sheets

__all__ = [
    "INPUT_COLUMNS",
    "SHEET",
    "Change",
    "ExportRow",
    "ProgressError",
    "ProgressUpdate",
    "apply_progress",
    "check_changes",
    "export_rows",
    "read_progress",
    "render_changes",
    "render_csv",
    "sheet_status_date",
    "write_xlsx",
]

SHEET = "Progress"
INPUT_COLUMNS = ("done", "started", "remaining", "forecast", "note")
INFO_COLUMNS = (
    "timeline",
    "item",
    "owner",
    "title",
    "kind",
    "body",
    "meeting",
    "planned start",
    "planned finish",
    "status",
    "float",
    "recorded",
)
COLUMNS = (*INFO_COLUMNS, *INPUT_COLUMNS)
_DATE_FORMAT = "d mmm yyyy"


class ProgressError(SheetError):
    """A progress sheet that cannot be applied: every problem, each naming sheet, row and column."""


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One open item as the owners' sheet shows it."""

    timeline: str
    item: str
    owner: str
    title: str
    kind: str
    body: str
    meeting: date | None
    planned_start: date | None
    planned_finish: date | None
    status: str
    float: int | None
    recorded: str


def export_rows(sched: Schedule, owners: Sequence[str] = ()) -> list[ExportRow]:
    """The open items (not done) of a schedule, in file order; only those `owners` own, if given."""
    wanted = {o.strip().lower() for o in owners}
    rows = []
    for t in sched.programme.timelines:
        for item in t.items.values():
            s = sched.items[item.key]
            if s.status == "done" or item.done is not None:
                continue
            if wanted and not wanted & {o.lower() for o in item.owner}:
                continue
            body = t.bodies[item.at].name if item.at and item.at in t.bodies else ""
            recorded = []
            if item.started:
                recorded.append(f"started {item.started:%d %b %Y}")
            if item.remaining is not None:
                recorded.append(f"{item.remaining} working day{'s' * (item.remaining != 1)} left")
            if item.forecast:
                recorded.append(f"forecast {item.forecast:%d %b %Y}")
            rows.append(
                ExportRow(
                    timeline=t.id,
                    item=item.id,
                    owner=", ".join(item.owner),
                    title=item.title,
                    kind=item.kind,
                    body=body,
                    meeting=s.early_finish if item.kind == "meeting" else None,
                    planned_start=s.early_start,
                    planned_finish=s.early_finish,
                    status=s.status,
                    float=s.float,
                    recorded="; ".join(recorded) + (f" (as of {t.as_of:%d %b %Y})" if recorded and t.as_of else ""),
                )
            )
    return rows


def _values(r: ExportRow) -> list[Any]:
    return [
        r.timeline,
        r.item,
        r.owner,
        r.title,
        r.kind,
        r.body,
        r.meeting,
        r.planned_start,
        r.planned_finish,
        r.status,
        r.float,
        r.recorded,
        None,
        None,
        None,
        None,
        None,
    ]


def _safe(v: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def render_csv(rows: Sequence[ExportRow], as_of: date | None) -> str:
    """The sheet as CSV (UTF-8 with a byte-order mark, for Excel; ISO dates; CRLF)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else _safe(v) for v in _values(r)])
    return "\ufeff" + buf.getvalue()


def write_xlsx(rows: Sequence[ExportRow], path: Path, as_of: date | None, files: Sequence[str]) -> None:
    """The sheet as an Excel workbook: a 'Progress' sheet with validated input columns and a
    'How to fill in' sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(COLUMNS))
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="FFD9D9D9")
    yellow = PatternFill("solid", fgColor="FFFFF2CC")
    for c in ws[1]:
        c.font = bold
    for r in rows:
        ws.append([_safe(v) for v in _values(r)])
    n = len(rows) + 1
    col = {name: i + 1 for i, name in enumerate(COLUMNS)}
    for row in ws.iter_rows(min_row=2, max_row=n):
        for c in row:
            if isinstance(c.value, (date, datetime)):
                c.number_format = _DATE_FORMAT
        for name in INPUT_COLUMNS:
            row[col[name] - 1].fill = yellow
    last = max(n, 2)

    def rng(name: str) -> str:
        letter = get_column_letter(col[name])
        return f"{letter}2:{letter}{last}"

    dates = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(1990,1,1)",
        formula2="DATE(2200,12,31)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a date",
        error="Enter a date, e.g. 12/09/2019 (one day, not a range or TBC).",
        promptTitle="Date",
        prompt="One day, e.g. 12/09/2019. Leave empty if nothing to report.",
        showInputMessage=True,
    )
    remaining = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100000",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a number of days",
        error="Enter the working days still to do: a whole number, 0 or more.",
        promptTitle="Working days left",
        prompt="Working days of work still to do, counted from the status date (tasks only).",
        showInputMessage=True,
    )
    not_task = DataValidation(
        type="textLength",
        operator="equal",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Only for tasks",
        error="'started' and 'remaining' are for tasks; for a decision or milestone fill in 'done' only.",
    )
    note = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="500",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Too long",
        error="Keep the note under 500 characters.",
    )
    for dv in (dates, remaining, not_task, note):
        ws.add_data_validation(dv)
    dates.add(rng("done"))
    dates.add(rng("forecast"))
    note.add(rng("note"))
    started_col, remaining_col = get_column_letter(col["started"]), get_column_letter(col["remaining"])
    for i, r in enumerate(rows, start=2):
        if r.kind == "task":
            dates.add(f"{started_col}{i}")
            remaining.add(f"{remaining_col}{i}")
        else:
            not_task.add(f"{started_col}{i}:{remaining_col}{i}")
            ws[f"{started_col}{i}"].fill = grey
            ws[f"{remaining_col}{i}"].fill = grey
    ws["A1"].comment = Comment(f"Status date: {as_of.isoformat() if as_of else 'none'}", "govflow")
    widths = {
        "timeline": 14,
        "item": 22,
        "owner": 26,
        "title": 48,
        "kind": 9,
        "body": 28,
        "meeting": 12,
        "planned start": 13,
        "planned finish": 13,
        "status": 12,
        "float": 7,
        "recorded": 30,
        "done": 12,
        "started": 12,
        "remaining": 10,
        "forecast": 12,
        "note": 40,
    }
    for name, w in widths.items():
        ws.column_dimensions[get_column_letter(col[name])].width = w
    for row in ws.iter_rows(min_row=2, max_row=n, min_col=col["title"], max_col=col["title"]):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    about = wb.create_sheet("How to fill in")
    lines = [
        "Weekly progress for " + ", ".join(files),
        f"Status date: {as_of.isoformat() if as_of else 'none'}",
        "",
        "Fill in only the yellow columns of the 'Progress' sheet, for your own rows. Leave a cell empty if nothing",
        "changed. Do not change the 'timeline' and 'item' columns: they say which item a row is.",
        "",
        "done       the day the item was finished (a decision: the day of the meeting that took it).",
        "started    the day work began (tasks only).",
        "remaining  working days of work still to do, counted from the status date (tasks only; needs 'started').",
        "forecast   the day you now expect it to finish, if later than planned.",
        "note       anything the planning lead should know (kept as a comment in the timeline file).",
        "",
        "Dates: one day each, e.g. 12/09/2019 or 12 Sep 2019. Not ranges, not TBC.",
        "The planning lead applies the sheet with: govflow progress import <this file> <timeline files> --write",
    ]
    for line in lines:
        about.append([line])
    about["A1"].font = bold
    about.column_dimensions["A"].width = 110
    about.append([])
    about.append(["status_date", as_of.isoformat() if as_of else ""])
    wb.properties.creator = "govflow"
    if as_of is not None:
        stamp = datetime(as_of.year, as_of.month, as_of.day)
        wb.properties.created = wb.properties.modified = stamp  # repeatable files
    wb.save(path)


# --- reading a filled-in sheet ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    """What one row of the sheet reports for one item (None: not reported)."""

    key: str  # 'timeline:item'
    row: int
    where: str  # "sheet 'Progress', row 5"
    done: date | None = None
    started: date | None = None
    remaining: int | None = None
    forecast: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """The edit of one timeline file: its new text and the diff from the old."""

    path: Path
    old: str
    new: str
    diff: str
    items: tuple[str, ...]


@dataclass
class _Reader:
    sheet: Sheet
    problems: list[Problem] = field(default_factory=list)

    def err(self, row: int, column: str | None, code: str, message: str) -> None:
        place = f"row {row}" if self.sheet.name is None else f"sheet '{self.sheet.name}', row {row}"
        if column:
            place += f", '{column}'"
        self.problems.append(Problem(code, f"{place}: {message}", self.sheet.file, row))


def _exact_date(cell: Cell) -> tuple[date | None, str | None]:
    v = cell.value
    if isinstance(v, datetime):
        return v.date(), None
    if isinstance(v, date):
        return v, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        d = excel_serial(float(v))
        return (d, None) if d else (None, f"{cell.text} is a number, not a date")
    text = cell.text
    if re.fullmatch(r"\d{5}(?:\.0+)?", text) and (d := excel_serial(float(text))):
        return d, None
    try:
        w = parse_window(re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*[,.]?\s+", "", text, flags=re.IGNORECASE))
    except DateError as e:
        return None, str(e).split(" (try")[0]
    if w.first != w.last or w.tbc:
        return None, f"'{text}' is not one day: give the exact date"
    return w.first, None


def _find_sheet(sheets: Sequence[Sheet]) -> tuple[Sheet, int, dict[str, int]]:
    for s in sorted(sheets, key=lambda s: s.name != SHEET):
        for r, row in enumerate(s.rows[:20], start=1):
            heads = {c.text.strip().lower(): i for i, c in enumerate(row) if isinstance(c.value, str)}
            if "item" in heads and any(k in heads for k in INPUT_COLUMNS):
                return s, r, heads
    file = sheets[0].file if sheets else "<input>"
    raise ProgressError(
        [
            Problem(
                "not-a-progress-sheet",
                "no progress sheet: no header row with 'item' and 'done', 'started', "
                "'remaining', 'forecast' or 'note' (make one with `govflow progress export`)",
                file,
            )
        ]
    )


def read_progress(path: Path, sched: Schedule, as_of: date | None = None) -> list[ProgressUpdate]:
    """The updates a filled-in sheet reports, every value checked against the programme and, when
    given, the status date being recorded (nothing done or started after it). Raises
    `ProgressError` listing every problem, each naming sheet, row and column."""
    sheets = read_sheets(path)
    sheet, header, heads = _find_sheet(sheets)
    status = as_of
    rd = _Reader(sheet)
    programme = sched.programme
    by_id: dict[str, list[str]] = {}
    for k, it in programme.items.items():
        by_id.setdefault(it.id, []).append(k)
    updates: list[ProgressUpdate] = []
    seen: dict[str, int] = {}
    for r in range(header + 1, len(sheet.rows) + 1):

        def cell(name: str, r: int = r) -> Cell:
            return sheet.cell(r, heads[name]) if name in heads else Cell()

        inputs = {name: cell(name) for name in INPUT_COLUMNS}
        if all(c.empty for c in inputs.values()):
            continue
        item_id = cell("item").text
        tl = cell("timeline").text
        if not item_id:
            rd.err(r, "item", "no-item", "the 'item' cell is empty, so this row's progress has no item to go to")
            continue
        key: str | None = f"{tl}:{item_id}" if tl else None
        if key is None or key not in programme.items:
            found = by_id.get(item_id, [])
            if len(found) == 1 and (not tl or tl not in {t.id for t in programme.timelines}):
                key = found[0]
            else:
                known = [i.id for i in programme.items.values()]
                where_tl = f" of timeline '{tl}'" if tl else ""
                rd.err(
                    r,
                    "item",
                    "unknown-item",
                    f"'{item_id}' is not an item{where_tl} of the timelines given{did_you_mean(item_id, known)}",
                )
                continue
        if key in seen:
            rd.err(r, "item", "duplicate-item", f"'{item_id}' is also on row {seen[key]}; keep one row per item")
            continue
        seen[key] = r
        item = programme.items[key]
        values: dict[str, Any] = {}
        for name in ("done", "started", "forecast"):
            c = inputs[name]
            if c.empty:
                continue
            d, problem = _exact_date(c)
            if problem:
                rd.err(r, name, "bad-date", problem)
            else:
                values[name] = d
        c = inputs["remaining"]
        if not c.empty:
            v = c.value
            n: float | None = None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                n = float(v)
            elif re.fullmatch(r"[+-]?\d+(?:\.\d+)?", c.text):
                n = float(c.text)
            if n is None:
                rd.err(r, "remaining", "bad-number", f"'{c.text}' is not a number of working days")
            elif n < 0:
                rd.err(
                    r, "remaining", "negative-number", f"{c.text} is negative: give the working days left, 0 or more"
                )
            elif not n.is_integer():
                rd.err(r, "remaining", "bad-number", f"{c.text} is not a whole number of working days")
            elif n > 100_000:
                rd.err(r, "remaining", "out-of-range", f"{c.text} working days is too many")
            else:
                values["remaining"] = int(n)
        if item.kind != "task":
            for name in ("started", "remaining"):
                if not inputs[name].empty:
                    rd.err(
                        r,
                        name,
                        "not-a-task",
                        f"'{name}' is for tasks; '{item_id}' is a {_kind(item.kind)}: give 'done' when it has happened",
                    )
                    values.pop(name, None)
        started = values.get("started", item.started)
        done = values.get("done")
        if done and started and done < started:
            src = "" if "started" in values else " (in the timeline file)"
            rd.err(r, "done", "done-before-started", f"done {done:%d %b %Y} is before started {started:%d %b %Y}{src}")
        if "remaining" in values and started is None:
            rd.err(
                r,
                "remaining",
                "remaining-without-started",
                "'remaining' is the working days left of work under way: give 'started' too",
            )
        if status is not None:
            for name in ("done", "started"):
                d = values.get(name)
                if d is not None and d > status:
                    rd.err(
                        r,
                        name,
                        "after-status-date",
                        f"{d:%d %b %Y} is after the status date "
                        f"{status:%d %b %Y}: it cannot have happened yet (--as-of sets the status date)",
                    )
        if "forecast" in values and done:
            rd.err(
                r,
                "forecast",
                "forecast-with-done",
                "a forecast is for work not done: leave it empty when 'done' is given",
            )
        note = inputs["note"].text
        updates.append(
            ProgressUpdate(
                key,
                r,
                _place(sheet, r),
                done=values.get("done"),
                started=values.get("started"),
                remaining=values.get("remaining"),
                forecast=values.get("forecast"),
                note=note,
            )
        )
    if rd.problems:
        raise ProgressError(rd.problems)
    return updates


def sheet_status_date(path: Path) -> date | None:
    """The status date a sheet was exported for (XLSX only; None if not recorded)."""
    return _status_date(read_sheets(path))


def _kind(kind: str) -> str:
    return {"meeting": "decision at a meeting", "event": "fixed event", "milestone": "milestone"}.get(kind, kind)


def _place(sheet: Sheet, r: int) -> str:
    return f"row {r}" if sheet.name is None else f"sheet '{sheet.name}', row {r}"


def _status_date(sheets: Sequence[Sheet]) -> date | None:
    for s in sheets:
        for row in s.rows:
            if len(row) >= 2 and row[0].text == "status_date" and not row[1].empty:
                d, _ = _exact_date(row[1])
                return d
    return None


# --- editing the timeline files ----------------------------------------------------------------


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    y = YAML()  # round trip: comments, key order, flow style and quotes kept
    y.preserve_quotes = True
    y.width = 4096
    mapping, sequence, offset = _indents(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _indents(text: str) -> tuple[int, int, int]:
    """The file's own indentation (mapping step; sequence dash offset), so untouched lines stay as they are."""
    steps = []
    prev = 0
    dash = None
    for line in text.splitlines():
        bare = line.strip()
        if not bare or bare.startswith("#"):
            continue
        ind = len(line) - len(line.lstrip(" "))
        if bare.startswith("- ") and dash is None:
            dash = max(ind - prev, 0)
        elif ind > prev:
            steps.append(ind - prev)
        if not bare.startswith("- "):
            prev = ind
    mapping = min(steps) if steps else 2
    offset = dash if dash is not None else 0
    return mapping, offset + 2, offset


def apply_progress(sched: Schedule, updates: Iterable[ProgressUpdate], as_of: date | None) -> list[Change]:
    """Each timeline file edited with the updates (and `as_of`, when given), as new text and a diff.

    Keys are replaced in place or inserted in the format's key order; comments, the order of
    everything else and flow or block style are kept. `done` clears `remaining` and `forecast`.
    A note becomes a comment line above the item.
    """
    by_timeline: dict[str, list[ProgressUpdate]] = {}
    for u in updates:
        by_timeline.setdefault(u.key.split(":", 1)[0], []).append(u)
    changes = []
    for t in sched.programme.timelines:
        ups = by_timeline.get(t.id, [])
        if not ups and (as_of is None or t.as_of == as_of):
            continue
        path = Path(t.path)
        old = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            raise ProgressError(
                [
                    Problem(
                        "json-timeline",
                        "progress import edits YAML timelines; this one is JSON (generated?): "
                        "update it where it is generated",
                        str(path),
                    )
                ]
            )
        y = _yaml(old)
        data = y.load(old)
        touched: list[str] = []
        if as_of is not None and t.as_of != as_of:
            _set(data, "as_of", as_of, ("govflow", "id", "title", "start"))
        items = data["items"]
        for u in ups:
            iid = u.key.split(":", 1)[1]
            entry = items[iid]
            before = dict(entry)
            if u.done is not None:
                _set(entry, "done", u.done, ITEM_KEYS)
                for gone in ("remaining", "forecast"):
                    if gone in entry:
                        del entry[gone]
            if u.started is not None:
                _set(entry, "started", u.started, ITEM_KEYS)
            if u.remaining is not None:
                _set(entry, "remaining", u.remaining, ITEM_KEYS)
            if u.forecast is not None:
                _set(entry, "forecast", u.forecast, ITEM_KEYS)
            if u.note:
                _note(items, iid, u, as_of or t.as_of, old.splitlines())
            if dict(entry) != before or u.note:
                touched.append(iid)
        buf = io.StringIO()
        y.dump(data, buf)
        new = buf.getvalue()
        if new == old:
            continue
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                str(path) if path.is_absolute() else f"a/{path}",
                str(path) if path.is_absolute() else f"b/{path}",
                n=2,
            )
        )
        changes.append(Change(path, old, new, diff, tuple(touched)))
    return changes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, date) and isinstance(b, date):
        return a == b
    if isinstance(a, str) and isinstance(b, date):
        try:
            w = parse_window(a)
        except DateError:
            return False
        return w.first == w.last == b and not w.tbc
    return bool(a == b)


def _set(mapping: Any, key: str, value: Any, order: Sequence[str]) -> None:
    """Set mapping[key], in place if it exists (and differs), else after the keys that precede it in `order`."""
    if key in mapping:
        if not _same(mapping[key], value):
            mapping[key] = value
        return
    rank = {k: i for i, k in enumerate(order)}
    pos = len(mapping)
    for i, k in enumerate(mapping):
        if rank.get(k, -1) > rank.get(key, len(order)):
            pos = i
            break
    mapping.insert(pos, key, value)


def _note(items: Any, iid: str, u: ProgressUpdate, as_of: date | None, lines: list[str]) -> None:
    """The note as a comment line above the item, unless that very line is already there."""
    when = f" as of {as_of.isoformat()}" if as_of else ""
    text = f"progress note{when}: {' '.join(u.note.split())}"
    try:
        at = int(items.lc.key(iid)[0])
    except (AttributeError, KeyError, TypeError):
        at = -1
    i = at - 1
    while 0 <= i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        if lines[i].strip() == f"# {text}":
            return
        i -= 1
    items.yaml_set_comment_before_after_key(iid, before=text, indent=_key_indent(items))


def _key_indent(items: Any) -> int:
    try:
        first = next(iter(items))
        return int(items.lc.key(first)[1])
    except (StopIteration, AttributeError, KeyError, TypeError):
        return 2


def check_changes(sched: Schedule, changes: Sequence[Change]) -> None:
    """Load the edited files together with the others, as `govflow check` would; raise
    `InvalidTimeline` (naming the real files) if they would not load. The edited texts are
    written for this beside the originals under hidden names, so that relative references
    (`use:` libraries, other timelines) resolve as they will, and removed at once."""
    from .loading import load_with_warnings

    edited = {c.path.resolve(): c for c in changes}
    paths: list[Path] = []
    temps: dict[str, str] = {}
    try:
        for t in sched.programme.timelines:
            path = Path(t.path)
            change = edited.get(path.resolve())
            if change is None:
                paths.append(path)
                continue
            tmp = path.with_name(f".{path.stem}.govflow-check{path.suffix}")
            tmp.write_text(change.new, encoding="utf-8")
            temps[str(tmp)] = str(path)
            paths.append(tmp)
        load_with_warnings(paths, discover=False)
    except InvalidTimeline as e:
        raise InvalidTimeline(
            [Problem(p.code, p.message, temps.get(p.file, p.file), p.line, p.item) for p in e.problems]
        ) from None
    finally:
        for tmp_name in temps:
            Path(tmp_name).unlink(missing_ok=True)


def render_changes(changes: Sequence[Change]) -> str:
    """The diffs, one after another."""
    return "".join(c.diff for c in changes)
