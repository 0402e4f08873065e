"""The charts as a reader sees them: the Gantt chart and the milestone trend analysis (MTA) chart,
opened in headless Chromium at 1400 px and 800 px wide and at the width of an A4 landscape page
(1123 px: the pages set `@page { size: A4 landscape }` and scale the chart to the page), measured
from the rendered page with a script: no text's bounding box leaves its chart or the page (or, for
a chart that scrolls sideways in its box, that box's scrolling width), no two labels overlap, and
text stays legible. The Gantt page is also measured as printed: its print rules applied, at the
printable width of A4 landscape with 10 mm margins (277 mm, 1047 px). Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import govflow
from govflow.exporters.bars import bars
from govflow.exporters.gantt_html import render_html, render_svg, text_width, wrap
from govflow.reports import MtaSeries, render_mta
from govflow.risk import overview
from readers import CHROMIUM, chromium, need

ROOT = Path(__file__).parent.parent
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"
CASES = Path(__file__).parent / "cases"
ARTIFACTS = ROOT / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"
WIDTHS = {"wide": 1400, "narrow": 800, "a4-landscape": 1123}
A4_PRINTABLE = 1047  # 297 mm - 2 x 10 mm at 96 px to the inch

# What the page looks like from inside: every SVG text's box against its chart's box and the
# window (or, inside a box that scrolls sideways, that box's scrolling width), every pair of SVG
# texts in a chart that overlap, the page's own horizontal overflow, HTML text wider than the
# window, and the smallest rendered font size (after any scaling).
MEASURE = """<script>
(function () {
  const W = window.innerWidth;
  const out = {width: W, scroll: document.documentElement.scrollWidth, charts: [], html: []};
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    let scroller = svg.parentElement;
    while (scroller && scroller !== document.body && !/auto|scroll/.test(getComputedStyle(scroller).overflowX)) {
      scroller = scroller.parentElement;
    }
    if (scroller === document.body) scroller = null;
    let viewLeft = 0, viewRight = W, scrolls = false, scrollerRight = null;
    if (scroller) {
      const s = scroller.getBoundingClientRect();
      viewLeft = s.left - scroller.scrollLeft;
      viewRight = viewLeft + scroller.scrollWidth;
      scrolls = scroller.scrollWidth > scroller.clientWidth + 1;
      scrollerRight = s.right;
    }
    const texts = Array.from(svg.querySelectorAll('text')).filter((t) => t.textContent.trim());
    const rects = texts.map((t) => [t.textContent.trim().slice(0, 60), t.getBoundingClientRect()]);
    const outside = rects.filter(([, r]) =>
      r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 ||
      r.bottom > box.bottom + 0.5 || r.left < viewLeft - 0.5 || r.right > viewRight + 0.5).map(([s]) => s);
    const overlaps = [];
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i][1], b = rects[j][1];
        const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (dx > 1 && dy > 1) overlaps.push([rects[i][0], rects[j][0]]);
      }
    }
    const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    out.charts.push({cls: svg.getAttribute('class') || '', texts: texts.length, outside: outside,
      overlaps: overlaps, minFont: Math.min.apply(null, sizes), scale: scale,
      right: box.right, left: box.left, scrolls: scrolls, scrollerRight: scrollerRight});
  }
  for (const el of document.querySelectorAll('h1, h2, p, li, td, th')) {
    const r = el.getBoundingClientRect();
    if (r.right > W + 0.5 || el.scrollWidth > el.clientWidth + 1) out.html.push(el.textContent.slice(0, 60));
  }
  out.hints = Array.from(document.querySelectorAll('.scroll-hint')).filter((e) => e.offsetParent !== null).length;
  const pre = document.createElement('pre');
  pre.id = 'gf-measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def measure(html: str, name: str, width: int, tmp_path: Path) -> dict[str, Any]:
    """Render the page at `width` px, keep a screenshot, and return what the script measured."""
    need(CHROMIUM is not None, "chromium")
    page = tmp_path / f"{name}.html"
    page.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    result = chromium(["--dump-dom", f"--window-size={width},1000", page.as_uri()], tmp_path)
    m = re.search(r'<pre id="gf-measure">(.*?)</pre>', result.stdout, re.S)
    assert m is not None, f"the measuring script did not run: {result.stderr[-1500:]}"
    ARTIFACTS.mkdir(exist_ok=True)
    plain = tmp_path / f"{name}.plain.html"
    plain.write_text(html, encoding="utf-8")
    shot = ARTIFACTS / f"{name}-{width}.png"
    chromium([f"--screenshot={shot}", f"--window-size={width},1000", plain.as_uri()], tmp_path)
    assert shot.exists()
    data: dict[str, Any] = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return data


