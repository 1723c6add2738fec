"""The real daemon's limits over real TCP: slow readers, floods, the nickname deadline, crowds."""

import time

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.test_daemon import PROMPT, WELCOME, start_chatd


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
    def test_client_that_never_reads_is_cut_off_and_others_get_everything(self) -> None:
        """A client that stops reading is dropped for its send queue; readers lose nothing."""
        daemon = start_chatd(
            self,
            "--sendq",
            "20000",
            "--flood-rate",
            "10000",
            "--flood-burst",
            "10000",
            "--flood-bytes",
            "100000000",
        )
        reader = named(daemon, "reader")
        talker = named(daemon, "talker")
        reader.read_line()  # talker joined
        sleeper = daemon.connect()
        sleeper.say("sleeper")  # and never reads again
        for client in (reader, talker):
            self.assertTrue(client.read_line().endswith(b"-- sleeper joined\r\n"))
        padding = "x" * 400
        received: list[int] = []
        cut_off = False
        for batch in range(200):
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
            self.fail("the client that never reads was never cut off")
        self.assertEqual(received, list(range(len(received))))
        self.assertTrue(any(b"send queue exceeded" in entry for entry in daemon.logged_so_far()))


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
