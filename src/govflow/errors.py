"""The project's errors: each carries a stable code and where it came from.

Printed the way compilers do::

    timelines/nc.yaml:42: error[unknown-body]: item 'tb-review' is at 'trust-bord'; did you mean 'trust-board'?

Warnings (probable mistakes that do not stop loading) are `Problem`s too, with severity "warning"::

    timelines/nc.yaml:57: warning[done-after-as-of]: item 'draft-plan': done 2019-09-20 is after ...
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["GovflowError", "InvalidTimeline", "Problem", "did_you_mean"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, at a place a user can go to."""

    code: str
    message: str
    file: str = "<input>"
    line: int | None = None
    item: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}[{self.code}]: {self.message}"


class GovflowError(Exception):
    """Base of govflow's own errors; the CLI prints these without a traceback."""


class InvalidTimeline(GovflowError):
    """One or more problems found while loading timeline files (all are collected)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(sorted(problems, key=lambda p: (p.file, p.line or 0, p.code)))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A '; did you mean ...?' suffix when a close match exists, else ''.

    >>> did_you_mean("trust-bord", ["trust-board", "hwb"])
    "; did you mean 'trust-board'?"
    >>> did_you_mean("zzz", ["trust-board"])
    ''
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
