"""A start of ``twistd -n --pidfile= ...`` that is refused, run through twistd's own entry point in this process.

A refused start prints one sentence and exits; as a process it cost some
0.6 s of CPU in imports before it said it (docs/PERFORMANCE.md, "What a
start costs"), and the refusals were fifty of the suite's starts. Run here,
it takes the same road: ``twisted.scripts.twistd.run``, which the
``twistd`` command is, parses the command line with twistd's
``ServerOptions`` and chatd's ``Options``, then loads chatd.tac or calls
chatd's ``makeService``, whose ``StartError`` leaves twistd as a
``SystemExit``. What Python does with that at the top of a process is
done here too (``_as_python_exits``), so a test asserts the status and the
very text a host would read. An exception of any other kind is a traceback
a host would read: it is not caught, and fails the test.

``tests/e2e/test_start.py`` and ``tests/e2e/test_store.py`` keep a real
process for each road a refusal takes (option parsing, --console on a
terminal, TLS files, a port, a --db file, chatd.tac).
"""

import io
import os
import socket
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from twisted.application.app import AppLogger
from twisted.internet import reactor
from twisted.internet.base import BasePort
from twisted.internet.error import ConnectionDone
from twisted.python.failure import Failure
from twisted.scripts import twistd
from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.lobby import NAME
from tests.helpers import new_folder

LOCAL = ("--port", "0", "--interface", "127.0.0.1")
"""Where a start that is refused would have listened, had it not been: loopback only."""


class RefusedStartCase(SynchronousTestCase):
    """Starts that are refused, each asserted to end with status 1 and one sentence naming the option.

    ``assert_refused`` runs twistd here (``twistd_refused``); a subclass
    that runs it as a process (tests/e2e/test_start.py) overrides it.
    """

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.certificate, self.key = write_self_signed(self.directory)

    def assert_refused(self, arguments: list[str], sentence: str, env: dict[str, str] | None = None) -> None:
        """twistd ``arguments`` exits 1 having written only ``sentence`` (after "chatd: ") to stderr."""
        status, out, err = twistd_refused(self, arguments, env)
        self.assertEqual((status, err, out), (1, f"chatd: {sentence}\n", ""))

    def chatd(self, *options: str) -> list[str]:
        return ["chatd", "--name", NAME, *options]

    def busy_port(self) -> int:
        """A loopback port another program (this test) is listening on."""
        holder = socket.socket()
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port: int = holder.getsockname()[1]
        return port

    def notes(self) -> str:
        """A regular file in the test's folder: a path under it is in no folder anyone may write, root included."""
        path = os.path.join(self.directory, "notes.txt")
        with open(path, "w", encoding="utf-8") as notes:
            notes.write("not a folder\n")
        return path


def twistd_refused(
    case: SynchronousTestCase, arguments: Sequence[str], env: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    """Run ``twistd -n --pidfile= *arguments`` here, as ``tests.e2e.daemon.refused_start`` runs it as a process.

    In a new folder of ``case``'s as the working directory, with the
    environment less any CHATD_* variable, plus ``env``. Returns the exit
    status and what would be written to standard output and standard error.
    """
    out, err = io.StringIO(), io.StringIO()
    argv = ["twistd", "-n", "--pidfile=", *arguments]
    case.patch(AppLogger, "start", lambda logger, application: _not_refused(case))
    with _as_run(argv, new_folder(case), env), _ports_closed(), redirect_stdout(out), redirect_stderr(err):
        status = _as_python_exits(twistd.run)
    return status, out.getvalue(), err.getvalue()


def _not_refused(case: SynchronousTestCase) -> None:
    """Fail ``case`` where twistd, the application made, would start logging and run the reactor here: a start
    that is not refused would otherwise run the test's process as a daemon, and never end."""
    case.fail("the start was not refused: chatd's service was made")


def _as_python_exits(run: Callable[[], object]) -> int:
    """The exit status of a process that calls ``run``, printing to ``sys.stderr`` what Python would print.

    A ``SystemExit`` whose code is no number has it printed, and the
    status is 1; None is 0 (Python's own rule for the top of a process).
    """
    try:
        run()
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    return 0


@contextmanager
def _as_run(argv: list[str], cwd: str, env: Mapping[str, str] | None) -> Iterator[None]:
    """``sys.argv``, the working directory and the environment as a process started with them has them; restored
    after."""
    saved = sys.argv, os.getcwd(), dict(os.environ)
    sys.argv = argv
    os.chdir(cwd)
    for name in [name for name in os.environ if name.startswith("CHATD_")]:
        del os.environ[name]
    os.environ.update(env or {})
    try:
        yield
    finally:
        sys.argv = saved[0]
        os.chdir(saved[1])
        os.environ.clear()
        os.environ.update(saved[2])


@contextmanager
def _ports_closed() -> Iterator[None]:
    """Close the ports a refused start bound before the one it could not: its process would exit, closing them.

    ``stopListening`` closes a port on the reactor's next turn, which never
    comes in a synchronous test; this does now what that turn would.
    """
    before = set(reactor.getReaders())
    try:
        yield
    finally:
        for reader in set(reactor.getReaders()) - before:
            if isinstance(reader, BasePort):
                reader.stopReading()
                reader.connectionLost(Failure(ConnectionDone()))
