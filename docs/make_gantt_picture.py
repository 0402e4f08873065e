"""Regenerate docs/gantt-north-cumbria-2019.png, the README's chart: govflow's own HTML chart in headless Chromium.

    .venv/bin/python docs/make_gantt_picture.py

Needs Debian's `chromium` (see .ci/run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import govflow
from govflow.exporters.gantt import render
from govflow.risk import overview

ROOT = Path(__file__).resolve().parent.parent
TIMELINE = ROOT / "timelines" / "north-cumbria-2019.yaml"
OUT = ROOT / "docs" / "gantt-north-cumbria-2019.png"


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed", file=sys.stderr)
        return 1
    sched = govflow.schedule(govflow.load([TIMELINE]))
    html = render(sched, "html", risk=overview(sched))  # as `govflow gantt` draws it: with P50-P90 spans
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "chart.html"
        page.write_text(html, encoding="utf-8")
        cmd = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={Path(tmp) / 'profile'}", f"--screenshot={OUT}", "--window-size=1400,1625",
            page.as_uri(),
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
