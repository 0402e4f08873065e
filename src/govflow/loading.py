"""Timeline files (YAML, or JSON with the same schema) -> model, with file and line for every error.

All problems in all files are collected and raised together as one `InvalidTimeline`. Probable
mistakes that do not stop loading are warnings (`Problem`s with severity "warning"), returned by
`load_with_warnings` and `load_text_with_warnings`.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from .calendars import NATIONS, gc_paused
from .dates import FIRST_YEAR, DateError, Window, parse_window
from .errors import InvalidTimeline, Problem, did_you_mean
from .graph import dependency_graph, topological_order
from .model import (
    DISTRIBUTIONS,
    LEVELS,
    Blackout,
    Body,
    ClearDays,
    Dependency,
    Item,
    Kind,
    Meeting,
    Programme,
    Risk,
    RiskSettings,
    Timeline,
)

__all__ = ["FORMAT_VERSION", "load", "load_text", "load_text_with_warnings", "load_with_warnings"]

FORMAT_VERSION = 1
MAX_BYTES = 256 * 1024 * 1024
MAX_NODES = 5_000_000
MAX_ALIAS_REUSE = 10_000
MAX_DEPTH = 64
MAX_NUMBER = 100_000
MAX_OCCURRENCES = 10_000
MAX_CLOSURE_YEARS = 5

if TYPE_CHECKING:
    import yaml
else:
    yaml = None  # PyYAML: imported by `_import_yaml` when a text is read as YAML (not for JSON)
_Loader: Any = None


def _import_yaml() -> None:
    """Import PyYAML (and its fastest safe loader) the first time a text is read as YAML: a JSON
    timeline, read by the json module, need not pay for it at start-up."""
    global yaml, _Loader
    if _Loader is None:
        import yaml as module

        yaml = module
        _Loader = getattr(module, "CSafeLoader", module.SafeLoader)


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)
_RRULE_END = re.compile(r"(?:^|[;:\s])(UNTIL|COUNT)=([^;\s]*)", re.IGNORECASE)
_AFTER_TEXT = re.compile(r"(?P<ref>\S+?)(?:\s+(?P<type>FS|SS|FF))?(?:\s+(?P<lag>[+-]\s*\d+))?", re.IGNORECASE)

TOP_KEYS = (
    "govflow",
    "id",
    "title",
    "start",
    "as_of",
    "timezone",
    "organizer",
    "holidays",
    "closures",
    "bodies",
    "items",
    "use",
    "risk",
    "risks",
    "blackout",
)
BODY_KEYS = (
    "name",
    "level",
    "papers_due",
    "time",
    "duration",
    "location",
    "meets",
    "recurrence",
    "from",
    "until",
    "skip",
    "chairs_action",
    "attendees",
    "cancel_rate",
    "meets_from",
    "publish",
    "notice",
    "general_exception",
    "special_urgency",
    "call_in",
    "blackout",
)
ITEM_KEYS = (
    "title",
    "level",
    "on",
    "at",
    "duration",
    "range",
    "after",
    "deadline",
    "owner",
    "done",
    "started",
    "remaining",
    "forecast",
    "distribution",
    "key_decision",
    "notice_after",
    "notice_given",
    "deferred",
)
ALLOWED_FREQ = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")

Path_ = tuple[Any, ...]


class _Stop(Exception):
    """A problem that makes the rest of a file unreadable."""


class _Doc:
    """A parsed file: plain data plus a way to find the line of any path in it."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.text = text
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._lines: dict[Path_, int] | None = None
        self.data: Any = None

    # -- problems -------------------------------------------------------------------------
    def line(self, path: Path_) -> int | None:
        if self._lines is None:
            self._lines = {}
            with contextlib.suppress(Exception):  # best effort: JSON that YAML cannot read has no lines
                _import_yaml()
                _Converter(self, self._lines).convert(
                    yaml.compose(self.text, Loader=_Loader) or yaml.ScalarNode("", ""), ()
                )
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), None)

    def known_line(self, path: Path_) -> int | None:
        """The line of a path if lines are already known (YAML); None rather than re-reading JSON."""
        return None if self._lines is None else self._lines.get(path)

    def err(self, path: Path_, code: str, message: str, item: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.file, self.line(path), item))

    def warn(self, path: Path_, code: str, message: str, item: str | None = None) -> None:
        self.warnings.append(Problem(code, message, self.file, self.line(path), item, "warning"))


