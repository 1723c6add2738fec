"""A room's offer reaches whoever joins the room while it is open (chatd.frontend.late_joiners), over StringTransport."""

import json
import os
import sqlite3
from contextlib import closing
from typing import Any

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import FileLimits
from chatd.frontend.transfer_parts import Transfer
from chatd.frontend.transfers import Transfers
from chatd.line.protocol import LineProtocol
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_transfers import SQLiteTransfers
from tests.helpers import ThreadedReactor, committed, new_database
from tests.irc import SERVER, IRCTestCase
from tests.test_files import CONTENT, SHA, FileTestCase
from tests.test_history import open_store
from tests.test_line_accounts import PASSWORD
from tests.transfers import worksheet

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

    def test_a_late_joiner_is_counted_among_those_left(self) -> None:
        """bob declines once carol has joined: she is left; her decline leaves nobody offered it so far."""
        carol, _ = self.joins(b"carol")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "bob", "left": 1}],
        )
        carol.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "carol", "left": 0}],
        )

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

    def test_an_offer_everyone_present_fetched_still_reaches_a_later_joiner(self) -> None:
        """bob, the only one offered it, fetches it whole (alice hears nobody is left), yet the offer stays open:
        carol joining after is offered it and fetches it byte for byte; bob is not offered it again."""
        self.bob.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        self.assertEqual(self.download(self.bob, self.bob_wire), CONTENT)
        self.assertEqual(
            [item for item in self.objects(self.alice_wire) if item["type"] == "file_fetched"],
            [{"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}],
        )
        carol, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        carol.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        self.assertEqual(self.download(carol, carol_wire), CONTENT)
        self.assertEqual(self.offers(self.bob_wire), [])

    def test_an_offer_everyone_present_declined_and_then_withdrawn_is_offered_to_nobody(self) -> None:
        """Declined by bob, the offer waits for later joiners with its bytes; withdrawn by alice, it is over, its
        bytes go, and carol joining is offered nothing."""
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertNotEqual(os.listdir(self.folder), [])
        self.alice.dataReceived(b"/file cancel " + FILE.encode() + b"\n")
        self.assertEqual(os.listdir(self.folder), [])
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(self.offers(carol_wire), [])

    def test_an_offer_everyone_present_declined_expires_at_its_time(self) -> None:
        """Declined by bob, the offer waits for --file-keep after it was made: then alice hears it expired, its
        bytes go, and carol joining is offered nothing."""
        self.files.start()
        self.addCleanup(self.files.stop)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.lines(self.alice_wire)
        self.clock.advance(3599)
        self.assertNotEqual(os.listdir(self.folder), [])
        self.clock.advance(1)
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_expired", "file": FILE, "reason": "offers wait 1h at most"}],
        )
        self.assertEqual(os.listdir(self.folder), [])
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

    def test_an_offer_nobody_is_left_to_fetch_stays_open_once_a_download_ends(self) -> None:
        """bob, fetching it here, has it by its link meanwhile: nobody is left, yet carol joining is offered it,
        and the offer stays once bob stops his download here."""
        self.bob.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        transfer = self.files.transfer(FILE)
        assert transfer is not None
        self.files.fetched(transfer, "nick:bob@127.0.0.1", "bob")
        _, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        self.bob.dataReceived(b"/file cancel " + FILE.encode() + b"\n")
        self.assertIs(self.files.transfer(FILE), transfer)

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

    def test_a_late_joiner_who_parts_is_no_longer_counted_and_is_offered_it_again_on_return(self) -> None:
        """carol joins late and parts #maths without fetching it: she is one of its people no longer (bob's decline
        leaves nobody), and joining again she is offered it again."""
        carol, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        carol.dataReceived(b"/part #maths\n")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "bob", "left": 0}],
        )
        carol.dataReceived(b"/join #maths\n")
        self.assertEqual([item["file"] for item in self.offers(carol_wire)], [FILE])

    def test_a_late_joiner_who_parts_or_is_kicked_is_told_the_offer_is_theirs_no_longer(self) -> None:
        """carol (JSON) parts #maths and dave (text) is kicked from it, both after joining late without fetching it:
        each is told after the leave, in their own name, that the offer ended for them as they left the room, and
        bob and dave, in it still as carol leaves, are counted as left."""
        carol, carol_wire = self.joins(b"carol")
        dave, dave_wire = self.connect(b"dave")
        dave.dataReceived(b"/join #maths\n")
        self.end_pass()
        self.lines(carol_wire)
        self.lines(dave_wire)
        carol.dataReceived(b"/part #maths\n")
        self.alice.dataReceived(b"/kick dave #maths\n")
        told = self.objects(carol_wire)
        self.assertEqual(told[0]["type"], "parted")
        self.assertEqual(
            told[-1],
            {
                "type": "file_cancelled",
                "file": FILE,
                "nick": "carol",
                "reason": "you left #maths",
                "left": 2,
                "left_room": "#maths",
                "taken_down_from": None,
            },
        )
        self.assertEqual(self.lines(dave_wire)[-1], f"*** dave cancelled {FILE} (you left #maths).".encode())

    def test_a_late_joiner_who_leaves_while_fetching_it_still_lists_the_download(self) -> None:
        """carol joins late, accepts it and parts #maths before her download ends: it is no longer offered to her,
        but the session fetching it goes on, and her /file list there shows it downloading."""
        carol, carol_wire = self.joins(b"carol")
        self.end_pass()
        carol.dataReceived(b"/file accept " + FILE.encode() + b"\n/part #maths\n")
        self.lines(carol_wire)
        carol.dataReceived(b"/file list\n")
        [listed] = self.objects(carol_wire)
        self.assertEqual([(row["file"], row["state"]) for row in listed["files"]], [(FILE, "downloading")])

    def test_a_guest_late_joiner_s_answer_is_forgotten_as_they_leave_and_an_account_s_is_kept(self) -> None:
        """carol, a guest, and dave, identified, join late and decline it; both part #maths and are told nothing
        more of it. Nothing of carol is held for it (one address's new nicknames declining grew memory for a week):
        joining again she is offered it again. dave's answer is kept, and joining again he is not."""
        carol, carol_wire = self.joins(b"carol")
        dave, dave_wire = self.joins(b"dave")
        self.end_pass()
        dave.dataReceived(b"/register " + PASSWORD + b"\n")
        for client in (carol, dave):
            client.dataReceived(b"/file decline " + FILE.encode() + b"\n")
            client.dataReceived(b"/part #maths\n")
        transfer = self.files.transfer(FILE)
        assert transfer is not None
        self.assertEqual((transfer.done, transfer.joined), ({"account:dave"}, {"account:dave"}))
        # Nor the by-person index that finds her transfers as she leaves or renames.
        self.assertEqual(self.files._open.of_person("nick:carol@127.0.0.1"), [])
        self.lines(carol_wire)
        self.lines(dave_wire)
        for client in (carol, dave):
            client.dataReceived(b"/join #maths\n")
        self.end_pass()
        self.assertEqual([item["file"] for item in self.offers(carol_wire)], [FILE])
        self.assertEqual([item for item in self.objects(dave_wire) if item["type"].startswith("file_")], [])

    def test_a_late_joiner_kicked_or_gone_from_the_chat_is_offered_it_again_on_return(self) -> None:
        """carol, kicked from #maths after joining late, is offered it again when she joins again; dave, who quits,
        is offered it again when he comes back under the same nickname from the same address."""
        carol, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        dave, dave_wire = self.joins(b"dave")
        self.assertEqual(len(self.offers(dave_wire)), 1)
        self.alice.dataReceived(b"/kick carol #maths\n")
        dave.dataReceived(b"/quit\n")
        transfer = self.files.transfer(FILE)
        assert transfer is not None
        self.assertEqual(transfer.pending, {"nick:bob@127.0.0.1"})
        self.lines(carol_wire)
        self.clock.advance(61)  # a kick's wait before joining again
        carol.dataReceived(b"/join #maths\n")
        self.assertEqual([item["file"] for item in self.offers(carol_wire)], [FILE])
        _, dave_wire = self.joins(b"dave")
        self.assertEqual([item["file"] for item in self.offers(dave_wire)], [FILE])

    def test_a_late_joiner_renamed_is_let_go_as_they_leave_under_their_new_nickname(self) -> None:
        """carol joins late, becomes carla and parts #maths: she is no longer counted, and is offered it again on
        her return."""
        carol, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        carol.dataReceived(b"/nick carla\n/part #maths\n")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "bob", "left": 0}],
        )
        self.lines(carol_wire)
        carol.dataReceived(b"/join #maths\n")
        self.assertEqual([item["file"] for item in self.offers(carol_wire)], [FILE])

    def test_a_late_joiner_who_leaves_another_room_stays_one_of_its_people(self) -> None:
        """carol joins #maths late and #art, then parts #art: she is still in #maths, and still counted."""
        carol, carol_wire = self.joins(b"carol")
        self.assertEqual(len(self.offers(carol_wire)), 1)
        carol.dataReceived(b"/join #art\n/part #art\n")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": FILE, "nick": "bob", "left": 1}],
        )

    def test_a_joiner_after_the_engine_stopped_is_offered_nothing(self) -> None:
        """Once the engine stops (the daemon going down), carol's join to #maths is offered nothing: the late joiners
        hear no more of the bus."""
        self.files.stop()
        _, carol_wire = self.joins(b"carol")
        self.end_pass()
        self.assertEqual(self.offers(carol_wire), [])

    def test_a_joiner_of_another_room_is_offered_nothing(self) -> None:
        """carol joins #art, not #maths: alice's offer to #maths is not hers to see."""
        carol, carol_wire = self.json_user(b"carol")
        carol.dataReceived(b"/join #art\n")
        self.assertEqual(self.offers(carol_wire), [])


