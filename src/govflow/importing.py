"""`govflow import`: a timeline from the spreadsheets and plans planning teams already keep.

A governance Gantt in a sheet or a board paper (Level, Activity, Date, ...) becomes a timeline
file a person can read and correct:

- the columns are found by their headers (`DEFAULT_HEADERS`; `columns` overrides), or, in a
  table without a header row, by what they hold;
- dates are read in every form govflow accepts, plus real date cells, Excel serial numbers,
  "w/c 16 Sep 19", "by 30 Sep", "end of Oct 2019", year-less dates and TBC;
- rows that are decisions at a meeting ("Trust Board review", "HWB (in public)") become items
  `at:` a body, and their dates that body's meetings;
- every assumption made is marked `# check:` on the line concerned; rows that cannot be used
  are returned as warnings naming sheet and row, and kept as comments at the end of the file.

`import_file` reads .csv/.xlsx tables and MS Project XML (`govflow.msproject`); the result's
`text` is checked by `govflow.load_text` before it is returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .calendars import NATIONS, WorkCalendar
from .dates import DateError, Window, parse_window
from .errors import GovflowError, Problem, did_you_mean
from .model import LEVELS
from .sheets import Cell, Sheet, SheetError, column_letter, excel_serial, read_sheets, where
from .timeline_writer import Draft, DraftBody, DraftItem, Imported, ImportOptions, render_draft, slug, validated

__all__ = [
    "DEFAULT_HEADERS",
    "ROLES",
    "ImportOptions",
    "Imported",
    "SheetError",
    "import_file",
    "import_sheets",
    "read_date",
]


def _words(text: str) -> tuple[str, ...]:
    """'a|b c|d' -> ('a', 'b c', 'd'): word lists kept compact."""
    return tuple(w.strip() for w in text.split("|"))


ROLES = _words("id|level|title|date|start|end|duration|owner|body|after|deadline|status|done|forecast|notes")

DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ref", "ref no", "reference", "no", "#", "number", "task id", "uid", "wbs", "item no", "step",
           "key", "code"),
    "level": ("level", "tier", "governance level", "scope", "layer", "level of governance"),
    "title": ("activity", "activities", "milestone", "milestones", "key milestone", "key milestones", "task",
              "task name", "tasks", "name", "action", "actions", "description", "deliverable", "deliverables",
              "what", "event", "title", "detail", "item", "key milestones activity", "activity milestone",
              "milestone activity", "key activity", "key activities", "governance step", "step description"),
    "date": ("date", "dates", "due", "due date", "when", "target date", "planned date", "timescale", "timescales",
             "timing", "target", "by when", "date due", "key date", "meeting date", "milestone date",
             "date of meeting"),
    "start": ("start", "start date", "from", "begin", "begins", "planned start", "start by", "baseline start"),
    "end": ("end", "end date", "finish", "finish date", "to", "until", "planned finish", "planned end",
            "complete by", "completion date", "completion", "end by"),
    "duration": ("duration", "days", "working days", "duration days", "length", "effort", "duration wd", "wd"),
    "owner": ("owner", "owners", "lead", "leads", "responsible", "responsibility", "who", "accountable",
              "lead officer", "exec lead", "executive lead", "contact", "email", "owner email", "by whom", "sro",
              "resource names", "resources", "assigned to", "resource",
              "responsible officer", "lead contact"),
    "body": ("body", "meeting", "committee", "board", "forum", "governance", "governance route", "approval body",
             "decision body", "decision maker", "meeting body", "body meeting", "venue", "approval route",
             "governance forum", "decision making body"),
    "after": ("depends on", "dependencies", "dependency", "after", "predecessor", "predecessors", "follows",
              "prerequisite", "prerequisites", "depends", "preceded by", "dependent on"),
    "deadline": ("deadline", "national deadline", "must finish by", "due by", "hard deadline", "latest date",
                 "deadline date", "submission date"),
    "status": ("status", "rag", "rag status", "progress", "state", "% complete", "percent complete", "complete",
               "completed", "done", "pct complete"),
    "done": ("actual", "actual date", "actual finish", "date completed", "completed on", "achieved",
             "date achieved", "actual end", "actual completion"),
    "forecast": ("forecast", "forecast date", "revised date", "expected date", "latest forecast", "forecast finish"),
    "notes": ("notes", "note", "comments", "comment", "remarks", "narrative", "commentary", "update"),
}  # fmt: skip

# words in a header that name its role when no exact header matches (first hit wins, in this order)
_HEADER_WORDS: tuple[tuple[str, str], ...] = (
    ("depend", "after"), ("predecessor", "after"), ("deadline", "deadline"), ("forecast", "forecast"),
    ("actual", "done"), ("start", "start"), ("finish", "end"), ("end date", "end"), ("duration", "duration"),
    ("owner", "owner"), ("lead", "owner"), ("responsib", "owner"), ("status", "status"), ("rag", "status"),
    ("level", "level"), ("meeting", "body"), ("committee", "body"), ("body", "body"), ("milestone", "title"),
    ("activit", "title"), ("task", "title"), ("action", "title"), ("description", "title"), ("date", "date"),
    ("when", "date"), ("note", "notes"), ("comment", "notes"),
)  # fmt: skip

_LEVEL_WORDS = {
    "national": _words(
        "national|nhse|nhs england|nhsei|nhse/i|nhse i|dhsc|government|nhsi|nhs improvement|"
        "department of health|whitehall"
    ),
    "regional": _words(
        "regional|region|ics|icb|stp|system|integrated care system|sub-regional|combined authority|nenc|icp"
    ),
    "local": _words(
        "local|place|trust|ccg|organisation|organization|provider|council|la|neighbourhood|locality|borough|"
        "district|organisational"
    ),
}

_DONE = set(
    _words(
        "100%|achieved|approved|blue|closed|complete|complete (blue)|completed|delivered|done|finished|met|"
        "published|signed off|submitted|true|y|yes|✓|✔"
    )
)
_STARTED = set(
    _words(
        "active|in hand|in progress|in-progress|on track|ongoing|part complete|partially complete|"
        "progressing|started|under way|underway|wip"
    )
)
_NOT_STARTED = set(
    _words(
        "0%|false|future|n|no|not due|not started|not yet started|not-started|open|pending|planned|scheduled|to do|todo"
    )
)
_RAG = {"red", "amber", "green", "r", "a", "g", "red/amber", "amber/green", "ra", "ag"}
_NO_DATE = set(_words("-|?|n/a|na|nil|none|tba|tbc|tbc.|tbd|to be agreed|to be confirmed|–|—"))

_BODY_NOUN = (
    r"(?:governing\s+body|board|committee|cabinet|council|executive|panel|forum|group|partnership|"
    r"assembly|senate|commission|collaborative)"
)
_BODY_TAIL = re.compile(
    r"\s*(?:of\s+(?:directors|governors|trustees|management|members))?"
    r"(?:\s*\((?P<acr>[A-Z][A-Za-z&]{1,9})\))?"
    r"(?P<qual>\s*\(?(?:in\s+public|in\s+private|public\s+meeting|private\s+meeting|public\s+session|"
    r"private\s+session|(?:devt|dev|development)\.?\s+session|seminar|workshop|part\s+(?:1|2|one|two|a|b))\)?)?",
    re.IGNORECASE,
)
_BODY_RE = re.compile(rf"\b{_BODY_NOUN}s?\b", re.IGNORECASE)
_ACRONYM_LEAD = re.compile(
    r"^(?P<acr>[A-Z][A-Z&]{1,7})(?P<qual>\s*\(?(?:in\s+public|in\s+private|public\s+meeting|private\s+meeting|"
    r"(?:devt|dev|development)\.?\s+session|seminar|workshop)\)?)?\b"
)
_NOT_BODY_ACRONYMS = set(
    _words(
        "ALL|AND|BCT|CEO|CFO|CIP|CQC|DRAFT|FAW|FINAL|HR|ICB|ICP|ICS|IT|KPI|KPIS|LTP|MOU|NB|NHS|NHSE|NHSI|"
        "OGIM|OGIMS|PCN|PCNS|QIPP|SDP|STP|TBC|THE|UK"
    )
)
_DECISION = re.compile(
    r"\b(?:reviews?|reviewed|sign(?:s|ed)?[\s-]*off|approv\w*|endorse\w*|ratif\w*|agree(?:s|d)?\b(?!\s+with)|"
    r"recommend\w*|consider\w*|not(?:e|es|ing)\b|decision|decides?|discuss\w*|scrutin\w*|assurance|"
    r"for\s+(?:review|approval|decision|sign[\s-]*off|information|assurance|noting|endorsement)|"
    r"in\s+public|in\s+private|meeting|session|presented\s+to|report(?:ed)?\s+to|submitted\s+to|goes\s+to)\b",
    re.IGNORECASE,
)
_EVENT_WORDS = re.compile(
    r"\b(?:publish\w*|publication|issued?|released?|announce\w*|launch\w*|guidance|established|"
    r"comes?\s+into\s+force|go[\s-]*live|election|recess)\b",
    re.IGNORECASE,
)
_DEADLINE_WORDS = re.compile(
    r"\b(?:submi\w*|deadline|due|agreed|return|final\s+plan|sign[\s-]*off\s+by|handed\s+in|lodged|sent\s+to)\b",
    re.IGNORECASE,
)
_PAPERS = re.compile(r"\bpapers?\b.*\b(?:deadline|due|submi\w*|circulat\w*|dispatch\w*)\b", re.IGNORECASE)
_VERB_ID = (
    (re.compile(r"sign(?:s|ed)?[\s-]*off", re.I), "signoff"),
    (re.compile(r"approv", re.I), "approval"),
    (re.compile(r"endorse", re.I), "endorsement"),
    (re.compile(r"ratif", re.I), "ratification"),
    (re.compile(r"recommend", re.I), "recommendation"),
    (re.compile(r"review|consider|scrutin", re.I), "review"),
    (re.compile(r"agree", re.I), "agreement"),
    (re.compile(r"\bnot(?:e|es|ing)\b", re.I), "noting"),
)


class ImportFailed(SheetError):
    """Nothing could be imported (no table, no usable row, unknown sheet or column)."""


# --- dates -----------------------------------------------------------------------------------

_WEEKDAY = re.compile(r"^(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)[a-z]*[,.]?\s+", re.IGNORECASE)
_WEEK_OF = re.compile(
    r"^(?:w/?c|w/?b|wk\s+commencing|week\s+(?:commencing|beginning|starting|of))[.:]?\s*(.+)$", re.IGNORECASE
)
_BY = re.compile(r"^(?:by|before|no\s+later\s+than|nlt|deadline|due|on|from|at)[:\s]+(.+)$", re.IGNORECASE)
_END_OF = re.compile(r"^(?:by\s+)?(?:the\s+)?end(?:\s+of)?[-\s]+(.+)$", re.IGNORECASE)
_START_OF = re.compile(r"^(?:the\s+)?(?:start|beginning|begin)(?:\s+of)?[-\s]+(.+)$", re.IGNORECASE)
_SEASON = re.compile(r"^(spring|summer|autumn|fall|winter)[-\s,]+(\d{4}|\d{2})$", re.IGNORECASE)
_SEASON_MONTHS = {
    "spring": ("Mar", "May"),
    "summer": ("Jun", "Aug"),
    "autumn": ("Sep", "Nov"),
    "fall": ("Sep", "Nov"),
    "winter": ("Dec", "Feb"),
}
_TIME_TAIL = re.compile(r"(?:\s+|T)\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]m)?$", re.IGNORECASE)
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class DateRead:
    """A date cell read: its window, the text to write in the timeline, and what was assumed."""

    window: Window | None
    text: str | date | None = None
    checks: tuple[str, ...] = ()
    error: str | None = None
    tbc: bool = False  # "TBC" with no date at all
    week: bool = False  # "w/c ...": a week the date falls in, not a span of work


def _parse(text: str) -> Window | None:
    try:
        return parse_window(text)
    except DateError:
        return None


def read_date(cell: Cell | Any, year_hint: int | None = None) -> DateRead:
    """Read a date cell as planning sheets write it.

    >>> read_date(Cell("Late Oct-19 TBC")).window
    Window(first=datetime.date(2019, 10, 21), last=datetime.date(2019, 10, 31), tbc=True)
    >>> r = read_date(Cell(43735)); (r.text, r.checks[0][:23])
    (datetime.date(2019, 9, 27), 'Excel serial date 43735')
    >>> r = read_date(Cell("w/c 16 Sep 19")); (str(r.window), r.text)
    ('2019-09-16 to 2019-09-20', '2019-09-16 to 2019-09-20')
    >>> read_date(Cell("ongoing")).error
    "cannot read 'ongoing' as a date"
    """
    if not isinstance(cell, Cell):
        cell = Cell(cell)
    value = cell.value
    if value is None:
        return DateRead(None)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return DateRead(Window(value, value, False, value.isoformat()), value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        d = excel_serial(float(value))
        if d is None:
            return DateRead(None, error=f"{cell.text} is a number, not a date")
        return DateRead(Window(d, d), d, (f"Excel serial date {cell.text} read as {d:%d %b %Y}",))
    text = " ".join(str(value).split())
    low = text.lower().strip(" .")
    if not low or low in _NO_DATE:
        return DateRead(None, tbc=low.startswith("tb") or low == "to be confirmed" or low == "?")
    if _NUMBER.match(text):
        d = excel_serial(float(text))
        if d is not None:
            return DateRead(Window(d, d), d, (f"Excel serial date {text} read as {d:%d %b %Y}",))
    if (w := _parse(text)) is not None:
        return DateRead(w, text)
    checks: list[str] = []
    body = text
    tbc = ""
    if m := re.search(r"[\s(]*\b(tbc|tba|tbd|provisional|prov\.?|to be confirmed)\b\)?\s*$", body, re.IGNORECASE):
        body, tbc = body[: m.start()].strip(), " TBC"
    body = _TIME_TAIL.sub("", body).strip()
    body = _WEEKDAY.sub("", body)
    if m := _DOTTED.match(body):
        body = f"{m[1]}/{m[2]}/{m[3]}"
    if (m := _WEEK_OF.match(body)) and (w := _parse(m[1])) and w.first == w.last:
        last = w.first + timedelta(days=4)
        out = f"{w.first.isoformat()} to {last.isoformat()}{tbc}"
        checks.append(f"'{text}' read as the working week {w.first:%d %b} to {last:%d %b %Y}")
        return DateRead(parse_window(out), out, tuple(checks), week=True)
    for pattern, word in ((_END_OF, "end"), (_START_OF, "start")):
        if m := pattern.match(body):
            w = _parse(m[1]) or (_parse(f"{m[1]} {year_hint}") if year_hint else None)
            if w is not None:
                d = w.last if word == "end" else w.first
                out = d.isoformat() + tbc
                checks.append(f"'{text}' read as {d:%d %b %Y}")
                return DateRead(parse_window(out), out, tuple(checks))
    if m := _BY.match(body):
        if (w := _parse(m[1] + tbc)) is not None:
            return DateRead(w, m[1] + tbc, (f"'{text}' read as {m[1]}",))
        body = m[1]
    if m := _SEASON.match(body):
        a, b = _SEASON_MONTHS[m[1].lower()]
        y = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        out = f"{a} {y} to {b} {y + 1 if a == 'Dec' else y}{tbc}"
        return DateRead(parse_window(out), out, (f"'{text}' read as {out}",))
    candidate = body + tbc
    if (w := _parse(candidate)) is not None:
        if candidate != text:
            checks.append(f"'{text}' read as {candidate}")
        return DateRead(w, candidate, tuple(checks))
    if year_hint:  # a date with its year left off: appending one to a date that has one cannot parse
        for form in (f"{body} {year_hint}", f"{body}-{year_hint}"):
            if (w := _parse(form + tbc)) is not None:
                return DateRead(w, form + tbc, (f"'{text}' has no year; {year_hint} assumed from the rows around it",))
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", body):  # 12/31/2019: month first
        swapped = f"{m[2]}/{m[1]}/{m[3]}"
        if int(m[2]) > 12 >= int(m[1]) and (w := _parse(swapped + tbc)) is not None:
            return DateRead(w, w.first.isoformat() + tbc, (f"'{text}' read as month/day/year ({w.first:%d %b %Y})",))
    try:
        parse_window(text)
    except DateError as e:
        return DateRead(None, error=str(e).split(" (try")[0])
    return DateRead(None, error=f"cannot read '{text}' as a date")  # pragma: no cover


# --- finding the table -------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text.lower())  # "Date (dd/mm/yy)" -> "date"
    return " ".join(re.sub(r"[^a-z0-9%#]+", " ", text).split())


def _role_of(header: str) -> str | None:
    h = _norm(header)
    if not h:
        return None
    for role, names in DEFAULT_HEADERS.items():
        if h in names:
            return role
    if len(h) > 40:
        return None
    for word, role in _HEADER_WORDS:
        if word in h:
            return role
    return None


@dataclass
class _Layout:
    header_row: int | None  # spreadsheet row of the header (None: guessed from the contents)
    columns: dict[str, int]  # role -> column index
    headers: dict[int, str]  # column index -> header text
    timescale: dict[int, Window]  # Gantt columns: column index -> the period it stands for
    first_row: int
    notes: list[str] = field(default_factory=list)


def _timescale_header(cell: Cell) -> Window | None:
    v = cell.value
    if isinstance(v, (date, datetime)):
        d = v.date() if isinstance(v, datetime) else v
        return parse_window(f"{d:%b %Y}")
    text = cell.text
    if not text or len(text) > 20 or (not re.search(r"[a-z]", text, re.IGNORECASE) and not re.search(r"q\d", text)):
        return None
    w = _parse(text)
    if w is None or (w.last - w.first).days > 100 or w.first == w.last:
        return None
    return w


def _find_layout(sheet: Sheet, overrides: Mapping[str, str]) -> _Layout | None:
    best: tuple[int, int, dict[str, int], dict[int, str]] | None = None
    for r in range(1, min(len(sheet.rows), 40) + 1):
        cells = sheet.rows[r - 1]
        roles: dict[str, int] = {}
        headers: dict[int, str] = {}
        for c, cell in enumerate(cells):
            if cell.empty or not isinstance(cell.value, str):
                continue
            headers[c] = cell.text
            role = _role_of(cell.text)
            if role and role not in roles:
                roles[role] = c
        score = len(roles)
        has_core = "title" in roles or (("date" in roles or "start" in roles) and len(roles) >= 2)
        if score >= 2 and has_core and (best is None or score > best[1]):
            best = (r, score, roles, headers)
        if best is not None and r > best[0] + 3:
            break
    if best is not None:
        r, _, roles, headers = best
        layout = _Layout(r, roles, headers, {}, r + 1)
    else:
        guessed = _guess_layout(sheet)
        if guessed is None:
            return None
        layout = guessed
    _apply_overrides(sheet, layout, overrides)
    _settle_roles(sheet, layout)
    if layout.header_row is not None:
        row = sheet.rows[layout.header_row - 1]
        used = set(layout.columns.values())
        scale = {c: w for c, cell in enumerate(row) if c not in used and (w := _timescale_header(cell))}
        if len(scale) >= 3:
            layout.timescale = scale
    if "title" not in layout.columns:
        return None
    return layout


def _apply_overrides(sheet: Sheet, layout: _Layout, overrides: Mapping[str, str]) -> None:
    for role, header in overrides.items():
        if role not in ROLES:
            raise ImportFailed(
                [
                    Problem(
                        "bad-option",
                        f"--column: unknown role '{role}'{did_you_mean(role, ROLES)}; roles are {', '.join(ROLES)}",
                        sheet.file,
                    )
                ]
            )
        col = None
        if re.fullmatch(r"[A-Z]{1,3}", header):  # a column letter
            col = 0
            for ch in header:
                col = col * 26 + ord(ch) - 64
            col -= 1
        else:
            for c, text in layout.headers.items():
                if _norm(text) == _norm(header) or text.strip().lower() == header.strip().lower():
                    col = c
                    break
        if col is None:
            known = ", ".join(f"'{h}'" for h in layout.headers.values()) or "none"
            raise ImportFailed(
                [
                    Problem(
                        "unknown-column",
                        f"--column {role}={header}: no column headed '{header}' "
                        f"{'on ' + where(sheet, layout.header_row) if layout.header_row else ''}"
                        f"{did_you_mean(header, layout.headers.values())}; the headers are {known} "
                        "(or give a column letter, e.g. date=C)",
                        sheet.file,
                        layout.header_row,
                    )
                ]
            )
        for other, c in list(layout.columns.items()):
            if c == col:
                del layout.columns[other]
        layout.columns[role] = col


def _settle_roles(sheet: Sheet, layout: _Layout) -> None:
    cols = layout.columns
    # a "completion/due date" column beside a start column is the end of the bar
    if "start" in cols and "end" not in cols and "date" in cols:
        cols["end"] = cols.pop("date")
    if "title" not in cols and layout.header_row is not None:  # the first text column nobody claimed
        used = set(cols.values())
        for c in sorted(layout.headers):
            if c not in used and _texty(sheet, layout, c):
                cols["title"] = c
                layout.notes.append(f"column {column_letter(c)} ('{layout.headers[c]}') read as the activity")
                break


def _texty(sheet: Sheet, layout: _Layout, col: int) -> bool:
    values = [sheet.cell(r, col) for r in range(layout.first_row, len(sheet.rows) + 1)]
    texts = [c for c in values if not c.empty]
    return bool(texts) and sum(isinstance(c.value, str) and read_date(c).window is None for c in texts) > len(texts) / 2


def _guess_layout(sheet: Sheet) -> _Layout | None:
    """A table with no header row: columns guessed from what they hold."""
    rows = [r for r in sheet.rows if sum(not c.empty for c in r) >= 2]
    if len(rows) < 2:
        return None
    width = max(len(r) for r in rows)
    cols: dict[str, int] = {}
    lengths: dict[int, float] = {}
    for c in range(width):
        cells = [r[c] for r in rows if c < len(r) and not r[c].empty]
        if not cells:
            continue
        texts = [x.text.lower() for x in cells]
        if "level" not in cols and sum(t in LEVELS for t in texts) >= len(cells) * 0.6:
            cols["level"] = c
        elif "date" not in cols and sum(read_date(x).window is not None for x in cells) >= len(cells) * 0.6:
            cols["date"] = c
        else:
            lengths[c] = sum(len(t) for t in texts) / len(rows)
    if lengths:
        cols["title"] = max(lengths, key=lambda c: lengths[c])
    if "title" not in cols or ("date" not in cols and "level" not in cols):
        return None
    first = next(i for i, r in enumerate(sheet.rows, 1) if sum(not c.empty for c in r) >= 2)
    names = ", ".join(f"{column_letter(c)} {role}" for role, c in sorted(cols.items(), key=lambda kv: kv[1]))
    layout = _Layout(None, cols, {}, {}, first)
    layout.notes.append(f"no header row: columns guessed from their contents ({names})")
    return layout


# --- reading rows ----------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    sheet: Sheet
    title: str
    cells: dict[str, Cell]
    level: str = "local"
    window: Window | None = None
    date_text: str | date | None = None
    date_checks: list[str] = field(default_factory=list)
    tbc_only: bool = False
    bar: bool = False  # the window is a bar (start and end, a range, shaded months), not one date
    body: str | None = None  # body key
    item: DraftItem | None = None
    kind: str = "milestone"
    reads: dict[str, DateRead] = field(default_factory=dict)  # every date cell read
    after_text: str = ""  # the Depends-on cell, resolved once every row has its id
    chained: DraftItem | None = None  # the row before it at its level (--chain)
    fit_note: str = ""  # what was done to the --chain link, and why

    @property
    def it(self) -> DraftItem:
        """The row's item (every row kept has one)."""
        assert self.item is not None
        return self.item


