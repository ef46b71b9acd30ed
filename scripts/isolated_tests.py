"""Run each package's tests in a fresh venv holding only its wheel and declared dependencies.

Usage: python scripts/isolated_tests.py [package ...]   (default: all five)

Test tools (pytest and plugins, requirements-test.txt) sit in .iso/_tools, reached through
PYTHONPATH, so the venv itself contains nothing the package did not ask for.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from packages import PACKAGES, ROOT, build_dists

ISO = ROOT / ".iso"
TOOLS = ISO / "_tools"


def run(cmd: list[str], **kwargs: object) -> None:
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_tools() -> None:
    """Install the test tools once per version of requirements-test.txt."""
    requirements = ROOT / "requirements-test.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = TOOLS / ".stamp"
    if stamp.exists() and stamp.read_text() == digest:
        return
    shutil.rmtree(TOOLS, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--target", str(TOOLS), "-r", str(requirements)])
    stamp.write_text(digest)


def make_venv(name: str, dist: Path) -> Path:
    """A fresh venv with the package's wheel and what its metadata declares, nothing else."""
    venv = ISO / name
    run([sys.executable, "-m", "venv", "--clear", str(venv)])
    python = venv / "bin" / "python"
    constraints = dist / "constraints.txt"
    constraints.write_text(
        "".join(f"{n}=={_built_version(n, dist)}\n" for n in PACKAGES), encoding="utf-8"
    )
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # pip 23.2 cannot backtrack through an extra's requirements (hostray-web[otel]); 23.3 can.
    run([*pip, "pip>=23.3"])
    run([*pip, "--find-links", str(dist), "-c", str(constraints), PACKAGES[name].requirement])
    return python


def _built_version(name: str, dist: Path) -> str:
    prefix = name.replace("-", "_") + "-"
    wheels = [w.name for w in dist.glob(f"{prefix}*.whl")]
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel of {name} in {dist}, found {wheels}")
    return wheels[0][len(prefix) :].split("-")[0]


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in PACKAGES]
    if unknown:
        raise SystemExit(f"unknown package(s): {', '.join(unknown)}; known: {', '.join(PACKAGES)}")
    ISO.mkdir(exist_ok=True)
    dist = Path(tempfile.mkdtemp(prefix="dist-", dir=ISO))
    try:
        build_dists(dist)
        ensure_tools()
        return _run_suites(names, dist)
    finally:
        shutil.rmtree(dist, ignore_errors=True)


def _run_suites(names: list[str], dist: Path) -> int:
    results: dict[str, int] = {}
    for name in names:
        started = time.monotonic()
        print(f"== {name}: fresh venv, wheel + declared dependencies only", flush=True)
        python = make_venv(name, dist)
        env = {**os.environ, "PYTHONPATH": str(TOOLS), "HOSTRAY_ISOLATED": name}
        tests = [t for t in PACKAGES[name].tests if (ROOT / t).exists()]
        done = subprocess.run(
            [str(python), "-m", "pytest", "-q", *tests], cwd=ROOT, env=env, check=False
        )
        results[name] = done.returncode
        print(f"== {name}: exit {done.returncode} in {time.monotonic() - started:.0f}s", flush=True)
    failed = [n for n, code in results.items() if code != 0]
    print(f"isolated suites: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or list(PACKAGES)))
