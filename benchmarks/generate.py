"""Generate a synthetic national programme as one govflow JSON timeline.

The programme is shaped like the NHS planning rounds in ``seeds/``: a national framework and
guidance are published, every local *system* drafts its plan in several workstreams that go
through its weekly committee and monthly board, systems submit, regions collate and assure,
and the national team publishes. Per-system, regional and national deadlines are set from
an estimate of the earliest dates (with random slack, a few deliberately too tight), so the
scheduler finds a realistic mix of met and missed deadlines.

For the same dependency graph it also writes:

* ``<stem>.tjp`` -- a dependency-only TaskJuggler project: tasks with ``length`` in working
  days and ``depends`` (with ``gaplength`` lags), meetings and milestones as zero-length
  milestones, i.e. *no* meeting quantisation; the England bank holidays as global leaves;
  one CSV task report so that ``tj3`` does comparable output work.
* ``<stem>.dag.json`` -- the plain DAG (integer working-day durations, lags, fixed points
  and deadlines) that ``benchmarks/cpm.py`` runs a minimal CPM pass over.

Everything is deterministic for a given ``--items`` and ``--seed``.

    python benchmarks/generate.py --items 10000 --out benchmarks/out
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Programme", "build", "label", "main", "write"]

Dep = str | tuple[str, str, int]  # "id" (FS, no lag) or (id, FS|SS, lag)

START = dt.date(2025, 1, 6)  # a Monday
UNTIL = dt.date(2028, 12, 31)  # bodies' recurrences run this far
CAL_END = dt.date(2031, 12, 31)  # working-day table horizon (covers UNTIL with room)
SYSTEMS_PER_REGION = 8
PER_SYSTEM = 40
PER_REGION = 8
NATIONAL = [
    "framework",
    "guidance",
    "all-submissions",
    "collate",
    "board-review",
    "publish",
    "readiness",
    "all-live",
    "report",
    "report-approved",
]
STREAMS = ["workforce", "finance", "estates", "digital"]

# England bank holidays 2025-2031 (fixed here so the generator needs only the stdlib; they
# match the `holidays` package's UK/ENG calendar that govflow uses).
_HOLIDAY_TABLE = """
    2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26
    2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28
    2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28
    2028-01-03 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26
    2029-01-01 2029-03-30 2029-04-02 2029-05-07 2029-05-28 2029-08-27 2029-12-25 2029-12-26
    2030-01-01 2030-04-19 2030-04-22 2030-05-06 2030-05-27 2030-08-26 2030-12-25 2030-12-26
    2031-01-01 2031-04-11 2031-04-14 2031-05-05 2031-05-26 2031-08-25 2031-12-25 2031-12-26
"""
ENGLAND_HOLIDAYS = {dt.date.fromisoformat(d) for d in _HOLIDAY_TABLE.split()}


def label(n: int) -> str:
    """Short size label used in file names: 1000 -> '1k', 100000 -> '100k', 1500 -> '1500'.

    >>> label(10000), label(1234)
    ('10k', '1234')
    """
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------- calendar


class WorkCalendar:
    """Mon-Fri minus England bank holidays, as a sorted table of working days."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.days: list[int] = []
        d = first
        while d <= last:
            if d.weekday() < 5 and d not in ENGLAND_HOLIDAYS:
                self.days.append(d.toordinal())
            d += dt.timedelta(days=1)
        self.first = first.toordinal()

    def is_working(self, d: int) -> bool:
        i = bisect.bisect_left(self.days, d)
        return i < len(self.days) and self.days[i] == d

    def floor(self, d: int) -> int:
        """Index of the last working day <= d."""
        return bisect.bisect_right(self.days, d) - 1

    def ceil(self, d: int) -> int:
        """Index of the first working day >= d."""
        return bisect.bisect_left(self.days, d)

    def wd(self, d: int, n: int) -> int:
        """The date (ordinal) n working days after d; DESIGN.md's ``wd(d, n)``."""
        if n == 0:
            return d
        if n > 0:
            return self.days[self.floor(d) + n]
        return self.days[self.ceil(d) + n]

    def on_or_after(self, d: int) -> int:
        return self.days[self.ceil(d)]

    def on_or_before(self, d: int) -> int:
        return self.days[self.floor(d)]


# --------------------------------------------------------------------------- model


