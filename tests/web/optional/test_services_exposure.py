"""services is safe to point at untrusted upstreams: bodies read whole are capped, redirects stay
on the service's origin, and `route_input` cannot leave the route (issue 13, items 5 and 11)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

from hostray.config import ConfigError
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component import ServicesComponent
from hostray.web.component.optional_component.errors import (
    ServiceRedirectError,
    ServiceResponseTooLargeError,
    ServiceRouteError,
)
from hostray.web.component.optional_component.schema import DEFAULT_MAX_RESPONSE_SIZE

from .http_server import echo_server

SERVICES = OptionalComponentTypes.Service


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with echo_server() as url:
        yield url


@pytest.fixture(scope="module")
def other_host() -> Iterator[str]:
    """Another server (another port): what a redirect must not reach by default."""
    with echo_server() as url:
        yield url


@pytest.fixture
def services(make_component: Callable[..., Any], upstream: str) -> ServicesComponent:
    return cast(
        ServicesComponent,
        make_component(
            SERVICES,
            **{
                upstream: {
                    "/big": {"name": "big", "get": None},
                    "/big/small": {"name": "small", "get": None, "max_response_size": 1000},
                    "/redirect": {"name": "redirect", "get": None, "post": None},
                    "/redirect/any": {"name": "redirect_any", "get": None, "redirects": "any"},
                    "/redirect/none": {"name": "redirect_none", "get": None, "redirects": "none"},
                    "/echo": {"name": "echo", "get": None},
                }
            },
        ),
    )


@pytest.mark.parametrize("announced", ["", "1"])
def test_a_body_over_the_default_cap_is_refused(
    services: ServicesComponent, announced: str
) -> None:
    assert DEFAULT_MAX_RESPONSE_SIZE == 10 * 1024 * 1024
    at_limit = services.invoke("big", size=DEFAULT_MAX_RESPONSE_SIZE, length=announced)
    assert len(at_limit.content) == DEFAULT_MAX_RESPONSE_SIZE
    with pytest.raises(ServiceResponseTooLargeError, match=r"larger than max_response_size") as err:
        services.invoke("big", size=DEFAULT_MAX_RESPONSE_SIZE + 1, length=announced)
    assert err.value.limit == DEFAULT_MAX_RESPONSE_SIZE
    assert "/big" in err.value.url


def test_the_cap_is_per_service_and_streaming_is_not_capped(services: ServicesComponent) -> None:
    assert len(services.invoke("small", size=1000).content) == 1000
    with pytest.raises(ServiceResponseTooLargeError, match=r"'small'.*\(1000 bytes\)"):
        services.invoke("small", size=1001)
    received: list[int] = []
    services.invoke(
        "small", size=50_000, streaming_callback=lambda chunk: received.append(len(chunk))
    )
    assert sum(received) == 50_000


def test_a_redirect_on_the_same_origin_is_followed(
    services: ServicesComponent, upstream: str
) -> None:
    response = services.invoke("redirect", to=f"{upstream}/echo/next?x=1")
    assert response.status_code == 200
    assert response.json()["path"] == "/echo/next"
    assert response.json()["query"] == {"x": ["1"]}
    relative = services.invoke("redirect", to="/echo/relative")
    assert relative.json()["path"] == "/echo/relative"
    posted = services.invoke(
        "redirect", "post", a="1", params={"to": "/echo/after-post", "status": 303}
    )
    assert posted.json()["method"] == "GET"


def test_a_redirect_to_another_host_is_refused_by_default(
    services: ServicesComponent, other_host: str
) -> None:
    with pytest.raises(ServiceRedirectError, match=r"'redirect'.*refused: it leaves") as err:
        services.invoke("redirect", to=f"{other_host}/echo/internal")
    assert err.value.target == f"{other_host}/echo/internal"
    for status in (301, 307, 308):
        with pytest.raises(ServiceRedirectError):
            services.invoke("redirect", to=f"{other_host}/echo/internal", status=status)


def test_redirects_any_and_none(services: ServicesComponent, other_host: str) -> None:
    followed = services.invoke("redirect_any", to=f"{other_host}/echo/internal")
    assert followed.json()["path"] == "/echo/internal"
    kept = services.invoke("redirect_none", to=f"{other_host}/echo/internal")
    assert kept.status_code == 302
    assert kept.headers["Location"] == f"{other_host}/echo/internal"
    not_followed = services.invoke("redirect", to="/echo/x", allow_redirects=False)
    assert not_followed.status_code == 302


def test_route_input_is_percent_encoded(services: ServicesComponent) -> None:
    injected = services.invoke("echo", route_input="1?admin=true#").json()
    assert injected["path"] == "/echo/1?admin=true#"
    assert injected["query"] == {}
    encoded = services.invoke("echo", route_input="%2e%2e/a b").json()
    assert encoded["path"] == "/echo/%2e%2e/a b"
    assert services.invoke("echo", route_input="users/42").json()["path"] == "/echo/users/42"


@pytest.mark.parametrize("route_input", ["../../private/x", "..", "a/../../b", "./x", "a/."])
def test_route_input_climbing_out_is_refused(services: ServicesComponent, route_input: str) -> None:
    with pytest.raises(ServiceRouteError, match=r"'\.\.' or '\.' segment"):
        services.invoke("echo", route_input=route_input)


def test_bad_limits_are_config_errors(make_component: Callable[..., Any]) -> None:
    with pytest.raises(ConfigError) as err:
        make_component(
            SERVICES,
            **{
                "http://127.0.0.1:9": {
                    "/a": {"name": "a", "max_response_size": 0},
                    "/b": {"name": "b", "max_response_size": "10MB"},
                    "/c": {"name": "c", "redirects": "sometimes"},
                    "/d": {"name": "d", "max_response_size": True},
                }
            },
        )
    problems = err.value.problems
    assert any("/a.max_response_size: expected bytes ≥ 1, got 0" in p for p in problems)
    assert any("/b.max_response_size: expected bytes ≥ 1, got '10MB'" in p for p in problems)
    assert any(
        "/c.redirects: expected one of 'same_origin', 'any', 'none', got 'sometimes'" in p
        for p in problems
    )
    assert any("/d.max_response_size" in p for p in problems)
