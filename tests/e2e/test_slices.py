"""A room bigger than a slice of sends (chatd.frontend.outbox.SEND_SLICE), on a real twistd over loopback.

The daemon sends a busy pass's connections a slice at a time and reads
between two slices, so lines said while a room's fan-out is part-sent
join it for the members not sent yet and go round again for the others.
Two members talk as fast as their sockets take it while a room of
``MEMBERS`` is being sent to: every member must read every line once, in
the one order the room has them.
"""

import re

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.outbox import SEND_SLICE
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_big_rooms import crowd

MEMBERS = 2 * SEND_SLICE + 44
"""More than two slices: a fan-out to the lobby is sent over three."""

LINES = 40
"""Lines each of the two speakers says, one send each."""

SAID = re.compile(rb"^\[\d\d:\d\d\] #lobby <user0[01]> (s[01] line \d+|end)\r\n$")


def said(member: LineClient) -> list[bytes]:
    """The speakers' lines ``member`` reads, in order, until each speaker's last one, ``end``."""
    heard: list[bytes] = []
    while heard.count(b"end") < 2:
        found = SAID.match(member.read_line())
        if found is not None:
            heard.append(found[1])
    return heard


class SlicedRoomTests(SynchronousTestCase):
    def test_every_member_reads_every_line_once_in_the_rooms_one_order(self) -> None:
        """300 in the lobby, two of them saying 40 lines each as fast as they can: each member reads the same 80."""
        daemon = Daemon.start(
            self, [*LOOPBACK, "--db", ":memory:", "--flood-rate", "1000", "--flood-burst", "1000"]
        )
        members = crowd(daemon, MEMBERS)
        speakers = members[:2]
        for number in range(LINES):
            for index, speaker in enumerate(speakers):
                speaker.say(f"s{index} line {number}")
        for speaker in speakers:
            speaker.say("end")
        heard = [said(member) for member in members]
        first = heard[0]
        for index in (0, 1):
            self.assertEqual(
                [line for line in first if line.startswith(b"s%d " % index)],
                [b"s%d line %d" % (index, number) for number in range(LINES)],
            )
        self.assertEqual(len(first), 2 * LINES + 2)
        self.assertEqual([number for number, lines in enumerate(heard) if lines != first], [])
