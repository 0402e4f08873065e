"""Gantt data from a schedule: frappe-gantt JSON, spreadsheet CSV and Mermaid, plus the shared bar model.

Every format is a pure function of a `Schedule` (and an optional baseline): no clock, no files,
so the same schedule always gives the same bytes. `bars` computes what all formats show;
`render` picks a format by name (MSPDI and the HTML/SVG chart live in `mspdi.py` and
`gantt_html.py`).

>>> import govflow
>>> p = govflow.load_text('''
... govflow: 1
... id: demo
... start: 2019-09-02
... bodies:
...   board: {meets: [2019-09-26], papers_due: 5}
... items:
...   draft: {duration: 10}
...   approve: {at: board, after: [draft]}
...   submit: {after: [approve], deadline: 2019-09-27}
... ''')
>>> [(b.id, b.start.isoformat(), b.end.isoformat(), b.rag) for b in bars(govflow.schedule(p))]
[('draft', '2019-09-02', '2019-09-13', 'amber'), ('approve', '2019-09-26', '2019-09-26', 'amber'), \
('submit', '2019-09-26', '2019-09-26', 'amber')]
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from ..errors import GovflowError
from ..explain import AT_RISK_MARGIN
from ..model import LEVELS
from ..scheduling import Schedule

__all__ = [
    "FORMATS",
    "Bar",
    "Baseline",
    "GanttError",
    "Link",
    "Unscheduled",
    "bars",
    "baseline_of",
    "lanes",
    "neutralise",
    "render",
    "render_csv",
    "render_json",
    "render_mermaid",
    "status_date",
    "unscheduled",
]

FORMATS = ("json", "csv", "mermaid", "mspdi", "html", "svg")
By = Literal["level", "body"]
Baseline = Mapping[str, tuple[date, date]]
"""Baseline dates per item: key ('timeline:item') or plain id -> (start, finish inclusive)."""


class GanttError(GovflowError):
    """A Gantt export that cannot be made as asked (unknown format, bad baseline)."""


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency drawn between two bars: `pred` is the predecessor's key."""

    pred: str
    type: str  # FS | SS | FF
    lag: int  # working days


@dataclass(frozen=True, slots=True)
class Bar:
    """One scheduled item as every Gantt format shows it (dates inclusive, as planners read them)."""

    key: str
    id: str  # the label users see: the item id, or 'timeline:item' in a multi-file programme
    name: str
    kind: str  # task | milestone | meeting | event
    level: str
    timeline: str
    body: str | None  # body id, for meeting items
    body_name: str
    start: date
    end: date  # last day, inclusive
    duration: int  # working days from start to end inclusive; 0 for milestones, meetings and events
    progress: int  # percent complete at the status date
    status: str  # done | in-progress | not-started
    critical: bool
    driving: bool  # on the driving path of an open deadline
    float: int | None  # working days; None: leads to no deadline
    late_start: date | None
    late_finish: date | None
    deadline: date | None
    deadline_met: bool | None
    margin: int | None
    rag: str  # red | amber | green | done | none
    window: str  # the written date when not exact ('late Oct 2019 TBC'), else ''
    window_first: date | None
    window_last: date | None
    tbc: bool
    papers_due: date | None
    links: tuple[Link, ...]
    owner: tuple[str, ...]
    baseline_start: date | None = None
    baseline_end: date | None = None

    @property
    def milestone(self) -> bool:
        """Drawn as a diamond: milestones, meeting decisions and fixed events take no working time."""
        return self.kind != "task"

    @property
    def classes(self) -> tuple[str, ...]:
        """State as CSS-style class names (frappe-gantt's `custom_class`, the HTML chart)."""
        out = [f"kind-{self.kind}", f"rag-{self.rag}", f"status-{self.status}"]
        if self.critical:
            out.append("critical")
        if self.driving:
            out.append("driving")
        if self.tbc:
            out.append("tbc")
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """An item the engine could not place, with the reason (never silently dropped)."""

    key: str
    id: str
    name: str
    reason: str


