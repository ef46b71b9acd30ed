"""The hostray command line: create, start, pack and test hostray projects."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """`__version__` from the installed metadata, read on first use (keeps start-up lean)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("hostray-cli")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
