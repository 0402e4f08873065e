"""govflow: governance timelines - board sign-offs, meeting dates and national deadlines.

>>> import govflow
>>> programme = govflow.load(["timelines/north-cumbria-2019.yaml"])  # doctest: +SKIP
>>> govflow.schedule(programme).all_met  # doctest: +SKIP
True
"""

from typing import TYPE_CHECKING, Any

from .dates import Window, parse_window
from .errors import GovflowError, InvalidTimeline, Problem
from .loading import load, load_text
from .model import Body, Dependency, Item, Meeting, Programme, Timeline

if TYPE_CHECKING:
    from .scheduling import DeadlineResult, ItemSchedule, Schedule, schedule

_SCHEDULING = ("DeadlineResult", "ItemSchedule", "Schedule", "schedule")


def __getattr__(name: str) -> Any:
    """The scheduler's names, imported when first used: `import govflow` does not import numpy,
    so that the console script can set numpy up first (`console.main`)."""
    if name in _SCHEDULING:
        from . import scheduling

        return getattr(scheduling, name)
    raise AttributeError(f"module 'govflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SCHEDULING})


__version__ = "0.1.0"

__all__ = [
    "Body",
    "DeadlineResult",
    "Dependency",
    "GovflowError",
    "InvalidTimeline",
    "Item",
    "ItemSchedule",
    "Meeting",
    "Problem",
    "Programme",
    "Schedule",
    "Timeline",
    "Window",
    "load",
    "load_text",
    "parse_window",
    "schedule",
]
