"""Which configured route pattern a request was routed by: the `route` of logs and metrics.

A pattern, not the raw path, so a label or log field has as many values as the config has
routes; requests that matched none share `UNMATCHED_ROUTE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tornado.httputil import HTTPServerRequest

__all__ = ["UNMATCHED_ROUTE", "RoutePatterns"]

UNMATCHED_ROUTE = "<unmatched>"
"""The route of requests that matched no configured route (404s, refused paths)."""


class RoutePatterns:
    """The route patterns of an application's rules, by handler class."""

    def __init__(self, rules: Iterable[Any]) -> None:
        self._alone: dict[type, str] = {}
        self._shared: dict[type, list[tuple[Any, str]]] = {}
        by_class: dict[type, list[tuple[Any, str]]] = {}
        for rule in rules:
            pattern = rule.matcher.regex.pattern.removesuffix("$")
            by_class.setdefault(rule.target, []).append((rule.matcher, pattern))
        for target, entries in by_class.items():
            if len(entries) == 1:
                self._alone[target] = entries[0][1]
            else:
                self._shared[target] = entries

    def route_of(self, handler_class: type, request: HTTPServerRequest) -> str:
        """The pattern that routed `request` to `handler_class`, or `UNMATCHED_ROUTE`."""
        pattern = self._alone.get(handler_class)
        if pattern is not None:
            return pattern
        for matcher, shared in self._shared.get(handler_class, ()):
            if matcher.match(request) is not None:
                return shared
        return UNMATCHED_ROUTE
