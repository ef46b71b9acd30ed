"""memory_cache with the in-memory backend: the seed's methods, expiry, sweeping, save_file."""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from hostray.config import ConfigError
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component.errors import SessionValueError

from .conftest import dispose

MEMORY_CACHE = OptionalComponentTypes.MemoryCache


def test_new_session_ids_are_random_urlsafe_256_bit(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    ids = {cache.get()[1] for _ in range(200)}
    assert len(ids) == 200
    for sid in ids:
        assert len(sid) >= 43  # 32 bytes, base64url
        assert set(sid) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_get_returns_the_same_live_session(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = cache.get()
    session["user"] = "ada"
    again, same_sid = cache.get(sid)
    assert same_sid == sid
    assert again["user"] == "ada"
    assert again is session


def test_unknown_session_id_gives_a_new_empty_session(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = cache.get("not-a-session")
    assert sid != "not-a-session"
    assert dict(session) == {}


def test_expired_session_is_replaced(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=0.2)
    session, sid = cache.get()
    session["n"] = 1
    time.sleep(0.3)
    fresh, new_sid = cache.get(sid)
    assert new_sid != sid
    assert "n" not in fresh


def test_renew_id_moves_the_data_to_a_new_id(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = cache.get()
    session["cart"] = [1, 2]
    moved, new_sid = cache.get(sid, renew_id=True)
    assert new_sid != sid
    assert moved["cart"] == [1, 2]
    old, other = cache.get(sid)
    assert other not in (sid, new_sid)
    assert "cart" not in old


def test_renew_id_from_config_applies_to_every_get(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, renew_id=True)
    _, sid = cache.get()
    _, sid2 = cache.get(sid)
    _, sid3 = cache.get(sid2)
    assert len({sid, sid2, sid3}) == 3


def test_renew_lifetime_pushes_expiry(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = cache.get()
    session["n"] = 1
    first = cache.get_expired_datetime(sid)
    time.sleep(0.01)
    cache.get(sid)
    assert cache.get_expired_datetime(sid) == first
    cache.get(sid, renew_lifetime=True)
    assert cache.get_expired_datetime(sid) > first


def test_renew_lifetime_from_config(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, renew_lifetime=True)
    session, sid = cache.get()
    session["n"] = 1
    first = cache.get_expired_datetime(sid)
    time.sleep(0.01)
    cache.get(sid)
    assert cache.get_expired_datetime(sid) > first


def test_get_expired_datetime(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    before = datetime.now()
    session, sid = cache.get()
    session["n"] = 1
    expires = cache.get_expired_datetime(sid)
    assert before.timestamp() + 599 <= expires.timestamp() <= time.time() + 600
    unknown = cache.get_expired_datetime("nope")
    assert unknown <= datetime.now()


def test_clear_session_really_clears(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = cache.get()
    session["user"] = "ada"
    cache.clear_session(sid)
    fresh, new_sid = cache.get(sid)
    assert new_sid != sid
    assert "user" not in fresh
    cache.clear_session("unknown-id")  # ignored


async def test_async_methods_match_the_blocking_ones(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = await cache.get_async()
    session["k"] = "v"
    again, same = await cache.get_async(sid)
    assert (again["k"], same) == ("v", sid)
    assert await cache.save_session_async(sid, again) is True
    assert await cache.get_expired_datetime_async(sid) == cache.get_expired_datetime(sid)
    await cache.clear_session_async(sid)
    assert await cache.save_session_async(sid, again) is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "['bad'] of type set cannot be stored"),
        (object(), "of type object cannot be stored"),
        ((1, 2), "of type tuple cannot be stored"),
        (b"bytes", "of type bytes cannot be stored"),
        ({"inner": [1, {2}]}, "['bad']['inner'][1] of type set"),
        ({1: "x"}, "session key 1 in ['bad'] must be a str"),
    ],
)
def test_unstorable_values_are_rejected_when_set(
    make_component: Callable[..., Any], value: object, message: str
) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, _ = cache.get()
    with pytest.raises(SessionValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        session["bad"] = value
    assert "bad" not in session


def test_update_is_all_or_nothing(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, _ = cache.get()
    with pytest.raises(SessionValueError, match="'b'"):
        session.update(a=1, b=object())
    assert dict(session) == {}
    with pytest.raises(SessionValueError):
        session.setdefault("c", {3})
    with pytest.raises(SessionValueError):
        session |= {"d": object()}
    assert dict(session) == {}


def test_save_file_round_trip_as_json(make_component: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "state" / "sessions.json"
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    session, sid = cache.get()
    stamp = datetime(2024, 5, 1, 12, 30, 15, 123456)
    aware = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)
    session.update(
        user="ada",
        when=stamp,
        aware=aware,
        day=date(2024, 5, 1),
        nested={"list": [1, 2.5, None, True, stamp]},
    )
    expires = cache.get_expired_datetime(sid)
    cache.save_to_file()

    document = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, no pickle
    assert document["format"] == "hostray-sessions/1"
    assert [entry["id"] for entry in document["sessions"]] == [sid]
    assert os.listdir(path.parent) == ["sessions.json"]  # no temporary file left

    restored = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    again, same = restored.get(sid)
    assert same == sid
    assert dict(again) == dict(session)
    assert type(again["when"]) is datetime and again["aware"].tzinfo is not None
    assert type(again["day"]) is date
    assert restored.get_expired_datetime(sid) == expires


async def test_sessions_survive_a_restart_through_dispose(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "sessions.json"
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    session, sid = cache.get()
    session["user"] = "ada"
    await dispose(cache, None)
    cache.disposed = True

    restarted = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    again, same = restarted.get(sid)
    assert (same, again["user"]) == (sid, "ada")


def test_relative_save_file_is_under_root_dir(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    cache = make_component(
        MEMORY_CACHE, sess_lifetime=600, save_file="cache.json", root_dir=str(tmp_path)
    )
    cache.get()
    cache.save_to_file()
    assert (tmp_path / "cache.json").is_file()


def test_expired_sessions_are_neither_saved_nor_loaded(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "sessions.json"
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    for _ in range(2):
        cache.get()[0]["n"] = 1
    old, live = list(cache.store.entries)
    cache.store.entries[old].expires = time.time() - 1  # its lifetime has passed
    cache.save_to_file()
    assert [entry["id"] for entry in json.loads(path.read_text())["sessions"]] == [live]

    now = time.time()
    sessions = [
        {"id": "gone", "expires": now - 1, "data": {}},
        {"id": "kept", "expires": now + 600, "data": {"a": 1}},
    ]
    path.write_text(json.dumps({"format": "hostray-sessions/1", "sessions": sessions}))
    restored = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    assert restored.get("kept") == ({"a": 1}, "kept")
    assert restored.get("gone")[1] != "gone"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        pickle.dumps({"sid": {"expired": datetime.now(), "session": {}}}),
        b'{"format": "hostray-sessions/1", "sessions": [{"id": 1}]}',
        b'["a list"]',
    ],
    ids=["broken-json", "old-pickle", "bad-entry", "wrong-shape"],
)
def test_corrupt_save_file_is_moved_aside_and_the_cache_starts(
    make_component: Callable[..., Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    content: bytes,
) -> None:
    path = tmp_path / "sessions.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="hostray.web.memory_cache"):
        cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    assert not path.exists()
    aside = [p for p in os.listdir(tmp_path) if p.startswith("sessions.json.corrupt-")]
    assert len(aside) == 1
    assert (tmp_path / aside[0]).read_bytes() == content
    assert any(str(path) in record.getMessage() for record in caplog.records)
    session, sid = cache.get()
    assert dict(session) == {}
    session["n"] = 1
    cache.save_to_file()
    assert json.loads(path.read_text())["sessions"][0]["id"] == sid


def test_a_session_changed_in_place_with_unstorable_data_is_skipped_with_an_error(
    make_component: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "sessions.json"
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    good, good_id = cache.get()
    good["ok"] = 1
    bad, _ = cache.get()
    bad["items"] = []
    bad["items"].append(object())  # in place: not seen when set
    with caplog.at_level(logging.ERROR, logger="hostray.web.memory_cache"):
        cache.save_to_file()
    assert "cannot be stored" in caplog.text
    assert [e["id"] for e in json.loads(path.read_text())["sessions"]] == [good_id]


def test_expired_sessions_are_swept_on_a_timer(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=0.1)
    store = cache.store
    swept = threading.Event()
    sweep = store.sweep
    removed = []

    def observed_sweep() -> int:
        count: int = sweep()
        removed.append(count)
        if sum(removed) == 1000:
            swept.set()
        return count

    store.sweep = observed_sweep
    for _ in range(1000):
        cache.get()[0]["n"] = 1  # never touched again: only the timer can remove them
    assert swept.wait(60), "the sweep timer never removed every expired session"
    assert len(store) == 0


def test_save_interval_writes_the_file_periodically(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "sessions.json"
    cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path), save_interval=0.05)
    store = cache.store
    saved = threading.Event()
    save = store.save_to_file

    def observed_save() -> None:
        save()
        saved.set()

    store.save_to_file = observed_save
    session, sid = cache.get()
    session["user"] = "ada"
    assert saved.wait(60), "no periodic save happened"
    entries = json.loads(path.read_text())["sessions"]
    assert any(entry["id"] == sid for entry in entries)


def test_concurrent_gets_and_writes_are_safe(make_component: Callable[..., Any]) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    shared, shared_id = cache.get()
    shared["started"] = True
    errors: list[BaseException] = []
    made: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            for i in range(300):
                session, _ = cache.get(shared_id)
                session[f"t{n}"] = i
                mine, own = cache.get()
                mine["n"] = n
                with lock:
                    made.append(own)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {shared[f"t{n}"] for n in range(8)} == {299}
    assert len(set(made)) == 8 * 300
    assert len(cache.store) == 8 * 300 + 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"sess_lifetime": 0}, "sess_lifetime: expected seconds > 0"),
        ({"sess_lifetime": 60, "backend": "mongo"}, "backend: expected one of"),
        ({"sess_lifetime": 60, "save_interval": -1}, "save_interval: expected seconds > 0"),
        ({"sess_lifetime": 60, "save_interval": 5}, "save_interval: needs save_file"),
    ],
)
def test_bad_config_is_a_config_error(
    make_component: Callable[..., Any], config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_component(MEMORY_CACHE, **config)


def test_info_shows_settings(make_component: Callable[..., Any], tmp_path: Path) -> None:
    cache = make_component(
        MEMORY_CACHE, sess_lifetime=600, save_file=str(tmp_path / "s.json"), renew_id=True
    )
    cache.get()[0]["n"] = 1
    info = cache.info()["info"]
    assert info["sess_lifetime"] == 600
    assert info["renew_id"] is True
    assert info["backend"] == "memory"
    assert info["sessions"] == 1


def test_unfinished_saves_left_by_a_crash_are_removed_at_start(
    make_component: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps({"format": "hostray-sessions/1", "sessions": []}))
    leftovers = [tmp_path / f".sessions.json.{n}abc.tmp" for n in range(5)]
    for leftover in leftovers:
        leftover.write_bytes(b'{"format":"hostray-sessions/1","sessions":[{"id":"x"')
    other = tmp_path / ".other.json.1abc.tmp"  # another file's: not ours to remove
    other.write_text("{}")
    with caplog.at_level(logging.WARNING, logger="hostray.web.memory_cache"):
        make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    assert sorted(os.listdir(tmp_path)) == [".other.json.1abc.tmp", "sessions.json"]
    assert "removed 5 unfinished save(s)" in caplog.text


def test_a_deeply_nested_save_file_is_moved_aside(
    make_component: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "sessions.json"
    depth = 100_000
    path.write_text('{"format":"hostray-sessions/1","sessions":' + "[" * depth + "]" * depth + "}")
    with caplog.at_level(logging.WARNING, logger="hostray.web.memory_cache"):
        cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    assert not path.exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith("sessions.json.corrupt-")]
    assert "nested too deeply" in caplog.text
    assert dict(cache.get()[0]) == {}


def test_save_file_entries_that_cannot_be_sessions_are_skipped_one_line_each(
    make_component: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "sessions.json"
    now = time.time()
    live = str(now + 600)
    entries = [
        '{"id":"","expires":LIVE,"data":{"handed":"to everyone"}}',
        '{"id":"forever","expires":Infinity,"data":{}}',
        '{"id":"nan","expires":NaN,"data":{}}',
        '{"id":"huge","expires":1' + "0" * 400 + ',"data":{}}',
        '{"id":"bad id!","expires":LIVE,"data":{}}',
        '{"id":"far","expires":1e300,"data":{"far":1}}',
        '{"id":"kept","expires":LIVE,"data":{"n":1}}',
    ]
    text = '{"format":"hostray-sessions/1","sessions":[' + ",".join(entries) + "]}"
    path.write_text(text.replace("LIVE", live))
    with caplog.at_level(logging.WARNING, logger="hostray.web.memory_cache"):
        cache = make_component(MEMORY_CACHE, sess_lifetime=600, save_file=str(path))
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 5
    assert all("\n" not in line and str(path) in line for line in skipped)
    for index in (0, 1, 2, 3, 4):
        assert any(f"session #{index} skipped" in line for line in skipped)
    assert path.exists()  # the file itself was fine: it is kept
    session, sid = cache.get("")
    assert sid != "" and dict(session) == {}  # a cookieless client gets a session of its own
    assert cache.get("kept") == ({"n": 1}, "kept")
    assert cache.get("far") == ({"far": 1}, "far")  # an expiry past one lifetime is cut to it
    assert cache.get_expired_datetime("far").timestamp() <= time.time() + 600
    assert set(cache.store.entries) == {"kept", "far"}


def test_a_session_is_stored_by_its_first_change_and_never_waits_to_be_saved(
    make_component: Callable[..., Any],
) -> None:
    cache = make_component(MEMORY_CACHE, sess_lifetime=600)
    session, sid = cache.get()
    assert (session.stored, len(cache.store)) == (False, 0)
    session["user"] = "ada"
    assert (session.stored, session.modified, len(cache.store)) == (True, False, 1)
    session["user"] = "bob"  # the store holds this very dict: nothing to write back
    assert session.modified is False
    assert cache.get(sid)[0] is session
