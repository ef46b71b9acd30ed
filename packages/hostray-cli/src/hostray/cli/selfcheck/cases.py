"""The self-check's test cases: components, then controllers end to end over loopback HTTP."""

from __future__ import annotations

import threading
import unittest
from enum import Enum
from typing import Any, ClassVar

from tornado.websocket import websocket_connect

from hostray.web.component import DefaultComponentTypes, OptionalComponentTypes

from .handlers import SELFCHECK_BASE, PersonAccessor, orm_db_of
from .harness import CALL_TIMEOUT, SelfCheckServer

__all__ = ["ComponentsCheck", "ControllersCheck", "SelfCheckCase", "prepare"]


class _Event(Enum):
    Checked = "checked"


class SelfCheckCase(unittest.TestCase):
    """Base of the checks: `server` is the running self-check server, set by the runner."""

    server: ClassVar[SelfCheckServer]

    def component(self, component_type: Any) -> Any:
        found = self.server.components.get_component(component_type)
        self.assertIsNotNone(found, f"component {component_type.key} is not loaded")
        return found


class ComponentsCheck(SelfCheckCase):
    """Every default component, `memory_cache`, `orm_db` and `services`, called directly."""

    def test_localization(self) -> None:
        local = self.component(DefaultComponentTypes.Localization)
        self.assertEqual(local.get_message(10000), "this is code 10000")
        local.set_language("tw")
        try:
            self.assertEqual(local.get_message(10001, "hostray"), "你好 hostray")
        finally:
            local.set_language("en")
        self.assertEqual(local.get_message(10001, "hostray"), "hello hostray")

    def test_logger(self) -> None:
        logger = self.component(DefaultComponentTypes.Logger).get_logger("hostray_selfcheck")
        with self.assertLogs(logger, "INFO") as logs:
            logger.info("self-check message")
        self.assertIn("self-check message", logs.output[0])
        self.assertEqual(list(self.server.root.rglob("*.log")), [])

    def test_callback(self) -> None:
        callbacks = self.component(DefaultComponentTypes.Callback)
        received: list[tuple[str, int]] = []

        def on_checked(value: int) -> None:
            received.append(("sync", value))

        async def on_checked_async(value: int) -> None:
            received.append(("async", value))

        callbacks.add_callback(_Event.Checked, on_checked)
        callbacks.add_callback(_Event.Checked, on_checked_async)
        try:
            self.server.call(callbacks.execute_callback_async(_Event.Checked, 7))
        finally:
            callbacks.remove_callback(_Event.Checked, on_checked)
            callbacks.remove_callback(_Event.Checked, on_checked_async)
        self.assertCountEqual(received, [("sync", 7), ("async", 7)])

    def test_worker_pool(self) -> None:
        pools = self.component(DefaultComponentTypes.WorkerPool)
        self.assertEqual(pools.run_method(pow, 2, 10), 1024)
        thread = self.server.call(pools.run_method_async(threading.get_ident))
        self.assertNotEqual(thread, threading.get_ident())

    def test_task_queue(self) -> None:
        queue = self.component(DefaultComponentTypes.TaskQueue)
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def on_finish(result: Any) -> None:
            outcome["result"] = result
            done.set()

        def on_exception(exc: Exception) -> None:
            outcome["error"] = exc
            done.set()

        queue.run_method_in_queue(sum, [1, 2, 3], on_finish=on_finish, on_exception=on_exception)
        self.assertTrue(done.wait(CALL_TIMEOUT), "the queued task did not finish")
        self.assertEqual(outcome, {"result": 6})

        done.clear()
        outcome.clear()
        queue.run_method_in_queue(int, "x", on_finish=on_finish, on_exception=on_exception)
        self.assertTrue(done.wait(CALL_TIMEOUT), "the failing task did not report")
        self.assertIsInstance(outcome.get("error"), ValueError)

    def test_memory_cache(self) -> None:
        cache = self.component(OptionalComponentTypes.MemoryCache)
        session, session_id = cache.get()
        session["number"] = 1
        cache.save_session(session_id, session)
        again, same_id = cache.get(session_id)
        self.assertEqual((again.get("number"), same_id), (1, session_id))
        renewed, new_id = cache.get(session_id, renew_lifetime=True, renew_id=True)
        self.assertNotEqual(new_id, session_id)
        self.assertEqual(renewed.get("number"), 1)
        cache.clear_session(new_id)
        cleared, _ = cache.get(new_id)
        self.assertNotIn("number", cleared)

    def test_orm_db(self) -> None:
        orm = self.component(OptionalComponentTypes.OrmDB)
        accessor = PersonAccessor()
        with orm.reserve_worker("db_0") as identity:
            entity = orm.run_accessor(
                "db_0", accessor.add, name="direct", age=30, secret="s", identity=identity
            )
            orm.run_accessor("db_0", accessor.save, identity=identity)
            orm.run_accessor("db_0", accessor.refresh, entity, identity=identity)
        row = entity.to_dict()
        self.assertEqual((row["name"], row["age"], row["secret"]), ("direct", 30, "s"))
        self.assertNotIn("secret", entity.to_client_dict())
        self.assertEqual(orm.get_db_settings("db_0")["module"], "sqlite_memory")

    def test_services(self) -> None:
        services = self.component(OptionalComponentTypes.Service)
        response = self.server.call(services.invoke_async("alive"))
        self.assertEqual((response.status_code, response.content), (200, b"1"))
        response = services.invoke("greeting", name="service")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"hello service", response.content)


