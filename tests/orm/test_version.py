from importlib.metadata import version

import hostray.orm


def test_version_matches_installed_metadata() -> None:
    assert hostray.orm.__version__ == version("hostray-orm")
