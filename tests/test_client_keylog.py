"""The client checking a long key log against the server's own line front end, in one process (issue 17).

The client is a real ``Link`` with ``EndToEnd``; the server the line front
end of ``LineTestCase`` at its default flood budget, its key log thousands of
entries long, as on a server that has run for a while. Both run on one
``Clock``, pumped into each other (tests/linked.py), and time moves on only
when nothing else does, to the next thing waiting for it.
"""

import os
from collections.abc import Callable
from functools import partial

from chatd.client.crypto import Identity
from chatd.client.e2e import EndToEnd
from chatd.client.keyring import Keyring
from chatd.client.presence import Presence
from chatd.domain.keylog import LOG_PAGE
from chatd.domain.storage_ports import KeyStore
from tests.helpers import LineTestCase, new_folder
from tests.linked import ROUNDS, LinkedClient, Pumping
from tests.test_keys_line import long_log

PASSWORD = "classroom42"

LONG_LOG = 7500
"""Entries in the server's log before alice's key: read a page at once each, her client was cut off for flooding."""

FLOODING = "You are sending faster than the server allows"


class Client(LinkedClient):
    """alice on the bundled client, with encryption: her key and pins in a folder of the test's."""

    def __init__(self, case: "KeyLogTestCase") -> None:
        self.folder = case.top
        super().__init__(case, Presence("alice"))

    def equip(self) -> None:
        self.e2e = EndToEnd(
            self.link,
            self.case.clock,
            partial(Identity.load_or_make, os.path.join(self.folder, "identity.key")),
            Keyring.load(os.path.join(self.folder, "known_keys.json"), "t:5000"),
        )
        self.link.e2e = self.e2e


class KeyLogTestCase(Pumping, LineTestCase):
    """A server whose key log is ``LONG_LOG`` entries long, and alice's client on it."""

    def setUp(self) -> None:
        self.top = new_folder(self)
        super().setUp()
        self.alice = Client(self)
        self.clients = [self.alice]
        self.until(lambda: self.alice.presence.current is not None)

    def make_keys(self) -> KeyStore:
        return long_log(LONG_LOG)

    def run_until(self, done: Callable[[], bool]) -> None:
        """Pump until ``done``; when nothing moves, time goes on to the next call waiting for it (a page's wait)."""
        for _ in range(ROUNDS):
            if done():
                return
            if not self.alice.pump():
                calls = self.clock.getDelayedCalls()
                if not calls:
                    break
                due = min(call.getTime() for call in calls)
                self.clock.advance(max(due - self.clock.seconds(), 0.0))
        shown = "\n".join([*self.alice.screen.lines, *self.alice.screen.notes][-5:])
        self.fail(f"the condition never came true; alice's screen ends:\n{shown}")


def checked(client: Client, seq: int) -> bool:
    """Whether ``client`` has checked the log up to ``seq`` and asks for nothing more."""
    return client.e2e.keyring.log.seq == seq and not client.e2e.busy()


class LongKeyLogTests(KeyLogTestCase):
    def test_identifying_reads_a_long_log_page_by_page_never_told_it_floods(self) -> None:
        """alice registers: her client checks the whole log from seq 1, each page asked once and only after the
        wait the last page said, so the server never says she floods nor cuts her off. She is told the check is
        under way once it needs a second page, and when it is done.

        It asked for each page the moment the last came: over budget from
        the second page on, told so, and cut off 30 s later, some 6,500
        entries in.
        """
        started = self.clock.seconds()
        self.alice.type(f"/register {PASSWORD}")
        total = LONG_LOG + 1  # her own key's entry
        self.run_until(partial(checked, self.alice, total))
        asked = [int(line.split()[2]) for line in self.alice.sent if line.startswith("/key log ")]
        self.assertEqual((asked[0], asked, len(asked)), (1, sorted(set(asked)), 16))
        self.assertFalse(self.alice.showing(FLOODING))
        self.assertFalse(self.alice.wire.disconnecting)
        self.assertTrue(
            self.alice.showing(f"Checking the server's key log: 499 of {total:,} entries so far.")
        )
        self.assertTrue(self.alice.showing(f"Key log checked: {total:,} entries, head"))
        # The first page holds what the burst left pays for (499 entries); then 3 s before each of the 15 after it,
        # till the budget is full again, at 2 lines a second.
        self.assertGreaterEqual(self.clock.seconds() - started, 15 * 3)

    def test_a_msg_typed_while_the_log_is_checked_is_sealed_once_it_is(self) -> None:
        """A ``/msg`` to herself while the check goes on waits for it, then goes sealed: the wait between pages
        keeps the check going, and the client does not ask for a page twice when the /msg's keys want the log."""
        self.alice.type(f"/register {PASSWORD}")
        self.run_until(lambda: self.alice.e2e.keyring.log.seq >= 2 * LOG_PAGE)
        self.alice.type("/msg alice a note to self")
        self.run_until(lambda: any(line.startswith("/emsg alice ") for line in self.alice.sent))
        asked = [line for line in self.alice.sent if line.startswith("/key log ")]
        self.assertEqual(len(asked), len(set(asked)))
        self.assertEqual(self.alice.e2e.keyring.log.seq, LONG_LOG + 1)
        self.assertFalse(self.alice.showing(FLOODING))
