"""The line port behind a real HAProxy (--proxy), as a host runs it: users from 127.0.0.3 and on, through it.

HAProxy (Debian's package, installed by tests/system-packages) runs in the
foreground (``-db``), with the test's config (health checks every 100 ms)
or README's, on listening sockets the test made and passed it (``bind
fd@N``), so no port is chosen by anyone but the kernel. Its connections to chatd come from 127.0.0.1,
the address ``--proxy`` trusts; the users connect to it from 127.0.0.3,
127.0.0.4 and 127.0.0.5. It is stopped at cleanup, whatever the test did.
"""

import os
import re
import shutil
import socket
import subprocess
import time

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, ROOT, Daemon, LineClient, opers_file
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.helpers import new_folder, quick_hash

PASSWORD = "behind haproxy"

HAPROXY = shutil.which("haproxy", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
"""Debian's haproxy, in /usr/sbin, which a user's PATH may not name."""

HEALTH_CHECK = re.compile(rb"Connection from 127\.0\.0\.1( through 127\.0\.0\.1)?$")
"""What chatd logged of each health check: v2's LOCAL as the balancer's connection, v1's as a user at its address."""

STATS = "global\n    stats socket {folder}/admin.sock\n"
"""Where the test asks haproxy how its health checks went."""

CONFIG = """\
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
listen v2
    bind fd@{0}
    server chatd 127.0.0.1:{chatd} send-proxy-v2 check inter 100ms
listen v1
    bind fd@{1}
    server chatd 127.0.0.1:{chatd} send-proxy check inter 100ms
"""
"""Two ports in front of chatd's line port, ``send-proxy-v2`` and ``send-proxy``, checking it ten times a second."""


def readmes_config() -> str:
    """README's haproxy.cfg, its binds on the test's sockets (``fd@{N}``) and its servers on chatd's line port."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    block = re.search(r"\n\n( {6}defaults\n(?: {6}.*\n)+)", text)
    assert block is not None, "README shows a haproxy.cfg"
    config = "".join(line.removeprefix(" " * 6) + "\n" for line in block.group(1).splitlines())
    binds = iter(range(config.count("bind ")))
    config = re.sub(r"bind \S+", lambda _: f"bind fd@{{{next(binds)}}}", config)
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:{chatd}", config)


class HAProxy:
    """One ``haproxy -db`` in front of a daemon's line port, with ``config``: ``{N}`` is the Nth socket the test
    made for it, ``{chatd}`` the line port."""

    def __init__(self, case: SynchronousTestCase, config: str, chatd_port: int) -> None:
        assert HAPROXY is not None, "haproxy is installed by tests/system-packages"
        self.folder = new_folder(case)
        listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(config.count("fd@{"))]
        for listener in listeners:
            case.addCleanup(listener.close)
        self.ports = [listener.getsockname()[1] for listener in listeners]
        """Where users connect, in the order of the config's binds."""
        path = os.path.join(self.folder, "haproxy.cfg")
        with open(path, "w", encoding="utf-8") as written:
            written.write(
                (STATS + config).format(
                    *(listener.fileno() for listener in listeners), folder=self.folder, chatd=chatd_port
                )
            )
        with open(os.path.join(self.folder, "haproxy.log"), "wb") as log:
            self.process = subprocess.Popen(
                [HAPROXY, "-db", "-f", path],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno() for listener in listeners],
            )
        case.addCleanup(self._stop)
        for listener in listeners:
            listener.close()  # haproxy holds them now

    def wait_until_checked(self) -> None:
        """Wait until every server has passed a health check (``L4OK`` in ``show stat``)."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if set(self._check_statuses()) == {"L4OK"}:
                return
            time.sleep(0.05)  # polling haproxy's stats socket, which has no way to wait
        raise AssertionError(f"haproxy's checks did not pass in {DEADLINE_SECONDS} s: {self._log()}")

    def _check_statuses(self) -> list[str]:
        """The last check's status of each server, from the stats socket; none before it answers."""
        try:
            with socket.socket(socket.AF_UNIX) as stats:
                stats.settimeout(DEADLINE_SECONDS)
                stats.connect(os.path.join(self.folder, "admin.sock"))
                stats.sendall(b"show stat\n")
                answer = b""
                while chunk := stats.recv(65536):
                    answer += chunk
        except (FileNotFoundError, ConnectionRefusedError):
            return []
        rows = [line.split(",") for line in answer.decode().splitlines() if line]
        if not rows:
            return []
        header = [rows[0][0].removeprefix("# "), *rows[0][1:]]
        status = header.index("check_status")
        return [row[status] for row in rows[1:] if row[1] == "chatd"]

    def _log(self) -> str:
        """What haproxy has said, for a failure's message."""
        with open(os.path.join(self.folder, "haproxy.log"), encoding="utf-8", errors="replace") as log:
            return log.read()

    def _stop(self) -> None:
        """Stop haproxy (SIGTERM: at once, its connections closed) and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(DEADLINE_SECONDS)


class HAProxyTests(SynchronousTestCase):
    def setUp(self) -> None:
        opers = opers_file(self, quick_hash(PASSWORD))
        self.daemon = Daemon.start(
            self, [*LOOPBACK, "--db", ":memory:", "--opers", opers, "--proxy", "127.0.0.1"]
        )

    def haproxy(self, config: str = CONFIG) -> HAProxy:
        """HAProxy with ``config`` in front of the daemon's line port."""
        return HAProxy(self, config, self.daemon.port)

    def named(self, nick: str, source: str, port: int) -> LineClient:
        """A user from ``source`` through haproxy's ``port`` who picks ``nick``."""
        client = LineClient(self.daemon, "127.0.0.1", port, source=source)
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        return client

    def test_the_user_through_haproxy_is_logged_and_banned_by_their_own_address(self) -> None:
        """Through HAProxy's send-proxy-v2 the log names the user's address through the balancer's, and an
        address ban of it refuses that user, not the operator through the same HAProxy."""
        v2 = self.haproxy().ports[0]
        boss = self.named("boss", "127.0.0.4", v2)
        boss.expect("*** You are boss.")
        while not boss.read_line().startswith(b"*** In #lobby"):
            pass
        boss.say(f"/oper boss {PASSWORD}")
        boss.expect("*** You are now an operator.")
        self.named("carol", "127.0.0.3", v2).expect("*** You are carol.")
        self.daemon.wait_for_log(re.compile(rb"Connection from 127\.0\.0\.3 through 127\.0\.0\.1$"))
        self.daemon.wait_for_log(re.compile(rb"carol came online from 127\.0\.0\.3$"))
        boss.say("/ban 127.0.0.3 1h")
        self.assertRegex(
            self.named("again", "127.0.0.3", v2).read_to_end(),
            rb"^ERR banned your address is banned from this server \((1h|59m( [0-9]+s)?) left\)\r\n$",
        )
        self.named("dave", "127.0.0.5", v2).expect("*** You are dave.")

    def test_a_v1_user_is_their_own_address_and_health_checks_leave_no_line(self) -> None:
        """Through send-proxy (v1) the user is their address too; the health checks of both kinds, ten a second,
        write nothing to the log."""
        haproxy = self.haproxy()
        self.named("erin", "127.0.0.3", haproxy.ports[1]).expect("*** You are erin.")
        self.daemon.wait_for_log(re.compile(rb"erin came online from 127\.0\.0\.3$"))
        haproxy.wait_until_checked()
        self.daemon.assert_not_logged(HEALTH_CHECK, 1.0)

    def test_readmes_config_brings_each_user_by_their_address_and_keeps_quiet_ones(self) -> None:
        """README's haproxy.cfg, as written but for its ports, relays a user named by their address, and lets a
        quiet user stay for hours: HAProxy closes a connection silent for its timeouts (often 50 s)."""
        config = readmes_config()
        haproxy = self.haproxy(config)
        self.named("frank", "127.0.0.3", haproxy.ports[0]).expect("*** You are frank.")
        self.daemon.wait_for_log(re.compile(rb"Connection from 127\.0\.0\.3 through 127\.0\.0\.1$"))
        self.daemon.wait_for_log(re.compile(rb"frank came online from 127\.0\.0\.3$"))
        for side in ("client", "server"):
            self.assertRegex(config, rf"\n {{4}}timeout {side} ([1-9][0-9]*h|[1-9][0-9]*d)\n")