class ControllersCheck(SelfCheckCase):
    """Built-in and project controllers, reached over HTTP and websockets."""

    def test_server_alive(self) -> None:
        response = self.server.request("/alive")
        self.assertEqual((response.status, response.text), (200, "1"))

    def test_components_info(self) -> None:
        info = self.server.request("/components_info").json()["info"]
        expected = {
            "localization",
            "logger",
            "callback",
            "worker_pool",
            "task_queue",
            "memory_cache",
            "orm_db",
            "services",
        }
        self.assertLessEqual(expected, set(info))

    def test_frontend(self) -> None:
        response = self.server.request("/")
        self.assertEqual(response.status, 200)
        self.assertIn("hostray self-check frontend", response.text)
        self.assertEqual(self.server.request("/missing.html").status, 404)

    def test_request_controller_with_components(self) -> None:
        body = self.server.request("/selfcheck/greeting?name=you").json()
        self.assertEqual(body, {"message": "hello you", "code_10000": "this is code 10000"})

    def test_orm_controller(self) -> None:
        form = {"name": "someone", "age": "41", "secret": "hidden"}
        created = self.server.request("/selfcheck/person", "POST", form).json()
        self.assertEqual((created["name"], created["age"]), ("someone", 41))
        self.assertNotIn("secret", created)
        loaded = self.server.request(f"/selfcheck/person?id={created['id']}").json()
        self.assertEqual(loaded, created)
        self.assertEqual(self.server.request("/selfcheck/person?id=999999").status, 404)

    def test_session_controller(self) -> None:
        first = self.server.request("/selfcheck/session").json()
        second = self.server.request(f"/selfcheck/session?sid={first['sid']}").json()
        self.assertEqual((first["visits"], second["visits"]), (1, 2))
        self.assertEqual(second["sid"], first["sid"])

    def test_services_from_a_controller(self) -> None:
        body = self.server.request("/selfcheck/relay").json()
        self.assertEqual(body, {"status": 200, "body": "1"})

    def test_websocket_echo(self) -> None:
        async def exchange() -> list[Any]:
            connection = await websocket_connect(self.server.url("/selfcheck/socket", "ws"))
            try:
                await connection.write_message("hello there")
                text = await connection.read_message()
                await connection.write_message(b"\x00\x01", binary=True)
                data = await connection.read_message()
            finally:
                connection.close()
            return [text, data]

        self.assertEqual(self.server.call(exchange()), ["hello there", b"\x00\x01"])


def prepare(server: SelfCheckServer) -> None:
    """Give the checks their server and create the self-check's table in `db_0`."""
    SelfCheckCase.server = server
    orm_db_of(server.components).init_db_declarative_base("db_0", SELFCHECK_BASE)
