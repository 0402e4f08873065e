"""The weekly slippage report and the milestone trend analysis (MTA) chart. Pure functions.

`weekly_report` compares the schedule computed now with the latest earlier snapshot ("last
week") and with a baseline, and returns a `WeeklyReport`; `render_markdown`, `render_html`
and `render_json` format it, `render_mta` draws the MTA chart as SVG. Nothing here reads the
clock or the files: the status date comes from the schedule and the history from the caller.

RAG rules (`RagRules`, defaults as below; `green_margin` is the at-risk threshold, `--at-risk`):

- **Blue**: the deadline item is done.
- **Red**: the deadline is missed (forecast after the deadline) or cannot be scheduled.
- **Amber**: the deadline is still met, but the forecast slipped against the baseline, or the
  margin is below `green_margin` working days (`explain.AT_RISK_MARGIN`, 5: the same threshold
  as `check`'s "met, at risk" and the Gantt chart's amber).
- **Green**: met, on or ahead of the baseline, with at least `green_margin` working days to spare.

>>> RagRules().rag(done=False, forecast=date(2019, 9, 26), deadline=date(2019, 9, 27), margin=1)
'Amber'
>>> RagRules(green_margin=1).rag(done=False, forecast=date(2019, 9, 26), deadline=date(2019, 9, 27), margin=1)
'Green'
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .explain import AT_RISK_MARGIN, fmt
from .scheduling import Schedule
from .tracking import RecordedRisk, SnapItem, Snapshot, snapshot_of

__all__ = [
    "LOOKAHEAD_DAYS",
    "MtaSeries",
    "RagRules",
    "WeeklyReport",
    "mta_series",
    "render_history",
    "render_html",
    "render_json",
    "render_markdown",
    "render_mta",
    "weekly_report",
]

LOOKAHEAD_DAYS = 14  # the lookahead covers the status date and the 14 days after it
RAG_ORDER = ("Red", "Amber", "Green", "Blue")


@dataclass(frozen=True, slots=True)
class RagRules:
    """How a deadline gets its RAG colour (see the module docstring)."""

    green_margin: int = AT_RISK_MARGIN  # working days of margin needed for Green (`--at-risk`)
    amber_on_baseline_slip: bool = True  # a forecast later than the baseline's is at least Amber

    def rag(
        self,
        *,
        done: bool,
        forecast: date | None,
        deadline: date,
        margin: int | None,
        baseline_forecast: date | None = None,
    ) -> str:
        if done:
            return "Blue"
        if forecast is None or forecast > deadline:
            return "Red"
        slipped = baseline_forecast is not None and forecast > baseline_forecast
        if (self.amber_on_baseline_slip and slipped) or margin is None or margin < self.green_margin:
            return "Amber"
        return "Green"

    def describe(self) -> list[str]:
        return [
            "Blue: done.",
            "Red: deadline missed (forecast after the deadline) or cannot be scheduled.",
            f"Amber: still met, but slipped against the baseline or less than {self.green_margin} working days "
            "of margin.",
            f"Green: met, on or ahead of the baseline, with {self.green_margin} or more working days of margin.",
        ]


@dataclass(frozen=True, slots=True)
class MtaSeries:
    """One deadline's line on the MTA chart: (report date, forecast) points, oldest first."""

    id: str
    title: str
    deadline: date
    points: tuple[tuple[date, date | None], ...]


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    """The report: `data` is the JSON form (documented in the README); the rest is for rendering."""

    data: dict[str, Any]
    title: str
    mta: tuple[MtaSeries, ...]
    rules: RagRules


def _wds(n: int | None, unit_only: bool = False) -> str:
    """'1 working day', '3 working days' (or just the unit)."""
    unit = "working day" if n is not None and abs(n) == 1 else "working days"
    return unit if unit_only else f"{n} {unit}"


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


