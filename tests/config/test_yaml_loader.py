"""load_yaml: safe_load plus env substitution, duplicate keys, positions and clear errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hostray.config import (
    ConfigContainerMeta,
    ConfigDict,
    ConfigElementMeta,
    ConfigError,
    ConfigScalableContainerMeta,
    ConfigSwitchableElementMeta,
    load_yaml,
    location_of,
)


def write(tmp_path: Path, text: str, name: str = "server_config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def errors(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_yaml(path, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def test_plain_file_loads_like_safe_load_and_remembers_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        name: hello
        port: 8888
        debug: false
        component:
          worker_pool:
            default: 2
        routes: [a, b]
        """,
    )
    data = load_yaml(path)
    assert data == {
        "name": "hello",
        "port": 8888,
        "debug": False,
        "component": {"worker_pool": {"default": 2}},
        "routes": ["a", "b"],
    }
    assert isinstance(data, dict)
    assert isinstance(data["component"], ConfigDict)
    assert location_of(data, "debug") == f"{path}:3"
    assert location_of(data["component"]["worker_pool"], "default") == f"{path}:6"


def test_environment_substitution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        """
        port: ${HOSTRAY_TEST_PORT}
        ratio: ${HOSTRAY_TEST_UNSET:-0.5}
        debug: ${HOSTRAY_TEST_DEBUG:-false}
        password: "${HOSTRAY_TEST_PASSWORD}"
        url: mysql://${HOSTRAY_TEST_USER:-root}@127.0.0.1/${HOSTRAY_TEST_DB:-test}
        literal: $${HOSTRAY_TEST_PORT}
        empty_uses_default: ${HOSTRAY_TEST_EMPTY:-fallback}
        """,
    )
    monkeypatch.setenv("HOSTRAY_TEST_PORT", "9000")
    monkeypatch.setenv("HOSTRAY_TEST_PASSWORD", "123")
    monkeypatch.setenv("HOSTRAY_TEST_EMPTY", "")
    monkeypatch.setenv("HOSTRAY_TEST_DB", "prod")
    monkeypatch.delenv("HOSTRAY_TEST_UNSET", raising=False)
    monkeypatch.delenv("HOSTRAY_TEST_DEBUG", raising=False)
    monkeypatch.delenv("HOSTRAY_TEST_USER", raising=False)
    assert load_yaml(path) == {
        "port": 9000,  # a plain scalar is typed after substitution
        "ratio": 0.5,
        "debug": False,
        "password": "123",  # a quoted one stays a string
        "url": "mysql://root@127.0.0.1/prod",
        "literal": "${HOSTRAY_TEST_PORT}",
        "empty_uses_default": "fallback",
    }
    assert (
        load_yaml(path, environ={"HOSTRAY_TEST_PORT": "1", "HOSTRAY_TEST_PASSWORD": ""})["port"]
        == 1
    )


def test_unset_variables_without_default_are_all_named(tmp_path: Path) -> None:
    path = write(tmp_path, "a: ${HOSTRAY_X}\nb:\n  c: x${HOSTRAY_Y}y\n")
    assert errors(path, environ={}) == [
        f"{path}:1: environment variable 'HOSTRAY_X' is not set "
        "(write ${HOSTRAY_X:-default} to give a default)",
        f"{path}:3: environment variable 'HOSTRAY_Y' is not set "
        "(write ${HOSTRAY_Y:-default} to give a default)",
    ]


