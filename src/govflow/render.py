"""`govflow check` output: the JSON form (DESIGN.md) and the readable text form. Pure functions."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from .explain import Explanation, fmt
from .scheduling import Schedule

__all__ = ["check_json", "render_check"]


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


Risk = dict[str, tuple[float, date | None]]  # deadline key -> (P(met), P80), from `govflow.risk`


def check_json(sched: Schedule, explanations: list[Explanation], risk: Risk | None = None) -> dict[str, Any]:
    """The machine form of `govflow check --json`; with several timelines item keys are 'timeline:item'.
    With `risk` (`check --risk`) each deadline also has `p_met` and `p80`."""
    p, label = sched.programme, sched.programme.label
    items: dict[str, Any] = {}
    for key, r in sched.items.items():
        item = p.items[key]
        entry: dict[str, Any] = {
            "kind": r.kind,
            "title": item.title,
            "level": item.level,
            "early_start": _iso(r.early_start),
            "early_finish": _iso(r.early_finish),
            "late_start": _iso(r.late_start),
            "late_finish": _iso(r.late_finish),
            "float": r.float,
            "critical": r.critical,
            "status": r.status,
            "driving": [label(k) for k in r.driving],
        }
        if item.kind == "meeting":
            entry.update(
                body=item.at,
                papers_due=_iso(r.papers_due),
                papers_ready=_iso(r.ready),
                tbc=bool(r.meeting and r.meeting.when.tbc),
            )
        if item.deadline is not None:
            entry["deadline"] = _iso(item.deadline.last)
        if r.reason:
            entry["reason"] = r.reason
        items[label(key)] = entry
    why = {e.key: e for e in explanations}
    deadlines = []
    for d in sched.deadlines:
        e = why.get(d.key)
        out: dict[str, Any] = {
            "id": label(d.key),
            "title": p.items[d.key].title,
            "deadline": d.deadline.isoformat(),
            "forecast": _iso(d.forecast),
            "margin": d.margin,
            "met": d.met,
            "driving_path": [label(k) for k in d.driving_path],
        }
        if risk is not None and d.key in risk:
            out["p_met"], out["p80"] = round(risk[d.key][0], 6), _iso(risk[d.key][1])
        if e is not None:
            out["explanation"] = {
                "summary": e.summary,
                "broke": list(e.broke),
                "next_break": e.next_break,
                "windows": list(e.windows),
                "recovery": list(e.recovery),
            }
        deadlines.append(out)
    return {
        "timeline": p.timelines[0].id if p.single else ",".join(t.id for t in p.timelines),
        "timelines": [t.id for t in p.timelines],
        "as_of": _iso(sched.as_of),
        "items": items,
        "deadlines": deadlines,
        "warnings": [{"item": w.item, "code": w.code, "message": w.message} for w in sched.warnings],
    }


def _when(sched: Schedule, key: str) -> str:
    r = sched.items[key]
    if r.early_start is None:
        return "cannot be scheduled"
    if r.early_start == r.early_finish:
        return fmt(r.early_finish)
    return f"{fmt(r.early_start)} -> {fmt(r.early_finish)}"


def _detail(sched: Schedule, key: str) -> str:
    p = sched.programme
    item, r = p.items[key], sched.items[key]
    bits = []
    if item.kind == "meeting":
        body = p.body(item)
        bits.append(body.name + (f", papers due {fmt(r.papers_due)}" if r.papers_due else ""))
        if r.meeting and r.meeting.when.tbc:
            bits.append(f"meeting date not confirmed: {r.meeting.when.text or r.meeting.when}")
    elif item.kind == "event":
        bits.append("fixed" + (f", not confirmed: {item.on.text}" if item.on and item.on.tbc else ""))
    if r.status in ("done", "in-progress"):
        bits.append(r.status)
    elif r.why in ("as_of", "forecast", "remaining"):
        bits.append(
            {"as_of": "held back to the status date", "forecast": "owner's forecast", "remaining": "remaining work"}[
                r.why
            ]
        )
    return "; ".join(bits)


def render_check(
    sched: Schedule,
    explanations: list[Explanation],
    show_all: bool = False,
    width: int = 110,
    color: bool = False,
    risk: Risk | None = None,
) -> str:
    """The readable report of `govflow check` (with `risk`: P(met) and P80 columns)."""
    from rich.console import Console  # not needed for --json: keep start-up fast
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=color, no_color=not color, highlight=False, emoji=False)
    p, label = sched.programme, sched.programme.label
    for t in p.timelines:
        con.print(Text(f"{t.title} ({t.id})", style="bold"))
    dates = {t.id: sched.status_override or t.as_of for t in p.timelines}
    if len(set(dates.values())) > 1:
        con.print("Status dates: " + ", ".join(f"{tid} {fmt(d) if d else 'none'}" for tid, d in dates.items()))
    else:
        con.print(f"Status date: {fmt(sched.as_of) if sched.as_of else 'none (no as_of)'}")
    con.print()
    table = Table(title=None, show_lines=False, box=None, pad_edge=False, header_style="bold")
    for col, just in (
        ("Deadline", "left"),
        ("Due", "left"),
        ("Forecast", "left"),
        ("Margin", "right"),
        ("Verdict", "left"),
        *((("P(met)", "right"), ("P80", "left")) if risk is not None else ()),
    ):
        table.add_column(col, justify=just)
    for d in sched.deadlines:
        verdict = Text("met", style="green") if d.met else Text("MISSED", style="bold red")
        if sched.items[d.key].status == "done":
            verdict = Text("met (done)", style="green") if d.met else Text("MISSED (done late)", style="red")
        elif d.met and d.margin is not None and d.margin < 5:
            verdict = Text("met, at risk", style="yellow")
        table.add_row(
            label(d.key),
            fmt(d.deadline),
            fmt(d.forecast) if d.forecast else "unschedulable",
            "-" if d.margin is None else f"{d.margin:+d}" if d.margin else "0",
            verdict,
            *(
                (f"{risk[d.key][0] * 100:.0f}%", fmt(risk[d.key][1]) if risk[d.key][1] else "not reached")
                if risk is not None and d.key in risk
                else ()
            ),
        )
    if sched.deadlines:
        con.print(table)
    else:
        con.print("No deadlines in this timeline: nothing to check (add 'deadline:' to an item).")
    why = {e.key: e for e in explanations}
    for d in sched.deadlines:
        e = why.get(d.key)
        con.print()
        title = p.items[d.key].title
        con.print(Text(label(d.key) + (f": {title}" if title != p.items[d.key].id else ""), style="bold"))
        if e is not None:
            con.print(f"  {e.summary}")
        con.print("  Driving path:")
        for k in d.driving_path:
            detail = _detail(sched, k)
            con.print(f"    {label(k):<28} {_when(sched, k):<36} {detail}".rstrip())
        if e is None:
            continue
        for line in e.broke:
            con.print(f"  What broke: {line}")
        if e.next_break:
            con.print(f"  Next to break: {e.next_break}")
        for line in e.windows:
            con.print(f"  TBC: {line}")
        for line in e.recovery:
            con.print(f"  Would save it: {line}")
        if not d.met and not e.recovery:
            con.print("  Would save it: no single extraordinary meeting or chair's action found in this file")
        for line in e.notes:
            con.print(f"  Note: {line}")
    if show_all:
        con.print()
        all_table = Table(box=None, pad_edge=False, header_style="bold")
        for col in ("Item", "Kind", "Early start", "Early finish", "Late start", "Late finish", "Float", "Status"):
            all_table.add_column(
                col, justify="right" if col == "Float" else "left", no_wrap=col != "Item", overflow="fold"
            )

        def short(d: date | None) -> str:
            return "-" if d is None else f"{d.day} {d:%b %Y}"

        for key, r in sched.items.items():
            all_table.add_row(
                label(key),
                r.kind,
                short(r.early_start),
                short(r.early_finish),
                short(r.late_start),
                short(r.late_finish),
                "-" if r.float is None else str(r.float),
                r.status + (" *" if r.critical else ""),
            )
        con.print(all_table)
        con.print("  * critical: float <= 0; '-' float: leads to no deadline")
    if sched.warnings:
        con.print()
        con.print(Text("Warnings", style="bold"))
        for w in sched.warnings:
            con.print(f"  {w.item}: warning[{w.code}]: {w.message}")
    return buf.getvalue()
