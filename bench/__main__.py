"""`python -m bench [name …]`: run the benchmarks, print one table, write docs/PERFORMANCE.md."""

from __future__ import annotations

import datetime
import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path

from bench._harness import Row

ROOT = Path(__file__).resolve().parent.parent


def _modules(selected: list[str]) -> list[str]:
    found = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_")
    )
    unknown = [name for name in selected if name not in found]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(found)}")
    return selected or found


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| what | hostray | baseline | unit | ratio | target | met |",
        "|---|---:|---:|---|---:|---|---|",
    ]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        met = "yes" if r.met else "**no**"
        cells = [r.what, _fmt(r.ours), _fmt(r.baseline), r.unit, ratio, r.target, met]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _write_report(path: Path, lines: list[str]) -> None:
    """Write the figures, keeping the hand-written notes (from `## Notes` on) of the last report."""
    notes = ""
    if path.exists():
        _, marker, rest = path.read_text(encoding="utf-8").partition("\n## Notes")
        notes = marker + rest if marker else ""
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join([*lines, ""]) + notes, encoding="utf-8")


def main(selected: list[str]) -> int:
    rows: list[Row] = []
    for name in _modules(selected):
        print(f"running bench/{name}.py …", flush=True)
        rows.extend(importlib.import_module(f"bench.{name}").run())
    table = _table(rows)
    print("\n".join(table))
    if not selected:
        header = [
            "# Performance",
            "",
            f"Measured by `make bench` on {datetime.date.today().isoformat()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()} ({platform.machine()}). "
            "Every ratio compares against a baseline run side by side in the same run; "
            "medians of several runs.",
            "",
        ]
        _write_report(ROOT / "docs" / "PERFORMANCE.md", [*header, *table])
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