class _Compare:
    """The current schedule against one earlier snapshot: what slipped, and why."""

    def __init__(self, sched: Schedule, cur: Snapshot, old: Snapshot | None):
        self.sched, self.cur, self.old = sched, cur, old
        self.p = sched.programme

    def label(self, key: str) -> str:
        return self.p.label(key)

    def name(self, key: str) -> str:
        """How a sentence names an item: by title, as `check` does (`Programme.name`)."""
        return self.p.name(key)

    def root(self, key: str) -> str:
        """The first link of `cause`: the item that moved and why, without what it knocked on."""
        return self.cause(key).split("; so ", 1)[0]

    def wd(self, key: str, a: date | None, b: date | None) -> int | None:
        if a is None or b is None:
            return None
        return self.sched.calendar(key).between(a, b)

    def old_item(self, key: str) -> SnapItem | None:
        return None if self.old is None else self.old.items.get(key)

    def slipped(self, key: str) -> bool:
        o, c = self.old_item(key), self.cur.items.get(key)
        if o is None or c is None or o.early_finish is None:
            return False
        return c.early_finish is None or c.early_finish > o.early_finish

    def slips(self) -> list[dict[str, Any]]:
        out = []
        for key, c in self.cur.items.items():
            if not self.slipped(key):
                continue
            o = self.old_item(key)
            assert o is not None
            out.append(
                {
                    "id": self.label(key),
                    "title": c.title,
                    "from": _iso(o.early_finish),
                    "to": _iso(c.early_finish),
                    "working_days": self.wd(key, o.early_finish, c.early_finish),
                    "cause": self.cause(key),
                }
            )
        out.sort(key=lambda s: (s["from"], s["id"]))
        return out

    def _body(self, key: str) -> str:
        item = self.p.items[key]
        return self.p.body(item).name if item.at else "meeting"

    def cause(self, key: str) -> str:
        """One line: the driving item that moved (and why), and the meeting that was missed."""
        if not self.slipped(key):
            return ""
        chain = [key]
        while True:
            nxt = next((d for d in self.cur.items[chain[-1]].driving if self.slipped(d)), None)
            if nxt is None or nxt in chain:
                break
            chain.append(nxt)
        root = chain[-1]
        c, o = self.cur.items[root], self.old_item(root)
        assert o is not None
        if c.kind == "meeting":
            text = self._missed(root, o, c, first=True)
        else:
            text = f"{self.name(root)} {'finished' if c.status == 'done' else 'finishes'} {fmt(c.early_finish)}"
            text += f", was {fmt(o.early_finish)}" + (f" ({why})" if (why := self._why(root, c)) else "")
            if c.early_finish is None:
                text = f"{self.name(root)} can no longer be scheduled" + (f": {r}" if (r := self._reason(root)) else "")
        missed = []
        for k in reversed(chain[:-1]):
            ck, ok = self.cur.items[k], self.old_item(k)
            if ck.kind == "meeting" and ok is not None and ok.meeting != ck.meeting:
                missed.append(self._missed(k, ok, ck, first=False))
        if missed:
            text += "; so " + "; and ".join(missed)
        return text

    def gain(self, key: str) -> str:
        """One line for a deadline that moved earlier: how much, and the meeting it now makes."""
        o, c = self.old_item(key), self.cur.items.get(key)
        if o is None or c is None or o.early_finish is None or c.early_finish is None:
            return ""
        if c.early_finish >= o.early_finish:
            return ""
        text = f"gained {_wds(self.wd(key, c.early_finish, o.early_finish))}"
        for k in self._path(key):
            ck, ok = self.cur.items[k], self.old_item(k)
            if ck.kind == "meeting" and ok is not None and ok.meeting and ck.meeting and ck.meeting < ok.meeting:
                tbc = " (not yet confirmed)" if ck.meeting_tbc else ""
                text += (
                    f": {self.name(k)} now at the {self._body(k)} meeting of {fmt(ck.meeting)}{tbc}, "
                    f"was {fmt(ok.meeting)}"
                )
                break
        return text

    def _path(self, key: str) -> list[str]:
        """The driving chain of an item, first item first."""
        chain = [key]
        while self.cur.items[chain[-1]].driving and len(chain) <= len(self.cur.items):
            chain.append(self.cur.items[chain[-1]].driving[0])
        return chain[::-1]

    def _reason(self, key: str) -> str:
        r = self.sched.items.get(key)
        return r.reason if r is not None else ""

    def _missed(self, key: str, o: SnapItem, c: SnapItem, first: bool) -> str:
        body = self._body(key)
        tail = "and no later meeting is in the calendar" if c.meeting is None else f"and moves to {fmt(c.meeting)}"
        if o.meeting is not None and o.meeting in self.p.items[key].deferred:  # the meeting deferred it
            return f"{self.name(key)} was deferred by the {body} on {fmt(o.meeting)} {tail}"
        why = ""
        if c.ready is not None and o.papers_due is not None and c.ready > o.papers_due:
            why = f" (papers due {fmt(o.papers_due)}, ready {fmt(c.ready)})"
        elif o.meeting is not None and o.meeting < self.cur.as_of and c.status != "done":
            why = " (not recorded as held by the status date)"
        elif first:
            why = " (the meeting date changed)"
        return f"{self.name(key)} missed the {body} meeting of {fmt(o.meeting)}{why} {tail}"

    def _why(self, key: str, c: SnapItem) -> str:
        item = self.p.items[key]
        if c.why == "as_of":
            return "not finished by the status date" if c.status == "in-progress" else "not started by the status date"
        if c.why == "remaining":
            return f"{_wds(item.remaining)} still to do"
        if c.why == "forecast":
            return f"owner's forecast {fmt(item.forecast)}"
        if c.why == "done":
            return "finished late"
        if c.why == "started":
            return f"started {fmt(item.started)}"
        if c.why == "fixed":
            return "its date moved"
        return "re-planned in the timeline file"