@dataclass
class Body:
    id: str
    name: str
    level: str
    rrule: str
    papers_due: int
    skip: list[str]
    meetings: list[int] = field(default_factory=list)  # ordinals, computed


@dataclass
class Item:
    id: str
    title: str
    level: str
    kind: str  # task | meeting | milestone | fixed
    duration: int = 0
    at: str | None = None
    on: int | None = None  # ordinal
    after: list[tuple[str, str, int]] = field(default_factory=list)  # (id, type, lag)
    deadline: int | None = None  # ordinal
    owner: str | None = None
    # estimate filled by the generator's forward pass
    start: int = 0
    finish: int = 0


@dataclass
class Programme:
    n: int
    seed: int
    bodies: dict[str, Body]
    items: dict[str, Item]
    cal: WorkCalendar


def _months(first: dt.date, last: dt.date) -> Iterator[tuple[int, int]]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _last_weekday(y: int, m: int, weekday: int) -> dt.date:
    nxt = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    d = nxt - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def _nth_weekday(y: int, m: int, weekday: int, nth: int) -> dt.date:
    d = dt.date(y, m, 1)
    d += dt.timedelta(days=(weekday - d.weekday()) % 7)
    return d + dt.timedelta(weeks=nth - 1)


def _skipped(d: dt.date, skip: list[str]) -> bool:
    for s in skip:
        if " to " in s:
            a, b = (dt.date.fromisoformat(x.strip()) for x in s.split(" to "))
            if a <= d <= b:
                return True
        elif len(s) == 7:
            if d.strftime("%Y-%m") == s:
                return True
        elif d.isoformat() == s:
            return True
    return False


def _meeting_dates(rrule: str, skip: list[str]) -> list[int]:
    """Expand the few RRULE shapes the generator emits (the engine uses dateutil)."""
    dates: list[dt.date] = []
    if rrule == "FREQ=WEEKLY;BYDAY=TU":
        d = START + dt.timedelta(days=(1 - START.weekday()) % 7)
        while d <= UNTIL:
            dates.append(d)
            d += dt.timedelta(weeks=1)
    elif rrule == "FREQ=MONTHLY;BYDAY=-1TH":
        dates = [_last_weekday(y, m, 3) for y, m in _months(START, UNTIL)]
    elif rrule == "FREQ=MONTHLY;BYDAY=2WE":
        dates = [_nth_weekday(y, m, 2, 2) for y, m in _months(START, UNTIL)]
    elif rrule == "FREQ=MONTHLY;BYDAY=3WE":
        dates = [_nth_weekday(y, m, 2, 3) for y, m in _months(START, UNTIL)]
    else:  # pragma: no cover - generator only emits the shapes above
        raise ValueError(rrule)
    return [d.toordinal() for d in dates if START <= d <= UNTIL and not _skipped(d, skip)]


def _board_skip() -> list[str]:
    """No board in August or December (summer recess, Christmas)."""
    return [f"{y}-{m:02d}" for y in range(START.year, UNTIL.year + 1) for m in (8, 12)]


def _committee_skip() -> list[str]:
    """Weekly committees stand down over Christmas and New Year."""
    return [f"{y}-12-22 to {y + 1}-01-02" for y in range(START.year, UNTIL.year + 1)]


# --------------------------------------------------------------------------- building


class _Builder:
    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.items: dict[str, Item] = {}
        self.bodies: dict[str, Body] = {}

    def body(self, bid: str, name: str, level: str, rrule: str, papers_due: int, skip: list[str]) -> str:
        self.bodies[bid] = Body(bid, name, level, rrule, papers_due, skip)
        return bid

    def add(
        self,
        iid: str,
        title: str,
        level: str,
        kind: str,
        after: Sequence[Dep] | None = None,
        **kw: object,
    ) -> str:
        deps = [(a, "FS", 0) if isinstance(a, str) else a for a in (after or [])]
        self.items[iid] = Item(iid, title, level, kind, after=deps, **kw)  # type: ignore[arg-type]
        return iid

    def task(
        self,
        iid: str,
        title: str,
        level: str,
        lo: int,
        hi: int,
        after: Sequence[Dep],
        owner: str,
    ) -> str:
        return self.add(iid, title, level, "task", after, duration=self.rng.randint(lo, hi), owner=owner)

    def maybe_lag(self, pid: str, p: float = 0.2, lo: int = 1, hi: int = 5) -> Dep:
        if self.rng.random() < p:
            return (pid, "FS", self.rng.randint(lo, hi))
        return pid


