"""Explanations: what broke, what breaks next, TBC confirmations and recovery options."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import InvalidTimeline, load_text, schedule
from govflow import explain as explain_module
from govflow.explain import WHAT_IF_BUDGET, explain
from test_oracle import DAY, _programme, programmes

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
        "(Thu 19 Sep 2019) and the next meeting is Thu 31 Oct 2019, 34 calendar days after the deadline"
    )


def test_missed_deadline_says_which_meeting_was_missed_and_by_how_much() -> None:
    # draft 2-20 Sep (15 days): ready 20 Sep, one working day after the 19 Sep papers deadline
    sched, e = _explain(15)
    assert not sched.deadlines[0].met
    assert e.broke[0] == (
        "approve missed the Trust Board meeting of Thu 26 Sep 2019: papers were due Thu 19 Sep 2019 but draft "
        "is ready Fri 20 Sep 2019, 1 working day late; the next meeting is Thu 31 Oct 2019, 35 calendar days later"
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


# ---- every sentence is proven: apply what it says, and check again ------------------------------


def _one(text: str) -> tuple:
    sched = schedule(load_text(text))
    (e,) = explain(sched)
    return sched, e


def _met(text: str) -> bool:
    return schedule(load_text(text)).deadlines[0].met


SS_INTO_MEETING = """
govflow: 1
id: t
start: 2019-09-02
bodies:
  board: {{name: Board, meets: [2019-09-26, 2019-10-31], papers_due: 5}}
items:
  prep: {{duration: 3{slip}}}
  approve: {{at: board, after: [{{id: prep, type: SS, lag: 15}}]}}
  submit: {{after: [approve], deadline: 2019-09-27}}
"""


def test_next_to_break_for_an_ss_link_is_about_the_start() -> None:
    # prep starts Mon 2 Sep; the meeting is held no earlier than 15 working days after that start:
    # Mon 23 Sep, so 26 Sep. Starting after Thu 5 Sep (wd + 15 = Fri 27 Sep) it misses 26 Sep.
    _, e = _one(SS_INTO_MEETING.format(slip=""))
    assert e.next_break == (
        "prep has 3 working days of float; starting after Thu 5 Sep 2019 it misses the Board meeting of "
        "Thu 26 Sep 2019 and the next meeting is Thu 31 Oct 2019, 34 calendar days after the deadline"
    )
    # applied: prep held back to start on 5 Sep still makes it, on 6 Sep it does not
    gate = ", after: [gate]}\n  gate: {on: "
    assert _met(SS_INTO_MEETING.format(slip=gate + "2019-09-04"))  # prep starts the next working day
    assert not _met(SS_INTO_MEETING.format(slip=gate + "2019-09-05"))


LAG_INTO_MEETING = """
govflow: 1
id: t
start: 2019-09-02
bodies:
  board: {{name: Board, meets: [2019-09-26, 2019-10-31], papers_due: 5}}
items:
  draft: {{duration: {days}}}
  approve: {{at: board, after: ["draft +2"]}}
  submit: {{after: [approve], deadline: 2019-09-27}}
"""


def test_next_to_break_through_a_lag_names_the_meeting_after_the_one_missed() -> None:
    # draft 2-11 Sep, papers ready 2 working days later (13 Sep) for the 19 Sep papers deadline
    _, e = _one(LAG_INTO_MEETING.format(days=8))
    assert e.next_break == (
        "draft has 4 working days of float; past Tue 17 Sep 2019 it misses the Board papers deadline "
        "(Thu 19 Sep 2019) and the next meeting is Thu 31 Oct 2019, 34 calendar days after the deadline"
    )
    assert _met(LAG_INTO_MEETING.format(days=12))  # finishing 17 Sep
    missed = schedule(load_text(LAG_INTO_MEETING.format(days=13)))  # finishing 18 Sep
    assert missed.item("approve").early_finish == date(2019, 10, 31)


def test_next_to_break_for_an_ff_link_into_a_meeting_is_not_a_papers_deadline() -> None:
    text = LAG_INTO_MEETING.replace('["draft +2"]', "[{{id: draft, type: FF, lag: 2}}]")
    # draft 2-20 Sep; the meeting is held no earlier than 2 working days after it finishes (24 Sep)
    _, e = _one(text.format(days=15))
    assert e.next_break == (
        "draft has 2 working days of float; past Tue 24 Sep 2019 it misses the Board meeting of Thu 26 Sep 2019 "
        "and the next meeting is Thu 31 Oct 2019, 34 calendar days after the deadline"
    )
    assert "papers" not in (e.next_break or "")
    assert _met(text.format(days=17)) and not _met(text.format(days=18))


def test_next_to_break_with_papers_due_on_a_saturday_meeting_day() -> None:
    text = """
govflow: 1
id: t
start: 2019-09-02
bodies:
  panel: {{name: Panel, meets: [2019-09-21, 2019-10-19], papers_due: 0}}
items:
  draft: {{duration: {days}}}
  approve: {{at: panel, after: [draft]}}
  submit: {{after: [approve], deadline: 2019-09-23}}
"""
    _, e = _one(text.format(days=13))
    assert e.next_break == (
        "draft has 2 working days of float; past Fri 20 Sep 2019 it misses the Panel papers deadline "
        "(Sat 21 Sep 2019) and the next meeting is Sat 19 Oct 2019, 26 calendar days after the deadline"
    )
    assert _met(text.format(days=15)) and not _met(text.format(days=16))


EXTRAORDINARY = """
govflow: 1
id: t
start: 2019-09-02
bodies:
  board: {{name: Board, meets: [2019-09-26, 2019-10-31{extra}], papers_due: 5}}
