"""Timeline files written by govflow (format 1): a draft model and its commented YAML text.

Importers (`govflow import` from a table or from MS Project) build a `Draft`; `render_draft`
writes it as a timeline a person can read and correct: every assumption the importer made is
marked `# check: ...` on the line it concerns, and rows that could not be used are kept as
comments at the end, so nothing is dropped silently.

>>> d = Draft(id="demo", title="Demo", start=date(2019, 9, 2))
>>> d.items.append(DraftItem("submit", fields={"title": "Submit", "deadline": "27-Sep-19"}))
>>> d.items[0].check("deadline", "the table's date")
>>> print(render_draft(d).split("items:")[1].strip())
submit:
    title: Submit
    deadline: 27-Sep-19  # check: the table's date
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from .errors import InvalidTimeline, Problem
from .loading import ITEM_KEYS

__all__ = ["Draft", "DraftBody", "DraftItem", "ImportOptions", "Imported", "render_draft", "slug", "yaml_scalar"]

_RESERVED_START = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")
_STOP = {"a", "an", "the", "to", "of", "for", "and", "with", "in", "on", "at", "by", "be", "is", "are", "from",
         "that", "this", "its", "their", "our", "will", "as", "into", "including", "incl"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: which sheet and columns, and the new timeline's settings."""

    sheet: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # role -> header text or column letter
    chain: bool = False
    id: str | None = None
    title: str | None = None
    holidays: str = "england"
    as_of: date | None = None
    papers_due: int = 5


@dataclass(frozen=True, slots=True)
class Imported:
    """An imported timeline: its text (already checked by `govflow.load_text`) and what was done."""

    text: str
    items: int
    bodies: int
    checks: int
    kinds: Mapping[str, int]
    skipped: tuple[Problem, ...]  # rows not imported: warnings naming the sheet and row
    notes: tuple[str, ...]  # what was read from where (sheet, header row, columns)


def slug(text: str, words: int = 5, limit: int = 40, stop: bool = True) -> str:
    """A readable id from a title: the first significant words, lower case, joined by '-'.

    >>> slug("System Leadership Board (SLB) to review the engagement feedback, timeline")
    'system-leadership-board-slb-review'
    >>> slug("**Planning tool")
    'planning-tool'
    """
    tokens = re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))
    kept = [t for t in tokens if not (stop and t in _STOP)] or tokens
    out = ""
    for t in kept[:words]:
        if out and len(out) + 1 + len(t) > limit:
            break
        out = f"{out}-{t}" if out else t[:limit]
    return out or "item"


