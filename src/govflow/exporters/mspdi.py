"""MS Project XML (MSPDI) from a schedule, for MS Project, ProjectLibre and anything built on MPXJ.

Elements follow the MSPDI schema's order. Each timeline gets a base calendar (Monday to Friday,
08:00-12:00 and 13:00-17:00, so a working day is 480 minutes) whose exceptions are its bank
holidays and closures. Tasks carry govflow's dates: a task runs 08:00 on its first day to 17:00
on its last; milestones, meeting decisions and fixed events are milestones at 17:00 of their
day. Each task is held on its date by a "start no earlier than" constraint (fixed events: "must
start on"), because meeting dates - govflow's quantisation - are not something MS Project can
derive from the links. Links keep their type (FF=0, FS=1, SF=2, SS=3) and lag (LinkLag in
tenths of a minute: working days x 8 h x 600).

What MS Project has no field for is kept in notes, so that `govflow import` gives back the same
schedule: each task's notes name its govflow item (id, kind, level, body and the date as
written, e.g. a TBC window), and the notes of the project summary task (UID 0, MS Project's
project notes) hold, in govflow's own YAML, every meeting of each body (with its papers lead
time: meeting dates are govflow's quantisation) and the items govflow could not schedule, which
have no dates and so are not tasks (`govflow check` gives the reason).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import yaml

from ..dates import Window
from ..scheduling import Schedule
from .bars import Bar, Baseline, bars, status_date

__all__ = ["LINK_TYPE", "govflow_notes", "render_mspdi"]

NS = "http://schemas.microsoft.com/project"
LINK_TYPE = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
MINUTES_PER_DAY = 480
_CONSTRAINT = {"snet": 4, "mso": 2}


def _start(d: date) -> str:
    return f"{d.isoformat()}T08:00:00"


def _finish(d: date) -> str:
    return f"{d.isoformat()}T17:00:00"


def _duration(days: int) -> str:
    return f"PT{days * MINUTES_PER_DAY // 60}H0M0S"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in XML 1.0


def _sub(parent: ET.Element, tag: str, text: object) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = _CONTROL.sub("", str(text))
    return el


def _calendar(parent: ET.Element, uid: int, name: str, holidays: dict[date, str]) -> None:
    cal = ET.SubElement(parent, "Calendar")
    _sub(cal, "UID", uid)
    _sub(cal, "Name", name)
    _sub(cal, "IsBaseCalendar", 1)
    _sub(cal, "IsBaselineCalendar", 0)
    _sub(cal, "BaseCalendarUID", -1)
    week = ET.SubElement(cal, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday ... 7 = Saturday
        wd = ET.SubElement(week, "WeekDay")
        _sub(wd, "DayType", day_type)
        working = day_type not in (1, 7)
        _sub(wd, "DayWorking", int(working))
        if working:
            times = ET.SubElement(wd, "WorkingTimes")
            for a, b in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                wt = ET.SubElement(times, "WorkingTime")
                _sub(wt, "FromTime", a)
                _sub(wt, "ToTime", b)
    if holidays:
        exceptions = ET.SubElement(cal, "Exceptions")
        for d, why in holidays.items():
            ex = ET.SubElement(exceptions, "Exception")
            _sub(ex, "EnteredByOccurrences", 0)
            period = ET.SubElement(ex, "TimePeriod")
            _sub(period, "FromDate", f"{d.isoformat()}T00:00:00")
            _sub(period, "ToDate", f"{d.isoformat()}T23:59:00")
            _sub(ex, "Occurrences", 1)
            _sub(ex, "Name", why)
            _sub(ex, "Type", 1)  # daily
            _sub(ex, "DayWorking", 0)


def _task(parent: ET.Element, n: int, b: Bar, uid_of: dict[str, int], cal_uid: int, sd: date | None) -> None:
    t = ET.SubElement(parent, "Task")
    _sub(t, "UID", n)
    _sub(t, "ID", n)
    _sub(t, "Name", b.name)
    _sub(t, "Active", 1)
    _sub(t, "Manual", 0)
    _sub(t, "Type", 1)  # fixed duration
    _sub(t, "IsNull", 0)
    _sub(t, "WBS", n)
    _sub(t, "OutlineNumber", n)
    _sub(t, "OutlineLevel", 1)
    _sub(t, "Priority", 500)
    start = _finish(b.start) if b.milestone else _start(b.start)
    _sub(t, "Start", start)
    _sub(t, "Finish", _finish(b.end))
    _sub(t, "Duration", _duration(b.duration))
    _sub(t, "DurationFormat", 7)  # days
    _sub(t, "Work", _duration(0))  # no resources: no work (MS Project writes 0h; absent reads as NaN)
    _sub(t, "Estimated", 0)
    _sub(t, "Milestone", int(b.milestone))
    _sub(t, "Summary", 0)
    _sub(t, "Critical", int(b.critical))
    if b.float is not None:
        _sub(t, "TotalSlack", b.float * MINUTES_PER_DAY * 10)
    _sub(t, "PercentComplete", b.progress)
    _sub(t, "PercentWorkComplete", b.progress)
    # Actual and remaining duration and work at every progress state: MS Project's recalculation
    # (and MPXJ's MicrosoftScheduler) needs them, e.g. an actual duration of 0 on a task not started.
    if b.status == "done":
        done = b.duration
    elif b.status == "in-progress" and sd is not None:
        done = round(b.duration * b.progress / 100)
    else:
        done = 0
    if b.status in ("done", "in-progress"):
        _sub(t, "ActualStart", start)
    if b.status == "done":
        _sub(t, "ActualFinish", _finish(b.end))
    _sub(t, "ActualDuration", _duration(done))
    _sub(t, "ActualWork", _duration(0))
    _sub(t, "RemainingDuration", _duration(b.duration - done))
    _sub(t, "RemainingWork", _duration(0))
    fixed = b.kind == "event"
    _sub(t, "ConstraintType", _CONSTRAINT["mso" if fixed else "snet"])
    _sub(t, "CalendarUID", cal_uid)
    _sub(t, "ConstraintDate", start)
    if b.deadline is not None:
        _sub(t, "Deadline", _finish(b.deadline))
    note = f"govflow {b.key}: {b.kind}, {b.level}"
    if b.body_name:
        note += f", at {b.body_name}; body: {b.body}"
    if b.window:
        note += f"; date as written: {b.window}"
    _sub(t, "Notes", note)
    for link in b.links:
        pl = ET.SubElement(t, "PredecessorLink")
        _sub(pl, "PredecessorUID", uid_of[link.pred])
        _sub(pl, "Type", LINK_TYPE[link.type])
        _sub(pl, "CrossProject", 0)
        _sub(pl, "LinkLag", link.lag * MINUTES_PER_DAY * 10)
        _sub(pl, "LagFormat", 7)  # days
    if b.baseline_start is not None and b.baseline_end is not None:
        bl = ET.SubElement(t, "Baseline")
        _sub(bl, "Number", 0)
        _sub(bl, "Start", _finish(b.baseline_start) if b.milestone else _start(b.baseline_start))
        _sub(bl, "Finish", _finish(b.baseline_end))


def _written(w: Window) -> str:
    return w.text or str(w)


def govflow_notes(sched: Schedule) -> str:
    """What MS Project cannot hold, as govflow YAML: each timeline's start, every body's meetings
    and papers lead time, and the items that cannot be scheduled (keys 'timeline:id')."""
    p = sched.programme
    data: dict[str, Any] = {
        "govflow": "what MS Project has no field for; `govflow import` reads it back",
        "timelines": {t.id: {"start": t.start.isoformat(), "holidays": t.holidays} for t in p.timelines},
    }
    bodies: dict[str, Any] = {}
    for t in p.timelines:
        for bid, body in t.bodies.items():
            entry: dict[str, Any] = {"name": body.name, "level": body.level, "papers_due": body.papers_due}
            if body.chairs_action is not None:
                entry["chairs_action"] = body.chairs_action
            entry["meets"] = [
                {"date": _written(m.when), "note": m.note} if m.note else _written(m.when) for m in body.meetings
            ]
            bodies[f"{t.id}:{bid}"] = entry
    data["bodies"] = bodies
    lost: dict[str, Any] = {}
    for key, r in sched.items.items():
        if r.early_start is not None and r.early_finish is not None:
            continue
        item = p.items[key]
        f: dict[str, Any] = {"title": item.title, "kind": item.kind, "level": item.level, "reason": r.reason}
        if item.on is not None:
            f["on"] = _written(item.on)
        if item.at is not None:
            f["at"] = item.at
        if item.kind == "task":
            f["duration"] = item.duration
        if item.after:
            f["after"] = [d.pred + (f" {d.type}" if d.type != "FS" else "") + (f" {d.lag:+d}" if d.lag else "")
                          for d in item.after]  # fmt: skip
        if item.deadline is not None:
            f["deadline"] = _written(item.deadline)
        for attr in ("done", "started", "remaining", "forecast"):
            v = getattr(item, attr)
            if v is not None:
                f[attr] = v.isoformat() if isinstance(v, date) else v
        if item.owner:
            f["owner"] = list(item.owner)
        lost[key] = f
    if lost:
        data["unschedulable"] = lost
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)


def _summary(parent: ET.Element, name: str, first: date, last: date, notes: str) -> None:
    """The project summary task (UID 0): MS Project keeps the project's notes in it."""
    t = ET.SubElement(parent, "Task")
    _sub(t, "UID", 0)
    _sub(t, "ID", 0)
    _sub(t, "Name", name)
    _sub(t, "Active", 1)
    _sub(t, "Manual", 0)
    _sub(t, "Type", 1)
    _sub(t, "IsNull", 0)
    _sub(t, "WBS", 0)
    _sub(t, "OutlineNumber", 0)
    _sub(t, "OutlineLevel", 0)
    _sub(t, "Start", _start(first))
    _sub(t, "Finish", _finish(last))
    _sub(t, "Milestone", 0)
    _sub(t, "Summary", 1)
    _sub(t, "Notes", notes)