def weekly_report(
    sched: Schedule,
    previous: Snapshot | None,
    baseline: Snapshot | None,
    baseline_name: str | None = None,
    history: Sequence[Snapshot] = (),
    rules: RagRules = RagRules(),
    since: date | None = None,
    risk: RecordedRisk | None = None,
) -> WeeklyReport:
    """The weekly slippage report of `sched` against last week's snapshot and the baseline.

    `history` (snapshots of the same timeline(s), any order) feeds the MTA chart; snapshots
    after the status date are left out of it. `since` is the date asked for with `--since`
    (the report then says "since <date>", not "last week"). `risk` (`RecordedRisk.of` a
    `govflow.risk.overview`) adds each deadline's P(met) now and in `previous`, when it has one.
    """
    cur = snapshot_of(sched)
    as_of = cur.as_of
    p = sched.programme
    label = p.label
    week = _Compare(sched, cur, previous)
    base = _Compare(sched, cur, baseline)

    deadlines: list[dict[str, Any]] = []
    for key, d in cur.deadlines.items():
        pd = previous.deadlines.get(key) if previous else None
        bd = baseline.deadlines.get(key) if baseline else None
        c = cur.items[key]
        rag = rules.rag(
            done=c.status == "done",
            forecast=d.forecast,
            deadline=d.deadline,
            margin=d.margin,
            baseline_forecast=bd.forecast if bd else None,
        )
        change = week.cause(key) or week.gain(key)
        cause = change
        if base.slipped(key) and not week.slipped(key):
            later = base.wd(key, bd.forecast if bd else None, d.forecast)
            if later is None:
                cause += ("; " if cause else "") + "can no longer be scheduled (the baseline had "
                cause += f"{fmt(bd.forecast if bd else None)}): "
            else:
                cause += ("; still " if cause else "") + f"{_wds(later)} later than the baseline: "
            cause += base.cause(key)
        root = week.root(key) if week.slipped(key) else base.root(key)
        deadlines.append(
            {
                "id": label(key),
                "title": c.title,
                "deadline": d.deadline.isoformat(),
                "forecast": _iso(d.forecast),
                "previous_forecast": _iso(pd.forecast) if pd else None,
                "baseline_forecast": _iso(bd.forecast) if bd else None,
                "margin": d.margin,
                "rag": rag,
                "status": c.status,
                "since_previous": week.wd(key, pd.forecast, d.forecast) if pd else None,
                "since_baseline": base.wd(key, bd.forecast, d.forecast) if bd else None,
                "cause": cause,
                "change": change,
                "root_cause": root,
            }
        )
        if risk is not None:
            before = previous.risk.p_met.get(key) if previous is not None and previous.risk is not None else None
            deadlines[-1]["p_met"] = _p(risk.p_met.get(key))
            deadlines[-1]["previous_p_met"] = _p(before)

    newly_critical = []
    completed = []
    overdue = []
    planned = baseline or previous
    for key, c in cur.items.items():
        o = previous.items.get(key) if previous else None
        if previous is not None and c.critical and c.status != "done" and (o is None or not o.critical):
            newly_critical.append(
                {"id": label(key), "title": c.title, "float": c.float, "finish": _iso(c.early_finish)}
            )
        if previous is not None and c.status == "done" and (o is None or o.status != "done"):
            completed.append({"id": label(key), "title": c.title, "done": _iso(c.early_finish)})
        pl = planned.items.get(key) if planned else None
        if pl is not None and pl.early_finish is not None and pl.early_finish <= as_of and c.status != "done":
            overdue.append(
                {
                    "id": label(key),
                    "title": c.title,
                    "planned": _iso(pl.early_finish),
                    "forecast": _iso(c.early_finish),
                    "status": c.status,
                }
            )

    horizon = as_of + timedelta(days=LOOKAHEAD_DAYS)
    lookahead: list[dict[str, Any]] = []
    to_confirm: list[dict[str, Any]] = []
    for key, c in cur.items.items():
        item = p.items[key]
        if c.status == "done":
            continue
        if c.kind == "meeting":
            body = p.body(item).name
            if c.papers_due is not None and as_of <= c.papers_due <= horizon:
                lookahead.append(_ahead(c.papers_due, "papers", label(key), c.title, f"Papers due for {body}", body))
            if c.meeting is not None and as_of <= c.meeting <= horizon:
                lookahead.append(_ahead(c.meeting, "meeting", label(key), c.title, f"{body} meeting", body))
            r = sched.items[key]
            if r.meeting is not None and r.meeting.when.tbc:
                to_confirm.append(
                    {
                        "id": label(key),
                        "title": c.title,
                        "body": body,
                        "window": r.meeting.when.text or f"{r.meeting.when.first} to {r.meeting.when.last}",
                        "planned": _iso(c.meeting),
                        "confirm_by": _iso(c.papers_due),
                    }
                )
        elif c.kind == "event" and item.on is not None and item.on.tbc:
            to_confirm.append(
                {
                    "id": label(key),
                    "title": c.title,
                    "body": None,
                    "window": item.on.text or f"{item.on.first} to {item.on.last}",
                    "planned": _iso(c.early_finish),
                    "confirm_by": _iso(sched.window(key)[0]),  # what precedes it is due for its first working day
                }
            )
        elif c.kind == "event" and c.early_finish is not None and as_of <= c.early_finish <= horizon:
            lookahead.append(_ahead(c.early_finish, "event", label(key), c.title, "Fixed event"))
        if item.deadline is not None and as_of <= item.deadline.last <= horizon:
            lookahead.append(_ahead(item.deadline.last, "deadline", label(key), c.title, "Deadline"))
    for e in to_confirm:
        e["overdue"] = e["confirm_by"] is not None and e["confirm_by"] < as_of.isoformat()
    order = {"papers": 0, "meeting": 1, "event": 2, "deadline": 3}
    lookahead.sort(key=lambda e: (e["date"], order[e["type"]], e["id"]))
    to_confirm.sort(key=lambda e: (e["confirm_by"] or "9999", e["id"]))

    data: dict[str, Any] = {
        "timeline": cur.timeline,
        "as_of": as_of.isoformat(),
        "previous": None if previous is None else {"as_of": previous.as_of.isoformat()},
        "baseline": None if baseline is None else {"name": baseline_name, "as_of": baseline.as_of.isoformat()},
        "deadlines": deadlines,
        "slipped": week.slips() if previous else [],
        "slipped_since_baseline": base.slips() if baseline else [],
        "newly_critical": newly_critical,
        "overdue": overdue,
        "completed": completed,
        "lookahead": lookahead,
        "to_confirm": to_confirm,
        "since": _iso(since),
    }
    if risk is not None:
        data["risk"] = {"runs": risk.runs, "seed": risk.seed}
    title = " + ".join(t.title for t in p.timelines)
    return WeeklyReport(data, title, tuple(mta_series(sched, history)), rules)


