"""`govflow check` output: the JSON form (DESIGN.md) and the readable text form. Pure functions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from json.encoder import encode_basestring_ascii as _string  # how json.dumps writes a string
from typing import Any

from .explain import AT_RISK_MARGIN, Explanation, count, fmt
from .model import LEVELS
from .scheduling import DeadlineResult, ItemTable, Schedule

__all__ = ["check_json", "check_json_text", "render_check", "verdict", "verdict_legend", "wrap"]


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


Risk = dict[str, tuple[float, date | None]]  # deadline key -> (P(met), P80), from `govflow.risk`


def check_json(sched: Schedule, explanations: list[Explanation], risk: Risk | None = None) -> dict[str, Any]:
    """The machine form of `govflow check --json`; with several timelines item keys are 'timeline:item'.
    With `risk` (`check --risk`) each deadline also has `p_met` and `p80`."""
    return {**_head(sched), "items": _items(sched), **_tail(sched, explanations, risk)}


def check_json_text(sched: Schedule, explanations: list[Explanation], risk: Risk | None = None) -> str:
    """`json.dumps(check_json(sched, explanations, risk))`, byte for byte, with the items written
    out directly: a national programme has 100,000, and building a mapping for each to encode
    it was most of the time `check --json` took to print."""
    head = json.dumps(_head(sched))[:-1]  # '{"timeline": ..., "as_of": ...'
    tail = json.dumps(_tail(sched, explanations, risk), check_circular=False)[1:]  # '"deadlines": ...}'
    return f'{head}, "items": {_items_text(sched)}, {tail}'


def _head(sched: Schedule) -> dict[str, Any]:
    p = sched.programme
    return {
        "timeline": p.timelines[0].id if p.single else ",".join(t.id for t in p.timelines),
        "timelines": [t.id for t in p.timelines],
        "as_of": _iso(sched.as_of),
    }


def _labels(sched: Schedule, keys: list[str]) -> dict[str, str]:
    """Each item's label (`Programme.label`: its id, or 'timeline:id' with several timelines)."""
    return {k: k.split(":", 1)[1] for k in keys} if sched.programme.single else {k: k for k in keys}


def _columns(t: ItemTable) -> Iterator[tuple[Any, ...]]:
    """Each item's (key, early start, early finish, late start, late finish, float, critical,
    status, driving), in the order both JSON writers read them."""
    return zip(
        t.keys,
        t.early_start,
        t.early_finish,
        t.late_start,
        t.late_finish,
        t.float,
        t.critical,
        t.status,
        t.driving,
        strict=True,
    )


def _items(sched: Schedule) -> dict[str, Any]:
    p = sched.programme
    t = sched.table()  # every item at once: a national programme has 100,000
    iso: dict[date | None, str | None] = {None: None}
    for column in (t.early_start, t.early_finish, t.late_start, t.late_finish, t.papers_due, t.ready):
        iso.update((d, d.isoformat()) for d in set(column) if d is not None)
    short = _labels(sched, t.keys)
    items: dict[str, Any] = {}
    columns = _columns(t)
    for j, (key, es, ef, ls, lf, flt, critical, status, driving) in enumerate(columns):
        item = p.items[key]
        entry: dict[str, Any] = {
            "kind": item.kind,
            "title": item.title,
            "level": item.level,
            "early_start": iso[es],
            "early_finish": iso[ef],
            "late_start": iso[ls],
            "late_finish": iso[lf],
            "float": flt,
            "critical": critical,
            "status": status,
            "driving": [short[k] for k in driving],
        }
        if item.kind == "meeting":
            m = t.meeting[j]
            entry.update(
                body=item.at,
                papers_due=iso[t.papers_due[j]],
                papers_ready=iso[t.ready[j]],
                tbc=bool(m and m.when.tbc),
            )
            entry.update(_statutory(sched, key))
        if item.deadline is not None:
            entry["deadline"] = _iso(item.deadline.last)
        if t.reason[j]:
            entry["reason"] = t.reason[j]
        items[short[key]] = entry
    return items


