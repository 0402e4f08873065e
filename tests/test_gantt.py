"""`govflow gantt`: golden files per format, and each format read back by the real reader.

- MSPDI read by MPXJ (Java): same tasks, dates, links (types and lags), deadlines, calendar.
- HTML opened in headless Chromium: one bar per scheduled item, no console messages,
  legible at 10 and 500 items (axis labels and row labels measured in the browser), screenshot
  saved to test-artifacts/.
- Mermaid parsed and rendered by Mermaid itself (npm `mermaid`, in headless Chromium).
- CSV read back with the csv module, including formula-injection cases.

The real readers are installed by tests/run, which sets GOVFLOW_REAL_READERS=1: there a missing
reader fails the test. Elsewhere a test whose reader is not installed is skipped, saying which.
Regenerate golden files with GOVFLOW_REGEN=1 (then review the diff).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.exporters.gantt import (
    GanttError,
    bars,
    lanes,
    neutralise,
    render,
    render_csv,
    render_json,
    render_mermaid,
    unscheduled,
)
from govflow.exporters.gantt_html import COLOURS, axis_ticks, render_html, render_svg
from govflow.exporters.mspdi import render_mspdi
from govflow.risk import overview
from readers import CHROMIUM, chromium, need

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "gantt"
CASES = Path(__file__).parent / "cases"
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"
BCT2 = ROOT / "timelines" / "morecambe-bay-bct2-2019.yaml"
ARTIFACTS = ROOT / "test-artifacts"
REGEN = os.environ.get("GOVFLOW_REGEN") == "1"
FRAPPE = Path(os.environ.get("GOVFLOW_FRAPPE_GANTT", ROOT / "build/frappe-gantt/node_modules/frappe-gantt/dist"))
MERMAID_JS = Path(os.environ.get("GOVFLOW_MERMAID_JS", ROOT / "build/mermaid/node_modules/mermaid/dist/mermaid.min.js"))
runner = CliRunner()


def _sched(*paths: Path, as_of: date | None = None) -> govflow.Schedule:
    return govflow.schedule(govflow.load(list(paths)), as_of=as_of)


_need = need


# ---- golden files ------------------------------------------------------------------------

GOLDEN_CASES = [
    ("north-cumbria-2019", (NC,), "json", "level"),
    ("north-cumbria-2019", (NC,), "csv", "level"),
    ("north-cumbria-2019", (NC,), "mermaid", "level"),
    ("north-cumbria-2019", (NC,), "mspdi", "level"),
    ("north-cumbria-2019", (NC,), "html", "level"),
    ("north-cumbria-2019", (NC,), "svg", "level"),
    ("north-cumbria-2019.by-body", (NC,), "mermaid", "body"),
    ("north-cumbria-2019.by-body", (NC,), "svg", "body"),
    ("morecambe-bay-bct2-2019", (BCT2,), "json", "level"),
    ("morecambe-bay-bct2-2019", (BCT2,), "mspdi", "level"),
    ("unschedulable", (CASES / "unschedulable_meeting.yaml",), "csv", "level"),
    ("unschedulable", (CASES / "unschedulable_meeting.yaml",), "html", "level"),
    ("lags", (CASES / "lags_ss_ff.yaml",), "mspdi", "level"),
]
SUFFIX = {"json": "json", "csv": "csv", "mermaid": "mmd", "mspdi": "xml", "html": "html", "svg": "svg"}


@pytest.mark.parametrize(("name", "paths", "fmt", "by"), GOLDEN_CASES, ids=[f"{n}.{f}" for n, _, f, _ in GOLDEN_CASES])
def test_golden(name: str, paths: tuple[Path, ...], fmt: str, by: Any) -> None:
    text = render(_sched(*paths), fmt, by=by)
    golden = GOLDEN / f"{name}.{SUFFIX[fmt]}"
    data = text.encode("utf-8")
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert golden.exists(), f"no golden file {golden}; run with GOVFLOW_REGEN=1 and review it"
    assert data == golden.read_bytes(), f"{fmt} output differs from {golden} (GOVFLOW_REGEN=1 to accept)"


def test_output_is_repeatable_and_the_cli_writes_what_the_library_renders(tmp_path: Path) -> None:
    sched = _sched(NC)
    risk = overview(sched)  # North Cumbria declares ranges: the chart draws P50-P90 spans from them
    assert risk is not None
    for fmt in SUFFIX:
        out = tmp_path / f"nc.{SUFFIX[fmt]}"
        result = runner.invoke(app, ["gantt", str(NC), "--no-baseline", "-o", str(out)])  # format from the suffix
        assert result.exit_code == 0, result.output
        assert f"wrote {out} ({fmt})" in result.stdout
        assert out.read_bytes() == render(sched, fmt, risk=risk).encode("utf-8")


# ---- the shared bar model ----------------------------------------------------------------


def test_bars_carry_the_engine_dates_float_and_driving_path() -> None:
    sched = _sched(NC)
    bs = {b.id: b for b in bars(sched)}
    assert len(bs) == len(sched.items)  # everything in north-cumbria can be scheduled
    dp = bs["delivery-plan"]
    assert (dp.start, dp.end, dp.duration, dp.status) == (date(2019, 9, 2), date(2019, 9, 18), 13, "in-progress")
    assert dp.float == 1 and dp.rag == "amber" and dp.driving
    assert dp.progress == 23  # 3 of 13 working days before the status date (2, 3, 4 Sep)
    hwb = bs["hwb-public"]
    assert hwb.tbc and hwb.window == "late Oct 2019 TBC" and hwb.rag == "red" and hwb.milestone
    assert (hwb.window_first, hwb.window_last) == (date(2019, 10, 21), date(2019, 10, 31))
    agreed = bs["plans-agreed"]
    assert agreed.deadline == date(2019, 11, 15) and agreed.deadline_met is False and agreed.margin == -14
    assert bs["engagement"].rag == "done" and bs["engagement"].progress == 100
    # the driving paths of open deadlines only: faw-draft is done
    assert not bs["technical-guidance"].driving


def test_unschedulable_items_are_not_bars_but_are_reported() -> None:
    sched = _sched(CASES / "unschedulable_meeting.yaml")
    assert [b.id for b in bars(sched)] == ["draft"]
    missing = unscheduled(sched)
    assert [u.id for u in missing] == ["exec-approval", "submit"]
    assert "no meeting of Executive Committee" in missing[0].reason


def test_lanes_by_level_and_by_body() -> None:
    bs = bars(_sched(NC))
    assert [name for name, _ in lanes(bs, "level")] == ["National", "Regional", "Local"]
    by_body = lanes(bs, "body")
    names = [name for name, _ in by_body]
    assert names[0] == "Cumbria Health and Wellbeing Board"  # its April meeting comes first
    assert names[-1] == "Not at a meeting"
    assert sum(len(m) for _, m in by_body) == len(bs)
    with pytest.raises(GanttError, match="unknown swimlane grouping 'owner'"):
        lanes(bs, "owner")  # type: ignore[arg-type]


def test_unknown_format_is_a_govflow_error() -> None:
    with pytest.raises(GanttError, match="unknown Gantt format 'pdf'"):
        render(_sched(NC), "pdf")


# ---- JSON (frappe-gantt) -----------------------------------------------------------------


def test_json_is_a_list_of_frappe_gantt_tasks_with_govflow_fields() -> None:
    sched = _sched(BCT2)  # two timelines: ids are 'timeline:item'
    data = json.loads(render_json(sched))
    assert isinstance(data, list) and len(data) == len(bars(sched))
    ids = {d["id"] for d in data}
    for d in data:
        for field in ("id", "name", "start", "end", "progress", "dependencies", "custom_class"):
            assert field in d
        assert date.fromisoformat(d["start"]) <= date.fromisoformat(d["end"])
        assert isinstance(d["progress"], int) and 0 <= d["progress"] <= 100
        deps = [x.strip() for x in d["dependencies"].split(",") if x.strip()]
        assert set(deps) <= ids  # every dependency is a bar of the list
        assert deps == [link["id"] for link in d["links"]]
        assert d["custom_class"] == f"rag-{d['rag']}"  # one class name: frappe-gantt 1.x adds it with classList.add
        assert f"kind-{d['kind']}" in d["classes"] and f"status-{d['status']}" in d["classes"]
        assert ":" in d["id"]
    rec = next(d for d in data if d["id"] == "morecambe-bay-bct2-2019:reconciliation")
    assert "lsc-ics-2019:draft-submission" in rec["dependencies"]


def test_json_end_is_the_inclusive_last_day() -> None:
    data = {d["id"]: d for d in json.loads(render_json(_sched(NC)))}
    assert (data["delivery-plan"]["start"], data["delivery-plan"]["end"]) == ("2019-09-02", "2019-09-18")
    assert data["trust-board-review"]["start"] == data["trust-board-review"]["end"] == "2019-09-26"
    assert data["trust-board-review"]["papers_due"] == "2019-09-19"
    assert data["hwb-public"]["window"] == "late Oct 2019 TBC" and data["hwb-public"]["tbc"] is True
    assert data["ogims"]["late_finish"] == "2020-03-31" and data["ogims"]["float"] == 19


# ---- CSV ---------------------------------------------------------------------------------


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_item_with_iso_dates_and_opens_as_utf8() -> None:
    sched = _sched(CASES / "unschedulable_meeting.yaml")
    text = render_csv(sched)
    assert "\r\n" in text
    rows = _csv_rows(text)
    assert [r["id"] for r in rows] == ["draft", "exec-approval", "submit"]
    draft = rows[0]
    assert (draft["start"], draft["finish"], draft["float"], draft["critical"]) == (
        "2019-08-19",
        "2019-09-09",
        "-2",
        "yes",
    )
    assert rows[1]["status"] == "unschedulable" and rows[1]["start"] == ""
    assert "no meeting of Executive Committee" in rows[1]["reason"]
    assert rows[2]["deadline"] == "2019-09-30" and rows[2]["deadline_met"] == "no"


INJECTIONS = ['=HYPERLINK("http://evil","x")', "+1+2", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturn"]


@pytest.mark.parametrize("title", INJECTIONS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_csv_neutralises_formula_injection(title: str) -> None:
    body = json.dumps(
        {
            "govflow": 1,
            "id": "inj",
            "start": "2019-09-02",
            "bodies": {"b": {"name": title, "meets": ["2019-09-26"]}},
            "items": {
                "x": {"title": title, "duration": 3, "owner": [title]},
                "y": {"title": "Board decides", "at": "b", "after": ["x"], "deadline": "2019-09-27"},
            },
        }
    )
    sched = govflow.schedule(govflow.load_text(body, "inj.json"))
    rows = {r["id"]: r for r in _csv_rows(render_csv(sched))}
    assert rows["x"]["title"] == "'" + title
    assert rows["x"]["owner"] == "'" + title
    assert rows["y"]["body"] == "'" + title
    assert rows["y"]["margin"] == "1" and re.fullmatch(r"-?\d+", rows["x"]["float"])  # numbers stay numbers


def test_neutralise_leaves_ordinary_text_alone() -> None:
    assert neutralise("Board 2019") == "Board 2019"
    assert neutralise("") == ""
    assert neutralise("a=b") == "a=b"


def test_negative_float_is_written_as_a_number() -> None:
    rows = {r["id"]: r for r in _csv_rows(render_csv(_sched(NC)))}
    assert rows["plans-agreed"]["float"] == "-14"


# ---- Mermaid -----------------------------------------------------------------------------

SPECIAL = """
govflow: 1
id: special
title: "Plan: #1; 100% <sure> & done"
start: 2019-09-02
holidays: england
closures: [2019-09-13]
bodies:
  board: {name: "Board; #A: main", meets: [2019-09-26]}