def _p(p: float | None) -> float | None:
    return None if p is None else round(p, 4)


def _ahead(d: date, kind: str, id_: str, title: str, text: str, body: str | None = None) -> dict[str, Any]:
    return {"date": d.isoformat(), "type": kind, "id": id_, "title": title, "text": text, "body": body}


def mta_series(sched: Schedule, history: Sequence[Snapshot]) -> list[MtaSeries]:
    """Each deadline's forecast at every recorded status date up to now, plus the current one."""
    cur = snapshot_of(sched)
    snaps = {s.as_of: s for s in history if s.as_of < cur.as_of}
    snaps[cur.as_of] = cur
    ordered = [snaps[k] for k in sorted(snaps)]
    out = []
    for key, d in cur.deadlines.items():
        points = tuple((s.as_of, s.deadlines[key].forecast) for s in ordered if key in s.deadlines)
        out.append(MtaSeries(sched.programme.label(key), cur.items[key].title, d.deadline, points))
    return out


# -- rendering ---------------------------------------------------------------------------------


def render_json(report: WeeklyReport) -> str:
    """The JSON form, indented, keys in the documented order."""
    return json.dumps(report.data, indent=2) + "\n"


def _short(s: str | None) -> str:
    return "-" if s is None else fmt(date.fromisoformat(s))


def _day(s: str | None, year: int | None = None) -> str:
    """'Fri 4 Oct' (the year left out when it is `year`, the status date's), '-' for none."""
    if s is None:
        return "-"
    d = date.fromisoformat(s)
    return f"{d:%a} {d.day} {d:%b}" if d.year == year else fmt(d)


def _since_words(data: dict[str, Any]) -> str:
    """'since Fri 10 Jan' with --since, else 'this week' (or '' with no earlier snapshot)."""
    if data.get("since"):
        return f"since {_day(data['since'], date.fromisoformat(data['as_of']).year)}"
    return "this week" if data["previous"] else ""


def _compared(data: dict[str, Any]) -> str:
    year = date.fromisoformat(data["as_of"]).year
    prev, base = data["previous"], data["baseline"]
    parts = [_day(prev["as_of"], year) if prev else "no earlier snapshot"]
    parts.append(f"baseline '{base['name']}' ({_day(base['as_of'], year)})" if base else "no baseline")
    return " and ".join(parts)


def _n(n: int) -> str:
    return _wds(n)


def _standing(d: dict[str, Any], year: int) -> str:
    """Where a deadline stands, in words: 'forecast Fri 18 Oct, 10 working days late'."""
    if d["status"] == "done":
        return f"done {_day(d['forecast'], year)}" + ("" if d["rag"] == "Blue" or d["margin"] >= 0 else ", late")
    if d["forecast"] is None:
        return "can no longer be scheduled"
    m = d["margin"]
    spare = "no working days to spare" if m == 0 else f"{_n(m)} to spare" if m > 0 else f"{_n(-m)} late"
    return f"forecast {_day(d['forecast'], year)}, {spare}"


def _moves(d: dict[str, Any], when: str) -> str:
    """'9 working days earlier this week; 16 later than the baseline' (only what moved)."""
    bits = []
    if d["since_previous"]:
        n = d["since_previous"]
        bits.append(f"{_n(abs(n))} {'later' if n > 0 else 'earlier'} {when}")
    elif d["previous_forecast"] and d["forecast"] is None:
        bits.append(f"could be scheduled {when}")
    if d["since_baseline"]:
        n = d["since_baseline"]
        bits.append(f"{_n(abs(n))} {'later' if n > 0 else 'earlier'} than the baseline")
    return "; ".join(bits)


def _summary(report: WeeklyReport) -> list[str]:
    """The three lines at the top: the count, the change that matters most, the decision needed."""
    d = report.data
    year = date.fromisoformat(d["as_of"]).year
    dls = d["deadlines"]
    when = _since_words(d)
    missed = sum(x["rag"] == "Red" for x in dls)
    risk = sum(x["rag"] == "Amber" for x in dls)
    met = len(dls) - missed - risk
    count = f"**{len(dls)} deadline{'s' * (len(dls) != 1)}:** {missed} missed, {risk} at risk, {met} met."
    moved = [x for x in dls if x["since_previous"] or (x["previous_forecast"] and x["forecast"] is None)]
    if moved:
        top = max(moved, key=lambda x: (x["rag"] == "Red", x["forecast"] is None, abs(x["since_previous"] or 0)))
        if top["change"].startswith("gained"):
            change, _, detail = top["change"].partition(": ")
        elif top["since_previous"]:
            change, detail = f"slipped {_n(top['since_previous'])}", top["root_cause"]
        else:
            change, detail = "can no longer be scheduled", top["root_cause"]
        line = f"**Biggest change {when}:** {top['title']} {change}" + (f" ({detail})." if detail else ".")
    elif shifted := [x for x in dls if _shift(x) >= 5]:  # no date moved, but the odds did
        top = max(shifted, key=_shift)
        words = "rose" if top["p_met"] > top["previous_p_met"] else "fell"
        line = (
            f"**Biggest change {when}:** no deadline moved, but the chance of meeting {top['title']} {words} "
            f"from {_pct(top['previous_p_met'])} to {_pct(top['p_met'])}."
        )
    elif d["completed"]:
        done = ", ".join(f"{e['title']} ({_day(e['done'], year)})" for e in d["completed"])
        line = f"**Biggest change {when}:** no deadline moved; done: {done}."
    else:
        line = f"**Biggest change {when or 'since the baseline'}:** none; no deadline moved."
    decide = "**Decision needed:** none."
    if d["to_confirm"]:
        e = d["to_confirm"][0]
        at = e["body"] or e["title"]
        due = "was due" if e.get("overdue") else "due"
        decide = (
            f"**Decision needed:** confirm the {at} for {_day(e['planned'], year)} ({e['window']}), "
            f"{due} by {_day(e['confirm_by'], year)}" + (" (OVERDUE)." if e.get("overdue") else ".")
        )
    return [count, _yearless(line, year), decide]


