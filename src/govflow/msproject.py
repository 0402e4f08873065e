"""MS Project plans -> timeline: MSPDI XML directly, and .mpp, Primavera .xer and the other formats
MPXJ reads through MPXJ (the optional extra `govflow[mpxj]`, which needs Java).

What is read: tasks (durations in working days), summary tasks (kept as comments above their
first task), milestones, links with their type and lag, deadlines, "must start/finish on"
constraints on milestones (fixed events), calendar exceptions (bank holidays of a UK nation when
they match one, else closures), percent complete and actual dates (progress) and the status date.
A file govflow exported itself (`govflow gantt -f mspdi`) also carries, in each task's notes, the
item's id, kind, level, body and the date as written (TBC windows), and in the project's notes
(the summary task, UID 0) every meeting of each body, its papers lead time and the items that
could not be scheduled; those give back the same schedule: every item on the same early and
latest dates, with the same float, status and deadline verdicts.
"""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from .calendars import NATIONS, WorkCalendar, bank_holidays
from .dates import parse_window
from .errors import GovflowError, Problem
from .sheets import SheetError
from .timeline_writer import Draft, DraftBody, DraftItem, Imported, ImportOptions, render_draft, slug, validated

__all__ = ["MSProjectError", "import_mspdi", "import_with_mpxj", "read_mspdi"]

MINUTES_PER_DAY = 480
_TYPE = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
_NOTE = re.compile(
    r"^govflow (?P<key>\S+): (?P<kind>task|milestone|meeting|event), (?P<level>national|regional|local)"
    r"(?:, at (?P<body>.*?)(?:; body: (?P<bid>\S+))?)?(?:; date as written: (?P<window>.*))?$",
    re.DOTALL,
)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class MSProjectError(SheetError):
    """An MS Project file that cannot be read."""


@dataclass
class _Task:
    uid: str
    name: str
    outline: int
    summary: bool
    milestone: bool
    start: date | None
    finish: date | None
    duration_days: float
    percent: int
    actual_start: date | None
    actual_finish: date | None
    remaining_days: float | None
    constraint: int | None
    constraint_date: date | None
    deadline: date | None
    notes: str
    links: list[tuple[str, str, float]] = field(default_factory=list)  # (pred uid, type, lag in working days)
    calendar_uid: str | None = None


@dataclass
class _Project:
    name: str
    title: str
    start: date | None
    status: date | None
    minutes_per_day: int
    tasks: list[_Task]
    exceptions: set[date]
    calendar_name: str
    notes: str = ""  # the project's notes (the summary task's, UID 0)


def _strip(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if _strip(c.tag) == name:
            return c
    return None


def _text(el: ET.Element, name: str) -> str:
    c = _child(el, name)
    return (c.text or "").strip() if c is not None else ""


def _dt(text: str) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:19]).date()
    except ValueError:
        return None


def _hours(text: str) -> float:
    """An ISO 8601 duration (PT760H0M0S) in hours."""
    m = re.fullmatch(
        r"-?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?", text
    )
    if not m:
        return 0.0
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return d * 24 + h + mi / 60 + s / 3600


