"""Statutory and procedural timing (issue 12): clear days, agenda publication, key-decision
notice with its fallbacks, call-in, blackouts and deferrals, as `check` states them.

Dates are worked by hand from the rules (England 2019 bank holidays: Good Friday 19 Apr, Easter
Monday 22 Apr, early May 6 May, spring 27 May, Christmas 25-26 Dec, New Year 1 Jan 2020)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govflow import load_text, schedule
from govflow.cli import app
from govflow.model import ClearDays

CASES = Path(__file__).parent / "cases"


def _check(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout with the layout's line breaks undone (sentences whole), stderr."""
    r = CliRunner().invoke(app, ["check", *args])
    return r.exit_code, "\n".join(" ".join(line.split()) for line in _unwrap(r.stdout)), r.stderr


def _unwrap(out: str) -> list[str]:
    """Continuation lines (indented deeper than the line before them) joined to it."""
    lines: list[tuple[str, int]] = []
    for line in out.splitlines():
        indent = len(line) - len(line.lstrip())
        if lines and line.strip() and indent > lines[-1][1] and indent >= 6:
            lines[-1] = (lines[-1][0] + " " + line.strip(), lines[-1][1])
        else:
            lines.append((line, indent))
    return [text for text, _ in lines]


CABINET = """\
govflow: 1
id: council
start: 2019-09-02
holidays: england
bodies:
  cabinet:
    name: Cabinet
    meets: [2019-09-26, 2019-10-24, 2019-11-21]
    notice: {notice}
{extra}items:
  report: {{title: Cabinet report, duration: 10}}
  scope: {{title: Scope agreed, duration: 19}}
  decide:
    title: Cabinet decides the plan
    at: cabinet
    after: [report]
    key_decision: {key}
    notice_after: [scope]
    deadline: 2019-10-31
"""


@pytest.mark.parametrize(
    ("m", "n", "calendar", "want"),
    [
        (date(2019, 4, 25), 5, False, date(2019, 4, 15)),  # the example: Easter
        (date(2019, 5, 9), 5, False, date(2019, 4, 30)),  # the early May bank holiday
        (date(2020, 1, 2), 5, False, date(2019, 12, 20)),  # Christmas and New Year
        (date(2019, 10, 24), 28, True, date(2019, 9, 25)),  # 28 clear calendar days
        (date(2019, 4, 30), 7, True, date(2019, 4, 18)),  # lands on Easter Monday: back to Thursday
        (date(2019, 10, 24), 5, False, date(2019, 10, 16)),  # general exception, the example
        (date(2019, 4, 23), 0, False, date(2019, 4, 18)),  # no clear days: the working day before
    ],
)
def test_clear_days_before_a_meeting(m: date, n: int, calendar: bool, want: date) -> None:
    p = load_text(CABINET.format(notice=28, extra="", key="true"))
    assert schedule(p).clear_before("decide", m, ClearDays(n, calendar)) == want


def test_a_key_decision_that_misses_notice_by_one_day_moves_a_meeting_and_says_why() -> None:
    code, out, _ = _check(str(CASES / "statutory_key_decision_notice.yaml"), "--width", "200")
    assert code == 1
    assert (
        "What broke: the Thu 24 Oct 2019 Cabinet is too soon for Cabinet decides (B), a key decision: 28 clear "
        "calendar days' "
        "notice in the forward plan was needed by Wed 25 Sep 2019, but notice can be published from Thu 26 Sep "
        "2019 (after Scope agreed (B)); the next meeting it can take is Thu 21 Nov 2019"
    ) in out
    assert (
        "Would save it: the Thu 24 Oct 2019 Cabinet is too soon for 28 clear calendar days' notice of Cabinet decides "
        "(B), which "
        "was needed by Wed 25 Sep 2019; under general exception it can be taken there if the scrutiny committee "
        "chair is told by Wed 16 Oct 2019"
    ) in out
    assert (
        "Would save it: under special urgency, with the agreement of the scrutiny committee chair, Cabinet decides "
        "(B) can be "
        "taken at the Thu 26 Sep 2019 Cabinet"
    ) in out


def test_general_exception_applied_saves_the_deadline() -> None:
    """The suggestion applied: with notice of 5 clear working days (what general exception needs),
    the decision goes to the 24 Oct Cabinet and the deadline is met."""
    missed = schedule(load_text(CABINET.format(notice=28, extra="", key="true")))
    assert missed.item("decide").early_finish == date(2019, 11, 21) and not missed.all_met
    applied = schedule(load_text(CABINET.format(notice="{days: 5, count: working}", extra="", key="true")))
    assert applied.item("decide").early_finish == date(2019, 10, 24)
    assert applied.all_met


def test_special_urgency_applied_saves_the_deadline() -> None:
    """Taken without notice (not a key decision), it goes to the 26 Sep Cabinet, as the sentence said."""
    text = CABINET.format(notice=28, extra="", key="false").replace("    notice_after: [scope]\n", "")
    s = schedule(load_text(text))
    assert s.item("decide").early_finish == date(2019, 9, 26) and s.all_met