items:
  a: {title: "Board: review #2; 50% done <b> & \\"quoted\\"", duration: 3}
  b: {title: "#hash first", after: [a]}
  c: {title: "=1+2 %% not a comment", at: board, after: [b], deadline: 2019-09-30}
  d: {title: "after; the board", duration: 2, after: [c]}
  done: {title: "An item called done", after: [d]}
  milestone: {title: "And one called milestone", after: [done]}
  2020-plan: {title: "An id that starts with a digit", duration: 1, after: [milestone]}
"""


def test_mermaid_block_shape() -> None:
    text = render_mermaid(_sched(NC))
    lines = text.splitlines()
    assert lines[0] == "gantt" and "    dateFormat YYYY-MM-DD" in lines
    assert "    todayMarker off" in lines  # no clock in the output
    excl = next(x for x in lines if x.strip().startswith("excludes"))
    assert excl.startswith("    excludes weekends, ") and "2019-12-25" in excl and "2019-08-26" in excl
    assert [x.strip() for x in lines if x.strip().startswith("section")] == [
        "section National",
        "section Regional",
        "section Local",
    ]
    dp = next(x for x in lines if ":active" in x)
    assert dp.endswith("delivery_plan, 2019-09-02, 2019-09-19")  # Mermaid's end is exclusive
    assert any(x.endswith(":crit, milestone, hwb_public, 2019-10-31, 0d") for x in lines)
    assert any(":done, milestone, people_plan, 2019-06-03, 0d" in x for x in lines)


def test_mermaid_escapes_reserved_characters() -> None:
    text = render_mermaid(govflow.schedule(govflow.load_text(SPECIAL, "special.yaml")), by="body")
    task_lines = [x for x in text.splitlines() if x.startswith("    ") and " :" in x]
    for line in task_lines:
        name = re.sub(r"#(\d+|lt|gt|amp);", "", line.strip().rsplit(" :", 1)[0])  # entity codes are fine
        assert not re.search(r"[:;#%<>&]", name), name
    assert "    section Board#59; #35;A#58; main" in text
    assert " i_done, 2019-" in text and ":milestone, i_milestone, 2019-" in text and ":i_2020_plan, 2019-" in text
    assert "2019-09-13" in text.splitlines()[5]  # the closure is excluded too


def _frappe_page(data: str) -> str:
    """The README's use of the JSON: `new Gantt("#chart", bars)` with frappe-gantt from npm."""
    src = data.replace("</", "<\\/")
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{(FRAPPE / "frappe-gantt.css").resolve().as_uri()}"></head>
<body><div id="out"></div><svg id="chart"></svg>
<script src="{(FRAPPE / "frappe-gantt.umd.js").resolve().as_uri()}"></script>
<script>
const out = document.getElementById('out');
try {{
  const bars = {src};
  new Gantt("#chart", bars, {{view_mode: "Week"}});
  out.dataset.bars = document.querySelectorAll("#chart .bar-wrapper, .gantt .bar-wrapper").length;
  out.dataset.red = document.querySelectorAll(".bar-wrapper.rag-red").length;
  out.dataset.arrows = document.querySelectorAll(".arrow path, path.arrow").length;
}} catch (e) {{ out.dataset.error = String(e && e.message || e); }}
</script></body></html>"""


@pytest.mark.parametrize("which", [NC, BCT2], ids=["north-cumbria-2019", "morecambe-bay-bct2-2019"])
def test_json_draws_in_frappe_gantt_1x(which: Path, tmp_path: Path) -> None:
    """The JSON as written goes into current frappe-gantt (npm, 1.x) in Chromium: one bar per item,
    a red class where the RAG is red, an arrow per dependency, and no console message at all."""
    _need(CHROMIUM is not None, "chromium")
    _need((FRAPPE / "frappe-gantt.umd.js").exists(), f"npm frappe-gantt ({FRAPPE})")
    sched = _sched(which)
    text = render_json(sched)
    page = tmp_path / "frappe.html"
    page.write_text(_frappe_page(text), encoding="utf-8")
    dom, log = _chromium(page, tmp_path, "--dump-dom", "--virtual-time-budget=5000")
    out = re.search(r'<div id="out"([^>]*)>', dom)
    assert out is not None
    attrs = dict(re.findall(r'data-(\w+)="([^"]*)"', out.group(1)))
    assert "error" not in attrs, attrs["error"]
    data = json.loads(text)
    assert int(attrs["bars"]) == len(data) == len(bars(sched))
    assert int(attrs["red"]) == sum(d["rag"] == "red" for d in data)
    assert int(attrs["arrows"]) == sum(len(d["links"]) for d in data)
    assert _console(log) == []


def _mermaid_page(text: str) -> str:
    src = json.dumps(text).replace("</", "<\\/")
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="out"></div>
<script src="{MERMAID_JS.resolve().as_uri()}"></script>
<script>
const text = {src};
mermaid.initialize({{startOnLoad: false, securityLevel: 'strict'}});
(async () => {{
  const out = document.getElementById('out');
  try {{
    const parsed = await mermaid.parse(text);
    out.dataset.parsed = parsed ? parsed.diagramType : 'false';
    const r = await mermaid.render('gfm', text);
    out.innerHTML = r.svg;
    out.dataset.ok = '1';
  }} catch (e) {{ out.dataset.error = String(e && e.message || e); }}
}})();
</script></body></html>"""


