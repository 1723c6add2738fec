"""What an IRC connection of a file's sender or recipient reads of it after the offer (chatd/irc/filenotices.py).

alice is registered; she uploads and offers files from a session on the
line port speaking JSON, and is online over IRC too (PASS). Her IRC client
read the offer's NOTICE; it reads one more, from the server where the
offer's went, for each recipient who fetches, declines or stops it, for her
withdrawal on the other connection, and for the offer's expiry. Likewise
bob, offered a file on the line port and on IRC, reads on IRC what he did
with it on the other. Over StringTransport, with the transfer engine the
daemon wires (issue 16).
"""

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.file_replies import FileCancelled
from chatd.domain.files import CHUNK, FileLimits
from chatd.irc.filenotices import recipient_words, sender_words
from chatd.irc.lines import timestamp
from chatd.irc.protocol import IRCProtocol
from tests.irc import SERVER, IRCTestCase
from tests.test_files import CONTENT, FileTestCase
from tests.test_line_accounts import PASSWORD
from tests.transfers import worksheet

FILE = "0000000000000001"
NAME = '"holiday photo.png"'


class SenderNoticeTests(FileTestCase, IRCTestCase):
    file_limits = FileLimits(keep=100.0)

    def setUp(self) -> None:
        super().setUp()
        self.irc = self.irc_front_end(files=self.files)
        self.alice, self.alice_wire = self.json_user(b"alice", host="10.0.0.1")
        self.alice.dataReceived(b"/register " + PASSWORD + b"\n")

    def alice_on_irc(self, *caps: str) -> tuple[IRCProtocol, StringTransport]:
        """alice's IRC connection, logged in to her account with PASS (and ``caps``)."""
        protocol, wire = self.irc_connect("10.0.0.1")
        lines = ["CAP LS 302", f"CAP REQ :{' '.join(caps)}"] if caps else []
        lines += [f"PASS {PASSWORD.decode()}", "NICK alice", "USER alice 0 * :alice"]
        self.send(protocol, *lines, *(["CAP END"] if caps else []))
        self.end_pass()
        self.assertIn(f":{SERVER} 001 alice ".encode(), wire.value())
        return protocol, wire

    def offered(self, to: bytes = b"bob", data: bytes = CONTENT) -> None:
        """alice's line session offers ``to`` the file and uploads ``data`` of it; every wire cleared after."""
        self.offer(self.alice, to=to)
        self.upload(self.alice, data)
        self.end_pass()
        for wire in self.wires:
            wire.clear()

    def notices(self, wire: StringTransport) -> list[str]:
        self.end_pass()
        heard: list[str] = wire.value().decode().splitlines()
        wire.clear()
        return heard

    def test_a_fetch_of_a_private_offer_is_a_notice(self) -> None:
        """bob fetches alice's file: her IRC connection reads who has it, where the offer's NOTICE went."""
        _, irc_wire = self.alice_on_irc()
        bob, bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.offered()
        bob.dataReceived(b"/file accept %s\n" % FILE.encode())
        self.download(bob, bob_wire)
        self.assertEqual(
            self.notices(irc_wire), [f":{SERVER} NOTICE bob :bob has fetched your offer of {NAME} to bob"]
        )

    def test_a_room_offer_counts_who_is_left_as_each_recipient_is_done(self) -> None:
        """Offered to #lobby: bob's fetch leaves one recipient, carol's decline nobody, the offer open to whoever
        joins #lobby; each is a NOTICE in #lobby."""
        _, irc_wire = self.alice_on_irc()
        bob, bob_wire = self.json_user(b"bob", host="10.0.0.2")
        carol, _ = self.json_user(b"carol", host="10.0.0.3")
        self.offered(to=b"#lobby")
        bob.dataReceived(b"/file accept %s\n" % FILE.encode())
        self.download(bob, bob_wire)
        self.assertEqual(
            self.notices(irc_wire),
            [
                f":{SERVER} NOTICE #lobby :bob has fetched your offer of {NAME} to #lobby; 1 other recipient may "
                "still fetch it"
            ],
        )
        carol.dataReceived(b"/file decline %s\n" % FILE.encode())
        self.assertEqual(
            self.notices(irc_wire),
            [
                f":{SERVER} NOTICE #lobby :carol declined your offer of {NAME} to #lobby; it stays offered to "
                "whoever joins #lobby until you withdraw it or it expires"
            ],
        )

    def test_a_recipient_who_stops_is_a_notice(self) -> None:
        """bob stops fetching: alice's IRC connection reads so."""
        _, irc_wire = self.alice_on_irc()
        bob, _ = self.json_user(b"bob", host="10.0.0.2")
        self.offered()
        bob.dataReceived(b"/file accept %s\n/file cancel %s\n" % (FILE.encode(), FILE.encode()))
        self.assertEqual(
            self.notices(irc_wire),
            [f":{SERVER} NOTICE bob :bob stopped fetching your offer of {NAME} to bob"],
        )

    def test_a_withdrawal_on_the_other_connection_is_a_notice(self) -> None:
        """alice withdraws the offer on the line port: her IRC connection reads that it can no longer be fetched."""
        _, irc_wire = self.alice_on_irc()
        self.json_user(b"bob", host="10.0.0.2")
        self.offered()
        self.alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual(
            self.notices(irc_wire),
            [
                f":{SERVER} NOTICE bob :You withdrew your offer of {NAME} to bob on another connection: it can no "
                "longer be fetched"
            ],
        )

    def test_an_expired_offer_is_a_notice_with_server_time(self) -> None:
        """alice's offer to #lobby expires: her IRC connection (server-time) reads why, stamped, with no msgid."""
        _, irc_wire = self.alice_on_irc("server-time", "message-tags")
        self.json_user(b"bob", host="10.0.0.2")
        self.offered(to=b"#lobby")
        self.clock.advance(101)
        self.files.expire()
        self.assertEqual(
            self.notices(irc_wire),
            [
                f"@time={timestamp(self.clock.seconds())} :{SERVER} NOTICE #lobby :Your offer of {NAME} to #lobby "
                "expired (offers wait 1m 40s at most): it can no longer be fetched"
            ],
        )

    def test_an_upload_not_offered_yet_is_not_said(self) -> None:
        """alice's upload, never offered, is withdrawn on the line port and another expires: her IRC connection,
        which never heard of either, reads nothing."""
        _, irc_wire = self.alice_on_irc()
        self.json_user(b"bob", host="10.0.0.2")
        self.offered(data=CONTENT[:CHUNK])
        self.alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.offered(data=CONTENT[:CHUNK])
        self.clock.advance(101)
        self.files.expire()
        self.assertEqual(self.notices(irc_wire), [])