def read_mspdi(path: Path) -> _Project:
    """Parse an MSPDI file (the parts govflow uses). Raises `MSProjectError`."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise MSProjectError([Problem("unreadable", f"cannot read the file: {e.strerror or e}", name)]) from None
    if b"<!DOCTYPE" in raw[:4096] or b"<!ENTITY" in raw[:65536]:
        raise MSProjectError([Problem("not-mspdi", "XML with a DOCTYPE or entities is refused (not MSPDI)", name)])
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        line = e.position[0] if getattr(e, "position", None) else None
        raise MSProjectError([Problem("not-mspdi", f"not valid XML: {e}", name, line)]) from None
    if _strip(root.tag) != "Project":
        raise MSProjectError(
            [
                Problem(
                    "not-mspdi",
                    f"not an MS Project XML file (the root element is <{_strip(root.tag)}>, "
                    "not <Project>); save it from MS Project as 'XML Format (*.xml)'",
                    name,
                )
            ]
        )
    mpd = int(_text(root, "MinutesPerDay") or MINUTES_PER_DAY) or MINUTES_PER_DAY
    cal_uid = _text(root, "CalendarUID")
    exceptions: set[date] = set()
    cal_name = ""
    cals = _child(root, "Calendars")
    for cal in list(cals) if cals is not None else []:
        if cal_uid and _text(cal, "UID") != cal_uid:
            continue
        cal_name = _text(cal, "Name")
        exs = _child(cal, "Exceptions")
        for ex in list(exs) if exs is not None else []:
            if _text(ex, "DayWorking") == "1":
                continue
            period = _child(ex, "TimePeriod")
            if period is None:
                continue
            a, b = _dt(_text(period, "FromDate")), _dt(_text(period, "ToDate"))
            if a and b and (b - a).days <= 366 * 5:
                exceptions.update(a + timedelta(i) for i in range((b - a).days + 1) if (a + timedelta(i)).weekday() < 5)
        break
    tasks = []
    notes = ""
    ts = _child(root, "Tasks")
    for t in list(ts) if ts is not None else []:
        if _text(t, "UID") == "0" and _text(t, "OutlineLevel") in ("", "0"):
            notes = _text(t, "Notes")
        if _text(t, "IsNull") == "1" or (_text(t, "UID") in ("", "0") and _text(t, "OutlineLevel") in ("", "0")):
            continue
        links = []
        for pl in t:
            if _strip(pl.tag) != "PredecessorLink":
                continue
            lag_fmt = _text(pl, "LagFormat")
            lag = float(_text(pl, "LinkLag") or 0) / 10 / mpd  # tenths of minutes -> working days
            if lag_fmt in ("19", "20", "51", "52"):  # percent lags: not working days
                lag = 0.0
            links.append((_text(pl, "PredecessorUID"), _TYPE.get(_text(pl, "Type") or "1", "FS"), lag))
        rem = _text(t, "RemainingDuration")
        ct = _text(t, "ConstraintType")
        tasks.append(
            _Task(
                uid=_text(t, "UID"),
                name=" ".join(_text(t, "Name").split()) or f"Task {_text(t, 'UID')}",
                outline=int(_text(t, "OutlineLevel") or 1),
                summary=_text(t, "Summary") == "1",
                milestone=_text(t, "Milestone") == "1",
                start=_dt(_text(t, "Start")),
                finish=_dt(_text(t, "Finish")),
                duration_days=_hours(_text(t, "Duration")) * 60 / mpd,
                percent=int(float(_text(t, "PercentComplete") or 0)),
                actual_start=_dt(_text(t, "ActualStart")),
                actual_finish=_dt(_text(t, "ActualFinish")),
                remaining_days=_hours(rem) * 60 / mpd if rem else None,
                constraint=int(ct) if ct.isdigit() else None,
                constraint_date=_dt(_text(t, "ConstraintDate")),
                deadline=_dt(_text(t, "Deadline")),
                notes=_text(t, "Notes"),
                links=links,
            )
        )
    return _Project(
        name=_text(root, "Name"),
        title=_text(root, "Title"),
        start=_dt(_text(root, "StartDate")),
        status=_dt(_text(root, "StatusDate")),
        minutes_per_day=mpd,
        tasks=tasks,
        exceptions=exceptions,
        calendar_name=cal_name,
        notes=notes,
    )


def _nation(project: _Project) -> tuple[str, set[date], str]:
    """The UK nation whose bank holidays the calendar's exceptions hold, and the other exceptions."""
    m = re.search(r"\((england|wales|scotland|northern-ireland|none) bank holidays\)", project.calendar_name)
    days = project.exceptions
    if not days:
        return ("none" if m and m[1] == "none" else "england"), set(), "no calendar exceptions"
    years = range(min(days).year, max(days).year + 1)
    best, best_n = "none", 0
    for nation in NATIONS:
        if nation == "none":
            continue
        hol = {d for d in bank_holidays(nation, years) if d.weekday() < 5 and min(days) <= d <= max(days)}
        if hol and hol <= days and len(hol) > best_n:
            best, best_n = nation, len(hol)
    if m and m[1] in NATIONS:
        best = m[1]
    hol = {d for d in bank_holidays(best, years)} if best != "none" else set()
    return best, days - hol, f"the calendar's exceptions hold {best}'s bank holidays"


