from importlib.metadata import version

import hostray.web


def test_version_matches_installed_metadata() -> None:
    assert hostray.web.__version__ == version("hostray-web")
