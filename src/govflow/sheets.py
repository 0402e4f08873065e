"""Spreadsheet tables as plain cells: CSV (any common delimiter and encoding) and Excel .xlsx.

`read_sheets(path)` returns every sheet of a workbook (a CSV file is one sheet with no name) as
rows of `Cell`s, numbered as the spreadsheet numbers them (row 1 is the first row), so every
message can name the sheet and row a user sees. Merged cells give their value to every cell
of their column span downwards (a Level written once beside several rows applies to each);
shaded cells are marked, for the bars of a Gantt drawn in a sheet.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("Level;Activity;Date\\nLocal;Board review;26-Sep-19\\n", encoding="utf-8")
>>> (sheet,) = read_sheets(p)
>>> [c.value for c in sheet.rows[1]]
['Local', 'Board review', '26-Sep-19']
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from .errors import GovflowError, Problem

__all__ = [
    "EXCEL_EPOCH",
    "Cell",
    "Sheet",
    "SheetError",
    "column_letter",
    "excel_serial",
    "read_sheets",
    "where",
]

MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 500
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 Jan 1900 (Excel's 1900 leap-year bug included)

CellValue = str | int | float | date | datetime | time | None


class SheetError(GovflowError):
    """A table that cannot be read or used; carries `Problem`s naming file, sheet and row."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its value (text, number, date or None), whether it is shaded, and its number format."""

    value: CellValue = None
    filled: bool = False
    number_format: str = "General"

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def text(self) -> str:
        """The value as one line of text ('' when empty)."""
        if self.value is None:
            return ""
        if isinstance(self.value, datetime):
            return self.value.date().isoformat() if self.value.time() == time() else self.value.isoformat(" ")
        if isinstance(self.value, date):
            return self.value.isoformat()
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return " ".join(str(self.value).split())


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet of a workbook, or a CSV file (`name` None). `rows[i]` is spreadsheet row i + 1."""

    file: str
    name: str | None
    rows: tuple[tuple[Cell, ...], ...]

    def cell(self, row: int, col: int) -> Cell:
        """The cell at spreadsheet row `row` (1-based) and column index `col` (0-based)."""
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else ()
        return cells[col] if col < len(cells) else Cell()


def column_letter(col: int) -> str:
    """Column index (0-based) -> Excel letters.

    >>> column_letter(0), column_letter(25), column_letter(26)
    ('A', 'Z', 'AA')
    """
    letters = ""
    n = col + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def where(sheet: Sheet, row: int) -> str:
    """How a row is named in messages: "row 12", or "sheet 'Plan', row 12" in a workbook."""
    return f"row {row}" if sheet.name is None else f"sheet '{sheet.name}', row {row}"


def excel_serial(value: float) -> date | None:
    """An Excel serial day number -> date, for numbers that can be dates of a plan (1950-2199).

    >>> excel_serial(43735)
    datetime.date(2019, 9, 27)
    >>> excel_serial(12) is None
    True
    """
    if not 18264 <= value <= 109574:  # 1 Jan 1950 .. 31 Dec 2199
        return None
    return EXCEL_EPOCH + timedelta(days=int(value))


def read_sheets(path: Path) -> tuple[Sheet, ...]:
    """Every sheet of a .xlsx/.xlsm workbook, or the one table of a .csv/.tsv/.txt file.

    Raises `SheetError` (naming the file) for a file that is missing, too large or not a table.
    """
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise SheetError([Problem("unreadable", f"cannot read the file: {e.strerror or e}", name)]) from None
    if size > MAX_BYTES:
        raise SheetError([Problem("too-large", f"the file is larger than {MAX_BYTES // 2**20} MiB", name)])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".xls", ".ods", ".numbers"):
        raise SheetError(
            [Problem("unsupported-format", f"govflow reads .xlsx and .csv; save the {suffix} file as .xlsx", name)]
        )
    return (_read_csv(path),)


def _read_csv(path: Path) -> Sheet:
    name = str(path)
    raw = path.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        raise SheetError([Problem("not-csv", "this is an Excel workbook, not CSV text: give it a .xlsx name", name)])
    if b"\x00" in raw[:65536]:
        raise SheetError([Problem("not-csv", "this is a binary file, not CSV text", name)])
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves "CSV" in cp1252
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes all but five bytes
        text = raw.decode("latin-1")
    sample = text[:16384]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows: list[tuple[Cell, ...]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), dialect):
            if len(rows) >= MAX_ROWS:
                raise SheetError([Problem("too-large", f"more than {MAX_ROWS} rows", name)])
            rows.append(tuple(Cell(v.strip() or None) for v in record[:MAX_COLUMNS]))
    except csv.Error as e:
        raise SheetError([Problem("not-csv", f"cannot read the CSV: {e}", name, len(rows) + 1)]) from None
    return Sheet(name, None, tuple(rows))


def _filled(cell: Any) -> bool:
    fill = getattr(cell, "fill", None)
    if fill is None or getattr(fill, "fill_type", None) in (None, "none"):
        return False
    colour = getattr(fill, "fgColor", None)
    if colour is None:
        return False
    if getattr(colour, "type", "") == "rgb":
        rgb = str(getattr(colour, "rgb", "") or "").upper()
        return rgb not in ("", "FFFFFFFF", "00FFFFFF", "00000000")  # white, or "no colour"
    return True  # theme or indexed colour


def _read_xlsx(path: Path) -> tuple[Sheet, ...]:
    name = str(path)
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:  # pragma: no cover - a dependency
        raise SheetError(
            [Problem("missing-package", "reading .xlsx needs openpyxl (pip install openpyxl)", name)]
        ) from None
    try:
        wb = openpyxl.load_workbook(path, data_only=True)  # formulas: the value Excel last computed
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError) as e:
        detail = str(e) or type(e).__name__
        raise SheetError(
            [Problem("not-xlsx", f"not an Excel .xlsx workbook (or a damaged one): {detail}", name)]
        ) from None
    sheets = []
    for ws in wb.worksheets:
        if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
            raise SheetError(
                [
                    Problem(
                        "too-large", f"sheet '{ws.title}' has more than {MAX_ROWS} rows or {MAX_COLUMNS} columns", name
                    )
                ]
            )
        grid: list[list[Cell]] = []
        for row in ws.iter_rows():
            grid.append(
                [
                    Cell(
                        c.value if not isinstance(c.value, str) or c.value.strip() else None,
                        _filled(c),
                        str(getattr(c, "number_format", "General") or "General"),
                    )
                    for c in row
                ]
            )
        for merged in ws.merged_cells.ranges:  # the top-left cell's value, down the rows of the span
            top, col = merged.min_row - 1, merged.min_col - 1
            if top >= len(grid) or col >= len(grid[top]):
                continue
            for r in range(top + 1, min(merged.max_row, len(grid))):
                if col < len(grid[r]):
                    grid[r][col] = grid[top][col]
        sheets.append(Sheet(name, ws.title, tuple(tuple(r) for r in grid)))
    return tuple(sheets)
