"""Which hostray distributions are installed, and the requirement ranges a new project pins."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution, distributions, version

__all__ = [
    "compatible_requirement",
    "installed_hostray_distributions",
    "legacy_distribution_problem",
]

LEGACY_DISTRIBUTION = "hostray"
"""hostray 0.7.5's single distribution: it ships `hostray/__main__.py` and `hostray/web/`, so
installed beside ours it overwrites our files."""

_PREFIX = "hostray-"


def installed_hostray_distributions() -> list[tuple[str, str]]:
    """Every installed `hostray-*` distribution as `(name, version)`, sorted by name."""
    found: dict[str, str] = {}
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-").replace(".", "-")
        if name.startswith(_PREFIX):
            found.setdefault(name, dist.version)
    return sorted(found.items())


def compatible_requirement(name: str) -> str:
    """`name>=X.Y.Z,<upper` for the installed version: the releases that keep its API."""
    try:
        current = version(name)
    except PackageNotFoundError as exc:
        raise LookupError(f"{name} is not installed") from exc
    parts = [int(p) for p in current.split(".")[:2] if p.isdigit()]
    major, minor = [*parts, 0, 0][:2]
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"{name}>={current},<{upper}"


def legacy_distribution_problem() -> str | None:
    """One line saying the legacy `hostray` distribution is installed and how to fix it, or None."""
    try:
        legacy = distribution(LEGACY_DISTRIBUTION)
    except PackageNotFoundError:
        return None
    return (
        f"the legacy distribution 'hostray' {legacy.version} is installed; it overwrites files of "
        "hostray-web and hostray-cli (hostray/__main__.py, hostray/web/): run "
        "`pip uninstall hostray`, then `pip install --force-reinstall hostray-web hostray-cli`"
    )