def assert_readable(m: dict[str, Any], min_font: float) -> None:
    assert m["scroll"] <= m["width"], f"the page scrolls sideways: {m['scroll']} > {m['width']}"
    assert not m["html"], f"page text wider than the window: {m['html']}"
    assert m["charts"], "no chart on the page"
    for c in m["charts"]:
        assert c["scrollerRight"] is None or c["scrollerRight"] <= m["width"] + 0.5, c
        assert not c["outside"], f"text outside its chart or the window: {c['outside']}"
        assert not c["overlaps"], f"labels overlap: {c['overlaps'][:5]}"
        assert c["minFont"] >= min_font, c


def _long_titles() -> str:
    return """govflow: 1
id: long-titles
title: A programme whose items all have long titles, and a deadline on its very last day
start: 2019-09-02
as_of: 2019-09-03
bodies:
  board: {name: Integrated Care Board Finance and Performance Committee, meets: [2019-09-05], papers_due: 1}
items:
  draft: {title: Draft the five year strategic delivery plan including workforce finance and activity, duration: 2}
  tbc-event: {title: Regional leadership summit (date to be confirmed by NHS England), on: early Sep 2019 TBC}
  approve: {title: Finance and Performance Committee approves the plan for submission, at: board, after: [draft]}
  submit:
    title: Submit the final plan to NHS England and NHS Improvement regional team for assurance
    after: [approve]
    deadline: 2019-09-06
  aside: {title: An item that leads to no deadline at all and is here only for information, duration: 1}
"""


def _gantt_page(case: str) -> str:
    """The HTML chart of a case; a case ending in "-risk" draws its deadlines' P50-P90 spans too."""
    sched = _gantt_cases()[case.removesuffix("-risk")]
    return render_html(sched, risk=overview(sched) if case.endswith("-risk") else None)


GANTT_PAGES = [
    "north-cumbria",
    "north-cumbria-risk",
    "long-titles",
    "unschedulable",
    "council-route",
    "council-route-risk",
]


def _gantt_cases() -> dict[str, govflow.Schedule]:
    return {
        "north-cumbria": govflow.schedule(govflow.load([NC])),
        "long-titles": govflow.schedule(govflow.load_text(_long_titles(), "long-titles.yaml")),
        "unschedulable": govflow.schedule(govflow.load([CASES / "unschedulable_meeting.yaml"])),
        # procedural dates on the rows: agenda published, notice, call-in (issue 12)
        "council-route": govflow.schedule(govflow.load([ROOT / "examples" / "council-route.yaml"])),
    }


# ---- Gantt: measured in Chromium ---------------------------------------------------------------


@pytest.mark.parametrize("case", GANTT_PAGES)
@pytest.mark.parametrize("where", list(WIDTHS))
def test_gantt_text_stays_inside_the_chart_and_the_page(case: str, where: str, tmp_path: Path) -> None:
    m = measure(_gantt_page(case), f"chart-gantt-{case}-{where}", WIDTHS[where], tmp_path)
    # full size everywhere; in a window narrower than the chart, the chart (not the page) scrolls
    # sideways, and a line above it says so
    assert_readable(m, min_font=10 if where == "narrow" else 9.5)
    (chart,) = m["charts"]
    assert chart["scale"] >= (1 if where == "narrow" else 0.95), chart
    wider = chart["right"] - chart["left"] > WIDTHS[where] - 32
    assert chart["scrolls"] == wider and m["hints"] == int(wider), (chart, m["hints"])
    if case.startswith("north-cumbria"):
        assert wider == (where == "narrow")