def status_date(sched: Schedule, timeline: str) -> date | None:
    """The status date a timeline's progress is measured at (the override, else its `as_of`)."""
    return sched.status_override or sched.programme.timeline(timeline).as_of


def _rag(status: str, flt: int | None, missed: bool) -> str:
    if status == "done":
        return "red" if missed else "done"
    if flt is None:
        return "none"
    if flt < 0 or missed:
        return "red"
    return "amber" if flt < AT_RISK_MARGIN else "green"


def _baseline_for(sched: Schedule, baseline: Baseline | None) -> dict[str, tuple[date, date]]:
    if not baseline:
        return {}
    out: dict[str, tuple[date, date]] = {}
    first = sched.programme.timelines[0].id
    for k, (s, f) in baseline.items():
        key = k if ":" in k else f"{first}:{k}"
        if key not in sched.programme.items:
            raise GanttError(f"baseline names '{k}', which is not an item of this programme")
        if f < s:
            raise GanttError(f"baseline of '{k}' finishes ({f}) before it starts ({s})")
        out[key] = (s, f)
    return out


def bars(sched: Schedule, baseline: Baseline | None = None) -> tuple[Bar, ...]:
    """The scheduled items as Gantt bars, by start date (then finish, then dependency order).

    Unschedulable items have no dates and are not bars: see `unscheduled`.
    """
    p, label = sched.programme, sched.programme.label
    base = _baseline_for(sched, baseline)
    deadline_of = {d.key: d for d in sched.deadlines}
    driving = {k for d in sched.deadlines if sched.items[d.key].status != "done" for k in d.driving_path}
    placed = {k for k, r in sched.items.items() if r.early_start is not None and r.early_finish is not None}
    out = []
    order = {key: i for i, key in enumerate(sched.items)}  # the engine's topological order
    for key, r in sched.items.items():
        if key not in placed:
            continue
        item = p.items[key]
        assert r.early_start is not None and r.early_finish is not None
        cal = sched.calendar(key)
        start, end = r.early_start, r.early_finish
        duration = sum(1 for _ in cal.days(start, end)) if item.kind == "task" else 0
        sd = status_date(sched, item.timeline)
        if r.status == "done":
            progress = 100
        elif r.status == "in-progress" and sd is not None and duration:
            elapsed = sum(1 for _ in cal.days(start, sd - timedelta(days=1)))
            progress = max(0, min(99, round(100 * elapsed / duration)))
        else:
            progress = 0
        d = deadline_of.get(key)
        window = None
        if item.on is not None:
            window = item.on
        elif r.meeting is not None:
            window = r.meeting.when
        fuzzy = window is not None and (window.first != window.last or window.tbc)
        body = p.body(item) if item.at else None
        b0, b1 = base.get(key, (None, None))
        out.append(
            Bar(
                key=key,
                id=label(key),
                name=item.title,
                kind=item.kind,
                level=item.level,
                timeline=item.timeline,
                body=item.at,
                body_name=body.name if body else "",
                start=start,
                end=end,
                duration=duration,
                progress=progress,
                status=r.status,
                critical=r.critical,
                driving=key in driving,
                float=r.float,
                late_start=r.late_start,
                late_finish=r.late_finish,
                deadline=d.deadline if d else None,
                deadline_met=d.met if d else None,
                margin=d.margin if d else None,
                rag=_rag(r.status, r.float, d is not None and not d.met),
                window=(window.text or str(window)) if fuzzy and window is not None else "",
                window_first=window.first if fuzzy and window is not None else None,
                window_last=window.last if fuzzy and window is not None else None,
                tbc=bool(window is not None and window.tbc),
                papers_due=r.papers_due,
                links=tuple(Link(dep.pred, dep.type, dep.lag) for dep in item.after if dep.pred in placed),
                owner=item.owner,
                baseline_start=b0,
                baseline_end=b1,
            )
        )
    out.sort(key=lambda b: (b.start, b.end, order[b.key]))
    return tuple(out)