def _statutory(sched: Schedule, key: str) -> dict[str, Any]:
    """A meeting item's procedural dates for `check --json` (`agenda_published`, `notice_from`,
    `notice_by`, `late_notice_by`, `takes_effect`, `deferred`), where its body's rules apply: read
    from the item's own schedule, only for the items that have them."""
    p = sched.programme
    item = p.items[key]
    body = p.body(item)
    if not (body.publish or body.notice or body.call_in or item.deferred):
        return {}
    r = sched.items[key]
    out: dict[str, Any] = {}
    for name in ("published", "notice_from", "notice_by", "late_notice_by", "takes_effect"):
        if getattr(r, name) is not None:
            out["agenda_published" if name == "published" else name] = _iso(getattr(r, name))
    if item.deferred:
        out["deferred"] = [d.isoformat() for d in item.deferred]
    return out


def _items_text(sched: Schedule) -> str:
    """`json.dumps(_items(sched))`, written entry by entry (keep the two in step: a test compares them)."""
    p = sched.programme
    t = sched.table()
    text: dict[date | None, str] = {None: "null"}  # dates as JSON
    for column in (t.early_start, t.early_finish, t.late_start, t.late_finish, t.papers_due, t.ready):
        text.update((d, f'"{d.isoformat()}"') for d in set(column) if d is not None)
    labels = _labels(sched, t.keys)
    if len(set(labels.values())) != len(labels):  # two items shown under one label: the mapping keeps one
        return json.dumps(_items(sched), check_circular=False)
    short = {k: _string(v) for k, v in labels.items()}
    words = {w: _string(w) for w in ("task", "milestone", "meeting", "event", *LEVELS, *_STATUSES)}
    out = ["{"]
    add = out.append
    items = p.items
    columns = _columns(t)
    for j, (key, es, ef, ls, lf, flt, critical, status, driving) in enumerate(columns):
        item = items[key]
        kind, level = item.kind, item.level
        add(
            f'{", " if j else ""}{short[key]}: {{"kind": {words.get(kind) or _string(kind)}, '
            f'"title": {_string(item.title)}, "level": {words.get(level) or _string(level)}, '
            f'"early_start": {text[es]}, "early_finish": {text[ef]}, "late_start": {text[ls]}, '
            f'"late_finish": {text[lf]}, "float": {"null" if flt is None else int(flt)}, '
            f'"critical": {"true" if critical else "false"}, "status": {words.get(status) or _string(status)}, '
            f'"driving": [{", ".join([short[k] for k in driving])}]'
        )
        if kind == "meeting":
            m = t.meeting[j]
            add(
                f', "body": {"null" if item.at is None else _string(item.at)}, "papers_due": {text[t.papers_due[j]]}, '
                f'"papers_ready": {text[t.ready[j]]}, "tbc": {"true" if m and m.when.tbc else "false"}'
            )
            extra = _statutory(sched, key)
            if extra:
                add(", " + json.dumps(extra)[1:-1])
        if item.deadline is not None:
            add(f', "deadline": "{item.deadline.last.isoformat()}"')
        if t.reason[j]:
            add(f', "reason": {_string(t.reason[j])}')
        add("}")
    add("}")
    return "".join(out)


_STATUSES = ("done", "in-progress", "not-started", "unschedulable")


def _tail(sched: Schedule, explanations: list[Explanation], risk: Risk | None) -> dict[str, Any]:
    p = sched.programme
    short = p.label
    why = {e.key: e for e in explanations}
    deadlines = []
    for d in sched.deadlines:
        e = why.get(d.key)
        out: dict[str, Any] = {
            "id": short(d.key),
            "title": p.items[d.key].title,
            "deadline": d.deadline.isoformat(),
            "forecast": _iso(d.forecast),
            "margin": d.margin,
            "met": d.met,
            "driving_path": [short(k) for k in d.driving_path],
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
        "deadlines": deadlines,
        "warnings": [{"item": w.item, "code": w.code, "message": w.message} for w in sched.warnings],
    }


def _when(sched: Schedule, key: str) -> str:
    r = sched.items[key]
    if r.early_start is None:
        return "cannot be scheduled"
    if r.early_start == r.early_finish:
        return fmt(r.early_finish)
    return f"{fmt(r.early_start)} to {fmt(r.early_finish)}"


