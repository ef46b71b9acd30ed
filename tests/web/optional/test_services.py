"""services: invoke/invoke_async against a real local aiohttp server."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

from hostray.config import ConfigError
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component import ServicesComponent
from hostray.web.component.optional_component.errors import (
    MethodNotEnabledError,
    ServiceArgumentError,
    ServiceConnectionError,
    ServiceError,
    ServiceTimeoutError,
    UnknownServiceError,
)

from .conftest import dispose
from .http_server import STREAM_CHUNKS, echo_server
from .redis_server import free_port

SERVICES = OptionalComponentTypes.Service


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with echo_server() as url:
        yield url


@pytest.fixture
def services(make_component: Callable[..., Any], base_url: str) -> ServicesComponent:
    return cast(
        ServicesComponent,
        make_component(
            SERVICES,
            **{
                base_url: {
                    "/echo": {
                        "name": "echo",
                        "get": None,
                        "post": None,
                        "put": None,
                        "patch": None,
                        "delete": None,
                    },
                    "/echo/limited": {"name": "limited", "get": ["q"], "post": ["a", "b"]},
                    "/stream": {"name": "stream", "get": None},
                    "/latin": {"name": "latin", "get": None},
                    "/slow": {"name": "slow", "get": None, "timeout": 0.2},
                    "/fail": {"name": "fail", "get": None},
                    "/anything": {"name": "all_methods"},
                },
                f"http://127.0.0.1:{free_port()}": {"/": {"name": "down", "get": None}},
            },
        ),
    )


def test_invoke_get_sends_arguments_as_query(services: ServicesComponent) -> None:
    response = services.invoke("echo", q="hello", n=3, tags=["a", "b"], flag=True)
    assert response.status_code == 200
    assert response.ok
    body = response.json()
    assert body["method"] == "GET"
    assert body["query"] == {"q": ["hello"], "n": ["3"], "tags": ["a", "b"], "flag": ["true"]}
    assert response.headers["content-type"].startswith("application/json")
    assert response.cookies == {"served": "yes"}
    assert json.loads(response.text) == body
    assert response.url.startswith(services.services["echo"].url)


def test_invoke_post_sends_a_form_or_json(services: ServicesComponent) -> None:
    form = services.invoke("echo", "post", a="1", b="two").json()
    assert (form["method"], form["form"]) == ("POST", {"a": ["1"], "b": ["two"]})
    body = services.invoke("echo", "put", json={"x": [1, 2]}).json()
    assert (body["method"], body["json"]) == ("PUT", {"x": [1, 2]})
    patched = services.invoke("echo", "PATCH", json={"y": 1}, params={"v": 2}).json()
    assert (patched["method"], patched["json"], patched["query"]) == (
        "PATCH",
        {"y": 1},
        {"v": ["2"]},
    )
    deleted = services.invoke("echo", "delete", id=7).json()
    assert (deleted["method"], deleted["query"]) == ("DELETE", {"id": ["7"]})


def test_headers_cookies_and_route_input_pass_through(services: ServicesComponent) -> None:
    body = services.invoke(
        "echo", headers={"X-Token": "t0k"}, cookies={"sid": "abc"}, route_input="users/42"
    ).json()
    assert body["x_token"] == "t0k"
    assert body["cookies"] == {"sid": "abc"}
    assert body["path"] == "/echo/users/42"


def test_cookies_are_not_kept_between_calls(services: ServicesComponent) -> None:
    services.invoke("echo")  # the server sets a cookie
    assert services.invoke("echo").json()["cookies"] == {}


async def test_invoke_async(services: ServicesComponent) -> None:
    response = await services.invoke_async("echo", "post", a="x")
    assert response.json()["form"] == {"a": ["x"]}
    results = await asyncio.gather(*(services.invoke_async("echo", n=i) for i in range(20)))
    assert [r.json()["query"]["n"] for r in results] == [[str(i)] for i in range(20)]
    assert len(services._sessions) == 1  # one pooled session for this loop


def test_streaming_callback_gets_the_body_in_chunks(services: ServicesComponent) -> None:
    chunks: list[bytes] = []
    response = services.invoke("stream", streaming_callback=chunks.append)
    assert response.status_code == 200
    assert b"".join(chunks) == b"".join(STREAM_CHUNKS)
    assert response.content == b""


async def test_async_streaming_callback(services: ServicesComponent) -> None:
    chunks: list[bytes] = []

    async def collect(chunk: bytes) -> None:
        chunks.append(chunk)

    await services.invoke_async("stream", streaming_callback=collect)
    assert b"".join(chunks) == b"".join(STREAM_CHUNKS)


def test_text_uses_the_charset(services: ServicesComponent) -> None:
    response = services.invoke("latin")
    assert response.encoding == "iso8859-1"
    assert response.text == "café"


def test_error_statuses_are_responses(services: ServicesComponent) -> None:
    response = services.invoke("fail")
    assert response.status_code == 418
    assert not response.ok
    assert response.json() == {"error": "nope"}


def test_unknown_service_lists_the_known_ones(services: ServicesComponent) -> None:
    with pytest.raises(UnknownServiceError, match=r"unknown service 'nope' \(configured: .*echo"):
        services.invoke("nope")


def test_method_not_enabled_lists_the_enabled_ones(services: ServicesComponent) -> None:
    with pytest.raises(
        MethodNotEnabledError, match=r"'delete' is not enabled .*'limited' \(enabled: get, post\)"
    ):
        services.invoke("limited", "delete")


def test_route_without_methods_enables_all(services: ServicesComponent) -> None:
    for method in ("get", "post", "put", "patch", "delete", "options", "option", "head"):
        assert services.invoke("all_methods", method).status_code == 404  # sent, not refused


def test_arguments_outside_the_allowed_list_are_refused(services: ServicesComponent) -> None:
    assert services.invoke("limited", q="ok").json()["query"] == {"q": ["ok"]}
    with pytest.raises(
        ServiceArgumentError, match=r"does not accept argument\(s\) x \(allowed: q\)"
    ):
        services.invoke("limited", q="ok", x="no")


def test_form_arguments_and_json_together_are_refused(services: ServicesComponent) -> None:
    with pytest.raises(ServiceError, match="not both"):
        services.invoke("echo", "post", a=1, json={"b": 2})


def test_unsendable_argument_is_refused(services: ServicesComponent) -> None:
    with pytest.raises(ServiceError, match="argument 'a': cannot send a dict"):
        services.invoke("echo", a={"nested": 1})


def test_timeout_raises_with_the_url(services: ServicesComponent) -> None:
    with pytest.raises(ServiceTimeoutError, match=r"no response within 0\.2 s") as err:
        services.invoke("slow")
    assert err.value.url.endswith("/slow")
    assert isinstance(err.value, ServiceConnectionError)
    with pytest.raises(ServiceTimeoutError, match=r"within 0\.1 s"):
        services.invoke("slow", timeout=0.1)


async def test_connection_refused_raises_with_the_url(services: ServicesComponent) -> None:
    down = services.services["down"].url
    with pytest.raises(ServiceConnectionError) as err:
        await services.invoke_async("down")
    assert err.value.url == down
    assert down in str(err.value)


def test_invoke_from_many_threads_shares_one_private_loop(services: ServicesComponent) -> None:
    errors: list[BaseException] = []
    statuses: list[int] = []

    def call() -> None:
        try:
            statuses.append(services.invoke("echo").status_code)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [200] * 10
    assert len(services._sessions) == 1


async def test_blocking_invoke_inside_a_coroutine_works(services: ServicesComponent) -> None:
    response = await asyncio.to_thread(services.invoke, "echo", q="t")
    assert response.json()["query"] == {"q": ["t"]}


async def test_dispose_closes_every_session_and_the_loop_thread(
    make_component: Callable[..., Any], base_url: str
) -> None:
    services = make_component(SERVICES, **{base_url: {"/echo": {"name": "echo", "get": None}}})
    await services.invoke_async("echo")
    await asyncio.to_thread(services.invoke, "echo")
    assert len(services._sessions) == 2
    sessions = list(services._sessions._items.values())
    await dispose(services, None)
    services.disposed = True
    assert all(session.closed for session in sessions)
    assert services._loop_thread._thread is None
    with pytest.raises(RuntimeError, match="disposed"):
        services.invoke("echo")
    with pytest.raises(RuntimeError, match="disposed"):
        await services.invoke_async("echo")
    assert services._loop_thread._thread is None  # no thread started again


def test_info_lists_services_without_passwords(make_component: Callable[..., Any]) -> None:
    services = make_component(
        SERVICES,
        **{"http://user:pw@127.0.0.1:9": {"/a": {"name": "a", "post": ["x"], "timeout": 5}}},
    )
    info = services.info()["info"]
    assert info == {
        "a": {
            "url": "http://user:***@127.0.0.1:9/a",
            "methods": {"post": ["x"]},
            "timeout": 5.0,
            "max_response_size": 10 * 1024 * 1024,
            "redirects": "same_origin",
        }
    }


def test_seed_config_block(make_component: Callable[..., Any]) -> None:
    services = make_component(
        SERVICES, **{"https://www.google.com": {"/": {"name": "google", "get": None}}}
    )
    assert services.services["google"].url == "https://www.google.com/"
    assert list(services.services["google"].methods) == ["get"]


def test_bad_config_is_one_config_error(make_component: Callable[..., Any]) -> None:
    with pytest.raises(ConfigError) as err:
        make_component(
            SERVICES,
            **{
                "http://127.0.0.1:9": {
                    "/a": {"name": "same", "get": None},
                    "/b": {"name": "same", "fetch": None},
                    "/c": {"get": None},
                    "/d": {"name": "d", "timeout": 0},
                }
            },
        )
    problems = err.value.problems
    assert any("/b.fetch: unknown key" in p for p in problems)
    assert any("/b.name: 'same' is already the name of" in p for p in problems)
    assert any("/c.name: missing required key" in p for p in problems)
    assert any("/d.timeout: expected seconds > 0" in p for p in problems)


def test_a_direct_init_reads_the_block_as_the_config_file_does() -> None:
    from hostray.web.component.optional_component.services.config import ServicesSettings
    from hostray.web.config_validator import HostrayWebConfigComponentValidator

    block = {"http://127.0.0.1:9": {"/a": {"name": "a", "post": ["x"], "option": None}}}
    validated = HostrayWebConfigComponentValidator({"services": block}).parameter["services"]
    direct = ServicesSettings.from_config(block)
    assert direct == ServicesSettings.from_config(validated)
    service = direct.services["a"]
    assert (service.timeout, service.max_response_size, service.redirects) == (
        30.0,
        10 * 1024 * 1024,
        "same_origin",
    )
    assert dict(service.methods) == {"post": ("x",), "options": None}
