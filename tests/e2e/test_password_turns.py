"""One address looping password checks over many connections holds another address's /identify up by one at most.

A real daemon, Argon2 at argon2-cffi's default cost and its pool of one
password thread. Five connections from 127.0.0.2, each identified to an
account of its own, send ``/identify`` with their right password again and
again without a pause: each is checked, one piece of work on the pool
(then told it is identified already), and no failure budget slows it; the
flood budget is lifted too. Once each has been answered, a user from
127.0.0.3 identifies. What is counted is not time but how many of the
loop's answers come before hers. With every connection's check queued on
the pool in the order asked, hers waited behind all five. In its host's
turn, the loop has one check on the pool at a time, so hers waits for
that one and is next.

Each ``/password`` is two pieces (a check, then a hash) answered once: the
pool, first in first out, then keeps five connections' checks together and
their hashes together, and how many answers come before hers swings from
none to five with the moment she asks; an answer a piece keeps the count
honest. tests/test_password_turns.py has hashes wait their host's turn too.
"""

import select
import time

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import CRLF, LineClient
from tests.e2e.lobby import PROMPT, WELCOME, start_chatd

CONNECTIONS = 5

AHEAD_AT_MOST = 2
"""The loop's answers that may come before the /identify's: the check running as she asks, and one to spare; with no
turns, four or five did."""

PASSWORD = "right-password"

DEADLINE_SECONDS = 120.0
"""How long the whole exchange may take on a loaded machine (each check is a quarter second or more)."""

# The loop sends /identify as fast as it is answered: past the default flood budget on a fast machine.
UNLIMITED_FLOOD = ("--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "10000000")


class LoopingChecksTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.daemon = start_chatd(self, *UNLIMITED_FLOOD)
        self.buffers: dict[int, bytes] = {}

    def connected(self, source: str) -> LineClient:
        client = self.daemon.connect(source=source)
        client.expect(WELCOME, PROMPT)
        return client

    def registered(self, nick: str, source: str) -> LineClient:
        """A connection from ``source`` named ``nick`` and registered, identified to it."""
        client = self.connected(source)
        client.say(nick)
        client.say(f"/register {PASSWORD}")
        wanted = (
            f"*** The nickname {nick} is registered to you, and you are identified to it.".encode() + CRLF
        )
        while client.read_line() != wanted:
            pass
        return client

    def lines(self, client: LineClient) -> list[bytes]:
        """The whole lines ``client`` has been sent since the last call, read without waiting for more."""
        client.socket.setblocking(False)
        try:
            data = client.socket.recv(65536)
        except BlockingIOError:
            data = b""
        finally:
            client.socket.setblocking(True)
        fileno = client.socket.fileno()
        *whole, self.buffers[fileno] = (self.buffers.get(fileno, b"") + data).split(b"\n")
        return [line + b"\n" for line in whole]

    def test_another_addresss_identify_waits_for_one_check_of_the_loop_at_most(self) -> None:
        """While five connections of one address loop /identify, another address's /identify comes after one or two
        of their answers, not after every connection's."""
        self.registered("victim", "127.0.0.3")
        loop = {f"looper{n}": self.registered(f"looper{n}", "127.0.0.2") for n in range(CONNECTIONS)}
        victim = self.connected("127.0.0.3")
        for nick, client in loop.items():
            client.say(f"/identify {nick} {PASSWORD}")
        answered = dict.fromkeys(loop, 0)
        by_socket = {client.socket: nick for nick, client in loop.items()}
        started = time.monotonic()
        asked = False
        ahead = 0
        while True:
            self.assertLess(time.monotonic() - started, DEADLINE_SECONDS, "the /identify was never answered")
            if not asked and all(answered.values()):
                victim.say(f"/identify victim {PASSWORD}")
                asked = True
            ready, _, _ = select.select([victim.socket, *by_socket], [], [], DEADLINE_SECONDS)
            # Hers first: an answer of the loop's read in the same round may have been sent after it.
            if victim.socket in ready and b"*** You are identified as victim." + CRLF in self.lines(victim):
                break
            for nick in [by_socket[sock] for sock in ready if sock in by_socket]:
                for line in self.lines(loop[nick]):
                    if line.startswith(b"ERR already-identified"):
                        answered[nick] += 1
                        ahead += asked
                        loop[nick].say(f"/identify {nick} {PASSWORD}")
        self.assertLessEqual(ahead, AHEAD_AT_MOST, f"{ahead} answers of the loop came before the /identify's")
