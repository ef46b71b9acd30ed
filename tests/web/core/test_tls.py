"""TLS with real handshakes: crt + key serve HTTPS; `ca` requires client certificates."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
import trustme
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler

from hostray.config import ConfigError
from hostray.web.project import Project, RouteSpec
from hostray.web.server import HostrayServer


class Hello(RequestHandler):
    def get(self) -> None:
        cert = self.request.get_ssl_certificate()
        subject = dict(x[0] for x in cast(dict[str, Any], cert)["subject"]) if cert else {}
        self.write(f"hello {subject.get('commonName', 'anonymous')}")


@pytest.fixture
def server_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def client_ca() -> trustme.CA:
    return trustme.CA()


def tls_files(
    tmp_path: Path, server_ca: trustme.CA, client_ca: trustme.CA | None
) -> dict[str, str]:
    cert = server_ca.issue_cert("127.0.0.1", "localhost")
    crt, key = tmp_path / "server.crt", tmp_path / "server.key"
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(crt), append=True)
    cert.private_key_pem.write_to_path(str(key))
    files = {"crt": str(crt), "key": str(key)}
    if client_ca is not None:
        ca = tmp_path / "clients.ca"
        client_ca.cert_pem.write_to_path(str(ca))
        files["ca"] = str(ca)
    return files


def tls_server(ssl_config: dict[str, str]) -> HostrayServer:
    config: dict[str, Any] = {
        "port": 0,
        "address": "127.0.0.1",
        "debug": False,
        "shutdown_timeout": 5.0,
        "ssl": ssl_config,
    }
    project = Project("/nonexistent", config, "tls", routes=[RouteSpec("/hello", Hello, {})])
    return HostrayServer(project)


@pytest.fixture
async def started() -> AsyncIterator[list[HostrayServer]]:
    servers: list[HostrayServer] = []
    yield servers
    for server in servers:
        await server.stop()


async def fetch(server: HostrayServer, context: ssl.SSLContext) -> Any:
    client = AsyncHTTPClient(force_instance=True)
    try:
        return await client.fetch(
            f"https://127.0.0.1:{server.port}/hello", ssl_options=context, request_timeout=30
        )
    finally:
        client.close()


def client_context(
    server_ca: trustme.CA, identity: trustme.LeafCert | None = None
) -> ssl.SSLContext:
    context = ssl.create_default_context()
    server_ca.configure_trust(context)
    if identity is not None:
        identity.configure_cert(context)
    return context


async def test_https_with_certificate_chain(
    tmp_path: Path, server_ca: trustme.CA, started: list[HostrayServer]
) -> None:
    server = tls_server(tls_files(tmp_path, server_ca, None))
    await server.start()
    started.append(server)
    response = await fetch(server, client_context(server_ca))
    assert response.body == b"hello anonymous"


async def test_client_not_trusting_the_server_certificate_fails(
    tmp_path: Path, server_ca: trustme.CA, started: list[HostrayServer]
) -> None:
    server = tls_server(tls_files(tmp_path, server_ca, None))
    await server.start()
    started.append(server)
    with pytest.raises(ssl.SSLCertVerificationError):
        await fetch(server, client_context(trustme.CA()))


async def test_ca_requires_a_client_certificate_signed_by_it(
    tmp_path: Path, server_ca: trustme.CA, client_ca: trustme.CA, started: list[HostrayServer]
) -> None:
    server = tls_server(tls_files(tmp_path, server_ca, client_ca))
    await server.start()
    started.append(server)

    identity = client_ca.issue_cert("alice@example.test", common_name="alice")
    response = await fetch(server, client_context(server_ca, identity))
    assert response.body == b"hello alice"

    failures = (ssl.SSLError, StreamClosedError, ConnectionError, HTTPClientError)
    with pytest.raises(failures):
        await fetch(server, client_context(server_ca))  # no client certificate
    stranger = trustme.CA().issue_cert("mallory@example.test", common_name="mallory")
    with pytest.raises(failures):
        await fetch(server, client_context(server_ca, stranger))  # signed by another CA


def test_unreadable_certificate_is_a_config_error_naming_the_keys(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.crt"
    bogus.write_text("not a certificate")
    (tmp_path / "some.key").write_text("not a key either")
    server = tls_server({"crt": str(bogus), "key": str(tmp_path / "some.key")})
    with pytest.raises(ConfigError, match=r"ssl\.crt/ssl\.key: cannot load .*bogus\.crt"):
        asyncio.run(server.start())


def test_a_missing_key_file_is_named_alone(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.crt"
    bogus.write_text("not a certificate")
    server = tls_server({"crt": str(bogus), "key": str(tmp_path / "missing.key")})
    with pytest.raises(ConfigError) as caught:
        asyncio.run(server.start())
    (problem,) = caught.value.problems
    assert problem.endswith(f": ssl.key: no such file: {tmp_path / 'missing.key'}")
