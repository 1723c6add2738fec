"""IRC's FILES: the offers still open to an IRC user, listed again with links of their own (chatd/irc/files.py), and
FILES DECLINE, which declines one by its id, or all (chatd/irc/declines.py).

alice offers files from a session on the line port speaking JSON; dave,
erin and frank are on IRC. An offer reaches an IRC user as one NOTICE,
never sent again to a member who was in the channel as it was made: FILES
finds it again once that NOTICE scrolled away or its link ran out. Over
StringTransport, with the transfer engine the daemon wires (issue 16).
"""

import hashlib

from twisted.internet.testing import StringTransport

from chatd.irc.files import FILES_SHOWN, USAGE
from chatd.irc.protocol import IRCProtocol
from chatd.line.render import text_line
from chatd.web.files import FileLinks
from tests.irc import SERVER, IRCTestCase
from tests.test_files import CONTENT, SHA, FileTestCase, _KeptLinks
from tests.test_line_accounts import PASSWORD

FILE = "0000000000000001"
FETCH = "the bundled client (python -m chatd.client) or the web page"
EVERY = "; FILES DECLINE * declines every file offered to you"


def offer_text(
    to: str, link: str | None = None, size: int = len(CONTENT), sha: str = SHA, file: str = FILE
) -> str:
    """What FILES, and the offer's NOTICE before its last words, say of alice's file ``file`` "holiday photo.png"
    offered to ``to``."""
    fetch = f"fetch it at {link} (a link for you alone, good once) or with" if link else "fetch it with"
    return (
        f'alice offers {to} "holiday photo.png" ({size} bytes, image/png, sha256 {sha}): {fetch} {FETCH};'
        f" FILES DECLINE {file} declines it"
    )


def end_text(offers: int, where: str = "") -> str:
    """FILES's last NOTICE, after ``offers`` offers (all those open to the user, ``where`` if it names a channel)."""
    return f"End of file offers: {offers} open to you{where}{EVERY}"


def notice(to: str, text: str) -> bytes:
    """A NOTICE from the server to ``to``, as a line without its CRLF."""
    return f":{SERVER} NOTICE {to} :{text}".encode()


class FilesTestCase(FileTestCase, IRCTestCase):
    """alice on the line port in JSON; the IRC front end has the transfer engine, as the daemon's does."""

    def setUp(self) -> None:
        super().setUp()
        self.irc = self.irc_front_end(files=self.files)
        self.alice, self.alice_wire = self.json_user(b"alice", host="10.0.0.1")

    def offered(self, to: bytes, data: bytes = CONTENT) -> str:
        """alice offers ``to`` the file of ``data`` and uploads it; every wire cleared after. Its id."""
        self.clock.advance(1)  # within alice's flood budget, however many she offers
        self.offer(self.alice, to=to, sha=hashlib.sha256(data).hexdigest(), size=len(data))
        told = self.objects(self.alice_wire)
        [file] = [item["file"] for item in told if item["type"] == "file_upload"]
        self.upload(self.alice, data, file=file)
        self.end_pass()
        for wire in self.wires:
            wire.clear()
        return str(file)

    def irc_on_account(self, nick: str, host: str) -> tuple[IRCProtocol, StringTransport]:
        """An IRC connection logged in (PASS) to the account ``nick``, from ``host``; its wire cleared."""
        protocol, wire = self.irc_connect(host)
        self.send(protocol, f"PASS {PASSWORD.decode()}", f"NICK {nick}", f"USER {nick} 0 * :{nick}")
        self.assertIn(f":{SERVER} 001 {nick} ".encode(), b"\r\n".join(self.lines(wire)))
        return protocol, wire

    def listed(self, protocol: IRCProtocol, wire: StringTransport, *arguments: str) -> list[bytes]:
        """What FILES (with ``arguments``) answers."""
        self.send(protocol, " ".join(("FILES", *arguments)))
        return self.lines(wire)