def _level(text: str) -> str | None:
    t = _norm(text)
    for level, words in _LEVEL_WORDS.items():
        if t in words or any(t.startswith(w + " ") for w in words):
            return level
    return None


_TITLE_MARKS = re.compile(r"^[\s*†‡#•·\-–]+")


def import_file(path: str | Path, options: ImportOptions | None = None) -> Imported:
    """Import a table (.csv, .tsv, .txt, .xlsx, .xlsm) or an MS Project plan (.xml; with MPXJ, .mpp, .xer, ...).

    Raises `SheetError` / `ImportFailed` (with `Problem`s naming file, sheet and row) when
    nothing can be imported.
    """
    path = Path(path)
    options = options or ImportOptions()
    if options.holidays not in NATIONS:
        raise ImportFailed(
            [
                Problem(
                    "bad-option",
                    f"--holidays: unknown nation '{options.holidays}'"
                    f"{did_you_mean(options.holidays, NATIONS)}; use one of {', '.join(NATIONS)}",
                    str(path),
                )
            ]
        )
    if not path.exists():
        raise ImportFailed([Problem("no-file", "no such file", str(path))])
    suffix = path.suffix.lower()
    if suffix in (".xml", ".mspdi"):
        from .msproject import import_mspdi

        return import_mspdi(path, options)
    if suffix in (".mpp", ".mpx", ".xer", ".pmxml", ".pp", ".gan", ".pod", ".planner", ".mpd"):
        from .msproject import import_with_mpxj

        return import_with_mpxj(path, options)
    return import_sheets(read_sheets(path), options, default_id=path.stem)


