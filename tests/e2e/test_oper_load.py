"""Wrong /oper attempts over real TCP are checked beside the chat, not in its way.

An Argon2id check takes a tenth of a second or more of CPU, on purpose.
Checked on the reactor thread, each would stall every connection for that
long; checked in the daemon's password pool (chatd.frontend.oper), only the
connection that asked waits. Here the operator's hash is made at five times
argon2-cffi's default time cost, so a check takes about a second. Two
attackers, each from its own loopback address (so the per-address
throttle refuses neither unchecked), send a wrong password together while
alice says a line, waits for its echo and a moment, again and again, until
both are answered. Her longest wait for an echo is a fraction
(``SHARE``) of what one check takes on the same machine, timed in the test
just before: with the checks on the reactor thread it would be a whole
check or more, on a fast machine or a slow one. How long others wait while
checks run is a speed, measured by bench/password_load.py
(docs/PERFORMANCE.md), not here.
"""

import contextlib
import select
import time

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import CRLF, LineClient, opers_file
from tests.e2e.lobby import PROMPT, WELCOME, Lobby, start_chatd

PASSWORD = "correct horse battery staple"

ATTACKERS = 2

SHARE = 1 / 3
"""Of one check's time, the most alice may wait for an echo: a round trip takes milliseconds."""

SLOW_HASH = PasswordHasher(time_cost=5 * PasswordHasher().time_cost)
"""Five times the default cost: a check long enough (about a second here) to stand far above a round trip."""

PAUSE_SECONDS = 0.005
"""alice's pause between an echo and her next line, leaving the checks a core as people typing would."""

ATTACK_DEADLINE_SECONDS = 60.0
"""How long both checks may take to be answered, on a loaded machine, before the test fails."""

FAILED = b"ERR oper-failed wrong operator name or password" + CRLF

# alice says up to 200 lines a second: far past the default flood budget, which would slow her.
FAST_TALKERS = ("--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "10000000")


class OperUnderLoadTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.hashed = SLOW_HASH.hash(PASSWORD)
        self.daemon = start_chatd(self, "--opers", opers_file(self, self.hashed), *FAST_TALKERS)

    def attacker(self, n: int) -> LineClient:
        """A user from 127.0.0.(n + 2), named and in no room, so the talk in #lobby never reaches it."""
        client = self.daemon.connect(source=f"127.0.0.{n + 2}")
        client.expect(WELCOME, PROMPT)
        client.say(f"attacker{n}")
        client.expect(f"*** You are attacker{n}.")
        while not client.read_line().startswith(b"*** In #lobby"):
            pass
        client.say("/part")
        while client.read_line() != b"*** You are in no room; /join #room to talk." + CRLF:
            pass
        return client

    def test_others_talk_while_wrong_opers_are_checked(self) -> None:
        """alice's longest wait for an echo while two wrong /oper are checked is a fraction of one check; each
        attacker is told ``ERR oper-failed``."""
        attackers = [self.attacker(n) for n in range(ATTACKERS)]
        alice = Lobby(self.daemon).enter("alice")
        check = one_check_seconds(self.hashed)
        for attacker in attackers:
            attacker.send(b"/oper boss not the password\n")
        started = time.monotonic()
        unanswered = {attacker.socket.fileno(): attacker for attacker in attackers}
        waits: list[float] = []
        while unanswered:
            self.assertLess(
                time.monotonic() - started, ATTACK_DEADLINE_SECONDS, f"{len(unanswered)} attackers unanswered"
            )
            said = time.monotonic()
            alice.say(f"ping {len(waits)}")
            self.assertTrue(alice.read_line().endswith(f"#lobby <alice> ping {len(waits)}".encode() + CRLF))
            waits.append(time.monotonic() - said)
            ready, _, _ = select.select(list(unanswered), [], [], 0)
            for fileno in ready:
                self.assertEqual(unanswered.pop(fileno).read_line(), FAILED)
            time.sleep(PAUSE_SECONDS)
        self.assertLess(
            max(waits),
            SHARE * check,
            f"alice waited {max(waits) * 1000:.0f} ms for an echo, of {len(waits)}; a check takes {check * 1000:.0f} ms",
        )


def one_check_seconds(hashed: str) -> float:
    """How long checking a wrong password against ``hashed`` takes here."""
    began = time.monotonic()
    with contextlib.suppress(VerificationError):
        SLOW_HASH.verify(hashed, "not the password")
    return time.monotonic() - began
