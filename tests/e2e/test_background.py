"""chatd run as a service: ``twistd`` without ``-n`` forks into the background, writes its pid file and logs to
its log file, and the host's admin tool works beside it as it does beside a daemon in the foreground."""

import os
import signal
import sqlite3
import subprocess
import time
from contextlib import closing

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, LISTENING, TWISTD, Daemon, LineClient, run_admin
from tests.helpers import new_folder

ARGUMENTS = ("chatd", "--port", "0", "--interface", "127.0.0.1")
"""chatd's options for each daemon here: a port of the system's choosing, on loopback."""


class BackgroundDaemon(Daemon):
    """A daemon ``twistd`` started in the background: its log is the file ``twistd.log``, its process id the file
    ``twistd.pid``, both in ``directory``.

    ``Daemon``'s waits and clients work on it; its log is read from the file
    rather than a pipe, and it is stopped by the pid its file names.
    """

    def __init__(self, case: SynchronousTestCase, directory: str) -> None:
        starter = subprocess.Popen(
            [TWISTD, "--pidfile=twistd.pid", "--logfile=twistd.log", *ARGUMENTS],
            cwd=directory,
            env={name: value for name, value in os.environ.items() if not name.startswith("CHATD_")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        super().__init__(case, starter)
        # twistd's first process exits once the daemon it forked has written its pid file.
        if starter.wait(DEADLINE_SECONDS) != 0:
            case.fail(f"twistd exited {starter.returncode} starting in the background")
        with open(os.path.join(directory, "twistd.pid"), encoding="ascii") as pidfile:
            self.pid = int(pidfile.read())
        case.addCleanup(self._kill)
        self._logfile = open(os.path.join(directory, "twistd.log"), "rb")  # noqa: SIM115 (closed at cleanup)
        case.addCleanup(self._logfile.close)
        found = self.wait_for_log(LISTENING)
        self.addresses.append((found.group("ipv4").decode("ascii"), int(found.group("port"))))

    def _read(self, timeout: float) -> bool:
        """Read what the daemon has added to its log file, polling it until ``timeout`` s have passed."""
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            chunk = self._logfile.read()
            if chunk:
                *lines, self._partial = (self._partial + chunk).split(b"\n")
                self.log.extend(lines)
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def stop(self) -> None:
        """SIGTERM the daemon by its pid, as a host or service manager stops it, and wait until it is gone."""
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while self._alive():
            if time.monotonic() > deadline:
                self.fail(f"daemon still running {DEADLINE_SECONDS} s after SIGTERM")
            time.sleep(0.01)

    def _alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _kill(self) -> None:
        # Not contextlib.suppress: trial reads a module's ``suppress`` as its list of warnings to suppress.
        if self._alive():
            os.kill(self.pid, signal.SIGKILL)

    def _reap(self) -> None:
        """Nothing to reap: the process started is twistd's first, gone once the daemon is in the background."""


class AdminBesideBackgroundDaemonTests(SynchronousTestCase):
    """The admin tool beside a daemon in the background leaves the daemon's file whole."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.daemon = BackgroundDaemon(self, self.directory)

    def admin(self, *arguments: str) -> str:
        """Run ``python -m chatd.admin *arguments`` in the daemon's directory; its output, once it exits 0."""
        status, out, errors = run_admin(self.directory, *arguments)
        self.assertEqual((status, errors), (0, ""))
        return out

    def talk(self, nick: str, text: str) -> None:
        """Have ``nick`` say ``text`` in the default room, see it said, and quit."""
        client = LineClient(self.daemon, *self.daemon.addresses[0])
        client.say(nick)
        client.say(text)
        while not client.read_line().endswith(f"<{nick}> {text}\r\n".encode()):
            pass
        client.say("/quit")
        self.assertIn(b"*** Goodbye.", client.read_to_end())

    def test_forget_after_a_backup_is_kept_and_the_file_sound(self) -> None:
        """A backup, then a forget of a line said after it, leave a sound file that holds the line no more.

        twistd forks after chatd opened the file: connections opened before
        would hold none of SQLite's locks in the daemon, and the tool, seeing
        none, took the daemon's WAL file away under it; the daemon's later
        commits then went to a file nobody else could see, and its
        checkpoint at stop wrote them over the forget, damaging the file.
        """
        self.talk("alice", "before the backup")
        self.admin("backup", "copy.sqlite")
        # What went wrong in the end, seen as it happens: the daemon writes on, in a WAL file removed.
        self.assertTrue(os.path.exists(os.path.join(self.directory, "chatd.sqlite-wal")))
        self.talk("bob", "after the backup")
        self.assertIn("Forgot 1 line bob sent", self.admin("forget", "bob"))
        self.daemon.stop()
        with closing(sqlite3.connect(os.path.join(self.directory, "chatd.sqlite"))) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        exported = self.admin("export")
        self.assertIn("before the backup", exported)
        self.assertNotIn("after the backup", exported)
