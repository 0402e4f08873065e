"""Write nc-2019-gantt.xlsx from nc-2019-gantt.csv: the 001 seed paper's governance Gantt as a
planning team keeps it in Excel. Run from anywhere: `.venv/bin/python tests/data/make_nc_gantt_xlsx.py`.

What it adds to the CSV, so that the import is tested on what real workbooks hold:
- a title row and a blank row above the header;
- exact dates as real date cells (number format d-mmm-yy), windows as text;
- the Level written once per run of equal levels, in merged cells;
- month columns Jun-19 .. Mar-20 with the bar of each row shaded, as the paper's chart draws it;
- the paper's footnote (NB ...) as one cell under the table.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from govflow.dates import parse_window

HERE = Path(__file__).parent
MONTHS = [date(2019, m, 1) for m in range(6, 13)] + [date(2020, m, 1) for m in range(1, 4)]
SHADE = PatternFill("solid", fgColor="FF4F81BD")


def main() -> None:
    with open(HERE / "nc-2019-gantt.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    wb = Workbook()
    ws = wb.active
    ws.title = "Governance"
    ws["A1"] = "North Cumbria 5 year system strategy - governance sign-off timeline"
    ws["A1"].font = Font(bold=True, size=14)
    header = ["Level", "Key milestones / activity", "Date", *[f"{m:%b-%y}" for m in MONTHS]]
    ws.append([])
    ws.append(header)
    for c in ws[3]:
        c.font = Font(bold=True)
    first_data = 4
    for i, (level, activity, when) in enumerate(rows):
        r = first_data + i
        w = parse_window(" ".join(when.split()))
        ws.cell(r, 1, level)
        ws.cell(r, 2, activity).alignment = Alignment(wrap_text=True)
        if w.first == w.last and not w.tbc:
            cell = ws.cell(r, 3, datetime(w.first.year, w.first.month, w.first.day))
            cell.number_format = "d-mmm-yy"
        else:
            ws.cell(r, 3, when).alignment = Alignment(wrap_text=True)
        for j, m in enumerate(MONTHS):
            if w.first <= date(m.year, m.month, 28) and (w.last.year, w.last.month) >= (m.year, m.month):
                ws.cell(r, 4 + j).fill = SHADE
    # merge runs of the same level, as the paper's table shows one level per group
    start = first_data
    for r in range(first_data + 1, first_data + len(rows) + 1):
        if r == first_data + len(rows) or ws.cell(r, 1).value != ws.cell(start, 1).value:
            if r - 1 > start:
                ws.merge_cells(start_row=start, start_column=1, end_row=r - 1, end_column=1)
            start = r
    note = first_data + len(rows) + 1
    ws.cell(
        note,
        1,
        "NB: *An additional early draft finance and activity submission for North Cumbria system has "
        "been provided on 30th August at short notice at the request of North East and North Cumbria (NENC) "
        "Integrated System.",
    )
    ws.column_dimensions["B"].width = 70
    wb.properties.creator = "govflow tests"
    wb.properties.created = wb.properties.modified = datetime(2019, 9, 5)
    wb.save(HERE / "nc-2019-gantt.xlsx")


if __name__ == "__main__":
    main()