def _detail(sched: Schedule, key: str) -> str:
    p = sched.programme
    item, r = p.items[key], sched.items[key]
    bits = []
    if item.kind == "meeting":
        body = p.body(item)
        bits.append(body.name + (f", papers due {fmt(r.papers_due)}" if r.papers_due else ""))
        if r.meeting and r.meeting.when.tbc:
            bits.append(f"meeting date not confirmed: {r.meeting.when.text or r.meeting.when}")
        bits += procedural(sched, key)
    elif item.kind == "event":
        bits.append("fixed" + (f", not confirmed: {item.on.text}" if item.on and item.on.tbc else ""))
    if r.status in ("done", "in-progress"):
        bits.append(r.status.replace("-", " "))
    elif r.why in ("as_of", "forecast", "remaining"):
        bits.append(
            {"as_of": "held back to the status date", "forecast": "owner's forecast", "remaining": "remaining work"}[
                r.why
            ]
        )
    return "; ".join(bits)


def procedural(sched: Schedule, key: str) -> list[str]:
    """A meeting item's dates under its body's procedural rules, as a clerk would note them."""
    p = sched.programme
    item, r = p.items[key], sched.items[key]
    body = p.body(item)
    out = []
    if r.published is not None:
        out.append(f"agenda published {fmt(r.published)}")
    if r.notice_by is not None or r.notice_from is not None:
        given = "given" if item.notice_given else "can be published from"
        out.append(f"key decision: {body.notice}' notice needed by {fmt(r.notice_by)} ({given} {fmt(r.notice_from)})")
    if item.deferred:
        out.append(f"deferred by the {body.name} on {', '.join(fmt(d) for d in item.deferred)}")
    if r.early_finish is not None and r.meeting is not None and r.status != "done":
        meetings = sched.meetings(key)
        j = next((k for k, m in enumerate(meetings) if m.held == r.early_finish), None)
        if j is not None:
            for m in meetings[:j]:
                if m.blackout is not None and m.held >= (r.held_from or m.held) and m.papers_due >= (r.ready or m.held):
                    out.append(f"not the {fmt(m.held)} meeting: {m.blackout}, no decisions")
    if r.takes_effect is not None:
        out.append(
            f"takes effect {fmt(r.takes_effect)} after the call-in period ({count(body.call_in, 'clear working day')})"
        )
    return out


def wrap(text: str, width: int, indent: str = "", hang: str | None = None) -> list[str]:
    """`text` as lines of at most `width` columns, the first starting with `indent` and the rest with
    `hang` (a hanging indent: default `indent` plus 4 spaces). Words and ids are never broken (a
    word longer than the line stands alone on its line), and no line ends in a space.

    >>> wrap("papers due Thu 19 Sep 2019 for trust-board-review", 24, "  ")
    ['  papers due Thu 19 Sep', '      2019 for', '      trust-board-review']
    """
    hang = indent + "    " if hang is None else hang
    lines: list[str] = []
    line = indent
    for word in text.split():
        lead = indent if not lines else hang
        if line.strip() and len(line) + 1 + len(word) > width:
            lines.append(line.rstrip())
            line = hang + word
        elif line.strip():
            line += " " + word
        else:
            line = lead + word
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _name(p: Any, key: str, short: Any) -> str:
    """'Title (id)', or just the id when the title is the id."""
    title = p.items[key].title
    ident = short(key)
    return ident if not title or title == p.items[key].id else f"{title} ({ident})"