@pytest.mark.parametrize("case", GANTT_PAGES)
def test_gantt_printed_on_a4_landscape_fits_the_page(case: str, tmp_path: Path) -> None:
    """As printed: the page's print rules in force, at A4 landscape's printable width. The chart is
    scaled to the page (never cut, never scrolling) and its text stays at least 9.5 px (7 pt)."""
    page = _gantt_page(case)
    assert "@page { size: A4 landscape; margin: 10mm; }" in page and page.count("@media print {") == 1
    m = measure(page.replace("@media print {", "@media all {"), f"chart-gantt-{case}-print", A4_PRINTABLE, tmp_path)
    assert_readable(m, min_font=9.5)
    (chart,) = m["charts"]
    assert not chart["scrolls"] and m["hints"] == 0 and chart["right"] <= A4_PRINTABLE, chart


def test_gantt_prints_on_landscape_a4_pages(tmp_path: Path) -> None:
    """Chromium's own print of the page: every page is A4 landscape (842 x 595 pt)."""
    page = tmp_path / "nc.html"
    page.write_text(render_html(_gantt_cases()["north-cumbria"]), encoding="utf-8")
    pdf = tmp_path / "nc.pdf"
    chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp_path)
    boxes = re.findall(rb"/MediaBox \[([^\]]*)\]", pdf.read_bytes())
    assert boxes, "no pages in the printed PDF"
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box.split())
        assert (round(x1 - x0), round(y1 - y0)) == (842, 595), box


def test_gantt_svg_alone_keeps_its_title_and_legend_inside(tmp_path: Path) -> None:
    for case, sched in _gantt_cases().items():
        page = f"<!DOCTYPE html><html><body style='margin:0'>{render_svg(sched).split('?>', 1)[1]}</body></html>"
        assert_readable(measure(page, f"chart-gantt-svg-{case}", 1400, tmp_path), min_font=9.5)


# ---- Gantt: what is drawn ------------------------------------------------------------------


def _svg_root(sched: govflow.Schedule) -> ET.Element:
    return ET.fromstring(render_svg(sched))


def test_dashes_are_for_tbc_windows_only() -> None:
    """The TBC window (and its legend swatch) is the one dashed outline: deadlines are solid lines."""
    for sched in _gantt_cases().values():
        root = _svg_root(sched)
        dashed = [el for el in root.iter() if el.get("stroke-dasharray")]
        tbc = [el for el in dashed if el.get("class") == "window tbc"]
        swatches = [el for el in dashed if el.get("class") is None and el.get("fill") == "none"]
        assert len(dashed) == len(tbc) + len(swatches) and len(swatches) == (1 if tbc else 0)
        want = {b.key for b in bars(sched) if b.tbc and b.window_first}
        assert len(tbc) == len(want)


def test_items_that_lead_to_no_deadline_have_their_own_fill_and_legend() -> None:
    sched = _gantt_cases()["long-titles"]
    root = _svg_root(sched)
    (aside,) = [g for g in root.iter(f"{SVG}g") if g.get("data-item") == "aside"]
    shape = next(el for el in aside.iter() if el.get("class") == "shape")
    assert shape.get("fill") == "url(#gf-none)" and not shape.get("stroke-dasharray")
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    none = next(g for g in legend if "leads to no deadline" in "".join(g.itertext()))
    assert any(el.get("fill") == "url(#gf-none)" for el in none.iter())


def test_deadline_labels_use_titles() -> None:
    root = _svg_root(_gantt_cases()["north-cumbria"])
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "deadline-label"]
    assert "15 Nov System plans agreed with system leads and regional teams (missed)" in labels
    assert not any("plans-agreed" in t for t in labels)


def test_long_names_wrap_between_words_and_nothing_is_cut() -> None:
    svg = render_svg(_gantt_cases()["long-titles"])
    assert "…" not in svg
    assert "Submit the final plan to NHS England" in svg and "regional team for assurance" in svg
    assert wrap("a b c", 1000) == ["a b c"]
    assert text_width("MMMM") > text_width("iiii")


# ---- MTA -------------------------------------------------------------------------------------


def _mta_cases() -> list[MtaSeries]:
    weeks = [date(2019, 9, 6) + timedelta(days=7 * i) for i in range(4)]
    return [
        # a one-week slip, next to a deadline a year later: each panel has its own scale
        MtaSeries(
            "submit",
            "Submit the plan",
            date(2019, 10, 4),
            tuple(zip(weeks, [date(2019, 9, 27)] * 2 + [date(2019, 10, 4)] * 2, strict=True)),
        ),
        MtaSeries(
            "annual-plan",
            "Annual operational plan for 2020/21 agreed with the regional team and the board",
            date(2020, 9, 30),
            ((weeks[0], date(2020, 6, 1)), (weeks[1], None), (weeks[2], date(2020, 9, 1)), (weeks[3], None)),
        ),
    ]


