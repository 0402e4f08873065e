"""`govflow import` as a planning lead runs it: the 001 seed paper's governance Gantt (CSV and
XLSX), header detection, dates as sheets hold them, meetings, dependencies, rows that cannot be
used, and bad input (exit 2, file/sheet/row named, no traceback)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.importing import ImportOptions, import_file, read_date
from govflow.sheets import Cell, SheetError

DATA = Path(__file__).parent / "data"
NC_CSV = DATA / "nc-2019-gantt.csv"
NC_XLSX = DATA / "nc-2019-gantt.xlsx"
runner = CliRunner()


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[1:]


def _items(text: str) -> dict[str, govflow.Item]:
    (t,) = govflow.load_text(text).timelines
    return dict(t.items)


def _import(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["import", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# --- the 001 seed paper's Gantt --------------------------------------------------------------


@pytest.mark.parametrize("table", [NC_CSV, NC_XLSX], ids=["csv", "xlsx"])
@pytest.mark.parametrize("chain", [False, True], ids=["plain", "chain"])
def test_the_seed_gantt_imports_into_a_timeline_check_accepts_with_every_row(
    tmp_path: Path, table: Path, chain: bool
) -> None:
    out = tmp_path / "nc.yaml"
    code, _, err = _import(tmp_path, str(table), "-o", str(out), *(["--chain"] if chain else []))
    assert code == 0, err
    assert "19 items" in err and "6 bodies" in err
    text = out.read_text(encoding="utf-8")
    items = _items(text)
    titles = {" ".join(i.title.split()) for i in items.values()}
    for _level, activity, _ in _rows(NC_CSV):
        expected = " ".join(activity.split()).lstrip("* ")
        assert expected in titles, expected
    assert len(items) == 19
    check = runner.invoke(app, ["check", "--json", str(out)])
    assert check.exit_code in (0, 1), check.stderr  # accepted: scheduled, not refused as invalid
    data = json.loads(check.stdout)
    assert all(v["status"] != "unschedulable" for v in data["items"].values())


def test_the_seed_gantt_reads_meetings_events_tasks_and_deadlines_as_the_paper_means_them() -> None:
    r = import_file(NC_CSV, ImportOptions())
    (t,) = govflow.load_text(r.text).timelines
    items = t.items
    assert set(t.bodies) == {
        "slb",
        "ccg-finance-and-performance-committee",
        "trust-board-of-directors",
        "ccg-board-of-governors",
        "health-and-wellbeing-board-devt-session",
        "health-and-wellbeing-board-public",
    }
    # the Trust Board meets on both of its Gantt dates; "SLB to sign off" is the SLB of "(SLB)"
    tb = t.bodies["trust-board-of-directors"]
    assert [m.when.first for m in tb.meetings] == [date(2019, 9, 26), date(2019, 10, 31)]
    assert items["slb-signoff"].at == "slb" and items["slb-review"].at == "slb"
    # "Late Oct-19 TBC" is a TBC meeting window of the HWB public meeting
    (hwb,) = t.bodies["health-and-wellbeing-board-public"].meetings
    assert (hwb.when.first, hwb.when.last, hwb.when.tbc) == (date(2019, 10, 21), date(2019, 10, 31), True)
    # national publications are fixed events; submissions are deadlines; the bars are tasks
    assert items["interim-people-plan-published"].kind == "event"
    assert items["operational-planning"].on is not None and items["operational-planning"].on.last == date(2020, 3, 31)
    assert items["initial-system-planning-submission"].deadline.last == date(2019, 9, 27)
    assert items["submit-5-year-draft-activity"].level == "regional"
    template = items["strategic-plan-template-shared-leads"]
    assert (template.kind, template.duration) == ("task", 44)  # Jul-19 to Aug-19 in working days
    # every assumption is marked next to its line
    line = next(x for x in r.text.splitlines() if x.strip().startswith("duration: 44"))
    assert "# check: the bar 01 Jul 2019 to 31 Aug 2019 is 44 working days" in line
    assert r.skipped == ()


def test_csv_and_xlsx_of_the_same_gantt_give_the_same_items() -> None:
    a = _items(import_file(NC_CSV, ImportOptions(chain=True)).text)
    b = _items(import_file(NC_XLSX, ImportOptions(chain=True)).text)
    assert list(a) == list(b)
    for key in a:
        x, y = a[key], b[key]
        assert (x.kind, x.level, x.at, x.duration, x.after) == (y.kind, y.level, y.at, y.duration, y.after), key
        for attr in ("on", "deadline"):
            wx, wy = getattr(x, attr), getattr(y, attr)
            assert (wx and (wx.first, wx.last, wx.tbc)) == (wy and (wy.first, wy.last, wy.tbc)), (key, attr)


def test_xlsx_title_row_merged_levels_and_footnote(tmp_path: Path) -> None:
    r = import_file(NC_XLSX, ImportOptions())
    assert "title: North Cumbria 5 year system strategy - governance sign-off timeline" in r.text
    assert "header on row 3" in r.text
    assert any("row 24" in n and "kept as a comment" in n for n in r.notes)  # the NB under the table
    assert "# Under the table: NB: *An additional early draft" in r.text
    items = _items(r.text)
    assert items["ccg-finance-and-performance-committee-review"].level == "local"  # from a merged Level cell


def test_chain_links_rows_within_each_level_and_keeps_the_tables_dates(tmp_path: Path) -> None:
    r = import_file(NC_CSV, ImportOptions(chain=True))
    items = _items(r.text)
    deps = {k: [(d.pred.split(":")[1], d.type) for d in i.after] for k, i in items.items()}
    assert deps["interim-people-plan-published"] == []
    assert deps["long-term-plan-implementation-framework"] == [("interim-people-plan-published", "FS")]
    assert deps["slb-review"] == [("strategic-plan-template-shared-leads", "FS")]
    assert deps["submit-5-year-draft-activity"] == []  # the only regional row
    # 26 Sep board -> 2 Oct governors: papers for 2 Oct were due 25 Sep, so FS cannot fit: FF, said why
    assert deps["ccg-board-of-governors-review"] == [("trust-board-of-directors-review", "FF")]
    line = next(x for x in r.text.splitlines() if "after: [trust-board-of-directors-review FF]" in x)
    assert "# check: --chain" in line and "finish-to-start would not fit" in line
    sched = govflow.schedule(govflow.load_text(r.text))
    assert sched.items["nc-2019-gantt:ccg-board-of-governors-review"].early_finish == date(2019, 10, 2)
    assert sched.items["nc-2019-gantt:slb-signoff"].early_finish == date(2019, 11, 7)


# --- headers, dates, meetings, dependencies --------------------------------------------------


def _write_csv(path: Path, rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_headers_found_by_their_synonyms_below_title_rows(tmp_path: Path) -> None:
    table = _write_csv(
        tmp_path / "plan.csv",
        [
            ["Annual plan 2019/20 - sign-off route"],
            [],
            ["Ref", "Key Milestones", "Due date (dd/mm/yy)", "Lead", "Meeting", "Predecessors", "RAG"],
            ["1", "Draft plan circulated", "06/09/2019", "a.lead@example.nhs.uk", "", "", "Green"],
            [
                "2",
                "Finance committee review",
                "17/09/2019",
                "b@example.nhs.uk; c@example.nhs.uk",
                "Finance Committee",
                "1",
                "",
            ],
            ["3", "Board approval", "26/09/2019", "", "Trust Board", "2", ""],
            ["4", "Plan submitted to NHS England", "27/09/2019", "", "", "3 +1", ""],
        ],
    )
    r = import_file(table, ImportOptions())
    (t,) = govflow.load_text(r.text).timelines
    assert t.title == "Annual plan 2019/20 - sign-off route"
    assert set(t.bodies) == {"finance-committee", "trust-board"}
    items = list(t.items.values())
    assert [i.kind for i in items] == ["milestone", "meeting", "meeting", "milestone"]
    assert items[1].owner == ("b@example.nhs.uk", "c@example.nhs.uk")
    assert [(d.pred.split(":")[1], d.lag) for d in items[3].after] == [("trust-board-approval", 1)]
    assert "status 'Green' is a RAG rating, not progress: not recorded" in r.text
    assert "'Ref' -> id, 'Key Milestones' -> title, 'Due date (dd/mm/yy)' -> date" in r.text


def test_column_overrides_by_header_or_letter_and_unknown_header_is_exit_2(tmp_path: Path) -> None:
    table = _write_csv(
        tmp_path / "t.csv",
        [["Thing", "When it happens", "Who"], ["Board review", "26 Sep 2019", "x"], ["Submit", "27 Sep 2019", "y"]],
    )
    r = import_file(table, ImportOptions(columns={"title": "Thing", "date": "B"}))
    assert len(_items(r.text)) == 2
    code, _, err = _import(tmp_path, str(table), "--column", "date=When")
    assert code == 2
    assert "no column headed 'When'" in err and "'When it happens'" in err
    assert "Traceback" not in err
    code, _, err = _import(tmp_path, str(table), "--column", "colour=B")
    assert code == 2 and "unknown role 'colour'" in err


def test_table_without_a_header_row_is_read_from_its_contents(tmp_path: Path) -> None:
    table = _write_csv(
        tmp_path / "pasted.csv",
        [
            ["National", "Guidance published", "27-Jun-19"],
            ["Local", "Trust Board review of the draft", "26-Sep-19"],
            ["National", "Initial submission", "27-Sep-19"],
        ],
    )
    r = import_file(table, ImportOptions())
    assert any("no header row" in n for n in r.notes)
    items = _items(r.text)
    assert [i.kind for i in items.values()] == ["event", "meeting", "milestone"]


def test_dates_as_sheets_hold_them() -> None:
    assert read_date(Cell(datetime(2019, 9, 26))).window.first == date(2019, 9, 26)
    r = read_date(Cell("43734"))  # an Excel serial number that lost its format in a CSV
    assert r.window.first == date(2019, 9, 26) and "Excel serial" in r.checks[0]
    assert str(read_date(Cell("w/c 16/09/2019")).window) == "2019-09-16 to 2019-09-20"
    assert read_date(Cell("by 30 Sep 2019")).window.first == date(2019, 9, 30)
    assert read_date(Cell("End of Oct 2019")).window.first == date(2019, 10, 31)
    assert read_date(Cell("Thu 26 Sep 2019")).window.first == date(2019, 9, 26)
    assert read_date(Cell("26.09.2019")).window.first == date(2019, 9, 26)
    assert read_date(Cell("26 Sep"), year_hint=2019).window.first == date(2019, 9, 26)
    assert read_date(Cell("26 Sep"), year_hint=2019).checks == (
        "'26 Sep' has no year; 2019 assumed from the rows around it",
    )
    tbc = read_date(Cell("Late Oct-19\nTBC")).window
    assert (tbc.first, tbc.last, tbc.tbc) == (date(2019, 10, 21), date(2019, 10, 31), True)
    assert read_date(Cell("TBC")).tbc and read_date(Cell("TBC")).window is None
    assert read_date(Cell("Autumn 2019")).window.last == date(2019, 11, 30)
    assert read_date(Cell("ongoing")).error


def test_xlsx_real_dates_serial_numbers_status_and_durations(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Task", "Start", "Finish", "Duration", "Status", "Owner"])
    ws.append(["Draft the plan", datetime(2019, 9, 2), datetime(2019, 9, 13), "2 weeks", "Complete", "A Lead"])
    ws.append(["Consult partners", datetime(2019, 9, 16), 43741, None, "In progress", "B Lead"])
    ws.append(["Trust Board approval", datetime(2019, 10, 31), None, None, None, None])
    ws.append(["Submit the plan", "15 Nov 2019", None, None, "Not started", None])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    r = import_file(path, ImportOptions(as_of=date(2019, 9, 20)))
    items = _items(r.text)
    draft, consult, board, submit = items.values()
    assert (draft.kind, draft.duration, draft.done) == ("task", 10, date(2019, 9, 13))
    assert "'2 weeks' read as 10 working days" in r.text
    assert consult.started == date(2019, 9, 16) and consult.duration == 14  # 16 Sep .. 3 Oct (serial 43741)
    assert "Excel serial date 43741 read as 03 Oct 2019" in r.text
    assert board.kind == "meeting" and submit.deadline.first == date(2019, 11, 15)
    assert "as_of: 2019-09-20" in r.text


def test_rows_that_cannot_be_used_are_listed_with_sheet_and_row_and_kept_as_comments(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Timeline"
    ws.append(["Activity", "Date"])
    ws.append(["Board review", datetime(2019, 9, 26)])
    ws.append(["Engagement", "ongoing"])
    ws.append([None, datetime(2019, 10, 1)])
    ws.append(["Submission", datetime(2019, 9, 27)])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    out = tmp_path / "t.yaml"
    code, _, err = _import(tmp_path, str(path), "-o", str(out))
    assert code == 1  # written, but rows were left out
    assert f"{path}:3: warning[bad-date]: sheet 'Timeline', row 3: 'Date': cannot read 'ongoing'" in err
    assert f"{path}:4: warning[no-title]: sheet 'Timeline', row 4: no 'Activity' in this row" in err
    assert "2 rows left out" in err
    text = out.read_text(encoding="utf-8")
    assert "# sheet 'Timeline', row 3: Engagement | ongoing" in text
    assert len(_items(text)) == 2


def test_depends_on_column_ids_titles_rows_lags_and_unknown_references(tmp_path: Path) -> None:
    table = _write_csv(
        tmp_path / "deps.csv",
        [
            ["ID", "Task", "Duration", "Depends on"],
            ["A1", "Draft", "10", ""],
            ["A2", "Review", "5", "A1"],
            ["A3", "Finalise", "3", "A2FS+2d, Draft"],
            ["A4", "Publish", "", "A3 SS; nowhere"],
        ],
    )
    r = import_file(table, ImportOptions(chain=True))
    items = _items(r.text)
    after = {k: [(d.pred.split(":")[1], d.type, d.lag) for d in v.after] for k, v in items.items()}
    assert after["review"] == [("draft", "FS", 0)]
    assert after["finalise"] == [("review", "FS", 2), ("draft", "FS", 0)]
    assert after["publish"] == [("finalise", "SS", 0)]
    assert "'nowhere' is not a row of the table: not linked" in r.text
    assert any("--chain ignored" in n for n in r.notes)


def test_a_cycle_in_the_table_is_broken_with_a_note(tmp_path: Path) -> None:
    table = _write_csv(
        tmp_path / "cyc.csv",
        [["Task", "Duration", "After"], ["One", "2", "Two"], ["Two", "2", "One"]],
    )
    r = import_file(table, ImportOptions())
    assert "that link would close a dependency cycle" in r.text
    assert len(_items(r.text)) == 2


def test_meeting_rows_name_their_body_in_many_ways(tmp_path: Path) -> None:
    table = _write_csv(
        tmp_path / "m.csv",
        [
            ["Level", "Activity", "Date"],
            ["Local", "Trust Board review", "26/09/2019"],
            ["Local", "HWB (in public)", "Late Oct 2019 TBC"],
            ["Local", "Plan approved by Cabinet", "12/11/2019"],
            ["Local", "Board papers deadline", "19/09/2019"],
            ["Local", "Scrutiny Committee considers the plan", "03/12/2019"],
        ],
    )
    (t,) = govflow.load_text(import_file(table, ImportOptions()).text).timelines
    at = {i.title: i.at for i in t.items.values()}
    assert at["Trust Board review"] == "trust-board"
    assert at["HWB (in public)"] == "hwb-in-public"
    assert at["Plan approved by Cabinet"] == "cabinet"
    assert at["Board papers deadline"] is None  # a papers deadline is not a meeting
    assert at["Scrutiny Committee considers the plan"] == "scrutiny-committee"
    assert t.bodies["hwb-in-public"].meetings[0].when.tbc


# --- bad input -------------------------------------------------------------------------------


def test_bad_input_names_the_file_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "plan.xlsx"
    fake.write_bytes(b"not a zip file at all")
    code, _, err = _import(tmp_path, str(fake))
    assert code == 2 and f"{fake}: error[not-xlsx]" in err and "Traceback" not in err
    old = tmp_path / "plan.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = _import(tmp_path, str(old))
    assert code == 2 and "save the .xls file as .xlsx" in err
    code, _, err = _import(tmp_path, str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv: error[no-file]" in err
    empty = _write_csv(tmp_path / "empty.csv", [["just", "words"], ["no", "table"]])
    code, _, err = _import(tmp_path, str(empty))
    assert code == 2 and "error[no-table]" in err and "--column" in err
    code, _, err = _import(tmp_path, str(NC_XLSX), "--sheet", "Governence")
    assert code == 2 and "no sheet 'Governence'; did you mean 'Governance'?" in err


def test_output_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = _import(tmp_path, str(NC_CSV), "-o", str(out))
    assert code == 2 and "--force" in err
    assert out.read_text(encoding="utf-8") == "keep me"
    code, _, _ = _import(tmp_path, str(NC_CSV), "-o", str(out), "--force")
    assert code == 0 and out.read_text(encoding="utf-8").startswith("# nc-2019-gantt")


def test_without_output_the_timeline_goes_to_stdout_and_messages_to_stderr(tmp_path: Path) -> None:
    code, out, err = _import(tmp_path, str(NC_CSV), "--id", "nc", "--title", "North Cumbria", "--holidays", "england")
    assert code == 0
    assert out.startswith("# North Cumbria") and "\nid: nc\n" in out
    assert "imported: 19 items" in err
    assert govflow.load_text(out).timelines[0].id == "nc"


def test_bad_csv_bytes_and_excel_renamed_to_csv(tmp_path: Path) -> None:
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(SheetError, match="binary"):
        import_file(binary)
    renamed = tmp_path / "gantt.csv"
    renamed.write_bytes(NC_XLSX.read_bytes())
    with pytest.raises(SheetError, match="Excel workbook"):
        import_file(renamed)


def test_cp1252_csv_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Activity;Date\r\nBoard review – draft;26/09/2019\r\n".encode("cp1252"))
    items = _items(import_file(path).text)
    (item,) = items.values()
    assert item.title == "Board review – draft"


def test_every_check_mark_is_on_a_line_of_its_own_item() -> None:
    text = import_file(NC_CSV, ImportOptions(chain=True)).text
    assert text.count("# check:") >= 19
    for line in text.splitlines():
        if "# check:" in line and not line.lstrip().startswith("#"):
            assert re.match(r"\s*[a-z_]+: ", line), line


# --- MS Project XML ----------------------------------------------------------------------------

ROOT = Path(__file__).parent.parent
SHIPPED = [*sorted((ROOT / "timelines").glob("*.yaml")), ROOT / "examples" / "quickstart.yaml"]


@pytest.mark.parametrize("timeline", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_govflows_own_mspdi_export_imports_back_to_the_same_schedule(tmp_path: Path, timeline: Path) -> None:
    """Every item (those govflow cannot schedule too: they are in the project's notes) on the same
    early and latest dates, with the same float, status and driving path, and every deadline with
    the same verdict. A programme of two timelines (`use:` of another plan) comes back as one file,
    so keys are compared without their timeline."""
    xml, back = tmp_path / "plan.xml", tmp_path / "back.yaml"
    assert runner.invoke(app, ["gantt", str(timeline), "-o", str(xml), "--no-baseline"]).exit_code == 0
    code, _, err = _import(tmp_path, str(xml), "-o", str(back))
    assert code == 0, err
    before = json.loads(runner.invoke(app, ["check", "--json", str(timeline)]).stdout)
    after = json.loads(runner.invoke(app, ["check", "--json", str(back)]).stdout)

    def local(key: str) -> str:
        return key.split(":")[-1]

    old = {local(k): v for k, v in before["items"].items()}
    new = {local(k): v for k, v in after["items"].items()}
    assert set(new) == set(old)
    has_unschedulable = timeline.stem in ("lsc-ics-2019", "morecambe-bay-bct2-2019")
    assert any(v["status"] == "unschedulable" for v in old.values()) == has_unschedulable
    fields = ("kind", "level", "early_start", "early_finish", "late_start", "late_finish", "float", "critical",
              "status", "tbc", "papers_due", "papers_ready")  # fmt: skip
    for key, v in old.items():
        for field in fields:
            assert new[key].get(field) == v.get(field), (key, field, v.get(field), new[key].get(field))
        assert [local(k) for k in new[key].get("driving", [])] == [local(k) for k in v.get("driving", [])], key
    assert {local(d["id"]) for d in after["deadlines"]} == {local(d["id"]) for d in before["deadlines"]}
    for d in before["deadlines"]:
        (e,) = [x for x in after["deadlines"] if local(x["id"]) == local(d["id"])]
        assert (e["deadline"], e["forecast"], e["margin"], e["met"]) == (
            d["deadline"], d["forecast"], d["margin"], d["met"]
        ), d["id"]  # fmt: skip
        assert [local(k) for k in e["driving_path"]] == [local(k) for k in d["driving_path"]], d["id"]
        if len(before["timelines"]) == 1:  # the same explanation, word for word
            assert e["explanation"] == d["explanation"], d["id"]


def test_mspdi_round_trip_keeps_tbc_windows_bodies_and_progress(tmp_path: Path) -> None:
    sched = govflow.schedule(govflow.load([ROOT / "timelines" / "north-cumbria-2019.yaml"]))
    from govflow.exporters.mspdi import render_mspdi

    path = tmp_path / "nc.xml"
    path.write_text(render_mspdi(sched), encoding="utf-8")
    r = import_file(path)
    (t,) = govflow.load_text(r.text).timelines
    hwb = t.items["hwb-public"]
    assert "2019-10-21 to 2019-10-31 TBC" in [str(m.when) for m in t.bodies[hwb.at].meetings]
    assert t.items["hwb-process"].at == hwb.at  # one body for the decisions at the same meetings
    assert t.items["delivery-plan"].started == date(2019, 9, 2) and t.items["delivery-plan"].remaining == 10
    assert t.items["faw-draft"].done == date(2019, 8, 30)
    assert t.items["technical-guidance"].on is not None and t.items["technical-guidance"].on.text == "Jul-19"
    assert t.holidays == "england" and t.as_of == date(2019, 9, 5)


MSPDI = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>Annual plan</Name><Title>Annual plan 2019</Title><StartDate>2019-09-02T08:00:00</StartDate>
  <StatusDate>2019-09-10T17:00:00</StatusDate><MinutesPerDay>480</MinutesPerDay><CalendarUID>1</CalendarUID>
  <Calendars><Calendar><UID>1</UID><Name>Standard</Name><Exceptions>
    <Exception><TimePeriod><FromDate>2019-08-26T00:00:00</FromDate><ToDate>2019-08-26T23:59:00</ToDate></TimePeriod>
      <DayWorking>0</DayWorking></Exception>
    <Exception><TimePeriod><FromDate>2019-12-25T00:00:00</FromDate><ToDate>2019-12-26T23:59:00</ToDate></TimePeriod>
      <DayWorking>0</DayWorking></Exception>
    <Exception><TimePeriod><FromDate>2019-09-20T00:00:00</FromDate><ToDate>2019-09-20T23:59:00</ToDate></TimePeriod>
      <DayWorking>0</DayWorking></Exception>
  </Exceptions></Calendar></Calendars>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>Annual plan</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>
    <Task><UID>1</UID><Name>Drafting</Name><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>
    <Task><UID>2</UID><Name>Draft the plan</Name><OutlineLevel>2</OutlineLevel><Start>2019-09-02T08:00:00</Start>
      <Finish>2019-09-13T17:00:00</Finish><Duration>PT80H0M0S</Duration><PercentComplete>50</PercentComplete>
      <ActualStart>2019-09-02T08:00:00</ActualStart><RemainingDuration>PT32H0M0S</RemainingDuration></Task>
    <Task><UID>3</UID><Name>Consult partners</Name><OutlineLevel>2</OutlineLevel><Duration>PT40H0M0S</Duration>
      <Start>2019-09-04T08:00:00</Start><Finish>2019-09-10T17:00:00</Finish>
      <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>3</Type><LinkLag>9600</LinkLag><LagFormat>7</LagFormat>
      </PredecessorLink></Task>
    <Task><UID>4</UID><Name>Guidance published</Name><OutlineLevel>1</OutlineLevel><Milestone>1</Milestone>
      <Duration>PT0H0M0S</Duration><ConstraintType>2</ConstraintType><ConstraintDate>2019-09-03T08:00:00</ConstraintDate>
    </Task>
    <Task><UID>5</UID><Name>Plan submitted</Name><OutlineLevel>1</OutlineLevel><Milestone>1</Milestone>
      <Duration>PT0H0M0S</Duration><Deadline>2019-09-27T17:00:00</Deadline>
      <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink>
      <PredecessorLink><PredecessorUID>4</PredecessorUID><Type>1</Type></PredecessorLink></Task>
  </Tasks>
</Project>
"""


def test_an_ms_project_plan_with_summaries_links_constraints_and_calendar(tmp_path: Path) -> None:
    path = tmp_path / "plan.xml"
    path.write_text(MSPDI, encoding="utf-8")
    r = import_file(path)
    (t,) = govflow.load_text(r.text).timelines
    assert (t.id, t.title, t.as_of, t.holidays) == ("annual-plan", "Annual plan 2019", date(2019, 9, 10), "england")
    assert t.closures == frozenset({date(2019, 9, 20)})  # not a bank holiday: a closure
    draft, consult, guidance, submit = t.items.values()
    assert (draft.kind, draft.duration, draft.started, draft.remaining) == ("task", 10, date(2019, 9, 2), 4)
    assert [(d.pred.split(":")[1], d.type, d.lag) for d in consult.after] == [("draft-plan", "SS", 2)]
    assert guidance.kind == "event" and guidance.on.first == date(2019, 9, 3)  # must start on: a fixed event
    assert submit.deadline.first == date(2019, 9, 27)
    assert {d.pred.split(":")[1] for d in submit.after} == {"draft-plan", "consult-partners", "guidance-published"}
    assert "  # ---- Drafting ----\n  draft-plan:" in r.text  # the summary task, above its first task


def test_bad_ms_project_files_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "plan.xml"
    bad.write_text("<Project><Tasks>", encoding="utf-8")
    code, _, err = _import(tmp_path, str(bad))
    assert code == 2 and f"{bad}:1: error[not-mspdi]: not valid XML" in err and "Traceback" not in err
    other = tmp_path / "other.xml"
    other.write_text("<html/>", encoding="utf-8")
    code, _, err = _import(tmp_path, str(other))
    assert code == 2 and "not an MS Project XML file (the root element is <html>" in err
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE p [<!ENTITY a "aaaa">]><Project>&a;</Project>', encoding="utf-8")
    code, _, err = _import(tmp_path, str(bomb))
    assert code == 2 and "DOCTYPE" in err


def test_other_plan_formats_go_through_mpxj(tmp_path: Path) -> None:
    """An MPX file (written by MPXJ itself from the plan above) read through MPXJ, as .mpp and .xer are."""
    import shutil

    from readers import need

    try:
        import jpype
        import mpxj  # noqa: F401
    except ImportError:
        need(False, "PyPI mpxj and JPype1")
    need(shutil.which("java") is not None, "Java 17 (default-jre-headless)")
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.mpx import MPXWriter  # type: ignore[import-not-found]
    from org.mpxj.reader import UniversalProjectReader  # type: ignore[import-not-found]

    xml = tmp_path / "plan.xml"
    xml.write_text(MSPDI, encoding="utf-8")
    mpx = tmp_path / "plan.mpx"
    MPXWriter().write(UniversalProjectReader().read(str(xml)), str(mpx))
    r = import_file(mpx)
    titles = [i.title for i in _items(r.text).values()]
    assert titles == ["Draft the plan", "Consult partners", "Guidance published", "Plan submitted"]
