"""The `govflow` console script. A plain `check [--json] [--all] FILE...` runs straight away
(`checking.run_check`), without typer: building the command line parser converts every option of
every command, and importing typer alone costs a short check a few hundredths of a second. Any
other command line goes to the typer app (`cli.app`). After a check the script exits at once
(`os._exit`, the collector still off): freeing a large programme object by object would only
cost time. Only here, never in-process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import checking


def _numpy_settings(check: bool) -> None:
    """Settings the console script makes before it imports numpy (`import govflow` does not;
    a value the user set is kept):

    - no transparent huge pages for numpy's large arrays (NUMPY_MADVISE_HUGEPAGE=0): where the
      kernel compacts memory to find them on first touch (THP defrag 'madvise', Debian's
      default), that stalls a short-lived command: a check of 10,000 items spent 0.8 s in the
      kernel with them, 0.25 s without;
    - for a check, one BLAS thread (OPENBLAS_NUM_THREADS=1): a check does no linear algebra, and
      starting a pool of BLAS threads cost numpy's import some 30 ms of a 0.3 s check."""
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    if check:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    np = sys.modules.get("numpy")
    if np is not None and os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0":  # imported already: too late for the variable
        core = getattr(np, "_core", None) or getattr(np, "core", None)
        setting = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
        if setting is not None:
            setting(False)


def _plain_check(args: list[str]) -> tuple[list[Path], bool, bool] | None:
    """`check [--json] [--all] FILE...` and nothing else: (files, --json, --all). None for any
    other command line, which typer reads.

    >>> _plain_check(["check", "--json", "a.yaml", "b.yaml"])
    ([PosixPath('a.yaml'), PosixPath('b.yaml')], True, False)
    >>> _plain_check(["check", "--as-of", "2019-09-05", "a.yaml"]) is None
    True
    """
    if not args or args[0] != "check":
        return None
    files, flags = [], set()
    for arg in args[1:]:
        if arg in ("--json", "--all"):
            flags.add(arg)
        elif arg and not arg.startswith("-"):
            files.append(Path(arg))
        else:
            return None
    return (files, "--json" in flags, "--all" in flags) if files else None


def main() -> None:
    """The console script (`govflow`)."""
    checking.FAST_EXIT = True
    plain = None if os.environ.get("_GOVFLOW_COMPLETE") else _plain_check(sys.argv[1:])
    _numpy_settings(check=plain is not None)
    try:
        if plain is not None:
            files, as_json, show_all = plain
            raise SystemExit(checking.run_check(files, show_all=show_all, as_json=as_json))
        from .cli import app

        app()
    except KeyboardInterrupt:  # as click says it
        checking.say("Aborted!")
        raise SystemExit(1) from None
    except SystemExit as e:
        if not checking.KEPT_FOR_EXIT:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(e.code if isinstance(e.code, int) else 0 if e.code is None else 1)
