"""`add_engine_hook`: every engine `create_orm_engine` makes is handed to the hooks first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event, text

from hostray.orm import DB_MODULE_NAME, add_engine_hook, create_orm_engine, remove_engine_hook


def test_a_hook_sees_each_new_engine_until_it_is_removed(tmp_path: Path) -> None:
    seen: list[Engine] = []
    statements: list[str] = []

    def hook(engine: Engine) -> None:
        seen.append(engine)
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    add_engine_hook(hook)
    add_engine_hook(hook)  # once is enough
    try:
        engine = create_orm_engine(DB_MODULE_NAME.SQLITE_FILE, file_name=str(tmp_path / "a.db"))
        memory = create_orm_engine("sqlite_memory")
    finally:
        remove_engine_hook(hook)
    after = create_orm_engine("sqlite_memory")
    try:
        assert seen == [engine, memory]
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert "SELECT 1" in statements
    finally:
        for made in (engine, memory, after):
            made.dispose()
    remove_engine_hook(hook)  # a second removal is a no-op
