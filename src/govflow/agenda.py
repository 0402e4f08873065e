"""Each body's meetings, and its forward agenda across every plan that goes to it.

`meetings(sched)` lists every body's meetings with the held and papers-due dates the engine uses
(read from `Schedule.meetings`, the one statement of the meeting rule), the day each agenda is
published (bodies with `publish`), the blackout (e.g. a pre-election period) a meeting is in, and
where each date came from. `agenda(sched)` says, for each meeting of each body: what is planned
for it across all the timelines given, what is at risk of missing it (float under
`explain.AT_RISK_MARGIN`) with the meeting it would then go to and what that does to its deadlines
(from a schedule of a copy of the programme in which the item cannot take this meeting), and what
could come to it if it were ready earlier. A meeting inside a blackout takes no decisions: nothing
is planned at it or could come to it, and it says why. The `render_*` functions are pure: agenda
in, text out.

>>> from govflow import load_text, schedule
>>> p = load_text('''
... govflow: 1
... id: demo
... start: 2019-09-02
... bodies:
...   board: {name: Trust Board, meets: [2019-09-26, 2019-10-31]}
... items:
...   draft: {duration: 12}
...   approve: {title: Board approves the plan, at: board, after: [draft]}
...   submit: {after: [approve], deadline: 2019-09-27}
... ''')
>>> a = agenda(schedule(p))
>>> m = a.bodies[0].meetings[0]
>>> m.held, m.papers_due, [i.id for i in m.items], [(r.item.id, r.next.held) for r in m.at_risk]
(datetime.date(2019, 9, 26), datetime.date(2019, 9, 19), ['approve'], [('approve', datetime.date(2019, 10, 31))])
>>> m.at_risk[0].effects[0].text
'submit: forecast Thu 26 Sep 2019 -> Thu 31 Oct 2019, met -> MISSED by 24 working days'
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from .errors import GovflowError, did_you_mean
from .explain import AT_RISK_MARGIN, count, fmt
from .graph import ancestors
from .model import Body, Item, Meeting, Programme, Timeline
from .scheduling import HeldMeeting, ItemSchedule, Schedule, schedule

__all__ = [
    "FORMATS",
    "Agenda",
    "AgendaError",
    "AgendaItem",
    "AgendaMeeting",
    "AtRisk",
    "BodyAgenda",
    "BodyMeetings",
    "CouldCome",
    "Effect",
    "agenda",
    "agenda_json",
    "meetings",
    "meetings_json",
    "render",
    "render_html",
    "render_ics",
    "render_json",
    "render_markdown",
    "render_meetings",
    "render_text",
]

FORMATS = ("text", "md", "html", "json", "ics")


class AgendaError(GovflowError):
    """An option that names no body, or a range that holds nothing."""


# --- the bodies of a programme ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    key: str  # how users name it: its id, or 'timeline:id' when two different bodies share the id
    body: Body
    timelines: tuple[Timeline, ...]  # the timelines that define or use it (the same Body object)


def _bodies(programme: Programme) -> list[_Found]:
    by_obj: dict[int, tuple[Body, list[Timeline]]] = {}
    for t in programme.timelines:
        for body in t.bodies.values():
            by_obj.setdefault(id(body), (body, []))[1].append(t)
    ids: dict[str, int] = {}
    for body, _ in by_obj.values():
        ids[body.id] = ids.get(body.id, 0) + 1
    return [
        _Found(body.id if ids[body.id] == 1 else f"{ts[0].id}:{body.id}", body, tuple(ts))
        for body, ts in by_obj.values()
    ]


def _select(found: list[_Found], wanted: Sequence[str] | None) -> list[_Found]:
    """The bodies named by `--body` (an id, or 'timeline:id'), in the order found."""
    if not wanted:
        return found
    keep: list[_Found] = []
    for name in wanted:
        hits = [
            f for f in found if name in (f.key, f.body.id) or any(name == f"{t.id}:{f.body.id}" for t in f.timelines)
        ]
        if not hits:
            names = sorted({f.key for f in found} | {f.body.id for f in found})
            raise AgendaError(f"no body '{name}' in these timelines{did_you_mean(name, names)}")
        keep.extend(h for h in hits if h not in keep)
    return [f for f in found if f in keep]


# --- govflow meetings ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BodyMeetings:
    """A body's meetings as the engine holds them, with the timelines that use the body."""

    key: str
    body: Body
    timelines: tuple[str, ...]
    meetings: tuple[HeldMeeting, ...]


