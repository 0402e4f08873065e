"""Every error and warning code, at the line it must name: errors exit 2 through the CLI, no traceback;
warnings go to standard error and loading goes on."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow import InvalidTimeline, load, load_text, schedule
from govflow.cli import app
from govflow.loading import load_text_with_warnings, load_with_warnings

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
    ("remaining-without-started", "  a:\n    duration: 3\n    remaining: 2\n", 10, "add 'started: <date>'"),
    ("not-a-task", "  a:\n    started: 2019-07-01\n", 9, "this is a milestone"),
    ("not-a-task", "  a:\n    at: board\n    remaining: 2\n", 10, "a decision at a meeting of 'board'"),
    ("not-a-task", "  a:\n    on: 2019-07-01\n    started: 2019-07-01\n", 10, "a fixed event"),
    ("duplicate-dependency", "  a: {duration: 1}\n  b: {after: [a, 'a SS +2']}\n", 9, "'a' is in 'after' twice"),
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
    ("bad-rrule", "  hwb:\n    recurrence: FREQ=MONTHLY;BYDAY=XX\n    from: 2019-04-01\n", 6, "cannot read recurrence"),
    ("bad-rrule", "  hwb:\n    recurrence: FREQ=SECONDLY\n    from: 2019-04-01\n", 6, "not a meeting pattern"),
    ("recurrence-without-from", "  hwb:\n    recurrence: FREQ=MONTHLY\n", 6, "needs 'from'"),
    (
        "recurrence-until",
        "  hwb:\n    recurrence: FREQ=MONTHLY;COUNT=6\n    from: 2019-04-01\n    until: 2020-03-31\n",
        6,
        "keep one",
    ),
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
        ("tbc-closure", "govflow: 1\nid: t\nstart: 2019-06-03\nclosures: [2019-12-27 TBC]\nitems: {}\n", 4),
        ("closure-too-long", "govflow: 1\nid: t\nstart: 2019-06-03\nclosures: [2019 to 2030]\nitems: {}\n", 4),
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


# --- probable mistakes: the exact messages ---------------------------------------------------

MISTAKES = [
    (
        HEAD + "  a:\n    duration: 3\n    remaining: 2\n",
        "t.yaml:10: error[remaining-without-started]: item 'a': 'remaining' is the working days left of work "
        "under way; add 'started: <date>' (the day work began)",
    ),
    (
        HEAD + "  a:\n    title: Plan agreed\n    started: 2019-07-01\n",
        "t.yaml:10: error[not-a-task]: item 'a': 'started' is for tasks; this is a milestone (no duration): "
        "record 'done: <date>' when it is reached",
    ),
    (
        HEAD + "  a:\n    duration: 0\n    remaining: 1\n",  # no duration: a milestone, so not-a-task alone
        "t.yaml:10: error[not-a-task]: item 'a': 'remaining' is for tasks; this is a milestone (no duration): "
        "record 'done: <date>' when it is reached",
    ),
    (
        HEAD + "  a:\n    at: board\n    started: 2019-09-01\n",
        "t.yaml:10: error[not-a-task]: item 'a': 'started' is for tasks; this is a decision at a meeting of "
        "'board': record 'done: <date>' when the meeting has taken it",
    ),
    (
        HEAD + "  a:\n    on: 2019-07-01\n    remaining: 3\n",
        "t.yaml:10: error[not-a-task]: item 'a': 'remaining' is for tasks; this is a fixed event ('on'): "
        "it happens on its date; a 'forecast' moves it later",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n  hwb:\n    recurrence: FREQ=MONTHLY;BYDAY=-1TH\nitems: {}\n",
        "t.yaml:6: error[recurrence-without-from]: body 'hwb': 'recurrence' needs 'from', the first day the "
        "pattern runs (e.g. from: 2019-06-03); without it the meetings would silently start on the timeline's start",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n  hwb:\n    recurrence: FREQ=MONTHLY;UNTIL=20191231\n"
        "    from: 2019-04-01\n    until: 2020-03-31\nitems: {}\n",
        "t.yaml:6: error[recurrence-until]: body 'hwb': the recurrence has its own UNTIL=20191231 and the body "
        "also has 'until: 2020-03-31' (line 8); keep one",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n  hwb:\n    recurrence: RRULE:FREQ=WEEKLY;count=10\n"
        "    from: 2019-04-01\n    until: 2020-03-31\nitems: {}\n",
        "t.yaml:6: error[recurrence-until]: body 'hwb': the recurrence has its own COUNT=10 and the body "
        "also has 'until: 2020-03-31' (line 8); keep one",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nclosures:\n  - 2019-12-27\n  - late Dec 2019 TBC\nitems: {}\n",
        "t.yaml:6: error[tbc-closure]: closure 'late Dec 2019 TBC' is not confirmed (TBC); a closure must be a "
        "confirmed date or range (leave it out until it is confirmed)",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nclosures: [2019-12-23 to 2029-12-31]\nitems: {}\n",
        "t.yaml:4: error[closure-too-long]: closure '2019-12-23 to 2029-12-31' is longer than five years; "
        "is a year mistyped?",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nclosures: [Dec 2019 - Jan 2029]\nitems: {}\n",
        "t.yaml:4: error[closure-too-long]: closure 'Dec 2019 - Jan 2029' (2019-12-01 to 2029-01-31) is longer "
        "than five years; is a year mistyped?",
    ),
    (
        HEAD + "  a: {duration: 1}\n  b:\n    after:\n      - a\n      - {id: a, type: SS, lag: 2}\n",
        "t.yaml:12: error[duplicate-dependency]: item 'b': 'a' is in 'after' twice (first on line 11); "
        "keep one entry, with the type and lag that apply",
    ),
    (
        HEAD + "  a: {duration: 1}\n  b: {after: [a, 't:a +2']}\n",  # the same item, qualified
        "t.yaml:9: error[duplicate-dependency]: item 'b': 'a' is in 'after' twice (entries 1 and 2); "
        "keep one entry, with the type and lag that apply",
    ),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES, ids=[m[1].split("]")[0].split("[")[1] for m in MISTAKES])
def test_probable_mistakes_are_errors_with_exact_messages(text: str, message: str) -> None:
    with pytest.raises(InvalidTimeline) as caught:
        load_text(text, "t.yaml")
    assert [str(p) for p in caught.value.problems] == [message]
    assert caught.value.problems[0].severity == "error"


def test_duplicate_dependency_across_timelines_names_the_qualified_id(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("govflow: 1\nid: other\nstart: 2019-06-03\nitems:\n  x: {}\n")
    (tmp_path / "t.yaml").write_text(HEAD + "  a: {after: ['other:x', 'other:x +1']}\n")
    with pytest.raises(InvalidTimeline) as caught:
        load([tmp_path / "t.yaml"])
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 't.yaml'}:8: error[duplicate-dependency]: item 'a': 'other:x' is in 'after' twice "
        "(entries 1 and 2); keep one entry, with the type and lag that apply"
    ]


def test_near_misses_are_not_mistakes() -> None:
    text = (
        "govflow: 1\nid: t\nstart: 2019-06-03\nas_of: 2019-09-05\n"
        "closures: [2019-01-01 to 2023-12-31, 2019-12-27]\n"  # exactly five years is allowed
        "bodies:\n"
        "  board:\n"
        "    recurrence: FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20200331\n"  # UNTIL without 'until:' is fine
        "    from: 2019-04-01\n"
        "    skip: [2019-08, 2019-12-26, 2019-11-06 to 2019-12-12]\n"
        "items:\n"
        "  a: {duration: 10, started: 2019-09-02, remaining: 4}\n"
        "  b: {duration: 2, done: 2019-09-05}\n"  # done on the status date itself
        "  c: {at: board, after: [a, b], done: 2019-08-01}\n"
        "  d: {after: ['a SS +2', b]}\n"
    )
    programme, warnings = load_text_with_warnings(text, "t.yaml")
    assert warnings == ()
    assert programme.items["t:a"].remaining == 4


# --- warnings: loading goes on ---------------------------------------------------------------

WARNINGS = [
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nas_of: 2019-09-05\nitems:\n"
        "  draft:\n    duration: 3\n    done: 2019-09-20\n",
        "t.yaml:8: warning[done-after-as-of]: item 'draft': done 2019-09-20 is after the file's as_of 2019-09-05; "
        "on that status date it is not done yet (is a date mistyped, or as_of not moved on?)",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n  board:\n    recurrence: FREQ=MONTHLY;BYDAY=-1TH\n"
        "    from: 2019-04-01\n    until: 2020-03-31\n    skip:\n      - 2019-08\n      - 2019-12-27\n"
        "items: {}\n",
        "t.yaml:11: warning[skip-matches-nothing]: body 'board': skip '2019-12-27' matches no meeting of the "
        "recurrence (FREQ=MONTHLY;BYDAY=-1TH from 2019-04-01 until 2020-03-31); is the date right?",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n  board:\n    recurrence: FREQ=MONTHLY;BYDAY=-1TH\n"
        "    from: 2019-04-01\n    skip: [Aug 2023]\nitems: {}\n",  # past the default three years
        "t.yaml:8: warning[skip-matches-nothing]: body 'board': skip 'Aug 2023' matches no meeting of the "
        "recurrence (FREQ=MONTHLY;BYDAY=-1TH from 2019-04-01 until 2022-04-01); is the date right?",
    ),
    (
        "govflow: 1\nid: t\nstart: 2019-06-03\nbodies:\n  board:\n    meets: [2019-09-26]\n"
        "    skip: [2019-09-26]\nitems: {}\n",
        "t.yaml:7: warning[skip-matches-nothing]: body 'board': 'skip' has no effect without a 'recurrence' "
        "(it removes recurrence dates, not 'meets' dates)",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), WARNINGS, ids=[f"{m[1].split(']')[0].split('[')[1]}-{i}" for i, m in enumerate(WARNINGS)]
)
def test_warnings_name_file_line_and_code_and_loading_goes_on(text: str, message: str) -> None:
    programme, warnings = load_text_with_warnings(text, "t.yaml")
    code = message.split("[", 1)[1].split("]", 1)[0]  # other warnings (a meeting on Boxing Day) aside
    assert [str(w) for w in warnings if w.code == code] == [message]
    assert warnings[0].severity == "warning"
    assert load_text(text, "t.yaml").timelines[0].id == programme.timelines[0].id == "t"
    schedule(programme)  # and it schedules


def test_done_after_as_of_only_against_the_files_own_as_of() -> None:
    text = "govflow: 1\nid: t\nstart: 2019-06-03\nitems:\n  draft: {duration: 3, done: 2019-09-20}\n"
    assert load_text_with_warnings(text, "t.yaml")[1] == ()


def test_warnings_come_from_every_file_loaded(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(
        "govflow: 1\nid: other\nstart: 2019-06-03\nas_of: 2019-07-01\nitems:\n  x: {done: 2019-07-02}\n"
    )
    (tmp_path / "t.yaml").write_text(HEAD + "  a: {after: ['other:x']}\n")
    _, warnings = load_with_warnings([tmp_path / "t.yaml"])  # other.yaml is found beside it
    assert [(Path(w.file).name, w.line, w.code, w.item) for w in warnings] == [
        ("other.yaml", 6, "done-after-as-of", "x")
    ]


WARN_TEXT = (
    "govflow: 1\nid: t\nstart: 2019-06-03\nas_of: 2019-09-05\nbodies:\n  board:\n    meets: [2019-09-26]\n"
    "items:\n  draft: {duration: 3, done: 2019-09-20}\n  ok: {at: board, after: [draft], deadline: 2019-12-31}\n"
)
WARN_LINE = (
    "t.yaml:9: warning[done-after-as-of]: item 'draft': done 2019-09-20 is after the file's as_of 2019-09-05; "
    "on that status date it is not done yet (is a date mistyped, or as_of not moved on?)"
)


def test_cli_prints_warnings_to_stderr_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(WARN_TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"{tmp_path}/{WARN_LINE}"
    assert "Traceback" not in result.stdout + result.stderr
    assert "warning[" not in result.stdout
    assert "ok" in result.stdout  # the normal output follows


@pytest.mark.parametrize("args", [["check", "--json"], ["gantt", "-f", "json", "--no-baseline"]])
def test_json_on_stdout_stays_valid_with_warnings(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(WARN_TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, [*args, str(path)])
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)
    assert "warning[done-after-as-of]" in result.stderr


def test_shipped_timelines_and_examples_load_without_warnings() -> None:
    root = Path(__file__).parent.parent
    _, warnings = load_with_warnings(sorted((root / "timelines").glob("*.yaml")))
    assert warnings == (), [str(w) for w in warnings]
    files = [root / "examples" / "quickstart.yaml", *sorted((root / "examples" / "weekly-report").glob("*.yaml"))]
    groups = [[path] for path in files]  # one at a time: the weekly-report files are versions of one timeline
    for path in sorted((root / "tests" / "cases").glob("*.yaml")):
        if not path.name.startswith("err_"):  # with the files its '# with:' lines name, as test_cases loads it
            others = re.findall(r"^#\s*with:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
            groups.append([path, *(path.parent / name for name in others)])
    for group in groups:
        _, warnings = load_with_warnings(group, discover=False)
        assert warnings == (), [str(w) for w in warnings]
