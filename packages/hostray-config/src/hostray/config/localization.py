"""Localized messages from CSV files: ``code,en,tw`` header, one row per message code.

Lookup never raises: a message missing in the current language falls back to ``en``, then to the
code itself as text (followed by the arguments, if any). Problems in a file are a ConfigError
naming ``file:line``, and a file with problems loads nothing.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterable
from typing import Any

from .errors import ConfigError

__all__ = ["FALLBACK_LANGUAGE", "Localization"]

FALLBACK_LANGUAGE = "en"

Messages = dict[str, dict[str, str]]


class Localization:
    """Message codes mapped to text per language; ``get_message(code, *args)`` fills ``{}``."""

    def __init__(self, lang: str = FALLBACK_LANGUAGE) -> None:
        self._lock = threading.Lock()
        self._messages: Messages = {}
        self._files: list[str] = []
        self._languages: list[str] = []
        self._lang = FALLBACK_LANGUAGE
        self.set_language(lang)

    @property
    def current_language(self) -> str:
        """The language ``get_message`` answers in."""
        return self._lang

    @property
    def languages(self) -> list[str]:
        """Languages found in the imported files, in the order first seen."""
        return list(self._languages)

    def set_language(self, lang: str) -> None:
        """Answer in ``lang``; codes it lacks fall back to ``en``."""
        if not isinstance(lang, str) or not lang.strip():
            raise ValueError(f"language must be a non-empty string, got {lang!r}")
        self._lang = lang.strip()

    def import_csv(self, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> None:
        """Load ``.csv`` files, or every ``.csv`` file of a directory; later files override
        earlier ones code by code."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        files: list[str] = []
        problems: list[str] = []
        for entry in paths:
            path = os.fspath(entry)
            if os.path.isdir(path):
                files.extend(
                    os.path.join(path, name)
                    for name in sorted(os.listdir(path))
                    if name.lower().endswith(".csv") and os.path.isfile(os.path.join(path, name))
                )
            elif os.path.isfile(path):
                files.append(path)
            else:
                problems.append(f"{path}: no such file or directory")
        parsed = []
        for file in files:
            try:
                parsed.append(_read_csv(file))
            except ConfigError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ConfigError(*problems)
        with self._lock:
            messages = {code: dict(texts) for code, texts in self._messages.items()}
            languages = list(self._languages)
            for file, (file_languages, file_messages) in zip(files, parsed, strict=True):
                for lang in file_languages:
                    if lang not in languages:
                        languages.append(lang)
                for code, texts in file_messages.items():
                    messages.setdefault(code, {}).update(texts)
                self._files.append(file)
            self._messages, self._languages = messages, languages

    def import_csvs_from_directory(
        self, directory: str | os.PathLike[str], encoding: str = "utf-8"
    ) -> None:
        """0.7.5's name for importing every ``.csv`` file of ``directory`` (files are UTF-8)."""
        if not os.path.isdir(directory):
            raise ConfigError(f"{os.fspath(directory)}: not a directory")
        self.import_csv(directory)

    def has_message(self, code: int | str) -> bool:
        """Whether any language has a message for ``code``."""
        return str(code).strip() in self._messages

    def get_message(self, code: int | str, *args: Any) -> str:
        """The message of ``code`` in the current language with ``{}`` filled from ``args``."""
        key = str(code).strip()
        texts = self._messages.get(key, {})
        template = texts.get(self._lang) or texts.get(FALLBACK_LANGUAGE)
        if template is None:
            return _with_args(key, args)
        try:
            return template.format(*args)
        except (IndexError, KeyError, ValueError, AttributeError):
            return _with_args(template, args)

    def get_info(self) -> dict[str, Any]:
        """What is loaded: current language, languages, number of codes, files."""
        return {
            "current_language": self._lang,
            "loaded_languages": list(self._languages),
            "codes": len(self._messages),
            "files_loaded": list(self._files),
        }


def _with_args(text: str, args: tuple[Any, ...]) -> str:
    if not args:
        return text
    return f"{text} ({', '.join(str(arg) for arg in args)})"


def _read_csv(path: str) -> tuple[list[str], Messages]:
    """Languages and messages of one file; every problem in it as one ConfigError."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            rows = _rows(path, stream)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not rows:
        raise ConfigError(f"{path}: empty file; expected a header like 'code,en,tw'")
    problems: list[str] = []
    header_line, header = rows[0]
    names = [cell.strip() for cell in header]
    if not names or names[0].lower() != "code":
        problems.append(f"{path}:{header_line}: the header must start with 'code', got {header!r}")
    languages = names[1:]
    if not languages or any(not lang for lang in languages):
        problems.append(f"{path}:{header_line}: the header needs language names after 'code'")
    elif len(set(languages)) != len(languages):
        problems.append(f"{path}:{header_line}: a language appears twice in the header")
    messages: Messages = {}
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(row) != len(names):
            problems.append(
                f"{path}:{line}: expected {len(names)} fields ({','.join(names)}), got {len(row)}"
            )
            continue
        code = row[0].strip()
        if not code:
            problems.append(f"{path}:{line}: empty message code")
            continue
        if code in seen:
            problems.append(f"{path}:{line}: code {code} already defined on line {seen[code]}")
            continue
        seen[code] = line
        messages[code] = {
            lang: text for lang, text in zip(languages, row[1:], strict=True) if text != ""
        }
    if problems:
        raise ConfigError(*problems)
    return languages, messages


def _rows(path: str, stream: Any) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on; a CSV syntax error names its line."""
    reader = csv.reader(stream, strict=True)
    rows = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ConfigError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    return rows
