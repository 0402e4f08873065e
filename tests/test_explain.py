"""Explanations: what broke, what breaks next, TBC confirmations and recovery options."""

from __future__ import annotations

from datetime import date

from govflow import load_text, schedule
from govflow.explain import explain

BASE = """
govflow: 1
id: t
start: 2019-09-02
as_of: 2019-09-02
bodies:
  board:
    name: Trust Board
    meets: [2019-09-26, 2019-10-31]
    papers_due: 5
{extra_body}
items:
  draft: {{duration: {days}}}
  approve: {{at: board, after: [draft]}}
  submit: {{after: [approve], deadline: 2019-09-27}}
"""


def _explain(days: int, extra_body: str = "") -> tuple:
    sched = schedule(load_text(BASE.format(days=days, extra_body=extra_body)))
    (e,) = explain(sched)
    return sched, e


def test_at_risk_deadline_names_the_step_that_breaks_next_and_its_cost() -> None:
    # draft 2-13 Sep (10 days); papers for 26 Sep due 19 Sep: 4 working days of float
    sched, e = _explain(10)
    assert sched.deadlines[0].met and sched.deadlines[0].margin == 1
    assert e.next_break == (
        "draft has 4 working days of float; past Thu 19 Sep 2019 it misses the Trust Board papers deadline "
        "(Thu 19 Sep 2019) and the next meeting is Thu 31 Oct 2019, 34 days after the deadline"
    )


def test_missed_deadline_says_which_meeting_was_missed_and_by_how_much() -> None:
    # draft 2-20 Sep (15 days): ready 20 Sep, one working day after the 19 Sep papers deadline
    sched, e = _explain(15)
    assert not sched.deadlines[0].met
    assert e.broke[0] == (
        "approve missed the Trust Board meeting of Thu 26 Sep 2019: papers were due Thu 19 Sep 2019 but draft "
        "is ready Fri 20 Sep 2019, 1 working day late; the next meeting is Thu 31 Oct 2019, 35 days later"
    )
    assert (
        "draft would have to finish by Thu 19 Sep 2019 (forecast Fri 20 Sep 2019, 1 working day sooner)" in e.recovery
    )
    assert any(
        r.startswith("an extraordinary Trust Board meeting for approve, held on Fri 27 Sep 2019") for r in e.recovery
    )


def test_chairs_action_is_offered_when_the_body_allows_it() -> None:
    text = BASE.format(days=15, extra_body="").replace(
        "    papers_due: 5\n", "    papers_due: 5\n    chairs_action: 2\n"
    )
    sched = schedule(load_text(text))
    (e,) = explain(sched)
    # papers ready Fri 20 Sep; chair's action within 2 working days: Tue 24 Sep, before the 27 Sep deadline
    assert any("chair's action by the Trust Board chair for approve (by Tue 24 Sep 2019" in r for r in e.recovery)


def test_tbc_meeting_window_says_which_confirmed_days_save_the_deadline() -> None:
    text = """
govflow: 1
id: t
start: 2019-09-30
bodies:
  hwb: {name: HWB, meets: [late Oct 2019 TBC], papers_due: 5}
items:
  draft: {duration: 10}
  review: {at: hwb, after: [draft]}
  submit: {after: [review], deadline: 2019-10-24}
"""
    sched = schedule(load_text(text))
    assert not sched.deadlines[0].met  # planned as held 31 Oct, robustly
    (e,) = explain(sched)
    assert (
        "submit is met only if the HWB meeting (late Oct 2019 TBC) for review is confirmed for 21-24 Oct 2019"
        in e.windows
    )


def test_unschedulable_deadline_explains_the_missing_meeting() -> None:
    sched, e = _explain(45)
    d = sched.deadlines[0]
    assert d.forecast is None and not d.met
    assert "no meeting of Trust Board ('board') is late enough" in e.summary
    assert sched.item("submit").status == "unschedulable"


def test_explanations_do_not_change_the_schedule() -> None:
    sched, _ = _explain(15)
    assert sched.item("approve").early_finish == date(2019, 10, 31)
