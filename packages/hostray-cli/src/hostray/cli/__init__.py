"""The hostray command line: create, start, pack and test hostray projects."""

from importlib.metadata import version as _version

__version__: str = _version("hostray-cli")

__all__ = ["__version__"]
