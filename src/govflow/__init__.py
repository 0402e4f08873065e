"""govflow: governance timelines - board sign-offs, meeting dates and national deadlines.

>>> import govflow
>>> programme = govflow.load(["timelines/north-cumbria-2019.yaml"])  # doctest: +SKIP
>>> govflow.schedule(programme).all_met  # doctest: +SKIP
True
"""

from .dates import Window, parse_window
from .errors import GovflowError, InvalidTimeline, Problem
from .loading import load, load_text
from .model import Body, Dependency, Item, Meeting, Programme, Timeline
from .scheduling import DeadlineResult, ItemSchedule, Schedule, schedule

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