def import_sheets(sheets: Sequence[Sheet], options: ImportOptions, default_id: str = "imported") -> Imported:
    """Import the table of one sheet (`options.sheet`, else the first sheet that has one)."""
    if not sheets:
        raise ImportFailed([Problem("no-table", "the file has no sheets", "<input>")])
    file = sheets[0].file
    chosen: list[tuple[Sheet, _Layout]] = []
    if options.sheet is not None:
        names = [s.name or "" for s in sheets]
        match = [s for s in sheets if (s.name or "").lower() == options.sheet.lower()]
        if not match:
            raise ImportFailed(
                [
                    Problem(
                        "unknown-sheet",
                        f"--sheet: no sheet '{options.sheet}'{did_you_mean(options.sheet, names)}; "
                        f"the sheets are {', '.join(repr(n) for n in names)}",
                        file,
                    )
                ]
            )
        layout = _find_layout(match[0], options.columns)
        if layout is None:
            raise ImportFailed([_no_table(match[0])])
        chosen.append((match[0], layout))
    else:
        for s in sheets:
            layout = _find_layout(s, options.columns)
            if layout is not None:
                chosen.append((s, layout))
                break
        if not chosen:
            raise ImportFailed([_no_table(s) for s in sheets])
    sheet, layout = chosen[0]
    notes = list(layout.notes)
    others = [s.name for s in sheets if s is not sheet and s.name]
    if others:
        notes.append(f"read sheet '{sheet.name}'; not read: {', '.join(repr(n) for n in others)} (--sheet NAME)")
    return _build(sheet, layout, options, default_id, notes)


