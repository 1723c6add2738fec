"""The real daemon's limits over real TCP: slow readers, floods, the nickname deadline, crowds."""

import select
import ssl
import time
from collections.abc import Callable, Sequence

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.ircclient import irc_port
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME, start_chatd
from tests.helpers import new_folder, too_long


def named(daemon: Daemon, nick: str) -> LineClient:
    """A client that has chosen ``nick`` and read everything up to its member list."""
    client = daemon.connect()
    client.expect(WELCOME, PROMPT)
    client.say(nick)
    client.expect(f"*** You are {nick}.")
    while not client.read_line().startswith(b"*** In #lobby"):
        pass
    return client


class SlowReaderTests(SynchronousTestCase):
    def assert_never_reader_cut_off(
        self, extra: Sequence[str], connect: Callable[[Daemon], LineClient], batches: int
    ) -> None:
        """A client ``connect`` makes, that never reads, is cut off within ``batches`` of 40 KB it is sent."""
        limits = (
            "--sendq",
            "20000",
            "--flood-rate",
            "10000",
            "--flood-burst",
            "10000",
            "--flood-bytes",
            "100000000",
        )
        daemon = Daemon.start(self, [*LOOPBACK, *limits, *extra], listeners=2 if extra else 1)
        reader = named(daemon, "reader")
        talker = named(daemon, "talker")
        reader.read_line()  # talker joined
        sleeper = connect(daemon)
        sleeper.say("sleeper")  # and never reads again
        for client in (reader, talker):
            self.assertTrue(client.read_line().endswith(b"-- sleeper joined\r\n"))
        padding = "x" * 400
        received: list[int] = []
        cut_off = False
        for batch in range(batches):
            # Read back each batch on both readers, so only the sleeper falls behind.
            talker.send("".join(f"{batch * 100 + n} {padding}\n" for n in range(100)).encode())
            for client, record in ((talker, None), (reader, received)):
                count = 0
                while count < 100:
                    got = client.read_line()
                    if b"-- sleeper quit" in got:
                        self.assertTrue(got.endswith(b"-- sleeper quit (send queue exceeded)\r\n"), got)
                        cut_off = True
                        continue
                    count += 1
                    if record is not None:
                        record.append(int(got.split(b"> ")[1].split()[0]))
            if cut_off:
                break
        else:
            self.fail(f"the client that never reads was not cut off within {batches * 40} KB")
        self.assertEqual(received, list(range(len(received))))
        self.assertTrue(any(b"send queue exceeded" in entry for entry in daemon.logged_so_far()))

    def test_client_that_never_reads_is_cut_off_and_others_get_everything(self) -> None:
        """A client that stops reading is dropped for its send queue; readers lose nothing."""
        self.assert_never_reader_cut_off((), lambda daemon: daemon.connect(), 200)

    def test_tls_client_that_never_reads_is_cut_off_as_soon(self) -> None:
        """On TLS too, within 1 MB (the kernel's send buffer is fixed there as well, not grown to MiBs)."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        context = ssl.create_default_context(cafile=certificate)

        def connect(daemon: Daemon) -> LineClient:
            client = daemon.connect(port=daemon.addresses[1][1])
            client.socket = context.wrap_socket(client.socket, server_hostname="localhost")
            self.addCleanup(client.socket.close)
            return client

        tls = ("--tls-port", "0", "--tls-cert", certificate, "--tls-key", key)
        self.assert_never_reader_cut_off(tls, connect, 25)


class FloodTests(SynchronousTestCase):
    def test_flooder_is_slowed_then_cut_off_while_others_talk(self) -> None:
        """A flood over real TCP is told to slow down, then disconnected; others are unaffected."""
        daemon = start_chatd(self, "--flood-disconnect", "2")
        flooder = named(daemon, "flooder")
        calm = named(daemon, "calm")
        flooder.read_line()  # calm joined
        flooder.send(b"".join(b"/time\n" for _ in range(200)))
        lines = []
        while True:
            got = flooder.read_line()
            lines.append(got)
            if got.startswith(b"ERR flood"):
                break
        self.assertIn(
            b"*** You are sending faster than the server allows; your lines now wait their turn.\r\n", lines
        )
        self.assertEqual(
            lines[-1], b"ERR flood disconnected for flooding: over the line budget for more than 2 s\r\n"
        )
        self.assertEqual(flooder.read_to_end(), b"")
        calm.say("still here")
        got = calm.read_line()
        while b"flooder quit" in got:
            got = calm.read_line()
        self.assertTrue(got.endswith(b"#lobby <calm> still here\r\n"), got)


SLOWED = b"*** You are sending faster than the server allows; your lines now wait their turn.\r\n"
CUT_OFF = b"ERR flood disconnected for flooding: over the line budget for more than 1 s\r\n"
CUT_OFF_FOR_BYTES = b"ERR flood disconnected for flooding: over the byte budget for more than 1 s\r\n"


def flood_until_closed(client: LineClient, chunk: bytes, times: int | None = None) -> bytes:
    """Send ``chunk`` (``times`` times, or for as long as the socket takes it) and read until the server closes.

    Returns everything the server said; fails if it has not closed the
    connection within the deadline.
    """
    sock = client.socket
    sock.setblocking(False)
    received = b""
    sending = True
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        readable, writable, _ = select.select([sock], [sock] if sending else [], [], 0.1)
        if readable:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not data:
                return received
            received += data
        if writable:
            try:
                sock.send(chunk)
            except BlockingIOError:
                continue
            except OSError:  # the server has closed; read what it said
                sending = False
                continue
            if times is not None:
                times -= 1
                sending = times > 0
    client.daemon.fail(f"the flooder was never cut off; it got {received[-300:]!r}")


class RefusedInputFloodTests(SynchronousTestCase):
    """Input that is not a message costs budget over real TCP: a flooder earning only refusals is cut off."""

    def flood(self, chunk: bytes, *limits: str, times: int | None = None) -> list[bytes]:
        """A daemon with a tight line budget; a calm user, then a flooder without a nickname.

        Returns the flooder's lines, once the server has closed it, after
        checking the calm user still talks at once.
        """
        daemon = start_chatd(
            self, "--flood-rate", "2", "--flood-burst", "4", "--flood-disconnect", "1", *limits
        )
        calm = named(daemon, "calm")
        flooder = daemon.connect()
        flooder.expect(WELCOME, PROMPT)
        lines = flood_until_closed(flooder, chunk, times).splitlines(keepends=True)
        calm.say("still here")
        calm.expect_stamped("#lobby <calm> still here")
        return lines

    def assert_cut_off(self, lines: list[bytes], *refusals: bytes, cut_off: bytes = CUT_OFF) -> None:
        """Warned, then cut off (told ``cut_off``), with refusals (none if no ``refusals``, else each one of them)
        at the line budget's pace."""
        self.assertIn(SLOWED, lines)
        self.assertEqual(lines[-1], cut_off)
        refused = [line for line in lines if line.startswith(b"ERR ") and line != cut_off]
        self.assertEqual(bool(refused), bool(refusals))
        self.assertLessEqual(set(refused), set(refusals))
        self.assertLessEqual(len(refused), 10)

    def test_blank_line_flood_is_cut_off(self) -> None:
        """``yes '' | nc``, before a nickname: slowed, then disconnected."""
        self.assert_cut_off(self.flood(b"\n" * 1000, "--flood-bytes", "100000", times=1))

    def test_overlong_line_flood_is_cut_off(self) -> None:
        """600-byte lines get a few refusals, not one per line, then the connection is cut off."""
        lines = self.flood(b"x" * 600 + b"\n", "--flood-bytes", "100000", times=20)
        # A read that ends inside a line refuses it before its end is known: "had more".
        self.assert_cut_off(lines, *(too_long(size).encode() + b"\r\n" for size in (600, None)))

    def test_invalid_utf8_flood_is_cut_off(self) -> None:
        """Lines of invalid UTF-8 are refused at the budget's pace, then the connection is cut off."""
        lines = self.flood(b"\xc3(\n" * 20, "--flood-bytes", "100000", times=1)
        self.assert_cut_off(lines, b"ERR bad-utf8 that line was not valid UTF-8 and was not sent\r\n")

    def test_telnet_nop_flood_is_cut_off(self) -> None:
        """A stream of IAC NOP costs its bytes: slowed, then disconnected, told it was over the byte budget."""
        lines = self.flood(b"\xff\xf1" * 8192, "--flood-bytes", "65536")
        self.assertTrue(lines[0].startswith(b"\xff\xfd\x00"), lines[0])  # IAC DO BINARY
        self.assert_cut_off([lines[0][3:], *lines[1:]], cut_off=CUT_OFF_FOR_BYTES)


