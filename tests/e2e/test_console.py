"""The host's console on the real daemon: twistd -n chatd --console with a pseudo-terminal as its stdin."""

import contextlib
import os
import pty
import re
import socket

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, PROMPT, SHUTDOWN, WELCOME

HTTP_TIMEOUT = 1.0
"""The daemon's --http-timeout: an idle page connection is closed in a second, not the default 30."""


class ConsoleTests(SynchronousTestCase):
    def setUp(self) -> None:
        # The daemon reads the pseudo-terminal's slave side as its stdin, so
        # it is a terminal, as --console demands; the test types on the master side.
        self.terminal, slave = pty.openpty()
        self.addCleanup(os.close, self.terminal)
        try:
            self.daemon = Daemon.start(
                self,
                [*LOOPBACK, "--web-port", "0", "--http-timeout", str(HTTP_TIMEOUT), "--console"],
                stdin=slave,
                listeners=2,
            )
        finally:
            os.close(slave)
        self.daemon.wait_for_log(re.compile(rb"^\*\*\* In #lobby \(1\): host\r$"))

    def type(self, line: str) -> None:
        """Type ``line`` and Enter on the daemon's terminal."""
        os.write(self.terminal, line.encode("utf-8") + b"\n")

    def enter(self, nick: str, members: str) -> LineClient:
        client = self.daemon.connect()
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.expect(f"*** You are {nick}.")
        client.expect_stamped(f"#lobby -- {nick} joined")
        client.expect(f"*** In #lobby ({members.count(' ') + 1}): {members}")
        return client

    def test_line_typed_on_the_console_reaches_a_user(self) -> None:
        """A plain line typed at the daemon's terminal is said in #lobby as host; the console shows the room."""
        alice = self.enter("alice", "host alice")
        self.daemon.wait_for_log(re.compile(rb"^\[\d\d:\d\d\] #lobby -- alice joined\r$"))
        self.type("hello from the host")
        alice.expect_stamped("#lobby <host> hello from the host")
        alice.say("hi host")
        self.daemon.wait_for_log(re.compile(rb"^\[\d\d:\d\d\] #lobby <alice> hi host\r$"))

    def test_shutdown_from_the_console_tells_everyone_and_exits_0(self) -> None:
        """/shutdown bye on the console: every user gets the notice and the goodbye, and twistd exits 0."""
        alice = self.enter("alice", "host alice")
        bob = self.enter("bob", "host alice bob")
        alice.expect_stamped("#lobby -- bob joined")
        self.type("/shutdown bye")
        for client in (alice, bob):
            client.expect_stamped("-- host is shutting down the server (bye)")
            self.assertEqual(client.read_to_end(), SHUTDOWN)
        self.assertEqual(self.daemon.exit_status("after /shutdown"), 0)

    def test_shutdown_from_the_console_keeps_every_event_of_the_stop(self) -> None:
        """/shutdown on the console logs no failure: the host leaves while the --db file still takes its quit."""
        alice = self.enter("alice", "host alice")
        self.type("/shutdown bye")
        alice.expect_stamped("-- host is shutting down the server (bye)")
        self.assertEqual(alice.read_to_end(), SHUTDOWN)
        self.daemon.wait_for_log(re.compile(rb"^\*\*\* Server shutting down\. Goodbye\.\r$"))
        self.assertEqual(self.daemon.exit_status("after /shutdown"), 0)
        logged = b"\n".join(self.daemon.logged_so_far())
        self.assertNotIn(b"#critical", logged)
        self.assertNotIn(b"Traceback", logged)

    def test_the_host_sets_the_topic_of_a_room_it_is_not_in(self) -> None:
        """/topic #dev text on the console, the host being in #lobby only: #dev's members see the host set it, and
        so does the console, as after a server operator's /mode of a room it is not in."""
        alice = self.enter("alice", "host alice")
        alice.say("/join #dev")
        until(alice, b"*** In #dev (1): @alice")
        self.type("/topic #dev release friday")
        until(alice, b"#dev -- host set the topic: release friday")
        self.daemon.wait_for_log(re.compile(rb"^\[\d\d:\d\d\] #dev -- host set the topic: release friday\r$"))
        alice.say("/topic")
        self.assertRegex(
            until(alice, b"release friday"),
            rb"^\*\*\* Topic of #dev \(set by host, \d{4}-\d\d-\d\d \d\d:\d\d UTC\): release friday$",
        )

    def test_a_page_connection_closed_when_idle_shows_nothing_on_the_console(self) -> None:
        """A browser's connection to the web port, idle after the page, is closed after --http-timeout, and the console
        shows no "Timing out client" line between the chat's."""
        with socket.create_connection(
            self.daemon.addresses[1], timeout=HTTP_TIMEOUT + DEADLINE_SECONDS
        ) as page:
            page.sendall(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.assertTrue(page.recv(4096).startswith(b"HTTP/1.1 200 "))
            with contextlib.suppress(ConnectionResetError):  # closed, whichever way the kernel tells it
                while page.recv(4096):
                    pass
        self.type("/topic")
        self.daemon.wait_for_log(re.compile(rb"^\*\*\* #lobby has no topic\r$"))
        self.assertNotIn(b"Timing out client", b"\n".join(self.daemon.logged_so_far()))


def until(client: LineClient, ending: bytes) -> bytes:
    """Read ``client``'s lines up to the first that ends with ``ending``; that line, without CRLF."""
    while True:
        line = client.read_line().removesuffix(b"\r\n")
        if line.endswith(ending):
            return line
