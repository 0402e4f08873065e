"""The owners' progress sheet: export (XLSX with validation, CSV), fill in, import (checked values,
a diff, files changed only with --write, comments and layout kept)."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

import govflow
from govflow.cli import app

ROOT = Path(__file__).parent.parent
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"
QUICK = ROOT / "examples" / "quickstart.yaml"
runner = CliRunner()


def _copy(tmp_path: Path, src: Path = NC) -> Path:
    """A copy of the timeline with everything beside it (body libraries it may `use:`)."""
    shutil.copytree(src.parent, tmp_path, dirs_exist_ok=True)
    return tmp_path / src.name


def _export(tmp_path: Path, timeline: Path, name: str = "progress.xlsx", *args: str) -> Path:
    out = tmp_path / name
    result = runner.invoke(app, ["progress", "export", str(timeline), "-o", str(out), *args])
    assert result.exit_code == 0, result.stderr
    return out


def _fill(path: Path, values: dict[str, dict[str, object]], out: Path | None = None) -> Path:
    wb = load_workbook(path)
    ws = wb["Progress"]
    heads = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        item = row[heads["item"] - 1].value
        for column, value in values.get(str(item), {}).items():
            row[heads[column] - 1].value = value
    out = out or path.with_name("filled.xlsx")
    wb.save(out)
    return out


def test_export_lists_open_items_with_validated_empty_input_columns(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    out = _export(tmp_path, timeline)
    wb = load_workbook(out)
    ws = wb["Progress"]
    header = [c.value for c in ws[1]]
    assert header[-5:] == ["done", "started", "remaining", "forecast", "note"]
    for col in ("owner", "title", "body", "meeting", "planned start", "planned finish", "status", "float"):
        assert col in header
    rows = {r[1]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "faw-draft" not in rows and "slb-review" not in rows  # done: not open
    tb = rows["trust-board-review"]
    assert tb["body"] == "North Cumbria Integrated Care NHS FT Board of Directors"
    assert tb["meeting"] == datetime(2019, 9, 26) and tb["float"] == 0
    assert rows["delivery-plan"]["recorded"] == "started 02 Sep 2019; 10 working days left (as of 05 Sep 2019)"
    assert all(rows[k][c] is None for k in rows for c in ("done", "started", "remaining", "forecast", "note"))
    kinds = {(dv.type, dv.operator) for dv in ws.data_validations.dataValidation}
    assert ("date", "between") in kinds and ("whole", "between") in kinds and ("textLength", "equal") in kinds
    whole = next(dv for dv in ws.data_validations.dataValidation if dv.type == "whole")
    assert whole.formula1 == "0"
    assert "How to fill in" in wb.sheetnames


def test_export_by_owner_and_as_csv(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    out = _export(tmp_path, timeline, "mine.csv", "--owner", "finance.planning@example.nhs.uk")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["item"] for r in rows] == ["planning-tool"]
    assert rows[0]["planned start"] == "2019-09-05"


def test_import_shows_a_diff_and_changes_nothing_without_write(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    before = timeline.read_text(encoding="utf-8")
    sheet = _fill(
        _export(tmp_path, timeline),
        {
            "ccg-fpc-review": {"done": datetime(2019, 9, 18)},
            "delivery-plan": {"remaining": 4, "note": "Finance chapter late"},
            "summary-strategy": {"started": datetime(2019, 9, 9), "remaining": 3},
            "nenc-input": {"forecast": "27 Sep 2019"},
        },
    )
    result = runner.invoke(app, ["progress", "import", str(sheet), str(timeline), "--as-of", "2019-09-19"])
    assert result.exit_code == 0, result.stderr
    diff = result.stdout
    assert "-as_of: 2019-09-05            # date of the SLB paper (seed 001)" in diff
    assert "+as_of: 2019-09-19            # date of the SLB paper (seed 001)" in diff
    assert "+    done: 2019-09-18" in diff and "-    remaining: 10" in diff and "+    remaining: 4" in diff
    assert "+  # progress note as of 2019-09-19: Finance chapter late" in diff
    assert "nothing written: add --write" in result.stderr
    assert timeline.read_text(encoding="utf-8") == before


def test_import_with_write_keeps_comments_order_and_layout(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    before = timeline.read_text(encoding="utf-8")
    sheet = _fill(_export(tmp_path, timeline), {"ccg-fpc-review": {"done": datetime(2019, 9, 18)}})
    result = runner.invoke(app, ["progress", "import", str(sheet), str(timeline), "--as-of", "2019-09-19", "--write"])
    assert result.exit_code == 0, result.stderr
    after = timeline.read_text(encoding="utf-8")
    old, new = before.splitlines(), after.splitlines()
    assert len(new) == len(old) + 1  # one line added; every other line as it was, in order
    assert [line for line in new if line not in old] == [
        "as_of: 2019-09-19            # date of the SLB paper (seed 001)",
        "    done: 2019-09-18",
    ]
    assert [line for line in old if line not in new] == [
        "as_of: 2019-09-05            # date of the SLB paper (seed 001)"
    ]
    i = new.index("    done: 2019-09-18")
    assert new[i - 1] == "    owner: [ccg.governance@example.nhs.uk]" and new[i - 6] == "  ccg-fpc-review:"
    (t,) = govflow.load([timeline]).timelines
    assert t.items["ccg-fpc-review"].done.isoformat() == "2019-09-18" and t.as_of.isoformat() == "2019-09-19"
    # importing the same sheet again changes nothing
    again = runner.invoke(app, ["progress", "import", str(sheet), str(timeline), "--as-of", "2019-09-19", "--write"])
    assert again.exit_code == 0 and again.stdout == "" and "no changes" in again.stderr
    assert timeline.read_text(encoding="utf-8") == after


def test_flow_style_items_stay_flow_style(tmp_path: Path) -> None:
    timeline = tmp_path / "flow.yaml"
    timeline.write_text(
        "govflow: 1\nid: flow\nstart: 2019-09-02\nas_of: 2019-09-02\n"
        "items:\n  draft: {title: Draft, duration: 5, owner: [a@example.nhs.uk]}   # the draft\n"
        "  submit: {title: Submit, after: [draft], deadline: 2019-09-27}\n",
        encoding="utf-8",
    )
    sheet = _fill(_export(tmp_path, timeline), {"draft": {"started": datetime(2019, 9, 3), "remaining": 2}})
    result = runner.invoke(app, ["progress", "import", str(sheet), str(timeline), "--as-of", "2019-09-05", "--write"])
    assert result.exit_code == 0, result.stderr
    text = timeline.read_text(encoding="utf-8")
    assert "  draft: {title: Draft, duration: 5, owner: [a@example.nhs.uk], started: 2019-09-03, remaining: 2}" in text
    assert "# the draft" in text


def test_every_bad_value_is_reported_with_sheet_row_and_column_and_nothing_changes(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    before = timeline.read_text(encoding="utf-8")
    sheet = _fill(
        _export(tmp_path, timeline),
        {
            "ccg-fpc-review": {"done": "next week"},
            "delivery-plan": {"remaining": -2},
            "summary-strategy": {"started": datetime(2019, 9, 12), "done": datetime(2019, 9, 10)},
            "trust-board-review": {"started": datetime(2019, 9, 10)},
            "planning-tool": {"remaining": 3},
            "nenc-input": {"done": "Oct 2019"},
        },
    )
    wb = load_workbook(sheet)
    ws = wb["Progress"]
    ws.append(["north-cumbria-2019", "trust-bord-review", *[None] * 10, "2019-09-10"])
    wb.save(sheet)
    result = runner.invoke(app, ["progress", "import", str(sheet), str(timeline), "--as-of", "2019-09-19", "--write"])
    assert result.exit_code == 2
    err = result.stderr
    rows = {r[1].value: r[0].row for r in ws.iter_rows(min_row=2) if r[1].value}
    expect = [
        (rows["ccg-fpc-review"], "bad-date", "'done': cannot read 'next week' as a date"),
        (rows["delivery-plan"], "negative-number", "'remaining': -2 is negative"),
        (rows["summary-strategy"], "done-before-started", "'done': done 10 Sep 2019 is before started 12 Sep 2019"),
        (rows["trust-board-review"], "not-a-task", "'started': 'started' is for tasks"),
        (rows["planning-tool"], "remaining-without-started", "'remaining'"),
        (rows["nenc-input"], "bad-date", "'Oct 2019' is not one day"),
        (rows["trust-bord-review"], "unknown-item", "did you mean 'trust-board-review'?"),
    ]
    for row, code, text in expect:
        line = next((x for x in err.splitlines() if f":{row}: error[{code}]" in x), None)
        assert line is not None, (row, code, err)
        assert f"sheet 'Progress', row {row}" in line and text in line and str(sheet) in line
    assert "nothing was changed" in err and "Traceback" not in err
    assert timeline.read_text(encoding="utf-8") == before


def test_done_after_the_status_date_is_refused(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    sheet = _fill(_export(tmp_path, timeline), {"ccg-fpc-review": {"done": datetime(2019, 9, 18)}})
    result = runner.invoke(app, ["progress", "import", str(sheet), str(timeline), "--as-of", "2019-09-10"])
    assert result.exit_code == 2 and "after-status-date" in result.stderr


def test_csv_round_trip(tmp_path: Path) -> None:
    timeline = _copy(tmp_path, QUICK)
    out = _export(tmp_path, timeline, "p.csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    for r in rows:
        if r["item"] == "draft":
            r["started"], r["remaining"] = "05/09/2019", "6"
        if r["item"] == "committee-review":
            r["note"] = "=cmd|' /C calc'!A0"  # a formula: kept as text, never run
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    result = runner.invoke(app, ["progress", "import", str(out), str(timeline), "--as-of", "2019-09-06", "--write"])
    assert result.exit_code == 0, result.stderr
    (t,) = govflow.load([timeline]).timelines
    assert t.items["draft"].started.isoformat() == "2019-09-05" and t.items["draft"].remaining == 6
    assert "# progress note as of 2019-09-06: =cmd|' /C calc'!A0" in timeline.read_text(encoding="utf-8")


def test_not_a_progress_sheet_is_exit_2(tmp_path: Path) -> None:
    timeline = _copy(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["progress", "import", str(other), str(timeline)])
    assert result.exit_code == 2 and "not-a-progress-sheet" in result.stderr
    result = runner.invoke(app, ["progress", "export", str(timeline), "-o", str(tmp_path / "p.ods")])
    assert result.exit_code == 2 and ".xlsx or .csv" in result.stderr