def test_no_fallback_is_offered_where_the_body_has_none() -> None:
    code, out, _ = _check(str(_write(CABINET.format(notice=28, extra="", key="true"))), "--width", "200")
    assert code == 1
    assert "general exception" not in out and "special urgency" not in out


def test_notice_given_is_used_and_the_status_date_holds_back_notice_not_yet_given() -> None:
    # scope finishes Thu 26 Sep, but notice was given on Fri 20 Sep: the 24 Oct Cabinet is open
    given = CABINET.format(notice=28, extra="", key="true").replace(
        "    notice_after: [scope]\n", "    notice_given: 2019-09-20\n"
    )
    assert schedule(load_text(given)).item("decide").early_finish == date(2019, 10, 24)
    # not yet given on the status date Mon 30 Sep: published 30 Sep at the earliest, and 24 Oct
    # needed it by 25 Sep -> 21 Nov
    late = CABINET.format(notice=28, extra="", key="true").replace("    notice_after: [scope]\n", "")
    late = late.replace("start: 2019-09-02\n", "start: 2019-09-02\nas_of: 2019-09-30\n")
    r = schedule(load_text(late)).item("decide")
    assert (r.notice_from, r.early_finish) == (date(2019, 9, 30), date(2019, 11, 21))


def test_a_pre_election_period_in_what_broke() -> None:
    text = (CASES / "statutory_blackout_polling_day.yaml").read_text(encoding="utf-8")
    text = text.replace("deadline: 2019-05-31", "deadline: 2019-05-03")
    code, out, _ = _check(str(_write(text)), "--width", "200")
    assert code == 1
    assert (
        "What broke: the Cabinet meeting of Thu 11 Apr 2019 for Cabinet decides falls in the pre-election period "
        "(Mon 25 Mar 2019 to Thu 2 May 2019), when no decisions are taken; the next meeting it can take is "
        "Thu 16 May 2019"
    ) in out


def test_a_deferral_in_what_broke_and_in_the_driving_path() -> None:
    text = (CASES / "statutory_deferred.yaml").read_text(encoding="utf-8").replace("2019-11-01", "2019-10-04")
    code, out, _ = _check(str(_write(text)), "--width", "200")
    assert code == 1
    assert (
        "What broke: Trust Board approves the strategy was deferred by the Trust Board on Thu 26 Sep 2019; the next "
        "meeting it can take is "
        "Thu 31 Oct 2019"
    ) in out
    assert "papers due Thu 24 Oct 2019; deferred by the Trust Board on Thu 26 Sep 2019" in out


def test_check_all_lists_procedural_dates_and_json_carries_them() -> None:
    code, out, _ = _check(str(CASES / "statutory_call_in_easter.yaml"), "--all", "--width", "120")
    assert code == 0
    assert "Procedural dates\nd: takes effect Mon 29 Apr 2019 after the call-in period (5 clear working days)" in out
    code, out, _ = _check(str(CASES / "statutory_publish_easter.yaml"), "--json")
    d = json.loads(out)["items"]["d"]
    assert (d["papers_due"], d["agenda_published"]) == ("2019-04-15", "2019-04-15")


def _write(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BAD = [
    ("  cabinet: {meets: [2019-10-24], publish: {days: 5, count: weekdays}}\n", 6, "bad-value"),
    ("  cabinet: {meets: [2019-10-24], publish: {count: calendar}}\n", 6, "missing-key"),
    ("  cabinet: {meets: [2019-10-24], call_in: -1}\n", 6, "negative-number"),
    ("  cabinet: {meets: [2019-10-24], special_urgency: yes please}\n", 6, "wrong-type"),
    ("  cabinet: {meets: [2019-10-24], blackout: [{from: 2019-05-02}]}\n", 6, "missing-key"),
    ("  cabinet: {meets: [2019-10-24], blackout: [{from: 2019-05-02, to: 2019-04-01}]}\n", 6, "until-before-from"),
]


@pytest.mark.parametrize(("body", "line", "code"), BAD)
def test_bad_statutory_body_keys_are_errors_with_file_and_line(body: str, line: int, code: str) -> None:
    text = f"govflow: 1\nid: t\nstart: 2019-09-02\nbodies:\n  # a council cabinet\n{body}items:\n  m: {{at: cabinet}}\n"
    path = _write(text)
    rc, _, err = _check(str(path))
    assert rc == 2, err
    assert f"{path}:{line}: error[{code}]" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ("  t: {duration: 3, key_decision: true}\n", "not-a-meeting"),
        ("  t: {duration: 3, deferred: [2019-10-24]}\n", "not-a-meeting"),
        ("  t: {at: cabinet, notice_after: [m]}\n", "not-a-key-decision"),
        ("  t: {at: cabinet, deferred: [Oct 2019]}\n", "bad-date"),
        ("  t: {at: cabinet, key_decision: true, notice_after: [nothing]}\n", "unknown-ref"),
        ("  t: {at: board, key_decision: true}\n", "no-notice-rule"),
    ],
)
def test_bad_statutory_item_keys_are_errors_with_file_and_line(item: str, code: str) -> None:
    text = (
        "govflow: 1\nid: t\nstart: 2019-09-02\nbodies:\n  cabinet: {meets: [2019-10-24], notice: 28}\n"
        f"  board: {{meets: [2019-10-24]}}\nitems:\n  m: {{duration: 2}}\n{item}"
    )
    path = _write(text)
    rc, _, err = _check(str(path))
    assert rc == 2, err
    assert f"{path}:9: error[{code}]" in err
    assert "Traceback" not in err