class StoredRecordTests(FileTestCase):
    """alice's offer to #maths, bob there, kept in a real SQLite store's file (``--db FILE``)."""

    file_limits = FileLimits(keep=3600)

    def setUp(self) -> None:
        super().setUp()
        self.reactor = ThreadedReactor()
        self.path = new_database(self)
        self.db = open_store(self, self.path, self.reactor)
        self.files = self.factory.files = Transfers(
            self.chat,
            self.spool,
            self.clock,
            self.file_limits,
            store=SQLiteTransfers(self.db),
            new_id=lambda: next(self.ids),
            bus=self.bus,
        )
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, _ = self.json_user(b"bob")
        for member in (self.alice, self.bob):
            member.dataReceived(b"/join #maths\n")
        self.offer(self.alice, to=b"#maths")
        self.upload(self.alice, CONTENT)
        self.end_pass()
        committed(self.reactor, self.db)

    def record(self) -> dict[str, Any]:
        """The offer's record as the file holds it."""
        with closing(sqlite3.connect(self.path)) as connection:
            (body,) = connection.execute("SELECT body FROM transfers WHERE file = ?", (FILE,)).fetchone()
        return dict(json.loads(body))

    def written(self) -> int:
        """Bytes of the store's pass log: what the reactor passes gave the store to write so far."""
        return os.path.getsize(self.path + "-passes")

    def test_late_joins_write_nothing_to_the_store(self) -> None:
        """Forty people join #maths after the offer and are each offered it: the store is given nothing to write,
        and the record still names bob alone as offered it."""
        before = (self.record(), self.written())
        for n in range(40):
            _, wire = self.joins(b"joiner%d" % n)
            self.end_pass()
            self.assertEqual(len(self.offers(wire)), 1)
        committed(self.reactor, self.db)
        self.assertEqual((self.record(), self.written()), before)
        self.assertEqual(self.record()["pending"], ["nick:bob@127.0.0.1"])

    def test_late_joiners_answers_write_nothing_and_only_the_members_answer_is_kept(self) -> None:
        """Forty people join #maths after the offer and each declines it: the store is given nothing to write (each
        decline wrote the offer's whole record, its ``done`` one longer each time). bob, offered it as it was made, declines it: the record names him as done."""
        before = (self.record(), self.written())
        for n in range(40):
            joiner, _ = self.joins(b"joiner%d" % n)
            self.end_pass()
            joiner.dataReceived(b"/file decline " + FILE.encode() + b"\n")
            self.end_pass()
        committed(self.reactor, self.db)
        self.assertEqual((self.record(), self.written()), before)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.end_pass()
        committed(self.reactor, self.db)
        record = self.record()
        self.assertEqual((record["pending"], record["done"]), ([], ["nick:bob@127.0.0.1"]))

    def test_after_a_restart_a_late_joiner_who_declined_is_offered_it_again_and_a_member_is_not(self) -> None:
        """carol joins late and declines it, dave joins late and neither fetches nor declines it, bob (there as it
        was made) declines it: the record names bob alone as done, so after a restart carol and dave are offered it
        again as they join, and bob is not."""
        carol, _ = self.joins(b"carol")
        self.joins(b"dave")
        self.end_pass()
        carol.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.end_pass()
        committed(self.reactor, self.db)
        (kept,) = SQLiteTransfers(self.reopened()).kept()
        again = Transfer.kept(kept)
        self.assertEqual((again.pending, again.done), (set(), {"nick:bob@127.0.0.1"}))

    def reopened(self) -> SQLiteHistory:
        """The store stopped (all written) and its file opened again, as a restart does."""
        self.reactor.run_until(self.db.stopService())
        return open_store(self, self.path, self.reactor)

    def joins(self, nick: bytes) -> tuple[LineProtocol, StringTransport]:
        protocol, wire = self.json_user(nick)
        protocol.dataReceived(b"/join #maths\n")
        return protocol, wire

    def offers(self, wire: StringTransport) -> list[dict[str, Any]]:
        return [item for item in self.objects(wire) if item["type"] == "file_offered"]


