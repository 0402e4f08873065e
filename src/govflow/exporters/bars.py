"""The Gantt bar model every format draws from: bars, swimlanes, unscheduled items, baselines.

`bars` computes what all formats show; `gantt.py` (JSON, CSV, Mermaid and the format dispatch),
`mspdi.py` and `gantt_html.py` only lay it out. Like them, a pure function of a `Schedule` (and
an optional baseline).

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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from ..errors import GovflowError
from ..explain import AT_RISK_MARGIN
from ..model import LEVELS
from ..scheduling import Schedule

__all__ = [
    "Bar",
    "Baseline",
    "By",
    "GanttError",
    "Link",
    "Unscheduled",
    "bars",
    "baseline_of",
    "lanes",
    "status_date",
    "unscheduled",
]

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
    # statutory timing (meeting items whose body has the rules): agenda published, notice needed
    # by (key decisions), the day the decision takes effect (call-in)
    published: date | None = None
    notice_by: date | None = None
    takes_effect: date | None = None

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


def _rag(status: str, flt: int | None, missed: bool, at_risk: int = AT_RISK_MARGIN) -> str:
    if status == "done":
        return "red" if missed else "done"
    if flt is None:
        return "none"
    if flt < 0 or missed:
        return "red"
    return "amber" if flt < at_risk else "green"


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


def bars(sched: Schedule, baseline: Baseline | None = None, at_risk: int = AT_RISK_MARGIN) -> tuple[Bar, ...]:
    """The scheduled items as Gantt bars, by start date (then finish, then dependency order).

    RAG: amber is under `at_risk` working days of float (`--at-risk`, as `check`'s "met, at risk").
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
                rag=_rag(r.status, r.float, d is not None and not d.met, at_risk),
                window=(window.text or str(window)) if fuzzy and window is not None else "",
                window_first=window.first if fuzzy and window is not None else None,
                window_last=window.last if fuzzy and window is not None else None,
                tbc=bool(window is not None and window.tbc),
                papers_due=r.papers_due,
                links=tuple(Link(dep.pred, dep.type, dep.lag) for dep in item.after if dep.pred in placed),
                owner=item.owner,
                baseline_start=b0,
                baseline_end=b1,
                published=r.published,
                notice_by=r.notice_by,
                takes_effect=r.takes_effect,
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
