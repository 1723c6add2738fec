"""A room's offer reaches whoever joins the room while it is open (chatd.frontend.late_joiners), over StringTransport."""

import os
from typing import Any

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Actor
from chatd.domain.files import FileLimits, FileTarget, OfferedFile
from chatd.frontend.transfer_parts import Transfer
from chatd.line.protocol import LineProtocol
from tests.irc import SERVER, IRCTestCase
from tests.test_files import CONTENT, SHA, FileTestCase

FILE = "0000000000000001"


class LateJoinerTests(FileTestCase):
    file_limits = FileLimits(keep=3600)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob")
        for member in (self.alice, self.bob):
            member.dataReceived(b"/join #maths\n")
        self.alice.dataReceived(b"today's worksheet\n")
        self.offer(self.alice, to=b"#maths")
        self.upload(self.alice, CONTENT)
        self.lines(self.alice_wire)
        self.lines(self.bob_wire)

    def offers(self, wire: StringTransport) -> list[dict[str, Any]]:
        return [item for item in self.objects(wire) if item["type"] == "file_offered"]

    def joins(self, nick: bytes) -> tuple[LineProtocol, StringTransport]:
        """``nick``, in JSON, joins #maths; their wire holds what the join showed them."""
        protocol, wire = self.json_user(nick)
        protocol.dataReceived(b"/join #maths\n")
        return protocol, wire

    def test_a_late_joiner_is_offered_it_after_the_join_s_replay_and_may_fetch_it(self) -> None:
        """carol joins #maths after alice's offer there: she reads the same offer after the room's last lines, and
        fetches the file byte for byte; alice hears that nobody but bob is left."""
        carol, carol_wire = self.joins(b"carol")
        told = self.objects(carol_wire)
        self.assertEqual(
            [item["type"] for item in told], ["joined", "members", "said", "notice", "file_offered"]
        )
        self.assertEqual((told[2]["text"], told[3]["kind"]), ("today's worksheet", "history_end"))
        self.assertEqual(
            {key: value for key, value in told[-1].items() if key not in ("id", "at")},
            {
                "type": "file_offered",
                "nick": "alice",
                "file": FILE,
                "to": "#maths",
                "name": "holiday photo.png",
                "size": len(CONTENT),
                "mime": "image/png",
                "sha256": SHA,
                "waited": False,
            },
        )
        self.assertEqual(self.offers(self.alice_wire), [], "the sender is not shown it again")
        carol.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        self.assertEqual(self.download(carol, carol_wire), CONTENT)
        self.assertEqual(
            [item for item in self.objects(self.alice_wire) if item["type"] == "file_fetched"],
            [{"type": "file_fetched", "file": FILE, "nick": "carol", "left": 1}],
        )

    def test_a_text_joiner_reads_the_offer_s_one_line(self) -> None:
        """An nc user joining reads the line a member read when it was made."""
        carol, carol_wire = self.connect(b"carol")
        carol.dataReceived(b"/join #maths\n")
        self.assertEqual(
            self.lines(carol_wire)[-1],
            b'[00:00] * alice offers #maths "holiday photo.png" (41.0 kB, image/png, sha256 '
            + SHA[:6].encode()
            + b"...): the bundled client (python -m chatd.client) or the web page can fetch it; "
            b"/file decline 0000000000000001 refuses it.",
        )

    def test_a_late_joiner_keeps_the_offer_open_until_they_are_done(self) -> None:
        """bob declines once carol has joined: one is left, the bytes stay; carol's decline ends it."""
        carol, _ = self.joins(b"carol")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "bob", "left": 1}],
        )
        self.assertNotEqual(os.listdir(self.folder), [])
        carol.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "carol", "left": 0}],
        )
        self.assertEqual(os.listdir(self.folder), [])

    def test_a_member_who_leaves_and_comes_back_is_not_offered_it_twice(self) -> None:
        """bob, offered it, leaves #maths and joins again: no second offer, and he may still decline it; once he
        has, coming back again offers him nothing either (carol, who joined late, keeps it open); nor is alice
        offered her own as she comes back."""
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        for _ in range(2):
            self.bob.dataReceived(b"/part #maths\n")
            self.bob.dataReceived(b"/join #maths\n")
            self.assertEqual(self.offers(self.bob_wire), [])
            self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.alice.dataReceived(b"/part #maths\n")
        self.alice.dataReceived(b"/join #maths\n")
        self.assertEqual(self.offers(self.alice_wire), [])
        self.assertEqual(self.offers(carol_wire), [])

    def test_an_offer_that_is_over_is_offered_to_nobody(self) -> None:
        """Declined by bob, the only one offered it, the offer is over: carol joining is offered nothing."""
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(self.offers(carol_wire), [])

    def test_a_withdrawn_offer_is_offered_to_nobody(self) -> None:
        """Withdrawn by alice, the offer reaches no later joiner."""
        self.alice.dataReceived(b"/file cancel " + FILE.encode() + b"\n")
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(self.offers(carol_wire), [])

    def test_an_expired_offer_is_offered_to_nobody(self) -> None:
        """Past --file-keep the offer is let go: a joiner after is offered nothing, and bob is told it expired."""
        self.files.start()
        self.addCleanup(self.files.stop)
        self.clock.advance(3600)
        self.assertEqual([item["type"] for item in self.objects(self.bob_wire)], ["file_expired"])
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(self.offers(carol_wire), [])

    def test_an_offer_past_its_time_still_being_fetched_is_offered_to_nobody(self) -> None:
        """Past --file-keep, the offer waits only for bob's download under way to end: carol joining is offered
        nothing."""
        self.files.start()
        self.addCleanup(self.files.stop)
        self.bob.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        self.clock.advance(3600)
        self.assertIsNotNone(self.files.transfer(FILE))
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(self.offers(carol_wire), [])

    def test_an_offer_nobody_is_left_to_fetch_is_offered_to_nobody_while_a_download_ends(self) -> None:
        """bob, fetching it here, has it by its link meanwhile: nobody is left, only his download keeps it open,
        and carol joining is offered nothing."""
        self.bob.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        transfer = self.files.transfer(FILE)
        assert transfer is not None
        self.files.fetched(transfer, "nick:bob@127.0.0.1", "bob")
        self.assertIsNotNone(self.files.transfer(FILE))
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(self.offers(carol_wire), [])

    def test_a_joiner_gone_again_before_the_offer_is_shown_is_not_counted(self) -> None:
        """carol joins #maths and leaves in the same pass: she is shown no offer and is not one of its people, so
        bob's decline leaves nobody."""
        carol, carol_wire = self.json_user(b"carol")
        carol.dataReceived(b"/join #maths\n/part #maths\n")
        self.assertEqual(self.offers(carol_wire), [])
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "bob", "left": 0}],
        )

    def test_a_joiner_of_another_room_is_offered_nothing(self) -> None:
        """carol joins #art, not #maths: alice's offer to #maths is not hers to see."""
        carol, carol_wire = self.json_user(b"carol")
        carol.dataReceived(b"/join #art\n")
        self.assertEqual(self.offers(carol_wire), [])