def _sections(report: WeeklyReport) -> list[tuple[str, list[str]]]:
    """The report after its summary, as (heading, lines); lines use **bold** only. Empty
    sections are left out: a reader should not have to read that nothing happened."""
    d = report.data
    year = date.fromisoformat(d["as_of"]).year
    when = _since_words(d)
    out: list[tuple[str, list[str]]] = []
    lines = []
    for x in d["deadlines"]:
        moves = _moves(x, when)
        chance = _chance(x, when)
        lines.append(
            f"**{x['rag'].upper()}** {x['title']}: due {_day(x['deadline'], year)}, {_standing(x, year)}"
            + (f" ({moves})" if moves else "")
            + (f"; P(met) {chance}" if chance else "")
            + "."
        )
    out.append(("Deadlines", lines or ["No deadlines in this timeline."]))
    groups: dict[str, list[dict[str, Any]]] = {}
    for x in d["deadlines"]:
        if x["root_cause"]:
            groups.setdefault(x["root_cause"], []).append(x)
    why = []
    named: set[str] = set()
    for hits in groups.values():
        full = max((x["cause"] for x in hits), key=len)
        full = full[full.index(hits[0]["root_cause"]) :] if hits[0]["root_cause"] in full else full
        why.append(_yearless(f"{full}.", year))
        why.append("  Deadlines it moves: " + "; ".join(x["title"] for x in hits) + ".")
    if why:
        out.append(("Why", why))
    named.update(x["title"] for x in d["deadlines"])
    # what the sections above already say is not repeated below
    overdue = [e for e in d["overdue"] if e["title"] not in named and not any(e["title"] in w for w in why)]
    if overdue:
        out.append(
            (
                "Overdue",
                [
                    f"{e['title']} (planned by {_day(e['planned'], year)}, now {_day(e['forecast'], year)})"
                    for e in overdue
                ],
            )
        )
    if d["newly_critical"]:
        out.append(
            (
                "Newly critical (no float left)",
                [f"{e['title']} (finishes {_day(e['finish'], year)})" for e in d["newly_critical"]],
            )
        )
    if d["completed"] and any(x["since_previous"] for x in d["deadlines"]):  # else the summary lists them
        out.append((f"Done {when}".rstrip(), [f"{e['title']} ({_day(e['done'], year)})" for e in d["completed"]]))
    ahead: dict[tuple[str, str], dict[str, Any]] = {}
    for e in d["lookahead"]:
        slot = ahead.setdefault(("deadline" if e["type"] == "deadline" else "item", e["id"]), {})
        slot[e["type"]] = _day(e["date"], year)
        slot["name"] = e.get("body") or e["title"]
        slot.setdefault("_entries", []).append(e)
    lines = []
    for slot in sorted(ahead.values(), key=lambda s: max(x["date"] for x in s["_entries"])):
        if "meeting" in slot:
            lines.append(
                f"{slot['meeting']} {slot['name']}" + (f" (papers {slot['papers']})" if "papers" in slot else "")
            )
        elif "papers" in slot:
            lines.append(f"{slot['papers']} papers due for the {slot['name']}")
        elif "event" in slot:
            lines.append(f"{slot['event']} {slot['name']} (fixed)")
        else:
            lines.append(f"{slot['deadline']} deadline: {slot['name']}")
    if lines:
        out.append(("Next two weeks", lines))
    if len(d["to_confirm"]) > 1 or any(e.get("overdue") for e in d["to_confirm"][1:]):  # the first is in the summary
        lines = []
        for e in d["to_confirm"]:
            at = f" at the {e['body']}" if e["body"] else ""
            flag = ", OVERDUE" if e.get("overdue") else ""
            lines.append(
                f"{e['title']}{at} ({e['window']}, planned {_day(e['planned'], year)}): "
                f"confirm by {_day(e['confirm_by'], year)}{flag}"
            )
        out.append(("To confirm", lines))
    return out


_YEAR = r"((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)) "


def _yearless(text: str, year: int) -> str:
    """Dates in a sentence without the status date's year ('Fri 4 Oct'); other years stay."""
    return re.sub(_YEAR + str(year) + r"\b", r"\1", text)