def _no_table(sheet: Sheet) -> Problem:
    what = "the file" if sheet.name is None else f"sheet '{sheet.name}'"
    return Problem(
        "no-table",
        f"{what} has no table govflow can read: no header row naming an activity column (Activity, Milestone, "
        "Task, ...) and a date or level column; name the columns with --column title=HEADER date=HEADER",
        sheet.file,
    )


def _build(sheet: Sheet, layout: _Layout, options: ImportOptions, default_id: str, notes: list[str]) -> Imported:
    cols = layout.columns
    file = sheet.file
    skipped: list[Problem] = []
    footer: list[str] = []
    rows: list[_Row] = []
    pending_heading: list[str] = []
    year_hint: int | None = None
    last_level: tuple[str, int] | None = None
    title_above = _title_above(sheet, layout)

    def skip(row: int, code: str, message: str, cells: Sequence[Cell]) -> None:
        skipped.append(Problem(code, f"{where(sheet, row)}: {message}", file, row, severity="warning"))
        shown = " | ".join(c.text for c in cells if not c.empty)
        footer.append(f"{where(sheet, row)}: {shown}")
        footer.append(f"  not imported: {message}")

    for r in range(layout.first_row, len(sheet.rows) + 1):
        raw = sheet.rows[r - 1]
        if all(c.empty for c in raw):
            continue
        cells = {role: sheet.cell(r, c) for role, c in cols.items()}
        title_cell = cells.get("title", Cell())
        title = _TITLE_MARKS.sub("", title_cell.text).strip() if not title_cell.empty else ""
        filled = [c for c in raw if not c.empty]
        if layout.header_row is not None and title and _norm(title) == _norm(layout.headers.get(cols["title"], "")):
            notes.append(f"{where(sheet, r)}: the header row again, skipped")
            continue
        others = [c for role, c in cells.items() if role != "title" and not c.empty]
        bar = _bar(sheet, layout, r)
        if title and not others and not bar:
            if len(filled) == 1 and rows and title[:1].islower() and rows[-1].row == r - 1:
                prev = rows[-1]
                prev.title = f"{prev.title} {title}"
                prev.date_checks.append(f"title continued from {where(sheet, r)}")
                continue
            if len(filled) == 1:  # a heading or a note across the table
                pending_heading.append(title_cell.text)
                notes.append(f"{where(sheet, r)}: '{_short(title_cell.text)}' kept as a comment (a heading or note)")
                continue
        if not title:
            text = filled[0].text if filled else ""
            if len(filled) == 1 and not cells.get("date", Cell()).value:
                pending_heading.append(text)
                notes.append(f"{where(sheet, r)}: '{_short(text)}' kept as a comment (a heading or note)")
                continue
            skip(r, "no-title", f"no {_header(layout, 'title')} in this row", raw)
            continue
        row = _Row(r, sheet, " ".join(title.split()), cells)
        # level
        lv = cells.get("level")
        if lv is not None and not lv.empty:
            found = _level(lv.text)
            if found is None:
                row.level = "local"
                row.date_checks.append(f"level '{lv.text}' is not national, regional or local: local assumed")
            else:
                row.level = found
                if _norm(lv.text) != found:
                    row.date_checks.append(f"level '{lv.text}' read as {found}")
            last_level = (row.level, r)
        elif lv is not None and last_level is not None:
            row.level = last_level[0]
            row.date_checks.append(f"level carried down from {where(sheet, last_level[1])}")
        # dates
        error = _dates(row, layout, year_hint, bar)
        if error:
            skip(r, "bad-date", error, raw)
            continue
        if row.window is not None:
            year_hint = row.window.last.year
        row_heads = pending_heading
        pending_heading = []
        row.item = DraftItem("", before=[f"---- {h} ----" for h in row_heads], source=where(sheet, r), row=r)
        rows.append(row)
    tail = [f"Under the table: {h}" for h in pending_heading]
    if not rows:
        problems = skipped or [
            Problem(
                "no-rows",
                f"the table under {where(sheet, layout.header_row or 1)} has no rows to import",
                file,
                layout.header_row,
            )
        ]
        raise ImportFailed([_as_error(p) for p in problems])
    draft = _draft(sheet, layout, rows, options, default_id, title_above, notes)
    if footer:
        draft.footer = ["Rows not imported (fix them in the table and import again, or add them above):", *footer]
    if tail:
        draft.footer += ([""] if footer else []) + tail
    text = render_draft(draft)
    text = validated(text, draft, file, ImportFailed)
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row.kind] = kinds.get(row.kind, 0) + 1
    return Imported(text, len(rows), len(draft.bodies), draft.check_count, kinds, tuple(skipped), tuple(notes))


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def _as_error(p: Problem) -> Problem:
    return Problem(p.code, p.message, p.file, p.line, p.item, "error")