class IRCLateJoinerTests(FileTestCase, IRCTestCase):
    """An IRC user joining a room with an offer open reads the NOTICE its members read, with a link of their own."""

    def test_an_irc_joiner_reads_the_offer_s_notice_after_the_join_burst(self) -> None:
        """dave joins #maths over IRC after alice's offer there: the last line he reads is the offer's NOTICE, naming
        a link made for him."""
        self.files.links = lambda transfer, key, nick: f"http://testhost:8080/files/{nick}-token"
        self.irc.files = self.files
        alice, _ = self.json_user(b"alice")
        bob, _ = self.json_user(b"bob")
        for member in (alice, bob):
            member.dataReceived(b"/join #maths\n")
        self.offer(alice, to=b"#maths")
        self.upload(alice, CONTENT)
        dave, dave_wire = self.irc_user("dave")
        self.send(dave, "JOIN #maths")
        self.end_pass()
        lines = dave_wire.value().decode().splitlines()
        self.assertIn(" 366 dave #maths ", "\n".join(lines[:-1]))
        self.assertEqual(
            lines[-1],
            f':{SERVER} NOTICE #maths :alice offers #maths "holiday photo.png" ({len(CONTENT)} bytes, '
            f"image/png, sha256 {SHA}): fetch it at http://testhost:8080/files/dave-token (a link for you "
            "alone, good once) or with the bundled client (python -m chatd.client) or the web page",
        )


class KeptDoneTests(SynchronousTestCase):
    def test_who_is_done_with_an_offer_outlives_a_restart(self) -> None:
        """A transfer kept and read back after a restart still knows who is done with it, so that they are not
        offered it again as they come back into its room."""
        transfer = Transfer(
            OfferedFile(FILE, "worksheet.pdf", 10, "application/pdf", SHA),
            Actor("alice", "127.0.0.1", None),
            "address:127.0.0.1",
            FileTarget("#maths", room=True),
            f"{SHA}-10",
            1000.0,
            offered_at=1001.0,
            pending={"nick:carol@127.0.0.1"},
            done={"nick:bob@127.0.0.1"},
        )
        again = Transfer.kept(transfer.record())
        self.assertEqual((again.pending, again.done), ({"nick:carol@127.0.0.1"}, {"nick:bob@127.0.0.1"}))