def _footer(report: WeeklyReport) -> str:
    d = report.data
    text = f"Compared with {_compared(d)}."
    if any(x["rag"] == "Amber" for x in d["deadlines"]):
        text += f" At risk (Amber): met, but under {_n(report.rules.green_margin)} to spare or behind the baseline."
    if d.get("risk"):
        text += (
            f" P(met): the share of {d['risk']['runs']:,} simulated runs (seed {d['risk']['seed']}, so the same "
            "files give the same figures) in which the deadline is met, with durations, meeting dates and "
            "risks varying as the files' ranges, TBC windows, cancellation rates and risks allow; "
            "`govflow risk` gives the detail."
        )
    return text


def _pct(p: float) -> str:
    return f"{p * 100:.0f}%"


def _shift(d: dict[str, Any]) -> int:
    """How many percentage points a deadline's P(met) moved since the earlier snapshot (as shown)."""
    if d.get("p_met") is None or d.get("previous_p_met") is None or d["status"] == "done":
        return 0
    return abs(round(float(d["p_met"]) * 100) - round(float(d["previous_p_met"]) * 100))


def _chance(d: dict[str, Any], when: str) -> str:
    """'73%, down from 81% this week': a deadline's P(met) and its change ('' when the report has
    no risk figures, or the deadline is done)."""
    if d.get("p_met") is None or d["status"] == "done":
        return ""
    now, before = _pct(d["p_met"]), d.get("previous_p_met")
    if before is None or not when:
        return now
    if _pct(before) == now:
        return f"{now}, unchanged {when}"
    return f"{now}, {'up' if d['p_met'] > before else 'down'} from {_pct(before)} {when}"


def render_markdown(report: WeeklyReport) -> str:
    """Markdown that reads as plain text pasted into an email: the summary first, then only the
    sections that have something in them."""
    d = report.data
    out = [f"# {report.title}, {_short(d['as_of'])}", ""]
    out += [line + "  " for line in _summary(report)]
    out[-1] = out[-1].rstrip()
    for heading, lines in _sections(report):
        if heading in ("Deadlines", "Why"):
            out += ["", f"## {heading}", ""]
            out += [line if line.startswith("  ") else f"- {line}" for line in lines]
        else:
            out += ["", f"**{heading}:** " + "; ".join(lines) + "."]
    out += ["", _footer(report)]
    return "\n".join(out) + "\n"


_RAG_COLOURS = {"Red": "#c62828", "Amber": "#ef8f00", "Green": "#2e7d32", "Blue": "#1565c0"}
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000")

