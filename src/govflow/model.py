"""The timeline model: frozen data, no I/O. Built by `govflow.loading`, read by the scheduler."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Literal
from weakref import WeakKeyDictionary

from .dates import Window

__all__ = [
    "DISTRIBUTIONS",
    "LEVELS",
    "Blackout",
    "Body",
    "ClearDays",
    "Dependency",
    "Item",
    "Kind",
    "Meeting",
    "Programme",
    "Risk",
    "RiskSettings",
    "Timeline",
]

Kind = Literal["task", "milestone", "meeting", "event"]
DepType = Literal["FS", "SS", "FF"]
LEVELS = ("national", "regional", "local")
DISTRIBUTIONS = ("triangular", "pert", "uniform")


@dataclass(frozen=True, slots=True)
class Dependency:
    """`after` entry: the item depends on `pred` (a qualified key, 'timeline:item')."""

    pred: str
    type: DepType = "FS"
    lag: int = 0


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of a body; `when` is a window for dates not yet confirmed (TBC)."""

    when: Window
    note: str = ""
    extraordinary: bool = False
    source: str = ""  # where the date came from: 'meets', 'recurrence', or a calendar file's name
    time: time | None = None  # from a timed calendar event (else the body's `time`), for calendar exports
    duration: timedelta | None = None  # from a timed calendar event


@dataclass(frozen=True, slots=True)
class ClearDays:
    """A period of `days` clear days before a meeting (DESIGN.md "Statutory timing"): the days
    strictly between the two dates, working days of the body's nation unless `calendar`."""

    days: int
    calendar: bool = False

    def __str__(self) -> str:
        unit = "calendar" if self.calendar else "working"
        return f"{self.days} clear {unit} day{'' if self.days == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class Blackout:
    """A period (inclusive) whose meetings take no decisions, e.g. a pre-election period."""

    first: date
    last: date
    reason: str = "blackout"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Body:
    """A committee or board; decisions `at` it happen only at its meetings."""

    id: str
    name: str
    level: str = "local"
    papers_due: int = 5
    meetings: tuple[Meeting, ...] = ()
    time: time | None = None
    duration: timedelta | None = None
    location: str = ""
    chairs_action: int | None = None
    attendees: tuple[str, ...] = ()
    line: int | None = None
    path: str = ""  # the file that defines the body (a timeline, or a body library brought in with `use:`)
    nation: str | None = None  # a body library's `holidays`: the nation its meeting dates are checked against
    cancel_rate: float = 0.0  # `risk`: the share of runs in which each meeting does not take place
    # statutory timing: agenda publication, key-decision notice and its fallbacks, call-in, blackouts
    publish: ClearDays | None = None
    notice: ClearDays | None = None
    general_exception: ClearDays | None = None
    special_urgency: bool = False
    call_in: int = 0  # clear working days after a decision before it takes effect
    blackouts: tuple[Blackout, ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    """A node of the dependency graph: task, milestone, meeting decision or fixed event."""

    key: str  # 'timeline:item', unique across a programme
    id: str
    timeline: str
    title: str
    kind: Kind
    level: str = "local"
    on: Window | None = None
    at: str | None = None  # body id, in the item's own timeline
    duration: int = 0
    range: tuple[int, int, int] | None = None  # `risk`: optimistic, most likely, pessimistic working days
    after: tuple[Dependency, ...] = ()
    deadline: Window | None = None
    owner: tuple[str, ...] = ()
    done: date | None = None
    started: date | None = None
    remaining: int | None = None
    forecast: date | None = None
    line: int | None = None
    distribution: str | None = None  # `risk`: triangular | pert | uniform (else the timeline's)
    key_decision: bool = False  # needs the body's `notice` in the forward plan
    notice_after: tuple[str, ...] = ()  # keys of the items after which notice can be published
    notice_given: date | None = None  # the day notice was published
    deferred: tuple[date, ...] = ()  # meetings at which the item was deferred (sorted)


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """A timeline's `risk:` settings: the default distribution of its ranges, and the rank
    correlation its duration samples share."""

    distribution: str = "triangular"
    correlation: float = 0.0


@dataclass(frozen=True, slots=True)
class Risk:
    """A `risks:` entry: with `probability` in each run, it delays each named item by a whole
    number of working days uniform in [low, high] (keys 'timeline:item')."""

    id: str
    title: str
    probability: float
    delays: tuple[tuple[str, int, int], ...]
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """One timeline file: its calendar settings, bodies and items (keyed by local id)."""

    id: str
    title: str
    start: date
    items: Mapping[str, Item]
    bodies: Mapping[str, Body] = field(default_factory=dict)
    as_of: date | None = None
    timezone: str = "Europe/London"
    organizer: str | None = None
    holidays: str = "england"
    closures: frozenset[date] = frozenset()
    path: str = "<input>"
    risk: RiskSettings = RiskSettings()
    risks: tuple[Risk, ...] = ()
    blackouts: tuple[Blackout, ...] = ()  # apply to every body of the timeline


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class Programme:
    """Timelines checked together; items are keyed 'timeline:item' across all of them.

    Compared and hashed by identity: the scheduler keeps what it derives from a programme (its
    topological order, its compiled form) beside it, weakly keyed by it."""

    timelines: tuple[Timeline, ...]
    items: Mapping[str, Item]

    @classmethod
    def of(cls, timelines: tuple[Timeline, ...]) -> Programme:
        items = {item.key: item for t in timelines for item in t.items.values()}
        return cls(timelines, items)

    @property
    def single(self) -> bool:
        return len(self.timelines) == 1

    def timeline(self, timeline_id: str) -> Timeline:
        for t in self.timelines:
            if t.id == timeline_id:
                return t
        raise KeyError(timeline_id)

    def body(self, item: Item) -> Body:
        assert item.at is not None
        return self.timeline(item.timeline).bodies[item.at]

    def blackouts(self, item: Item) -> tuple[Blackout, ...]:
        """The periods in which the body of a meeting item takes no decisions: the body's own and
        its timeline's."""
        t = self.timeline(item.timeline)
        body = t.bodies.get(item.at) if item.at is not None else None
        return t.blackouts + (body.blackouts if body is not None else ())

    def label(self, key: str) -> str:
        """How an item is identified to users: its id, or 'timeline:id' in a multi-file programme."""
        return key.split(":", 1)[1] if self.single else key

    def name(self, key: str) -> str:
        """How a sentence names an item (`check`'s explanations, the weekly report): by its title,
        which is what planning leads call it; 'Title (label)' when another item of the programme
        has the same title; the label when the item has no title of its own.

        >>> t = Timeline("t", "", date(2019, 9, 2), {})
        >>> items = {"a": Item("t:a", "a", "t", "Trust Board approval", "meeting"),
        ...          "b": Item("t:b", "b", "t", "Submit", "milestone"),
        ...          "c": Item("t:c", "c", "t", "Submit", "milestone"), "d": Item("t:d", "d", "t", "d", "task")}
        >>> p = Programme((t,), {i.key: i for i in items.values()})
        >>> [p.name(k) for k in p.items]
        ['Trust Board approval', 'Submit (b)', 'Submit (c)', 'd']
        """
        item = self.items[key]
        if not item.title or item.title == item.id:
            return self.label(key)
        uses = _TITLE_USES.get(self)
        if uses is None:
            uses = _TITLE_USES[self] = Counter(i.title for i in self.items.values())
        return item.title if uses[item.title] == 1 else f"{item.title} ({self.label(key)})"


_TITLE_USES: WeakKeyDictionary[Programme, Counter[str]] = WeakKeyDictionary()  # for `Programme.name`