def _sizes(n: int) -> tuple[int, int, int]:
    """(systems, regions, filler) so that the programme has exactly n items."""
    systems = max(1, (n - len(NATIONAL)) // (PER_SYSTEM + PER_REGION / SYSTEMS_PER_REGION))
    systems = int(systems)
    while True:
        regions = -(-systems // SYSTEMS_PER_REGION)
        used = systems * PER_SYSTEM + regions * PER_REGION + len(NATIONAL)
        if used <= n or systems == 1:
            return systems, regions, n - used
        systems -= 1


def build(n: int, seed: int = 2019) -> Programme:
    """Build the programme graph with exactly n items (n >= 60) and estimate its dates."""
    if n < PER_SYSTEM + PER_REGION + len(NATIONAL):
        raise ValueError(f"need at least {PER_SYSTEM + PER_REGION + len(NATIONAL)} items")
    b = _Builder(n, seed)
    rng = b.rng
    systems, regions, filler = _sizes(n)

    nat_board = b.body(
        "nat-board",
        "National Programme Board",
        "national",
        "FREQ=MONTHLY;BYDAY=3WE",
        10,
        _board_skip(),
    )
    fw = b.add(
        "nat-framework",
        "National planning framework published",
        "national",
        "fixed",
        on=(START + dt.timedelta(days=14)).toordinal(),
    )
    guidance = b.add(
        "nat-guidance",
        "Technical planning guidance published",
        "national",
        "fixed",
        on=(START + dt.timedelta(days=70)).toordinal(),
    )

    submissions: list[str] = []
    lives: list[str] = []
    by_region: list[list[str]] = [[] for _ in range(regions)]
    for s in range(systems):
        p = f"s{s:04d}"
        r = s // SYSTEMS_PER_REGION
        by_region[r].append(p)
        owner = f"planning.lead@{p}.example.nhs.uk"
        board = b.body(f"{p}-board", f"System {s} Board", "local", "FREQ=MONTHLY;BYDAY=-1TH", 5, _board_skip())
        committee = b.body(
            f"{p}-committee",
            f"System {s} Planning Committee",
            "local",
            "FREQ=WEEKLY;BYDAY=TU",
            3,
            _committee_skip(),
        )
        kick = b.add(
            f"{p}-kickoff",
            f"System {s} planning round starts",
            "local",
            "milestone",
            [b.maybe_lag(fw, 0.5, 2, 15)],
        )
        approved: list[str] = []
        for k, ws in enumerate(STREAMS):
            q = f"{p}-{ws}"
            draft_after: list[Dep] = [kick]
            if k > 0 and rng.random() < 0.5:  # streams overlap: start a little after the first
                draft_after.append((f"{p}-{STREAMS[0]}-draft", "SS", rng.randint(1, 10)))
            draft = b.task(f"{q}-draft", f"Draft {ws} plan ({p})", "local", 5, 25, draft_after, owner)
            analysis = b.task(
                f"{q}-analysis",
                f"{ws.title()} modelling against guidance ({p})",
                "local",
                3,
                12,
                [kick, guidance],
                owner,
            )
            engage = b.task(
                f"{q}-engagement",
                f"Stakeholder engagement on {ws} ({p})",
                "local",
                3,
                10,
                [(draft, "SS", rng.randint(2, 8))],
                owner,
            )
            review = b.add(
                f"{q}-committee",
                f"Committee reviews {ws} draft ({p})",
                "local",
                "meeting",
                [draft, engage, analysis],
                at=committee,
            )
            revise = b.task(
                f"{q}-revise",
                f"Revise {ws} plan after review ({p})",
                "local",
                2,
                8,
                [review],
                owner,
            )
            approval = b.add(
                f"{q}-board",
                f"Board approves {ws} plan ({p})",
                "local",
                "meeting",
                [b.maybe_lag(revise, 0.2, 1, 3)],
                at=board,
            )
            appr = b.add(
                f"{q}-approved",
                f"{ws.title()} plan approved ({p})",
                "local",
                "milestone",
                [approval],
            )
            b.task(f"{q}-publish", f"Publish {ws} plan ({p})", "local", 1, 3, [appr], owner)
            approved.append(appr)
        integ_after: list[Dep] = list(approved)
        if s % SYSTEMS_PER_REGION and rng.random() < 0.6:  # cross-system link in the region
            nb = f"s{s - 1:04d}-{rng.choice(STREAMS)}-approved"
            integ_after.append(nb)
        integ = b.task(f"{p}-integrate", f"Integrate system plan ({p})", "local", 10, 20, integ_after, owner)
        cf = b.add(
            f"{p}-committee-final",
            f"Committee recommends system plan ({p})",
            "local",
            "meeting",
            [integ],
            at=committee,
        )
        bs = b.add(
            f"{p}-board-signoff",
            f"Board signs off system plan ({p})",
            "local",
            "meeting",
            [cf],
            at=board,
        )
        sub = b.add(
            f"{p}-submission",
            f"System plan submitted ({p})",
            "local",
            "milestone",
            [bs],
            deadline=0,
        )
        pack = b.task(f"{p}-assurance-pack", f"Prepare assurance pack ({p})", "local", 3, 8, [bs], owner)
        ready = b.add(f"{p}-readiness", f"Ready for regional assurance ({p})", "local", "milestone", [pack])
        live = b.add(
            f"{p}-plan-live",
            f"System plan goes live ({p})",
            "local",
            "milestone",
            [(ready, "FS", 5)],
            deadline=0,
        )
        submissions.append(sub)
        lives.append(live)

    feedback: list[str] = []
    signoffs: list[str] = []
    summaries: list[str] = []
    for r in range(regions):
        p = f"r{r:03d}"
        owner = f"regional.lead@{p}.example.nhs.uk"
        rb = b.body(
            f"{p}-board",
            f"Region {r} Assurance Panel",
            "regional",
            "FREQ=MONTHLY;BYDAY=2WE",
            10,
            _board_skip(),
        )
        members = by_region[r]
        col = b.task(
            f"{p}-collate",
            f"Collate system submissions (region {r})",
            "regional",
            8,
            15,
            [f"{m}-submission" for m in members],
            owner,
        )
        panel = b.add(
            f"{p}-panel",
            f"Regional panel reviews plans (region {r})",
            "regional",
            "meeting",
            [col],
            at=rb,
        )
        fb = b.task(
            f"{p}-feedback",
            f"Write feedback to systems (region {r})",
            "regional",
            3,
            8,
            [panel],
            owner,
        )
        fbi = b.add(
            f"{p}-feedback-issued",
            f"Feedback issued (region {r})",
            "regional",
            "milestone",
            [fb],
            deadline=0,
        )
        ass = b.add(
            f"{p}-assurance",
            f"Regional assurance of readiness (region {r})",
            "regional",
            "meeting",
            [f"{m}-readiness" for m in members],
            at=rb,
        )
        so = b.add(
            f"{p}-signoff",
            f"Region signs off (region {r})",
            "regional",
            "milestone",
            [ass, fbi],
            deadline=0,
        )
        summ = b.task(
            f"{p}-summary",
            f"Regional summary for national team (region {r})",
            "regional",
            3,
            8,
            [so],
            owner,
        )
        sent = b.add(f"{p}-summary-sent", f"Summary sent (region {r})", "regional", "milestone", [summ])
        feedback.append(fbi)
        signoffs.append(so)
        summaries.append(sent)

    nat_owner = "programme.office@example.nhs.uk"
    b.add(
        "nat-all-submissions",
        "All system plans received",
        "national",
        "milestone",
        list(submissions),
        deadline=0,
    )
    col = b.task(
        "nat-collate",
        "National collation and moderation",
        "national",
        15,
        15,
        list(feedback),
        nat_owner,
    )
    nbr = b.add(
        "nat-board-review",
        "National board reviews the programme",
        "national",
        "meeting",
        [col],
        at=nat_board,
    )
    b.add("nat-publish", "National programme published", "national", "milestone", [nbr], deadline=0)
    nr = b.add(
        "nat-readiness",
        "All regions signed off",
        "national",
        "milestone",
        list(signoffs),
        deadline=0,
    )
    al = b.add("nat-all-live", "All system plans live", "national", "milestone", list(lives), deadline=0)
    rep = b.task("nat-report", "Report to ministers", "national", 10, 10, [nr, al], nat_owner)
    b.add(
        "nat-report-approved",
        "National board approves the report",
        "national",
        "meeting",
        [rep],
        at=nat_board,
        deadline=0,
    )
    for k in range(filler):
        src = rng.sample(summaries, min(len(summaries), 3))
        b.task(f"nat-assurance-{k:03d}", f"National deep-dive {k}", "national", 5, 15, src, nat_owner)

    assert len(b.items) == n, (len(b.items), n)
    cal = WorkCalendar(START - dt.timedelta(days=14), CAL_END)
    for body in b.bodies.values():
        body.meetings = _meeting_dates(body.rrule, body.skip)
    prog = Programme(n, seed, b.bodies, b.items, cal)
    _estimate(prog)
    _set_deadlines(prog, rng)
    return prog


def _topo(items: dict[str, Item]) -> list[Item]:
    indeg = {i: len(it.after) for i, it in items.items()}
    succ: dict[str, list[str]] = {i: [] for i in items}
    for i, it in items.items():
        for p, _, _ in it.after:
            succ[p].append(i)
    ready = [i for i, d in indeg.items() if d == 0]
    order: list[Item] = []
    while ready:
        i = ready.pop()
        order.append(items[i])
        for s in succ[i]:
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    assert len(order) == len(items), "cycle"
    return order


def _estimate(prog: Programme) -> None:
    """Forward pass per DESIGN.md (meeting quantisation included), to place deadlines."""
    cal, items = prog.cal, prog.items
    start = START.toordinal()
    for it in _topo(items):
        if it.kind == "fixed":
            it.start = it.finish = it.on  # type: ignore[assignment]
            continue
        ask = start  # earliest start (task) / date (milestone) / papers-ready day (meeting)
        for pid, typ, lag in it.after:
            p = items[pid]
            if typ == "SS":
                ask = max(ask, cal.wd(p.start, lag))
            elif it.kind == "task":
                ask = max(ask, cal.wd(cal.wd(p.finish, lag), 1))
            else:
                ask = max(ask, cal.wd(p.finish, lag))
        if it.kind == "task":
            it.start = cal.on_or_after(ask)
            it.finish = cal.wd(it.start, it.duration - 1)
        elif it.kind == "meeting":
            body = prog.bodies[it.at]  # type: ignore[index]
            m = next(m for m in body.meetings if cal.wd(m, -body.papers_due) >= ask)
            it.start = it.finish = m
        else:
            it.start = it.finish = ask


def _set_deadlines(prog: Programme, rng: random.Random) -> None:
    """Deadline = estimated finish + slack; about one in eight is set too tight."""
    cal = prog.cal
    for it in prog.items.values():
        if it.deadline is None:
            continue
        slack = -rng.randint(1, 15) if rng.random() < 0.125 else rng.randint(5, 40)
        it.deadline = cal.wd(cal.on_or_before(it.finish), slack)


# --------------------------------------------------------------------------- writers


def _iso(o: int) -> str:
    return dt.date.fromordinal(o).isoformat()


def to_govflow(prog: Programme) -> dict[str, Any]:
    """The govflow timeline (DESIGN.md format version 1) as a JSON-ready dict."""
    bodies = {}
    for body in prog.bodies.values():
        bodies[body.id] = {
            "name": body.name,
            "level": body.level,
            "papers_due": body.papers_due,
            "recurrence": body.rrule,
            "from": START.isoformat(),
            "until": UNTIL.isoformat(),
            "skip": body.skip,
        }
    items = {}
    for it in prog.items.values():
        d: dict[str, object] = {"title": it.title, "level": it.level}
        if it.kind == "fixed":
            d["on"] = _iso(it.on)  # type: ignore[arg-type]
        elif it.kind == "task":
            d["duration"] = it.duration
        elif it.kind == "meeting":
            d["at"] = it.at
        if it.after:
            d["after"] = [p if (t, lag) == ("FS", 0) else {"id": p, "type": t, "lag": lag} for p, t, lag in it.after]
        if it.deadline is not None:
            d["deadline"] = _iso(it.deadline)
        if it.owner:
            d["owner"] = [it.owner]
        items[it.id] = d
    return {
        "govflow": 1,
        "id": f"synthetic-programme-{label(prog.n)}",
        "title": f"Synthetic national planning programme ({prog.n} items, seed {prog.seed})",
        "start": START.isoformat(),
        "as_of": START.isoformat(),
        "timezone": "Europe/London",
        "organizer": "programme.office@example.nhs.uk",
        "holidays": "england",
        "bodies": bodies,
        "items": items,
    }


def _tj(iid: str) -> str:
    return iid.replace("-", "_")


def to_tjp(prog: Programme) -> str:
    """Dependency-only TaskJuggler project for the same DAG (no meeting quantisation)."""
    out = [
        f'project gf "Synthetic programme {prog.n} items" {START.isoformat()} +7y {{',
        '  timezone "Europe/London"',
        '  timeformat "%Y-%m-%d"',
        "  now " + START.isoformat(),
        '  scenario plan "Plan"',
        "}",
        "",
    ]
    for h in sorted(ENGLAND_HOLIDAYS):
        out.append(f'leaves holiday "Bank holiday" {h.isoformat()}')
    out.append("")
    for it in prog.items.values():
        out.append(f'task {_tj(it.id)} "{it.title}" {{')
        if it.kind == "fixed":
            out.append("  milestone")
            out.append(f"  start {_iso(it.on)}-18:00")  # type: ignore[arg-type]
        elif it.kind == "task":
            out.append(f"  length {it.duration}d")
        else:  # meetings and milestones: zero-length, no quantisation
            out.append("  milestone")
        for pid, typ, lag in it.after:
            opts = []
            if typ == "SS":
                opts.append("onstart")
            if lag:
                opts.append(f"gaplength {lag}d")
            dep = f"  depends {_tj(pid)}"
            out.append(dep + (" { " + " ".join(opts) + " }" if opts else ""))
        out.append("}")
    out += [
        "",
        'taskreport tasks "tasks" {',
        "  formats csv",
        "  columns id, start, end",
        "}",
        "",
    ]
    return "\n".join(out)


def to_dag(prog: Programme) -> dict[str, Any]:
    """The same DAG in integer working days, for the minimal CPM in ``cpm.py``.

    Time points count working days from the timeline start: a task of d days occupying
    working days [s, s + d) has start point s and finish point s + d; a zero-length item on
    working day i sits at point i + 1 (end of that day). Deadlines use the same points.
    """
    cal = prog.cal
    base = cal.ceil(START.toordinal())
    index = {iid: k for k, iid in enumerate(prog.items)}
    ids, dur, fixed, deadline, preds = [], [], [], [], []
    for it in prog.items.values():
        ids.append(it.id)
        dur.append(it.duration if it.kind == "task" else 0)
        fixed.append(cal.floor(it.on) - base + 1 if it.kind == "fixed" else None)  # type: ignore[arg-type]
        deadline.append(cal.floor(it.deadline) - base + 1 if it.deadline is not None else None)
        preds.append([[index[p], t, lag] for p, t, lag in it.after])
    return {"ids": ids, "dur": dur, "fixed": fixed, "deadline": deadline, "preds": preds}


def write(prog: Programme, out: Path) -> dict[str, Path]:
    """Write the three files for one programme; return their paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"programme-{label(prog.n)}"
    paths = {
        "govflow": out / f"{stem}.json",
        "tjp": out / f"{stem}.tjp",
        "dag": out / f"{stem}.dag.json",
        "estimate": out / f"{stem}.estimate.json",
    }
    paths["govflow"].write_text(json.dumps(to_govflow(prog), indent=1) + "\n")
    paths["tjp"].write_text(to_tjp(prog))
    paths["dag"].write_text(json.dumps(to_dag(prog), separators=(",", ":")) + "\n")
    est = {
        it.id: {"early_finish": _iso(it.finish), "deadline": _iso(it.deadline)}
        for it in prog.items.values()
        if it.deadline is not None
    }
    paths["estimate"].write_text(json.dumps(est, indent=1) + "\n")
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--items",
        type=int,
        action="append",
        help="number of items (repeatable; default 1000, 10000, 100000)",
    )
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = ap.parse_args(argv)
    for n in args.items or [1000, 10000, 100000]:
        prog = build(n, args.seed)
        paths = write(prog, args.out)
        deadlines = sum(1 for it in prog.items.values() if it.deadline is not None)
        meetings = sum(len(b.meetings) for b in prog.bodies.values())
        print(
            f"{n} items, {len(prog.bodies)} bodies ({meetings} meetings), "
            f"{deadlines} deadlines -> " + ", ".join(str(p) for p in paths.values())
        )


if __name__ == "__main__":
    main()