def _held(sched: Schedule, f: _Found) -> tuple[HeldMeeting, ...]:
    """The body's meetings from `Schedule.meetings`: through an item at it when there is one, else
    through a copy of its timeline holding one probe item at it (so the rule is never restated)."""
    for t in f.timelines:
        for item in t.items.values():
            if item.at is not None and t.bodies.get(item.at) is f.body:
                return sched.meetings(item.key)
    t = f.timelines[0]
    probe = Item(key=f"{t.id}:~probe", id="~probe", timeline=t.id, title="", kind="meeting", at=f.body.id)
    alone = Programme.of((replace(t, items={"~probe": probe}, bodies={f.body.id: f.body}),))
    return schedule(alone).meetings(probe.key)


def meetings(sched: Schedule, bodies: Sequence[str] | None = None) -> list[BodyMeetings]:
    """Every body's meetings (or those of `bodies`), with held and papers-due dates and sources.

    A body used by several timelines is listed once; its papers-due dates count working days in
    the calendar of the first timeline that has it. Raises `AgendaError` for an unknown body."""
    return [
        BodyMeetings(f.key, f.body, tuple(t.id for t in f.timelines), _held(sched, f))
        for f in _select(_bodies(sched.programme), bodies)
    ]


def _rules(body: Body) -> str:
    """'papers due 5 working days before', and the agenda's publication where the body has `publish`."""
    rules = f"papers due {count(body.papers_due, 'working day')} before"
    if body.publish is not None:
        rules += f"; agenda published {body.publish} before"
    return rules


def _source(m: Meeting) -> str:
    return m.source or "meets"


def _window(m: Meeting) -> str:
    w = m.when
    return "" if w.exact else (w.text or str(w))


def meetings_json(found: Sequence[BodyMeetings]) -> dict[str, Any]:
    """`{"bodies": [{"id", "name", "meetings": [{"date", "papers_due", "tbc", "source"}]}]}`; also
    each body's `timelines` and each meeting's `window` (as written, when not one confirmed day),
    `time` (HH:MM, from a timed calendar event), `note`, `published` (the agenda's publication
    date, null without `publish`) and `blackout` (the reason no decisions are taken there, or null)."""
    return {
        "bodies": [
            {
                "id": b.key,
                "name": b.body.name,
                "timelines": list(b.timelines),
                "papers_due": b.body.papers_due,
                "meetings": [
                    {
                        "date": m.held.isoformat(),
                        "papers_due": m.papers_due.isoformat(),
                        "tbc": m.meeting.when.tbc,
                        "window": _window(m.meeting) or None,
                        "source": _source(m.meeting),
                        "time": m.meeting.time.strftime("%H:%M") if m.meeting.time else None,
                        "note": m.meeting.note or None,
                        "published": _d(m.published),
                        "blackout": m.blackout,
                    }
                    for m in b.meetings
                ],
            }
            for b in found
        ]
    }


