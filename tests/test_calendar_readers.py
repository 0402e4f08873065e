"""The calendar exports read by the clients people use (issue 14, item 5), not only by Python parsers:

- **ical.js** (npm, Thunderbird's parser), run with node: every exported file parses, and timed
  events come out at the right UTC instants on both sides of the clocks changing (BST and GMT),
  using only the VTIMEZONE govflow writes (no time zone database of its own);
- **Radicale** (PyPI), a real CalDAV server started here on 127.0.0.1 and stopped after: one
  event per PUT; a re-export after a schedule change, PUT again, replaces the events in place
  (no duplicate resources or UIDs); cancellations are stored as STATUS:CANCELLED;
- **libical** through GObject introspection (Debian `gir1.2-ical-3.0`, the system Python's
  `gi`, as a subprocess): every file parses with no X-LIC-ERROR, invitations pass libical's
  iTIP restriction checks, and its UTC instants agree.

`bash tests/run` installs all three; without it a missing reader skips (`readers.need`).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from readers import NODE, SYSTEM_PYTHON, need
from test_calendar import GOLDEN, STAMP, TIMED, parse, run
from test_calendar_statutory import STAT

ROOT = Path(__file__).parent.parent
ICALJS = ROOT / "build" / "ical.js" / "node_modules" / "ical.js" / "dist" / "ical.js"
LONDON = ZoneInfo("Europe/London")

# Meetings at 09:30 London time either side of each change of the clocks in 2019 and 2020. (Not a
# meeting at 01:30 on the night the clocks go back: that time happens twice, RFC 5545 3.3.5 says it
# is the first (BST), and ical.js 2.2 takes the second (GMT).)
CLOCKS = """\
govflow: 1
id: clocks
start: 2019-01-07
as_of: 2019-01-07
timezone: Europe/London
organizer: planning.lead@example.nhs.uk
bodies:
  panel:
    name: Panel
    papers_due: 1
    time: "09:30"
    duration: 90m
    attendees: [clerk@example.nhs.uk]
    meets: [2019-03-29, 2019-04-01, 2019-10-25, 2019-10-28, 2020-03-27, 2020-03-30, 2020-10-23, 2020-10-26]
