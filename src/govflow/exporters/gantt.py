"""Gantt data from a schedule: frappe-gantt JSON, spreadsheet CSV and Mermaid, and every format by name.

Every format is a pure function of a `Schedule` (and an optional baseline): no clock, no files,
so the same schedule always gives the same bytes. The bar model all formats show (`bars`,
`lanes`, `unscheduled`, baselines) lives in `bars.py` and is re-exported here; `render` picks a
format by name (MSPDI and the HTML/SVG chart live in `mspdi.py` and `gantt_html.py`, which
import the model from `bars.py`, not from here).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..explain import AT_RISK_MARGIN
from ..scheduling import Schedule

if TYPE_CHECKING:
    from ..risk import RiskResult
from .bars import (
    Bar,
    Baseline,
    By,
    GanttError,
    Link,
    Unscheduled,
    bars,
    baseline_of,
    lanes,
    status_date,
    unscheduled,
)

__all__ = [
    "FORMATS",
    "Bar",
    "Baseline",
    "By",
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


# ---- JSON (frappe-gantt) -------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _custom_class(b: Bar) -> str:
    """The bar's one class name for frappe-gantt 1.x, which passes `custom_class` to
    `classList.add` (a space there throws, and nothing is drawn): its RAG colour, `rag-red` etc.
    All of the bar's class names are in `classes`; kind, status and critical have their own fields.
    """
    return f"rag-{b.rag}"


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
        "custom_class": _custom_class(b),
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
        "classes": list(b.classes),
    }
    if b.baseline_start is not None:
        out["baseline_start"] = _iso(b.baseline_start)
        out["baseline_end"] = _iso(b.baseline_end)
    for name in ("published", "notice_by", "takes_effect"):  # statutory timing, where it applies
        if getattr(b, name) is not None:
            out["agenda_published" if name == "published" else name] = _iso(getattr(b, name))
    return out


def render_json(sched: Schedule, baseline: Baseline | None = None, at_risk: int = AT_RISK_MARGIN) -> str:
    """A JSON list of bars that frappe-gantt reads as it is (`new Gantt(el, bars)`).

    `end` is the inclusive last day; `dependencies` is a comma-separated string of ids;
    `custom_class` is one class name (`rag-green`...), the full list is in `classes`.
    Unschedulable items have no dates, so they are not bars (see `govflow check`). `rag` is amber
    under `at_risk` working days of float.
    """
    data = [bar_dict(b, sched) for b in bars(sched, baseline, at_risk)]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


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


def render_csv(sched: Schedule, baseline: Baseline | None = None, at_risk: int = AT_RISK_MARGIN) -> str:
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

    for b in bars(sched, baseline, at_risk):
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


def render(
    sched: Schedule,
    fmt: str,
    by: By = "level",
    baseline: Baseline | None = None,
    at_risk: int = AT_RISK_MARGIN,
    risk: RiskResult | None = None,
) -> str:
    """Any Gantt format by name (`FORMATS`); the text to write to a file (UTF-8). `at_risk`: the
    working days of float under which an item is amber (`--at-risk`, as `check`'s "met, at risk").
    `risk` (`govflow.risk.overview` or `simulate`): the HTML and SVG chart draw each deadline's
    P50-P90 span; the other formats do not use it."""
    if fmt == "json":
        return render_json(sched, baseline, at_risk)
    if fmt == "csv":
        return render_csv(sched, baseline, at_risk)
    if fmt == "mermaid":
        return render_mermaid(sched, by)
    if fmt == "mspdi":
        from .mspdi import render_mspdi  # imported when asked for: start-up of the other formats stays fast

        return render_mspdi(sched, baseline)
    if fmt in ("html", "svg"):
        from .gantt_html import render_html, render_svg

        return (render_html if fmt == "html" else render_svg)(
            sched, by=by, baseline=baseline, at_risk=at_risk, risk=risk
        )
    raise GanttError(f"unknown Gantt format '{fmt}' (use one of: {', '.join(FORMATS)})")