def render_meetings(found: Sequence[BodyMeetings]) -> str:
    """The meetings as a table per body, for the terminal (with an agenda-published column for a
    body with `publish`; a meeting in a blackout says so in its note)."""
    out: list[str] = []
    for b in found:
        used = f"; in {', '.join(b.timelines)}"
        out.append(f"{b.body.name} ({b.key}): {_rules(b.body)}{used}")
        if b.body.path:
            out.append(f"  defined in {b.body.path}")
        pub = b.body.publish is not None
        published = f"{'Agenda published':<17} " if pub else ""
        out.append(f"  {'Held':<17} {'Papers due':<17} {published}{'Source':<22} Note")
        for m in b.meetings:
            notes = []
            if m.blackout is not None:
                notes.append(f"{m.blackout}: no decisions")
            if m.meeting.when.tbc or not m.meeting.when.exact:
                notes.append(f"TBC: {_window(m.meeting)}, counted as held on its last working day")
            if m.meeting.time:
                notes.append(f"at {m.meeting.time:%H:%M}")
            if m.meeting.note:
                notes.append(m.meeting.note)
            row = f"  {fmt(m.held):<17} {fmt(m.papers_due):<17} "
            row += f"{fmt(m.published):<17} " if pub else ""
            out.append(f"{row}{_source(m.meeting):<22} {'; '.join(notes)}".rstrip())
        out.append("")
    return "\n".join(out)


