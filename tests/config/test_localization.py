"""Localization: the seed's CSV format, fallbacks that never raise, file:line on bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostray.config import ConfigError, Localization


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_seed_example_prints_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "xxx.csv", 'code,en,tw\n1111,"this is code 1111",這是 code 1111\n')
    local = Localization()
    local.import_csv(["xxx.csv"])  # import language file
    print(local.get_message(1111))  # print the code refered message
    assert capsys.readouterr().out == "this is code 1111\n"


def test_languages_placeholders_and_code_as_int_or_str(tmp_path: Path) -> None:
    csv_file = write(
        tmp_path / "local.csv",
        'code,en,tw\n10000,"this is code 10000",這是 code 10000\n'
        '10001,"hello, {} and {}","你好, {} 和 {}"\n'
        '10002,"line one\nline two",\n',
        bom=True,
    )
    local = Localization()
    local.import_csv(str(csv_file))
    assert local.get_message("10001", "a", "b") == "hello, a and b"
    assert local.get_message(10002) == "line one\nline two"
    local.set_language("tw")
    assert local.current_language == "tw"
    assert local.get_message(10000) == "這是 code 10000"
    assert local.get_message(" 10001 ", 1, 2) == "你好, 1 和 2"
    # empty tw cell: falls back to en
    assert local.get_message(10002) == "line one\nline two"
    assert local.languages == ["en", "tw"]


def test_missing_code_or_language_falls_back_predictably(tmp_path: Path) -> None:
    local = Localization("jp")
    assert local.get_message(404) == "404"  # nothing loaded: the code as text
    assert local.get_message(404, "x", 2) == "404 (x, 2)"
    local.import_csv([write(tmp_path / "m.csv", "code,en\n1,one {}\n2,two {} {}\n")])
    assert local.get_message(1, "!") == "one !"  # jp missing: en
    assert local.get_message(2, "only-one") == "two {} {} (only-one)"  # too few args
    assert local.get_message(3) == "3"
    with pytest.raises(ValueError, match="language must be a non-empty string"):
        local.set_language("")


def test_directory_import_later_files_override(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    write(folder / "a.csv", "code,en\n1,first\n2,keep\n")
    write(folder / "b.CSV", "code,en,tw\n1,second,第二\n")
    write(folder / "notes.txt", "not,a,csv\n")
    local = Localization()
    local.import_csv([folder])
    assert local.get_message(1) == "second"
    assert local.get_message(2) == "keep"
    info = local.get_info()
    assert info["codes"] == 2
    assert info["loaded_languages"] == ["en", "tw"]
    assert [Path(f).name for f in info["files_loaded"]] == ["a.csv", "b.CSV"]


def test_malformed_files_name_file_and_line_and_load_nothing(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.csv",
        'code,en,tw\n1,"one",一\n2,"two"\n\n3,three,三\n1,again,再\n,empty,空\n',
    )
    good = write(tmp_path / "good.csv", "code,en\n9,nine\n")
    local = Localization()
    with pytest.raises(ConfigError) as info:
        local.import_csv([good, bad, tmp_path / "missing.csv"])
    assert info.value.problems == [
        f"{tmp_path / 'missing.csv'}: no such file or directory",
        f"{bad}:3: expected 3 fields (code,en,tw), got 2",
        f"{bad}:6: code 1 already defined on line 2",
        f"{bad}:7: empty message code",
    ]
    assert local.get_message(9) == "9"  # nothing from that call was loaded


def test_bad_header_and_broken_quotes(tmp_path: Path) -> None:
    header = write(tmp_path / "h.csv", "id,en\n1,x\n")
    with pytest.raises(ConfigError, match=r"h\.csv:1: the header must start with 'code'"):
        Localization().import_csv([header])
    quotes = write(tmp_path / "q.csv", 'code,en\n1,"x"y\n')
    with pytest.raises(ConfigError, match=r"q\.csv:2: malformed CSV"):
        Localization().import_csv([quotes])
    empty = write(tmp_path / "e.csv", "")
    with pytest.raises(ConfigError, match=r"e\.csv: empty file"):
        Localization().import_csv([empty])
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"code,en\n1,\xff\n")
    with pytest.raises(ConfigError, match=r"b\.csv: not UTF-8 text"):
        Localization().import_csv([binary])
