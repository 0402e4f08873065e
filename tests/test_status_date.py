"""Progress is true as of the status date: later-dated progress is not yet known."""

from __future__ import annotations

from datetime import date

from govflow import load_text, schedule

TEXT = """
govflow: 1
id: t
start: 2019-09-02
as_of: 2019-09-20
items:
  a: {duration: 5, started: 2019-09-02, done: 2019-09-10}
  b: {duration: 10, after: [a], started: 2019-09-11, remaining: 3}
  c: {after: [b], deadline: 2019-10-31}
"""


def test_progress_after_an_earlier_status_date_is_ignored() -> None:
    p = load_text(TEXT)
    now = schedule(p)
    assert now.item("a").status == "done" and now.item("b").status == "in-progress"
    assert now.item("b").early_finish == date(2019, 9, 24)  # 3 days left from Fri 20 Sep: 20, 23, 24
    then = schedule(p, as_of=date(2019, 9, 5))
    # on 5 Sep, a had started but was not done, and b had not started
    assert then.item("a").status == "in-progress" and then.item("a").early_start == date(2019, 9, 2)
    assert then.item("a").early_finish == date(2019, 9, 6)
    assert then.item("b").status == "not-started"
    assert then.item("b").early_start == date(2019, 9, 9) and then.item("b").early_finish == date(2019, 9, 20)
    assert then.item("b").early_start <= then.item("b").early_finish