# --- govflow agenda -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Effect:
    """What missing a meeting does to one deadline, from a schedule of the changed programme."""

    key: str
    title: str
    deadline: date
    forecast: date | None
    new_forecast: date | None
    margin: int | None
    new_margin: int | None
    text: str


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An item planned for (or that could come to) a meeting."""

    key: str
    timeline: str
    id: str
    title: str
    owner: tuple[str, ...]
    status: str
    float: int | None
    rag: str  # Blue done | Red float < 0 | Amber float under the at-risk margin | Green | None: no deadline
    deadline: str | None  # the key of the earliest deadline it leads to
    deadline_title: str | None
    deadline_date: date | None
    ready: date | None


@dataclass(frozen=True, slots=True)
class AtRisk:
    """A planned item whose float is under the at-risk margin: the meeting it would go to next, and
    what that does to the deadlines it leads to."""

    item: AgendaItem
    next: HeldMeeting | None
    effects: tuple[Effect, ...]


@dataclass(frozen=True, slots=True)
class CouldCome:
    """An item planned for a later meeting of the body that could come to this one if its papers
    were ready `sooner` working days earlier."""

    item: AgendaItem
    planned: date
    sooner: int


@dataclass(frozen=True, slots=True)
class AgendaMeeting:
    """One meeting of a body: what is planned for it, at risk of missing it and could come to it;
    the day its agenda is published (bodies with `publish`) and, inside a blackout, the reason it
    takes no decisions."""

    meeting: Meeting
    held: date
    papers_due: date
    items: tuple[AgendaItem, ...]
    at_risk: tuple[AtRisk, ...]
    could_come: tuple[CouldCome, ...]
    published: date | None = None
    blackout: str | None = None


@dataclass(frozen=True, slots=True)
class BodyAgenda:
    key: str
    body: Body
    timelines: tuple[str, ...]
    meetings: tuple[AgendaMeeting, ...]


@dataclass(frozen=True, slots=True)
class Agenda:
    as_of: date | None
    start: date | None
    end: date | None
    bodies: tuple[BodyAgenda, ...]
    margin: int = AT_RISK_MARGIN


def _rag(r: ItemSchedule, margin: int = AT_RISK_MARGIN) -> str:
    if r.status == "done":
        return "Blue"
    if r.status == "unschedulable":
        return "Red"
    if r.float is None:
        return "None"
    return "Red" if r.float < 0 else "Amber" if r.float < margin else "Green"


class _Context:
    def __init__(self, sched: Schedule, margin: int = AT_RISK_MARGIN):
        self.sched, self.margin = sched, margin
        p = sched.programme
        self.serves: dict[str, list[str]] = {}
        for d in sched.deadlines:
            for k in ancestors(p, d.key):
                self.serves.setdefault(k, []).append(d.key)
        self.results = {d.key: d for d in sched.deadlines}

    def item(self, key: str) -> AgendaItem:
        sched, p = self.sched, self.sched.programme
        it, r = p.items[key], sched.items[key]
        served = sorted(self.serves.get(key, []), key=lambda k: (self.results[k].deadline, k))
        first = served[0] if served else None
        return AgendaItem(
            key,
            it.timeline,
            it.id,
            it.title,
            it.owner,
            r.status,
            r.float,
            _rag(r, self.margin),
            None if first is None else p.label(first),
            None if first is None else p.items[first].title,
            None if first is None else self.results[first].deadline,
            r.ready,
        )

    def missing(self, key: str, m: HeldMeeting) -> tuple[date | None, tuple[Effect, ...]]:
        """Schedule a copy of the programme in which `key` cannot take meeting `m` (its body there is
        a private copy without that meeting): the meeting it then takes, and each deadline it leads
        to with its forecast before and after."""
        sched, p = self.sched, self.sched.programme
        item = p.items[key]
        t = p.timeline(item.timeline)
        body = p.body(item)
        pid = f"{body.id}~without"
        private = replace(body, id=pid, meetings=tuple(x for x in body.meetings if x is not m.meeting))
        changed = replace(t, bodies={**t.bodies, pid: private}, items={**t.items, item.id: replace(item, at=pid)})
        copy = Programme.of(tuple(changed if x is t else x for x in p.timelines))
        try:
            other = schedule(copy, as_of=sched.status_override)
        except GovflowError:
            return None, ()
        after = {d.key: d for d in other.deadlines}
        effects = []
        for k in sorted(self.serves.get(key, []), key=lambda k: (self.results[k].deadline, k)):
            before, now = self.results[k], after[k]
            effects.append(
                Effect(
                    p.label(k),
                    p.items[k].title,
                    before.deadline,
                    before.forecast,
                    now.forecast,
                    before.margin,
                    now.margin,
                    _effect_text(p.label(k), before.forecast, now.forecast, before.met, now.met, now.margin),
                )
            )
        return other.items[key].early_finish, tuple(effects)


def _verdict(met: bool, margin: int | None) -> str:
    if margin is None:
        return "cannot be scheduled"
    return "met" if met else f"MISSED by {count(-margin, 'working day')}"


def _effect_text(
    label: str, before: date | None, after: date | None, met: bool, now_met: bool, margin: int | None
) -> str:
    if after == before:
        return f"{label}: forecast unchanged ({fmt(before)})"
    then = "cannot then be scheduled" if after is None else fmt(after)
    if met and now_met:
        return f"{label}: forecast {fmt(before)} -> {then}, still met ({count(margin or 0, 'working day')} to spare)"
    was = "met" if met else "missed"
    return f"{label}: forecast {fmt(before)} -> {then}, {was} -> {_verdict(now_met, margin)}"


def agenda(
    sched: Schedule,
    bodies: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    margin: int = AT_RISK_MARGIN,
) -> Agenda:
    """The forward agenda of each body (or of `bodies`): its meetings held from `start` (default:
    the status date) to `end`. Without `end`, a body's list stops at its last meeting with anything
    planned, at risk or that could come; a body with nothing planned shows its next meeting (and
    the meetings in a blackout before it).

    `margin` is the at-risk threshold (`--at-risk`): items with less float are at risk and Amber.

    Raises `AgendaError` for an unknown body."""
    p = sched.programme
    ctx = _Context(sched, margin)
    first = start if start is not None else sched.as_of
    out = []
    for f in _select(_bodies(p), bodies):
        keys = [
            it.key
            for t in f.timelines
            for it in t.items.values()
            if it.at is not None and t.bodies.get(it.at) is f.body
        ]
        held = _held(sched, f)
        plan = {k: sched.items[k] for k in keys}
        listed = []
        for m in held:
            if (first is not None and m.held < first) or (end is not None and m.held > end):
                continue
            here = [k for k, r in plan.items() if r.meeting is m.meeting and r.early_finish == m.held]
            items = tuple(ctx.item(k) for k in here)
            risks = []
            for k in here:
                r = plan[k]
                if r.status == "done" or r.float is None or r.float >= margin:
                    continue
                order = sched.meetings(k)
                nxt = next(
                    (
                        x
                        for x in order
                        if x.held > m.held and x.blackout is None and (r.held_from is None or x.held >= r.held_from)
                    ),
                    None,
                )
                _, effects = ctx.missing(k, m)
                risks.append(AtRisk(ctx.item(k), nxt, effects))
            could = []
            for k, r in plan.items():
                if sched.as_of is not None and m.papers_due < sched.as_of:
                    break  # its papers deadline has passed: nothing not yet ready can come to it
                if m.blackout is not None:
                    break  # it takes no decisions
                if r.status in ("done", "unschedulable") or r.early_finish is None or r.early_finish <= m.held:
                    continue
                if r.ready is None or r.ready <= m.papers_due or (r.held_from is not None and r.held_from > m.held):
                    continue
                if not _could_take(sched, k, m):
                    continue  # a procedural rule keeps it from this meeting whenever its papers are ready
                sooner = sched.calendar(k).between(m.papers_due, r.ready)
                could.append(CouldCome(ctx.item(k), r.early_finish, sooner))
            could.sort(key=lambda c: (c.planned, c.sooner, c.item.key))
            listed.append(
                AgendaMeeting(
                    m.meeting, m.held, m.papers_due, items, tuple(risks), tuple(could), m.published, m.blackout
                )
            )
        if end is None:
            busy = [j for j, x in enumerate(listed) if x.items or x.could_come]
            # nothing planned: its next meeting (that takes decisions, with any blackout ones before it)
            open_ = next((j for j, x in enumerate(listed) if x.blackout is None), len(listed) - 1)
            listed = listed[: busy[-1] + 1] if busy else listed[: open_ + 1]
        out.append(BodyAgenda(f.key, f.body, tuple(t.id for t in f.timelines), tuple(listed)))
    return Agenda(sched.as_of, first, end, tuple(out), margin)


# --- rendering ----------------------------------------------------------------------------------


def _could_take(sched: Schedule, key: str, m: HeldMeeting) -> bool:
    """Whether an item could go to meeting m were its papers ready in time: not after a deferral
    there, and for a key decision, with its forward-plan notice in time for m."""
    item, r = sched.programme.items[key], sched.items[key]
    if item.deferred and m.held <= item.deferred[-1]:
        return False
    notice = sched.programme.body(item).notice
    if item.key_decision and notice is not None and r.notice_from is not None and m.first_day is not None:
        return sched.clear_before(key, m.first_day, notice) >= r.notice_from
    return True


def _float(n: int | None) -> str:
    return "-" if n is None else f"{n:+d}" if n else "0"


def _meeting_title(body: Body, m: AgendaMeeting) -> str:
    when = fmt(m.held)
    if m.meeting.time:
        when += f" {m.meeting.time:%H:%M}"
    elif body.time:
        when += f" {body.time:%H:%M}"
    if not m.meeting.when.exact:
        when += f" ({_window(m.meeting)}: counted as held on its last working day)"
    return when


def _meeting_line(body: Body, m: AgendaMeeting) -> str:
    """'Thu 25 Apr 2019, papers due Mon 15 Apr 2019, agenda published Mon 15 Apr 2019', or for a
    meeting in a blackout 'Thu 11 Apr 2019 — pre-election period: no decisions'."""
    title = _meeting_title(body, m)
    if m.blackout is not None:
        return f"{title} — {m.blackout}: no decisions"
    published = f", agenda published {fmt(m.published)}" if m.published else ""
    return f"{title}, papers due {fmt(m.papers_due)}{published}"


def _item_line(i: AgendaItem, single: bool) -> str:
    where = "" if single else f" [{i.timeline}]"
    owner = f"; owner {', '.join(i.owner)}" if i.owner else ""
    dl = f"; for {i.deadline} due {fmt(i.deadline_date)}" if i.deadline else "; leads to no deadline"
    state = " (done)" if i.status == "done" else ""
    return f"{i.id}{where}: {i.title}{state}; float {_float(i.float)}{dl}; {i.rag}{owner}"


def _risk_line(r: AtRisk, single: bool) -> str:
    where = "" if single else f" [{r.item.timeline}]"
    if r.next is None:
        goes = "there is no later meeting of this body"
    else:
        goes = f"it goes to {fmt(r.next.held)} (papers due {fmt(r.next.papers_due)})"
    effects = "; ".join(e.text for e in r.effects) or "it leads to no deadline"
    flt = r.item.float or 0
    slack = f"has {count(flt, 'working day')} of float" if flt >= 0 else f"is {count(-flt, 'working day')} late"
    return f"{r.item.id}{where} {slack}; if it misses this meeting {goes}: {effects}"


def _could_line(c: CouldCome, single: bool) -> str:
    where = "" if single else f" [{c.item.timeline}]"
    return (
        f"{c.item.id}{where}: {c.item.title} (planned for {fmt(c.planned)}; papers ready {fmt(c.item.ready)}, "
        f"needed {count(c.sooner, 'working day')} sooner)"
    )


def _single(a: Agenda) -> bool:
    return len({t for b in a.bodies for t in b.timelines}) <= 1


def render_text(a: Agenda) -> str:
    """The agenda for the terminal."""
    single = _single(a)
    out = [f"Forward agenda{f' from {fmt(a.start)}' if a.start else ''}{f' to {fmt(a.end)}' if a.end else ''}"]
    out.append(f"At risk: float under {count(a.margin, 'working day')}")
    for b in a.bodies:
        out += ["", f"{b.body.name} ({b.key}); {_rules(b.body)}"]
        if not b.meetings:
            out.append("  no meetings in this range")
        for m in b.meetings:
            out.append(f"  {_meeting_line(b.body, m)}")
            if not m.items and m.blackout is None:
                out.append("    nothing planned")
            for i in m.items:
                out.append(f"    - {_item_line(i, single)}")
            if m.at_risk:
                out.append("    At risk of missing it:")
                out += [f"    ! {_risk_line(r, single)}" for r in m.at_risk]
            if m.could_come:
                out.append("    Could come if ready earlier:")
                out += [f"    + {_could_line(c, single)}" for c in m.could_come]
    return "\n".join(out) + "\n"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def render_markdown(a: Agenda) -> str:
    """The agenda in Markdown that reads as plain text in an email or a Teams message."""
    single = _single(a)
    out = [f"# Forward agenda{f' from {fmt(a.start)}' if a.start else ''}{f' to {fmt(a.end)}' if a.end else ''}"]
    out.append("")
    out.append(f"At risk: float under {count(a.margin, 'working day')}. RAG: Blue done, Red negative float, ")
    out[-1] += f"Amber under {a.margin}, Green {a.margin} or more, None leads to no deadline."
    for b in a.bodies:
        out += ["", f"## {_md(b.body.name)} ({_md(b.key)})", ""]
        out.append(f"{_sentence(_rules(b.body))} each meeting.")
        for m in b.meetings:
            out += ["", f"### {_md(_meeting_line(b.body, m))}"]
            if not m.items and m.blackout is not None:
                continue  # it takes no decisions: the heading says why
            out.append("")
            if not m.items:
                out.append("Nothing planned.")
            for i in m.items:
                out.append(f"- {_md(_item_line(i, single))}")
            if m.at_risk:
                out += ["", "**At risk of missing it:**", ""]
                out += [f"- {_md(_risk_line(r, single))}" for r in m.at_risk]
            if m.could_come:
                out += ["", "**Could come if ready earlier:**", ""]
                out += [f"- {_md(_could_line(c, single))}" for c in m.could_come]
    return "\n".join(out) + "\n"


_CSS = """body{font-family:system-ui,Segoe UI,Arial,sans-serif;margin:2em;color:#111}
h2{margin-top:2em;border-bottom:2px solid #333}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.3em 0 1em}th,td{border:1px solid #999;padding:.25em .5em;text-align:left;
vertical-align:top}th{background:#eee}.Red{background:#f4c7c3}.Amber{background:#fce8b2}.Green{background:#b7e1cd}
.Blue{background:#c9daf8}.None{background:#fff}.note{color:#444}"""


def render_html(a: Agenda) -> str:
    """The agenda as one self-contained HTML page (no scripts, fonts or network)."""
    e = html.escape
    title = f"Forward agenda{f' from {fmt(a.start)}' if a.start else ''}{f' to {fmt(a.end)}' if a.end else ''}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="note">At risk: float under {e(count(a.margin, "working day"))}.</p>',
    ]
    for b in a.bodies:
        out.append(f"<h2>{e(b.body.name)} ({e(b.key)})</h2>")
        out.append(f'<p class="note">{e(_sentence(_rules(b.body)))} each meeting.</p>')
        for m in b.meetings:
            out.append(f"<h3>{e(_meeting_line(b.body, m))}</h3>")
            if not m.items:
                if m.blackout is None:
                    out.append("<p>Nothing planned.</p>")
            else:
                out.append("<table><tr><th>Item</th><th>Title</th><th>Timeline</th><th>Owner</th><th>Float</th>")
                out[-1] += "<th>Deadline</th><th>RAG</th></tr>"
                for i in m.items:
                    dl = f"{i.deadline} ({fmt(i.deadline_date)})" if i.deadline else "-"
                    out.append(
                        f"<tr><td>{e(i.id)}</td><td>{e(i.title)}</td><td>{e(i.timeline)}</td>"
                        f"<td>{e(', '.join(i.owner))}</td><td>{e(_float(i.float))}</td><td>{e(dl)}</td>"
                        f'<td class="{e(i.rag)}">{e(i.rag)}</td></tr>'
                    )
                out.append("</table>")
            if m.at_risk:
                out.append("<p><strong>At risk of missing it:</strong></p><ul>")
                out += [f"<li>{e(_risk_line(r, False))}</li>" for r in m.at_risk]
                out.append("</ul>")
            if m.could_come:
                out.append("<p><strong>Could come if ready earlier:</strong></p><ul>")
                out += [f"<li>{e(_could_line(c, False))}</li>" for c in m.could_come]
                out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _d(x: date | None) -> str | None:
    return None if x is None else x.isoformat()


def _item_json(i: AgendaItem) -> dict[str, Any]:
    return {
        "timeline": i.timeline,
        "id": i.id,
        "title": i.title,
        "float": i.float,
        "rag": i.rag,
        "deadline": i.deadline,
        "deadline_date": _d(i.deadline_date),
        "owner": list(i.owner),
        "status": i.status,
        "ready": _d(i.ready),
    }


def agenda_json(a: Agenda) -> dict[str, Any]:
    """`{"bodies": [{"id", "name", "meetings": [{"date", "papers_due", "published", "blackout",
    "items": [{"timeline", "id", "title", "float", "rag", "deadline"}], "at_risk": [...],
    "could_come": [...]}]}]}` (`published` null without `publish`, `blackout` the reason or null)."""
    return {
        "as_of": _d(a.as_of),
        "from": _d(a.start),
        "to": _d(a.end),
        "at_risk_margin": a.margin,
        "bodies": [
            {
                "id": b.key,
                "name": b.body.name,
                "timelines": list(b.timelines),
                "meetings": [
                    {
                        "date": m.held.isoformat(),
                        "papers_due": m.papers_due.isoformat(),
                        "published": _d(m.published),
                        "blackout": m.blackout,
                        "tbc": m.meeting.when.tbc,
                        "window": _window(m.meeting) or None,
                        "items": [_item_json(i) for i in m.items],
                        "at_risk": [
                            {
                                **_item_json(r.item),
                                "next_meeting": None if r.next is None else r.next.held.isoformat(),
                                "next_papers_due": None if r.next is None else r.next.papers_due.isoformat(),
                                "effects": [
                                    {
                                        "deadline": x.key,
                                        "due": x.deadline.isoformat(),
                                        "forecast": _d(x.forecast),
                                        "new_forecast": _d(x.new_forecast),
                                        "margin": x.margin,
                                        "new_margin": x.new_margin,
                                        "text": x.text,
                                    }
                                    for x in r.effects
                                ],
                            }
                            for r in m.at_risk
                        ],
                        "could_come": [
                            {**_item_json(c.item), "planned": c.planned.isoformat(), "sooner": c.sooner}
                            for c in m.could_come
                        ],
                    }
                    for m in b.meetings
                ],
            }
            for b in a.bodies
        ],
    }


def render_json(a: Agenda) -> str:
    return json.dumps(agenda_json(a), indent=1) + "\n"


def render_ics(a: Agenda, stamp: datetime, timezone: str = "Europe/London") -> bytes:
    """One calendar entry per meeting, its description the agenda; stable UIDs
    (`agenda.<body>.<date>@govflow`), so a re-export updates the entries in place."""
    from icalendar import Calendar, Event

    from .exporters.ics import render_ics as _bytes
    from .exporters.ics import vtimezone

    cal = Calendar()
    cal.add("prodid", "-//govflow//forward agenda//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Forward agenda")
    events = []
    years: set[int] = set()
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    timed = False
    for b in a.bodies:
        for m in b.meetings:
            ev = Event()
            ev.add("uid", f"agenda.{b.key.replace(':', '.')}.{m.held.isoformat()}@govflow")
            ev.add("dtstamp", stamp)
            at = m.meeting.time or b.body.time
            if at is not None:
                start = datetime.combine(m.held, at, tzinfo=zone)
                ev.add("dtstart", start)
                ev.add("dtend", start + (m.meeting.duration or b.body.duration or timedelta(hours=2)))
                timed = True
            else:
                ev.add("dtstart", m.held)
                ev.add("dtend", m.held + timedelta(days=1))
            years.add(m.held.year)
            n = len(m.items)
            tbc = "" if m.meeting.when.exact else " (TBC)"
            if m.blackout is not None and not m.items:
                ev.add("summary", f"{b.body.name}{tbc}: no decisions ({m.blackout})")
            else:
                ev.add(
                    "summary",
                    f"{b.body.name}{tbc}: {count(n, 'item')}" + (f", {len(m.at_risk)} at risk" * bool(m.at_risk)),
                )
            if m.blackout is not None:
                lines = [f"{_sentence(m.blackout)}: no decisions are taken at this meeting."]
            else:
                published = f" Agenda published {fmt(m.published)}." if m.published else ""
                lines = [f"Papers due {fmt(m.papers_due)}.{published}"]
            if m.items:
                lines += ["", "Planned:"] + [f"- {_item_line(i, False)}" for i in m.items]
            if m.at_risk:
                lines += ["", "At risk of missing it:"] + [f"- {_risk_line(r, False)}" for r in m.at_risk]
            if m.could_come:
                lines += ["", "Could come if ready earlier:"] + [f"- {_could_line(c, False)}" for c in m.could_come]
            ev.add("description", "\n".join(lines))
            if b.body.location:
                ev.add("location", b.body.location)
            ev.add("status", "CONFIRMED" if m.meeting.when.exact else "TENTATIVE")
            ev.add("transp", "OPAQUE" if at is not None else "TRANSPARENT")
            events.append(ev)
    if timed and years:
        cal.add_component(vtimezone(timezone, min(years), max(years)))
    for ev in events:
        cal.add_component(ev)
    return _bytes(cal)


def render(a: Agenda, fmt_: str, stamp: datetime | None = None, timezone: str = "Europe/London") -> str | bytes:
    """The agenda in one of `FORMATS` (ics needs the DTSTAMP `stamp`)."""
    if fmt_ == "text":
        return render_text(a)
    if fmt_ == "md":
        return render_markdown(a)
    if fmt_ == "html":
        return render_html(a)
    if fmt_ == "json":
        return render_json(a)
    if fmt_ == "ics":
        if stamp is None:
            raise ValueError("an .ics agenda needs a DTSTAMP")
        return render_ics(a, stamp, timezone)
    raise AgendaError(f"'{fmt_}' is not one of {', '.join(FORMATS)}")