def test_a_deferral_on_a_day_the_body_did_not_meet_is_a_warning() -> None:
    text = (CASES / "statutory_deferred.yaml").read_text(encoding="utf-8").replace("[2019-09-26]", "[2019-09-25]")
    path = _write(text)
    rc, out, err = _check(str(path))
    assert rc in (0, 1)
    assert "warning[deferred-not-a-meeting]" in out + err
    assert "deferred on Wed 25 Sep 2019, but Trust Board ('board') has no meeting that day" in out + err


def test_the_council_route_example_states_its_procedural_dates() -> None:
    """examples/council-route.yaml, worked by hand: the Executive of Mon 21 Oct 2019 takes effect
    on the 5th working day after it (22, 23, 24, 25, 28 Oct); the 5-day signing then runs 29 Oct
    - Mon 4 Nov, one working day after the 1 Nov deadline. Its agenda is published 5 clear working
    days before (strictly between: 18, 17, 16, 15, 14 Oct -> Fri 11 Oct), and the key decision's
    28 clear calendar days' notice is needed by Fri 20 Sep (21 Oct - 29 days = Sun 22 Sep, back
    to Friday)."""
    example = Path(__file__).parent.parent / "examples" / "council-route.yaml"
    code, out, _ = _check(str(example), "--all", "--width", "100")
    assert code == 1
    assert (
        "What broke: Executive approves the section 75 pooled budget agreement (Mon 21 Oct 2019) takes effect on "
        "Mon 28 Oct 2019, after the Executive's call-in period of 5 clear working days"
    ) in out
    assert (
        "Section 75 agreement signed by the council and the CCG (s75-signed): Tue 29 Oct 2019 to Mon 4 Nov 2019" in out
    )
    assert (
        "executive-s75: agenda published Fri 11 Oct 2019; key decision: 28 clear calendar days' notice needed by "
        "Fri 20 Sep 2019 (can be published from Wed 19 Jun 2019); takes effect Mon 28 Oct 2019 after the call-in "
        "period (5 clear working days)"
    ) in out


def test_next_to_break_names_the_notice_a_slip_would_miss() -> None:
    """scope-a finishes Wed 25 Sep, the last day notice can go out for the 24 Oct Cabinet; one
    working day later the decision goes to 21 Nov."""
    text = (CASES / "statutory_key_decision_notice.yaml").read_text(encoding="utf-8")
    code, out, _ = _check(str(_write(text.replace("deadline: 2019-10-31", "deadline: 2019-10-25"))), "--width", "100")
    assert code == 1  # key-b is still missed
    assert (
        "Next to break: Scope agreed (A) has 0 working days of float; past Wed 25 Sep 2019 it misses the forward-plan "
        "notice "
        "for the Cabinet of Thu 24 Oct 2019 (28 clear calendar days' notice, by Wed 25 Sep 2019) and the next "
        "meeting is Thu 21 Nov 2019, 27 calendar days after the deadline"
    ) in out


def test_a_deferral_replayed_in_the_weekly_report(tmp_path: Path) -> None:
    """Week 1 (Fri 20 Sep 2019): the strategy is planned at the Trust Board of Thu 26 Sep. Week 2
    (Fri 27 Sep): the Board deferred it, so it goes to Thu 31 Oct and the submission (due Fri 4
    Oct) is missed; the report says why, in the Board's words."""
    text = (CASES / "statutory_deferred.yaml").read_text(encoding="utf-8").replace("2019-11-01", "2019-10-04")
    week1 = tmp_path / "week1.yaml"
    week1.write_text(
        text.replace("start: 2019-09-02\n", "start: 2019-09-02\nas_of: 2019-09-20\n").replace(
            ", deferred: [2019-09-26]", ""
        ),
        encoding="utf-8",
    )
    week2 = tmp_path / "plan.yaml"
    week2.write_text(text.replace("start: 2019-09-02\n", "start: 2019-09-02\nas_of: 2019-09-27\n"), encoding="utf-8")
    db = str(tmp_path / "history.sqlite")
    runner = CliRunner()
    assert runner.invoke(app, ["snapshot", str(week1), "--db", db]).exit_code == 0
    r = runner.invoke(app, ["report", str(week2), "--db", db])
    assert r.exit_code in (0, 1), r.output
    out = " ".join(r.stdout.split())  # the report names dates of its own year without the year
    assert (
        "Trust Board approves the strategy was deferred by the Trust Board on Thu 26 Sep and moves to Thu 31 Oct"
    ) in out
