"""Sessions for controllers without boilerplate: `session = await self.get_session()`.

The session id travels in a cookie (HttpOnly, SameSite=Lax, Secure when the request came over
TLS); the session itself lives in the `memory_cache` component, in memory or in Redis. A session
with changes not yet in its store (`modified`: Redis) is written back before the response is sent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from tornado.web import HTTPError

from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component.errors import SessionStoreUnavailableError

if TYPE_CHECKING:
    from tornado.web import RequestHandler

    from hostray.web.component import ComponentManager
    from hostray.web.component.optional_component import MemoryCacheComponent
    from hostray.web.component.optional_component.memory_cache.session_data import SessionDict

    _Handler = RequestHandler
else:
    _Handler = object

__all__ = ["SessionMixin"]

logger = logging.getLogger("hostray.web.memory_cache")


class SessionMixin(_Handler):
    """Mixed into `RequestController`: `get_session`, `session_id`, `save_session`,
    `clear_session`. Needs the `memory_cache` component."""

    session_cookie_name: str = "hostray_session"
    """Name of the cookie holding the session id; override per controller class if needed."""

    _hostray_session: SessionDict | None = None
    _hostray_session_id: str = ""
    _hostray_finishing: asyncio.Future[None] | None = None

    if TYPE_CHECKING:

        @property
        def component_manager(self) -> ComponentManager: ...

    @property
    def session_id(self) -> str:
        """The id of the session `get_session` returned ('' before it was called)."""
        return self._hostray_session_id

    def _memory_cache(self) -> MemoryCacheComponent:
        cache = self.component_manager.get_component(OptionalComponentTypes.MemoryCache)
        if cache is None:
            raise RuntimeError(
                f"{type(self).__name__}: sessions need the memory_cache component; "
                "add it to the component block of server_config.yaml"
            )
        return cache

    async def get_session(
        self, renew_lifetime: bool = False, renew_id: bool = False
    ) -> SessionDict:
        """The session of this request's cookie (a new one when it has none or it expired);
        sets the cookie when the id is new or the lifetime was renewed. 503 when Redis is down."""
        if self._hostray_session is not None and not (renew_lifetime or renew_id):
            return self._hostray_session
        cache = self._memory_cache()
        sent = self._hostray_session_id or self.get_cookie(self.session_cookie_name) or ""
        try:
            session, session_id = await cache.get_async(sent, renew_lifetime, renew_id)
        except SessionStoreUnavailableError as exc:
            raise HTTPError(503, "%s", "session store unavailable, retry later") from exc
        self._hostray_session, self._hostray_session_id = session, session_id
        if session_id != sent or renew_lifetime or cache.renew_lifetime:
            self.set_cookie(
                self.session_cookie_name,
                session_id,
                path="/",
                max_age=int(cache.sess_lifetime),
                httponly=True,
                secure=self.request.protocol == "https",
                samesite="Lax",
            )
        return session

    async def save_session(self) -> None:
        """Write the session's changes now (done for you before the response is sent)."""
        session = self._hostray_session
        if session is not None and session.modified:
            await self._memory_cache().save_session_async(self._hostray_session_id, session)

    async def clear_session(self) -> None:
        """Delete the session (logout) and its cookie."""
        cache = self._memory_cache()
        session_id = self._hostray_session_id or self.get_cookie(self.session_cookie_name)
        if session_id:
            await cache.clear_session_async(session_id)
        self._hostray_session, self._hostray_session_id = None, ""
        self.clear_cookie(self.session_cookie_name, path="/")

    def finish(self, chunk: Any = None) -> asyncio.Future[None]:
        """Finish the response, first writing back changes the store does not hold yet (Redis)."""
        if self._hostray_finishing is not None:
            return self._hostray_finishing
        session = self._hostray_session
        if session is None or not session.modified:
            return super().finish(chunk)
        self._hostray_finishing = asyncio.ensure_future(self._save_then_finish(chunk))
        return self._hostray_finishing

    async def _save_then_finish(self, chunk: Any) -> None:
        try:
            await self.save_session()
        except SessionStoreUnavailableError as exc:
            # The store logged the outage once; one line per request would bury it.
            logger.debug("session %s… not saved: %s", self._hostray_session_id[:6], exc)
            if not self._headers_written:
                self.clear()
                self.set_status(503)
                self.set_header("Content-Type", "text/plain; charset=UTF-8")
                chunk = "503 Service Unavailable: session store unavailable, retry later\n"
        await super().finish(chunk)