def unscheduled(sched: Schedule) -> tuple[Unscheduled, ...]:
    """Items that cannot be scheduled (no meeting late enough, or after one that cannot be)."""
    p = sched.programme
    return tuple(
        Unscheduled(k, p.label(k), p.items[k].title, r.reason)
        for k, r in sched.items.items()
        if r.early_start is None or r.early_finish is None
    )


def lanes(bs: tuple[Bar, ...], by: By = "level", sched: Schedule | None = None) -> list[tuple[str, list[Bar]]]:
    """Swimlanes: (name, bars) by level (national, regional, local) or by the body a decision is at.

    By body, lanes follow the first meeting of each body; items not at a meeting come last.
    """
    if by not in ("level", "body"):
        raise GanttError(f"unknown swimlane grouping '{by}' (use 'level' or 'body')")
    groups: dict[str, list[Bar]] = {}
    if by == "level":
        for lv in LEVELS:
            groups[lv.capitalize()] = []
        for b in bs:
            groups.setdefault(b.level.capitalize(), []).append(b)
    else:
        multi = len({b.timeline for b in bs}) > 1
        for b in bs:  # bars come sorted by start, so lanes come in order of first meeting
            if b.body is not None:
                name = f"{b.body_name} ({b.timeline})" if multi else b.body_name
                groups.setdefault(name, []).append(b)
        others = [b for b in bs if b.body is None]
        if others:
            groups["Not at a meeting"] = others
    return [(name, members) for name, members in groups.items() if members]


# ---- JSON (frappe-gantt) -------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def bar_dict(b: Bar, sched: Schedule) -> dict[str, Any]:
    """One bar as frappe-gantt's task fields followed by govflow's own."""
    label = sched.programme.label
    out: dict[str, Any] = {
        "id": b.id,
        "name": b.name,
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "progress": b.progress,
        "dependencies": ", ".join(label(link.pred) for link in b.links),
        "custom_class": " ".join(b.classes),
        "key": b.key,
        "timeline": b.timeline,
        "kind": b.kind,
        "level": b.level,
        "body": b.body,
        "body_name": b.body_name or None,
        "status": b.status,
        "duration": b.duration,
        "float": b.float,
        "critical": b.critical,
        "driving": b.driving,
        "rag": b.rag,
        "late_start": _iso(b.late_start),
        "late_finish": _iso(b.late_finish),
        "deadline": _iso(b.deadline),
        "deadline_met": b.deadline_met,
        "margin": b.margin,
        "window": b.window or None,
        "window_first": _iso(b.window_first),
        "window_last": _iso(b.window_last),
        "tbc": b.tbc,
        "papers_due": _iso(b.papers_due),
        "links": [{"id": label(link.pred), "type": link.type, "lag": link.lag} for link in b.links],
        "owner": list(b.owner),
    }
    if b.baseline_start is not None:
        out["baseline_start"] = _iso(b.baseline_start)
        out["baseline_end"] = _iso(b.baseline_end)
    return out


def render_json(sched: Schedule, baseline: Baseline | None = None) -> str:
    """A JSON list of bars that frappe-gantt reads as it is (`new Gantt(el, bars)`).

    `end` is the inclusive last day; `dependencies` is a comma-separated string of ids.
    Unschedulable items have no dates, so they are not bars (see `govflow check`).
    """
    return json.dumps([bar_dict(b, sched) for b in bars(sched, baseline)], indent=2, ensure_ascii=False) + "\n"