@pytest.mark.parametrize("where", list(WIDTHS))
def test_mta_text_stays_inside_the_chart_and_the_page(where: str, tmp_path: Path) -> None:
    page = f"<!DOCTYPE html><html><body>{render_mta(_mta_cases())}</body></html>"
    m = measure(page, f"chart-mta-{where}", WIDTHS[where], tmp_path)
    assert_readable(m, min_font=9.5)


def test_mta_a_five_working_day_slip_is_visible() -> None:
    """Every panel gives 7 calendar days (5 working days) at least 12 px of height."""
    root = ET.fromstring(render_mta(_mta_cases()))
    (g,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series" and g.get("data-id") == "submit"]
    ys = [float(c.get("cy", "0")) for c in g.iter(f"{SVG}circle")]
    assert ys[1] - ys[2] >= 12, ys  # 27 Sep -> 4 Oct
    dues = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "due"]
    assert len(dues) == 2 and all(
        float(ln.get("stroke-width", "0")) >= 2 and not ln.get("stroke-dasharray") for ln in dues
    )


def test_mta_legend_names_every_marker_drawn() -> None:
    root = ET.fromstring(render_mta(_mta_cases()))
    legend = " ".join("".join(g.itertext()) for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    for words in ("forecast at each report date", "due date", "report date = forecast", "cannot be scheduled"):
        assert words in legend
    crosses = [p for p in root.iter(f"{SVG}path") if p.get("class") == "cross"]
    assert len(crosses) == 3  # two report dates without a forecast, and the legend's swatch
    plain = ET.fromstring(render_mta(_mta_cases()[:1]))
    assert "cannot be scheduled" not in " ".join(plain.itertext())


def test_weekly_report_page_fits_at_every_width(tmp_path: Path) -> None:
    page = (ROOT / "examples" / "weekly-report" / "reports" / "week4.html").read_text(encoding="utf-8")
    for where, width in WIDTHS.items():
        assert_readable(measure(page, f"chart-weekly-report-{where}", width, tmp_path), min_font=9.5)


PROCEDURAL = """<script>
(function () {
  const row = document.querySelector('g.bar[data-item="executive-s75"]');
  const mid = (el) => { const r = el.getBoundingClientRect(); return (r.left + r.right) / 2; };
  const callin = row.querySelectorAll('g.call-in line');
  const out = {
    notice: mid(row.querySelector('g.notice polygon')),
    published: mid(row.querySelector('g.published line')),
    meeting: mid(row.querySelector('polygon.shape')),
    effect: mid(callin[1]),
    when: row.querySelector('text.when').getBoundingClientRect().left,
  };
  const pre = document.createElement('pre');
  pre.id = 'gf-measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def test_gantt_draws_procedural_dates_where_they_fall(tmp_path: Path) -> None:
    """examples/council-route.yaml, the Executive decision of Mon 21 Oct 2019 (worked by hand):
    notice needed by Fri 20 Sep (31 days before), agenda published Fri 11 Oct (10 days before),
    takes effect Mon 28 Oct (7 days after). Measured in Chromium: the marks sit at those
    distances in proportion, and the date label starts after the call-in line."""
    need(CHROMIUM is not None, "chromium")
    page = tmp_path / "procedural.html"
    html = render_html(_gantt_cases()["council-route"])
    page.write_text(html.replace("</body>", PROCEDURAL + "</body>"), encoding="utf-8")
    result = chromium(["--dump-dom", "--window-size=1400,1000", page.as_uri()], tmp_path)
    m = re.search(r'<pre id="gf-measure">(.*?)</pre>', result.stdout, re.S)
    assert m is not None, result.stderr[-1500:]
    x = json.loads(m.group(1).replace("&quot;", '"'))
    per_day = (x["meeting"] - x["notice"]) / 31
    assert per_day > 1
    assert x["meeting"] - x["published"] == pytest.approx(10 * per_day, abs=1.5)
    assert x["effect"] - x["meeting"] == pytest.approx(7 * per_day, abs=1.5)
    assert x["when"] > x["effect"]