_CSS = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#222;margin:24px;max-width:1100px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:22px 0 6px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}td.date{white-space:nowrap}
.rag{color:#fff;font-weight:bold;padding:2px 8px;border-radius:3px;display:inline-block;min-width:48px;
text-align:center}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:0}dt{font-weight:bold}
dd{margin:0}ul{margin:4px 0;padding-left:20px}li{margin:2px 0}.empty{color:#666}.note{color:#555;font-size:12px}
"""


def _h(s: object) -> str:
    return html.escape(str(s), quote=True)


def _md_inline(s: str) -> str:
    """Our few inline Markdown marks (**bold**) to HTML, everything else escaped."""
    parts = s.split("**")
    return "".join(f"<b>{_h(p)}</b>" if i % 2 else _h(p) for i, p in enumerate(parts))


def render_html(report: WeeklyReport) -> str:
    """A self-contained HTML page (inline CSS and SVG, no external resources): the same summary
    and sections as the Markdown, the deadlines as a table, and the MTA chart."""
    d = report.data
    year = date.fromisoformat(d["as_of"]).year
    when = _since_words(d)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_h(report.title)}, {_h(_short(d['as_of']))}</title>",
        f"<style>{_CSS.strip()}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(report.title)}, {_h(_short(d['as_of']))}</h1>",
        '<ul class="summary">',
        *(f"<li>{_md_inline(line)}</li>" for line in _summary(report)),
        "</ul>",
        "<h2>Deadlines</h2>",
    ]
    if d["deadlines"]:
        head = ["RAG", "Deadline", "Due", "Forecast", "Where it stands"] + (["P(met)"] if d.get("risk") else [])
        out.append('<table id="deadlines"><thead><tr>' + "".join(f"<th>{_h(c)}</th>" for c in head))
        out.append("</tr></thead><tbody>")
        for dl in d["deadlines"]:
            badge = f'<span class="rag" style="background:{_RAG_COLOURS[dl["rag"]]}">{_h(dl["rag"])}</span>'
            moves = _moves(dl, when)
            stands = _standing(dl, year).split(", ", 1)[-1] + (f" ({moves})" if moves else "")
            forecast = _day(dl["forecast"], year) if dl["forecast"] else "cannot be scheduled"
            out.append(
                f'<tr data-id="{_h(dl["id"])}" data-rag="{_h(dl["rag"])}"><td>{badge}</td>'
                f'<td><b>{_h(dl["title"])}</b> <span class="note">{_h(dl["id"])}</span></td>'
                f'<td class="date">{_h(_day(dl["deadline"], year))}</td><td class="date">{_h(forecast)}</td>'
                f"<td>{_h(stands)}</td>" + (f"<td>{_h(_chance(dl, when))}</td>" if d.get("risk") else "") + "</tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append('<p class="empty">No deadlines in this timeline.</p>')
    out.append("<h2>Milestone trend analysis</h2>")
    out.append(render_mta(report.mta))
    for heading, lines in _sections(report)[1:]:
        if heading not in ("Why",):
            out.append(f"<p><b>{_h(heading)}:</b> {_md_inline('; '.join(lines))}.</p>")
            continue
        out.append(f"<h2>{_h(heading)}</h2>")
        out.append("<ul>")
        for line in lines:
            if line.startswith("  "):
                out[-1] = out[-1].removesuffix("</li>") + f"<br>{_md_inline(line.strip())}</li>"
            else:
                out.append(f"<li>{_md_inline(line)}</li>")
        out.append("</ul>")
    out.append(f'<p class="note">{_h(_footer(report))}</p>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _date_label(d: date) -> str:
    return f"{d.day} {d:%b %y}"


def _mta_w(text: str, size: float = 11, bold: bool = False) -> float:
    """A generous estimate of a label's width in pixels (wide fallback fonts included)."""
    em = sum(0.3 if c in "ijl.,:;'|!()" else 0.64 if c.isdigit() else 0.74 if c.isupper() else 0.62 for c in text)
    return em * size * (1.1 if bold else 1.0)


def _mta_wrap(text: str, width: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _mta_w(lines[-1] + " " + word, bold=bold) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


_MTA_DAY_PX = 2.4  # pixels per calendar day at least: a 5-working-day slip (7 days) is 17 px or more


def render_mta(series: Sequence[MtaSeries], width: int = 760, height: int = 150) -> str:
    """Milestone trend analysis as SVG: a panel per deadline, x report date, y forecast date.

    Each panel has its own forecast scale (at least `_MTA_DAY_PX` pixels a day, `height` pixels
    at least), so a 5-working-day slip shows whatever the other deadlines do. The solid dark
    line is the due date; the dashed diagonal is where report date = forecast date (a line
    reaching it means the milestone has happened); a line rising means the forecast is slipping;
    a cross at the top is a report date at which the deadline could not be scheduled. The legend
    at the top names every marker drawn.

    >>> s = render_mta([MtaSeries("submit", "Submit", date(2019, 9, 27), ((date(2019, 9, 2), date(2019, 9, 26)),))])
    >>> s.startswith("<svg") and "submit" in s and s.endswith("</svg>")
    True
    """
    left, right = 78, 96
    plot_w = width - left - right
    xs = sorted({x for s in series for x, _ in s.points}) or [date(2000, 1, 1)]
    x0, x1 = xs[0], xs[-1]
    if x1 - x0 < timedelta(days=7):
        x0, x1 = x0 - timedelta(days=3), x1 + timedelta(days=4)

    def px(d: date) -> float:
        return round(left + (d - x0).days / max(1, (x1 - x0).days) * plot_w, 1)

    unschedulable = any(y is None for s in series for _, y in s.points)
    legend: list[tuple[Callable[[float, float], str], str]] = [
        (
            lambda x, y: (
                f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="#0072B2" stroke-width="2"/>'
                f'<ellipse cx="{x + 12}" cy="{y}" rx="3.5" ry="3.5" fill="#0072B2"/>'
            ),
            "forecast at each report date",
        ),
        (lambda x, y: f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="#222" stroke-width="2.5"/>', "due date"),
        (
            lambda x, y: (
                f'<line x1="{x}" y1="{y + 6}" x2="{x + 24}" y2="{y - 6}" stroke="#555" stroke-dasharray="6 4"/>'
            ),
            "report date = forecast (reached)",
        ),
    ]
    if unschedulable:
        legend.append((lambda x, y: _cross(x + 12, y), "cannot be scheduled at that report date"))
    legend_rows: list[list[tuple[float, Callable[[float, float], str], str]]] = [[]]
    lx = 8.0
    for shape, text in legend:
        ew = 30 + _mta_w(text)
        if legend_rows[-1] and lx + ew > width - 8:
            legend_rows.append([])
            lx = 8.0
        legend_rows[-1].append((lx, shape, text))
        lx += ew + 16
    out_body: list[str] = []
    y_at = 20 + 18 * len(legend_rows)
    for i, s in enumerate(series):
        colour = _PALETTE[i % len(_PALETTE)]
        ys = [y for _, y in s.points if y is not None] + [s.deadline]
        y0, y1 = min(ys), max(ys)
        if y1 - y0 < timedelta(days=21):
            mid = y0 + (y1 - y0) / 2
            y0, y1 = mid - timedelta(days=10), mid + timedelta(days=11)
        y0, y1 = y0 - timedelta(days=4), y1 + timedelta(days=4)
        span = (y1 - y0).days
        plot_h = max(height, round(span * _MTA_DAY_PX))
        current = next((y for _, y in reversed(s.points)), None) if s.points else None
        state = (
            f"forecast {_date_label(current)}"
            if current is not None
            else "cannot be scheduled now"
            if s.points
            else "no forecast"
        )
        heading = f"{s.title} ({s.id}): due {_date_label(s.deadline)}, {state}"
        lines = _mta_wrap(heading, width - 16, bold=True)
        for j, line in enumerate(lines):
            out_body.append(
                f'<text class="panel-title" x="8" y="{y_at + 14 + 16 * j}" font-weight="bold">{_h(line)}</text>'
            )
        top = y_at + 16 * len(lines) + 10

        def py(d: date, top: float = top, y0: date = y0, plot_h: float = plot_h, span: int = span) -> float:
            return round(top + plot_h - (d - y0).days / max(1, span) * plot_h, 1)

        clip = f"mta-plot-{i}"
        out_body.append(
            f'<g class="panel" data-deadline="{_h(s.id)}">'
            f'<clipPath id="{clip}"><rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}"/></clipPath>'
            f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>'
        )
        # y ticks: Mondays, every week or every few weeks, at least 22 px apart
        step = 7
        while step / max(1, span) * plot_h < 22:
            step += 7
        t = y0 + timedelta(days=(7 - y0.weekday()) % 7)
        while t <= y1:
            ty = py(t)
            out_body.append(f'<line x1="{left}" y1="{ty}" x2="{left + plot_w}" y2="{ty}" stroke="#eee"/>')
            out_body.append(f'<text x="{left - 6}" y="{ty + 4}" text-anchor="end">{_date_label(t)}</text>')
            t += timedelta(days=step)
        for x in xs:
            xp = px(x)
            out_body.append(f'<line x1="{xp}" y1="{top}" x2="{xp}" y2="{top + plot_h}" stroke="#eee"/>')
            out_body.append(f'<text x="{xp}" y="{top + plot_h + 16}" text-anchor="middle">{_date_label(x)}</text>')
        lo, hi = max(x0, y0), min(x1, y1)
        if lo <= hi:
            out_body.append(
                f'<line class="diagonal" x1="{px(lo)}" y1="{py(lo)}" x2="{px(hi)}" y2="{py(hi)}" stroke="#555" '
                f'stroke-dasharray="6 4" clip-path="url(#{clip})"/>'
            )
        dy = py(s.deadline)
        out_body.append(
            f'<line class="due" x1="{left}" y1="{dy}" x2="{left + plot_w}" y2="{dy}" stroke="#222" stroke-width="2.5"/>'
        )
        out_body.append(
            f'<text class="due-label" x="{left + plot_w + 6}" y="{dy + 4}">due {_date_label(s.deadline)}</text>'
        )
        runs: list[list[tuple[date, date]]] = [[]]
        for x, y in s.points:
            if y is None:
                runs.append([])
            else:
                runs[-1].append((x, y))
        out_body.append(f'<g class="series" data-id="{_h(s.id)}" stroke="{colour}" fill="{colour}">')
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{px(x)},{py(y)}" for x, y in run)
                out_body.append(f'<polyline points="{pts}" fill="none" stroke-width="2"/>')
        for x, y in s.points:
            if y is None:
                out_body.append(
                    f'<g class="unschedulable">{_cross(px(x), top + 10)}'
                    f"<title>{_h(s.id)} cannot be scheduled ({x})</title></g>"
                )
                continue
            out_body.append(
                f'<circle cx="{px(x)}" cy="{py(y)}" r="3.5"><title>{_h(s.id)}: forecast {y} on {x}</title></circle>'
            )
        out_body.append("</g></g>")
        y_at = top + plot_h + 26
    total_h = round(y_at + 18)
    desc = "Milestone trend analysis: a panel per deadline; x report date, y forecast date"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
        f'viewBox="0 0 {width} {total_h}" style="max-width:100%;height:auto" class="govflow-mta" '
        'font-family="Helvetica,Arial,sans-serif" font-size="11" role="img" aria-label="Milestone trend analysis">',
        f"<title>{_h(desc)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{total_h}" fill="#fff"/>',
        '<text x="8" y="14" fill="#555">x: report date · y: forecast date (each panel on its own scale)</text>',
    ]
    for r, row in enumerate(legend_rows):
        ly = 32 + 18 * r
        for lx, shape, text in row:
            out.append(
                '<g class="legend">'
                + shape(round(lx, 1), ly - 4)
                + f'<text x="{round(lx + 30, 1)}" y="{ly}">{_h(text)}</text></g>'
            )
    out += out_body
    out.append("</svg>")
    return "\n".join(out)


def _cross(x: float, y: float) -> str:
    """The 'cannot be scheduled' marker: a red cross centred on (x, y)."""
    return (
        f'<path class="cross" d="M{x - 4},{y - 4} L{x + 4},{y + 4} M{x - 4},{y + 4} L{x + 4},{y - 4}" '
        'stroke="#b2182b" stroke-width="2.5" fill="none"/>'
    )


def render_history(timeline: str, snapshots: Sequence[Snapshot], baselines: Sequence[tuple[str, date, bool]]) -> str:
    """`govflow history`: the snapshots and baselines recorded for a timeline(s)."""
    out = [f"History of {timeline}"]
    if not snapshots:
        out.append("  no snapshots recorded yet (govflow snapshot FILE...)")
        return "\n".join(out) + "\n"
    out += ["", "Snapshots:", f"  {'status date':<16} {'taken at':<20} {'deadlines':<22} {'hash':<12} baselines"]
    for s in snapshots:
        met = sum(1 for d in s.deadlines.values() if d.met)
        dl = f"{met}/{len(s.deadlines)} met"
        out.append(
            f"  {fmt(s.as_of):<16} {s.taken_at.replace('T', ' '):<20} {dl:<22} {s.files_hash[:12]:<12} "
            + ", ".join(s.baselines)
        )
    out = [line.rstrip() for line in out]
    if baselines:
        out += ["", "Baselines:"]
        for name, as_of, default in baselines:
            out.append(f"  {name:<20} {fmt(as_of)}" + ("  (default)" if default else ""))
    else:
        out += ["", "No baselines (govflow baseline FILE... --name NAME)."]
    return "\n".join(out) + "\n"
