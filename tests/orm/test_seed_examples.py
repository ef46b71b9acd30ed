"""The seed's two ORM examples run unchanged (from hostray.orm) and print what it documents.

The examples are read from docs/seed, not copied, so the test walks the documentation itself.
Each runs in its own interpreter: both declare the table 'person' on the default base.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "docs" / "seed" / "hostray-0.7.5-docs.txt"
EXAMPLE = re.compile(r"(from enum import Enum\n.*?)\n'''\noutput:\n\n(.*?)\n'''", re.DOTALL)
DATETIME_FORMAT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def orm_examples() -> list[tuple[str, str]]:
    text = SEED.read_text(encoding="utf-8")
    section = text[text.index("\nORM\n") :]
    return EXAMPLE.findall(section)[:2]


def test_the_seed_has_two_orm_examples() -> None:
    examples = orm_examples()
    assert len(examples) == 2
    assert "get_session_maker(DB_MODULE_NAME.SQLITE_MEMORY" in examples[0][0]
    assert "pool = OrmAccessWorkerPool()" in examples[1][0]


@pytest.mark.parametrize("index", [0, 1], ids=["session", "pool"])
def test_seed_orm_example_prints_documented_output(index: int, tmp_path: Path) -> None:
    code, documented = orm_examples()[index]
    script = tmp_path / "example.py"
    script.write_text(code.replace("hostray.util.orm", "hostray.orm"), encoding="utf-8")

    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    printed = ast.literal_eval(done.stdout.strip())
    expected = ast.literal_eval(documented.strip())
    # The datetime differs by run: compare its format, everything else literally.
    assert DATETIME_FORMAT.fullmatch(expected.pop("schedule"))
    assert DATETIME_FORMAT.fullmatch(printed.pop("schedule"))
    assert printed == expected
