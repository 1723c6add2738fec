"""``python -m chatd.client`` against the real daemon: piped, and on a real pseudo-terminal.

The piped client is a subprocess with pipes for stdin and stdout. The
interactive one runs on a pty from Python's ``pty`` module, and what it
draws is fed to pyte, a terminal emulator, so the test reads the screen a
person would see. Every wait polls for a condition until a deadline.
"""

import fcntl
import json
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence

import pyte
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.reach import GREETING_SECONDS
from chatd.line.table import COMMANDS
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient, SharedDaemon
from tests.e2e.lobby import LOOPBACK, NAME, SHARED_LOBBY, Lobby, start_chatd
from tests.helpers import new_folder

COLUMNS, ROWS = 80, 24

LOCAL_LINE = re.compile(r"(?P<hh>\d\d):(?P<mm>\d\d) (?P<rest>.*)")
"""A line as the client renders it: local ``HH:MM``, a space, the marker and the text."""


def local_stamps(since: float, until: float) -> set[str]:
    """Every local ``HH:MM`` between ``since`` and ``until`` (seconds since the epoch)."""
    minute = int(since // 60) * 60
    stamps = set()
    while minute <= until:
        stamps.add(time.strftime("%H:%M", time.localtime(minute)))
        minute += 60
    return stamps


def client_command(port: int, *arguments: str) -> list[str]:
    """The client run as a user runs it, by the Python running the tests."""
    return [sys.executable, "-m", "chatd.client", "127.0.0.1", str(port), *arguments]


def answer_once(listener: socket.socket, lines: Sequence[bytes], greets_first: bool) -> bytes:
    """Play a server on ``listener`` for one connection: send ``lines`` (CRLF each) on connecting, or once the
    client's first line is in; then close, and return all the client sent until it closed. Each wait has the
    deadline, so a client that never speaks or never closes fails the test."""
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(DEADLINE_SECONDS)
        answer = b"".join(line + b"\r\n" for line in lines)
        if greets_first:
            connection.sendall(answer)
        received = b""
        while b"\n" not in received and (chunk := connection.recv(65536)):
            received += chunk
        if not greets_first:
            connection.sendall(answer)
        # Half-closed, then read to the end: a close with the client's lines unread sends a reset, which can
        # throw away lines the client has not read yet.
        connection.shutdown(socket.SHUT_WR)
        while chunk := connection.recv(65536):
            received += chunk
    return received


def read_until(client: LineClient, line: str) -> None:
    """Read ``client``'s lines until ``line`` (without CRLF) arrives; each read has the deadline."""
    wanted = line.encode("utf-8") + b"\r\n"
    while client.read_line() != wanted:
        pass


class PlainClientTests(SynchronousTestCase):
    """Piped: lines in, lines out, and exit status 0 once the server has everything."""

    shared = SharedDaemon(SHARED_LOBBY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_piped_client_talks_and_exits_0(self) -> None:
        """A raw socket user sees the piped lines; the client prints the chat without escapes and exits 0."""
        daemon = start_chatd(self)
        bob = Lobby(daemon).enter("bob")
        since = time.time()
        client = self.running(daemon.port, b"alice\n")
        bob.expect_stamped("#lobby -- alice joined")
        bob.say("hi alice")
        bob.expect_stamped("#lobby <bob> hi alice")
        out, err = client.communicate(b"hello bob\n", timeout=DEADLINE_SECONDS)
        bob.expect_stamped("#lobby <alice> hello bob")
        bob.expect_stamped("-- alice quit")
        self.assertEqual(client.returncode, 0, err)

        self.assertNotIn(b"\x1b", out)
        self.assertNotIn(b"\x07", out)
        lines = out.decode("utf-8").splitlines()
        stamps = local_stamps(since, time.time())
        shown = []
        for line in lines:
            found = LOCAL_LINE.fullmatch(line)
            assert found is not None, line
            self.assertIn(f"{found['hh']}:{found['mm']}", stamps)
            shown.append(found["rest"])
        self.assertIn("* Choose a nickname:", shown)
        self.assertEqual(
            shown[shown.index("* You are alice.") :],
            [
                "* You are alice.",
                "- alice joined #lobby",
                "* In #lobby (2): bob alice",
                "* No lines of #lobby are kept.",
                "  #lobby <bob> hi alice",
                "> #lobby <alice> hello bob",
                "* Goodbye.",
            ],
        )
        self.assertIn(b"~ Connected to 127.0.0.1 port", err)

    def running(self, port: int, typed: bytes) -> "subprocess.Popen[bytes]":
        """The piped client on ``port``, given ``typed`` with its input left open; killed when the test ends."""
        client = subprocess.Popen(
            client_command(port), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.addCleanup(client.kill)
        assert client.stdin is not None
        client.stdin.write(typed)
        client.stdin.flush()
        return client

    def piped(self, daemon: Daemon, typed: bytes) -> list[str]:
        """What the piped client shows, each line without its time, given ``typed`` against ``daemon``; it exits 0."""
        client = subprocess.run(
            client_command(daemon.port),
            input=typed,
            capture_output=True,
            timeout=DEADLINE_SECONDS,
            check=False,
        )
        self.assertEqual(client.returncode, 0, client.stderr)
        return [line[6:] for line in client.stdout.decode("utf-8").splitlines()]

    def test_help_of_a_command_shows_each_of_its_lines(self) -> None:
        """/help msg is the server's usage, details and example, each a line of its own, with no U+FFFD."""
        # A fresh daemon: the lines after #lobby's "No lines ... are kept." are the answer's alone.
        shown = self.piped(start_chatd(self), b"kim\n/help msg\n")
        row = COMMANDS["msg"]
        self.assertEqual(
            shown[shown.index("* No lines of #lobby are kept.") + 1 :],
            [
                "* /msg NICK text - send a private message",
                f"* {row.details}",
                f"* Example: {row.example}",
                "* Goodbye.",
            ],
        )

    def test_a_newer_servers_kind_of_line_shows_each_line_of_its_text(self) -> None:
        """A kind of line this client does not know, its text of several lines, from a loopback server standing in
        for a newer chatd: each line is a line of its own, with no U+FFFD at the breaks; other controls scrubbed."""
        novel = {"type": "poll", "text": "Poll: lunch?\n1. pizza\x1b[2J\n2. soup"}
        with socket.create_server(("127.0.0.1", 0)) as listener:
            listener.settimeout(DEADLINE_SECONDS)
            client = subprocess.Popen(
                client_command(listener.getsockname()[1]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            self.addCleanup(client.kill)
            received = answer_once(
                listener,
                [
                    b"*** Welcome to chatd 9.0 on newer. Type /help for help.",
                    json.dumps(novel).encode(),
                    b'{"type":"notice","kind":"bye","text":"Goodbye."}',
                ],
                greets_first=True,
            )
            out, err = client.communicate(timeout=DEADLINE_SECONDS)
        self.assertEqual(received, b"/format json\n")
        self.assertEqual(client.returncode, 0, err)
        self.assertEqual(
            [line[6:] for line in out.decode("utf-8").splitlines()],
            ["* Poll: lunch?", "* 1. pizza\ufffd[2J", "* 2. soup", "* Goodbye."],
        )

    def test_sigint_or_sigterm_leaves_as_quit_does(self) -> None:
        """Stopped by SIGINT (Ctrl-C) or SIGTERM while connected, the piped client quits, exits 0, no traceback."""
        daemon = self.shared.lend(self)
        bob = Lobby(daemon).enter("bob")
        for number in (signal.SIGINT, signal.SIGTERM):
            client = self.running(daemon.port, b"kim\nhi\n")
            bob.expect_stamped("#lobby -- kim joined", "#lobby <kim> hi")
            client.send_signal(number)
            # stdin stays open: its end would leave by itself.
            self.assertEqual(client.wait(DEADLINE_SECONDS), 0)
            bob.expect_stamped("-- kim quit")
            out, err = client.communicate()
            self.assertEqual(out.splitlines()[-1][6:], b"* Goodbye.", err)
            self.assertNotIn(b"Traceback", err)

    def test_the_web_or_irc_port_is_said_to_be_no_chatd_at_once(self) -> None:
        """Pointed at the web port (silent, as HTTP waits for a request) or the IRC port (which answers IRC), the piped
        client says so within GREETING_SECONDS, not as a server lost a minute later, and exits 1: given a nickname,
        or given nothing at all (it leaves at once, and had left with 0 and not a word)."""
        daemon = Daemon.start(self, [*LOOPBACK, "--web-port", "0", "--irc-port", "0"], listeners=3)
        (_, web), (_, irc) = daemon.addresses[1:]
        cases = (
            (web, f"no greeting in {GREETING_SECONDS} s", b"kim\n"),
            (irc, f'it answered ":{NAME} FAIL * INVALID_MESSAGE :That line is not an IRC message"', b"kim\n"),
            (web, f"no greeting in {GREETING_SECONDS} s", b""),
            (irc, f'it answered ":{NAME} FAIL * INVALID_MESSAGE :That line is not an IRC message"', b""),
        )
        # All at once: the web port's silence is waited out once, not once a case.
        clients = [
            subprocess.Popen(
                client_command(port), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for port, _, _ in cases
        ]
        for client, (port, said, typed) in zip(clients, cases, strict=True):
            # The web port's silence is waited out first, by design; the deadline is for the rest.
            _, err = client.communicate(typed, timeout=GREETING_SECONDS + DEADLINE_SECONDS)
            self.assertEqual(
                (client.returncode, [line[6:] for line in err.decode().splitlines()]),
                (
                    1,
                    [
                        f"~ 127.0.0.1 port {port} does not speak chatd's line protocol ({said}): "
                        "is it the web or IRC port?",
                    ],
                ),
            )

    def test_taken_nickname_exits_1_and_no_script_line_becomes_one(self) -> None:
        """alice taken, the piped client says so and exits 1; its next lines never become a nickname."""
        daemon = self.shared.lend(self)
        bob = Lobby(daemon).enter("alice")
        for arguments, script in (((), b"alice\nhello\n"), (("--nick", "alice"), b"hello\nagain\n")):
            client = subprocess.run(
                client_command(daemon.port, *arguments),
                input=script,
                capture_output=True,
                timeout=DEADLINE_SECONDS,
                check=False,
            )
            self.assertEqual(client.returncode, 1, client.stderr)
            self.assertIn(
                b"chatd.client: the nickname alice is taken; choose another with --nick\n", client.stderr
            )
            self.assertNotIn(b"You are", client.stdout)
        bob.say("/users")
        bob.expect("*** Online (1): alice")

    def test_a_piped_line_over_16_mib_is_refused_at_once_and_exits_1(self) -> None:
        """17 MiB piped with no newline: the client says the line is over its limit and exits 1, within the deadline
        (stdin comes in 8 KiB reads, and it took ~35 s while each read looked through all those before it)."""
        client = subprocess.run(
            client_command(self.shared.lend(self).port),
            input=b"x" * (17 << 20),
            capture_output=True,
            timeout=DEADLINE_SECONDS,
            check=False,
        )
        self.assertEqual(client.returncode, 1, client.stderr)
        self.assertIn(
            f"chatd.client: an input line is over {16 << 20} bytes; stopping\n".encode(), client.stderr
        )

    def test_help_piped_for_a_nickname_is_answered_and_the_next_line_names_the_user(self) -> None:
        """help alone is no nickname to the server, so the piped client does not wait for it to be accepted: the
        hint is printed, the next line is the nickname, and the client exits 0."""
        shown = self.piped(self.shared.lend(self), b"help\nalice\n")
        start = shown.index("* Choose a nickname:")
        self.assertEqual(
            shown[start : start + 3],
            [
                "* Choose a nickname:",
                "* Type the nickname you want to use; /help lists the commands (/nick help, if you want to be "
                "called help).",
                "* You are alice.",
            ],
        )

    def test_a_missing_config_file_exits_2_before_connecting(self) -> None:
        """--config naming no file is one sentence on stderr and exit status 2, as README says; nothing is sent."""
        directory = new_folder(self)
        missing = os.path.join(directory, "client.toml")
        client = subprocess.run(
            client_command(9, "--config", missing),
            input=b"alice\n",
            capture_output=True,
            timeout=DEADLINE_SECONDS,
            check=False,
        )
        self.assertEqual(
            (client.returncode, client.stdout, client.stderr.decode()),
            (
                2,
                b"",
                f"chatd.client: --config {missing} does not exist; python -m chatd.client --help lists the options.\n",
            ),
        )

    def test_unreachable_server_exits_1(self) -> None:
        """With nothing listening, the piped client says so on stderr and exits 1 at once."""
        daemon = start_chatd(self)
        port = daemon.port
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        client = subprocess.run(
            client_command(port), input=b"alice\n", capture_output=True, timeout=DEADLINE_SECONDS, check=False
        )
        self.assertEqual(client.returncode, 1)
        self.assertEqual(client.stdout, b"")
        self.assertIn(f"Cannot reach 127.0.0.1 port {port} (connection refused).".encode(), client.stderr)


class Terminal:
    """The client on a pseudo-terminal, its screen kept by pyte."""

    def __init__(self, case: SynchronousTestCase, port: int, *arguments: str) -> None:
        self.case = case
        self.master, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        environment = {name: value for name, value in os.environ.items() if name != "NO_COLOR"}
        environment["TERM"] = "xterm-256color"
        self.process = subprocess.Popen(
            client_command(port, *arguments),
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=environment,
            start_new_session=True,
        )
        os.close(follower)
        case.addCleanup(self._reap)
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.output = b""

    def type(self, keys: bytes) -> None:
        """Keys as a terminal sends them."""
        os.write(self.master, keys)

    def rows(self) -> list[str]:
        """The screen's rows, without trailing blanks."""
        return [row.rstrip() for row in self.screen.display]

    def input_row(self) -> str:
        """The row the cursor is on."""
        return self.rows()[self.screen.cursor.y]

    def above(self) -> list[str]:
        """The rows above the cursor: what has been printed."""
        return self.rows()[: self.screen.cursor.y]

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        """Read the client's output until ``condition`` holds; fail, showing the screen, at the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not condition():
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(remaining, 0))
            if not ready:
                self.case.fail(f"waited {DEADLINE_SECONDS} s for {what}; screen:\n" + "\n".join(self.rows()))
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the client has exited and closed the terminal
                chunk = b""
            if not chunk:
                self.case.fail(f"client ended before {what}; screen:\n" + "\n".join(self.rows()))
            self.output += chunk
            self.stream.feed(chunk)

    def shows(self, text: str) -> Callable[[], bool]:
        """A condition: some printed row contains ``text``."""
        return lambda: any(text in row for row in self.above())

    def prompt_is(self, text: str) -> Callable[[], bool]:
        """A condition: the input row is exactly ``text``."""
        return lambda: self.input_row() == text

    def local_modes(self) -> int:
        """The terminal's local modes (ECHO, ICANON...) as the client has set them."""
        return int(termios.tcgetattr(self.master)[3])

    def _reap(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE_SECONDS)
        os.close(self.master)


class InteractiveClientTests(SynchronousTestCase):
    """On a terminal: typing survives incoming lines and a server restart; leaving restores the terminal."""

    def test_typing_incoming_lines_and_a_server_restart(self) -> None:
        """The half-typed line stays whole under incoming lines; a restarted server is rejoined as before."""
        daemon = start_chatd(self)
        port = daemon.port
        lobby = Lobby(daemon)
        bob = lobby.enter("bob")
        terminal = Terminal(self, port)
        terminal.wait_for("the nickname prompt", terminal.prompt_is("nickname>"))
        self.assertTrue(
            any(row.endswith(f"~ Connected to 127.0.0.1 port {port}.") for row in terminal.above())
        )
        self.assertEqual(terminal.local_modes() & (termios.ICANON | termios.ECHO), 0)

        terminal.type(b"alice\r")
        bob.expect_stamped("#lobby -- alice joined")
        terminal.wait_for("#lobby", terminal.prompt_is("#lobby>"))
        terminal.type(b"/join #dev\r")
        terminal.wait_for("#dev", terminal.prompt_is("#dev>"))
        terminal.type(b"half a li")
        terminal.wait_for("the half line", terminal.prompt_is("#dev> half a li"))

        bob.say("/msg alice are you there?")
        bob.expect_stamped("<bob -> alice> are you there?")
        bob.say("lobby news")
        bob.expect_stamped("#lobby <bob> lobby news")
        terminal.wait_for("bob's lines", terminal.shows("#lobby <bob> lobby news"))
        private = [row for row in terminal.above() if row.endswith("@ <bob -> alice> are you there?")]
        self.assertEqual(len(private), 1)
        self.assertEqual(terminal.above()[-1][6:], "  #lobby <bob> lobby news")
        self.assertEqual(terminal.input_row(), "#dev> half a li")
        self.assertEqual(terminal.screen.cursor.x, len("#dev> half a li"))
        self.assertIn(b"\x07", terminal.output)
        # bob's nickname has a colour of its own.
        row = terminal.screen.cursor.y - 1
        bob_at = terminal.rows()[row].index("bob")
        self.assertNotEqual(terminal.screen.buffer[row][bob_at].fg, "default")

        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        terminal.wait_for(
            "the loss", terminal.shows(f"~ Lost the server at 127.0.0.1 port {port} (connection closed).")
        )
        self.assertTrue(terminal.shows("* Server shutting down. Goodbye.")())
        terminal.wait_for(
            "a retry", lambda: terminal.shows("~ Reconnecting in")() or terminal.shows("retrying in")()
        )
        self.assertEqual(terminal.input_row(), "(offline)> half a li")

        again = Daemon.start(self, ["chatd", "--port", str(port), "--interface", "127.0.0.1", "--name", NAME])
        terminal.wait_for("the rejoin to #dev", terminal.prompt_is("#dev> half a li"))
        self.assertTrue(terminal.shows("Welcome to chatd")())
        carol = again.connect()
        carol.say("carol")
        read_until(carol, "*** In #lobby (2): alice carol")
        carol.say("/who #dev")
        carol.expect("*** In #dev (1): @alice")
        terminal.wait_for("carol's arrival", terminal.shows("- carol joined #lobby"))
        self.assertEqual(terminal.input_row(), "#dev> half a li")

        terminal.type(b"\x03")
        self.assertEqual(terminal.process.wait(DEADLINE_SECONDS), 0)
        carol.expect_stamped("-- alice quit")
        self.assertNotEqual(terminal.local_modes() & termios.ICANON, 0)
        self.assertNotEqual(terminal.local_modes() & termios.ECHO, 0)
        self.assertNotIn(b"\x1bc", terminal.output)

    def test_kick_moves_the_prompt_and_is_not_undone_by_a_restart(self) -> None:
        """Kicked from #dev by an operator, the prompt says #lobby; after a restart the client stays out of #dev."""
        console, follower = pty.openpty()
        self.addCleanup(os.close, console)
        try:
            daemon = Daemon.start(self, [*LOOPBACK, "--console"], stdin=follower)
        finally:
            os.close(follower)
        port = daemon.port
        terminal = Terminal(self, port, "--nick", "alice", "--no-color")
        terminal.wait_for("#lobby", terminal.prompt_is("#lobby>"))
        terminal.type(b"/join #dev\r")
        terminal.wait_for("#dev", terminal.prompt_is("#dev>"))
        os.write(console, b"/kick alice #dev off-topic\n")
        terminal.wait_for("the kick", terminal.shows("- alice was kicked from #dev by host (off-topic)"))
        terminal.wait_for("the prompt back in #lobby", terminal.prompt_is("#lobby>"))

        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        again = Daemon.start(self, ["chatd", "--port", str(port), "--interface", "127.0.0.1", "--name", NAME])
        terminal.wait_for("the return", lambda: terminal.output.count(b"You are alice.") == 2)
        carol = again.connect()
        carol.say("carol")
        read_until(carol, "*** In #lobby (2): alice carol")
        terminal.type(b"back\r")
        carol.expect_stamped("#lobby <alice> back")
        self.assertEqual(terminal.input_row(), "#lobby>")
        carol.say("/who #dev")
        self.assertTrue(carol.read_line().startswith(b"ERR no-such-room"))

    def test_exit_asks_then_leaves(self) -> None:
        """exit asks for confirmation; yes quits, and the client exits 0 with the terminal restored."""
        daemon = start_chatd(self)
        bob = Lobby(daemon).enter("bob")
        terminal = Terminal(self, daemon.port, "--nick", "alice", "--no-color")
        terminal.wait_for("#lobby", terminal.prompt_is("#lobby>"))
        bob.expect_stamped("#lobby -- alice joined")
        terminal.type(b"exit\r")
        terminal.wait_for("the question", terminal.prompt_is("Leave chatd? (y/n)"))
        terminal.type(b"y\r")
        self.assertEqual(terminal.process.wait(DEADLINE_SECONDS), 0)
        bob.expect_stamped("-- alice quit")
        self.assertIsNone(re.search(rb"\x1b\[[0-9;]*m", terminal.output))
        self.assertNotEqual(terminal.local_modes() & termios.ICANON, 0)
