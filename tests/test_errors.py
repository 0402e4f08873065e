"""Every error code, at the line it must name, through the CLI: exit 2, no traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow.cli import app

HEAD = """govflow: 1
id: t
start: 2019-06-03
bodies:
  board:
    meets: [2019-09-26]
items:
"""  # items start on line 8

CASES = [
    ("unknown-body", "  a: {at: bord}\n", 8, "did you mean 'board'?"),
    ("unknown-ref", "  a: {duration: 2}\n  b: {after: [aa]}\n", 9, "did you mean 'a'?"),
    ("unknown-timeline", "  a: {after: ['other:x']}\n", 8, "no timeline 'other' is loaded"),
    ("duplicate-id", "  a: {duration: 2}\n  a: {duration: 3}\n", 9, "first defined on line 8"),
    ("cycle", "  a: {after: [b]}\n  b: {after: [a]}\n", 8, "a -> b -> a"),
    ("cycle", "  a: {after: [a]}\n", 8, "depends on itself"),
    ("on-with-at", "  a:\n    on: 2019-07-01\n    at: board\n", 10, "keep one"),
    ("conflicting-keys", "  a:\n    duration: 3\n    at: board\n", 9, "keep one"),
    ("unknown-key", "  a:\n    duraton: 3\n", 9, "did you mean 'duration'?"),
    ("wrong-type", "  a:\n    duration: three\n", 9, "whole number"),
    ("negative-number", "  a:\n    duration: -3\n", 9, "0 or more"),
    ("out-of-range", "  a:\n    duration: 99999999999\n", 9, "too large"),
    ("bad-date", "  a:\n    on: 31-Feb-19\n", 9, "no such date"),
    ("bad-date", "  a:\n    done: Sep 2019\n", 9, "one exact date"),
    (
        "done-before-started",
        "  a:\n    duration: 3\n    started: 2019-07-10\n    done: 2019-07-01\n",
        11,
        "before it started",
    ),
    ("bad-dependency", "  a: {duration: 1}\n  b:\n    after: [{id: a, type: XY}]\n", 10, "FS, SS or FF"),
    ("bad-lag", "  a: {duration: 1}\n  b:\n    after: [{id: a, lag: soon}]\n", 10, "lag"),
    ("bad-range", "  a:\n    duration: 3\n    range: [5, 2]\n", 10, "optimistic"),
    ("bad-value", "  a:\n    level: planetary\n", 9, "national, regional, local"),
]


def _check(tmp_path: Path, text: str, name: str = "t.yaml") -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert "Traceback" not in result.stderr + result.stdout
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("code", "items", "line", "hint"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_item_errors_name_file_line_and_code(tmp_path: Path, code: str, items: str, line: int, hint: str) -> None:
    exit_code, err = _check(tmp_path, HEAD + items)
    assert exit_code == 2
    assert f"t.yaml:{line}: error[{code}]:" in err, err
    assert hint in err


BODY_CASES = [
    ("body-no-meetings", "  hwb:\n    name: HWB\n", 5, "has no meetings"),
    ("bad-rrule", "  hwb:\n    recurrence: FREQ=MONTHLY;BYDAY=XX\n", 6, "cannot read recurrence"),
    ("bad-rrule", "  hwb:\n    recurrence: FREQ=SECONDLY\n", 6, "not a meeting pattern"),
    (
        "until-before-from",
        "  hwb:\n    recurrence: FREQ=MONTHLY\n    from: 2019-05-01\n    until: 2019-01-01\n",
        8,
        "before from",
    ),
    ("bad-time", "  hwb:\n    meets: [2019-09-01]\n    time: 25:99\n", 7, "HH:MM"),
    ("bad-duration", "  hwb:\n    meets: [2019-09-01]\n    duration: forever\n", 7, "3h"),
]


@pytest.mark.parametrize(("code", "body", "line", "hint"), BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_body_errors(tmp_path: Path, code: str, body: str, line: int, hint: str) -> None:
    text = "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n" + body + "items: {}\n"
    exit_code, err = _check(tmp_path, text)
    assert exit_code == 2
    assert f"t.yaml:{line}: error[{code}]:" in err, err
    assert hint in err


@pytest.mark.parametrize(
    ("code", "text", "line"),
    [
        ("unsupported-version", "govflow: 2\nid: t\nstart: 2019-06-03\nitems: {}\n", 1),
        ("missing-key", "govflow: 1\nstart: 2019-06-03\nitems: {}\n", 1),
        ("unknown-nation", "govflow: 1\nid: t\nstart: 2019-06-03\nholidays: englnd\nitems: {}\n", 4),
        ("unknown-timezone", "govflow: 1\nid: t\nstart: 2019-06-03\ntimezone: Europe/Lundon\nitems: {}\n", 4),
        ("yaml-syntax", "govflow: 1\nid: t\nitems:\n  a: {duration: 3\n  b: 1\n", 5),
        ("bad-id", "govflow: 1\nid: 'a:b'\nstart: 2019-06-03\nitems: {}\n", 2),
        ("duplicate-key", "govflow: 1\nid: t\nid: u\nstart: 2019-06-03\nitems: {}\n", 3),
    ],
)
def test_file_level_errors(tmp_path: Path, code: str, text: str, line: int) -> None:
    exit_code, err = _check(tmp_path, text)
    assert exit_code == 2
    assert f"t.yaml:{line}: error[{code}]:" in err, err


def test_all_errors_are_reported_not_just_the_first(tmp_path: Path) -> None:
    exit_code, err = _check(tmp_path, HEAD + "  a: {at: bord}\n  b: {duraton: 2}\n  c: {after: [zz]}\n")
    assert exit_code == 2
    assert "error[unknown-body]" in err and "error[unknown-key]" in err and "error[unknown-ref]" in err
    assert "3 errors" in err


def test_json_errors_have_lines_too(tmp_path: Path) -> None:
    text = '{"govflow": 1, "id": "t", "start": "2019-06-03",\n "items": {\n  "a": {"at": "nowhere"}\n }\n}\n'
    exit_code, err = _check(tmp_path, text, "t.json")
    assert exit_code == 2
    assert "t.json:3: error[unknown-body]" in err


def test_json_syntax_and_duplicate_keys(tmp_path: Path) -> None:
    exit_code, err = _check(tmp_path, '{"govflow": 1,\n "id": "t" "x"}', "t.json")
    assert exit_code == 2 and "t.json:2: error[json-syntax]" in err
    text = '{"govflow": 1, "id": "t", "start": "2019-06-03",\n "items": {\n  "a": {},\n  "a": {}\n }\n}\n'
    exit_code, err = _check(tmp_path, text, "t.json")
    assert exit_code == 2 and "t.json:4: error[duplicate-id]" in err


def test_hostile_input_is_rejected_quickly(tmp_path: Path) -> None:
    bomb = 'govflow: 1\nid: t\nstart: 2019-06-03\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        bomb += f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    bomb += "items: {}\n"
    started = time.perf_counter()
    exit_code, err = _check(tmp_path, bomb)
    assert exit_code == 2 and "error[too-large]" in err
    (tmp_path / "bin.yaml").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    result = CliRunner().invoke(app, ["check", str(tmp_path / "bin.yaml")])
    assert result.exit_code == 2 and "error[not-text]" in result.stderr
    exit_code, err = _check(tmp_path, HEAD + "  a: {on: 9999999-01-01}\n")
    assert exit_code == 2 and "error[bad-date]" in err
    assert time.perf_counter() - started < 10


def test_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "error[no-file]" in result.stderr


def test_the_timeline_file_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    text = HEAD + "  a: {duration: 3}\n  b: {after: [a], deadline: 2019-07-01}\n"
    path.write_text(text, encoding="utf-8")
    CliRunner().invoke(app, ["check", "--all", str(path)])
    assert path.read_text(encoding="utf-8") == text