def _text_of(fragment: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize("which", ["north-cumbria-2019", "special"])
def test_mermaid_parses_and_renders_in_mermaid_itself(which: str, tmp_path: Path) -> None:
    _need(CHROMIUM is not None, "chromium")
    _need(MERMAID_JS.exists(), f"npm mermaid ({MERMAID_JS})")
    if which == "special":
        sched = govflow.schedule(govflow.load_text(SPECIAL, "special.yaml"))
        text = render_mermaid(sched, by="body")
    else:
        sched = _sched(NC)
        text = render_mermaid(sched)
    page = tmp_path / "mermaid.html"
    page.write_text(_mermaid_page(text), encoding="utf-8")
    dom, log = _chromium(page, tmp_path, "--dump-dom", "--virtual-time-budget=15000")
    out = re.search(r'<div id="out"([^>]*)>', dom)
    assert out is not None
    attrs = out.group(1)
    assert "data-error" not in attrs, _text_of(re.search(r'data-error="([^"]*)"', attrs).group(1))  # type: ignore[union-attr]
    assert 'data-parsed="gantt"' in attrs and 'data-ok="1"' in attrs
    bs = bars(sched)
    # one task shape per bar, with the names exactly as written (entity codes decoded by Mermaid)
    task_ids = re.findall(r'<rect id="gfm-([^"]+)"[^>]*class="task[ "]', dom)
    written = re.findall(r" :(?:(?:done|active|crit|milestone), )*(\w+), \d{4}-", text)
    assert len(written) == len(bs)
    assert sorted(task_ids) == sorted(written)  # Mermaid read every id as an id, none as a tag
    texts = [_text_of(t).strip() for t in re.findall(r'<text[^>]*class="task[^"]*Text[^"]*"[^>]*>(.*?)</text>', dom)]
    assert sorted(texts) == sorted(" ".join(b.name.split()) for b in bs)
    if which == "special":
        title = re.search(r'<text[^>]*class="titleText"[^>]*>(.*?)</text>', dom)
        assert title is not None and _text_of(title.group(1)) == "Plan: #1; 100% <sure> & done"
        sections = [_text_of(t) for t in re.findall(r'<text[^>]*class="sectionTitle[^"]*"[^>]*>(.*?)</text>', dom)]
        assert "Board; #A: main" in [s.strip() for s in sections]
    assert not _console(log), _console(log)


# ---- MSPDI -------------------------------------------------------------------------------


def _jvm() -> Any:
    try:
        import jpype
        import mpxj  # noqa: F401 - puts MPXJ's jars on the class path
    except ImportError:
        _need(False, "PyPI mpxj and JPype1")
    _need(shutil.which("java") is not None, "Java 17 (default-jre-headless)")
    if not jpype.isJVMStarted():
        jpype.startJVM()
    return jpype


def _read_mspdi(xml: str, tmp_path: Path) -> Any:
    _jvm()
    from org.mpxj.reader import UniversalProjectReader  # type: ignore[import-not-found]

    path = tmp_path / "project.xml"
    path.write_text(xml, encoding="utf-8")
    project = UniversalProjectReader().read(str(path))
    assert project is not None, "MPXJ did not recognise the file"
    return project


def _ld(java_date: Any) -> date | None:
    if java_date is None:
        return None
    d = java_date.toLocalDate()
    return date(d.getYear(), d.getMonthValue(), d.getDayOfMonth())


@pytest.mark.parametrize("paths", [(NC,), (CASES / "lags_ss_ff.yaml",), (CASES / "closures.yaml",), (BCT2,)],
                         ids=["north-cumbria", "lags", "closures", "two-timelines"])  # fmt: skip
def test_mpxj_reads_back_the_same_tasks_dates_and_links(paths: tuple[Path, ...], tmp_path: Path) -> None:
    sched = _sched(*paths)
    bs = bars(sched)
    project = _read_mspdi(render_mspdi(sched), tmp_path)
    tasks = [t for t in project.getTasks() if t.getUniqueID() is not None and int(t.getUniqueID()) > 0]
    assert len(tasks) == len(bs)
    by_uid = {int(t.getUniqueID()): t for t in tasks}
    uid_of = {b.key: n for n, b in enumerate(bs, start=1)}
    for n, b in enumerate(bs, start=1):
        t = by_uid[n]
        assert str(t.getName()) == b.name
        assert (_ld(t.getStart()), _ld(t.getFinish())) == (b.start, b.end), b.id
        assert bool(t.getMilestone()) == b.milestone
        assert float(t.getDuration().getDuration()) == b.duration and str(t.getDuration().getUnits()) == "d"
        assert _ld(t.getDeadline()) == b.deadline
        links = sorted(
            (int(r.getPredecessorTask().getUniqueID()), str(r.getType()), float(r.getLag().getDuration()),
             str(r.getLag().getUnits()))
            for r in t.getPredecessors()
        )  # fmt: skip
        assert links == sorted((uid_of[link.pred], link.type, float(link.lag), "d") for link in b.links), b.id
    if paths == (CASES / "lags_ss_ff.yaml",):  # all link kinds are there
        kinds = {(str(r.getType()), float(r.getLag().getDuration())) for t in tasks for r in t.getPredecessors()}
        assert kinds == {("SS", 3.0), ("FF", 2.0), ("FS", -2.0), ("FS", -3.0), ("FS", 0.0)}


@pytest.mark.parametrize(
    ("paths", "as_of"),
    [((NC,), None), ((NC,), date(2019, 9, 20)), ((BCT2,), date(2019, 9, 20)), ((CASES / "closures.yaml",), None),
     ((CASES / "lags_ss_ff.yaml",), None)],
    ids=["north-cumbria", "north-cumbria-as-of", "two-timelines-as-of", "closures", "lags"],
)  # fmt: skip
def test_ms_project_recalculation_keeps_govflows_dates(
    paths: tuple[Path, ...], as_of: date | None, tmp_path: Path
) -> None:
    """MPXJ's MicrosoftScheduler (MS Project's own scheduling rules) recalculates the file - tasks
    done, in progress and not started - and gets govflow's dates for every task."""
    jpype = _jvm()
    sched = _sched(*paths, as_of=as_of)
    bs = bars(sched)
    assert {b.status for b in bs} >= ({"not-started"} if as_of is None else {"done", "not-started"})
    project = _read_mspdi(render_mspdi(sched), tmp_path)
    jpype.JClass("org.mpxj.cpm.MicrosoftScheduler")().schedule(project, project.getProjectProperties().getStartDate())
    tasks = {int(t.getUniqueID()): t for t in project.getTasks() if t.getUniqueID() is not None}
    differ = {
        b.id: (_ld(tasks[n].getStart()), _ld(tasks[n].getFinish()))
        for n, b in enumerate(bs, start=1)
        if (_ld(tasks[n].getStart()), _ld(tasks[n].getFinish())) != (b.start, b.end)
    }
    if paths == (CASES / "lags_ss_ff.yaml",):
        # the one known difference: a milestone 3 days *before* its predecessor's finish lands at
        # 17:00 on Tue 11 Jun in govflow, and at 08:00 the next working morning in MS Project's rules
        assert differ == {"e": (date(2019, 6, 12), date(2019, 6, 12))}
    else:
        assert differ == {}
    for n, b in enumerate(bs, start=1):
        t = tasks[n]
        assert t.getActualDuration() is not None and t.getWork() is not None, b.id


def test_mpxj_calendar_has_the_bank_holidays_and_closures(tmp_path: Path) -> None:
    jpype = _jvm()
    sched = _sched(CASES / "closures.yaml")
    project = _read_mspdi(render_mspdi(sched), tmp_path)
    cal = project.getDefaultCalendar()
    local_date = jpype.JClass("java.time.LocalDate")
    for d in (date(2019, 12, 25), date(2019, 12, 26), date(2019, 12, 27), date(2019, 12, 30), date(2020, 1, 1)):
        assert not cal.isWorkingDate(local_date.of(d.year, d.month, d.day)), d
    for d in (date(2019, 12, 24), date(2020, 1, 2)):
        assert cal.isWorkingDate(local_date.of(d.year, d.month, d.day)), d
    assert not cal.isWorkingDate(local_date.of(2019, 12, 28))  # a Saturday
    names = {str(e.getName()) for e in cal.getCalendarExceptions()}
    assert {"Christmas Day", "closure"} <= names


def _prop_order(jpype: Any, cls_name: str) -> list[str]:
    """Element names of an MSPDI schema type in schema order, from MPXJ's JAXB classes."""
    cls = jpype.JClass(cls_name)
    xml_type = jpype.JClass("jakarta.xml.bind.annotation.XmlType")
    xml_element = jpype.JClass("jakarta.xml.bind.annotation.XmlElement")
    names = []
    for prop in cls.class_.getAnnotation(xml_type).propOrder():
        field = cls.class_.getDeclaredField(prop)
        ann = field.getAnnotation(xml_element)
        name = str(ann.name()) if ann is not None and str(ann.name()) != "##default" else str(prop)
        names.append(name)
    return names


def test_mspdi_elements_are_in_schema_order() -> None:
    jpype = _jvm()
    base = "org.mpxj.mspdi.schema.Project"
    schema = {
        "Project": _prop_order(jpype, base),
        "Calendar": _prop_order(jpype, base + "$Calendars$Calendar"),
        "WeekDay": _prop_order(jpype, base + "$Calendars$Calendar$WeekDays$WeekDay"),
        "Exception": _prop_order(jpype, base + "$Calendars$Calendar$Exceptions$Exception"),
        "Task": _prop_order(jpype, base + "$Tasks$Task"),
        "PredecessorLink": _prop_order(jpype, base + "$Tasks$Task$PredecessorLink"),
        "Baseline": _prop_order(jpype, base + "$Tasks$Task$Baseline"),
    }
    assert "PredecessorLink" in schema["Task"] and "Deadline" in schema["Task"]
    sched = _sched(NC)
    base_dates = {"delivery-plan": (date(2019, 9, 2), date(2019, 9, 17))}
    root = ET.fromstring(render_mspdi(sched, baseline=base_dates))
    ns = "{http://schemas.microsoft.com/project}"
    checked = 0
    for el in root.iter():
        tag = el.tag.removeprefix(ns)
        if tag not in schema:
            continue
        children = [c.tag.removeprefix(ns) for c in el]
        unknown = [c for c in children if c not in schema[tag]]
        assert not unknown, f"{tag} has elements the schema does not know: {unknown}"
        positions = [schema[tag].index(c) for c in children]
        assert positions == sorted(positions), f"{tag} children out of schema order: {children}"
        checked += 1
    assert checked > len(bars(sched))


def test_mspdi_link_type_codes_lags_and_deadlines_in_the_xml() -> None:
    root = ET.fromstring(render_mspdi(_sched(CASES / "lags_ss_ff.yaml")))
    ns = {"p": "http://schemas.microsoft.com/project"}
    links = {}
    for task in root.iterfind("p:Tasks/p:Task", ns):
        for pl in task.iterfind("p:PredecessorLink", ns):
            links[task.findtext("p:Name", namespaces=ns)] = (pl.findtext("p:Type", namespaces=ns),
                                                             pl.findtext("p:LinkLag", namespaces=ns))  # fmt: skip
    assert links["Engagement, starts 3 days into drafting"] == ("3", str(3 * 8 * 600))  # SS
    assert links["Finance check, ends 2 days after drafting"] == ("0", str(2 * 8 * 600))  # FF
    assert links["Equality impact assessment, overlaps drafting by 2 days"] == ("1", str(-2 * 8 * 600))  # FS
    deadline = root.find("p:Tasks/p:Task[p:Name='Ready for sign-off']/p:Deadline", ns)
    assert deadline is not None and deadline.text == "2019-06-21T17:00:00"


def test_mpxj_reads_the_baseline(tmp_path: Path) -> None:
    sched = _sched(NC)
    project = _read_mspdi(
        render_mspdi(sched, baseline={"delivery-plan": (date(2019, 9, 2), date(2019, 9, 17))}), tmp_path
    )
    t = next(t for t in project.getTasks() if str(t.getName()).startswith("Develop and complete"))
    assert (_ld(t.getBaselineStart()), _ld(t.getBaselineFinish())) == (date(2019, 9, 2), date(2019, 9, 17))


# ---- HTML / SVG in Chromium --------------------------------------------------------------


def _chromium(page: Path, tmp_path: Path, *args: str) -> tuple[str, str]:
    """Open a local page in headless Chromium (no network); the DOM after load, and the log."""
    done = chromium(["--enable-logging=stderr", "--v=0", *args, page.resolve().as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def _console(log: str) -> list[str]:
    """Every console message the page produced (a page without scripts should produce none)."""
    return [line for line in log.splitlines() if ":CONSOLE" in line]


def test_console_check_catches_a_broken_page(tmp_path: Path) -> None:
    """The checker itself can fail: a page with a script error is caught."""
    _need(CHROMIUM is not None, "chromium")
    page = tmp_path / "broken.html"
    page.write_text("<html><body><p>x</p><script>notDefined();</script></body></html>", encoding="utf-8")
    _, log = _chromium(page, tmp_path, "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in _console(log))


EXTERNAL = re.compile(r"""(?:src|href)\s*=|url\(\s*['"]?(?:https?:|//)|@import|<script|<link|<iframe""", re.I)


def test_html_is_self_contained() -> None:
    for text in (render_html(_sched(NC)), render_svg(_sched(NC)), render_html(_sched(BCT2), by="body")):
        assert not EXTERNAL.search(text), EXTERNAL.search(text)
        assert "http://www.w3.org/2000/svg" in text  # the only URL: the SVG namespace name


def test_svg_is_well_formed_xml_with_one_bar_per_item() -> None:
    sched = _sched(NC)
    root = ET.fromstring(render_svg(sched))
    items = [el for el in root.iter() if "data-item" in el.attrib]
    assert len(items) == len(bars(sched))
    tip = next(el for el in items if el.attrib["data-item"] == "delivery-plan")
    title = tip.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text is not None
    assert "Mon 2 Sep 2019 to Wed 18 Sep 2019 (13 working days)" in title.text
    assert "float: 1 working days; latest finish Thu 19 Sep 2019" in title.text
    assert "on the driving path" in title.text
    assert "driving" in tip.attrib["class"].split()


def test_chart_marks_deadlines_status_date_tbc_windows_and_driving_path() -> None:
    svg = render_svg(_sched(NC))
    assert svg.count('class="deadline"') == 4
    assert 'data-deadline="plans-agreed"' in svg  # labelled with its title: tests/test_charts.py
    assert "15 Nov System plans agreed with system leads and regional teams (missed)" in svg
    assert svg.count('class="status-date"') == 1 and "Status Thu 5 Sep 2019" in svg
    assert svg.count('class="window tbc"') == 1  # hwb-public (late Oct TBC): dashed
    assert svg.count('class="window range"') == 4  # the four month-long national events: shaded
    assert re.search(r'font-weight="bold">(<tspan[^>]*>)?Develop and complete', svg)  # driving path: bold label


def test_baseline_bars_appear_only_with_a_baseline() -> None:
    sched = _sched(NC)
    assert 'class="baseline"' not in render_svg(sched)
    base = {
        "delivery-plan": (date(2019, 8, 27), date(2019, 9, 12)),
        "north-cumbria-2019:hwb-public": (date(2019, 10, 24),) * 2,
    }
    svg = render_svg(sched, baseline=base)  # type: ignore[arg-type]
    assert svg.count('class="baseline"') == 2 and ">baseline</text>" in svg
    data = {d["id"]: d for d in json.loads(render_json(sched, baseline=base))}  # type: ignore[arg-type]
    assert (data["delivery-plan"]["baseline_start"], data["delivery-plan"]["baseline_end"]) == (
        "2019-08-27",
        "2019-09-12",
    )
    with pytest.raises(GanttError, match="baseline names 'nope'"):
        render_svg(sched, baseline={"nope": (date(2019, 1, 1), date(2019, 1, 2))})


def _luminance(hex_colour: str) -> float:
    def lin(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_rag_fills_stay_distinct_in_greyscale() -> None:
    lums = sorted(_luminance(fill) for fill, _, _ in COLOURS.values())
    gaps = [b - a for a, b in itertools.pairwise(lums)]
    assert min(gaps) >= 0.15, lums


def test_time_axis_adapts_weeks_months_quarters() -> None:
    assert axis_ticks(date(2019, 9, 2), date(2019, 10, 20), 880 / 49)[0] == "week"
    assert axis_ticks(date(2019, 4, 1), date(2020, 4, 30), 880 / 395)[0] == "month"
    assert axis_ticks(date(2019, 4, 1), date(2022, 6, 30), 880 / 1186)[0] == "quarter"
    assert axis_ticks(date(2010, 1, 1), date(2030, 1, 1), 880 / 7305)[0] == "year"


def synthetic(n: int, chains: int = 4) -> str:
    """A generated timeline of n items in parallel chains, with monthly board decisions and deadlines."""
    lines = [
        "govflow: 1",
        f"id: synthetic-{n}",
        f"title: Synthetic programme of {n} items",
        "start: 2019-04-01",
        "as_of: 2019-05-15",
        "holidays: england",
        "bodies:",
        "  board: {name: Programme Board, level: regional, recurrence: FREQ=WEEKLY;BYDAY=TH, "
        "from: 2019-04-01, until: 2025-12-31, papers_due: 3}",
        "items:",
    ]
    levels = ("national", "regional", "local")
    for i in range(n):
        after = f", after: [item-{i - chains}]" if i >= chains else ""
        title = f"Item {i}: {'approve' if i % 9 == 8 else 'prepare'} workstream {i % chains} deliverable"
        if i % 9 == 8:
            lines.append(f"  item-{i}: {{title: '{title}', at: board, level: {levels[i % 3]}{after}}}")
        else:
            deadline = f", deadline: {date(2019, 6, 1) + timedelta(days=2 * i)}" if i % 50 == 49 else ""
            lines.append(
                f"  item-{i}: {{title: '{title}', duration: {2 + i % 6}, level: {levels[i % 3]}{after}{deadline}}}"
            )
    return "\n".join(lines) + "\n"


MEASURE = """<script>
(function () {
  const svg = document.querySelector('svg.govflow-gantt');
  const left = svg.getBoundingClientRect().left;
  const rects = (sel) => Array.from(svg.querySelectorAll(sel)).map((e) => e.getBoundingClientRect());
  const overlaps = (bs, horizontal) => {
    let n = 0;
    for (let i = 1; i < bs.length; i++) {
      if (horizontal ? bs[i - 1].right > bs[i].left + 0.5 : bs[i - 1].bottom > bs[i].top + 0.5) n++;
    }
    return n;
  };
  const ticks = rects('.axis text.tick').sort((a, b) => a.left - b.left);
  const names = rects('[data-item] text.name').sort((a, b) => a.top - b.top);
  const sizes = Array.from(svg.querySelectorAll('text')).map((t) => parseFloat(getComputedStyle(t).fontSize));
  const out = document.createElement('div');
  out.id = 'gf-measure';
  out.dataset.bars = svg.querySelectorAll('[data-item]').length;
  out.dataset.ticks = ticks.length;
  out.dataset.tickOverlaps = overlaps(ticks, true);
  out.dataset.nameOverlaps = overlaps(names, false);
  out.dataset.nameOverflow = names.filter((r) => r.right > left + LABEL_W - 4).length;
  out.dataset.minFont = Math.min.apply(null, sizes);
  document.body.appendChild(out);
})();
</script>"""


def _measure(html: str, tmp_path: Path, name: str) -> tuple[dict[str, str], str]:
    from govflow.exporters.gantt_html import LABEL_W

    plain = tmp_path / f"{name}.html"
    plain.write_text(html, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    _, log = _chromium(plain, tmp_path, f"--screenshot={shot}", "--window-size=1400,900")
    assert shot.exists() and shot.stat().st_size > 10_000
    assert not _console(log), _console(log)  # the chart itself: no console messages at all
    measured = tmp_path / f"{name}.measured.html"
    measured.write_text(html.replace("</body>", MEASURE.replace("LABEL_W", str(LABEL_W)) + "</body>"), encoding="utf-8")
    dom, log = _chromium(measured, tmp_path, "--dump-dom", "--window-size=1400,900")
    assert not _console(log), _console(log)
    m = re.search(r'<div id="gf-measure"([^>]*)>', dom)
    assert m is not None, "the measuring script did not run"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(1))), dom


@pytest.mark.parametrize(("n", "unit"), [(10, "week"), (500, "quarter")])
def test_html_in_chromium_one_bar_per_item_legible_at_10_and_500(n: int, unit: str, tmp_path: Path) -> None:
    _need(CHROMIUM is not None, "chromium")
    sched = govflow.schedule(govflow.load_text(synthetic(n), f"synthetic-{n}.yaml"))
    assert len(bars(sched)) == n
    html = render_html(sched)
    assert f'data-axis="{unit}"' in html
    m, _ = _measure(html, tmp_path, f"gantt-{n}")
    assert int(m["bars"]) == n
    assert int(m["ticks"]) >= 3
    assert m["tick-overlaps"] == "0" and m["name-overlaps"] == "0" and m["name-overflow"] == "0", m
    assert float(m["min-font"]) >= 10


def test_html_in_chromium_north_cumbria(tmp_path: Path) -> None:
    """The README's chart: all 26 items drawn, screenshot kept as test-artifacts/gantt.png."""
    _need(CHROMIUM is not None, "chromium")
    sched = _sched(NC)
    m, dom = _measure(render_html(sched), tmp_path, "gantt")
    assert int(m["bars"]) == len(bars(sched)) == len(sched.items) == 26
    assert m["tick-overlaps"] == "0" and m["name-overlaps"] == "0" and m["name-overflow"] == "0", m
    assert "MISSED" in dom and "plans-agreed" in dom


def test_svg_file_opens_in_chromium(tmp_path: Path) -> None:
    _need(CHROMIUM is not None, "chromium")
    sched = _sched(CASES / "unschedulable_meeting.yaml")
    page = tmp_path / "chart.svg"
    page.write_text(render_svg(sched), encoding="utf-8")
    dom, log = _chromium(page, tmp_path, "--dump-dom")
    assert "This page contains the following errors" not in dom  # Chromium's XML parse error page
    assert dom.count("data-item=") == 1
    assert not _console(log)


# ---- CLI ---------------------------------------------------------------------------------


def test_cli_writes_to_stdout_and_takes_by_and_as_of() -> None:
    result = runner.invoke(app, ["gantt", str(NC), "--format", "mermaid", "--by", "body", "--as-of", "2019-09-20"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("gantt\n")
    assert "section North Cumbria Integrated Care NHS FT Board of Directors" in result.stdout
    json_out = runner.invoke(app, ["gantt", str(NC), "-f", "json", "--as-of", "2019-09-20"])
    data = {d["id"]: d for d in json.loads(json_out.stdout)}
    assert data["summary-strategy"]["start"] == "2019-09-20"  # not started by the new status date


def _plain(output: str) -> str:
    """Typer's boxed error message as one line of words."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", output).split())


def test_cli_format_errors_exit_2() -> None:
    result = runner.invoke(app, ["gantt", str(NC), "-f", "pdf"])
    assert result.exit_code == 2 and "'pdf' is not one of json, csv, mermaid, mspdi, html, svg" in _plain(result.output)
    result = runner.invoke(app, ["gantt", str(NC), "-o", "chart.png"])
    assert result.exit_code == 2 and "say which format" in _plain(result.output)
    result = runner.invoke(app, ["gantt", str(NC), "-f", "html", "--by", "owner"])
    assert result.exit_code == 2 and "'owner' is not 'level' or 'body'" in _plain(result.output)


def test_cli_invalid_timeline_exits_2_compiler_style(tmp_path: Path) -> None:
    result = runner.invoke(app, ["gantt", str(CASES / "err_unknown_body.yaml"), "-f", "json"])
    assert result.exit_code == 2
    assert "err_unknown_body.yaml:" in result.stderr and "error[unknown-body]" in result.stderr
    assert "Traceback" not in result.output


def test_cli_never_overwrites_a_timeline_and_reports_unwritable_output(tmp_path: Path) -> None:
    copy = tmp_path / "nc.yaml"
    copy.write_text(NC.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["gantt", str(copy), "-f", "json", "-o", str(copy)])
    assert result.exit_code == 2 and "never overwrites timelines" in _plain(result.output)
    assert copy.read_text(encoding="utf-8") == NC.read_text(encoding="utf-8")
    result = runner.invoke(app, ["gantt", str(NC), "-o", str(tmp_path / "missing" / "x.svg")])
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_gantt_help_names_every_format() -> None:
    result = runner.invoke(app, ["gantt", "--help"])
    assert result.exit_code == 0
    for word in ("json", "csv", "mermaid", "mspdi", "html", "svg", "--by", "--as-of", "Exit status"):
        assert word in result.stdout


def test_cli_draws_the_recorded_baseline(tmp_path: Path) -> None:
    """A baseline recorded with `govflow baseline` at an earlier status date shows as baseline bars."""
    db = tmp_path / "history.sqlite"
    done = runner.invoke(app, ["baseline", str(NC), "--db", str(db), "--as-of", "2019-08-01", "--name", "july"])
    assert done.exit_code == 0, done.output
    out = tmp_path / "chart.json"
    result = runner.invoke(app, ["gantt", str(NC), "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "baseline 'july' of 2019-08-01" in result.stdout
    data = {d["id"]: d for d in json.loads(out.read_text(encoding="utf-8"))}
    base = govflow.schedule(govflow.load([NC]), as_of=date(2019, 8, 1)).item("summary-strategy")
    assert data["summary-strategy"]["baseline_start"] == base.early_start.isoformat()  # type: ignore[union-attr]
    assert data["summary-strategy"]["baseline_end"] == base.early_finish.isoformat()  # type: ignore[union-attr]
    # delivery-plan 'started: 2019-09-02' is after the 1 Aug status date, so on 1 Aug it had not started:
    # its baseline bar is where it was planned then
    plan = govflow.schedule(govflow.load([NC]), as_of=date(2019, 8, 1)).item("delivery-plan")
    assert data["delivery-plan"]["baseline_start"] == plan.early_start.isoformat()  # type: ignore[union-attr]
    with_base = [d for d in data.values() if "baseline_start" in d]
    then = govflow.schedule(govflow.load([NC]), as_of=date(2019, 8, 1))
    assert len(with_base) == sum(1 for r in then.items.values() if r.early_start is not None)
    svg = runner.invoke(app, ["gantt", str(NC), "--db", str(db), "-f", "svg"]).stdout
    assert svg.count('class="baseline"') == len(with_base)
    plain = runner.invoke(app, ["gantt", str(NC), "--db", str(db), "-f", "svg", "--no-baseline"]).stdout
    assert 'class="baseline"' not in plain
    missing = runner.invoke(app, ["gantt", str(NC), "--db", str(db), "-f", "svg", "--baseline", "nope"])
    assert missing.exit_code == 2 and "no baseline named 'nope'" in missing.stderr and "july" in missing.stderr
    no_store = runner.invoke(app, ["gantt", str(NC), "--db", str(tmp_path / "none.sqlite"), "-f", "json"])
    assert no_store.exit_code == 2 and "no history store here" in no_store.stderr
    both = runner.invoke(app, ["gantt", str(NC), "--db", str(db), "-f", "json", "--no-baseline"])
    assert both.exit_code == 2 and "drop --no-baseline" in _plain(both.output)


def test_readme_mermaid_example_is_what_govflow_writes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", readme, re.S)
    assert block is not None
    assert block.group(1) == render_mermaid(_sched(ROOT / "examples" / "quickstart.yaml"))
    assert (ROOT / "docs" / "gantt-north-cumbria-2019.png").stat().st_size > 50_000


def test_control_characters_in_names_still_give_well_formed_xml(tmp_path: Path) -> None:
    body = json.dumps(
        {
            "govflow": 1,
            "id": "ctl",
            "start": "2019-09-02",
            "items": {"x": {"title": "Bell\u0007 and\u0001 nul", "duration": 2}},
        }
    )
    sched = govflow.schedule(govflow.load_text(body, "ctl.json"))
    for text in (render_mspdi(sched), render_svg(sched)):
        ET.fromstring(text)  # raises on characters XML 1.0 forbids
        assert "Bell and nul" in text
    project = _read_mspdi(render_mspdi(sched), tmp_path)
    assert [str(t.getName()) for t in project.getTasks() if int(t.getUniqueID()) > 0] == ["Bell and nul"]