items:
  kick: {{on: 2019-09-21}}
  approve: {{at: board, after: [kick]}}
  submit: {{after: [approve], deadline: 2019-10-04}}
"""


def test_an_extraordinary_meeting_window_starts_when_papers_ready_on_a_saturday_can_be_due() -> None:
    # papers ready Sat 21 Sep: a meeting on Fri 27 Sep has papers due Fri 20 Sep, too early; one on
    # Mon 30 Sep has them due Mon 23 Sep. Held by the deadline, Fri 4 Oct.
    sched, e = _one(EXTRAORDINARY.format(extra=""))
    assert not sched.deadlines[0].met
    assert (
        "an extraordinary Board meeting for approve, held between Mon 30 Sep 2019 and Fri 4 Oct 2019, would save it"
        in e.recovery
    )
    for day, saves in (("2019-09-27", False), ("2019-09-30", True), ("2019-10-04", True), ("2019-10-07", False)):
        assert _met(EXTRAORDINARY.format(extra=f", {day}")) is saves, day


def test_a_tbc_meeting_the_item_skipped_is_one_confirming_could_save() -> None:
    text = """
govflow: 1
id: t
start: 2019-09-02
bodies:
  board: {{name: Board, meets: [{when}, 2019-10-31], papers_due: 5}}
items:
  draft: {{duration: 5}}
  approve: {{at: board, after: [draft]}}
  submit: {{after: [approve], deadline: 2019-09-27}}
"""
    # mid Sep = 11-20 Sep: planned as held Fri 20 Sep with papers due for Wed 11 Sep (Wed 4 Sep);
    # draft is ready Fri 6 Sep, so the item skips it for 31 Oct. Confirmed on 13-20 Sep, papers are
    # due 6-13 Sep and the draft is in time.
    sched, e = _one(text.format(when="mid Sep 2019 TBC"))
    assert sched.item("approve").early_finish == date(2019, 10, 31)
    assert "submit is met only if the Board meeting (mid Sep 2019 TBC) for approve is confirmed for 13-20 Sep 2019" in (
        e.windows
    )
    assert not _met(text.format(when="2019-09-12")) and _met(text.format(when="2019-09-13"))
    assert _met(text.format(when="2019-09-20"))


def test_spans_name_each_year() -> None:
    from govflow.explain import span

    days = [date(2019, 12, d) for d in (16, 17, 18, 19, 20, 23, 24, 27, 30, 31)] + [date(2020, 1, 2), date(2020, 1, 3)]
    assert span(days) == "16-24 Dec, 27-31 Dec 2019, 2-3 Jan 2020"


def test_one_of_everything_is_singular() -> None:
    from govflow.explain import count

    assert (count(1, "working day"), count(2, "day"), count(-1, "day")) == ("1 working day", "2 days", "-1 day")
    _, e = _one(LAG_INTO_MEETING.format(days=15))  # ready 2 working days after 20 Sep: 24 Sep
    text = " ".join(e.broke)
    assert "1 working days" not in text and " 1 days" not in text and "the papers is" not in text


TITLED = """
govflow: 1
id: t
start: 2019-09-02
as_of: 2019-09-02
bodies:
  board: {name: Trust Board, meets: [2019-09-26, 2019-10-31], papers_due: 5}
items:
  draft-a: {title: Draft the plan, duration: 15}
  draft-b: {title: Draft the plan, duration: 5}
  approve: {title: Trust Board approval, at: board, after: [draft-a, draft-b]}
  submit: {title: Submit the plan, after: [approve], deadline: 2019-09-30}
"""


def test_sentences_name_items_by_title_and_a_shared_title_by_its_id_too() -> None:
    # draft-a 2-20 Sep (15 days) misses the 19 Sep papers for 26 Sep; the Board of 31 Oct is 23 working
    # days after Mon 30 Sep (1-4, 7-11, 14-18, 21-25, 28-31 Oct). Both drafts are "Draft the plan".
    sched = schedule(load_text(TITLED))
    (e,) = explain(sched)
    assert e.broke == (
        "Trust Board approval missed the Trust Board meeting of Thu 26 Sep 2019: papers were due Thu 19 Sep 2019 "
        "but Draft the plan (draft-a) is ready Fri 20 Sep 2019, 1 working day late; the next meeting is "
        "Thu 31 Oct 2019, 35 calendar days later",
        "the driving path reaches Submit the plan on Thu 31 Oct 2019, 23 working days after the deadline "
        "Mon 30 Sep 2019",
    )
    assert "Draft the plan (draft-a) would have to finish by Thu 19 Sep 2019" in " ".join(e.recovery)
    assert sched.programme.name("t:approve") == "Trust Board approval"


# ---- many deadlines at once: the labs side by side give what each lab on its own gives -------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes(max_items=10), st.one_of(st.none(), DAY), st.sampled_from([WHAT_IF_BUDGET, 60_000, 25_000, 0]))
def test_labs_side_by_side_explain_as_each_lab_on_its_own(docs: list, as_of: date | None, budget: int) -> None:
    """`explain` schedules many deadlines' ancestors in one kernel run and runs their what-ifs a few
    labs to a call: the same sentences as one lab at a time, whatever the budget leaves."""
    try:
        sched = schedule(_programme(docs), as_of=as_of)
    except InvalidTimeline:
        return
    together = explain(sched, budget=budget)
    ahead, labs = explain_module.AHEAD, explain_module.BATCH_LABS
    explain_module.AHEAD = explain_module.BATCH_LABS = 1
    try:
        alone = explain(sched, budget=budget)
    finally:
        explain_module.AHEAD, explain_module.BATCH_LABS = ahead, labs
    assert alone == together
