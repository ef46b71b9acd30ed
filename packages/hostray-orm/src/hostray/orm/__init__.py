"""SQLAlchemy 2 entity helpers and ORM access worker pools for hostray."""

from importlib.metadata import version as _version

__version__: str = _version("hostray-orm")

__all__ = ["__version__"]
