"""Files offered to an IRC user on a real twistd, read by a real IRC client's parser (issues 15 and 16).

IRC carries no file bytes: an IRC user is told of an offer, and of its end
(withdrawn by the sender, or expired), each by a NOTICE from the server,
FILES lists the offers still open to them, and FILES DECLINE declines one;
an IRC connection of the sender's account, of each recipient who fetches,
declines or stops it. The sender is a program on the line port speaking
JSON; the IRC user is jaraco's ``irc`` library (``tests/e2e/ircclient.py``).
The tests share one daemon, each with nicknames of its own.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, SharedDaemon
from tests.e2e.ircclient import IRC_AT, Heard, IRCClient
from tests.e2e.lobby import NAME, SHARED_LOBBY
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import content, fetch, json_user, next_of, upload

END_OF_ONE = "End of file offers: 1 open to you; FILES DECLINE * declines every file offered to you"
"""FILES's last NOTICE after the one offer open."""


class EndedOfferTests(SynchronousTestCase):
    shared = SharedDaemon((*SHARED_LOBBY, "--irc-port", "0"))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def lent(self) -> tuple[Daemon, int]:
        """The shared daemon and its IRC port, which it announced once, as it started."""
        daemon = self.shared.lend(self)
        return daemon, int(daemon.first_logged(IRC_AT).group("port"))

    def test_an_irc_user_reads_that_an_offer_to_them_was_withdrawn(self) -> None:
        """alice on the line port offers dave on IRC a file, then withdraws it: dave reads a NOTICE of the offer,
        saying FILES lists it again, as FILES does, then one saying it can no longer be fetched, after which FILES
        lists nothing."""
        daemon, port = self.lent()
        dave = IRCClient(daemon, port, "dave")
        dave.registered()
        alice = json_user(daemon, "alice")
        file_id = upload(alice, "dave", "notes.txt", content(20_000), "text/plain")
        offer = dave.next("privnotice", where=lambda heard: heard.nick == NAME)
        self.assertTrue(offer.arguments[0].startswith('alice offers dave "notes.txt" (20000 bytes'), offer)
        self.assertTrue(offer.arguments[0].endswith("; send FILES to list it again"), offer)
        dave.send("FILES")
        self.assertEqual(
            dave.next("privnotice"),
            Heard(
                "privnotice",
                NAME,
                "dave",
                (offer.arguments[0].removesuffix("; send FILES to list it again"),),
            ),
        )
        self.assertEqual(dave.next("privnotice"), Heard("privnotice", NAME, "dave", (END_OF_ONE,)))

        alice.say(f"/file cancel {file_id}")
        self.assertEqual(
            dave.next("privnotice"),
            Heard(
                "privnotice",
                NAME,
                "dave",
                ('alice withdrew the offer of "notes.txt" to dave: it can no longer be fetched',),
            ),
        )
        dave.send("FILES")
        self.assertEqual(
            dave.next("privnotice"), Heard("privnotice", NAME, "dave", ("No file is offered to you",))
        )

    def test_the_senders_irc_connection_reads_that_a_recipient_fetched_the_file(self) -> None:
        """ada, registered, offers bob a file from the line port while online over IRC too: her IRC connection
        reads the offer's NOTICE, what she offered and how to withdraw it (not to decline it), then, once bob
        fetches it, one saying he has."""
        daemon, port = self.lent()
        ada = registered(daemon, "ada")
        on_irc = IRCClient(daemon, port, "ada", password=PASSWORD)
        on_irc.registered()
        bob = json_user(daemon, "bob")
        data = content(20_000, seed=5)
        file_id = upload(ada, "bob", "notes.txt", data, "text/plain")
        offer = on_irc.next("privnotice", where=lambda heard: heard.nick == NAME)
        self.assertTrue(offer.arguments[0].startswith('You offered bob "notes.txt" (20000 bytes'), offer)
        self.assertTrue(
            offer.arguments[0].endswith(
                f": the bundled client or the web page withdraws it (/file cancel {file_id})"
            ),
            offer,
        )

        self.assertEqual(fetch(bob, file_id), data)
        self.assertEqual(
            on_irc.next("privnotice"),
            Heard("privnotice", NAME, "bob", ('bob has fetched your offer of "notes.txt" to bob',)),
        )

    def test_an_irc_user_declines_an_offer_by_the_id_its_notice_names(self) -> None:
        """fay on the line port offers gil on IRC a file; gil sends the FILES DECLINE its NOTICE names: he reads
        that he declined it, fay gets file_declined, and FILES lists nothing."""
        daemon, port = self.lent()
        gil = IRCClient(daemon, port, "gil")
        gil.registered()
        fay = json_user(daemon, "fay")
        file_id = upload(fay, "gil", "notes.txt", content(300), "text/plain")
        offer = gil.next("privnotice", where=lambda heard: heard.nick == NAME)
        decline = f"FILES DECLINE {file_id}"
        self.assertIn(f"; {decline} declines it;", offer.arguments[0])
        gil.send(decline)
        self.assertEqual(
            gil.next("privnotice"),
            Heard("privnotice", NAME, "gil", ('You declined fay\'s offer of "notes.txt" to gil',)),
        )
        self.assertEqual(
            next_of(fay, "file_declined"),
            {"type": "file_declined", "file": file_id, "nick": "gil", "left": 0},
        )
        gil.send("FILES")
        self.assertEqual(
            gil.next("privnotice"), Heard("privnotice", NAME, "gil", ("No file is offered to you",))
        )