class RecipientNoticeTests(FileTestCase, IRCTestCase):
    """bob is registered, in JSON on the line port and on IRC (PASS); alice offers him files."""

    def setUp(self) -> None:
        super().setUp()
        self.irc = self.irc_front_end(files=self.files)
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n")
        protocol, self.irc_wire = self.irc_connect("10.0.0.2")
        self.send(protocol, f"PASS {PASSWORD.decode()}", "NICK bob", "USER bob 0 * :bob")
        self.alice, _ = self.json_user(b"alice", host="10.0.0.1")

    def offered(self, to: bytes = b"bob", file: str = FILE) -> None:
        """alice offers ``to`` the file (``file`` its id); bob's IRC connection reads the offer; every wire cleared."""
        self.offer(self.alice, to=to)
        self.upload(self.alice, CONTENT, file=file)
        self.end_pass()
        self.assertIn(b"NOTICE " + to + b" :alice offers " + to, self.irc_wire.value())
        for wire in self.wires:
            wire.clear()

    def notices(self) -> list[str]:
        self.end_pass()
        heard: list[str] = self.irc_wire.value().decode().splitlines()
        self.irc_wire.clear()
        return heard

    def test_a_fetch_on_the_other_connection_is_a_notice(self) -> None:
        """bob fetches alice's file on the line port: his IRC connection reads that he has it."""
        self.offered()
        self.bob.dataReceived(b"/file accept %s\n" % FILE.encode())
        self.download(self.bob, self.bob_wire)
        self.assertEqual(
            self.notices(), [f":{SERVER} NOTICE bob :You have fetched alice's offer of {NAME} to bob"]
        )

    def test_a_decline_or_a_stop_on_the_other_connection_is_a_notice(self) -> None:
        """bob declines one offer to #lobby and stops fetching another on the line port: his IRC connection reads
        each, in #lobby where the offers came (alice withdraws the first, open to whoever joins, before she offers
        the file again)."""
        self.offered(to=b"#lobby")
        self.bob.dataReceived(b"/file decline %s\n" % FILE.encode())
        self.assertEqual(
            self.notices(),
            [
                f":{SERVER} NOTICE #lobby :You declined alice's offer of {NAME} to #lobby on another connection"
            ],
        )
        self.alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual(self.notices(), [])
        self.offered(to=b"#lobby", file="0000000000000002")
        self.bob.dataReceived(b"/file accept 0000000000000002\n/file cancel 0000000000000002\n")
        self.assertEqual(
            self.notices(),
            [
                f":{SERVER} NOTICE #lobby :You stopped fetching alice's offer of {NAME} to #lobby on another connection"
            ],
        )


class RecipientWordsTests(SynchronousTestCase):
    def test_a_take_down_names_who_took_it_down_to_recipient_and_sender(self) -> None:
        """mrs_k, a room operator, took alice's offer down: a ``file_cancelled`` with her nickname and the room in
        ``taken_down_from`` says so to both, not that mrs_k stopped fetching it."""
        down = FileCancelled(
            FILE, "mrs_k", "withdrawn from #maths by an operator", 0, taken_down_from="#maths"
        )
        self.assertEqual(
            recipient_words(worksheet(), "#maths", down),
            'mrs_k took alice\'s offer of "worksheet.pdf" to #maths down (withdrawn from #maths by an operator): it'
            " can no longer be fetched",
        )
        self.assertEqual(
            sender_words(worksheet(), down),
            'mrs_k took your offer of "worksheet.pdf" to #maths down (withdrawn from #maths by an operator): nobody'
            " can fetch it now",
        )

    def test_a_room_left_is_told_by_its_field_not_by_its_reason(self) -> None:
        """A ``file_cancelled`` with carol's own nickname says she left the offer's room by its ``left_room`` alone:
        whatever its reason's words, with it she reads the offer is hers no longer, without it a stop elsewhere."""
        transfer = worksheet()
        left = FileCancelled(FILE, "carol", "gone from #maths", 1, left_room="#maths")
        stopped = FileCancelled(FILE, "carol", "you left #maths", 1)
        self.assertEqual(
            recipient_words(transfer, "#maths", left),
            'alice\'s offer of "worksheet.pdf" to #maths is no longer yours to fetch (gone from #maths): join #maths'
            " again to be offered it again",
        )
        self.assertEqual(
            recipient_words(transfer, "#maths", stopped),
            'You stopped fetching alice\'s offer of "worksheet.pdf" to #maths on another connection',
        )
