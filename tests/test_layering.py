"""Layering: no import cycles in the package, and no library call or in-process command that
leaves the cyclic garbage collector switched differently from how it found it."""

from __future__ import annotations

import ast
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

import govflow
from govflow.cli import app
from govflow.explain import explain

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src"
NC = ROOT / "timelines" / "north-cumbria-2019.yaml"


# ---- import graph ---------------------------------------------------------------------------


def _modules(src: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package under `src`."""
    out = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, package: str, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import of the package's own modules anywhere in a module:
    top level, inside functions (lazy imports) and under `if TYPE_CHECKING`."""
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]  # the package `.` means
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == package or alias.name.startswith(package + "."):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == package or node.module.startswith(package + ".")):
                target = node.module
            else:
                continue
            if node.module:  # from .m import name: govflow.m, and govflow.m.name when that is a module
                yield target, node.lineno
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules or not node.module:  # from . import x: govflow.x, not the package
                    yield sub, node.lineno


def import_graph(src: Path, package: str) -> nx.DiGraph:
    """Edges importer -> imported (with the line of the import) between the package's modules."""
    modules = _modules(src, package)
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for name, path in modules.items():
        for target, line in _imports(name, path, package, modules):
            if target != name:
                g.add_edge(name, target, line=line)
    return g


def _cycles_text(g: nx.DiGraph, limit: int = 20) -> str:
    lines = []
    for n, found in enumerate(nx.simple_cycles(g)):
        if n == limit:
            lines.append("  ...")
            break
        start = found.index(min(found))
        cycle = found[start:] + found[:start]
        hops = [f"{a} (line {g.edges[a, b]['line']})" for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)]
        lines.append("  " + " -> ".join([*hops, cycle[0]]))
    return "\n".join(lines)


def test_the_package_has_no_import_cycles() -> None:
    g = import_graph(SRC, "govflow")
    assert {"govflow", "govflow.cli", "govflow.exporters.bars", "govflow.exporters.gantt"} <= set(g)
    cycles = _cycles_text(g)
    print(cycles)
    assert nx.is_directed_acyclic_graph(g), f"import cycles:\n{cycles}"


def test_the_gantt_formats_import_the_bar_model_not_the_dispatcher() -> None:
    g = import_graph(SRC, "govflow")
    for fmt in ("govflow.exporters.mspdi", "govflow.exporters.gantt_html"):
        assert g.has_edge(fmt, "govflow.exporters.bars")
        assert not g.has_edge(fmt, "govflow.exporters.gantt")
    assert g.has_edge("govflow.exporters.gantt", "govflow.exporters.bars")
    assert g.has_edge("govflow.scheduling", "govflow.kernel")  # `from . import kernel as K`
    assert not g.has_edge("govflow.scheduling", "govflow")


def test_the_import_graph_finds_every_kind_of_cycle(tmp_path: Path) -> None:
    """The check above is only as good as the graph: each way of importing makes an edge."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import A\n",
        "a.py": "A = 1\ndef f():\n    from . import b\n",  # lazy: from . import x -> pkg.b
        "b.py": "from .sub import c\n",  # from .m import name, name a module -> pkg.sub and pkg.sub.c
        "sub/__init__.py": "",
        "sub/c.py": "from ..a import A\n",  # from ..m import name -> pkg.a
        "d.py": "import pkg.e\n",  # absolute
        "e.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.d import x\n",
    }
    for rel, text in files.items():
        (pkg / rel).write_text(text)
    g = import_graph(tmp_path, "pkg")
    assert set(g.edges) == {
        ("pkg", "pkg.a"),
        ("pkg.a", "pkg.b"),
        ("pkg.b", "pkg.sub"),
        ("pkg.b", "pkg.sub.c"),
        ("pkg.sub.c", "pkg.a"),
        ("pkg.d", "pkg.e"),
        ("pkg.e", "pkg.d"),
    }
    assert sorted(sorted(c) for c in nx.simple_cycles(g)) == [["pkg.a", "pkg.b", "pkg.sub.c"], ["pkg.d", "pkg.e"]]
    assert sorted(_cycles_text(g).splitlines()) == [
        "  pkg.a (line 3) -> pkg.b (line 1) -> pkg.sub.c (line 1) -> pkg.a",
        "  pkg.d (line 1) -> pkg.e (line 3) -> pkg.d",
    ]


# ---- the cyclic garbage collector -------------------------------------------------------------


def _load(tmp: Path) -> None:
    govflow.load([NC])


def _schedule(tmp: Path) -> None:
    govflow.schedule(govflow.load([NC]))


def _explain(tmp: Path) -> None:
    explain(govflow.schedule(govflow.load([NC])))


def _command(*args: str, code: tuple[int, ...] = (0, 1)) -> Callable[[Path], None]:
    """`govflow ARGS FILE` in-process; TMP in ARGS is the test's directory, FILE the shipped timeline
    (or, for "BAD", a file with an error)."""

    def run(tmp: Path) -> None:
        bad = tmp / "bad.yaml"
        bad.write_text("govflow: 1\nid: t\nstart: 2019-09-02\nitems:\n  a: {at: nowhere}\n")
        argv = [str(bad) if a == "BAD" else a.replace("TMP", str(tmp)) for a in args]
        result = CliRunner().invoke(app, argv if "BAD" in args else [*argv, str(NC)])
        assert result.exit_code in code, result.output

    return run


CALLS: dict[str, Callable[[Path], None]] = {
    "load": _load,
    "schedule": _schedule,
    "explain": _explain,
    "check": _command("check"),
    "check --json": _command("check", "--json"),
    "gantt -f json": _command("gantt", "-f", "json", "--no-baseline"),
    "calendar": _command("calendar", "-o", "TMP/nc.ics", "--no-state", "--stamp", "2019-09-05T09:00:00Z", code=(0,)),
    "check (invalid file)": _command("check", "BAD", code=(2,)),
    "check --json (invalid file)": _command("check", "--json", "BAD", code=(2,)),
}


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-enabled", "gc-disabled"])
@pytest.mark.parametrize("call", list(CALLS))
def test_the_collector_is_left_as_it_was(call: str, enabled: bool, tmp_path: Path) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        CALLS[call](tmp_path)
        assert gc.isenabled() is enabled, f"{call} left the cyclic GC {'disabled' if enabled else 'enabled'}"
    finally:
        gc.enable() if was else gc.disable()