def import_mspdi(path: Path, options: ImportOptions) -> Imported:
    """A timeline from an MS Project XML file; `options` is an `importing.ImportOptions`."""
    project = read_mspdi(path)
    if not [t for t in project.tasks if not t.summary]:
        raise MSProjectError([Problem("no-tasks", "the project has no tasks to import", str(path))])
    draft, kinds, notes = _draft(project, options, path)
    text = validated(render_draft(draft), draft, str(path), MSProjectError)
    return Imported(text, sum(kinds.values()), len(draft.bodies), draft.check_count, kinds, (), tuple(notes))


def _meta(task: _Task) -> dict[str, str] | None:
    m = _NOTE.match(task.notes)
    return m.groupdict() if m else None


def _block(project: _Project) -> dict[str, Any] | None:
    """The project notes govflow writes (`exporters.mspdi.govflow_notes`), when they are there."""
    if not project.notes.startswith("govflow:"):
        return None
    try:
        data = yaml.safe_load(project.notes)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("bodies", {}), dict):
        return None
    return data


def _block_bodies(block: dict[str, Any]) -> tuple[dict[str, DraftBody], dict[str, str]]:
    """The bodies in govflow's project notes, and each one's id in the imported timeline by its
    key ('timeline:body'): a body shared by timelines (the same meetings) is one body."""
    defs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, d in (block.get("bodies") or {}).items():
        if isinstance(d, dict):
            defs.setdefault(str(key).split(":", 1)[-1], []).append((str(key), d))
    bodies: dict[str, DraftBody] = {}
    ids: dict[str, str] = {}
    for bid, entries in defs.items():
        for key, d in entries:
            same = next((b for b in bodies.values() if b.id.startswith(bid) and _body_def(b) == d), None)
            if same is not None:
                ids[key] = same.id
                continue
            new = bid if bid not in bodies else f"{bid}-{key.split(':', 1)[0]}"
            body = DraftBody(new, str(d.get("name") or bid), str(d.get("level") or "local"))
            body.papers_due = int(d.get("papers_due", 5))
            if d.get("chairs_action") is not None:
                body.extra["chairs_action"] = int(d["chairs_action"])
            for m in d.get("meets") or []:
                body.meets.append((str(m["date"]), str(m.get("note") or "")) if isinstance(m, dict) else (str(m), ""))
            bodies[new], ids[key] = body, new
    return bodies, ids


def _body_def(b: DraftBody) -> dict[str, Any]:
    d: dict[str, Any] = {"name": b.name, "level": b.level, "papers_due": b.papers_due}
    if "chairs_action" in b.extra:
        d["chairs_action"] = b.extra["chairs_action"]
    d["meets"] = [{"date": w, "note": n} if n else w for w, n in b.meets]
    return d