def _header(layout: _Layout, role: str) -> str:
    c = layout.columns.get(role)
    if c is None:
        return role
    return f"'{layout.headers[c]}'" if c in layout.headers else f"{role} (column {column_letter(c)})"


def _title_above(sheet: Sheet, layout: _Layout) -> str | None:
    if layout.header_row is None:
        return None
    for r in range(1, layout.header_row):
        filled = [c for c in sheet.rows[r - 1] if not c.empty]
        if len(filled) == 1 and isinstance(filled[0].value, str) and len(filled[0].text) > 3:
            return filled[0].text
    return None


def _bar(sheet: Sheet, layout: _Layout, r: int) -> Window | None:
    """The shaded or marked months of a Gantt drawn in the sheet, as one window."""
    marked = [w for c, w in layout.timescale.items() if not sheet.cell(r, c).empty or sheet.cell(r, c).filled]
    if not marked:
        return None
    return Window(min(w.first for w in marked), max(w.last for w in marked))


def _dates(row: _Row, layout: _Layout, year_hint: int | None, bar: Window | None) -> str | None:
    """Fill in the row's window; an error message when a date cannot be read."""
    c = row.cells
    reads: dict[str, DateRead] = {}
    for role in ("date", "start", "end", "deadline", "done", "forecast"):
        cell = c.get(role)
        if cell is None or cell.empty:
            continue
        got = read_date(cell, year_hint)
        if got.error:
            return f"{_role_name(layout, role)}: {got.error}"
        reads[role] = got
    row.cells = dict(c)
    row_reads = reads
    date_r = row_reads.get("date")
    start_r, end_r = row_reads.get("start"), row_reads.get("end")
    if start_r and start_r.window and end_r and end_r.window:
        s, e = start_r.window, end_r.window
        if e.last < s.first:
            return f"{_role_name(layout, 'end')} {e.text or e.last} is before {_role_name(layout, 'start')}"
        if s.first == e.last and not (s.tbc or e.tbc):
            row.window, row.date_text = Window(s.first, s.first), _text_of(start_r)
        else:
            text = f"{_text_of(start_r)} to {_text_of(end_r)}"
            row.window = _parse(text) or Window(s.first, e.last, s.tbc or e.tbc)
            row.date_text = text if _parse(text) else f"{s.first.isoformat()} to {e.last.isoformat()}"
            row.bar = True
        row.date_checks.extend([*start_r.checks, *end_r.checks])
    elif date_r and date_r.window:
        row.window, row.date_text = date_r.window, date_r.text
        row.date_checks.extend(date_r.checks)
        row.bar = not date_r.week and _is_range(date_r.window, date_r.text)
    elif (one := start_r or end_r) and one.window:
        row.window, row.date_text = one.window, one.text
        row.date_checks.extend(one.checks)
    elif bar is not None:
        text = f"{bar.first:%b %Y} to {bar.last:%b %Y}" if bar.first.month != bar.last.month else f"{bar.first:%b %Y}"
        row.window, row.date_text, row.bar = _parse(text) or bar, text, bar.first.month != bar.last.month
        row.date_checks.append(f"dates from the marked months of the chart: {text}")
    else:
        row.tbc_only = any(r.tbc for r in reads.values()) or any(
            read_date(x).tbc for k, x in c.items() if k in ("date", "start", "end") and not x.empty
        )
    row.reads = reads
    return None


def _text_of(r: DateRead) -> str:
    if isinstance(r.text, date):
        return r.text.isoformat()
    return r.text or (r.window.text if r.window else "")


def _is_range(w: Window, text: Any) -> bool:
    """A window written as a span of work (Jul-19 to Aug-19, Jan - Mar 20, Q3), not one date or month."""
    if w.first == w.last:
        return False
    s = str(text or "").lower()
    return (w.last - w.first).days > 31 or " to " in s or bool(re.search(r"\s[-–—]\s|[a-z]\s*[-–—]\s*[a-z]", s))


def _role_name(layout: _Layout, role: str) -> str:
    return _header(layout, role)


# --- from rows to a draft --------------------------------------------------------------------


@dataclass
class _Bodies:
    by_key: dict[str, DraftBody] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)  # acronym / name key -> body id
    ids: set[str] = field(default_factory=set)


def _name_key(name: str) -> str:
    return _norm(re.sub(r"\([A-Z&]{2,10}\)", " ", name))


def _find_body(title: str) -> tuple[str, str | None, bool] | None:
    """(body name, acronym, strong) named in an activity's title, else None."""
    if _PAPERS.search(title):
        return None
    m = _BODY_RE.search(title)
    if m:
        tail = _BODY_TAIL.match(title, m.end())
        end = tail.end() if tail else m.end()
        acr = tail["acr"] if tail and tail["acr"] else None
        before = re.findall(r"\S+", title[: m.start()])
        kept: list[str] = []
        for tok in reversed(before):
            bare = tok.strip(",:;()")
            if bare and (bare[0].isupper() or bare in ("and", "&", "of")) and tok == bare:
                kept.insert(0, tok)
            else:
                break
        while kept and kept[0] in ("and", "&", "of"):
            kept.pop(0)
        strong = bool(kept) or m.start() == 0
        if not kept and before:
            prev = before[-1].strip(",:;()")
            if prev.isalpha() and prev.lower() not in _STOPWORDS:
                kept = [prev]
        name = " ".join([*kept, title[m.start() : end].strip()])
        name = " ".join(name.split())
        return name, acr, strong
    a = _ACRONYM_LEAD.match(title)
    if a and a["acr"] not in _NOT_BODY_ACRONYMS and (a["qual"] or _DECISION.search(title[a.end() :])):
        return " ".join(title[: a.end()].split()), a["acr"], True
    return None


_STOPWORDS = set(
    _words(
        "a|all|an|and|approval|at|by|draft|each|every|final|for|from|its|model|new|of|our|review|that|the|"
        "their|this|to|with|working"
    )
)


def _body_for(bodies: _Bodies, name: str, acronym: str | None, level: str) -> DraftBody:
    key = _name_key(name)
    lead = name.split()[0] if name else ""
    for k in (key, acronym or "", lead if lead.isupper() and lead == name else ""):
        if k and k in bodies.alias:
            return bodies.by_key[bodies.alias[k]]
    bid = (acronym.lower() if acronym else "") or slug(name, words=6, limit=40, stop=False)
    bid = re.sub(r"[^a-z0-9-]", "", bid.replace("&", "and")) or "body"
    if acronym and re.search(r"\(?(?:in public|in private|session|seminar|workshop|meeting)\)?$", name, re.I):
        bid = slug(name, words=6, limit=40, stop=False)
    base, n = bid, 2
    while bid in bodies.ids:
        bid, n = f"{base}-{n}", n + 1
    body = DraftBody(bid, name, level)
    bodies.ids.add(bid)
    bodies.by_key[bid] = body
    bodies.alias[key] = bid
    if acronym:
        bodies.alias.setdefault(acronym, bid)
    return body


