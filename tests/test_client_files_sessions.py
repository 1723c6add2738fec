"""The client of an account online from several connections: an offer the user is done with elsewhere ends here.

alice's client is one of her connections; bob offers her a file. The server
tells every connection of hers when one of them fetched, declined or
stopped fetching it (``file_fetched``, ``file_declined``, ``file_cancelled``
with her own nickname): the offer leaves the numbered transfers here, with
any part file, said in one line. Against a fake server, as
test_client_files.
"""

import os

from tests.test_client_files import FILE_ID, FilesTestCase, chunk, offered

DATA = os.urandom(40_000)


class DoneElsewhereTests(FilesTestCase):
    def offer_accepted(self) -> None:
        """bob's offer, accepted here and a chunk of it arrived: a part file in the downloads folder."""
        self.peer.send(offered(DATA))
        self.link.send("/accept 1")
        self.peer.send(chunk(0, DATA[:16384]))
        for _ in range(3):
            self.clock.advance(0.5)
        self.peer.sent()
        self.lines()
        self.assertNotEqual(os.listdir(self.folder), [])
        self.assertEqual(len(self.display.drawn[-1]), 1, "its progress bar")

    def assert_gone(self) -> None:
        """Nothing of the offer is left here: no part file, nothing to accept, nothing listed."""
        self.assertEqual(os.listdir(self.folder) if os.path.exists(self.folder) else [], [])
        self.link.send("/accept 1")
        self.assertEqual(self.lines(), ["! There is no offer 1 to accept; /files lists the transfers."])
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])
        self.assertEqual(self.peer.sent(), ["/file list"])
        self.assertFalse(self.display.drawn and self.display.drawn[-1], "no progress bar left")

    def test_an_offer_fetched_on_another_connection_ends_here(self) -> None:
        """Fetched elsewhere while accepted here: one line says so, and the part file is gone."""
        self.offer_accepted()
        self.peer.send({"type": "file_fetched", "file": FILE_ID, "nick": "alice", "left": 0})
        self.assertEqual(self.lines(), ['* "photo.jpg" from bob was fetched on another connection.'])
        self.assert_gone()

    def test_an_offer_declined_on_another_connection_ends_here(self) -> None:
        """Declined elsewhere, never accepted here: one line says so, and there is nothing to accept."""
        self.peer.send(offered(DATA))
        self.lines()
        self.peer.send({"type": "file_declined", "file": FILE_ID, "nick": "alice", "left": 0})
        self.assertEqual(self.lines(), ['* "photo.jpg" from bob was declined on another connection.'])
        self.assert_gone()

    def test_an_offer_stopped_on_another_connection_ends_here(self) -> None:
        """Stopped elsewhere: one line says so (not as the sender's cancel), and the part file is gone."""
        self.offer_accepted()
        self.peer.send(
            {
                "type": "file_cancelled",
                "file": FILE_ID,
                "nick": "alice",
                "reason": "cancelled by the recipient",
                "left": 0,
            }
        )
        self.assertEqual(self.lines(), ['* Fetching "photo.jpg" from bob was stopped on another connection.'])
        self.assert_gone()

    def test_a_room_s_offer_left_with_the_room_ends_here(self) -> None:
        """bob's offer to #maths, shown to alice as she joined late, ends as she leaves the room: one line says why,
        not as a stop on another connection, and there is nothing to accept."""
        self.peer.send(offered(DATA, to="#maths"))
        self.lines()
        self.peer.send(
            {
                "type": "file_cancelled",
                "file": FILE_ID,
                "nick": "alice",
                "reason": "you left #maths",
                "left": 1,
                "left_room": "#maths",
            }
        )
        self.assertEqual(
            self.lines(),
            [
                '* "photo.jpg" from bob is no longer offered to you (you left #maths); joining again offers it again.'
            ],
        )
        self.assert_gone()

    def test_a_room_left_is_told_by_its_field_not_by_its_reason(self) -> None:
        """Whether alice left the room is read from ``left_room``, not from the reason's words: with it, the offer is
        no longer hers whatever the reason says; without it, words starting "you left" are a stop elsewhere."""
        for left_room, reason, line in (
            (
                "#maths",
                "gone from #maths",
                "is no longer offered to you (gone from #maths); joining again offers it again.",
            ),
            (None, "you left #maths", "was stopped on another connection."),
        ):
            self.peer.send(offered(DATA, to="#maths"))
            self.lines()
            self.peer.send(
                {
                    "type": "file_cancelled",
                    "file": FILE_ID,
                    "nick": "alice",
                    "reason": reason,
                    "left": 1,
                    "left_room": left_room,
                }
            )
            self.assertTrue(self.lines()[-1].endswith(line), line)
            self.assert_gone()

    def test_an_accept_the_server_no_longer_has_ends_here(self) -> None:
        """An /accept that crossed the news (fetched elsewhere meanwhile) is refused no-such-file naming the file:
        the download ends, with its part file and its bar, in one line."""
        self.offer_accepted()
        self.peer.send(
            {
                "type": "error",
                "code": "no-such-file",
                "text": f"no transfer {FILE_ID} is open for you",
                "file": FILE_ID,
            }
        )
        self.assertEqual(self.lines(), ['! The server no longer has "photo.jpg" (no-such-file).'])
        self.assert_gone()

    def test_the_senders_cancel_still_reads_as_the_senders(self) -> None:
        """bob's withdrawal names bob, as before."""
        self.offer_accepted()
        self.peer.send(
            {
                "type": "file_cancelled",
                "file": FILE_ID,
                "nick": "bob",
                "reason": "withdrawn by the sender",
                "left": 0,
            }
        )
        self.assertEqual(
            self.lines(), ['! bob cancelled "photo.jpg" (withdrawn by the sender); nothing of it was kept.']
        )
        self.assertEqual(os.listdir(self.folder), [])
