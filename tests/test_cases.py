"""Timelines with their expected answers written in the file itself, checked through the CLI.

Each file in tests/cases/ states what `govflow check --json` must say, in comments:

    # expect: <item>.<field> = <value>      (fields of the JSON item or deadline entry)
    # expect-exit: 0|1|2
    # expect-error: <line> <code>           (for invalid files)
    # expect-warning: <item> <code>
    # with: <other-file.yaml>               (loaded together: a multi-timeline programme)

The expected values were computed by hand from DESIGN.md's rules, not by running govflow.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govflow.cli import app

CASES = Path(__file__).parent / "cases"
FILES = sorted(p for p in CASES.glob("*.yaml") if "# expect" in p.read_text(encoding="utf-8"))
EXPECT = re.compile(r"^#\s*expect:\s*(?P<item>\S+?)\.(?P<field>[a-z_]+)\s*=\s*(?P<value>.*?)\s*$", re.M)


def _value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "none", "None"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if "," in text:
        return [v.strip() for v in text.split(",")]
    return text


def _run(path: Path) -> tuple[int, str, str]:
    text = path.read_text(encoding="utf-8")
    others = [str(CASES / m) for m in re.findall(r"^#\s*with:\s*(\S+)", text, re.M)]
    result = CliRunner().invoke(app, ["check", "--json", str(path), *others])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_case(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    code, out, err = _run(path)
    exit_m = re.search(r"^#\s*expect-exit:\s*(\d)", text, re.M)
    if exit_m:
        assert code == int(exit_m[1]), f"exit {code}\n{out}\n{err}"
    errors = re.findall(r"^#\s*expect-error:\s*(\d+)\s+(\S+)", text, re.M)
    for line, error_code in errors:
        wanted = f"{path}:{line}: error[{error_code}]"
        assert wanted in err, f"expected '{wanted}' in:\n{err}"
    if errors:
        assert "Traceback" not in err
        return
    assert code in (0, 1), err
    data = json.loads(out)
    deadlines = {d["id"]: d for d in data["deadlines"]}
    failures = []
    for m in EXPECT.finditer(text):
        item, field, want = m["item"], m["field"], _value(m["value"])
        entry = deadlines[item] if field in ("forecast", "margin", "met", "driving_path") else data["items"][item]
        got = entry.get(field, "<missing>")
        if got != want:
            failures.append(f"{item}.{field}: expected {want!r}, got {got!r}")
    for item, warning in re.findall(r"^#\s*expect-warning:\s*(\S+)\s+(\S+)", text, re.M):
        if not any(w["item"] == item and w["code"] == warning for w in data["warnings"]):
            failures.append(f"missing warning {warning} on {item}: {data['warnings']}")
    assert not failures, "\n".join(failures)