# ---- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "title",
    "kind",
    "level",
    "timeline",
    "body",
    "status",
    "start",
    "finish",
    "duration",
    "progress",
    "late_start",
    "late_finish",
    "float",
    "critical",
    "driving_path",
    "rag",
    "deadline",
    "deadline_met",
    "margin",
    "date_as_written",
    "tbc",
    "papers_due",
    "after",
    "owner",
    "baseline_start",
    "baseline_finish",
    "reason",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(text: str) -> str:
    """A text cell that spreadsheets will not run as a formula (OWASP CSV injection advice).

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-1+2"), neutralise("Board")
    ('\\'=HYPERLINK("http://x")', "'-1+2", 'Board')
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def _yes(v: bool | None) -> str:
    return "" if v is None else "yes" if v else "no"


def render_csv(sched: Schedule, baseline: Baseline | None = None) -> str:
    """One row per item with every schedule field, for Excel and LibreOffice.

    UTF-8 with a byte-order mark (so Excel reads the text as UTF-8), CRLF line ends, ISO dates,
    booleans as yes/no, empty cells for unknowns. Text taken from timeline files is neutralised
    against formula injection with a leading apostrophe; numbers are written as numbers.
    Unschedulable items are rows too, with empty dates and the reason.
    """
    label = sched.programme.label
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)

    def text(s: str | None) -> str:
        return "" if not s else neutralise(s)

    for b in bars(sched, baseline):
        w.writerow(
            [
                text(b.id),
                text(b.name),
                b.kind,
                text(b.level),
                text(b.timeline),
                text(b.body_name),
                b.status,
                b.start.isoformat(),
                b.end.isoformat(),
                b.duration,
                b.progress,
                _iso(b.late_start) or "",
                _iso(b.late_finish) or "",
                "" if b.float is None else b.float,
                _yes(b.critical),
                _yes(b.driving),
                b.rag,
                _iso(b.deadline) or "",
                _yes(b.deadline_met),
                "" if b.margin is None else b.margin,
                text(b.window),
                _yes(b.tbc),
                _iso(b.papers_due) or "",
                text("; ".join(_link_text(label(link.pred), link) for link in b.links)),
                text("; ".join(b.owner)),
                _iso(b.baseline_start) or "",
                _iso(b.baseline_end) or "",
                "",
            ]
        )
    p = sched.programme
    for u in unscheduled(sched):
        item = p.items[u.key]
        row = [""] * len(CSV_COLUMNS)
        row[0], row[1], row[2], row[3], row[4] = text(u.id), text(u.name), item.kind, text(item.level), item.timeline
        row[5] = text(p.body(item).name) if item.at else ""
        row[6] = "unschedulable"
        row[16] = "red"
        row[17] = item.deadline.last.isoformat() if item.deadline else ""
        row[18] = "no" if item.deadline else ""
        row[23] = text("; ".join(_link_text(label(d.pred), Link(d.pred, d.type, d.lag)) for d in item.after))
        row[24] = text("; ".join(item.owner))
        row[27] = text(u.reason)
        w.writerow(row)
    return "\ufeff" + buf.getvalue()


def _link_text(pred: str, link: Link) -> str:
    """'draft', 'draft +2', 'draft SS -1' - the way timeline files write `after`."""
    out = pred
    if link.type != "FS":
        out += f" {link.type}"
    if link.lag:
        out += f" {link.lag:+d}"
    return out


# ---- Mermaid -------------------------------------------------------------------------------

_ENTITY = {"#": "#35;", ":": "#58;", ";": "#59;", "%": "#37;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}
_ENTITY_RE = re.compile("[#:;%<>&]")


def mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid gantt line: the characters its grammar reserves as entity codes.

    >>> mermaid_text("Board: review #2; 50% done")
    'Board#58; review #35;2#59; 50#37; done'
    """
    text = " ".join(text.split())  # no line breaks
    return _ENTITY_RE.sub(lambda m: _ENTITY[m.group()], text)


_MERMAID_WORDS = {"active", "done", "crit", "milestone", "vert", "after", "until"}


