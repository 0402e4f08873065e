"""Use govflow from Python: load a timeline, schedule it, and read the verdicts.

Run:  python examples/api_example.py
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import govflow
from govflow.explain import explain

HERE = Path(__file__).parent


def main() -> list[str]:
    programme = govflow.load([HERE / "quickstart.yaml"])
    lines = []
    # The status date is passed in, never read from the clock: results are repeatable.
    for as_of in (date(2019, 9, 2), date(2019, 9, 5)):
        sched = govflow.schedule(programme, as_of=as_of)
        for d in sched.deadlines:
            verdict = "met" if d.met else "missed"
            lines.append(f"as of {as_of}: {programme.label(d.key)} {verdict}, forecast {d.forecast}, margin {d.margin}")
        for e in explain(sched):
            lines.extend(f"  {line}" for line in (*e.broke, *e.recovery))
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