def test_duplicate_keys_are_errors_merge_keys_are_not(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        port: 1
        component:
          logger: {dir: a}
          logger: {dir: b}
        port: 2
        """,
    )
    assert errors(path) == [
        f"{path}:4: duplicate key 'logger' (first on line 3)",
        f"{path}:5: duplicate key 'port' (first on line 1)",
    ]
    merged = write(tmp_path, "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n", "m.yaml")
    assert load_yaml(merged)["other"] == {"x": 1, "y": 3}


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "name: hello\nport: [1, 2\ndebug: true\n")
    (problem,) = errors(path)
    assert problem.startswith(f"{path}:3:")
    assert "YAML syntax error" in problem
    assert "\n" not in problem
    tabbed = write(tmp_path, "a:\n\tb: 1\n", "tab.yaml")
    (problem,) = errors(tabbed)
    assert problem.startswith(f"{tabbed}:2:1: YAML syntax error:")


def test_unsafe_tags_are_refused_with_position(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: !!python/object:os.system x\n")
    (problem,) = errors(path)
    assert problem.startswith(f"{path}:2:")


def test_empty_file_and_non_mapping_top_level(tmp_path: Path) -> None:
    empty = write(tmp_path, "# only a comment\n", "empty.yaml")
    assert errors(empty) == [f"{empty}: the file is empty; expected a mapping of settings"]
    listed = write(tmp_path, "- a\n- b\n", "list.yaml")
    assert errors(listed) == [
        f"{listed}:1: expected a mapping of settings at the top level, got list"
    ]


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    (problem,) = errors(missing)
    assert problem.startswith(f"{missing}: cannot read the file:")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"a: \xff\xfe\n")
    (problem,) = errors(binary)
    assert problem.startswith(f"{binary}: not UTF-8 text")


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: héllo\n".encode())
    assert load_yaml(path) == {"name": "héllo"}


def test_validator_problems_name_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        name: hello
        port: "8888"
        debgu: true
        component:
          orm_db:
            db_0:
              module: oracle
            db_1:
              module: sqlite
        """,
    )
    validator = ConfigContainerMeta(
        "",
        True,
        ConfigElementMeta("name", str, False),
        ConfigElementMeta("port", int, False),
        ConfigElementMeta("debug", bool, True),
        ConfigContainerMeta(
            "component",
            False,
            ConfigContainerMeta(
                "orm_db",
                False,
                ConfigScalableContainerMeta(
                    str,
                    ConfigSwitchableElementMeta(
                        "module",
                        str,
                        True,
                        ConfigContainerMeta(
                            "sqlite", False, ConfigElementMeta("file_name", str, True)
                        ),
                        ConfigContainerMeta("mysql", False, ConfigElementMeta("host", str, True)),
                    ),
                ),
            ),
        ),
    )
    with pytest.raises(ConfigError) as info:
        validator(load_yaml(path))
    assert info.value.problems == [
        f"{path}:2: port: expected int, got '8888' (str)",
        f"{path}:1: debug: missing required key",
        f"{path}:7: component.orm_db.db_0.module: expected one of 'sqlite', 'mysql', got 'oracle'",
        f"{path}:8: component.orm_db.db_1.file_name: missing required key",
        f"{path}:3: debgu: unknown key, did you mean 'debug'?",
    ]


def billion_laughs(levels: int) -> str:
    """A file whose last anchor expands to 9**levels strings."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_aliases_that_expand_past_the_budget_are_refused_with_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, billion_laughs(9))
    assert path.stat().st_size < 1024
    [problem] = errors(path)
    assert problem.startswith(f"{path}:")
    assert "aliases expand to more than 10000 nodes" in problem


def test_ordinary_aliases_and_merge_keys_still_load(tmp_path: Path) -> None:
    data = load_yaml(write(tmp_path, billion_laughs(2)))
    assert data["a2"][8][8][8] == "lol"
    merged = load_yaml(
        write(
            tmp_path,
            """
            base: &base {host: 127.0.0.1, port: 3306}
            one: {<<: *base, db_name: one}
            two: {<<: *base, db_name: two}
            """,
            "merged.yaml",
        )
    )
    assert merged["two"] == {"host": "127.0.0.1", "port": 3306, "db_name": "two"}


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    [problem] = errors(write(tmp_path, "loop: &loop [1, *loop]\n"))
    assert ":1: alias *loop is inside the node &loop" in problem


def test_nesting_past_the_depth_limit_is_refused_with_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: deep\nparams:\n  p: " + "[" * 950 + "]" * 950 + "\n")
    [problem] = errors(path)
    assert problem.startswith(f"{path}:3: nested more than 100 levels deep")
    value = load_yaml(write(tmp_path, "p: " + "[" * 99 + "]" * 99 + "\n", "fine.yaml"))["p"]
    depth = 1
    while value:
        value, depth = value[0], depth + 1
    assert depth == 99  # the top-level mapping and 99 lists: 100 levels