class ListedTests(FilesTestCase):
    def test_an_offer_to_the_nickname_is_listed_as_its_notice_said_then_the_list_ends(self) -> None:
        """dave read the NOTICE of alice's offer; FILES says it again, to his nickname, then ends the list."""
        dave, dave_wire = self.irc_user("dave")
        self.offered(b"dave")
        self.assertEqual(
            self.listed(dave, dave_wire),
            [notice("dave", offer_text("dave")), notice("dave", end_text(1))],
        )

    def test_a_channels_offer_is_listed_to_its_members_and_to_a_late_joiner_alone(self) -> None:
        """alice offers #lobby a file while dave is there: dave lists it, to his nickname; erin, who joins after,
        is offered it as she joins and lists it too; frank, in no channel of it, is offered nothing."""
        dave, dave_wire = self.irc_user("dave")
        self.send(dave, "JOIN #lobby")
        self.offered(b"#lobby")
        erin, erin_wire = self.irc_user("erin")
        self.send(erin, "JOIN #lobby")
        self.lines(erin_wire)
        frank, frank_wire = self.irc_user("frank")
        listed = [notice(nick, offer_text("#lobby")) for nick in ("dave", "erin")]
        end = end_text(1)
        self.assertEqual(self.listed(dave, dave_wire), [listed[0], notice("dave", end)])
        self.assertEqual(self.listed(erin, erin_wire), [listed[1], notice("erin", end)])
        self.assertEqual(self.listed(frank, frank_wire), [notice("frank", "No file is offered to you")])

    def test_a_member_who_left_the_channel_still_lists_its_offer(self) -> None:
        """dave was in #lobby as alice offered it a file, then parted: the offer is still his to fetch, as it is
        on the line protocol, and FILES lists it."""
        dave, dave_wire = self.irc_user("dave")
        self.send(dave, "JOIN #lobby")
        self.offered(b"#lobby")
        self.send(dave, "PART #lobby")
        self.lines(dave_wire)
        self.assertEqual(self.listed(dave, dave_wire)[0], notice("dave", offer_text("#lobby")))

    def test_offers_are_listed_oldest_first(self) -> None:
        """Two offers to dave come in the order they were made, whatever their sizes."""
        dave, dave_wire = self.irc_user("dave")
        first, second = CONTENT[:300], CONTENT[:200]
        self.offered(b"dave", first)
        self.offered(b"dave", second)
        self.assertEqual(
            self.listed(dave, dave_wire),
            [
                notice("dave", offer_text("dave", size=300, sha=hashlib.sha256(first).hexdigest())),
                notice(
                    "dave",
                    offer_text(
                        "dave", size=200, sha=hashlib.sha256(second).hexdigest(), file="0000000000000002"
                    ),
                ),
                notice("dave", end_text(2)),
            ],
        )

    def test_help_names_files(self) -> None:
        """HELP FILES gives its usage and what it does."""
        dave, dave_wire = self.irc_user("dave")
        self.send(dave, "HELP FILES")
        self.assertEqual(
            self.lines(dave_wire)[:2],
            [
                f":{SERVER} 704 dave FILES :FILES: FILES [#room] | DECLINE ID|*".encode(),
                f":{SERVER} 705 dave FILES :FILES - list again the files offered to you that you have yet to fetch"
                " (those offered in #room), or decline one by its id (or every one)".encode(),
            ],
        )