class _Converter:
    """YAML nodes -> plain values, recording lines and refusing duplicate keys and bombs."""

    def __init__(self, doc: _Doc, lines: dict[Path_, int], report: bool = False):
        self.doc, self.lines, self.report, self.nodes = doc, lines, report, 0
        self.seen: set[int] = set()
        self.reused = 0  # collections visited again through YAML aliases

    def convert(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _Stop("too-large", "the file is too large or too deeply nested (YAML aliases?)")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.seen:
                self.reused += 1
                if self.reused > MAX_ALIAS_REUSE:
                    raise _Stop("too-large", "the file expands YAML aliases too many times (an alias bomb?)")
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.convert(value_node, path, depth + 1)
                    if isinstance(merged, dict):
                        for k, v in merged.items():
                            out.setdefault(k, v)
                    continue
                if key in out:
                    if self.report:
                        what = {"items": "item", "bodies": "body"}.get(path[-1] if path else "", "key")
                        code = "duplicate-id" if what != "key" else "duplicate-key"
                        first = self.lines.get((*path, key))
                        self.doc.problems.append(
                            Problem(
                                code,
                                f"duplicate {what} '{key}' (first defined on line {first}); "
                                "YAML would silently keep only the last one",
                                self.doc.file,
                                key_node.start_mark.line + 1,
                                key,
                            )
                        )
                    continue
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self.convert(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(v, (*path, i), depth + 1) for i, v in enumerate(node.value)]
        return self._scalar(node)

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        raw, tag = node.value, node.tag
        if getattr(node, "style", None):  # quoted: always a string
            return raw
        if tag == "tag:yaml.org,2002:int":
            if ":" in raw:  # YAML 1.1 sexagesimal, e.g. time: 13:30
                return raw
            digits = raw.replace("_", "").lstrip("+-")
            if len(digits) > 12:
                return raw  # refused later as out of range
            try:
                return int(raw.replace("_", ""), 0)
            except ValueError:
                return raw
        if tag == "tag:yaml.org,2002:float":
            return raw if ":" in raw else (float(raw) if len(raw) < 32 else raw)
        if tag == "tag:yaml.org,2002:bool":
            return raw.lower() in ("true", "yes", "on", "y")
        if tag == "tag:yaml.org,2002:null":
            return None
        return raw


def _read(path: Path) -> _Doc:
    name = str(path)
    try:
        raw = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as e:
        raise _Stop("unreadable", f"cannot read the file: {e.strerror or e}") from None
    if raw is None:
        raise _Stop("too-large", f"the file is larger than {MAX_BYTES // 2**20} MiB")
    if b"\x00" in raw[:65536]:
        raise _Stop("not-text", "this is a binary file, not a timeline (YAML or JSON text)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        hint = "save the file as UTF-8"
        try:
            char = raw[e.start : e.start + 1].decode("cp1252")
            raw.decode("cp1252")
            hint = f"looks like Windows-1252, as Excel saves it ('{char}'): save as UTF-8"
        except UnicodeDecodeError:
            pass
        raise _Stop("not-text", f"not UTF-8 text (byte 0x{raw[e.start]:02X}, column {column}); {hint}", line) from None
    doc = _Doc(name, text)
    if path.suffix.lower() == ".json":
        _parse_json(doc)
    else:
        _parse_yaml(doc)
    return doc


def _parse_yaml(doc: _Doc) -> None:
    _import_yaml()
    try:
        nodes = list(yaml.compose_all(doc.text, Loader=_Loader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        msg = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
        text_line = doc.text.splitlines()[mark.line] if mark and mark.line < len(doc.text.splitlines()) else ""
        indent = text_line[: len(text_line) - len(text_line.lstrip())]
        if "\t" in indent:
            msg = "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces"
        raise _Stop("yaml-syntax", msg, mark.line + 1 if mark else None) from None
    except RecursionError:
        raise _Stop("too-large", "the file is nested too deeply") from None
    if len(nodes) != 1:
        raise _Stop(
            "yaml-syntax",
            "expected one timeline document" + (", the file is empty" if not nodes else f", found {len(nodes)}"),
        )
    lines: dict[Path_, int] = {}
    doc.data = _Converter(doc, lines, report=True).convert(nodes[0], ())
    doc._lines = lines


def _parse_json(doc: _Doc) -> None:
    dup: list[str] = []

    def pairs(kv: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(kv)
        if len(out) != len(kv):
            seen: set[str] = set()
            dup.extend(k for k, _ in kv if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return out

    try:
        doc.data = json.loads(doc.text, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        raise _Stop("json-syntax", f"not valid JSON: {e.msg}", e.lineno) from None
    except RecursionError:
        raise _Stop("too-large", "the file is nested too deeply") from None
    if dup:  # find them with lines through the YAML reader, which JSON is a subset of
        _import_yaml()
        lines: dict[Path_, int] = {}
        try:
            _Converter(doc, lines, report=True).convert(
                yaml.compose(doc.text, Loader=_Loader) or yaml.ScalarNode("", ""), ()
            )
        except yaml.YAMLError:
            for k in dup:
                doc.problems.append(Problem("duplicate-key", f"duplicate key '{k}'", doc.file))
        doc._lines = lines


# --- field readers -------------------------------------------------------------------------


class _Reader:
    """Validates one timeline's data, collecting problems; returns model objects."""

    def __init__(self, doc: _Doc):
        self.doc = doc
        # a national programme repeats dates (deadlines, `skip` months) and links: read each once
        self.dates: dict[str, Window] = {}
        self.deps: dict[tuple[str, str, int], Dependency] = {}
        self.plain: dict[str, Dependency] = {}  # `after` entries that are a plain id (a reader reads one timeline)

    def err(self, path: Path_, code: str, message: str, item: str | None = None) -> None:
        self.doc.err(path, code, message, item)

    def warn(self, path: Path_, code: str, message: str, item: str | None = None) -> None:
        self.doc.warn(path, code, message, item)

    def mapping(self, value: Any, path: Path_, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.err(path, "wrong-type", f"{what} must be a mapping (key: value lines), got {_kind(value)}")
        return None

    def keys(
        self, data: dict[str, Any], allowed: Sequence[str], path: Path_, what: str, item: str | None = None
    ) -> None:
        for key in data:
            if key not in allowed:
                self.err(
                    (*path, key), "unknown-key", f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}", item
                )

    def text(
        self, data: dict[str, Any], key: str, path: Path_, default: str | None = None, item: str | None = None
    ) -> str | None:
        value = data.get(key, default)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.err((*path, key), "wrong-type", f"'{key}' must be text, got {_kind(value)}", item)
        return default

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: Path_,
        item: str | None = None,
        minimum: int = 0,
        default: int | None = None,
    ) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.err((*path, key), "wrong-type", f"'{key}' must be a whole number, got {_kind(value)}", item)
            return default
        if value < minimum:
            self.err((*path, key), "negative-number", f"'{key}' must be {minimum} or more, got {value}", item)
            return default
        if value > MAX_NUMBER:
            self.err((*path, key), "out-of-range", f"'{key}' is too large ({value}; at most {MAX_NUMBER})", item)
            return default
        return value

    def window(self, value: Any, path: Path_, key: str, item: str | None = None) -> Window | None:
        if type(value) is str:
            known = self.dates.get(value)
            if known is not None:
                return known
        try:
            w = parse_window(value)
        except DateError as e:
            self.err(path, "bad-date", f"'{key}': {e}", item)
            return None
        if type(value) is str:
            self.dates[value] = w
        return w

    def dependency(self, key: str, typ: str, lag: int) -> Dependency:
        """One `after` entry (the same object for the same link: it is frozen)."""
        dep = self.deps.get((key, typ, lag))
        if dep is None:
            dep = self.deps[(key, typ, lag)] = Dependency(key, typ, lag)  # type: ignore[arg-type]
        return dep

    def exact(self, data: dict[str, Any], key: str, path: Path_, item: str | None = None) -> date | None:
        if data.get(key) is None:
            return None
        w = self.window(data[key], (*path, key), key, item)
        if w is None:
            return None
        if w.first != w.last or w.tbc:
            self.err((*path, key), "bad-date", f"'{key}' must be one exact date, not the window '{w.text}'", item)
            return None
        return w.first

    def strings(self, data: dict[str, Any], key: str, path: Path_, item: str | None = None) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.err((*path, key), "wrong-type", f"'{key}' must be a list of text", item)
        return ()

    def windows(self, data: dict[str, Any], key: str, path: Path_) -> list[tuple[Path_, Window]]:
        """The readable windows of a list of dates, each with its path (for its line)."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        out = []
        for i, v in enumerate(value):
            w = self.window(v, (*path, key, i), key)
            if w:
                out.append(((*path, key, i), w))
        return out

    def level(self, data: dict[str, Any], path: Path_, default: str, item: str | None = None) -> str:
        value = data.get("level", default)
        if value in LEVELS:
            return str(value)
        self.err(
            (*path, "level"),
            "bad-value",
            f"level must be one of {', '.join(LEVELS)}, got '{value}'{did_you_mean(str(value), LEVELS)}",
            item,
        )
        return default


# --- statutory timing ------------------------------------------------------------------------


def _clear_days(
    r: _Reader, data: dict[str, Any], key: str, path: Path_, bid: str, calendar: bool = False
) -> ClearDays | None:
    """`key: N` or `key: {days: N, count: working|calendar}` (N clear days; `calendar` gives the
    default count)."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, dict):
        r.keys(value, ("days", "count"), (*path, key), f"body '{bid}': '{key}'", bid)
        count = value.get("count", "calendar" if calendar else "working")
        if count not in ("working", "calendar"):
            r.err(
                (*path, key, "count"),
                "bad-value",
                f"body '{bid}': '{key}' count must be 'working' or 'calendar' (days), got {count!r}",
                bid,
            )
            count = "calendar" if calendar else "working"
        if "days" not in value:
            r.err((*path, key), "missing-key", f"body '{bid}': '{key}' needs 'days', e.g. {{days: 5}}", bid)
            return None
        days = r.number(value, "days", (*path, key), bid)
        return None if days is None else ClearDays(days, count == "calendar")
    days = r.number(data, key, path, bid)
    return None if days is None else ClearDays(days, calendar)


def _flag(r: _Reader, data: dict[str, Any], key: str, path: Path_, item: str) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    r.err((*path, key), "wrong-type", f"'{key}' must be true or false, got {_kind(value)}", item)
    return False


def _blackouts(r: _Reader, data: dict[str, Any], path: Path_, bid: str | None = None) -> tuple[Blackout, ...]:
    """`blackout: [{from: D, to: D, reason: text}]`: periods whose meetings take no decisions."""
    value = data.get("blackout")
    if value is None:
        return ()
    entries = value if isinstance(value, list) else [value]
    out = []
    for i, e in enumerate(entries):
        where = (*path, "blackout", i) if isinstance(value, list) else (*path, "blackout")
        what = f"body '{bid}': blackout" if bid else "blackout"
        entry = r.mapping(e, where, f"{what} entry")
        if entry is None:
            continue
        r.keys(entry, ("from", "to", "reason"), where, f"{what} entry", bid)
        for key in ("from", "to"):
            if entry.get(key) is None:
                r.err(where, "missing-key", f"{what} entry needs '{key}' (a date)", bid)
        first, last = r.exact(entry, "from", where, bid), r.exact(entry, "to", where, bid)
        if first is None or last is None:
            continue
        if last < first:
            r.err((*where, "to"), "until-before-from", f"{what}: 'to' {last} is before 'from' {first}", bid)
            continue
        if last >= _years_after(first, MAX_CLOSURE_YEARS):
            r.err(where, "blackout-too-long", f"{what} from {first} to {last} is longer than five years", bid)
            continue
        out.append(Blackout(first, last, r.text(entry, "reason", where, "blackout", bid) or "blackout"))
    return tuple(out)


def _statutory(
    r: _Reader, tid: str, iid: str, data: dict[str, Any], path: Path_, kind: Kind, as_of: date | None
) -> dict[str, Any]:
    """An item's key-decision and deferral fields (meeting items only)."""
    out: dict[str, Any] = {}
    keys = [k for k in ("key_decision", "notice_after", "notice_given", "deferred") if data.get(k) is not None]
    if not keys:
        return out
    if kind != "meeting":
        for key in keys:
            r.err(
                (*path, key),
                "not-a-meeting",
                f"item '{iid}': '{key}' is for a decision at a meeting (an item with 'at: <body>')",
                iid,
            )
        return out
    out["key_decision"] = _flag(r, data, "key_decision", path, iid)
    after: list[str] = []
    for i, ref in enumerate(r.strings(data, "notice_after", path, iid)):
        key = sys.intern(ref if ":" in ref else f"{tid}:{ref}")
        if key in after:
            r.err(
                (*path, "notice_after", i),
                "duplicate-dependency",
                f"item '{iid}': '{ref}' is in 'notice_after' twice",
                iid,
            )
            continue
        after.append(key)
    out["notice_after"] = tuple(after)
    out["notice_given"] = r.exact(data, "notice_given", path, iid)
    for key in ("notice_after", "notice_given"):
        if key in data and not out["key_decision"]:
            r.err(
                (*path, key),
                "not-a-key-decision",
                f"item '{iid}': '{key}' is for a key decision; add 'key_decision: true'",
                iid,
            )
    if out["notice_given"] and after:
        r.warn(
            (*path, "notice_after"),
            "notice-already-given",
            f"item '{iid}': notice was given on {out['notice_given']}, so 'notice_after' no longer matters",
            iid,
        )
    if out["notice_given"] and as_of and out["notice_given"] > as_of:
        r.warn(
            (*path, "notice_given"),
            "notice-after-as-of",
            f"item '{iid}': notice_given {out['notice_given']} is after the file's as_of {as_of}",
            iid,
        )
    deferred = []
    for where, w in r.windows(data, "deferred", path):
        if w.first != w.last or w.tbc:
            r.err(where, "bad-date", f"item '{iid}': 'deferred' dates must be exact meeting dates, not '{w.text}'", iid)
        else:
            deferred.append(w.first)
            if as_of and w.first > as_of:
                r.warn(
                    where,
                    "deferred-after-as-of",
                    f"item '{iid}': deferred at a meeting on {w.first}, after the file's as_of {as_of}",
                    iid,
                )
    out["deferred"] = tuple(sorted(deferred))
    return out


# --- risk inputs (`govflow risk`) ------------------------------------------------------------


def _range(
    r: _Reader, data: dict[str, Any], path: Path_, iid: str, kind: str, duration: int
) -> tuple[int, int, int] | None:
    """`range: [optimistic, pessimistic]` (the duration most likely) or `[optimistic, likely,
    pessimistic]`, in whole working days, on a task."""
    v = data.get("range")
    if v is None:
        return None
    whole = isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
    if not whole or len(v) not in (2, 3) or not all(0 <= x <= MAX_NUMBER for x in v) or v[0] > v[-1]:
        r.err(
            (*path, "range"),
            "bad-range",
            f"item '{iid}': range must be [optimistic, pessimistic] or [optimistic, likely, pessimistic] "
            "whole working days with optimistic <= pessimistic",
            iid,
        )
        return None
    low, likely, high = (v[0], duration, v[1]) if len(v) == 2 else v
    if kind != "task":
        r.err((*path, "range"), "bad-range", f"item '{iid}': a range is for a task (an item with a duration)", iid)
        return None
    if not low <= likely <= high:
        r.err(
            (*path, "range"),
            "bad-range",
            f"item '{iid}': range {v} must hold the most likely duration ({likely}) between optimistic and pessimistic",
            iid,
        )
        return None
    if low < 1:
        r.err((*path, "range"), "bad-range", f"item '{iid}': a task takes at least 1 working day, got {v}", iid)
        return None
    return (low, likely, high)


def _distribution(r: _Reader, data: dict[str, Any], path: Path_, iid: str | None = None) -> str | None:
    value = data.get("distribution")
    if value is None:
        return None
    if value not in DISTRIBUTIONS:
        r.err(
            (*path, "distribution"),
            "bad-value",
            (f"item '{iid}': " if iid else "")
            + f"distribution must be one of {', '.join(DISTRIBUTIONS)}, got '{value}'"
            f"{did_you_mean(str(value), DISTRIBUTIONS)}",
            iid,
        )
        return None
    return str(value)


def _share(r: _Reader, data: dict[str, Any], key: str, path: Path_, what: str, top: float = 1.0) -> float | None:
    """A probability-like number in [0, top]."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= top:
        r.err((*path, key), "bad-value", f"{what}: '{key}' must be a number from 0 to {top:g}, got {value!r}")
        return None
    return float(value)


def _risk_settings(r: _Reader, data: dict[str, Any]) -> RiskSettings:
    raw = data.get("risk")
    if raw is None:
        return RiskSettings()
    settings = r.mapping(raw, ("risk",), "'risk'") or {}
    r.keys(settings, ("distribution", "correlation"), ("risk",), "'risk'")
    return RiskSettings(
        _distribution(r, settings, ("risk",)) or "triangular",
        _share(r, settings, "correlation", ("risk",), "the timeline's risk settings") or 0.0,
    )


def _risks(r: _Reader, data: dict[str, Any], tid: str, items: dict[str, Item]) -> tuple[Risk, ...]:
    """`risks:`: a list of {id, title, probability, delays: {item: [min, max]}}."""
    raw = data.get("risks")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.err(("risks",), "wrong-type", f"'risks' must be a list of risks, got {_kind(raw)}")
        return ()
    out = []
    for n, entry in enumerate(raw):
        path: Path_ = ("risks", n)
        e = r.mapping(entry, path, f"risk {n + 1}")
        if e is None:
            continue
        rid = r.text(e, "id", path) or f"risk-{n + 1}"
        r.keys(e, ("id", "title", "probability", "delays"), path, f"risk '{rid}'")
        probability = _share(r, e, "probability", path, f"risk '{rid}'")
        if probability is None:
            r.err(path, "missing-key", f"risk '{rid}' needs a 'probability' from 0 to 1")
            continue
        delays = []
        for iid, span in (r.mapping(e.get("delays") or {}, (*path, "delays"), f"risk '{rid}' delays") or {}).items():
            where = (*path, "delays", iid)
            item = items.get(iid)
            if item is None:
                r.err(
                    where, "unknown-ref", f"risk '{rid}' delays '{iid}', which is not an item{did_you_mean(iid, items)}"
                )
                continue
            if item.kind == "meeting":
                r.err(where, "bad-value", f"risk '{rid}': a risk delays a task, milestone or fixed event, not '{iid}'")
                continue
            ok = (
                isinstance(span, list)
                and len(span) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
            )
            if not ok or not 0 <= span[0] <= span[1] <= MAX_NUMBER:
                r.err(where, "bad-range", f"risk '{rid}': the delay of '{iid}' must be [min, max] working days")
                continue
            delays.append((item.key, span[0], span[1]))
        out.append(Risk(rid, r.text(e, "title", path) or rid, probability, tuple(delays), r.doc.known_line(path)))
    return tuple(out)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _timeline(doc: _Doc, libraries: _Libraries | None = None) -> Timeline | None:
    r = _Reader(doc)
    data = r.mapping(doc.data, (), "a timeline file")
    if data is None:
        return None
    version = data.get("govflow")
    if version is None:
        r.err((), "missing-key", "not a govflow timeline: the first line should be 'govflow: 1'")
        return None
    if version != FORMAT_VERSION:
        r.err(
            ("govflow",),
            "unsupported-version",
            f"format version {version!r} is not supported; this govflow reads version {FORMAT_VERSION}",
        )
        return None
    if _is_library(data):
        r.err((), "body-library", _LIBRARY_GIVEN)
        return None
    r.keys(data, TOP_KEYS, (), "the timeline")
    for key in ("id", "start", "items"):
        if key not in data:
            r.err((), "missing-key", f"the timeline has no '{key}'")
    tid = r.text(data, "id", ()) or "?"
    if tid != "?" and not _ID.fullmatch(tid):
        r.err(("id",), "bad-id", f"timeline id '{tid}' may use letters, digits, '-', '_' and '.' only")
    start = r.exact(data, "start", ()) or date(1900, 1, 1)
    as_of = r.exact(data, "as_of", ())
    tz = r.text(data, "timezone", (), "Europe/London") or "Europe/London"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        r.err(("timezone",), "unknown-timezone", f"unknown time zone '{tz}' (e.g. Europe/London)")
    nation = r.text(data, "holidays", (), "england") or "none"
    if nation not in NATIONS:
        r.err(
            ("holidays",),
            "unknown-nation",
            f"unknown nation '{nation}' for bank holidays; use one of {', '.join(NATIONS)}"
            f"{did_you_mean(nation, NATIONS)}",
        )
        nation = "england"
    closures: set[date] = set()
    for where, w in r.windows(data, "closures", ()):
        if w.tbc:
            r.err(
                where,
                "tbc-closure",
                f"closure '{w.text}' is not confirmed (TBC); a closure must be a confirmed date or range "
                "(leave it out until it is confirmed)",
            )
        elif w.last >= _years_after(w.first, MAX_CLOSURE_YEARS):
            span = f"{w.first} to {w.last}"
            r.err(
                where,
                "closure-too-long",
                f"closure '{w.text}'{'' if w.text == span else f' ({span})'} is longer than five years; "
                "is a year mistyped?",
            )
        else:
            closures.update(w.first + timedelta(i) for i in range((w.last - w.first).days + 1))
    bodies_data = r.mapping(data.get("bodies", {}) or {}, ("bodies",), "'bodies'") or {}
    bodies = {}
    for bid, bdata in bodies_data.items():
        body = _body(r, bid, bdata, start, tz)
        if body:
            bodies[bid] = body
    bodies = _use(r, data, bodies, libraries)
    items_data = r.mapping(data.get("items", {}) or {}, ("items",), "'items'") or {}
    items = {}
    for iid, idata in items_data.items():
        item = _item(r, tid, iid, idata, as_of)
        if item:
            items[iid] = item
    return Timeline(
        blackouts=_blackouts(r, data, ()),
        risk=_risk_settings(r, data),
        risks=_risks(r, data, tid, items),
        id=tid,
        title=r.text(data, "title", (), tid) or tid,
        start=start,
        items=items,
        bodies=bodies,
        as_of=as_of,
        timezone=tz,
        organizer=r.text(data, "organizer", ()),
        holidays=nation,
        closures=frozenset(closures),
        path=doc.file,
    )


def _years_after(d: date, years: int) -> date:
    """The same day `years` later (29 February -> 1 March)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def _entry(r: _Reader, section: str, what: str, key: str, raw: Any, allowed: Sequence[str]) -> dict[str, Any] | None:
    """One body or item: a mapping with known keys under a valid id."""
    path: Path_ = (section, key)
    data = r.mapping(raw, path, f"{what} '{key}'")
    if data is None:
        return None
    r.keys(data, allowed, path, f"{what} '{key}'", key)
    if not _ID.fullmatch(key):
        r.err(path, "bad-id", f"{what} id '{key}' may use letters, digits, '-', '_' and '.' only", key)
    return data


def _body(r: _Reader, bid: str, raw: Any, start: date, zone: str = "Europe/London") -> Body | None:
    path: Path_ = ("bodies", bid)
    data = _entry(r, "bodies", "body", bid, raw, BODY_KEYS)
    if data is None:
        return None
    when: list[Meeting] = []
    shared: tuple[Meeting, ...] = ()
    known = len(r.doc.problems)
    meets = data.get("meets") or []
    if not isinstance(meets, list):
        meets = [meets]
    for i, m in enumerate(meets):
        note = ""
        if isinstance(m, dict):
            r.keys(m, ("date", "note"), (*path, "meets", i), "a meeting", bid)
            note = str(m.get("note") or "")
            m = m.get("date")
        w = r.window(m, (*path, "meets", i), "meets", bid)
        if w:
            when.append(Meeting(w, note, "extraordinary" in note.lower(), "meets"))
    first = r.exact(data, "from", path, bid)
    until = r.exact(data, "until", path, bid)
    if first and until and until < first:
        r.err((*path, "until"), "until-before-from", f"body '{bid}': until {until} is before from {first}", bid)
    rule = data.get("recurrence")
    if rule is not None:
        _recurrence_ends(r, bid, data, path, first, start)
        skip_entries = r.windows(data, "skip", path)
        skips = tuple((s.first, s.last) for _, s in skip_entries)
        try:
            shared = _recurring(rule, first or start, until, skips)
            when.extend(shared)
            if skips and "meets_from" not in data:  # else: `_calendar_meetings` says
                _unused_skips(r, bid, rule, first or start, until, skip_entries)
        except _RuleError as e:
            r.err((*path, "recurrence"), "bad-rrule", f"body '{bid}': {e}", bid)
    elif "meets_from" not in data and r.windows(data, "skip", path):
        r.warn(
            (*path, "skip"),
            "skip-matches-nothing",
            f"body '{bid}': 'skip' has no effect without a 'recurrence' (it removes recurrence dates, "
            "not 'meets' dates)",
            bid,
        )
    when.extend(_calendar_meetings(r, bid, data, zone, first, until, rule, start, when))
    if not when and len(r.doc.problems) == known:
        r.err(
            path,
            "body-no-meetings",
            f"body '{bid}' has no meetings: give 'meets' dates, a 'recurrence' or 'meets_from' "
            "(all may have been skipped)",
            bid,
        )
    # bodies on the same pattern share one tuple of meetings (and the scheduler's index of it)
    if rule is not None and len(shared) == len(when):
        meetings = shared  # a recurrence's meetings come in date order: sorted already
    else:
        when.sort(key=lambda m: (m.when.last, m.when.first))
        meetings = tuple(when)
    time_text = r.text(data, "time", path, item=bid)
    at: time | None = None
    if time_text is not None:
        if isinstance(data.get("time"), int):  # YAML 1.1 read 13:30 as a number
            time_text = None
        m = _TIME.fullmatch(time_text.strip()) if time_text else None
        if m:
            at = time(int(m[1]), int(m[2]))
        else:
            r.err((*path, "time"), "bad-time", f"body '{bid}': time must be HH:MM like \"13:30\"", bid)
    dur_text = r.text(data, "duration", path, item=bid)
    duration = None
    if dur_text is not None:
        m = _DURATION.fullmatch(dur_text.strip())
        if m and (m[1] or m[2]):
            duration = timedelta(hours=float(m[1] or 0), minutes=int(m[2] or 0))
        if duration is None or not timedelta(0) < duration <= timedelta(hours=24):
            r.err(
                (*path, "duration"),
                "bad-duration",
                f"body '{bid}': duration must be like 3h, 90m or 1h30m (at most 24h), got '{dur_text}'",
                bid,
            )
            duration = None
    return Body(
        id=bid,
        name=r.text(data, "name", path, bid, bid) or bid,
        level=r.level(data, path, "local", bid),
        papers_due=r.number(data, "papers_due", path, bid, default=5) or 0,
        meetings=meetings,
        time=at,
        duration=duration,
        location=r.text(data, "location", path, "", bid) or "",
        chairs_action=r.number(data, "chairs_action", path, bid),
        cancel_rate=_share(r, data, "cancel_rate", path, f"body '{bid}'", top=0.99) or 0.0,
        publish=_clear_days(r, data, "publish", path, bid),
        notice=_clear_days(r, data, "notice", path, bid, calendar=True),
        general_exception=_clear_days(r, data, "general_exception", path, bid),
        special_urgency=_flag(r, data, "special_urgency", path, bid),
        call_in=r.number(data, "call_in", path, bid) or 0,
        blackouts=_blackouts(r, data, path, bid),
        attendees=r.strings(data, "attendees", path, bid),
        line=r.doc.known_line(path),
        path=r.doc.file,
    )


def _recurrence_ends(r: _Reader, bid: str, data: dict[str, Any], path: Path_, first: date | None, start: date) -> None:
    """A recurrence needs `from`; its end is `until`, not also an UNTIL or COUNT inside the RRULE."""
    if data.get("from") is None:
        r.err(
            (*path, "recurrence"),
            "recurrence-without-from",
            f"body '{bid}': 'recurrence' needs 'from', the first day the pattern runs (e.g. from: {start}); "
            "without it the meetings would silently start on the timeline's start",
            bid,
        )
    rule = data.get("recurrence")
    if data.get("until") is not None and isinstance(rule, str):
        m = _RRULE_END.search(rule)
        if m:
            r.err(
                (*path, "recurrence"),
                "recurrence-until",
                f"body '{bid}': the recurrence has its own {m[1].upper()}={m[2]} and the body also has "
                f"'until: {data['until']}' (line {r.doc.line((*path, 'until'))}); keep one",
                bid,
            )


def _unused_skips(
    r: _Reader, bid: str, rule: str, first: date, until: date | None, entries: list[tuple[Path_, Window]]
) -> None:
    """Warn about each `skip` entry that removes no meeting of the recurrence (a mistyped date?)."""
    every = _recurring_days(rule, first, until)
    capped = len(every) >= MAX_OCCURRENCES  # dates past the cap were never generated: say nothing of them
    end = until or (first.replace(year=first.year + 3, day=min(first.day, 28)))
    for where, w in entries:
        i = bisect.bisect_left(every, w.first)
        if i < len(every) and every[i] <= w.last:
            continue
        if capped and w.last > every[-1]:
            continue
        r.warn(
            where,
            "skip-matches-nothing",
            f"body '{bid}': skip '{w.text}' matches no meeting of the recurrence "
            f"({rule.strip()} from {first} until {end}); is the date right?",
            bid,
        )


@functools.lru_cache(maxsize=1024)
def _recurring_days(rule: Any, first: date, until: date | None) -> tuple[date, ...]:
    """The day of each meeting of an RRULE (`_recurring`, nothing skipped)."""
    return tuple(m.when.first for m in _recurring(rule, first, until, ()))


class _RuleError(ValueError):
    """A recurrence that cannot be expanded."""


@functools.lru_cache(maxsize=1024)
def _recurring(rule: Any, first: date, until: date | None, skips: tuple[tuple[date, date], ...]) -> tuple[Meeting, ...]:
    """Meetings of an RRULE from `first` to `until` (default three years), less skipped windows.

    Cached: a national programme has thousands of bodies sharing a few patterns.
    """
    if not isinstance(rule, str):
        raise _RuleError("recurrence must be an RRULE text like FREQ=MONTHLY;BYDAY=-1TH")
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    freq = re.search(r"FREQ=([A-Z]+)", text.upper())
    if freq and freq[1] not in ALLOWED_FREQ:
        raise _RuleError(f"FREQ={freq[1]} is not a meeting pattern; use {', '.join(ALLOWED_FREQ)}")
    try:
        rr = rrulestr(text, dtstart=datetime.combine(first, time()), forceset=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        raise _RuleError(f"cannot read recurrence '{rule}': {e}") from None
    if not isinstance(rr, rrule):
        raise _RuleError("give one RRULE")
    end = datetime.combine(until or first.replace(year=first.year + 3, day=min(first.day, 28)), time(23, 59))
    out: list[Meeting] = []
    for dt in rr.xafter(datetime.combine(first, time()) - timedelta(seconds=1), inc=True):
        if dt > end or len(out) >= MAX_OCCURRENCES:
            break
        d = dt.date()
        if not any(a <= d <= b for a, b in skips):
            out.append(Meeting(Window(d, d, False, d.isoformat()), source="recurrence"))
    return tuple(out)


# --- body libraries (`use:`) and meeting dates from calendar files (`meets_from:`) -------------

LIBRARY_KEYS = ("govflow", "title", "holidays", "timezone", "bodies", "blackout")
_LIBRARY_GIVEN = (
    "this file has 'bodies:' and no 'items:', so it is a body library, not a timeline: timelines bring "
    "its bodies in with 'use: [<this file>]' (to check it as a timeline, give it 'id', 'start' and 'items')"
)


def _is_library(data: dict[str, Any]) -> bool:
    """A body library: `govflow: 1` and `bodies:`, with no `items:` (nor a timeline's `id` or `start`)."""
    return "bodies" in data and not any(k in data for k in ("items", "id", "start"))


class _Libraries:
    """The body library files read while loading one programme: each is read once, so every
    timeline that uses it gets the same `Body` objects (the same meetings, the same papers rule)."""

    def __init__(self) -> None:
        self.read: dict[Path, tuple[dict[str, Body], _Doc] | str | None] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.docs: dict[str, _Doc] = {}

    def get(self, path: Path) -> tuple[dict[str, Body], _Doc] | str | None:
        """The bodies of a library file and its document; a text saying why the file is not a
        library; or None when it has problems of its own (reported in `problems`, once)."""
        key = path.resolve()
        if key not in self.read:
            self.read[key] = self._load(path)
        return self.read[key]

    def _load(self, path: Path) -> tuple[dict[str, Body], _Doc] | str | None:
        try:
            doc = _read(path)
        except _Stop as stop:
            code, message, *line = stop.args
            self.problems.append(Problem(code, message, str(path), line[0] if line else None))
            return None
        r = _Reader(doc)
        data = r.mapping(doc.data, (), "a body library")
        if data is None:
            self.problems.extend(doc.problems)
            return None
        if "items" in data or "id" in data:
            return "it is a timeline, not a body library (a body library has 'govflow: 1' and 'bodies:' only)"
        if data.get("govflow") != FORMAT_VERSION:
            r.err(
                ("govflow",),
                "unsupported-version",
                f"a body library starts with 'govflow: {FORMAT_VERSION}', got {data.get('govflow')!r}",
            )
        r.keys(data, LIBRARY_KEYS, (), "a body library")
        nation = r.text(data, "holidays", ()) or None
        if nation is not None and nation not in NATIONS:
            r.err(("holidays",), "unknown-nation", f"unknown nation '{nation}'{did_you_mean(nation, NATIONS)}")
            nation = None
        zone = r.text(data, "timezone", (), "Europe/London") or "Europe/London"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            r.err(("timezone",), "unknown-timezone", f"unknown time zone '{zone}' (e.g. Europe/London)")
            zone = "Europe/London"
        bodies: dict[str, Body] = {}
        raw = r.mapping(data.get("bodies") or {}, ("bodies",), "'bodies'") or {}
        shared = _blackouts(r, data, ())  # a library's `blackout` applies to each of its bodies
        for bid, bdata in raw.items():
            body = _body(r, bid, bdata, date(FIRST_YEAR, 1, 1), zone)
            if body is not None:
                bodies[bid] = replace(body, nation=nation, blackouts=shared + body.blackouts)
        self.problems.extend(doc.problems)
        self.warnings.extend(doc.warnings)
        self.docs[doc.file] = doc
        return None if doc.problems else (bodies, doc)


def _use(r: _Reader, data: dict[str, Any], own: dict[str, Body], libraries: _Libraries | None) -> dict[str, Body]:
    """The timeline's bodies with those of the library files in `use:` (paths relative to the
    timeline file). A used body may not be defined again, here or in a second library."""
    value = data.get("use")
    if value is None:
        return own
    if libraries is None:
        libraries = _Libraries()
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        r.err(("use",), "wrong-type", "'use' must be a list of body library files, e.g. use: [../bodies/cumbria.yaml]")
        return own
    used: dict[str, Body] = {}
    base = Path(r.doc.file).parent
    for i, entry in enumerate(entries):
        where: Path_ = ("use", i) if isinstance(value, list) else ("use",)
        path = base / entry
        if not path.is_file():
            r.err(where, "no-file", f"use: '{entry}': no such file ({path})")
            continue
        got = libraries.get(path)
        if isinstance(got, str):
            r.err(where, "not-a-library", f"use: '{entry}': {got}")
            continue
        if got is None:
            continue  # its own problems are reported in it
        for bid, body in got[0].items():
            other = used.get(bid)
            if other is not None and other is not body:
                r.err(
                    where,
                    "duplicate-body",
                    f"body '{bid}' is defined in both {other.path}:{other.line} and {body.path}:{body.line}, "
                    "which this timeline uses; keep one",
                    bid,
                )
                continue
            used[bid] = body
    for bid, body in used.items():
        if bid in own:
            r.err(
                ("bodies", bid),
                "redefined-body",
                f"body '{bid}' is already defined in {body.path}:{body.line}, which this timeline uses "
                f"(line {r.doc.line(('use',))}); a used body is the same body in every timeline that uses it: "
                "remove this definition, or give it another id",
                bid,
            )
    return {**own, **{bid: b for bid, b in used.items() if bid not in own}}


def _calendar_meetings(
    r: _Reader,
    bid: str,
    data: dict[str, Any],
    zone: str,
    first: date | None,
    until: date | None,
    rule: Any,
    start: date,
    explicit: list[Meeting],
) -> list[Meeting]:
    """The meetings a body's `meets_from` reads from iCalendar or CSV files (one mapping or a list
    of them; paths relative to the file defining the body), less `skip` windows and less days
    already in `meets`; `from` and `until` bound the recurrence only. Also warns about `skip`
    entries that remove nothing."""
    value = data.get("meets_from")
    if value is None:
        return []
    from .sources import Found, SourceError, read_csv, read_ics

    path: Path_ = ("bodies", bid, "meets_from")
    entries = value if isinstance(value, list) else [value]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = "Europe/London"  # reported with the timeline's `timezone`
    base = Path(r.doc.file).parent
    found: list[tuple[Found, str]] = []
    for i, entry in enumerate(entries):
        where: Path_ = (*path, i) if isinstance(value, list) else path
        if not isinstance(entry, dict):
            shape = "{ics: FILE, match: TEXT} or {csv: FILE, column: NAME}"
            r.err(where, "bad-meets-from", f"body '{bid}': meets_from is {shape}", bid)
            continue
        r.keys(entry, ("ics", "csv", "match", "column"), where, "meets_from", bid)
        kind = [k for k in ("ics", "csv") if k in entry]
        if len(kind) != 1:
            r.err(where, "bad-meets-from", f"body '{bid}': meets_from needs one of 'ics: FILE' or 'csv: FILE'", bid)
            continue
        name = entry[kind[0]]
        if not isinstance(name, str) or not name:
            r.err(where, "bad-meets-from", f"body '{bid}': '{kind[0]}' must be a file name", bid)
            continue
        file = base / name
        if not file.is_file():
            r.err(where, "no-file", f"body '{bid}': meets_from {kind[0]} '{name}': no such file ({file})", bid)
            continue
        try:
            if kind[0] == "ics":
                if "column" in entry:
                    r.err(where, "bad-meets-from", f"body '{bid}': 'column' is for a csv file; ics takes 'match'", bid)
                match = entry.get("match")
                got = read_ics(file, None if match is None else str(match), zone)
            else:
                if "match" in entry:
                    r.err(where, "bad-meets-from", f"body '{bid}': 'match' is for an ics file; csv takes 'column'", bid)
                column = entry.get("column")
                if not isinstance(column, str):
                    need = "a csv file needs 'column: NAME' (its date column)"
                    r.err(where, "bad-meets-from", f"body '{bid}': {need}", bid)
                    continue
                got = read_csv(file, column)
        except SourceError as e:
            if e.line is not None and kind[0] == "csv":
                r.doc.problems.append(Problem("bad-meets-from", f"body '{bid}': {e.message}", str(file), e.line, bid))
            else:
                r.err(where, "bad-meets-from", f"body '{bid}': {e.message}", bid)
            continue
        if not got:
            what = f"matching '{entry.get('match')}'" if entry.get("match") is not None else "at all"
            r.warn(where, "meets-from-empty", f"body '{bid}': {name} has no meetings {what}", bid)
        found.extend((f, file.name) for f in got)
    skip_entries = r.windows(data, "skip", ("bodies", bid))
    taken = {(m.when.first, m.when.last) for m in explicit}
    out: list[Meeting] = []
    hit: set[int] = set()
    for f, source in found:
        w = f.when
        skipped = [j for j, (_, s) in enumerate(skip_entries) if s.first <= w.last and w.first <= s.last]
        if skipped:
            hit.update(skipped)
            continue
        if (w.first, w.last) in taken:
            continue
        taken.add((w.first, w.last))
        note = f.summary
        out.append(Meeting(w, note, "extraordinary" in note.lower(), source, f.time, f.duration))
    if skip_entries:  # a skip matching neither a calendar date nor a recurrence date is probably mistyped
        every: list[Meeting] = []
        if isinstance(rule, str):
            with contextlib.suppress(_RuleError):
                every = list(_recurring(rule, first or start, until, ()))
        for j, (where, s) in enumerate(skip_entries):
            if j in hit or any(s.first <= m.when.last and m.when.first <= s.last for m in every):
                continue
            r.warn(
                where,
                "skip-matches-nothing",
                f"body '{bid}': skip '{s.text}' matches no meeting of its recurrence or calendar files; "
                "is the date right?",
                bid,
            )
    return out


def _day_text(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _body_warnings(programme: Programme, docs: dict[str, _Doc]) -> list[Problem]:
    """Meetings from a recurrence or a calendar file on a bank holiday or a weekend of the body's
    nation (a `skip` is probably missing), and two bodies with the same name but different
    definitions (one board defined twice?)."""
    from .calendars import bank_holidays

    out: list[Problem] = []
    seen: dict[int, tuple[Body, str]] = {}
    for t in programme.timelines:
        for body in t.bodies.values():
            if id(body) not in seen:
                seen[id(body)] = (body, body.nation or t.holidays)

    def line(body: Body, key: str) -> int | None:
        doc = docs.get(body.path)
        return None if doc is None else doc.line(("bodies", body.id, key))

    # bodies on the same pattern share one tuple of meetings: look at each tuple once per nation
    looked: dict[tuple[int, str], tuple[tuple[Meeting, ...], list[tuple[Meeting, dict[date, str]]]]] = {}
    for body, nation in seen.values():
        hit = looked.get((id(body.meetings), nation))
        if hit is None or hit[0] is not body.meetings:
            generated = [m for m in body.meetings if m.source not in ("", "meets")]
            years = sorted({m.when.first.year for m in generated})
            names = bank_holidays(nation, years) if generated and nation != "none" else {}
            off = [
                (m, names)
                for m in generated
                if m.when.first == m.when.last and (m.when.first in names or m.when.first.weekday() >= 5)
            ]
            hit = looked[(id(body.meetings), nation)] = (body.meetings, off)
        for m, names in hit[1]:
            d = m.when.first
            whence = "the recurrence gives" if m.source == "recurrence" else f"{m.source} has"
            key = "recurrence" if m.source == "recurrence" else "meets_from"
            place = nation.replace("-", " ").title()
            why = f"{names[d]}, a bank holiday in {place}" if d in names else f"a {d:%A}"
            out.append(
                Problem(
                    "meeting-on-holiday" if d in names else "meeting-on-weekend",
                    f"body '{body.id}': {whence} a meeting on {_day_text(d)}, {why}; if the body does not meet "
                    f"that day, add {d.isoformat()} to its 'skip'",
                    body.path,
                    line(body, key),
                    body.id,
                    "warning",
                )
            )
    by_name: dict[str, Body] = {}
    for body, _ in seen.values():
        name = " ".join(body.name.lower().split())
        other = by_name.setdefault(name, body)
        if other is body:
            continue
        diff = []
        if [m.when for m in other.meetings] != [m.when for m in body.meetings]:
            diff.append("meetings")
        for attr in ("papers_due", "chairs_action"):
            if getattr(other, attr) != getattr(body, attr):
                diff.append(attr)
        if diff:
            out.append(
                Problem(
                    "same-name-bodies",
                    f"body '{body.id}' has the same name, '{body.name}', as body '{other.id}' "
                    f"({other.path}:{other.line}) but different {' and '.join(diff)}; if they are one board, "
                    "define it once in a body library and bring it into each timeline with 'use:'",
                    body.path,
                    body.line,
                    body.id,
                    "warning",
                )
            )
    for t in programme.timelines:  # a deferral at a meeting the body did not hold
        for item in t.items.values():
            at = t.bodies.get(item.at) if item.at is not None else None
            if at is None or not item.deferred:
                continue
            held = {m.when.first for m in at.meetings if m.when.first == m.when.last}
            held |= {m.when.last for m in at.meetings}
            doc = docs.get(t.path)
            for i, day in enumerate(item.deferred):
                if day not in held:
                    out.append(
                        Problem(
                            "deferred-not-a-meeting",
                            f"item '{item.id}': deferred on {_day_text(day)}, but {at.name} ('{at.id}') has no "
                            "meeting that day; is the date mistyped?",
                            t.path,
                            doc.line(("items", item.id, "deferred", i)) if doc else item.line,
                            item.id,
                            "warning",
                        )
                    )
    return out


_PLAIN_ITEM_KEYS = frozenset(("title", "level", "on", "at", "duration", "after", "deadline", "owner"))


def _plain_item(r: _Reader, tid: str, iid: str, data: Any) -> Item | None:
    """The common item (no progress, no risk inputs) read without a problem, or None: then
    `_item` reads it field by field and says what is wrong. Gives what `_item` gives."""
    if type(data) is not dict or not _PLAIN_ITEM_KEYS.issuperset(data) or not _ID.fullmatch(iid):
        return None
    on_text, at, duration = data.get("on"), data.get("at", ""), data.get("duration", 0)
    title, level, owner = data.get("title", iid), data.get("level", "local"), data.get("owner", ())
    if (
        ("on" in data and (on_text is None or "at" in data or "duration" in data))
        or ("at" in data and (type(at) is not str or not at or "duration" in data))
        or type(duration) is not int
        or not 0 <= duration <= MAX_NUMBER
        or type(title) is not str
        or level not in LEVELS
    ):
        return None
    if type(owner) is str:
        owner = (owner,)
    elif type(owner) is list and all(type(o) is str for o in owner):
        owner = tuple(owner)
    elif owner != ():
        return None
    on = deadline = None
    if on_text is not None and (on := _plain_date(r, on_text)) is None:
        return None
    if data.get("deadline") is not None and (deadline := _plain_date(r, data["deadline"])) is None:
        return None
    after = _plain_after(r, tid, data.get("after"))
    if after is None:
        return None
    kind: Kind = "event" if "on" in data else "meeting" if at else "task" if duration > 0 else "milestone"
    return Item(
        sys.intern(f"{tid}:{iid}"),  # interned: dependencies name the same string object
        iid,
        tid,
        title or iid,
        kind,
        level,
        on,
        at or None,
        duration,
        None,
        after,
        deadline,
        owner,
        None,
        None,
        None,
        None,
        r.doc.known_line(("items", iid)),
        None,
    )


def _plain_date(r: _Reader, value: Any) -> Window | None:
    """A date as `_Reader.window` reads it, or None (then nothing is recorded)."""
    if type(value) is not str:
        return None
    w = r.dates.get(value)
    if w is None:
        try:
            w = r.dates[value] = parse_window(value)
        except DateError:
            return None
    return w


def _plain_after(r: _Reader, tid: str, value: Any) -> tuple[Dependency, ...] | None:
    """`after` as `_after` reads it when it has no problem (None: let `_after` say what is wrong)."""
    if value is None:
        return ()
    out = []
    ref: Any
    plain = r.plain
    for entry in value if type(value) is list else [value]:
        if type(entry) is str:
            dep = plain.get(entry)
            if dep is None:
                if not entry or " " in entry:
                    return None
                dep = plain[entry] = r.dependency(sys.intern(entry if ":" in entry else f"{tid}:{entry}"), "FS", 0)
            out.append(dep)
            continue
        if type(entry) is dict and _DEP_KEYS.issuperset(entry):
            ref, typ, lag = entry.get("id"), str(entry.get("type", "FS")).upper(), entry.get("lag", 0)
            if type(ref) is not str or not ref or typ not in ("FS", "SS", "FF"):
                return None
            if type(lag) is not int or abs(lag) > MAX_NUMBER:
                return None
        else:
            return None
        out.append(r.dependency(sys.intern(ref if ":" in ref else f"{tid}:{ref}"), typ, lag))
    if len(out) > 1 and len({d.pred for d in out}) != len(out):
        return None  # the same predecessor twice
    return tuple(out)


_DEP_KEYS = frozenset(("id", "type", "lag"))


def _item(r: _Reader, tid: str, iid: str, raw: Any, as_of: date | None) -> Item | None:
    plain = _plain_item(r, tid, iid, raw)
    if plain is not None:
        return plain
    path: Path_ = ("items", iid)
    data = _entry(r, "items", "item", iid, raw, ITEM_KEYS)
    if data is None:
        return None
    if "on" in data and "at" in data:
        r.err(
            (*path, "at"),
            "on-with-at",
            f"item '{iid}' has both 'on' (a fixed date) and 'at' (a meeting); keep one",
            iid,
        )
    if "duration" in data and ("on" in data or "at" in data):
        other = "on" if "on" in data else "at"
        r.err(
            (*path, "duration"),
            "conflicting-keys",
            f"item '{iid}' has both 'duration' (a task) and '{other}'; keep one",
            iid,
        )
    on = r.window(data["on"], (*path, "on"), "on", iid) if data.get("on") is not None else None
    at = r.text(data, "at", path, item=iid)
    duration = r.number(data, "duration", path, iid) or 0
    kind: Kind = "event" if "on" in data else "meeting" if at else "task" if duration > 0 else "milestone"
    rng = _range(r, data, path, iid, kind, duration)
    distribution = _distribution(r, data, path, iid)
    deadline = (
        r.window(data["deadline"], (*path, "deadline"), "deadline", iid) if data.get("deadline") is not None else None
    )
    done = r.exact(data, "done", path, iid)
    started = r.exact(data, "started", path, iid)
    if done and started and done < started:
        r.err(
            (*path, "done"), "done-before-started", f"item '{iid}' is done ({done}) before it started ({started})", iid
        )
    _progress_fits_kind(r, iid, data, path, kind, at)
    if done and as_of and done > as_of:
        r.warn(
            (*path, "done"),
            "done-after-as-of",
            f"item '{iid}': done {done} is after the file's as_of {as_of}; on that status date it is not "
            "done yet (is a date mistyped, or as_of not moved on?)",
            iid,
        )
    return Item(
        key=sys.intern(f"{tid}:{iid}"),  # interned: dependencies name the same string object
        id=iid,
        timeline=tid,
        title=r.text(data, "title", path, iid, iid) or iid,
        kind=kind,
        level=r.level(data, path, "local", iid),
        on=on,
        at=at,
        duration=duration,
        range=rng,
        after=tuple(_after(r, tid, iid, data.get("after"), (*path, "after"))),
        deadline=deadline,
        owner=r.strings(data, "owner", path, iid),
        done=done,
        started=started,
        remaining=r.number(data, "remaining", path, iid),
        forecast=r.exact(data, "forecast", path, iid),
        line=r.doc.known_line(path),
        distribution=distribution,
        **_statutory(r, tid, iid, data, path, kind, as_of),
    )


def _progress_fits_kind(r: _Reader, iid: str, data: dict[str, Any], path: Path_, kind: Kind, at: str | None) -> None:
    """`started` and `remaining` describe a task under way: not a milestone, meeting or event."""
    if kind != "task":
        what = {
            "milestone": "a milestone (no duration): record 'done: <date>' when it is reached",
            "meeting": f"a decision at a meeting of '{at}': record 'done: <date>' when the meeting has taken it",
            "event": "a fixed event ('on'): it happens on its date; a 'forecast' moves it later",
        }[kind]
        for key in ("started", "remaining"):
            if data.get(key) is not None:
                r.err((*path, key), "not-a-task", f"item '{iid}': '{key}' is for tasks; this is {what}", iid)
    elif data.get("remaining") is not None and data.get("started") is None:
        r.err(
            (*path, "remaining"),
            "remaining-without-started",
            f"item '{iid}': 'remaining' is the working days left of work under way; "
            "add 'started: <date>' (the day work began)",
            iid,
        )


def _after(r: _Reader, tid: str, iid: str, value: Any, path: Path_) -> Iterable[Dependency]:
    if value is None:
        return
    if not isinstance(value, list):
        value = [value]
    seen: dict[str, int] = {}  # predecessor key -> index of its first entry
    for i, entry in enumerate(value):
        where = (*path, i)
        ref, typ, lag = None, "FS", 0
        if isinstance(entry, dict):
            r.keys(entry, ("id", "type", "lag"), where, "a dependency", iid)
            ref = entry.get("id")
            typ = str(entry.get("type", "FS")).upper()
            lag_v = entry.get("lag", 0)
            if not isinstance(lag_v, int) or isinstance(lag_v, bool) or abs(lag_v) > MAX_NUMBER:
                r.err(where, "bad-lag", f"item '{iid}': lag must be a whole number of working days", iid)
                lag_v = 0
            lag = lag_v
        elif isinstance(entry, str) and " " not in entry and entry:  # a plain id: the common case
            ref = entry
        elif isinstance(entry, str):
            m = _AFTER_TEXT.fullmatch(entry.strip())
            if m:
                ref, typ = m["ref"], (m["type"] or "FS").upper()
                lag = int(m["lag"].replace(" ", "")) if m["lag"] else 0
            else:
                r.err(
                    where,
                    "bad-dependency",
                    f"item '{iid}': cannot read dependency '{entry}' "
                    "(write 'id', 'timeline:id', 'id +3' or {id: x, type: SS, lag: 2})",
                    iid,
                )
                continue
        if not isinstance(ref, str) or not ref:
            r.err(where, "bad-dependency", f"item '{iid}': a dependency needs an id", iid)
            continue
        if typ not in ("FS", "SS", "FF"):
            r.err(where, "bad-dependency", f"item '{iid}': dependency type must be FS, SS or FF, got '{typ}'", iid)
            continue
        key = sys.intern(ref if ":" in ref else f"{tid}:{ref}")
        if key in seen:
            line = r.doc.line((*path, seen[key]))
            here = r.doc.line(where)
            first = (
                f"first on line {line}" if line is not None and line != here else f"entries {seen[key] + 1} and {i + 1}"
            )
            name = key.split(":", 1)[1] if key.startswith(f"{tid}:") else key
            r.err(
                where,
                "duplicate-dependency",
                f"item '{iid}': '{name}' is in 'after' twice ({first}); keep one entry, with the type and lag "
                "that apply",
                iid,
            )
            continue
        seen[key] = i
        yield r.dependency(key, typ, lag)


# --- the programme -------------------------------------------------------------------------


def _load_one(
    path: Path, problems: list[Problem], libraries: _Libraries | None = None
) -> tuple[Timeline | None, _Doc | None]:
    doc = None
    try:
        doc = _read(path)
        timeline = _timeline(doc, libraries)
    except _Stop as stop:
        code, message, *line = stop.args
        problems.append(Problem(code, message, str(path), line[0] if line else None))
        return None, doc
    problems.extend(doc.problems)
    return timeline, doc


def load(paths: Sequence[str | Path], discover: bool = True) -> Programme:
    """Load timeline files as one programme; raise `InvalidTimeline` listing every problem.

    A reference to a timeline not given (`other:item`) is looked up as `other.yaml`,
    `other.yml` or `other.json` beside the files given, when `discover` is true.
    Warnings are not returned: use `load_with_warnings` for them.
    """
    return load_with_warnings(paths, discover)[0]


@gc_paused
def load_with_warnings(paths: Sequence[str | Path], discover: bool = True) -> tuple[Programme, tuple[Problem, ...]]:
    """`load`, also returning the warnings: probable mistakes that do not stop loading
    (`Problem`s with severity "warning", by file and line), e.g. `done-after-as-of`."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    timelines: list[Timeline] = []
    docs: dict[str, _Doc] = {}
    libraries = _Libraries()  # read once: timelines that use a library share its bodies
    queue = [Path(p) for p in paths]
    seen: set[Path] = set()
    while queue:
        path = queue.pop(0)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        if not path.exists():
            problems.append(Problem("no-file", "no such file", str(path)))
            continue
        partial: list[Problem] = []
        timeline, doc = _load_one(path, partial, libraries)
        problems.extend(partial)
        if timeline is None or doc is None:
            continue
        if any(t.id == timeline.id for t in timelines):
            other = next(t for t in timelines if t.id == timeline.id)
            problems.append(
                Problem(
                    "duplicate-id",
                    f"timeline id '{timeline.id}' is also used by {other.path}",
                    doc.file,
                    doc.line(("id",)),
                )
            )
            continue
        timelines.append(timeline)
        docs[timeline.id] = doc
        warnings.extend(doc.warnings)
        if discover:
            known = {t.id for t in timelines}
            own = f"{timeline.id}:" if ":" not in timeline.id else None  # most links stay in their timeline
            for item in timeline.items.values():
                for dep in item.after:
                    if own is not None and dep.pred.startswith(own):
                        continue
                    other_id = dep.pred.split(":", 1)[0]
                    if other_id not in known:
                        for suffix in (".yaml", ".yml", ".json"):
                            candidate = path.parent / f"{other_id}{suffix}"
                            if candidate.exists() and candidate.resolve() not in seen:
                                queue.append(candidate)
                                known.add(other_id)
                                break
    programme = Programme.of(tuple(timelines))
    problems.extend(libraries.problems)
    warnings.extend(libraries.warnings)
    problems.extend(_resolve(programme, docs))
    if problems:
        raise InvalidTimeline(problems)
    warnings.extend(_body_warnings(programme, {**{d.file: d for d in docs.values()}, **libraries.docs}))
    return programme, _sorted(warnings)


def load_text(text: str, name: str = "<input>.yaml") -> Programme:
    """Load one timeline from text (for tests and the API); same checks as `load`."""
    return load_text_with_warnings(text, name)[0]


def load_text_with_warnings(text: str, name: str = "<input>.yaml") -> tuple[Programme, tuple[Problem, ...]]:
    """`load_text`, also returning the warnings (as `load_with_warnings` does)."""
    doc = _Doc(name, text)
    libraries = _Libraries()
    try:
        (_parse_json if name.endswith(".json") else _parse_yaml)(doc)
        timeline = _timeline(doc, libraries)
    except _Stop as stop:
        code, message, *line = stop.args
        raise InvalidTimeline([Problem(code, message, name, line[0] if line else None)]) from None
    problems = list(doc.problems) + libraries.problems
    if timeline is None:
        raise InvalidTimeline(problems)
    programme = Programme.of((timeline,))
    problems.extend(_resolve(programme, {timeline.id: doc}))
    if problems:
        raise InvalidTimeline(problems)
    found = _body_warnings(programme, {doc.file: doc, **libraries.docs})
    return programme, _sorted([*doc.warnings, *libraries.warnings, *found])


def _used_note(doc: _Doc) -> str:
    """' or of the body libraries it uses (a.yaml, b.yaml)' for a timeline with `use:`."""
    used = doc.data.get("use") if isinstance(doc.data, dict) else None
    used = [used] if isinstance(used, str) else used
    if not isinstance(used, list) or not used:
        return ""
    return f" or of the body libraries it uses ({', '.join(str(u) for u in used)})"


def _sorted(warnings: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(warnings, key=lambda p: (p.file, p.line or 0, p.code)))


def _resolve(programme: Programme, docs: dict[str, _Doc]) -> list[Problem]:
    """Check references between items, bodies and timelines; find cycles."""
    problems: list[Problem] = []
    timelines = {t.id: t for t in programme.timelines}

    def at(t: Timeline, path: Path_, code: str, message: str, item: str) -> None:
        doc = docs[t.id]
        problems.append(Problem(code, message, doc.file, doc.line(path), item))

    # the keys a reference finds as it should (its timeline's id has no ':'): most references
    known = {item.key for t in programme.timelines if ":" not in t.id for item in t.items.values()}
    for t in programme.timelines:
        for item in t.items.values():
            if (item.at is None or item.at in t.bodies) and not (item.notice_after or item.key_decision):
                for dep in item.after:
                    if dep.pred not in known or dep.pred == item.key:
                        break
                else:
                    continue
            if item.at is not None and item.at not in t.bodies:
                at(
                    t,
                    ("items", item.id, "at"),
                    "unknown-body",
                    f"item '{item.id}' is at '{item.at}', which is not a body of this timeline"
                    f"{_used_note(docs[t.id])}{did_you_mean(item.at, t.bodies)}",
                    item.id,
                )
            refs = [(("items", item.id, "after", i), dep.pred) for i, dep in enumerate(item.after)]
            refs += [(("items", item.id, "notice_after", i), k) for i, k in enumerate(item.notice_after)]
            for where, pred in refs:
                other_id, ref = pred.split(":", 1)
                if other_id not in timelines:
                    at(
                        t,
                        where,
                        "unknown-timeline",
                        f"item '{item.id}' depends on '{pred}', but no timeline '{other_id}' is loaded; "
                        f"give its file too (govflow check {t.path} {other_id}.yaml)"
                        f"{did_you_mean(other_id, timelines)}",
                        item.id,
                    )
                elif ref not in timelines[other_id].items:
                    name = ref if other_id == t.id else pred
                    at(
                        t,
                        where,
                        "unknown-ref",
                        f"item '{item.id}' is {'after' if where[2] == 'after' else 'to give notice after'} "
                        f"'{name}', which is not an item"
                        f"{' of ' + other_id if other_id != t.id else ''}"
                        f"{did_you_mean(ref, timelines[other_id].items)}",
                        item.id,
                    )
                elif pred == item.key:
                    at(t, where, "cycle", f"item '{item.id}' depends on itself", item.id)
            body = t.bodies.get(item.at) if item.at is not None else None
            if body is not None and item.key_decision and body.notice is None:
                at(
                    t,
                    ("items", item.id, "key_decision"),
                    "no-notice-rule",
                    f"item '{item.id}' is a key decision, but body '{body.id}' has no 'notice' (the clear days of "
                    "forward-plan notice a key decision needs there, e.g. notice: 28)",
                    item.id,
                )
    if problems:
        return problems
    order = topological_order(programme)
    if len(order) == len(programme.items):
        return problems
    import networkx as nx  # only when there is a cycle to name

    left = set(programme.items) - set(order)
    graph = dependency_graph(programme).subgraph(left)
    cycle = nx.find_cycle(graph)
    keys = [edge[0] for edge in cycle]
    first = programme.items[keys[0]]
    names = " -> ".join(programme.label(k) for k in [*keys, keys[0]])
    at(timelines[first.timeline], ("items", first.id, "after"), "cycle", f"dependency cycle: {names}", first.id)
    return problems
