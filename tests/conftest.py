"""What every test run shares: the bundled client's own files kept out of the real home, and temporary files
kept in one folder of the run's.

The client keeps its device key and the keys it has pinned under
``$XDG_CONFIG_HOME/chatd`` (issue 17); a test that runs it as a process
without a folder of its own would otherwise make them in the home of
whoever runs the suite. The whole run gets one temporary folder instead;
a test that needs its own still passes it in the process's environment.

A daemon with no ``--files`` spools into a temporary folder it removes when
it stops; one a test builds and never stops, or kills (``kill -9`` is what
some tests are about), leaves it behind, as do the browsers the page's
tests drive. The run's temporary files go in a folder of its own (for the
processes it starts too, through ``TMPDIR``), removed when the run ends:
runs left over a thousand such folders in ``/tmp``.
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


@pytest.fixture(autouse=True, scope="session")
def temporary_folder() -> Iterator[None]:
    folder = tempfile.mkdtemp(prefix="chatd-tests-tmp-")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = tempfile.tempdir = folder
    yield
    tempfile.tempdir = None
    if before is None:
        del os.environ["TMPDIR"]
    else:
        os.environ["TMPDIR"] = before
    shutil.rmtree(folder, ignore_errors=True)
