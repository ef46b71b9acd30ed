"""RequestController: errors are short answers; tracebacks only in debug mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from tornado.web import HTTPError

from hostray.web.controller import RequestController

if TYPE_CHECKING:
    from .conftest import Served


class Failing(RequestController):
    async def get(self) -> None:
        raise RuntimeError("internal detail 42")


class Refusing(RequestController):
    async def get(self) -> None:
        raise HTTPError(422, "field %s is not a number", "age")


class Params(RequestController):
    def initialize(self, greeting: str, times: int = 1) -> None:
        self.greeting = greeting
        self.times = times

    async def get(self) -> None:
        self.write(" ".join([self.greeting] * self.times))


class NeedsServices(RequestController):
    async def get(self) -> None:
        await self.invoke_service_async("google")


async def test_route_params_reach_initialize(serve: Callable[..., Served]) -> None:
    served = serve([("/hi", Params, {"greeting": "hi", "times": 2})])
    response = await served.fetch("/hi")
    assert response.body == b"hi hi"


async def test_exception_is_a_500_without_traceback(serve: Callable[..., Served]) -> None:
    served = serve([("/boom", Failing)])
    response = await served.fetch("/boom")
    assert response.code == 500
    assert response.body == b"500 Internal Server Error\n"


async def test_exception_in_debug_mode_shows_the_traceback(serve: Callable[..., Served]) -> None:
    served = serve([("/boom", Failing)], debug=True)
    response = await served.fetch("/boom")
    assert response.code == 500
    assert b"Traceback" in response.body
    assert b"internal detail 42" in response.body


async def test_client_error_carries_its_message(serve: Callable[..., Served]) -> None:
    served = serve([("/refuse", Refusing)])
    response = await served.fetch("/refuse")
    assert response.code == 422
    assert response.body == b"422 Unprocessable Entity: field age is not a number\n"


async def test_missing_argument_is_a_400_naming_it(serve: Callable[..., Served]) -> None:
    class Args(RequestController):
        async def get(self) -> None:
            self.write(self.get_argument("q"))

    served = serve([("/args", Args)])
    response = await served.fetch("/args")
    assert response.code == 400
    assert b"q" in response.body


async def test_component_that_is_not_loaded_is_named_in_the_log(
    serve: Callable[..., Served], caplog: pytest.LogCaptureFixture
) -> None:
    served = serve([("/svc", NeedsServices)])
    response = await served.fetch("/svc")
    assert response.code == 500
    assert b"services" not in response.body
    assert "component 'services' is not loaded" in caplog.text


class OrmFailures(RequestController):
    async def get(self, kind: str) -> None:
        from hostray.orm import DatabaseUnavailableError, EntityValidationError

        if kind == "invalid":
            raise EntityValidationError("age", "column 'age': expected an int, got 'old'")
        raise DatabaseUnavailableError("cannot reach mysql at 127.0.0.1:3306 (user root)")


async def test_invalid_entity_is_a_400_naming_the_column(serve: Callable[..., Served]) -> None:
    served = serve([("/orm/(.*)", OrmFailures)])
    response = await served.fetch("/orm/invalid")
    assert response.code == 400
    assert response.body == b"400 Bad Request: column 'age': expected an int, got 'old'\n"


async def test_unreachable_database_is_a_503_without_details(serve: Callable[..., Served]) -> None:
    served = serve([("/orm/(.*)", OrmFailures)])
    response = await served.fetch("/orm/down")
    assert response.code == 503
    assert response.body == b"503 Service Unavailable\n"


class ServiceFailures(RequestController):
    async def get(self, kind: str) -> None:
        from hostray.web.component.optional_component.errors import (
            ServiceConnectionError,
            ServiceTimeoutError,
        )

        url = "http://127.0.0.1:9/api"
        if kind == "timeout":
            raise ServiceTimeoutError(url, "no answer in 0.1 s")
        raise ServiceConnectionError(url, "connection refused")


async def test_unreachable_service_is_a_502_and_a_timeout_a_504(
    serve: Callable[..., Served],
) -> None:
    served = serve([("/svc/(.*)", ServiceFailures)])
    refused = await served.fetch("/svc/refused")
    assert (refused.code, refused.body) == (502, b"502 Bad Gateway\n")
    timed_out = await served.fetch("/svc/timeout")
    assert (timed_out.code, timed_out.body) == (504, b"504 Gateway Timeout\n")
