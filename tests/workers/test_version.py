from importlib.metadata import version

import hostray.workers


def test_version_matches_installed_metadata() -> None:
    assert hostray.workers.__version__ == version("hostray-workers")