class EmptyRoomTests(FileTestCase):
    """alice alone in #maths offers it a worksheet before anyone else has come: the class arrives after."""

    file_limits = FileLimits(keep=3600)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.alice.dataReceived(b"/join #maths\n")
        self.offer(self.alice, to=b"#maths")
        self.upload(self.alice, CONTENT)
        self.lines(self.alice_wire)

    def test_an_offer_to_a_room_of_its_sender_alone_reaches_who_joins_after(self) -> None:
        """Nobody else in #maths when it was made, the offer stays open: bob joining is offered it and fetches it
        byte for byte, and alice hears he has it, nobody offered it left."""
        self.assertIsNotNone(self.files.transfer(FILE))
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/join #maths\n")
        self.assertEqual(
            [item["file"] for item in self.objects(bob_wire) if item["type"] == "file_offered"], [FILE]
        )
        bob.dataReceived(b"/file accept " + FILE.encode() + b"\n")
        self.assertEqual(self.download(bob, bob_wire), CONTENT)
        self.assertEqual(
            [item for item in self.objects(self.alice_wire) if item["type"] == "file_fetched"],
            [{"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}],
        )

    def test_the_offer_outlives_its_sender_leaving_the_room_and_the_chat(self) -> None:
        """alice parts #maths and quits: her offer stays, as a file shared in a room would; bob joining is offered
        it from her."""
        self.alice.dataReceived(b"/part #maths\n/quit\n")
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/join #maths\n")
        self.assertEqual(
            [
                (item["nick"], item["file"])
                for item in self.objects(bob_wire)
                if item["type"] == "file_offered"
            ],
            [("alice", FILE)],
        )

    def test_the_same_offer_again_is_answered_with_the_open_one(self) -> None:
        """alice offers the same file to #maths again, nobody having come: she is answered with the offer open,
        not a second one."""
        self.offer(self.alice, to=b"#maths")
        self.assertEqual(
            [(item["type"], item["file"]) for item in self.objects(self.alice_wire)],
            [("file_upload", FILE), ("file_uploaded", FILE)],
        )


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
            "alone, good once) or with the bundled client (python -m chatd.client) or the web page; FILES DECLINE "
            "0000000000000001 declines it; send FILES to list it again",
        )

    def test_an_irc_late_joiner_who_parts_reads_a_notice_that_it_is_theirs_no_longer(self) -> None:
        """dave, who joined #maths late over IRC, parts it: a NOTICE to his nickname says alice's offer is no
        longer his to fetch, and how to be offered it again."""
        self.irc = self.irc_front_end(files=self.files)
        alice, _ = self.json_user(b"alice")
        alice.dataReceived(b"/join #maths\n")
        self.offer(alice, to=b"#maths")
        self.upload(alice, CONTENT)
        dave, dave_wire = self.irc_user("dave")
        self.send(dave, "JOIN #maths")
        self.end_pass()
        dave_wire.clear()
        self.send(dave, "PART #maths")
        self.end_pass()
        self.assertEqual(
            dave_wire.value().decode().splitlines()[-1],
            f':{SERVER} NOTICE dave :alice\'s offer of "holiday photo.png" to #maths is no longer yours to fetch'
            " (you left #maths): join #maths again to be offered it again",
        )


class KeptDoneTests(SynchronousTestCase):
    def test_who_is_done_with_an_offer_outlives_a_restart(self) -> None:
        """A transfer kept and read back after a restart still knows who is done with it, so that they are not
        offered it again as they come back into its room."""
        transfer = worksheet()
        transfer.pending = {"nick:carol@127.0.0.1"}
        transfer.done = {"nick:bob@127.0.0.1"}
        again = Transfer.kept(transfer.record())
        self.assertEqual((again.pending, again.done), ({"nick:carol@127.0.0.1"}, {"nick:bob@127.0.0.1"}))
