"""The Gantt chart as a self-contained SVG, alone or in an HTML page: no scripts, no fonts, no network.

Swimlanes by level or by body; bars for tasks, diamonds for milestones, meeting decisions and
fixed events; a dashed box around a date not yet confirmed (TBC window); deadlines as labelled
dashed lines; the status date as a solid line; the driving path of every open deadline with a
thick black outline and bold label; baseline bars under the forecast when a baseline is given.
RAG fills differ in lightness (and missed work is hatched), so the chart survives greyscale
printing. Every bar is a `<g data-item="id">` whose `<title>` (the hover text) gives dates and
float. The time axis adapts to the span: weeks, months, quarters or years.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

from ..explain import AT_RISK_MARGIN, count, fmt
from ..render import verdict, verdict_legend
from ..scheduling import Schedule
from .bars import Bar, Baseline, By, bars, lanes, unscheduled

if TYPE_CHECKING:
    from ..risk import RiskResult

__all__ = ["COLOURS", "axis_ticks", "meaning", "render_html", "render_svg"]

# fill, outline, meaning: relative luminances 0.10 / 0.31 / 0.56 / 0.75 / 1.0 stay apart in greyscale
COLOURS = {
    "red": ("#b2182b", "#67001f", "missed or late: negative float"),
    "green": ("#4dac26", "#1b5e20", "on track: 5+ working days of float"),
    "amber": ("#fdb863", "#8c510a", "at risk: under 5 working days of float"),
    "done": ("#e0e0e0", "#757575", "done"),
    "none": ("#ffffff", "#616161", "leads to no deadline"),
}


def meaning(rag: str, at_risk: int = AT_RISK_MARGIN) -> str:
    """What a RAG fill means, with the at-risk threshold in force (`COLOURS` says it for the default).

    >>> meaning("amber", 3)
    'at risk: under 3 working days of float'
    """
    if rag == "green":
        return f"on track: {at_risk}+ working days of float"
    if rag == "amber":
        return f"at risk: under {count(at_risk, 'working day')} of float"
    return COLOURS[rag][2]


SPAN_COLOUR = "#01665e"  # the P50-P90 span of a deadline (dark teal: not a RAG colour, nor the notice's purple)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
LABEL_W = 250  # widest left column of item names (names wrap to it; a narrower column when names are short)
ROW_H = 20  # a row of one line; a wrapped name adds LINE_H per extra line
LINE_H = 13
LANE_H = 24
PLOT_W = 740  # target width of the time area: label column + plot + margin fit an A4 landscape page
RIGHT = 80  # room past the last day for date labels (the SVG grows when a label needs more)
CHAR_W = 6.6  # average advance of an 11px sans-serif character
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# advance widths in em, generous (DejaVu Sans, the widest common fallback); others 0.62, capitals 0.74
_EM = {
    **dict.fromkeys("ijl.,:;'|!", 0.3),
    **dict.fromkeys("frt()[]/-", 0.42),
    **dict.fromkeys("mw", 0.98),
    **dict.fromkeys("MW@%", 1.0),
    **dict.fromkeys("0123456789", 0.64),
    " ": 0.32,
    "…": 1.0,
    "–": 0.5,
    "·": 0.32,
}


def text_width(text: str, size: float = 11, bold: bool = False) -> float:
    """A generous estimate of the rendered width of `text` in pixels (layout never relies on a font).

    >>> text_width("Dec 2019") > 40
    True
    """
    em = sum(_EM.get(c, 0.74 if c.isupper() else 0.62) for c in text)
    return round(em * size * (1.1 if bold else 1.0), 1)


def wrap(text: str, width: float, size: float = 11, bold: bool = False) -> list[str]:
    """`text` in lines no wider than `width`, broken between words only.

    >>> wrap("Publication of the national implementation programme", 180)
    ['Publication of the national', 'implementation programme']
    """
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size, bold) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _esc(text: str) -> str:
    """Text for XML/HTML: escaped, without the control characters XML forbids."""
    return escape(_CONTROL.sub("", text), quote=True)


def _short(d: date) -> str:
    return f"{d.day} {d:%b}"


@dataclass(frozen=True, slots=True)
class _Scale:
    first: date  # day at x = left
    ppd: float  # pixels per day
    left: float

    def x(self, d: date) -> float:
        return round(self.left + (d - self.first).days * self.ppd, 1)


_UNITS = (("week", 7, 42), ("month", 30.44, 54), ("quarter", 91.3, 58), ("year", 365.25, 40))


def axis_ticks(first: date, last: date, ppd: float) -> tuple[str, list[tuple[date, str]]]:
    """The coarsest-needed axis: the first unit whose labels fit, and its (date, label) ticks.

    >>> axis_ticks(date(2019, 9, 2), date(2019, 10, 4), 24.0)[1][:2]
    [(datetime.date(2019, 9, 2), '2 Sep'), (datetime.date(2019, 9, 9), '9 Sep')]
    >>> axis_ticks(date(2019, 1, 1), date(2021, 12, 31), 0.9)[0]
    'quarter'
    """
    unit = next((u for u, days, px in _UNITS if days * ppd >= px), "year")
    ticks: list[tuple[date, str]] = []
    if unit == "week":
        d = first - timedelta(days=first.weekday())
        while d <= last:
            ticks.append((d, _short(d)))
            d += timedelta(days=7)
    else:
        step = {"month": 1, "quarter": 3, "year": 12}[unit]
        m = (first.month - 1) // step * step + 1
        d = date(first.year, m, 1)
        while d <= last:
            label = str(d.year) if unit == "year" else f"{d:%b} {d.year}"
            ticks.append((d, label))
            m0 = d.month - 1 + step
            d = date(d.year + m0 // 12, m0 % 12 + 1, 1)
    return unit, [(d, s) for d, s in ticks if d >= first - timedelta(days=1)] or ticks[:1]


def _hover(b: Bar, label: str, at_risk: int) -> str:
    lines = [f"{label}: {b.name}"]
    if b.milestone:
        kind = {"meeting": f"decision at {b.body_name}", "event": "fixed event"}.get(b.kind, "milestone")
        lines.append(f"{fmt(b.start)} ({kind})")
    else:
        lines.append(f"{fmt(b.start)} to {fmt(b.end)} ({b.duration} working days)")
    if b.window:
        lines.append(f"date as written: {b.window}")
    if b.papers_due:
        lines.append(f"papers due {fmt(b.papers_due)}")
    if b.published:
        lines.append(f"agenda published {fmt(b.published)}")
    if b.notice_by:
        lines.append(f"key decision: forward-plan notice needed by {fmt(b.notice_by)}")
    if b.takes_effect:
        lines.append(f"takes effect {fmt(b.takes_effect)} (after call-in)")
    if b.float is None:
        lines.append("float: none needed (leads to no deadline)")
    else:
        lines.append(f"float: {b.float} working days; latest finish {fmt(b.late_finish)}")
    if b.deadline is not None:
        verdict = "met" if b.deadline_met else "MISSED"
        lines.append(f"deadline {fmt(b.deadline)}: {verdict} (margin {b.margin})")
    state = b.status + (f", {b.progress}% done" if b.status == "in-progress" else "")
    lines.append(f"status: {state}; {meaning(b.rag, at_risk)}" + ("; on the driving path" if b.driving else ""))
    if b.baseline_start is not None and b.baseline_end is not None:
        lines.append(f"baseline: {fmt(b.baseline_start)} to {fmt(b.baseline_end)}")
    return "\n".join(lines)


def _diamond(cx: float, cy: float, r: float) -> str:
    return f"{cx},{cy - r} {cx + r},{cy} {cx},{cy + r} {cx - r},{cy}"


def render_svg(
    sched: Schedule,
    by: By = "level",
    baseline: Baseline | None = None,
    at_risk: int = AT_RISK_MARGIN,
    risk: RiskResult | None = None,
) -> str:
    """The chart as a standalone SVG document (amber: under `at_risk` working days of float; with
    `risk`, from `govflow.risk.overview` or `simulate`, each deadline's P50-P90 span)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _svg(sched, by, baseline, True, at_risk, risk) + "\n"


@dataclass(slots=True)
class _Row:
    bar: Bar
    y: float
    h: float
    lines: list[str]
    when: str
    when_x: float
    when_anchor: str
    span: tuple[float, float, bool, str] | None = None  # P50-P90: left x, right x, P90 reached, hover text


def _place(spans: list[list[tuple[float, float]]], x0: float, x1: float) -> int:
    """The first row of labels in which [x0, x1] overlaps nothing (a new row if none)."""
    for i, row in enumerate(spans):
        if all(x1 + 6 < a or x0 > b + 6 for a, b in row):
            row.append((x0, x1))
            return i
    spans.append([(x0, x1)])
    return len(spans) - 1


def _svg(
    sched: Schedule,
    by: By,
    baseline: Baseline | None,
    heading: bool,
    at_risk: int = AT_RISK_MARGIN,
    risk: RiskResult | None = None,
) -> str:
    p, label = sched.programme, sched.programme.label
    bs = bars(sched, baseline, at_risk)
    groups = lanes(bs, by)
    t0 = p.timelines[0]
    title = t0.title if p.single else " + ".join(t.title for t in p.timelines)
    open_ids = {b.id for b in bs if b.status != "done"}
    # each open deadline item's P50-P90 span (by label, as `risk` names deadlines), when P50 is reached
    spans_of = {d.key: d for d in (risk.deadlines if risk else ()) if d.p50 is not None and d.key in open_ids}
    starts = [b.start for b in bs] + [b.baseline_start for b in bs if b.baseline_start]
    ends = [b.end for b in bs] + [b.baseline_end for b in bs if b.baseline_end]
    ends += [d.deadline for d in sched.deadlines]
    ends += [x for d in spans_of.values() for x in (d.p50, d.p90) if x is not None]
    if sched.as_of:
        starts.append(sched.as_of)
        ends.append(sched.as_of)
    first, last = min(starts, default=t0.start), max(ends, default=t0.start)
    span = (last - first).days + 1
    pad = max(2, round(span * 0.02))
    first, last = first - timedelta(days=pad), last + timedelta(days=pad)
    span = (last - first).days + 1
    ppd = min(28.0, PLOT_W / span)
    show_dates = len(bs) <= 150

    # the name column: as wide as the longest name needs, up to LABEL_W (longer names wrap, never cut)
    def name_w(b: Bar) -> float:
        return text_width(b.name, bold=b.driving)

    longest_word = max((text_width(w, bold=b.driving) for b in bs for w in b.name.split()), default=0)
    label_w = round(max(120.0, longest_word + 24, min(LABEL_W, max((name_w(b) for b in bs), default=0) + 24)))
    sc = _Scale(first, ppd, label_w)
    plot_right = sc.x(last + timedelta(days=1))
    width = plot_right + RIGHT
    unit, ticks = axis_ticks(first, last, ppd)

    # rows: wrapped names, and each bar's date label right of the bar (left of it when it would run off)
    rows: list[_Row] = []
    for _, members in groups:
        for b in members:
            lines = wrap(b.name, label_w - 22, bold=b.driving)
            h = ROW_H + LINE_H * (len(lines) - 1)
            when = ""
            when_x, anchor = 0.0, "start"
            if show_dates:
                when = _short(b.start) if b.milestone or b.start == b.end else f"{_short(b.start)} – {_short(b.end)}"
                if b.tbc:
                    when += " TBC"
                x0, end_x = _extent(b, sc)
                if b.id in spans_of:  # the label goes clear of the P50-P90 span too
                    dr = spans_of[b.id]
                    assert dr.p50 is not None
                    x0 = min(x0, sc.x(dr.p50))
                    end_x = max(end_x, sc.x(dr.p90 + timedelta(days=1)) if dr.p90 else plot_right)
                tw = text_width(when, 10)
                left = b.id in spans_of or end_x + 4 + tw > width - 6  # a date right of a span reads as its end
                if left and x0 - 4 - tw >= label_w + 2:
                    when_x, anchor = round(x0 - 4, 1), "end"
                else:
                    when_x = round(end_x + 4, 1)
                    width = max(width, when_x + tw + 6)
            whisker = None
            if b.id in spans_of and risk is not None:
                dr = spans_of[b.id]
                assert dr.p50 is not None
                right = sc.x(dr.p90 + timedelta(days=1)) if dr.p90 else plot_right
                hover = (
                    f"{b.name}: P50 {fmt(dr.p50)}, P90 {fmt(dr.p90) if dr.p90 else 'not reached'}; "
                    f"P(met) {dr.p_met * 100:.0f}% ({risk.runs:,} runs, seed {risk.seed})"
                )
                whisker = (sc.x(dr.p50), max(right, sc.x(dr.p50) + 2), dr.p90 is not None, hover)
            rows.append(_Row(b, 0.0, h, lines, when, when_x, anchor, whisker))

    # deadline labels (titles): right of the line, or left of it at the right edge; rows never overlap
    spans: list[list[tuple[float, float]]] = []
    dl_place = []
    for d in sched.deadlines:
        x = sc.x(d.deadline + timedelta(days=1))
        name = p.items[d.key].title or label(d.key)
        text = f"{_short(d.deadline)} {name}" + ("" if d.met else " (missed)")
        tw = text_width(text, bold=True)
        if x + 3 + tw <= width - 6:
            x0 = x + 3  # right of its line
        elif x - 3 - tw >= 8:
            x0 = x - 3 - tw  # left of its line, at the right edge
        else:
            x0 = max(8.0, width - 6 - tw)  # across its line (the line starts below the label)
            width = max(width, x0 + tw + 6)
        dl_place.append((d, x, _place(spans, x0, x0 + tw), text, round(x0, 1), name))
    width = round(width)

    # legend: entries wrap onto as many lines as the width needs
    entries: list[tuple[Callable[[float, float], str], str]] = []
    for key in ("red", "amber", "green", "done", "none"):
        fill, stroke, _ = COLOURS[key]
        extra = ""
        if key == "red":
            extra = '<rect x="{x}" y="{y}" width="18" height="10" fill="url(#gf-hatch)"/>'
        if key == "none":
            fill = "url(#gf-none)"
        swatch = f'<rect x="{{x}}" y="{{y}}" width="18" height="10" fill="{fill}" stroke="{stroke}"/>' + extra
        entries.append((functools.partial(_swatch, swatch), meaning(key, at_risk)))
    entries.append(
        (
            lambda x, y: f'<polygon points="{_diamond(x + 7, y - 4, 6)}" fill="#fff" stroke="#333"/>',
            "meeting / milestone",
        )
    )
    entries.append(
        (
            lambda x, y: (
                f'<rect x="{x}" y="{y - 9}" width="18" height="10" fill="#fff" stroke="#000" stroke-width="2.5"/>'
            ),
            "driving path",
        )
    )
    if any(b.tbc and b.window_first for b in bs):
        entries.append(
            (
                lambda x, y: (
                    f'<rect x="{x}" y="{y - 10}" width="18" height="12" fill="none" stroke="#555" '
                    'stroke-dasharray="2 2"/>'
                ),
                "TBC window: date not confirmed",
            )
        )
    if any(b.published for b in bs):
        entries.append(
            (
                lambda x, y: (
                    f'<line x1="{x + 9}" y1="{y - 10}" x2="{x + 9}" y2="{y + 2}" stroke="#777" stroke-width="2"/>'
                ),
                "agenda published",
            )
        )
    if any(b.notice_by for b in bs):
        entries.append(
            (
                lambda x, y: f'<polygon points="{x + 4},{y - 9} {x + 14},{y - 9} {x + 9},{y - 1}" fill="#6a1b9a"/>',
                "key decision: forward-plan notice needed by",
            )
        )
    if any(b.takes_effect for b in bs):
        entries.append(
            (
                lambda x, y: (
                    f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="#555" stroke-width="1.5"/>'
                ),
                "call-in period: decision takes effect",
            )
        )
    if any(b.window_first and not b.tbc for b in bs):
        entries.append(
            (
                lambda x, y: f'<rect x="{x}" y="{y - 10}" width="18" height="12" fill="#dfe6f0"/>',
                "date given as a range",
            )
        )
    if sched.deadlines:
        entries.append(
            (
                lambda x, y: (
                    f'<line x1="{x + 9}" y1="{y - 11}" x2="{x + 9}" y2="{y + 3}" stroke="#222" stroke-width="2"/>'
                ),
                "deadline",
            )
        )
    if sched.as_of:
        entries.append(
            (
                lambda x, y: (
                    f'<line x1="{x + 9}" y1="{y - 11}" x2="{x + 9}" y2="{y + 3}" stroke="#1f4e9c" stroke-width="2"/>'
                ),
                "status date",
            )
        )
    if any(b.baseline_start for b in bs):
        entries.append((lambda x, y: f'<rect x="{x}" y="{y - 3}" width="18" height="4" fill="#555"/>', "baseline"))
    if spans_of and risk is not None:
        entries.append(
            (lambda x, y: _whisker(x, x + 18, y - 4, True, cls=""), f"P50 to P90 of a deadline ({risk.runs:,} runs)")
        )
    heading_lines = wrap(title, width - 16, 15, bold=True) if heading else []
    legend_y = 36.0 + 18 * len(heading_lines) + (4 if heading_lines else 0)
    placed: list[tuple[float, float]] = []
    x, line = 8.0, 0
    for _, text in entries:
        ew = 22 + text_width(text)
        if x > 8 and x + ew > width - 8:
            x, line = 8.0, line + 1
        placed.append((x, legend_y + 18 * line))
        x = round(x + ew + 14, 1)
    dl_top = legend_y + 18 * line + 26
    axis_y = dl_top + len(spans) * 14 + 14
    top = axis_y + 10
    y = float(top)
    it = iter(rows)
    for _, members in groups:
        y += LANE_H
        for _ in members:
            r = next(it)
            r.y = y
            y += r.h
    height = round(y + 40)

    out: list[str] = []
    w = out.append
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="gf-title" class="govflow-gantt" '
        f'data-axis="{unit}" data-items="{len(bs)}" font-family="{_esc(FONT)}" font-size="11" fill="#222">'
    )
    w(f'<title id="gf-title">{_esc(title)} - Gantt chart</title>')
    w(
        '<defs><pattern id="gf-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="5" fill="#fff" fill-opacity="0.45"/></pattern>'
        '<pattern id="gf-none" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<rect width="4" height="4" fill="#fff"/><circle cx="2" cy="2" r="0.9" fill="#8a8a8a"/></pattern></defs>'
    )
    w(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>')
    if heading:  # the HTML page has its own heading
        for i, ln in enumerate(heading_lines):
            w(f'<text x="8" y="{20 + 18 * i}" font-size="15" font-weight="bold">{_esc(ln)}</text>')
    sub = f"Status date {fmt(sched.as_of)}" if sched.as_of else "No status date"
    sub += f" · swimlanes by {by} · {len(bs)} items"
    nu = len(unscheduled(sched))
    if nu:
        sub += f" · {nu} cannot be scheduled (not drawn)"
    w(f'<text class="sub" x="8" y="{legend_y - 20}" fill="#444">{_esc(sub)}</text>')
    for (draw, text), (lx, ly) in zip(entries, placed, strict=True):
        w(f'<g class="legend">{draw(lx, ly)}<text x="{round(lx + 22, 1)}" y="{ly}">{_esc(text)}</text></g>')

    # axis and grid
    bottom = height - 30
    w('<g class="axis" font-size="10.5" fill="#444">')
    for day, text in ticks:
        tx = sc.x(day)
        if tx < label_w or tx + 3 + text_width(text, 10.5) > width:
            continue
        w(f'<line x1="{tx}" y1="{axis_y + 4}" x2="{tx}" y2="{bottom}" stroke="#e6e6e6"/>')
        w(f'<text class="tick" x="{tx + 3}" y="{axis_y}">{_esc(text)}</text>')
    w("</g>")
    w(f'<line x1="{label_w}" y1="{axis_y + 4}" x2="{plot_right}" y2="{axis_y + 4}" stroke="#999"/>')

    # lanes and rows
    y = float(top)
    it = iter(rows)
    row_i = 0
    for lane, members in groups:
        w(f'<g class="lane" data-lane="{_esc(lane)}">')
        w(f'<rect x="0" y="{y}" width="{width}" height="{LANE_H}" fill="#eef0f3"/>')
        w(f'<text x="8" y="{y + 16}" font-size="12.5" font-weight="bold">{_esc(lane)}</text>')
        y += LANE_H
        for _ in members:
            r = next(it)
            _bar(w, r, sc, row_i, width, label(r.bar.key), at_risk)
            y += r.h
            row_i += 1
        w("</g>")

    # deadlines and the status date, over the bars: solid lines (dashes are for TBC windows only)
    for d, x, row, _text, _, name in dl_place:
        colour = "#222" if d.met else "#b2182b"
        ly = dl_top + row * 14
        w(f'<g class="deadline" data-deadline="{_esc(label(d.key))}">')
        w(
            f"<title>Deadline: {_esc(name)} ({_esc(label(d.key))}), due {fmt(d.deadline)}; "
            f"forecast {fmt(d.forecast) if d.forecast else 'cannot be scheduled'}; "
            f"{'met' if d.met else 'MISSED'} (margin {d.margin})</title>"
        )
        w(f'<line x1="{x}" y1="{ly + 3}" x2="{x}" y2="{bottom}" stroke="{colour}" stroke-width="1.5"/></g>')
    for d, _, row, text, tx, _name in dl_place:  # labels over every line, on a white halo
        colour = "#222" if d.met else "#b2182b"
        w(
            f'<text class="deadline-label" x="{tx}" y="{dl_top + row * 14}" fill="{colour}" font-weight="bold" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{_esc(text)}</text>'
        )
    if sched.as_of:
        x = sc.x(sched.as_of)
        text = f"Status {fmt(sched.as_of)}"
        anchor, tx = ("end", x - 3) if x + 3 + text_width(text) > width - 4 else ("start", x + 3)
        w(f'<g class="status-date"><title>Status date {fmt(sched.as_of)}</title>')
        w(f'<line x1="{x}" y1="{axis_y + 4}" x2="{x}" y2="{bottom}" stroke="#1f4e9c" stroke-width="2"/>')
        w(f'<text x="{tx}" y="{bottom + 14}" fill="#1f4e9c" text-anchor="{anchor}">{text}</text></g>')
    w("</svg>")
    return "\n".join(out)


def _whisker(x0: float, x1: float, cy: float, capped: bool, hover: str = "", cls: str = "risk-span") -> str:
    """The P50-P90 span of a deadline: a thin band from x0 to x1 with end marks (none at x1 when
    P90 is not reached)."""
    title = f"<title>{_esc(hover)}</title>" if hover else ""
    attr = f' class="{cls}"' if cls else ""
    out = (
        f'<rect{attr} x="{x0}" y="{round(cy - 2, 1)}" width="{round(x1 - x0, 1)}" height="4" '
        f'fill="{SPAN_COLOUR}" fill-opacity="0.75">{title}</rect>'
        f'<line x1="{x0}" y1="{cy - 4}" x2="{x0}" y2="{cy + 4}" stroke="{SPAN_COLOUR}" stroke-width="1.5"/>'
    )
    if capped:
        out += f'<line x1="{x1}" y1="{cy - 4}" x2="{x1}" y2="{cy + 4}" stroke="{SPAN_COLOUR}" stroke-width="1.5"/>'
    return out


def _swatch(template: str, x: float, y: float) -> str:
    return template.format(x=x, y=y - 9)


def _extent(b: Bar, sc: _Scale) -> tuple[float, float]:
    """Left and right x of a bar's shape."""
    if b.milestone:
        cx = round(sc.x(b.start) + sc.ppd / 2, 1)
        r = 6.5 if b.driving else 6.0
        right = cx + r
        if b.takes_effect is not None:  # the call-in line runs on to the day it takes effect
            right = max(right, round(sc.x(b.takes_effect) + sc.ppd / 2, 1) + 2)
        return cx - r, right
    x0, x1 = sc.x(b.start), sc.x(b.end + timedelta(days=1))
    return x0, x0 + max(2.0, round(x1 - x0, 1))


def _procedural(emit: Callable[[str], None], b: Bar, sc: _Scale, y: float, cy: float) -> None:
    """A decision's procedural dates on its row: the call-in period as a thin line from the meeting
    to the day it takes effect, the agenda's publication as a grey tick and a key decision's
    forward-plan notice deadline as a purple triangle."""
    if b.takes_effect is not None and b.takes_effect > b.start:
        x0, x1 = round(sc.x(b.start) + sc.ppd / 2, 1), round(sc.x(b.takes_effect) + sc.ppd / 2, 1)
        emit(
            f'<g class="call-in"><title>takes effect {fmt(b.takes_effect)} (after call-in)</title>'
            f'<line x1="{x0}" y1="{cy}" x2="{x1}" y2="{cy}" stroke="#555" stroke-width="1.5"/>'
            f'<line x1="{x1}" y1="{cy - 4}" x2="{x1}" y2="{cy + 4}" stroke="#555" stroke-width="1.5"/></g>'
        )
    if b.published is not None:
        x = round(sc.x(b.published) + sc.ppd / 2, 1)
        emit(
            f'<g class="published"><title>agenda published {fmt(b.published)}</title>'
            f'<line x1="{x}" y1="{y + 3}" x2="{x}" y2="{y + 17}" stroke="#777" stroke-width="2"/></g>'
        )
    if b.notice_by is not None:
        x = round(sc.x(b.notice_by) + sc.ppd / 2, 1)
        emit(
            f'<g class="notice"><title>forward-plan notice needed by {fmt(b.notice_by)}</title>'
            f'<polygon points="{x - 5},{y + 2} {x + 5},{y + 2} {x},{y + 10}" fill="#6a1b9a"/></g>'
        )


def _bar(emit: Callable[[str], None], row: _Row, sc: _Scale, row_i: int, width: int, label: str, at_risk: int) -> None:
    b, y = row.bar, row.y
    fill, stroke, _ = COLOURS[b.rag]
    if b.rag == "none":
        fill = "url(#gf-none)"
    sw = "2.5" if b.driving else "1"
    if b.driving:
        stroke = "#000"
    classes = " ".join(("bar", *b.classes))
    emit(f'<g class="{classes}" data-item="{_esc(label)}">')
    emit(f"<title>{_esc(_hover(b, label, at_risk))}</title>")
    if row_i % 2:
        emit(f'<rect x="0" y="{y}" width="{width}" height="{row.h}" fill="#f7f7f7"/>')
    weight = ' font-weight="bold"' if b.driving else ""
    if len(row.lines) == 1:
        emit(f'<text class="name" x="14" y="{y + 14}"{weight}>{_esc(row.lines[0])}</text>')
    else:
        spans = "".join(
            f'<tspan x="14" y="{round(y + 14 + LINE_H * i, 1)}">{_esc(ln)}</tspan>' for i, ln in enumerate(row.lines)
        )
        emit(f'<text class="name" x="14" y="{y + 14}"{weight}>{spans}</text>')
    has_base = b.baseline_start is not None and b.baseline_end is not None
    top, h = (y + 3, 10.0) if has_base else (y + 4, 12.0)
    cy = top + h / 2
    span = ""
    if row.span is not None:  # on the centre line; below it when a call-in line runs along the centre
        span = _whisker(row.span[0], row.span[1], cy + 6 if b.takes_effect else cy, row.span[2], row.span[3])
    if b.window_first is not None and b.window_last is not None:
        wx0, wx1 = sc.x(b.window_first), sc.x(b.window_last + timedelta(days=1))
        ww = max(2.0, round(wx1 - wx0, 1))
        if b.tbc:  # the one dashed outline in the chart: a date not yet confirmed
            emit(
                f'<rect class="window tbc" x="{wx0}" y="{y + 2}" width="{ww}" height="16" '
                'fill="none" stroke="#555" stroke-dasharray="2 2"/>'
            )
        else:  # a date written as a range ("Dec 2019"): a shaded band
            emit(f'<rect class="window range" x="{wx0}" y="{y + 2}" width="{ww}" height="16" fill="#dfe6f0"/>')
    _procedural(emit, b, sc, y, cy)
    if b.milestone:
        if span:  # under the diamond
            emit(span)
        cx = round(sc.x(b.start) + sc.ppd / 2, 1)
        r = 6.5 if b.driving else 6.0
        emit(
            f'<polygon class="shape" points="{_diamond(cx, cy, r)}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{sw}"/>'
        )
        if b.rag == "red":
            emit(f'<polygon points="{_diamond(cx, cy, r)}" fill="url(#gf-hatch)"/>')
    else:
        x0, x1 = sc.x(b.start), sc.x(b.end + timedelta(days=1))
        bw = max(2.0, round(x1 - x0, 1))
        emit(
            f'<rect class="shape" x="{x0}" y="{top}" width="{bw}" height="{h}" rx="2" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{sw}"/>'
        )
        if b.rag == "red":
            emit(f'<rect x="{x0}" y="{top}" width="{bw}" height="{h}" fill="url(#gf-hatch)"/>')
        if 0 < b.progress < 100:
            pw = round(bw * b.progress / 100, 1)
            emit(f'<rect class="progress" x="{x0}" y="{top + h - 3}" width="{pw}" height="3" fill="#222"/>')
        if span:  # over a task's bar, so that both ends show
            emit(span)
    if has_base:
        assert b.baseline_start is not None and b.baseline_end is not None
        bx0, bx1 = sc.x(b.baseline_start), sc.x(b.baseline_end + timedelta(days=1))
        if b.milestone:
            bcx = round(bx0 + sc.ppd / 2, 1)
            emit(f'<polygon class="baseline" points="{_diamond(bcx, y + 16, 3.5)}" fill="#555"/>')
        else:
            emit(
                f'<rect class="baseline" x="{bx0}" y="{y + 15}" width="{max(2.0, round(bx1 - bx0, 1))}" '
                'height="4" fill="#555"/>'
            )
    if row.when:
        anchor = ' text-anchor="end"' if row.when_anchor == "end" else ""
        emit(f'<text class="when" x="{row.when_x}" y="{y + 14}" font-size="10" fill="#444"{anchor}>{row.when}</text>')
    emit("</g>")


def _chance(p: float | None, done: bool) -> str:
    return "-" if p is None or done else f"{p * 100:.0f}%"


def render_html(
    sched: Schedule,
    by: By = "level",
    baseline: Baseline | None = None,
    at_risk: int = AT_RISK_MARGIN,
    risk: RiskResult | None = None,
) -> str:
    """The chart in a self-contained HTML page, with the deadlines table (verdicts as `check` gives
    them, "met, at risk" under `at_risk` working days to spare) and what cannot be scheduled. With
    `risk` (`govflow.risk.overview` or `simulate`), the table gives each deadline's P(met) and the
    chart its P50-P90 span."""
    p, label = sched.programme, sched.programme.label
    title = p.timelines[0].title if p.single else " + ".join(t.title for t in p.timelines)
    chart = _svg(sched, by, baseline, False, at_risk, risk)
    chances = {d.key: d.p_met for d in risk.deadlines} if risk is not None else {}
    width = int(chart.split(' width="', 1)[1].split('"', 1)[0])
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)} - Gantt</title>",
        "<style>",
        f"body {{ font-family: {FONT}; margin: 16px; color: #222; }}",
        "h1 { font-size: 1.3em; margin: 0 0 4px; }",
        "table { border-collapse: collapse; margin: 8px 0 12px; }",
        "th, td { text-align: left; padding: 2px 10px 2px 0; }",
        "td.num { text-align: right; }",
        ".missed { color: #b2182b; font-weight: bold; }",
        "td .id { color: #666; }",
        # a window narrower than the chart scrolls the chart sideways, at full size (text 10 px and up);
        # printed, the chart is scaled to the A4 landscape page instead: never cut either way
        ".chart { overflow-x: auto; }",
        ".scroll-hint { display: none; color: #444; font-size: 0.9em; }",
        f"@media (max-width: {width + 31}px) {{ .scroll-hint {{ display: block; }} }}",
        ".bar:hover .shape { stroke-width: 3; }",
        "@page { size: A4 landscape; margin: 10mm; }",
        "@media print { body { margin: 0; } .chart { overflow: visible; } "
        ".chart svg { max-width: 100%; height: auto; } .scroll-hint { display: none; } }",
        "</style>",
        "</head>",
        "<body>",
        f"<h1>{_esc(title)}</h1>",
    ]
    ids = ", ".join(t.id for t in p.timelines)
    status = f"status date {fmt(sched.as_of)}" if sched.as_of else "no status date"
    out.append(f"<p>Timeline {_esc(ids)}; {status}. Hover over a bar for its dates and float.</p>")
    if sched.deadlines:
        out.append(
            '<table class="deadlines"><tr><th>Deadline</th><th>Due</th><th>Forecast</th>'
            "<th>Margin</th><th>Verdict</th>" + ("<th>P(met)</th>" if risk is not None else "") + "</tr>"
        )
        for d in sched.deadlines:
            cls = "" if d.met else ' class="missed"'
            status_done = sched.items[d.key].status == "done"
            margin = "-" if d.margin is None else f"{d.margin:+d}" if d.margin else "0"
            out.append(
                f'<tr><td>{_esc(sched.programme.name(d.key))} <span class="id">({_esc(label(d.key))})</span></td>'
                f"<td>{fmt(d.deadline)}</td>"
                f"<td>{fmt(d.forecast) if d.forecast else 'unschedulable'}</td>"
                f'<td class="num">{margin}</td><td{cls}>{verdict(sched, d, at_risk)}</td>'
                + (
                    f'<td class="num">{_chance(chances.get(label(d.key)), status_done)}</td>'
                    if risk is not None
                    else ""
                )
                + "</tr>"
            )
        out.append("</table>")
        legend = verdict_legend(at_risk)
        if risk is not None:
            legend += (
                f" P(met), and the P50 to P90 span drawn on each deadline's row: from {risk.runs:,} simulated runs "
                f"(seed {risk.seed}) of the ranges, TBC windows, cancellation rates and risks in the files; "
                "govflow risk gives the detail."
            )
        out.append(f'<p class="legend">{_esc(legend)}</p>')
    out.append(
        '<p class="scroll-hint">The chart is wider than this window: scroll it sideways for later dates '
        "(printed, it fits an A4 landscape page).</p>"
    )
    out.append('<div class="chart">')
    out.append(chart)
    out.append("</div>")
    missing = unscheduled(sched)
    if missing:
        out.append("<h2>Cannot be scheduled</h2><ul>")
        for u in missing:
            out.append(f"<li><b>{_esc(u.id)}</b>: {_esc(u.name)} - {_esc(u.reason)}</li>")
        out.append("</ul>")
    out.append(
        "<p><small>Made by govflow gantt. Working days exclude weekends, bank holidays and closures.</small></p>"
    )
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