def _draft(project: _Project, options: ImportOptions, path: Path) -> tuple[Draft, dict[str, int], list[str]]:
    notes: list[str] = []
    block = _block(project)
    nation, closures, why = _nation(project)
    if options.holidays != "england":
        nation = options.holidays
    cal = WorkCalendar(nation, closures, around=project.start)
    pid = options.id or (project.name if _ID.fullmatch(project.name or "") else slug(project.name or path.stem))
    draft = Draft(id=pid, title=options.title or project.title or project.name or path.stem, start=date(2000, 1, 1))
    draft.holidays = nation
    draft.check("holidays", why)
    draft.closures = [d.isoformat() for d in sorted(closures)]
    if closures:
        draft.check("closures", "the calendar's other non-working days")
    draft.as_of = options.as_of or project.status
    if draft.as_of and not options.as_of:
        draft.check("as_of", "the project's status date")
    draft.header = [
        draft.title,
        "",
        f"Imported by `govflow import` from {path.name} (MS Project XML).",
        "Every line marked '# check:' is an assumption govflow made: confirm or correct it, then",
        "run `govflow check` on this file.",
    ]
    by_uid = {t.uid: t for t in project.tasks}
    ids: dict[str, str] = {}
    used: set[str] = set()
    leaves = [t for t in project.tasks if not t.summary]
    lost: dict[str, dict[str, Any]] = {}
    if block is not None and isinstance(block.get("unschedulable"), dict):
        lost = {str(k): v for k, v in block["unschedulable"].items() if isinstance(v, dict)}
    key_id: dict[str, str] = {}  # govflow key ('timeline:item') -> id in the imported timeline

    def new_id(base: str) -> str:
        base = base if _ID.fullmatch(base) else slug(base)
        iid, n = base, 2
        while iid in used:
            iid, n = f"{base}-{n}", n + 1
        used.add(iid)
        return iid

    for t in leaves:
        meta = _meta(t)
        ids[t.uid] = new_id(meta["key"].split(":", 1)[-1] if meta else slug(t.name))
        if meta:
            key_id[meta["key"]] = ids[t.uid]
    for key in lost:
        key_id[key] = new_id(key.split(":", 1)[-1])
    # summary tasks: their names as comments above their first task, and links to them go to their tasks
    parents: list[_Task] = []
    heading: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    pending: list[str] = []
    for t in project.tasks:
        while parents and parents[-1].outline >= t.outline:
            parents.pop()
        if t.summary:
            parents.append(t)
            pending.append(f"{'  ' * (t.outline - 1)}---- {t.name} ----")
            children[t.uid] = []
            continue
        for p in parents:
            children[p.uid].append(t.uid)
        if pending:
            heading[t.uid], pending = pending, []
    bodies: dict[str, DraftBody] = {}
    body_ids: dict[str, str] = {}
    if block is not None:
        bodies, body_ids = _block_bodies(block)
        for b in bodies.values():
            b.check("meets", "every meeting of the body, from the plan's notes (a govflow export)")
    known = set(bodies)  # bodies whose meetings and papers lead time the plan's notes give
    kinds: dict[str, int] = {}
    rows: list[tuple[_Task, DraftItem, str]] = []
    for t in leaves:
        meta = _meta(t)
        item = DraftItem(ids[t.uid], before=heading.get(t.uid, []), source=f"task {t.uid}")
        f = item.fields
        f["title"] = t.name
        kind = meta["kind"] if meta else _kind(t)
        window = meta["window"] if meta and meta["window"] else None
        if meta:
            f["level"] = meta["level"]
        qualified = f"{meta['key'].split(':', 1)[0]}:{meta['bid']}" if meta and meta["bid"] else ""
        if kind == "meeting" and qualified in body_ids:
            f["at"] = body_ids[qualified]
        elif kind == "meeting" and meta and meta["body"]:
            name = meta["body"]
            bid = slug(name, words=6, stop=False)
            body = bodies.get(bid) or bodies.setdefault(bid, DraftBody(bid, name, meta["level"]))
            when = window or (t.finish.isoformat() if t.finish else "")
            if when and all(w != when for w, _ in body.meets):
                body.meets.append((when, ""))
            f["at"] = bid
        elif kind == "event":
            on = window or (t.constraint_date or t.start or t.finish)
            f["on"] = on.isoformat() if isinstance(on, date) else on
            if not meta:
                item.check("on", "a milestone that must start or finish on this date: a fixed event")
        elif kind == "task":
            n = max(1, round(t.duration_days))
            f["duration"] = n
            if not meta and abs(n - t.duration_days) > 0.01:
                item.check("duration", f"{t.duration_days:g} days rounded to {n} working days")
            if t.constraint in (2, 3) and t.constraint_date:  # must start / finish on: a deadline
                f["deadline"] = t.constraint_date.isoformat()
                item.check("deadline", "the task must finish (or start) on this date in MS Project")
            elif not meta and t.constraint in (4, 5, 6, 7) and t.constraint_date:
                what = {4: "start no earlier", 5: "start no later", 6: "finish no earlier", 7: "finish no later"}
                item.check(
                    "duration",
                    f"MS Project had '{what[t.constraint]} than {t.constraint_date}': govflow "
                    "has no such constraint (use 'after' or 'deadline')",
                )
        if t.deadline and "deadline" not in f:
            f["deadline"] = t.deadline.isoformat()
        _links(t, item, ids, by_uid, children)
        _progress(t, item, kind, draft.as_of, cal, meta is not None)
        kinds[kind] = kinds.get(kind, 0) + 1
        rows.append((t, item, kind))
        draft.items.append(item)
    for key, d in lost.items():
        draft.items.append(_lost_item(key, d, key_id, body_ids))
        kinds[str(d.get("kind") or "task")] = kinds.get(str(d.get("kind") or "task"), 0) + 1
    draft.bodies = bodies
    for b in bodies.values():
        if b.id in known:
            continue
        b.meets.sort(key=lambda m: parse_window(m[0]).last)
        b.check("meets", "the meeting dates of its decisions in the plan: add the body's other meetings")
    starts = [t.start for t in leaves if t.start] + ([project.start] if project.start else [])
    for tl in (block or {}).get("timelines", {}).values():
        if isinstance(tl, dict) and tl.get("start"):
            starts.append(date.fromisoformat(str(tl["start"])))
    draft.start = min(starts) if starts else (draft.as_of or date.today())
    draft.check("start", "the project's first date")
    _fit(draft, rows, project, known)
    return draft, kinds, notes


