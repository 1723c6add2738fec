"""A real chatd under twistd for end-to-end tests, and a line client to talk to it.

``Daemon.start`` runs ``twistd -n --pidfile= ...`` in a fresh temporary
directory and reads the port chatd bound from its own "chatd listening on"
log line (treq's child-server pattern), so no test ever picks a port.
``LineClient`` is a blocking loopback socket that reads whole CRLF lines.

Nothing here sleeps: every wait reads until the expected thing arrives and
fails the test once ``DEADLINE_SECONDS`` have passed. Cleanups kill the
daemon, drain and close its output pipe, close every socket and remove the
directory, whatever the test did.
"""

import atexit
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import new_folder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""The repository root, where chatd.tac lives."""

TAC = os.path.join(ROOT, "chatd.tac")

TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")
"""The twistd installed beside the Python running the tests (the venv's)."""

DEADLINE_SECONDS = 10.0
"""How long any single wait (a log line, a chat line, an exit) may take."""

CRLF = b"\r\n"

LISTENING = re.compile(
    rb"\[chatd\.service#info\] chatd listening on (\[(?P<ipv6>[^\]]+)\]|(?P<ipv4>[\d.]+)):(?P<port>\d+)"
    rb"(?P<tls> \(TLS\))?$"
)
"""chatd's own log line naming an address it listens on, and whether clients speak TLS there."""

STAMPED = re.compile(rb"\[(?P<hh>\d\d):(?P<mm>\d\d)\] (?P<rest>.*)\r\n", re.DOTALL)
"""A timestamped event line: ``[HH:MM] `` then the rest, then CRLF."""


def run_admin(directory: str, *arguments: str) -> tuple[int, str, str]:
    """Run ``python -m chatd.admin *arguments`` in ``directory``, as a host does: its exit status, output and errors."""
    done = subprocess.run(
        [sys.executable, "-m", "chatd.admin", *arguments],
        cwd=directory,
        capture_output=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def utc_stamps(since: float, until: float) -> set[bytes]:
    """Every ``HH:MM`` a UTC clock shows between ``since`` and ``until`` (seconds)."""
    minute = int(since // 60) * 60
    stamps = set()
    while minute <= until:
        stamps.add(time.strftime("%H:%M", time.gmtime(minute)).encode())
        minute += 60
    return stamps


def opers_file(case: SynchronousTestCase, boss_hash: str) -> str:
    """The path of an operators file naming one operator, ``boss``, with ``boss_hash``.

    It is in a new temporary directory, removed at cleanup, where a test
    may keep other files of its own.
    """
    directory = new_folder(case)
    opers = os.path.join(directory, "opers.txt")
    # Readable by its owner only, as README's steps make it: the daemon warns of one others may read.
    with open(os.open(opers, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as lines:
        lines.write(f"boss {boss_hash}\n")
    return opers


class Daemon:
    """One twistd process; ``addresses`` are where chatd said it listens."""

    def __init__(self, case: SynchronousTestCase, process: "subprocess.Popen[bytes]") -> None:
        self.case = case
        self.process = process
        self.addresses: list[tuple[str, int]] = []
        self.log: list[bytes] = []
        """Every complete line the daemon has written so far, without its newline."""
        self._partial = b""
        self._eof = False
        self._scanned = 0

    @classmethod
    def start(
        cls,
        case: SynchronousTestCase,
        arguments: Sequence[str],
        env: Mapping[str, str] | None = None,
        listeners: int = 1,
        stdin: int = subprocess.DEVNULL,
    ) -> "Daemon":
        """Run ``twistd -n --pidfile= *arguments`` until chatd has announced ``listeners`` addresses.

        The process runs in a new temporary directory with the test's
        environment less any CHATD_* variable, plus ``env``, reading
        ``stdin`` (a file descriptor; nothing by default). It is killed at
        cleanup if the test has not stopped it.
        """
        daemon = cls._launch(case, new_folder(case), arguments, env, stdin)
        case.addCleanup(daemon._reap)
        daemon._await_listening(listeners)
        return daemon

    @classmethod
    def _launch(
        cls,
        case: SynchronousTestCase,
        cwd: str,
        arguments: Sequence[str],
        env: Mapping[str, str] | None,
        stdin: int,
    ) -> "Daemon":
        """The twistd process ``start`` describes, in ``cwd``, just started: its caller reaps it."""
        environment = {name: value for name, value in os.environ.items() if not name.startswith("CHATD_")}
        environment.update(env or {})
        process = subprocess.Popen(
            [TWISTD, "-n", "--pidfile=", *arguments],
            cwd=cwd,
            env=environment,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return cls(case, process)

    def _await_listening(self, listeners: int) -> None:
        """Wait for chatd to announce ``listeners`` addresses, and keep them."""
        for _ in range(listeners):
            found = self.wait_for_log(LISTENING)
            host = found.group("ipv6") or found.group("ipv4")
            self.addresses.append((host.decode("ascii"), int(found.group("port"))))

    @property
    def port(self) -> int:
        """The port of the first address chatd announced."""
        return self.addresses[0][1]

    def connect(
        self, host: str | None = None, port: int | None = None, source: str | None = None
    ) -> "LineClient":
        """A client connected to ``host`` (default: the first address) on ``port``, from ``source`` if given."""
        first_host, first_port = self.addresses[0]
        return LineClient(self, host or first_host, port or first_port, source)

    def wait_for_log(self, pattern: "re.Pattern[bytes]") -> "re.Match[bytes]":
        """The first log line not yet scanned that matches ``pattern``; fails at the deadline or exit."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            while self._scanned < len(self.log):
                line = self.log[self._scanned]
                self._scanned += 1
                found = pattern.search(line)
                if found is not None:
                    return found
            if self._eof:
                self.fail(
                    f"daemon exited ({self.process.wait(DEADLINE_SECONDS)}) before logging {pattern.pattern!r}"
                )
            if not self._read(deadline - time.monotonic()) and not self._eof:
                self.fail(f"no log line matching {pattern.pattern!r} within {DEADLINE_SECONDS} s")

    def first_logged(self, pattern: "re.Pattern[bytes]") -> "re.Match[bytes]":
        """The first line matching ``pattern`` the daemon has logged, read before or not (what a shared daemon said
        once, at its start), or logs within the deadline."""
        for line in self.logged_so_far():
            if (found := pattern.search(line)) is not None:
                return found
        return self.wait_for_log(pattern)

    def assert_not_logged(self, pattern: "re.Pattern[bytes]", seconds: float) -> None:
        """Fail if a line matching ``pattern`` is logged within ``seconds`` from now.

        For what must not happen, which no condition can end the wait for:
        ``seconds`` is the time it would take to happen. Lines logged
        before the call are passed over, and later waits start after the window.
        """
        self.logged_so_far()
        self._scanned = len(self.log)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not self._eof:
            self._read(left)
            for line in self.log[self._scanned :]:
                if pattern.search(line) is not None:
                    self.fail(f"logged {line!r}, matching {pattern.pattern!r}, within {seconds} s")
            self._scanned = len(self.log)

    def logged_so_far(self) -> list[bytes]:
        """Every log line written by now, read without waiting."""
        while not self._eof and self._read(0):
            pass
        return list(self.log)

    def _read(self, timeout: float) -> bool:
        """Read what the daemon has written, waiting up to ``timeout`` s; False if nothing came."""
        stdout = self.process.stdout
        assert stdout is not None, "started with stdout=PIPE"
        ready, _, _ = select.select([stdout], [], [], max(timeout, 0))
        if not ready:
            return False
        # os.read, not stdout.read: it returns what is there instead of
        # blocking for a full buffer, and leaves the file's own buffer empty
        # for communicate() at cleanup.
        chunk = os.read(stdout.fileno(), 65536)
        if not chunk:
            self._eof = True
            return False
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        self.log.extend(lines)
        return True

    def signal(self, number: signal.Signals) -> int:
        """Send ``number`` and return the exit status; fails unless it exits within the deadline."""
        self.process.send_signal(number)
        return self.exit_status(f"after {number.name}")

    def exit_status(self, why: str = "") -> int:
        """The exit status, once the daemon has exited; fails unless it does within the deadline."""
        try:
            return self.process.wait(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            self.fail(f"daemon still running {DEADLINE_SECONDS} s {why}".rstrip())

    def fail(self, message: str) -> NoReturn:
        """Fail the test, showing what the daemon logged."""
        if not self._eof:
            self.logged_so_far()
        shown = b"\n".join([*self.log, self._partial]).decode("utf-8", "replace")
        self.case.fail(f"{message}\n--- daemon log ---\n{shown}")

    def _reap(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        # Reads whatever is left, closes the pipe and waits, so neither the
        # pipe nor the process outlives the test (no ResourceWarning).
        self.process.communicate(timeout=DEADLINE_SECONDS)


class SharedDaemon:
    """One daemon the tests of a class take turns on, for tests that each need only users and rooms of their own.

    A start costs some 0.6 s of CPU (docs/PERFORMANCE.md, "What a start
    costs"), and starts were the largest cost of a run on CI's two saturated
    cores. A class keeps one in a class attribute, asks it for the daemon in
    ``setUp`` (``lend``) and stops it in ``tearDownClass`` (``stop``); under
    trial, which calls no ``tearDownClass``, it is stopped when the run's
    process exits. pytest-xdist may hand a class's tests to several workers:
    each starts its own.

    A test is lent the daemon only once the server has let go of every user
    of the tests before it (an unnamed connection's ``/users`` reads
    ``*** Online (0):``), so it sees nobody it did not bring, and with the
    log read from then on. The rest of a test's world is the class's to keep
    apart: ``--replay 0``, so that a room's lines of a test before are not
    replayed on joining it (#lobby's too), a room of each test's own, and no
    state that outlives a user (an account, a registered room, a ban)
    unless under names of that test's own. A test that stops, restarts or
    kills the daemon, reads its log from the start, or counts what a fresh
    one holds (a room's seq, the connections of an address) starts its own.
    """

    def __init__(
        self,
        arguments: Sequence[str],
        listeners: int = 1,
        files: Callable[[], Mapping[str, bytes]] | None = None,
    ) -> None:
        """``files()``, if given, names the files to write into the daemon's folder before it starts (an
        operators file ``arguments`` name by a path relative to it): made once, for the daemon, not for each test."""
        self._arguments = tuple(arguments)
        self._listeners = listeners
        self._files = files
        self._daemon: Daemon | None = None
        self._folder: str | None = None

    def lend(self, case: SynchronousTestCase) -> Daemon:
        """The daemon, started for ``case`` if need be, with nobody online and the log read up to now."""
        if self._daemon is None:
            self._folder = tempfile.mkdtemp()
            for name, data in (self._files() if self._files is not None else {}).items():
                # Readable by its owner only, as README's steps make a secret file: the daemon warns of one others
                # may read.
                with open(
                    os.open(os.path.join(self._folder, name), os.O_WRONLY | os.O_CREAT, 0o600), "wb"
                ) as file:
                    file.write(data)
            self._daemon = Daemon._launch(case, self._folder, self._arguments, None, subprocess.DEVNULL)
            atexit.register(self.stop)
            try:
                self._daemon._await_listening(self._listeners)
            except BaseException:
                self.stop()
                raise
            return self._daemon
        self._daemon.case = case
        if self._daemon.process.poll() is not None:
            self._daemon.fail(
                f"the shared daemon exited ({self._daemon.process.returncode}) after an earlier test"
            )
        self._wait_until_nobody_is_online(self._daemon)
        self._daemon.logged_so_far()
        self._daemon._scanned = len(self._daemon.log)
        return self._daemon

    @staticmethod
    def _wait_until_nobody_is_online(daemon: Daemon) -> None:
        """Ask ``/users`` until nobody is online: each answer is a pass of the server's after the last one."""
        probe = daemon.connect()
        while not probe.read_line().startswith(b"*** Choose a nickname:"):
            pass
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            probe.say("/users")
            online = probe.read_line()
            if online == b"*** Online (0):" + CRLF:
                break
            if time.monotonic() > deadline:
                daemon.fail(f"users of an earlier test still online after {DEADLINE_SECONDS} s: {online!r}")
        probe.close()

    @property
    def folder(self) -> str:
        """The daemon's working directory, where a relative path among its options lies (``--db chatd.sqlite``);
        the daemon must have been lent."""
        assert self._folder is not None, "lent, so started"
        return self._folder

    def stop(self) -> None:
        """Kill the daemon, if started, and remove its folder."""
        atexit.unregister(self.stop)
        if self._daemon is not None:
            self._daemon._reap()
            self._daemon = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def refused_start(
    case: SynchronousTestCase,
    arguments: Sequence[str],
    env: Mapping[str, str] | None = None,
    stdin: int = subprocess.DEVNULL,
) -> tuple[int, str, str]:
    """Run ``twistd -n --pidfile= *arguments`` as ``Daemon.start`` does, expecting it to stop by itself.

    Returns its exit status, standard output and standard error; fails the
    test if it is still running at the deadline. ``stdin``: a terminal's
    file descriptor, for a start that ``--console`` would let run.
    """
    cwd = new_folder(case)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("CHATD_")}
    environment.update(env or {})
    try:
        done = subprocess.run(
            [TWISTD, "-n", "--pidfile=", *arguments],
            cwd=cwd,
            env=environment,
            stdin=stdin,
            capture_output=True,
            timeout=DEADLINE_SECONDS,
        )
    except subprocess.TimeoutExpired as expired:
        case.fail(
            f"twistd {' '.join(arguments)} still running after {DEADLINE_SECONDS} s: {expired.output!r}"
        )
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


class LineClient:
    """A blocking loopback connection to a daemon that reads CRLF-terminated lines."""

    def __init__(self, daemon: Daemon, host: str, port: int, source: str | None = None) -> None:
        self.daemon = daemon
        self.since = time.time()
        """When this client connected; its event stamps cannot be older."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        daemon.case.addCleanup(self.socket.close)
        self.socket.settimeout(DEADLINE_SECONDS)
        if source is not None:
            # Any of 127.0.0.0/8 reaches a daemon on 127.0.0.1: one client per address.
            self.socket.bind((source, 0))
        self.socket.connect((host, port))
        self._buffer = b""

    def send(self, data: bytes) -> None:
        """Send ``data`` exactly as given (add the newline yourself)."""
        self.socket.sendall(data)

    def say(self, text: str) -> None:
        """Send one line of text, ended by LF as nc sends it."""
        self.send(text.encode("utf-8") + b"\n")

    def _fill(self, deadline: float) -> bool:
        """Receive more bytes into the buffer; False at EOF."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self.daemon.fail(f"waited {DEADLINE_SECONDS} s; have only {self._buffer!r}")
        self.socket.settimeout(remaining)
        try:
            chunk = self.socket.recv(65536)
        except TimeoutError:
            self.daemon.fail(f"waited {DEADLINE_SECONDS} s; have only {self._buffer!r}")
        self._buffer += chunk
        return bool(chunk)

    def read_bytes(self, count: int) -> bytes:
        """The next ``count`` bytes, whatever they are."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while len(self._buffer) < count:
            if not self._fill(deadline):
                self.daemon.fail(f"connection closed after {self._buffer!r}; wanted {count} bytes")
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def read_line(self) -> bytes:
        """The next line, including its line ending."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while b"\n" not in self._buffer:
            if not self._fill(deadline):
                self.daemon.fail(f"connection closed; wanted a line, have {self._buffer!r}")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def read_to_end(self) -> bytes:
        """Everything until the server closes the connection."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while self._fill(deadline):
            pass
        data, self._buffer = self._buffer, b""
        return data

    def expect(self, *lines: str) -> None:
        """The next lines are exactly ``lines``, each followed by CRLF."""
        for line in lines:
            self.daemon.case.assertEqual(self.read_line(), line.encode("utf-8") + CRLF)

    def expect_stamped(self, *lines: str) -> None:
        """The next lines are ``[HH:MM] `` and then ``lines``, the stamp being UTC now."""
        for line in lines:
            received = self.read_line()
            found = STAMPED.fullmatch(received)
            if found is None:
                self.daemon.case.fail(f"{received!r} is not [HH:MM] {line!r} CRLF")
            self.daemon.case.assertEqual(found.group("rest"), line.encode("utf-8"))
            stamp = found.group("hh") + b":" + found.group("mm")
            self.daemon.case.assertIn(stamp, utc_stamps(self.since, time.time()))

    def expect_json(self) -> dict[str, Any]:
        """The next line is one JSON object followed by CRLF; returns it."""
        line = self.read_line()
        self.daemon.case.assertTrue(line.endswith(CRLF), line)
        decoded = json.loads(line)
        self.daemon.case.assertIsInstance(decoded, dict)
        return dict(decoded)

    def close(self) -> None:
        """Close the socket, as a client that vanishes without quitting does."""
        self.socket.close()

    def reset(self) -> None:
        """Abort the connection with a TCP RST, as a crashed peer or NAT timeout does."""
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.socket.close()