items:
{items}
"""


def statutory_changed(text: str) -> str:
    """The statutory timeline after the Cabinet defers the strategy from 23 May to 20 Jun and it stops
    being a key decision: its agenda and papers entries move, its notice entry and the HWB item's
    entries (too late for the HWB's mid-June window) are cancelled."""
    changed = text.replace("    key_decision: true\n    notice_after: [scope]\n", "    deferred: [2019-05-23]\n")
    assert changed.count("key_decision") == 1 and "deferred" in changed
    return changed


PANEL_DAYS = ["2019-03-29", "2019-04-01", "2019-10-25", "2019-10-28", "2020-03-27", "2020-03-30", "2020-10-23"]


def clocks_timeline(folder: Path) -> Path:
    items = [f"  m{i}: {{title: Panel meeting {d}, at: panel, after: [m{i - 1}]}}" for i, d in enumerate(PANEL_DAYS)]
    items[0] = "  m0: {title: First panel meeting, at: panel}"
    path = folder / "clocks.yaml"
    path.write_text(CLOCKS.format(items="\n".join(items)))
    return path


def expected_clock_instants() -> dict[str, tuple[datetime, datetime]]:
    """uid -> (start, end) in UTC, worked out from zoneinfo here, not by govflow."""
    out = {}
    for i, d in enumerate(PANEL_DAYS):
        start = datetime.fromisoformat(f"{d}T09:30").replace(tzinfo=LONDON).astimezone(UTC)
        out[f"clocks.m{i}.meeting@govflow"] = (start, start + timedelta(minutes=90))
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every kind of .ics govflow writes: the golden files and invitation folders, and fresh exports
    (publish with tasks, invitations, per-person invitations, cancellations, the clock changes)."""
    tmp = tmp_path_factory.mktemp("exports")
    files = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in sorted(GOLDEN.glob("**/*.ics"))}
    clocks = clocks_timeline(tmp)
    run(TIMED, "--no-state", "--tasks", "-o", tmp / "timed-tasks.ics", "--stamp", STAMP)
    run(clocks, "--no-state", "-o", tmp / "clocks.ics", "--stamp", STAMP)
    run(clocks, "--no-state", "--method", "request", "-o", tmp / "clocks-invites", "--stamp", STAMP)
    run(TIMED, "--no-state", "--tasks", "--method", "request", "--per-attendee", tmp / "people", "--stamp", STAMP)
    # a route change with --cancel-removed: METHOD:CANCEL files beside the REQUESTs
    timeline = tmp / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    run(timeline, "--method", "request", "-o", tmp / "invites", "--stamp", STAMP)
    removed = text.replace("    after: [hwb-review]\n", "    after: [board-review]\n").replace(
        "  hwb-review:\n    title: HWB recommends the plan\n    at: hwb\n    after: [board-review]\n", ""
    )
    timeline.write_text(removed)
    run(timeline, "--method", "request", "--cancel-removed", "-o", tmp / "invites", "--stamp", STAMP)
    run(timeline, "--cancel-removed", "-o", tmp / "cancelled.ics", "--stamp", STAMP)
    # statutory timing: agenda published and forward plan notice entries, as invitations and per
    # person, then moved and cancelled (METHOD:CANCEL files and STATUS:CANCELLED entries of those kinds)
    council = tmp / "statutory.yaml"
    text = STAT.read_text(encoding="utf-8")
    council.write_text(text, encoding="utf-8")
    run(council, "--tasks", "-o", tmp / "statutory.ics", "--stamp", STAMP)
    run(council, "--method", "request", "-o", tmp / "statutory-invites", "--stamp", STAMP)
    run(council, "--no-state", "--method", "request", "--per-attendee", tmp / "statutory-people", "--stamp", STAMP)
    council.write_text(statutory_changed(text), encoding="utf-8")
    run(council, "--method", "request", "--cancel-removed", "-o", tmp / "statutory-invites", "--stamp", STAMP)
    run(council, "--tasks", "--cancel-removed", "-o", tmp / "statutory.ics", "--stamp", STAMP)
    for p in sorted(tmp.glob("**/*.ics")):
        files[f"new/{p.relative_to(tmp)}"] = p.read_bytes()
    assert b"METHOD:CANCEL" in files["new/statutory-invites/2019-04-24-cancelled-notice-approve.ics"]
    assert any(b"METHOD:CANCEL" in d for d in files.values()) and any(b"STATUS:CANCELLED" in d for d in files.values())
    assert len(files) > 40
    return files


# ---- ical.js --------------------------------------------------------------------------------------

ICALJS_SCRIPT = r"""
import ICAL from %(module)s;
import { readFileSync } from "node:fs";
const out = {};
for (const path of JSON.parse(readFileSync(0, "utf8"))) {
  const result = { events: {}, errors: [] };
  out[path] = result;
  try {
    const cal = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
    if (cal.name !== "vcalendar") result.errors.push("top component is " + cal.name);
    // Only the file's own VTIMEZONEs: ical.js has no time zone database.
    ICAL.TimezoneService.reset();
    for (const vtz of cal.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(vtz);
    result.method = cal.getFirstPropertyValue("method");
    const when = (t, prop) => {
      if (t.isDate) return { date: t.toString() };
      const tzid = prop.getParameter("tzid");
      if (tzid && !ICAL.TimezoneService.has(tzid)) result.errors.push("no VTIMEZONE for " + tzid);
      if (!tzid && t.zone !== ICAL.Timezone.utcTimezone) result.errors.push("floating time " + t);
      return { utc: new Date(t.toUnixTime() * 1000).toISOString() };
    };
    for (const vevent of cal.getAllSubcomponents("vevent")) {
      const ev = new ICAL.Event(vevent);
      result.events[ev.uid] = {
        start: when(ev.startDate, vevent.getFirstProperty("dtstart")),
        end: when(ev.endDate, vevent.getFirstProperty("dtend")),
        sequence: ev.sequence,
        status: vevent.getFirstPropertyValue("status"),
        summary: ev.summary,
        alarms: vevent.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toSeconds()),
      };
    }
    result.count = cal.getAllSubcomponents("vevent").length;
  } catch (e) {
    result.errors.push(String(e && e.stack || e));
  }
}
process.stdout.write(JSON.stringify(out));
"""


def icaljs(files: dict[str, bytes], tmp_path: Path) -> dict[str, dict[str, object]]:
    need(NODE is not None and ICALJS.exists(), "node with npm ical.js in build/ical.js")
    assert NODE is not None
    folder = tmp_path / "icaljs"
    paths = {}
    for i, (name, data) in enumerate(files.items()):
        (folder / str(i)).mkdir(parents=True)
        paths[name] = folder / str(i) / Path(name).name
        paths[name].write_bytes(data)
    script = tmp_path / "read.mjs"
    script.write_text(ICALJS_SCRIPT % {"module": json.dumps(ICALJS.as_uri())})
    done = subprocess.run(
        [NODE, str(script)],
        input=json.dumps([str(p) for p in paths.values()]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "TZ": "Pacific/Chatham"},  # a zone far from London: nothing may lean on it
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    return {name: got[str(p)] for name, p in paths.items()}


def as_js(v: object) -> dict[str, str]:
    if isinstance(v, datetime):
        return {"utc": v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    assert isinstance(v, date)
    return {"date": v.isoformat()}


def test_icaljs_parses_every_export_with_the_same_entries_and_utc_times(
    exported: dict[str, bytes], tmp_path: Path
) -> None:
    read = icaljs(exported, tmp_path)
    for name, data in exported.items():
        got = read[name]
        assert got["errors"] == [], (name, got["errors"])
        expected = parse(data)  # icalendar and the strict `ical` package, which agree
        assert got["count"] == len(expected) == data.count(b"BEGIN:VEVENT\r\n"), name
        events = got["events"]
        assert isinstance(events, dict)
        assert set(events) == set(expected), name
        for uid, (start, end, sequence, status, summary) in expected.items():
            ev = events[uid]
            assert (ev["start"], ev["end"]) == (as_js(start), as_js(end)), (name, uid)
            assert (ev["sequence"], ev["status"] or "None", ev["summary"]) == (sequence, status, summary), (name, uid)
        if (
            name.startswith(("new/invites/", "new/statutory-invites/"))
            or "timed-request-tasks" in name
            or "people/" in name
        ):
            assert got["method"] in ("REQUEST", "CANCEL") and len(events) == 1, name


def test_icaljs_times_are_right_in_bst_and_gmt(exported: dict[str, bytes], tmp_path: Path) -> None:
    files = {
        "timed": (GOLDEN / "timed-request-tasks" / "2019-09-26-meeting-board-review.ics").read_bytes(),
        "timed-gmt": (GOLDEN / "timed-request-tasks" / "2019-11-28-meeting-board-approval.ics").read_bytes(),
        "clocks": exported["new/clocks.ics"],
    }
    read = icaljs(files, tmp_path)
    board = read["timed"]["events"]["calendar-demo.board-review.meeting@govflow"]  # type: ignore[index]
    assert (board["start"], board["end"]) == ({"utc": "2019-09-26T12:30:00.000Z"}, {"utc": "2019-09-26T15:30:00.000Z"})
    gmt = read["timed-gmt"]["events"]["calendar-demo.board-approval.meeting@govflow"]  # type: ignore[index]
    assert (gmt["start"], gmt["end"]) == ({"utc": "2019-11-28T13:30:00.000Z"}, {"utc": "2019-11-28T16:30:00.000Z"})
    events = read["clocks"]["events"]
    assert isinstance(events, dict)
    expected = expected_clock_instants()
    got = {uid: (events[uid]["start"], events[uid]["end"]) for uid in expected}
    assert got == {uid: (as_js(s), as_js(e)) for uid, (s, e) in expected.items()}
    # and the hours really differ: 08:30Z in summer, 09:30Z in winter
    assert {v[0]["utc"][11:16] for v in got.values()} == {"08:30", "09:30"}


def test_icaljs_reminders_are_relative_triggers(exported: dict[str, bytes], tmp_path: Path) -> None:
    read = icaljs({"timed": exported["new/timed-tasks.ics"]}, tmp_path)
    events = read["timed"]["events"]
    assert isinstance(events, dict)
    # 2 working days before Wed 28 Aug 2019 over the bank holiday: Fri 23 Aug at 09:00
    assert events["calendar-demo.bank-holiday-papers.papers@govflow"]["alarms"] == [
        int((-timedelta(days=5) + timedelta(hours=9)).total_seconds())
    ]


# ---- libical (GObject introspection, system Python) -----------------------------------------------

LIBICAL_SCRIPT = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as I

utc = I.Timezone.get_utc_timezone()
out = {}
for path in json.load(sys.stdin):
    text = open(path, encoding="utf-8").read()
    res = out[path] = {"errors": [], "events": {}}
    cal = I.Component.new_from_string(text)
    if cal is None or cal.isa() != I.ComponentKind.VCALENDAR_COMPONENT:
        res["errors"].append("not a VCALENDAR: %s" % I.errno_return())
        continue
    res["parse_errors"] = cal.count_errors()
    method = cal.get_first_property(I.PropertyKind.METHOD_PROPERTY)
    res["method"] = method.get_value_as_string() if method else None
    if res["method"] in ("REQUEST", "CANCEL"):
        res["restrictions"] = bool(cal.check_restrictions())  # iTIP (RFC 5546) rules, as libical has them
    res["after_checks"] = cal.count_errors()
    def walk(c):
        p = c.get_first_property(I.PropertyKind.XLICERROR_PROPERTY)
        while p is not None:
            res["errors"].append(p.as_ical_string())
            p = c.get_next_property(I.PropertyKind.XLICERROR_PROPERTY)
        s = c.get_first_component(I.ComponentKind.ANY_COMPONENT)
        while s is not None:
            walk(s)
            s = c.get_next_component(I.ComponentKind.ANY_COMPONENT)
    walk(cal)
    def when(t):
        if t.is_date():
            return {"date": "%04d-%02d-%02d" % (t.get_year(), t.get_month(), t.get_day())}
        return {"utc": t.convert_to_zone(utc).as_timet()}
    ev = cal.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
    n = 0
    while ev is not None:
        n += 1
        res["events"][ev.get_uid()] = {"start": when(ev.get_dtstart()), "end": when(ev.get_dtend()),
                                       "sequence": ev.get_sequence()}
        ev = cal.get_next_component(I.ComponentKind.VEVENT_COMPONENT)
    res["count"] = n
json.dump(out, sys.stdout)
"""


def libical(files: dict[str, bytes], tmp_path: Path) -> dict[str, dict[str, object]]:
    ok = os.path.exists(SYSTEM_PYTHON)
    if ok:
        probe = subprocess.run(
            [
                SYSTEM_PYTHON,
                "-c",
                "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
            ],
            capture_output=True,
            check=False,
        )
        ok = probe.returncode == 0
    need(ok, "libical through GObject introspection (Debian gir1.2-ical-3.0 and python3-gi)")
    paths = {}
    for i, (name, data) in enumerate(files.items()):
        paths[name] = tmp_path / "libical" / str(i) / Path(name).name
        paths[name].parent.mkdir(parents=True)
        paths[name].write_bytes(data)
    script = tmp_path / "read_libical.py"
    script.write_text(LIBICAL_SCRIPT)
    done = subprocess.run(
        [SYSTEM_PYTHON, str(script)],
        input=json.dumps([str(p) for p in paths.values()]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "TZ": "Pacific/Chatham"},
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    return {name: got[str(p)] for name, p in paths.items()}


def test_libical_parses_every_export_without_errors(exported: dict[str, bytes], tmp_path: Path) -> None:
    read = libical(exported, tmp_path)
    for name, data in exported.items():
        got = read[name]
        assert got["errors"] == [] and got["parse_errors"] == 0 and got["after_checks"] == 0, (name, got["errors"])
        if got["method"] in ("REQUEST", "CANCEL"):
            assert got["restrictions"] is True, name
        expected = parse(data)
        assert got["count"] == len(expected), name
        events = got["events"]
        assert isinstance(events, dict) and set(events) == set(expected), name
        for uid, (start, end, sequence, _, _) in expected.items():
            want = [
                {"utc": int(v.timestamp())} if isinstance(v, datetime) else {"date": v.isoformat()}  # type: ignore[attr-defined]
                for v in (start, end)
            ]
            assert [events[uid]["start"], events[uid]["end"]] == want, (name, uid)
            assert events[uid]["sequence"] == sequence, (name, uid)
    clocks = read["new/clocks.ics"]["events"]
    assert isinstance(clocks, dict)
    for uid, (start, end) in expected_clock_instants().items():
        assert (clocks[uid]["start"], clocks[uid]["end"]) == (
            {"utc": int(start.timestamp())},
            {"utc": int(end.timestamp())},
        )


def test_libical_reports_a_broken_file(tmp_path: Path) -> None:
    """The check above can fail: a bad DTSTART is an X-LIC-ERROR."""
    bad = (GOLDEN / "timed-request-tasks" / "2019-09-26-meeting-board-review.ics").read_bytes()
    bad = bad.replace(b"DTSTART;TZID=Europe/London:20190926T133000", b"DTSTART;TZID=Europe/London:2019xx")
    got = libical({"bad.ics": bad}, tmp_path)["bad.ics"]
    assert got["errors"] and "DTSTART" in str(got["errors"])


# ---- Radicale (CalDAV) -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CalDAV:
    """Just enough of a CalDAV client: PUT, MKCALENDAR, a REPORT of every VEVENT."""

    def __init__(self, base: str):
        self.base = base
        self.auth = "Basic " + base64.b64encode(b"govflow:x").decode()  # auth type none: any login is that user

    def request(self, method: str, path: str, body: bytes = b"", **headers: str) -> tuple[int, bytes]:
        req = urllib.request.Request(self.base + path, data=body or None, method=method)
        req.add_header("Authorization", self.auth)
        for k, v in headers.items():
            req.add_header(k.replace("_", "-"), v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def report(self, collection: str) -> dict[str, bytes]:
        """href -> calendar data of every resource in the collection holding a VEVENT."""
        body = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""
        status, data = self.request("REPORT", collection, body, Content_Type="application/xml", Depth="1")
        assert status == 207, data
        ns = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
        out = {}
        for resp in ET.fromstring(data).findall("D:response", ns):
            href = resp.findtext("D:href", namespaces=ns)
            cal = resp.findtext(".//C:calendar-data", namespaces=ns)
            assert href and cal, ET.tostring(resp)
            out[href] = cal.encode()
        return out


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[tuple[CalDAV, Path]]:
    need(importlib.util.find_spec("radicale") is not None, "Radicale (PyPI radicale, from the '[test]' extra)")
    storage = tmp_path / "radicale"
    port = free_port()
    log = (tmp_path / "radicale.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--auth-type", "none", "--storage-filesystem-folder", str(storage), "--web-type", "none",
         "--logging-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    dav = CalDAV(f"http://127.0.0.1:{port}")
    try:
        for _i in range(100):
            if proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        assert proc.poll() is None, (tmp_path / "radicale.log").read_text()
        yield dav, storage
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def one_per_event(data: bytes) -> dict[str, bytes]:
    """A govflow export as CalDAV wants it: uid -> one VCALENDAR per event, with the VTIMEZONEs it uses."""
    cal = icalendar.Calendar.from_ical(data)
    zones = cal.walk("VTIMEZONE")
    out = {}
    for ev in cal.walk("VEVENT"):
        one = icalendar.Calendar()
        one.add("VERSION", "2.0")
        one.add("PRODID", cal["PRODID"])
        for z in zones:
            one.add_component(z)
        one.add_component(ev)
        out[str(ev["UID"])] = one.to_ical()
    return out


def put_all(dav: CalDAV, collection: str, data: bytes) -> dict[str, int]:
    """PUT every event of an export to <collection>/<uid>.ics (what a CalDAV sync client does): uid -> status."""
    done = {}
    for uid, body in one_per_event(data).items():
        status, reply = dav.request(
            "PUT", f"{collection}{urllib.parse.quote(uid)}.ics", body, Content_Type="text/calendar; charset=utf-8"
        )
        assert status in (201, 204), (uid, status, reply)
        done[uid] = status
    return done


def stored(dav: CalDAV, collection: str) -> dict[str, icalendar.Event]:
    """uid -> the VEVENT the server holds, checking one resource per UID and one VEVENT per resource."""
    resources = dav.report(collection)
    by_uid: dict[str, list[icalendar.Event]] = {}
    for href, text in resources.items():
        events = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert len(events) == 1, href
        uid = str(events[0]["UID"])
        assert urllib.parse.unquote(href).endswith(f"/{uid}.ics"), href
        by_uid.setdefault(uid, []).extend(events)
    assert all(len(v) == 1 for v in by_uid.values()), "duplicate UIDs"
    assert len(by_uid) == len(resources)
    return {uid: evs[0] for uid, evs in by_uid.items()}


def test_radicale_updates_events_in_place_and_stores_cancellations(
    radicale: tuple[CalDAV, Path], tmp_path: Path
) -> None:
    dav, storage = radicale
    collection = "/govflow/calendar-demo/"
    status, reply = dav.request("MKCALENDAR", collection)
    assert status == 201, reply
    timeline = tmp_path / "timed.yaml"
    text = TIMED.read_text()
    timeline.write_text(text)
    out = tmp_path / "feed.ics"
    run(timeline, "--tasks", "-o", out, "--stamp", STAMP)
    first_export = parse(out.read_bytes())
    assert set(put_all(dav, collection, out.read_bytes()).values()) == {201}, "each event a new resource"
    first = stored(dav, collection)
    assert set(first) == set(first_export)
    board = "calendar-demo.board-review.meeting@govflow"
    assert first[board].decoded("DTSTART").astimezone(UTC) == datetime(2019, 9, 26, 12, 30, tzinfo=UTC)

    # the schedule changes: guidance two days later, the Board at 14:00, and hwb-review dropped
    changed = text.replace("on: 2019-09-02", "on: 2019-09-04").replace('"13:30"', '"14:00"')
    changed = changed.replace("    after: [hwb-review]\n", "    after: [board-review]\n").replace(
        "  hwb-review:\n    title: HWB recommends the plan\n    at: hwb\n    after: [board-review]\n", ""
    )
    timeline.write_text(changed)
    run(timeline, "--tasks", "--cancel-removed", "-o", out, "--stamp", "2019-09-12T09:00:00Z")
    second_export = parse(out.read_bytes())
    assert set(second_export) == set(first_export)
    statuses = put_all(dav, collection, out.read_bytes())
    assert set(statuses.values()) == {204}, "every event replaced in place, none created"

    second = stored(dav, collection)
    assert set(second) == set(first), "same resources, no duplicates"
    files = sorted(p.name for p in storage.glob("collection-root/govflow/calendar-demo/*.ics"))
    assert files == sorted(f"{uid}.ics" for uid in first), "one stored file per event"
    for uid, ev in second.items():
        start, end, sequence, status, summary = second_export[uid]
        got = tuple(ev.decoded(k) for k in ("DTSTART", "DTEND"))
        assert tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in got) == (start, end), uid
        assert (int(ev.get("SEQUENCE", 0)), str(ev.get("STATUS")), str(ev["SUMMARY"])) == (sequence, status, summary)
    assert second[board].decoded("DTSTART").astimezone(UTC) == datetime(2019, 9, 26, 13, 0, tzinfo=UTC)
    assert int(second[board]["SEQUENCE"]) == 1
    cancelled = {uid for uid, ev in second.items() if str(ev.get("STATUS")) == "CANCELLED"}
    assert cancelled == {"calendar-demo.hwb-review.meeting@govflow", "calendar-demo.hwb-review.papers@govflow"}
    assert all(int(second[uid]["SEQUENCE"]) > int(first[uid].get("SEQUENCE", 0)) for uid in cancelled)
    assert all(str(second[uid]["SUMMARY"]).startswith("Cancelled: ") for uid in cancelled)
    # a second resource with a UID the calendar already holds is refused (RFC 4791 no-uid-conflict)
    status, _ = dav.request(
        "PUT", f"{collection}copy.ics", one_per_event(out.read_bytes())[board], Content_Type="text/calendar"
    )
    assert status in (403, 409)
    assert len(stored(dav, collection)) == len(first)


def test_radicale_updates_agenda_and_notice_entries_in_place_and_stores_their_cancellation(
    radicale: tuple[CalDAV, Path], tmp_path: Path
) -> None:
    dav, _ = radicale
    collection = "/govflow/statutory-demo/"
    status, reply = dav.request("MKCALENDAR", collection)
    assert status == 201, reply
    council = tmp_path / "statutory.yaml"
    text = STAT.read_text(encoding="utf-8")
    council.write_text(text, encoding="utf-8")
    out = tmp_path / "council.ics"
    run(council, "-o", out, "--stamp", STAMP)
    assert set(put_all(dav, collection, out.read_bytes()).values()) == {201}
    first = stored(dav, collection)
    agenda, notice = "statutory-demo.approve.agenda@govflow", "statutory-demo.approve.notice@govflow"
    assert first[agenda].decoded("DTSTART") == date(2019, 5, 15) and first[notice].decoded("DTSTART") == date(
        2019, 4, 24
    )
    assert str(first[agenda]["SUMMARY"]).startswith("Agenda published: Cabinet, Thu 23 May 2019")

    council.write_text(statutory_changed(text), encoding="utf-8")
    run(council, "--cancel-removed", "-o", out, "--stamp", "2019-05-24T09:00:00Z")
    assert set(put_all(dav, collection, out.read_bytes()).values()) == {204}, "replaced in place, none created"
    second = stored(dav, collection)
    assert set(second) == set(first), "same resources, no duplicates"
    # deferred to Thu 20 Jun: agenda published Wed 12 Jun (13, 14, 17, 18, 19 Jun lie between)
    assert second[agenda].decoded("DTSTART") == date(2019, 6, 12) and int(second[agenda]["SEQUENCE"]) == 1
    assert str(second[agenda]["SUMMARY"]).startswith("Agenda published: Cabinet, Thu 20 Jun 2019")
    cancelled = {u for u, ev in second.items() if str(ev.get("STATUS")) == "CANCELLED"}
    assert cancelled == {notice} | {f"statutory-demo.hwb-note.{k}@govflow" for k in ("papers", "agenda", "meeting")}
    assert int(second[notice]["SEQUENCE"]) == 1 and str(second[notice]["SUMMARY"]).startswith(
        "Cancelled: Forward plan notice due: Cabinet approves the strategy"
    )
