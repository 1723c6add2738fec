"""What every test run shares: the bundled client's own files kept out of the real home.

The client keeps its device key and the keys it has pinned under
``$XDG_CONFIG_HOME/chatd`` (issue 17); a test that runs it as a process
without a folder of its own would otherwise make them in the home of
whoever runs the suite. The whole run gets one temporary folder instead;
a test that needs its own still passes it in the process's environment.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def config_home() -> Iterator[None]:
    folder = tempfile.mkdtemp(prefix="chatd-tests-config-")
    before = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = folder
    yield
    if before is None:
        del os.environ["XDG_CONFIG_HOME"]
    else:
        os.environ["XDG_CONFIG_HOME"] = before
    shutil.rmtree(folder, ignore_errors=True)
