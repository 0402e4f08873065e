"""The command line's manners: --version, one compiler-style error form, no silently created
directories, and input-file problems a spreadsheet user can act on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import govflow
from govflow.cli import app

ROOT = Path(__file__).parent.parent
QUICK = ROOT / "examples" / "quickstart.yaml"
runner = CliRunner()
HEAD = "govflow: 1\nid: t\nstart: 2019-09-02\nitems:\n"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"govflow {govflow.__version__}\n"


def test_db_in_a_missing_directory_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "h.sqlite"
    result = runner.invoke(app, ["snapshot", "--db", str(db), str(QUICK)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{db}: error[no-directory]: the directory {db.parent} does not exist")
    assert not (tmp_path / "no").exists()


def test_a_windows_1252_file_is_reported_with_its_line_and_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes((HEAD + '  a: {title: "Caf\xe9 review", duration: 3}\n').encode("cp1252"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:5: error[not-text]: not UTF-8 text" in result.stderr
    assert "looks like Windows-1252, as Excel saves it" in result.stderr and "save as UTF-8" in result.stderr


def test_a_tab_in_the_indentation_is_reported_as_a_tab(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + "  a:\n\t  duration: 3\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:6: error[yaml-syntax]: a tab in the indentation" in result.stderr


def test_errors_are_never_doubled(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "  a: {duration: 3, after: [nope]}\n", encoding="utf-8")
    results = [
        runner.invoke(app, ["check", str(bad)]),
        runner.invoke(app, ["check", str(tmp_path / "missing.yaml")]),
        runner.invoke(app, ["report", "--db", str(tmp_path / "no" / "h.sqlite"), str(QUICK)]),
        runner.invoke(app, ["report", "-o", str(tmp_path / "no" / "r.md"), "--db", str(tmp_path / "h"), str(QUICK)]),
    ]
    for result in results:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        for line in result.stderr.splitlines():
            assert line.count(": error") == 1 or line.startswith("govflow: "), line
            assert "govflow: error:" not in line or "error[" not in line, line
            assert re.match(r"(\S+: error\[[a-z-]+\]: |govflow: \d+ errors?; )", line), line


def test_gantt_with_no_format_or_output_writes_the_chart_named_after_the_timeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    timeline = Path(__file__).resolve().parents[1] / "timelines" / "north-cumbria-2019.yaml"
    result = CliRunner().invoke(app, ["gantt", str(timeline)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "wrote north-cumbria-2019-gantt.html (html)"
    page = (tmp_path / "north-cumbria-2019-gantt.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" in page


COMMANDS = [["check"], ["calendar"], ["gantt"], ["snapshot"], ["baseline"], ["history"], ["report"], ["mta"],
            ["risk"], ["import"], ["meetings"], ["agenda"], ["progress", "export"], ["progress", "import"]]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_arguments_and_values_plainly(command: list[str]) -> None:
    """Plain help writes `FILE...` and `--name NAME`: never typer's `{FILE}`, `<list[Path]>` or `<str>`."""
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    usage = result.stdout.splitlines()[0]
    assert usage.startswith(f"Usage: govflow {' '.join(command)} [OPTIONS]") and "{" not in usage, usage
    table = result.stdout.split("\nArguments:\n", 1)[-1].split("\nOptions:\n", 1)
    names = [
        re.split(r"\s{2,}", line.strip())[0] for part in table for line in part.splitlines() if line[2:3] not in " "
    ]
    assert names, result.stdout
    for name in names:
        assert "<" not in name and "{" not in name, name
    if command != ["import"]:
        assert "FILE..." in names and usage.endswith(" FILE..."), (usage, names)
