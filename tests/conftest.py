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

Every daemon, client and tool a test starts is a new Python that imports
chatd's modules. Where ``PYTHONDONTWRITEBYTECODE`` is set (to keep
``__pycache__`` folders out of a checkout), each of them compiled all of
chatd from source again: a fifth of a second of CPU a start, hundreds of
starts a run, a fifth of the end-to-end tests' CPU. Those processes write
their bytecode under the run's folder instead (``PYTHONPYCACHEPREFIX``),
and the checkout gets no ``__pycache__``. A folder of its own holds none of
the installed packages' bytecode either, so a run with end-to-end tests
compiles what a daemon and a client import once before its first test:
its first daemon compiling Twisted too took twice as long to start, under
a deadline on a busy machine.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import pytest

END_TO_END = os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e")

STARTED = "import twisted.scripts.twistd, chatd.tap, chatd.client.__main__"
"""What the processes the end-to-end tests start import, nearly all of it: twistd with chatd, and the client."""


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
def temporary_folder(request: pytest.FixtureRequest) -> Iterator[None]:
    folder = tempfile.mkdtemp(prefix="chatd-tests-tmp-")
    before = {
        name: os.environ.get(name) for name in ("TMPDIR", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")
    }
    os.environ["TMPDIR"] = tempfile.tempdir = folder
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        os.environ["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "bytecode")
        if any(str(item.path).startswith(END_TO_END + os.sep) for item in request.session.items):
            subprocess.run([sys.executable, "-c", STARTED], capture_output=True, check=False)
    yield
    tempfile.tempdir = None
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(folder, ignore_errors=True)