def _draft(
    sheet: Sheet,
    layout: _Layout,
    rows: list[_Row],
    options: ImportOptions,
    default_id: str,
    title_above: str | None,
    notes: list[str],
) -> Draft:
    file = sheet.file
    cal = WorkCalendar(options.holidays, around=next((r.window.first for r in rows if r.window), None))
    bodies = _Bodies()
    # known acronyms first, so that "SLB to sign off" finds "System Leadership Board (SLB)" wherever it is
    found: dict[int, tuple[str, str | None, bool] | None] = {}
    for row in rows:
        bcell = row.cells.get("body")
        if bcell is not None and not bcell.empty and _norm(bcell.text) not in ("yes", "y", "no", "n", "na", "n a"):
            text = re.sub(r"\s*\d{1,2}[-/ .][A-Za-z0-9]+[-/ .]\d{2,4}\s*$", "", bcell.text) or bcell.text
            m = re.search(r"\(([A-Z][A-Za-z&]{1,9})\)", text)
            found[row.row] = (text, m[1] if m else None, True)
        else:
            found[row.row] = _find_body(row.title)
        got = found[row.row]
        if got and got[1] and not _ACRONYM_LEAD.fullmatch(got[0]):
            _body_for(bodies, got[0], got[1], row.level)
    ids: dict[str, int] = {}

    def unique(base: str) -> str:
        base = base.strip("-") or "item"
        if base not in ids:
            ids[base] = 1
            return base
        ids[base] += 1
        return f"{base}-{ids[base]}"

    for row in rows:
        item = row.item
        assert item is not None
        f = item.fields
        f["title"] = row.title
        got = found[row.row]
        short = row.window is None or (row.window.last - row.window.first).days <= 31
        is_meeting = False
        from_column = "body" in row.cells and not row.cells["body"].empty and got is not None
        if got is not None and short and not row.bar:
            name, _, strong = got
            decided = bool(_DECISION.search(row.title)) or row.title.lower().startswith(name.lower().split()[0])
            is_meeting = from_column or (decided and not _EVENT_WORDS.search(row.title) and (strong or decided))
        reads = row.reads
        if is_meeting and got is not None:
            body = _body_for(bodies, got[0], got[1], row.level)
            row.body = body.id
            row.kind = "meeting"
            item.id = unique(f"{body.id}-{_verb(row.title)}")
            f["at"] = body.id
            how = f"column {_header(layout, 'body')}" if from_column else "the activity names it"
            item.check("at", f"a decision at a meeting of {body.name} ({how})")
            if row.window is not None:
                when = _text_of(DateRead(row.window, row.date_text))
                if all(_parse(w) != row.window for w, _ in body.meets):
                    body.meets.append((when, f"{where(sheet, row.row)}"))
                item.check("at", f"its date in the table, {when}, is that meeting")
        elif row.bar or ("duration" in row.cells and not row.cells["duration"].empty and row.level != "national"):
            if row.level == "national" and row.window is not None:
                row.kind = "event"
                item.id = unique(_item_id(row))
                f["on"] = _text_of(DateRead(row.window, row.date_text))
                item.check("on", "a national event over this period (fixed dates)")
            else:
                row.kind = "task"
                item.id = unique(_item_id(row))
                n, why = _duration(row, cal)
                f["duration"] = n
                item.check("duration", why)
                if row.window is not None:
                    item.check(
                        "duration",
                        "it starts when what it is after finishes (or on the timeline's start); "
                        "add 'after' so it starts when it should",
                    )
        elif row.window is not None:
            text = _text_of(DateRead(row.window, row.date_text))
            item.id = unique(_item_id(row))
            deadline_like = bool(_DEADLINE_WORDS.search(row.title)) and not _EVENT_WORDS.search(row.title)
            if (row.level == "national" and not deadline_like) or _EVENT_WORDS.search(row.title):
                row.kind = "event"
                f["on"] = text
                item.check("on", "a fixed event on the table's date (it happens then, whatever comes before it)")
            else:
                row.kind = "milestone"
                f["deadline"] = text
                item.check(
                    "deadline", "a milestone due on the table's date; it is reached when what it is after is finished"
                )
        else:
            row.kind = "milestone"
            item.id = unique(_item_id(row))
            item.check(
                "title",
                "no date in the table"
                + (" (TBC)" if row.tbc_only else "")
                + ": a milestone reached when what it is after is finished",
            )
        if row.date_checks:
            key = next((k for k in ("at", "on", "deadline", "duration") if k in f), "title")
            for note in row.date_checks:
                item.check(key if "level" not in note else "level", note)
        f["level"] = row.level
        _extras(row, item, layout, reads, cal)
    _meeting_dates(bodies, rows, options)
    draft_id = options.id or slug(default_id, words=8, limit=60, stop=False)
    draft = Draft(id=draft_id, title=options.title or title_above or default_id, start=date(2000, 1, 1))
    if options.title is None:
        draft.check("title", f"from {'the row above the table' if title_above else 'the file name'}")
    draft.holidays = options.holidays
    if options.holidays == "england":
        draft.check("holidays", "England's bank holidays assumed (--holidays wales|scotland|northern-ireland|none)")
    draft.as_of = options.as_of
    draft.bodies = dict(bodies.by_key)
    for b in draft.bodies.values():
        b.papers_due = options.papers_due
        b.check("papers_due", f"{options.papers_due} working days assumed: the table does not say when papers are due")
        b.check(
            "meets",
            "only the meetings in the table are known: add the others (or a recurrence) so that a slip "
            "shows the next meeting",
        )
    draft.items = [r.item for r in rows if r.item is not None]
    _links(draft, rows, layout, options, notes)
    draft.start, why = _start(draft, rows, cal, options)
    draft.check("start", why)
    src = file if sheet.name is None else f"{file}, sheet '{sheet.name}'"
    header_at = f"header on row {layout.header_row}" if layout.header_row else "no header row"
    draft.header = [
        draft.title,
        "",
        f"Imported by `govflow import` from {Path(src).name if sheet.name is None else src} ({header_at}).",
        "Columns read: "
        + ", ".join(
            f"{_header(layout, role)} -> {role}" for role, _ in sorted(layout.columns.items(), key=lambda x: x[1])
        ),
        "Every line marked '# check:' is an assumption govflow made: confirm or correct it, then",
        "run `govflow check` on this file.",
    ]
    if layout.timescale:
        draft.header.insert(
            4,
            f"Chart columns read as months: {len(layout.timescale)} "
            f"({_header(layout, 'title')} rows without a date take their marked months).",
        )
    _fit(draft, rows, options)
    return draft


def _item_id(row: _Row) -> str:
    """An id from the title, without a leading level word ("National ...")."""
    title = re.sub(rf"^{row.level}\s+", "", row.title, flags=re.IGNORECASE)
    return slug(title)


def _verb(title: str) -> str:
    for pattern, word in _VERB_ID:
        if pattern.search(title):
            return word
    return "decision"


def _duration(row: _Row, cal: WorkCalendar) -> tuple[int, str]:
    cell = row.cells.get("duration")
    if cell is not None and not cell.empty:
        n, why = _read_duration(cell)
        if n is not None:
            return n, why or f"from {cell.text!r} in the table (working days)"
    if row.window is not None:
        first, last = row.window.first, row.window.last
        n = max(1, sum(1 for _ in cal.days(first, last)))
        return n, f"the bar {first:%d %b %Y} to {last:%d %b %Y} is {n} working days"
    return 5, "no duration in the table: 5 working days assumed"


