"""ConfigError carries every problem, one line each."""

from hostray.config import ConfigError


def test_problems_are_kept_and_joined_by_newlines() -> None:
    err = ConfigError("a.yaml:1: x: missing", "a.yaml:2: y: expected int, got 'z'")
    assert isinstance(err, ValueError)
    assert err.problems == ["a.yaml:1: x: missing", "a.yaml:2: y: expected int, got 'z'"]
    assert str(err) == "a.yaml:1: x: missing\na.yaml:2: y: expected int, got 'z'"


def test_an_error_without_problems_still_says_something() -> None:
    assert str(ConfigError()) == "invalid configuration"
