"""The project of the channels scenarios: a websocket room on the `channels` component.

`/room` joins channel `room` on open, then sends `pid:<server pid>` so a client knows which
process serves it; every text it receives is broadcast to the room (the sender included). When
Redis is down the broadcast fails and the socket gets `unavailable` instead. `/hello` answers
plain HTTP, to show the server keeps serving meanwhile.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

__all__ = ["write_channels_project"]

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType


class ChannelsControllerTypes(ControllerType):
    Room = ("channels_room", "room", "RoomController")
    Hello = ("channels_hello", "room", "HelloController")
"""

ROOM = """\
import os

from hostray.web.component.optional_component.errors import ChannelsUnavailableError
from hostray.web.controller import RequestController, WebSocketController


class RoomController(WebSocketController):
    async def open(self):
        await self.join("room")
        self.write_message(f"pid:{os.getpid()}")

    async def on_message(self, message):
        try:
            await self.broadcast("room", message)
        except ChannelsUnavailableError:
            self.write_message("unavailable")


class HelloController(RequestController):
    def get(self):
        self.write("hello")
"""


def write_channels_project(root: Path, channels: dict[str, object]) -> Path:
    """Write the project under `root` with `channels` as the component's block."""
    config = {
        "name": "channels",
        "port": 8888,
        "debug": False,
        "shutdown_timeout": 5,
        "controller": {
            "/room": {"enum": "channels_room"},
            "/hello": {"enum": "channels_hello"},
        },
        "component": {"channels": channels},
    }
    files = {
        "server_config.yaml": json.dumps(config, indent=2),  # JSON is YAML
        "controller/__init__.py": CONTROLLER_INIT,
        "controller/room.py": ROOM,
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