_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _sentence(text: str, labels: dict[str, str]) -> str:
    """A sentence from `explain` or a warning in the house style: dates as 'Thu 26 Sep 2019', and
    item labels without their 'timeline:' prefix where that is unambiguous (`explain` itself says
    whether a count of days is of working or calendar days)."""

    def iso(m: re.Match[str]) -> str:
        try:
            return fmt(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    text = _ISO.sub(iso, text)
    for long, short in labels.items():
        if long != short:
            text = re.sub(rf"(?<![\w:-]){re.escape(long)}(?![\w-])", short, text)
    return text


def _short_labels(sched: Schedule) -> dict[str, str]:
    """Each item's label as shown: with several timelines, an item id used in only one timeline
    is shown without its 'timeline:' prefix."""
    p = sched.programme
    if p.single:
        return {k: p.label(k) for k in p.items}
    uses: dict[str, int] = {}
    for item in p.items.values():
        uses[item.id] = uses.get(item.id, 0) + 1
    return {k: (item.id if uses[item.id] == 1 else p.label(k)) for k, item in p.items.items()}


def _table(rows: list[list[str]], right: set[int], width: int, wrap_first: bool = False) -> list[str]:
    """Aligned columns, two spaces apart, in `width` columns. The first column takes the room the
    others leave; with `wrap_first` its text wraps inside it (continuation lines indented by two).
    A first cell that still does not fit stands on a line of its own, the other cells following,
    aligned, on the next line."""
    rest = [max(len(r[i]) for r in rows) for i in range(1, len(rows[0]))]
    rest_width = sum(rest) + 2 * len(rest)
    first = min(max(len(r[0]) for r in rows), max(width - rest_width, 0))
    out = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i + 1 in right else c.ljust(w) for i, (c, w) in enumerate(zip(row[1:], rest, strict=True))
        ]
        tail = "  ".join(cells).rstrip()
        head = [row[0]]
        if n and wrap_first and len(row[0]) > first >= 16:
            head = wrap(row[0], first, "", "  ")
        if all(len(h) <= first for h in head):
            out.append((head[0].ljust(first) + "  " + tail).rstrip())
            out += head[1:]
        else:
            out += wrap(row[0], width, "", "  ")
            out.append((" " * max(min(first + 2, width - len(tail)), 0) + tail).rstrip())
    return out


def verdict(sched: Schedule, d: DeadlineResult, at_risk: int = AT_RISK_MARGIN) -> str:
    """A deadline's verdict in words, as `check` and the Gantt chart's table say it: "met", "met,
    at risk" (fewer than `at_risk` working days to spare), "MISSED", "met (done)", ..."""
    if sched.items[d.key].status == "done":
        return "met (done)" if d.met else "MISSED (done late)"
    if d.forecast is None:
        return "MISSED (cannot be scheduled)"
    if not d.met:
        return "MISSED"
    return "met, at risk" if d.margin is not None and d.margin < at_risk else "met"


def verdict_legend(at_risk: int = AT_RISK_MARGIN) -> str:
    """The legend under a table of verdicts: what Margin and "met, at risk" mean, with the threshold."""
    return (
        "Margin: working days from the forecast to the deadline (+ to spare, - late). "
        f"Met, at risk: met with fewer than {count(at_risk, 'working day')} to spare (--at-risk)."
    )


