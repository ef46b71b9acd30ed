"""The monorepo's distributions: where each lives, what it ships and which tests prove it.

The one list of the packages: the Makefile asks it (`python scripts/packages.py names|editable|
mypy-args`), the isolated test runner and tests/packaging import it.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PACKAGES", "ROOT", "Package", "build_dists"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Package:
    """One distribution of the monorepo."""

    name: str
    modules: tuple[str, ...]
    extras: str = ""
    tests: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return ROOT / "packages" / self.name

    @property
    def requirement(self) -> str:
        return f"{self.name}[{self.extras}]" if self.extras else self.name

    @property
    def editable(self) -> str:
        """The `pip install -e` argument of the package (with its extras), relative to ROOT."""
        where = f"packages/{self.name}"
        return f"{where}[{self.extras}]" if self.extras else where


# Dependency order: every package comes after the siblings it depends on.
PACKAGES: dict[str, Package] = {
    p.name: p
    for p in (
        Package("hostray-workers", ("workers",), tests=("tests/workers",)),
        Package("hostray-config", ("config",), tests=("tests/config",)),
        Package("hostray-orm", ("orm",), "mysql,postgresql", ("tests/orm",)),
        Package(
            "hostray-web",
            ("web", "util", "unit_test"),
            "redis,mysql,postgresql,celery,metrics,otel",
            ("tests/web",),
        ),
        Package(
            "hostray-cli", ("cli",), "celery,postgresql,metrics,otel", ("tests/cli", "tests/e2e")
        ),
    )
}


def build_dists(outdir: Path, names: list[str] | None = None, sdist: bool = True) -> None:
    """Build the wheel (and sdist) of each named package into `outdir` with poetry-core."""
    for name in names or list(PACKAGES):
        kinds = ["--sdist", "--wheel"] if sdist else ["--wheel"]
        cmd = [sys.executable, "-m", "build", "--no-isolation", *kinds, "--outdir", str(outdir)]
        done = subprocess.run(
            [*cmd, str(PACKAGES[name].path)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"building {name} failed")


def _make_words(what: str) -> list[str]:
    """The words the Makefile asks for: package names, editable installs, mypy's -p options."""
    if what == "names":
        return list(PACKAGES)
    if what == "editable":
        return [arg for p in PACKAGES.values() for arg in ("-e", shlex.quote(p.editable))]
    if what == "mypy-args":
        return [arg for p in PACKAGES.values() for m in p.modules for arg in ("-p", f"hostray.{m}")]
    raise SystemExit(f"usage: packages.py names|editable|mypy-args (got {what!r})")


if __name__ == "__main__":
    sys.stdout.write(" ".join(_make_words(sys.argv[1] if len(sys.argv) > 1 else "")) + "\n")