def _mermaid_ids(bs: tuple[Bar, ...]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for b in bs:
        base = re.sub(r"[^A-Za-z0-9_]", "_", b.id) or "item"
        if base[0].isdigit() or base.lower() in _MERMAID_WORDS:  # else read as a date, duration or tag
            base = "i_" + base
        cand, n = base, 2
        while cand in used:
            cand, n = f"{base}_{n}", n + 1
        used.add(cand)
        ids[b.key] = cand
    return ids


def _axis(first: date, last: date) -> tuple[str, str]:
    """Mermaid axisFormat and tickInterval for a span: weeks, months or quarters."""
    days = (last - first).days
    if days <= 120:
        return "%d %b", "1week"
    if days <= 730:
        return "%b %Y", "1month"
    return "%b %Y", "3month"


def render_mermaid(sched: Schedule, by: By = "level") -> str:
    """A Mermaid `gantt` block for GitHub and GitLab Markdown (wrap it in a ```mermaid fence).

    Sections are lanes (by level or by body); tags: `done`, `active` (in progress), `crit`
    (critical or red), `milestone` (milestones, meeting decisions, fixed events). Weekends and
    the timeline's bank holidays and closures are excluded; explicit end dates (Mermaid's end
    is exclusive, so the day after the last day) keep every bar on govflow's dates.
    """
    bs = bars(sched)
    t = sched.programme.timelines[0]
    title = t.title if sched.programme.single else " + ".join(x.title for x in sched.programme.timelines)
    lines = ["gantt", f"    title {mermaid_text(title)}", "    dateFormat YYYY-MM-DD"]
    if bs:
        first, last = min(b.start for b in bs), max(b.end for b in bs)
        axis, tick = _axis(first, last)
        lines += [f"    axisFormat {axis}", f"    tickInterval {tick}"]
        off: set[date] = set()
        for tl in sched.programme.timelines:
            cal = sched.calendars[tl.id]
            off.update(d for d in cal.holidays_in(first, last) if d.weekday() < 5)
        lines.append("    excludes weekends" + "".join(f", {d.isoformat()}" for d in sorted(off)))
    lines.append("    todayMarker off")
    ids = _mermaid_ids(bs)
    for lane, members in lanes(bs, by):
        lines.append(f"    section {mermaid_text(lane)}")
        for b in members:
            tags = []
            if b.status == "done":
                tags.append("done")
            elif b.status == "in-progress":
                tags.append("active")
            if b.critical or b.rag == "red":
                tags.append("crit")
            if b.milestone:
                tags.append("milestone")
            span = f"{b.start.isoformat()}, 0d" if b.milestone else f"{b.start}, {b.end + timedelta(days=1)}"
            lines.append(f"    {mermaid_text(b.name)} :{', '.join([*tags, ids[b.key], span])}")
    return "\n".join(lines) + "\n"


# ---- all formats ---------------------------------------------------------------------------


def render(sched: Schedule, fmt: str, by: By = "level", baseline: Baseline | None = None) -> str:
    """Any Gantt format by name (`FORMATS`); the text to write to a file (UTF-8)."""
    if fmt == "json":
        return render_json(sched, baseline)
    if fmt == "csv":
        return render_csv(sched, baseline)
    if fmt == "mermaid":
        return render_mermaid(sched, by)
    if fmt == "mspdi":
        from .mspdi import render_mspdi

        return render_mspdi(sched, baseline)
    if fmt in ("html", "svg"):
        from .gantt_html import render_html, render_svg

        return (render_html if fmt == "html" else render_svg)(sched, by=by, baseline=baseline)
    raise GanttError(f"unknown Gantt format '{fmt}' (use one of: {', '.join(FORMATS)})")


def baseline_of(snapshot: Any) -> dict[str, tuple[date, date]]:
    """Baseline dates from a recorded snapshot (`govflow.tracking.Snapshot`): key -> (start, finish).

    Items the snapshot could not schedule have no dates and no baseline bar; nor do items whose
    recorded finish is before their recorded start (a `started` date after that snapshot's status
    date can give such a pair).
    """
    return {
        key: (s.early_start, s.early_finish)
        for key, s in snapshot.items.items()
        if s.early_start is not None and s.early_finish is not None and s.early_start <= s.early_finish
    }
