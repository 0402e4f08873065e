"""Reading timeline files: dependency shorthand, YAML quirks, JSON with the same schema."""

from __future__ import annotations

import json
from datetime import time

import yaml

from govflow import Dependency, load_text, schedule

TEXT = """
govflow: 1
id: t
start: 2019-06-03
bodies:
  board: {meets: [2019-09-26], time: 13:30, duration: 1h30m, recurrence: FREQ=MONTHLY;BYDAY=-1TH,
          from: 2019-06-01, until: 2019-12-31, skip: [2019-08, 2019-11-06 to 2019-12-12]}
items:
  gb-1: {duration: 2}
  a: {after: [gb-1]}
  b: {after: ["gb-1 +3"]}
  c: {after: ["gb-1 SS -2", "t:a"]}
  d: {after: [{id: gb-1, type: FF, lag: 4}]}
  e: {at: board, after: [d], deadline: late Oct 2019}
"""


def test_dependency_shorthand_keeps_hyphenated_ids() -> None:
    items = load_text(TEXT).items
    assert items["t:a"].after == (Dependency("t:gb-1", "FS", 0),)
    assert items["t:b"].after == (Dependency("t:gb-1", "FS", 3),)
    assert items["t:c"].after == (Dependency("t:gb-1", "SS", -2), Dependency("t:a", "FS", 0))
    assert items["t:d"].after == (Dependency("t:gb-1", "FF", 4),)


def test_unquoted_time_and_recurrence_with_skips() -> None:
    body = load_text(TEXT).timelines[0].bodies["board"]
    assert body.time == time(13, 30)
    held = [m.when.first.isoformat() for m in body.meetings]
    # last Thursdays Jun-Dec 2019, less August and the pre-election range (28 Nov), plus 26 Sep given twice
    assert held == ["2019-06-27", "2019-07-25", "2019-09-26", "2019-09-26", "2019-10-31", "2019-12-26"]


def test_json_timeline_schedules_the_same_as_yaml() -> None:
    as_yaml = schedule(load_text(TEXT))
    data = yaml.load(TEXT, Loader=yaml.BaseLoader)  # every scalar as text, as a generator might write it
    data["govflow"] = 1
    data["items"]["gb-1"]["duration"] = 2
    data["items"]["d"]["after"][0]["lag"] = 4
    as_json = schedule(load_text(json.dumps(data), "t.json"))
    assert {k: v.early_finish for k, v in as_yaml.items.items()} == {
        k: v.early_finish for k, v in as_json.items.items()
    }
    assert as_json.deadlines[0].forecast.isoformat() == "2019-06-27"  # first board meeting after d
