from importlib.metadata import version

import hostray.config


def test_version_matches_installed_metadata() -> None:
    assert hostray.config.__version__ == version("hostray-config")