def _lost_item(key: str, d: dict[str, Any], key_id: dict[str, str], body_ids: dict[str, str]) -> DraftItem:
    """An item govflow could not schedule, from the plan's notes: it has no dates, so no task."""
    timeline = key.split(":", 1)[0]
    item = DraftItem(key_id[key], source="not a task: govflow could not schedule it")
    f = item.fields
    f["title"] = str(d.get("title") or key_id[key])
    f["level"] = str(d.get("level") or "local")
    if d.get("on"):
        f["on"] = str(d["on"])
    if d.get("at"):
        f["at"] = body_ids.get(f"{timeline}:{d['at']}", str(d["at"]))
    if d.get("kind") == "task":
        f["duration"] = int(d.get("duration") or 1)
    after = []
    for entry in d.get("after") or []:
        pred, *rest = str(entry).split()
        if pred in key_id:
            after.append(" ".join([key_id[pred], *rest]))
        else:
            item.check("title", f"a link to {pred}, which is not in the file: left out")
    if after:
        f["after"] = after
    for attr in ("deadline", "done", "started", "remaining", "forecast"):
        if d.get(attr) is not None:
            f[attr] = d[attr] if attr == "remaining" else str(d[attr])
    if d.get("owner"):
        f["owner"] = [str(o) for o in d["owner"]]
    if d.get("reason"):
        item.check("title", f"govflow could not schedule it: {d['reason']}")
    return item


def _kind(t: _Task) -> str:
    if t.milestone or t.duration_days == 0:
        return "event" if t.constraint in (2, 3) else "milestone"
    return "task"


def _links(
    t: _Task, item: DraftItem, ids: dict[str, str], by_uid: dict[str, _Task], children: dict[str, list[str]]
) -> None:
    after: list[str] = []
    for uid, typ, lag in t.links:
        targets = [uid] if uid in ids else children.get(uid, [])
        if not targets:
            item.check("title", f"a link to task {uid}, which is not in the file: left out")
            continue
        if uid not in ids:
            name = by_uid[uid].name if uid in by_uid else uid
            item.check("after", f"after the summary task '{name}': after each of its tasks")
        if typ == "SF":
            item.check("after", "a start-to-finish link is read as finish-to-start")
            typ = "FS"
        n = round(lag)
        if abs(n - lag) > 0.01:
            item.check("after", f"a lag of {lag:g} working days rounded to {n}")
        for target in targets:
            entry = ids[target] + (f" {typ}" if typ != "FS" else "") + (f" {n:+d}" if n else "")
            if target != t.uid and all(a.split()[0] != ids[target] for a in after):
                after.append(entry)
    if after:
        item.fields["after"] = after


def _progress(t: _Task, item: DraftItem, kind: str, as_of: date | None, cal: WorkCalendar, own: bool) -> None:
    f = item.fields
    if kind == "event":
        return
    if t.percent >= 100:
        d = t.actual_finish or t.finish
        if d:
            f["done"] = d.isoformat()
            if kind == "task" and (t.actual_start or t.start):
                f["started"] = (t.actual_start or t.start).isoformat()  # type: ignore[union-attr]
        return
    if kind != "task" or not (t.percent > 0 or t.actual_start):
        return
    begun = t.actual_start or t.start
    if begun is None:
        return
    f["started"] = begun.isoformat()
    if as_of is not None and t.finish is not None:
        if own or t.remaining_days is None:  # the finish the plan shows, counted from the status date
            left = max(0, cal.between(as_of - timedelta(days=1), t.finish))
        else:
            left = max(0, round(t.remaining_days))
        f["remaining"] = max(left, 1) if t.finish >= as_of else 0
    item.check("started", f"{t.percent}% complete in MS Project")