class NotListedTests(FilesTestCase):
    def test_an_offer_withdrawn_is_not_listed(self) -> None:
        """alice withdraws her offer to dave: FILES lists nothing."""
        dave, dave_wire = self.irc_user("dave")
        file = self.offered(b"dave")
        self.alice.dataReceived(f"/file cancel {file}\n".encode())
        self.lines(dave_wire)
        self.assertEqual(self.listed(dave, dave_wire), [notice("dave", "No file is offered to you")])

    def test_an_offer_declined_on_another_connection_is_not_listed(self) -> None:
        """bob, registered, declines alice's offer on the line port: his IRC connection lists nothing."""
        bob, _ = self.json_user(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        on_irc, irc_wire = self.irc_on_account("bob", "10.0.0.2")
        file = self.offered(b"bob")
        self.assertEqual(self.listed(on_irc, irc_wire)[0], notice("bob", offer_text("bob")))
        bob.dataReceived(f"/file decline {file}\n".encode())
        self.lines(irc_wire)
        self.assertEqual(self.listed(on_irc, irc_wire), [notice("bob", "No file is offered to you")])

    def test_the_senders_own_offers_are_not_listed(self) -> None:
        """alice, registered, offers from the line port: her IRC connection, which read the offer's NOTICE as its
        recipients do, lists none of her own offers: they are not offered to her."""
        self.alice.dataReceived(b"/register " + PASSWORD + b"\n")
        on_irc, irc_wire = self.irc_on_account("alice", "10.0.0.1")
        self.irc_user("dave")
        self.offered(b"#lobby")
        self.offered(b"dave")
        self.assertEqual(self.listed(on_irc, irc_wire), [notice("alice", "No file is offered to you")])


class ChannelTests(FilesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dave, self.dave_wire = self.irc_user("dave")
        self.send(self.dave, "JOIN #lobby")
        self.offered(b"dave", CONTENT[:100])
        self.offered(b"#lobby")

    def test_files_with_a_channel_lists_the_offers_made_there_alone(self) -> None:
        """FILES #lobby (any case) lists the offer to #lobby, not the one to dave's nickname; FILES #elsewhere none."""
        self.assertEqual(
            self.listed(self.dave, self.dave_wire, "#LOBBY"),
            [
                notice("dave", offer_text("#lobby", file="0000000000000002")),
                notice("dave", end_text(1, " in #LOBBY")),
            ],
        )
        self.assertEqual(
            self.listed(self.dave, self.dave_wire, "#elsewhere"),
            [notice("dave", "No file is offered to you in #elsewhere")],
        )

    def test_anything_but_one_channel_is_refused(self) -> None:
        """FILES with a nickname, with two channels (two words, or IRC's list ``#a,#b``), or with a word no
        channel could be named, is one FAIL saying how FILES is used, naming the word."""
        cases = (
            (("dave",), "dave"),
            (("#lobby", "#other"), "#other"),
            (("#lobby,#other",), "#lobby,#other"),
            (("#",), "#"),
            (("#no!such",), "#no!such"),
        )
        for arguments, word in cases:
            self.assertEqual(
                self.listed(self.dave, self.dave_wire, *arguments),
                [f":{SERVER} FAIL FILES INVALID_PARAMS {word} :{USAGE}".encode()],
            )


class LinkTests(FilesTestCase):
    """With the web port on, the links are the offer's NOTICE's own: made by FileLinks, kept in its store."""

    def setUp(self) -> None:
        super().setUp()
        self.kept = _KeptLinks()
        self.links = FileLinks(self.files, self.clock, text_line, self.kept)
        self.links.heard("http://testhost:8080/")
        self.files.links = self.links.make

    def link(self, line: bytes) -> str:
        """The link a NOTICE of an offer names."""
        return line.decode().split("fetch it at ", 1)[1].split(" ", 1)[0]

    def test_files_names_the_link_of_the_offers_notice_while_it_is_good_then_a_fresh_one(self) -> None:
        """FILES names the link dave's NOTICE named while it is good (one link a recipient an offer); once its hour
        ran out, a fresh one, kept by its hash as the NOTICE's was, so that it is good after a restart too."""
        dave, dave_wire = self.irc_user("dave")
        self.offer(self.alice, to=b"dave")
        self.upload(self.alice, CONTENT)
        [offer_notice] = self.lines(dave_wire)
        first = self.link(offer_notice)
        self.assertEqual(self.listed(dave, dave_wire)[0], notice("dave", offer_text("dave", first)))

        self.clock.advance(3600)
        self.assertIsNone(self.links.open(first.rsplit("/", 1)[1]))
        listed = self.listed(dave, dave_wire)
        fresh = self.link(listed[0])
        self.assertNotEqual(fresh, first)
        self.assertEqual(listed[0], notice("dave", offer_text("dave", fresh)))
        token = fresh.rsplit("/", 1)[1]
        self.assertIn(hashlib.sha256(token.encode()).hexdigest(), self.kept.rows)
        restarted = FileLinks(self.files, self.clock, text_line, self.kept)
        transfer = restarted.open(token)
        self.assertIsNotNone(transfer)
        assert transfer is not None
        self.assertEqual(transfer.file, FILE)


class BoundTests(FilesTestCase):
    """alice has offered dave more files than one FILES lists."""

    OFFERS = FILES_SHOWN + 5

    def setUp(self) -> None:
        super().setUp()
        self.dave, self.dave_wire = self.irc_user("dave")
        self.sizes = [100 + number for number in range(self.OFFERS)]
        for number, size in enumerate(self.sizes):
            if number == self.files.limits.offers_to_one:
                # One user keeps at most 16 offers open to one person: the rest are from alice back from elsewhere.
                self.alice.connectionLost()
                self.alice, self.alice_wire = self.json_user(b"alice", host="10.0.0.2")
            self.offered(b"dave", CONTENT[:size])

    def test_files_lists_the_oldest_and_says_how_many_more_wait(self) -> None:
        """FILES lists the oldest FILES_SHOWN, then says how many are open and how to narrow the list."""
        lines = self.listed(self.dave, self.dave_wire)
        shown = [
            notice(
                "dave",
                offer_text(
                    "dave", size=size, sha=hashlib.sha256(CONTENT[:size]).hexdigest(), file=f"{number:016x}"
                ),
            )
            for number, size in enumerate(self.sizes[:FILES_SHOWN], start=1)
        ]
        end = (
            f"End of file offers: the oldest {FILES_SHOWN} of {self.OFFERS} open to you; FILES #room lists those"
            f" of one channel{EVERY}"
        )
        self.assertEqual(lines, [*shown, notice("dave", end)])

    def test_a_long_list_costs_a_line_of_flood_budget_per_ten_offers(self) -> None:
        """Each FILES of 20 offers costs two lines, its own the first, as ``/file list`` of 20 does: five of them
        take the burst of ten, all answered at once; a PING after them is past it, and the next waits its turn."""
        self.clock.advance(60)
        self.send(self.dave, *["FILES"] * 5, "PING early", "PING late")
        lines = self.lines(self.dave_wire)
        self.assertEqual(len([line for line in lines if b"End of file offers" in line]), 5)
        self.assertIn(f":{SERVER} PONG {SERVER} early".encode(), lines)
        self.assertNotIn(f":{SERVER} PONG {SERVER} late".encode(), lines)
        self.clock.advance(10)
        self.assertIn(f":{SERVER} PONG {SERVER} late".encode(), self.lines(self.dave_wire))

    def test_declining_many_costs_a_line_of_flood_budget_per_ten_offers(self) -> None:
        """FILES DECLINE * of 25 offers costs three lines, as listing them would: eight PINGs after it take the
        burst, and a ninth waits its turn (it would not, the decline costing one line)."""
        self.clock.advance(60)
        self.send(self.dave, "FILES DECLINE *", *(f"PING {number}" for number in range(8)), "PING late")
        lines = self.lines(self.dave_wire)
        self.assertEqual(lines[0], notice("dave", f"You declined {self.OFFERS} file offers"))
        self.assertIn(f":{SERVER} PONG {SERVER} 7".encode(), lines)
        self.assertNotIn(f":{SERVER} PONG {SERVER} late".encode(), lines)
        self.clock.advance(10)
        self.assertIn(f":{SERVER} PONG {SERVER} late".encode(), self.lines(self.dave_wire))


class DeclineTests(FilesTestCase):
    """FILES DECLINE ID declines one offer open to the IRC user, as ``/file decline ID`` does on the line port."""

    def setUp(self) -> None:
        super().setUp()
        self.dave, self.dave_wire = self.irc_user("dave")

    def declined(self, protocol: IRCProtocol, wire: StringTransport, word: str) -> list[bytes]:
        """What FILES DECLINE ``word`` answers."""
        self.send(protocol, f"FILES DECLINE {word}")
        return self.lines(wire)

    def test_an_offer_declined_by_its_id_tells_the_sender_and_is_listed_no_more(self) -> None:
        """dave declines alice's offer by the id its NOTICE names: he reads that he did, alice gets file_declined as
        from the line port, and FILES lists nothing."""
        file = self.offered(b"dave")
        self.assertEqual(
            self.declined(self.dave, self.dave_wire, file),
            [notice("dave", 'You declined alice\'s offer of "holiday photo.png" to dave')],
        )
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": file, "nick": "dave", "left": 0}],
        )
        self.assertEqual(
            self.listed(self.dave, self.dave_wire), [notice("dave", "No file is offered to you")]
        )

    def test_an_id_in_upper_case_declines_the_same_offer(self) -> None:
        """Ids are made in lower case; dave types the one alice's NOTICE names in upper case, and declines it all
        the same: alice is told by the id as it was made."""
        self.ids = iter(["00000000deadbeef"])
        file = self.offered(b"dave")
        self.assertEqual(
            self.declined(self.dave, self.dave_wire, file.upper()),
            [notice("dave", 'You declined alice\'s offer of "holiday photo.png" to dave')],
        )
        self.assertEqual(
            self.objects(self.alice_wire),
            [{"type": "file_declined", "file": "00000000deadbeef", "nick": "dave", "left": 0}],
        )

    def test_a_decline_frees_the_offers_place(self) -> None:
        """alice has as many offers open to dave as one sender may: her next is refused until dave declines one."""
        files = [
            self.offered(b"dave", CONTENT[:number])
            for number in range(1, self.files.limits.offers_to_one + 1)
        ]
        self.clock.advance(1)
        self.offer(self.alice, to=b"dave", sha=hashlib.sha256(CONTENT[:100]).hexdigest(), size=100)
        self.assertEqual(self.objects(self.alice_wire)[-1]["code"], "file-too-many")
        self.declined(self.dave, self.dave_wire, files[3])
        self.assertEqual(self.offered(b"dave", CONTENT[:100]), f"{len(files) + 1:016x}")

    def test_the_users_other_connections_see_the_offer_end(self) -> None:
        """bob, registered, declines on one IRC connection: his session on the line port gets file_declined, his
        other IRC connection reads that he declined it on another connection, the one he declined on only that he
        declined it."""
        bob, bob_wire = self.json_user(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        self.lines(bob_wire)
        first, first_wire = self.irc_on_account("bob", "10.0.0.2")
        _, second_wire = self.irc_on_account("bob", "10.0.0.2")
        file = self.offered(b"bob")
        self.assertEqual(
            self.declined(first, first_wire, file),
            [notice("bob", 'You declined alice\'s offer of "holiday photo.png" to bob')],
        )
        self.assertEqual(
            self.objects(bob_wire), [{"type": "file_declined", "file": file, "nick": "bob", "left": 0}]
        )
        self.assertEqual(
            self.lines(second_wire),
            [
                notice(
                    "bob", 'You declined alice\'s offer of "holiday photo.png" to bob on another connection'
                )
            ],
        )

    def test_an_offer_fetched_on_another_connection_goes_on(self) -> None:
        """bob, registered, is fetching alice's file on the line port: FILES DECLINE on IRC says so and changes
        nothing; alice hears nothing, and FILES still lists it."""
        bob, bob_wire = self.json_user(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        on_irc, irc_wire = self.irc_on_account("bob", "10.0.0.2")
        file = self.offered(b"bob")
        bob.dataReceived(f"/file accept {file}\n".encode())
        self.lines(bob_wire)
        self.assertEqual(
            self.declined(on_irc, irc_wire, file),
            [
                notice(
                    "bob",
                    'You are fetching alice\'s offer of "holiday photo.png" to bob on another connection: stop it'
                    " there to decline it",
                )
            ],
        )
        self.assertEqual(self.objects(self.alice_wire), [])
        self.assertEqual(self.listed(on_irc, irc_wire)[0], notice("bob", offer_text("bob")))
        self.assertEqual(
            self.declined(on_irc, irc_wire, "*"),
            [
                notice(
                    "bob",
                    "Nothing was declined: another connection of yours is fetching every file offered to you",
                )
            ],
        )
        self.assertEqual(self.objects(self.alice_wire), [])

    def test_an_id_not_open_to_the_user_is_one_fail_and_changes_nothing(self) -> None:
        """An id no offer has, one of an offer to erin, and a word that is no id: each one FAIL naming it; erin's
        offer stays hers and alice hears nothing."""
        erin, erin_wire = self.irc_user("erin")
        file = self.offered(b"erin")
        for word in ("00000000000000ff", file, "holiday"):
            self.assertEqual(
                self.declined(self.dave, self.dave_wire, word),
                [
                    f":{SERVER} FAIL FILES INVALID_PARAMS {word} :No such file is offered to you; FILES lists those"
                    " that are".encode()
                ],
            )
        self.assertEqual(self.objects(self.alice_wire), [])
        self.assertEqual(self.listed(erin, erin_wire)[0], notice("erin", offer_text("erin")))

    def test_decline_with_no_id_or_two_is_refused_with_the_usage(self) -> None:
        """FILES DECLINE alone, or with two ids, is one FAIL saying how FILES is used."""
        file = self.offered(b"dave")
        for arguments, word in ((("DECLINE",), "DECLINE"), (("DECLINE", file, file), file)):
            self.assertEqual(
                self.listed(self.dave, self.dave_wire, *arguments),
                [f":{SERVER} FAIL FILES INVALID_PARAMS {word} :{USAGE}".encode()],
            )
        self.assertEqual(self.objects(self.alice_wire), [])


class DeclineEveryTests(FilesTestCase):
    """FILES DECLINE * declines every offer open to the IRC user, in one command."""

    def test_every_offer_is_declined_each_sender_told(self) -> None:
        """Two offers to dave and one to #lobby while he is there: FILES DECLINE * declines the three, alice is told
        of each, and FILES lists nothing; erin's offer from #lobby stays hers."""
        dave, dave_wire = self.irc_user("dave")
        erin, erin_wire = self.irc_user("erin")
        for protocol in (dave, erin):
            self.send(protocol, "JOIN #lobby")
        files = [self.offered(b"dave", CONTENT[:100]), self.offered(b"dave", CONTENT[:200])]
        files.append(self.offered(b"#lobby"))
        self.send(dave, "FILES DECLINE *")
        self.assertEqual(self.lines(dave_wire), [notice("dave", "You declined 3 file offers")])
        self.assertEqual(
            [(item["type"], item["file"], item["nick"]) for item in self.objects(self.alice_wire)],
            [("file_declined", file, "dave") for file in files],
        )
        self.assertEqual(self.listed(dave, dave_wire), [notice("dave", "No file is offered to you")])
        self.assertEqual(self.listed(erin, erin_wire)[0], notice("erin", offer_text("#lobby", file=files[2])))

    def test_with_nothing_offered_it_says_so(self) -> None:
        """FILES DECLINE * with no offer open says none is, as FILES does."""
        dave, dave_wire = self.irc_user("dave")
        self.send(dave, "FILES DECLINE *")
        self.assertEqual(self.lines(dave_wire), [notice("dave", "No file is offered to you")])