def render_mspdi(sched: Schedule, baseline: Baseline | None = None) -> str:
    """The schedule as an MSPDI document (UTF-8 XML text).

    Unschedulable items have no dates, so they are not tasks (see `govflow check`): they are in
    the project's notes, with the bodies' meetings (`govflow_notes`).
    """
    p = sched.programme
    bs = bars(sched, baseline)
    first_tl = p.timelines[0]
    first = min((b.start for b in bs), default=first_tl.start)
    last = max((b.end for b in bs), default=first_tl.start)
    root = ET.Element("Project", xmlns=NS)
    _sub(root, "SaveVersion", 14)
    _sub(root, "UID", 0)
    _sub(root, "Name", first_tl.id if p.single else ", ".join(t.id for t in p.timelines))
    _sub(root, "Title", first_tl.title if p.single else " + ".join(t.title for t in p.timelines))
    _sub(root, "Author", "govflow")
    _sub(root, "ScheduleFromStart", 1)
    _sub(root, "StartDate", _start(first))
    _sub(root, "FinishDate", _finish(last))
    _sub(root, "CalendarUID", 1)
    _sub(root, "DefaultStartTime", "08:00:00")
    _sub(root, "DefaultFinishTime", "17:00:00")
    _sub(root, "MinutesPerDay", MINUTES_PER_DAY)
    _sub(root, "MinutesPerWeek", MINUTES_PER_DAY * 5)
    _sub(root, "DaysPerMonth", 20)
    _sub(root, "DurationFormat", 7)
    _sub(root, "HonorConstraints", 1)
    _sub(root, "WeekStartDay", 1)  # Monday
    sd = sched.as_of
    if sd is not None:
        _sub(root, "StatusDate", _finish(sd))
        _sub(root, "CurrentDate", _finish(sd))
    _sub(root, "NewTasksAreManual", 0)
    cals = ET.SubElement(root, "Calendars")
    cal_uid: dict[str, int] = {}
    span_first, span_last = date(first.year, 1, 1), date(last.year, 12, 31)
    for i, t in enumerate(p.timelines, start=1):
        cal_uid[t.id] = i
        closures = sched.calendars[t.id].holidays_in(span_first, span_last)
        _calendar(cals, i, f"{t.id} ({t.holidays} bank holidays)", closures)
    tasks = ET.SubElement(root, "Tasks")
    _summary(tasks, first_tl.title if p.single else " + ".join(t.title for t in p.timelines), first, last,
             govflow_notes(sched))  # fmt: skip
    uid_of = {b.key: n for n, b in enumerate(bs, start=1)}
    for n, b in enumerate(bs, start=1):
        _task(tasks, n, b, uid_of, cal_uid[b.timeline], status_date(sched, b.timeline))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + "\n"