def yaml_scalar(value: Any, flow: bool = False) -> str:
    """One value as YAML: plain when it reads back as the same text, else double-quoted.

    >>> yaml_scalar("late Oct-19 TBC"), yaml_scalar("yes"), yaml_scalar("Papers: due"), yaml_scalar(5)
    ('late Oct-19 TBC', '"yes"', '"Papers: due"', '5')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    s = " ".join(str(value).split())
    plain = (
        bool(s)
        and s[0] not in _RESERVED_START
        and ": " not in s
        and " #" not in s
        and not s.endswith(":")
        and not (flow and _FLOW_UNSAFE.search(s))
    )
    if plain:
        try:
            back = yaml.safe_load(s)
        except yaml.YAMLError:
            back = None
        plain = back == s or (isinstance(back, date) and back.isoformat() == s)
    return s if plain else json.dumps(s, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_scalar(v, flow=True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yaml_scalar(v, flow=True)}" for k, v in value.items()) + "}"
    return yaml_scalar(value)


def _comment(text: str) -> str:
    return " ".join(text.split())


@dataclass
class DraftItem:
    """An item being written: its fields (in the file's key order when rendered), the notes for
    each key (`# check:`), comment lines before it and a note on its own line (where it came from)."""

    id: str
    fields: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, list[str]] = field(default_factory=dict)
    before: list[str] = field(default_factory=list)
    source: str = ""
    row: int = 0

    def check(self, key: str, note: str) -> None:
        self.checks.setdefault(key, []).append(note)


@dataclass
class DraftBody:
    """A body being written, with its meeting dates (text, note) and notes per key."""

    id: str
    name: str
    level: str = "local"
    papers_due: int = 5
    meets: list[tuple[str, str]] = field(default_factory=list)
    checks: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self, key: str, note: str) -> None:
        self.checks.setdefault(key, []).append(note)


@dataclass
class Draft:
    """A timeline being written: header comment lines, top-level keys, bodies, items, footer."""

    id: str
    title: str
    start: date
    as_of: date | None = None
    holidays: str = "england"
    closures: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    checks: dict[str, list[str]] = field(default_factory=dict)
    bodies: dict[str, DraftBody] = field(default_factory=dict)
    items: list[DraftItem] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)

    def check(self, key: str, note: str) -> None:
        self.checks.setdefault(key, []).append(note)

    def item(self, item_id: str) -> DraftItem:
        return next(i for i in self.items if i.id == item_id)

    @property
    def check_count(self) -> int:
        n = sum(len(v) for v in self.checks.values())
        n += sum(len(v) for b in self.bodies.values() for v in b.checks.values())
        return n + sum(len(v) for i in self.items for v in i.checks.values())


def _line(indent: int, key: str, value: str, notes: list[str] | None, width: int = 0) -> str:
    text = f"{' ' * indent}{key}: {value}" if value != "" else f"{' ' * indent}{key}:"
    if notes:
        text += "  # check: " + "; ".join(_comment(n) for n in notes)
    return text


def render_draft(d: Draft) -> str:
    """The draft as a commented timeline file (format 1)."""
    out: list[str] = [f"# {_comment(h)}" if h else "#" for h in d.header]
    if out:
        out.append("")
    out.append("govflow: 1")
    out.append(_line(0, "id", yaml_scalar(d.id), d.checks.get("id")))
    out.append(_line(0, "title", yaml_scalar(d.title), d.checks.get("title")))
    out.append(_line(0, "start", d.start.isoformat(), d.checks.get("start")))
    if d.as_of is not None:
        out.append(_line(0, "as_of", d.as_of.isoformat(), d.checks.get("as_of")))
    out.append(_line(0, "holidays", d.holidays, d.checks.get("holidays")))
    if d.closures or d.checks.get("closures"):
        out.append(_line(0, "closures", _value(d.closures), d.checks.get("closures")))
    if d.bodies:
        out.append("")
        out.append("bodies:")
        for b in d.bodies.values():
            out.append(f"  {b.id}:")
            out.append(_line(4, "name", yaml_scalar(b.name), b.checks.get("name")))
            out.append(_line(4, "level", b.level, b.checks.get("level")))
            out.append(_line(4, "papers_due", str(b.papers_due), b.checks.get("papers_due")))
            for key, value in b.extra.items():
                out.append(_line(4, key, _value(value), b.checks.get(key)))
            if b.meets:
                out.append(_line(4, "meets", "", b.checks.get("meets")))
                for when, note in b.meets:
                    entry = f"{{date: {yaml_scalar(when, flow=True)}, note: {yaml_scalar(note, flow=True)}}}"
                    out.append(f"      - {entry if note else yaml_scalar(when)}")
    out.append("")
    out.append("items:")
    for item in d.items:
        for line in item.before:
            out.append(f"  # {_comment(line)}" if line else "")
        head = f"  {item.id}:"
        if item.source:
            head += f"  # {_comment(item.source)}"
        out.append(head)
        keys = [k for k in ITEM_KEYS if k in item.fields] + [k for k in item.fields if k not in ITEM_KEYS]
        for key in keys:
            out.append(_line(4, key, _value(item.fields[key]), item.checks.get(key)))
        for key, notes in item.checks.items():
            if key not in item.fields:  # a note about something the item does not have
                out.extend(f"    # check: {_comment(n)}" for n in notes)
    if d.footer:
        out.append("")
        out.extend(f"# {_comment(f)}" if f else "#" for f in d.footer)
    return "\n".join(out) + "\n"


def validated(text: str, draft: Draft, file: str, error: Callable[[list[Problem]], Exception]) -> str:
    """The text of an imported timeline, once govflow's own loader accepts it; otherwise `error`
    with the loader's problems, reported as a bug of the importer."""
    from .loading import load_text

    try:
        load_text(text, f"{draft.id}.yaml")
    except InvalidTimeline as e:
        raise error(
            [
                Problem("import-bug", f"the imported timeline does not load ({p}); please report this", file)
                for p in e.problems
            ]
        ) from None
    return text