def _read_duration(cell: Cell) -> tuple[int | None, str]:
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if v < 0 or v > 100_000:
            return None, ""
        n = int(-(-v // 1))
        return max(n, 1), "" if n == v else f"{v} rounded up to {n} working days"
    text = cell.text.lower()
    m = re.fullmatch(
        r"(\d+(?:\.\d+)?)\s*(d|days?|wd|working\s+days?|w|wks?|weeks?|m|mths?|months?|h|hrs?|hours?)?\??", text
    )
    if not m:
        return None, ""
    x = float(m[1])
    unit = (m[2] or "d")[0]
    factor = {"d": 1, "w": 5, "m": 20, "h": 1 / 8}[unit]
    n = max(1, int(-(-(x * factor) // 1)))
    if n > 100_000:
        return None, ""
    if unit == "d" and x.is_integer():
        return n, ""
    what = {"w": "weeks of 5", "m": "months of 20", "h": "hours of a day of 8"}.get(unit, "days")
    return n, f"'{cell.text}' read as {n} working days ({what} working days)"


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _extras(row: _Row, item: DraftItem, layout: _Layout, reads: dict[str, DateRead], cal: WorkCalendar) -> None:
    f = item.fields
    c = row.cells
    dl = reads.get("deadline")
    if dl and dl.window:
        text = _text_of(dl)
        if "deadline" in f and f["deadline"] != text:
            item.check("deadline", f"the table's date was {f['deadline']}; its deadline column says this")
        f["deadline"] = text
        item.checks.get("deadline", []).extend(dl.checks)
    own = c.get("owner")
    if own is not None and not own.empty:
        emails = _EMAIL.findall(own.text)
        f["owner"] = emails or [p.strip() for p in re.split(r"[;,/\n]|\band\b", own.text) if p.strip()]
    # progress
    finish = _finish_date(row, f)
    status = c.get("status")
    done_r = reads.get("done")
    if done_r and done_r.window:
        d = done_r.window.last
        f["done"] = d
        if done_r.window.first != d or done_r.window.tbc:
            item.check("done", f"'{done_r.text}' is not one day: its last day taken")
    if status is not None and not status.empty and "done" not in f:
        _status(row, item, status, finish)
    fc = reads.get("forecast")
    if fc and fc.window and "done" not in f:
        f["forecast"] = fc.window.last
        if fc.window.first != fc.window.last or fc.window.tbc:
            item.check("forecast", f"'{fc.text}' is not one day: its last day taken")
    note = c.get("notes")
    if note is not None and not note.empty:
        item.before.append(f"note ({_header(layout, 'notes')}): {note.text}")
    if "after" in c and not c["after"].empty:
        row.after_text = c["after"].text


def _finish_date(row: _Row, f: dict[str, Any]) -> tuple[date | None, bool]:
    w = row.window
    if w is None:
        return None, False
    return w.last, w.first == w.last and not w.tbc


def _status(row: _Row, item: DraftItem, status: Cell, finish: tuple[date | None, bool]) -> None:
    f = item.fields
    v = status.value
    text = status.text.lower().strip(" .!")
    pct: float | None = None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        pct = float(v) * (100 if "%" in status.number_format or float(v) <= 1 else 1)
    elif m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", text):
        pct = float(m[1])
    when, exact = finish
    if text in _DONE or (pct is not None and pct >= 100) or text.startswith(("complete", "done", "achieved")):
        if when is None:
            item.check("title", f"status '{status.text}' says done, but the row has no date: add 'done: <date>'")
            return
        f["done"] = when
        if not exact:
            item.check("done", f"status '{status.text}': done on the last day of {row.date_text} assumed")
        else:
            item.check("done", f"status '{status.text}': done on the table's date assumed")
        return
    if text in _STARTED or (pct is not None and 0 < pct < 100):
        if row.kind == "task" and row.window is not None:
            f["started"] = row.window.first
            item.check("started", f"status '{status.text}': started on the first day of its bar assumed")
        else:
            item.check("title", f"status '{status.text}' (under way) is not recorded: only tasks have 'started'")
        return
    if text in _NOT_STARTED or pct == 0:
        return
    if text in _RAG or text.startswith(("red", "amber", "green")):
        item.check("title", f"status '{status.text}' is a RAG rating, not progress: not recorded")
        return
    item.check("title", f"status '{status.text}' not understood: not recorded")


def _meeting_dates(bodies: _Bodies, rows: list[_Row], options: ImportOptions) -> None:
    """A meeting row without a date whose body has no dated meeting becomes a plain milestone."""
    for row in rows:
        item = row.item
        if item is None or row.kind != "meeting" or row.body is None:
            continue
        body = bodies.by_key[row.body]
        if body.meets:
            if row.window is None:
                item.check("at", "no date in the table: its first meeting after its papers are ready")
            continue
        row.kind = "milestone"
        row.body = None
        del item.fields["at"]
        item.checks.pop("at", None)
        item.check(
            "title",
            f"a decision of {body.name}, but the table gives no meeting date for it: a milestone "
            "(add the body's meetings and 'at:' when known)",
        )
    for bid in [b for b, body in bodies.by_key.items() if not body.meets]:
        del bodies.by_key[bid]
    for body in bodies.by_key.values():
        body.meets.sort(key=lambda m: (_parse(m[0]) or Window(date.max, date.max)).last)


_DEP = re.compile(
    r"^(?P<ref>.+?)\s*(?P<type>FS|SS|FF|SF)?\s*(?:(?P<lag>[+-]\s*\d+(?:\.\d+)?)\s*(?:d|days?|wd)?)?$", re.IGNORECASE
)


def _links(draft: Draft, rows: list[_Row], layout: _Layout, options: ImportOptions, notes: list[str]) -> None:
    by_id_col: dict[str, str] = {}
    by_row: dict[int, str] = {}
    by_title: dict[str, list[str]] = {}
    for row in rows:
        item = row.item
        assert item is not None
        idc = row.cells.get("id")
        if idc is not None and not idc.empty:
            by_id_col[idc.text.lower()] = item.id
        by_row[row.row] = item.id
        by_title.setdefault(row.title.lower(), []).append(item.id)
    ids = {r.item.id for r in rows if r.item}
    has_after = "after" in layout.columns
    if options.chain and has_after:
        notes.append(f"--chain ignored: the table has a {_header(layout, 'after')} column, so links come from it")
    for row in rows:
        item = row.item
        assert item is not None
        text = row.after_text
        if not text:
            continue
        after: list[str] = []
        for part in re.split(r"[,;\n]+", text):
            part = part.strip()
            if not part:
                continue
            m = _DEP.match(part)
            ref, typ, lag = (m["ref"].strip(), (m["type"] or "FS").upper(), m["lag"]) if m else (part, "FS", None)
            target = _resolve(ref, by_id_col, by_row, by_title, ids, bool(by_id_col))
            if target is None and m and (m["type"] or m["lag"]):
                target = _resolve(part, by_id_col, by_row, by_title, ids, bool(by_id_col))
                typ, lag = "FS", None
            if target is not None and re.fullmatch(r"\d+", ref.strip()) and not by_id_col:
                item.check(
                    "after",
                    f"'{ref.strip()}' read as the table's row {ref.strip()} counted from the first "
                    f"row under the header ({target})",
                )
            if target is None or target == item.id:
                what = "is this row itself" if target == item.id else "is not a row of the table"
                item.check("after", f"'{part}' {what}: not linked")
                continue
            if typ == "SF":
                item.check("after", f"'{part}': start-to-finish links are not supported; read as FS")
                typ = "FS"
            n = 0
            if lag:
                x = float(lag.replace(" ", ""))
                n = int(x) if x.is_integer() else int(x + (1 if x > 0 else -1) * 0.999999)
            entry = target + (f" {typ}" if typ != "FS" else "") + (f" {n:+d}" if n else "")
            if any(e.split()[0] == target for e in after):
                item.check("after", f"'{part}' repeats a link: kept once")
                continue
            after.append(entry)
        if after:
            item.fields["after"] = after
    if options.chain and not has_after:
        last: dict[str, DraftItem] = {}
        for row in rows:
            item = row.item
            assert item is not None
            prev = last.get(row.level)
            if prev is not None:
                item.fields["after"] = [prev.id]
                row.chained = prev
            last[row.level] = item
    _break_cycles(draft)


def _resolve(
    ref: str,
    by_id_col: dict[str, str],
    by_row: dict[int, str],
    by_title: dict[str, list[str]],
    ids: set[str],
    numbered: bool,
) -> str | None:
    low = ref.lower().strip()
    if low in by_id_col:
        return by_id_col[low]
    if m := re.fullmatch(r"row\s*(\d+)", low):  # a spreadsheet row number
        return by_row.get(int(m[1]))
    if (m := re.fullmatch(r"\d+", low)) and not numbered:  # the n-th row of the table, as MS Project numbers tasks
        order = list(by_row.values())
        n = int(m[0])
        return order[n - 1] if 0 < n <= len(order) else None
    if low in ids:
        return low
    if low in by_title and len(by_title[low]) == 1:
        return by_title[low][0]
    starts = [v[0] for k, v in by_title.items() if k.startswith(low) and len(v) == 1] if len(low) >= 6 else []
    return starts[0] if len(starts) == 1 else None


def _break_cycles(draft: Draft) -> None:
    """Drop the link that closes each dependency cycle (with a note), so the file loads."""
    graph = {i.id: [a.split()[0] for a in i.fields.get("after", [])] for i in draft.items}
    state: dict[str, int] = {}

    def visit(n: str) -> None:
        stack = [(n, iter(graph.get(n, [])))]
        state[n] = 1
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if state.get(nxt) == 1:  # a back edge: node -> nxt closes a cycle
                    item = draft.item(node)
                    item.fields["after"] = [a for a in item.fields["after"] if a.split()[0] != nxt]
                    if not item.fields["after"]:
                        del item.fields["after"]
                    item.check("after", f"not after '{nxt}': that link would close a dependency cycle")
                    graph[node] = [x for x in graph[node] if x != nxt]
                    continue
                if nxt not in state and nxt in graph:
                    state[nxt] = 1
                    stack.append((nxt, iter(graph[nxt])))
                    break
            else:
                state[node] = 2
                stack.pop()

    for n in list(graph):
        if n not in state:
            visit(n)


def _start(draft: Draft, rows: list[_Row], cal: WorkCalendar, options: ImportOptions) -> tuple[date, str]:
    candidates: list[tuple[date, str]] = []
    for row in rows:
        if row.window is None or row.item is None:
            continue
        first = row.window.first
        if row.kind == "meeting":
            papers = cal.wd(cal.on_or_after(first), -options.papers_due)
            candidates.append((papers, f"the papers for {where(row.sheet, row.row)} ({row.item.id})"))
        else:
            candidates.append((first, f"{where(row.sheet, row.row)} ({row.item.id})"))
    for row in rows:
        item = row.item
        if item is None:
            continue
        for key in ("done", "started"):
            if isinstance(item.fields.get(key), date):
                candidates.append((item.fields[key], f"{where(row.sheet, row.row)} ({item.id})"))
    if not candidates:
        d = options.as_of or date.today()
        return d, "no dates in the table: set the day work may start"
    d, what = min(candidates)
    return d, f"the earliest date in the table: {what}; nothing not done is scheduled before it"


def _late(item: DraftItem, row: _Row, sched: Any) -> str | None:
    """How the schedule misses the table's date for this row, or None."""
    s = sched.items.get(f"{sched.programme.timelines[0].id}:{item.id}")
    if s is None:
        return None
    if s.status == "unschedulable":
        return f"cannot be scheduled ({s.reason})" if s.reason else "cannot be scheduled"
    if row.kind == "event":
        for w in sched.warnings:
            if w.item == item.id and w.code == "conflict":
                return str(w.message)
        return None
    due = row.window.last if row.window is not None else None
    if row.kind == "milestone" and "deadline" in item.fields:
        dl = _parse(str(item.fields["deadline"]))
        due = dl.last if dl else due
    if due is None or s.early_finish is None or s.early_finish <= due:
        return None
    return f"govflow plans it for {s.early_finish:%d %b %Y}, after the table's {due:%d %b %Y}"


def _why_late(row: _Row, sched: Any, fallback: str) -> str:
    """In a few words why a finish-to-start link misses the table's date."""
    prev = row.chained
    key = f"{sched.programme.timelines[0].id}:"
    p = sched.items.get(key + prev.id) if prev is not None else None
    s = sched.items.get(key + row.it.id)
    ready = p.early_finish if p is not None else None
    if row.kind == "meeting" and row.window is not None and ready is not None and s is not None:
        papers = sched.calendar(key + row.it.id).wd(
            sched.calendar(key + row.it.id).on_or_after(row.window.first),
            -int(sched.programme.body(sched.programme.items[key + row.it.id]).papers_due),
        )
        return (
            f"papers for its meeting of {row.window.first:%d %b %Y} are due {papers:%d %b}, "
            f"before {prev.id if prev else ''} on {ready:%d %b}"
        )
    return fallback


def _prev(row: _Row) -> str:
    return row.chained.id if row.chained is not None else ""


def _fit(draft: Draft, rows: list[_Row], options: ImportOptions) -> None:
    """Adjust the links --chain made so that the table's own dates still fit, saying what was done:
    a finish-to-start link becomes SS (tasks) or FF (decisions, milestones: not before it), else goes."""
    chained = [r for r in rows if r.chained is not None]
    from .loading import load_text
    from .scheduling import schedule

    for _ in range(12):
        if not chained and not any("after" in r.it.fields for r in rows):
            return
        try:
            sched = schedule(load_text(render_draft(draft), f"{draft.id}.yaml"), as_of=options.as_of)
        except (GovflowError, ValueError):
            return
        late = {r.it.id: msg for r in rows if (msg := _late(r.it, r, sched))}
        roots = [r for r in chained if r.it.id in late and _prev(r) not in late and r.it.fields.get("after")]
        if not roots:
            break
        for r in roots:
            item, prev = r.it, _prev(r)
            current = item.fields["after"][0]
            kind = current.split()[1] if len(current.split()) > 1 else "FS"
            soft = "SS" if r.kind == "task" else "FF"
            why = _why_late(r, sched, late[item.id])
            if kind == "FS" and r.kind != "event":
                item.fields["after"] = [f"{prev} {soft}"]
                r_kind = "start" if soft == "SS" else "be decided or reached"
                r.fit_note = (
                    f"--chain: after the row before it at its level ({prev}); finish-to-start "
                    f"would not fit the table's dates ({why}), so it may {r_kind} on or after it "
                    f"({soft})"
                )
            else:
                del item.fields["after"]
                r.fit_note = (
                    f"--chain: not linked to the row before it at its level ({prev}): "
                    f"the link would not fit the table's dates ({why})"
                )
                chained.remove(r)
    for r in rows:
        if r.fit_note:
            r.it.check("after", r.fit_note)
        elif r.chained is not None and "after" in r.it.fields:
            r.it.check("after", "--chain: after the row before it at its level")
    try:
        sched = schedule(load_text(render_draft(draft), f"{draft.id}.yaml"), as_of=options.as_of)
    except (GovflowError, ValueError):
        return
    for r in rows:
        if msg := _late(r.it, r, sched):
            key = next((k for k in ("at", "on", "deadline", "duration") if k in r.it.fields), "title")
            r.it.check(key, f"with its links {msg}")