class RegisterTimeoutTests(SynchronousTestCase):
    def test_connection_without_nickname_is_closed_with_reason(self) -> None:
        """A connection that never names itself is told why and closed when its time is up."""
        daemon = start_chatd(self, "--register-timeout", "1")
        idle = daemon.connect()
        idle.expect(WELCOME, PROMPT)
        idle.expect("ERR register-timeout no nickname chosen within 1 s; closing")
        self.assertEqual(idle.read_to_end(), b"")


class ConnectionLimitTests(SynchronousTestCase):
    def test_too_many_from_one_address_refused_with_a_line(self) -> None:
        """Past --max-per-ip, a new connection gets one line and is closed; closing one frees a place."""
        daemon = start_chatd(self, "--max-per-ip", "2")
        first = daemon.connect()
        first.expect(WELCOME, PROMPT)
        second = daemon.connect()
        second.expect(WELCOME, PROMPT)
        third = daemon.connect()
        self.assertEqual(
            third.read_to_end(),
            b"ERR too-many-connections at most 2 connections from one address; close one first\r\n",
        )
        first.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            again = daemon.connect()
            if again.read_line() == (WELCOME + "\r\n").encode():
                break
        else:
            self.fail("the place of a closed connection was never freed")

    def test_too_many_opened_in_a_row_refused_with_a_line_until_the_refill(self) -> None:
        """Past --connect-burst connections opened in a row from 127.0.0.1, the next is told to wait and closed,
        on the IRC port too (the budget is the address's, across ports); once a connection's worth has refilled
        (two seconds at --connect-rate 0.5: room for a slow machine between the connections), a new one is
        welcomed."""
        daemon = start_chatd(self, "--irc-port", "0", "--connect-burst", "3", "--connect-rate", "0.5")
        irc = irc_port(daemon)
        for _ in range(3):
            opened = daemon.connect()
            opened.expect(WELCOME, PROMPT)
            opened.close()
        refused = daemon.connect().read_to_end()
        self.assertRegex(
            refused,
            rb"\AERR connecting-too-fast too many new connections from one address; try again in [12]s\r\n\Z",
        )
        self.assertRegex(
            daemon.connect(port=irc).read_to_end(),
            rb"\AERROR :Closing Link: too many new connections from your address \(try again in [12]s\)\r\n\Z",
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
            again = daemon.connect()
            if again.read_line() == (WELCOME + "\r\n").encode():
                break
        else:
            self.fail("no new connection was welcomed once the budget refilled")
