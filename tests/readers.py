"""Real readers for exported files, shared by the tests: headless Chromium, node, the system Python
and the policy for a missing reader (skip on a developer machine, fail under `bash tests/run` and CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRE_READERS = os.environ.get("GOVFLOW_REAL_READERS") == "1"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NODE = shutil.which("node") or shutil.which("nodejs")  # for npm readers run outside a browser (ical.js)
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's Python, for readers only its packages have (libical's `gi`)


def need(ok: bool, what: str) -> None:
    """Skip when a real reader is missing - except under `bash tests/run` (and CI), where that fails."""
    if ok:
        return
    if REQUIRE_READERS:
        pytest.fail(f"{what} is not installed, but GOVFLOW_REAL_READERS=1 requires it")
    pytest.skip(f"{what} is not installed (bash tests/run installs it)")


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with no network and a fresh profile (as root: no sandbox)."""
    need(CHROMIUM is not None, "chromium")
    assert CHROMIUM is not None
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120, check=False)
