"""Thread workers, worker pools with async access, and enum-keyed callbacks (stdlib only)."""

from importlib.metadata import version as _version

__version__: str = _version("hostray-workers")

__all__ = ["__version__"]