def render_check(
    sched: Schedule,
    explanations: list[Explanation],
    show_all: bool = False,
    width: int = 100,
    color: bool = False,
    risk: Risk | None = None,
    at_risk: int = AT_RISK_MARGIN,
) -> str:
    """The readable report of `govflow check`, laid out to `width` columns with hanging indents
    (with `risk`: P(met) and P80 columns). A deadline met with fewer than `at_risk` working days to
    spare is "met, at risk". `color` is accepted for callers of the old signature and ignored:
    the output is plain text, to paste into an email."""
    width = max(width, 40)
    p = sched.programme
    labels = _short_labels(sched)

    def short(key: str) -> str:
        return labels[key]

    renamed = {p.label(k): v for k, v in labels.items() if p.label(k) != v}  # built once, not per sentence

    def say(text: str) -> str:
        return _sentence(text, renamed)

    out: list[str] = []
    for t in p.timelines:
        out += wrap(f"{t.title} ({t.id})" if t.title and t.title != t.id else t.id, width)
    dates = {t.id: sched.status_override or t.as_of for t in p.timelines}
    if len(set(dates.values())) > 1:
        out += wrap("Status dates: " + ", ".join(f"{tid} {fmt(d) if d else 'none'}" for tid, d in dates.items()), width)
    else:
        out.append(f"Status date: {fmt(sched.as_of) if sched.as_of else 'none (no as_of in the file)'}")
    out.append("")
    if sched.deadlines:
        header = ["Deadline", "Due", "Forecast", "Margin", "Verdict"]
        if risk is not None:
            header += ["P(met)", "P80"]
        rows = [header]
        for d in sched.deadlines:
            row = [
                _name(p, d.key, short),
                fmt(d.deadline),
                fmt(d.forecast) if d.forecast else "none",
                "-" if d.margin is None else f"{d.margin:+d}" if d.margin else "0",
                verdict(sched, d, at_risk),
            ]
            if risk is not None:
                row += (
                    [f"{risk[d.key][0] * 100:.0f}%", fmt(risk[d.key][1]) if risk[d.key][1] else "not reached"]
                    if d.key in risk
                    else ["", ""]
                )
            rows.append(row)
        out += _table(rows, {3, 5}, width, wrap_first=True)
        out.append("")
        legend = verdict_legend(at_risk)
        if risk is not None:
            legend += " P(met): chance of meeting it; P80: 80% of runs finish by then."
        out += wrap(legend, width, hang="")
    else:
        out += wrap("No deadlines in this timeline: nothing to check (add 'deadline:' to an item).", width)
    why = {e.key: e for e in explanations}
    for d in sched.deadlines:
        e = why.get(d.key)
        out.append("")
        out += wrap(_name(p, d.key, short), width)
        if e is not None:
            out += wrap(say(e.summary), width, "  ")
        out.append("  Driving path:")
        for k in d.driving_path:
            detail = _detail(sched, k)
            out += wrap(f"{_name(p, k, short)}: {_when(sched, k)}" + (f"; {detail}" if detail else ""), width, "    ")
        if e is None:
            continue
        for line in e.broke:
            out += wrap(f"What broke: {say(line)}", width, "  ")
        if e.next_break:
            out += wrap(f"Next to break: {say(e.next_break)}", width, "  ")
        for line in e.windows:
            out += wrap(f"TBC: {say(line)}", width, "  ")
        for line in e.recovery:
            out += wrap(f"Would save it: {say(line)}", width, "  ")
        if not d.met and not e.recovery:
            out += wrap(
                "Would save it: no single extraordinary meeting or chair's action found in this file", width, "  "
            )
        for line in e.notes:
            out += wrap(f"Note: {say(line)}", width, "  ")
    if show_all:
        out.append("")

        def day(d: date | None) -> str:
            return "-" if d is None else f"{d.day} {d:%b %Y}"

        kind = width >= 100  # below 100 columns the Kind column is left out, so that the rest fit
        rows = [
            ["Item", *(["Kind"] * kind), "Early start", "Early finish", "Late start", "Late finish", "Float", "Status"]
        ]
        for key, r in sched.items.items():
            rows.append(
                [
                    short(key),
                    *([r.kind] * kind),
                    day(r.early_start),
                    day(r.early_finish),
                    day(r.late_start),
                    day(r.late_finish),
                    "-" if r.float is None else str(r.float),
                    r.status + (" *" if r.critical else ""),
                ]
            )
        out += _table(rows, {6 if kind else 5}, width)
        out.append("")
        out += wrap(
            "Float: working days an item can slip without moving a deadline; '-': it leads to no deadline. "
            "*: critical (float 0 or less).",
            width,
            hang="",
        )
        rules = [(k, procedural(sched, k)) for k in sched.items if p.items[k].kind == "meeting"]
        if any(notes for _, notes in rules):  # agenda publication, notice, call-in, deferrals, blackouts
            out.append("")
            out.append("Procedural dates")
            for k, notes in rules:
                if notes:
                    out += wrap(f"{short(k)}: {'; '.join(notes)}", width, "  ")
    if sched.warnings:
        out.append("")
        out.append("Warnings")
        for w in sched.warnings:
            out += wrap(
                say(f"{short(w.item) if w.item in labels else w.item}: warning[{w.code}]: {w.message}"), width, "  "
            )
    return "\n".join(line.rstrip() for line in out) + "\n"