def _fit(draft: Draft, rows: list[tuple[_Task, DraftItem, str]], project: _Project, known: set[str]) -> None:
    """Make the imported schedule land where the plan's own dates are: each body's papers lead time
    (which MS Project does not hold), and a forecast for work the plan shows finishing later than
    its links and durations give (an owner's forecast in govflow)."""
    from .loading import load_text
    from .scheduling import schedule

    def run() -> Any:
        try:
            return schedule(load_text(render_draft(draft), f"{draft.id}.yaml"))
        except (GovflowError, ValueError):
            return None

    def off(sched: Any, kinds: tuple[str, ...], body: str | None = None) -> list[tuple[_Task, DraftItem]]:
        out = []
        for t, item, kind in rows:
            if kind not in kinds or (body is not None and item.fields.get("at") != body):
                continue
            s = sched.items.get(f"{draft.id}:{item.id}")
            if s is None or s.early_finish != t.finish:
                out.append((t, item))
        return out

    sched = run()
    if sched is None:
        return
    for bid, body in draft.bodies.items():
        if bid in known:
            continue
        if not off(sched, ("meeting",), bid):
            body.check("papers_due", "5 working days assumed: MS Project does not hold it")
            continue
        for pd in (4, 3, 6, 2, 7, 1, 8, 9, 10, 0, 12, 15, 20):
            body.papers_due = pd
            trial = run()
            if trial is not None and not off(trial, ("meeting",), bid):
                sched = trial
                body.check(
                    "papers_due",
                    f"{pd} working days: the lead time that puts every decision at this body on its date in the plan",
                )
                break
        else:
            body.papers_due = 5
            body.check("papers_due", "5 working days assumed: MS Project does not hold it")
            sched = run()
    for _ in range(5):
        if sched is None:
            return
        late = [(t, item) for t, item in off(sched, ("task", "milestone")) if "done" not in item.fields]
        moved = False
        for t, item in late:
            s = sched.items.get(f"{draft.id}:{item.id}")
            if t.finish and s is not None and s.early_finish is not None and s.early_finish < t.finish:
                item.fields["forecast"] = t.finish.isoformat()
                item.checks["forecast"] = ["the plan finishes it then, later than its links and duration give"]
                moved = True
        if not moved:
            return
        sched = run()


def import_with_mpxj(path: Path, options: ImportOptions) -> Imported:
    """.mpp, .xer and the other formats MPXJ reads: converted to MSPDI by MPXJ, then imported."""
    name = str(path)
    try:
        import jpype
        import mpxj  # noqa: F401 - puts MPXJ's jars on the class path
    except ImportError:
        raise MSProjectError(
            [
                Problem(
                    "needs-mpxj",
                    f"reading {path.suffix} files needs MPXJ: pip install 'govflow[mpxj]' "
                    "(and Java 11 or later); or save the plan from MS Project as XML (*.xml)",
                    name,
                )
            ]
        ) from None
    try:
        if not jpype.isJVMStarted():
            jpype.startJVM()
        from org.mpxj.mspdi import MSPDIWriter
        from org.mpxj.reader import UniversalProjectReader

        project = UniversalProjectReader().read(name)
        if project is None:
            raise MSProjectError([Problem("not-a-plan", "MPXJ does not recognise this file as a plan", name)])
        with tempfile.TemporaryDirectory() as tmp:
            xml = Path(tmp) / f"{path.stem}.xml"
            MSPDIWriter().write(project, str(xml))
            return import_mspdi(xml, options)
    except MSProjectError:
        raise
    except Exception as e:  # a Java exception or a JVM that cannot start
        raise MSProjectError([Problem("mpxj-failed", f"MPXJ could not read the file: {e}", name)]) from None
