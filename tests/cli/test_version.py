from importlib.metadata import version

import hostray.cli


def test_version_matches_installed_metadata() -> None:
    assert hostray.cli.__version__ == version("hostray-cli")
