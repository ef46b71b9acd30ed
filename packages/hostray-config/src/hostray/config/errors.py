"""The one exception of hostray.config: every problem of a configuration, one line each."""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """Raised with every problem found at once, so a user fixes a config in one pass."""

    def __init__(self, *problems: str) -> None:
        self.problems: list[str] = [str(problem) for problem in problems] or [
            "invalid configuration"
        ]
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)
